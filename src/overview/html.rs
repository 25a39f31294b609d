//! `GET /`: the overview as one HTML page, no script, no external resource:
//! the line and the WAN, the hub, the devices, the mesh, the last 24 hours
//! drawn, the events, and the exporter itself. Every hub string goes
//! through [`escape`], in a `<bdi>` where it is element text. One column on
//! a phone, two on a wide screen; dark when the reader's system is.

use std::fmt::Write as _;

use super::chart::{self, Chart, Series};
use super::escape;
use super::history::{self, MAX_POINTS};
use super::report::{Report, State};
use super::units::{Bits, Bytes, Clock, Date, Span, Stamp, Tenths};
use super::{hub_model, station_of, View};
use crate::pages::lan::Device;
use crate::pages::wan::{self, Wan, DIRECTIONS};

const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--dim:#666;--line:#ddd;--ok:#1a7f37;--bad:#c0392b;--warn:#9a6700;--s0:#1f6feb;--s1:#d2691e;--hover:rgba(127,127,127,.15)}\
@media (prefers-color-scheme:dark){:root{--bg:#111417;--fg:#e6e6e6;--dim:#9aa0a6;--line:#333;--ok:#3fb950;--bad:#f47067;--warn:#d29922;--s0:#58a6ff;--s1:#f0883e}}\
body{background:var(--bg);color:var(--fg);font:100%/1.45 system-ui,sans-serif;margin:0 auto;max-width:80em;padding:0 1em 2em}\
main{display:grid;gap:0 2.5em;grid-template-columns:minmax(0,1fr)}section{min-width:0}\
@media (min-width:60em){main{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}#line{grid-area:1/1/3/2}#hub{grid-area:1/2}#mesh{grid-area:2/2}#devices{grid-area:3/1/4/3}#day{grid-area:4/1/5/3}#events{grid-area:5/1}#exporter{grid-area:5/2}#day figure{display:inline-block;width:calc(50% - 1.3em);vertical-align:top}}\
h1{font-size:1.4em;margin:.8em 0 .2em}h2{font-size:1.15em;border-bottom:1px solid var(--line);padding-bottom:.2em;margin:1.4em 0 .5em}\
table{border-collapse:collapse;margin:.3em 0}th,td{text-align:left;padding:.15em .8em .15em 0;vertical-align:top}td{overflow-wrap:anywhere}\
.wide td{overflow-wrap:normal;white-space:nowrap}.wide td:first-child{white-space:normal;overflow-wrap:anywhere;min-width:8em}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}thead th{color:var(--dim);font-weight:normal;border-bottom:1px solid var(--line)}\
.wide{overflow-x:auto}.dim,small{color:var(--dim)}.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}\
.summary{font-size:1.1em;margin:.2em 0}\
figure{margin:1em 0}figcaption{font-weight:bold}\
svg{display:block;width:100%;height:9em;border:1px solid var(--line);box-sizing:border-box}\
svg path{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}\
.s0{stroke:var(--s0)}.s1{stroke:var(--s1)}.key{display:inline-block;width:.8em;height:.8em;margin-right:.3em;border-radius:2px}\
.key.s0{background:var(--s0)}.key.s1{background:var(--s1)}\
.hour{fill:transparent}.hour:hover{fill:var(--hover)}.ev{fill:var(--bad);opacity:.55}.ev.wan_up,.ev.collector_recovered{fill:var(--ok)}.ev.resync{fill:var(--warn)}\
.axis{display:flex;justify-content:space-between;color:var(--dim);font-size:.85em;margin:.1em 0}\
.range{font-size:.9em}ol.events{padding-left:1.2em}footer{margin-top:2em;color:var(--dim)}a{color:var(--s0)}";

/// The page.
pub fn render(v: &View) -> String {
    let r = v.report;
    let devices = r.devices.as_ref().map_or(0, |d| d.devices.len());
    let mut out = String::with_capacity(24 * 1024 + 700 * devices + 40 * v.history.points().len());
    let o = &mut out;
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
    o.push_str(headline(r).0);
    o.push_str(" · BT Smart Hub · smarthub-exporter</title>\n<style>");
    o.push_str(STYLE);
    o.push_str("</style>\n</head>\n<body>\n<header>\n<h1>BT Smart Hub</h1>\n");
    write_summary(o, v);
    o.push_str("</header>\n<main>\n");
    write_line(o, v);
    write_hub(o, r);
    write_devices(o, r);
    write_mesh(o, r);
    write_day(o, v);
    write_events(o, v);
    write_exporter(o, v);
    o.push_str("</main>\n<footer><p><a href=\"/metrics\">Metrics</a> · <a href=\"/status.json\">JSON</a> · smarthub-exporter ");
    o.push_str(v.about.version);
    o.push_str("</p></footer>\n</body>\n</html>\n");
    out
}

/// The page's one-word state and its class.
fn headline(r: &Report) -> (&'static str, &'static str) {
    match &r.wan {
        Some(w) if w.connected => ("Online", "ok"),
        Some(_) => ("Offline", "bad"),
        None => ("Not known", "warn"),
    }
}

/// A hub string as element text: escaped, isolated.
fn hub_text(o: &mut String, s: &str) {
    o.push_str("<bdi>");
    escape::text(o, s);
    o.push_str("</bdi>");
}

/// `<time>` with its UTC clock time (and date, past a day), and how long
/// before `now`.
fn time_ago(o: &mut String, t: i64, now: i64) {
    let ago = now.saturating_sub(t).max(0) as u64;
    let _ = write!(o, "<time datetime=\"{}\">", Stamp(t));
    if ago < 86_400 {
        let _ = write!(o, "{} UTC", Clock(t));
    } else {
        let _ = write!(o, "{}", Date(t));
    }
    let _ = write!(o, "</time> <small>({:#} ago)</small>", Span(ago));
}

fn section(o: &mut String, id: &str, title: &str) {
    let _ = write!(o, "<section id=\"{id}\">\n<h2>{title}</h2>\n");
}

/// A collector that read nothing this time: why, instead of its figures.
fn missing(o: &mut String, r: &Report, collector: &str) {
    o.push_str("<p class=\"warn\">");
    match r.state(collector) {
        Some(State::Failing(e)) => {
            let _ = write!(o, "The {collector} collector is failing: ");
            hub_text(o, e);
        }
        Some(State::Unavailable) => {
            let _ = write!(o, "This hub has no page for the {collector} collector.");
        }
        Some(State::Disabled) => {
            let _ = write!(o, "The {collector} collector is turned off.");
        }
        _ => {
            let _ = write!(o, "Nothing read by the {collector} collector.");
        }
    }
    o.push_str("</p>\n");
}

fn write_summary(o: &mut String, v: &View) {
    let r = v.report;
    let (word, class) = headline(r);
    let _ = write!(
        o,
        "<p class=\"summary\"><strong class=\"{class}\">{word}</strong>"
    );
    if let Some(w) = &r.wan {
        if let Some(s) = dsl_stats(w) {
            o.push_str(" · ");
            escape::text(o, &s.mode);
            if let [Some(d), Some(u)] = s.sync_bps {
                let _ = write!(o, " {:#} down, {:#} up", Bits(d as f64), Bits(u as f64));
            }
        } else if let Some(rate) = w.rate {
            let _ = write!(
                o,
                " · {:#} down, {:#} up",
                Bits(rate.down_bps as f64),
                Bits(rate.up_bps as f64)
            );
        }
    }
    if let Some(d) = &r.devices {
        let _ = write!(o, " · {:#} devices active", d.active_entries);
    }
    o.push_str("</p>\n<p class=\"dim\">As read ");
    time_ago(o, r.started.div_euclid(1000), v.now.div_euclid(1000));
    let failing = r
        .collectors
        .iter()
        .filter(|c| matches!(c.state, State::Failing(_)))
        .count();
    if failing > 0 {
        let _ = write!(
            o,
            "; <span class=\"bad\">{failing} collector{:#} failing</span>",
            if failing == 1 { "" } else { "s" }
        );
    }
    o.push_str(".</p>\n");
}

fn dsl_stats(w: &Wan) -> Option<&wan::DslStats> {
    w.dsl
        .as_ref()
        .filter(|d| d.up && w.active_idx != 0)
        .and_then(|d| d.stats.as_ref())
}

fn row(o: &mut String, th: &str) {
    let _ = write!(o, "<tr><th>{th}</th><td>");
}

fn write_line(o: &mut String, v: &View) {
    section(o, "line", "Line and WAN");
    let r = v.report;
    let Some(w) = &r.wan else {
        missing(o, r, "wan");
        o.push_str("</section>\n");
        return;
    };
    let now = v.now.div_euclid(1000);
    let at = r.started.div_euclid(1000);
    o.push_str("<table class=\"facts\">\n");
    row(o, "Internet");
    if w.connected {
        o.push_str("<span class=\"ok\">connected</span>");
        if let Some(u) = w.connection_uptime {
            let _ = write!(o, " for {:#}", Span(u));
            o.push_str(", since ");
            time_ago(o, at - u as i64, now);
        }
    } else {
        o.push_str("<span class=\"bad\">not connected</span>");
    }
    o.push_str("</td></tr>\n");
    let kind = wan::wan_kind(w.active_idx);
    row(o, "Connection");
    match (kind, w.dsl.as_ref().and_then(|d| d.stats.as_ref())) {
        ("ethernet", _) => o.push_str("Ethernet (fibre to the premises)"),
        (_, Some(s)) => {
            escape::text(o, &s.mode);
            for extra in [&s.profile, &s.channel] {
                if !extra.is_empty() {
                    o.push_str(", ");
                    escape::text(o, extra);
                }
            }
        }
        ("unknown", None) => {
            let _ = write!(o, "WAN row {:#}", w.active_idx);
        }
        (k, None) => o.push_str(if k == "adsl" { "ADSL" } else { "VDSL" }),
    }
    o.push_str("</td></tr>\n");
    if let Some(link) = w.link {
        row(o, "Physical link");
        if link.up {
            o.push_str("<span class=\"ok\">up</span>");
            if let Some(u) = link.uptime {
                let _ = write!(o, " for {:#}", Span(u));
            }
        } else {
            o.push_str("<span class=\"bad\">down</span>");
        }
        o.push_str("</td></tr>\n");
    }
    if let Some(dsl) = w.dsl.as_ref().filter(|_| kind != "ethernet") {
        if !dsl.up {
            row(o, "DSL line");
            o.push_str("<span class=\"bad\">not trained</span></td></tr>\n");
        }
    }
    if let Some(rate) = w.rate {
        row(
            o,
            if kind == "ethernet" {
                "Link speed"
            } else {
                "Line rate"
            },
        );
        let _ = writeln!(
            o,
            "{:#} down, {:#} up</td></tr>",
            Bits(rate.down_bps as f64),
            Bits(rate.up_bps as f64)
        );
    }
    if let Some(vol) = w.volume {
        row(o, "This session");
        let _ = writeln!(
            o,
            "{:#} down, {:#} up</td></tr>",
            Bytes(vol.down_bytes),
            Bytes(vol.up_bytes)
        );
    }
    if let Some(t) = v.history.throughput() {
        row(o, "Throughput now");
        let _ = writeln!(
            o,
            "{:#} down, {:#} up <small>(since the scrape before)</small></td></tr>",
            Bits(t.down * 8.0),
            Bits(t.up * 8.0)
        );
    }
    let a = &w.addresses;
    let ips: [(&str, Option<String>); 4] = [
        ("IPv4 address", a.ipv4.map(|ip| ip.to_string())),
        ("Gateway", a.ipv4_gateway.map(|ip| ip.to_string())),
        ("IPv6 address", a.ipv6.clone()),
        ("IPv6 link-local", a.ipv6_link_local.clone()),
    ];
    for (name, ip) in ips {
        if let Some(ip) = ip {
            row(o, name);
            escape::text(o, &ip);
            o.push_str("</td></tr>\n");
        }
    }
    if !a.dns.is_empty() {
        row(o, "DNS");
        for (i, ip) in a.dns.iter().enumerate() {
            let _ = write!(o, "{:#}{ip}", if i > 0 { ", " } else { "" });
        }
        o.push_str("</td></tr>\n");
    }
    if w.wifi_channels.iter().any(Option::is_some) {
        row(o, "Wi-Fi channels");
        let mut first = true;
        for (band, ch) in ["2.4 GHz", "5 GHz"].into_iter().zip(w.wifi_channels) {
            if let Some(ch) = ch {
                let _ = write!(o, "{:#}{ch} ({band})", if first { "" } else { ", " });
                first = false;
            }
        }
        o.push_str("</td></tr>\n");
    }
    o.push_str("</table>\n");
    if let Some(s) = dsl_stats(w) {
        write_dsl(o, s);
    }
    o.push_str("</section>\n");
}

fn write_dsl(o: &mut String, s: &wan::DslStats) {
    o.push_str("<table class=\"dsl\">\n<thead><tr><th>DSL line</th>");
    for dir in DIRECTIONS {
        let _ = write!(o, "<th class=\"n\">{dir}</th>");
    }
    o.push_str("</tr></thead>\n");
    let rates: [(&str, [Option<u64>; 2]); 2] = [
        ("Sync rate", s.sync_bps),
        ("Attainable rate", s.attainable_bps),
    ];
    for (name, v) in rates {
        if v.iter().any(Option::is_some) {
            let _ = write!(o, "<tr><th>{name}</th>");
            for x in v {
                o.push_str("<td class=\"n\">");
                if let Some(x) = x {
                    let _ = write!(o, "{:#}", Bits(x as f64));
                }
                o.push_str("</td>");
            }
            o.push_str("</tr>\n");
        }
    }
    let tenths: [(&str, [Option<i32>; 2], &str); 4] = [
        ("SNR margin", s.snr_margin_tenth_db, "dB"),
        ("Line attenuation", s.line_attenuation_tenth_db, "dB"),
        ("Signal attenuation", s.signal_attenuation_tenth_db, "dB"),
        ("Output power", s.output_power_tenth_dbm, "dBm"),
    ];
    for (name, v, unit) in tenths {
        if v.iter().any(Option::is_some) {
            let _ = write!(o, "<tr><th>{name}</th>");
            for x in v {
                o.push_str("<td class=\"n\">");
                if let Some(x) = x {
                    let _ = write!(o, "{:#}\u{a0}{unit}", Tenths(x));
                }
                o.push_str("</td>");
            }
            o.push_str("</tr>\n");
        }
    }
    o.push_str("</table>\n");
}

fn write_hub(o: &mut String, r: &Report) {
    section(o, "hub", "The hub");
    let model = hub_model(r);
    if r.hub.is_none() && model.is_none() && r.wan.is_none() {
        missing(o, r, "status");
        o.push_str("</section>\n");
        return;
    }
    o.push_str("<table class=\"facts\">\n");
    if let Some(m) = model {
        row(o, "Model");
        hub_text(o, m);
        o.push_str("</td></tr>\n");
    }
    if let Some(h) = &r.hub {
        row(o, "Firmware");
        hub_text(o, &h.firmware);
        o.push_str("</td></tr>\n");
        if let Some(ip) = h.lan_ip {
            row(o, "LAN address");
            let _ = writeln!(o, "{ip}</td></tr>");
        }
    }
    if let Some(w) = &r.wan {
        row(o, "Uptime");
        let boot = r.started.div_euclid(1000) - w.sysuptime as i64;
        let _ = writeln!(
            o,
            "{:#} <small>(since {:#})</small></td></tr>",
            Span(w.sysuptime),
            Date(boot)
        );
    }
    o.push_str("</table>\n");
    if r.hub.is_none() {
        missing(o, r, "status");
    }
    o.push_str("</section>\n");
}

/// A device's name as people know it: the name given on the hub, else its
/// own host name.
fn device_name(d: &Device) -> &str {
    if !d.name.is_empty() {
        &d.name
    } else {
        &d.hostname
    }
}

fn write_devices(o: &mut String, r: &Report) {
    section(o, "devices", "Devices");
    let Some(d) = &r.devices else {
        missing(o, r, "lan");
        o.push_str("</section>\n");
        return;
    };
    let mut active: Vec<&Device> = d
        .devices
        .iter()
        .filter(|d| d.active == Some(true))
        .collect();
    let mut rest: Vec<&Device> = d
        .devices
        .iter()
        .filter(|d| d.active != Some(true))
        .collect();
    by_name(&mut active);
    by_name(&mut rest);
    let _ = writeln!(
        o,
        "<p>{:#} active of {:#} known <small>(as the hub counts them: one entry may hold several MACs)</small></p>",
        d.active_entries, d.entries
    );
    if !active.is_empty() {
        o.push_str("<div class=\"wide\"><table class=\"devices\">\n<thead><tr><th>Name</th><th>IP</th><th>MAC</th><th>Connection</th><th>Disc</th><th class=\"n\">Signal</th><th class=\"n\">Link rate</th><th class=\"n\">Downloaded</th><th class=\"n\">Uploaded</th></tr></thead>\n");
        for dev in &active {
            write_device(o, r, dev);
        }
        o.push_str("</table></div>\n");
    }
    if !rest.is_empty() {
        let _ = write!(
            o,
            "<details><summary>{:#} not active now</summary>\n<div class=\"wide\"><table class=\"devices\">\n<thead><tr><th>Name</th><th>IP</th><th>MAC</th><th>Connection</th><th>Disc</th><th class=\"n\">Signal</th><th class=\"n\">Link rate</th><th class=\"n\">Downloaded</th><th class=\"n\">Uploaded</th></tr></thead>\n",
            rest.len()
        );
        for dev in &rest {
            write_device(o, r, dev);
        }
        o.push_str("</table></div></details>\n");
    }
    o.push_str("</section>\n");
}

/// Sorts devices by name: a Shell sort, a few dozen bytes of code where
/// the standard library's sorts cost 4-8 KB of binary per use; 250 devices
/// take a few thousand comparisons.
fn by_name(v: &mut [&Device]) {
    let mut gap = v.len() / 2;
    while gap > 0 {
        for i in gap..v.len() {
            let mut j = i;
            while j >= gap && device_name(v[j - gap]) > device_name(v[j]) {
                v.swap(j - gap, j);
                j -= gap;
            }
        }
        gap /= 2;
    }
}

fn write_device(o: &mut String, r: &Report, d: &Device) {
    o.push_str("<tr><td>");
    let name = device_name(d);
    if name.is_empty() {
        o.push_str("<span class=\"dim\">(no name)</span>");
    } else {
        hub_text(o, name);
    }
    if !d.hostname.is_empty() && d.hostname != name {
        o.push_str("<br><small>");
        hub_text(o, &d.hostname);
        o.push_str("</small>");
    }
    o.push_str("</td><td>");
    hub_text(o, &d.ip);
    o.push_str("</td><td>");
    hub_text(o, &d.mac);
    o.push_str("</td><td>");
    let station = station_of(r, &d.mac);
    match station
        .map(|s| s.connection.as_str())
        .filter(|c| !c.is_empty())
    {
        Some(c) => hub_text(o, c),
        // `NA`: the hub's "not known".
        None if !d.port.is_empty() && d.port != "NA" => hub_text(o, &d.port),
        None => {}
    }
    o.push_str("</td><td>");
    if let Some(node) = station.and_then(|s| s.node.as_deref()) {
        hub_text(o, node);
    }
    o.push_str("</td><td class=\"n\">");
    if let Some(dbm) = station.and_then(|s| s.signal_dbm) {
        let _ = write!(o, "{dbm}\u{a0}dBm");
    }
    o.push_str("</td><td class=\"n\">");
    if let Some(bps) = station.and_then(|s| s.link_bps) {
        let _ = write!(o, "{:#}", Bits(bps as f64));
    }
    o.push_str("</td>");
    match d.traffic {
        Some(t) => {
            let _ = write!(
                o,
                "<td class=\"n\">{:#}</td><td class=\"n\">{:#}</td>",
                Bytes(t.rx_bytes),
                Bytes(t.tx_bytes)
            );
        }
        None => o.push_str("<td></td><td></td>"),
    }
    o.push_str("</tr>\n");
}

fn write_mesh(o: &mut String, r: &Report) {
    section(o, "mesh", "The mesh");
    let Some(m) = &r.mesh else {
        missing(o, r, "owl");
        o.push_str("</section>\n");
        return;
    };
    o.push_str("<div class=\"wide\"><table class=\"mesh\">\n<thead><tr><th>Node</th><th>Model</th><th>Backhaul</th><th class=\"n\">Signal</th><th class=\"n\">Rate</th><th class=\"n\">Up for</th><th class=\"n\">Clients</th></tr></thead>\n");
    for n in &m.nodes {
        o.push_str("<tr><td>");
        hub_text(o, if n.name.is_empty() { &n.id } else { &n.name });
        o.push_str("</td><td>");
        hub_text(o, &n.model);
        o.push_str("</td><td>");
        match &n.backhaul {
            Some(b) => hub_text(o, b),
            None => o.push_str("<span class=\"dim\">(the hub)</span>"),
        }
        o.push_str("</td><td class=\"n\">");
        if let Some(dbm) = n.backhaul_dbm {
            let _ = write!(o, "{dbm}\u{a0}dBm");
        }
        o.push_str("</td><td class=\"n\">");
        if let Some(bps) = n.backhaul_bps {
            let _ = write!(o, "{:#}", Bits(bps as f64));
        }
        o.push_str("</td><td class=\"n\">");
        if let Some(u) = n.uptime {
            let _ = write!(o, "{:#}", Span(u));
        }
        o.push_str("</td><td class=\"n\">");
        if let Some(s) = n.stations {
            let _ = write!(o, "{s}");
        }
        o.push_str("</td></tr>\n");
    }
    o.push_str("</table></div>\n</section>\n");
}

fn write_day(o: &mut String, v: &View) {
    section(o, "day", "The last 24 hours");
    let now_minute = v.now.div_euclid(60_000);
    let first = u32::try_from((now_minute - MAX_POINTS as i64 + 1).max(0)).unwrap_or(0);
    let points: Vec<&history::Point> = v.points().collect();
    if points.is_empty() {
        o.push_str("<p class=\"dim\">Nothing yet: each scrape adds a point (one a minute at most).</p>\n</section>\n");
        return;
    }
    let events: Vec<&history::Event> = v.events().collect();
    let pair = |get: &dyn Fn(&history::Point, usize) -> Option<f64>| -> Vec<Series> {
        DIRECTIONS
            .iter()
            .enumerate()
            .map(|(i, name)| Series {
                name,
                values: points
                    .iter()
                    .filter_map(|p| get(p, i).map(|x| (p.minute, x)))
                    .collect(),
            })
            .filter(|s| !s.values.is_empty())
            .collect()
    };
    let charts = [
        Chart {
            title: "SNR margin",
            series: pair(&|p, i| p.snr_margin_tenth_db[i].map(|t| f64::from(t) / 10.0)),
            unit: |o, x| {
                let _ = write!(o, "{x:.1}\u{a0}dB");
            },
            from_zero: false,
        },
        Chart {
            title: "Sync rate",
            series: pair(&|p, i| p.sync_bps[i].map(|b| b.get() as f64)),
            unit: |o, x| {
                let _ = write!(o, "{:#}", Bits(x));
            },
            from_zero: true,
        },
        Chart {
            title: "Throughput",
            series: pair(&|p, i| p.throughput[i].map(|t| f64::from(t) * 8.0)),
            unit: |o, x| {
                let _ = write!(o, "{:#}", Bits(x));
            },
            from_zero: true,
        },
        Chart {
            title: "Devices active",
            series: vec![Series {
                name: "active",
                values: points
                    .iter()
                    .filter_map(|p| p.devices_active.map(|n| (p.minute, f64::from(n))))
                    .collect(),
            }]
            .into_iter()
            .filter(|s| !s.values.is_empty())
            .collect(),
            unit: |o, x| {
                let _ = write!(o, "{x:.0}");
            },
            from_zero: true,
        },
    ];
    for c in charts.iter().filter(|c| !c.series.is_empty()) {
        chart::write(o, c, first, &events);
    }
    let _ = write!(
        o,
        "<p class=\"dim\">One point a minute at most, from the scrapes (by Prometheus, or --poll every {:#}); marks: drops, resyncs, reboots and failures. Times in UTC.</p>\n</section>\n",
        match v.about.poll_seconds {
            0 => "never".to_owned(),
            s => format!("{s} s"),
        }
    );
}

fn write_events(o: &mut String, v: &View) {
    section(o, "events", "Events, last 24 hours");
    let now = v.now.div_euclid(1000);
    let mut any = false;
    for e in v.events().rev() {
        if !any {
            o.push_str("<ol class=\"events\" reversed>\n");
            any = true;
        }
        o.push_str("<li>");
        time_ago(o, e.time, now);
        let _ = write!(o, " {:#}", e.kind.words());
        if let Some(c) = e.collector {
            let _ = write!(o, " ({c})");
        }
        if !e.detail.is_empty() {
            o.push_str(": ");
            hub_text(o, &e.detail);
        }
        o.push_str("</li>\n");
    }
    if any {
        o.push_str("</ol>\n");
    } else {
        o.push_str("<p>No drop, resync, reboot or failure seen.</p>\n");
    }
    o.push_str("</section>\n");
}

fn write_exporter(o: &mut String, v: &View) {
    section(o, "exporter", "The exporter");
    let r = v.report;
    let now = v.now.div_euclid(1000);
    o.push_str("<table class=\"facts\">\n");
    row(o, "Version");
    let _ = writeln!(o, "{:#}</td></tr>", v.about.version);
    row(o, "Hub");
    escape::text(o, &v.about.hub);
    o.push_str("</td></tr>\n");
    row(o, "Last scrape");
    time_ago(o, r.started.div_euclid(1000), now);
    let _ = writeln!(o, ", took {:.2} s</td></tr>", r.duration.as_secs_f64());
    row(o, "Polls");
    match v.about.poll_seconds {
        0 => o.push_str("never (--poll 0): only scrapes fill the history"),
        s => {
            let _ = write!(o, "every {s} s when nothing else scrapes");
        }
    }
    o.push_str("</td></tr>\n</table>\n<table class=\"collectors\">\n<thead><tr><th>Collector</th><th>State</th></tr></thead>\n");
    for c in &r.collectors {
        let _ = write!(o, "<tr><td>{:#}</td><td>", c.name);
        match &c.state {
            State::Ok => o.push_str("<span class=\"ok\">ok</span>"),
            State::Unavailable => o.push_str("<span class=\"dim\">not on this hub</span>"),
            State::Disabled => o.push_str("<span class=\"dim\">turned off</span>"),
            State::Failing(e) => {
                o.push_str("<span class=\"bad\">failing</span>");
                if let Some(since) = v.history.failing_since(c.name) {
                    o.push_str(" since ");
                    time_ago(o, since.div_euclid(1000), now);
                }
                o.push_str(": ");
                hub_text(o, e);
            }
        }
        o.push_str("</td></tr>\n");
    }
    o.push_str("</table>\n</section>\n");
}
