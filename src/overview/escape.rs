//! Every hub string on its way into the page or the JSON goes through here:
//! one function per context it can land in. Device names are chosen by
//! whoever joins the Wi-Fi, so each is hostile text until escaped.
//!
//! HTML (element text, attribute values, and the text of SVG elements
//! inline in the page, which the HTML parser reads as it reads element
//! text): `&`, `<`, `>`, `"` and `'` become character references, so no
//! text can open or close a tag, end an attribute or start an entity. What
//! would be a parse error or could reorder what follows it on screen is
//! replaced by U+FFFD: control characters other than tab and newline,
//! noncharacters, and the bidirectional overrides, embeddings and isolates
//! (a name holding U+202E would otherwise show the rest of its row
//! backwards). In element text hub strings are also wrapped in `<bdi>` by
//! the page, so a right-to-left name stays in its own box.
//!
//! JSON: `"`, `\` and every control character escaped; `<`, `>`, `&`,
//! U+2028 and U+2029 escaped too, so the document stays inert if a
//! consumer pastes it into HTML or a script. Bidirectional characters are
//! kept: JSON carries the hub's text as it is, and its consumers escape.

use std::fmt::Write as _;

/// Appends `s` as HTML element text (also for `<title>` and SVG text).
pub fn text(out: &mut String, s: &str) {
    html(out, s);
}

/// Appends `s` as the value of a double-quoted HTML attribute.
pub fn attr(out: &mut String, s: &str) {
    html(out, s);
}

fn html(out: &mut String, s: &str) {
    out.reserve(s.len());
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let with: &str = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if replaced_in_html(c) => "\u{FFFD}",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        out.push_str(with);
        plain = i + c.len_utf8();
    }
    out.push_str(&s[plain..]);
}

/// Characters the page never shows as themselves (see the module's doc).
pub fn replaced_in_html(c: char) -> bool {
    match c {
        '\t' | '\n' => false,
        '\0'..='\u{1F}' | '\u{7F}'..='\u{9F}' => true,
        // Bidirectional marks, embeddings, overrides and isolates.
        '\u{200E}'
        | '\u{200F}'
        | '\u{061C}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => true,
        // Noncharacters: a parse error in HTML.
        '\u{FDD0}'..='\u{FDEF}' => true,
        c => (c as u32) & 0xFFFE == 0xFFFE,
    }
}

/// Appends `s` as a JSON string, quotes included.
pub fn json(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let mut plain = 0;
    for (i, c) in s.char_indices() {
        let short = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\0'..='\u{1F}' | '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => "",
            _ => continue,
        };
        out.push_str(&s[plain..i]);
        if short.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(short);
        }
        plain = i + c.len_utf8();
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> String {
        let mut out = String::new();
        text(&mut out, s);
        out
    }

    fn j(s: &str) -> String {
        let mut out = String::new();
        json(&mut out, s);
        out
    }

    #[test]
    fn html_text_cannot_open_a_tag_or_leave_an_attribute() {
        assert_eq!(
            t("\"><img src=x onerror=alert(1)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(t("</title><script>"), "&lt;/title&gt;&lt;script&gt;");
        assert_eq!(t("a&amp;b 'c'"), "a&amp;amp;b &#39;c&#39;");
        assert_eq!(t("plain é 名前"), "plain é 名前");
        assert_eq!(t(""), "");
    }

    #[test]
    fn controls_bidi_and_noncharacters_are_replaced() {
        assert_eq!(t("a\u{202E}gnp.exe"), "a\u{FFFD}gnp.exe");
        assert_eq!(
            t("\0\u{1}\u{7F}\u{85}x"),
            "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}x"
        );
        assert_eq!(t("\u{FDD0}\u{FFFE}\u{1FFFF}"), "\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(t("tab\tnew\nline"), "tab\tnew\nline");
        assert_eq!(t("\u{2067}x\u{2069}"), "\u{FFFD}x\u{FFFD}");
        // U+FFFD itself and ordinary astral characters stay.
        assert_eq!(t("\u{FFFD}\u{1F600}"), "\u{FFFD}\u{1F600}");
    }

    #[test]
    fn json_strings_are_inert_and_exact() {
        assert_eq!(j("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            j("</script>&\u{2028}"),
            r#""\u003c/script\u003e\u0026\u2028""#
        );
        assert_eq!(j("\0\u{1F}\n\t"), r#""\u0000\u001f\n\t""#);
        assert_eq!(j("\u{202E}é"), "\"\u{202E}é\"");
    }
}
