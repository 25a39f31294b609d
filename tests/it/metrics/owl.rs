//! The `owl` collector end to end: the mesh's nodes and stations.

use super::vdsl2_hub;
use crate::support::exporter::Exporter;
use crate::support::fake_hub::FakeHub;
use crate::support::pages;

#[test]
fn mesh_nodes_and_stations() {
    let hub = vdsl2_hub();
    let exp = Exporter::start(&hub.host(), &[]);
    let m = exp.scrape();
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
