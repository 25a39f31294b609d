//! The Grafana dashboard in `grafana/`: its queries, read with the
//! project's own literal reader (JSON is a JavaScript literal).

use smarthub_exporter::script::literal::{self, Lit};

pub const PATH: &str = "grafana/smarthub-exporter.json";

/// Every `expr` of every panel's targets over the exporter's metrics, in
/// the file's order (the alerts panel's are [`alert_queries`]).
pub fn queries() -> Vec<String> {
    all_queries()
        .into_iter()
        .filter(|q| !reads_alerts(q))
        .collect()
}

/// The queries over Prometheus' own `ALERTS` series (the firing alerts of
/// `monitoring/alerts.yml`): they read no exporter metric, and have data
/// only while an alert fires (`tests/alerts.rs` makes one fire).
pub fn alert_queries() -> Vec<String> {
    all_queries()
        .into_iter()
        .filter(|q| reads_alerts(q))
        .collect()
}

fn reads_alerts(query: &str) -> bool {
    query.starts_with("ALERTS{")
}

fn all_queries() -> Vec<String> {
    let text = std::fs::read_to_string(super::repo_root().join(PATH))
        .unwrap_or_else(|e| panic!("{PATH}: {e}"));
    let dash = literal::parse(&text).unwrap_or_else(|e| panic!("{PATH}: {e}"));
    let mut out = Vec::new();
    collect(&dash, &mut out);
    out
}

fn collect(v: &Lit, out: &mut Vec<String>) {
    match v {
        Lit::Object(fields) => {
            for (k, v) in fields {
                match (k.as_str(), v) {
                    ("expr", Lit::Str(q)) => out.push(q.clone()),
                    _ => collect(v, out),
                }
            }
        }
        Lit::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

/// The metric names a query reads: every `smarthub_...` identifier.
pub fn metric_names(query: &str) -> Vec<String> {
    let b = query.as_bytes();
    let mut names = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let word_start = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        if word_start && query[i..].starts_with("smarthub_") {
            let end = query[i..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(b.len(), |n| i + n);
            names.push(query[i..end].to_owned());
            i = end;
        } else {
            i += 1;
        }
    }
    names
}
