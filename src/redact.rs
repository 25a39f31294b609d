//! Redaction of a hub page for `smarthub-exporter dump`: what identifies a
//! household is replaced **in place**, so the page keeps its exact syntax
//! (quoting, percent-encoding, `;`/`,`-separated structure) and still
//! parses to the same metric families. Pure: bytes in, bytes out.
//!
//! Two passes over each page, both on the page's own bytes:
//! - **By field.** A small lexer finds every quoted string and the field it
//!   belongs to (`key:'..'`, `var key=..`, `addCfg("key",id,'..')`,
//!   `<key value="..">`). Fields that hold names, serial numbers, SSIDs,
//!   secrets or DHCP option dumps ([`field_kind`]) have each `;`- or
//!   `,`-separated part replaced by a pseudonym made only of letters and
//!   digits, which need no escaping in any of the hub's syntaxes.
//! - **By pattern**, everywhere else (inside and outside strings, raw or
//!   percent-encoded): MAC addresses, IPv4 and IPv6 addresses, rewritten
//!   digit for digit with the original separators' spelling (`:`, `-`,
//!   `%3A`, `%2E`, ...) and letter case.
//!
//! Pseudonyms are stable within one [`Redactor`] (one dump): the same MAC
//! becomes the same pseudonym in every page and every spelling, so joins
//! between pages (a station's `parent_id` and its disc's `device_id`, a
//! device's `mac` and its `rate` row) still hold. They come from a keyed
//! hash whose key is drawn at random per dump (std's `RandomState`, seeded
//! from the OS): without the key a pseudonym cannot be turned back into the
//! MAC by trying all 2^24 NIC parts of a known OUI.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::net::{Ipv4Addr, Ipv6Addr};

/// What a replacement hid, for the counts on stderr and in the MANIFEST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mac,
    Ipv4,
    Ipv6,
    Name,
    Serial,
    Ssid,
    Secret,
    DhcpOption,
}

const KINDS: [(Kind, &str); 8] = [
    (Kind::Mac, "MAC"),
    (Kind::Ipv4, "IPv4"),
    (Kind::Ipv6, "IPv6"),
    (Kind::Name, "name"),
    (Kind::Serial, "serial"),
    (Kind::Ssid, "SSID"),
    (Kind::Secret, "secret"),
    (Kind::DhcpOption, "DHCP option dump"),
];

/// Replacements made in one page, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts([usize; 8]);

impl Counts {
    fn add(&mut self, kind: Kind) {
        self.0[kind as usize] += 1;
    }

    pub fn get(&self, kind: Kind) -> usize {
        self.0[kind as usize]
    }

    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.total() == 0 {
            return f.write_str("nothing");
        }
        let mut first = true;
        for (kind, name) in KINDS {
            let n = self.get(kind);
            if n > 0 {
                let sep = if first { "" } else { ", " };
                let plural = if n == 1 { "" } else { "s" };
                write!(f, "{sep}{n} {name}{plural}")?;
                first = false;
            }
        }
        Ok(())
    }
}

/// The redaction state of one dump: its key and the pseudonyms handed out.
pub struct Redactor {
    key: RandomState,
    keep_oui: bool,
    // Lists, not hash maps: a dump meets a few hundred addresses once, and
    // a map's code is kilobytes in a binary for 8 MB of flash.
    macs: Vec<([u8; 6], [u8; 6])>,
    ipv4: Vec<(Ipv4Addr, Ipv4Addr)>,
}

impl Redactor {
    /// A redactor with a fresh random key. With `keep_oui`, a MAC keeps its
    /// first three bytes (the maker) and only the rest is pseudonymised.
    pub fn new(keep_oui: bool) -> Self {
        Redactor {
            key: RandomState::new(),
            keep_oui,
            macs: Vec::new(),
            ipv4: Vec::new(),
        }
    }

    fn hash(&self, what: &[u8], salt: u64) -> u64 {
        let mut h = self.key.build_hasher();
        what.hash(&mut h);
        salt.hash(&mut h);
        h.finish()
    }

    /// The page with everything identifying replaced, and what was.
    pub fn page(&mut self, body: &[u8]) -> (Vec<u8>, Counts) {
        let mut out = Vec::with_capacity(body.len());
        let mut counts = Counts::default();
        for seg in lex(body) {
            let raw = &body[seg.start..seg.end];
            match seg.field.as_deref().map(field_kind) {
                Some(Field::Replace(kind)) if seg.replaceable => {
                    self.replace_parts(raw, seg.js, kind, &mut out, &mut counts)
                }
                Some(Field::Mac) => self.sweep(raw, true, true, &mut out, &mut counts),
                Some(Field::Version) if one_version(raw) => {
                    self.sweep(raw, false, false, &mut out, &mut counts)
                }
                _ => self.sweep(raw, true, false, &mut out, &mut counts),
            }
        }
        (out, counts)
    }

    /// Any text (an error message for the MANIFEST): the pattern pass only.
    pub fn text(&mut self, text: &str) -> String {
        let mut out = Vec::new();
        self.sweep(
            text.as_bytes(),
            true,
            false,
            &mut out,
            &mut Counts::default(),
        );
        String::from_utf8_lossy(&out).into_owned()
    }

    /// A named field's string: each `;`/`,`-separated part (decoded) that
    /// is not a placeholder becomes a pseudonym.
    fn replace_parts(
        &mut self,
        raw: &[u8],
        js: bool,
        kind: Kind,
        out: &mut Vec<u8>,
        counts: &mut Counts,
    ) {
        let units = units(raw, js);
        let mut start = 0;
        for i in 0..=units.len() {
            let at_sep = i < units.len() && matches!(units[i].byte, b';' | b',');
            if i < units.len() && !at_sep {
                continue;
            }
            let part = &units[start..i];
            let (from, to) = match (part.first(), part.last()) {
                (Some(a), Some(b)) => (a.start, b.end),
                _ => (0, 0),
            };
            let decoded: Vec<u8> = part.iter().map(|u| u.byte).collect();
            if part.is_empty() || is_placeholder(&decoded) {
                out.extend_from_slice(&raw[from..to]);
            } else {
                counts.add(kind);
                match kind {
                    // A hex dump of the DHCP options holds the client's
                    // name and MAC: every hex digit becomes 0, the length
                    // stays.
                    Kind::DhcpOption => out.extend(raw[from..to].iter().map(|&b| {
                        if b.is_ascii_hexdigit() {
                            b'0'
                        } else {
                            b
                        }
                    })),
                    Kind::Secret => out.extend_from_slice(b"redacted"),
                    _ => {
                        let prefix = match kind {
                            Kind::Serial => "serial",
                            Kind::Ssid => "ssid",
                            _ => "name",
                        };
                        let h = self.hash(&decoded, kind as u64) as u32;
                        out.extend_from_slice(format!("{prefix}{h:08x}").as_bytes());
                    }
                }
            }
            if at_sep {
                out.extend_from_slice(&raw[units[i].start..units[i].end]);
                start = i + 1;
            }
        }
    }

    /// The pattern pass: MACs (and, in a MAC field, bare 12-digit ones),
    /// IPv4 (unless `ipv4` is off: version numbers look like addresses) and
    /// IPv6 addresses, each rewritten in the original's spelling.
    fn sweep(&mut self, raw: &[u8], ipv4: bool, bare_mac: bool, out: &mut Vec<u8>, c: &mut Counts) {
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
                    self.mac_at(raw, &u, i, bare_mac)
                        .map(|(end, text)| (end, text, Kind::Mac))
                        .or_else(|| self.ipv6_at(raw, &u, i).map(|(e, t)| (e, t, Kind::Ipv6)))
                })
                .flatten()
                .or_else(|| {
                    (ipv4 && starts_v4)
                        .then(|| self.ipv4_at(raw, &u, i))
                        .flatten()
                        .map(|(e, t)| (e, t, Kind::Ipv4))
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
        &mut self,
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
        let new = self.mac(mac);
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

    /// The pseudonym of a MAC: locally administered (never a real maker's)
    /// unless the OUI is kept; distinct MACs never share one.
    pub fn mac(&mut self, mac: [u8; 6]) -> [u8; 6] {
        if let Some((_, p)) = self.macs.iter().find(|(m, _)| *m == mac) {
            return *p;
        }
        let mut salt = 0;
        let new = loop {
            let h = self.hash(&mac, 1 << 32 | salt).to_le_bytes();
            let mut p = [h[0], h[1], h[2], h[3], h[4], h[5]];
            if self.keep_oui {
                p[..3].copy_from_slice(&mac[..3]);
            } else {
                p[0] = (p[0] & 0xfc) | 0x02;
            }
            if p != mac && !self.macs.iter().any(|(_, q)| *q == p) {
                break p;
            }
            salt += 1;
        };
        self.macs.push((mac, new));
        new
    }

    fn ipv4_at(&mut self, raw: &[u8], u: &[Unit], i: usize) -> Option<(usize, Option<Vec<u8>>)> {
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
            *o = std::str::from_utf8(&digits).ok()?.parse().ok()?;
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
        let new = self.ipv4(ip);
        let dot = spelling(raw, &u[dot?]);
        let text = new
            .octets()
            .iter()
            .map(|o| o.to_string().into_bytes())
            .collect::<Vec<_>>()
            .join(&dot[..]);
        Some((k, Some(text)))
    }

    /// A public IPv4 address becomes one in 198.18.0.0/15 (set aside for
    /// benchmarks, RFC 2544: never a real household's), distinct per address.
    fn ipv4(&mut self, ip: Ipv4Addr) -> Ipv4Addr {
        if let Some((_, p)) = self.ipv4.iter().find(|(a, _)| *a == ip) {
            return *p;
        }
        let mut salt = 0;
        let new = loop {
            let h = self.hash(&ip.octets(), 2 << 32 | salt) as u32;
            let p = Ipv4Addr::from(0xc612_0000 | (h & 0x1_ffff));
            if !self.ipv4.iter().any(|(_, q)| *q == p) {
                break p;
            }
            salt += 1;
        };
        self.ipv4.push((ip, new));
        new
    }

    fn ipv6_at(&mut self, raw: &[u8], u: &[Unit], i: usize) -> Option<(usize, Option<Vec<u8>>)> {
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
        let new = self.ipv6(ip);
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

    /// Link-local (fe80::/10) and unique local (fc00::/7) addresses keep
    /// their prefix; global ones get one under 2001:db8::/32 (documentation,
    /// RFC 3849), the same for every address of the same /64. The interface
    /// part is replaced in all of them: an EUI-64 one (`..ff:fe..`) is a MAC,
    /// and becomes that MAC's pseudonym; a small one (`::1`, `::fe`) is kept.
    pub fn ipv6(&mut self, ip: Ipv6Addr) -> Ipv6Addr {
        let seg = ip.segments();
        if ip.is_unspecified() || ip.is_loopback() || seg[0] >= 0xff00 {
            return ip;
        }
        if seg[0] == 0x2001 && seg[1] == 0x0db8 {
            return ip;
        }
        let b = ip.octets();
        let mut new = b;
        let local = (seg[0] & 0xffc0) == 0xfe80 || (seg[0] & 0xfe00) == 0xfc00;
        if !local {
            let h = self.hash(&b[..8], 3 << 32).to_le_bytes();
            new[..8].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, h[0], h[1], h[2], h[3]]);
        }
        if b[11] == 0xff && b[12] == 0xfe {
            let mac = [b[8] ^ 0x02, b[9], b[10], b[13], b[14], b[15]];
            let p = self.mac(mac);
            new[8..].copy_from_slice(&[p[0] ^ 0x02, p[1], p[2], 0xff, 0xfe, p[3], p[4], p[5]]);
        } else if b[8..14] != [0; 6] {
            new[8..].copy_from_slice(&self.hash(&b[8..], 4 << 32).to_le_bytes());
        }
        Ipv6Addr::from(new)
    }
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

/// Parts of a named field that say "nothing here" and are kept as they are.
fn is_placeholder(decoded: &[u8]) -> bool {
    let t = String::from_utf8_lossy(decoded);
    let t = t.trim();
    t.is_empty()
        || ["na", "null", "n/a", "none", "unknown", "xx", "0"]
            .iter()
            .any(|p| t.eq_ignore_ascii_case(p))
}

/// Whether a version field's value is one version number (`v0.21.03`,
/// `1.0.2.3-BT`), which may look like an address and is kept: a value with
/// a list separator, a line break or several dotted numbers is not (a page
/// whose quotes are off can run a list of addresses into a version field),
/// and its addresses are replaced as anywhere else.
fn one_version(raw: &[u8]) -> bool {
    let text = String::from_utf8_lossy(raw).to_ascii_uppercase();
    if [";", ",", "\n", "\r", "%3B", "%2C", "%0A"]
        .iter()
        .any(|sep| text.contains(sep))
    {
        return false;
    }
    let dotted = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|run| run.matches('.').count() >= 3)
        .count();
    dotted <= 1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// Replaced part by part.
    Replace(Kind),
    /// Holds MACs, possibly as 12 bare hex digits.
    Mac,
    /// A version number: `1.0.2.3` is not an address.
    Version,
    Other,
}

/// What a field holds, from its name (lower case, trailing digits gone:
/// `desc12`, `i_Mac3`). The names are the hub's (see docs/hub-pages.md);
/// the broad matches (`*pass*`, `*key*`, `*ssid*`) catch the pages we have
/// not seen.
fn field_kind(name: &str) -> Field {
    let f = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let f = f.to_ascii_lowercase();
    let has = |s: &str| f.contains(s);
    if [
        "pass", "pwd", "pws", "psk", "secret", "hint", "key", "wpa", "wep", "token",
    ]
    .iter()
    .any(|s| has(s))
        || f == "pin"
        || f.ends_with("_pin")
    {
        Field::Replace(Kind::Secret)
    } else if has("bssid") {
        Field::Mac
    } else if has("ssid") {
        Field::Replace(Kind::Ssid)
    } else if f == "sn" || has("serial") {
        Field::Replace(Kind::Serial)
    } else if f == "dhcp_option" {
        Field::Replace(Kind::DhcpOption)
    } else if f == "name"
        || has("hostname")
        || has("user")
        || f.starts_with("desc")
        || f == "alias"
        || (f.ends_with("_name")
            && !matches!(f.as_str(), "model_name" | "product_name" | "ether_name"))
    {
        Field::Replace(Kind::Name)
    } else if has("mac") || matches!(f.as_str(), "device_id" | "parent_id" | "child_id") {
        Field::Mac
    } else if f.ends_with("_ver") || f == "ver" || has("version") {
        Field::Version
    } else {
        Field::Other
    }
}

/// One character of a string as the page spells it: a byte, a `%XX`
/// escape, or (in JavaScript) a backslash escape; `byte` is what it means.
#[derive(Debug, Clone, Copy)]
struct Unit {
    byte: u8,
    start: usize,
    end: usize,
}

fn units(raw: &[u8], js: bool) -> Vec<Unit> {
    let mut v = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let (byte, len) = match raw[i] {
            b'%' if i + 2 < raw.len()
                && raw[i + 1].is_ascii_hexdigit()
                && raw[i + 2].is_ascii_hexdigit() =>
            {
                (hex_val(raw[i + 1]) << 4 | hex_val(raw[i + 2]), 3)
            }
            b'\\' if js && i + 1 < raw.len() => (
                match raw[i + 1] {
                    b'n' | b'r' | b't' => b'\n',
                    other => other,
                },
                2,
            ),
            b => (b, 1),
        };
        v.push(Unit {
            byte,
            start: i,
            end: i + len,
        });
        i += len;
    }
    v
}

/// How a unit was spelled, for a separator written back as it was: a
/// `%3A` stays `%3A`, a `:` stays `:`.
fn spelling(raw: &[u8], x: &Unit) -> Vec<u8> {
    raw[x.start..x.end].to_vec()
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

fn hex2(b: u8, lower: bool) -> String {
    if lower {
        format!("{b:02x}")
    } else {
        format!("{b:02X}")
    }
}

/// A stretch of the page and the field it belongs to.
struct Segment {
    start: usize,
    end: usize,
    /// For a quoted string: the field it is the value of.
    field: Option<String>,
    /// Inside a JavaScript string (backslash escapes apply).
    js: bool,
    /// A string whose parts may be replaced: one line, as the hub writes
    /// values (a "string" running over lines means the lexer lost its way
    /// in code, where only the pattern pass is safe).
    replaceable: bool,
}

/// Splits a page into quoted strings (each with the field it is the value
/// of) and the text between them. It knows just enough of the hub's
/// JavaScript and XML for that: identifiers followed by `:` or `=` name the
/// field of what follows (`value=` and `type=` do not: in the WAN page the
/// element names it, `<ip4_info_list value="..">`), `addCfg("name",..)`
/// names its value by its first argument, and comments are text.
fn lex(body: &[u8]) -> Vec<Segment> {
    let mut segs = Vec::new();
    let mut field: Option<String> = None;
    let mut addcfg = false; // the next string is an addCfg name
    let xml = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    let mut in_attr = false; // inside such an attribute's double quotes
    let mut text_start = 0;
    let mut i = 0;
    let text = |segs: &mut Vec<Segment>, from: usize, to: usize| {
        if to > from {
            segs.push(Segment {
                start: from,
                end: to,
                field: None,
                js: false,
                replaceable: false,
            });
        }
    };
    while i < body.len() {
        let b = body[i];
        if b == b'\'' || b == b'"' {
            let start = i + 1;
            let mut k = start;
            while k < body.len() && body[k] != b {
                k += if body[k] == b'\\' && !xml { 2 } else { 1 };
            }
            let end = k.min(body.len());
            let content = &body[start..end];
            // In the XML page a double-quoted attribute may hold a list of
            // single-quoted strings: those are the values, lexed in turn.
            if xml && b == b'"' && (in_attr || content.contains(&b'\'')) {
                in_attr = !in_attr;
                i += 1;
                continue;
            }
            text(&mut segs, text_start, start);
            let mut k = end + 1;
            while k < body.len() && body[k].is_ascii_whitespace() {
                k += 1;
            }
            let is_key = body.get(k) == Some(&b':');
            if addcfg || is_key {
                field = Some(String::from_utf8_lossy(content).into_owned());
                addcfg = false;
                text(&mut segs, start, end);
            } else {
                segs.push(Segment {
                    start,
                    end,
                    field: field.clone(),
                    js: !xml,
                    replaceable: !content.contains(&b'\n'),
                });
            }
            text_start = end;
            i = end + 1;
            continue;
        }
        if xml && body[i..].starts_with(b"<!--") {
            i = body[i + 4..]
                .windows(3)
                .position(|w| w == b"-->")
                .map_or(body.len(), |n| i + 4 + n + 3);
            continue;
        }
        if b == b'/' && body.get(i + 1) == Some(&b'/') {
            i = body[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(body.len(), |n| i + n);
            continue;
        }
        if b == b'/' && body.get(i + 1) == Some(&b'*') {
            i = body[i + 2..]
                .windows(2)
                .position(|w| w == b"*/")
                .map_or(body.len(), |n| i + 2 + n + 2);
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' || b == b'$' {
            let s = i;
            while i < body.len()
                && (body[i].is_ascii_alphanumeric() || body[i] == b'_' || body[i] == b'$')
            {
                i += 1;
            }
            let ident = &body[s..i];
            let mut k = i;
            while k < body.len() && body[k].is_ascii_whitespace() {
                k += 1;
            }
            let next = body.get(k).copied();
            let element = s > 0 && body[s - 1] == b'<';
            if ident == b"addCfg" && next == Some(b'(') {
                addcfg = true;
            } else if element
                || (matches!(next, Some(b':') | Some(b'='))
                    && body.get(k + 1) != Some(&b'=')
                    && ident != b"value"
                    && ident != b"type"
                    && ident != b"var")
            {
                field = Some(String::from_utf8_lossy(ident).into_owned());
            }
            continue;
        }
        i += 1;
    }
    text(&mut segs, text_start, body.len());
    segs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_kept_and_addresses_run_into_one_are_not() {
        assert!(one_version(b"v0.21.03.07094-BT"));
        assert!(one_version(b"1.0.2.3"));
        assert!(!one_version(b"0.16.02.08304;81.2.3.4"));
        assert!(!one_version(b"0.16.00.07230 81.139.56.100 D for home"));
        let mut r = Redactor::new(false);
        let (out, _) = r.page(b"var a = [{sw_ver:'0.16.00;81.2.3.4;ok',fw_ver:'1.0.2.3'}];");
        let out = String::from_utf8(out).unwrap();
        assert!(
            !out.contains("81.2.3.4") && out.contains("fw_ver:'1.0.2.3'"),
            "{out}"
        );
        // Against letters it is still an address; with a fifth part it is
        // a longer number.
        let (out, _) = r.page(b"var b = 'x81.2.3.4ode 81.2.3.4.5';");
        let out = String::from_utf8(out).unwrap();
        assert!(!out.contains("81.2.3.4ode"), "{out}");
        assert!(out.contains(" 81.2.3.4.5'"), "{out}");
    }

    fn red(page: &str) -> (String, Counts) {
        let (out, c) = Redactor::new(false).page(page.as_bytes());
        (String::from_utf8(out).unwrap(), c)
    }

    #[test]
    fn macs_keep_their_spelling_and_map_alike() {
        let mut r = Redactor::new(false);
        let page = "a:'AA%3ABB%3ACC%3A01%3A02%3A03',b:'aa:bb:cc:01:02:03',c:'AA-BB-CC-01-02-03'";
        let (out, c) = r.page(page.as_bytes());
        let out = String::from_utf8(out).unwrap();
        assert_eq!(c.get(Kind::Mac), 3, "{out}");
        let p = r.mac([0xaa, 0xbb, 0xcc, 1, 2, 3]);
        let up: Vec<String> = p.iter().map(|b| format!("{b:02X}")).collect();
        let lo: Vec<String> = p.iter().map(|b| format!("{b:02x}")).collect();
        let want = format!(
            "a:'{}',b:'{}',c:'{}'",
            up.join("%3A"),
            lo.join(":"),
            up.join("-")
        );
        assert_eq!(out, want);
        assert_eq!(p[0] & 0x03, 0x02, "locally administered, unicast");
        let mut k = Redactor::new(true);
        let q = k.mac([0xaa, 0xbb, 0xcc, 1, 2, 3]);
        assert_eq!(q[..3], [0xaa, 0xbb, 0xcc]);
        assert_ne!(q[3..], [1, 2, 3]);
    }

    #[test]
    fn addresses_outside_private_ranges_go() {
        let (out, c) = red(
            "ip:'81%2E2%2E3%2E4%3B255%2E255%2E255%2E0%3B192%2E168%2E1%2E254%3B100%2E64%2E0%2E1',\
             v6:'2a00%3A23c7%3A1%3A2%3A3%3A4%3A5%3A6%2F64',ll:'fe80::1',fw_ver:'1.0.2.3'",
        );
        assert_eq!((c.get(Kind::Ipv4), c.get(Kind::Ipv6)), (1, 1), "{out}");
        assert!(
            !out.contains("81%2E2%2E3%2E4") && out.contains("198%2E1"),
            "{out}"
        );
        assert!(out.contains("%3B255%2E255%2E255%2E0%3B192%2E168%2E1%2E254%3B100%2E64%2E0%2E1'"));
        assert!(
            out.contains("v6:'2001%3Adb8%3A")
                && out.ends_with("%2F64',ll:'fe80::1',fw_ver:'1.0.2.3'"),
            "{out}"
        );
    }

    #[test]
    fn eui64_interface_ids_follow_their_mac() {
        let mut r = Redactor::new(false);
        let ip: Ipv6Addr = "fe80::a8bb:ccff:fe01:203".parse().unwrap();
        let p = r.mac([0xaa, 0xbb, 0xcc, 1, 2, 3]);
        let o = r.ipv6(ip).octets();
        assert_eq!(o[..8], ip.octets()[..8]);
        assert_eq!(
            [o[8] ^ 2, o[9], o[10], o[13], o[14], o[15]],
            p,
            "the interface id is the MAC's pseudonym"
        );
    }

    #[test]
    fn named_fields_are_replaced_part_by_part() {
        let (out, c) = red(
            "var serial_no=\"+0912+21\";\n{hostname:'Bob%27s%20phone',name:'NA',sn:'x',\
             essid_2g:'BT%2DHOME',bssid_2g:'AA%3ABB%3ACC%3A01%3A02%3A03',device:'Phone',mac:'aabbcc010203'}\naddCfg(\"desc3\",1,'a%2Cb');\
             addCfg(\"PasswordHint\",2,'my dog');dhcp_option:'0c03abc'",
        );
        assert!(
            !out.contains("Bob") && !out.contains("HOME") && !out.contains("my dog"),
            "{out}"
        );
        assert!(
            out.contains("name:'NA'") && out.contains("device:'Phone'"),
            "{out}"
        );
        assert!(
            out.contains("addCfg(\"desc3\",1,'name") && out.contains("%2Cname"),
            "{out}"
        );
        assert!(out.contains("dhcp_option:'0000000'"), "{out}");
        assert!(
            !out.contains("aabbcc010203"),
            "a bare MAC in a MAC field: {out}"
        );
        let bssid = out.split("bssid_2g:'").nth(1).unwrap();
        assert!(
            bssid.as_bytes()[2..5] == *b"%3A" && !bssid.starts_with("AA%3ABB"),
            "a BSSID is a MAC: {out}"
        );
        assert_eq!(
            (
                c.get(Kind::Name),
                c.get(Kind::Serial),
                c.get(Kind::Ssid),
                c.get(Kind::Secret)
            ),
            (3, 2, 1, 1),
            "{out}"
        );
    }

    #[test]
    fn the_wan_page_keeps_its_xml() {
        let page = "<status>\n<ip4_info_list type=\"array\" value=\"[['81%2E1%2E1%2E1%3B255%2E255%2E255%2E255'],\nnull]\" />\n<serial value=\"AB12\"/></status>";
        let (out, c) = red(page);
        assert_eq!(c.get(Kind::Ipv4), 1);
        assert_eq!(c.get(Kind::Serial), 1);
        assert!(out.starts_with("<status>\n<ip4_info_list type=\"array\" value=\"[['198%2E1"));
        assert!(
            out.contains("%3B255%2E255%2E255%2E255'],\nnull]\" />\n<serial value=\"serial"),
            "{out}"
        );
        assert!(out.ends_with("\"/></status>"), "{out}");
    }

    #[test]
    fn counts_read_as_words() {
        let mut c = Counts::default();
        assert_eq!(c.to_string(), "nothing");
        c.add(Kind::Mac);
        c.add(Kind::Mac);
        c.add(Kind::Ssid);
        assert_eq!(c.to_string(), "2 MACs, 1 SSID");
    }
}
