//! The overview (`/` and `/status.json`): served as `/metrics` is, with the
//! same figures; hostile hub text never becomes markup; the history and
//! `--poll`. `browser` holds the checks with real Chromium, w3m and the Nu
//! Html Checker (ignored by plain `cargo test`; `.ci/test` runs them).
//!
//! Shared here: reading a page back with a real HTML parser (html5ever)
//! and the allow-list of what the exporter writes, the figures the page
//! must show for a given `/metrics`, and hostile names.

mod browser;
pub mod markup;
mod render;
mod serving;

use std::collections::BTreeSet;

use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, NodeData, RcDom};
use serde_json::Value;

use crate::support::expo::Parsed;
use crate::support::fake_hub::{FakeHub, Reply};
use crate::support::pages::{enc, wan_page_vdsl};
use crate::support::{LAN, OWL, STATUS, WAN};

pub use markup::{ATTRIBUTES, ELEMENTS, LINKS};

pub fn parse_html(html: &str) -> RcDom {
    html5ever::parse_document(RcDom::default(), Default::default()).one(html)
}

/// Every element below `node`, depth first, with its tag name.
pub fn elements(node: &Handle, out: &mut Vec<(String, Handle)>) {
    if let NodeData::Element { name, .. } = &node.data {
        out.push((name.local.to_string(), node.clone()));
    }
    for child in node.children.borrow().iter() {
        elements(child, out);
    }
}

/// The text below `node`, as one string; the no-break spaces that keep a
/// figure whole (`65.1\u{a0}Mbit/s`) read as spaces.
pub fn text(node: &Handle) -> String {
    let mut out = String::new();
    fn walk(node: &Handle, out: &mut String) {
        match &node.data {
            NodeData::Text { contents } => out.push_str(&contents.borrow().replace('\u{a0}', " ")),
            // Not shown on the page: titles of the SVG marks are hover text.
            NodeData::Element { name, .. } if &*name.local == "style" => return,
            _ => {}
        }
        for child in node.children.borrow().iter() {
            walk(child, out);
        }
    }
    walk(node, &mut out);
    out
}

fn attrs(node: &Handle) -> Vec<(String, String)> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .map(|a| (a.name.local.to_string(), a.value.to_string()))
            .collect(),
        _ => Vec::new(),
    }
}

/// Checks that a parsed page holds only what the exporter writes: its
/// elements and attributes, links to its own two documents, no comment,
/// no processing instruction; and returns the text of the `<title>`s (the
/// document's and the SVG marks').
pub fn check_allowed(dom: &RcDom) -> Result<Vec<String>, String> {
    let mut all = Vec::new();
    elements(&dom.document, &mut all);
    let mut titles = Vec::new();
    for (tag, node) in &all {
        if !ELEMENTS.contains(&tag.as_str()) {
            return Err(format!("element <{tag}> is not the page's"));
        }
        if tag == "title" {
            titles.push(text(node));
        }
        for (name, value) in attrs(node) {
            if !ATTRIBUTES.contains(&name.as_str()) {
                return Err(format!(
                    "attribute {name}={value:?} on <{tag}> is not the page's"
                ));
            }
            if name == "href" && !LINKS.contains(&value.as_str()) {
                return Err(format!("link to {value:?}"));
            }
        }
    }
    fn no_foreign_nodes(node: &Handle) -> Result<(), String> {
        match &node.data {
            NodeData::Comment { contents } => return Err(format!("a comment: {contents:?}")),
            NodeData::ProcessingInstruction { .. } => return Err("a processing instruction".into()),
            _ => {}
        }
        node.children.borrow().iter().try_for_each(no_foreign_nodes)
    }
    no_foreign_nodes(&dom.document)?;
    let heads = all.iter().filter(|(t, _)| t == "head").count();
    let scripts = all.iter().filter(|(t, _)| t == "script").count();
    if heads != 1 || scripts != 0 {
        return Err(format!("{heads} heads, {scripts} scripts"));
    }
    Ok(titles)
}

/// Every table row of the page, as the texts of its cells.
pub fn rows(dom: &RcDom) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    elements(&dom.document, &mut all);
    all.iter()
        .filter(|(t, _)| t == "tr")
        .map(|(_, tr)| {
            tr.children
                .borrow()
                .iter()
                .filter(|c| matches!(&c.data, NodeData::Element { name, .. } if matches!(&*name.local, "td" | "th")))
                .map(|c| text(c).trim().to_owned())
                .collect()
        })
        .collect()
}

/// Figures as the page writes them, written here independently.
pub mod fmt {
    fn si(v: f64, units: &[&str]) -> String {
        if v < 1000.0 {
            return format!("{} {}", v.round(), units[0]);
        }
        let mut v = v;
        let mut i = 0;
        while v >= 1000.0 && i + 1 < units.len() {
            v /= 1000.0;
            i += 1;
        }
        // One decimal, half away from zero (as people round).
        let tenths = (v * 10.0).round() as u64;
        format!("{}.{} {}", tenths / 10, tenths % 10, units[i])
    }

    pub fn bytes(v: f64) -> String {
        si(v, &["B", "kB", "MB", "GB", "TB", "PB"])
    }

    pub fn bits(v: f64) -> String {
        si(v, &["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"])
    }

    pub fn span(s: f64) -> String {
        let s = s as u64;
        match (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60) {
            (0, 0, 0, sec) => format!("{sec}s"),
            (0, 0, m, sec) => format!("{m}m {sec}s"),
            (0, h, m, _) => format!("{h}h {m}m"),
            (d, h, _, _) => format!("{d}d {h}h"),
        }
    }
}

/// The figures of `/metrics` that the page must show, each as the text of
/// the row it is in: `(row's first cell, the cell, expected)`. Checked
/// against the page's table rows; `strings` are the same figures for a
/// text dump, where rows are columns of text.
pub struct Figures {
    pub cells: Vec<(String, usize, String)>,
    pub strings: Vec<String>,
}

pub fn figures(m: &Parsed) -> Figures {
    let mut cells = Vec::new();
    let mut strings = Vec::new();
    let mut cell = |row: &str, i: usize, want: String| {
        let want = shown(&want).trim().to_owned();
        strings.push(want.clone());
        cells.push((row.to_owned(), i, want));
    };
    let dir = |name: &str, d: &str| m.get(name, &[("direction", d)]);
    for (row, name, scale) in [
        ("Sync rate", "smarthub_dsl_sync_rate_bytes_per_second", 8.0),
        (
            "Attainable rate",
            "smarthub_dsl_attainable_rate_bytes_per_second",
            8.0,
        ),
    ] {
        for (i, d) in ["down", "up"].into_iter().enumerate() {
            if let Some(v) = dir(name, d) {
                cell(row, i + 1, fmt::bits(v * scale));
            }
        }
    }
    for (row, name, unit) in [
        ("SNR margin", "smarthub_dsl_snr_margin_db", "dB"),
        ("Line attenuation", "smarthub_dsl_line_attenuation_db", "dB"),
        (
            "Signal attenuation",
            "smarthub_dsl_signal_attenuation_db",
            "dB",
        ),
        ("Output power", "smarthub_dsl_output_power_dbm", "dBm"),
    ] {
        for (i, d) in ["down", "up"].into_iter().enumerate() {
            if let Some(v) = dir(name, d) {
                cell(row, i + 1, format!("{v:.1} {unit}"));
            }
        }
    }
    if let (Some(d), Some(u)) = (
        m.get("smarthub_downloaded_bytes", &[]),
        m.get("smarthub_uploaded_bytes", &[]),
    ) {
        cell(
            "This session",
            1,
            format!("{} down, {} up", fmt::bytes(d), fmt::bytes(u)),
        );
    }
    if let (Some(d), Some(u)) = (
        m.get("smarthub_download_rate", &[]),
        m.get("smarthub_upload_rate", &[]),
    ) {
        let row = if m
            .raw("smarthub_wan_info", &[("kind", "ethernet")])
            .is_some()
        {
            "Link speed"
        } else {
            "Line rate"
        };
        cell(
            row,
            1,
            format!("{} down, {} up", fmt::bits(d), fmt::bits(u)),
        );
    }
    let mut starts = Vec::new();
    if let Some(up) = m.get("smarthub_uptime", &[]) {
        starts.push(("Uptime", fmt::span(up)));
    }
    if let Some(info) = m.series("smarthub_hub_info").first() {
        cell("Firmware", 1, info.labels["firmware_version"].clone());
    }
    for s in m.series("smarthub_lan_device_active") {
        if s.value != 1.0 {
            continue;
        }
        let mac = &s.labels["mac"];
        let labels: Vec<(&str, &str)> = s
            .labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(d) = m.get("smarthub_lan_downloaded_bytes", &labels) {
            cell(&format!("mac {mac}"), 7, fmt::bytes(d));
        }
        if let Some(u) = m.get("smarthub_lan_uploaded_bytes", &labels) {
            cell(&format!("mac {mac}"), 8, fmt::bytes(u));
        }
    }
    for s in m.series("smarthub_mesh_node_stations") {
        let name = &s.labels["node"];
        let key = format!("node {}", shown(name).trim());
        cell(&key, 6, format!("{}", s.value));
        if let Some(u) = m.get(
            "smarthub_mesh_node_uptime_seconds",
            &[("node_id", &s.labels["node_id"]), ("node", name)],
        ) {
            cell(&key, 5, fmt::span(u));
        }
    }
    if let (Some(a), Some(k)) = (
        m.get("smarthub_lan_active_devices", &[]),
        m.get("smarthub_lan_known_devices", &[]),
    ) {
        strings.push(format!("{a} active of {k} known"));
    }
    for (_, s) in starts {
        strings.push(s);
    }
    Figures { cells, strings }
}

/// Checks every figure against the page's rows: a row is found by its
/// first cell, or for a device by its MAC (third cell), for a mesh node by
/// its name.
pub fn check_figures(page: &RcDom, m: &Parsed) {
    let rows = rows(page);
    let text = text(&page.document);
    let f = figures(m);
    assert!(
        f.cells.len() >= 10,
        "too few figures to check: {:?}",
        f.cells
    );
    for (key, i, want) in &f.cells {
        let row = rows
            .iter()
            .find(|r| match key.split_once(' ') {
                Some(("mac", mac)) if r.len() == 9 => r[2] == *mac,
                Some(("node", name)) if r.len() == 7 => r[0] == *name,
                _ => r.first() == Some(key),
            })
            .unwrap_or_else(|| panic!("no row {key:?} in {rows:?}"));
        assert_eq!(row.get(*i), Some(want), "{key} cell {i}: {row:?}");
    }
    for want in &f.strings {
        assert!(text.contains(want.as_str()), "{want:?} not on the page");
    }
}

/// Text that tries to become markup, script or a lie on screen.
pub const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "</title><script>alert(2)</script>",
    "javascript:alert(3)",
    "<a href=\"javascript:alert(4)\">click</a>",
    "<svg><script>alert(5)</script><foreignObject><iframe src=x></iframe></foreignObject></svg>",
    "</svg></bdi></td></tr></table><form action=x><input name=y>",
    "<math><mi xlink:href=\"javascript:alert(6)\">m</mi></math>",
    "<!-- x --><![CDATA[ y ]]><?php z ?>",
    "\u{202E}gnp.exe",
    "\u{2066}isolate\u{2069}\u{200F}",
    "&lt;&amp;&#x3c;script&gt;",
    "</style><style>*{display:none}</style>",
    "<base href=\"http://x/\"><meta http-equiv=refresh content=0;url=x>",
    "\u{0}\u{1}\u{1b}[31m\u{7f}\u{85}\u{FDD0}\u{FFFF}",
    "<template><script>alert(7)</script></template><noscript><p title=\"</noscript><img src=x>\">",
];

/// `n` names built from the fragments above, ASCII and more, from a fixed
/// seed: the same cases every run.
pub fn hostile_names(seed: u64, n: usize) -> Vec<String> {
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let extra = [
        "é", "名前", "🙂", " ", "\t", "\n", "'", "\"", "<", ">", "&", "/", "=",
    ];
    (0..n)
        .map(|_| {
            let parts = 1 + next() % 4;
            let mut s = String::new();
            for _ in 0..parts {
                match next() % 3 {
                    0 => s.push_str(extra[(next() % extra.len() as u64) as usize]),
                    _ => s.push_str(HOSTILE[(next() % HOSTILE.len() as u64) as usize]),
                }
            }
            if next() % 10 == 0 {
                s = s.repeat(1 + 10_240 / s.len().max(1));
            }
            s
        })
        .collect()
}

/// The serial number the hostile hub's status page gives: never shown.
pub const SERIAL: &str = "+091298+SERIAL-NEVER-SHOWN";

/// A hub whose every name is hostile: device names and host names, node
/// names, models and firmware, the DSL mode, profile and channel, the
/// firmware version. Its line and counters are those of the tests' VDSL
/// page; two devices are active.
pub fn hostile_hub() -> FakeHub {
    let names: Vec<&str> = HOSTILE
        .iter()
        .copied()
        .chain(["A".repeat(10_240).leak() as &str])
        .collect();
    let hub = FakeHub::start();
    let name = |i: usize| enc(names[i % names.len()]);
    let wan = wan_page_vdsl(0)
        .replace("'VDSL2'", &format!("'{}'", name(0)))
        .replace("'Profile%2017a'", &format!("'{}'", name(1)))
        .replace("'fast'", &format!("'{}'", name(2)));
    hub.set(WAN, Reply::ok(wan));
    let mut lan = String::from("var known_device_list=[");
    let mut rate = String::from("var rate=[");
    let mut station = String::from("var owl_station=[");
    for i in 0..names.len() {
        let mac = format!("02:00:00:00:00:{i:02X}");
        lan.push_str(&format!(
            "{{mac:'{}',hostname:'{}',ip:'{}',name:'{}',activity:'{}',port:'{}',os:'{}',device:'{}'}},\n",
            enc(&mac),
            name(i + 3),
            name(i + 4),
            name(i),
            u8::from(i < 2),
            name(i + 5),
            name(i + 6),
            name(i + 7),
        ));
        rate.push_str(&format!(
            "{{mac:'{}',tx:'{}',rx:'{}'}},",
            enc(mac.to_lowercase()),
            1_000 + i * 777_777,
            5_000_000 + i * 123_456_789
        ));
        station.push_str(&format!(
            "{{station_mac:'{}',alias_name:'{}',station_name:'{}',parent_id:'A1',connect_type:'{}',online:'{}',link_rate:'866Mbps',signal_strength:'%2D5{}'}},\n",
            enc(&mac),
            name(i + 8),
            name(i + 9),
            if i % 2 == 0 { "5G".to_owned() } else { name(i + 10) },
            u8::from(i < 2),
            i % 10,
        ));
    }
    lan.push_str("null];\n");
    rate.push_str("null];\n");
    station.push_str("null];\n");
    hub.set(LAN, Reply::ok(lan + &rate));
    let owl = format!(
        "var owl_tplg=[{{device_id:'A1',device_name:'{}',model_name:'{}',fw_ver:'{}',parent_id:'NULL',connect_type:'Ether',uptime:'864000',sta_num:'2'}},\n\
         {{device_id:'B2',device_name:'{}',model_name:'{}',fw_ver:'{}',parent_id:'A1',connect_type:'{}',connect_rssi:'%2D61',linkrate:'866Mbps',uptime:'3600',sta_num:'1'}},null];\n{station}",
        name(11),
        name(12),
        name(13),
        name(14),
        name(15),
        name(16),
        name(17),
    );
    hub.set(OWL, Reply::ok(owl));
    hub.set(
        STATUS,
        Reply::ok(format!(
            "var fw_ver = \"{}\";\nvar serial_no = \"{}\";\nvar lan_service_ip = \"192%2E168%2E1%2E254\";\n",
            name(6),
            enc(SERIAL)
        )),
    );
    hub
}

/// The names a page may show, after the page's replacements (see
/// `overview::escape`): what to look for in its text.
pub fn shown(s: &str) -> String {
    s.chars()
        .map(|c| {
            if smarthub_exporter::overview::escape::replaced_in_html(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// The distinct texts of the `<title>`s, for a test that wants to see the
/// hover texts.
pub fn distinct(titles: &[String]) -> BTreeSet<&str> {
    titles.iter().map(String::as_str).collect()
}

/// The series of `history`, as paths below it, in the order
/// [`HistoryRow::values`] holds them.
pub const SERIES: [&str; 7] = [
    "/snr_margin_db/down",
    "/snr_margin_db/up",
    "/sync_rate_bytes_per_second/down",
    "/sync_rate_bytes_per_second/up",
    "/throughput_bytes_per_second/down",
    "/throughput_bytes_per_second/up",
    "/devices_active",
];

/// One minute of `history`, read back from its columns: `None` for a
/// `null` and for a series left out.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub time: i64,
    pub values: [Option<f64>; 7],
}

/// Checks the shape of a `/status.json` document's `history` (absent, or
/// `step_seconds` 60, `time` a rising list of whole minutes, and each
/// series an array as long as `time`, of numbers and `null`s, left out
/// when it would be all `null`s; nothing else in it), and that no `null`
/// is anywhere else. Returns the history as rows, `None` when absent.
pub fn history_rows(v: &Value) -> Result<Option<Vec<HistoryRow>>, String> {
    fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
        match v {
            Value::Null => out.push(path.to_owned()),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| nulls(x, &format!("{path}/{i}"), out)),
            Value::Object(o) => o
                .iter()
                .for_each(|(k, x)| nulls(x, &format!("{path}/{k}"), out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (k, x) in v.as_object().ok_or("not an object")? {
        if k != "history" {
            nulls(x, &format!("/{k}"), &mut found);
        }
    }
    if !found.is_empty() {
        return Err(format!("null outside the history: {found:?}"));
    }
    let Some(h) = v.get("history") else {
        return Ok(None);
    };
    if h["step_seconds"] != 60 {
        return Err(format!("step_seconds {}", h["step_seconds"]));
    }
    let time: Vec<i64> = h["time"]
        .as_array()
        .ok_or("no time array")?
        .iter()
        .map(|t| t.as_i64().ok_or(format!("time {t}")))
        .collect::<Result<_, _>>()?;
    if time.iter().any(|t| t % 60 != 0) || time.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!("times not whole rising minutes: {time:?}"));
    }
    // Nothing but the fields documented.
    let mut leaves = Vec::new();
    for (k, x) in h.as_object().unwrap() {
        match (k.as_str(), x) {
            ("step_seconds" | "time", _) => {}
            ("devices_active", _) => leaves.push(format!("/{k}")),
            (_, Value::Object(o)) if !o.is_empty() => {
                for d in o.keys() {
                    leaves.push(format!("/{k}/{d}"));
                }
            }
            _ => return Err(format!("history/{k}: {x}")),
        }
    }
    let mut rows: Vec<HistoryRow> = time
        .iter()
        .map(|&time| HistoryRow {
            time,
            values: [None; 7],
        })
        .collect();
    for leaf in leaves {
        let i = SERIES
            .iter()
            .position(|s| *s == leaf)
            .ok_or(format!("history{leaf}: not a series"))?;
        let a = h
            .pointer(&leaf)
            .unwrap()
            .as_array()
            .ok_or(format!("history{leaf}: not an array"))?;
        if a.len() != time.len() {
            return Err(format!(
                "history{leaf}: {} values for {} times",
                a.len(),
                time.len()
            ));
        }
        if a.iter().all(Value::is_null) {
            return Err(format!("history{leaf}: all null, not left out"));
        }
        for (row, x) in rows.iter_mut().zip(a) {
            row.values[i] = match x {
                Value::Null => None,
                x => Some(x.as_f64().ok_or(format!("history{leaf}: {x}"))?),
            };
        }
    }
    Ok(Some(rows))
}

/// The rows the board's history must give, from its points within a day
/// before `now` (ms): each figure in the document's unit, `None` where the
/// point has none.
pub fn expected_rows(h: &smarthub_exporter::overview::History, now: i64) -> Vec<HistoryRow> {
    h.points()
        .iter()
        .filter(|p| p.time() > now.div_euclid(1000) - 86_400)
        .map(|p| HistoryRow {
            time: p.time(),
            values: [
                p.snr_margin_tenth_db[0].map(|t| f64::from(t) / 10.0),
                p.snr_margin_tenth_db[1].map(|t| f64::from(t) / 10.0),
                p.sync_bps[0].map(|b| b.get() as f64 / 8.0),
                p.sync_bps[1].map(|b| b.get() as f64 / 8.0),
                p.throughput[0].map(f64::from),
                p.throughput[1].map(f64::from),
                p.devices_active.map(f64::from),
            ],
        })
        .collect()
}
