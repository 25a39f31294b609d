//! Interop with the real Prometheus tools (Debian package `prometheus`,
//! installed by `.ci/test` when missing): `promtool check metrics` on the
//! output, and a Prometheus server scraping the binary, with the fake hub
//! behind it, answering every query of the Go exporter's Grafana dashboard and of
//! ours (`grafana/smarthub-exporter.json`), whose metric names are also
//! checked against what the exporter emits.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::dashboard;
use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::prometheus::{self, tool};
use crate::support::{LAN, WAN};

/// The queries of the Go exporter's Grafana dashboard, as listed in
/// `shared/seed/dashboard-queries.tsv` (`shared_captures` checks the copy).
pub(crate) const GO_EXPORTER_QUERIES: &[&str] = &[
    "sum (smarthub_connected)",
    "sum (smarthub_uptime)",
    "sum (smarthub_connection_uptime)",
    "sum (smarthub_downloaded_bytes)",
    "sum (smarthub_uploaded_bytes)",
    "sum (rate(smarthub_uploaded_bytes[$__rate_interval])*8)",
    "sum (rate(smarthub_downloaded_bytes[$__rate_interval])*8)",
    "sum by (mac, ip, hostname) (rate(smarthub_lan_downloaded_bytes[$__rate_interval])*8 !=0)",
    "sum by (mac, ip, hostname) (-rate(smarthub_lan_uploaded_bytes[$__rate_interval])*8 !=0)",
    "sum by (mac, ip, hostname) (smarthub_lan_downloaded_bytes)",
    "sum by (mac, ip, hostname) (smarthub_lan_uploaded_bytes)",
];

/// A hub serving every page, with a DSL line that is up, so that every
/// family the exporter has appears.
fn full_hub(devices: usize) -> FakeHub {
    let hub = FakeHub::with_pages(devices);
    hub.set(
        WAN,
        Reply::Dynamic(Arc::new(|n| {
            crate::support::pages::wan_page_vdsl(n).into_bytes()
        })),
    );
    hub
}

#[test]
#[ignore = "needs promtool (Debian package prometheus); .ci/test runs it"]
fn promtool_finds_only_the_seed_counter_names() {
    // The FTTP hub, and one with a DSL line up: between them, every family.
    for hub in [FakeHub::with_pages(5), full_hub(5)] {
        promtool_check(&hub);
    }
}

fn promtool_check(hub: &FakeHub) {
    let exp = Exporter::start(&hub.host(), &[]);
    let body = exp.get("/metrics").body;
    assert!(
        String::from_utf8_lossy(&body).contains("smarthub_mesh_station_info"),
        "the new families are in what promtool reads"
    );
    let mut child = Command::new(tool("promtool"))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&body).unwrap();
    let out = child.wait_with_output().unwrap();
    let mut problems: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .map(str::to_owned)
        .filter(|l| !l.trim().is_empty())
        .collect();
    problems.sort();
    assert_eq!(
        problems,
        [
            "smarthub_downloaded_bytes counter metrics should have \"_total\" suffix",
            "smarthub_lan_downloaded_bytes counter metrics should have \"_total\" suffix",
            "smarthub_lan_uploaded_bytes counter metrics should have \"_total\" suffix",
            "smarthub_uploaded_bytes counter metrics should have \"_total\" suffix",
        ],
        "promtool: {:?}",
        out.status
    );
}

struct Prometheus {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start_prometheus(target: &str) -> Prometheus {
    start_prometheus_with(target, "1s", None)
}

/// A Prometheus server scraping `target` every `interval`; `replica` sets the
/// external label an HA pair tells its members apart by (Prometheus also
/// derives each member's scrape offset in the interval from it).
fn start_prometheus_with(target: &str, interval: &str, replica: Option<&str>) -> Prometheus {
    let dir = std::env::temp_dir().join(format!(
        "smarthub-prom-{}-{}-{}",
        std::process::id(),
        target.replace(':', "_"),
        replica.unwrap_or("single")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let external = replica
        .map(|r| format!("  external_labels:\n    replica: {r}\n"))
        .unwrap_or_default();
    let config = format!(
        "global:\n  scrape_interval: {interval}\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n{external}scrape_configs:\n  - job_name: smarthub\n    static_configs:\n      - targets: ['{target}']\n"
    );
    let (child, port) = prometheus::spawn(&dir, &config);
    Prometheus {
        child,
        port,
        _dir: TempDir(dir),
    }
}

/// Runs an instant query; returns the series of a successful answer (the
/// API's `data.result`). `None` while Prometheus cannot answer yet; a
/// malformed or failed answer is a test failure.
fn query(port: u16, q: &str) -> Option<Vec<Value>> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let encoded = crate::support::pages::enc(q);
    write!(
        s,
        "GET /api/v1/query?query={encoded} HTTP/1.0\r\nHost: x\r\n\r\n"
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    // Not ready yet (503 while starting up): ask again later.
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return None;
    }
    let answer: Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{q}: not JSON ({e}): {body}"));
    assert_eq!(answer["status"], "success", "{q}: {answer}");
    assert_eq!(answer["data"]["resultType"], "vector", "{q}: {answer}");
    match &answer["data"]["result"] {
        Value::Array(series) => Some(series.clone()),
        other => panic!("{q}: result is not a list: {other}"),
    }
}

/// The value of a query answering one series, as a number.
fn scalar(port: u16, q: &str) -> Option<f64> {
    let series = query(port, q)?;
    let [one] = &series[..] else {
        assert!(series.is_empty(), "{q}: {} series", series.len());
        return None;
    };
    // An instant vector's sample is [time, "value"].
    let value = one["value"][1]
        .as_str()
        .unwrap_or_else(|| panic!("{q}: no value in {one}"));
    Some(
        value
            .parse()
            .unwrap_or_else(|e| panic!("{q}: {value}: {e}")),
    )
}

#[test]
fn every_metric_our_dashboard_reads_is_emitted() {
    let hub = full_hub(6);
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    let emitted: BTreeSet<&str> = m.families.iter().map(|f| f.name.as_str()).collect();
    let queries = dashboard::queries();
    assert!(queries.len() >= 30, "only {} queries read", queries.len());
    let mut read = BTreeSet::new();
    for q in &queries {
        let names = dashboard::metric_names(q);
        assert!(!names.is_empty(), "a query reading no smarthub metric: {q}");
        for name in names {
            assert!(
                emitted.contains(name.as_str()),
                "{name} (in {q:?}) is not emitted; emitted: {emitted:?}"
            );
            read.insert(name);
        }
    }
    for needed in [
        "smarthub_dsl_sync_rate_bytes_per_second",
        "smarthub_dsl_attainable_rate_bytes_per_second",
        "smarthub_dsl_snr_margin_db",
        "smarthub_mesh_station_info",
        "smarthub_lan_device_active",
    ] {
        assert!(read.contains(needed), "no panel reads {needed}");
    }
    for q in GO_EXPORTER_QUERIES {
        assert!(
            queries.iter().any(|d| d == q),
            "the Go exporter's dashboard query is missing: {q}"
        );
    }
}

#[test]
fn metric_names_are_found_in_promql() {
    assert_eq!(
        dashboard::metric_names(
            "1 - smarthub_a{mode=\"idle\"} / on (mac) group_left (x_smarthub_no) rate(smarthub_b:c[1m])"
        ),
        ["smarthub_a", "smarthub_b:c"]
    );
}

#[test]
#[ignore = "needs prometheus (Debian package prometheus); .ci/test runs it"]
fn prometheus_scrapes_it_and_both_dashboards_have_data() {
    // A DSL hub, so the line panels have data too.
    let hub = full_hub(6);
    // The default cache TTL (8 s) stays on: Prometheus at 1 s sees a new value
    // every 8 s.
    let exp = Exporter::start(&hub.host(), &[]);
    let prom = start_prometheus(&exp.addr.to_string());
    let queries: Vec<String> = GO_EXPORTER_QUERIES
        .iter()
        .map(|q| q.to_string())
        .chain(dashboard::queries())
        .map(|q| q.replace("$__rate_interval", "1m"))
        .collect::<BTreeSet<String>>()
        .into_iter()
        .chain([
            "up{job=\"smarthub\"} == 1".to_owned(),
            "smarthub_up == 1".to_owned(),
        ])
        .collect();
    let t = Instant::now();
    let mut missing: Vec<&String> = queries.iter().collect();
    while !missing.is_empty() && t.elapsed() < Duration::from_secs(60) {
        sleep(Duration::from_secs(1));
        missing.retain(|q| !query(prom.port, q).is_some_and(|series| !series.is_empty()));
    }
    assert!(
        missing.is_empty(),
        "no data after {:?} for: {missing:?}",
        t.elapsed()
    );
    // Per-device series carry the three labels of the Go exporter.
    let series = query(prom.port, "smarthub_lan_downloaded_bytes").unwrap();
    let first = series
        .iter()
        .map(|s| &s["metric"])
        .find(|m| m["mac"] == "02:00:00:00:00:00")
        .unwrap_or_else(|| panic!("no series of the first device in {series:?}"));
    assert_eq!(first["hostname"], "device-0", "{first}");
    assert_eq!(first["ip"], "192.168.1.2", "{first}");
    assert_eq!(first["job"], "smarthub", "{first}");
}

#[test]
#[ignore = "needs prometheus (Debian package prometheus); .ci/test runs it"]
fn an_ha_pair_of_prometheus_servers_shares_one_set_of_hub_requests() {
    // docs/prometheus.md's rule, scaled down from a 15 s interval and the default
    // 8 s TTL: a TTL over half the interval (Prometheus puts the two
    // replicas' scrapes anywhere in it) and under all of it.
    let hub = FakeHub::with_pages(3);
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "2"]);
    let target = exp.addr.to_string();
    let pair = [
        start_prometheus_with(&target, "3s", Some("a")),
        start_prometheus_with(&target, "3s", Some("b")),
    ];
    let scrapes = |p: &Prometheus| {
        scalar(p.port, "count_over_time(up{job=\"smarthub\"}[10m])").unwrap_or(0.0) as u64
    };
    let t = Instant::now();
    while pair.iter().any(|p| scrapes(p) < 5) {
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the pair did not scrape: {:?}",
            pair.iter().map(scrapes).collect::<Vec<_>>()
        );
        sleep(Duration::from_millis(500));
    }
    let before: Vec<u64> = pair.iter().map(scrapes).collect();
    let hub_sets = hub.count(WAN) as u64;
    let after: Vec<u64> = pair.iter().map(scrapes).collect();
    assert_eq!(hub.count(LAN) as u64, hub_sets);
    // One set of hub requests per interval, not one per replica and interval
    // (allowing one scrape in flight while the counts were read).
    assert!(
        hub_sets <= after.iter().max().unwrap() + 1,
        "{hub_sets} sets of hub requests for {before:?} scrapes: the pair did not share"
    );
    assert!(hub_sets + 2 < before.iter().sum::<u64>());
    // And no replica got the same result twice: every sample of the hub's
    // uptime (which the fake hub moves on at every request) is new.
    for p in &pair {
        let n = scalar(p.port, "count_over_time(smarthub_uptime[10m])").unwrap();
        let changes = scalar(p.port, "changes(smarthub_uptime[10m])").unwrap();
        assert_eq!(changes, n - 1.0, "a replica was served a stale result");
    }
}
