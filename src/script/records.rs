//! The literal reader's records mode ([`super::read_data_records`]): the
//! statement walk of [`super::scan`] as for values, but a wanted array is
//! read one element at a time, and each object in it hands its wanted
//! fields to the [`Records`] sink as slices of the page, without a [`Lit`]
//! tree, a projection pass or a copy.
//!
//! What it keeps, cuts, notes and refuses is what [`super::read_data`]
//! does, charge for charge: the [`Limiter`] sees the same values in the same
//! order (the list, then each element; a record's fields in [`Var::fields`]'
//! order; anything that is not a string or a number read as a value and
//! limited whole). Two things differ in when, not in what:
//! - the literal reader meets the declarations in page order, and a later
//!   one replaces an earlier, so each variable is charged on a limiter of
//!   its own, reset with its value; the budget, which is the page's, is
//!   reckoned at the end in the order the variables were asked for, as
//!   [`super::read_data`] charges them;
//! - a value over a limit refuses the page only once the whole page has
//!   been walked: a page the walk refuses is refused for that first, as
//!   [`super::read_data`] does.

use std::ops::Range;

use super::lex::{self, Unescaped};
use super::literal::{Cursor, Lit, LitError};
use super::scan::{self, Declared};
use super::{
    depth_limit, in_var, limits, over_budget, project, Field, Found, Limiter, Records, ScriptError,
    Shape, Var, MAX_RECORD_FIELDS,
};

/// Reads `vars` from `src` into `sink` (see [`super::read_data_records`]).
pub(super) fn read(src: &str, vars: &[Var], sink: &mut dyn Records) -> Result<Found, ScriptError> {
    assert!(
        vars.iter().all(|v| v.fields.len() <= MAX_RECORD_FIELDS),
        "a record of more than {MAX_RECORD_FIELDS} fields"
    );
    let wanted: Vec<(&str, &[&str])> = vars.iter().map(|v| (v.name, v.fields)).collect();
    let mut reader = Reader {
        vars,
        keys: vars.iter().map(|v| Keys::new(v.fields)).collect(),
        sink,
        states: vars.iter().map(|_| State::default()).collect(),
        slots: Vec::new(),
        scratch: String::new(),
        others: Vec::new(),
    };
    // The error names the line and, through the message, the variable.
    scan::find_records(src, &wanted, &mut reader)
        .map_err(|e| ScriptError::Failed(e.to_string()))?;
    reader.finish()
}

/// A variable's value as read so far.
#[derive(Default)]
struct State {
    shape: Shape,
    limiter: Limiter,
    /// The first value over a limit, and what the variable had been
    /// charged by then: nothing more of it is charged or handed over.
    refused: Option<(usize, ScriptError)>,
}

impl State {
    /// Applies a step of the limits, unless the variable is refused already.
    fn limit<T>(&mut self, step: impl FnOnce(&mut Limiter) -> Result<T, ScriptError>) -> Option<T> {
        if self.refused.is_some() {
            return None;
        }
        match step(&mut self.limiter) {
            Ok(v) => Some(v),
            Err(e) => {
                self.refused = Some((self.limiter.spent, e));
                None
            }
        }
    }
}

/// Where a wanted field of the record being read is on the page.
#[derive(Clone, Copy)]
enum Slot {
    Absent,
    /// A quoted string: the page's bytes between `open` and `end`, quotes
    /// included.
    Str {
        open: usize,
        end: usize,
        escaped: bool,
    },
    /// Any other value, read again when the record is complete.
    Other {
        at: usize,
    },
}

/// Whether a string holds an escape: it reaches the sink as one run of the
/// page's text when it does not.
#[derive(Default)]
struct Escapes {
    runs: u32,
    chars: bool,
}

impl Unescaped for Escapes {
    #[inline]
    fn text(&mut self, _: &str, _: Range<usize>) {
        self.runs += 1;
    }

    #[inline]
    fn char(&mut self, _: char) {
        self.chars = true;
    }
}

struct Reader<'v, 's> {
    vars: &'v [Var<'v>],
    /// Per variable, its fields by key.
    keys: Vec<Keys>,
    sink: &'s mut dyn Records,
    states: Vec<State>,
    /// Per field of the record being read.
    slots: Vec<Slot>,
    /// The record's strings that hold escapes, unescaped one after another.
    scratch: String,
    /// The record's fields that are not strings, as values.
    others: Vec<Lit>,
}

impl<'a> Declared<'a> for Reader<'_, '_> {
    fn value(&mut self, c: &mut Cursor<'a>, var: usize, undefined: bool) -> Result<(), LitError> {
        self.sink.reset(var);
        self.states[var] = State::default();
        if c.peek() == Some(b'[') {
            self.states[var].shape = Shape::Array;
            return self.array(c, var);
        }
        let v = value(c, self.vars[var].fields, 0)?;
        if !undefined {
            let fields = self.vars[var].fields;
            let state = &mut self.states[var];
            state.shape = Shape::Other;
            state.limit(|l| l.limit(project(v, fields), 0));
        }
        Ok(())
    }
}

/// The value at the cursor, its objects keeping only `fields` (by a cursor
/// of its own: the walk's cursor keeps every field), the cursor past it.
fn value(c: &mut Cursor<'_>, fields: &[&str], depth: usize) -> Result<Lit, LitError> {
    let mut own = Cursor::new(c.src(), fields);
    own.pos = c.pos;
    let v = own.value_in(depth, true);
    c.pos = own.pos;
    v
}

impl Reader<'_, '_> {
    /// A wanted array, the cursor at its `[`: as `Cursor::array` reads it,
    /// as `Limiter::limit` charges it.
    fn array(&mut self, c: &mut Cursor<'_>, var: usize) -> Result<(), LitError> {
        c.pos += 1;
        self.states[var].limit(|l| {
            depth_limit(0)?;
            l.value()
        });
        let mut len = 0usize;
        let mut last_is_null = false;
        loop {
            c.skip_trivia()?;
            match c.peek() {
                Some(b']') => {
                    c.pos += 1;
                    break;
                }
                // A hole: `[,x]` or `[x,,y]`.
                Some(b',') => {
                    c.pos += 1;
                    if len < limits::MAX_ARRAY_LEN {
                        self.states[var].limit(|l| {
                            depth_limit(1)?;
                            l.value()
                        });
                    }
                    len += 1;
                    last_is_null = true;
                    continue;
                }
                _ => {}
            }
            last_is_null = if len >= limits::MAX_ARRAY_LEN {
                // Past the cut: only checked, and whether it is the hub's
                // trailing `null` (see `Limiter::array_len`).
                // Read as the value reader reads it (built, so a number it
                // cannot read exactly refuses the page here too).
                let null = is_null(c);
                value(c, self.vars[var].fields, 1)?;
                null
            } else if c.peek() == Some(b'{') {
                self.record(c, var)?;
                false
            } else {
                let fields = self.vars[var].fields;
                let v = value(c, fields, 1)?;
                let null = v == Lit::Null;
                self.states[var].limit(|l| l.limit(project(v, fields), 1));
                null
            };
            len += 1;
            c.skip_trivia()?;
            match c.peek() {
                Some(b',') => c.pos += 1,
                Some(b']') => {}
                None => return Err(c.err("unterminated array")),
                Some(_) => return Err(c.err("expected ',' or ']' in array")),
            }
        }
        let state = &mut self.states[var];
        if state.refused.is_none() {
            state.limiter.array_len(len as f64, || last_is_null);
        }
        Ok(())
    }

    /// An object element of a wanted array, the cursor at its `{`: read
    /// as `Cursor::object` reads it. The hub's own shapes (a plain name, a
    /// quoted string without escapes) are taken at a glance, byte by byte;
    /// anything else goes to the cursor, which reads it, or refuses it, as
    /// it would have anyway.
    fn record(&mut self, c: &mut Cursor<'_>, var: usize) -> Result<(), LitError> {
        let fields = self.vars[var].fields;
        let keys = &self.keys[var];
        self.slots.clear();
        self.slots.resize(fields.len(), Slot::Absent);
        let src = c.src();
        let b = src.as_bytes();
        c.pos += 1;
        loop {
            skip_trivia(c, b)?;
            let at = c.pos;
            // The key, through its `:`.
            let j = match b.get(at) {
                Some(b'}') => {
                    c.pos += 1;
                    break;
                }
                Some(&x) if lex::is_ident_start(x) => {
                    let end = ident_end(b, at);
                    let key = &b[at..end];
                    if key == b"__proto__" {
                        // Refused there, as the cursor refuses it.
                        c.key()?;
                    }
                    c.pos = end;
                    skip_trivia(c, b)?;
                    if b.get(c.pos) != Some(&b':') {
                        return Err(c.err("expected ':' after a property name"));
                    }
                    c.pos += 1;
                    skip_trivia(c, b)?;
                    keys.find(fields, key)
                }
                _ => match c.key()? {
                    Some(key) => keys.find(fields, key.as_bytes()),
                    None => break,
                },
            };
            // The value.
            let at = c.pos;
            match b.get(at) {
                Some(&q @ (b'\'' | b'"')) => {
                    let (end, escaped) = match plain_string_end(b, at, q) {
                        Some(end) => (end, false),
                        None => {
                            let mut escapes = Escapes::default();
                            lex::string(src, &mut c.pos, &mut escapes)?;
                            (c.pos, escapes.chars || escapes.runs > 1)
                        }
                    };
                    c.pos = end;
                    if let Some(j) = j {
                        self.slots[j] = Slot::Str {
                            open: at,
                            end,
                            escaped,
                        };
                    }
                }
                _ => {
                    // A wanted field is built as the value reader builds
                    // it (a number it cannot read exactly refuses the page
                    // at that number, before any later syntax error); an
                    // unwanted one is only checked, as there.
                    match j {
                        Some(_) => drop(value(c, self.vars[var].fields, 2)?),
                        None => drop(c.value_in(2, false)?),
                    }
                    if let Some(j) = j {
                        self.slots[j] = Slot::Other { at };
                    }
                }
            }
            // After the value, as `Cursor::end_member`.
            skip_trivia(c, b)?;
            match b.get(c.pos) {
                Some(b',') => c.pos += 1,
                Some(b'}') => {}
                None => return Err(c.err("unterminated object")),
                Some(_) => return Err(c.err("expected ',' or '}' in object")),
            }
        }
        if self.states[var].refused.is_some() {
            return Ok(());
        }
        self.keep(c, var)
    }

    /// Charges a complete record as `Limiter::limit` charges its object,
    /// and hands it over.
    fn keep(&mut self, c: &mut Cursor<'_>, var: usize) -> Result<(), LitError> {
        let fields = self.vars[var].fields;
        let src = c.src();
        // What is not a slice of the page: strings with escapes, and
        // values that are not strings.
        self.scratch.clear();
        self.others.clear();
        let mut ranges = [(0, 0); MAX_RECORD_FIELDS];
        for (j, slot) in self.slots.iter().enumerate() {
            match *slot {
                Slot::Absent => {}
                Slot::Str {
                    open,
                    end,
                    escaped: false,
                } => ranges[j] = (open + 1, end - 1),
                Slot::Str { open, .. } => {
                    let start = self.scratch.len();
                    let mut at = open;
                    lex::string(src, &mut at, &mut self.scratch)?;
                    ranges[j] = (start, self.scratch.len());
                }
                Slot::Other { at } => {
                    let saved = c.pos;
                    c.pos = at;
                    let v = value(c, fields, 2);
                    c.pos = saved;
                    ranges[j] = (self.others.len(), 0);
                    self.others.push(v?);
                }
            }
        }
        let state = &mut self.states[var];
        let mut out = [Field::None; MAX_RECORD_FIELDS];
        let (slots, scratch, others) = (&self.slots, &self.scratch, &mut self.others);
        let kept = state.limit(|l| {
            depth_limit(1)?;
            l.value()?;
            for (j, slot) in slots.iter().enumerate() {
                let (start, end) = ranges[j];
                out[j] = match *slot {
                    Slot::Absent => continue,
                    Slot::Str { escaped, .. } => {
                        depth_limit(2)?;
                        let text = if escaped {
                            &scratch[start..end]
                        } else {
                            &src[start..end]
                        };
                        let (keep, cut) = l.string_field(fields[j], text, false)?;
                        Field::Str {
                            text: if cut { &text[..keep] } else { text },
                            cut,
                        }
                    }
                    Slot::Other { .. } => {
                        l.key(fields[j])?;
                        let v = std::mem::replace(&mut others[start], Lit::Null);
                        others[start] = l.limit(v, 2)?;
                        Field::None
                    }
                };
            }
            Ok(())
        });
        if kept.is_some() {
            // Numbers, now that the values are final.
            for (j, slot) in self.slots.iter().enumerate() {
                if let Slot::Other { .. } = slot {
                    out[j] = Field::of(&self.others[ranges[j].0]);
                }
            }
            self.sink.record(var, &out[..fields.len()]);
        }
        Ok(())
    }

    /// The variables as `read_data` would have limited them, in the order
    /// asked for: the first refusal, or the notes.
    fn finish(self) -> Result<Found, ScriptError> {
        let mut spent = 0;
        let mut notes = Vec::new();
        let mut shapes = Vec::with_capacity(self.vars.len());
        for (var, state) in self.vars.iter().zip(self.states) {
            shapes.push(state.shape);
            if state.shape == Shape::Undefined {
                continue;
            }
            // The budget is the page's: a refusal of this variable came
            // later than the point where the variables before it and what
            // it had been charged by then went over.
            let named = in_var(var.name);
            if let Some((at, e)) = state.refused {
                return Err(named(if spent + at > limits::MAX_COPIED_BYTES {
                    over_budget()
                } else {
                    e
                }));
            }
            spent += state.limiter.spent;
            if spent > limits::MAX_COPIED_BYTES {
                return Err(named(over_budget()));
            }
            let mut limiter = state.limiter;
            limiter.finish(var.name);
            notes.extend(limiter.into_notes());
        }
        Ok(Found { shapes, notes })
    }
}

/// A record's wanted fields by key: a key is hashed (its length and first
/// byte) to the one field it can be, so that each of a record's keys is
/// matched by one comparison, not one per field (callgrind: 0.4 M
/// instructions a 250-device page less).
struct Keys {
    table: [u8; 64],
    /// The hash's multiplier, chosen so that the fields' hashes differ.
    k: usize,
}

/// In [`Keys`]: no field hashes here, or more than one does.
const NONE: u8 = u8::MAX;
const MANY: u8 = u8::MAX - 1;

impl Keys {
    fn new(fields: &[&str]) -> Self {
        let build = |k: usize| {
            let mut table = [NONE; 64];
            let mut clash = false;
            for (j, f) in fields.iter().enumerate() {
                let slot = &mut table[Self::hash(k, f.as_bytes())];
                clash |= *slot != NONE;
                *slot = if *slot == NONE { j as u8 } else { MANY };
            }
            (Keys { table, k }, clash)
        };
        // An odd multiplier that keeps the fields apart, if one does;
        // else the last tried, whose clashes are searched.
        let mut keys = build(1).0;
        for k in (3..64).step_by(2) {
            let (tried, clash) = build(k);
            keys = tried;
            if !clash {
                break;
            }
        }
        keys
    }

    #[inline(always)]
    fn hash(k: usize, key: &[u8]) -> usize {
        (key.len() * k + usize::from(key.first().copied().unwrap_or(0))) & 63
    }

    /// Which of `fields` (those it was made from) `key` is, if any.
    #[inline(always)]
    fn find(&self, fields: &[&str], key: &[u8]) -> Option<usize> {
        match self.table[Self::hash(self.k, key)] {
            NONE => None,
            MANY => fields.iter().position(|f| f.as_bytes() == key),
            j => (fields[usize::from(j)].as_bytes() == key).then_some(usize::from(j)),
        }
    }
}

/// `Cursor::skip_trivia`, with the common case (the next byte starts a
/// token) decided here.
#[inline(always)]
fn skip_trivia(c: &mut Cursor<'_>, b: &[u8]) -> Result<(), LitError> {
    match b.get(c.pos) {
        Some(&x) if lex::is_token_byte(x) => Ok(()),
        _ => c.skip_trivia(),
    }
}

/// `lex::ident_end`, inlined into the record loop.
#[inline(always)]
fn ident_end(b: &[u8], start: usize) -> usize {
    let mut end = start + 1;
    while b.get(end).is_some_and(|&x| lex::is_ident_part(x)) {
        end += 1;
    }
    end
}

/// Past the closing quote of the string whose `quote` opens at `open`, when
/// nothing in it needs `lex::string`: no escape, no line break (an error),
/// and an end before the page's. Eight bytes at a time: the page's lists
/// are mostly strings (callgrind: 0.3 M instructions a 250-device page
/// less than a byte at a time).
#[inline(always)]
fn plain_string_end(b: &[u8], open: usize, quote: u8) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // The bytes of `w` equal to `x`, as their high bits; the lowest is
    // exact (a borrow can only mark bytes above a true one).
    let equal = |w: u64, x: u8| {
        let v = w ^ (ONES * u64::from(x));
        v.wrapping_sub(ONES) & !v & HIGH
    };
    let mut i = open + 1;
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        let stop = equal(w, quote) | equal(w, b'\\') | equal(w, b'\n') | equal(w, b'\r');
        if stop != 0 {
            i += (stop.trailing_zeros() / 8) as usize;
            return (b[i] == quote).then_some(i + 1);
        }
        i += 8;
    }
    while let Some(&x) = b.get(i) {
        if x == quote {
            return Some(i + 1);
        }
        if matches!(x, b'\\' | b'\n' | b'\r') {
            return None;
        }
        i += 1;
    }
    None
}

/// Whether the value at the cursor is `null` or `undefined`.
fn is_null(c: &Cursor<'_>) -> bool {
    let b = c.src().as_bytes();
    let end = lex::ident_end(b, c.pos);
    matches!(&b[c.pos..end], b"null" | b"undefined")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_string_ends_where_the_lexer_ends_it() {
        let pieces = ["a", "%2E", "'", "\"", "\\", "\n", "\r", "é", "12345678"];
        let mut bodies = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = bodies
                .iter()
                .flat_map(|b| pieces.iter().map(move |p| format!("{b}{p}")))
                .collect();
            bodies.extend(longer);
        }
        for body in &bodies {
            for quote in [b'\'', b'"'] {
                let page = format!("x{}{body}", quote as char);
                let b = page.as_bytes();
                let mut end = 1;
                let lexed = lex::string(&page, &mut end, &mut lex::Check).map(|()| end);
                match plain_string_end(b, 1, quote) {
                    Some(at) => assert_eq!(lexed, Ok(at), "{page:?}"),
                    // Escapes and errors go to the lexer.
                    None => assert!(
                        page[2..].contains(['\\', '\n', '\r']) || lexed.is_err(),
                        "{page:?}"
                    ),
                }
            }
        }
    }

    #[test]
    fn keys_find_their_field_by_hash_and_bytes() {
        let fields: &[&str] = &[
            "mac",
            "hostname",
            "ip",
            "name",
            "activity",
            "os",
            "device",
            "port",
            "nick",
            "n",
            "activity_ip",
            "activity_ipv6_ll",
            "activity_ipv6",
        ];
        let keys = Keys::new(fields);
        let mut probes: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        probes
            .extend(["", "x", "ipv6", "time_first_seen", "nam", "namex", "Mac"].map(String::from));
        for len in 0..20 {
            for first in [b'a', b'n', b'm', b'z'] {
                probes.push(String::from_utf8(vec![first; len]).unwrap());
            }
        }
        for p in &probes {
            let want = fields.iter().position(|f| f == p);
            assert_eq!(keys.find(fields, p.as_bytes()), want, "{p:?}");
        }
    }
}
