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

use std::fmt::Write as _;

use super::escape;
use super::history::{Event, MAX_POINTS};
use super::units::Clock;

/// Height of the drawing in its own units.
const HEIGHT: f64 = 200.0;
/// Room kept above the highest and below the lowest value.
const PAD: f64 = 10.0;

/// One line: its name (`down`, `up`, `active`) and (minute, value) pairs in
/// time order.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<(u32, f64)>,
}

/// How the chart writes its values (`6.1 dB`).
pub type Unit = fn(&mut String, f64);

pub struct Chart<'a> {
    /// What is drawn, for the caption and the SVG's label (`SNR margin`).
    pub title: &'a str,
    pub series: Vec<Series<'a>>,
    pub unit: Unit,
    /// Whether the scale starts at 0 (rates, counts) or at the lowest value.
    pub from_zero: bool,
}

/// Writes the chart as a `<figure>`: caption, table, drawing. `first` is
/// the first minute of the window (the window is [`MAX_POINTS`] minutes).
pub fn write(out: &mut String, chart: &Chart, first: u32, events: &[&Event]) {
    let all = || {
        chart
            .series
            .iter()
            .flat_map(|s| s.values.iter().map(|v| v.1))
    };
    let (mut lo, mut hi) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return;
    }
    if chart.from_zero {
        lo = lo.min(0.0);
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        // A flat line in the middle, not on an edge.
        let half = (hi.abs() / 10.0).max(1.0);
        lo -= half;
        hi += half;
        if chart.from_zero && lo < 0.0 && hi > 0.0 {
            lo = lo.max(0.0);
        }
    }
    let y = |v: f64| HEIGHT - PAD - (v - lo) / (hi - lo) * (HEIGHT - 2.0 * PAD);

    out.push_str("<figure><figcaption>");
    escape::text(out, chart.title);
    out.push_str("</figcaption>\n");
    write_table(out, chart);

    out.push_str("<svg viewBox=\"0 0 ");
    let _ = write!(out, "{MAX_POINTS} {HEIGHT}");
    out.push_str("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"");
    escape::attr(out, chart.title);
    out.push_str(", last 24 hours\">\n");
    write_hours(out, chart, first);
    for (i, s) in chart.series.iter().enumerate() {
        write_path(out, i, s, first, &y);
    }
    for e in events {
        let x = (e.time / 60 - i64::from(first)).clamp(0, MAX_POINTS as i64 - 1);
        let _ = write!(
            out,
            "<rect class=\"ev {:#}\" x=\"{:#}\" y=\"0\" width=\"8\" height=\"{HEIGHT}\"><title>",
            e.kind.name(),
            (x - 4).max(0)
        );
        let _ = write!(out, "{:#} UTC: {:#}", Clock(e.time), e.kind.words());
        if let Some(c) = e.collector {
            out.push(' ');
            out.push_str(c);
        }
        if !e.detail.is_empty() {
            out.push_str(": ");
            escape::text(out, &e.detail);
        }
        out.push_str("</title></rect>\n");
    }
    out.push_str("</svg>\n<p class=\"axis\"><span>");
    let _ = write!(out, "{:#} UTC", Clock(i64::from(first) * 60));
    // Spaces between the spans: a text browser runs them together else.
    out.push_str("</span> <span>");
    (chart.unit)(out, lo);
    out.push_str(" – ");
    (chart.unit)(out, hi);
    out.push_str("</span> <span>now</span></p></figure>\n");
}

/// Now, lowest and highest of each series: every figure of the drawing
/// in text.
fn write_table(out: &mut String, chart: &Chart) {
    out.push_str(
        "<table class=\"range\"><tr><th></th><th>now</th><th>lowest</th><th>highest</th></tr>\n",
    );
    for (i, s) in chart.series.iter().enumerate() {
        let Some(&(_, last)) = s.values.last() else {
            continue;
        };
        let (lo, hi) = s
            .values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v.1), hi.max(v.1))
            });
        let _ = write!(out, "<tr><th><span class=\"key s{i}\"></span>");
        escape::text(out, s.name);
        out.push_str("</th><td>");
        (chart.unit)(out, last);
        out.push_str("</td><td>");
        (chart.unit)(out, lo);
        out.push_str("</td><td>");
        (chart.unit)(out, hi);
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n");
}

/// A band per clock hour that has values, titled with each series' range
/// in that hour.
fn write_hours(out: &mut String, chart: &Chart, first: u32) {
    let hour0 = first / 60;
    let hours = MAX_POINTS / 60 + 1;
    // Per hour, per series: lowest, highest.
    let mut ranges = vec![None::<(f64, f64)>; hours * chart.series.len()];
    for (si, s) in chart.series.iter().enumerate() {
        for &(minute, v) in &s.values {
            let Some(h) = (minute / 60).checked_sub(hour0) else {
                continue;
            };
            if let Some(slot) = ranges.get_mut(h as usize * chart.series.len() + si) {
                *slot = Some(slot.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
            }
        }
    }
    for h in 0..hours {
        let row = &ranges[h * chart.series.len()..(h + 1) * chart.series.len()];
        if row.iter().all(Option::is_none) {
            continue;
        }
        let start = (hour0 + h as u32) * 60;
        let x0 = start.max(first) - first;
        let x1 = (start + 60).min(first + MAX_POINTS as u32) - first;
        let _ = write!(
            out,
            "<rect class=\"hour\" x=\"{x0}\" y=\"0\" width=\"{:#}\" height=\"{HEIGHT}\"><title>{:#}–{:#} UTC",
            x1 - x0,
            Clock(i64::from(start) * 60),
            Clock(i64::from(start + 60) * 60)
        );
        for (s, range) in chart.series.iter().zip(row) {
            let Some((lo, hi)) = *range else { continue };
            out.push_str(", ");
            escape::text(out, s.name);
            out.push(' ');
            (chart.unit)(out, lo);
            if hi > lo {
                out.push_str(" to ");
                (chart.unit)(out, hi);
            }
        }
        out.push_str("</title></rect>\n");
    }
}

/// The series as one path of runs of consecutive minutes; of a flat
/// stretch only its ends.
fn write_path(out: &mut String, i: usize, s: &Series, first: u32, y: &dyn Fn(f64) -> f64) {
    if s.values.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<path class=\"s{i}\" vector-effect=\"non-scaling-stroke\" d=\""
    );
    let ys: Vec<f64> = s
        .values
        .iter()
        .map(|&(_, v)| (y(v) * 10.0).round() / 10.0)
        .collect();
    let n = s.values.len();
    for j in 0..n {
        let minute = s.values[j].0;
        let x = minute.saturating_sub(first);
        let starts = j == 0 || s.values[j - 1].0 + 1 < minute;
        let ends = j + 1 == n || minute + 1 < s.values[j + 1].0;
        let flat_inside = !starts && !ends && ys[j - 1] == ys[j] && ys[j + 1] == ys[j];
        if flat_inside {
            continue;
        }
        let cmd = if starts { 'M' } else { 'L' };
        let _ = write!(out, "{cmd}{x} {:#}", ys[j]);
        // A lone minute is a dot: a zero-length segment with round caps.
        if starts && ends {
            let _ = write!(out, "h0");
        }
    }
    out.push_str("\"/>\n");
}
