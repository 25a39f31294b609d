//! The pattern pass: MAC addresses, IPv4 and IPv6 addresses anywhere in a
//! stretch of a page, inside or outside strings, raw or percent-encoded,
//! each rewritten digit for digit to its pseudonym with the original
//! separators' spelling (`:`, `-`, `%3A`, `%2E`, ...) and letter case.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::pseudonyms::Pseudonyms;
use super::{hex_val, spelling, units, Counts, Hidden, Unit};

/// The pattern pass: MACs (and, in a MAC field, bare 12-digit ones),
/// IPv4 (unless `ipv4` is off: version numbers look like addresses) and
/// IPv6 addresses, each rewritten in the original's spelling.
pub(super) fn sweep(
    p: &mut Pseudonyms,
    raw: &[u8],
    ipv4: bool,
    bare_mac: bool,
    out: &mut Vec<u8>,
    c: &mut Counts,
) {
    let u = units(raw, true);
    let mut copied = 0; // raw bytes already in `out`
    let mut i = 0;
    while i < u.len() {
        let prev = (i > 0).then(|| u[i - 1].byte);
        let starts = prev.map_or(true, |b| !b.is_ascii_alphanumeric());
        // An IPv4 address is taken even against letters (a garbled or
        // run-together field reads as one to a person): only a digit or
        // a dot next to it makes it part of a longer number.
        let starts_v4 = prev.map_or(true, |b| !(b.is_ascii_digit() || b == b'.'));
        let found = starts
            .then(|| {
                mac_at(p, raw, &u, i, bare_mac)
                    .map(|(end, text)| (end, text, Hidden::Mac))
                    .or_else(|| ipv6_at(p, raw, &u, i).map(|(e, t)| (e, t, Hidden::Ipv6)))
            })
            .flatten()
            .or_else(|| {
                (ipv4 && starts_v4)
                    .then(|| ipv4_at(p, raw, &u, i))
                    .flatten()
                    .map(|(e, t)| (e, t, Hidden::Ipv4))
            });
        match found {
            Some((end, text, kind)) => {
                out.extend_from_slice(&raw[copied..u[i].start]);
                if let Some(text) = text {
                    c.add(kind);
                    out.extend_from_slice(&text);
                } else {
                    out.extend_from_slice(&raw[u[i].start..u[end - 1].end]);
                }
                copied = u[end - 1].end;
                i = end;
            }
            None => i += 1,
        }
    }
    out.extend_from_slice(&raw[copied..]);
}

/// A MAC starting at unit `i`: its end and replacement (`None`: kept).
fn mac_at(
    p: &mut Pseudonyms,
    raw: &[u8],
    u: &[Unit],
    i: usize,
    bare: bool,
) -> Option<(usize, Option<Vec<u8>>)> {
    let hex = |k: usize| u.get(k).is_some_and(|x| x.byte.is_ascii_hexdigit());
    let sep = u
        .get(i + 2)
        .map(|x| x.byte)
        .filter(|b| matches!(b, b':' | b'-'));
    let (len, stride) = match sep {
        Some(_) => (17, 3),
        None if bare => (12, 2),
        None => return None,
    };
    for g in 0..6 {
        let k = i + g * stride;
        if !hex(k) || !hex(k + 1) {
            return None;
        }
        if let (Some(s), true) = (sep, g < 5) {
            if u.get(k + 2).map(|x| x.byte) != Some(s) {
                return None;
            }
        }
    }
    let end = i + len;
    // Not part of a longer run (an IPv6 address, a longer hex string).
    if let Some(next) = u.get(end) {
        let longer = Some(next.byte) == sep && hex(end + 1);
        if next.byte.is_ascii_alphanumeric() || longer {
            return None;
        }
    }
    let mut mac = [0u8; 6];
    for (g, b) in mac.iter_mut().enumerate() {
        let k = i + g * stride;
        *b = hex_val(u[k].byte) << 4 | hex_val(u[k + 1].byte);
    }
    if mac == [0; 6] || mac == [0xff; 6] {
        return Some((end, None));
    }
    let new = p.mac(mac);
    let lower = u[i..end].iter().any(|x| x.byte.is_ascii_lowercase());
    let mut text = Vec::new();
    for (g, b) in new.iter().enumerate() {
        text.extend_from_slice(hex2(*b, lower).as_bytes());
        if sep.is_some() && g < 5 {
            let s = &u[i + g * stride + 2];
            text.extend_from_slice(&spelling(raw, s));
        }
    }
    Some((end, Some(text)))
}

fn ipv4_at(
    p: &mut Pseudonyms,
    raw: &[u8],
    u: &[Unit],
    i: usize,
) -> Option<(usize, Option<Vec<u8>>)> {
    let mut k = i;
    let mut octets = [0u8; 4];
    let mut dot = None;
    for (n, o) in octets.iter_mut().enumerate() {
        let s = k;
        while k < u.len() && u[k].byte.is_ascii_digit() && k - s < 4 {
            k += 1;
        }
        let digits: Vec<u8> = u[s..k].iter().map(|x| x.byte).collect();
        if digits.is_empty() || digits.len() > 3 || (digits.len() > 1 && digits[0] == b'0') {
            return None;
        }
        // Through `u64`, the parser the binary already has, not `u8`'s.
        *o = u8::try_from(std::str::from_utf8(&digits).ok()?.parse::<u64>().ok()?).ok()?;
        if n < 3 {
            if u.get(k).map(|x| x.byte) != Some(b'.') {
                return None;
            }
            dot.get_or_insert(k);
            k += 1;
        }
    }
    if let Some(next) = u.get(k) {
        let more = next.byte == b'.' && u.get(k + 1).is_some_and(|x| x.byte.is_ascii_digit());
        if next.byte.is_ascii_digit() || more {
            return None;
        }
    }
    let ip = Ipv4Addr::from(octets);
    if keeps_ipv4(ip) {
        return Some((k, None));
    }
    let new = p.ipv4(ip);
    let dot = spelling(raw, &u[dot?]);
    let text = new
        .octets()
        .iter()
        .map(|o| o.to_string().into_bytes())
        .collect::<Vec<_>>()
        .join(&dot[..]);
    Some((k, Some(text)))
}

fn ipv6_at(
    p: &mut Pseudonyms,
    raw: &[u8],
    u: &[Unit],
    i: usize,
) -> Option<(usize, Option<Vec<u8>>)> {
    let mut k = i;
    while k < u.len() && (u[k].byte.is_ascii_hexdigit() || u[k].byte == b':') && k - i < 39 {
        k += 1;
    }
    let next = |n: usize| u.get(k + n).map(|x| x.byte);
    if next(0).is_some_and(|b| b.is_ascii_alphanumeric() || b == b':')
        || (next(0) == Some(b'.') && next(1).is_some_and(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let text: String = u[i..k].iter().map(|x| x.byte as char).collect();
    if text.bytes().filter(|&b| b == b':').count() < 2 {
        return None;
    }
    let ip: Ipv6Addr = text.parse().ok()?;
    let new = p.ipv6(ip);
    if new == ip {
        return Some((k, None));
    }
    let colon = u[i..k]
        .iter()
        .find(|x| x.byte == b':')
        .map(|x| spelling(raw, x))?;
    let mut shown = new.to_string();
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        shown.make_ascii_uppercase();
    }
    let parts: Vec<&[u8]> = shown.as_bytes().split(|&b| b == b':').collect();
    Some((k, Some(parts.join(&colon[..]))))
}

/// Addresses that identify no one: private (RFC 1918), shared (CGNAT,
/// 100.64.0.0/10), loopback, link-local, "this network", multicast,
/// reserved and broadcast (netmasks live here), and the documentation and
/// benchmark ranges (a page redacted once stays as it is).
fn keeps_ipv4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || a == 0
        || a >= 224
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || (a, b, c) == (192, 0, 2)
        || (a, b, c) == (198, 51, 100)
        || (a, b, c) == (203, 0, 113)
}

fn hex2(b: u8, lower: bool) -> String {
    if lower {
        format!("{b:02x}")
    } else {
        format!("{b:02X}")
    }
}
