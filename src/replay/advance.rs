//! Moving a recording's byte counters, so a replayed hub shows traffic:
//! `rate()` panels over a recording that never changes would read 0.
//!
//! Only when the recording asks for it (a `replay-advance: BYTES` line in its
//! MANIFEST's header, see [`super`]); a user's dump replays exactly. The
//! page's bytes are rewritten before the parser sees them, so what is read
//! is read by the same code as a live page: only the digits of the known
//! counters change, nothing else of the page's syntax. The `n`-th read of a
//! page (from 0) adds `n × BYTES × multiple`:
//!
//! - `wan_conn_volume_list` (`/nonAuth/wan_conn.xml`), every row whose
//!   three fields are numbers and whose total is not 0 (the hub's unused
//!   rows stay `0;0;0`): download + [`WAN_DOWN`], upload + [`WAN_UP`],
//!   the total by both, so it stays download + upload.
//! - the device page's `rate` rows (`tx`/`rx`, both device pages): row `j`
//!   (from 0, in page order) has the multiple `m = 1 + j % 4`; `rx` (what
//!   the device downloaded) + [`RATE_RX`] × m, `tx` + m.
//!
//! Nothing else moves: the mesh page's `bs`/`br` are not read by the
//! exporter, uptimes and sync rates stay as recorded. A counter that would
//! pass `u64::MAX` stays as recorded. Pure: bytes in, bytes out.
//!
//! A negative `n` takes the counters back as far (`replay-day`'s scrapes of
//! the past, see [`super::day`]); a counter that would go below 0 stays as
//! recorded.

use crate::pages::{lan, wan};

/// Multiples of the advance, per read of the page.
pub const WAN_DOWN: u64 = 160;
pub const WAN_UP: u64 = 40;
pub const RATE_RX: u64 = 4;
/// The device rows' multiples run 1, 2, .., this, 1, 2, ..
pub const RATE_CYCLE: u64 = 4;

/// `body` of page `path` as its `n`-th read with `bytes` per read (`n`
/// reads before the recording, when negative).
pub fn page(path: &str, body: Vec<u8>, bytes: u64, n: i64) -> Vec<u8> {
    let Some(step) = bytes.checked_mul(n.unsigned_abs()).filter(|&s| s > 0) else {
        return body;
    };
    let step = Step {
        by: step,
        back: n < 0,
    };
    match path {
        wan::PATH => wan_volume(&body, step),
        lan::PATH | lan::EE_PATH => rate_rows(&body, step),
        _ => body,
    }
}

/// How far a read moves the counters, and which way.
#[derive(Clone, Copy)]
struct Step {
    by: u64,
    back: bool,
}

impl Step {
    /// `v` moved by `multiple` steps; `None` when it would leave a u64.
    fn apply(self, v: u64, multiple: u64) -> Option<u64> {
        let by = self.by.checked_mul(multiple)?;
        if self.back {
            v.checked_sub(by)
        } else {
            v.checked_add(by)
        }
    }
}

/// The rows of `wan_conn_volume_list`'s `value` attribute, each
/// `'total%3Bdown%3Bup'`, moved by `step`.
fn wan_volume(page: &[u8], step: Step) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len() + 64);
    let mut rest = page;
    // Every element of that name, as a reader that took a later one would
    // see the same counters move.
    while let Some(at) = find(rest, b"<wan_conn_volume_list") {
        let element_end = find(&rest[at..], b">").map_or(rest.len(), |e| at + e);
        let Some(v) = find(&rest[at..element_end], b"value=\"").map(|v| at + v + 7) else {
            out.extend_from_slice(&rest[..element_end]);
            rest = &rest[element_end..];
            continue;
        };
        let value_end = find(&rest[v..], b"\"").map_or(rest.len(), |e| v + e);
        out.extend_from_slice(&rest[..v]);
        let value = &rest[v..value_end];
        let mut i = 0;
        while i < value.len() {
            let close = (value[i] == b'\'')
                .then(|| value[i + 1..].iter().position(|&b| b == b'\''))
                .flatten();
            match close {
                Some(len) => {
                    let row = &value[i + 1..i + 1 + len];
                    out.push(b'\'');
                    match wan_row(row, step) {
                        Some(moved) => out.extend_from_slice(moved.as_bytes()),
                        None => out.extend_from_slice(row),
                    }
                    out.push(b'\'');
                    i += len + 2;
                }
                None => {
                    out.push(value[i]);
                    i += 1;
                }
            }
        }
        rest = &rest[value_end..];
    }
    out.extend_from_slice(rest);
    out
}

/// `total%3Bdown%3Bup` moved, or `None` to keep the row as it is.
fn wan_row(row: &[u8], step: Step) -> Option<String> {
    let text = std::str::from_utf8(row).ok()?;
    let mut fields = text.split("%3B").map(digits);
    let (Some(Some(total)), Some(Some(down)), Some(Some(up)), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    if total == 0 {
        return None;
    }
    let total = step.apply(step.apply(total, WAN_DOWN)?, WAN_UP)?;
    Some(format!(
        "{total}%3B{}%3B{}",
        step.apply(down, WAN_DOWN)?,
        step.apply(up, WAN_UP)?
    ))
}

/// A field of ASCII digits only, as a number.
fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Every `var rate = [..]` of a device page, its rows' `tx`/`rx` moved.
fn rate_rows(page: &[u8], step: Step) -> Vec<u8> {
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for open in declarations(page, b"rate") {
        for (key, row, start, end, value) in quoted_numbers(page, open) {
            let m = 1 + row % RATE_CYCLE;
            let moved = match key {
                Key::Rx => step.apply(value, RATE_RX * m),
                Key::Tx => step.apply(value, m),
            };
            if let Some(v) = moved {
                edits.push((start, end, v.to_string()));
            }
        }
    }
    let mut out = Vec::with_capacity(page.len() + 16 * edits.len());
    let mut at = 0;
    for (start, end, digits) in edits {
        out.extend_from_slice(&page[at..start]);
        out.extend_from_slice(digits.as_bytes());
        at = end;
    }
    out.extend_from_slice(&page[at..]);
    out
}

/// After each `var NAME = [` at the start of a statement: the offset just
/// past its `[`.
fn declarations(page: &[u8], name: &[u8]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&page[from..], name).map(|a| from + a) {
        from = at + name.len();
        let before = trim_end(&page[..at]);
        let Some(head) = before.strip_suffix(b"var") else {
            continue;
        };
        let spaced = before.len() < at;
        // The hub ends some lines without `;`: a line break starts a
        // statement too.
        let code = trim_end(head);
        let statement_start = head[code.len()..].contains(&b'\n')
            || code.last().map_or(true, |&b| matches!(b, b';' | b'}'));
        if !spaced || !statement_start {
            continue;
        }
        let after = skip_space(page, from);
        if page.get(after) != Some(&b'=') {
            continue;
        }
        let after = skip_space(page, after + 1);
        if page.get(after) == Some(&b'[') {
            found.push(after + 1);
        }
    }
    found
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Key {
    Tx,
    Rx,
}

/// In the array whose `[` ends just before `open`: each record's `tx:'N'`
/// and `rx:'N'` (quoted digits, as the hub writes them) as (key, row,
/// start and end of the digits, value). Strings and comments are skipped
/// as JavaScript reads them, so a `tx:` inside a name is no field.
fn quoted_numbers(page: &[u8], open: usize) -> Vec<(Key, u64, usize, usize, u64)> {
    let mut found = Vec::new();
    let mut depth = 1usize;
    let mut row: Option<u64> = None;
    let mut expect_key = false;
    let mut i = open;
    while i < page.len() && depth > 0 {
        let c = page[i];
        match c {
            b'\'' | b'"' => {
                i = string_end(page, i);
                expect_key = false;
                continue;
            }
            b'/' if matches!(page.get(i + 1), Some(b'/') | Some(b'*')) => {
                i = comment_end(page, i);
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if c == b'{' && depth == 2 {
                    row = Some(row.map_or(0, |r| r + 1));
                }
                expect_key = c == b'{' && depth == 2;
            }
            b']' | b'}' => {
                depth -= 1;
                expect_key = false;
            }
            b',' => expect_key = depth == 2,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ if expect_key && is_ident(c) => {
                let end = i + page[i..].iter().take_while(|&&b| is_ident(b)).count();
                let key = match &page[i..end] {
                    b"tx" => Some(Key::Tx),
                    b"rx" => Some(Key::Rx),
                    _ => None,
                };
                expect_key = false;
                let colon = skip_space(page, end);
                if let (Some(key), Some(b':')) = (key, page.get(colon)) {
                    let q = skip_space(page, colon + 1);
                    if let Some(&quote @ (b'\'' | b'"')) = page.get(q) {
                        let start = q + 1;
                        let stop = start
                            + page[start..]
                                .iter()
                                .take_while(|b| b.is_ascii_digit())
                                .count();
                        let value = std::str::from_utf8(&page[start..stop])
                            .ok()
                            .and_then(digits);
                        if let (Some(v), Some(&b)) = (value, page.get(stop)) {
                            if b == quote {
                                found.push((key, row.unwrap_or(0), start, stop, v));
                            }
                        }
                    }
                }
                i = end;
                continue;
            }
            _ => expect_key = false,
        }
        i += 1;
    }
    found
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Past the string that opens at `i` (an unclosed one runs to the end).
fn string_end(page: &[u8], i: usize) -> usize {
    let quote = page[i];
    let mut j = i + 1;
    while j < page.len() {
        match page[j] {
            b'\\' => j += 2,
            b if b == quote || b == b'\n' => return j + 1,
            _ => j += 1,
        }
    }
    page.len()
}

/// Past the `//` or `/*` comment that opens at `i`.
fn comment_end(page: &[u8], i: usize) -> usize {
    if page[i + 1] == b'/' {
        find(&page[i..], b"\n").map_or(page.len(), |e| i + e + 1)
    } else {
        find(&page[i + 2..], b"*/").map_or(page.len(), |e| i + 2 + e + 2)
    }
}

fn skip_space(page: &[u8], mut i: usize) -> usize {
    while page.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

fn trim_end(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    &s[..s.len() - n]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A VDSL2 hub's page (row 1 active; rows 0 and 2 unused, `0;0;0`).
    const WAN: &str = include_str!("../../tests/fixtures/hub/wan_vdsl2_row1.xml");

    #[test]
    fn wan_rows_move_together_and_unused_rows_stay() {
        let moved = String::from_utf8(page(wan::PATH, WAN.into(), 1000, 3)).unwrap();
        let (down, up) = (67192513981 + 3000 * WAN_DOWN, 14457964544 + 3000 * WAN_UP);
        let want = WAN.replace(
            "81650478525%3B67192513981%3B14457964544",
            &format!("{}%3B{down}%3B{up}", down + up),
        );
        assert_eq!(moved, want);
        // The page still reads, with the moved numbers.
        let w = wan::parse(moved.as_bytes()).unwrap();
        let v = w.volume.unwrap();
        assert_eq!((v.down_bytes, v.up_bytes), (down, up));
        // The first read, or no advance, is the page as recorded.
        assert_eq!(page(wan::PATH, WAN.into(), 1000, 0), WAN.as_bytes());
        assert_eq!(page(wan::PATH, WAN.into(), 0, 9), WAN.as_bytes());
        // A row that is not three numbers stays as it is.
        let odd = "<wan_conn_volume_list type=\"array\" value=\"[['URL_encoded_string'],['1%3B2'],['5%3B2%3B3'],null]\" />";
        let moved = page(wan::PATH, odd.into(), 1, 1);
        assert_eq!(
            String::from_utf8(moved).unwrap(),
            odd.replace(
                "5%3B2%3B3",
                &format!(
                    "{}%3B{}%3B{}",
                    5 + WAN_DOWN + WAN_UP,
                    2 + WAN_DOWN,
                    3 + WAN_UP
                )
            )
        );
    }

    #[test]
    fn reads_before_the_recording_take_the_counters_back() {
        let back = String::from_utf8(page(wan::PATH, WAN.into(), 1000, -3)).unwrap();
        let (down, up) = (67192513981 - 3000 * WAN_DOWN, 14457964544 - 3000 * WAN_UP);
        let want = WAN.replace(
            "81650478525%3B67192513981%3B14457964544",
            &format!("{}%3B{down}%3B{up}", down + up),
        );
        assert_eq!(back, want);
        // A counter that would go below 0 stays as recorded.
        let moved = page(
            lan::PATH,
            "var rate=[{tx:'5',rx:'100000'}];".into(),
            10,
            -1000,
        );
        assert_eq!(moved, b"var rate=[{tx:'5',rx:'60000'}];");
    }

    #[test]
    fn counters_that_would_overflow_stay_as_recorded() {
        let big = WAN.replace(
            "81650478525%3B67192513981",
            "18446744073709551615%3B18446744073709551000",
        );
        assert_eq!(page(wan::PATH, big.clone().into(), 1000, 1), big.as_bytes());
        assert_eq!(page(wan::PATH, WAN.into(), u64::MAX, 2), WAN.as_bytes());
    }

    const LAN: &str = "var known_device_list=[{mac:'A',name:'tx:\\'5\\'',tx:'9'},null];\n\
var rate = [{timestamp:'0',app:'4294967295',mac:'a',tx:'100',rx:'1000'},\n\
{mac:'b', tx : \"200\" ,rx:'2000'}, /* rx:'7' */ {mac:'c',tx:'x',rx:'3000'},{mac:'d',tx:'1',rx:'1'},{mac:'e',tx:'5',rx:'5'},\n\
null];\naddCfg(\"a\",1,'tx:\\'1\\'');\nvar later = [{tx:'4'}];\n";

    #[test]
    fn rate_rows_move_by_their_multiple_and_nothing_else_does() {
        let moved = String::from_utf8(page(lan::PATH, LAN.into(), 10, 2)).unwrap();
        let want = LAN
            .replace("tx:'100',rx:'1000'", "tx:'120',rx:'1080'")
            .replace("tx : \"200\" ,rx:'2000'", "tx : \"240\" ,rx:'2160'")
            .replace("tx:'x',rx:'3000'", "tx:'x',rx:'3240'")
            .replace("tx:'1',rx:'1'", "tx:'81',rx:'321'")
            // The fifth row starts the cycle again.
            .replace("tx:'5',rx:'5'", "tx:'25',rx:'85'");
        assert_eq!(moved, want);
        assert_eq!(page(lan::EE_PATH, LAN.into(), 10, 2), want.as_bytes());
        // Other pages are never touched.
        assert_eq!(page("/cgi/cgi_owl.js", LAN.into(), 10, 2), LAN.as_bytes());
    }

    #[test]
    fn only_declarations_at_a_statement_start_count() {
        for page_text in [
            "x='var rate = [{tx:\\'1\\'}]';",
            "var rates = [{tx:'1'}];",
            "var x = 1; foovar rate = [{tx:'1'}];",
            "var rate = 5;",
        ] {
            assert_eq!(
                page(lan::PATH, page_text.into(), 10, 1),
                page_text.as_bytes(),
                "{page_text}"
            );
        }
        let moved = page(lan::PATH, "var a=1;var rate=[{tx:'1'}];".into(), 10, 1);
        assert_eq!(moved, b"var a=1;var rate=[{tx:'11'}];");
    }
}
