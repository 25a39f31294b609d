//! `GET /status.json`: the overview as JSON, field by field as
//! `docs/status-json.md` describes it.
//!
//! Written by hand, like the exposition: the document is a fixed shape of
//! objects, numbers and escaped strings, which [`Object`] writes in a few
//! dozen lines, where serde and serde_json would add their generic
//! serialiser to the binary for this one use (measured: see the README's
//! budget table). Tests read it back with serde_json.

use std::fmt::{Display, Write as _};

use super::escape;
use super::history::{EventKind, Point};
use super::report::{Report, State};
use super::{station_of, View};
use crate::metrics::bytes_per_second;
use crate::pages::wan::{self, DslStats};

/// The `schema` field: raised when a field changes meaning or type.
pub const SCHEMA: u32 = 1;

/// A JSON object being written: keys in the order written, values escaped.
pub struct Object<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> Object<'a> {
    fn open(out: &'a mut String) -> Object<'a> {
        out.push('{');
        Object { out, empty: true }
    }

    fn key(&mut self, k: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        escape::json(self.out, k);
        self.out.push(':');
        self.out
    }

    pub fn str(&mut self, k: &str, v: &str) {
        let out = self.key(k);
        escape::json(out, v);
    }

    /// A string that the hub may leave empty: absent when it does.
    pub fn text(&mut self, k: &str, v: &str) {
        if !v.is_empty() {
            self.str(k, v);
        }
    }

    /// An integer, or anything whose `Display` is a JSON number.
    pub fn num(&mut self, k: &str, v: impl Display) {
        let out = self.key(k);
        let _ = write!(out, "{v}");
    }

    /// A float; absent when it is not finite (JSON has no NaN).
    pub fn float(&mut self, k: &str, v: f64) {
        if v.is_finite() {
            self.num(k, v);
        }
    }

    pub fn bool(&mut self, k: &str, v: bool) {
        self.key(k).push_str(if v { "true" } else { "false" });
    }

    pub fn object(&mut self, k: &str, f: impl FnOnce(&mut Object)) {
        let out = self.key(k);
        let mut o = Object::open(out);
        f(&mut o);
        o.close();
    }

    /// An array whose items `f` writes with the [`Array`] it is given.
    pub fn array(&mut self, k: &str, f: impl FnOnce(&mut Array)) {
        let out = self.key(k);
        out.push('[');
        let mut a = Array { out, empty: true };
        f(&mut a);
        a.out.push(']');
    }

    fn close(self) {
        self.out.push('}');
    }
}

pub struct Array<'a> {
    out: &'a mut String,
    empty: bool,
}

impl Array<'_> {
    fn comma(&mut self) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
    }

    pub fn object(&mut self, f: impl FnOnce(&mut Object)) {
        self.comma();
        let mut o = Object::open(self.out);
        f(&mut o);
        o.close();
    }

    pub fn str(&mut self, v: &str) {
        self.comma();
        escape::json(self.out, v);
    }
}

/// The whole document.
pub fn render(v: &View) -> String {
    let r = v.report;
    let mut out = String::with_capacity(16 * 1024 + 160 * v.history.points().len());
    let mut doc = Object::open(&mut out);
    doc.num("schema", SCHEMA);
    doc.object("exporter", |o| {
        o.str("version", v.about.version);
        o.str("hub", &v.about.hub);
        o.num("poll_seconds", v.about.poll_seconds);
        o.num("scraped_at", r.started.div_euclid(1000));
        o.float("scrape_duration_seconds", r.duration.as_secs_f64());
        o.num("now", v.now.div_euclid(1000));
    });
    doc.array("collectors", |a| {
        for c in &r.collectors {
            a.object(|o| {
                o.str("name", c.name);
                o.str("state", c.state.name());
                if let State::Failing(error) = &c.state {
                    o.str("error", error);
                    if let Some(since) = v.history.failing_since(c.name) {
                        o.num("failing_since", since.div_euclid(1000));
                    }
                }
            });
        }
    });
    if let Some(w) = &r.wan {
        doc.object("wan", |o| write_wan(o, v, w));
    }
    write_hub(&mut doc, r);
    if let Some(d) = &r.devices {
        doc.object("devices", |o| {
            o.num("known", d.entries);
            o.num("active", d.active_entries);
            o.array("list", |a| {
                for dev in &d.devices {
                    a.object(|o| {
                        o.str("mac", &dev.mac);
                        o.text("name", &dev.name);
                        o.text("hostname", &dev.hostname);
                        o.text("ip", &dev.ip);
                        if let Some(active) = dev.active {
                            o.bool("active", active);
                        }
                        o.text("port", &dev.port);
                        if let Some(s) = station_of(r, &dev.mac) {
                            o.text("connection", &s.connection);
                            if let Some(node) = &s.node {
                                o.text("node", node);
                            }
                            if let Some(dbm) = s.signal_dbm {
                                o.num("signal_dbm", dbm);
                            }
                            if let Some(bps) = s.link_bps {
                                o.float("link_rate_bytes_per_second", bytes_per_second(bps));
                            }
                        }
                        if let Some(t) = dev.traffic {
                            o.num("downloaded_bytes", t.rx_bytes);
                            o.num("uploaded_bytes", t.tx_bytes);
                        }
                    });
                }
            });
        });
    }
    if let Some(m) = &r.mesh {
        doc.object("mesh", |o| {
            o.array("nodes", |a| {
                for n in &m.nodes {
                    a.object(|o| {
                        o.str("id", &n.id);
                        o.text("name", &n.name);
                        o.text("model", &n.model);
                        o.text("firmware", &n.firmware);
                        if let Some(b) = &n.backhaul {
                            o.text("backhaul", b);
                        }
                        if let Some(u) = n.uptime {
                            o.num("uptime_seconds", u);
                        }
                        if let Some(s) = n.stations {
                            o.num("stations", s);
                        }
                        if let Some(bps) = n.backhaul_bps {
                            o.float("backhaul_link_rate_bytes_per_second", bytes_per_second(bps));
                        }
                        if let Some(dbm) = n.backhaul_dbm {
                            o.num("backhaul_signal_dbm", dbm);
                        }
                    });
                }
            });
        });
    }
    doc.object("history", |o| {
        o.num("step_seconds", super::history::STEP_SECONDS);
        o.array("points", |a| {
            for p in v.points() {
                a.object(|o| write_point(o, p));
            }
        });
    });
    doc.array("events", |a| {
        for e in v.events() {
            a.object(|o| {
                o.num("time", e.time);
                o.str("kind", e.kind.name());
                if let Some(c) = e.collector {
                    o.str("collector", c);
                }
                o.text("detail", &e.detail);
            });
        }
    });
    doc.close();
    out.push('\n');
    out
}

fn write_wan(o: &mut Object, v: &View, w: &wan::Wan) {
    o.bool("connected", w.connected);
    if let Some(u) = w.connection_uptime.filter(|_| w.connected) {
        o.num("connection_uptime_seconds", u);
    }
    if let Some(link) = w.link {
        o.object("link", |o| {
            o.bool("up", link.up);
            if let Some(u) = link.uptime.filter(|_| link.up) {
                o.num("uptime_seconds", u);
            }
        });
    }
    let kind = wan::wan_kind(w.active_idx);
    if kind != "unknown" {
        o.str("kind", kind);
    }
    // An FTTP hub's DSL port is unused: its "down" is no news.
    if let Some(dsl) = w.dsl.as_ref().filter(|_| kind != "ethernet") {
        o.object("dsl", |o| {
            o.bool("trained", dsl.up);
            match &dsl.stats {
                Some(s) if dsl.up => write_dsl(o, s),
                _ => o.bool("up", false),
            }
        });
    }
    if let Some(r) = w.rate {
        o.num("download_rate_bits_per_second", r.down_bps);
        o.num("upload_rate_bits_per_second", r.up_bps);
    }
    if let Some(vol) = w.volume {
        o.num("downloaded_bytes", vol.down_bytes);
        o.num("uploaded_bytes", vol.up_bytes);
    }
    if let Some(t) = v.history.throughput() {
        o.object("throughput", |o| {
            o.float("down_bytes_per_second", t.down);
            o.float("up_bytes_per_second", t.up);
        });
    }
    let a = &w.addresses;
    if let Some(ip) = a.ipv4 {
        o.str("ipv4", &ip.to_string());
    }
    if let Some(ip) = a.ipv4_gateway {
        o.str("ipv4_gateway", &ip.to_string());
    }
    if !a.dns.is_empty() {
        o.array("dns", |arr| {
            for ip in &a.dns {
                arr.str(&ip.to_string());
            }
        });
    }
    if let Some(ip) = &a.ipv6 {
        o.str("ipv6", ip);
    }
    if let Some(ip) = &a.ipv6_link_local {
        o.str("ipv6_link_local", ip);
    }
    if w.wifi_channels.iter().any(Option::is_some) {
        o.object("wifi_channels", |o| {
            for (band, ch) in ["2.4GHz", "5GHz"].into_iter().zip(w.wifi_channels) {
                if let Some(ch) = ch {
                    o.num(band, ch);
                }
            }
        });
    }
}

/// A trained line: `up` is then the upstream's figures (an object, so a
/// test of `dsl.up` for truth still reads "trained"); `trained` says the
/// same as a boolean.
fn write_dsl(o: &mut Object, s: &DslStats) {
    o.text("mode", &s.mode);
    o.text("profile", &s.profile);
    o.text("channel", &s.channel);
    for (i, dir) in wan::DIRECTIONS.into_iter().enumerate() {
        o.object(dir, |o| {
            if let Some(bps) = s.sync_bps[i] {
                o.float("sync_rate_bytes_per_second", bytes_per_second(bps));
            }
            if let Some(bps) = s.attainable_bps[i] {
                o.float("attainable_rate_bytes_per_second", bytes_per_second(bps));
            }
            let tenths = |o: &mut Object, k: &str, v: Option<i32>| {
                if let Some(t) = v {
                    o.float(k, f64::from(t) / 10.0);
                }
            };
            tenths(o, "snr_margin_db", s.snr_margin_tenth_db[i]);
            tenths(o, "line_attenuation_db", s.line_attenuation_tenth_db[i]);
            tenths(o, "signal_attenuation_db", s.signal_attenuation_tenth_db[i]);
            tenths(o, "output_power_dbm", s.output_power_tenth_dbm[i]);
        });
    }
}

fn write_hub(doc: &mut Object, r: &Report) {
    let uptime = r.wan.as_ref().map(|w| w.sysuptime);
    let model = super::hub_model(r);
    if uptime.is_none() && model.is_none() && r.hub.is_none() {
        return;
    }
    doc.object("hub", |o| {
        if let Some(u) = uptime {
            o.num("uptime_seconds", u);
        }
        if let Some(h) = &r.hub {
            o.text("firmware_version", &h.firmware);
        }
        if let Some(m) = model {
            o.text("model", m);
        }
        if let Some(ip) = r.hub.as_ref().and_then(|h| h.lan_ip) {
            o.str("lan_ip", &ip.to_string());
        }
    });
}

fn write_point(o: &mut Object, p: &Point) {
    o.num("time", p.time());
    let pair = |o: &mut Object, k: &str, v: [Option<f64>; 2]| {
        if v.iter().any(Option::is_some) {
            o.object(k, |o| {
                for (dir, x) in wan::DIRECTIONS.into_iter().zip(v) {
                    if let Some(x) = x {
                        o.float(dir, x);
                    }
                }
            });
        }
    };
    pair(
        o,
        "snr_margin_db",
        p.snr_margin_tenth_db
            .map(|v| v.map(|t| f64::from(t) / 10.0)),
    );
    pair(
        o,
        "sync_rate_bytes_per_second",
        p.sync_bps.map(|v| v.map(|b| bytes_per_second(b.get()))),
    );
    if p.throughput.iter().any(Option::is_some) {
        // f32 as written by its own Display: the shortest text that reads
        // back as the stored value, not the noise of widening it to f64.
        o.object("throughput_bytes_per_second", |o| {
            for (dir, x) in wan::DIRECTIONS.into_iter().zip(p.throughput) {
                if let Some(x) = x.filter(|x| x.is_finite()) {
                    o.num(dir, x);
                }
            }
        });
    }
    if let Some(n) = p.devices_active {
        o.num("devices_active", n);
    }
}

/// Kept for the docs' list of kinds: every [`EventKind`] the JSON writes.
pub const EVENT_KINDS: [EventKind; 6] = [
    EventKind::WanDown,
    EventKind::WanUp,
    EventKind::Resync,
    EventKind::Reboot,
    EventKind::CollectorFailed,
    EventKind::CollectorRecovered,
];
