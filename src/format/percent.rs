//! Percent-decoding of the hub's field values.
//!
//! The hub percent-encodes every string it emits (`.` as `%2E`, `:` as `%3A`,
//! `;` as `%3B`). Decoding is lenient: hand-redacted captures contain escapes
//! such as `%th` and a trailing `%`, and the only sensible reading of those is
//! the literal text, so invalid sequences are kept as they are.
//!
//! Written by hand, though `percent-encoding` decodes as leniently and costs
//! as little (0.7 KB in a scratch program, x86_64, release profile): the
//! device page's labels are decoded straight into one shared text
//! ([`decode_into`]), a run between escapes copied whole, where the crate
//! yields a byte at a time through an iterator; and the hub's `;`-separated
//! fields are split before decoding ([`split_encoded`]), which no decoder
//! crate does.

use std::borrow::Cow;

/// Decodes `%XX` escapes into raw bytes; invalid escapes are kept verbatim.
/// `+` is not a space here: the hub writes spaces as `%20`.
pub fn decode_bytes(input: &str) -> Cow<'_, [u8]> {
    let bytes = input.as_bytes();
    if !bytes.contains(&b'%') {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    decode_bytes_into(input, &mut out);
    Cow::Owned(out)
}

/// [`decode_bytes`], appended to `out`; whether an escape made a byte
/// that is not ASCII (the rest is `input`'s own text, so without one what
/// was appended is UTF-8).
fn decode_bytes_into(input: &str, out: &mut Vec<u8>) -> bool {
    let bytes = input.as_bytes();
    // Byte by byte into room made first: the hub escapes every third or
    // fourth byte, so runs between escapes are too short to copy whole,
    // and a `push` a byte is a call at the release profile's opt-level
    // (callgrind: 2.5 times the instructions of this loop).
    out.reserve(bytes.len());
    let start = out.len();
    let room = out.spare_capacity_mut();
    let mut high = 0;
    let (mut i, mut w) = (0, 0);
    while i < bytes.len() && w < room.len() {
        let mut b = bytes[i];
        i += 1;
        if b == b'%' && i + 1 < bytes.len() {
            let (hi, lo) = (nibble(bytes[i]), nibble(bytes[i + 1]));
            if hi | lo < 16 {
                b = hi << 4 | lo;
                high |= b;
                i += 2;
            }
        }
        room[w].write(b);
        w += 1;
    }
    // SAFETY: the `w` bytes past the length were written just above, and
    // are within the capacity `room` spans.
    unsafe { out.set_len(start + w) };
    high >= 0x80
}

/// A hexadecimal digit's value, or 16 or more for any other byte.
#[inline(always)]
fn nibble(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 16,
    }
}

/// [`decode`], appended to `out`: what was appended is UTF-8.
pub fn decode_into(input: &str, out: &mut Vec<u8>) {
    let start = out.len();
    if decode_bytes_into(input, out) && std::str::from_utf8(&out[start..]).is_err() {
        let text = String::from_utf8_lossy(&out[start..]).into_owned();
        out.truncate(start);
        out.extend_from_slice(text.as_bytes());
    }
}

/// Decodes and turns the result into text. Bytes that are not UTF-8 after
/// decoding become U+FFFD: a device name is attacker-chosen, and a lossy label
/// beats a failed scrape (the Go exporter crashed here).
pub fn decode(input: &str) -> Cow<'_, str> {
    match decode_bytes(input) {
        Cow::Borrowed(_) => Cow::Borrowed(input),
        Cow::Owned(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Cow::Owned(s),
            Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        },
    }
}

/// Splits an encoded value on its encoded `;` (`%3B`) *before* decoding, so a
/// sub-field that itself contains an escaped `%253B` stays one field.
pub fn split_fields(input: &str) -> Vec<Cow<'_, str>> {
    split_encoded(input, b';').map(decode).collect()
}

/// Splits an encoded value on an encoded separator byte (`%3B` for `;`, `%2C`
/// for `,`), case-insensitively in the hex digits.
pub fn split_encoded(input: &str, sep: u8) -> impl Iterator<Item = &str> {
    let bytes = input.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while i + 2 < bytes.len() {
            if bytes[i] == b'%'
                && matches!((hex(bytes[i + 1]), hex(bytes[i + 2])), (Some(h), Some(l)) if h << 4 | l == sep)
            {
                let field = &input[start..i];
                i += 3;
                start = i;
                return Some(field);
            }
            i += 1;
        }
        done = true;
        Some(&input[start..])
    })
}

#[inline]
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_keeps_invalid_ones() {
        assert_eq!(decode("192%2E168%2E1%2E1"), "192.168.1.1");
        assert_eq!(decode("Paul%27s%20TV"), "Paul's TV");
        assert_eq!(decode("android%thingy"), "android%thingy");
        assert_eq!(decode("fe80%"), "fe80%");
        assert_eq!(decode("a%2"), "a%2");
        assert_eq!(decode("%"), "%");
        assert_eq!(decode("a+b"), "a+b");
        assert_eq!(decode("%e2%82%AC"), "\u{20ac}");
    }

    /// The decoder as first written, a byte at a time.
    fn decode_bytewise(input: &str) -> Vec<u8> {
        let bytes = input.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        out
    }

    #[test]
    fn decodes_runs_as_it_decodes_bytes() {
        let alphabet = ["%", "2", "E", "e", "g", "a", "%25", "%2E"];
        let mut inputs = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = inputs
                .iter()
                .flat_map(|s| alphabet.iter().map(move |a| format!("{s}{a}")))
                .collect();
            inputs.extend(longer);
        }
        for input in &inputs {
            assert_eq!(
                &*decode_bytes(input),
                decode_bytewise(input).as_slice(),
                "{input:?}"
            );
        }
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(decode("caf%E9"), "caf\u{fffd}");
        assert_eq!(decode("%FF%FE"), "\u{fffd}\u{fffd}");
    }

    #[test]
    fn decoding_into_a_buffer_appends_what_decode_makes() {
        for input in [
            "",
            "plain",
            "caf%E9",
            "%FF%FE",
            "a%2",
            "%e2%82%AC!",
            "100%zz",
        ] {
            let mut out = b"before ".to_vec();
            decode_into(input, &mut out);
            assert_eq!(
                std::str::from_utf8(&out).unwrap(),
                format!("before {}", decode(input)),
                "{input:?}"
            );
        }
    }

    #[test]
    fn splits_before_decoding() {
        assert_eq!(
            split_fields("connected%3B72%3Bpass"),
            ["connected", "72", "pass"]
        );
        assert_eq!(split_fields("a%253Bb%3bc"), ["a%3Bb", "c"]);
        assert_eq!(split_fields(""), [""]);
        assert_eq!(split_fields("%3B"), ["", ""]);
        assert_eq!(
            split_encoded("a%2Cb%2cc", b',').collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }
}
