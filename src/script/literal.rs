//! A reader for the JavaScript *literals* the hub writes: arrays, objects with
//! bare or quoted keys, quoted strings, numbers, `null`/`undefined`/booleans.
//!
//! It never evaluates anything. wan_conn.xml keeps JS-style arrays in its
//! attributes, and [`crate::script::scan`] reads with it the values of a
//! page's declarations. Written by hand because no JSON crate accepts single
//! quotes, bare keys and trailing commas, and a JS engine is what the no-JS
//! build avoids.
//!
//! What it accepts, it reads exactly as JavaScript would; anything else
//! (an expression, a template, a `__proto__` key) is an error.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

/// One literal value. Strings are JS-unescaped but *not* percent-decoded:
/// that happens after tokenising, so `%27` cannot end a quoted value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `null`, `undefined` and array holes (`[,]`).
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    /// The first [`crate::script::limits::MAX_STRING_BYTES`] (or fewer, on a
    /// character boundary) of a longer string: what the script readers keep
    /// of one. Never produced by this module's parser. Fine for a label,
    /// which is cut shorter anyway; never for a value that must be whole
    /// (a number, a comma-separated list).
    Cut(String),
    Array(Vec<Lit>),
    Object(Vec<(String, Lit)>),
}

impl Lit {
    /// A whole string; `None` for a [`Lit::Cut`] one too.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A string, whole or cut, and whether it was cut.
    pub fn as_text(&self) -> Option<(&str, bool)> {
        match self {
            Lit::Str(s) => Some((s, false)),
            Lit::Cut(s) => Some((s, true)),
            _ => None,
        }
    }
}

/// Nesting deeper than this is refused: the hub nests two levels, and a
/// hostile body must not recurse the parser off the stack.
pub const MAX_DEPTH: usize = 16;
/// Objects with more keys than this find a repeated key through a map
/// rather than by a search along the keys (a device record has 21 keys; a
/// JSON dump of the EE hub's state has objects with hundreds).
const LINEAR_KEYS: usize = 32;

/// Properties of one object beyond this are refused (the hub's records have
/// about 30; a dumped page's config object about 500).
pub const MAX_OBJECT_KEYS: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LitError {
    pub offset: usize,
    pub msg: &'static str,
}

impl fmt::Display for LitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.msg, self.offset)
    }
}

impl std::error::Error for LitError {}

/// Parses `src` as exactly one literal, surrounded by nothing but whitespace
/// and comments.
pub fn parse(src: &str) -> Result<Lit, LitError> {
    let mut c = Cursor::new(src, &[]);
    c.skip_trivia()?;
    let v = c.value(0)?;
    c.skip_trivia()?;
    if c.pos != src.len() {
        return Err(c.err("unexpected text after the value"));
    }
    Ok(v)
}

/// The statement scanner that finds declarations lives with the readers
/// ([`crate::script::scan`]); these names stay here for the callers that
/// reach it through this module.
pub use crate::script::scan::{find_var, find_vars, ScanError};

/// A reader of one literal at a time, used by [`parse`] and by the statement
/// scanner, which hands it each value it meets.
pub(crate) struct Cursor<'a> {
    src: &'a str,
    pub(crate) pos: usize,
    /// Object fields to build (empty: all); see [`find_vars`].
    pub(crate) keep: &'a [&'a str],
    /// Where the escapes of a string that is checked but not kept go.
    scratch: String,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(src: &'a str, keep: &'a [&'a str]) -> Self {
        Cursor {
            src,
            pos: 0,
            keep,
            scratch: String::new(),
        }
    }

    fn err(&self, msg: &'static str) -> LitError {
        LitError {
            offset: self.pos,
            msg,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    /// Skips whitespace (including the line terminators JS knows) and comments.
    #[inline]
    pub(crate) fn skip_trivia(&mut self) -> Result<(), LitError> {
        // Most calls are between two tokens with nothing between them.
        if self.peek().map_or(true, is_token_byte) {
            return Ok(());
        }
        skip_trivia(self.src.as_bytes(), &mut self.pos)
            .map(|_| ())
            .map_err(|offset| LitError {
                offset,
                msg: "unterminated comment",
            })
    }

    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        let b = self.src.as_bytes();
        if self.pos < b.len() && is_ident_start(b[self.pos]) {
            self.pos += 1;
            while self.pos < b.len()
                && (is_ident_start(b[self.pos]) || b[self.pos].is_ascii_digit())
            {
                self.pos += 1;
            }
        }
        &self.src[start..self.pos]
    }

    pub(crate) fn value(&mut self, depth: usize) -> Result<Lit, LitError> {
        self.value_in(depth, true)
    }

    /// Reads one value; with `build` false it is checked exactly as closely
    /// but nothing is allocated, and `Lit::Null` stands for it.
    pub(crate) fn value_in(&mut self, depth: usize, build: bool) -> Result<Lit, LitError> {
        if depth >= MAX_DEPTH {
            return Err(self.err("literal nested too deeply"));
        }
        match self.peek() {
            Some(b'[') => self.array(depth, build),
            Some(b'{') => self.object(depth, build),
            Some(q @ (b'\'' | b'"')) if build => self.string(q).map(Lit::Str),
            Some(q @ (b'\'' | b'"')) => self.skip_string(q).map(|()| Lit::Null),
            Some(b'-' | b'+' | b'.' | b'0'..=b'9') => self.number(build),
            Some(c) if is_ident_start(c) => {
                let at = self.pos;
                match self.ident() {
                    "null" | "undefined" => Ok(Lit::Null),
                    "true" => Ok(Lit::Bool(true)),
                    "false" => Ok(Lit::Bool(false)),
                    "NaN" => Ok(Lit::Num(f64::NAN)),
                    "Infinity" => Ok(Lit::Num(f64::INFINITY)),
                    _ => Err(LitError {
                        offset: at,
                        msg: "an expression where a literal was expected",
                    }),
                }
            }
            Some(_) => Err(self.err("unexpected character")),
            None => Err(self.err("unexpected end of input")),
        }
    }

    fn array(&mut self, depth: usize, build: bool) -> Result<Lit, LitError> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_trivia()?;
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Lit::Array(items));
                }
                // A hole: `[,x]` or `[x,,y]`.
                Some(b',') => {
                    self.pos += 1;
                    if build {
                        items.push(Lit::Null);
                    }
                    continue;
                }
                _ => {}
            }
            let item = self.value_in(depth + 1, build)?;
            if build {
                items.push(item);
            }
            self.skip_trivia()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {}
                None => return Err(self.err("unterminated array")),
                Some(_) => return Err(self.err("expected ',' or ']' in array")),
            }
        }
    }

    fn object(&mut self, depth: usize, build: bool) -> Result<Lit, LitError> {
        self.pos += 1;
        let mut fields: Vec<(String, Lit)> = Vec::new();
        let mut index: Option<HashMap<String, usize>> = None;
        loop {
            self.skip_trivia()?;
            let key = match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Lit::Object(fields));
                }
                Some(q @ (b'\'' | b'"')) => Cow::Owned(self.string(q)?),
                Some(b'0'..=b'9') => {
                    let at = self.pos;
                    match self.number(true)? {
                        Lit::Num(n) => Cow::Owned(format_key_number(n).ok_or(LitError {
                            offset: at,
                            msg: "a numeric property name JavaScript would write with an exponent",
                        })?),
                        _ => unreachable!("number() returns Lit::Num"),
                    }
                }
                Some(c) if is_ident_start(c) => Cow::Borrowed(self.ident()),
                None => return Err(self.err("unterminated object")),
                Some(_) => return Err(self.err("expected a property name")),
            };
            // `__proto__: v` sets the object's prototype rather than making a
            // property, so neither reading of it would be what a browser has.
            if key == "__proto__" {
                return Err(self.err("a __proto__ key (it sets the prototype)"));
            }
            self.skip_trivia()?;
            if self.peek() != Some(b':') {
                return Err(self.err("expected ':' after a property name"));
            }
            self.pos += 1;
            self.skip_trivia()?;
            let keep = build && (self.keep.is_empty() || self.keep.contains(&&*key));
            let value = self.value_in(depth + 1, keep)?;
            if !keep {
                self.skip_trivia()?;
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {}
                    None => return Err(self.err("unterminated object")),
                    Some(_) => return Err(self.err("expected ',' or '}' in object")),
                }
                continue;
            }
            let key = key.into_owned();
            // As in JS: the last value wins, in the place of the first
            // (`{hostname:'a',hostname:'b'}` is named "b").
            let found = match &index {
                Some(map) => map.get(&key).copied(),
                None => fields.iter().position(|(k, _)| *k == key),
            };
            match found {
                Some(i) => fields[i].1 = value,
                None if fields.len() == MAX_OBJECT_KEYS => {
                    return Err(self.err("object with too many properties"))
                }
                None => {
                    if let Some(map) = &mut index {
                        map.insert(key.clone(), fields.len());
                    }
                    fields.push((key, value));
                    if index.is_none() && fields.len() > LINEAR_KEYS {
                        index = Some(
                            fields
                                .iter()
                                .enumerate()
                                .map(|(i, (k, _))| (k.clone(), i))
                                .collect(),
                        );
                    }
                }
            }
            self.skip_trivia()?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                None => return Err(self.err("unterminated object")),
                Some(_) => return Err(self.err("expected ',' or '}' in object")),
            }
        }
    }

    /// Reads a number; with `build` false it is only checked (converting
    /// decimal digits to a float is most of the cost of an `addCfg` line).
    fn number(&mut self, build: bool) -> Result<Lit, LitError> {
        let start = self.pos;
        let b = self.src.as_bytes();
        let mut negative = false;
        if matches!(self.peek(), Some(b'-' | b'+')) {
            negative = self.peek() == Some(b'-');
            self.pos += 1;
        }
        let body = self.pos;
        if b.get(self.pos) == Some(&b'0') && matches!(b.get(self.pos + 1), Some(b'x' | b'X')) {
            self.pos += 2;
            let digits = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.pos += 1;
            }
            let v = u64::from_str_radix(&self.src[digits..self.pos], 16)
                .map_err(|_| self.err("bad hexadecimal number"))? as f64;
            return Ok(Lit::Num(if negative { -v } else { v }));
        }
        // A legacy octal literal, as a browser reads the page (sloppy mode):
        // `010` is 8. With an 8 or 9 among the digits it is decimal after all.
        if b.get(self.pos) == Some(&b'0') && b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            let end = self.pos
                + b[self.pos..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
            let digits = &b[self.pos..end];
            if digits.iter().all(|&c| c < b'8') {
                if matches!(b.get(end), Some(b'.' | b'e' | b'E')) {
                    return Err(self.err("bad number"));
                }
                self.pos = end;
                let v = digits
                    .iter()
                    .fold(0.0f64, |v, &c| v * 8.0 + f64::from(c - b'0'));
                return Ok(Lit::Num(if negative { -v } else { v }));
            }
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E'))
        {
            let c = b[self.pos];
            self.pos += 1;
            if matches!(c, b'e' | b'E') && matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
        }
        if self.pos == body || !is_decimal(&b[body..self.pos]) {
            return Err(LitError {
                offset: start,
                msg: "bad number",
            });
        }
        if !build {
            return Ok(Lit::Null);
        }
        self.src[start..self.pos]
            .trim_start_matches('+')
            .parse::<f64>()
            .map(Lit::Num)
            .map_err(|_| LitError {
                offset: start,
                msg: "bad number",
            })
    }

    /// Reads a quoted string, resolving JS escapes.
    fn string(&mut self, quote: u8) -> Result<String, LitError> {
        let b = self.src.as_bytes();
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            match b.get(self.pos) {
                None => return Err(self.err("unterminated string")),
                Some(&c) if c == quote => {
                    out.push_str(&self.src[run..self.pos]);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\n' | b'\r') => return Err(self.err("line break inside a string")),
                Some(b'\\') => {
                    out.push_str(&self.src[run..self.pos]);
                    self.pos += 1;
                    self.escape(&mut out)?;
                    run = self.pos;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Checks a quoted string as [`Cursor::string`] does, building nothing.
    pub(crate) fn skip_string(&mut self, quote: u8) -> Result<(), LitError> {
        let b = self.src.as_bytes();
        self.pos += 1;
        let mut scratch = std::mem::take(&mut self.scratch);
        let result = loop {
            match b.get(self.pos) {
                None => break Err(self.err("unterminated string")),
                Some(&c) if c == quote => {
                    self.pos += 1;
                    break Ok(());
                }
                Some(b'\n' | b'\r') => break Err(self.err("line break inside a string")),
                Some(b'\\') => {
                    self.pos += 1;
                    scratch.clear();
                    if let Err(e) = self.escape(&mut scratch) {
                        break Err(e);
                    }
                }
                Some(_) => self.pos += 1,
            }
        };
        self.scratch = scratch;
        result
    }

    fn escape(&mut self, out: &mut String) -> Result<(), LitError> {
        let b = self.src.as_bytes();
        let Some(&c) = b.get(self.pos) else {
            return Err(self.err("unterminated string"));
        };
        self.pos += 1;
        match c {
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'v' => out.push('\u{b}'),
            b'x' => {
                let v = self.hex_digits(2)?;
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            b'u' => {
                let unit = self.unicode_escape()?;
                if (0xd800..0xdc00).contains(&unit)
                    && b.get(self.pos) == Some(&b'\\')
                    && b.get(self.pos + 1) == Some(&b'u')
                {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.unicode_escape()?;
                    if (0xdc00..0xe000).contains(&low) {
                        let cp = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                        out.push(char::from_u32(cp).unwrap_or('\u{fffd}'));
                        return Ok(());
                    }
                    self.pos = save;
                }
                // A lone surrogate cannot live in UTF-8 text.
                out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
            }
            // Line continuation: a backslash before a line break adds nothing.
            b'\r' => {
                if b.get(self.pos) == Some(&b'\n') {
                    self.pos += 1;
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
                    match b.get(self.pos) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.pos += 1;
                            n += 1;
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
            }
            _ => {
                // Any other escaped character stands for itself; step back to
                // copy it whole if it is multi-byte.
                self.pos -= 1;
                let ch = self.src[self.pos..].chars().next().unwrap_or('\u{fffd}');
                self.pos += ch.len_utf8();
                if !matches!(ch, '\u{2028}' | '\u{2029}') {
                    out.push(ch);
                }
            }
        }
        Ok(())
    }

    fn unicode_escape(&mut self) -> Result<u32, LitError> {
        if self.peek() == Some(b'{') {
            self.pos += 1;
            let start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                self.pos += 1;
            }
            let digits = &self.src[start..self.pos];
            if self.peek() != Some(b'}') || digits.is_empty() {
                return Err(self.err("bad \\u{...} escape"));
            }
            self.pos += 1;
            return u32::from_str_radix(digits, 16)
                .ok()
                .filter(|&v| v <= 0x10ffff)
                .ok_or_else(|| self.err("bad \\u{...} escape"));
        }
        self.hex_digits(4)
    }

    fn hex_digits(&mut self, n: usize) -> Result<u32, LitError> {
        let digits = self
            .src
            .get(self.pos..self.pos + n)
            .filter(|d| d.bytes().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| self.err("bad hexadecimal escape"))?;
        self.pos += n;
        Ok(u32::from_str_radix(digits, 16).expect("checked hex digits"))
    }
}

pub(crate) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$'
}

/// A byte that starts a token rather than white space or a comment.
#[inline]
pub(crate) fn is_token_byte(c: u8) -> bool {
    c > b' ' && c != b'/' && c < 0x80
}

pub(crate) fn is_ident_part(c: u8) -> bool {
    is_ident_start(c) || c.is_ascii_digit()
}

/// The JavaScript white space or line terminator at `b[i]`, if one starts
/// there: its length in bytes and whether it ends a line (which matters to
/// automatic semicolon insertion). JavaScript counts every Unicode space
/// separator (Zs) as white space, and the BOM.
pub(crate) fn blank_at(b: &[u8], i: usize) -> Option<(usize, bool)> {
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
pub(crate) fn skip_trivia(b: &[u8], pos: &mut usize) -> Result<bool, usize> {
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
                        return Err(start);
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

/// Whether `s` (digits, dots, `e`, and signs after an `e`) is a decimal
/// literal: digits with an optional fraction, or a fraction alone, then an
/// optional exponent with digits.
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

/// JS turns numeric property names into their canonical string form; for
/// the numbers it writes with an exponent (under 1e-6 or from 1e21) this
/// gives `None` rather than a different name.
fn format_key_number(n: f64) -> Option<String> {
    if n.fract() == 0.0 && n.abs() < 1e21 {
        Some(format!("{}", n as i64))
    } else if n.abs() >= 1e-6 && n.abs() < 1e21 {
        // Both print the shortest digits that read back, without exponent.
        Some(format!("{n}"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Lit {
        Lit::Str(v.to_owned())
    }

    #[test]
    fn reads_the_hub_array_shapes() {
        let v = parse("[['connected%3B72%3Bpass'],\n['disconnected%3B0%3Bpass'],\nnull]").unwrap();
        assert_eq!(
            v,
            Lit::Array(vec![
                Lit::Array(vec![s("connected%3B72%3Bpass")]),
                Lit::Array(vec![s("disconnected%3B0%3Bpass")]),
                Lit::Null,
            ])
        );
        assert_eq!(
            parse("[[null],[null]]").unwrap(),
            Lit::Array(vec![Lit::Array(vec![Lit::Null]); 2])
        );
        assert_eq!(parse("[]").unwrap(), Lit::Array(vec![]));
        assert_eq!(parse("[1,]").unwrap(), Lit::Array(vec![Lit::Num(1.0)]));
        assert_eq!(
            parse("[,1]").unwrap(),
            Lit::Array(vec![Lit::Null, Lit::Num(1.0)])
        );
    }

    #[test]
    fn reads_objects_with_bare_and_quoted_keys() {
        let v = parse("{mac:'AA', \"ip\":'1', 3:'x', $a_1 : null}").unwrap();
        assert_eq!(
            v,
            Lit::Object(vec![
                ("mac".into(), s("AA")),
                ("ip".into(), s("1")),
                ("3".into(), s("x")),
                ("$a_1".into(), Lit::Null),
            ])
        );
    }

    #[test]
    fn a_key_given_twice_keeps_its_last_value_in_its_first_place() {
        assert_eq!(
            parse("{hostname:'cc', mac:'AA', 'hostname':7}").unwrap(),
            Lit::Object(vec![
                ("hostname".into(), Lit::Num(7.0)),
                ("mac".into(), s("AA")),
            ])
        );
        // Past LINEAR_KEYS keys, through the map.
        let many: String = (0..100).map(|i| format!("k{i}:{i},")).collect();
        let Lit::Object(fields) = parse(&format!("{{{many} k7:'x', k70:'y'}}")).unwrap() else {
            panic!("not an object")
        };
        assert_eq!(fields.len(), 100);
        assert_eq!(fields[7], ("k7".into(), s("x")));
        assert_eq!(fields[70], ("k70".into(), s("y")));
        assert_eq!(fields[99], ("k99".into(), Lit::Num(99.0)));
    }

    #[test]
    fn resolves_js_escapes_but_not_percent_escapes() {
        assert_eq!(parse(r"'it\'s %27'").unwrap(), s("it's %27"));
        assert_eq!(
            parse(r#""a\"b\\c\n\x41\u0042\u{43}""#).unwrap(),
            s("a\"b\\c\nABC")
        );
        assert_eq!(parse(r"'\uD83D\uDE00'").unwrap(), s("\u{1f600}"));
        assert_eq!(parse(r"'\uD83D'").unwrap(), s("\u{fffd}"));
        assert_eq!(parse("'a\\\nb'").unwrap(), s("ab"));
        assert_eq!(parse(r"'\q'").unwrap(), s("q"));
        // Legacy octal escapes, as a browser reads them.
        assert_eq!(parse(r"'\0'").unwrap(), s("\0"));
        assert_eq!(parse(r"'\000000'").unwrap(), s("\u{0}000"));
        assert_eq!(parse(r"'\101\1012\08\8\9\477'").unwrap(), s("AA2\0889'7"));
        assert_eq!(parse(r"'\7a\3777'").unwrap(), s("\u{7}a\u{ff}7"));
    }

    #[test]
    fn repeated_keys_keep_their_first_place_and_last_value() {
        let v = parse("{a:1, b:2, a:3}").unwrap();
        assert_eq!(
            v,
            Lit::Object(vec![
                ("a".into(), Lit::Num(3.0)),
                ("b".into(), Lit::Num(2.0))
            ])
        );
        let many: String = (0..=MAX_OBJECT_KEYS).map(|i| format!("k{i}:1,")).collect();
        assert_eq!(
            parse(&format!("{{{many}}}")).unwrap_err().msg,
            "object with too many properties"
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(parse("-12.5e1").unwrap(), Lit::Num(-125.0));
        assert_eq!(parse("0x1F").unwrap(), Lit::Num(31.0));
        assert_eq!(parse("4294967296").unwrap(), Lit::Num(4294967296.0));
        // Legacy octal, as in a browser; 08 and 09 are decimal.
        assert_eq!(parse("010").unwrap(), Lit::Num(8.0));
        assert_eq!(parse("-0777").unwrap(), Lit::Num(-511.0));
        assert_eq!(parse("08").unwrap(), Lit::Num(8.0));
        assert_eq!(parse("019.5").unwrap(), Lit::Num(19.5));
        assert_eq!(parse("0").unwrap(), Lit::Num(0.0));
        assert_eq!(parse("0.5").unwrap(), Lit::Num(0.5));
        assert!(parse("010.5").is_err());
    }

    #[test]
    fn refuses_what_is_not_a_literal() {
        for bad in [
            "[",
            "['a'",
            "['a' 'b']",
            "{a 1}",
            "'abc",
            "'a\nb'",
            "[foo]",
            "[1] x",
            "",
            "[1+2]",
            "{a:}",
            "<html>",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should fail");
        }
        let deep = "[".repeat(100_000);
        assert_eq!(parse(&deep).unwrap_err().msg, "literal nested too deeply");
    }

    #[test]
    fn keys_that_are_not_properties_or_would_be_renamed_are_refused() {
        assert!(parse("{__proto__: [1]}")
            .unwrap_err()
            .msg
            .contains("__proto__"));
        assert!(parse("{'__proto__': 1}").is_err());
        assert!(parse("{1e21: 1}").is_err());
        assert!(parse("{0.0000001: 1}").is_err());
        assert_eq!(
            parse("{1e3: 'a', 0.5: 'b', 0x10: 'c'}").unwrap(),
            Lit::Object(vec![
                ("1000".into(), s("a")),
                ("0.5".into(), s("b")),
                ("16".into(), s("c")),
            ])
        );
    }

    #[test]
    fn every_javascript_space_and_line_end_is_trivia() {
        // NBSP, U+1680, U+2000, U+202F, U+205F, U+3000, BOM, LS, PS.
        let src = "[\u{a0}1,\u{1680}2,\u{2000}3,\u{202f}4,\u{205f}5,\u{3000}6,\u{feff}7\u{2028},\u{2029}8]";
        assert_eq!(
            parse(src).unwrap(),
            Lit::Array((1..=8).map(|n| Lit::Num(f64::from(n))).collect())
        );
        // A line comment ends at U+2028 as at a newline.
        assert_eq!(
            parse("[1, // note\u{2028}2]").unwrap(),
            Lit::Array(vec![Lit::Num(1.0), Lit::Num(2.0)])
        );
        // Not white space in JavaScript: U+200B, U+0085.
        assert!(parse("[\u{200b}1]").is_err());
        assert!(parse("[\u{85}1]").is_err());
        assert!(parse("[1 /* unterminated").is_err());
    }

    #[test]
    fn nul_is_a_character_inside_a_string() {
        assert_eq!(parse("'a\0b'").unwrap(), s("a\0b"));
        assert!(parse("[1,\0]").is_err());
    }
}
