//! Hub models of the family, on the real binary: the EE Smart Hub's device
//! page as the `lan` collector's fallback, and collectors whose page a hub
//! does not have (404), which must not read as a dead hub.

use std::collections::BTreeSet;

use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::fixture;
use smarthub_exporter::pages::{lan, owl, status, wan};

const EE_CAPTURE: &str = "captures/krygal__eebrightbox/cgi_myNetwork.js";

fn families(e: &Exporter) -> BTreeSet<String> {
    e.scrape().samples.into_iter().map(|s| s.name).collect()
}

/// A Smart Hub 2 serving the fixtures of one line.
fn smart_hub_2() -> FakeHub {
    let hub = FakeHub::start();
    hub.set(wan::PATH, Reply::ok(fixture("hub/wan.xml")));
    hub.set(lan::PATH, Reply::ok(fixture("hub/lan_grouped.js")));
    hub.set(status::PATH, Reply::ok(fixture("hub/status.js")));
    hub.set(owl::PATH, Reply::ok(fixture("hub/owl_mesh.js")));
    hub
}

#[test]
fn an_ee_hub_serves_its_devices_from_cgi_my_network_at_one_request_a_scrape() {
    let sh2 = smart_hub_2();
    let ee = smart_hub_2();
    ee.set(lan::PATH, Reply::status(404, &[], "Not Found"));
    ee.set(lan::EE_PATH, Reply::ok(fixture("hub/lan_grouped_ee.js")));
    let a = Exporter::start(&sh2.host(), &["--cache-ttl", "0"]);
    let b = Exporter::start(&ee.host(), &["--cache-ttl", "0"]);
    assert_eq!(
        families(&a),
        families(&b),
        "the same families from both models"
    );
    for _ in 0..4 {
        let m = b.scrape();
        assert_eq!(m.value("smarthub_up"), 1.0);
        assert_eq!(m.collector_success("lan"), Some(1.0));
    }
    // The first scrape probed the Smart Hub 2's page once; every scrape
    // since asked only for the page this hub has.
    assert_eq!(ee.count(lan::PATH), 1);
    assert_eq!(ee.count(lan::EE_PATH), 5);
    // The same numbers as the Smart Hub 2's page with the same devices.
    let (m, n) = (a.scrape(), b.scrape());
    for s in m.series("smarthub_lan_downloaded_bytes") {
        let labels: Vec<(&str, &str)> = s
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            n.get("smarthub_lan_downloaded_bytes", &labels),
            Some(s.value)
        );
    }
}

#[test]
fn the_ee_capture_reads_through_the_fallback() {
    let hub = smart_hub_2();
    hub.set(lan::PATH, Reply::status(404, &[], "Not Found"));
    hub.set(lan::EE_PATH, Reply::ok(fixture(EE_CAPTURE)));
    let e = Exporter::start(&hub.host(), &[]);
    let m = e.scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    assert_eq!(m.value("smarthub_up"), 1.0);
    // Three entries, one of them grouping three MACs.
    assert_eq!(m.series("smarthub_lan_device_info").len(), 5);
}

#[test]
fn a_remembered_page_that_starts_answering_404_is_probed_again() {
    let hub = smart_hub_2();
    hub.set(lan::PATH, Reply::status(404, &[], "Not Found"));
    hub.set(lan::EE_PATH, Reply::ok(fixture("hub/lan_grouped_ee.js")));
    let e = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    assert_eq!(e.scrape().collector_success("lan"), Some(1.0));
    // A firmware update that moves the page back.
    hub.set(lan::EE_PATH, Reply::status(404, &[], "Not Found"));
    hub.set(lan::PATH, Reply::ok(fixture("hub/lan_grouped.js")));
    assert_eq!(e.scrape().collector_success("lan"), Some(1.0));
    assert_eq!(e.scrape().collector_success("lan"), Some(1.0));
    assert_eq!((hub.count(lan::PATH), hub.count(lan::EE_PATH)), (3, 2));
}

#[test]
fn a_hub_without_the_mesh_page_is_up_and_says_so_once() {
    let hub = smart_hub_2();
    hub.set(owl::PATH, Reply::status(404, &[], "Not Found"));
    let e = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    for _ in 0..3 {
        let m = e.scrape();
        assert_eq!(m.value("smarthub_up"), 1.0);
        assert_eq!(m.collector_success("owl"), Some(0.0));
        assert_eq!(m.collector_success("wan"), Some(1.0));
        let available = |c| m.get("smarthub_scrape_collector_available", &[("collector", c)]);
        assert_eq!((available("owl"), available("wan")), (Some(0.0), Some(1.0)));
        assert!(!m.has("smarthub_mesh_node_info"));
    }
    let about_owl = |log: &[String]| {
        log.iter()
            .filter(|l| l.contains("owl collector"))
            .cloned()
            .collect::<Vec<_>>()
    };
    let lines = about_owl(&e.log());
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        !e.log().iter().any(|l| l.starts_with("ERROR ")),
        "{:?}",
        e.log()
    );
    assert!(
        lines[0].starts_with("WARN ") && lines[0].contains(owl::PATH) && lines[0].contains("404"),
        "{lines:?}"
    );
    // It comes back: one more line, and the metrics.
    hub.set(owl::PATH, Reply::ok(fixture("hub/owl_mesh.js")));
    let m = e.scrape();
    assert_eq!(m.collector_success("owl"), Some(1.0));
    assert!(m.has("smarthub_mesh_node_info"));
    assert!(e.wait_log(|l| l.contains("owl collector is available")));
    assert_eq!(about_owl(&e.log()).len(), 2);
}

#[test]
fn other_failures_still_count_and_404_everywhere_is_no_hub() {
    let hub = smart_hub_2();
    hub.set(owl::PATH, Reply::status(500, &[], "oops"));
    let e = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let m = e.scrape();
    assert_eq!(m.value("smarthub_up"), 0.0, "a 500 is a failure");
    assert_eq!(
        m.get(
            "smarthub_scrape_collector_available",
            &[("collector", "owl")]
        ),
        Some(1.0),
        "a page that fails is still there"
    );
    assert!(e.wait_log(|l| l.starts_with("ERROR ") && l.contains(owl::PATH)));

    // A web server that answers 404 to every page is not a hub that lacks
    // some.
    let nothing = FakeHub::start();
    let e = Exporter::start(&nothing.host(), &[]);
    let m = e.scrape();
    assert_eq!(m.value("smarthub_up"), 0.0);
    for c in smarthub_exporter::collector::ALL {
        assert_eq!(m.collector_success(c.name), Some(0.0), "{}", c.name);
    }
}
