//! Reading named variables out of the hub's JavaScript pages.
//!
//! Two readers give the same answer, a [`Lit`] per name:
//! - [`quickjs`] (cargo feature `js`, the default) runs the page in a fresh
//!   QuickJS runtime with memory, stack and time limits, as a browser would;
//! - [`literal`] finds `var NAME = <literal>` declarations and parses the
//!   literal without executing anything.
//!
//! Both enforce the same [`limits`] on what they hand back, so the rest of the
//! program never sees a value bigger than those bounds, whichever reader ran.

use std::fmt;
use std::time::Instant;

pub use crate::format::js_literal::Lit;

pub mod literal;
#[cfg(feature = "js")]
pub mod quickjs;
pub mod scan;

/// Bounds on what a page may hand back.
pub mod limits {
    /// Elements in one array (a home network has tens to a few hundred
    /// devices; the hub's own lists stop at 256 entries).
    pub const MAX_ARRAY_LEN: usize = 4096;
    /// Properties read from one object (a device record has 21).
    pub const MAX_OBJECT_FIELDS: usize = 64;
    /// Bytes in one string value (percent-encoded, so 3 bytes per character
    /// of a name at worst).
    pub const MAX_STRING_BYTES: usize = 4096;
    /// Nesting of arrays and objects (the pages nest two).
    pub const MAX_DEPTH: usize = 4;
    /// Memory the JavaScript heap may use.
    pub const JS_MEMORY_BYTES: usize = 16 << 20;
    /// Native stack the JavaScript engine may use.
    pub const JS_STACK_BYTES: usize = 256 << 10;
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScriptError {
    /// The page ran past the scrape deadline and was stopped.
    Timeout,
    /// The page is not JavaScript (an HTML login page, say).
    NotJavaScript(&'static str),
    /// The page threw, did not parse, or ran out of memory or stack.
    Failed(String),
    /// A value broke one of the [`limits`].
    TooBig(String),
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptError::Timeout => f.write_str("script stopped at the scrape deadline"),
            ScriptError::NotJavaScript(what) => write!(f, "body is {what}, not JavaScript"),
            ScriptError::Failed(msg) => write!(f, "script failed: {msg}"),
            ScriptError::TooBig(msg) => write!(f, "value over the limit: {msg}"),
        }
    }
}

impl std::error::Error for ScriptError {}

/// A variable to read, and which fields to copy out of the records it holds.
#[derive(Debug, Clone, Copy)]
pub struct Var<'a> {
    pub name: &'a str,
    /// When not empty, every object in the value keeps only these fields, in
    /// this order: copying all 20 fields of 250 device records out of the
    /// engine costs more than the whole rest of a scrape, and the exporter
    /// reads half of them.
    pub fields: &'a [&'a str],
}

impl<'a> Var<'a> {
    pub const fn all(name: &'a str) -> Self {
        Var { name, fields: &[] }
    }
}

/// Reads the named variables from a page with the reader this build has:
/// `None` for a name the page does not declare.
pub fn read_vars(
    src: &[u8],
    names: &[&str],
    deadline: Instant,
) -> Result<Vec<Option<Lit>>, ScriptError> {
    let vars: Vec<Var> = names.iter().map(|n| Var::all(n)).collect();
    read(src, &vars, deadline)
}

/// Like [`read_vars`], keeping only the given fields of each record.
pub fn read(src: &[u8], vars: &[Var], deadline: Instant) -> Result<Vec<Option<Lit>>, ScriptError> {
    sniff(src)?;
    #[cfg(feature = "js")]
    return quickjs::read(src, vars, deadline);
    #[cfg(not(feature = "js"))]
    return literal::read(src, vars, deadline);
}

/// Keeps only `fields` of every object in `v`, in that order (the literal
/// reader's half of [`Var::fields`]; the engine's half reads only those).
pub fn project(v: Lit, fields: &[&str]) -> Lit {
    if fields.is_empty() {
        return v;
    }
    match v {
        Lit::Array(items) => Lit::Array(items.into_iter().map(|i| project(i, fields)).collect()),
        Lit::Object(mut props) => Lit::Object(
            fields
                .iter()
                .filter_map(|f| {
                    let i = props.iter().position(|(k, _)| k == f)?;
                    let (k, v) = std::mem::replace(&mut props[i], (String::new(), Lit::Null));
                    Some((k, v))
                })
                .collect(),
        ),
        other => other,
    }
}

/// Reads the named variables of a page that is only data (literal `var`s and
/// `addCfg` calls) with the literal reader, whatever the build: nothing on the
/// page runs. The status and mesh pages are such pages; only the device page,
/// which the Go exporter evaluated and which is what `js` is for, goes
/// through the engine. So `--no-lan` still means no JavaScript runs, and the
/// 128 KB mesh page costs a third of what compiling it would (callgrind:
/// 24.7 M against 77.9 M instructions at 250 stations).
pub fn read_data_vars(
    src: &[u8],
    names: &[&str],
    deadline: Instant,
) -> Result<Vec<Option<Lit>>, ScriptError> {
    let vars: Vec<Var> = names.iter().map(|n| Var::all(n)).collect();
    read_data(src, &vars, deadline)
}

/// Like [`read_data_vars`], keeping only the given fields of each record.
pub fn read_data(
    src: &[u8],
    vars: &[Var],
    deadline: Instant,
) -> Result<Vec<Option<Lit>>, ScriptError> {
    sniff(src)?;
    literal::read(src, vars, deadline)
}

/// Refuses bodies that are obviously not a script, so the error says what
/// the hub sent instead of reporting a syntax error.
pub fn sniff(src: &[u8]) -> Result<(), ScriptError> {
    let start = src
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&[][..], |i| &src[i..]);
    let lower: Vec<u8> = start.iter().take(16).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<!doctype") || lower.starts_with(b"<html") || lower.starts_with(b"<head")
    {
        return Err(ScriptError::NotJavaScript("an HTML page"));
    }
    if lower.starts_with(b"<?xml") || lower.starts_with(b"<") {
        return Err(ScriptError::NotJavaScript("markup"));
    }
    if start.is_empty() {
        return Err(ScriptError::NotJavaScript("empty"));
    }
    if src.contains(&0) {
        return Err(ScriptError::NotJavaScript("binary data"));
    }
    Ok(())
}

/// Checks a literal against the [`limits`]; both readers call it so they
/// refuse the same values.
pub fn check_limits(v: &Lit, depth: usize) -> Result<(), ScriptError> {
    use limits::*;
    if depth > MAX_DEPTH {
        return Err(ScriptError::TooBig(format!(
            "nested deeper than {MAX_DEPTH}"
        )));
    }
    match v {
        Lit::Str(s) if s.len() > MAX_STRING_BYTES => Err(ScriptError::TooBig(format!(
            "a string of {} bytes (limit {MAX_STRING_BYTES})",
            s.len()
        ))),
        Lit::Array(items) => {
            if items.len() > MAX_ARRAY_LEN {
                return Err(ScriptError::TooBig(format!(
                    "an array of {} elements (limit {MAX_ARRAY_LEN})",
                    items.len()
                )));
            }
            items.iter().try_for_each(|i| check_limits(i, depth + 1))
        }
        Lit::Object(fields) => {
            if fields.len() > MAX_OBJECT_FIELDS {
                return Err(ScriptError::TooBig(format!(
                    "an object with {} properties (limit {MAX_OBJECT_FIELDS})",
                    fields.len()
                )));
            }
            fields
                .iter()
                .try_for_each(|(_, v)| check_limits(v, depth + 1))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_names_what_the_body_is() {
        assert_eq!(
            sniff(b"  <!DOCTYPE html><html>"),
            Err(ScriptError::NotJavaScript("an HTML page"))
        );
        assert_eq!(
            sniff(b"<HTML>"),
            Err(ScriptError::NotJavaScript("an HTML page"))
        );
        assert_eq!(
            sniff(b"<status/>"),
            Err(ScriptError::NotJavaScript("markup"))
        );
        assert_eq!(sniff(b" \n"), Err(ScriptError::NotJavaScript("empty")));
        assert_eq!(
            sniff(b"var a=1;\0"),
            Err(ScriptError::NotJavaScript("binary data"))
        );
        assert_eq!(sniff(b"var a = [];"), Ok(()));
    }

    #[test]
    fn limits_apply_to_every_level() {
        let long = Lit::Str("x".repeat(limits::MAX_STRING_BYTES + 1));
        assert!(check_limits(&Lit::Array(vec![Lit::Object(vec![("a".into(), long)])]), 0).is_err());
        assert!(check_limits(&Lit::Array(vec![Lit::Null; limits::MAX_ARRAY_LEN + 1]), 0).is_err());
        let mut deep = Lit::Null;
        for _ in 0..=limits::MAX_DEPTH {
            deep = Lit::Array(vec![deep]);
        }
        assert!(check_limits(&deep, 0).is_err());
        assert!(check_limits(&Lit::Array(vec![Lit::Str("ok".into())]), 0).is_ok());
    }
}
