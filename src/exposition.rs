//! The Prometheus text format (0.0.4), written by hand.
//!
//! Why not a crate: `prometheus` needs 64-bit atomics that mipsel lacks, and
//! `prometheus-client` renames counters to `*_total`, which would break the
//! Go exporter's metric names and its dashboard. The format itself is small: HELP and
//! TYPE once per family, then one line per sample, label values escaped.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
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
    pub fn family(
        &mut self,
        name: &'static str,
        kind: MetricType,
        help: &'static str,
    ) -> Family<'_> {
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
    kind: MetricType,
    help: &'static str,
    started: bool,
}

impl Family<'_> {
    pub fn sample(
        &mut self,
        labels: &[(&'static str, &str)],
        value: impl Into<Value>,
    ) -> &mut Self {
        let name = self.name;
        let out = self.start();
        write_labels(out, name, labels);
        end_sample(out, value.into());
        self
    }

    /// A sample whose labels are `names` set to `values`.
    pub fn sample_values(
        &mut self,
        names: &LabelNames,
        values: &[&str],
        value: impl Into<Value>,
    ) -> &mut Self {
        let name = self.name;
        let out = self.start();
        write_values(out, name, names, values);
        end_sample(out, value.into());
        self
    }

    /// A sample with labels written once for several families (a device's
    /// labels, in each of its families): one of a [`LabelSets`].
    pub fn sample_with(&mut self, labels: LabelSet<'_>, value: impl Into<Value>) -> &mut Self {
        let name = self.name;
        let out = self.start();
        put(out, &[name, labels.0]);
        end_sample(out, value.into());
        self
    }

    /// Writes the family's HELP and TYPE before its first sample.
    fn start(&mut self) -> &mut String {
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
                MetricType::Gauge => " gauge\n",
                MetricType::Counter => " counter\n",
            });
        }
        out
    }
}

fn end_sample(out: &mut String, value: Value) {
    match value {
        // Most samples: the space, the digits and the line feed at once.
        Value::U64(v) => write_u64(out, v),
        value => {
            put(out, &[" "]);
            write_value(out, value);
            put(out, &["\n"]);
        }
    }
}

/// Appends `pieces`, one after another, into room made once: a sample is
/// written in pieces of a few bytes each, and `push_str` costs a call to
/// grow and one to copy each (callgrind, at the release profile's
/// opt-level: about 70 instructions a piece, against about 25 here).
fn put(out: &mut String, pieces: &[&str]) {
    let len: usize = pieces.iter().map(|p| p.len()).sum();
    out.reserve(len);
    // SAFETY: what is appended is all of each piece, whole, so the string
    // stays UTF-8.
    let bytes = unsafe { out.as_mut_vec() };
    let start = bytes.len();
    assert!(bytes.capacity() - start >= len, "reserved");
    let mut at = start;
    for p in pieces.iter().map(|p| p.as_bytes()) {
        // SAFETY: `at + p.len() <= start + len`, within the capacity (just
        // checked); the destination, past the length, is not `p`.
        unsafe {
            let to = bytes.as_mut_ptr().add(at);
            // A byte at a time below a call's cost (`{`, `="`, a name).
            if p.len() <= 8 {
                for (i, &b) in p.iter().enumerate() {
                    to.add(i).write(b);
                }
            } else {
                std::ptr::copy_nonoverlapping(p.as_ptr(), to, p.len());
            }
        }
        at += p.len();
    }
    // SAFETY: the `len` bytes past the length were written just above.
    unsafe { bytes.set_len(start + len) };
}

/// The names of a label set, each written once with the punctuation
/// around it (`{mac="`, `",name="`), for the many samples that give them
/// values ([`Family::sample_values`], [`LabelSets`]): a sample is then
/// written in a piece a label, not three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelNames(Vec<String>);

impl LabelNames {
    pub fn new(names: &[&'static str]) -> Self {
        LabelNames(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    debug_assert!(valid_name(n, false), "bad label name {n}");
                    format!("{}{n}=\"", if i == 0 { "{" } else { "\"," })
                })
                .collect(),
        )
    }
}

/// Label sets escaped and written once each, to go into several
/// families' samples ([`Family::sample_with`]): a device's labels, in each
/// of its families. One buffer holds them all, one after another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSets {
    names: LabelNames,
    text: String,
    /// Where each set ends in `text`.
    ends: Vec<usize>,
}

/// One of a [`LabelSets`], as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelSet<'a>(&'a str);

impl LabelSets {
    /// Sets of the labels `names`, with room for `sets` of about `bytes`
    /// bytes each.
    pub fn with_capacity(names: &[&'static str], sets: usize, bytes: usize) -> Self {
        LabelSets {
            names: LabelNames::new(names),
            text: String::with_capacity(sets * bytes),
            ends: Vec::with_capacity(sets),
        }
    }

    /// Adds a set, the values of the names in order: it is
    /// `self.get(self.len())` before the call.
    pub fn push(&mut self, values: &[&str]) {
        write_values(&mut self.text, "", &self.names, values);
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

/// The metric's name (or nothing) and the labels `names` set to `values`.
fn write_values(out: &mut String, name: &str, names: &LabelNames, values: &[&str]) {
    debug_assert_eq!(names.0.len(), values.len(), "a value per name");
    /// Labels written in one piece; more go one at a time.
    const MAX: usize = 8;
    if values.len() > MAX || values.iter().any(|v| needs_escape(v)) {
        put(out, &[name]);
        for (head, v) in names.0.iter().zip(values) {
            put(out, &[head]);
            escape_label_value(out, v);
        }
    } else {
        let mut pieces = [""; 2 * MAX + 1];
        pieces[0] = name;
        for (i, (head, v)) in names.0.iter().zip(values).enumerate() {
            pieces[1 + 2 * i] = head;
            pieces[2 + 2 * i] = v;
        }
        put(out, &pieces[..1 + 2 * values.len()]);
    }
    if !values.is_empty() {
        put(out, &["\"}"]);
    }
}

/// The metric's name (or nothing) and its label set.
fn write_labels(out: &mut String, name: &str, labels: &[(&'static str, &str)]) {
    let mut open = "{";
    for (i, (k, v)) in labels.iter().enumerate() {
        debug_assert!(valid_name(k, false), "bad label name {k}");
        let name = if i == 0 { name } else { "" };
        if needs_escape(v) {
            put(out, &[name, open, k, "=\""]);
            escape_label_value(out, v);
        } else {
            put(out, &[name, open, k, "=\"", v]);
        }
        open = "\",";
    }
    if labels.is_empty() {
        put(out, &[name]);
    } else {
        put(out, &["\"}"]);
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
    put(out, &[unsafe { std::str::from_utf8_unchecked(&end[at..]) }]);
}

/// Whether a label value holds a byte [`escape_label_value`] escapes:
/// most hold none. Eight bytes at a time (callgrind, 250 devices: 0.17 M
/// instructions a scrape less than a byte at a time).
fn needs_escape(v: &str) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // Whether a byte of `w` is `x`.
    let has = |w: u64, x: u8| {
        let v = w ^ (ONES * u64::from(x));
        v.wrapping_sub(ONES) & !v & HIGH != 0
    };
    let special = |b: &u8| matches!(b, b'"' | b'\\' | b'\n');
    let words = v.as_bytes().chunks_exact(8);
    let rest = words.remainder();
    words
        .map(|w| u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]))
        .any(|w| has(w, b'"') || has(w, b'\\') || has(w, b'\n'))
        || rest.iter().any(special)
}

/// Label values escape backslash, double quote and line feed; everything
/// else, including other control characters and any UTF-8, is literal.
fn escape_label_value(out: &mut String, v: &str) {
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
        e.family("a_total", MetricType::Counter, "Help with \\ and\nnewline.")
            .sample(
                &[("mac", "AA"), ("hostname", "a\"b\\c\nd")],
                18_446_744_073_709_551_615u64,
            )
            .sample(&[], 1u64);
        e.family("empty", MetricType::Gauge, "Never written.");
        e.family("g", MetricType::Gauge, "Gauge.")
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
        one.family("a", MetricType::Gauge, "A.")
            .sample(&labels, 7u64)
            .sample(&[], 0u64);
        let mut sets = LabelSets::with_capacity(&["mac", "hostname"], 2, 0);
        sets.push(&["AA", "a\"b\\c\nd"]);
        let mut none = LabelSets::with_capacity(&[], 1, 0);
        none.push(&[]);
        assert_eq!(sets.len(), 1);
        let mut shared = Exposition::new();
        shared
            .family("a", MetricType::Gauge, "A.")
            .sample_with(sets.get(0), 7u64)
            .sample_with(none.get(0), 0u64);
        assert_eq!(one.as_str(), shared.as_str());
        let mut named = Exposition::new();
        named
            .family("a", MetricType::Gauge, "A.")
            .sample_values(
                &LabelNames::new(&["mac", "hostname"]),
                &["AA", "a\"b\\c\nd"],
                7u64,
            )
            .sample_values(&LabelNames::new(&[]), &[], 0u64);
        assert_eq!(one.as_str(), named.as_str());
        // More labels than one piece holds, escapes or none.
        let many: Vec<(&'static str, &str)> = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .map(|&k| (k, "v"))
            .collect();
        for n in [8, 9] {
            let (keys, values): (Vec<_>, Vec<_>) = many[..n].iter().copied().unzip();
            let mut a = Exposition::new();
            a.family("m", MetricType::Gauge, "M.")
                .sample(&many[..n], 1u64);
            let mut b = Exposition::new();
            b.family("m", MetricType::Gauge, "M.").sample_values(
                &LabelNames::new(&keys),
                &values,
                1u64,
            );
            assert_eq!(a.as_str(), b.as_str());
        }
        assert!(one
            .as_str()
            .contains("a{mac=\"AA\",hostname=\"a\\\"b\\\\c\\nd\"} 7\n"));
    }

    #[test]
    fn values_needing_escapes_are_found_in_every_place() {
        for len in 0..20 {
            for at in 0..len {
                for special in ['"', '\\', '\n', 'a', 'é'] {
                    let mut v: Vec<char> = "x".repeat(len).chars().collect();
                    v[at] = special;
                    let v: String = v.into_iter().collect();
                    assert_eq!(
                        needs_escape(&v),
                        matches!(special, '"' | '\\' | '\n'),
                        "{v:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn pieces_are_appended_whole_and_in_order() {
        let pieces = [
            "",
            "a",
            "é",
            "{mac=\"",
            "02:00:00:00:00:01",
            "\u{1f600}",
            "\"}",
        ];
        let mut want = String::from("start");
        let mut got = want.clone();
        for i in 0..pieces.len() {
            for j in i..pieces.len() {
                let run = &pieces[i..=j];
                run.iter().for_each(|p| want.push_str(p));
                put(&mut got, run);
                assert_eq!(got, want);
            }
        }
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
        e.family("n", MetricType::Gauge, "N.")
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
        e.family("a", MetricType::Gauge, "A.").sample(&[], 1u64);
        e.family("a", MetricType::Gauge, "A.").sample(&[], 2u64);
    }
}
