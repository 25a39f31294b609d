//! The collectors together, end to end: one turned off costs no request,
//! one that fails loses only its own metrics, and the pages read as data
//! are never run.

use crate::support::collector::{assert_the_others_read, go_exporter_only, GO_EXPORTER};
use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::{fixture, LAN, OWL, STATUS, WAN};

use crate::metrics::{hub_with, vdsl2_hub};
use smarthub_exporter::collector::ALL;

#[test]
fn no_lan_never_fetches_the_device_page() {
    let hub = hub_with("hub/wan_gfast_row1.xml", "hub/lan.js");
    let exp = Exporter::start(&hub.host(), &["--no-lan", "--cache-ttl", "0"]);
    for _ in 0..3 {
        let m = exp.scrape();
        assert_eq!(m.value("smarthub_up"), 1.0);
        assert_eq!(m.collector_success("lan"), None);
        assert!(!m.has("smarthub_lan_downloaded_bytes"));
    }
    assert_eq!(hub.count(LAN), 0);
    assert_eq!(hub.count(WAN), 3);
}

#[test]
fn a_failing_page_loses_only_its_own_metrics() {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(LAN, Reply::status(500, &[], "oops"));
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 0.0);
    assert_eq!(m.collector_success("wan"), Some(1.0));
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert_eq!(m.value("smarthub_connected"), 1.0);
    assert!(!m.has("smarthub_lan_downloaded_bytes"));
    assert!(
        exp.wait_log(|l| l.contains(LAN) && l.contains("500")),
        "{:?}",
        exp.log()
    );

    let hub2 = FakeHub::start();
    hub2.set(WAN, Reply::ok(fixture("hub/wan_truncated.xml")));
    hub2.set(LAN, Reply::ok(fixture("hub/lan.js")));
    let exp2 = Exporter::start(&hub2.host(), &[]);
    let m = exp2.scrape();
    assert_eq!(m.collector_success("wan"), Some(0.0));
    assert!(
        !m.has("smarthub_connected") && !m.has("smarthub_uptime"),
        "no zeros pretending to be readings"
    );
    assert_eq!(m.series("smarthub_lan_uploaded_bytes").len(), 1);
}

#[test]
fn a_disabled_collector_costs_no_request() {
    for name in ALL.iter().map(|c| c.name) {
        let hub = vdsl2_hub();
        let exp = Exporter::start(&hub.host(), &["--no-collector", name, "--cache-ttl", "0"]);
        for _ in 0..2 {
            let m = exp.scrape();
            assert_eq!(m.collector_success(name), None, "{name}");
            assert_eq!(m.value("smarthub_up"), 1.0, "{name}");
        }
        for other in ALL {
            let (other, other_path) = (other.name, other.path);
            let want = if other == name { 0 } else { 2 };
            assert_eq!(
                hub.count(other_path),
                want,
                "--no-collector {name}: {other}"
            );
        }
    }
    // All of the new ones off: the Go exporter's metrics alone, from one
    // request per page.
    let hub = vdsl2_hub();
    let exp = Exporter::start(&hub.host(), &go_exporter_only(&[]));
    let m = exp.scrape();
    assert!(!m.has("smarthub_hub_info") && !m.has("smarthub_mesh_station_info"));
    assert!(m.has("smarthub_dsl_up") && m.has("smarthub_lan_device_active"));
    assert_eq!(hub.requests().len(), GO_EXPORTER.len());
}

#[test]
fn a_failing_new_page_loses_only_its_own_metrics() {
    let hub = vdsl2_hub();
    hub.set(OWL, Reply::status(404, &[], "<html>404</html>"));
    hub.set(STATUS, Reply::ok(fixture("hub/login.htm")));
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 0.0);
    assert_eq!(m.collector_success("owl"), Some(0.0));
    assert_eq!(m.collector_success("status"), Some(0.0));
    assert_eq!(m.collector_success("wan"), Some(1.0));
    assert_eq!(m.collector_success("lan"), Some(1.0));
    assert!(!m.has("smarthub_mesh_node_info") && !m.has("smarthub_hub_info"));
    assert!(m.has("smarthub_dsl_sync_rate_bytes_per_second"));
    assert!(
        exp.wait_log(|l| l.contains(OWL) && l.contains("404")),
        "{:?}",
        exp.log()
    );
    assert!(
        exp.wait_log(|l| l.contains(STATUS) && l.contains("HTML page")),
        "{:?}",
        exp.log()
    );
}

/// The mesh and status pages are data and are never run, in either build:
/// a function beside their lists is never called, and lists built by code
/// (or code at top level: see exact_readers.rs) are refused with a clear
/// error rather than evaluated.
#[test]
fn the_mesh_and_status_pages_are_never_run() {
    let hub = vdsl2_hub();
    hub.set(
        OWL,
        Reply::ok("function spin(){ for(;;){} }\nvar owl_tplg=[]; var owl_station=[];"),
    );
    hub.set(STATUS, Reply::ok("var fw_ver = build();\nwhile(1){}"));
    // Run, the loop would hold the scrape until this deadline.
    let exp = Exporter::start(&hub.host(), &["--timeout", "30"]);
    let (m, took) = exp.timed_scrape();
    assert!(
        took < std::time::Duration::from_secs(30),
        "ran to the deadline: {took:?}"
    );
    assert_eq!(m.collector_success("status"), Some(0.0));
    assert_the_others_read(&m, &["status"]);
    assert!(
        exp.wait_log(|l| l.contains(STATUS) && l.contains("fw_ver") && l.contains("expression")),
        "{:?}",
        exp.log()
    );
}
