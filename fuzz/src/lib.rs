//! The checks behind the fuzz targets, one public function per target.
//!
//! Each target in `fuzz_targets/` only hands libFuzzer's input to one of
//! these, so the checks can be read in one place. [`collectors`] runs every
//! row of the collector table, so a new collector is fuzzed with no word
//! changed here; a page's own target adds the properties only that page has
//! (see `fuzz/README.md`). Beyond "does not panic", every check
//! asserts a property that a wrong answer would break: output that must parse
//! as Prometheus text, values that must survive a round trip, bounds that
//! must hold.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use arbitrary::Arbitrary;
use smarthub_exporter::exposition::{Exposition, MetricType};
use smarthub_exporter::format::{percent, xml};
use smarthub_exporter::http::{self, Request};
use smarthub_exporter::pages;
use smarthub_exporter::pages::lan::{self, Devices};
use smarthub_exporter::pages::wan;
use smarthub_exporter::script::literal::{self, Lit};
use smarthub_exporter::script::scan;
use smarthub_exporter::{collector, metrics, script};

/// The tests' strict, independent reader of the text format.
#[path = "../../tests/support/expo.rs"]
#[allow(dead_code)]
pub mod expo;

/// The tests' scanner of public addresses in a page, independent of the
/// redactor's.
#[path = "../../tests/support/addresses.rs"]
pub mod test_addresses;

/// The tests' page generators, for their percent-encoder (`test_pages::enc`).
#[path = "../../tests/support/pages.rs"]
#[allow(dead_code)]
pub mod test_pages;

/// How long the JavaScript targets let a page run. Short, so a page that
/// loops costs one deadline per execution rather than stalling the fuzzer; a
/// page that overruns it by far is a hang libFuzzer reports (`-timeout`).
pub const JS_DEADLINE: Duration = Duration::from_millis(50);

/// Panics with the text when it is not a valid exposition.
pub fn must_parse(text: &str) -> expo::Parsed {
    expo::parse(text).unwrap_or_else(|e| panic!("invalid exposition: {e}\n{text}"))
}

// ---------------------------------------------------------------- every collector

/// Every row of the collector table (`collector::ALL`) reads the input as
/// its page, as a scrape would (a page that runs JavaScript with
/// [`JS_DEADLINE`]): no panic, and whatever reads renders, twice alike, to
/// an exposition that re-reads strictly, every label value within the
/// label bound. What a page's own target checks beyond this is that
/// target's; this one needs no word changed for a collector added to the
/// table.
pub fn collectors(data: &[u8]) {
    for c in collector::ALL {
        let Ok(snapshot) = (c.read)(&mut data.to_vec(), Instant::now() + JS_DEADLINE) else {
            continue;
        };
        let mut out = Exposition::new();
        snapshot.render(&mut out);
        let parsed = must_parse(out.as_str());
        for s in &parsed.samples {
            for (name, value) in &s.labels {
                assert!(
                    value.len() <= pages::MAX_LABEL_BYTES,
                    "{}: {}'s label {name} of {} bytes",
                    c.name,
                    s.name,
                    value.len()
                );
            }
        }
        let mut again = Exposition::new();
        snapshot.render(&mut again);
        assert_eq!(again.as_str(), out.as_str(), "{}: rendered twice", c.name);
    }
}

// ---------------------------------------------------------------- wan

/// `/nonAuth/wan_conn.xml`: whatever the body, a parse that succeeds yields a
/// consistent snapshot that renders to a valid exposition.
pub fn wan(data: &[u8]) {
    let Ok(w) = wan::parse(data) else { return };
    assert!(w.active_idx <= 15, "active_idx {}", w.active_idx);
    match w.connection_uptime {
        Some(u) => assert!(u <= w.sysuptime, "session longer than the hub's uptime"),
        None => assert!(w.connected, "a disconnected WAN reports 0, not nothing"),
    }
    if !w.connected {
        assert_eq!(w.connection_uptime, Some(0));
    }
    let mut out = Exposition::new();
    metrics::wan::render(&w, &mut out);
    let parsed = must_parse(out.as_str());
    assert_eq!(
        parsed.get("smarthub_uptime", &[]),
        Some(w.sysuptime as f64),
        "uptime rendered as read"
    );
}

// ---------------------------------------------------------------- xml

/// The XML reader: whatever it accepts, written back out with escaping,
/// reads the same (so no value is cut, merged or mis-decoded).
pub fn xml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(children) = xml::children_of_root(text, "status") else {
        return;
    };
    let mut doc = String::from("<status>");
    for el in &children {
        assert!(!el.name.is_empty());
        let _ = write!(doc, "<{}", el.name);
        for (k, v) in &el.attrs {
            let _ = write!(doc, " {k}=\"{}\"", xml_escape(v));
        }
        doc.push_str("/>");
    }
    doc.push_str("</status>");
    let again =
        xml::children_of_root(&doc, "status").unwrap_or_else(|e| panic!("re-reading {doc:?}: {e}"));
    assert_eq!(again, children);
}

fn xml_escape(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
}

// ---------------------------------------------------------------- percent

/// Percent-decoding and `;`-splitting: never grows, never panics, and undoes
/// the hub's encoding exactly.
pub fn percent(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let decoded = percent::decode(&text);
    if !text.contains('%') {
        assert_eq!(decoded, text);
    }
    assert!(percent::decode_bytes(&text).len() <= text.len());

    // Fields plus the 3-byte separators between them are the whole input,
    // and no field still holds a separator.
    for sep in *b";," {
        let fields: Vec<&str> = percent::split_encoded(&text, sep).collect();
        let total: usize = fields.iter().map(|f| f.len()).sum::<usize>() + 3 * (fields.len() - 1);
        assert_eq!(total, text.len(), "{fields:?}");
        for f in &fields {
            assert_eq!(
                percent::split_encoded(f, sep).count(),
                1,
                "{f:?} holds a separator"
            );
        }
    }

    // Any bytes, encoded as the hub does, decode back to themselves.
    assert_eq!(&*percent::decode_bytes(&test_pages::enc(data)), data);

    // Fields joined by an encoded `;` split back into the same fields, in
    // either case of hex digit, even when they hold `%` escapes themselves.
    // (A `;` inside a field cannot survive: the hub encodes it as the
    // separator, which is why fields are cut at every `;` of the input.)
    let parts: Vec<&[u8]> = data.split(|&b| b == b';').collect();
    for sep in ["%3B", "%3b"] {
        let joined = parts
            .iter()
            .map(|p| test_pages::enc(p))
            .collect::<Vec<_>>()
            .join(sep);
        let fields = percent::split_fields(&joined);
        assert_eq!(fields.len(), parts.len());
        for (f, p) in fields.iter().zip(&parts) {
            assert_eq!(f, &String::from_utf8_lossy(p));
        }
    }
}

// ---------------------------------------------------------------- JS literals

/// The JS literal reader on arbitrary text: what it reads, written back as a
/// literal, reads the same; scanning a script for declarations never panics.
pub fn literal(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(v) = literal::parse(&text) {
        let _ = script::check_limits(&v, 0);
        round_trip(&v);
    }
    for name in ["known_device_list", "rate"] {
        if let Ok(Some(v)) = scan::find_var(&text, name) {
            round_trip(&v);
        }
    }
}

/// Structure-aware: arbitrary values written as literals read back equal,
/// alone and as a declaration in a script.
pub fn literal_round_trip(v: &ArbLit) {
    // An object with a key given twice reads back with one (as in JS).
    let v = dedup_keys(v.to_lit(SMALL_BUDGET));
    if depth(&v, 0) >= script::MAX_PARSE_DEPTH {
        assert!(literal::parse(&to_js(&v)).is_err(), "too deep, yet read");
        return;
    }
    round_trip(&v);
    if !exact_numbers(&v) {
        return;
    }
    let src = format!(
        "// var x = 'decoy';\nvar y = 'var x = 1';\nvar x = {};\naddCfg(\"x\",1,'');\n",
        to_js(&v)
    );
    let found = scan::find_var(&src, "x")
        .unwrap_or_else(|e| panic!("{src:?}: {e}"))
        .expect("declaration found");
    assert!(same(&found, &v), "{src:?}\n{found:?}");
}

fn round_trip(v: &Lit) {
    let js = to_js(v);
    if !exact_numbers(v) {
        let e = literal::parse(&js).expect_err("a number past the exact reading, yet read");
        assert!(
            e.to_string().contains(literal::INEXACT_NUMBER),
            "{js:?}: {e}"
        );
        return;
    }
    let again = literal::parse(&js).unwrap_or_else(|e| panic!("re-reading {js:?}: {e}"));
    assert!(same(v, &again), "{js:?}\n{v:?}\n{again:?}");
}

/// Whether every number of `v`, written as `to_js` writes it, is one the
/// literal reader reads exactly (its fast path); those it reads must be the
/// number written.
fn exact_numbers(v: &Lit) -> bool {
    match v {
        Lit::Num(n) if n.is_nan() => true,
        Lit::Num(n) if n.is_infinite() => false,
        Lit::Num(n) => {
            let text = format!("{:?}", n.abs());
            match literal::decimal(text.as_bytes()) {
                Some(back) => {
                    assert_eq!(back.to_bits(), n.abs().to_bits(), "{text}");
                    true
                }
                None => false,
            }
        }
        Lit::Array(items) => items.iter().all(exact_numbers),
        Lit::Object(fields) => fields.iter().all(|(_, v)| exact_numbers(v)),
        _ => true,
    }
}

/// Objects as JS keeps them: a key given twice has its last value in its
/// first place.
fn dedup_keys(v: Lit) -> Lit {
    match v {
        Lit::Array(items) => Lit::Array(items.into_iter().map(dedup_keys).collect()),
        Lit::Object(fields) => {
            let mut out: Vec<(String, Lit)> = Vec::new();
            for (k, v) in fields {
                let v = dedup_keys(v);
                match out.iter_mut().find(|(o, _)| *o == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k, v)),
                }
            }
            Lit::Object(out)
        }
        other => other,
    }
}

/// The deepest nesting at which the reader meets a value (the top level is
/// 0): what its depth limit counts.
fn depth(v: &Lit, at: usize) -> usize {
    match v {
        Lit::Array(items) => items.iter().map(|i| depth(i, at + 1)).max().unwrap_or(at),
        Lit::Object(fields) => fields
            .iter()
            .map(|(_, v)| depth(v, at + 1))
            .max()
            .unwrap_or(at),
        _ => at,
    }
}

/// Equality where NaN equals NaN and 0 and -0 differ, as the bits go.
pub fn same(a: &Lit, b: &Lit) -> bool {
    match (a, b) {
        // Written out, a cut string is a string like any other.
        (Lit::Cut(x), Lit::Str(y)) | (Lit::Str(x), Lit::Cut(y)) => x == y,
        (Lit::Num(x), Lit::Num(y)) => (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits(),
        (Lit::Array(x), Lit::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Lit::Object(x), Lit::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => a == b,
    }
}

/// Writes a value as a JS literal in the hub's style (single quotes, quoted
/// keys).
pub fn to_js(v: &Lit) -> String {
    let mut out = String::new();
    write_js(&mut out, v);
    out
}

fn write_js(out: &mut String, v: &Lit) {
    match v {
        Lit::Null => out.push_str("null"),
        Lit::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Lit::Num(n) if n.is_nan() => out.push_str("NaN"),
        Lit::Num(n) if n.is_infinite() => out.push_str(if *n > 0.0 { "1e999" } else { "-1e999" }),
        // `{:?}` keeps the sign of -0 and enough digits to read back exactly.
        Lit::Num(n) => {
            let _ = write!(out, "{n:?}");
        }
        Lit::Str(s) | Lit::Cut(s) => write_js_string(out, s),
        Lit::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                // A bare `null` would do, but a hole is what the hub writes
                // at the end of its lists; both must read as Null.
                write_js(out, item);
            }
            out.push(']');
        }
        Lit::Object(fields) => {
            out.push('{');
            for (i, (k, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_js_string(out, k);
                out.push(':');
                write_js(out, v);
            }
            out.push('}');
        }
    }
}

fn write_js_string(out: &mut String, s: &str) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// A [`Lit`] tree as libFuzzer builds one, biased towards the device page:
/// keys and strings the page uses, MACs from a small pool so lists and rates
/// join, and `Repeat` for arrays far longer than the input.
#[derive(Arbitrary, Debug, Clone)]
pub enum ArbLit {
    Null,
    Bool(bool),
    Num(f64),
    Str(ArbStr),
    /// A string the reader cut ([`Lit::Cut`]): fine as a label, never as a
    /// number or a list.
    Cut(ArbStr),
    Array(Vec<ArbLit>),
    Object(Vec<(ArbKey, ArbLit)>),
    Repeat(u16, Box<ArbLit>),
}

#[derive(Arbitrary, Debug, Clone)]
pub enum ArbKey {
    Mac,
    Hostname,
    Ip,
    Name,
    Activity,
    Port,
    Os,
    Device,
    Tx,
    Rx,
    Other(String),
}

#[derive(Arbitrary, Debug, Clone)]
pub enum ArbStr {
    Text(String),
    /// One MAC of eight, in either case, maybe percent-encoded.
    Mac(u8, bool, bool),
    /// A grouped entry: MACs joined by an encoded comma.
    Macs(Vec<u8>),
    Number(u64),
    /// Text percent-encoded as the hub does.
    Encoded(String),
}

/// What the device-list target lets one input expand to: `Repeat` builds
/// arrays of up to 64 Ki elements, so several times the readers' limits
/// (4096 elements, 4096 devices) fit, while nested repeats cannot ask for
/// more memory than the fuzzer has. A node costs 1, a string 1 per 64 bytes.
pub const HUGE_BUDGET: usize = 50_000;
/// The round-trip target only needs shapes, not sizes.
pub const SMALL_BUDGET: usize = 2_000;

impl ArbLit {
    pub fn to_lit(&self, budget: usize) -> Lit {
        let mut budget = budget;
        self.build(&mut budget)
    }

    fn build(&self, budget: &mut usize) -> Lit {
        if *budget == 0 {
            return Lit::Null;
        }
        *budget -= 1;
        match self {
            ArbLit::Null => Lit::Null,
            ArbLit::Bool(b) => Lit::Bool(*b),
            ArbLit::Num(n) => Lit::Num(*n),
            ArbLit::Str(s) => {
                let s = s.build();
                *budget = budget.saturating_sub(s.len() / 64);
                Lit::Str(s)
            }
            ArbLit::Cut(s) => {
                let s = s.build();
                *budget = budget.saturating_sub(s.len() / 64);
                Lit::Cut(s)
            }
            ArbLit::Array(items) => Lit::Array(items.iter().map(|i| i.build(budget)).collect()),
            ArbLit::Object(fields) => Lit::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.build(), v.build(budget)))
                    .collect(),
            ),
            ArbLit::Repeat(n, item) => {
                let mut items = Vec::new();
                for _ in 0..*n {
                    if *budget == 0 {
                        break;
                    }
                    items.push(item.build(budget));
                }
                Lit::Array(items)
            }
        }
    }
}

impl ArbKey {
    fn build(&self) -> String {
        match self {
            ArbKey::Mac => "mac",
            ArbKey::Hostname => "hostname",
            ArbKey::Ip => "ip",
            ArbKey::Name => "name",
            ArbKey::Activity => "activity",
            ArbKey::Port => "port",
            ArbKey::Os => "os",
            ArbKey::Device => "device",
            ArbKey::Tx => "tx",
            ArbKey::Rx => "rx",
            // `__proto__` sets an object's prototype rather than adding a
            // property, so the reader refuses it: no literal round-trips it.
            ArbKey::Other(s) if s == "__proto__" => "proto",
            ArbKey::Other(s) => return s.clone(),
        }
        .to_owned()
    }
}

fn pool_mac(n: u8) -> String {
    format!("AA:BB:CC:00:00:{:02X}", n % 8)
}

impl ArbStr {
    fn build(&self) -> String {
        match self {
            ArbStr::Text(s) => s.clone(),
            ArbStr::Mac(n, lower, encoded) => {
                let mut m = pool_mac(*n);
                if *lower {
                    m = m.to_ascii_lowercase();
                }
                if *encoded {
                    m = test_pages::enc(m.as_bytes());
                }
                m
            }
            ArbStr::Macs(ns) => ns
                .iter()
                .map(|&n| test_pages::enc(pool_mac(n).as_bytes()))
                .collect::<Vec<_>>()
                .join("%2C"),
            ArbStr::Number(n) => n.to_string(),
            ArbStr::Encoded(s) => test_pages::enc(s.as_bytes()),
        }
    }
}

// ---------------------------------------------------------------- device page

/// What `lan::parse` asks the readers for.
const DEVICE_VARS: [script::Var<'static>; 2] = lan::VARS;

#[derive(Arbitrary, Debug)]
pub struct DeviceLists {
    pub known: ArbLit,
    pub rate: ArbLit,
}

/// What comes back from the page (by either reader) goes through
/// `from_lists`: any shape, type or size gives an error or devices that obey
/// every bound and render to a valid exposition. And the same lists handed
/// over record by record, as the readers hand them, build the same devices
/// or fail the same way.
pub fn lan_lists(input: &DeviceLists) {
    // As a reader keeps an object: a key given twice, once.
    let known = dedup_keys(input.known.to_lit(HUGE_BUDGET));
    let rate = dedup_keys(input.rate.to_lit(HUGE_BUDGET));
    let by_values = lan::from_lists(&known, &rate);
    let mut builder = lan::Builder::default();
    let mut shapes = Vec::new();
    for (var, (list, fields)) in [(&known, lan::DEVICE_FIELDS), (&rate, lan::RATE_FIELDS)]
        .into_iter()
        .enumerate()
    {
        use script::Records;
        builder.reset(var);
        let Lit::Array(items) = list else {
            shapes.push(script::Shape::Other);
            continue;
        };
        shapes.push(script::Shape::Array);
        for item in items {
            let Lit::Object(record) = item else { continue };
            let row: Vec<script::Field> = fields
                .iter()
                .map(|f| {
                    record
                        .iter()
                        .find(|(k, _)| k == f)
                        .map_or(script::Field::None, |(_, v)| script::Field::of(v))
                })
                .collect();
            builder.record(var, &row);
        }
    }
    let by_records = builder.devices(script::Found {
        shapes,
        notes: Vec::new(),
    });
    assert_eq!(
        by_records.as_ref().map_err(|e| e.to_string()),
        by_values.as_ref().map_err(|e| e.to_string()),
        "records and values build different devices"
    );
    if let Ok(d) = by_values {
        check_devices(&d);
    }
}

/// The devices of a page read as values and then built ([`lan::from_values`]).
fn by_values(read: Result<script::Values, script::ScriptError>) -> Result<Devices, String> {
    read.map_err(|e| pages::ParseError::page(e.to_string()))
        .and_then(lan::from_values)
        .map_err(|e| e.to_string())
}

/// The devices of a page read record by record into a [`lan::Builder`].
fn by_records(
    read: impl FnOnce(&mut lan::Builder) -> Result<script::Found, script::ScriptError>,
) -> Result<Devices, String> {
    let mut builder = lan::Builder::default();
    read(&mut builder)
        .map_err(|e| pages::ParseError::page(e.to_string()))
        .and_then(|found| builder.devices(found))
        .map_err(|e| e.to_string())
}

/// Whether a reader stopped for want of time or memory, which says nothing
/// about the page: two runs of it may stop at different points.
fn exhausted(e: &str) -> bool {
    e.contains("deadline") || e.contains("out of memory") || e.contains("stack size exceeded")
}

/// The device page through the JavaScript-free reader, both ways (values,
/// records), which agree; and read again with each line that may be one of
/// the hub's own `addCfg` lines made one the reader does not know at a
/// glance (an empty statement after it), which reads the same.
pub fn lan_data(data: &[u8]) {
    if let Ok(read) = script::read_data(data, &DEVICE_VARS) {
        for v in read.values.iter().flatten() {
            script::check_limits(v, 0).expect("the reader enforces the limits");
        }
    }
    let values = by_values(script::read_data(data, &DEVICE_VARS));
    let records = by_records(|b| script::read_data_records(data, &DEVICE_VARS, b));
    assert_eq!(records, values, "records and values differ");
    let glanced: Vec<u8> = String::from_utf8_lossy(data)
        .split_inclusive('\n')
        .flat_map(|line| {
            let body = line.trim_end_matches(['\n', '\r']);
            let inert = body.trim_start().starts_with("addCfg(") && body.trim_end().ends_with(");");
            let (body, end) = line.split_at(body.len());
            [body, if inert { ";" } else { "" }, end]
                .concat()
                .into_bytes()
        })
        .collect();
    if std::str::from_utf8(data).is_ok() {
        let again = by_records(|b| script::read_data_records(&glanced, &DEVICE_VARS, b));
        assert_eq!(again.is_ok(), records.is_ok(), "{again:?}\n{records:?}");
        if let (Ok(a), Ok(b)) = (&again, &records) {
            assert_eq!(a, b);
        }
    }
    if let Ok(d) = records {
        check_devices(&d);
    }
}

/// The device page through QuickJS with a short deadline: arbitrary source
/// ends in an error or in bounded devices, and every value handed back obeys
/// the limits; read record by record, the same devices.
pub fn lan_js(data: &[u8]) {
    let deadline = Instant::now() + JS_DEADLINE;
    let read = script::read(data, &DEVICE_VARS, deadline);
    if let Ok(read) = &read {
        for v in read.values.iter().flatten() {
            script::check_limits(v, 0).expect("the reader enforces the limits");
        }
    }
    let values = by_values(read);
    let deadline = Instant::now() + JS_DEADLINE;
    let records =
        by_records(|b| script::read_records(&mut data.to_vec(), &DEVICE_VARS, deadline, b));
    match (&records, &values) {
        (Err(a), _) | (_, Err(a)) if exhausted(a) => {}
        _ => assert_eq!(records, values, "records and values differ"),
    }
    if let Ok(d) = records {
        check_devices(&d);
    }
}

/// The bounds every device list obeys, whatever the page said: a list over
/// the limit is cut (and noted), never longer.
pub fn check_devices(d: &Devices) {
    assert!(d.devices.len() <= lan::MAX_DEVICES);
    assert!(
        d.notes.len() <= 8,
        "a note per kind of cut, not per value: {:?}",
        d.notes
    );
    assert!(d.entries <= d.devices.len() && d.active_entries <= d.entries);
    let mut prev: Option<&str> = None;
    for dev in &d.devices {
        for v in [
            &dev.mac,
            &dev.hostname,
            &dev.ip,
            &dev.name,
            &dev.port,
            &dev.os,
            &dev.kind,
        ] {
            assert!(
                v.len() <= smarthub_exporter::pages::MAX_LABEL_BYTES,
                "label of {} bytes",
                v.len()
            );
        }
        assert!(!dev.mac.is_empty());
        assert_eq!(dev.mac, dev.mac.to_ascii_uppercase());
        if let Some(p) = prev {
            assert!(p < dev.mac.as_str(), "MACs sorted and unique");
        }
        prev = Some(dev.mac.as_str());
    }
    let mut out = Exposition::new();
    metrics::lan::render(d, &mut out);
    let parsed = must_parse(out.as_str());
    let with_traffic = d.devices.iter().filter(|d| d.traffic.is_some()).count();
    let counters = parsed
        .samples
        .iter()
        .filter(|s| {
            s.name == "smarthub_lan_downloaded_bytes" || s.name == "smarthub_lan_uploaded_bytes"
        })
        .count();
    assert_eq!(counters, 2 * with_traffic);
    for (dev, s) in d.devices.iter().filter(|d| d.traffic.is_some()).zip(
        parsed
            .samples
            .iter()
            .filter(|s| s.name == "smarthub_lan_downloaded_bytes"),
    ) {
        assert_eq!(s.labels["mac"], dev.mac);
        assert_eq!(s.labels["hostname"], dev.hostname);
        assert_eq!(s.labels["ip"], dev.ip);
        assert_eq!(s.raw_value, dev.traffic.unwrap().rx_bytes.to_string());
    }
}

// ---------------------------------------------------------------- HTTP

/// The exporter's request parsing: a head is refused or answered once
/// complete, never answered from a prefix that a longer head would refuse,
/// and `Partial` only while under the head limit.
pub fn http_request(data: &[u8]) {
    let full = http::parse(data);
    match full {
        Request::Partial => assert!(data.len() < http::MAX_HEAD_BYTES),
        Request::Ok { .. } => {
            // The server parses what has arrived so far; a prefix of an
            // accepted head must never have been refused.
            let step = (data.len() / 64).max(1);
            for end in (0..data.len()).step_by(step) {
                match http::parse(&data[..end]) {
                    Request::Partial => {}
                    other => assert_eq!(other, full, "prefix of {end} bytes"),
                }
            }
        }
        Request::Refuse { status, .. } => {
            for head_only in [false, true] {
                let r = http::error_response(status, head_only);
                let split = r
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .expect("a complete head");
                let head = std::str::from_utf8(&r[..split]).unwrap();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .unwrap()
                    .parse()
                    .unwrap();
                let body = r.len() - split - 4;
                assert_eq!(body, if head_only { 0 } else { len });
            }
        }
    }
}

// ---------------------------------------------------------------- exposition

#[derive(Arbitrary, Debug)]
pub struct ExpoInput {
    pub families: Vec<ExpoFamily>,
}

#[derive(Arbitrary, Debug)]
pub struct ExpoFamily {
    pub name: u8,
    pub counter: bool,
    pub samples: Vec<(Vec<String>, ExpoValue)>,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum ExpoValue {
    U64(u64),
    I64(i64),
    F64(f64),
}

const FAMILY_NAMES: [&str; 8] = [
    "smarthub_lan_downloaded_bytes",
    "smarthub_lan_uploaded_bytes",
    "smarthub_up",
    "a",
    "_b",
    "c:d",
    "smarthub_exporter_build_info",
    "x_total",
];
const LABEL_NAMES: [&str; 4] = ["mac", "hostname", "ip", "collector"];

/// The exposition writer with arbitrary label values and numbers: the output
/// always parses strictly, and every value reads back exactly.
pub fn exposition(input: &ExpoInput) {
    let mut out = Exposition::new();
    let mut expected: Vec<(&str, BTreeMap<String, String>, ExpoValue)> = Vec::new();
    let mut used = [false; FAMILY_NAMES.len()];
    for fam in &input.families {
        let idx = fam.name as usize % FAMILY_NAMES.len();
        if std::mem::replace(&mut used[idx], true) {
            continue; // a family is written once, as the format requires
        }
        let name = FAMILY_NAMES[idx];
        let kind = if fam.counter {
            MetricType::Counter
        } else {
            MetricType::Gauge
        };
        let mut f = out.family(name, kind, "Help with \\ and\nnewline.");
        let mut seen = std::collections::HashSet::new();
        for (values, v) in &fam.samples {
            let labels: Vec<(&'static str, &str)> = LABEL_NAMES
                .iter()
                .zip(values)
                .map(|(k, v)| (*k, v.as_str()))
                .collect();
            // Two samples with the same labels are the caller's bug (the
            // device list is deduplicated by MAC before it gets here).
            if !seen.insert(labels.clone()) {
                continue;
            }
            match *v {
                ExpoValue::U64(x) => f.sample(&labels, x),
                ExpoValue::I64(x) => f.sample(&labels, x),
                ExpoValue::F64(x) => f.sample(&labels, x),
            };
            let map = labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            expected.push((name, map, *v));
        }
    }
    let parsed = must_parse(out.as_str());
    assert_eq!(parsed.samples.len(), expected.len());
    for (s, (name, labels, v)) in parsed.samples.iter().zip(&expected) {
        assert_eq!(s.name, *name);
        assert_eq!(&s.labels, labels);
        match *v {
            ExpoValue::U64(x) => assert_eq!(s.raw_value, x.to_string()),
            ExpoValue::I64(x) => assert_eq!(s.raw_value, x.to_string()),
            ExpoValue::F64(x) if x.is_nan() => assert!(s.value.is_nan()),
            ExpoValue::F64(x) => assert_eq!(s.value.to_bits(), x.to_bits(), "{}", s.raw_value),
        }
    }
}

/// Both readers on the same page, whatever it holds: if both succeed they
/// agree exactly (values, devices, the notes on what was cut), and the
/// JavaScript-free reader never succeeds where the page's JavaScript gives
/// something else. Where QuickJS fails only for want of time or memory
/// (which the literal reader does not spend), there is nothing to compare.
pub fn lan_readers(data: &[u8]) {
    // What script::read does first, in either build.
    if script::sniff(data).is_err() {
        return;
    }
    let lit = script::read_data(data, &DEVICE_VARS);
    let deadline = Instant::now() + Duration::from_secs(2);
    let js = script::quickjs::read(data, &DEVICE_VARS, deadline);
    let lit = match (lit, js) {
        (Err(_), _) => return,
        (Ok(lit), Ok(js)) => {
            let agree = lit.values.len() == js.values.len()
                && lit
                    .values
                    .iter()
                    .zip(&js.values)
                    .all(|(a, b)| match (a, b) {
                        (Some(a), Some(b)) => same(a, b),
                        (a, b) => a.is_none() && b.is_none(),
                    });
            assert!(
                agree,
                "the readers differ:\nliteral {:?}\nQuickJS {:?}",
                lit.values, js.values
            );
            // A page that threw after its lists is read by QuickJS with a
            // note; the literal reader refuses it, or (values agreeing) has
            // nothing to note.
            let cuts = |r: &script::Values| -> Vec<String> {
                r.notes
                    .iter()
                    .filter(|n| !n.starts_with("the page threw"))
                    .cloned()
                    .collect()
            };
            assert_eq!(cuts(&lit), cuts(&js), "the readers cut differently");
            lit
        }
        (Ok(lit), Err(e)) => {
            let exhausted = match &e {
                script::ScriptError::Timeout => true,
                script::ScriptError::Failed(m) => {
                    m.contains("out of memory") || m.contains("stack size exceeded")
                }
                _ => false,
            };
            assert!(
                exhausted,
                "the literal reader read {:?}, QuickJS refused: {e}",
                lit.values
            );
            return;
        }
    };
    if let [Some(known), Some(rate)] = &lit.values[..] {
        if let Ok(d) = lan::from_lists(known, rate) {
            check_devices(&d);
        }
    }
    // Read record by record, the two readers build the same devices.
    let literal = by_records(|b| script::read_data_records(data, &DEVICE_VARS, b));
    let deadline = Instant::now() + Duration::from_secs(2);
    let engine = by_records(|b| {
        script::quickjs::read_records(&mut data.to_vec(), &DEVICE_VARS, deadline, b)
    });
    match (&literal, &engine) {
        (Ok(_), Err(e)) if exhausted(e) => {}
        (Ok(a), Ok(b)) => assert_eq!(a.devices, b.devices, "the readers build different devices"),
        (Ok(_), Err(e)) => panic!("the literal reader built devices, QuickJS refused: {e}"),
        (Err(_), _) => {}
    }
}

// ------------------------------------------------------- status and mesh

/// The status page: whatever it reads renders to a valid exposition.
pub fn status(data: &[u8]) {
    let Ok(s) = smarthub_exporter::pages::status::parse(data) else {
        return;
    };
    assert!(
        !s.firmware.is_empty(),
        "a status without firmware is an error"
    );
    let mut out = Exposition::new();
    metrics::status::render(&s, &mut out);
    must_parse(out.as_str());
}

/// The mesh page: stations sorted and unique by MAC, labels bounded, no
/// signal of -127 (the hub's "no reading"), and a valid exposition.
pub fn owl(data: &[u8]) {
    let Ok(m) = smarthub_exporter::pages::owl::parse(data) else {
        return;
    };
    let mut prev: Option<&str> = None;
    for s in &m.stations {
        assert!(s.mac.len() <= smarthub_exporter::pages::MAX_LABEL_BYTES);
        assert!(s.name.len() <= smarthub_exporter::pages::MAX_LABEL_BYTES);
        assert_ne!(s.signal_dbm, Some(-127));
        if let Some(p) = prev {
            assert!(p < s.mac.as_str(), "stations sorted and unique");
        }
        prev = Some(&s.mac);
    }
    let mut out = Exposition::new();
    metrics::owl::render(&m, &mut out);
    must_parse(out.as_str());
}

// ---------------------------------------------------------------- hub client

/// A response from the hub. The head: never longer than the input, its log
/// fields free of control characters, and a prefix of a good head is only
/// ever "incomplete" (a head that arrives in pieces reads as one that
/// arrives whole). The body: the same answer however the bytes are split
/// into reads, never over the cap, and a chunked body re-encoded decodes to
/// itself.
pub fn hub_response(data: &[u8]) {
    use smarthub_exporter::hub::response::{self, Decoder, Framing};
    if let Ok(Some(h)) = response::parse_head(data) {
        assert!(h.len <= data.len());
        for text in [Some(&h.reason), h.location.as_ref()].into_iter().flatten() {
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
        let step = (h.len / 32).max(1);
        for end in (0..h.len).step_by(step) {
            assert_eq!(
                response::parse_head(&data[..end]),
                Ok(None),
                "prefix of {end}"
            );
        }
    }
    let Some((&ctl, body)) = data.split_first() else {
        return;
    };
    let decode = |framing: Framing, raw: &[u8], step: usize| {
        let mut d = Decoder::new(framing)?;
        let mut pending = Vec::new();
        for piece in raw.chunks(step) {
            pending.extend_from_slice(piece);
            let n = d.feed(&pending)?;
            assert!(n <= pending.len());
            pending.drain(..n);
        }
        d.finish()
    };
    let framing = match ctl % 3 {
        0 => Framing::Chunked,
        1 => Framing::Length(body.len() * usize::from(ctl >> 2) / 63),
        _ => Framing::UntilClose,
    };
    let whole = decode(framing, body, body.len().max(1));
    let step = usize::from(ctl >> 2) + 1;
    assert_eq!(
        decode(framing, body, step),
        whole,
        "split every {step} bytes"
    );
    if let Ok(b) = &whole {
        assert!(b.len() <= smarthub_exporter::hub::MAX_BODY_BYTES);
        if framing == Framing::Chunked && !b.is_empty() {
            let mut again = format!("{:x}\r\n", b.len()).into_bytes();
            again.extend_from_slice(b);
            again.extend_from_slice(b"\r\n0\r\n\r\n");
            assert_eq!(decode(framing, &again, step).as_ref(), Ok(b));
        }
    }
}

/// A DNS answer for the hub's name: never a panic, never more addresses
/// than the bound, and only for the question asked.
pub fn dns_answer(data: &[u8]) {
    use smarthub_exporter::resolve::dns::{self, Answer};
    use smarthub_exporter::resolve::MAX_ADDRESSES;
    if data.len() < 2 {
        return;
    }
    let id = u16::from_be_bytes([data[0], data[1]]);
    for qtype in [1, 28] {
        if let Some(Answer::Addresses(ips)) = dns::parse_answer(data, id, "hub.lan", qtype) {
            assert!(!ips.is_empty() && ips.len() <= MAX_ADDRESSES);
            assert!(ips.iter().all(|ip| ip.is_ipv4() == (qtype == 1)));
        }
    }
}

// ---------------------------------------------------------------- dump

/// `dump`'s redaction of any page: no panic; the page as written reads, with
/// each data-page reader, to the same result as the page as sent (both
/// errors, or the same metric families); and a second pass finds no public
/// IPv4 address left (the pseudonyms are never public addresses).
pub fn redact(data: &[u8]) {
    use smarthub_exporter::redact::Redactor;
    let mut r = Redactor::new(false);
    let (out, _) = r.page(data);
    let families = |body: &[u8], read: fn(&[u8], &mut Exposition) -> bool| {
        let mut e = Exposition::new();
        read(body, &mut e).then(|| {
            must_parse(e.as_str())
                .families
                .into_iter()
                .map(|f| f.name)
                .collect::<Vec<_>>()
        })
    };
    let readers: [fn(&[u8], &mut Exposition) -> bool; 3] = [
        |b, e| wan::parse(b).map(|w| metrics::wan::render(&w, e)).is_ok(),
        |b, e| {
            pages::status::parse(b)
                .map(|s| metrics::status::render(&s, e))
                .is_ok()
        },
        |b, e| {
            pages::owl::parse(b)
                .map(|o| metrics::owl::render(&o, e))
                .is_ok()
        },
    ];
    for read in readers {
        assert_eq!(
            families(data, read),
            families(&out, read),
            "redaction changed what a page reads to"
        );
    }
    // No public address of the page survives, raw or percent-encoded. (A
    // second redaction pass may still find one: a pseudonym right after a
    // stray `%1` reads, decoded, as another address, which is no one's.)
    let left: Vec<_> = test_addresses::public_ipv4(data)
        .intersection(&test_addresses::public_ipv4(&out))
        .copied()
        .collect();
    assert!(left.is_empty(), "public addresses left: {left:?}");
}

// ---------------------------------------------------------------- overview

/// What the overview page is made of (its allow-lists), shared with the
/// integration tests.
#[path = "../../tests/it/overview/markup.rs"]
pub mod overview_markup;

/// Scrapes to record, each a report whose hub strings come from `names`.
#[derive(Arbitrary, Debug)]
pub struct OverviewInput {
    pub names: Vec<String>,
    pub scrapes: Vec<ArbScrape>,
    /// Seconds from the last scrape to the render.
    pub then: u16,
}

#[derive(Arbitrary, Debug)]
pub struct ArbScrape {
    /// Seconds since the scrape before; negative: the clock went back.
    pub after: i32,
    pub sysuptime: u32,
    pub link_uptime: Option<u32>,
    pub connected: bool,
    pub volume: Option<(u64, u64)>,
    pub snr: [Option<i32>; 2],
    pub sync: [Option<u64>; 2],
    pub fttp: bool,
    pub devices: u8,
    pub active: u16,
    /// Bit `i`: collector `i` fails.
    pub failing: u8,
    pub mesh: bool,
}

/// The overview's renderers on any report and any history: the page has
/// only the exporter's own tags and attributes (every `<` of it starts one,
/// so no hub string became markup), each hub string is in it escaped; the
/// JSON reads back with serde_json, hub strings exact; the history keeps
/// its bounds and order.
pub fn overview(input: &OverviewInput) {
    use smarthub_exporter::overview::history::{MAX_BYTES, MAX_EVENTS, MAX_POINTS};
    use smarthub_exporter::overview::report::{HubStatus, Outcome};
    use smarthub_exporter::overview::{About, Board, Format, Report, State};
    use smarthub_exporter::pages::lan::{Device, Traffic};
    use smarthub_exporter::pages::owl::{Mesh, Node, Station};
    use smarthub_exporter::pages::wan::{Addresses, DslLine, DslStats, Link, Volume, Wan};
    use std::sync::Arc;

    let names: Vec<&str> = input.names.iter().map(|n| cut(n, 300)).take(16).collect();
    let name = |i: usize| -> String {
        match names.len() {
            0 => String::new(),
            n => names[i % n].to_owned(),
        }
    };
    let mut board = Board::new(About {
        version: "0.1.0",
        hub: name(0),
        poll_seconds: 60,
    });
    // 2026-12-01.
    let mut t: i64 = 1_796_083_200_000;
    let mut last = None;
    for (k, s) in input.scrapes.iter().take(64).enumerate() {
        t = t.saturating_add(i64::from(s.after) * 1000).max(0);
        let devices: Vec<Device> = (0..usize::from(s.devices % 12))
            .map(|d| Device {
                mac: format!("02:00:00:00:00:{d:02X}").into(),
                hostname: name(k + d).into(),
                ip: name(k + d + 1).into(),
                name: name(k + d + 2).into(),
                active: [Some(true), Some(false), None][d % 3],
                port: name(k + d + 3).into(),
                os: String::new().into(),
                kind: String::new().into(),
                traffic: (d % 2 == 0).then_some(Traffic {
                    rx_bytes: s.sysuptime.into(),
                    tx_bytes: d as u64,
                }),
            })
            .collect();
        let fails = |i: u8| s.failing & (1 << i) != 0;
        let outcome = |i: u8, name: &'static str| Outcome {
            name,
            state: if fails(i) {
                State::Failing(format!(
                    "GET /x: {}",
                    cut(&input.names.first().cloned().unwrap_or_default(), 400)
                ))
            } else if i == 3 && !s.mesh {
                State::Unavailable
            } else {
                State::Ok
            },
        };
        let sysuptime = u64::from(s.sysuptime);
        let report = Report {
            started: t,
            duration: std::time::Duration::from_millis(u64::from(s.sysuptime % 5000)),
            collectors: vec![
                outcome(0, "wan"),
                outcome(1, "lan"),
                outcome(2, "status"),
                outcome(3, "owl"),
            ],
            wan: (!fails(0)).then(|| Wan {
                sysuptime,
                active_idx: if s.fttp { 0 } else { 1 },
                connected: s.connected,
                connection_uptime: Some(if s.connected { sysuptime / 2 } else { 0 }),
                volume: s.volume.map(|(d, u)| Volume {
                    down_bytes: d,
                    up_bytes: u,
                }),
                rate: None,
                link: s.link_uptime.map(|u| Link {
                    up: u > 0,
                    uptime: Some(u64::from(u).min(sysuptime)),
                }),
                dsl: Some(DslLine {
                    up: !s.fttp,
                    stats: (!s.fttp).then(|| DslStats {
                        mode: name(k + 4),
                        profile: name(k + 5),
                        channel: name(k + 6),
                        snr_margin_tenth_db: s.snr,
                        sync_bps: s.sync,
                        ..DslStats::default()
                    }),
                }),
                addresses: Addresses {
                    ipv6: Some(name(k + 7)),
                    ..Addresses::default()
                },
                wifi_channels: [Some(1), None],
            }),
            hub: (!fails(2)).then(|| HubStatus {
                firmware: name(k + 8),
                lan_ip: None,
            }),
            devices: (!fails(1)).then(|| smarthub_exporter::pages::lan::Devices {
                entries: devices.len(),
                active_entries: usize::from(s.active),
                devices: devices.clone(),
                notes: Vec::new(),
            }),
            mesh: (s.mesh && !fails(3)).then(|| Mesh {
                nodes: vec![Node {
                    id: name(k + 9),
                    name: name(k + 10),
                    model: name(k + 11),
                    firmware: name(k + 12),
                    backhaul: Some(name(k + 13)),
                    backhaul_bps: Some(1),
                    backhaul_dbm: Some(-60),
                    uptime: Some(sysuptime),
                    stations: Some(1),
                    cpu: None,
                    memory: None,
                }],
                stations: devices
                    .iter()
                    .map(|d| Station {
                        mac: d.mac.to_string(),
                        name: d.name.to_string(),
                        connection: name(k + 14),
                        node: Some(name(k + 15)),
                        online: d.active,
                        link_bps: Some(54_000_000),
                        signal_dbm: Some(-50),
                    })
                    .collect(),
                notes: Vec::new(),
            }),
        };
        board.record(Arc::new(report));
        last = Some(k);
    }
    let h = board.history();
    assert!(h.points().len() <= MAX_POINTS && h.events().len() <= MAX_EVENTS);
    assert!(h.heap_bytes() <= MAX_BYTES, "{}", h.heap_bytes());
    assert!(h
        .points()
        .iter()
        .zip(h.points().iter().skip(1))
        .all(|(a, b)| a.minute < b.minute));
    assert!(h
        .events()
        .iter()
        .zip(h.events().iter().skip(1))
        .all(|(a, b)| a.time <= b.time));
    let now = t + i64::from(input.then) * 1000;
    let Some(html) = board.render(Format::Html, now) else {
        assert!(last.is_none());
        return;
    };
    let html = String::from_utf8(html).expect("UTF-8 page");
    check_markup(&html);
    // The hub strings the page always shows, each as escaped text.
    let r = board.latest().unwrap();
    let mut shown: Vec<&str> = vec![names.first().copied().unwrap_or("")];
    if let Some(d) = &r.devices {
        shown.extend(d.devices.iter().map(|d| d.ip.as_str()));
    }
    if let Some(m) = &r.mesh {
        shown.extend(m.nodes.iter().map(|n| n.model.as_str()));
    }
    if let Some(h) = &r.hub {
        shown.push(&h.firmware);
    }
    for c in &r.collectors {
        if let State::Failing(e) = &c.state {
            shown.push(e);
        }
    }
    for n in shown {
        let escaped = html_escaped(n);
        assert!(html.contains(&escaped), "{n:?} is not in the page as text");
    }
    let json = board.render(Format::Json, now).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    check_history(&v, board.history(), now);
    // Without the history: the same document, less `history`.
    let lean = board.render(Format::JsonNoHistory, now).unwrap();
    let mut lean: serde_json::Value = serde_json::from_slice(&lean).expect("valid JSON");
    assert!(lean.get("history").is_none());
    lean["history"] = v["history"].clone();
    assert_eq!(lean, v, "?history=0 differs in more than its history");
    if let Some(list) = v["devices"]["list"].as_array() {
        for d in list {
            let i = usize::from_str_radix(&d["mac"].as_str().unwrap()[15..], 16).unwrap();
            let got = d.get("name").and_then(|n| n.as_str()).unwrap_or("");
            assert_eq!(
                got,
                name(last.unwrap() + i + 2),
                "a name that did not come back"
            );
        }
    }
}

/// `history` in columns: `time` the points' minutes within a day before
/// `now`, each series an array as long, its values the points' (`null`
/// where a point has none), left out when all would be `null`; and no
/// `null` anywhere else in the document.
fn check_history(v: &serde_json::Value, h: &smarthub_exporter::overview::History, now: i64) {
    use serde_json::Value;
    fn no_null(v: &Value) -> bool {
        match v {
            Value::Null => false,
            Value::Array(a) => a.iter().all(no_null),
            Value::Object(o) => o.values().all(no_null),
            _ => true,
        }
    }
    let obj = v.as_object().unwrap();
    assert!(
        obj.iter().all(|(k, x)| k == "history" || no_null(x)),
        "a null outside the history"
    );
    let from = now.div_euclid(1000) - smarthub_exporter::overview::history::KEEP_SECONDS;
    let points: Vec<_> = h.points().iter().filter(|p| p.time() > from).collect();
    let times: Vec<i64> = points.iter().map(|p| p.time()).collect();
    let hist = &v["history"];
    assert_eq!(hist["step_seconds"], 60);
    let got: Vec<i64> = hist["time"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_i64().unwrap())
        .collect();
    assert_eq!(got, times);
    type Get = fn(&smarthub_exporter::overview::history::Point) -> Option<f64>;
    let series: [(&str, Get); 7] = [
        ("/snr_margin_db/down", |p| {
            p.snr_margin_tenth_db[0].map(|t| f64::from(t) / 10.0)
        }),
        ("/snr_margin_db/up", |p| {
            p.snr_margin_tenth_db[1].map(|t| f64::from(t) / 10.0)
        }),
        ("/sync_rate_bytes_per_second/down", |p| {
            p.sync_bps[0].map(|b| b.get() as f64 / 8.0)
        }),
        ("/sync_rate_bytes_per_second/up", |p| {
            p.sync_bps[1].map(|b| b.get() as f64 / 8.0)
        }),
        ("/throughput_bytes_per_second/down", |p| {
            p.throughput[0].map(f64::from)
        }),
        ("/throughput_bytes_per_second/up", |p| {
            p.throughput[1].map(f64::from)
        }),
        ("/devices_active", |p| p.devices_active.map(f64::from)),
    ];
    let mut leaves = 0;
    for (path, get) in series {
        let want: Vec<Option<f64>> = points.iter().map(|p| get(p)).collect();
        match hist.pointer(path) {
            None => assert!(want.iter().all(Option::is_none), "{path} left out"),
            Some(a) => {
                leaves += 1;
                let got: Vec<Option<f64>> = a
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| {
                        if x.is_null() {
                            None
                        } else {
                            Some(x.as_f64().unwrap())
                        }
                    })
                    .collect();
                // serde_json's parser (without its `float_roundtrip`
                // feature) may be a unit in the last place off on a long
                // decimal such as 14211726765292.875, which the exporter
                // writes exactly.
                let near = |a: &Option<f64>, b: &Option<f64>| match (a, b) {
                    (Some(a), Some(b)) => (a - b).abs() <= b.abs() * 4.0 * f64::EPSILON,
                    (a, b) => a == b,
                };
                assert!(
                    got.iter().zip(&want).all(|(a, b)| near(a, b)),
                    "{path}: {got:?} {want:?}"
                );
                assert_eq!(got.len(), want.len(), "{path}");
                assert!(got.iter().any(Option::is_some), "{path}: all null");
            }
        }
    }
    // Nothing else in it.
    let fields: usize = hist
        .as_object()
        .unwrap()
        .values()
        .map(|x| x.as_object().map_or(1, |o| o.len()))
        .sum();
    assert_eq!(fields, 2 + leaves);
}

fn cut(s: &str, max: usize) -> &str {
    &s[..smarthub_exporter::script::cut_point(s, max)]
}

/// The page's escaping, written again: `&<>"'` as references, controls,
/// bidirectional controls and noncharacters as U+FFFD.
fn html_escaped(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)) => out.push('\u{FFFD}'),
            '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}' => out.push('\u{FFFD}'),
            c if (0xFDD0..=0xFDEF).contains(&(c as u32)) || (c as u32) & 0xFFFE == 0xFFFE => {
                out.push('\u{FFFD}')
            }
            c => out.push(c),
        }
    }
    out
}

/// Every `<` of the page opens a tag of the page (or its doctype, or closes
/// one), with the page's attributes, each quoted with `"` and holding no
/// `<` or `"`.
fn check_markup(html: &str) {
    use overview_markup::{ATTRIBUTES, ELEMENTS, LINKS};
    let b = html.as_bytes();
    let mut i = 0;
    // Raw text inside <style> is the page's own CSS: skipped whole.
    while let Some(at) = html[i..].find('<').map(|a| a + i) {
        let rest = &html[at + 1..];
        if let Some(r) = rest.strip_prefix("!DOCTYPE html>") {
            i = html.len() - r.len();
            continue;
        }
        let closing = rest.starts_with('/');
        let name_start = at + 1 + usize::from(closing);
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        let tag = &html[name_start..name_start + name_len];
        assert!(
            ELEMENTS.contains(&tag),
            "<{tag}> at {at}: {}",
            &html[at..(at + 80).min(html.len())]
        );
        let end = html[name_start..].find('>').expect("an unclosed tag") + name_start;
        // `<path .../>`: SVG's self-closing form.
        let mut attrs = html[name_start + name_len..end]
            .trim()
            .trim_end_matches('/');
        while !attrs.is_empty() {
            let (name, rest) = match attrs.find(['=', ' ']) {
                Some(e) if attrs.as_bytes()[e] == b'=' => (&attrs[..e], &attrs[e + 1..]),
                Some(e) => (&attrs[..e], &attrs[e..]),
                None => (attrs, ""),
            };
            assert!(ATTRIBUTES.contains(&name), "attribute {name:?} on <{tag}>");
            attrs = if let Some(v) = rest.strip_prefix('"') {
                let close = v.find('"').expect("an unclosed attribute");
                let value = &v[..close];
                assert!(!value.contains('<'), "{value:?}");
                if name == "href" {
                    assert!(LINKS.contains(&value), "{value:?}");
                }
                v[close + 1..].trim_start()
            } else {
                rest.trim_start()
            };
        }
        i = end + 1;
        if tag == "style" && !closing {
            i = html[i..].find("</style>").expect("an unclosed style") + i;
        }
    }
}
