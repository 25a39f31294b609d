//! The JavaScript lexer that the literal reader ([`super::literal`]) and the
//! statement walk ([`super::scan`]) share: white space and comments as
//! JavaScript knows them, names, punctuators, quoted strings and their
//! escapes, numbers, and the line a byte is on.
//!
//! It works on the page's text in place. A token is a pair of positions into
//! it, a string is checked where it stands and decoded only into a sink the
//! caller chooses ([`Unescaped`]: [`Check`] keeps nothing), a number is
//! delimited and classified but not converted. Nothing is allocated but an
//! error's message.

use std::borrow::Cow;
use std::ops::Range;

/// What the lexer refuses, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LexError {
    /// `msg`, about the byte at `at`.
    Bad { at: usize, msg: &'static str },
    /// A character that starts no token, outside strings and comments.
    Stray { at: usize },
}

impl LexError {
    fn bad(at: usize, msg: &'static str) -> Self {
        LexError::Bad { at, msg }
    }

    pub(crate) fn at(&self) -> usize {
        match *self {
            LexError::Bad { at, .. } | LexError::Stray { at } => at,
        }
    }

    /// The message, naming a stray character as `src` has it.
    #[cold]
    pub(crate) fn message(&self, src: &str) -> Cow<'static, str> {
        let at = match *self {
            LexError::Bad { msg, .. } => return Cow::Borrowed(msg),
            LexError::Stray { at } => at,
        };
        let c = src
            .get(at..)
            .and_then(|s| s.chars().next())
            .unwrap_or('\u{fffd}');
        Cow::Owned(match c {
            '\0' => "a NUL byte outside strings and comments".into(),
            c if c.is_ascii_control() => format!(
                "control character U+{:04X} outside strings and comments",
                c as u32
            ),
            c if c.is_ascii() => format!("`{c}` outside strings and comments"),
            c => format!(
                "U+{:04X} outside strings and comments (names are read in ASCII only)",
                c as u32
            ),
        })
    }
}

pub(crate) const HTML_OPEN: &str = "`<!--` (an HTML comment in a browser) is not read";
pub(crate) const HTML_CLOSE: &str = "`-->` (an HTML comment in a browser) is not read";

// ---------------------------------------------------------------- characters

#[inline(always)]
pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

#[inline(always)]
pub(crate) fn is_ident_part(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

/// A byte that starts a token rather than white space or a comment.
#[inline]
pub(crate) fn is_token_byte(c: u8) -> bool {
    c > b' ' && c != b'/' && c < 0x80
}

/// Where the name starting at `b[start]` ends (`start` itself if none does).
/// Names are read in ASCII only.
pub(crate) fn ident_end(b: &[u8], start: usize) -> usize {
    let mut end = start;
    if b.get(end).copied().is_some_and(is_ident_start) {
        end += 1;
        while b.get(end).copied().is_some_and(is_ident_part) {
            end += 1;
        }
    }
    end
}

/// The JavaScript white space or line terminator at `b[i]`, if one starts
/// there: its length in bytes and whether it ends a line (which matters to
/// automatic semicolon insertion). JavaScript counts every Unicode space
/// separator (Zs) as white space, and the BOM.
fn blank_at(b: &[u8], i: usize) -> Option<(usize, bool)> {
    match *b.get(i)? {
        b' ' | b'\t' | 0x0b | 0x0c => Some((1, false)),
        b'\n' | b'\r' => Some((1, true)),
        0xc2 if b.get(i + 1) == Some(&0xa0) => Some((2, false)),
        lead @ (0xe1 | 0xe2 | 0xe3 | 0xef) => {
            let (b1, b2) = (*b.get(i + 1)?, *b.get(i + 2)?);
            match (lead, b1, b2) {
                (0xe2, 0x80, 0xa8 | 0xa9) => Some((3, true)),
                (0xe1, 0x9a, 0x80)
                | (0xe2, 0x80, 0x80..=0x8a | 0xaf)
                | (0xe2, 0x81, 0x9f)
                | (0xe3, 0x80, 0x80)
                | (0xef, 0xbb, 0xbf) => Some((3, false)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether `b[i]` starts a line terminator (LF, CR, U+2028, U+2029).
pub(crate) fn line_break_at(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), Some(b'\n' | b'\r'))
        || (b.get(i) == Some(&0xe2)
            && b.get(i + 1) == Some(&0x80)
            && matches!(b.get(i + 2), Some(0xa8 | 0xa9)))
}

/// Skips white space and comments from `*pos`; whether a line ended on the
/// way (a comment holding a line break counts, as in JavaScript). An
/// unterminated `/*` comment is an error at its start.
pub(crate) fn skip_trivia(b: &[u8], pos: &mut usize) -> Result<bool, LexError> {
    let mut newline = false;
    // ASCII first, by a plain match: this runs between every two tokens.
    while let Some(&c) = b.get(*pos) {
        match c {
            b' ' | b'\t' | 0x0b | 0x0c => *pos += 1,
            b'\n' | b'\r' => {
                *pos += 1;
                newline = true;
            }
            b'/' => match b.get(*pos + 1) {
                Some(b'/') => {
                    while *pos < b.len() && !line_break_at(b, *pos) {
                        *pos += 1;
                    }
                }
                Some(b'*') => {
                    let start = *pos;
                    let body = &b[start + 2..];
                    let Some(end) = body.windows(2).position(|w| w == b"*/") else {
                        return Err(LexError::bad(start, "unterminated comment"));
                    };
                    newline |= (0..end).any(|i| line_break_at(body, i));
                    *pos = start + 2 + end + 2;
                }
                _ => break,
            },
            0x80.. => match blank_at(b, *pos) {
                Some((len, nl)) => {
                    *pos += len;
                    newline |= nl;
                }
                None => break,
            },
            _ => break,
        }
    }
    Ok(newline)
}

/// The 1-based line of byte `at`, counting line ends as JavaScript does
/// (CR LF once). Only errors ask, so it can count from the start.
pub(crate) fn line_of(b: &[u8], at: usize) -> usize {
    let at = at.min(b.len());
    let mut line = 1;
    let mut i = 0;
    while i < at {
        if line_break_at(b, i) {
            line += 1;
            if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        }
        i += 1;
    }
    line
}

// ---------------------------------------------------------------- strings

/// Where a string's characters go as they are decoded.
pub(crate) trait Unescaped {
    /// A run of the page's text that holds no escape: `src[run]`.
    fn text(&mut self, src: &str, run: Range<usize>);
    /// The character an escape stands for.
    fn char(&mut self, c: char);
}

impl Unescaped for String {
    fn text(&mut self, src: &str, run: Range<usize>) {
        self.push_str(&src[run]);
    }

    fn char(&mut self, c: char) {
        self.push(c);
    }
}

/// A sink that keeps nothing: the string is only checked.
pub(crate) struct Check;

impl Unescaped for Check {
    #[inline]
    fn text(&mut self, _: &str, _: Range<usize>) {}

    #[inline]
    fn char(&mut self, _: char) {}
}

/// Reads the quoted string whose opening quote is at `*pos`, as JavaScript
/// does, into `out`; `*pos` ends past its closing quote. An error names the
/// byte where reading stopped.
pub(crate) fn string<U: Unescaped>(
    src: &str,
    pos: &mut usize,
    out: &mut U,
) -> Result<(), LexError> {
    let b = src.as_bytes();
    let quote = b[*pos];
    *pos += 1;
    let mut run = *pos;
    loop {
        match b.get(*pos) {
            None => return Err(LexError::bad(*pos, "unterminated string")),
            Some(&c) if c == quote => {
                out.text(src, run..*pos);
                *pos += 1;
                return Ok(());
            }
            Some(b'\n' | b'\r') => return Err(LexError::bad(*pos, "line break inside a string")),
            Some(b'\\') => {
                out.text(src, run..*pos);
                *pos += 1;
                escape(src, pos, out)?;
                run = *pos;
            }
            Some(_) => *pos += 1,
        }
    }
}

/// The escape after a backslash, which `*pos` is just past.
fn escape<U: Unescaped>(src: &str, pos: &mut usize, out: &mut U) -> Result<(), LexError> {
    let b = src.as_bytes();
    let Some(&c) = b.get(*pos) else {
        return Err(LexError::bad(*pos, "unterminated string"));
    };
    *pos += 1;
    match c {
        b'n' => out.char('\n'),
        b'r' => out.char('\r'),
        b't' => out.char('\t'),
        b'b' => out.char('\u{8}'),
        b'f' => out.char('\u{c}'),
        b'v' => out.char('\u{b}'),
        b'x' => {
            let v = hex_digits(src, pos, 2)?;
            out.char(char::from_u32(v).unwrap_or('\u{fffd}'));
        }
        b'u' => {
            let unit = unicode_escape(src, pos)?;
            if (0xd800..0xdc00).contains(&unit)
                && b.get(*pos) == Some(&b'\\')
                && b.get(*pos + 1) == Some(&b'u')
            {
                let save = *pos;
                *pos += 2;
                let low = unicode_escape(src, pos)?;
                if (0xdc00..0xe000).contains(&low) {
                    let cp = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                    out.char(char::from_u32(cp).unwrap_or('\u{fffd}'));
                    return Ok(());
                }
                *pos = save;
            }
            // A lone surrogate cannot live in UTF-8 text.
            out.char(char::from_u32(unit).unwrap_or('\u{fffd}'));
        }
        // Line continuation: a backslash before a line break adds nothing.
        b'\r' => {
            if b.get(*pos) == Some(&b'\n') {
                *pos += 1;
            }
        }
        b'\n' => {}
        // Legacy octal escapes, as a browser reads the page: up to three
        // octal digits, while the value stays under 256 (`\0` is NUL,
        // `\101` is "A", `\08` is NUL then "8"). `\8` and `\9` are
        // the digits themselves.
        b'0'..=b'7' => {
            let max = if c <= b'3' { 3 } else { 2 };
            let mut v = u32::from(c - b'0');
            let mut n = 1;
            while n < max {
                match b.get(*pos) {
                    Some(&d @ b'0'..=b'7') => {
                        v = v * 8 + u32::from(d - b'0');
                        *pos += 1;
                        n += 1;
                    }
                    _ => break,
                }
            }
            out.char(char::from_u32(v).unwrap_or('\u{fffd}'));
        }
        _ => {
            // Any other escaped character stands for itself; step back to
            // take it whole if it is multi-byte.
            *pos -= 1;
            let ch = src[*pos..].chars().next().unwrap_or('\u{fffd}');
            *pos += ch.len_utf8();
            if !matches!(ch, '\u{2028}' | '\u{2029}') {
                out.char(ch);
            }
        }
    }
    Ok(())
}

fn unicode_escape(src: &str, pos: &mut usize) -> Result<u32, LexError> {
    let b = src.as_bytes();
    if b.get(*pos) == Some(&b'{') {
        *pos += 1;
        let start = *pos;
        while b.get(*pos).is_some_and(u8::is_ascii_hexdigit) {
            *pos += 1;
        }
        let digits = &src[start..*pos];
        if b.get(*pos) != Some(&b'}') || digits.is_empty() {
            return Err(LexError::bad(*pos, "bad \\u{...} escape"));
        }
        *pos += 1;
        return u32::from_str_radix(digits, 16)
            .ok()
            .filter(|&v| v <= 0x10ffff)
            .ok_or(LexError::bad(*pos, "bad \\u{...} escape"));
    }
    hex_digits(src, pos, 4)
}

fn hex_digits(src: &str, pos: &mut usize, n: usize) -> Result<u32, LexError> {
    let digits = src
        .get(*pos..*pos + n)
        .filter(|d| d.bytes().all(|c| c.is_ascii_hexdigit()))
        .ok_or(LexError::bad(*pos, "bad hexadecimal escape"))?;
    *pos += n;
    Ok(u32::from_str_radix(digits, 16).expect("checked hex digits"))
}

// ---------------------------------------------------------------- numbers

/// A number literal as written: its sign, its form, where its digits start
/// and where it ends. Its value is the reader's to work out (most numbers a
/// reader meets are only checked, and converting decimal digits is most of
/// their cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Number {
    pub(crate) negative: bool,
    pub(crate) form: Form,
    /// Where the digits start: after any sign, and after `0x`.
    pub(crate) digits: usize,
    pub(crate) end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `0x` and hexadecimal digits, perhaps none.
    Hex,
    /// A legacy octal literal, as a browser reads the page (sloppy mode):
    /// `010` is 8.
    Octal,
    /// A decimal literal, checked: digits with an optional fraction, or a
    /// fraction alone, then an optional exponent with digits.
    Decimal,
}

/// The number literal at `start`, with an optional sign: `-12.5e1`, `0x1F`,
/// `010`, `.5`.
pub(crate) fn number(b: &[u8], start: usize) -> Result<Number, LexError> {
    let mut pos = start;
    let mut negative = false;
    if matches!(b.get(pos), Some(b'-' | b'+')) {
        negative = b[pos] == b'-';
        pos += 1;
    }
    let body = pos;
    let number = |form, digits, end| Number {
        negative,
        form,
        digits,
        end,
    };
    if b.get(pos) == Some(&b'0') && matches!(b.get(pos + 1), Some(b'x' | b'X')) {
        pos += 2;
        let from = pos;
        while b.get(pos).is_some_and(u8::is_ascii_hexdigit) {
            pos += 1;
        }
        return Ok(number(Form::Hex, from, pos));
    }
    // With an 8 or 9 among the digits it is decimal after all.
    if b.get(pos) == Some(&b'0') && b.get(pos + 1).is_some_and(u8::is_ascii_digit) {
        let end = pos + b[pos..].iter().take_while(|c| c.is_ascii_digit()).count();
        if b[pos..end].iter().all(|&c| c < b'8') {
            if matches!(b.get(end), Some(b'.' | b'e' | b'E')) {
                return Err(LexError::bad(body, "bad number"));
            }
            return Ok(number(Form::Octal, pos, end));
        }
    }
    while b
        .get(pos)
        .is_some_and(|&c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E'))
    {
        let c = b[pos];
        pos += 1;
        if matches!(c, b'e' | b'E') && matches!(b.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
    }
    if pos == body || !is_decimal(&b[body..pos]) {
        return Err(LexError::bad(start, "bad number"));
    }
    Ok(number(Form::Decimal, body, pos))
}

/// Whether `s` (digits, dots, `e`, and signs after an `e`) is a decimal
/// literal.
fn is_decimal(s: &[u8]) -> bool {
    let digits = |i: &mut usize| {
        let from = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let mut i = 0;
    let mut mantissa = digits(&mut i);
    if s.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == s.len()
}

// ---------------------------------------------------------------- tokens

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum TokenKind {
    Ident,
    Punct,
    /// A string or number: a reader reads it from its first byte.
    Literal,
    Template,
    Eof,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    pub(crate) kind: TokenKind,
    pub(crate) start: usize,
    /// Where the token ends (for `Literal` and `Template`: its start; they are
    /// read by whoever takes them).
    pub(crate) end: usize,
    /// A line ended between the previous token and this one.
    pub(crate) newline: bool,
}

/// The token at `pos`, after any white space and comments. A literal or a
/// template is its reader's to take: its token ends where it starts.
///
/// Always inlined into its caller (the statement walk's `peek`): called,
/// its result goes through memory, and the walk took 20% longer on the
/// fixtures (x86_64, the release profile's opt-level "z").
#[inline(always)]
pub(crate) fn token(src: &str, pos: usize) -> Result<Tok, LexError> {
    let b = src.as_bytes();
    let mut start = pos;
    let newline = match b.get(pos) {
        Some(&c) if is_token_byte(c) => false,
        _ => skip_trivia(b, &mut start)?,
    };
    let tok = |kind, end| Tok {
        kind,
        start,
        end,
        newline,
    };
    Ok(match b.get(start) {
        None => tok(TokenKind::Eof, start),
        Some(&c) if is_ident_start(c) => tok(TokenKind::Ident, ident_end(b, start)),
        Some(b'0'..=b'9' | b'\'' | b'"') => tok(TokenKind::Literal, start),
        Some(b'.') if b.get(start + 1).is_some_and(u8::is_ascii_digit) => {
            tok(TokenKind::Literal, start)
        }
        Some(b'`') => tok(TokenKind::Template, start),
        Some(b'<') if b[start..].starts_with(b"<!--") => {
            return Err(LexError::bad(start, HTML_OPEN))
        }
        Some(b'-') if b[start..].starts_with(b"-->") => {
            return Err(LexError::bad(start, HTML_CLOSE))
        }
        Some(&c) if c.is_ascii_punctuation() && !matches!(c, b'#' | b'@' | b'\\') => {
            tok(TokenKind::Punct, start + punct_len(&b[start..]))
        }
        Some(_) => return Err(LexError::Stray { at: start }),
    })
}

impl Tok {
    pub(crate) fn text(self, src: &str) -> &str {
        &src[self.start..self.end]
    }

    /// Whether this is the punctuator `p`.
    pub(crate) fn is(self, src: &str, p: &str) -> bool {
        // Byte by byte: these are one to four bytes, and a call to memcmp
        // for each costs more than the comparison.
        let (s, p) = (&src.as_bytes()[self.start..self.end], p.as_bytes());
        self.kind == TokenKind::Punct && s.len() == p.len() && s.iter().zip(p).all(|(a, b)| a == b)
    }

    /// How an error names the token.
    pub(crate) fn snippet(self, src: &str) -> String {
        match self.kind {
            TokenKind::Eof => "the end of the page".into(),
            TokenKind::Ident | TokenKind::Punct => format!("`{}`", self.text(src)),
            TokenKind::Literal | TokenKind::Template => {
                let rest = &src[self.start..];
                let end = rest
                    .char_indices()
                    .nth(12)
                    .map_or(rest.len(), |(i, _)| i)
                    .min(rest.find(['\n', '\r']).unwrap_or(rest.len()));
                format!("`{}…`", &rest[..end])
            }
        }
    }
}

/// The length of the punctuator `r` starts with: the longest of
/// JavaScript's, as the language reads them (a match on bytes: this runs on
/// every punctuator of a page).
fn punct_len(r: &[u8]) -> usize {
    let at = |i: usize| r.get(i).copied().unwrap_or(0);
    match (at(0), at(1), at(2), at(3)) {
        (b'>', b'>', b'>', b'=') => 4,
        (b'.', b'.', b'.', _)
        | (b'=' | b'!', b'=', b'=', _)
        | (b'*', b'*', b'=', _)
        | (b'<', b'<', b'=', _)
        | (b'>', b'>', b'=' | b'>', _)
        | (b'&', b'&', b'=', _)
        | (b'|', b'|', b'=', _)
        | (b'?', b'?', b'=', _) => 3,
        // `?.5` is `?` then `.5`.
        (b'?', b'.', d, _) => 1 + usize::from(!d.is_ascii_digit()),
        (b'=', b'>', _, _)
        | (
            b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^',
            b'=',
            _,
            _,
        )
        | (b'&', b'&', _, _)
        | (b'|', b'|', _, _)
        | (b'?', b'?', _, _)
        | (b'+', b'+', _, _)
        | (b'-', b'-', _, _)
        | (b'<', b'<', _, _)
        | (b'>', b'>', _, _)
        | (b'*', b'*', _, _) => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens of `src`, as (kind, text, newline before).
    fn tokens(src: &str) -> Vec<(TokenKind, &str, bool)> {
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            let t = token(src, pos).unwrap();
            // A literal is its reader's to take.
            pos = match t.kind {
                TokenKind::Eof => return out,
                TokenKind::Literal if matches!(src.as_bytes()[t.start], b'\'' | b'"') => {
                    let mut end = t.start;
                    string(src, &mut end, &mut Check).unwrap();
                    end
                }
                TokenKind::Literal => number(src.as_bytes(), t.start).unwrap().end,
                _ => t.end,
            };
            out.push((t.kind, &src[t.start..pos], t.newline));
        }
    }

    #[test]
    fn tokens_are_positions_with_the_line_breaks_before_them() {
        use TokenKind::*;
        assert_eq!(
            tokens("var a=[1] /* \n */ b>>>=c?.5\u{2028}$_x's'"),
            vec![
                (Ident, "var", false),
                (Ident, "a", false),
                (Punct, "=", false),
                (Punct, "[", false),
                (Literal, "1", false),
                (Punct, "]", false),
                (Ident, "b", true),
                (Punct, ">>>=", false),
                (Ident, "c", false),
                (Punct, "?", false),
                (Literal, ".5", false),
                (Ident, "$_x", true),
                (Literal, "'s'", false),
            ]
        );
        assert_eq!(token("a <!-- b", 1), Err(LexError::bad(2, HTML_OPEN)));
        let e = token("é", 0).unwrap_err();
        assert_eq!(e, LexError::Stray { at: 0 });
        assert_eq!(
            e.message("é"),
            "U+00E9 outside strings and comments (names are read in ASCII only)"
        );
    }

    #[test]
    fn a_string_is_checked_in_place_and_decoded_only_into_a_sink() {
        let src = r"x = 'a\x41\u{1F600}\
b' + 1";
        let (mut checked, mut decoded) = (4, 4);
        string(src, &mut checked, &mut Check).unwrap();
        let mut out = String::new();
        string(src, &mut decoded, &mut out).unwrap();
        assert_eq!(out, "aA\u{1f600}b");
        assert_eq!((checked, decoded), (src.len() - 4, src.len() - 4));
        for (bad, at, msg) in [
            ("'abc", 4, "unterminated string"),
            ("'a\nb'", 2, "line break inside a string"),
            (r"'\x4g'", 3, "bad hexadecimal escape"),
            (r"'\u{110000}'", 11, "bad \\u{...} escape"),
        ] {
            assert_eq!(
                string(bad, &mut 0, &mut Check),
                Err(LexError::Bad { at, msg }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn numbers_are_delimited_and_classified_not_converted() {
        fn n(src: &str) -> Result<(bool, Form, &str), LexError> {
            number(src.as_bytes(), 0).map(|n| (n.negative, n.form, &src[n.digits..n.end]))
        }
        assert_eq!(n("-0x1Fz"), Ok((true, Form::Hex, "1F")));
        assert_eq!(n("0x"), Ok((false, Form::Hex, "")));
        assert_eq!(n("010,"), Ok((false, Form::Octal, "010")));
        assert_eq!(n("+019.5]"), Ok((false, Form::Decimal, "019.5")));
        assert_eq!(n(".5e-3"), Ok((false, Form::Decimal, ".5e-3")));
        assert_eq!(n("-010.5"), Err(LexError::bad(1, "bad number")));
        assert_eq!(n("-1e"), Err(LexError::bad(0, "bad number")));
        assert_eq!(n("-."), Err(LexError::bad(0, "bad number")));
    }

    #[test]
    fn lines_are_counted_as_javascript_counts_them() {
        let src = b"a\r\nb\rc\nd\xe2\x80\xa8e";
        let at = |c: u8| src.iter().position(|&b| b == c).unwrap();
        assert_eq!(
            [b'a', b'b', b'c', b'd', b'e'].map(|c| line_of(src, at(c))),
            [1, 2, 3, 4, 5]
        );
    }
}
