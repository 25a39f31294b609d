//! The `wan` collector end to end: the Go exporter's WAN metrics from the active
//! row, the DSL line, the link, the addresses and the Wi-Fi channels.

use super::{all, hub_with, labels, vdsl2_hub};
use crate::support::exporter::Exporter;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::{fixture, WAN};
use smarthub_exporter::collector::ALL;

fn dir(d: &str) -> [(&str, &str); 1] {
    [("direction", d)]
}

#[test]
fn fttp_hub_with_two_devices() {
    let hub = hub_with(
        "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
        "hub/lan.js",
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
    // Types: the Go exporter's four byte counters stay counters without _total.
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
    assert_eq!(reqs.len(), ALL.len(), "one request per page: {reqs:?}");
    for r in reqs {
        assert_eq!(
            r.referer.as_deref(),
            Some(format!("http://{}/", hub.host()).as_str())
        );
    }
}

#[test]
fn dsl_hub_reads_the_active_row() {
    let hub = hub_with("hub/wan.xml", "hub/lan_64bit.js");
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

/// A stray byte that is not UTF-8 (a Latin-1 `é` the firmware wrote as is)
/// is U+FFFD, as a browser decodes the page: in a comment it changes
/// nothing, in a label it shows, in a number it makes that number absent,
/// and the rest of the page is read.
#[test]
fn bytes_that_are_not_utf8_in_wan_page_lose_nothing_else() {
    let text = String::from_utf8(fixture("hub/wan.xml")).unwrap();
    let replace = |s: &str, from: &str, to: &[u8]| -> Vec<u8> {
        assert!(s.contains(from), "{from}");
        let (a, b) = s.split_once(from).unwrap();
        [a.as_bytes(), to, b.as_bytes()].concat()
    };
    let in_comment = replace(&text, "<!-- REAL -->", b"<!-- R\xe9AL \xff -->");
    let hub = hub_with("hub/wan.xml", "hub/lan.js");
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

#[test]
fn dsl_line_addresses_link_and_channels() {
    let hub = vdsl2_hub();
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    for c in ALL.iter().map(|c| c.name) {
        assert_eq!(m.collector_success(c), Some(1.0), "{c}");
    }
    assert_eq!(m.value("smarthub_dsl_up"), 1.0);
    assert_eq!(
        all(&m, "smarthub_dsl_info"),
        [(
            labels(&[
                ("mode", "VDSL2"),
                ("profile", "Profile 17a"),
                ("channel", "fast")
            ]),
            1.0
        )]
    );
    let rate = |name: &str, d: &str| m.raw(name, &dir(d));
    assert_eq!(
        rate("smarthub_dsl_sync_rate_bytes_per_second", "down").as_deref(),
        Some("8132375")
    );
    assert_eq!(
        rate("smarthub_dsl_sync_rate_bytes_per_second", "up").as_deref(),
        Some("2320875")
    );
    assert_eq!(
        rate("smarthub_dsl_attainable_rate_bytes_per_second", "down").as_deref(),
        Some("8210250")
    );
    assert_eq!(
        rate("smarthub_dsl_attainable_rate_bytes_per_second", "up").as_deref(),
        Some("2320500")
    );
    for (name, down, up) in [
        ("smarthub_dsl_snr_margin_db", "3.1", "5.8"),
        ("smarthub_dsl_line_attenuation_db", "18.6", "8.3"),
        ("smarthub_dsl_signal_attenuation_db", "20.2", "8.3"),
        ("smarthub_dsl_output_power_dbm", "13", "7.4"),
    ] {
        assert_eq!(rate(name, "down").as_deref(), Some(down), "{name}");
        assert_eq!(rate(name, "up").as_deref(), Some(up), "{name}");
        assert_eq!(m.kind(name), Some("gauge"), "{name}");
    }
    // The Go exporter's rate (bit/s) agrees with the line's sync rate (bytes/s).
    assert_eq!(m.value("smarthub_download_rate"), 65059000.0);
    assert_eq!(
        m.get("smarthub_dsl_sync_rate_bytes_per_second", &dir("down")),
        Some(65059000.0 / 8.0)
    );
    assert_eq!(
        all(&m, "smarthub_wan_info"),
        [(
            labels(&[
                ("index", "1"),
                ("kind", "vdsl"),
                ("ipv4", "86.1.2.3"),
                ("ipv4_gateway", "172.16.10.1"),
                ("dns", "81.139.57.100,81.139.56.100"),
                ("ipv6", "2a00:23c5:1234:5600::1/64"),
                ("ipv6_link_local", "fe80::1a2b:3c4d:5e6f:7081/10"),
            ]),
            1.0
        )]
    );
    assert_eq!(m.value("smarthub_wan_link_up"), 1.0);
    assert_eq!(
        m.value("smarthub_wan_link_uptime_seconds"),
        (973412 - 462385) as f64
    );
    assert_eq!(
        m.value("smarthub_connection_uptime"),
        (973412 - 462390) as f64,
        "the IP session's uptime stays the session's"
    );
    assert_eq!(
        m.get("smarthub_wifi_channel", &[("band", "2.4GHz")]),
        Some(6.0)
    );
    assert_eq!(
        m.get("smarthub_wifi_channel", &[("band", "5GHz")]),
        Some(44.0)
    );
}

#[test]
fn fttp_and_dropped_dsl_lines_export_no_line_figures() {
    for (wan, link_up) in [
        (
            "captures/bebo-dot-dev__go-ddns-client/btsmarthub2.go.inline_wan_conn.xml",
            1.0,
        ),
        ("hub/wan_vdsl_line_down.xml", 0.0),
    ] {
        let hub = FakeHub::with_fixtures(&[("wan", wan), ("status", "hub/status_sparse.js")]);
        let exp = Exporter::start(&hub.host(), &[]);
        let m = exp.scrape();
        assert_eq!(m.value("smarthub_up"), 1.0, "{wan}");
        assert_eq!(m.value("smarthub_dsl_up"), 0.0, "{wan}");
        for absent in [
            "smarthub_dsl_info",
            "smarthub_dsl_sync_rate_bytes_per_second",
            "smarthub_dsl_attainable_rate_bytes_per_second",
            "smarthub_dsl_snr_margin_db",
            "smarthub_dsl_line_attenuation_db",
            "smarthub_dsl_signal_attenuation_db",
            "smarthub_dsl_output_power_dbm",
        ] {
            assert!(!m.has(absent), "{wan}: {absent} from a line that is down");
        }
        assert_eq!(m.value("smarthub_wan_link_up"), link_up, "{wan}");
        if link_up == 0.0 {
            assert_eq!(m.value("smarthub_wan_link_uptime_seconds"), 0.0);
            let info = &m.series("smarthub_wan_info")[0].labels;
            assert_eq!(
                (info["index"].as_str(), info["kind"].as_str()),
                ("1", "vdsl")
            );
            assert_eq!(info["ipv4"], "", "0.0.0.0 is no address");
            assert_eq!(info["ipv6"], "", ":: is no address");
        } else {
            assert_eq!(
                m.value("smarthub_wan_link_uptime_seconds"),
                (849301 - 47) as f64
            );
            let info = &m.series("smarthub_wan_info")[0].labels;
            assert_eq!(
                (
                    info["index"].as_str(),
                    info["kind"].as_str(),
                    info["ipv4"].as_str()
                ),
                ("0", "ethernet", "81.255.255.255")
            );
        }
        // The sparse status page: a NULL serial is an empty label.
        let hub_info = &m.series("smarthub_hub_info")[0].labels;
        assert_eq!(hub_info["firmware_version"], "v0.17.01.12312-BT");
        assert_eq!(hub_info["serial_number"], "");
    }
}
