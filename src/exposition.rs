//! The Prometheus text format (0.0.4), written by hand.
//!
//! Why not a crate: `prometheus` needs 64-bit atomics that mipsel lacks, and
//! `prometheus-client` renames counters to `*_total`, which would break the
//! Go exporter's metric names and its dashboard. The format itself is small: HELP and
//! TYPE once per family, then one line per sample, label values escaped.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gauge,
    Counter,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// Written as exact decimal digits: Prometheus reads them as a float, and
    /// every integer up to 2^53 survives that exactly.
    U64(u64),
    I64(i64),
    F64(f64),
}

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::U64(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::I64(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::F64(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::U64(v as u64)
    }
}

/// A whole exposition, built in memory (a 250-device page renders to about
/// 100 KB) so that its length is known before the headers are sent.
#[derive(Default)]
pub struct Exposition {
    out: String,
    #[cfg(debug_assertions)]
    families: Vec<&'static str>,
}

impl Exposition {
    pub fn new() -> Self {
        Self::default()
    }

    /// An exposition with room for `bytes` (the last scrape's size, say),
    /// so that it is not copied as it grows.
    pub fn with_capacity(bytes: usize) -> Self {
        Exposition {
            out: String::with_capacity(bytes),
            ..Self::default()
        }
    }

    /// Starts a metric family. Its HELP and TYPE lines are written with its
    /// first sample, so a family with no samples leaves no trace: absent data
    /// stays absent. All samples of a family come together, as the format
    /// requires, because the family borrows the exposition until dropped.
    pub fn family(&mut self, name: &'static str, kind: Kind, help: &'static str) -> Family<'_> {
        debug_assert!(valid_name(name, true), "bad metric name {name}");
        #[cfg(debug_assertions)]
        {
            assert!(
                !self.families.contains(&name),
                "family {name} written twice"
            );
            self.families.push(name);
        }
        Family {
            out: &mut self.out,
            name,
            kind,
            help,
            started: false,
        }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out.into_bytes()
    }

    pub fn as_str(&self) -> &str {
        &self.out
    }
}

pub struct Family<'a> {
    out: &'a mut String,
    name: &'static str,
    kind: Kind,
    help: &'static str,
    started: bool,
}

impl Family<'_> {
    pub fn sample(
        &mut self,
        labels: &[(&'static str, &str)],
        value: impl Into<Value>,
    ) -> &mut Self {
        let out = self.name_of_sample();
        write_labels(out, labels);
        end_sample(out, value.into());
        self
    }

    /// A sample with labels written once for several families (a device's
    /// labels, in each of its families): one of a [`LabelSets`].
    pub fn sample_with(&mut self, labels: LabelSet<'_>, value: impl Into<Value>) -> &mut Self {
        let out = self.name_of_sample();
        out.push_str(labels.0);
        end_sample(out, value.into());
        self
    }

    /// Writes the family's HELP and TYPE before its first sample, then the
    /// sample's metric name.
    fn name_of_sample(&mut self) -> &mut String {
        let out = &mut *self.out;
        if !self.started {
            self.started = true;
            out.push_str("# HELP ");
            out.push_str(self.name);
            out.push(' ');
            escape_help(out, self.help);
            out.push_str("\n# TYPE ");
            out.push_str(self.name);
            out.push_str(match self.kind {
                Kind::Gauge => " gauge\n",
                Kind::Counter => " counter\n",
            });
        }
        out.push_str(self.name);
        out
    }
}

fn end_sample(out: &mut String, value: Value) {
    match value {
        // Most samples: the space, the digits and the line feed at once.
        Value::U64(v) => write_u64(out, v),
        value => {
            put(out, " ");
            write_value(out, value);
            put(out, "\n");
        }
    }
}

/// Appends a short piece (a few bytes), copied a byte at a time into room
/// made first: `push_str` costs a call to copy each piece (callgrind, at the
/// release profile's opt-level: about 70 instructions a piece; this about
/// 3 a byte).
fn put(out: &mut String, s: &str) {
    out.reserve(s.len());
    // SAFETY: what is appended is all of `s`, so the string stays UTF-8.
    let bytes = unsafe { out.as_mut_vec() };
    let start = bytes.len();
    let mut n = 0;
    for (room, &b) in bytes.spare_capacity_mut().iter_mut().zip(s.as_bytes()) {
        room.write(b);
        n += 1;
    }
    // SAFETY: the `n` bytes past the length were written just above (all
    // of `s`: the room was reserved).
    unsafe { bytes.set_len(start + n) };
}

/// Label sets escaped and written once each, to go into several
/// families' samples ([`Family::sample_with`]): a device's labels, in each
/// of its families. One buffer holds them all, one after another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSets {
    text: String,
    /// Where each set ends in `text`.
    ends: Vec<usize>,
}

/// One of a [`LabelSets`], as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelSet<'a>(&'a str);

impl LabelSets {
    /// Room for `sets` sets of about `bytes` bytes each.
    pub fn with_capacity(sets: usize, bytes: usize) -> Self {
        LabelSets {
            text: String::with_capacity(sets * bytes),
            ends: Vec::with_capacity(sets),
        }
    }

    /// Adds a set: it is `self.get(self.len())` before the call.
    pub fn push(&mut self, labels: &[(&'static str, &str)]) {
        write_labels(&mut self.text, labels);
        self.ends.push(self.text.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> LabelSet<'_> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        LabelSet(&self.text[start..self.ends[i]])
    }
}

fn write_labels(out: &mut String, labels: &[(&'static str, &str)]) {
    let mut open = "{";
    for (k, v) in labels {
        debug_assert!(valid_name(k, false), "bad label name {k}");
        put(out, open);
        open = "\",";
        put(out, k);
        put(out, "=\"");
        escape_label_value(out, v);
    }
    if !labels.is_empty() {
        put(out, "\"}");
    }
}

fn write_value(out: &mut String, v: Value) {
    // Writing to a String cannot fail.
    let _ = match v {
        Value::U64(v) => write!(out, "{v}"),
        Value::I64(v) => write!(out, "{v}"),
        Value::F64(v) if v.is_nan() => write!(out, "NaN"),
        Value::F64(v) if v.is_infinite() => {
            write!(out, "{}", if v > 0.0 { "+Inf" } else { "-Inf" })
        }
        Value::F64(v) => write!(out, "{v}"),
    };
}

/// A sample's end for a whole number: a space, the decimal digits of `v`
/// and a line feed. Most samples are counters, and `write!`'s formatting
/// machinery costs several times this.
fn write_u64(out: &mut String, mut v: u64) {
    let mut end = [0u8; 22];
    let mut at = end.len() - 1;
    end[at] = b'\n';
    loop {
        at -= 1;
        end[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    at -= 1;
    end[at] = b' ';
    // SAFETY: a space, ASCII digits and a line feed are UTF-8.
    put(out, unsafe { std::str::from_utf8_unchecked(&end[at..]) });
}

/// Label values escape backslash, double quote and line feed; everything
/// else, including other control characters and any UTF-8, is literal.
fn escape_label_value(out: &mut String, v: &str) {
    // Most values need no escape: copy them whole. (`"` and line feed are
    // the only ones at or below `"`.)
    if !v
        .bytes()
        .any(|b| (b <= b'"' && (b == b'"' || b == b'\n')) || b == b'\\')
    {
        out.push_str(v);
        return;
    }
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// HELP text escapes backslash and line feed.
fn escape_help(out: &mut String, v: &str) {
    // Ours have neither: copied whole.
    if !v.bytes().any(|b| matches!(b, b'\\' | b'\n')) {
        out.push_str(v);
        return;
    }
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

fn valid_name(name: &str, metric: bool) -> bool {
    let mut chars = name.chars();
    let first_ok = |c: char| c.is_ascii_alphabetic() || c == '_' || (metric && c == ':');
    chars.next().is_some_and(first_ok)
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (metric && c == ':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_families_samples_and_escapes() {
        let mut e = Exposition::new();
        e.family("a_total", Kind::Counter, "Help with \\ and\nnewline.")
            .sample(
                &[("mac", "AA"), ("hostname", "a\"b\\c\nd")],
                18_446_744_073_709_551_615u64,
            )
            .sample(&[], 1u64);
        e.family("empty", Kind::Gauge, "Never written.");
        e.family("g", Kind::Gauge, "Gauge.")
            .sample(&[], 0.25)
            .sample(&[("x", "é")], f64::NAN)
            .sample(&[("x", "y")], f64::NEG_INFINITY)
            .sample(&[("x", "z")], -3i64)
            .sample(&[("x", "w")], true);
        assert_eq!(
            e.as_str(),
            "# HELP a_total Help with \\\\ and\\nnewline.\n# TYPE a_total counter\n\
             a_total{mac=\"AA\",hostname=\"a\\\"b\\\\c\\nd\"} 18446744073709551615\n\
             a_total 1\n\
             # HELP g Gauge.\n# TYPE g gauge\ng 0.25\ng{x=\"é\"} NaN\ng{x=\"y\"} -Inf\ng{x=\"z\"} -3\ng{x=\"w\"} 1\n"
        );
    }

    #[test]
    fn shared_label_sets_write_what_each_sample_would() {
        let labels = [("mac", "AA"), ("hostname", "a\"b\\c\nd")];
        let mut one = Exposition::new();
        one.family("a", Kind::Gauge, "A.")
            .sample(&labels, 7u64)
            .sample(&[], 0u64);
        let mut sets = LabelSets::with_capacity(2, 0);
        sets.push(&labels);
        sets.push(&[]);
        assert_eq!(sets.len(), 2);
        let mut shared = Exposition::new();
        shared
            .family("a", Kind::Gauge, "A.")
            .sample_with(sets.get(0), 7u64)
            .sample_with(sets.get(1), 0u64);
        assert_eq!(one.as_str(), shared.as_str());
        assert!(one
            .as_str()
            .contains("a{mac=\"AA\",hostname=\"a\\\"b\\\\c\\nd\"} 7\n"));
    }

    #[test]
    fn counters_are_written_digit_for_digit() {
        for v in [0, 1, 9, 10, 99, 100, 4_294_967_296, u64::MAX] {
            let mut s = String::new();
            write_u64(&mut s, v);
            assert_eq!(s, format!(" {v}\n"));
        }
    }

    #[test]
    fn integers_up_to_2_pow_53_are_exact() {
        let mut e = Exposition::new();
        e.family("n", Kind::Gauge, "N.")
            .sample(&[], 9_007_199_254_740_993u64)
            .sample(&[], 1e21);
        assert_eq!(e.as_str().lines().nth(2), Some("n 9007199254740993"));
        assert_eq!(e.as_str().lines().nth(3), Some("n 1000000000000000000000"));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "written twice")]
    fn a_family_cannot_be_split() {
        let mut e = Exposition::new();
        e.family("a", Kind::Gauge, "A.").sample(&[], 1u64);
        e.family("a", Kind::Gauge, "A.").sample(&[], 2u64);
    }
}
