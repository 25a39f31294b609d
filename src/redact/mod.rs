//! Redaction of a hub page for `smarthub-exporter dump`: what identifies a
//! household is replaced **in place**, so the page keeps its exact syntax
//! (quoting, percent-encoding, `;`/`,`-separated structure) and still
//! parses to the same metric families. Pure: bytes in, bytes out.
//!
//! Two passes over each page, both on the page's own bytes:
//! - **By field** ([`fields`]): each quoted string that is the value of a
//!   field holding names, serial numbers, SSIDs, secrets or DHCP option
//!   dumps has each `;`- or `,`-separated part replaced by a pseudonym made
//!   only of letters and digits, which need no escaping in any of the hub's
//!   syntaxes.
//! - **By pattern** ([`addresses`]), everywhere else (inside and outside
//!   strings, raw or percent-encoded): MAC addresses, IPv4 and IPv6
//!   addresses, rewritten in the original's spelling.
//!
//! Pseudonyms ([`pseudonyms`]) are stable within one [`Redactor`] (one
//! dump): the same MAC becomes the same pseudonym in every page and every
//! spelling, so joins between pages (a station's `parent_id` and its disc's
//! `device_id`, a device's `mac` and its `rate` row) still hold; they come
//! from a keyed hash whose key is drawn at random per dump.

use std::fmt;

use fields::{field_kind, is_placeholder, one_version, Field};
use pseudonyms::Pseudonyms;

mod addresses;
mod fields;
mod pseudonyms;

/// What a replacement hid, for the counts on stderr and in the MANIFEST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hidden {
    Mac,
    Ipv4,
    Ipv6,
    Name,
    Serial,
    Ssid,
    Secret,
    DhcpOption,
}

const HIDDEN: [(Hidden, &str); 8] = [
    (Hidden::Mac, "MAC"),
    (Hidden::Ipv4, "IPv4"),
    (Hidden::Ipv6, "IPv6"),
    (Hidden::Name, "name"),
    (Hidden::Serial, "serial"),
    (Hidden::Ssid, "SSID"),
    (Hidden::Secret, "secret"),
    (Hidden::DhcpOption, "DHCP option dump"),
];

/// Replacements made in one page, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts([usize; 8]);

impl Counts {
    fn add(&mut self, kind: Hidden) {
        self.0[kind as usize] += 1;
    }

    fn get(&self, kind: Hidden) -> usize {
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
        for (kind, name) in HIDDEN {
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
    pseudonyms: Pseudonyms,
}

impl Redactor {
    /// A redactor with a fresh random key. With `keep_oui`, a MAC keeps its
    /// first three bytes (the maker) and only the rest is pseudonymised.
    pub fn new(keep_oui: bool) -> Self {
        Redactor {
            pseudonyms: Pseudonyms::new(keep_oui),
        }
    }

    /// The page with everything identifying replaced, and what was.
    pub fn page(&mut self, body: &[u8]) -> (Vec<u8>, Counts) {
        let mut out = Vec::with_capacity(body.len());
        let mut counts = Counts::default();
        for seg in fields::lex(body) {
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

    fn sweep(&mut self, raw: &[u8], ipv4: bool, bare_mac: bool, out: &mut Vec<u8>, c: &mut Counts) {
        addresses::sweep(&mut self.pseudonyms, raw, ipv4, bare_mac, out, c);
    }

    /// A named field's string: each `;`/`,`-separated part (decoded) that
    /// is not a placeholder becomes a pseudonym. A byte of markup the hub
    /// never writes raw in a value (see [`Unit::is_markup`]) is kept where
    /// it stands and splits the part like a separator: a page the readers
    /// refuse for it is still refused after redaction, and one they read
    /// still reads the same.
    fn replace_parts(
        &mut self,
        raw: &[u8],
        js: bool,
        kind: Hidden,
        out: &mut Vec<u8>,
        counts: &mut Counts,
    ) {
        let units = units(raw, js);
        let mut start = 0;
        for i in 0..=units.len() {
            let at_sep = i < units.len()
                && (matches!(units[i].byte, b';' | b',') || units[i].is_markup(raw));
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
                    Hidden::DhcpOption => out.extend(raw[from..to].iter().map(|&b| {
                        if b.is_ascii_hexdigit() {
                            b'0'
                        } else {
                            b
                        }
                    })),
                    Hidden::Secret => out.extend_from_slice(b"redacted"),
                    _ => out.extend_from_slice(self.pseudonyms.name(&decoded, kind).as_bytes()),
                }
            }
            if at_sep {
                out.extend_from_slice(&raw[units[i].start..units[i].end]);
                start = i + 1;
            }
        }
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

impl Unit {
    /// A raw byte that means something to a reader of the page rather
    /// than to the value: the XML's `<`, `>`, `&` and quotes, JavaScript's
    /// quotes and backslash, a `%` that starts no escape, control bytes.
    fn is_markup(&self, raw: &[u8]) -> bool {
        self.end - self.start == 1
            && matches!(
                raw[self.start],
                b'<' | b'>' | b'&' | b'"' | b'\'' | b'\\' | b'%' | 0..=0x1f | 0x7f
            )
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_kept_and_addresses_run_into_one_are_not() {
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
        assert_eq!(c.get(Hidden::Mac), 3, "{out}");
        let p = r.pseudonyms.mac([0xaa, 0xbb, 0xcc, 1, 2, 3]);
        let up: Vec<String> = p.iter().map(|b| format!("{b:02X}")).collect();
        let lo: Vec<String> = p.iter().map(|b| format!("{b:02x}")).collect();
        let want = format!(
            "a:'{}',b:'{}',c:'{}'",
            up.join("%3A"),
            lo.join(":"),
            up.join("-")
        );
        assert_eq!(out, want);
    }

    #[test]
    fn addresses_outside_private_ranges_go() {
        let (out, c) = red(
            "ip:'81%2E2%2E3%2E4%3B255%2E255%2E255%2E0%3B192%2E168%2E1%2E254%3B100%2E64%2E0%2E1',\
             v6:'2a00%3A23c7%3A1%3A2%3A3%3A4%3A5%3A6%2F64',ll:'fe80::1',fw_ver:'1.0.2.3'",
        );
        assert_eq!((c.get(Hidden::Ipv4), c.get(Hidden::Ipv6)), (1, 1), "{out}");
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
                c.get(Hidden::Name),
                c.get(Hidden::Serial),
                c.get(Hidden::Ssid),
                c.get(Hidden::Secret)
            ),
            (3, 2, 1, 1),
            "{out}"
        );
    }

    #[test]
    fn the_wan_page_keeps_its_xml() {
        let page = "<status>\n<ip4_info_list type=\"array\" value=\"[['81%2E1%2E1%2E1%3B255%2E255%2E255%2E255'],\nnull]\" />\n<serial value=\"AB12\"/></status>";
        let (out, c) = red(page);
        assert_eq!(c.get(Hidden::Ipv4), 1);
        assert_eq!(c.get(Hidden::Serial), 1);
        assert!(out.starts_with("<status>\n<ip4_info_list type=\"array\" value=\"[['198%2E1"));
        assert!(
            out.contains("%3B255%2E255%2E255%2E255'],\nnull]\" />\n<serial value=\"serial"),
            "{out}"
        );
        assert!(out.ends_with("\"/></status>"), "{out}");
    }

    #[test]
    fn markup_in_a_replaced_value_stays_and_what_surrounds_it_goes() {
        let (out, c) = red(
            "<status>\n<wan_secret_list type=\"array\" value=\"[['UP','<02','a&b'],\nnull]\" />\n</status>",
        );
        assert!(
            out.contains("['redacted','<redacted','redacted&redacted'],"),
            "{out}"
        );
        assert_eq!(c.get(Hidden::Secret), 4, "{out}");
        let (out, _) = red("{hostname:'Bob\\'s%zzphone\tx'}");
        assert!(!out.contains("\\'"), "a JS escape is the value's: {out}");
        assert!(!out.contains("Bob") && !out.contains("phone"), "{out}");
        assert!(out.contains('%') && out.contains('\t'), "{out}");
    }

    #[test]
    fn in_xml_an_attribute_names_only_its_own_value() {
        let page = "<status>\n<rate_list hostname=\"x\" type=\"array\" value=\"[['UP','12']]\" />\n<user_name type=\"string\" value=\"Bob\"/></status>";
        let (out, c) = red(page);
        assert!(out.contains("<rate_list hostname=\"name"), "{out}");
        assert!(
            out.contains("\" type=\"array\" value=\"[['UP','12']]\""),
            "{out}"
        );
        assert!(
            out.contains("<user_name type=\"string\" value=\"name"),
            "{out}"
        );
        assert_eq!(c.get(Hidden::Name), 2, "{out}");
    }

    #[test]
    fn counts_read_as_words() {
        let mut c = Counts::default();
        assert_eq!(c.to_string(), "nothing");
        c.add(Hidden::Mac);
        c.add(Hidden::Mac);
        c.add(Hidden::Ssid);
        assert_eq!(c.to_string(), "2 MACs, 1 SSID");
    }
}
