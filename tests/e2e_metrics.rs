//! End to end on the real binary, for the metrics beyond the seed's: the DSL
//! line, WAN addresses and link, Wi-Fi channels, device presence, the status
//! page and the mesh. A fake hub serves the four pages; values are checked
//! on /metrics as Prometheus would read them.

mod support;

use support::expo::Parsed;
use support::exporter::Exporter;
use support::fake_hub::{FakeHub, Reply};
use support::fixture;
use support::pages;

const WAN: &str = "/nonAuth/wan_conn.xml";
const LAN: &str = "/cgi/cgi_basicMyDevice.js";
const STATUS: &str = "/cgi/cgi_basicStatus.js";
const OWL: &str = "/cgi/cgi_owl.js";
const PATHS: [(&str, &str); 4] = [("wan", WAN), ("lan", LAN), ("status", STATUS), ("owl", OWL)];

fn hub(wan: &str, lan: &str, status: &str, owl: &str) -> FakeHub {
    let hub = FakeHub::start();
    for (path, file) in [(WAN, wan), (LAN, lan), (STATUS, status), (OWL, owl)] {
        hub.set(path, Reply::ok(fixture(file)));
    }
    hub
}

fn dsl_hub() -> FakeHub {
    hub(
        "hub/wan_vdsl2_row1.xml",
        "hub/lan_grouped.js",
        "hub/status_vdsl2.js",
        "hub/owl_mesh.js",
    )
}

fn dir(d: &str) -> [(&str, &str); 1] {
    [("direction", d)]
}

/// Every series of a family, as (labels, value), sorted.
fn all(m: &Parsed, name: &str) -> Vec<(Vec<(String, String)>, f64)> {
    let mut v: Vec<_> = m
        .series(name)
        .into_iter()
        .map(|s| (s.labels.clone().into_iter().collect::<Vec<_>>(), s.value))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn dsl_line_addresses_link_and_channels() {
    let hub = dsl_hub();
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    for (c, _) in PATHS {
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
    // The seed's rate (bit/s) agrees with the line's sync rate (bytes/s).
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
        let hub = hub(
            wan,
            "hub/lan_2dev.js",
            "hub/status_sparse.js",
            "hub/owl_hub_only.js",
        );
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

#[test]
fn device_presence_info_and_counts() {
    let hub = dsl_hub();
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
    // The seed's per-device counters are unchanged alongside.
    assert_eq!(m.series("smarthub_lan_downloaded_bytes").len(), 3);
}

#[test]
fn status_page_and_mesh() {
    let hub = dsl_hub();
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(
        all(&m, "smarthub_hub_info"),
        [(
            labels(&[
                ("firmware_version", "v0.21.03.07094-BT"),
                ("serial_number", "+091298+2107654321"),
                ("lan_ip", "192.168.1.254"),
            ]),
            1.0
        )]
    );
    let nodes: Vec<(String, String, String)> = m
        .series("smarthub_mesh_node_info")
        .iter()
        .map(|s| {
            (
                s.labels["node"].clone(),
                s.labels["backhaul"].clone(),
                s.labels["model"].clone(),
            )
        })
        .collect();
    assert_eq!(
        nodes,
        [
            ("Smart Hub 2".into(), "".into(), "SmartHub2".into()),
            ("Kitchen".into(), "5GHz".into(), "WE410443-6DX".into()),
            ("Garage".into(), "ethernet".into(), "WE410443-6DX".into()),
            ("Jo's room".into(), "2.4GHz".into(), "WE410443-6DX".into()),
        ]
    );
    let kitchen = [("node_id", "C4:E9:0A:00:00:02"), ("node", "Kitchen")];
    assert_eq!(
        m.get("smarthub_mesh_node_uptime_seconds", &kitchen),
        Some(863900.0)
    );
    assert_eq!(m.get("smarthub_mesh_node_stations", &kitchen), Some(3.0));
    assert_eq!(
        m.get(
            "smarthub_mesh_node_backhaul_link_rate_bytes_per_second",
            &kitchen
        ),
        Some(866e6 / 8.0)
    );
    assert_eq!(
        m.get("smarthub_mesh_node_backhaul_signal_dbm", &kitchen),
        Some(-61.0)
    );
    assert_eq!(
        m.raw("smarthub_mesh_node_memory_total_bytes", &kitchen)
            .as_deref(),
        Some("125067264")
    );
    assert_eq!(
        m.raw("smarthub_mesh_node_memory_free_bytes", &kitchen)
            .as_deref(),
        Some("61440000")
    );
    let cpu = |mode: &str| {
        m.raw(
            "smarthub_mesh_node_cpu_ratio",
            &[("node", "Kitchen"), ("mode", mode)],
        )
    };
    assert_eq!(
        (cpu("user"), cpu("system"), cpu("idle")),
        (
            Some("0.03".into()),
            Some("0.05".into()),
            Some("0.92".into())
        )
    );
    // The hub reports no CPU, memory or backhaul: nothing pretends it does.
    for name in [
        "smarthub_mesh_node_cpu_ratio",
        "smarthub_mesh_node_memory_total_bytes",
        "smarthub_mesh_node_backhaul_link_rate_bytes_per_second",
        "smarthub_mesh_node_backhaul_signal_dbm",
    ] {
        assert!(
            m.series(name)
                .iter()
                .all(|s| s.labels["node"] != "Smart Hub 2"),
            "{name}"
        );
    }
    assert_eq!(
        m.series("smarthub_mesh_node_cpu_ratio").len(),
        6,
        "two discs"
    );

    let info = |mac: &str| {
        let s = m
            .series("smarthub_mesh_station_info")
            .into_iter()
            .find(|s| s.labels["mac"] == mac)
            .unwrap_or_else(|| panic!("{mac}"));
        (
            s.labels["name"].clone(),
            s.labels["connection"].clone(),
            s.labels["node"].clone(),
        )
    };
    assert_eq!(
        info("10:00:00:00:00:01"),
        ("Pixel-7".into(), "5GHz".into(), "Smart Hub 2".into())
    );
    assert_eq!(
        info("10:00:00:00:00:04"),
        ("Smart TV".into(), "ethernet".into(), "Garage".into())
    );
    assert_eq!(
        info("10:00:00:00:00:06").2,
        "",
        "the parent is no known node"
    );
    assert_eq!(info("10:00:00:00:00:09").0, "Paul's iPad");
    assert_eq!(m.series("smarthub_mesh_station_info").len(), 9);
    let num = |name: &str, mac: &str| m.get(name, &[("mac", mac)]);
    let link = "smarthub_mesh_station_link_rate_bytes_per_second";
    let signal = "smarthub_mesh_station_signal_dbm";
    assert_eq!(num(link, "10:00:00:00:00:01"), Some(866e6 / 8.0));
    assert_eq!(num(signal, "10:00:00:00:00:01"), Some(-55.0));
    assert_eq!(num(link, "10:00:00:00:00:02"), Some(72e6 / 8.0));
    assert_eq!(num(signal, "10:00:00:00:00:02"), None, "-127 is no reading");
    assert_eq!(num(link, "10:00:00:00:00:03"), None, "wired");
    assert_eq!(num(signal, "10:00:00:00:00:03"), None, "wired");
    assert_eq!(
        num("smarthub_mesh_station_online", "10:00:00:00:00:05"),
        Some(0.0)
    );
    assert_eq!(num(link, "10:00:00:00:00:05"), None, "offline");
    assert_eq!(num(signal, "10:00:00:00:00:05"), None, "offline");
    assert_eq!(
        num("smarthub_mesh_station_online", "10:00:00:00:00:08"),
        None
    );
    // The saturated 32-bit byte counts are not exported at all.
    let text = exp.get("/metrics").text();
    assert!(!text.contains("2147483647"), "a saturated counter leaked");
    assert!(!text.contains("-127"), "the hub's no-reading value leaked");
}

#[test]
fn a_disabled_collector_costs_no_request() {
    for (name, _) in PATHS {
        let hub = dsl_hub();
        let exp = Exporter::start(&hub.host(), &["--no-collector", name, "--cache-ttl", "0"]);
        for _ in 0..2 {
            let m = exp.scrape();
            assert_eq!(m.collector_success(name), None, "{name}");
            assert_eq!(m.value("smarthub_up"), 1.0, "{name}");
        }
        for (other, other_path) in PATHS {
            let want = if other == name { 0 } else { 2 };
            assert_eq!(
                hub.count(other_path),
                want,
                "--no-collector {name}: {other}"
            );
        }
    }
    // All of the new ones off: the seed's metrics alone, from two requests.
    let hub = dsl_hub();
    let exp = Exporter::start(
        &hub.host(),
        &["--no-collector", "status", "--no-collector", "owl"],
    );
    let m = exp.scrape();
    assert!(!m.has("smarthub_hub_info") && !m.has("smarthub_mesh_station_info"));
    assert!(m.has("smarthub_dsl_up") && m.has("smarthub_lan_device_active"));
    assert_eq!(hub.requests().len(), 2);
}

#[test]
fn a_failing_new_page_loses_only_its_own_metrics() {
    let hub = dsl_hub();
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
    let hub = dsl_hub();
    hub.set(
        OWL,
        Reply::ok("function spin(){ for(;;){} }\nvar owl_tplg=[]; var owl_station=[];"),
    );
    hub.set(STATUS, Reply::ok("var fw_ver = build();\nwhile(1){}"));
    let exp = Exporter::start(&hub.host(), &["--timeout", "2"]);
    let (m, took) = exp.timed_scrape();
    assert!(
        took < std::time::Duration::from_secs(1) * support::exporter::slowdown(),
        "took {took:?}"
    );
    assert_eq!(m.collector_success("owl"), Some(1.0));
    assert_eq!(m.collector_success("status"), Some(0.0));
    for c in ["wan", "lan"] {
        assert_eq!(m.collector_success(c), Some(1.0), "{c}");
    }
    assert!(
        exp.wait_log(|l| l.contains(STATUS) && l.contains("fw_ver") && l.contains("expression")),
        "{:?}",
        exp.log()
    );
}

/// The generated 250-device hub (the budget's): every device is a station of
/// the mesh, placed by `pages::owl_placement`.
#[test]
fn generated_hub_with_250_devices_and_stations() {
    let hub = FakeHub::with_pages(250);
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
    assert_eq!(m.value("smarthub_up"), 1.0);
    assert_eq!(m.value("smarthub_lan_known_devices"), 250.0);
    assert_eq!(m.value("smarthub_lan_active_devices"), 125.0);
    assert_eq!(m.series("smarthub_lan_device_info").len(), 250);
    assert_eq!(m.series("smarthub_mesh_station_info").len(), 250);
    let devs = pages::devices(250, 0);
    let mut want: std::collections::BTreeMap<(String, String), usize> = Default::default();
    let mut online_wifi = 0;
    for (i, d) in devs.iter().enumerate() {
        let (node, connect) = pages::owl_placement(i);
        let connection = match connect {
            "5G" => "5GHz",
            "2.4G" => "2.4GHz",
            _ => "ethernet",
        };
        *want
            .entry((pages::OWL_NODES[node].1.to_owned(), connection.to_owned()))
            .or_default() += 1;
        online_wifi += (d.active && connect != "Ether") as usize;
    }
    let mut got: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for s in m.series("smarthub_mesh_station_info") {
        *got.entry((s.labels["node"].clone(), s.labels["connection"].clone()))
            .or_default() += 1;
    }
    assert_eq!(got, want);
    assert_eq!(
        m.series("smarthub_mesh_station_link_rate_bytes_per_second")
            .len(),
        online_wifi
    );
    assert_eq!(
        m.series("smarthub_mesh_station_signal_dbm").len(),
        online_wifi
    );
    let online: f64 = m
        .series("smarthub_mesh_station_online")
        .iter()
        .map(|s| s.value)
        .sum();
    assert_eq!(online, 125.0);
    assert_eq!(m.series("smarthub_mesh_node_info").len(), 3);
}
