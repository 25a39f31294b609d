//! A reader for the JavaScript *literals* the hub writes: arrays, objects with
//! bare or quoted keys, quoted strings, numbers, `null`/`undefined`/booleans.
//!
//! It never evaluates anything. wan_conn.xml keeps JS-style arrays in its
//! attributes, and [`crate::script::scan`] reads with it the values of a
//! page's declarations.
//!
//! What it accepts, it reads exactly as JavaScript would; anything else
//! (an expression, a template, a `__proto__` key) is an error.
//!
//! Written by hand, not with a JSON5 crate (`json5` with serde reads single
//! quotes, bare keys, trailing commas and comments), because:
//! - JSON5 refuses what JavaScript reads and a page may hold: array holes
//!   (`{…},,{…}`), `undefined`, legacy octal numbers and escapes (`010`,
//!   `\101`), `\u{…}` escapes;
//! - "exactly as a browser" covers every number, string and escape, and an
//!   object's repeated key (its last value, in its first place); what this
//!   reader cannot read so, it refuses, naming the byte;
//! - a page's records are projected while read: only the fields a
//!   collector asks for are built, the rest checked and dropped;
//! - size on the router: on x86_64 (the release profile, musl, stripped),
//!   `json5` and serde add 100 KB to a program that already parses and
//!   prints floats and has a hash map, and this reader (with the part of
//!   [`super::lex`] it uses) 20 KB. A JavaScript engine, the other way
//!   to read a page, is what the `-nojs` build leaves out.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use crate::script::lex::{self, Form, LexError};
use crate::script::MAX_PARSE_DEPTH;

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

/// Objects with more keys than this find a repeated key through a map
/// rather than by a search along the keys (a device record has 21 keys; a
/// JSON dump of the EE hub's state has objects with hundreds).
const LINEAR_KEYS: usize = 32;

/// Properties of one object beyond this are refused (the hub's records have
/// about 30; a dumped page's config object about 500).
const MAX_OBJECT_KEYS: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LitError {
    pub(crate) offset: usize,
    pub(crate) msg: &'static str,
}

impl fmt::Display for LitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.msg, self.offset)
    }
}

impl std::error::Error for LitError {}

impl From<LexError> for LitError {
    fn from(e: LexError) -> Self {
        match e {
            LexError::Bad { at, msg } => LitError { offset: at, msg },
            LexError::Stray { at } => LitError {
                offset: at,
                msg: "unexpected character",
            },
        }
    }
}

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

/// A reader of one literal at a time, used by [`parse`] and by the statement
/// scanner, which hands it each value it meets.
pub(crate) struct Cursor<'a> {
    src: &'a str,
    pub(crate) pos: usize,
    /// Object fields to build (empty: all); see
    /// [`crate::script::scan::find_vars`].
    pub(crate) keep: &'a [&'a str],
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(src: &'a str, keep: &'a [&'a str]) -> Self {
        Cursor { src, pos: 0, keep }
    }

    /// The page being read.
    pub(crate) fn src(&self) -> &'a str {
        self.src
    }

    pub(crate) fn err(&self, msg: &'static str) -> LitError {
        LitError {
            offset: self.pos,
            msg,
        }
    }

    #[inline]
    pub(crate) fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    /// Skips whitespace (including the line terminators JS knows) and comments.
    #[inline]
    pub(crate) fn skip_trivia(&mut self) -> Result<(), LitError> {
        // Most calls are between two tokens with nothing between them.
        if self.peek().map_or(true, lex::is_token_byte) {
            return Ok(());
        }
        lex::skip_trivia(self.src.as_bytes(), &mut self.pos)?;
        Ok(())
    }

    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        self.pos = lex::ident_end(self.src.as_bytes(), start);
        &self.src[start..self.pos]
    }

    fn value(&mut self, depth: usize) -> Result<Lit, LitError> {
        self.value_in(depth, true)
    }

    /// Checks one value as closely as [`Cursor::value_in`] reads it,
    /// building nothing.
    pub(crate) fn check(&mut self) -> Result<(), LitError> {
        self.value_in(0, false).map(drop)
    }

    /// Reads one value; with `build` false it is checked exactly as closely
    /// but nothing is allocated, and `Lit::Null` stands for it.
    pub(crate) fn value_in(&mut self, depth: usize, build: bool) -> Result<Lit, LitError> {
        if depth >= MAX_PARSE_DEPTH {
            return Err(self.err("literal nested too deeply"));
        }
        match self.peek() {
            Some(b'[') => self.array(depth, build),
            Some(b'{') => self.object(depth, build),
            Some(b'\'' | b'"') if build => self.string().map(Lit::Str),
            Some(b'\'' | b'"') => {
                lex::string(self.src, &mut self.pos, &mut lex::Check)?;
                Ok(Lit::Null)
            }
            Some(b'-' | b'+' | b'.' | b'0'..=b'9') => self.number(build),
            Some(c) if lex::is_ident_start(c) => {
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
        while let Some(key) = self.key()? {
            let keep = build && (self.keep.is_empty() || self.keep.contains(&&*key));
            let value = self.value_in(depth + 1, keep)?;
            if !keep {
                self.end_member()?;
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
            self.end_member()?;
        }
        Ok(Lit::Object(fields))
    }

    /// The next property name of the object being read, with its `:` and
    /// the trivia after it: the cursor is left at the value. `None` once
    /// past the object's `}`.
    pub(crate) fn key(&mut self) -> Result<Option<Cow<'a, str>>, LitError> {
        self.skip_trivia()?;
        let key = match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                return Ok(None);
            }
            Some(b'\'' | b'"') => Cow::Owned(self.string()?),
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
            Some(c) if lex::is_ident_start(c) => Cow::Borrowed(self.ident()),
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
        Ok(Some(key))
    }

    /// After a property's value: past its `,`, or at the object's `}`.
    pub(crate) fn end_member(&mut self) -> Result<(), LitError> {
        self.skip_trivia()?;
        match self.peek() {
            Some(b',') => self.pos += 1,
            Some(b'}') => {}
            None => return Err(self.err("unterminated object")),
            Some(_) => return Err(self.err("expected ',' or '}' in object")),
        }
        Ok(())
    }

    /// Reads a number; with `build` false a decimal one is only checked
    /// (converting decimal digits to a float is most of the cost of an
    /// `addCfg` line).
    fn number(&mut self, build: bool) -> Result<Lit, LitError> {
        let start = self.pos;
        let n = lex::number(self.src.as_bytes(), start)?;
        self.pos = n.end;
        let sign = |v: f64| if n.negative { -v } else { v };
        let digits = || &self.src[n.digits..n.end];
        match n.form {
            Form::Hex => {
                let v = u64::from_str_radix(digits(), 16)
                    .map_err(|_| self.err("bad hexadecimal number"))?;
                Ok(Lit::Num(sign(v as f64)))
            }
            Form::Octal => Ok(Lit::Num(sign(
                digits()
                    .bytes()
                    .fold(0.0f64, |v, c| v * 8.0 + f64::from(c - b'0')),
            ))),
            Form::Decimal if !build => Ok(Lit::Null),
            Form::Decimal => decimal(digits().as_bytes())
                .map(|v| Lit::Num(sign(v)))
                .ok_or(LitError {
                    offset: start,
                    msg: INEXACT_NUMBER,
                }),
        }
    }

    /// Reads a quoted string, resolving JS escapes.
    fn string(&mut self) -> Result<String, LitError> {
        let mut out = String::new();
        lex::string(self.src, &mut self.pos, &mut out)?;
        Ok(out)
    }
}

/// Why [`decimal`] refused a number.
pub const INEXACT_NUMBER: &str =
    "a number that cannot be read exactly here (its digits past 2^64, or past 2^53 with a power of ten)";

/// The powers of ten a double holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The double nearest a decimal literal (`12`, `-`less, `1.5`, `.5`, `2e-3`;
/// [`lex::number`] has checked its form), or `None` where that takes more
/// than one exact operation: significant digits past 2^64, or digits and a
/// power of ten too large to be exact (Clinger's fast path: an integer
/// below 2^53 times or divided by an exact power of ten is one correctly
/// rounded operation). By hand rather than with `str::parse::<f64>`, whose
/// general algorithm and its 10 KB table of powers are 18 KB of the mipsel
/// `-nojs` binary (measured), for the pages' numbers: integers and short
/// decimals, all inside the fast path. A number outside it refuses the page,
/// naming the place, as anything this reader cannot read exactly does.
pub fn decimal(s: &[u8]) -> Option<f64> {
    const EXACT_INTEGERS: u64 = 1 << 53;
    let (mantissa, exponent) = match s.iter().position(|&c| matches!(c, b'e' | b'E')) {
        Some(e) => (&s[..e], &s[e + 1..]),
        None => (s, &s[s.len()..]),
    };
    let (mut m, mut exp, mut full, mut after_dot) = (0u64, 0i64, false, false);
    for &c in mantissa {
        if c == b'.' {
            after_dot = true;
            continue;
        }
        let d = u64::from(c - b'0');
        match m.checked_mul(10).and_then(|m| m.checked_add(d)) {
            Some(next) if !full => {
                m = next;
                exp -= i64::from(after_dot);
            }
            _ if d != 0 => return None,
            _ => {
                // A zero past what a u64 holds: a power of ten before the
                // dot, nothing after it.
                full = true;
                exp += i64::from(!after_dot);
            }
        }
    }
    let (negative, digits) = match exponent.first() {
        Some(b'-') => (true, &exponent[1..]),
        Some(b'+') => (false, &exponent[1..]),
        _ => (false, exponent),
    };
    // Past 10^6 either way every non-zero mantissa is out of range.
    let e = digits
        .iter()
        .fold(0i64, |e, &c| (e * 10 + i64::from(c - b'0')).min(1_000_000));
    exp += if negative { -e } else { e };
    if m == 0 {
        return Some(0.0);
    }
    while m % 10 == 0 && (exp < 0 || m > EXACT_INTEGERS) {
        m /= 10;
        exp += 1;
    }
    if exp == 0 {
        // One conversion, rounded to nearest as `as` does.
        return Some(m as f64);
    }
    if m > EXACT_INTEGERS {
        return None;
    }
    if exp < 0 {
        let p = EXACT_POWERS_OF_TEN.get(usize::try_from(-exp).ok()?)?;
        return Some(m as f64 / p);
    }
    // 10^exp beyond 10^22: the integer may take the difference exactly.
    let extra = u32::try_from((exp - 22).max(0)).ok()?;
    let m = 10u64
        .checked_pow(extra)
        .and_then(|p| m.checked_mul(p))
        .filter(|&m| m <= EXACT_INTEGERS)?;
    Some(m as f64 * EXACT_POWERS_OF_TEN[usize::try_from(exp).ok()?.min(22)])
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

    #[test]
    fn decimals_are_the_nearest_double_or_refused() {
        let agrees = |t: &str| {
            if let Some(v) = decimal(t.as_bytes()) {
                assert_eq!(v.to_bits(), t.parse::<f64>().unwrap().to_bits(), "{t}");
            }
        };
        for t in [
            "0",
            "00",
            "0.0",
            "5.",
            ".5",
            "08",
            "1e0",
            "1E+2",
            "1e-2",
            "0.1",
            "0.3",
            "2.675",
            "9007199254740993",
            "18446744073709551615",
            "1e22",
            "1e23",
            "123e25",
            "1.5e-22",
            "4.35",
            "0.000000000000000000000000001",
            "1234567890123456789000",
            "12345678901234567890e-5",
        ] {
            agrees(t);
        }
        for t in [
            "1e23",
            "9007199254740993",
            "18446744073709551615",
            "1e22",
            "0.1",
        ] {
            assert!(
                decimal(t.as_bytes()).is_some(),
                "{t} is inside the fast path"
            );
        }
        for t in [
            "1e400",
            "1e-400",
            "18446744073709551616",
            "9007199254740993.5",
            "1.5e-23",
        ] {
            assert_eq!(decimal(t.as_bytes()), None, "{t}");
        }
        assert_eq!(decimal(b"1234567890123456789000"), None);
        assert_eq!(
            decimal(b"123456789012345000000000"),
            Some(1.23456789012345e23)
        );
        assert_eq!(decimal(b"1.500"), Some(1.5));
        assert_eq!(decimal(b"0e999999"), Some(0.0));
        // Generated: up to 19 digits, a dot anywhere, exponents either way.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut read = 0;
        for _ in 0..200_000 {
            let len = 1 + (next() % 20) as usize;
            let mut t: String = (0..len)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            if next() % 2 == 0 {
                t.insert((next() % (len as u64 + 1)) as usize, '.');
            }
            if next() % 2 == 0 {
                t.push_str(&format!("e{}", (next() % 61) as i64 - 30));
            }
            if t == "." || t.starts_with(".e") {
                continue;
            }
            agrees(&t);
            read += usize::from(decimal(t.as_bytes()).is_some());
        }
        assert!(read > 100_000, "the fast path read only {read}");
    }

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
