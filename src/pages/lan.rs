//! `/cgi/cgi_basicMyDevice.js`: the hub's known devices and their traffic.
//!
//! The page is JavaScript: `var known_device_list=[{mac:'..',...},null]`,
//! `var rate=[{mac:'..',tx:'..',rx:'..'},null]` and hundreds of
//! `addCfg(...)` calls. [`crate::script`] reads the two lists; this module
//! turns them into devices: percent-decoded, grouped entries split into one
//! device per MAC, and traffic joined by MAC, case-insensitively.

use std::collections::BTreeMap;
use std::time::Instant;

use super::{
    advance_counter, find, label, label_text, mac_of, normalise_mac, object, parse_u64, text,
    ParseError, Record,
};
use crate::script::{self, Lit};

pub const PATH: &str = "/cgi/cgi_basicMyDevice.js";
/// The EE Smart Hub's page of the same lists (`known_device_list`, `rate`),
/// read the same way; it adds `arp_entry` and `sys_up_time`, unread.
pub const EE_PATH: &str = "/cgi/cgi_myNetwork.js";

/// Devices kept from one page, after splitting grouped entries.
pub const MAX_DEVICES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Upper-case, as the hub writes it in `known_device_list`.
    pub mac: String,
    /// The DHCP hostname (the Go exporter's `hostname` label).
    pub hostname: String,
    pub ip: String,
    /// The user-editable name (`unknown_<MAC>` when never set).
    pub name: String,
    /// Connected now (`activity`), when the hub says. For a MAC of a
    /// grouped entry, whether *this* MAC is the one in use (see
    /// [`split_group`]).
    pub active: Option<bool>,
    /// `eth1`..`eth4`, `wl0`, `wl1`, `NA`...; empty when the hub's value is
    /// not a port name (the EE firmware sometimes runs a date into it).
    pub port: String,
    pub os: String,
    /// The hub's guess at the device type (`PC`, `Smartphone`, `WIFIEX`...).
    pub kind: String,
    /// Bytes since the hub started counting; `None` when the page has no
    /// `rate` row for this device (it lists only active ones).
    pub traffic: Option<Traffic>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    /// Bytes the device received (downloaded): the row's `rx`.
    pub rx_bytes: u64,
    /// Bytes the device sent (uploaded): the row's `tx`.
    pub tx_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Devices {
    /// Sorted by MAC, one per MAC.
    pub devices: Vec<Device>,
    /// Devices as the hub lists them: an EE entry grouping several random
    /// MACs of one phone is one device here, however many MACs it holds.
    pub entries: usize,
    /// Of those, the ones the hub marks active (`activity` 1).
    pub active_entries: usize,
    /// What was cut or skipped to read the page (values over the readers'
    /// limits, devices past [`MAX_DEVICES`], the error a page threw after
    /// defining its lists): for the log, since this module does not log.
    pub notes: Vec<String>,
}

/// The fields [`from_lists`] reads from a `known_device_list` record.
pub const DEVICE_FIELDS: &[&str] = &[
    "mac",
    "hostname",
    "ip",
    "name",
    "activity",
    "os",
    "device",
    "port",
    "activity_ip",
    "activity_ipv6_ll",
    "activity_ipv6",
];
/// The fields [`from_lists`] reads from a `rate` row.
pub const RATE_FIELDS: &[&str] = &["mac", "tx", "rx"];

/// What [`parse`] asks the reader for: the two lists, the fields it reads.
pub const VARS: [script::Var<'static>; 2] = [
    script::Var {
        name: "known_device_list",
        fields: DEVICE_FIELDS,
    },
    script::Var {
        name: "rate",
        fields: RATE_FIELDS,
    },
];

pub fn parse(body: &[u8], deadline: Instant) -> Result<Devices, ParseError> {
    let read = script::read(body, &VARS, deadline).map_err(|e| ParseError::page(e.to_string()))?;
    let mut vars = read.values.into_iter();
    let known = vars
        .next()
        .flatten()
        .ok_or_else(|| ParseError::field("known_device_list", "not defined by the page"))?;
    let rate = vars
        .next()
        .flatten()
        .ok_or_else(|| ParseError::field("rate", "not defined by the page"))?;
    let mut devices = from_lists(&known, &rate)?;
    devices.notes.splice(0..0, read.notes);
    Ok(devices)
}

/// Builds the devices from the page's two lists.
pub fn from_lists(known: &Lit, rate: &Lit) -> Result<Devices, ParseError> {
    let Lit::Array(known) = known else {
        return Err(ParseError::field("known_device_list", "is not an array"));
    };
    let Lit::Array(rate) = rate else {
        return Err(ParseError::field("rate", "is not an array"));
    };

    let mut by_mac: BTreeMap<String, Device> = BTreeMap::new();
    let (mut entries, mut active_entries) = (0, 0);
    let mut skipped = Skipped::default();
    let mut full = false;
    'records: for record in known.iter().filter_map(object) {
        let mut added = false;
        for device in split_group(record, &mut skipped) {
            if by_mac.len() == MAX_DEVICES {
                full = true;
                break 'records;
            }
            // A MAC listed twice keeps its first entry: two series with the
            // same labels would make the whole scrape invalid.
            if let std::collections::btree_map::Entry::Vacant(slot) =
                by_mac.entry(device.mac.clone())
            {
                slot.insert(device);
                added = true;
            }
        }
        if added {
            entries += 1;
            if text(record, "activity").as_deref() == Some("1") {
                active_entries += 1;
            }
        }
    }
    let mut notes = skipped.notes();
    if full {
        notes.push(format!(
            "known_device_list: more than {MAX_DEVICES} devices; the first {MAX_DEVICES} are kept"
        ));
    }

    // A row that names no known device is never guessed into a device's
    // numbers.
    for row in rate.iter().filter_map(object) {
        let Some(mac) = mac_of(row, "mac") else {
            continue;
        };
        let (Some(rx), Some(tx)) = (
            text(row, "rx").and_then(|v| parse_u64(&v)),
            text(row, "tx").and_then(|v| parse_u64(&v)),
        ) else {
            log::debug!("{PATH}: rate row for {mac} has no numeric rx/tx");
            continue;
        };
        match by_mac.get_mut(&mac) {
            // The device's own field says whether a row was joined already,
            // so the join stays linear in the page's rows.
            Some(device) if device.traffic.is_some() => {
                log::debug!("{PATH}: second rate row for {mac} ignored");
            }
            Some(device) => {
                device.traffic = Some(Traffic {
                    rx_bytes: rx,
                    tx_bytes: tx,
                });
            }
            None => {
                log::debug!("{PATH}: rate row for {mac} matches no known device");
            }
        }
    }

    Ok(Devices {
        devices: by_mac.into_values().collect(),
        entries,
        active_entries,
        notes,
    })
}

/// Entries of `known_device_list` read only in part because a string was
/// cut: counted for a note.
#[derive(Default)]
struct Skipped {
    /// Entries whose `mac` was cut: whether it lists more MACs past the cut
    /// cannot be told, so the entry is skipped.
    cut_macs: usize,
    /// Grouped entries with a cut `ip`, `port` or `activity_*` list: those
    /// lists are not split (the cut one would match the wrong MACs).
    cut_lists: usize,
}

impl Skipped {
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.cut_macs > 0 {
            notes.push(format!(
                "known_device_list: {} entries with a mac longer than the reader keeps were skipped",
                self.cut_macs
            ));
        }
        if self.cut_lists > 0 {
            notes.push(format!(
                "known_device_list: {} grouped entries had an ip, port or activity list longer than the reader keeps; it was left unsplit",
                self.cut_lists
            ));
        }
        notes
    }
}

/// Whether a field holds a string the reader cut.
fn is_cut(record: &Record, key: &str) -> bool {
    record
        .iter()
        .any(|(k, v)| k == key && matches!(v, Lit::Cut(_)))
}

/// One device per MAC. The EE firmware groups a device's random MACs in one
/// entry, with `mac`, `ip` and `port` holding comma-separated lists of equal
/// length; a list whose length does not match is not split but left empty
/// rather than guessed, and so is a list the reader cut.
fn split_group(record: &Record, skipped: &mut Skipped) -> Vec<Device> {
    if is_cut(record, "mac") {
        skipped.cut_macs += 1;
        return Vec::new();
    }
    let Some(macs) = text(record, "mac") else {
        log::debug!("{PATH}: a known_device_list entry has no mac; skipped");
        return Vec::new();
    };
    let macs: Vec<String> = macs
        .split(',')
        .map(normalise_mac)
        .filter(|m| !m.is_empty())
        .collect();
    let n = macs.len();
    let list_keys = [
        "ip",
        "port",
        "activity_ip",
        "activity_ipv6_ll",
        "activity_ipv6",
    ];
    if n > 1 && list_keys.iter().any(|k| is_cut(record, k)) {
        skipped.cut_lists += 1;
    }
    // Each field is decoded and split once per entry, not once per MAC: a
    // grouped entry can list a thousand MACs.
    let parts = |key: &str| -> Vec<String> {
        if n == 1 {
            return vec![label_text(record, key, false).unwrap_or_default()];
        }
        let Some(v) = text(record, key) else {
            return vec![String::new(); n];
        };
        let split: Vec<&str> = v.split(',').collect();
        match split.len() {
            len if len == n => split.into_iter().map(label).collect(),
            1 => vec![label(&v); n],
            _ => vec![String::new(); n],
        }
    };
    let shared = |key: &str| -> String { label_text(record, key, false).unwrap_or_default() };
    let (ips, ports) = (parts("ip"), parts("port"));
    let (mut hostname, mut name, mut os, mut kind) = (
        shared("hostname"),
        shared("name"),
        shared("os"),
        shared("device"),
    );
    let active = text(record, "activity").and_then(|a| match a.as_str() {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    });
    // `activity` belongs to the whole entry; for a group, the per-MAC
    // `activity_ip`, `activity_ipv6_ll` and `activity_ipv6` lists say which
    // MAC is in use now. When they single none out, which MAC the device
    // is using is unknown, and stays so.
    let mut in_use = vec![false; n];
    if n > 1 {
        for key in ["activity_ip", "activity_ipv6_ll", "activity_ipv6"] {
            let Some(v) = text(record, key) else { continue };
            let flags: Vec<&str> = v.split(',').collect();
            if flags.len() == n {
                for (slot, flag) in in_use.iter_mut().zip(flags) {
                    *slot |= flag == "1";
                }
            }
        }
    }
    let singled_out = in_use.iter().any(|&b| b);
    let active_of = |i: usize| match active {
        Some(true) if n > 1 => singled_out.then_some(in_use[i]),
        other => other,
    };
    // The entry's shared fields are moved into its last device and cloned
    // for the others: most entries hold one MAC.
    let mut devices = Vec::with_capacity(n);
    for (i, ((mac, ip), port)) in macs.into_iter().zip(ips).zip(ports).enumerate() {
        let last = i + 1 == n;
        let copy = |s: &mut String| {
            if last {
                std::mem::take(s)
            } else {
                s.clone()
            }
        };
        devices.push(Device {
            mac,
            hostname: copy(&mut hostname),
            ip,
            name: copy(&mut name),
            active: active_of(i),
            port: port_name(port),
            os: copy(&mut os),
            kind: copy(&mut kind),
            traffic: None,
        });
    }
    devices
}

/// A port as the hub names it (`eth1`, `wl0`, `ath1`, `eth0_5`, `NA`), or
/// empty: a grouped EE entry's list sometimes runs into a date
/// (`eth02019/12/05 10:14:46`), which is no port.
fn port_name(p: String) -> String {
    let ok = p.len() <= 16
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if ok {
        p
    } else {
        String::new()
    }
}

/// Multiples of a replay's advance ([`advance`]): `rate` row `j` (from 0,
/// in page order) has the multiple `m = 1 + j % ADVANCE_CYCLE`; its `rx`
/// (what the device downloaded) moves by `ADVANCE_RX × m` steps a read,
/// its `tx` by `m`.
pub const ADVANCE_RX: u64 = 4;
pub const ADVANCE_CYCLE: u64 = 4;

/// The page with its devices' byte counters moved by `step` × their
/// multiples, for a replay whose recording asks for counters that move
/// (`replay-advance`); a negative `step` moves them back, for the reads
/// before the recording (`replay-day`). Pure: bytes in, bytes out; only the
/// digits of the counters change, nothing else of the page's syntax, so
/// [`parse`] reads the moved page as it reads a live one.
///
/// Every `var rate = [..]` at the start of a statement: each record's
/// `tx:'N'` and `rx:'N'` (quoted digits, as the hub writes them), by its
/// row's multiples (see [`ADVANCE_RX`]). Strings and comments are skipped as
/// JavaScript reads them, so a `tx:` inside a name is no field. A counter
/// that would pass `u64::MAX` or go below 0 stays as recorded.
pub fn advance(page: &[u8], step: i64) -> Vec<u8> {
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for open in declarations(page, b"rate") {
        for (key, row, start, end, value) in quoted_counters(page, open) {
            let m = 1 + row % ADVANCE_CYCLE;
            let multiple = match key {
                Counter::Rx => ADVANCE_RX * m,
                Counter::Tx => m,
            };
            if let Some(v) = advance_counter(value, step, multiple) {
                edits.push((start, end, v.to_string()));
            }
        }
    }
    let mut out = Vec::with_capacity(page.len() + 16 * edits.len());
    let mut at = 0;
    for (start, end, digits) in edits {
        out.extend_from_slice(&page[at..start]);
        out.extend_from_slice(digits.as_bytes());
        at = end;
    }
    out.extend_from_slice(&page[at..]);
    out
}

/// After each `var NAME = [` at the start of a statement: the offset just
/// past its `[`.
fn declarations(page: &[u8], name: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&page[from..], name).map(|a| from + a) {
        from = at + name.len();
        let before = trim_end(&page[..at]);
        let Some(head) = before.strip_suffix(b"var") else {
            continue;
        };
        let spaced = before.len() < at;
        // The hub ends some lines without `;`: a line break starts a
        // statement too.
        let code = trim_end(head);
        let statement_start = head[code.len()..].contains(&b'\n')
            || code.last().map_or(true, |&b| matches!(b, b';' | b'}'));
        if !spaced || !statement_start {
            continue;
        }
        let after = skip_space(page, from);
        if page.get(after) != Some(&b'=') {
            continue;
        }
        let after = skip_space(page, after + 1);
        if page.get(after) == Some(&b'[') {
            found.push(after + 1);
        }
    }
    found
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Counter {
    Tx,
    Rx,
}

/// In the array whose `[` ends just before `open`: each record's `tx:'N'`
/// and `rx:'N'` as (counter, row, start and end of the digits, value).
fn quoted_counters(page: &[u8], open: usize) -> Vec<(Counter, u64, usize, usize, u64)> {
    let mut found = Vec::new();
    let mut depth = 1usize;
    let mut row: Option<u64> = None;
    let mut expect_key = false;
    let mut i = open;
    while i < page.len() && depth > 0 {
        let c = page[i];
        match c {
            b'\'' | b'"' => {
                i = string_end(page, i);
                expect_key = false;
                continue;
            }
            b'/' if matches!(page.get(i + 1), Some(b'/') | Some(b'*')) => {
                i = comment_end(page, i);
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if c == b'{' && depth == 2 {
                    row = Some(row.map_or(0, |r| r + 1));
                }
                expect_key = c == b'{' && depth == 2;
            }
            b']' | b'}' => {
                depth -= 1;
                expect_key = false;
            }
            b',' => expect_key = depth == 2,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if expect_key && is_ident(c) => {
                let end = i + page[i..].iter().take_while(|&&b| is_ident(b)).count();
                let key = match &page[i..end] {
                    b"tx" => Some(Counter::Tx),
                    b"rx" => Some(Counter::Rx),
                    _ => None,
                };
                expect_key = false;
                let colon = skip_space(page, end);
                if let (Some(key), Some(b':')) = (key, page.get(colon)) {
                    let q = skip_space(page, colon + 1);
                    if let Some(&quote @ (b'\'' | b'"')) = page.get(q) {
                        let start = q + 1;
                        let stop = start
                            + page[start..]
                                .iter()
                                .take_while(|b| b.is_ascii_digit())
                                .count();
                        let value = std::str::from_utf8(&page[start..stop])
                            .ok()
                            .and_then(parse_u64);
                        if let (Some(v), Some(&b)) = (value, page.get(stop)) {
                            if b == quote {
                                found.push((key, row.unwrap_or(0), start, stop, v));
                            }
                        }
                    }
                }
                i = end;
                continue;
            }
            _ => expect_key = false,
        }
        i += 1;
    }
    found
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Past the string that opens at `i` (an unclosed one runs to the end).
fn string_end(page: &[u8], i: usize) -> usize {
    let quote = page[i];
    let mut j = i + 1;
    while j < page.len() {
        match page[j] {
            b'\\' => j += 2,
            b if b == quote || b == b'\n' => return j + 1,
            _ => j += 1,
        }
    }
    page.len()
}

/// Past the `//` or `/*` comment that opens at `i`.
fn comment_end(page: &[u8], i: usize) -> usize {
    if page[i + 1] == b'/' {
        find(&page[i..], b"\n").map_or(page.len(), |e| i + e + 1)
    } else {
        find(&page[i + 2..], b"*/").map_or(page.len(), |e| i + 2 + e + 2)
    }
}

fn skip_space(page: &[u8], mut i: usize) -> usize {
    while page.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

fn trim_end(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    &s[..s.len() - n]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::MAX_LABEL_BYTES;
    use crate::script::literal::parse as lit;

    fn build(known: &str, rate: &str) -> Devices {
        from_lists(&lit(known).unwrap(), &lit(rate).unwrap()).unwrap()
    }

    #[test]
    fn a_mac_longer_than_a_label_still_joins_its_rate_row() {
        let long = format!("{}1", "a".repeat(MAX_LABEL_BYTES));
        let d = build(
            &format!("[{{mac:'{long}',hostname:'h'}}]"),
            &format!("[{{mac:'{}',rx:'5',tx:'6'}}]", long.to_uppercase()),
        );
        assert_eq!(d.devices.len(), 1);
        assert_eq!(d.devices[0].mac.len(), MAX_LABEL_BYTES);
        assert_eq!(
            d.devices[0].traffic,
            Some(Traffic {
                rx_bytes: 5,
                tx_bytes: 6
            })
        );
    }

    #[test]
    fn joins_rates_by_mac_case_insensitively() {
        let d = build(
            "[{mac:'F8%3A32%3AE4%3A9E%3AA4%3A89',hostname:'jl%2Dquail',ip:'192%2E168%2E0%2E107',activity:'1'},{mac:'E4%3AF0%3A42%3A81%3AF6%3A30',hostname:'Chromecast',ip:'192%2E168%2E0%2E71',activity:'0'},null]",
            "[{timestamp:'0',app:'4294967295',mac:'f8%3A32%3Ae4%3A9e%3Aa4%3A89',tx:'1313609',rx:'8765641'},null]",
        );
        assert_eq!(d.devices.len(), 2);
        assert_eq!(d.devices[0].mac, "E4:F0:42:81:F6:30");
        assert_eq!(d.devices[0].traffic, None);
        assert_eq!(d.devices[0].active, Some(false));
        assert_eq!(d.devices[1].hostname, "jl-quail");
        assert_eq!(d.devices[1].ip, "192.168.0.107");
        assert_eq!(
            d.devices[1].traffic,
            Some(Traffic {
                rx_bytes: 8765641,
                tx_bytes: 1313609
            })
        );
    }

    #[test]
    fn never_guesses_numbers() {
        let d = build(
            "[{mac:'AA'},{hostname:'no mac'},{mac:'BB'},null]",
            "[{mac:'cc',tx:'1',rx:'2'},{mac:'aa',tx:'x',rx:'2'},{mac:'bb',tx:'18446744073709551615',rx:'5000000000'},{mac:'bb',tx:'1',rx:'1'},null]",
        );
        assert_eq!(d.devices.len(), 2);
        assert_eq!(d.devices[0].traffic, None, "non-numeric tx stays absent");
        assert_eq!(
            d.devices[1].traffic,
            Some(Traffic {
                rx_bytes: 5_000_000_000,
                tx_bytes: u64::MAX
            })
        );
    }

    #[test]
    fn splits_grouped_entries() {
        let d = build(
            "[{mac:'8A%3AA4%2C82%3AE7%2CF0%3A8A',hostname:'h3',ip:'1%2E1%2C2%2E2%2C3%2E3',port:'ath1%2Cath0',activity:'1'},null]",
            "[{mac:'82:e7',tx:'1',rx:'2'}]",
        );
        let macs: Vec<_> = d.devices.iter().map(|d| d.mac.as_str()).collect();
        assert_eq!(macs, ["82:E7", "8A:A4", "F0:8A"]);
        assert_eq!(d.devices[0].ip, "2.2");
        assert_eq!(
            d.devices[0].port, "",
            "two ports for three MACs are not guessed"
        );
        assert_eq!(d.devices[0].hostname, "h3");
        assert!(d.devices[0].traffic.is_some());
        assert!(d.devices[1].traffic.is_none());
    }

    #[test]
    fn duplicate_macs_keep_the_first_and_labels_are_bounded() {
        let long = "%C3%A9".repeat(200);
        let d = build(&format!("[{{mac:'aa',hostname:'first'}},{{mac:'AA',hostname:'second'}},{{mac:'bb',hostname:'{long}'}}]"), "[]");
        assert_eq!(d.devices.len(), 2);
        assert_eq!(d.devices[0].hostname, "first");
        assert!(d.devices[1].hostname.len() <= MAX_LABEL_BYTES);
        assert!(d.devices[1].hostname.chars().all(|c| c == 'é'));
    }

    #[test]
    fn devices_are_capped() {
        let record = |i: usize| {
            Lit::Object(vec![
                ("mac".into(), Lit::Str(format!("{i:012X}"))),
                ("hostname".into(), Lit::Str(format!("d{i}"))),
            ])
        };
        let known = Lit::Array((0..MAX_DEVICES + 10).map(record).collect());
        let d = from_lists(&known, &Lit::Array(vec![])).unwrap();
        assert_eq!(d.devices.len(), MAX_DEVICES);
        // Grouped entries count one device per MAC.
        let macs: Vec<String> = (0..MAX_DEVICES + 10).map(|i| format!("{i:X}")).collect();
        let group = Lit::Object(vec![("mac".into(), Lit::Str(macs.join("%2C")))]);
        let d = from_lists(&Lit::Array(vec![group]), &Lit::Array(vec![])).unwrap();
        assert_eq!(d.devices.len(), MAX_DEVICES);
    }

    #[test]
    fn numbers_and_odd_types() {
        let d = build(
            "[{mac:'AA',hostname:7,ip:true},1,'x',[1]]",
            "[{mac:'aa',tx:10,rx:20.5}]",
        );
        assert_eq!(d.devices.len(), 1);
        assert_eq!(d.devices[0].hostname, "7");
        assert_eq!(d.devices[0].ip, "");
        assert_eq!(d.devices[0].traffic, None);
    }

    #[test]
    fn wrong_shapes_are_errors() {
        assert!(from_lists(&Lit::Str("x".into()), &Lit::Array(vec![])).is_err());
        assert!(from_lists(&Lit::Array(vec![]), &Lit::Null).is_err());
        assert_eq!(build("[null]", "[null]"), Devices::default());
    }

    const RATES: &str = "var known_device_list=[{mac:'A',name:'tx:\\'5\\'',tx:'9'},null];\n\
var rate = [{timestamp:'0',app:'4294967295',mac:'a',tx:'100',rx:'1000'},\n\
{mac:'b', tx : \"200\" ,rx:'2000'}, /* rx:'7' */ {mac:'c',tx:'x',rx:'3000'},{mac:'d',tx:'1',rx:'1'},{mac:'e',tx:'5',rx:'5'},\n\
null];\naddCfg(\"a\",1,'tx:\\'1\\'');\nvar later = [{tx:'4'}];\n";

    #[test]
    fn the_advance_moves_rate_rows_by_their_multiple_and_nothing_else() {
        let moved = String::from_utf8(advance(RATES.as_bytes(), 20)).unwrap();
        let want = RATES
            .replace("tx:'100',rx:'1000'", "tx:'120',rx:'1080'")
            .replace("tx : \"200\" ,rx:'2000'", "tx : \"240\" ,rx:'2160'")
            .replace("tx:'x',rx:'3000'", "tx:'x',rx:'3240'")
            .replace("tx:'1',rx:'1'", "tx:'81',rx:'321'")
            // The fifth row starts the cycle again.
            .replace("tx:'5',rx:'5'", "tx:'25',rx:'85'");
        assert_eq!(moved, want);
    }

    #[test]
    fn the_advance_counts_only_declarations_at_a_statement_start() {
        for page in [
            "x='var rate = [{tx:\\'1\\'}]';",
            "var rates = [{tx:'1'}];",
            "var x = 1; foovar rate = [{tx:'1'}];",
            "var rate = 5;",
        ] {
            assert_eq!(advance(page.as_bytes(), 10), page.as_bytes(), "{page}");
        }
        let moved = advance(b"var a=1;var rate=[{tx:'1'}];", 10);
        assert_eq!(moved, b"var a=1;var rate=[{tx:'11'}];");
    }

    #[test]
    fn a_negative_advance_takes_the_counters_back_and_none_below_0() {
        let back = String::from_utf8(advance(RATES.as_bytes(), -20)).unwrap();
        let want = RATES
            .replace("tx:'100',rx:'1000'", "tx:'80',rx:'920'")
            .replace("tx : \"200\" ,rx:'2000'", "tx : \"160\" ,rx:'1840'")
            .replace("tx:'x',rx:'3000'", "tx:'x',rx:'2760'");
        // Rows 4 and 5 (`1`, `5`) would go below 0: as recorded.
        assert_eq!(back, want);
        // Each counter on its own: tx would go below 0, rx need not.
        let moved = advance(b"var rate=[{tx:'5',rx:'100000'}];", -10000);
        assert_eq!(moved, b"var rate=[{tx:'5',rx:'60000'}];");
        let low = b"var rate=[{tx:'1',rx:'1'}];";
        assert_eq!(advance(low, i64::MIN), low);
    }
}
