//! `cgi_owl.js` (the `owl` collector): the mesh's nodes and stations.

use smarthub_exporter::pages::{self, owl};
use smarthub_exporter::script;

use crate::support::fixture;

pub(super) const OWL: &str = "captures/jxwolstenholme__btsmarthub_devicelist/cgi_owl.js";
pub(super) const OWL_ORIGINAL: &str =
    "captures/jxwolstenholme__btsmarthub_devicelist/at-58f16f9/cgi_owl.js";
pub(super) const OWL_SPECIAL: &str =
    "captures/jxwolstenholme__btsmarthub_devicelist/cgi_owl.special_chars.js";

fn mesh(page: &[u8]) -> owl::Mesh {
    owl::parse(page).unwrap_or_else(|e| panic!("{e}"))
}

fn station<'a>(m: &'a owl::Mesh, mac: &str) -> &'a owl::Station {
    m.stations
        .iter()
        .find(|s| s.mac == mac)
        .unwrap_or_else(|| panic!("station {mac} missing"))
}

/// (node, connection, online) → stations, sorted.
fn census(m: &owl::Mesh) -> Vec<(String, String, Option<bool>, usize)> {
    let mut c: std::collections::BTreeMap<(String, String, Option<bool>), usize> =
        Default::default();
    for s in &m.stations {
        *c.entry((
            s.node.clone().unwrap_or_else(|| "?".into()),
            s.connection.clone(),
            s.online,
        ))
        .or_default() += 1;
    }
    c.into_iter().map(|((a, b, c), n)| (a, b, c, n)).collect()
}

#[test]
fn owl_capture_hub_and_two_discs() {
    let m = mesh(&fixture(OWL));
    let names: Vec<&str> = m.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["Smart Hub 2", "Living room", "Cold office"]);
    let hub = &m.nodes[0];
    assert_eq!(
        (
            hub.id.as_str(),
            hub.model.as_str(),
            hub.firmware.as_str(),
            hub.backhaul.as_deref()
        ),
        ("44:FE:3B:FF:FF:FF", "SmartHub2", "v0.16.02.08304", None)
    );
    assert_eq!((hub.uptime, hub.stations), (Some(1254542), Some(14)));
    assert_eq!(
        (hub.cpu, hub.memory, hub.backhaul_bps, hub.backhaul_dbm),
        (None, None, None, None),
        "the hub's zeros are no readings"
    );
    let living = &m.nodes[1];
    assert_eq!(
        (
            living.model.as_str(),
            living.firmware.as_str(),
            living.backhaul.as_deref()
        ),
        ("WE410443-6DX", "0.16.00.07230", Some("5GHz"))
    );
    assert_eq!(
        (living.backhaul_bps, living.backhaul_dbm),
        (Some(1_733_000_000), Some(-57))
    );
    assert_eq!(
        living.cpu,
        Some(owl::Cpu {
            user: 0,
            system: 2,
            idle: 98
        })
    );
    assert_eq!(
        living.memory,
        Some(owl::Memory {
            total_bytes: 122136 * 1024,
            free_bytes: 58036 * 1024
        })
    );
    assert_eq!(m.nodes[2].backhaul_dbm, Some(-79));

    // 26 rows, one MAC masked to the same value twice: the first is kept.
    assert_eq!(m.stations.len(), 25);
    assert_eq!(station(&m, "BC:DD:FF:FF:FF:FF").name, "ESP_9C28C7");
    let ipad = station(&m, "DC:A4:FF:FF:FF:FF");
    assert_eq!(
        (
            ipad.name.as_str(),
            ipad.connection.as_str(),
            ipad.node.as_deref()
        ),
        ("TV Panasonic Lounge ", "5GHz", Some("Living room"))
    );
    assert_eq!(
        (ipad.online, ipad.link_bps, ipad.signal_dbm),
        (Some(true), Some(780_000_000), Some(-50))
    );
    let first = station(&m, "E0:E5:FF:FF:FF:FF");
    assert_eq!(first.name, "", "station_name and alias_name both NULL");
    assert_eq!(
        (first.link_bps, first.signal_dbm),
        (Some(11_000_000), Some(-50))
    );
    let wired = station(&m, "14:91:FF:FF:FF:FF");
    assert_eq!(
        (wired.connection.as_str(), wired.link_bps, wired.signal_dbm),
        ("ethernet", None, None)
    );
    // Offline: its last link rate and signal are not readings of now. Its
    // name keeps the invalid escape of the hand-redacted capture.
    let android = station(&m, "2C:26:FF:FF:FF:FF");
    assert_eq!(android.name, "android%thingy");
    assert_eq!(
        (android.online, android.link_bps, android.signal_dbm),
        (Some(false), None, None)
    );
    // The synthetic orphan names a parent that is no node.
    let orphan = station(&m, "D8:EB:FF:FF:FF:FF");
    assert_eq!(
        (orphan.name.as_str(), orphan.node.as_deref()),
        ("FAKEDDISKPAR", None)
    );
    assert_eq!(
        census(&m),
        [
            ("?".into(), "2.4GHz".into(), Some(false), 1),
            ("Cold office".into(), "2.4GHz".into(), Some(false), 2),
            ("Cold office".into(), "5GHz".into(), Some(true), 1),
            ("Cold office".into(), "ethernet".into(), Some(false), 2),
            ("Cold office".into(), "ethernet".into(), Some(true), 2),
            ("Living room".into(), "2.4GHz".into(), Some(true), 2),
            ("Living room".into(), "5GHz".into(), Some(false), 2),
            ("Living room".into(), "5GHz".into(), Some(true), 4),
            ("Living room".into(), "ethernet".into(), Some(true), 3),
            ("Smart Hub 2".into(), "2.4GHz".into(), Some(true), 2),
            ("Smart Hub 2".into(), "5GHz".into(), Some(false), 3),
            ("Smart Hub 2".into(), "ethernet".into(), Some(true), 1),
        ]
    );
}

#[test]
fn owl_capture_before_the_synthetic_orphan() {
    let m = mesh(&fixture(OWL_ORIGINAL));
    assert_eq!(m.stations.len(), 25);
    assert!(m.stations.iter().all(|s| s.node.is_some()), "no orphan");
    assert_eq!(
        station(&m, "D8:EB:FF:FF:FF:FF").node.as_deref(),
        Some("Cold office")
    );
    let special = mesh(&fixture(OWL_SPECIAL));
    assert_eq!(special.nodes.len(), 3);
    assert_eq!(special.stations.len(), 1);
    assert_eq!(special.stations[0].name, "Paul's TV");
}

#[test]
fn owl_own_mesh_page_covers_what_the_captures_lack() {
    let m = mesh(&fixture("hub/owl_mesh.js"));
    let nodes: Vec<(&str, Option<&str>)> = m
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.backhaul.as_deref()))
        .collect();
    assert_eq!(
        nodes,
        [
            ("Smart Hub 2", None),
            ("Kitchen", Some("5GHz")),
            ("Garage", Some("ethernet")),
            ("Jo's room", Some("2.4GHz")),
        ]
    );
    let garage = &m.nodes[2];
    assert_eq!(
        (garage.backhaul_bps, garage.backhaul_dbm),
        (None, None),
        "a wired disc reports 0Mbps and rssi 0"
    );
    let loft = &m.nodes[3];
    assert_eq!(
        (loft.backhaul_bps, loft.backhaul_dbm, loft.uptime),
        (Some(144_000_000), None, Some(7200)),
        "-127 is no reading"
    );
    assert_eq!((loft.cpu, loft.memory), (None, None), "fields missing");
    assert_eq!(m.nodes[0].firmware, "v0.21.03.07094-BT");

    assert_eq!(m.stations.len(), 9, "10 rows, one MAC twice");
    let pixel = station(&m, "10:00:00:00:00:01");
    assert_eq!(
        (pixel.name.as_str(), pixel.node.as_deref(), pixel.signal_dbm),
        ("Pixel-7", Some("Smart Hub 2"), Some(-55)),
        "the first row of a MAC wins"
    );
    let thermo = station(&m, "10:00:00:00:00:02");
    assert_eq!(
        thermo.name, "Thermostat",
        "the alias beats the station name"
    );
    assert_eq!(
        (thermo.link_bps, thermo.signal_dbm),
        (Some(72_000_000), None),
        "-127 is no reading"
    );
    let tv = station(&m, "10:00:00:00:00:04");
    assert_eq!(
        (tv.name.as_str(), tv.connection.as_str(), tv.node.as_deref()),
        ("Smart TV", "ethernet", Some("Garage"))
    );
    let old = station(&m, "10:00:00:00:00:05");
    assert_eq!(
        (old.online, old.link_bps, old.signal_dbm),
        (Some(false), None, None)
    );
    assert_eq!(
        station(&m, "10:00:00:00:00:06").node,
        None,
        "unknown parent"
    );
    assert_eq!(station(&m, "10:00:00:00:00:06").signal_dbm, Some(-48));
    assert_eq!(station(&m, "10:00:00:00:00:07").node, None, "parent NULL");
    let bare = station(&m, "10:00:00:00:00:08");
    assert_eq!(
        (
            bare.name.as_str(),
            bare.online,
            bare.link_bps,
            bare.signal_dbm,
            bare.node.as_deref()
        ),
        ("", None, None, None, Some("Smart Hub 2")),
        "missing fields stay absent"
    );
    let ipad = station(&m, "10:00:00:00:00:09");
    assert_eq!(
        (ipad.name.as_str(), ipad.node.as_deref()),
        ("Paul's iPad", Some("Jo's room"))
    );

    let hub_only = mesh(&fixture("hub/owl.js"));
    assert_eq!(hub_only.nodes.len(), 1);
    assert_eq!(hub_only.nodes[0].stations, Some(2));
    assert!(hub_only
        .stations
        .iter()
        .all(|s| s.node.as_deref() == Some("Smart Hub 2")));
}

#[test]
fn owl_page_refusals() {
    for (page, want) in [
        (fixture("hub/login.htm"), "HTML"),
        (b"var owl_station=[];".to_vec(), "field owl_tplg"),
        (b"var owl_tplg=[];".to_vec(), "field owl_station"),
        (
            b"var owl_tplg='x'; var owl_station=[];".to_vec(),
            "not an array",
        ),
    ] {
        let err = owl::parse(&page).unwrap_err().to_string();
        assert!(err.contains(want), "{err:?} should mention {want:?}");
    }
    let empty = mesh(b"var owl_tplg=[null];\nvar owl_station=[null];\n");
    assert_eq!(empty, owl::Mesh::default());
}

#[test]
fn long_mesh_values_are_noted_and_cut_to_labels() {
    let long = "v".repeat(script::limits::MAX_STRING_BYTES + 1);
    let m = mesh(
        format!(
            "var owl_tplg=[{{device_id:'AA',device_name:'{long}'}},null];\n\
             var owl_station=[{{station_mac:'{long}',parent_id:'AA',online:'1'}},null];\n"
        )
        .as_bytes(),
    );
    assert_eq!(m.nodes[0].name.len(), pages::MAX_LABEL_BYTES);
    assert_eq!(m.stations[0].mac, "V".repeat(pages::MAX_LABEL_BYTES));
    assert_eq!(
        m.notes,
        [
            "owl_tplg: a string longer than 4096 bytes was cut",
            "owl_station: a string longer than 4096 bytes was cut",
        ]
    );
}
