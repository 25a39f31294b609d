//! The last 24 hours, kept in memory by the listener: a point per minute
//! and the events seen between scrapes. Pure: each report brings its own
//! time, so the tests drive the clock (as `failure_log`'s do).
//!
//! Points: at most one per minute of the exporter's clock; a second report
//! in the same minute replaces what it read (each series keeps its newest
//! reading of that minute). Points older than [`KEEP_SECONDS`] are dropped,
//! and so are points "in the future" when the clock goes back (a router
//! without a real-time clock learns the time from NTP after boot), so the
//! points stay in time order. A series the report does not have (its
//! collector failed, an FTTP line has no SNR) is absent at that minute,
//! never a zero.
//!
//! Events, compared between consecutive reports that have a WAN section:
//! the WAN dropped (connected → not) and came back; the line resynced (the
//! link came up later than it had, by the hub's own clock, or came up at
//! all); the hub rebooted (its uptime went back). And, per collector, that
//! it started failing and that it recovered. Where the hub's uptimes say
//! when a thing happened, the event has that time, else the time of the
//! scrape that saw it; the list is kept in time order either way.
//!
//! Memory is bounded by [`MAX_BYTES`]: [`MAX_POINTS`] points and
//! [`MAX_EVENTS`] events with their text, allocated once at their full
//! size and never grown past it.

use std::mem::size_of;
use std::num::NonZeroU64;

use super::report::{Millis, Report, State};
use super::units;
use crate::pages::wan::{Volume, Wan};

pub const STEP_SECONDS: i64 = 60;
/// How far back the history goes.
pub const KEEP_SECONDS: i64 = 24 * 3600;
pub const MAX_POINTS: usize = (KEEP_SECONDS / STEP_SECONDS) as usize;
/// Events kept; past that the oldest go first. A day of ordinary life is a
/// handful; this bounds a collector that fails and recovers every minute.
pub const MAX_EVENTS: usize = 200;
/// An event's detail is cut to this (a collector's error may quote the hub).
pub const MAX_DETAIL_BYTES: usize = 160;
/// The most the history's points and events take on the heap, in bytes.
/// The fixed-size part of [`History`] (a few dozen bytes) and the table of
/// failing collectors (one entry per collector) come on top.
pub const MAX_BYTES: usize =
    MAX_POINTS * size_of::<Point>() + MAX_EVENTS * (size_of::<Event>() + MAX_DETAIL_BYTES);
const _: () = assert!(MAX_BYTES <= 128 * 1024, "the history's budget is 128 KiB");

/// One minute of the line, the traffic and the devices. Compact on
/// purpose (48 bytes): there are 1,440 of them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    /// Minutes since the Unix epoch; the point stands for that minute.
    pub minute: u32,
    /// SNR margin down, up, in tenths of a dB as the hub gives it; a value
    /// outside an i16 (over 3,000 dB) is no reading and is left out.
    pub snr_margin_tenth_db: [Option<i16>; 2],
    /// DSL sync rate down, up, bits per second.
    pub sync_bps: [Option<NonZeroU64>; 2],
    /// WAN throughput down, up, in whole bytes per second (to 4 GB/s),
    /// from the counters of this scrape and the one before.
    pub throughput: [Option<u32>; 2],
    /// Devices the hub lists as active.
    pub devices_active: Option<u16>,
}

impl Point {
    /// The start of its minute, in Unix seconds.
    pub fn time(&self) -> i64 {
        i64::from(self.minute) * 60
    }

    /// Series `s` of the point, by number ([`SNR_DOWN`] and the others;
    /// down, then up, for a pair) in its own unit: dB, bit/s, bytes per
    /// second, devices; none past those. A number rather than a closure per series, so that
    /// the page and the document share one small function.
    pub fn reading(&self, s: usize) -> Option<f64> {
        let dir = s & 1;
        match s {
            0 | 1 => self.snr_margin_tenth_db[dir].map(|t| f64::from(t) / 10.0),
            2 | 3 => self.sync_bps[dir].map(|b| b.get() as f64),
            4 | 5 => self.throughput[dir].map(f64::from),
            DEVICES_ACTIVE => self.devices_active.map(f64::from),
            _ => None,
        }
    }

    fn is_empty(&self) -> bool {
        (0..=DEVICES_ACTIVE).all(|s| self.reading(s).is_none())
    }

    /// The newest reading of each series: `newer`'s where it has one.
    fn merge(&mut self, newer: &Point) {
        fn pick<T: Copy>(old: &mut [Option<T>; 2], new: [Option<T>; 2]) {
            for (o, n) in old.iter_mut().zip(new) {
                if n.is_some() {
                    *o = n;
                }
            }
        }
        pick(&mut self.snr_margin_tenth_db, newer.snr_margin_tenth_db);
        pick(&mut self.sync_bps, newer.sync_bps);
        pick(&mut self.throughput, newer.throughput);
        if newer.devices_active.is_some() {
            self.devices_active = newer.devices_active;
        }
    }
}

// The series of a point, for [`Point::reading`].
pub const SNR_DOWN: usize = 0;
pub const SYNC_DOWN: usize = 2;
pub const THROUGHPUT_DOWN: usize = 4;
pub const DEVICES_ACTIVE: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    WanDown,
    WanUp,
    Resync,
    Reboot,
    CollectorFailed,
    CollectorRecovered,
}

impl EventKind {
    /// The name `/status.json` gives it.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::WanDown => "wan_down",
            EventKind::WanUp => "wan_up",
            EventKind::Resync => "resync",
            EventKind::Reboot => "reboot",
            EventKind::CollectorFailed => "collector_failed",
            EventKind::CollectorRecovered => "collector_recovered",
        }
    }

    /// What the page says.
    pub fn words(self) -> &'static str {
        match self {
            EventKind::WanDown => "WAN dropped",
            EventKind::WanUp => "WAN connected",
            EventKind::Resync => "Line resynced",
            EventKind::Reboot => "Hub rebooted",
            EventKind::CollectorFailed => "Collector failing",
            EventKind::CollectorRecovered => "Collector recovered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unix seconds.
    pub time: i64,
    pub kind: EventKind,
    /// The collector, for the collector events.
    pub collector: Option<&'static str>,
    /// Human text, at most [`MAX_DETAIL_BYTES`]; may be empty.
    pub detail: Box<str>,
}

/// Bytes per second, from two readings of the WAN counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throughput {
    pub down: f64,
    pub up: f64,
}

/// What the last report with a WAN section said.
#[derive(Debug, Clone, Copy)]
struct LastWan {
    at: Millis,
    sysuptime: u64,
    /// The hub's uptime when the link came up; `None` while it is down or
    /// when the hub's figures do not tell.
    link_since: Option<u64>,
    link_up: Option<bool>,
    connected: bool,
    volume: Option<Volume>,
}

impl LastWan {
    fn of(at: Millis, w: &Wan) -> LastWan {
        LastWan {
            at,
            sysuptime: w.sysuptime,
            link_since: w
                .link
                .filter(|l| l.up)
                .and_then(|l| l.uptime)
                .map(|u| w.sysuptime.saturating_sub(u)),
            link_up: w.link.map(|l| l.up),
            connected: w.connected,
            volume: w.volume,
        }
    }
}

#[derive(Debug, Default)]
pub struct History {
    // Vecs, not VecDeques: a VecDeque's insert and wrap-around cost 2 KB
    // of router binary, and its iterators more in every reader; dropping
    // the oldest of a full day moves 69 KB once a minute instead.
    points: Vec<Point>,
    events: Vec<Event>,
    last_wan: Option<LastWan>,
    throughput: Option<Throughput>,
    /// Per collector that has failed: since when it fails (`None` once it
    /// no longer does).
    failing: Vec<(&'static str, Option<Millis>)>,
}

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// Takes in one scrape's report: its point, and the events since the
    /// report before.
    pub fn record(&mut self, r: &Report) {
        let t = r.started;
        let seconds = super::seconds(t);
        let minute = u32::try_from(t.div_euclid(60_000).max(0)).unwrap_or(u32::MAX);
        // The clock went back: what lies after it is no longer the past.
        while self.points.last().is_some_and(|p| p.minute > minute) {
            self.points.pop();
        }
        while self.events.last().is_some_and(|e| e.time > seconds) {
            self.events.pop();
        }
        // Both in time order: what is too old is at the front.
        let oldest_minute = i64::from(minute) - MAX_POINTS as i64;
        self.points.retain(|p| i64::from(p.minute) > oldest_minute);
        self.events.retain(|e| e.time > seconds - KEEP_SECONDS);

        let mut new = self.collector_events(r);
        let mut point = Point {
            minute,
            ..Point::default()
        };
        match &r.wan {
            Some(w) => {
                let now = LastWan::of(t, w);
                if let Some(before) = self.last_wan {
                    new.extend(wan_events(&before, &now, w));
                }
                self.throughput = self.last_wan.and_then(|b| throughput(&b, &now));
                self.last_wan = Some(now);
                if let Some(stats) = w.dsl.as_ref().and_then(|d| d.stats.as_ref()) {
                    point.snr_margin_tenth_db = stats
                        .snr_margin_tenth_db
                        .map(|v| v.and_then(|v| i16::try_from(v).ok()));
                    point.sync_bps = stats.sync_bps.map(|v| v.and_then(NonZeroU64::new));
                }
                if let Some(tp) = self.throughput {
                    // `as` saturates: a rate past 4 GB/s is drawn at that.
                    point.throughput = [tp.down, tp.up].map(|v| Some(v.round() as u32));
                }
            }
            None => self.throughput = None,
        }
        if let Some(d) = &r.devices {
            point.devices_active = u16::try_from(d.active_entries).ok();
        }

        // A handful at most: an insertion sort (the standard library's
        // sorts cost kilobytes of binary per use).
        for i in 1..new.len() {
            let mut j = i;
            while j > 0 && new[j - 1].time > new[j].time {
                new.swap(j - 1, j);
                j -= 1;
            }
        }
        for e in new {
            if self.events.len() == MAX_EVENTS {
                self.events.remove(0);
            }
            if self.events.capacity() < MAX_EVENTS {
                self.events.reserve_exact(MAX_EVENTS - self.events.len());
            }
            // In time order: a reboot seen when the WAN page reads again
            // after failing for a while may date from before the failure's
            // own event.
            let at = self.events.partition_point(|x| x.time <= e.time);
            self.events.insert(at, e);
        }
        if point.is_empty() {
            return;
        }
        match self.points.last_mut() {
            Some(last) if last.minute == minute => last.merge(&point),
            _ => {
                if self.points.len() == MAX_POINTS {
                    self.points.remove(0);
                }
                if self.points.capacity() < MAX_POINTS {
                    self.points.reserve_exact(MAX_POINTS - self.points.len());
                }
                self.points.push(point);
            }
        }
    }

    /// Failures and recoveries, and the table of who fails since when.
    fn collector_events(&mut self, r: &Report) -> Vec<Event> {
        let mut new = Vec::new();
        let seconds = super::seconds(r.started);
        for o in &r.collectors {
            let slot = match self.failing.iter().position(|(n, _)| *n == o.name) {
                Some(i) => &mut self.failing[i].1,
                None => {
                    self.failing.push((o.name, None));
                    &mut self.failing.last_mut().expect("just pushed").1
                }
            };
            match (&o.state, *slot) {
                (State::Failing(error), None) => {
                    *slot = Some(r.started);
                    new.push(event(
                        seconds,
                        EventKind::CollectorFailed,
                        Some(o.name),
                        error,
                    ));
                }
                (State::Failing(_), Some(_)) => {}
                (state, Some(since)) => {
                    *slot = None;
                    if *state == State::Ok {
                        let gap = r.started.saturating_sub(since).max(0) as u64 / 1000;
                        new.push(event(
                            seconds,
                            EventKind::CollectorRecovered,
                            Some(o.name),
                            &spoken("after ", gap),
                        ));
                    }
                }
                (_, None) => {}
            }
        }
        new
    }

    /// The points, oldest first.
    pub fn points(&self) -> &[Point] {
        &self.points
    }

    /// The events, oldest first.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The WAN's throughput between the last two reports that had its
    /// counters; `None` when the last report had none, or they went back.
    pub fn throughput(&self) -> Option<Throughput> {
        self.throughput
    }

    /// Since when the collector `name` fails, if it does.
    pub fn failing_since(&self, name: &str) -> Option<Millis> {
        self.failing
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, since)| *since)
    }

    /// What the points and events take on the heap now.
    pub fn heap_bytes(&self) -> usize {
        self.points.capacity() * size_of::<Point>()
            + self.events.capacity() * size_of::<Event>()
            + self.events.iter().map(|e| e.detail.len()).sum::<usize>()
    }
}

/// `words` and a duration: `after 6m 5s`.
fn spoken(words: &str, seconds: u64) -> String {
    let mut s = String::from(words);
    units::span(&mut s, seconds, " ");
    s
}

fn event(time: i64, kind: EventKind, collector: Option<&'static str>, detail: &str) -> Event {
    let cut = crate::script::cut_point(detail, MAX_DETAIL_BYTES);
    Event {
        time,
        kind,
        collector,
        detail: detail[..cut].into(),
    }
}

/// When a thing the hub dates by its uptime happened, in Unix seconds: the
/// scrape's time less how long ago the hub says, kept between the two
/// scrapes (the clocks of the hub and the exporter need not agree).
fn dated(before: &LastWan, now: &LastWan, ago_seconds: u64) -> i64 {
    let (lo, hi) = (super::seconds(before.at), super::seconds(now.at));
    let ago = i64::try_from(ago_seconds).unwrap_or(i64::MAX);
    hi.saturating_sub(ago).clamp(lo.min(hi), hi)
}

fn wan_events(before: &LastWan, now: &LastWan, w: &Wan) -> Vec<Event> {
    let mut new = Vec::new();
    let at = super::seconds(now.at);
    let rebooted = now.sysuptime < before.sysuptime;
    if rebooted {
        new.push(event(
            dated(before, now, now.sysuptime),
            EventKind::Reboot,
            None,
            &spoken("it had been up ", before.sysuptime),
        ));
    } else {
        let resynced = match (before.link_since, now.link_since) {
            (Some(a), Some(b)) => b > a,
            // Came up since the last look.
            (None, Some(_)) => before.link_up == Some(false),
            _ => false,
        };
        if resynced {
            let up = w.link.and_then(|l| l.uptime).unwrap_or(0);
            let detail = match before.link_since {
                Some(a) => spoken("the link had been up ", before.sysuptime.saturating_sub(a)),
                None => "the link came up".to_owned(),
            };
            new.push(event(
                dated(before, now, up),
                EventKind::Resync,
                None,
                &detail,
            ));
        }
    }
    match (before.connected, now.connected) {
        (true, false) => new.push(event(at, EventKind::WanDown, None, "")),
        (false, true) => {
            let up = w.connection_uptime.unwrap_or(0);
            new.push(event(dated(before, now, up), EventKind::WanUp, None, ""));
        }
        _ => {}
    }
    new
}

/// Bytes per second between two readings of the session's counters; `None`
/// when either is missing, no time passed, the hub rebooted or a counter
/// went back (a new session starts them again at 0).
fn throughput(before: &LastWan, now: &LastWan) -> Option<Throughput> {
    let (b, n) = (before.volume?, now.volume?);
    if now.sysuptime < before.sysuptime || n.down_bytes < b.down_bytes || n.up_bytes < b.up_bytes {
        return None;
    }
    let dt = now.at.checked_sub(before.at).filter(|&d| d > 0)? as f64 / 1000.0;
    Some(Throughput {
        down: (n.down_bytes - b.down_bytes) as f64 / dt,
        up: (n.up_bytes - b.up_bytes) as f64 / dt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overview::report::Outcome;
    use crate::pages::lan::Devices;
    use crate::pages::wan::{Addresses, DslLine, DslStats, Link};

    /// 2026-12-01 00:00 UTC.
    const T0: Millis = 1_796_083_200_000;
    const MINUTE: Millis = 60_000;

    /// A VDSL hub's WAN page, read: up `sysuptime` seconds, its link up
    /// since the hub's second `link_since`, the session's counters.
    fn wan(sysuptime: u64, link_since: u64, connected: bool, down: u64, up: u64) -> Wan {
        Wan {
            sysuptime,
            active_idx: 1,
            connected,
            connection_uptime: Some(if connected { sysuptime - link_since } else { 0 }),
            volume: Some(Volume {
                down_bytes: down,
                up_bytes: up,
            }),
            rate: None,
            link: Some(Link {
                up: true,
                uptime: Some(sysuptime - link_since),
            }),
            dsl: Some(DslLine {
                up: true,
                stats: Some(DslStats {
                    snr_margin_tenth_db: [Some(61), Some(50)],
                    sync_bps: [Some(65_059_000), Some(18_567_000)],
                    ..DslStats::default()
                }),
            }),
            addresses: Addresses::default(),
            wifi_channels: [None, None],
        }
    }

    fn report(at: Millis, wan: Option<Wan>, active: Option<usize>) -> Report {
        Report {
            started: at,
            collectors: vec![Outcome {
                name: "wan",
                state: if wan.is_some() {
                    State::Ok
                } else {
                    State::Failing("GET /nonAuth/wan_conn.xml: connection refused".into())
                },
            }],
            wan,
            devices: active.map(|n| Devices {
                active_entries: n,
                ..Devices::default()
            }),
            ..Report::default()
        }
    }

    fn kinds(h: &History) -> Vec<(i64, EventKind)> {
        h.events().iter().map(|e| (e.time, e.kind)).collect()
    }

    #[test]
    fn a_minute_keeps_the_newest_reading_of_each_series() {
        let mut h = History::new();
        h.record(&report(T0, Some(wan(1000, 100, true, 0, 0)), Some(3)));
        let mut w = wan(1030, 100, true, 3_000_000, 30_000);
        w.dsl
            .as_mut()
            .unwrap()
            .stats
            .as_mut()
            .unwrap()
            .snr_margin_tenth_db = [Some(58), None];
        h.record(&report(T0 + 30_000, Some(w), None));
        assert_eq!(h.points().len(), 1);
        let p = h.points()[0];
        assert_eq!(p.time(), T0 / 1000);
        assert_eq!(p.snr_margin_tenth_db, [Some(58), Some(50)], "up kept");
        assert_eq!(p.devices_active, Some(3), "kept: the newer had none");
        assert_eq!(p.throughput, [Some(100_000), Some(1_000)]);
        // The next minute is a point of its own.
        h.record(&report(T0 + MINUTE, None, Some(4)));
        assert_eq!(h.points().len(), 2);
        let p = h.points()[1];
        assert_eq!(p.snr_margin_tenth_db, [None, None], "wan failed: absent");
        assert_eq!(p.throughput, [None, None]);
        assert_eq!(h.throughput(), None);
        assert_eq!(p.devices_active, Some(4));
    }

    #[test]
    fn a_day_is_kept_and_older_points_are_dropped_within_the_bound() {
        let mut h = History::new();
        for m in 0..3000 {
            let w = wan(10_000 + 60 * m as u64, 100, true, 1000 * m as u64, 0);
            h.record(&report(T0 + m * MINUTE, Some(w), Some(1)));
        }
        assert_eq!(h.points().len(), MAX_POINTS);
        let first = h.points().first().unwrap().time();
        let last = h.points().last().unwrap().time();
        assert_eq!(last, (T0 + 2999 * MINUTE) / 1000);
        assert_eq!(last - first, KEEP_SECONDS - STEP_SECONDS);
        assert_eq!(h.points.capacity(), MAX_POINTS, "never grown past");
        assert!(h.heap_bytes() <= MAX_BYTES);
        // A gap longer than a day empties it but for the new point.
        h.record(&report(
            T0 + 5000 * MINUTE,
            Some(wan(400_000, 100, true, 0, 0)),
            None,
        ));
        assert_eq!(h.points().len(), 1);
    }

    #[test]
    fn the_memory_bound_holds_when_full_and_is_under_128_kib() {
        let mut h = History::new();
        let long = "é".repeat(1000);
        for m in 0..20_000 {
            let state = if m % 2 == 0 {
                State::Failing(format!("{long} {m}"))
            } else {
                State::Ok
            };
            let mut r = report(
                T0 + m * 1000,
                Some(wan(1000 + m as u64, 100, true, 0, 0)),
                Some(2),
            );
            r.collectors = vec![Outcome { name: "lan", state }];
            h.record(&r);
        }
        assert_eq!(h.events().len(), MAX_EVENTS);
        assert!(h
            .events()
            .iter()
            .all(|e| e.detail.len() <= MAX_DETAIL_BYTES));
        assert_eq!(h.events.capacity(), MAX_EVENTS);
        let used = h.heap_bytes();
        let bound =
            MAX_POINTS * size_of::<Point>() + MAX_EVENTS * (size_of::<Event>() + MAX_DETAIL_BYTES);
        assert_eq!(MAX_BYTES, bound);
        assert!(used <= MAX_BYTES, "{used} > {MAX_BYTES}");
        assert_eq!(size_of::<Point>(), 48, "the point's layout changed");
        eprintln!("history: {used} bytes used, bound {MAX_BYTES}");
    }

    #[test]
    fn drops_resyncs_and_reboots_are_events_dated_by_the_hub() {
        let mut h = History::new();
        let s = |m: Millis| (T0 + m * MINUTE) / 1000;
        h.record(&report(T0, Some(wan(100_000, 1_000, true, 10, 10)), None));
        // The WAN drops: dated by the scrape that saw it.
        h.record(&report(
            T0 + MINUTE,
            Some(wan(100_060, 1_000, false, 10, 10)),
            None,
        ));
        // It comes back 15 s before the next scrape, on the same link.
        let mut back = wan(100_120, 1_000, true, 10, 10);
        back.connection_uptime = Some(15);
        h.record(&report(T0 + 2 * MINUTE, Some(back), None));
        // The line resyncs 20 s before the next scrape: WAN session too.
        h.record(&report(
            T0 + 3 * MINUTE,
            Some(wan(100_180, 100_160, true, 10, 10)),
            None,
        ));
        // The hub reboots: up 30 s at the next scrape. Its link uptime
        // went back too, but that is the reboot, not a resync.
        h.record(&report(
            T0 + 4 * MINUTE,
            Some(wan(30, 10, true, 0, 0)),
            None,
        ));
        assert_eq!(
            kinds(&h),
            [
                (s(1), EventKind::WanDown),
                (s(2) - 15, EventKind::WanUp),
                (s(3) - 20, EventKind::Resync),
                (s(4) - 30, EventKind::Reboot),
            ]
        );
        let reboot = &h.events()[3];
        assert_eq!(&*reboot.detail, "it had been up 1d 3h");
        assert_eq!(h.throughput(), None, "counters went back with the reboot");
        assert_eq!(h.points().last().unwrap().throughput, [None, None]);
        // A hub whose clock says a thing happened before the scrape before:
        // kept between the two scrapes.
        let mut odd = wan(100, 10, true, 0, 0);
        odd.connection_uptime = Some(99_999);
        h.record(&report(
            T0 + 5 * MINUTE,
            Some(wan(90, 10, false, 0, 0)),
            None,
        ));
        h.record(&report(T0 + 6 * MINUTE, Some(odd), None));
        let last = h.events().last().unwrap();
        assert_eq!((last.time, last.kind), (s(5), EventKind::WanUp));
    }

    #[test]
    fn events_stay_in_time_order_when_one_is_dated_before_the_last() {
        let mut h = History::new();
        h.record(&report(T0, Some(wan(100_000, 1_000, true, 0, 0)), None));
        // The WAN page fails for ten minutes (an event then), and reads
        // again: up 620 s, the hub rebooted before the failure's event.
        h.record(&report(T0 + MINUTE, None, None));
        h.record(&report(
            T0 + 11 * MINUTE,
            Some(wan(620, 10, true, 0, 0)),
            None,
        ));
        let kinds = kinds(&h);
        assert_eq!(
            kinds,
            [
                (T0 / 1000 + 660 - 620, EventKind::Reboot),
                (T0 / 1000 + 60, EventKind::CollectorFailed),
                (T0 / 1000 + 660, EventKind::CollectorRecovered),
            ]
        );
    }

    #[test]
    fn a_link_that_comes_up_is_a_resync() {
        let mut h = History::new();
        let mut down = wan(500, 0, false, 0, 0);
        down.link = Some(Link {
            up: false,
            uptime: Some(0),
        });
        h.record(&report(T0, Some(down), None));
        h.record(&report(T0 + MINUTE, Some(wan(560, 540, true, 0, 0)), None));
        assert_eq!(
            kinds(&h),
            [
                (T0 / 1000 + 60 - 20, EventKind::Resync),
                (T0 / 1000 + 60 - 20, EventKind::WanUp)
            ]
        );
        // The same link seen again is no event.
        h.record(&report(
            T0 + 2 * MINUTE,
            Some(wan(620, 540, true, 0, 0)),
            None,
        ));
        assert_eq!(h.events().len(), 2);
    }

    #[test]
    fn throughput_comes_from_consecutive_counters_and_times() {
        let mut h = History::new();
        h.record(&report(T0, Some(wan(1000, 1, true, 1_000, 500)), None));
        assert_eq!(h.throughput(), None, "one reading is no rate");
        h.record(&report(
            T0 + 20_000,
            Some(wan(1020, 1, true, 201_000, 4_500)),
            None,
        ));
        assert_eq!(
            h.throughput(),
            Some(Throughput {
                down: 10_000.0,
                up: 200.0
            })
        );
        // A new session starts its counters again: no rate, no point.
        h.record(&report(T0 + MINUTE, Some(wan(1060, 1, true, 50, 50)), None));
        assert_eq!(h.throughput(), None);
        assert_eq!(h.points().last().unwrap().throughput, [None, None]);
        // A failed scrape between two good ones: the rate over both gaps.
        h.record(&report(T0 + 2 * MINUTE, None, None));
        h.record(&report(
            T0 + 3 * MINUTE,
            Some(wan(1180, 1, true, 12_050, 50)),
            None,
        ));
        assert_eq!(h.throughput().map(|t| t.down), Some(100.0));
    }

    #[test]
    fn collectors_fail_and_recover_with_since_when() {
        let mut h = History::new();
        let failing = |at: Millis, why: &str| {
            let mut r = report(at, None, None);
            r.collectors[0].state = State::Failing(why.into());
            r
        };
        h.record(&report(T0, Some(wan(10, 1, true, 0, 0)), None));
        assert_eq!(h.failing_since("wan"), None);
        h.record(&failing(T0 + MINUTE, "GET /x: refused"));
        h.record(&failing(T0 + 2 * MINUTE, "GET /x: timed out"));
        assert_eq!(h.failing_since("wan"), Some(T0 + MINUTE));
        h.record(&report(
            T0 + 7 * MINUTE + 5_000,
            Some(wan(500, 1, true, 0, 0)),
            None,
        ));
        assert_eq!(h.failing_since("wan"), None);
        let e: Vec<_> = h
            .events()
            .iter()
            .map(|e| (e.kind, e.collector, &*e.detail))
            .collect();
        assert_eq!(
            e,
            [
                (EventKind::CollectorFailed, Some("wan"), "GET /x: refused"),
                (EventKind::CollectorRecovered, Some("wan"), "after 6m 5s"),
            ]
        );
        // Not on this hub is no failure.
        let mut r = report(T0 + 8 * MINUTE, None, None);
        r.collectors[0].state = State::Unavailable;
        h.record(&r);
        assert_eq!(h.events().len(), 2);
        assert_eq!(h.failing_since("wan"), None);
    }

    #[test]
    fn a_clock_that_goes_back_drops_what_is_after_it() {
        let mut h = History::new();
        for m in 0..10 {
            h.record(&report(T0 + m * MINUTE, None, Some(m as usize)));
        }
        h.record(&report(T0 + 4 * MINUTE + 1, None, Some(99)));
        let minutes: Vec<_> = h.points().iter().map(|p| p.devices_active).collect();
        assert_eq!(
            minutes,
            [0, 1, 2, 3, 99].map(Some),
            "minutes 5-9 are gone, minute 4 merged"
        );
        // The events of that future too.
        assert!(h
            .events()
            .iter()
            .all(|e| e.time <= (T0 + 4 * MINUTE) / 1000));
    }
}
