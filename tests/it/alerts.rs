//! The alerting and recording rules in `monitoring/`: `promtool check
//! rules` and `promtool test rules` (the Debian package `prometheus`,
//! installed by `.ci/test`), every metric they read is one the exporter
//! emits, and a real Prometheus server loads them, evaluates them against
//! the real binary and the fake hub without an error, fires none while the
//! hub is healthy, and fires (or holds pending) the right ones when the hub
//! restarts, goes away, and the exporter stops; the dashboard's alerts
//! panel shows the firing one.

// Uses part of the shared support (tests/it/ uses all of it).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::dashboard;
use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::prometheus::{self, tool};
use crate::support::WAN;
use serde_json::Value;

const RULES: &str = "monitoring/alerts.yml";
/// Minute by minute, and the 7- and 30-day windows hour by hour.
const UNIT_TESTS: [&str; 2] = [
    "monitoring/alerts_test.yml",
    "monitoring/alerts_test_long.yml",
];

fn read(rel: &str) -> String {
    std::fs::read_to_string(crate::support::repo_root().join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The values of `key:` lines of a YAML file (`- alert: X`, `- record: X`).
fn yaml_values(text: &str, key: &str) -> Vec<String> {
    let key = format!("{key}:");
    text.lines()
        .filter_map(|l| l.trim_start().trim_start_matches("- ").strip_prefix(&key))
        .map(|v| v.trim().to_owned())
        .collect()
}

fn promtool(args: &[&str]) -> (Output, String) {
    let out = Command::new(tool("promtool"))
        .args(args)
        .current_dir(crate::support::repo_root())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out, text)
}

#[test]
#[ignore = "needs promtool (Debian package prometheus); .ci/test runs it"]
fn promtool_checks_the_rule_file() {
    let rules = read(RULES);
    let n = yaml_values(&rules, "alert").len() + yaml_values(&rules, "record").len();
    assert!(n >= 15, "only {n} rules in {RULES}");
    let (out, text) = promtool(&["check", "rules", RULES]);
    assert!(out.status.success(), "promtool check rules: {text}");
    assert!(
        text.contains(&format!("SUCCESS: {n} rules found")),
        "promtool check rules: {text}"
    );
}

#[test]
#[ignore = "needs promtool (Debian package prometheus); .ci/test runs it"]
fn promtool_unit_tests_pass() {
    let mut args = vec!["test", "rules"];
    args.extend(UNIT_TESTS);
    let (out, text) = promtool(&args);
    assert!(out.status.success(), "promtool test rules: {text}");
    assert_eq!(
        text.matches("SUCCESS").count(),
        UNIT_TESTS.len(),
        "promtool test rules: {text}"
    );
}

#[test]
fn every_alert_is_tested_firing_and_not_firing() {
    let alerts = yaml_values(&read(RULES), "alert");
    assert!(alerts.len() >= 10, "{alerts:?}");
    let mut firing = BTreeSet::new();
    let mut quiet = BTreeSet::new();
    for file in UNIT_TESTS {
        let text = read(file);
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, l) in lines.iter().enumerate() {
            if let Some(name) = l.strip_prefix("alertname: ") {
                match lines.get(i + 1) {
                    Some(&"exp_alerts: []") => quiet.insert(name.to_owned()),
                    Some(&"exp_alerts:") => firing.insert(name.to_owned()),
                    other => panic!("{file}: {name} followed by {other:?}"),
                };
            }
        }
    }
    for a in &alerts {
        assert!(firing.contains(a), "no test has {a} firing");
        assert!(quiet.contains(a), "no test has {a} not firing");
    }
}

/// A hub serving every page, its DSL line up, whose uptime starts again
/// from 30 s once `rebooted` is set.
fn hub(rebooted: Arc<AtomicBool>) -> FakeHub {
    let hub = FakeHub::with_pages(4);
    hub.set(
        WAN,
        Reply::Dynamic(Arc::new(move |n| {
            let page = crate::support::pages::wan_page_vdsl(n);
            if !rebooted.load(Ordering::SeqCst) {
                return page.into_bytes();
            }
            let (head, rest) = page.split_once("<sysuptime value=\"").unwrap();
            let (_, tail) = rest.split_once('"').unwrap();
            format!("{head}<sysuptime value=\"{}\"{tail}", 30 + n % 100).into_bytes()
        })),
    );
    hub
}

#[test]
fn the_rules_read_only_metrics_the_exporter_emits() {
    let hub = hub(Arc::new(AtomicBool::new(false)));
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    let emitted: BTreeSet<&str> = m.families.iter().map(|f| f.name.as_str()).collect();
    let rules = read(RULES);
    let recorded: BTreeSet<String> = yaml_values(&rules, "record").into_iter().collect();
    let mut read_names = BTreeSet::new();
    for line in rules.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let own = recorded
            .iter()
            .fold(line.to_owned(), |l, r| l.replace(r.as_str(), ""));
        for name in dashboard::metric_names(&own) {
            assert!(
                emitted.contains(name.as_str()),
                "{RULES} reads {name}, which the exporter does not emit: {line}"
            );
            read_names.insert(name);
        }
    }
    assert!(read_names.len() >= 13, "{read_names:?}");
}

struct Prometheus {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A Prometheus server scraping `target` every second under a job name
/// other than the README's, evaluating the rule file every second.
fn start_prometheus(target: &str) -> Prometheus {
    let dir = std::env::temp_dir().join(format!("smarthub-alerts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The file as shipped but for the device group's 5-minute interval:
    // Prometheus spreads a group's first evaluation over its interval, so
    // at 5m the test would wait up to 5 minutes for it.
    let rules = read(RULES);
    assert_eq!(rules.matches("\n    interval: 5m\n").count(), 1);
    let rules = rules.replace("\n    interval: 5m\n", "\n    interval: 1s\n");
    std::fs::write(dir.join("alerts.yml"), rules).unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs:\n  - job_name: home-router\n    static_configs:\n      - targets: ['{target}']\n",
        dir.join("alerts.yml").display()
    );
    let (child, port) = prometheus::spawn(&dir, &config);
    Prometheus { child, port, dir }
}

impl Prometheus {
    /// GET an API path; the JSON answer's `data`, when it says success.
    fn api(&self, path_and_query: &str) -> Option<Value> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(s, "GET {path_and_query} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        let v: Value = serde_json::from_str(out.split_once("\r\n\r\n")?.1).ok()?;
        (v["status"] == "success").then(|| v["data"].clone())
    }

    /// An instant query's series.
    fn query(&self, q: &str) -> Vec<Value> {
        let encoded: String = q
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"_-.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        self.api(&format!("/api/v1/query?query={encoded}"))
            .and_then(|d| d["result"].as_array().cloned())
            .unwrap_or_default()
    }

    fn groups(&self) -> Vec<Value> {
        self.api("/api/v1/rules")
            .and_then(|d| d["groups"].as_array().cloned())
            .unwrap_or_default()
    }

    /// `(alertname, state)` of every alert pending or firing.
    fn alerts(&self) -> BTreeSet<(String, String)> {
        self.query("ALERTS")
            .iter()
            .map(|s| {
                let m = &s["metric"];
                (str_of(&m["alertname"]), str_of(&m["alertstate"]))
            })
            .collect()
    }
}

fn str_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let t = Instant::now();
    while !done() {
        assert!(t.elapsed() < limit, "after {:?}: {what}", t.elapsed());
        sleep(Duration::from_millis(250));
    }
}

fn rules_of(groups: &[Value]) -> Vec<Value> {
    groups
        .iter()
        .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn unit_test_text() -> String {
    UNIT_TESTS.iter().map(|f| read(f)).collect()
}

#[test]
#[ignore = "needs prometheus (Debian package prometheus); .ci/test runs it"]
fn prometheus_loads_the_rules_and_fires_only_what_happened() {
    let rebooted = Arc::new(AtomicBool::new(false));
    let hub = hub(rebooted.clone());
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let prom = start_prometheus(&exp.addr.to_string());
    let minute = Duration::from_secs(60);

    // Data, then a few evaluations of every group over it.
    wait_for("no scrapes", minute, || {
        prom.query("count_over_time(smarthub_up[1m]) >= 5").len() == 1
    });
    let t0: Vec<String> = prom
        .groups()
        .iter()
        .map(|g| str_of(&g["lastEvaluation"]))
        .collect();
    wait_for("groups not evaluated again", minute, || {
        let now: Vec<String> = prom
            .groups()
            .iter()
            .map(|g| str_of(&g["lastEvaluation"]))
            .collect();
        now.len() == t0.len() && now.iter().zip(&t0).all(|(a, b)| a != b)
    });
    sleep(Duration::from_secs(2));

    let rules_text = read(RULES);
    let groups = prom.groups();
    let names: BTreeSet<String> = groups.iter().map(|g| str_of(&g["name"])).collect();
    let in_file: BTreeSet<String> = yaml_values(&rules_text, "name").into_iter().collect();
    assert_eq!(names, in_file, "groups loaded");
    let rules = rules_of(&groups);
    assert_eq!(
        rules.len(),
        yaml_values(&rules_text, "alert").len() + yaml_values(&rules_text, "record").len()
    );
    let tests = unit_test_text();
    for r in &rules {
        let name = str_of(&r["name"]);
        assert_eq!(r["health"], "ok", "{name}: {r}");
        assert_eq!(str_of(&r["lastError"]), "", "{name}: {r}");
        if r["type"] == "alerting" {
            assert!(name.starts_with("SmartHub"), "{name}");
            let severity = str_of(&r["labels"]["severity"]);
            assert!(["warning", "critical"].contains(&severity.as_str()), "{r}");
            for a in ["summary", "description"] {
                assert!(r["annotations"][a].as_str().is_some(), "{name}: no {a}");
            }
            assert!(tests.contains(&format!("alertname: {name}\n")), "{name}");
            assert_eq!(r["state"], "inactive", "a healthy hub fires {name}: {r}");
            assert_eq!(r["alerts"].as_array().map(Vec::len), Some(0), "{r}");
        }
    }
    assert_eq!(prom.alerts(), BTreeSet::new(), "alerts on a healthy hub");
    // The recording rules ran on the exporter's real series.
    assert_eq!(prom.query("smarthub_threshold:dsl_snr_margin_db").len(), 2);
    assert_eq!(
        prom.query("instance_direction:smarthub_dsl_sync_rate_bytes_per_second:max_recent")
            .len(),
        2
    );
    assert_eq!(
        prom.query("instance_mac:smarthub_lan_device_info:present{job=\"home-router\"}")
            .len(),
        4
    );

    // The hub restarts: its uptime goes back.
    rebooted.store(true, Ordering::SeqCst);
    let firing = |name: &str| (name.to_owned(), "firing".to_owned());
    wait_for("SmartHubRebooted not firing", minute, || {
        prom.alerts().contains(&firing("SmartHubRebooted"))
    });
    assert_eq!(
        prom.alerts(),
        BTreeSet::from([firing("SmartHubRebooted")]),
        "only the restart"
    );
    // The dashboard's alerts panel shows it.
    let panel = dashboard::alert_queries();
    assert_eq!(panel.len(), 1, "{panel:?}");
    let shown = prom.query(&panel[0]);
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["metric"]["alertname"], "SmartHubRebooted");
    assert_eq!(shown[0]["metric"]["job"], "home-router");
    assert_eq!(shown[0]["metric"]["severity"], "warning");
    let api_alerts = prom.api("/api/v1/alerts").unwrap();
    let description = str_of(&api_alerts["alerts"][0]["annotations"]["description"]);
    assert!(
        description.contains(&format!("The hub behind {} restarted", exp.addr))
            && description.contains("its uptime went back and is now"),
        "{description}"
    );

    // The hub goes away, then the exporter: both alerts start their `for:`
    // (pending), the exporter's under a job not named smarthub.
    hub.kill();
    let pending = |name: &str| (name.to_owned(), "pending".to_owned());
    wait_for("SmartHubUnreachable not pending", minute, || {
        prom.alerts().contains(&pending("SmartHubUnreachable"))
    });
    assert!(!prom
        .alerts()
        .iter()
        .any(|(a, _)| a == "SmartHubCollectorFailing"));
    let (status, _) = exp.signal(libc::SIGTERM);
    assert!(status.success());
    wait_for("SmartHubExporterDown not pending", minute, || {
        prom.alerts().contains(&pending("SmartHubExporterDown"))
    });
    for r in rules_of(&prom.groups()) {
        assert_eq!(r["health"], "ok", "{r}");
    }
}
