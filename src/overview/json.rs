//! `GET /status.json`: the overview as JSON, field by field as
//! `docs/status-json.md` describes it.
//!
//! Written by hand, like the exposition: the document is a fixed shape of
//! objects, numbers and escaped strings, which [`Writer`] writes in a
//! hundred lines. serde and serde_json would add about 6 KB of stripped
//! binary for a document of this shape (x86_64, opt-level "z", measured
//! in a scratch crate: 313,744 against 320,000 bytes), two dependencies,
//! and a second float formatter (ryu) beside core's, which the exposition
//! needs anyway; and serde_json leaves `<`, `>` and `&` as they are, which
//! this document escapes so that it stays inert pasted into HTML. Tests
//! read it back with serde_json.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use super::history::{Point, DEVICES_ACTIVE, SNR_DOWN, STEP_SECONDS, SYNC_DOWN, THROUGHPUT_DOWN};
use super::report::{Report, State};
use super::{escape, units};
use super::{seconds, station_of, View};
use crate::pages::bytes_per_second;
use crate::pages::lan::Device;
use crate::pages::wan::{self, DslStats};

/// The `schema` field: raised when a field changes meaning or type.
pub const SCHEMA: u64 = 1;

/// A JSON document being written: objects and arrays opened and closed in
/// turn, keys in the order written, strings escaped. Not generic (no
/// closures per object), so it costs the binary one copy of each method.
pub struct Writer {
    out: String,
    /// Nothing written yet in the open object or array: no comma due.
    first: bool,
}

impl Writer {
    fn new(capacity: usize) -> Writer {
        let mut out = String::with_capacity(capacity);
        out.push('{');
        Writer { out, first: true }
    }

    #[inline(never)]
    fn comma(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    /// Keys are this module's own names: nothing in them to escape.
    #[inline(never)]
    fn key(&mut self, k: &str) {
        debug_assert!(!k.contains(['"', '\\']) && k.is_ascii());
        self.comma();
        self.out.push('"');
        self.out.push_str(k);
        self.out.push_str("\":");
    }

    /// Opens the object at key `k`.
    #[inline(never)]
    pub fn open(&mut self, k: &str) {
        self.key(k);
        self.out.push('{');
        self.first = true;
    }

    /// Opens the array at key `k`.
    #[inline(never)]
    pub fn open_array(&mut self, k: &str) {
        self.key(k);
        self.out.push('[');
        self.first = true;
    }

    /// Opens an object that is an item of the open array.
    #[inline(never)]
    pub fn open_item(&mut self) {
        self.comma();
        self.out.push('{');
        self.first = true;
    }

    #[inline(never)]
    pub fn close(&mut self) {
        self.out.push('}');
        self.first = false;
    }

    #[inline(never)]
    pub fn close_array(&mut self) {
        self.out.push(']');
        self.first = false;
    }

    #[inline(never)]
    pub fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        escape::json(&mut self.out, v);
    }

    /// An IPv4 address as a string (`"10.1.8.254"`); an item of the open
    /// array for `k` `None`.
    #[inline(never)]
    pub fn ipv4(&mut self, k: Option<&str>, ip: Ipv4Addr) {
        match k {
            Some(k) => self.key(k),
            None => self.comma(),
        }
        self.out.push('"');
        units::ipv4(&mut self.out, ip);
        self.out.push('"');
    }

    /// A string that the hub may leave empty: absent when it does.
    #[inline(never)]
    pub fn text(&mut self, k: &str, v: &str) {
        if !v.is_empty() {
            self.str(k, v);
        }
    }

    #[inline(never)]
    pub fn uint(&mut self, k: &str, v: u64) {
        self.key(k);
        let _ = write!(self.out, "{v}");
    }

    #[inline(never)]
    pub fn int(&mut self, k: &str, v: i64) {
        self.key(k);
        let _ = write!(self.out, "{v}");
    }

    /// A float; absent when it is not finite (JSON has no NaN).
    #[inline(never)]
    pub fn float(&mut self, k: &str, v: f64) {
        if v.is_finite() {
            self.key(k);
            number(&mut self.out, v);
        }
    }

    /// A number item of the open array, `null` for none (or one that is
    /// not finite).
    #[inline(never)]
    pub fn item_number(&mut self, v: Option<f64>) {
        self.comma();
        match v.filter(|v| v.is_finite()) {
            Some(v) => number(&mut self.out, v),
            None => self.out.push_str("null"),
        }
    }

    #[inline(never)]
    pub fn bool(&mut self, k: &str, v: bool) {
        self.key(k);
        self.out.push_str(if v { "true" } else { "false" });
    }

    /// Where the document is, to go back to with [`Writer::rewind`].
    fn mark(&self) -> (usize, bool) {
        (self.out.len(), self.first)
    }

    /// Undoes what was written since `mark`.
    fn rewind(&mut self, mark: (usize, bool)) {
        self.out.truncate(mark.0);
        self.first = mark.1;
    }

    fn finish(mut self) -> String {
        self.out.push_str("}\n");
        self.out
    }
}

/// A finite number as Rust's `Display` writes it (never an exponent; `-0`
/// as `0`). Most figures are whole (rates, counts, times), and through the
/// integer formatter a full day at 250 devices renders in about 0.55 ms
/// rather than 0.65 ms (x86_64), for 185 bytes of code.
fn number(out: &mut String, v: f64) {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let _ = write!(out, "{}", v as i64);
    } else {
        let _ = write!(out, "{v}");
    }
}

/// The whole document; without `history` unless `history`.
pub fn render(v: &View, history: bool) -> String {
    let r = v.report;
    let devices = r.devices.as_ref().map_or(0, |d| d.devices.len());
    let points = if history { v.history.points().len() } else { 0 };
    let mut w = Writer::new(8 * 1024 + 300 * devices + 64 * points);
    w.uint("schema", SCHEMA);
    w.open("exporter");
    w.str("version", v.about.version);
    w.str("hub", &v.about.hub);
    w.uint("poll_seconds", v.about.poll_seconds);
    w.int("scraped_at", seconds(r.started));
    w.float("scrape_duration_seconds", r.duration.as_secs_f64());
    w.int("now", seconds(v.now));
    w.close();
    w.open_array("collectors");
    for c in &r.collectors {
        w.open_item();
        w.str("name", c.name);
        w.str("state", c.state.name());
        if let State::Failing(error) = &c.state {
            w.str("error", error);
            if let Some(since) = v.history.failing_since(c.name) {
                w.int("failing_since", seconds(since));
            }
        }
        w.close();
    }
    w.close_array();
    if let Some(wan) = &r.wan {
        w.open("wan");
        write_wan(&mut w, v, wan);
        w.close();
    }
    write_hub(&mut w, r);
    if let Some(d) = &r.devices {
        w.open("devices");
        w.uint("known", d.entries as u64);
        w.uint("active", d.active_entries as u64);
        w.open_array("list");
        for dev in &d.devices {
            write_device(&mut w, r, dev);
        }
        w.close_array();
        w.close();
    }
    if let Some(m) = &r.mesh {
        w.open("mesh");
        w.open_array("nodes");
        for n in &m.nodes {
            w.open_item();
            w.str("id", &n.id);
            w.text("name", &n.name);
            w.text("model", &n.model);
            w.text("firmware", &n.firmware);
            if let Some(b) = &n.backhaul {
                w.text("backhaul", b);
            }
            if let Some(u) = n.uptime {
                w.uint("uptime_seconds", u);
            }
            if let Some(s) = n.stations {
                w.uint("stations", s);
            }
            if let Some(bps) = n.backhaul_bps {
                w.float("backhaul_link_rate_bytes_per_second", bytes_per_second(bps));
            }
            if let Some(dbm) = n.backhaul_dbm {
                w.int("backhaul_signal_dbm", dbm.into());
            }
            w.close();
        }
        w.close_array();
        w.close();
    }
    if history {
        write_history(&mut w, v);
    }
    w.open_array("events");
    for e in v.events() {
        w.open_item();
        w.int("time", e.time);
        w.str("kind", e.kind.name());
        if let Some(c) = e.collector {
            w.str("collector", c);
        }
        w.text("detail", &e.detail);
        w.close();
    }
    w.close_array();
    w.finish()
}

fn write_device(w: &mut Writer, r: &Report, dev: &Device) {
    w.open_item();
    w.str("mac", &dev.mac);
    w.text("name", &dev.name);
    w.text("hostname", &dev.hostname);
    w.text("ip", &dev.ip);
    if let Some(active) = dev.active {
        w.bool("active", active);
    }
    w.text("port", &dev.port);
    if let Some(s) = station_of(r, &dev.mac) {
        w.text("connection", &s.connection);
        if let Some(node) = &s.node {
            w.text("node", node);
        }
        if let Some(dbm) = s.signal_dbm {
            w.int("signal_dbm", dbm.into());
        }
        if let Some(bps) = s.link_bps {
            w.float("link_rate_bytes_per_second", bytes_per_second(bps));
        }
    }
    if let Some(t) = dev.traffic {
        w.uint("downloaded_bytes", t.rx_bytes);
        w.uint("uploaded_bytes", t.tx_bytes);
    }
    w.close();
}

fn write_wan(w: &mut Writer, v: &View, wan: &wan::Wan) {
    w.bool("connected", wan.connected);
    if let Some(u) = wan.connection_uptime.filter(|_| wan.connected) {
        w.uint("connection_uptime_seconds", u);
    }
    if let Some(link) = wan.link {
        w.open("link");
        w.bool("up", link.up);
        if let Some(u) = link.uptime.filter(|_| link.up) {
            w.uint("uptime_seconds", u);
        }
        w.close();
    }
    let kind = wan::wan_kind(wan.active_idx);
    if kind != "unknown" {
        w.str("kind", kind);
    }
    // An FTTP hub's DSL port is unused: its "down" is no news.
    if let Some(dsl) = wan.dsl.as_ref().filter(|_| kind != "ethernet") {
        w.open("dsl");
        w.bool("trained", dsl.up);
        match &dsl.stats {
            Some(s) if dsl.up => write_dsl(w, s),
            _ => w.bool("up", false),
        }
        w.close();
    }
    if let Some(r) = wan.rate {
        w.uint("download_rate_bits_per_second", r.down_bps);
        w.uint("upload_rate_bits_per_second", r.up_bps);
    }
    if let Some(vol) = wan.volume {
        w.uint("downloaded_bytes", vol.down_bytes);
        w.uint("uploaded_bytes", vol.up_bytes);
    }
    if let Some(t) = v.history.throughput() {
        w.open("throughput");
        w.float("down_bytes_per_second", t.down);
        w.float("up_bytes_per_second", t.up);
        w.close();
    }
    let a = &wan.addresses;
    if let Some(ip) = a.ipv4 {
        w.ipv4(Some("ipv4"), ip);
    }
    if let Some(ip) = a.ipv4_gateway {
        w.ipv4(Some("ipv4_gateway"), ip);
    }
    if !a.dns.is_empty() {
        w.open_array("dns");
        for ip in &a.dns {
            w.ipv4(None, *ip);
        }
        w.close_array();
    }
    if let Some(ip) = &a.ipv6 {
        w.str("ipv6", ip);
    }
    if let Some(ip) = &a.ipv6_link_local {
        w.str("ipv6_link_local", ip);
    }
}

/// A trained line: `up` is then the upstream's figures (an object, so a
/// test of `dsl.up` for truth still reads "trained"); `trained` says the
/// same as a boolean.
/// The keys of [`super::dsl_tenths`]'s figures, in order.
const DSL_TENTHS: [&str; 4] = [
    "snr_margin_db",
    "line_attenuation_db",
    "signal_attenuation_db",
    "output_power_dbm",
];

fn write_dsl(w: &mut Writer, s: &DslStats) {
    w.text("mode", &s.mode);
    w.text("profile", &s.profile);
    w.text("channel", &s.channel);
    for (i, dir) in wan::DIRECTIONS.into_iter().enumerate() {
        w.open(dir);
        if let Some(bps) = s.sync_bps[i] {
            w.float("sync_rate_bytes_per_second", bytes_per_second(bps));
        }
        if let Some(bps) = s.attainable_bps[i] {
            w.float("attainable_rate_bytes_per_second", bytes_per_second(bps));
        }
        for (k, name) in DSL_TENTHS.iter().enumerate() {
            if let Some(t) = super::dsl_tenths(s, k)[i] {
                w.float(name, f64::from(t) / 10.0);
            }
        }
        w.close();
    }
}

fn write_hub(w: &mut Writer, r: &Report) {
    let uptime = r.wan.as_ref().map(|w| w.sysuptime);
    let model = super::hub_model(r);
    if uptime.is_none() && model.is_none() && r.hub.is_none() {
        return;
    }
    w.open("hub");
    if let Some(u) = uptime {
        w.uint("uptime_seconds", u);
    }
    if let Some(h) = &r.hub {
        w.text("firmware_version", &h.firmware);
    }
    if let Some(m) = model {
        w.text("model", m);
    }
    if let Some(ip) = r.hub.as_ref().and_then(|h| h.lan_ip) {
        w.ipv4(Some("lan_ip"), ip);
    }
    w.close();
}

/// The history as columns: `time`, and an array per series of the same
/// length, `null` where a point has no reading of it. Columns because a
/// day is 1,440 points: an object per point repeats its keys 1,440 times,
/// which makes the demo's document 282 KB rather than 77 KB, past the
/// 256 KiB that rpcd passes from a LuCI app's exec plugin.
fn write_history(w: &mut Writer, v: &View) {
    w.open("history");
    w.uint("step_seconds", STEP_SECONDS as u64);
    w.open_array("time");
    for p in v.points() {
        w.item_number(Some(p.time() as f64));
    }
    w.close_array();
    for (k, down) in [
        ("snr_margin_db", SNR_DOWN),
        ("sync_rate_bytes_per_second", SYNC_DOWN),
        ("throughput_bytes_per_second", THROUGHPUT_DOWN),
    ] {
        let before = w.mark();
        w.open(k);
        let [d, u] = wan::DIRECTIONS;
        // `|`, not `||`: both are written.
        let known = series(w, d, v, down) | series(w, u, v, down + 1);
        w.close();
        if !known {
            w.rewind(before);
        }
    }
    series(w, "devices_active", v, DEVICES_ACTIVE);
    w.close();
}

/// Series `s` of point `p`, in the document's unit.
fn reading(p: &Point, s: usize) -> Option<f64> {
    let v = p.reading(s);
    if s & !1 == SYNC_DOWN {
        // As `bytes_per_second` has it.
        v.map(|bps| bps / 8.0)
    } else {
        v
    }
}

/// The array at key `k`: series `s` of each point, `null` where it has
/// none; left out when no point has one. Whether it has any.
fn series(w: &mut Writer, k: &str, v: &View, s: usize) -> bool {
    let before = w.mark();
    w.open_array(k);
    let mut known = false;
    for p in v.points() {
        let v = reading(p, s);
        known |= v.is_some();
        w.item_number(v);
    }
    w.close_array();
    if !known {
        w.rewind(before);
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for v in [
            0.0,
            1.0,
            -1.0,
            3.1,
            -0.5,
            8_132_375.0,
            8_132_375.125,
            1_796_083_200.0,
            999_999_999_999_999.0,
            1e15,
            1e16 + 2.0,
            u64::MAX as f64,
            1e300,
            f64::MIN_POSITIVE,
        ] {
            let mut out = String::new();
            number(&mut out, v);
            assert_eq!(out, format!("{v}"), "{v:e}");
        }
    }

    #[test]
    fn a_rewind_undoes_a_key_and_its_comma() {
        let mut w = Writer::new(0);
        w.uint("a", 1);
        let before = w.mark();
        w.open_array("b");
        w.item_number(None);
        w.close_array();
        w.rewind(before);
        w.bool("c", true);
        assert_eq!(w.finish(), "{\"a\":1,\"c\":true}\n");
    }
}
