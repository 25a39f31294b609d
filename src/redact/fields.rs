//! Which quoted string of a page is the value of which field, and what a
//! field of that name holds.
//!
//! A small lexer finds every quoted string and the field it belongs to
//! (`key:'..'`, `var key=..`, `addCfg("key",id,'..')`, `<key value="..">`);
//! [`field_kind`] says from the name whether the value is a name, serial
//! number, SSID, secret or DHCP option dump (replaced part by part), holds
//! MACs, or is a version number (which looks like an IPv4 address).

use super::Hidden;

/// A stretch of the page and the field it belongs to.
pub(super) struct Segment {
    pub(super) start: usize,
    pub(super) end: usize,
    /// For a quoted string: the field it is the value of.
    pub(super) field: Option<String>,
    /// Inside a JavaScript string (backslash escapes apply).
    pub(super) js: bool,
    /// A string whose parts may be replaced: one line, as the hub writes
    /// values (a "string" running over lines means the lexer lost its way
    /// in code, where only the pattern pass is safe).
    pub(super) replaceable: bool,
}

/// Splits a page into quoted strings (each with the field it is the value
/// of) and the text between them. It knows just enough of the hub's
/// JavaScript and XML for that: in JavaScript identifiers followed by `:`
/// or `=` name the field of what follows and `addCfg("name",..)` names its
/// value by its first argument; in XML the element names the field of its
/// `value` attribute (`<ip4_info_list value="..">`) and another attribute
/// its own; comments are text.
pub(super) fn lex(body: &[u8]) -> Vec<Segment> {
    let mut segs = Vec::new();
    let mut field: Option<String> = None;
    let mut addcfg = false; // the next string is an addCfg name
    let xml = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    // Inside such an attribute's double quotes.
    let mut in_attr = false;
    // In XML the element names the field of its `value` attribute, as it
    // names what the page's reader looks up; another attribute names only
    // its own value (an HTML form's `name="…"`), and `type` is text.
    let mut attr: Option<Vec<u8>> = None;
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
                    field: match attr.as_deref() {
                        Some(b"type") if xml => None,
                        Some(name) if xml && name != b"value" => {
                            Some(String::from_utf8_lossy(name).into_owned())
                        }
                        _ => field.clone(),
                    },
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
            if element {
                attr = None;
            }
            if xml && !element && !in_attr && next == Some(b'=') {
                attr = Some(ident.to_vec());
            } else if ident == b"addCfg" && next == Some(b'(') {
                addcfg = true;
            } else if element
                || ((next == Some(b':') || (!xml && next == Some(b'=')))
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

/// Parts of a named field that say "nothing here" and are kept as they are.
pub(super) fn is_placeholder(decoded: &[u8]) -> bool {
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
pub(super) fn one_version(raw: &[u8]) -> bool {
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
pub(super) enum Field {
    /// Replaced part by part.
    Replace(Hidden),
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
pub(super) fn field_kind(name: &str) -> Field {
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
        Field::Replace(Hidden::Secret)
    } else if has("bssid") {
        Field::Mac
    } else if has("ssid") {
        Field::Replace(Hidden::Ssid)
    } else if f == "sn" || has("serial") {
        Field::Replace(Hidden::Serial)
    } else if f == "dhcp_option" {
        Field::Replace(Hidden::DhcpOption)
    } else if f == "name"
        || has("hostname")
        || has("user")
        || f.starts_with("desc")
        || f == "alias"
        || (f.ends_with("_name")
            && !matches!(f.as_str(), "model_name" | "product_name" | "ether_name"))
    {
        Field::Replace(Hidden::Name)
    } else if has("mac") || matches!(f.as_str(), "device_id" | "parent_id" | "child_id") {
        Field::Mac
    } else if f.ends_with("_ver") || f == "ver" || has("version") {
        Field::Version
    } else {
        Field::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_is_one_dotted_number() {
        assert!(one_version(b"v0.21.03.07094-BT"));
        assert!(one_version(b"1.0.2.3"));
        assert!(!one_version(b"0.16.02.08304;81.2.3.4"));
        assert!(!one_version(b"0.16.00.07230 81.139.56.100 D for home"));
    }
}
