//! `/cgi/cgi_owl.js`: the Wi-Fi mesh ("OWL") of the hub and its BT Whole Home
//! discs.
//!
//! `var owl_tplg=[{..},null]` has one record per node (the hub, then each
//! disc) and `var owl_station=[{..},null]` one per client, naming its node by
//! `parent_id` (a node's `device_id`) and its link by `connect_type`
//! (`Ether`, `2.4G`, `5G`). Every value is a percent-encoded string; unset
//! ones are the string `NULL`. The page is pure data and is read as literals,
//! never run (see [`script::read_data`]).
//! Field meanings and how we know them: `docs/hub-pages.md`.
//!
//! Left out on purpose: the per-station `bs`/`br` byte counts. They are
//! signed 32-bit and stop at 2147483647, so a rate over them reads 0 once a
//! busy device passes 2 GiB; the device page's 64-bit counters cover the
//! same traffic.

use std::collections::BTreeMap;

use super::{label, label_text, object, text, Record};
use super::{parse_i32, parse_u64, ParseError};
use crate::script::{self, Lit};

pub const PATH: &str = "/cgi/cgi_owl.js";

/// Records kept from one page: the hub lists at most a few discs and a few
/// hundred stations.
pub const MAX_RECORDS: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mesh {
    /// In the page's order (the hub first).
    pub nodes: Vec<Node>,
    /// Sorted by MAC, one per MAC.
    pub stations: Vec<Station>,
    /// What the reader cut to read the page, for the log.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `device_id`, upper-case: what stations name as their `parent_id`.
    pub id: String,
    /// `device_name`, e.g. `Smart Hub 2`, `Living room`.
    pub name: String,
    /// `model_name`, e.g. `SmartHub2`, `WE410443-6DX`.
    pub model: String,
    pub firmware: String,
    /// How the node reaches its parent (see [`connection`]); `None` for the
    /// hub, which has no parent.
    pub backhaul: Option<String>,
    /// Backhaul link rate in bit/s, when the node reports one (Wi-Fi
    /// backhaul; the hub and wired discs say `0Mbps`).
    pub backhaul_bps: Option<u64>,
    /// Backhaul signal in dBm (`connect_rssi`), Wi-Fi backhaul only.
    pub backhaul_dbm: Option<i32>,
    pub uptime: Option<u64>,
    /// `sta_num`: the clients the node counts as its own.
    pub stations: Option<u64>,
    /// Only where reported: the hub itself writes zeros.
    pub cpu: Option<Cpu>,
    pub memory: Option<Memory>,
}

/// Percentages, as the node reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cpu {
    pub user: u8,
    pub system: u8,
    pub idle: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    pub total_bytes: u64,
    pub free_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Station {
    /// Upper-case.
    pub mac: String,
    /// The name the user gave it (`alias_name`), else its own
    /// (`station_name`), else empty.
    pub name: String,
    /// See [`connection`].
    pub connection: String,
    /// The name of the node it is attached to; `None` when `parent_id`
    /// names no node on the page.
    pub node: Option<String>,
    /// Connected now (`online`).
    pub online: Option<bool>,
    /// Link rate in bit/s: online Wi-Fi stations only.
    pub link_bps: Option<u64>,
    /// Signal in dBm: online Wi-Fi stations only, never the hub's `-127`
    /// (no reading).
    pub signal_dbm: Option<i32>,
}

pub const VARS: [&str; 2] = ["owl_tplg", "owl_station"];

/// The fields [`from_lists`] reads from an `owl_tplg` node record.
pub const NODE_FIELDS: &[&str] = &[
    "device_id",
    "parent_id",
    "connect_type",
    "cpuU",
    "cpuS",
    "cpuI",
    "memT",
    "memF",
    "device_name",
    "model_name",
    "fw_ver",
    "sw_ver",
    "linkrate",
    "connect_rssi",
    "uptime",
    "sta_num",
];
/// The fields [`from_lists`] reads from an `owl_station` record.
pub const STATION_FIELDS: &[&str] = &[
    "station_mac",
    "parent_id",
    "connect_type",
    "online",
    "link_rate",
    "signal_strength",
    "alias_name",
    "station_name",
];

pub fn parse(body: &[u8]) -> Result<Mesh, ParseError> {
    let wanted = [
        script::Var {
            name: VARS[0],
            fields: NODE_FIELDS,
        },
        script::Var {
            name: VARS[1],
            fields: STATION_FIELDS,
        },
    ];
    let read = script::read_data(body, &wanted).map_err(|e| ParseError::page(e.to_string()))?;
    let mut vars = read.values.into_iter();
    let tplg = vars
        .next()
        .flatten()
        .ok_or_else(|| ParseError::field("owl_tplg", "not defined by the page"))?;
    let station = vars
        .next()
        .flatten()
        .ok_or_else(|| ParseError::field("owl_station", "not defined by the page"))?;
    let mut mesh = from_lists(&tplg, &station)?;
    mesh.notes = read.notes;
    Ok(mesh)
}

/// Builds the mesh from the page's two lists.
pub fn from_lists(tplg: &Lit, station: &Lit) -> Result<Mesh, ParseError> {
    let Lit::Array(tplg) = tplg else {
        return Err(ParseError::field("owl_tplg", "is not an array"));
    };
    let Lit::Array(station) = station else {
        return Err(ParseError::field("owl_station", "is not an array"));
    };

    let mut nodes: Vec<Node> = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for record in tplg.iter().filter_map(object).take(MAX_RECORDS) {
        let Some(node) = node(record) else { continue };
        // Two nodes with one id would be two series with the same labels.
        if names.contains_key(&node.id) {
            log::debug!("{PATH}: owl_tplg: second node {} ignored", node.id);
            continue;
        }
        names.insert(node.id.clone(), node.name.clone());
        nodes.push(node);
    }

    let mut stations: BTreeMap<String, Station> = BTreeMap::new();
    for record in station.iter().filter_map(object).take(MAX_RECORDS) {
        let Some(mac) = label_value(record, "station_mac", true).map(|m| m.to_ascii_uppercase())
        else {
            log::debug!("{PATH}: an owl_station entry has no station_mac; skipped");
            continue;
        };
        if stations.contains_key(&mac) {
            log::debug!("{PATH}: owl_station: second entry for {mac} ignored");
            continue;
        }
        let parent = label_value(record, "parent_id", true).map(|p| p.to_ascii_uppercase());
        let node = parent.as_ref().and_then(|p| names.get(p)).cloned();
        if node.is_none() {
            log::debug!("{PATH}: station {mac}: parent {parent:?} is no node on the page");
        }
        let connection = label_value(record, "connect_type", false)
            .map(|c| connection(&c))
            .unwrap_or_default();
        let online = match value(record, "online").as_deref() {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        };
        // An offline station keeps its last link rate and signal: figures
        // from the past are not readings of now.
        let wifi_now = online == Some(true) && connection.ends_with("GHz");
        let link_bps = value(record, "link_rate")
            .and_then(|r| rate(&r))
            .filter(|_| wifi_now);
        let signal_dbm = value(record, "signal_strength")
            .and_then(|s| dbm(&s))
            .filter(|_| wifi_now);
        let name = label_value(record, "alias_name", false)
            .or_else(|| label_value(record, "station_name", false))
            .unwrap_or_default();
        stations.insert(
            mac.clone(),
            Station {
                mac,
                name,
                connection,
                node,
                online,
                link_bps,
                signal_dbm,
            },
        );
    }
    Ok(Mesh {
        nodes,
        stations: stations.into_values().collect(),
        notes: Vec::new(),
    })
}

fn node(r: &Record) -> Option<Node> {
    let Some(id) = label_value(r, "device_id", true).map(|m| m.to_ascii_uppercase()) else {
        log::debug!("{PATH}: an owl_tplg entry has no device_id; skipped");
        return None;
    };
    let root = label_value(r, "parent_id", true).is_none();
    let backhaul = if root {
        None
    } else {
        label_value(r, "connect_type", false).map(|c| connection(&c))
    };
    let wifi_backhaul = backhaul.as_deref().is_some_and(|b| b.ends_with("GHz"));
    let number = |key: &str| value(r, key).and_then(|v| parse_u64(&v));
    let percent = |key: &str| number(key).filter(|&v| v <= 100).map(|v| v as u8);
    let cpu = match (percent("cpuU"), percent("cpuS"), percent("cpuI")) {
        // A real reading adds up to about 100; the hub writes 0, 0, 0.
        (Some(user), Some(system), Some(idle)) if (user | system | idle) > 0 => {
            Some(Cpu { user, system, idle })
        }
        _ => None,
    };
    // memT and memF are KiB, as Linux counts them; the hub writes zeros.
    let memory = match (number("memT"), number("memF")) {
        (Some(t), Some(f)) if t > 0 && f <= t => Some(Memory {
            total_bytes: t.saturating_mul(1024),
            free_bytes: f.saturating_mul(1024),
        }),
        _ => None,
    };
    Some(Node {
        id,
        name: label_value(r, "device_name", false).unwrap_or_default(),
        model: label_value(r, "model_name", false).unwrap_or_default(),
        firmware: label_value(r, "fw_ver", true)
            .or_else(|| label_value(r, "sw_ver", true))
            .unwrap_or_default(),
        backhaul_bps: value(r, "linkrate").and_then(|v| rate(&v)),
        backhaul_dbm: value(r, "connect_rssi")
            .and_then(|v| dbm(&v))
            .filter(|_| wifi_backhaul),
        backhaul,
        uptime: number("uptime"),
        stations: number("sta_num"),
        cpu,
        memory,
    })
}

/// A field's decoded text; `None` when missing, empty or the hub's `NULL`.
fn value(r: &Record, key: &str) -> Option<String> {
    text(r, key).filter(|v| !v.is_empty() && v != "NULL")
}

/// A field as a label ([`label_text`]: a cut string too); `None` when
/// missing, empty or the hub's `NULL`.
fn label_value(r: &Record, key: &str, trim: bool) -> Option<String> {
    label_text(r, key, trim).filter(|v| !v.is_empty() && v != "NULL")
}

/// `connect_type` as a label: `ethernet`, `2.4GHz`, `5GHz`; another value
/// is kept as the hub wrote it.
pub fn connection(c: &str) -> String {
    match c {
        "Ether" => "ethernet".to_owned(),
        "2.4G" => "2.4GHz".to_owned(),
        "5G" => "5GHz".to_owned(),
        "6G" => "6GHz".to_owned(),
        other => label(other),
    }
}

/// `780Mbps` → 780000000. A rate of 0 is no reading.
fn rate(s: &str) -> Option<u64> {
    let s = s.trim();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let n = parse_u64(&s[..digits])?;
    let scale = match s[digits..].trim().to_ascii_lowercase().as_str() {
        "bps" | "" => 1,
        "kbps" => 1_000,
        "mbps" => 1_000_000,
        "gbps" => 1_000_000_000,
        _ => return None,
    };
    n.checked_mul(scale).filter(|&v| v > 0)
}

/// A signal in dBm, or `None` for what is no reading: `-127` (the hub's
/// "none"), and 0 or above (wired stations write 0).
fn dbm(s: &str) -> Option<i32> {
    parse_i32(s).filter(|&v| v > -127 && v < 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::MAX_LABEL_BYTES;
    use crate::script::literal::parse as lit;

    #[test]
    fn rates_and_signals() {
        assert_eq!(rate("780Mbps"), Some(780_000_000));
        assert_eq!(rate("1733Mbps"), Some(1_733_000_000));
        assert_eq!(rate("54"), Some(54));
        assert_eq!(rate("2Gbps"), Some(2_000_000_000));
        assert_eq!(rate("0Mbps"), None);
        assert_eq!(rate("fastMbps"), None);
        assert_eq!(rate("12furlongs"), None);
        assert_eq!(dbm("-50"), Some(-50));
        assert_eq!(dbm("-127"), None);
        assert_eq!(dbm("0"), None);
        assert_eq!(dbm("-200"), None);
        assert_eq!(dbm("x"), None);
    }

    #[test]
    fn joins_stations_to_nodes_and_drops_what_is_not_a_reading() {
        let m = from_lists(
            &lit("[{device_id:'aa%3A01',device_name:'Hub',parent_id:'NULL',connect_type:'Ether',linkrate:'0Mbps',cpuU:'0',cpuS:'0',cpuI:'0',memT:'0',memF:'0'},\
                   {device_id:'AA%3A02',device_name:'Disc',parent_id:'AA%3A01',connect_type:'5G',connect_rssi:'%2D57',linkrate:'866Mbps',cpuU:'1',cpuS:'2',cpuI:'97',memT:'1000',memF:'400',uptime:'99',sta_num:'2'},\
                   {device_id:'AA%3A02',device_name:'Dup'},{device_name:'no id'},null]").unwrap(),
            &lit("[{station_mac:'bb',alias_name:'NULL',station_name:'phone',parent_id:'AA%3A02',connect_type:'5G',link_rate:'780Mbps',signal_strength:'%2D127',online:'1'},\
                   {station_mac:'BB',station_name:'dup'},\
                   {station_mac:'cc',alias_name:'Printer',station_name:'HP',parent_id:'99%3A99',connect_type:'Ether',link_rate:'1000Mbps',signal_strength:'0',online:'1'},\
                   {station_mac:'dd',station_name:'NULL',parent_id:'aa%3a01',connect_type:'2%2E4G',link_rate:'72Mbps',signal_strength:'%2D60',online:'0'},\
                   {station_name:'no mac'},null]").unwrap(),
        )
        .unwrap();
        assert_eq!(m.nodes.len(), 2);
        let (hub, disc) = (&m.nodes[0], &m.nodes[1]);
        assert_eq!((hub.id.as_str(), hub.backhaul.as_deref()), ("AA:01", None));
        assert_eq!((hub.cpu, hub.memory, hub.backhaul_bps), (None, None, None));
        assert_eq!(disc.backhaul.as_deref(), Some("5GHz"));
        assert_eq!(
            (disc.backhaul_bps, disc.backhaul_dbm),
            (Some(866_000_000), Some(-57))
        );
        assert_eq!(
            disc.cpu,
            Some(Cpu {
                user: 1,
                system: 2,
                idle: 97
            })
        );
        assert_eq!(
            disc.memory,
            Some(Memory {
                total_bytes: 1_024_000,
                free_bytes: 409_600
            })
        );
        let macs: Vec<&str> = m.stations.iter().map(|s| s.mac.as_str()).collect();
        assert_eq!(macs, ["BB", "CC", "DD"]);
        let (bb, cc, dd) = (&m.stations[0], &m.stations[1], &m.stations[2]);
        assert_eq!(
            (bb.name.as_str(), bb.node.as_deref(), bb.connection.as_str()),
            ("phone", Some("Disc"), "5GHz")
        );
        assert_eq!((bb.link_bps, bb.signal_dbm), (Some(780_000_000), None));
        assert_eq!(
            (cc.name.as_str(), cc.node.as_deref(), cc.connection.as_str()),
            ("Printer", None, "ethernet")
        );
        assert_eq!((cc.link_bps, cc.signal_dbm), (None, None), "wired");
        assert_eq!((dd.name.as_str(), dd.node.as_deref()), ("", Some("Hub")));
        assert_eq!(dd.online, Some(false));
        assert_eq!((dd.link_bps, dd.signal_dbm), (None, None), "offline");
    }

    #[test]
    fn full_percentages_do_not_overflow() {
        // After CI's fuzz run of `owl` failed: three percentages of 100
        // overflowed a u8 sum.
        let m = from_lists(
            &lit("[{device_id:'A1',parent_id:'NULL',cpuU:'100',cpuS:'100',cpuI:'100'}]").unwrap(),
            &lit("[]").unwrap(),
        )
        .unwrap();
        assert_eq!(m.nodes[0].cpu.map(|c| c.user + c.idle), Some(200));
    }

    #[test]
    fn macs_that_differ_past_the_label_cut_are_one_station() {
        // After CI's fuzz run of `owl` failed: keyed by the uncut MAC, these
        // made two series with the same label set.
        let long = "A".repeat(MAX_LABEL_BYTES);
        let stations = format!("[{{station_mac:'{long}1',station_name:'x'}},{{station_mac:'{long}2',station_name:'y'}}]");
        let nodes = format!("[{{device_id:'{long}9',device_name:'Hub'}}]");
        let m = from_lists(&lit(&nodes).unwrap(), &lit(&stations).unwrap()).unwrap();
        assert_eq!(m.stations.len(), 1);
        assert_eq!(m.stations[0].mac, long);
        assert_eq!(m.stations[0].name, "x", "the first entry is kept");
    }

    #[test]
    fn wrong_shapes_are_errors() {
        assert!(from_lists(&Lit::Str("x".into()), &Lit::Array(vec![])).is_err());
        assert!(from_lists(&Lit::Array(vec![]), &Lit::Null).is_err());
        assert_eq!(
            from_lists(&lit("[null]").unwrap(), &lit("[]").unwrap()).unwrap(),
            Mesh::default()
        );
    }
}
