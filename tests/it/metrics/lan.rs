//! The `lan` collector end to end: per-device traffic (the Go exporter's),
//! presence, device info and counts; hostile names; the page's script in
//! each build.

use super::{hub_with, vdsl2_hub};
use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::{fixture, LAN, WAN};

#[test]
fn hostile_names_cannot_break_the_exposition() {
    let hub = hub_with("hub/wan_gfast_row1.xml", "hub/lan_names.js");
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape(); // parses strictly: any injected line would fail here
    let hosts: Vec<String> = m
        .series("smarthub_lan_downloaded_bytes")
        .iter()
        .map(|s| s.labels["hostname"].clone())
        .collect();
    assert_eq!(hosts.len(), 8);
    assert!(hosts.contains(&"x\"} 1\nsmarthub_up{a=\"".to_owned()));
    assert!(hosts.contains(&"Café Zoë ☕".to_owned()));
    assert_eq!(m.series("smarthub_up").len(), 1);
}

#[cfg(feature = "js")]
#[test]
fn an_endless_script_is_stopped_at_the_deadline() {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(
        LAN,
        Reply::ok("var known_device_list=[]; var rate=[]; while(true){}"),
    );
    let exp = Exporter::start(&hub.host(), &["--timeout", "2"]);
    let (m, took) = exp.timed_scrape();
    assert_eq!(m.collector_success("lan"), Some(0.0));
    assert_eq!(m.collector_success("wan"), Some(1.0));
    assert!(
        took <= std::time::Duration::from_secs(2) + crate::support::exporter::slack(),
        "took {took:?}"
    );
    assert!(exp.wait_log(|l| l.contains("deadline")), "{:?}", exp.log());
}

/// Built without the JavaScript engine, the page's code never runs: the two
/// lists are read as literals, so an endless loop in a function beside them
/// is harmless (a loop at top level would be refused: see exact_readers.rs).
#[cfg(not(feature = "js"))]
#[test]
fn without_javascript_the_page_code_never_runs() {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture("hub/wan_gfast_row1.xml")));
    hub.set(
        LAN,
        Reply::ok("function spin(){ while(true){} }\nvar known_device_list=[{mac:'AA',hostname:'h',ip:'1'}]; var rate=[{mac:'aa',tx:'5',rx:'7'}];"),
    );
    // Run, the loop would hold the scrape until this deadline.
    let exp = Exporter::start(&hub.host(), &["--timeout", "30"]);
    let (m, took) = exp.timed_scrape();
    assert_eq!(m.collector_success("lan"), Some(1.0));
    assert_eq!(
        m.get(
            "smarthub_lan_downloaded_bytes",
            &[("mac", "AA"), ("hostname", "h"), ("ip", "1")]
        ),
        Some(7.0)
    );
    assert!(
        took < std::time::Duration::from_secs(30),
        "ran to the deadline: {took:?}"
    );
}

#[test]
fn device_presence_info_and_counts() {
    let hub = vdsl2_hub();
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    let active = |mac: &str, host: &str, ip: &str| {
        m.get(
            "smarthub_lan_device_active",
            &[("mac", mac), ("hostname", host), ("ip", ip)],
        )
    };
    assert_eq!(
        active("20:00:00:00:00:03", "Annas-iPhone", "192.168.1.32"),
        Some(1.0)
    );
    assert_eq!(
        active("20:00:00:00:00:01", "Annas-iPhone", "192.168.1.30"),
        Some(0.0)
    );
    assert_eq!(
        active("20:00:00:00:01:01", "galaxy", "192.168.1.40"),
        None,
        "a group whose MAC in use is unknown"
    );
    assert_eq!(
        active("20:00:00:00:04:01", "WE410443", "192.168.1.201"),
        Some(0.0)
    );
    assert_eq!(m.series("smarthub_lan_device_active").len(), 9);
    assert_eq!(
        m.get(
            "smarthub_lan_device_info",
            &[
                ("mac", "20:00:00:00:03:01"),
                ("name", "Study PC"),
                ("port", "eth1"),
                ("type", "PC"),
                ("os", "Windows"),
            ]
        ),
        Some(1.0)
    );
    let tablet = m
        .series("smarthub_lan_device_info")
        .into_iter()
        .find(|s| s.labels["mac"] == "20:00:00:00:02:02")
        .unwrap();
    assert_eq!(tablet.labels["port"], "", "a date is no port");
    assert_eq!(m.series("smarthub_lan_device_info").len(), 11);
    assert_eq!(m.value("smarthub_lan_known_devices"), 6.0);
    assert_eq!(m.value("smarthub_lan_active_devices"), 4.0);
    // The Go exporter's per-device counters are unchanged alongside.
    assert_eq!(m.series("smarthub_lan_downloaded_bytes").len(), 3);
}
