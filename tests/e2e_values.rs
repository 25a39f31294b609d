//! End to end on the real binary: a fake hub serving hub pages over TCP (and
//! refusing requests without a Referer, like the real one), the exporter in
//! front of it, and the values checked on /metrics. This suite also runs
//! against every cross-built binary under qemu (see .ci/test).

mod support;

use support::exporter::Exporter;
use support::fake_hub::{FakeHub, Reply};
use support::fixture;

const WAN: &str = "/nonAuth/wan_conn.xml";
const LAN: &str = "/cgi/cgi_basicMyDevice.js";
const STATUS: &str = "/cgi/cgi_basicStatus.js";
const OWL: &str = "/cgi/cgi_owl.js";

/// A hub serving these two pages, and a status and a mesh page of its own.
fn hub_with(wan: &str, lan: &str) -> FakeHub {
    let hub = FakeHub::start();
    hub.set(WAN, Reply::ok(fixture(wan)));
    hub.set(LAN, Reply::ok(fixture(lan)));
    hub.set(STATUS, Reply::ok(fixture("hub/status_vdsl2.js")));
    hub.set(OWL, Reply::ok(fixture("hub/owl_hub_only.js")));
    hub
}

#[test]
fn fttp_hub_with_two_devices() {
    let hub = hub_with(
        "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
        "hub/lan_2dev.js",
    );
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    assert_eq!(m.collector_success("wan"), Some(1.0));
    assert_eq!(m.collector_success("lan"), Some(1.0));
    assert_eq!(m.value("smarthub_connected"), 1.0);
    assert_eq!(m.value("smarthub_uptime"), 849301.0);
    assert_eq!(m.value("smarthub_connection_uptime"), 849237.0);
    assert_eq!(
        m.raw("smarthub_downloaded_bytes", &[]).as_deref(),
        Some("282899515695")
    );
    assert_eq!(
        m.raw("smarthub_uploaded_bytes", &[]).as_deref(),
        Some("14725673008")
    );
    assert_eq!(m.value("smarthub_upload_rate"), 1e9);
    assert_eq!(m.value("smarthub_download_rate"), 1e9);
    let dev = [
        ("mac", "A4:83:E7:01:02:03"),
        ("hostname", "Annes-MacBook-Air"),
        ("ip", "192.168.1.71"),
    ];
    assert_eq!(
        m.get("smarthub_lan_downloaded_bytes", &dev),
        Some(901874113.0)
    );
    assert_eq!(m.get("smarthub_lan_uploaded_bytes", &dev), Some(52371990.0));
    assert_eq!(
        m.series("smarthub_lan_downloaded_bytes").len(),
        1,
        "the device without a rate row has no numbers"
    );
    // Types: the seed's four byte counters stay counters without _total.
    for c in [
        "smarthub_downloaded_bytes",
        "smarthub_uploaded_bytes",
        "smarthub_lan_downloaded_bytes",
        "smarthub_lan_uploaded_bytes",
    ] {
        assert_eq!(m.kind(c), Some("counter"), "{c}");
    }
    for g in [
        "smarthub_connected",
        "smarthub_uptime",
        "smarthub_upload_rate",
        "smarthub_up",
    ] {
        assert_eq!(m.kind(g), Some("gauge"), "{g}");
    }
    assert!(!m.has("up"), "never a metric named up");
    // Every request carried the Referer the hub demands.
    let reqs = hub.requests();
    assert_eq!(reqs.len(), 4, "one request per page: {reqs:?}");
    for r in reqs {
        assert_eq!(
            r.referer.as_deref(),
            Some(format!("http://{}/", hub.host()).as_str())
        );
    }
}

#[test]
fn dsl_hub_reads_the_active_row() {
    let hub = hub_with("hub/wan_vdsl2_row1.xml", "hub/lan_64bit.js");
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_upload_rate"), 18567000.0);
    assert_eq!(m.value("smarthub_download_rate"), 65059000.0);
    assert_eq!(
        m.raw("smarthub_downloaded_bytes", &[]).as_deref(),
        Some("67192513981")
    );
    assert_eq!(
        m.value("smarthub_connection_uptime"),
        (973412 - 462390) as f64
    );
    let big = [
        ("mac", "AA:BB:CC:00:00:02"),
        ("hostname", "huge"),
        ("ip", "192.168.1.21"),
    ];
    assert_eq!(
        m.raw("smarthub_lan_downloaded_bytes", &big).as_deref(),
        Some("18446744073709551615")
    );
    assert_eq!(
        m.raw("smarthub_lan_uploaded_bytes", &big).as_deref(),
        Some("9007199254740993")
    );
}

#[test]
fn disconnected_wan_reports_zero_session_uptime() {
    let hub = hub_with("hub/wan_disconnected.xml", "hub/lan_empty.js");
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_connected"), 0.0);
    assert_eq!(m.value("smarthub_connection_uptime"), 0.0);
    assert_eq!(m.value("smarthub_uptime"), 86400.0);
    assert_eq!(m.value("smarthub_up"), 1.0);
    assert!(!m.has("smarthub_lan_downloaded_bytes"));
}

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

#[test]
fn no_lan_never_fetches_the_device_page() {
    let hub = hub_with("hub/wan_gfast_row1.xml", "hub/lan_2dev.js");
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
    hub2.set(LAN, Reply::ok(fixture("hub/lan_2dev.js")));
    let exp2 = Exporter::start(&hub2.host(), &[]);
    let m = exp2.scrape();
    assert_eq!(m.collector_success("wan"), Some(0.0));
    assert!(
        !m.has("smarthub_connected") && !m.has("smarthub_uptime"),
        "no zeros pretending to be readings"
    );
    assert_eq!(m.series("smarthub_lan_uploaded_bytes").len(), 1);
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
        took < std::time::Duration::from_millis(2000 + 1500 * support::exporter::slowdown() as u64),
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
    let exp = Exporter::start(&hub.host(), &["--timeout", "2"]);
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
        took < std::time::Duration::from_secs(1) * support::exporter::slowdown(),
        "took {took:?}"
    );
}

/// A stray byte that is not UTF-8 (a Latin-1 `é` the firmware wrote as is)
/// is U+FFFD, as a browser decodes the page: in a comment it changes
/// nothing, in a label it shows, in a number it makes that number absent,
/// and the rest of the page is read.
#[test]
fn bytes_that_are_not_utf8_in_wan_page_lose_nothing_else() {
    let text = String::from_utf8(fixture("hub/wan_vdsl2_row1.xml")).unwrap();
    let replace = |s: &str, from: &str, to: &[u8]| -> Vec<u8> {
        assert!(s.contains(from), "{from}");
        let (a, b) = s.split_once(from).unwrap();
        [a.as_bytes(), to, b.as_bytes()].concat()
    };
    let in_comment = replace(&text, "<!-- REAL -->", b"<!-- R\xe9AL \xff -->");
    let hub = hub_with("hub/wan_vdsl2_row1.xml", "hub/lan_2dev.js");
    let exp = Exporter::start(&hub.host(), &["--cache-ttl", "0"]);
    let before = exp.scrape();
    hub.set(WAN, Reply::ok(in_comment));
    let after = exp.scrape();
    assert_eq!(after.collector_success("wan"), Some(1.0));
    for s in &before.samples {
        if s.name.starts_with("smarthub_scrape_collector_duration") {
            continue;
        }
        let labels: Vec<(&str, &str)> = s
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            after.raw(&s.name, &labels),
            Some(s.raw_value.clone()),
            "{}",
            s.name
        );
    }

    let s = String::from_utf8_lossy(&replace(&text, "'Profile%2017a'", b"'Profile\xe917a'"))
        .into_owned();
    let in_values = replace(&s, "'65059','18567'", b"'650\xff59','18567'");
    hub.set(WAN, Reply::ok(in_values));
    let m = exp.scrape();
    assert_eq!(m.collector_success("wan"), Some(1.0));
    let info = m.series("smarthub_dsl_info");
    assert_eq!(info[0].labels["profile"], "Profile\u{fffd}17a");
    let sync = "smarthub_dsl_sync_rate_bytes_per_second";
    assert_eq!(
        m.get(sync, &[("direction", "down")]),
        None,
        "an unreadable number is absent"
    );
    assert_eq!(m.get(sync, &[("direction", "up")]), Some(18567000.0 / 8.0));
    assert_eq!(m.value("smarthub_uptime"), 973412.0);
}
