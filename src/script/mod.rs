//! Reading named variables out of the hub's JavaScript pages.
//!
//! Two readers give the same answer, a [`Lit`] per name, or, for lists of
//! records ([`read_records`]), each record's wanted fields handed to a
//! [`Records`] sink as they are met:
//! - [`quickjs`] (cargo feature `js`, the default) runs the page in a fresh
//!   QuickJS runtime with memory, stack and time limits, as a browser would;
//! - the literal reader ([`read_data`]) walks the page's top-level
//!   statements ([`scan`]) and parses each declared value as a literal
//!   ([`literal`]) without executing anything.
//!
//! Both apply the same [`limits`] to what they hand back, the same way
//! ([`Limiter`]): a string or an array over its limit is cut and noted, not
//! refused, so one device named with an essay cannot lose every device; what
//! cannot be cut (nesting, the total copied) is refused. The rest of the
//! program never sees a value bigger than those bounds, whichever reader ran.

use std::fmt;
use std::time::Instant;

pub use literal::Lit;

mod lex;
pub mod literal;
#[cfg(feature = "js")]
pub mod quickjs;
mod records;
pub mod scan;

/// How deep the literal reader and the statement walk recurse into brackets
/// and parentheses before refusing: the hub nests two levels, and a hostile
/// page must not recurse a reader off the stack. (What a value may hand back
/// is bounded far lower, by [`limits::MAX_VALUE_DEPTH`].)
pub const MAX_PARSE_DEPTH: usize = 16;

/// Bounds on what a page may hand back.
pub mod limits {
    /// Elements kept of one array (a home network has tens to a few hundred
    /// devices; the hub's own lists stop at 256 entries). Longer arrays are
    /// cut to this.
    pub const MAX_ARRAY_LEN: usize = 4096;
    /// Properties read from one object (a device record has 21).
    pub const MAX_OBJECT_FIELDS: usize = 64;
    /// Bytes kept of one string value (percent-encoded, so 3 bytes per
    /// character of a name at worst). Longer strings are cut to this, on a
    /// character boundary, and marked ([`super::Lit::Cut`]): at least 1,364
    /// decoded bytes are left, ten times a label's 128, so a label made from
    /// a cut string is the label the whole string would make.
    pub const MAX_STRING_BYTES: usize = 4096;
    /// Nesting of arrays and objects in a value handed back (the pages nest
    /// two).
    pub const MAX_VALUE_DEPTH: usize = 4;
    /// What all the values read from one page may add up to, counted as
    /// [`super::Limiter`] does (about what they occupy in memory). A page
    /// written as literals costs at most about twice its size, so a whole
    /// 4,096-device page (under 4 MiB) fits; a page that computes its
    /// lists (one 1 MB string in every record, say) is refused here rather
    /// than costing gigabytes.
    pub const MAX_COPIED_BYTES: usize = 8 << 20;
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
    /// A value broke one of the [`limits`] that cannot be cut.
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

/// What a reader found: a value per name asked for (`None` for a name the
/// page does not define), and notes on what was cut or tolerated (for the
/// log: the readers are pure and log nothing above debug level).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values {
    pub values: Vec<Option<Lit>>,
    pub notes: Vec<String>,
}

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

    /// Whole variables, one per name.
    pub fn each(names: &[&'a str]) -> Vec<Self> {
        names.iter().map(|n| Var::all(n)).collect()
    }
}

/// Reads `vars` from a page with the reader this build has: QuickJS runs
/// the page (cargo feature `js`), or, without it, the literal reader reads
/// it as data. A name the page does not declare reads as `None`.
pub fn read(src: &[u8], vars: &[Var], deadline: Instant) -> Result<Values, ScriptError> {
    #[cfg(feature = "js")]
    {
        sniff(src)?;
        quickjs::read(src, vars, deadline)
    }
    #[cfg(not(feature = "js"))]
    {
        let _ = deadline; // the literal reader is linear in the capped body
        read_data(src, vars)
    }
}

/// A wanted field of a record, as a records reader hands it to its sink:
/// what a page module can make of it. The string borrows the page (or the
/// engine's copy of it) only for the call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    /// Absent, or neither a string nor a number (`null`, a boolean, an
    /// array, an object, a function): no text.
    None,
    Num(f64),
    /// JS-unescaped, not percent-decoded, as [`Lit::Str`]; `cut` as
    /// [`Lit::Cut`]: the first [`limits::MAX_STRING_BYTES`] of a longer one.
    Str {
        text: &'a str,
        cut: bool,
    },
}

impl<'a> Field<'a> {
    /// The field as the [`Lit`] a value reader would have kept.
    pub fn of(v: &'a Lit) -> Field<'a> {
        match v {
            Lit::Num(n) => Field::Num(*n),
            Lit::Str(s) => Field::Str {
                text: s,
                cut: false,
            },
            Lit::Cut(s) => Field::Str { text: s, cut: true },
            _ => Field::None,
        }
    }
}

/// Where a records reader hands what it reads: every element of a wanted
/// variable's array that is an object, as its fields in [`Var::fields`]'
/// order. The limits apply as they do to [`read`]'s values: a sink sees
/// only what a value reader would have kept, and nothing of a read that
/// fails counts.
pub trait Records {
    /// Variable `var` (an index into the `vars` read) takes a new value:
    /// what it held before is gone (a page may declare a list twice, and the
    /// literal reader meets the declarations in page order).
    fn reset(&mut self, var: usize);
    /// One record of `var`'s array, `fields[i]` being its `Var::fields[i]`.
    fn record(&mut self, var: usize, fields: &[Field<'_>]);
}

/// What a wanted variable holds, for a records reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// Not declared, or `undefined`.
    #[default]
    Undefined,
    /// An array: its records went to the sink.
    Array,
    /// Any other value.
    Other,
}

/// What a records reader found besides the records: each variable's
/// shape, in the order asked for, and the notes ([`Values::notes`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Found {
    pub shapes: Vec<Shape>,
    pub notes: Vec<String>,
}

/// The most fields a records reader hands over per record.
pub const MAX_RECORD_FIELDS: usize = 16;

/// Reads the lists `vars` name, as [`read`] does, handing each record to
/// `sink` as it is read rather than building the values: nothing but the
/// wanted fields is copied, and those only for the call. The cuts, the
/// limits, the notes and the errors are [`read`]'s, whichever reader this
/// build has (a test and the fuzz targets compare the two ways). The
/// engine runs the page where it is, so `page` may be left changed (see
/// `quickjs::read_records`).
// A `Vec`, not a slice, in both builds: the engine needs room for a NUL.
#[cfg_attr(not(feature = "js"), allow(clippy::ptr_arg))]
pub fn read_records(
    page: &mut Vec<u8>,
    vars: &[Var],
    deadline: Instant,
    sink: &mut dyn Records,
) -> Result<Found, ScriptError> {
    #[cfg(feature = "js")]
    {
        sniff(page)?;
        quickjs::read_records(page, vars, deadline, sink)
    }
    #[cfg(not(feature = "js"))]
    {
        let _ = deadline; // the literal reader is linear in the capped body
        read_data_records(page, vars, sink)
    }
}

/// [`read_records`] with the literal reader, whatever the build: as
/// [`read_data`] reads values.
pub fn read_data_records(
    src: &[u8],
    vars: &[Var],
    sink: &mut dyn Records,
) -> Result<Found, ScriptError> {
    sniff(src)?;
    let text = match std::str::from_utf8(src) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(src),
    };
    records::read(&text, vars, sink)
}

/// Keeps only `fields` of every object in `v`, in that order (the literal
/// reader's half of [`Var::fields`]; the engine's half reads only those).
fn project(v: Lit, fields: &[&str]) -> Lit {
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

/// Reads `vars` from a page that is only data (literal `var`s and
/// `addCfg` calls) with the literal reader, whatever the build: nothing on
/// the page runs. The status and mesh pages are such pages; only the device
/// page, which the Go exporter evaluated and which is what `js` is for, goes
/// through the engine. So with `lan` off no JavaScript runs, and the 128 KB
/// mesh page costs a third of what compiling it would (callgrind: 24.7 M
/// against 77.9 M instructions at 250 stations).
///
/// The literal reader walks the page's top-level statements ([`scan`]) and
/// reads each declared value as a literal. It cannot run code, so a page
/// that builds or changes its lists with code (`push`, an assignment, a
/// loop) is refused, naming the line, rather than guessed at.
pub fn read_data(src: &[u8], vars: &[Var]) -> Result<Values, ScriptError> {
    sniff(src)?;
    // Lossy: a stray non-UTF-8 byte outside the lists must not sink the page;
    // inside a string it becomes U+FFFD, as the JS engine reads it.
    let text = match std::str::from_utf8(src) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(src),
    };
    let wanted: Vec<(&str, &[&str])> = vars.iter().map(|v| (v.name, v.fields)).collect();
    // The error names the line and, through the message, the variable.
    let found = scan::find_vars(&text, &wanted).map_err(|e| ScriptError::Failed(e.to_string()))?;
    // The fields were picked while parsing; `project` puts them in the
    // order asked for, as the engine's reader gives them, and the limiter
    // cuts what the engine's reader would cut.
    let mut limiter = Limiter::new();
    let values = vars
        .iter()
        .zip(found)
        .map(|(&Var { name, fields }, v)| {
            let Some(v) = v else { return Ok(None) };
            let v = limiter.limit(project(v, fields), 0).map_err(in_var(name))?;
            limiter.finish(name);
            Ok(Some(v))
        })
        .collect::<Result<Vec<Option<Lit>>, ScriptError>>()?;
    Ok(Values {
        values,
        notes: limiter.into_notes(),
    })
}

/// Refuses bodies that are obviously not a script, so the error says what
/// the hub sent instead of reporting a syntax error.
///
/// A NUL or a byte that is not UTF-8 is no reason: a browser reads a NUL in
/// a string or a comment as a character, and decodes a stray byte as U+FFFD
/// (both readers do the same). What is refused is a body that a browser
/// could not run from its first character on: markup, nothing, or one that
/// starts with a control character or a byte no UTF-8 text starts with
/// (a compressed or binary body).
pub fn sniff(src: &[u8]) -> Result<(), ScriptError> {
    let start = src
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .map_or(&[][..], |i| &src[i..]);
    let lower: Vec<u8> = start.iter().take(16).map(u8::to_ascii_lowercase).collect();
    if lower.starts_with(b"<!doctype") || lower.starts_with(b"<html") || lower.starts_with(b"<head")
    {
        return Err(ScriptError::NotJavaScript("an HTML page"));
    }
    if lower.starts_with(b"<?xml") || lower.starts_with(b"<") {
        return Err(ScriptError::NotJavaScript("markup"));
    }
    match start.first() {
        None => Err(ScriptError::NotJavaScript("empty")),
        Some(&b) if b < 0x20 || b == 0x7f || (0x80..0xc2).contains(&b) || b >= 0xf5 => {
            Err(ScriptError::NotJavaScript("binary data"))
        }
        Some(_) => Ok(()),
    }
}

/// Checks that a value is within the [`limits`]: what both readers hand
/// back always is (the fuzz targets assert it).
pub fn check_limits(v: &Lit, depth: usize) -> Result<(), ScriptError> {
    use limits::*;
    depth_limit(depth)?;
    match v {
        Lit::Str(s) | Lit::Cut(s) if s.len() > MAX_STRING_BYTES => Err(ScriptError::TooBig(
            format!("a string of {} bytes (limit {MAX_STRING_BYTES})", s.len()),
        )),
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
            fields_limit(fields.len())?;
            fields
                .iter()
                .try_for_each(|(_, v)| check_limits(v, depth + 1))
        }
        _ => Ok(()),
    }
}

/// The nesting limit, a refusal in both readers (a value nested deeper
/// than any page's is no data to cut).
pub(crate) fn depth_limit(depth: usize) -> Result<(), ScriptError> {
    if depth > limits::MAX_VALUE_DEPTH {
        return Err(ScriptError::TooBig(format!(
            "nested deeper than {}",
            limits::MAX_VALUE_DEPTH
        )));
    }
    Ok(())
}

/// The properties-per-object limit, a refusal in both readers.
pub(crate) fn fields_limit(n: usize) -> Result<(), ScriptError> {
    if n > limits::MAX_OBJECT_FIELDS {
        return Err(ScriptError::TooBig(format!(
            "an object with {n} properties (limit {})",
            limits::MAX_OBJECT_FIELDS
        )));
    }
    Ok(())
}

/// The cuts and the budget both readers apply, in one place so that they
/// apply them identically: the same strings cut at the same byte, the same
/// arrays cut, the same notes, the same refusals.
///
/// The literal reader runs it over the values it parsed ([`Limiter::limit`]);
/// the engine's reader calls the same steps while copying, so that nothing
/// over the limits is ever built.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    /// Bytes charged so far, for the whole page (see [`limits::MAX_COPIED_BYTES`]).
    spent: usize,
    /// Of the variable being read: strings cut, arrays cut, and the
    /// longest array.
    strings_cut: usize,
    arrays_cut: usize,
    longest: f64,
    notes: Vec<String>,
}

/// What one value costs against the budget: a [`Lit`] node, about.
const VALUE_COST: usize = std::mem::size_of::<Lit>();
/// What one object field costs besides its value and its key's bytes.
const FIELD_COST: usize = std::mem::size_of::<String>();

impl Limiter {
    pub(crate) fn new() -> Self {
        Limiter::default()
    }

    /// Charges one value (of any type) against the budget.
    pub(crate) fn value(&mut self) -> Result<(), ScriptError> {
        self.charge(VALUE_COST)
    }

    /// Charges one object field's key.
    pub(crate) fn key(&mut self, key: &str) -> Result<(), ScriptError> {
        self.charge(FIELD_COST + key.len())
    }

    fn charge(&mut self, bytes: usize) -> Result<(), ScriptError> {
        self.spent += bytes;
        if self.spent > limits::MAX_COPIED_BYTES {
            return Err(over_budget());
        }
        Ok(())
    }

    /// A string as kept: whole, or cut to [`limits::MAX_STRING_BYTES`] on a
    /// character boundary. `longer` says the string went on past `s` (the
    /// engine's reader hands over only a prefix of a long string).
    pub(crate) fn string(&mut self, mut s: String, longer: bool) -> Result<Lit, ScriptError> {
        let (keep, cut) = self.cut(&s, longer)?;
        s.truncate(keep);
        Ok(if cut { Lit::Cut(s) } else { Lit::Str(s) })
    }

    /// A record's field holding a string: [`Limiter::key`],
    /// [`Limiter::value`] and [`Limiter::cut`] at once (the same charges in
    /// one check: a record's strings are most of what a page hands over).
    pub(crate) fn string_field(
        &mut self,
        key: &str,
        s: &str,
        longer: bool,
    ) -> Result<(usize, bool), ScriptError> {
        let cut = longer || s.len() > limits::MAX_STRING_BYTES;
        let keep = if cut {
            self.strings_cut += 1;
            cut_point(s, limits::MAX_STRING_BYTES)
        } else {
            s.len()
        };
        self.charge(FIELD_COST + key.len() + VALUE_COST + keep)?;
        Ok((keep, cut))
    }

    /// [`Limiter::string`] of a borrowed string: how many of its bytes are
    /// kept, and whether it was cut.
    pub(crate) fn cut(&mut self, s: &str, longer: bool) -> Result<(usize, bool), ScriptError> {
        let cut = longer || s.len() > limits::MAX_STRING_BYTES;
        let keep = if cut {
            self.strings_cut += 1;
            cut_point(s, limits::MAX_STRING_BYTES)
        } else {
            s.len()
        };
        self.charge(keep)?;
        Ok((keep, cut))
    }

    /// How many elements of an array of `len` to keep. The elements past
    /// [`limits::MAX_ARRAY_LEN`] are dropped, and noted unless the only one
    /// is a trailing `null`: the hub ends each list with one, so a full list
    /// of 4,096 devices has 4,097 elements and loses nothing.
    pub(crate) fn array_len(&mut self, len: f64, last_is_null: impl FnOnce() -> bool) -> usize {
        let max = limits::MAX_ARRAY_LEN;
        if len <= max as f64 {
            return len.max(0.0) as usize;
        }
        if !(len == (max + 1) as f64 && last_is_null()) {
            self.arrays_cut += 1;
            self.longest = self.longest.max(len);
        }
        max
    }

    /// Closes the variable `name`: its cuts become notes.
    pub(crate) fn finish(&mut self, name: &str) {
        use limits::*;
        match std::mem::take(&mut self.strings_cut) {
            0 => {}
            1 => self.notes.push(format!(
                "{name}: a string longer than {MAX_STRING_BYTES} bytes was cut"
            )),
            n => self.notes.push(format!(
                "{name}: {n} strings longer than {MAX_STRING_BYTES} bytes were cut"
            )),
        }
        let longest = std::mem::take(&mut self.longest);
        match std::mem::take(&mut self.arrays_cut) {
            0 => {}
            1 => self.notes.push(format!(
                "{name}: an array of {longest} elements was cut to {MAX_ARRAY_LEN}"
            )),
            n => self.notes.push(format!(
                "{name}: {n} arrays longer than {MAX_ARRAY_LEN} elements (the longest {longest}) were cut to {MAX_ARRAY_LEN}"
            )),
        }
    }

    pub(crate) fn into_notes(self) -> Vec<String> {
        self.notes
    }

    /// Applies the limits to a parsed value, as the engine's reader applies
    /// them while copying: the same order of charges, the same cuts.
    pub(crate) fn limit(&mut self, v: Lit, depth: usize) -> Result<Lit, ScriptError> {
        depth_limit(depth)?;
        self.value()?;
        match v {
            Lit::Str(s) | Lit::Cut(s) => self.string(s, false),
            Lit::Array(mut items) => {
                let keep = self.array_len(items.len() as f64, || items.last() == Some(&Lit::Null));
                items.truncate(keep);
                items
                    .into_iter()
                    .map(|i| self.limit(i, depth + 1))
                    .collect::<Result<_, _>>()
                    .map(Lit::Array)
            }
            Lit::Object(fields) => {
                fields_limit(fields.len())?;
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        self.key(&k)?;
                        Ok((k, self.limit(v, depth + 1)?))
                    })
                    .collect::<Result<_, _>>()
                    .map(Lit::Object)
            }
            other => Ok(other),
        }
    }
}

/// Whether a line is the hub's own `addCfg("name",123,'value');` and
/// nothing else ([`inert_addcfg_at`]).
#[cfg(test)]
pub(crate) fn is_inert_addcfg(line: &[u8]) -> bool {
    let line = line.trim_ascii();
    inert_addcfg_at(line, 0).is_some_and(|(_, end)| end == line.len())
}

/// The hub's own `addCfg("name",123,'value');` starting at `b[at]`, with
/// nothing but white space after it on its line: a name of word characters,
/// a decimal id, and a value without quotes or escapes (the hub
/// percent-encodes them). Where it ends (past its `;`) and where its line
/// does (the line break, or the end of `b`). Both readers know it at a
/// glance: the engine's is blanked out before the page runs, the literal
/// reader's statement walk steps over it. One pass, byte by byte: the
/// device page holds ~480 of them.
pub(crate) fn inert_addcfg_at(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let n = b.len();
    let head = b.get(at..at + 8)?;
    if u64::from_le_bytes(head.try_into().ok()?) != u64::from_le_bytes(*b"addCfg(\"") {
        return None;
    }
    let mut i = at + 8;
    while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
        i += 1;
    }
    if i + 1 >= n || b[i] != b'"' || b[i + 1] != b',' {
        return None;
    }
    i += 2;
    let digits = i;
    while i < n && b[i].is_ascii_digit() {
        i += 1;
    }
    if i == digits || i + 1 >= n || b[i] != b',' || b[i + 1] != b'\'' {
        return None;
    }
    i += 2;
    while i < n && !matches!(b[i], b'\'' | b'\\' | b'"') && b[i] >= b' ' {
        i += 1;
    }
    if i + 2 >= n || b[i] != b'\'' || b[i + 1] != b')' || b[i + 2] != b';' {
        return None;
    }
    let end = i + 3;
    i = end;
    while i < n && matches!(b[i], b' ' | b'\t' | b'\r' | 0x0c) {
        i += 1;
    }
    (i == n || b[i] == b'\n').then_some((end, i))
}

/// The refusal when the values read add up to more than
/// [`limits::MAX_COPIED_BYTES`].
fn over_budget() -> ScriptError {
    ScriptError::TooBig(format!(
        "the values add up to more than {} MiB",
        limits::MAX_COPIED_BYTES >> 20
    ))
}

/// The largest character boundary of `s` at or below `max`.
pub fn cut_point(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Names the variable in a [`ScriptError::TooBig`].
pub(crate) fn in_var(name: &str) -> impl Fn(ScriptError) -> ScriptError + '_ {
    move |e| match e {
        ScriptError::TooBig(m) => ScriptError::TooBig(format!("{name}: {m}")),
        other => other,
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
        assert_eq!(sniff(b"var a='\0';\0"), Ok(()));
        assert_eq!(sniff(b"var a='\xe9';"), Ok(()));
        for binary in [
            &b"\x1f\x8b\x08\0"[..],
            b"\0var a;",
            b"\x89PNG",
            b"\xff\xfev\0a\0r\0",
        ] {
            assert_eq!(
                sniff(binary),
                Err(ScriptError::NotJavaScript("binary data")),
                "{binary:?}"
            );
        }
        assert_eq!(sniff(b"\x0b\xef\xbb\xbfvar a;"), Ok(()));
        assert_eq!(sniff(b"var a = [];"), Ok(()));
    }

    /// [`is_inert_addcfg`] as first written, a search at a time.
    fn inert_as_first_written(line: &[u8]) -> bool {
        let line = line.trim_ascii();
        let Some(rest) = line.strip_prefix(b"addCfg(\"") else {
            return false;
        };
        let Some(name_end) = rest.iter().position(|&b| b == b'"') else {
            return false;
        };
        if !rest[..name_end]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            return false;
        }
        let Some(rest) = rest[name_end + 1..].strip_prefix(b",") else {
            return false;
        };
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        let Some(rest) = rest[digits..].strip_prefix(b",'") else {
            return false;
        };
        let Some(value_end) = rest.iter().position(|&b| b == b'\'') else {
            return false;
        };
        if rest[..value_end]
            .iter()
            .any(|&b| b == b'\\' || b == b'"' || b < b' ')
        {
            return false;
        }
        rest[value_end + 1..] == *b");"
    }

    #[test]
    fn the_inert_addcfg_shape_is_read_as_first_written() {
        let pieces = [
            "addCfg(\"",
            "a_1",
            "\"",
            ",",
            "12",
            ",'",
            "v%2E",
            "'",
            ");",
            " ",
            "\t",
            "\\",
            "\"",
            "'",
            "x",
            "\u{7}",
            "é",
            ")",
            ";",
            "(",
        ];
        let mut lines = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = lines
                .iter()
                .flat_map(|l| pieces.iter().map(move |p| format!("{l}{p}")))
                .collect();
            lines.extend(longer);
        }
        // And every line one edit away from an inert one.
        let base = ["addCfg(\"", "a_1", "\"", ",", "12", ",'", "v%2E", "'", ");"];
        for i in 0..=base.len() {
            for p in pieces.iter().chain([&""]) {
                let mut replaced = base.to_vec();
                let mut inserted = base.to_vec();
                inserted.insert(i, p);
                if i < base.len() {
                    replaced[i] = p;
                }
                lines.push(replaced.concat());
                lines.push(format!(" {}\r", inserted.concat()));
            }
        }
        lines.push("addCfg(\"\",1,'');".into());
        let mut inert = 0;
        for line in &lines {
            let want = inert_as_first_written(line.as_bytes());
            assert_eq!(is_inert_addcfg(line.as_bytes()), want, "{line:?}");
            inert += usize::from(want);
        }
        assert!(inert >= 50, "{inert}");
    }

    #[test]
    fn limits_apply_to_every_level() {
        let long = Lit::Str("x".repeat(limits::MAX_STRING_BYTES + 1));
        assert!(check_limits(&Lit::Array(vec![Lit::Object(vec![("a".into(), long)])]), 0).is_err());
        assert!(check_limits(&Lit::Array(vec![Lit::Null; limits::MAX_ARRAY_LEN + 1]), 0).is_err());
        let mut deep = Lit::Null;
        for _ in 0..=limits::MAX_VALUE_DEPTH {
            deep = Lit::Array(vec![deep]);
        }
        assert!(check_limits(&deep, 0).is_err());
        assert!(check_limits(&Lit::Array(vec![Lit::Str("ok".into())]), 0).is_ok());
    }
}
