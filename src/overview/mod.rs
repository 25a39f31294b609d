//! The overview: what the exporter knows, for a person (`GET /`, an HTML
//! page with no script) and for programs (`GET /status.json`).
//!
//! Data flows one way, as for the metrics: each scrape makes a [`Report`]
//! (each collector's snapshot fills its own section, through
//! [`crate::collector::Snapshot::report`]); the worker hands it to the
//! listener beside the exposition; the listener's [`Board`] records it in
//! the [`History`] and keeps it as the latest; a request renders the page
//! or the document from the board and the time. Rendering is pure and
//! bounded (the history's size, the parsers' bounds on devices and nodes),
//! so the listener can do it between two polls.
//!
//! Named `overview`, not `status`: that is the collector of the hub's
//! status page.

pub mod chart;
pub mod escape;
pub mod history;
pub mod html;
pub mod json;
pub mod report;
pub mod units;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub use history::History;
pub use report::{Millis, Report, State};

use crate::pages::owl::Station;
use crate::pages::wan::DslStats;

/// What the page says of the exporter itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct About {
    pub version: &'static str,
    /// The hub as log lines name it (`host:port`), or the recording.
    pub hub: String,
    /// `--poll`: 0 for never.
    pub poll_seconds: u64,
}

/// What is rendered: the page, or the JSON with or without its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
    /// `/status.json?history=0`: the document without `history`, for
    /// clients that poll it for the figures of now.
    JsonNoHistory,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Json | Format::JsonNoHistory => "application/json",
        }
    }
}

/// The listener's view of the hub: the latest report and the history.
#[derive(Debug)]
pub struct Board {
    about: About,
    latest: Option<Arc<Report>>,
    history: History,
}

impl Board {
    pub fn new(about: About) -> Board {
        Board {
            about,
            latest: None,
            history: History::new(),
        }
    }

    /// Takes in a finished scrape's report.
    pub fn record(&mut self, report: Arc<Report>) {
        self.history.record(&report);
        self.latest = Some(report);
    }

    pub fn latest(&self) -> Option<&Arc<Report>> {
        self.latest.as_ref()
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// The page or the document at `now`; `None` before the first report.
    pub fn render(&self, format: Format, now: Millis) -> Option<Vec<u8>> {
        let view = View {
            report: self.latest.as_deref()?,
            history: &self.history,
            about: &self.about,
            now,
        };
        Some(
            match format {
                Format::Html => html::render(&view),
                Format::Json => json::render(&view, true),
                Format::JsonNoHistory => json::render(&view, false),
            }
            .into_bytes(),
        )
    }
}

/// Everything a render reads.
pub struct View<'a> {
    pub report: &'a Report,
    pub history: &'a History,
    pub about: &'a About,
    pub now: Millis,
}

impl View<'_> {
    /// The points of the last 24 hours before `now`: the history's last
    /// ones, as it keeps them in time order.
    pub fn points(&self) -> &[history::Point] {
        let from = seconds(self.now) - history::KEEP_SECONDS;
        let all = self.history.points();
        &all[all.partition_point(|p| p.time() <= from)..]
    }

    /// The events of the last 24 hours before `now`, oldest first: the
    /// history's last ones, as it keeps them in time order.
    pub fn events(&self) -> &[history::Event] {
        let from = seconds(self.now) - history::KEEP_SECONDS;
        let all = self.history.events();
        &all[all.partition_point(|e| e.time <= from)..]
    }
}

/// Unix seconds of a [`Millis`]. Not inlined: each `div_euclid` of an
/// `i64` is a library call and its sign fix-up on a 32-bit router.
#[inline(never)]
pub fn seconds(t: Millis) -> i64 {
    t.div_euclid(1000)
}

/// The exporter's clock, in [`Millis`]; 0 before 1970.
pub fn now() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        // Not `as_millis`: its u128 arithmetic is library calls on a router.
        .map_or(0, |d| {
            let ms = d
                .as_secs()
                .saturating_mul(1000)
                .saturating_add(d.subsec_millis().into());
            i64::try_from(ms).unwrap_or(i64::MAX)
        })
}

/// The mesh's record of the device with this MAC, if the mesh page has it.
/// Both lists are sorted by MAC, upper-case, cut as labels are.
pub fn station_of<'a>(r: &'a Report, mac: &str) -> Option<&'a Station> {
    let stations = &r.mesh.as_ref()?.stations;
    stations
        .binary_search_by(|s| s.mac.as_str().cmp(mac))
        .ok()
        .map(|i| &stations[i])
}

/// The DSL line's figures kept in tenths of their unit, by number: SNR
/// margin, line attenuation, signal attenuation (dB), output power (dBm);
/// each down, up. By number so that the page and the document each walk
/// them in one loop.
pub fn dsl_tenths(s: &DslStats, k: usize) -> [Option<i32>; 2] {
    match k {
        0 => s.snr_margin_tenth_db,
        1 => s.line_attenuation_tenth_db,
        2 => s.signal_attenuation_tenth_db,
        _ => s.output_power_tenth_dbm,
    }
}

/// The hub's model, as the mesh page names its root node.
pub fn hub_model(r: &Report) -> Option<&str> {
    r.mesh
        .as_ref()?
        .nodes
        .iter()
        .find(|n| n.backhaul.is_none())
        .map(|n| n.model.as_str())
        .filter(|m| !m.is_empty())
}
