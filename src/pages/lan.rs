//! `/cgi/cgi_basicMyDevice.js`: the hub's known devices and their traffic.
//!
//! The page is JavaScript: `var known_device_list=[{mac:'..',...},null]`,
//! `var rate=[{mac:'..',tx:'..',rx:'..'},null]` and hundreds of
//! `addCfg(...)` calls. [`crate::script`] reads the two lists; this module
//! turns them into devices: percent-decoded, grouped entries split into one
//! device per MAC, and traffic joined by MAC, case-insensitively.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use super::{
    advance_counter, cut_utf8, field_label, field_text, find, label, label_text, mac_of,
    normalise_mac, object, parse_u64, parse_u64_utf8, text, trim_utf8, ParseError, Record,
    MAX_LABEL_BYTES,
};
use crate::script::{self, Field, Found, Lit, Shape};

pub const PATH: &str = "/cgi/cgi_basicMyDevice.js";
/// The EE Smart Hub's page of the same lists (`known_device_list`, `rate`),
/// read the same way; it adds `arp_entry` and `sys_up_time`, unread.
pub const EE_PATH: &str = "/cgi/cgi_myNetwork.js";

/// Devices kept from one page, after splitting grouped entries.
pub const MAX_DEVICES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Upper-case, as the hub writes it in `known_device_list`.
    pub mac: Label,
    /// The DHCP hostname (the Go exporter's `hostname` label).
    pub hostname: Label,
    pub ip: Label,
    /// The user-editable name (`unknown_<MAC>` when never set).
    pub name: Label,
    /// Connected now (`activity`), when the hub says. For a MAC of a
    /// grouped entry, whether *this* MAC is the one in use (see
    /// [`split_group`]).
    pub active: Option<bool>,
    /// `eth1`..`eth4`, `wl0`, `wl1`, `NA`...; empty when the hub's value is
    /// not a port name (the EE firmware sometimes runs a date into it).
    pub port: Label,
    pub os: Label,
    /// The hub's guess at the device type (`PC`, `Smartphone`, `WIFIEX`...).
    pub kind: Label,
    /// Bytes since the hub started counting; `None` when the page has no
    /// `rate` row for this device (it lists only active ones).
    pub traffic: Option<Traffic>,
}

/// A device's label: a piece of the one text that holds every label of a
/// page's devices, decoded and cut, one after another. A page's devices
/// hold 1,750 labels at 250 devices; one allocation for all of them, not
/// one each, is what keeps a scrape's allocations to a handful. An `Arc`:
/// the devices go on to the listener thread in the scrape's report.
#[derive(Clone)]
pub struct Label {
    text: Arc<String>,
    start: u32,
    end: u32,
}

impl Label {
    pub fn as_str(&self) -> &str {
        &self.text[self.start as usize..self.end as usize]
    }
}

impl From<String> for Label {
    fn from(s: String) -> Self {
        let end = s.len() as u32;
        Label {
            text: Arc::new(s),
            start: 0,
            end,
        }
    }
}

impl From<&str> for Label {
    fn from(s: &str) -> Self {
        Label::from(s.to_owned())
    }
}

impl Deref for Label {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Label {
    fn eq(&self, other: &Label) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Label {}

impl PartialEq<str> for Label {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Label {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<Label> for String {
    fn eq(&self, other: &Label) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Label> for &str {
    fn eq(&self, other: &Label) -> bool {
        *self == other.as_str()
    }
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

/// The fields [`from_lists`] and [`Builder`] read from a
/// `known_device_list` record.
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
/// The fields [`from_lists`] and [`Builder`] read from a `rate` row.
pub const RATE_FIELDS: &[&str] = &["mac", "tx", "rx"];

/// Where a field is in its record's [`script::Field`]s.
const fn index(fields: &[&str], name: &str) -> usize {
    let mut i = 0;
    while i < fields.len() {
        let (f, n) = (fields[i].as_bytes(), name.as_bytes());
        if f.len() == n.len() {
            let mut j = 0;
            while j < f.len() && f[j] == n[j] {
                j += 1;
            }
            if j == f.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("not a field of the record")
}

const MAC: usize = index(DEVICE_FIELDS, "mac");
const HOSTNAME: usize = index(DEVICE_FIELDS, "hostname");
const IP: usize = index(DEVICE_FIELDS, "ip");
const NAME: usize = index(DEVICE_FIELDS, "name");
const ACTIVITY: usize = index(DEVICE_FIELDS, "activity");
const OS: usize = index(DEVICE_FIELDS, "os");
const KIND: usize = index(DEVICE_FIELDS, "device");
const PORT: usize = index(DEVICE_FIELDS, "port");
/// The per-MAC activity flags of a grouped entry.
const IN_USE: [usize; 3] = [
    index(DEVICE_FIELDS, "activity_ip"),
    index(DEVICE_FIELDS, "activity_ipv6_ll"),
    index(DEVICE_FIELDS, "activity_ipv6"),
];
/// The fields a grouped entry lists per MAC.
const LISTS: [usize; 5] = [IP, PORT, IN_USE[0], IN_USE[1], IN_USE[2]];
const RATE_MAC: usize = index(RATE_FIELDS, "mac");
const TX: usize = index(RATE_FIELDS, "tx");
const RX: usize = index(RATE_FIELDS, "rx");

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

/// The page's devices, read by the build's reader ([`script::read_records`]:
/// the engine in the `js` build) straight into a [`Builder`]. The body is
/// the engine's to run where it is: it may be left changed.
pub fn parse(body: &mut Vec<u8>, deadline: Instant) -> Result<Devices, ParseError> {
    let mut builder = Builder::default();
    let found = script::read_records(body, &VARS, deadline, &mut builder)
        .map_err(|e| ParseError::page(e.to_string()))?;
    builder.devices(found)
}

/// What [`parse`] makes of the two lists read as values ([`script::read`],
/// [`script::read_data`]): the same devices, notes and errors as from
/// their records, the slow way (for the tests and the fuzz targets).
pub fn from_values(read: script::Values) -> Result<Devices, ParseError> {
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

/// Builds the devices from the page's two lists, read as values: what
/// [`Builder`] builds from the same lists' records (the tests and the fuzz
/// targets hold the two to each other).
pub fn from_lists(known: &Lit, rate: &Lit) -> Result<Devices, ParseError> {
    let Lit::Array(known) = known else {
        return Err(ParseError::field("known_device_list", "is not an array"));
    };
    let Lit::Array(rate) = rate else {
        return Err(ParseError::field("rate", "is not an array"));
    };

    let mut by_mac: BTreeMap<String, Whole> = BTreeMap::new();
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
        devices: by_mac
            .into_values()
            .map(|d| Device {
                mac: d.mac.into(),
                hostname: d.hostname.into(),
                ip: d.ip.into(),
                name: d.name.into(),
                active: d.active,
                port: d.port.into(),
                os: d.os.into(),
                kind: d.kind.into(),
                traffic: d.traffic,
            })
            .collect(),
        entries,
        active_entries,
        notes,
    })
}

/// A label's place in [`Builder`]'s text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

/// A device as built, its labels in the builder's text.
#[derive(Debug, Clone, Copy)]
struct Row {
    mac: Span,
    hostname: Span,
    ip: Span,
    name: Span,
    port: Span,
    os: Span,
    kind: Span,
    active: Option<bool>,
    traffic: Option<Traffic>,
}

/// Builds the devices from the records a reader hands over
/// ([`script::Records`]), as [`from_lists`] builds them from the lists as
/// values: every label percent-decoded once, straight into one text, and
/// the devices indexed by MAC in one sorted list.
#[derive(Debug, Default)]
pub struct Builder {
    /// Every label, one after another; UTF-8, as each is.
    text: Vec<u8>,
    rows: Vec<Row>,
    /// Indices into `rows`, sorted by MAC: one row per MAC.
    by_mac: Vec<u32>,
    entries: usize,
    active_entries: usize,
    skipped: Skipped,
    /// More than [`MAX_DEVICES`] devices: the records after are not read.
    full: bool,
    /// `rate` rows with a MAC and both counters, in page order: joined once
    /// both lists are read (the literal reader meets them in page order).
    rates: Vec<(Span, Traffic)>,
    /// A field decoded, to be split or compared.
    decoded: Vec<u8>,
    /// Per MAC of the entry being built.
    macs: Vec<Span>,
    ips: Vec<Span>,
    ports: Vec<Span>,
    in_use: Vec<bool>,
}

impl script::Records for Builder {
    fn reset(&mut self, var: usize) {
        if var == 0 {
            self.rows.clear();
            self.by_mac.clear();
            self.entries = 0;
            self.active_entries = 0;
            self.skipped = Skipped::default();
            self.full = false;
        } else {
            self.rates.clear();
        }
    }

    fn record(&mut self, var: usize, fields: &[Field<'_>]) {
        if var == 0 {
            self.entry(fields);
        } else {
            self.rate(fields);
        }
    }
}

impl Builder {
    /// The devices of what [`script::read_records`] (or
    /// [`script::read_data_records`]) read of [`VARS`] into this builder:
    /// the checks and notes of [`parse`] as it reads values.
    pub fn devices(mut self, found: Found) -> Result<Devices, ParseError> {
        let (known, rate) = (found.shapes[0], found.shapes[1]);
        if known == Shape::Undefined {
            return Err(ParseError::field(
                "known_device_list",
                "not defined by the page",
            ));
        }
        if rate == Shape::Undefined {
            return Err(ParseError::field("rate", "not defined by the page"));
        }
        if known == Shape::Other {
            return Err(ParseError::field("known_device_list", "is not an array"));
        }
        if rate == Shape::Other {
            return Err(ParseError::field("rate", "is not an array"));
        }
        // A row that names no known device is never guessed into a
        // device's numbers.
        for &(mac, traffic) in &self.rates {
            let text = &self.text;
            let mac_text = || String::from_utf8_lossy(&text[span(mac)]);
            match find_mac(&self.by_mac, &self.rows, text, mac) {
                // The device's own field says whether a row was joined
                // already, so the join stays linear in the page's rows.
                Ok(i) if self.rows[self.by_mac[i] as usize].traffic.is_some() => {
                    log::debug!("{PATH}: second rate row for {} ignored", mac_text());
                }
                Ok(i) => self.rows[self.by_mac[i] as usize].traffic = Some(traffic),
                Err(_) => {
                    log::debug!(
                        "{PATH}: rate row for {} matches no known device",
                        mac_text()
                    );
                }
            }
        }
        let mut notes = found.notes;
        notes.extend(self.skipped.notes());
        if self.full {
            notes.push(format!(
                "known_device_list: more than {MAX_DEVICES} devices; the first {MAX_DEVICES} are kept"
            ));
        }
        let text = Arc::new(String::from_utf8(self.text).unwrap_or_else(|e| {
            // Never: each label is written as UTF-8.
            String::from_utf8_lossy(e.as_bytes()).into_owned()
        }));
        let label = |s: Span| Label {
            text: Arc::clone(&text),
            start: s.start,
            end: s.end,
        };
        let devices = self
            .by_mac
            .iter()
            .map(|&i| {
                let r = &self.rows[i as usize];
                Device {
                    mac: label(r.mac),
                    hostname: label(r.hostname),
                    ip: label(r.ip),
                    name: label(r.name),
                    active: r.active,
                    port: label(r.port),
                    os: label(r.os),
                    kind: label(r.kind),
                    traffic: r.traffic,
                }
            })
            .collect();
        Ok(Devices {
            devices,
            entries: self.entries,
            active_entries: self.active_entries,
            notes,
        })
    }

    /// The span of what was written to the text since `start`.
    fn since(&self, start: usize) -> Span {
        Span {
            start: start as u32,
            end: self.text.len() as u32,
        }
    }

    /// A field as a label ([`label_text`]), or an empty one.
    fn label(&mut self, f: Field<'_>) -> Span {
        let start = self.text.len();
        field_label(f, false, &mut self.text);
        self.since(start)
    }

    /// A piece of a decoded list as a label ([`label`]).
    fn piece(text: &mut Vec<u8>, piece: &[u8]) -> Span {
        let start = text.len();
        text.extend_from_slice(&piece[..cut_utf8(piece, MAX_LABEL_BYTES)]);
        Span {
            start: start as u32,
            end: text.len() as u32,
        }
    }

    /// A field decoded into `decoded` ([`text`]): whether it has a text.
    fn decode(&mut self, f: Field<'_>) -> bool {
        self.decoded.clear();
        field_text(f, &mut self.decoded)
    }

    /// One `known_device_list` record: [`split_group`], then the devices
    /// deduplicated by MAC as [`from_lists`] does.
    fn entry(&mut self, f: &[Field<'_>]) {
        if self.full {
            return;
        }
        if matches!(f[MAC], Field::Str { cut: true, .. }) {
            self.skipped.cut_macs += 1;
            return;
        }
        if !self.decode(f[MAC]) {
            log::debug!("{PATH}: a known_device_list entry has no mac; skipped");
            return;
        }
        self.macs.clear();
        for mac in self.decoded.split(|&b| b == b',') {
            let mac = trim_utf8(mac);
            if mac.is_empty() {
                continue;
            }
            let span = Self::piece(&mut self.text, mac);
            self.text[span.start as usize..].make_ascii_uppercase();
            self.macs.push(span);
        }
        let n = self.macs.len();
        if n == 0 {
            return;
        }
        let cut = |i: usize| matches!(f[i], Field::Str { cut: true, .. });
        if n > 1 && LISTS.into_iter().any(cut) {
            self.skipped.cut_lists += 1;
        }
        // Each field is decoded and split once per entry, not once per MAC:
        // a grouped entry can list a thousand MACs.
        let mut ips = std::mem::take(&mut self.ips);
        let mut ports = std::mem::take(&mut self.ports);
        self.parts(f[IP], n, &mut ips);
        self.parts(f[PORT], n, &mut ports);
        for p in &mut ports {
            if !is_port_name(&self.text[span(*p)]) {
                *p = Span::default();
            }
        }
        let (hostname, name, os, kind) = (
            self.label(f[HOSTNAME]),
            self.label(f[NAME]),
            self.label(f[OS]),
            self.label(f[KIND]),
        );
        let active = if self.decode(f[ACTIVITY]) {
            match &self.decoded[..] {
                b"1" => Some(true),
                b"0" => Some(false),
                _ => None,
            }
        } else {
            None
        };
        // `activity` belongs to the whole entry; for a group, the per-MAC
        // lists say which MAC is in use now (see `split_group`).
        self.in_use.clear();
        self.in_use.resize(n, false);
        if n > 1 {
            for key in IN_USE {
                if !self.decode(f[key]) {
                    continue;
                }
                let flags = || self.decoded.split(|&b| b == b',');
                if flags().count() == n {
                    for (slot, flag) in self.in_use.iter_mut().zip(flags()) {
                        *slot |= flag == b"1";
                    }
                }
            }
        }
        let singled_out = self.in_use.iter().any(|&b| b);
        let mut added = false;
        for i in 0..n {
            if self.by_mac.len() == MAX_DEVICES {
                self.full = true;
                break;
            }
            let mac = self.macs[i];
            // A MAC listed twice keeps its first entry: two series with the
            // same labels would make the whole scrape invalid.
            let Err(at) = find_mac(&self.by_mac, &self.rows, &self.text, mac) else {
                continue;
            };
            self.by_mac.insert(at, self.rows.len() as u32);
            self.rows.push(Row {
                mac,
                hostname,
                ip: ips[i],
                name,
                port: ports[i],
                os,
                kind,
                active: match active {
                    Some(true) if n > 1 => singled_out.then_some(self.in_use[i]),
                    other => other,
                },
                traffic: None,
            });
            added = true;
        }
        self.ips = ips;
        self.ports = ports;
        if added && !self.full {
            self.entries += 1;
            if active == Some(true) {
                self.active_entries += 1;
            }
        }
    }

    /// A list field of a grouped entry, one label per MAC (`split_group`'s
    /// `parts`).
    fn parts(&mut self, f: Field<'_>, n: usize, out: &mut Vec<Span>) {
        out.clear();
        if n == 1 {
            out.push(self.label(f));
            return;
        }
        if !self.decode(f) {
            out.resize(n, Span::default());
            return;
        }
        let pieces = || self.decoded.split(|&b| b == b',');
        match pieces().count() {
            len if len == n => {
                for piece in self.decoded.split(|&b| b == b',') {
                    out.push(Self::piece(&mut self.text, piece));
                }
            }
            1 => {
                let whole = Self::piece(&mut self.text, &self.decoded);
                out.resize(n, whole);
            }
            _ => out.resize(n, Span::default()),
        }
    }

    /// One `rate` row, kept until both lists are read.
    fn rate(&mut self, f: &[Field<'_>]) {
        let start = self.text.len();
        if !field_label(f[RATE_MAC], true, &mut self.text) {
            return;
        }
        self.text[start..].make_ascii_uppercase();
        let mac = self.since(start);
        let mut counter = |i: usize| {
            if self.decode(f[i]) {
                parse_u64_utf8(&self.decoded)
            } else {
                None
            }
        };
        let (Some(rx), Some(tx)) = (counter(RX), counter(TX)) else {
            log::debug!(
                "{PATH}: rate row for {} has no numeric rx/tx",
                String::from_utf8_lossy(&self.text[span(mac)])
            );
            return;
        };
        self.rates.push((
            mac,
            Traffic {
                rx_bytes: rx,
                tx_bytes: tx,
            },
        ));
    }
}

fn span(s: Span) -> std::ops::Range<usize> {
    s.start as usize..s.end as usize
}

/// Where the device with the MAC `mac` (a span of `text`) is in `by_mac`,
/// or where it would go.
fn find_mac(by_mac: &[u32], rows: &[Row], text: &[u8], mac: Span) -> Result<usize, usize> {
    let mac = &text[span(mac)];
    let of = |i: u32| &text[span(rows[i as usize].mac)];
    // Past the last, at once: a page that lists its devices in order.
    match by_mac.last() {
        Some(&last) if of(last) < mac => return Err(by_mac.len()),
        _ => {}
    }
    by_mac.binary_search_by(|&i| of(i).cmp(mac))
}

/// Entries of `known_device_list` read only in part because a string was
/// cut: counted for a note.
#[derive(Debug, Default)]
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
fn split_group(record: &Record, skipped: &mut Skipped) -> Vec<Whole> {
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
        devices.push(Whole {
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
    if is_port_name(p.as_bytes()) {
        p
    } else {
        String::new()
    }
}

fn is_port_name(p: &[u8]) -> bool {
    p.len() <= 16
        && p.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// A device as [`from_lists`] builds it, each label a string of its own.
struct Whole {
    mac: String,
    hostname: String,
    ip: String,
    name: String,
    active: Option<bool>,
    port: String,
    os: String,
    kind: String,
    traffic: Option<Traffic>,
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

/// The tests' generated pages.
#[cfg(test)]
#[path = "../../tests/support/pages.rs"]
#[allow(dead_code)]
mod test_pages;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::MAX_LABEL_BYTES;
    use crate::script::literal::parse as lit;

    fn build(known: &str, rate: &str) -> Devices {
        from_lists(&lit(known).unwrap(), &lit(rate).unwrap()).unwrap()
    }

    /// Each reader of the build, both ways: records into a [`Builder`],
    /// and values into [`from_lists`]. The same devices and notes, or the
    /// same error; the devices by the literal reader.
    fn both_ways(page: &[u8]) -> Result<Devices, String> {
        let text = |r: Result<Devices, ParseError>| r.map_err(|e| e.to_string());
        let values = from_values_or(script::read_data(page, &VARS));
        let mut b = Builder::default();
        let records = script::read_data_records(page, &VARS, &mut b)
            .map_err(|e| ParseError::page(e.to_string()))
            .and_then(|f| b.devices(f));
        let records = text(records);
        assert_eq!(records, text(values), "literal reader: {}", preview(page));
        #[cfg(feature = "js")]
        {
            let soon = Instant::now() + std::time::Duration::from_secs(5);
            let values = from_values_or(script::quickjs::read(page, &VARS, soon));
            let mut b = Builder::default();
            let engine = script::quickjs::read_records(&mut page.to_vec(), &VARS, soon, &mut b)
                .map_err(|e| ParseError::page(e.to_string()))
                .and_then(|f| b.devices(f));
            assert_eq!(text(engine), text(values), "QuickJS: {}", preview(page));
        }
        records
    }

    fn from_values_or(
        r: Result<script::Values, script::ScriptError>,
    ) -> Result<Devices, ParseError> {
        r.map_err(|e| ParseError::page(e.to_string()))
            .and_then(from_values)
    }

    fn preview(page: &[u8]) -> String {
        let s = String::from_utf8_lossy(page);
        s.chars().take(300).collect()
    }

    /// Every script page of the fixtures (whatever it holds: a page without
    /// the lists is refused alike), the fuzzers' saved findings, and the
    /// Go exporter's captures when at hand.
    #[test]
    fn records_and_values_agree_on_every_page_at_hand() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut dirs = vec![
            root.join("tests/fixtures"),
            root.join("fuzz/regressions"),
            root.join("demo/hub"),
        ];
        if let Some(shared) = std::env::var_os("SMARTHUB_SHARED_FIXTURES") {
            dirs.push(shared.into());
        }
        let mut n = 0;
        let mut read = 0;
        while let Some(d) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                    continue;
                }
                let raw = std::fs::read(&p).unwrap();
                // Captures carry publisher notes as `#` lines.
                let page: Vec<u8> = String::from_utf8_lossy(&raw)
                    .lines()
                    .filter(|l| !l.trim_start().starts_with('#'))
                    .collect::<Vec<_>>()
                    .join("\n")
                    .into_bytes();
                for page in [&raw, &page] {
                    if both_ways(page).is_ok_and(|d| !d.devices.is_empty()) {
                        read += 1;
                    }
                    n += 1;
                }
            }
        }
        assert!(n > 100 && read >= 10, "{n} pages, {read} with devices");
    }

    use super::test_pages;

    #[test]
    fn records_and_values_agree_on_generated_pages() {
        for n in [0, 1, 2, 250] {
            let page = test_pages::device_page(&test_pages::devices(n, 3));
            let d = both_ways(page.as_bytes()).unwrap();
            assert_eq!(d.devices.len(), n);
            // Declared twice, the later wins; `rate` first.
            let (known, rest) = page.split_once("var rate").unwrap();
            let swapped = format!(
                "var rate{rest}\n{known}\nvar known_device_list=[{{mac:'02:00:00:00:00:00'}}];\n"
            );
            let d = both_ways(swapped.as_bytes()).unwrap();
            assert_eq!(d.devices.len(), 1);
            assert_eq!(d.devices[0].traffic.is_some(), n > 0);
        }
    }

    #[test]
    fn records_and_values_agree_on_odd_records() {
        let long = "x".repeat(script::limits::MAX_STRING_BYTES + 3);
        let long_macs = vec!["A%3AB"; 1500].join("%2C");
        let essay = "%C3%A9".repeat(3000);
        // 4,096 numbers at 32 bytes each: 65 of them pass the budget.
        let arr = format!("[{}]", "1,".repeat(4096));
        let arrs = |n: usize| vec![arr.as_str(); n].join(",");
        for (page, want) in [
            // Duplicate keys, the last wins; numbers and other types.
            ("var known_device_list=[{mac:'AA',hostname:'a',hostname:'b',activity:1,ip:7,port:true,os:null,name:[1,{mac:'x'}]}];var rate=[{mac:'aa',tx:010,rx:0x10,rx:'5'}];".to_owned(), "1 devices"),
            // Holes, non-objects, nested values in wanted fields.
            ("var known_device_list=[,{mac:'A1'},,'s',[{mac:'B'}],null,{mac:{m:1}},undefined,{mac:'A2',ip:[[[1]]]}];var rate=[1,,{mac:'a1',tx:'1',rx:'2'},null];".to_owned(), "known_device_list: nested deeper than 4"),
            // Too deep in a wanted field; in an unwanted one it is not read.
            ("var known_device_list=[{mac:'A',ip:[[[[1]]]]}];var rate=[];".to_owned(), "known_device_list: nested deeper than 4"),
            ("var known_device_list=[{mac:'A',zz:[[[[1]]]]}];var rate=[];".to_owned(), "1 devices"),
            // Escapes and cuts.
            (format!("var known_device_list=[{{mac:'A\\x41',hostname:'{long}',name:'\\u00e9{essay}',ip:'1\\\n2'}},{{mac:'{long}'}},{{mac:'{long_macs}',ip:'{long}'}}];var rate=[{{mac:'aa',tx:'{long}',rx:'1'}}];"), "1 devices: known_device_list: 5 strings longer than 4096 bytes were cut; rate: a string longer than 4096 bytes was cut; known_device_list: 2 entries with a mac longer"),
            // Lone surrogates, non-UTF-8 bytes.
            ("var known_device_list=[{mac:'A',hostname:'\\uD800x\\uDFFF'}];var rate=[];".to_owned(), "1 devices"),
            // Undefined, redeclared, not arrays.
            ("var known_device_list=[{mac:'A'}];var known_device_list;var rate=[];".to_owned(), "1 devices"),
            ("var known_device_list=[{mac:'A'}];var known_device_list=undefined;var rate=[];".to_owned(), "field known_device_list: not defined by the page"),
            ("var known_device_list={mac:'A'};var rate=[];".to_owned(), "field known_device_list: is not an array"),
            ("var known_device_list=[];var rate='x';".to_owned(), "field rate: is not an array"),
            ("var rate=[];".to_owned(), "field known_device_list: not defined by the page"),
            ("var known_device_list=[];".to_owned(), "field rate: not defined by the page"),
            // Over the budget: in one list, in both together, in either
            // order; a refusal before or after the budget runs out.
            (format!("var known_device_list=[{}];var rate=[];", arrs(70)), "known_device_list: the values add up to more than 8 MiB"),
            (format!("var known_device_list=[{}];var rate=[{}];", arrs(40), arrs(40)), "rate: the values add up to more than 8 MiB"),
            (format!("var rate=[{}];var known_device_list=[{}];", arrs(40), arrs(40)), "rate: the values add up to more than 8 MiB"),
            (format!("var rate=[{}];var known_device_list=[[[[[[1]]]]]];", arrs(70)), "known_device_list: nested deeper than 4"),
            (format!("var known_device_list=[{},[[[[[1]]]]]];var rate=[];", arrs(70)), "known_device_list: the values add up to more than 8 MiB"),
            (format!("var known_device_list=[[[[[[1]]]]],{}];var rate=[];", arrs(70)), "known_device_list: nested deeper than 4"),
            (format!("var known_device_list=[{}];var rate=[[[[[[1]]]]]];", arrs(30)), "rate: nested deeper than 4"),
            (format!("var known_device_list=[{}];var rate=[{},[[[[[1]]]]]];", arrs(40), arrs(40)), "rate: the values add up to more than 8 MiB"),
            (format!("var rate=[{},[[[[[1]]]]]];var known_device_list=[{}];", arrs(40), arrs(40)), "rate: the values add up to more than 8 MiB"),
            // Long lists, the hub's trailing null.
            (format!("var known_device_list=[{}null];var rate=[];", "{mac:'A'},".repeat(4096)), "1 devices"),
            (format!("var known_device_list=[{}];var rate=[{}null];", "{mac:'A'},".repeat(4097), "1,".repeat(4097)), "1 devices: known_device_list: an array of 4097 elements was cut to 4096; rate: an array of 4098 elements was cut to 4096"),
            (format!("var known_device_list=[{},];var rate=[];", ",".repeat(5000)), "0 devices: known_device_list: an array of 5001 elements was cut to 4096"),
        ] {
            let got = match both_ways(page.as_bytes()) {
                Ok(d) if d.notes.is_empty() => format!("{} devices", d.devices.len()),
                Ok(d) => format!("{} devices: {}", d.devices.len(), d.notes.join("; ")),
                Err(e) => e,
            };
            assert!(got.contains(want), "{got:?} should say {want:?}");
        }
        let mut bad = b"var known_device_list=[{mac:'AA',hostname:'caf".to_vec();
        bad.extend_from_slice(b"\xe9'}];var rate=[];");
        assert_eq!(both_ways(&bad).unwrap().devices[0].hostname, "caf\u{fffd}");
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
