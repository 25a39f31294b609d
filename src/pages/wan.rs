//! `/nonAuth/wan_conn.xml`: the WAN connection, readable without a login.
//!
//! Each child of `<status>` carries a `value` attribute: either a scalar or a
//! JS-style array with one row per WAN interface (row 0 Ethernet, row 1
//! VDSL/G.fast, row 2 ADSL) whose cells are percent-encoded, `;`-separated
//! strings. `wan_active_idx` names the live row; reading row 0 regardless
//! (as the Go exporter did) reports zeros on every DSL line.
//! Field meanings and how we know them: `docs/hub-pages.md`.

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::{advance_counter, find, label, parse_i32, parse_u64, ParseError};
use crate::format::{percent, xml};
use crate::script::literal::{self, Lit};

pub const PATH: &str = "/nonAuth/wan_conn.xml";

/// The active WAN interface, as the hub reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wan {
    /// Seconds since the hub booted.
    pub sysuptime: u64,
    /// The live row of every per-interface list.
    pub active_idx: usize,
    /// The IP session is up.
    pub connected: bool,
    /// Seconds the IP session has been up: 0 while disconnected; `None` when
    /// the hub's own numbers contradict each other (session start after now).
    pub connection_uptime: Option<u64>,
    /// Byte counters of the session; `None` when the hub did not give three
    /// numbers (redacted or garbled captures).
    pub volume: Option<Volume>,
    /// Line rate in bit/s; `None` when unreadable.
    pub rate: Option<Rate>,
    /// The physical link of the active interface (`curlinkstatus`), which
    /// can be up while the IP session is not (PPP failing over a good line).
    pub link: Option<Link>,
    /// The DSL modem's line (`wan_linestatus_rate_list`); present on every
    /// hub, FTTP ones included, where it reads `DOWN`.
    pub dsl: Option<DslLine>,
    /// The active interface's addresses (`ip4_info_list`, `ip6_*_list`).
    pub addresses: Addresses,
    /// Channel per band (`wlan_channel_list`), 2.4 GHz then 5 GHz.
    pub wifi_channels: [Option<u32>; 2],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub up: bool,
    /// Seconds since the link came up; 0 while it is down; `None` when the
    /// hub's link-up time is after its own uptime.
    pub uptime: Option<u64>,
}

/// Index 0 of every per-direction array is downstream, 1 upstream.
pub const DIRECTIONS: [&str; 2] = ["down", "up"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DslLine {
    /// The line is trained (`UP`).
    pub up: bool,
    /// Only while the line is up: a line that is down (every FTTP hub's)
    /// reports zeros and default mode strings, which are not readings.
    pub stats: Option<DslStats>,
}

/// The line's figures, as the hub reports them. dB figures stay in the
/// hub's tenths so that the snapshot is exact; the renderer divides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DslStats {
    /// `ADSL`, `VDSL2`, `GFAST`.
    pub mode: String,
    /// The modulation or profile: `G.DMT`, `Profile 17a`.
    pub profile: String,
    /// `fast` or `interleaved`.
    pub channel: String,
    pub snr_margin_tenth_db: [Option<i32>; 2],
    pub line_attenuation_tenth_db: [Option<i32>; 2],
    pub signal_attenuation_tenth_db: [Option<i32>; 2],
    pub output_power_tenth_dbm: [Option<i32>; 2],
    pub sync_bps: [Option<u64>; 2],
    pub attainable_bps: [Option<u64>; 2],
}

/// Addresses that are set: the hub writes `0.0.0.0` and `::/0` for none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Addresses {
    pub ipv4: Option<Ipv4Addr>,
    pub ipv4_gateway: Option<Ipv4Addr>,
    pub dns: Vec<Ipv4Addr>,
    /// Global address with its prefix length, as the hub writes it
    /// (`2a00:23c7:abcd:100::1/64`).
    pub ipv6: Option<String>,
    pub ipv6_link_local: Option<String>,
}

/// What the active WAN row is, by its index: the hub's rows are fixed.
pub fn wan_kind(idx: usize) -> &'static str {
    match idx {
        0 => "ethernet",
        // VDSL2 and G.fast share the PTM row.
        1 => "vdsl",
        2 => "adsl",
        _ => "unknown",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volume {
    pub down_bytes: u64,
    pub up_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub up_bps: u64,
    pub down_bps: u64,
}

/// The hub has three WAN rows; anything far beyond is not a hub.
const MAX_WAN_IDX: u64 = 15;

pub fn parse(body: &[u8]) -> Result<Wan, ParseError> {
    let page = Page::parse(body)?;

    let sysuptime = page.scalar_u64("sysuptime")?;
    let active_idx = page.scalar_u64("wan_active_idx")?;
    if active_idx > MAX_WAN_IDX {
        return Err(ParseError::field(
            "wan_active_idx",
            format!("{active_idx} is not a WAN row"),
        ));
    }
    let active_idx = active_idx as usize;

    let status = page.row("wan_conn_status_list", active_idx)?;
    let state = status.first().map(|s| s.as_ref()).unwrap_or("");
    let connected = match state {
        "connected" => true,
        "disconnected" | "connecting" | "disconnecting" | "" => false,
        other => {
            return Err(ParseError::field(
                "wan_conn_status_list",
                format!("unknown connection state {other:?}"),
            ))
        }
    };
    let connection_uptime = if connected {
        let since = status.get(1).and_then(|s| parse_u64(s));
        match since {
            Some(since) if since <= sysuptime => Some(sysuptime - since),
            _ => {
                log::debug!("{PATH}: wan_conn_status_list: session start {status:?} does not fit sysuptime {sysuptime}");
                None
            }
        }
    } else {
        Some(0)
    };

    let volume = page
        .optional_row("wan_conn_volume_list", active_idx)
        .and_then(|f| match numbers::<3>(&f) {
            // The first is down + up, which the metrics leave to a query.
            Some([_total, down_bytes, up_bytes]) => Some(Volume {
                down_bytes,
                up_bytes,
            }),
            None => {
                log::debug!(
                    "{PATH}: wan_conn_volume_list row {active_idx} is not three numbers: {f:?}"
                );
                None
            }
        });

    let rate = page
        .optional_row("status_rate", active_idx)
        .and_then(|f| match numbers::<2>(&f) {
            Some([up_bps, down_bps]) => Some(Rate { up_bps, down_bps }),
            None => {
                log::debug!(
                    "{PATH}: status_rate row {active_idx} does not start with two numbers: {f:?}"
                );
                None
            }
        });

    let link = page
        .optional_row("curlinkstatus", active_idx)
        .and_then(|f| link(&f, sysuptime));
    let dsl = page
        .optional_row("wan_linestatus_rate_list", 0)
        .and_then(|f| dsl_line(&f));
    let addresses = addresses(&page, active_idx);
    let wifi_channels = [0, 5].map(|row| {
        page.optional_row("wlan_channel_list", row)
            .and_then(|f| f.first().and_then(|c| parse_u64(c)))
            // Channel 0 is no channel (a radio that is off).
            .filter(|&c| (1..=255).contains(&c))
            .map(|c| c as u32)
    });

    Ok(Wan {
        sysuptime,
        active_idx,
        connected,
        connection_uptime,
        volume,
        rate,
        link,
        dsl,
        addresses,
        wifi_channels,
    })
}

/// `state;since` where `since` is the sysuptime at link-up.
fn link(fields: &[Cow<'_, str>], sysuptime: u64) -> Option<Link> {
    let up = match fields.first().map(|s| s.as_ref()) {
        Some("connected") => true,
        Some("disconnected" | "connecting" | "disconnecting") => false,
        other => {
            log::debug!("{PATH}: curlinkstatus: unknown link state {other:?}");
            return None;
        }
    };
    let uptime = if up {
        fields
            .get(1)
            .and_then(|s| parse_u64(s))
            .filter(|&since| since <= sysuptime)
            .map(|since| sysuptime - since)
    } else {
        Some(0)
    };
    Some(Link { up, uptime })
}

/// The 16 positions of `wan_linestatus_rate_list` (named by the `linestatus`
/// object of cgi_basicStatus.js): 0 state, 1 mode, 2 profile, 3-10 tenths of
/// dB (SNR margin, line attenuation, signal attenuation, output power; down
/// then up), 11-12 sync rate in kbit/s, 13-14 attainable rate in bit/s,
/// 15 channel type.
fn dsl_line(f: &[Cow<'_, str>]) -> Option<DslLine> {
    let state = f.first()?;
    let up = match state.to_ascii_uppercase().as_str() {
        "UP" => true,
        s if !s.is_empty() && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') => false,
        _ => {
            log::debug!("{PATH}: wan_linestatus_rate_list: unreadable state {state:?}");
            return None;
        }
    };
    if !up {
        return Some(DslLine { up, stats: None });
    }
    let text = |i: usize| f.get(i).map(|s| label(s)).unwrap_or_default();
    let tenths = |i: usize| f.get(i).and_then(|s| parse_i32(s));
    // A trained line cannot have a zero rate or zero attenuation: a 0 there
    // is a figure the modem did not report (G.fast hubs leave the upstream
    // attenuation at 0), not a reading.
    let nonzero_tenths = |i: usize| tenths(i).filter(|&v| v != 0);
    let rate = |i: usize, scale: u64| {
        f.get(i)
            .and_then(|s| parse_u64(s))
            .and_then(|v| v.checked_mul(scale))
            .filter(|&v| v != 0)
    };
    Some(DslLine {
        up,
        stats: Some(DslStats {
            mode: text(1),
            profile: text(2),
            channel: text(15),
            snr_margin_tenth_db: [tenths(3), tenths(4)],
            line_attenuation_tenth_db: [nonzero_tenths(5), nonzero_tenths(6)],
            signal_attenuation_tenth_db: [nonzero_tenths(7), nonzero_tenths(8)],
            output_power_tenth_dbm: [tenths(9), tenths(10)],
            sync_bps: [rate(11, 1000), rate(12, 1000)],
            attainable_bps: [rate(13, 1), rate(14, 1)],
        }),
    })
}

fn addresses(page: &Page, idx: usize) -> Addresses {
    let mut a = Addresses::default();
    let v4 = |s: &str| {
        s.trim()
            .parse::<Ipv4Addr>()
            .ok()
            .filter(|ip| !ip.is_unspecified())
    };
    if let Some(f) = page.optional_row("ip4_info_list", idx) {
        // ip;mask;gateway;dns1;dns2
        a.ipv4 = f.first().and_then(|s| v4(s));
        a.ipv4_gateway = f.get(2).and_then(|s| v4(s));
        a.dns = f.iter().skip(3).filter_map(|s| v4(s)).collect();
    }
    let v6 = |s: &str| {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            // `u64` reads what `u8` would (the same digits and sign); one
            // integer parser in the binary rather than two (mipsel).
            Some((a, p)) => (a, Some(p.parse::<u64>().ok().filter(|&p| p <= 128)?)),
            None => (s, None),
        };
        let ip = addr
            .parse::<Ipv6Addr>()
            .ok()
            .filter(|ip| !ip.is_unspecified())?;
        Some(match prefix {
            Some(p) => format!("{ip}/{p}"),
            None => ip.to_string(),
        })
    };
    a.ipv6 = page
        .optional_row("ip6_gua_list", idx)
        .and_then(|f| f.first().and_then(|s| v6(s)));
    a.ipv6_link_local = page
        .optional_row("ip6_lla_list", idx)
        .and_then(|f| f.first().and_then(|s| v6(s)));
    a
}

/// The first `N` fields as numbers, or `None` if any is missing or not one.
fn numbers<const N: usize>(fields: &[Cow<'_, str>]) -> Option<[u64; N]> {
    let mut out = [0; N];
    for (slot, field) in out.iter_mut().zip(fields) {
        *slot = parse_u64(field)?;
    }
    (fields.len() >= N).then_some(out)
}

/// The page's elements, looked up by name.
pub struct Page {
    elements: Vec<xml::Element>,
}

impl Page {
    pub fn parse(body: &[u8]) -> Result<Page, ParseError> {
        // A byte that is not UTF-8 (a Latin-1 name in a comment, say) is
        // U+FFFD, as a browser decodes a page, rather than the loss of the
        // page: in a label it shows as U+FFFD, in a number it makes the
        // number unreadable, hence absent.
        // (`from_utf8` first: on a valid page it costs a tenth as much.)
        let text = match std::str::from_utf8(body) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => {
                log::debug!("{PATH}: bytes that are not UTF-8 read as U+FFFD");
                String::from_utf8_lossy(body)
            }
        };
        let elements =
            xml::children_of_root(&text, "status").map_err(|e| ParseError::page(e.to_string()))?;
        Ok(Page { elements })
    }

    fn value(&self, name: &'static str) -> Result<&str, ParseError> {
        let el = self
            .elements
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| ParseError::field(name, "missing from the page"))?;
        el.attr("value")
            .ok_or_else(|| ParseError::field(name, "has no value attribute"))
    }

    /// A scalar element, percent-decoded.
    pub fn scalar(&self, name: &'static str) -> Result<String, ParseError> {
        Ok(percent::decode(self.value(name)?).into_owned())
    }

    fn scalar_u64(&self, name: &'static str) -> Result<u64, ParseError> {
        let v = self.scalar(name)?;
        parse_u64(&v).ok_or_else(|| ParseError::field(name, format!("{v:?} is not a number")))
    }

    /// The rows of an array element, undecoded.
    pub fn table(&self, name: &'static str) -> Result<Vec<Lit>, ParseError> {
        match literal::parse(self.value(name)?) {
            Ok(Lit::Array(rows)) => Ok(rows),
            Ok(_) => Err(ParseError::field(name, "is not an array")),
            Err(e) => Err(ParseError::field(name, e.to_string())),
        }
    }

    /// Row `idx` of an array element as decoded fields. A row is either one
    /// string of `;`-separated fields or a list of strings, one per field.
    pub fn row(
        &self,
        name: &'static str,
        idx: usize,
    ) -> Result<Vec<Cow<'static, str>>, ParseError> {
        let rows = self.table(name)?;
        let row = rows
            .into_iter()
            .nth(idx)
            .ok_or_else(|| ParseError::field(name, format!("has no row {idx}")))?;
        let Lit::Array(cells) = row else {
            return Err(ParseError::field(
                name,
                format!("row {idx} is empty (null)"),
            ));
        };
        let fields = match cells.as_slice() {
            [Lit::Str(one)] => percent::split_fields(one)
                .into_iter()
                .map(|f| Cow::Owned(f.into_owned()))
                .collect(),
            _ => cells
                .iter()
                .map(|c| match c {
                    Lit::Str(s) => Ok(Cow::Owned(percent::decode(s).into_owned())),
                    Lit::Null => Ok(Cow::Borrowed("")),
                    _ => Err(ParseError::field(
                        name,
                        format!("row {idx} holds a non-string"),
                    )),
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(fields)
    }

    /// Like [`Page::row`] for fields whose absence only drops their metrics:
    /// the reason is logged at debug level.
    fn optional_row(&self, name: &'static str, idx: usize) -> Option<Vec<Cow<'static, str>>> {
        self.row(name, idx)
            .map_err(|e| log::debug!("{PATH}: {e}"))
            .ok()
    }
}

/// Multiples of a replay's advance ([`advance`]): the download counter
/// moves by this many steps a read, the upload counter by [`ADVANCE_UP`].
pub const ADVANCE_DOWN: u64 = 160;
pub const ADVANCE_UP: u64 = 40;

/// The page with its session byte counters moved by `step` × their
/// multiples, for a replay whose recording asks for counters that move
/// (`replay-advance`); a negative `step` moves them back, for the reads
/// before the recording (`replay-day`). Pure: bytes in, bytes out; only the
/// digits of the counters change, nothing else of the page's syntax, so
/// [`parse`] reads the moved page as it reads a live one.
///
/// Every row of `wan_conn_volume_list` (every element of that name, as a
/// reader that took a later one would see the same counters move) whose
/// three fields are numbers and whose total is not 0 (the hub's unused rows
/// stay `0;0;0`): download + `step` × [`ADVANCE_DOWN`], upload + `step` ×
/// [`ADVANCE_UP`], the total by both, so it stays download + upload. A row
/// whose counter would pass `u64::MAX` or go below 0 stays as recorded.
pub fn advance(page: &[u8], step: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len() + 64);
    let mut rest = page;
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
        // Each row is one quoted string: `'total%3Bdown%3Bup'`.
        let mut i = 0;
        while i < value.len() {
            let close = (value[i] == b'\'')
                .then(|| value[i + 1..].iter().position(|&b| b == b'\''))
                .flatten();
            match close {
                Some(len) => {
                    let row = &value[i + 1..i + 1 + len];
                    out.push(b'\'');
                    match advance_row(row, step) {
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

/// `total%3Bdown%3Bup` moved, or `None` to keep the row as it is. Only
/// the hub's own spelling is moved: fields of digits alone, split at `%3B`,
/// since the row is written back that way and nothing but digits may
/// change.
fn advance_row(row: &[u8], step: i64) -> Option<String> {
    let text = std::str::from_utf8(row).ok()?;
    let digits = |f: &str| parse_u64(f).filter(|_| f.bytes().all(|b| b.is_ascii_digit()));
    let mut fields = text.split("%3B").map(digits);
    let (Some(Some(total)), Some(Some(down)), Some(Some(up)), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return None;
    };
    if total == 0 {
        return None;
    }
    let total = advance_counter(
        advance_counter(total, step, ADVANCE_DOWN)?,
        step,
        ADVANCE_UP,
    )?;
    Some(format!(
        "{total}%3B{}%3B{}",
        advance_counter(down, step, ADVANCE_DOWN)?,
        advance_counter(up, step, ADVANCE_UP)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(rows: &[(&str, &str)]) -> Vec<u8> {
        let mut s = String::from("<status>\n");
        for (name, value) in rows {
            s.push_str(&format!("<{name} value=\"{value}\" />\n"));
        }
        s.push_str("</status>\n");
        s.into_bytes()
    }

    #[test]
    fn reads_the_active_row() {
        let body = page(&[
            (
                "wan_conn_status_list",
                "[['disconnected%3B0%3Bpass'],['connected%3B150%3Bpass'],null]",
            ),
            (
                "wan_conn_volume_list",
                "[['0%3B0%3B0'],['81650478525%3B67192513981%3B14457964544'],null]",
            ),
            (
                "status_rate",
                "[['0%3B0%3B0%3B0'],['18567000%3B65059000%3B0%3B0'],null]",
            ),
            ("sysuptime", "973412"),
            ("wan_active_idx", "1"),
        ]);
        let w = parse(&body).unwrap();
        assert_eq!(w.active_idx, 1);
        assert!(w.connected);
        assert_eq!(w.connection_uptime, Some(973412 - 150));
        assert_eq!(
            w.volume,
            Some(Volume {
                down_bytes: 67192513981,
                up_bytes: 14457964544
            })
        );
        assert_eq!(
            w.rate,
            Some(Rate {
                up_bps: 18567000,
                down_bps: 65059000
            })
        );
    }

    #[test]
    fn disconnected_means_zero_session_uptime() {
        let body = page(&[
            ("wan_conn_status_list", "[['disconnected%3B0%3Bpass'],null]"),
            ("sysuptime", "100"),
            ("wan_active_idx", "0"),
        ]);
        let w = parse(&body).unwrap();
        assert!(!w.connected);
        assert_eq!(w.connection_uptime, Some(0));
        assert_eq!(w.volume, None);
        assert_eq!(w.rate, None);
    }

    #[test]
    fn contradictions_and_garbage_stay_absent() {
        let body = page(&[
            ("wan_conn_status_list", "[['connected%3B500%3Bpass'],null]"),
            ("wan_conn_volume_list", "[['URL_encoded_string'],null]"),
            ("status_rate", "[['12%3Bx'],null]"),
            ("sysuptime", "100"),
            ("wan_active_idx", "0"),
        ]);
        let w = parse(&body).unwrap();
        assert_eq!(w.connection_uptime, None);
        assert_eq!(w.volume, None);
        assert_eq!(w.rate, None);
    }

    #[test]
    fn errors_name_the_field() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("sysuptime", "1")], "field wan_active_idx: missing"),
            (
                &[("sysuptime", "x"), ("wan_active_idx", "0")],
                "field sysuptime: \"x\" is not a number",
            ),
            (
                &[
                    ("sysuptime", "1"),
                    ("wan_active_idx", "2"),
                    ("wan_conn_status_list", "[['connected%3B1%3Bp'],null]"),
                ],
                "field wan_conn_status_list: has no row 2",
            ),
            (
                &[
                    ("sysuptime", "1"),
                    ("wan_active_idx", "1"),
                    ("wan_conn_status_list", "[['connected%3B1%3Bp'],null]"),
                ],
                "row 1 is empty",
            ),
            (
                &[
                    ("sysuptime", "1"),
                    ("wan_active_idx", "0"),
                    ("wan_conn_status_list", "[['weird%3B1'],null]"),
                ],
                "unknown connection state",
            ),
            (
                &[
                    ("sysuptime", "1"),
                    ("wan_active_idx", "0"),
                    ("wan_conn_status_list", "[['connected%3B1'"),
                ],
                "field wan_conn_status_list: unterminated",
            ),
            (
                &[("sysuptime", "1"), ("wan_active_idx", "99")],
                "is not a WAN row",
            ),
        ];
        for (rows, want) in cases {
            let err = parse(&page(rows)).unwrap_err().to_string();
            assert!(err.contains(want), "{err:?} should contain {want:?}");
        }
        // Bytes that are not UTF-8 are U+FFFD, so this is no XML at all.
        assert!(parse(b"\xff\xfe")
            .unwrap_err()
            .to_string()
            .contains("does not start with an element"));
        assert!(parse(b"<html><body>403</body></html>")
            .unwrap_err()
            .to_string()
            .contains("root element"));
    }

    /// A VDSL2 hub's page (row 1 active; rows 0 and 2 unused, `0;0;0`).
    const VDSL2: &str = include_str!("../../tests/fixtures/hub/wan.xml");

    #[test]
    fn the_advance_moves_a_rows_counters_together_and_unused_rows_stay() {
        let moved = String::from_utf8(advance(VDSL2.as_bytes(), 3000)).unwrap();
        let (down, up) = (
            67192513981 + 3000 * ADVANCE_DOWN,
            14457964544 + 3000 * ADVANCE_UP,
        );
        let want = VDSL2.replace(
            "81650478525%3B67192513981%3B14457964544",
            &format!("{}%3B{down}%3B{up}", down + up),
        );
        assert_eq!(moved, want);
        // The page still reads, with the moved numbers.
        let w = parse(moved.as_bytes()).unwrap();
        let v = w.volume.unwrap();
        assert_eq!((v.down_bytes, v.up_bytes), (down, up));
        // A row that is not three numbers stays as it is.
        let odd = "<wan_conn_volume_list type=\"array\" value=\"[['URL_encoded_string'],['1%3B2'],['5%3B2%3B3'],null]\" />";
        let moved = advance(odd.as_bytes(), 1);
        assert_eq!(
            String::from_utf8(moved).unwrap(),
            odd.replace(
                "5%3B2%3B3",
                &format!(
                    "{}%3B{}%3B{}",
                    5 + ADVANCE_DOWN + ADVANCE_UP,
                    2 + ADVANCE_DOWN,
                    3 + ADVANCE_UP
                )
            )
        );
    }

    #[test]
    fn counters_the_advance_would_overflow_stay_as_recorded() {
        let big = VDSL2.replace(
            "81650478525%3B67192513981",
            "18446744073709551615%3B18446744073709551000",
        );
        assert_eq!(advance(big.as_bytes(), 1000), big.as_bytes());
        assert_eq!(advance(VDSL2.as_bytes(), i64::MAX), VDSL2.as_bytes());
        assert_eq!(advance(VDSL2.as_bytes(), i64::MIN), VDSL2.as_bytes());
    }

    #[test]
    fn a_negative_advance_takes_a_rows_counters_back_together() {
        let back = String::from_utf8(advance(VDSL2.as_bytes(), -3000)).unwrap();
        let (down, up) = (
            67192513981 - 3000 * ADVANCE_DOWN,
            14457964544 - 3000 * ADVANCE_UP,
        );
        let want = VDSL2.replace(
            "81650478525%3B67192513981%3B14457964544",
            &format!("{}%3B{down}%3B{up}", down + up),
        );
        assert_eq!(back, want);
        let v = parse(back.as_bytes()).unwrap().volume.unwrap();
        assert_eq!((v.down_bytes, v.up_bytes), (down, up));
        // Forward again by as much: the page as recorded.
        assert_eq!(advance(back.as_bytes(), 3000), VDSL2.as_bytes());
        // A row one of whose counters would go below 0 stays whole, so its
        // total stays download + upload.
        let low =
            "<wan_conn_volume_list type=\"array\" value=\"[['1000000%3B999990%3B10'],null]\" />";
        assert_eq!(advance(low.as_bytes(), -1), low.as_bytes());
    }
}
