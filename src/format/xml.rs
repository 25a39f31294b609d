//! A strict little XML reader for wan_conn.xml: one root element whose
//! children carry their data in attributes.
//!
//! Written by hand because the page uses a sliver of XML (elements, quoted
//! attributes, comments, the five predefined entities and character
//! references), and a general XML reader costs more flash than this whole
//! file: `quick-xml` reading the same attributes adds 34 KB to a scratch
//! program (x86_64, the release profile, stripped: 296,296 → 330,640 bytes). It refuses DOCTYPE and CDATA outright, so there is no entity
//! expansion to abuse, and it checks that every element is closed, which is
//! how a truncated body is told from a whole one.

use std::fmt;

/// A child of the root element, with its attributes in document order and
/// their values entity-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    pub offset: usize,
    pub msg: String,
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed XML at byte {}: {}", self.offset, self.msg)
    }
}

impl std::error::Error for XmlError {}

/// Elements nested deeper than this are refused (the page nests two).
const MAX_ELEMENT_DEPTH: usize = 16;

/// Parses a whole document whose root element must be named `root`, and
/// returns the root's direct children.
pub fn children_of_root(src: &str, root: &str) -> Result<Vec<Element>, XmlError> {
    let mut r = Reader { src, pos: 0 };
    r.skip_bom();
    r.skip_misc()?;
    if r.rest().starts_with("<?xml") {
        match r.rest().find("?>") {
            Some(end) => r.pos += end + 2,
            None => return Err(r.err("unterminated XML declaration")),
        }
        r.skip_misc()?;
    }
    if r.rest().starts_with("<!DOCTYPE") || r.rest().starts_with("<!doctype") {
        return Err(r.err("DOCTYPE is not accepted"));
    }
    if r.peek() != Some(b'<') {
        return Err(r.err(if r.rest().is_empty() {
            "empty document"
        } else {
            "document does not start with an element"
        }));
    }
    let (Element { name, .. }, empty) = r.start_tag()?;
    if name != root {
        return Err(XmlError {
            offset: 0,
            msg: format!("root element is <{name}>, expected <{root}>"),
        });
    }
    let mut children = Vec::new();
    if !empty {
        r.content(&name, 1, &mut |el| children.push(el))?;
    }
    r.skip_misc()?;
    if !r.rest().is_empty() {
        return Err(r.err("text after the root element"));
    }
    Ok(children)
}

struct Reader<'a> {
    src: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn err(&self, msg: &str) -> XmlError {
        XmlError {
            offset: self.pos,
            msg: msg.to_owned(),
        }
    }

    fn skip_bom(&mut self) {
        if self.rest().starts_with('\u{feff}') {
            self.pos += 3;
        }
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    /// Whitespace and comments, as allowed around the root element.
    fn skip_misc(&mut self) -> Result<(), XmlError> {
        loop {
            self.skip_ws();
            if self.rest().starts_with("<!--") {
                self.comment()?;
            } else {
                return Ok(());
            }
        }
    }

    fn comment(&mut self) -> Result<(), XmlError> {
        match self.src[self.pos + 4..].find("-->") {
            Some(end) => {
                self.pos += 4 + end + 3;
                Ok(())
            }
            None => Err(self.err("unterminated comment")),
        }
    }

    fn name(&mut self) -> Result<String, XmlError> {
        let start = self.pos;
        let b = self.src.as_bytes();
        while self.pos < b.len() {
            let c = b[self.pos];
            let ok = c.is_ascii_alphabetic()
                || c == b'_'
                || c == b':'
                || (self.pos > start && (c.is_ascii_digit() || c == b'-' || c == b'.'));
            if !ok {
                break;
            }
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("expected a name"));
        }
        Ok(self.src[start..self.pos].to_owned())
    }

    /// Reads `<name attr="v" ...>` or `<name .../>`; returns the element and
    /// whether it was self-closing.
    fn start_tag(&mut self) -> Result<(Element, bool), XmlError> {
        self.pos += 1; // '<'
        let name = self.name()?;
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            let before = self.pos;
            self.skip_ws();
            match self.peek() {
                Some(b'/') => {
                    if self.src.as_bytes().get(self.pos + 1) != Some(&b'>') {
                        return Err(self.err("expected '/>'"));
                    }
                    self.pos += 2;
                    return Ok((Element { name, attrs }, true));
                }
                Some(b'>') => {
                    self.pos += 1;
                    return Ok((Element { name, attrs }, false));
                }
                None => return Err(self.err("unterminated tag")),
                Some(_) if self.pos == before => {
                    return Err(self.err("expected whitespace between attributes"))
                }
                Some(_) => {}
            }
            let key = self.name()?;
            self.skip_ws();
            if self.peek() != Some(b'=') {
                return Err(self.err("expected '=' after an attribute name"));
            }
            self.pos += 1;
            self.skip_ws();
            let quote = match self.peek() {
                Some(q @ (b'"' | b'\'')) => q,
                _ => return Err(self.err("attribute value is not quoted")),
            };
            self.pos += 1;
            let start = self.pos;
            let end = match self.src.as_bytes()[start..]
                .iter()
                .position(|&c| c == quote)
            {
                Some(n) => start + n,
                None => return Err(self.err("unterminated attribute value")),
            };
            let raw = &self.src[start..end];
            if let Some(n) = raw.find('<') {
                self.pos = start + n;
                return Err(self.err("'<' inside an attribute value"));
            }
            let value = unescape(raw).map_err(|msg| XmlError { offset: start, msg })?;
            self.pos = end + 1;
            if attrs.iter().any(|(k, _)| *k == key) {
                return Err(self.err("duplicate attribute"));
            }
            attrs.push((key, value));
        }
    }

    /// Reads the content of an open element up to and including its end tag,
    /// handing direct children (`depth == 1`) to `on_child`.
    fn content(
        &mut self,
        open: &str,
        depth: usize,
        on_child: &mut dyn FnMut(Element),
    ) -> Result<(), XmlError> {
        if depth > MAX_ELEMENT_DEPTH {
            return Err(self.err("elements nested too deeply"));
        }
        loop {
            match self.rest().find('<') {
                None => {
                    self.pos = self.src.len();
                    return Err(self.err(&format!("document ends inside <{open}> (truncated?)")));
                }
                Some(n) => self.pos += n,
            }
            let rest = self.rest();
            if rest.starts_with("<!--") {
                self.comment()?;
            } else if rest.starts_with("</") {
                self.pos += 2;
                let name = self.name()?;
                self.skip_ws();
                if self.peek() != Some(b'>') {
                    return Err(self.err("expected '>' to end a closing tag"));
                }
                self.pos += 1;
                if name != open {
                    return Err(self.err(&format!("</{name}> closes <{open}>")));
                }
                return Ok(());
            } else if rest.starts_with("<!") || rest.starts_with("<?") {
                return Err(self.err("CDATA, DOCTYPE and processing instructions are not accepted"));
            } else {
                let (el, empty) = self.start_tag()?;
                if !empty {
                    self.content(&el.name, depth + 1, &mut |_| {})?;
                }
                if depth == 1 {
                    on_child(el);
                }
            }
        }
    }
}

/// Resolves the predefined entities and character references.
fn unescape(raw: &str) -> Result<String, String> {
    if !raw.contains('&') {
        return Ok(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after
            .find(';')
            .filter(|&n| n <= 10)
            .ok_or_else(|| "'&' that starts no entity".to_owned())?;
        let entity = &after[..semi];
        let ch = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    return Err(format!("unknown entity &{entity};"));
                };
                code.and_then(char::from_u32)
                    .filter(|&c| c != '\0')
                    .ok_or_else(|| format!("bad character reference &{entity};"))?
            }
        };
        out.push(ch);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_children_and_attributes() {
        let doc = "<?xml version=\"1.0\"?>\n<status>\n\t<!-- REAL -->\n\t<a type=\"array\" value=\"[['x'],\nnull]\" />\n\t<b value='1'/>\n<c><d/></c>\n\t<!-- END -->\n</status>\n";
        let kids = children_of_root(doc, "status").unwrap();
        assert_eq!(kids.len(), 3);
        assert_eq!(kids[0].name, "a");
        assert_eq!(kids[0].attr("value"), Some("[['x'],\nnull]"));
        assert_eq!(kids[0].attr("type"), Some("array"));
        assert_eq!(kids[1].attr("value"), Some("1"));
        assert_eq!(kids[2].name, "c");
    }

    #[test]
    fn decodes_entities() {
        let kids =
            children_of_root("<s><a v=\"&lt;&amp;&quot;&apos;&#65;&#x42;\"/></s>", "s").unwrap();
        assert_eq!(kids[0].attr("v"), Some("<&\"'AB"));
    }

    #[test]
    fn refuses_broken_documents() {
        for (doc, why) in [
            ("", "empty document"),
            ("<status><a value=\"1\"/>", "truncated"),
            ("<status><a value=\"1", "unterminated attribute"),
            ("<html><body>Login</body></html>", "root element"),
            ("<status></other>", "closes"),
            ("<status><a v=1/></status>", "not quoted"),
            ("<status><a v=\"&foo;\"/></status>", "unknown entity"),
            ("<!DOCTYPE x [<!ENTITY a 'b'>]><status/>", "DOCTYPE"),
            ("<status/>junk", "after the root"),
            ("{\"json\": true}", "does not start"),
            ("<status><a v=\"1\" v=\"2\"/></status>", "duplicate"),
            ("<status><a v=\"1\"w=\"2\"/></status>", "whitespace"),
        ] {
            let err = children_of_root(doc, "status").unwrap_err();
            assert!(err.msg.contains(why), "{doc:?}: {err}");
        }
        let deep = format!("<status>{}", "<a>".repeat(100));
        assert!(children_of_root(&deep, "status")
            .unwrap_err()
            .msg
            .contains("deeply"));
    }
}
