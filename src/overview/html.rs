//! `GET /`: the overview as one HTML page, no script, no external resource:
//! the line and the WAN, the hub, the devices, the mesh, the last 24 hours
//! drawn, the events, and the exporter itself. Every hub string goes
//! through [`escape`], in a `<bdi>` where it is element text. One column on
//! a phone, two on a wide screen; dark when the reader's system is.

use super::chart::{self, Chart, Series};
use super::escape;
use super::history::{self, MAX_POINTS};
use super::report::{Report, State};
use super::units::{self, NBSP};
use super::{hub_model, seconds, station_of, View};
use crate::pages::lan::Device;
use crate::pages::wan::{self, Wan};

const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--dim:#666;--line:#ddd;--ok:#1a7f37;--bad:#c0392b;--warn:#9a6700;--s0:#1f6feb;--s1:#d2691e}\
@media (prefers-color-scheme:dark){:root{--bg:#111417;--fg:#e6e6e6;--dim:#9aa0a6;--line:#333;--ok:#3fb950;--bad:#f47067;--warn:#d29922;--s0:#58a6ff;--s1:#f0883e}}\
body{background:var(--bg);color:var(--fg);font:100%/1.45 system-ui,sans-serif;margin:0 auto;max-width:80em;padding:0 1em 2em}\
main{display:grid;gap:0 2.5em;grid-template-columns:minmax(0,1fr)}section{min-width:0}\
@media (min-width:60em){main{grid-template-columns:minmax(0,1fr) minmax(0,1fr)}#line{grid-area:1/1/3/2}#hub{grid-area:1/2}#mesh{grid-area:2/2}#devices{grid-area:3/1/4/3}#day{grid-area:4/1/5/3}#day figure{display:inline-block;width:47%;margin-right:2%;vertical-align:top}}\
h2{border-bottom:1px solid var(--line);margin:1.4em 0 .5em}\
table{border-collapse:collapse}th,td{text-align:left;padding:.15em .8em .15em 0;vertical-align:top}td{overflow-wrap:anywhere}\
.wide{overflow-x:auto}.wide td{white-space:nowrap}.wide td:first-child{white-space:normal;min-width:8em}\
.n{text-align:right!important;white-space:nowrap}thead th,.dim,small,.axis{color:var(--dim);font-weight:normal}\
.ok{color:var(--ok)}.bad{color:var(--bad)}.warn{color:var(--warn)}\
svg{display:block;width:100%;height:9em;border:1px solid var(--line)}\
figure{margin:1em 0}.range{display:block;overflow-x:auto}.range td{overflow-wrap:normal}\
path{fill:none;stroke-width:2;stroke-linecap:round}.s0{stroke:var(--s0);background:var(--s0)}.s1{stroke:var(--s1);background:var(--s1)}\
.key{display:inline-block;width:.8em;height:.8em;margin-right:.3em}\
.hour{fill:transparent}.hour:hover{fill:#8882}.ev{fill:var(--bad);opacity:.55}.ev.wan_up,.ev.collector_recovered{fill:var(--ok)}.ev.resync{fill:var(--warn)}\
.axis{display:flex;justify-content:space-between;font-size:.85em}a{color:var(--s0)}";

/// Appends a piece of the page's own markup. Not inlined: the page has a
/// few hundred of these, and a call is a third of an inlined `push_str` in
/// the router binary.
#[inline(never)]
pub(super) fn p(o: &mut String, s: &str) {
    o.push_str(s);
}

/// A hub string as element text: escaped, isolated.
#[inline(never)]
pub(super) fn hub_text(o: &mut String, s: &str) {
    p(o, "<bdi>");
    escape::text(o, s);
    p(o, "</bdi>");
}

/// The page.
pub fn render(v: &View) -> String {
    let r = v.report;
    let devices = r.devices.as_ref().map_or(0, |d| d.devices.len());
    let mut out = String::with_capacity(24 * 1024 + 700 * devices + 40 * v.history.points().len());
    let o = &mut out;
    p(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
    p(o, headline(r).0);
    p(o, " · BT Smart Hub · smarthub-exporter</title>\n<style>");
    p(o, STYLE);
    p(
        o,
        "</style>\n</head>\n<body>\n<header>\n<h1>BT Smart Hub</h1>\n",
    );
    write_summary(o, v);
    p(o, "</header>\n<main>\n");
    write_line(o, v);
    write_hub(o, r);
    write_devices(o, r);
    write_mesh(o, r);
    write_day(o, v);
    write_events(o, v);
    write_exporter(o, v);
    p(o, "</main>\n<footer><p><a href=\"/metrics\">Metrics</a> · <a href=\"/status.json\">JSON</a> · smarthub-exporter ");
    p(o, v.about.version);
    p(o, "</p></footer>\n</body>\n</html>\n");
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

/// A time in UTC (with its date, past a day), and how long before `now`.
#[inline(never)]
fn time_ago(o: &mut String, t: i64, now: i64) {
    let ago = now.saturating_sub(t).max(0) as u64;
    if ago >= 86_400 {
        units::date(o, t);
        p(o, " ");
    }
    units::clock(o, t);
    p(o, " UTC <small>(");
    units::span(o, ago, NBSP);
    p(o, " ago)</small>");
}

fn section(o: &mut String, id: &str, title: &str) {
    p(o, "<section id=\"");
    p(o, id);
    p(o, "\">\n<h2>");
    p(o, title);
    p(o, "</h2>\n");
}

/// A collector that read nothing this time: why, instead of its figures.
#[inline(never)]
fn missing(o: &mut String, r: &Report, collector: &str) {
    p(o, "<p class=\"warn\">");
    let state = r.state(collector);
    let (before, after) = match state {
        Some(State::Failing(_)) => ("The ", " collector is failing: "),
        Some(State::Unavailable) => ("This hub has no page for the ", " collector."),
        Some(State::Disabled) => ("The ", " collector is turned off."),
        _ => ("Nothing read by the ", " collector."),
    };
    p(o, before);
    p(o, collector);
    p(o, after);
    if let Some(State::Failing(e)) = state {
        hub_text(o, e);
    }
    p(o, "</p>\n");
}

/// `65.1 Mbit/s down, 18.6 Mbit/s up`.
#[inline(never)]
fn down_up(o: &mut String, down: f64, up: f64, bits: bool) {
    let unit = if bits {
        |o: &mut String, v: f64| units::bits(o, v)
    } else {
        |o: &mut String, v: f64| units::bytes(o, v as u64)
    };
    unit(o, down);
    p(o, " down, ");
    unit(o, up);
    p(o, " up");
}

fn write_summary(o: &mut String, v: &View) {
    let r = v.report;
    let (word, class) = headline(r);
    p(o, "<p class=\"summary\"><strong class=\"");
    p(o, class);
    p(o, "\">");
    p(o, word);
    p(o, "</strong>");
    if let Some(w) = &r.wan {
        if let Some(s) = dsl_stats(w) {
            p(o, " · ");
            hub_text(o, &s.mode);
            if let [Some(d), Some(u)] = s.sync_bps {
                p(o, " ");
                down_up(o, d as f64, u as f64, true);
            }
        } else if let Some(rate) = w.rate {
            p(o, " · ");
            down_up(o, rate.down_bps as f64, rate.up_bps as f64, true);
        }
    }
    if let Some(d) = &r.devices {
        p(o, " · ");
        units::uint(o, d.active_entries as u64);
        p(o, " devices active");
    }
    p(o, "</p>\n<p class=\"dim\">As read ");
    time_ago(o, seconds(r.started), seconds(v.now));
    let failing = r
        .collectors
        .iter()
        .filter(|c| matches!(c.state, State::Failing(_)))
        .count();
    if failing > 0 {
        p(o, "; <span class=\"bad\">");
        units::uint(o, failing as u64);
        p(
            o,
            if failing == 1 {
                " collector failing</span>"
            } else {
                " collectors failing</span>"
            },
        );
    }
    p(o, ".</p>\n");
}

fn dsl_stats(w: &Wan) -> Option<&wan::DslStats> {
    w.dsl
        .as_ref()
        .filter(|d| d.up && w.active_idx != 0)
        .and_then(|d| d.stats.as_ref())
}

/// Opens a row of a facts table: `<tr><th>NAME</th><td>`.
#[inline(never)]
fn row(o: &mut String, th: &str) {
    p(o, "<tr><th>");
    p(o, th);
    p(o, "</th><td>");
}

/// Closes a row opened by [`row`].
#[inline(never)]
fn end_row(o: &mut String) {
    p(o, "</td></tr>\n");
}

/// A row of a facts table whose value is a hub string.
#[inline(never)]
fn text_row(o: &mut String, th: &str, s: &str) {
    row(o, th);
    hub_text(o, s);
    end_row(o);
}

/// ` for 5d 21h` where the uptime is known.
fn up_for(o: &mut String, uptime: Option<u64>) {
    if let Some(u) = uptime {
        p(o, " for ");
        units::span(o, u, NBSP);
    }
}

fn write_line(o: &mut String, v: &View) {
    section(o, "line", "Line and WAN");
    let r = v.report;
    let Some(w) = &r.wan else {
        missing(o, r, "wan");
        p(o, "</section>\n");
        return;
    };
    let now = seconds(v.now);
    let at = seconds(r.started);
    p(o, "<table class=\"facts\">\n");
    row(o, "Internet");
    if w.connected {
        p(o, "<span class=\"ok\">connected</span>");
        up_for(o, w.connection_uptime);
        if let Some(u) = w.connection_uptime {
            p(o, ", since ");
            time_ago(o, at - u as i64, now);
        }
    } else {
        p(o, "<span class=\"bad\">not connected</span>");
    }
    end_row(o);
    let kind = wan::wan_kind(w.active_idx);
    row(o, "Connection");
    match (kind, w.dsl.as_ref().and_then(|d| d.stats.as_ref())) {
        ("ethernet", _) => p(o, "Ethernet (fibre to the premises)"),
        (_, Some(s)) => {
            hub_text(o, &s.mode);
            for extra in [&s.profile, &s.channel] {
                if !extra.is_empty() {
                    p(o, ", ");
                    hub_text(o, extra);
                }
            }
        }
        ("adsl", None) => p(o, "ADSL"),
        ("vdsl", None) => p(o, "VDSL"),
        _ => {
            p(o, "WAN row ");
            units::uint(o, w.active_idx as u64);
        }
    }
    end_row(o);
    if let Some(link) = w.link {
        row(o, "Physical link");
        if link.up {
            p(o, "<span class=\"ok\">up</span>");
            up_for(o, link.uptime);
        } else {
            p(o, "<span class=\"bad\">down</span>");
        }
        end_row(o);
    }
    if w.dsl.as_ref().is_some_and(|d| !d.up) && kind != "ethernet" {
        row(o, "DSL line");
        p(o, "<span class=\"bad\">not trained</span>");
        end_row(o);
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
        down_up(o, rate.down_bps as f64, rate.up_bps as f64, true);
        end_row(o);
    }
    if let Some(vol) = w.volume {
        row(o, "This session");
        down_up(o, vol.down_bytes as f64, vol.up_bytes as f64, false);
        end_row(o);
    }
    if let Some(t) = v.history.throughput() {
        row(o, "Throughput now");
        down_up(o, t.down * 8.0, t.up * 8.0, true);
        end_row(o);
    }
    let a = &w.addresses;
    for (name, ip) in [("IPv4 address", a.ipv4), ("Gateway", a.ipv4_gateway)] {
        if let Some(ip) = ip {
            row(o, name);
            p(o, "<bdi>");
            units::ipv4(o, ip);
            p(o, "</bdi>");
            end_row(o);
        }
    }
    for (name, ip) in [
        ("IPv6 address", &a.ipv6),
        ("IPv6 link-local", &a.ipv6_link_local),
    ] {
        if let Some(ip) = ip {
            text_row(o, name, ip);
        }
    }
    if !a.dns.is_empty() {
        row(o, "DNS");
        for (i, ip) in a.dns.iter().enumerate() {
            if i > 0 {
                p(o, ", ");
            }
            units::ipv4(o, *ip);
        }
        end_row(o);
    }
    p(o, "</table>\n");
    if let Some(s) = dsl_stats(w) {
        write_dsl(o, s);
    }
    p(o, "</section>\n");
}

/// The DSL table's rows after its head: the two rates, then the figures of
/// [`super::dsl_tenths`] in order, with their units (none for a rate).
const DSL_ROWS: [(&str, &str); 6] = [
    ("Sync rate", ""),
    ("Attainable rate", ""),
    ("SNR margin", "dB"),
    ("Line attenuation", "dB"),
    ("Signal attenuation", "dB"),
    ("Output power", "dBm"),
];

fn write_dsl(o: &mut String, s: &wan::DslStats) {
    p(o, "<table class=\"dsl\">\n<thead><tr><th>DSL line</th><th class=\"n\">down</th><th class=\"n\">up</th></tr></thead>\n");
    for (k, (name, unit)) in DSL_ROWS.into_iter().enumerate() {
        // Rates in bit/s, the rest in their unit.
        let values: [Option<f64>; 2] = match k {
            0 => s.sync_bps.map(|v| v.map(|v| v as i64 as f64)),
            1 => s.attainable_bps.map(|v| v.map(|v| v as i64 as f64)),
            _ => super::dsl_tenths(s, k - 2).map(|v| v.map(|t| f64::from(t) / 10.0)),
        };
        if values.iter().all(Option::is_none) {
            continue;
        }
        p(o, "<tr><th>");
        p(o, name);
        p(o, "</th>");
        for &x in &values {
            p(o, "<td class=\"n\">");
            match x {
                Some(x) if unit.is_empty() => units::bits(o, x),
                Some(x) => {
                    units::decimal(o, x, 1);
                    p(o, NBSP);
                    p(o, unit);
                }
                None => {}
            }
            p(o, "</td>");
        }
        p(o, "</tr>\n");
    }
    p(o, "</table>\n");
}

fn write_hub(o: &mut String, r: &Report) {
    section(o, "hub", "The hub");
    let model = hub_model(r);
    if r.hub.is_none() && model.is_none() && r.wan.is_none() {
        missing(o, r, "status");
        p(o, "</section>\n");
        return;
    }
    p(o, "<table class=\"facts\">\n");
    if let Some(m) = model {
        text_row(o, "Model", m);
    }
    if let Some(h) = &r.hub {
        text_row(o, "Firmware", &h.firmware);
        if let Some(ip) = h.lan_ip {
            row(o, "LAN address");
            units::ipv4(o, ip);
            end_row(o);
        }
    }
    if let Some(w) = &r.wan {
        row(o, "Uptime");
        units::span(o, w.sysuptime, NBSP);
        p(o, " <small>(since ");
        let boot = seconds(r.started) - w.sysuptime as i64;
        units::date(o, boot);
        p(o, " ");
        units::clock(o, boot);
        p(o, " UTC)</small>");
        end_row(o);
    }
    p(o, "</table>\n");
    if r.hub.is_none() {
        missing(o, r, "status");
    }
    p(o, "</section>\n");
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

const DEVICE_HEAD: &str = "<div class=\"wide\"><table class=\"devices\">\n<thead><tr><th>Name</th><th>IP</th><th>MAC</th><th>Connection</th><th>Disc</th><th class=\"n\">Signal</th><th class=\"n\">Link rate</th><th class=\"n\">Downloaded</th><th class=\"n\">Uploaded</th></tr></thead>\n";

fn write_devices(o: &mut String, r: &Report) {
    section(o, "devices", "Devices");
    let Some(d) = &r.devices else {
        missing(o, r, "lan");
        p(o, "</section>\n");
        return;
    };
    p(o, "<p>");
    units::uint(o, d.active_entries as u64);
    p(o, " active of ");
    units::uint(o, d.entries as u64);
    p(o, " known</p>\n");
    // The active devices, then the rest folded away.
    for folded in [false, true] {
        let mut list: Vec<&Device> = d
            .devices
            .iter()
            .filter(|d| (d.active != Some(true)) == folded)
            .collect();
        by_name(&mut list);
        if list.is_empty() {
            continue;
        }
        if folded {
            p(o, "<details><summary>");
            units::uint(o, list.len() as u64);
            p(o, " not active now</summary>\n");
        }
        p(o, DEVICE_HEAD);
        for dev in list.iter() {
            write_device(o, r, dev);
        }
        p(o, "</table></div>\n");
        if folded {
            p(o, "</details>\n");
        }
    }
    p(o, "</section>\n");
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

/// `<td class="n">-55 dBm</td>`, empty when not known.
#[inline(never)]
fn dbm_cell(o: &mut String, dbm: Option<i32>) {
    p(o, "<td class=\"n\">");
    if let Some(dbm) = dbm {
        units::int(o, dbm.into());
        p(o, NBSP);
        p(o, "dBm");
    }
    p(o, "</td>");
}

/// `<td class="n">866.0 Mbit/s</td>`, empty when not known.
#[inline(never)]
fn bits_cell(o: &mut String, bps: Option<u64>) {
    p(o, "<td class=\"n\">");
    if let Some(bps) = bps {
        units::bits(o, bps as f64);
    }
    p(o, "</td>");
}

/// `<td>hub text</td>`.
#[inline(never)]
fn text_cell(o: &mut String, s: &str) {
    p(o, "<td>");
    hub_text(o, s);
    p(o, "</td>");
}

fn write_device(o: &mut String, r: &Report, d: &Device) {
    p(o, "<tr><td>");
    let name = device_name(d);
    if name.is_empty() {
        p(o, "<span class=\"dim\">(no name)</span>");
    } else {
        hub_text(o, name);
    }
    if !d.hostname.is_empty() && d.hostname != name {
        p(o, "<br><small>");
        hub_text(o, &d.hostname);
        p(o, "</small>");
    }
    p(o, "</td>");
    text_cell(o, &d.ip);
    text_cell(o, &d.mac);
    let station = station_of(r, &d.mac);
    let connection = match station.map(|s| s.connection.as_str()) {
        Some(c) if !c.is_empty() => c,
        // `NA`: the hub's "not known".
        _ if d.port != "NA" => &d.port,
        _ => "",
    };
    text_cell(o, connection);
    text_cell(o, station.and_then(|s| s.node.as_deref()).unwrap_or(""));
    dbm_cell(o, station.and_then(|s| s.signal_dbm));
    bits_cell(o, station.and_then(|s| s.link_bps));
    for n in [d.traffic.map(|t| t.rx_bytes), d.traffic.map(|t| t.tx_bytes)] {
        p(o, "<td class=\"n\">");
        if let Some(n) = n {
            units::bytes(o, n);
        }
        p(o, "</td>");
    }
    p(o, "</tr>\n");
}

fn write_mesh(o: &mut String, r: &Report) {
    section(o, "mesh", "The mesh");
    let Some(m) = &r.mesh else {
        missing(o, r, "owl");
        p(o, "</section>\n");
        return;
    };
    p(o, "<div class=\"wide\"><table class=\"mesh\">\n<thead><tr><th>Node</th><th>Model</th><th>Backhaul</th><th class=\"n\">Signal</th><th class=\"n\">Rate</th><th class=\"n\">Up for</th><th class=\"n\">Clients</th></tr></thead>\n");
    for n in &m.nodes {
        p(o, "<tr>");
        text_cell(o, if n.name.is_empty() { &n.id } else { &n.name });
        text_cell(o, &n.model);
        match &n.backhaul {
            Some(b) => text_cell(o, b),
            None => p(o, "<td><span class=\"dim\">(the hub)</span></td>"),
        }
        dbm_cell(o, n.backhaul_dbm);
        bits_cell(o, n.backhaul_bps);
        p(o, "<td class=\"n\">");
        if let Some(u) = n.uptime {
            units::span(o, u, NBSP);
        }
        p(o, "</td><td class=\"n\">");
        if let Some(s) = n.stations {
            units::uint(o, s);
        }
        p(o, "</td></tr>\n");
    }
    p(o, "</table></div>\n</section>\n");
}

fn write_day(o: &mut String, v: &View) {
    section(o, "day", "The last 24 hours");
    let now_minute = v.now.div_euclid(60_000);
    let first = u32::try_from((now_minute - MAX_POINTS as i64 + 1).max(0)).unwrap_or(0);
    let points = v.points();
    if points.is_empty() {
        p(o, "<p class=\"dim\">Nothing yet.</p>\n</section>\n");
        return;
    }
    // Each series as (minute, value): what a point has of it. Two
    // buffers for all the charts.
    let mut values: [Vec<(u32, f64)>; 2] = Default::default();
    for (c, (title, names, unit)) in CHARTS.into_iter().enumerate() {
        for (i, v) in values.iter_mut().enumerate() {
            v.clear();
            v.extend(
                points
                    .iter()
                    .filter_map(|p| Some((p.minute, chart_reading(p, 2 * c + i)?))),
            );
        }
        let [down, up] = &values;
        let chart = Chart {
            title,
            series: [
                Series {
                    name: names[0],
                    values: down,
                },
                Series {
                    name: names[1],
                    values: up,
                },
            ],
            unit,
        };
        chart::write(o, &chart, first, v.events());
    }
    p(o, "<p class=\"dim\">A point a minute; marks: drops, resyncs, reboots, failures.</p>\n</section>\n");
}

/// The charts, each of two series of [`history::Point::reading`] from
/// [`history::SNR_DOWN`] on, in order; a name `""` for none (a series
/// past [`history::DEVICES_ACTIVE`], which has no readings).
const CHARTS: [(&str, [&str; 2], chart::Unit); 4] = [
    ("SNR margin", ["down", "up"], chart::Unit::Db),
    ("Sync rate", ["down", "up"], chart::Unit::Bits),
    ("Throughput", ["down", "up"], chart::Unit::Bits),
    ("Devices active", ["active", ""], chart::Unit::Count),
];

/// Series `s` of a point as its chart draws it: throughput in bit/s.
fn chart_reading(p: &history::Point, s: usize) -> Option<f64> {
    let v = p.reading(s);
    if s & !1 == history::THROUGHPUT_DOWN {
        v.map(|b| b * 8.0)
    } else {
        v
    }
}

fn write_events(o: &mut String, v: &View) {
    section(o, "events", "Events, last 24 hours");
    let now = seconds(v.now);
    let mut any = false;
    for e in v.events().iter().rev() {
        if !any {
            p(o, "<ol class=\"events\" reversed>\n");
            any = true;
        }
        p(o, "<li>");
        time_ago(o, e.time, now);
        p(o, " ");
        p(o, e.kind.words());
        if let Some(c) = e.collector {
            p(o, " (");
            p(o, c);
            p(o, ")");
        }
        if !e.detail.is_empty() {
            p(o, ": ");
            hub_text(o, &e.detail);
        }
        p(o, "</li>\n");
    }
    p(
        o,
        if any {
            "</ol>\n"
        } else {
            "<p>No drop, resync, reboot or failure seen.</p>\n"
        },
    );
    p(o, "</section>\n");
}

fn write_exporter(o: &mut String, v: &View) {
    section(o, "exporter", "The exporter");
    let r = v.report;
    let now = seconds(v.now);
    p(o, "<table class=\"facts\">\n");
    row(o, "Version");
    p(o, v.about.version);
    end_row(o);
    text_row(o, "Hub", &v.about.hub);
    row(o, "Last scrape");
    time_ago(o, seconds(r.started), now);
    p(o, ", took ");
    units::decimal(o, r.duration.as_secs_f64(), 2);
    p(o, " s");
    end_row(o);
    row(o, "Polls");
    if v.about.poll_seconds == 0 {
        p(o, "never");
    } else {
        p(o, "every ");
        units::uint(o, v.about.poll_seconds);
        p(o, " s unless scraped");
    }
    end_row(o);
    p(o, "</table>\n<table class=\"collectors\">\n<thead><tr><th>Collector</th><th>State</th></tr></thead>\n");
    for c in &r.collectors {
        p(o, "<tr><td>");
        p(o, c.name);
        p(o, "</td><td>");
        match &c.state {
            State::Ok => p(o, "<span class=\"ok\">ok</span>"),
            State::Unavailable => p(o, "<span class=\"dim\">not on this hub</span>"),
            State::Disabled => p(o, "<span class=\"dim\">turned off</span>"),
            State::Failing(e) => {
                p(o, "<span class=\"bad\">failing</span>");
                if let Some(since) = v.history.failing_since(c.name) {
                    p(o, " since ");
                    time_ago(o, seconds(since), now);
                }
                p(o, ": ");
                hub_text(o, e);
            }
        }
        end_row(o);
    }
    p(o, "</table>\n</section>\n");
}
