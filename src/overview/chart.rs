//! A day of one quantity as inline SVG: a line per series (broken where
//! minutes are missing: a gap is not drawn over), a band per clock hour
//! whose `<title>` gives that hour's range of each series, and a mark per
//! event with its own `<title>`, so hovering needs no script. The figures
//! are also written as a table beside it, for text browsers and screen
//! readers.
//!
//! The drawing is 1,440 units wide, one per minute of the window, and
//! stretched to the page's width; lines keep their width
//! (`vector-effect`). A flat stretch is drawn from its two ends only, so a
//! day of an SNR that barely moves is a few dozen points, not 1,440.

use super::escape;
use super::history::{Event, MAX_POINTS};
use super::html::p;
use super::units::{self, NBSP};

/// Height of the drawing in its own units.
const HEIGHT: f64 = 200.0;
/// Room kept above the highest and below the lowest value.
const PAD: f64 = 10.0;

/// One line: its name (`down`, `up`, `active`) and (minute, value) pairs in
/// time order; no values, no line.
pub struct Series<'a> {
    pub name: &'static str,
    pub values: &'a [(u32, f64)],
}

/// How a chart writes its values; dB scales start at the lowest value,
/// the others at 0.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Db,
    Bits,
    Count,
}

impl Unit {
    #[inline(never)]
    fn write(self, o: &mut String, v: f64) {
        match self {
            Unit::Db => {
                units::decimal(o, v, 1);
                p(o, NBSP);
                p(o, "dB");
            }
            Unit::Bits => units::bits(o, v),
            Unit::Count => units::decimal(o, v, 0),
        }
    }
}

pub struct Chart<'a> {
    /// What is drawn, for the caption and the SVG's label (`SNR margin`).
    pub title: &'static str,
    pub series: [Series<'a>; 2],
    pub unit: Unit,
}

/// Writes the chart as a `<figure>`: caption, table, drawing; nothing when
/// no series has a value. `first` is the first minute of the window (the
/// window is [`MAX_POINTS`] minutes).
pub fn write(o: &mut String, chart: &Chart, first: u32, events: &[Event]) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for s in &chart.series {
        for &(_, v) in s.values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return;
    }
    if chart.unit != Unit::Db {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-9 * hi.abs().max(1.0) {
        // A flat line in the middle, not on an edge (nor below 0).
        let half = (hi.abs() / 10.0).max(1.0);
        hi += half;
        lo = if chart.unit == Unit::Db || lo < 0.0 {
            lo - half
        } else {
            lo
        };
    }

    p(o, "<figure><figcaption>");
    p(o, chart.title);
    p(o, "</figcaption>\n");
    write_table(o, chart);
    p(
        o,
        "<svg viewBox=\"0 0 1440 200\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"",
    );
    p(o, chart.title);
    p(o, ", last 24 hours\">\n");
    write_hours(o, chart, first);
    for (i, s) in chart.series.iter().enumerate() {
        write_path(o, i, s, first, lo, hi);
    }
    for e in events {
        let x = (e.time / 60 - i64::from(first)).clamp(4, MAX_POINTS as i64 - 4);
        p(o, "<rect class=\"ev ");
        p(o, e.kind.name());
        p(o, "\" x=\"");
        units::int(o, x - 4);
        p(o, "\" y=\"0\" width=\"8\" height=\"200\"><title>");
        units::clock(o, e.time);
        p(o, " UTC: ");
        p(o, e.kind.words());
        if let Some(c) = e.collector {
            p(o, " ");
            p(o, c);
        }
        if !e.detail.is_empty() {
            p(o, ": ");
            escape::text(o, &e.detail);
        }
        p(o, "</title></rect>\n");
    }
    p(o, "</svg>\n<p class=\"axis\"><span>");
    units::clock(o, i64::from(first) * 60);
    // Spaces between the spans: a text browser runs them together else.
    p(o, " UTC</span> <span>");
    chart.unit.write(o, lo);
    p(o, " – ");
    chart.unit.write(o, hi);
    p(o, "</span> <span>now</span></p></figure>\n");
}

/// Now, lowest and highest of each series: every figure of the drawing
/// in text.
fn write_table(o: &mut String, chart: &Chart) {
    p(
        o,
        "<table class=\"range\"><tr><th></th><th>now</th><th>lowest</th><th>highest</th></tr>\n",
    );
    for (i, s) in chart.series.iter().enumerate() {
        let Some(&(_, last)) = s.values.last() else {
            continue;
        };
        let (mut lo, mut hi) = (last, last);
        for &(_, v) in s.values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        p(
            o,
            if i == 0 {
                "<tr><th><span class=\"key s0\"></span>"
            } else {
                "<tr><th><span class=\"key s1\"></span>"
            },
        );
        p(o, s.name);
        let mut sep = "</th><td>";
        for v in [last, lo, hi] {
            p(o, sep);
            chart.unit.write(o, v);
            sep = "</td><td>";
        }
        p(o, "</td></tr>\n");
    }
    p(o, "</table>\n");
}

/// A band per clock hour that has values, titled with each series' range
/// in that hour.
fn write_hours(o: &mut String, chart: &Chart, first: u32) {
    let hour0 = first / 60;
    const HOURS: usize = MAX_POINTS / 60 + 1;
    // Per hour, per series: lowest, highest.
    let mut ranges = [[None::<(f64, f64)>; 2]; HOURS];
    for (si, s) in chart.series.iter().enumerate() {
        for &(minute, v) in s.values {
            let Some(slot) = (minute / 60)
                .checked_sub(hour0)
                .and_then(|h| ranges.get_mut(h as usize))
            else {
                continue;
            };
            slot[si] = Some(slot[si].map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
        }
    }
    for (h, row) in ranges.iter().enumerate() {
        if row.iter().all(Option::is_none) {
            continue;
        }
        let start = (hour0 + h as u32) * 60;
        let x0 = start.max(first) - first;
        let x1 = (start + 60).min(first + MAX_POINTS as u32) - first;
        p(o, "<rect class=\"hour\" x=\"");
        units::uint(o, x0.into());
        p(o, "\" y=\"0\" width=\"");
        units::uint(o, (x1 - x0).into());
        p(o, "\" height=\"200\"><title>");
        units::clock(o, i64::from(start) * 60);
        p(o, "–");
        units::clock(o, i64::from(start + 60) * 60);
        p(o, " UTC");
        for (s, range) in chart.series.iter().zip(row) {
            let Some((lo, hi)) = *range else { continue };
            p(o, ", ");
            p(o, s.name);
            p(o, " ");
            chart.unit.write(o, lo);
            if hi > lo {
                p(o, " to ");
                chart.unit.write(o, hi);
            }
        }
        p(o, "</title></rect>\n");
    }
}

/// The series as one path of runs of consecutive minutes; of a flat
/// stretch only its ends. Heights to a tenth of a unit.
fn write_path(o: &mut String, i: usize, s: &Series, first: u32, lo: f64, hi: f64) {
    if s.values.is_empty() {
        return;
    }
    let y = |v: f64| {
        ((HEIGHT - PAD - (v - lo) / (hi - lo) * (HEIGHT - 2.0 * PAD)) * 10.0).round() as i64
    };
    p(
        o,
        if i == 0 {
            "<path class=\"s0\""
        } else {
            "<path class=\"s1\""
        },
    );
    p(o, " vector-effect=\"non-scaling-stroke\" d=\"");
    let v = s.values;
    for j in 0..v.len() {
        let minute = v[j].0;
        let starts = j == 0 || v[j - 1].0 + 1 < minute;
        let ends = j + 1 == v.len() || minute + 1 < v[j + 1].0;
        let here = y(v[j].1);
        if !starts && !ends && y(v[j - 1].1) == here && y(v[j + 1].1) == here {
            continue;
        }
        p(o, if starts { "M" } else { "L" });
        units::uint(o, minute.saturating_sub(first).into());
        p(o, " ");
        units::decimal(o, here as f64 / 10.0, 1);
        // A lone minute is a dot: a zero-length segment with round caps.
        if starts && ends {
            p(o, "h0");
        }
    }
    p(o, "\"/>\n");
}
