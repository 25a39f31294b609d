//! One module per hub page: the page's path and a pure parser from the body's
//! bytes to a typed snapshot. Nothing here touches the network or the clock
//! (a deadline is passed in for the device page, which may run JavaScript).

use std::fmt;

use crate::format::percent;
use crate::script::{self, Field, Lit};

pub mod lan;
pub mod owl;
pub mod status;
pub mod wan;

/// Why a page's body could not be read, naming the field where there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub field: Option<&'static str>,
    pub msg: String,
}

impl ParseError {
    pub fn page(msg: impl Into<String>) -> Self {
        ParseError {
            field: None,
            msg: msg.into(),
        }
    }

    pub fn field(field: &'static str, msg: impl Into<String>) -> Self {
        ParseError {
            field: Some(field),
            msg: msg.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "field {field}: {}", self.msg),
            None => f.write_str(&self.msg),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a decimal counter or gauge the hub wrote as text. Counters are
/// 64-bit: the hub's byte counts pass 2^32 within days.
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A signed decimal the hub wrote as text: what `s.trim().parse::<i32>()`
/// reads (one optional sign, then digits, within `i32`), through the `u64`
/// parser the counters already link, rather than a second integer parser
/// (684 bytes on mipsel).
pub(crate) fn parse_i32(s: &str) -> Option<i32> {
    let s = s.trim();
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    // parse_u64 would trim again and `u64::from_str` take a second sign.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = i64::try_from(digits.parse::<u64>().ok()?).ok()?;
    i32::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// A rate the hub gives in bit/s, in the bytes per second the metrics and
/// the overview speak. Exact: every rate below 2^53 bit/s divided by 8 is a
/// float without error.
pub fn bytes_per_second(bps: u64) -> f64 {
    bps as f64 / 8.0
}

/// Where `needle` first occurs in `hay`: the byte scans of the pages'
/// replay advances, which rewrite a page's digits in place and so work on
/// its bytes rather than on what a reader makes of them.
pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Counter `v` moved by `step` × `multiple`, for the pages' replay
/// advances: forward, or back when `step` is negative (a read before the
/// recording). `None` when it would leave a `u64` (below 0 or past
/// `u64::MAX`): the advances then keep the counter as recorded.
pub(crate) fn advance_counter(v: u64, step: i64, multiple: u64) -> Option<u64> {
    let by = step.unsigned_abs().checked_mul(multiple)?;
    if step < 0 {
        v.checked_sub(by)
    } else {
        v.checked_add(by)
    }
}

/// Label values are cut to this many bytes: device names are chosen by
/// whoever joins the Wi-Fi, and a label is not the place for an essay.
pub const MAX_LABEL_BYTES: usize = 128;

pub type Record = [(String, Lit)];

pub fn object(v: &Lit) -> Option<&Record> {
    match v {
        Lit::Object(fields) => Some(fields),
        _ => None,
    }
}

/// A field as decoded text, when it is whole. Strings are what the hub
/// writes; whole numbers are accepted too (a hand-edited page may drop the
/// quotes), anything else counts as absent, a cut string ([`Lit::Cut`])
/// too: a number or a list read from one would be wrong.
pub fn text(record: &Record, key: &str) -> Option<String> {
    let (_, v) = record.iter().find(|(k, _)| k == key)?;
    match v {
        Lit::Str(s) => Some(percent::decode(s).into_owned()),
        Lit::Num(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= 9_007_199_254_740_992.0 => {
            Some(format!("{}", *n as u64))
        }
        _ => None,
    }
}

/// A field as a label: decoded, trimmed when asked, and cut to
/// [`MAX_LABEL_BYTES`]. A cut string gives the label its whole would,
/// or none when that cannot be told.
///
/// Why it can be told: decoding a prefix of a string gives a prefix of the
/// whole's decoding, except for its last few bytes (a `%4` cut from its
/// second digit, a UTF-8 sequence cut short: 4 bytes at most). When what is
/// left before those, trimmed, still runs past a label's length and the
/// widest character after it, the whole's label is made of the same bytes.
pub fn label_text(record: &Record, key: &str, trim: bool) -> Option<String> {
    let (_, v) = record.iter().find(|(k, _)| k == key)?;
    let Lit::Cut(s) = v else {
        let t = text(record, key)?;
        return Some(if trim && t.trim().len() != t.len() {
            label(t.trim())
        } else {
            label_owned(t)
        });
    };
    let decoded = percent::decode(s);
    let sure = &decoded[..script::cut_point(&decoded, decoded.len().saturating_sub(UNSURE))];
    let t = if trim { sure.trim() } else { sure };
    (t.len() >= MAX_LABEL_BYTES + UNSURE).then(|| label(t))
}

/// Bytes at the end of a cut string's decoding that may differ (see
/// [`label_text`]).
const UNSURE: usize = 4;

/// [`text`] of a field a records reader handed over, appended to `out`
/// (which holds UTF-8): whether there is one.
pub(crate) fn field_text(f: Field<'_>, out: &mut Vec<u8>) -> bool {
    match f {
        Field::Str { text, cut: false } => percent::decode_into(text, out),
        Field::Num(n) if n.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&n) => {
            out.extend_from_slice((n as u64).to_string().as_bytes());
        }
        _ => return false,
    }
    true
}

/// [`label_text`] of a field a records reader handed over, appended to
/// `out` (which holds UTF-8): whether it makes one.
pub(crate) fn field_label(f: Field<'_>, trim: bool, out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let cut = matches!(f, Field::Str { cut: true, .. });
    match f {
        Field::Str { text, cut: true } => percent::decode_into(text, out),
        f if field_text(f, out) => {}
        _ => return false,
    }
    let decoded = &out[start..];
    let whole = if cut {
        &decoded[..cut_utf8(decoded, decoded.len().saturating_sub(UNSURE))]
    } else {
        decoded
    };
    let t = if trim { trim_utf8(whole) } else { whole };
    if cut && t.len() < MAX_LABEL_BYTES + UNSURE {
        out.truncate(start);
        return false;
    }
    let from = start + (t.as_ptr() as usize - decoded.as_ptr() as usize);
    let len = cut_utf8(t, MAX_LABEL_BYTES);
    if from > start {
        out.copy_within(from..from + len, start);
    }
    out.truncate(start + len);
    true
}

/// [`script::cut_point`] of UTF-8 bytes.
pub(crate) fn cut_utf8(s: &[u8], max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut end = max;
    // A character starts at a byte that is not a continuation byte.
    while end > 0 && s[end] & 0xc0 == 0x80 {
        end -= 1;
    }
    end
}

/// `str::trim` of UTF-8 bytes: what starts and ends with a printable
/// ASCII byte, as nearly every field does, has nothing to trim.
pub(crate) fn trim_utf8(s: &[u8]) -> &[u8] {
    let printable = |b: &u8| *b > b' ' && *b < 0x80;
    if s.first().map_or(true, printable) && s.last().map_or(true, printable) {
        return s;
    }
    std::str::from_utf8(s).map_or(s, |t| t.trim().as_bytes())
}

/// [`parse_u64`] of UTF-8 bytes.
pub(crate) fn parse_u64_utf8(s: &[u8]) -> Option<u64> {
    let s = trim_utf8(s);
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |n, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    })
}

/// A MAC as [`normalise_mac`] makes it, from a field.
pub fn mac_of(record: &Record, key: &str) -> Option<String> {
    let mut mac = label_text(record, key, true)?;
    mac.make_ascii_uppercase();
    Some(mac)
}

/// A MAC as it is joined, deduplicated and labelled: trimmed, upper-case and
/// cut as a label is: keyed by the uncut text, two MACs that differ only
/// past the cut would become two series with one label set.
pub fn normalise_mac(mac: &str) -> String {
    let mut mac = label(mac.trim());
    mac.make_ascii_uppercase();
    mac
}

/// [`label`] of a string already owned, cut in place.
fn label_owned(mut s: String) -> String {
    s.truncate(script::cut_point(&s, MAX_LABEL_BYTES));
    s
}

/// Cuts a label value to [`MAX_LABEL_BYTES`] on a character boundary.
pub fn label(s: &str) -> String {
    if s.len() <= MAX_LABEL_BYTES {
        return s.to_owned();
    }
    let mut end = MAX_LABEL_BYTES;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_numbers_read_as_str_parse_reads_them() {
        let mut inputs: Vec<String> = [
            "",
            " ",
            "-",
            "+",
            "--1",
            "+-1",
            "-+1",
            "++1",
            "1-",
            "0",
            "-0",
            "+0",
            "7",
            " -7 ",
            "+42",
            "\t-35\n",
            "1 2",
            "1.5",
            "-1e3",
            "0x10",
            "٣",
            "-127",
            "00000000000000000042",
            "-2147483648",
            "-2147483649",
            "2147483647",
            "2147483648",
            "+2147483647",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "18446744073709551615",
            "18446744073709551616",
            "-18446744073709551616",
        ]
        .map(String::from)
        .to_vec();
        for v in [
            i64::from(i32::MIN),
            -65536,
            -1000,
            -1,
            1,
            255,
            65535,
            i64::from(i32::MAX),
        ] {
            for d in -2..=2 {
                inputs.push((v + d).to_string());
                inputs.push(format!("+{}", v + d));
            }
        }
        for s in &inputs {
            assert_eq!(parse_i32(s), s.trim().parse::<i32>().ok(), "{s:?}");
        }
    }

    #[test]
    fn labels_cut_in_place_as_when_copied() {
        for s in [
            "",
            "a",
            &"é".repeat(64),
            &format!("x{}", "é".repeat(64)),
            &"a".repeat(200),
        ] {
            assert_eq!(label_owned(s.to_owned()), label(s), "{s}");
            assert!(label(s).len() <= MAX_LABEL_BYTES);
        }
        let record = vec![
            ("m".to_owned(), Lit::Str(" aa%3Abb ".into())),
            ("n".to_owned(), Lit::Str("aa%3Abb".into())),
        ];
        assert_eq!(label_text(&record, "m", true).as_deref(), Some("aa:bb"));
        assert_eq!(label_text(&record, "m", false).as_deref(), Some(" aa:bb "));
        assert_eq!(label_text(&record, "n", true).as_deref(), Some("aa:bb"));
        assert_eq!(mac_of(&record, "m").as_deref(), Some("AA:BB"));
        assert_eq!(normalise_mac(" aa:bb "), "AA:BB");
    }
}
