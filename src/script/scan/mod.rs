//! Reads the variables a page declares by walking its top-level statements
//! the way a browser would run them, without running anything; a statement
//! whose effect it cannot know exactly makes the page an error naming its
//! line, so it never reports a value the page's JavaScript would not leave.
//!
//! Accepted at top level, each read exactly as JavaScript runs it:
//! - `var`/`let`/`const` declarations (comma lists, with or without a value;
//!   a later value wins, `var x;` alone keeps the old one). A wanted name's
//!   value must be a literal ([`Cursor`]); any other name's may also be one of
//!   the expressions real pages hold (`parseInt("0") && parseInt("1")`), which
//!   can neither throw nor run page code. `let`/`const` redeclaring a name is a
//!   SyntaxError in a browser (nothing on the page runs), so it is refused.
//! - `function NAME(…) { … }`: it does not run, so its parameters and body
//!   are skipped ([`function`]). No hub page holds a function; one whose
//!   code mentions a wanted variable is refused.
//! - `addCfg(<literals>)`: the hub's no-op (the sandbox defines it so).
//! - empty statements and comments, with automatic semicolon insertion.
//!
//! Anything else (an assignment, `list.push(…)`, `if`, a call) is code, and
//! refused. The scanner may refuse more than a browser would, never less.
//!
//! Written by hand: a JavaScript parser crate costs more flash than the
//! engine the `-nojs` build leaves out (`ressa` parsing a page adds 546 KB
//! to a scratch program, x86_64, the release profile, stripped), and this
//! one only needs the statements the hub's data pages hold. It makes one pass over the tokens of [`lex`],
//! allocates nothing per token, and hands each value to the literal parser
//! at its first byte.

use std::collections::HashMap;
use std::fmt;

use crate::script::lex::{self, LexError, Tok, TokenKind};
use crate::script::literal::{Cursor, Lit, LitError};

mod function;

/// A page the scanner refuses, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanError {
    /// 1-based line of the page.
    pub(crate) line: usize,
    pub(crate) msg: String,
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

impl std::error::Error for ScanError {}

impl ScanError {
    /// An error about byte `at` of `src`.
    #[cold]
    fn at(src: &str, at: usize, msg: String) -> Self {
        ScanError {
            line: lex::line_of(src.as_bytes(), at),
            msg,
        }
    }

    #[cold]
    fn lex(src: &str, e: LexError) -> Self {
        ScanError::at(src, e.at(), e.message(src).into_owned())
    }
}

/// The names a caller reads, each with the object fields to keep.
type Wanted<'a> = &'a [(&'a str, &'a [&'a str])];

fn wants(wanted: Wanted<'_>, name: &str) -> bool {
    wanted.iter().any(|(w, _)| *w == name)
}

/// The value the page leaves in `name` (see [`find_vars`]).
pub fn find_var(src: &str, name: &str) -> Result<Option<Lit>, ScanError> {
    find_vars(src, &[(name, &[])]).map(|mut found| found.pop().flatten())
}

/// The value each wanted name holds once the page has run: `None` for a name
/// the page does not declare or leaves `undefined`. Each name comes with the
/// object fields to keep (empty: all): the others are checked as a browser
/// would check them, but never built, which is most of the work on a page
/// of records with thirty fields each.
pub(crate) fn find_vars<'a>(
    src: &'a str,
    wanted: Wanted<'a>,
) -> Result<Vec<Option<Lit>>, ScanError> {
    let mut s = Scanner::new(src, wanted, None);
    s.statements()?;
    Ok(s.found)
}

/// Where [`find_records`] hands the value of each declaration of a wanted
/// name, the cursor at its first byte; it leaves the cursor past it.
pub(crate) trait Declared<'a> {
    /// Wanted name `var` is given the value at the cursor (`undefined`:
    /// the value is the word `undefined`, which leaves it undefined).
    fn value(&mut self, c: &mut Cursor<'a>, var: usize, undefined: bool) -> Result<(), LitError>;
}

/// [`find_vars`], handing each value of a wanted name to `to` rather than
/// building it: the walk, its checks and its refusals are the same.
pub(crate) fn find_records<'a>(
    src: &'a str,
    wanted: Wanted<'a>,
    to: &mut dyn Declared<'a>,
) -> Result<(), ScanError> {
    Scanner::new(src, wanted, Some(to)).statements()
}

/// Words that cannot name a binding (reserved words, strict-mode ones, and
/// the contextual ones a sloppy script allows but that change meaning).
const RESERVED: &[&str] = &[
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Functions a harmless initialiser may call: built-ins that, given
/// primitive arguments, return a primitive and do nothing else.
const PURE_CALLS: &[&str] = &[
    "parseInt",
    "parseFloat",
    "Number",
    "String",
    "Boolean",
    "isNaN",
    "isFinite",
];

/// Names whose meaning the scanner relies on: the page declaring one would
/// change what a value or a call means (`undefined`, `NaN` and `Infinity`
/// cannot be redeclared by `let` or a function anyway).
fn relied_on(name: &str) -> bool {
    matches!(name, "addCfg" | "undefined" | "NaN" | "Infinity") || PURE_CALLS.contains(&name)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Decl {
    Var,
    Lexical,
    Function,
}

enum End {
    Done,
    /// A `,`: another declarator follows.
    More,
}

/// The statement walk.
struct Scanner<'a, 'r> {
    src: &'a str,
    pos: usize,
    /// The token [`Scanner::peek`] last read, and the position it read it at.
    ahead: Option<(usize, Tok)>,
    wanted: Wanted<'a>,
    found: Vec<Option<Lit>>,
    /// Every name declared so far, and how (`Decl as usize`: the map type
    /// the literal parser already uses, so no second copy of the map's code).
    declared: HashMap<String, usize>,
    /// The literal reader, handed each value.
    cursor: Cursor<'a>,
    body: function::Skipper<'a>,
    /// Where wanted values go instead of `found`, when reading records.
    records: Option<&'r mut dyn Declared<'a>>,
}

impl<'a, 'r> Scanner<'a, 'r> {
    fn new(src: &'a str, wanted: Wanted<'a>, records: Option<&'r mut dyn Declared<'a>>) -> Self {
        Scanner {
            src,
            pos: 0,
            ahead: None,
            wanted,
            found: vec![None; wanted.len()],
            declared: HashMap::new(),
            cursor: Cursor::new(src, &[]),
            body: function::Skipper::new(src),
            records,
        }
    }

    fn statements(&mut self) -> Result<(), ScanError> {
        loop {
            let t = self.peek()?;
            match t.kind {
                TokenKind::Eof => return Ok(()),
                TokenKind::Punct if self.is(t, ";") => self.bump(t),
                TokenKind::Ident => match self.text(t) {
                    "var" => {
                        self.bump(t);
                        self.declaration(Decl::Var, false)?;
                    }
                    "const" => {
                        self.bump(t);
                        self.declaration(Decl::Lexical, true)?;
                    }
                    // `let` is a declaration only before a name; `let [a] =`
                    // destructures and `let = 1` assigns to a variable `let`.
                    "let" => {
                        self.bump(t);
                        if self.peek()?.kind != TokenKind::Ident {
                            return Err(self.code(t));
                        }
                        self.declaration(Decl::Lexical, false)?;
                    }
                    "function" => self.function(t)?,
                    "addCfg" => self.add_cfg(t)?,
                    _ => return Err(self.code(t)),
                },
                _ => return Err(self.code(t)),
            }
        }
    }

    /// The declarators after `var`, `let` or `const`.
    fn declaration(&mut self, kind: Decl, is_const: bool) -> Result<(), ScanError> {
        loop {
            let n = self.peek()?;
            if n.kind != TokenKind::Ident {
                return Err(self.error(
                    n.start,
                    "a declaration without a plain name (a destructuring pattern?) is not read"
                        .into(),
                ));
            }
            let name = self.text(n);
            self.binding(n, name, kind)?;
            self.bump(n);
            let eq = self.peek()?;
            if self.is(eq, "=") {
                self.bump(eq);
                let v = self.peek()?;
                // As the engine's reader reports it: `undefined` is no value.
                let undefined = v.kind == TokenKind::Ident && self.text(v) == "undefined";
                // Every slot of the name (a caller may want it twice, with
                // different fields), each read from the same first byte.
                for i in 0..self.wanted.len() {
                    if self.wanted[i].0 != name {
                        continue;
                    }
                    if let Some(to) = self.records.as_deref_mut() {
                        self.cursor.pos = v.start;
                        match to.value(&mut self.cursor, i, undefined) {
                            Ok(()) => self.seek(self.cursor.pos),
                            Err(e) => return Err(self.literal_error(e, name)),
                        }
                    } else {
                        let value = self.literal(v.start, self.wanted[i].1, name)?;
                        self.found[i] = (!undefined).then_some(value);
                    }
                }
                if !wants(self.wanted, name) {
                    self.harmless(name, 0)?;
                }
            } else if is_const {
                return Err(self.error(
                    n.start,
                    format!("const {name} without a value is a SyntaxError"),
                ));
            }
            if let End::Done = self.end_statement(true, name)? {
                return Ok(());
            }
        }
    }

    /// Checks and records a declared name: a SyntaxError in a browser (a
    /// reserved word, a `let`/`const` name declared twice) or a name the
    /// scanner relies on is refused.
    fn binding(&mut self, t: Tok, name: &'a str, kind: Decl) -> Result<(), ScanError> {
        if RESERVED.contains(&name) {
            return Err(self.error(t.start, format!("`{name}` cannot be declared")));
        }
        if relied_on(name) {
            return Err(self.error(
                t.start,
                format!("the page declares {name}, which would change what the page's data means"),
            ));
        }
        let lexical = Decl::Lexical as usize;
        match self.declared.insert(name.to_owned(), kind as usize) {
            Some(old) if old == lexical || kind == Decl::Lexical => Err(self.error(
                t.start,
                format!(
                    "{name} is declared twice, once with let or const: a SyntaxError, so nothing on the page would run"
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The literal value at `at`, its objects holding only the fields in
    /// `keep` (all if empty); the scanner resumes after it.
    fn literal(&mut self, at: usize, keep: &'a [&'a str], var: &str) -> Result<Lit, ScanError> {
        self.cursor.pos = at;
        self.cursor.keep = keep;
        let r = self.cursor.value_in(0, true);
        self.cursor.keep = &[];
        match r {
            Ok(v) => {
                self.seek(self.cursor.pos);
                Ok(v)
            }
            Err(e) => Err(self.literal_error(e, var)),
        }
    }

    /// Checks the literal at `at` as closely as [`Scanner::literal`] reads
    /// it, building nothing; the scanner resumes after it.
    fn check_literal(&mut self, at: usize, var: &str) -> Result<(), ScanError> {
        self.cursor.pos = at;
        match self.cursor.check() {
            Ok(()) => {
                self.seek(self.cursor.pos);
                Ok(())
            }
            Err(e) => Err(self.literal_error(e, var)),
        }
    }

    #[cold]
    fn literal_error(&self, LitError { offset, msg }: LitError, var: &str) -> ScanError {
        self.error(offset, format!("{var}: {msg}"))
    }

    /// The initialiser of a variable nobody reads: a literal, or `!`, `-`,
    /// `+`, `~`, `&&`, `||` and parentheses over literals and calls of
    /// [`PURE_CALLS`] with primitive literal arguments. None of them can throw
    /// or run page code, so the value does not matter; anything else might.
    fn harmless(&mut self, var: &str, depth: usize) -> Result<(), ScanError> {
        loop {
            self.harmless_operand(var, depth)?;
            let t = self.peek()?;
            if self.is(t, "&&") || self.is(t, "||") {
                self.bump(t);
            } else {
                return Ok(());
            }
        }
    }

    fn harmless_operand(&mut self, var: &str, depth: usize) -> Result<(), ScanError> {
        let t = self.peek()?;
        if depth > crate::script::MAX_PARSE_DEPTH {
            return Err(self.error(t.start, format!("{var}: expression nested too deeply")));
        }
        match t.kind {
            TokenKind::Punct if ["!", "-", "+", "~"].iter().any(|op| self.is(t, op)) => {
                self.bump(t);
                self.harmless_operand(var, depth + 1)
            }
            TokenKind::Punct if self.is(t, "(") => {
                self.bump(t);
                self.harmless(var, depth + 1)?;
                self.expect(")", var)
            }
            TokenKind::Ident if PURE_CALLS.contains(&self.text(t)) => {
                self.bump(t);
                self.expect("(", var)?;
                self.arguments(var, false)
            }
            TokenKind::Literal | TokenKind::Ident | TokenKind::Punct
                if t.kind != TokenKind::Ident
                    || matches!(
                        self.text(t),
                        "undefined" | "NaN" | "Infinity" | "null" | "true" | "false"
                    ) =>
            {
                self.check_literal(t.start, var)
            }
            _ => Err(self.error(
                t.start,
                format!("{var}: an expression this reader does not evaluate"),
            )),
        }
    }

    /// A call's arguments after its `(`, through its `)`: literals only, and
    /// primitive ones unless `any`.
    fn arguments(&mut self, what: &str, any: bool) -> Result<(), ScanError> {
        loop {
            let t = self.peek()?;
            if self.is(t, ")") {
                self.bump(t);
                return Ok(());
            }
            if !any && (self.is(t, "[") || self.is(t, "{")) {
                return Err(self.error(
                    t.start,
                    format!("{what}: a call with an argument that is not a primitive"),
                ));
            }
            self.check_literal(t.start, what)?;
            let t = self.peek()?;
            if self.is(t, ",") {
                self.bump(t);
            } else if !self.is(t, ")") {
                return Err(self.error(
                    t.start,
                    format!("{what}: a call with an argument that is not a literal"),
                ));
            }
        }
    }

    /// `addCfg(<literals>)`: the sandbox's no-op, so harmless whatever the
    /// literals (the page cannot redefine it: declaring it is refused, and
    /// assigning it is code).
    fn add_cfg(&mut self, t: Tok) -> Result<(), ScanError> {
        // The hub's own lines, most of a page's statements, are what the
        // general path below reads, taken at a glance: on the 250-device
        // page 0.9 M instructions less a read.
        if let Some((end, _)) = crate::script::inert_addcfg_at(self.src.as_bytes(), t.start) {
            self.seek(end);
            return Ok(());
        }
        self.bump(t);
        let open = self.peek()?;
        if !self.is(open, "(") {
            return Err(self.code(t));
        }
        self.bump(open);
        self.arguments("addCfg(…)", true)?;
        self.end_statement(false, "addCfg(…)").map(|_| ())
    }

    /// After a statement's last expression: `;`, the end of the page, a `,`
    /// (in a declaration), or a line break before a token that cannot go on
    /// with the expression (automatic semicolon insertion). A token that can
    /// (`[`, `(`, `.`, an operator) makes it an expression: `var a = [1]\n[0]`
    /// is `a = 1`, which is refused rather than misread.
    fn end_statement(&mut self, decl: bool, what: &str) -> Result<End, ScanError> {
        let t = self.peek()?;
        match t.kind {
            TokenKind::Eof => Ok(End::Done),
            TokenKind::Punct if self.is(t, ";") => {
                self.bump(t);
                Ok(End::Done)
            }
            TokenKind::Punct if decl && self.is(t, ",") => {
                self.bump(t);
                Ok(End::More)
            }
            _ if t.newline && !self.continues(t) => Ok(End::Done),
            _ => {
                let tok = self.snippet(t);
                let msg = if t.newline {
                    format!("{what}: the expression goes on with {tok} on this line; only literals are read")
                } else {
                    format!("{what}: {tok} after the value: only literals are read")
                };
                Err(self.error(t.start, msg))
            }
        }
    }

    /// Whether a token after a complete expression continues it.
    fn continues(&self, t: Tok) -> bool {
        match t.kind {
            TokenKind::Punct => !["{", "}", "!", "~", "++", "--", ";"]
                .iter()
                .any(|p| self.is(t, p)),
            TokenKind::Template => true,
            TokenKind::Ident => matches!(self.text(t), "in" | "instanceof"),
            TokenKind::Literal | TokenKind::Eof => false,
        }
    }

    /// `function NAME(…) { … }`, skipped: declaring a function runs nothing.
    /// One named like a wanted variable, or like something the scanner
    /// relies on, is refused, and so is one whose code mentions a wanted
    /// variable (a declaration inside a function is not the page's value).
    fn function(&mut self, kw: Tok) -> Result<(), ScanError> {
        self.bump(kw);
        let n = self.peek()?;
        if n.kind != TokenKind::Ident {
            return Err(self.error(n.start, "a function that is not a plain `function NAME(…) {…}` declaration is code, not data"
                    .into()));
        }
        let name = self.text(n);
        if wants(self.wanted, name) {
            return Err(self.error(
                n.start,
                format!("function {name} has the name of a variable this reader reads"),
            ));
        }
        self.binding(n, name, Decl::Function)?;
        self.bump(n);
        for what in ["(", "{"] {
            let t = self.peek()?;
            if !self.is(t, what) {
                return Err(self.error(t.start, format!("function {name}: expected `{what}`")));
            }
            let end = self.body.skip(t.start, name, kw.start, self.wanted)?;
            self.seek(end);
        }
        Ok(())
    }

    /// The next token, without taking it (see [`Scanner::bump`]).
    fn peek(&mut self) -> Result<Tok, ScanError> {
        if let Some((at, t)) = self.ahead {
            if at == self.pos {
                return Ok(t);
            }
        }
        let t = lex::token(self.src, self.pos).map_err(|e| ScanError::lex(self.src, e))?;
        self.ahead = Some((self.pos, t));
        Ok(t)
    }

    fn bump(&mut self, t: Tok) {
        self.seek(t.end);
    }

    /// Resumes at `pos`, past what a reader took itself.
    fn seek(&mut self, pos: usize) {
        self.pos = pos;
        self.ahead = None;
    }

    fn expect(&mut self, what: &str, var: &str) -> Result<(), ScanError> {
        let t = self.peek()?;
        if self.is(t, what) {
            self.bump(t);
            return Ok(());
        }
        let tok = self.snippet(t);
        Err(self.error(t.start, format!("{var}: expected `{what}`, found {tok}")))
    }

    fn text(&self, t: Tok) -> &'a str {
        t.text(self.src)
    }

    fn is(&self, t: Tok, p: &str) -> bool {
        t.is(self.src, p)
    }

    fn snippet(&self, t: Tok) -> String {
        t.snippet(self.src)
    }

    /// The error for a statement that is code: named as
    /// `known_device_list.push(…)`, `rate = …`, `` `if` ``.
    fn code(&mut self, t: Tok) -> ScanError {
        if t.kind != TokenKind::Ident || RESERVED.contains(&self.text(t)) {
            let what = match t.kind {
                TokenKind::Ident => format!("`{} …`", self.text(t)),
                _ => format!("a statement starting {}", self.snippet(t)),
            };
            return self.error(t.start, format!("{what} is code, not data"));
        }
        let root = self.text(t);
        let mut path = root.to_owned();
        self.bump(t);
        let tail = loop {
            let Ok(next) = self.peek() else { break "" };
            if self.is(next, ".") {
                self.bump(next);
                match self.peek() {
                    Ok(p) if p.kind == TokenKind::Ident => {
                        path.push('.');
                        path.push_str(self.text(p));
                        self.bump(p);
                        continue;
                    }
                    _ => break ".…",
                }
            }
            break match next.kind {
                TokenKind::Punct => match self.text(next) {
                    "(" => "(…)",
                    "[" => "[…]",
                    "++" => "++",
                    "--" => "--",
                    ":" => ": (a label)",
                    ";" => "",
                    op if op.ends_with('=')
                        && !matches!(op, "==" | "===" | "!=" | "!==" | "<=" | ">=") =>
                    {
                        path.push(' ');
                        path.push_str(op);
                        " …"
                    }
                    _ => " …",
                },
                TokenKind::Template => "`…`",
                TokenKind::Ident | TokenKind::Literal => " …",
                TokenKind::Eof => "",
            };
        };
        self.error(t.start, format!("{path}{tail} is code, not data"))
    }

    fn error(&self, at: usize, msg: String) -> ScanError {
        ScanError::at(self.src, at, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn s(v: &str) -> Lit {
        Lit::Str(v.to_owned())
    }

    pub(super) fn num(n: f64) -> Lit {
        Lit::Num(n)
    }

    pub(super) fn arr(items: Vec<Lit>) -> Lit {
        Lit::Array(items)
    }

    /// What the page leaves in `x`.
    pub(super) fn x(src: &str) -> Option<Lit> {
        find_var(src, "x").unwrap_or_else(|e| panic!("{src:?}: {e}"))
    }

    /// The refusal of `src` (reading `x`): its line and message.
    pub(super) fn refused(src: &str) -> (usize, String) {
        match find_var(src, "x") {
            Ok(v) => panic!("{src:?} was read as {v:?}"),
            Err(e) => (e.line, e.msg),
        }
    }

    /// Asserts `src` is refused at `line` with a message containing `want`.
    pub(super) fn refuses(src: &str, line: usize, want: &str) {
        let (at, msg) = refused(src);
        assert_eq!(at, line, "{src:?}: {msg}");
        assert!(msg.contains(want), "{src:?}: {msg:?} should say {want:?}");
    }

    #[test]
    fn declarations_in_every_form() {
        assert_eq!(x("var x = [1];"), Some(arr(vec![num(1.0)])));
        assert_eq!(x("let x = 'a'"), Some(s("a")));
        assert_eq!(
            x("const x = {a: 1};"),
            Some(Lit::Object(vec![("a".into(), num(1.0))]))
        );
        assert_eq!(x("var a = 1, x = 2, b;"), Some(num(2.0)));
        assert_eq!(x("var x;"), None);
        assert_eq!(x("let x;"), None);
        assert_eq!(x("var y = 1;"), None);
        assert_eq!(x("var xy = 1; var yx = 2;"), None);
        // A later value wins; a declaration without one keeps the old.
        assert_eq!(x("var x = 1;\nvar x = 2;"), Some(num(2.0)));
        assert_eq!(x("var x = 1;\nvar x;"), Some(num(1.0)));
        assert_eq!(x("var x = 1, x = 3;"), Some(num(3.0)));
        // `undefined` is no value, as the engine's reader reports it.
        assert_eq!(x("var x = [1]; var x = undefined;"), None);
        assert_eq!(x("var x = null;"), Some(Lit::Null));
        // `let` before a line break and a name is still a declaration.
        assert_eq!(x("let\nx = 5"), Some(num(5.0)));
    }

    #[test]
    fn strings_comments_and_templates_cannot_forge_a_declaration() {
        let src = "// var x = ['comment'];\nvar known = 'var x = [\"string\"]';\n/* var x=[1] */\nvar x = [{mac:'a'}];\naddCfg(\"x\",1,'var x = 9;');\nvar x=[2];\n";
        assert_eq!(x(src), Some(arr(vec![num(2.0)])));
        assert_eq!(x("var ratex = [1];"), None);
    }

    #[test]
    fn several_names_and_the_fields_each_keeps() {
        let src = "var a = [{m:'1', n:'2', o:'3'}];\nvar b = 'B';\n";
        let found = find_vars(
            src,
            &[("a", &["o", "m"]), ("b", &[]), ("c", &[]), ("a", &[])],
        )
        .unwrap();
        assert_eq!(
            found,
            vec![
                Some(arr(vec![Lit::Object(vec![
                    ("m".into(), s("1")),
                    ("o".into(), s("3"))
                ])])),
                Some(s("B")),
                None,
                Some(arr(vec![Lit::Object(vec![
                    ("m".into(), s("1")),
                    ("n".into(), s("2")),
                    ("o".into(), s("3"))
                ])])),
            ]
        );
    }

    #[test]
    fn automatic_semicolon_insertion() {
        // The device page's last line has no `;`.
        assert_eq!(x("var wan_suuport_eth = '1'\nvar x = 2"), Some(num(2.0)));
        assert_eq!(x("var x = '1'"), Some(s("1")));
        assert_eq!(
            x("addCfg('a',1,'')\nvar x = [1]\naddCfg('b',2,'')"),
            Some(arr(vec![num(1.0)]))
        );
        assert_eq!(x("var x = 1 // note\nvar y = 2"), Some(num(1.0)));
        assert_eq!(x("var x = 1 /* two\nlines */ var y = 2"), Some(num(1.0)));
        assert_eq!(x("var x = 1\r\nvar y = 2\u{2028}var z = 3"), Some(num(1.0)));
        assert_eq!(x("var x = 1\n;;\n"), Some(num(1.0)));
        // A line that goes on with the expression is one statement: refused.
        refuses("var x = [1]\n[0]", 2, "goes on with `[`");
        refuses("var x = 1\n(2)", 2, "goes on with `(`");
        refuses("var x = 'a'\n.length", 2, "goes on with `.`");
        refuses("var x = 1\n+ 2", 2, "goes on with `+`");
        refuses("var x = 1\n/2/", 2, "goes on with `/`");
        refuses("var x = 'a'\n`b`", 2, "goes on with");
        refuses("var x = 1\nin y", 2, "goes on with `in`");
        refuses(
            "addCfg('a',1,'')\n(0)",
            2,
            "addCfg(…): the expression goes on",
        );
        // Without a line break there is no semicolon to insert.
        refuses("var x = 1 var y = 2", 1, "`var` after the value");
        refuses("var x = 1 2", 1, "after the value");
        refuses("var x == 1; var x = 2", 1, "`==` after the value");
        // `++` cannot continue over a line break: the semicolon goes in,
        // and `++y` is code.
        refuses("var x = 1\n++y", 2, "is code, not data");
    }

    #[test]
    fn real_initialisers_of_unread_variables_are_harmless() {
        let status = "var openwifi_suppressed = parseInt(\"0\") && parseInt(\"1\");\nvar openwifi_enable = parseInt(\"1\") || parseInt(\"1\");\nvar x = 'fw';";
        assert_eq!(x(status), Some(s("fw")));
        for ok in [
            "var y = !0;",
            "var y = -parseFloat('1.5');",
            "var y = (parseInt('08', 10) || Number(''));",
            "var y = isNaN(NaN) && String(undefined) || Boolean(null);",
            "var y = parseInt();",
            "var y = [{a: [1, 'b']}, null];",
            "var y = ~1;",
        ] {
            assert_eq!(x(&format!("{ok}\nvar x = 1;")), Some(num(1.0)), "{ok}");
        }
        refuses(
            "var y = foo();",
            1,
            "y: an expression this reader does not evaluate",
        );
        refuses("var y = 1;\nvar z = y;", 2, "z: an expression");
        refuses("var y = parseInt(z);", 1, "y: an expression");
        refuses("var y = parseInt([1]);", 1, "not a primitive");
        refuses("var y = parseInt('1') + 1;", 1, "`+` after the value");
        refuses("var y = parseInt.call(0, '1');", 1, "expected `(`");
        refuses("var y = 1 ? 2 : 3;", 1, "`?` after the value");
        refuses("var y = `t`;", 1, "y: an expression");
        refuses("var y = function(){};", 1, "y: an expression");
        // A wanted variable's value must be a literal, however harmless.
        refuses(
            "var x = parseInt('1');",
            1,
            "x: an expression where a literal was expected",
        );
        refuses("var x = !0;", 1, "x: ");
        let deep = format!("var y = {}1{};", "(".repeat(100), ")".repeat(100));
        refuses(&deep, 1, "nested too deeply");
    }

    #[test]
    fn redeclarations_a_browser_refuses_are_refused() {
        refuses("let x = 1;\nvar x = 2;", 2, "declared twice");
        refuses("var x = 1;\nlet x = 2;", 2, "declared twice");
        refuses("const x = 1;\nconst x = 2;", 2, "declared twice");
        refuses("let y; let y;", 1, "declared twice");
        refuses("function y(){}\nlet y = 1;", 2, "declared twice");
        refuses("let y = 1;\nfunction y(){}", 2, "declared twice");
        refuses("const x;", 1, "const x without a value");
        // What a browser allows.
        assert_eq!(
            x("var y; function y(){}\nvar y = 1; var x = 2;"),
            Some(num(2.0))
        );
        assert_eq!(
            x("function y(){}\nfunction y(){}\nvar x = 2;"),
            Some(num(2.0))
        );
    }

    #[test]
    fn names_that_cannot_be_declared_or_are_relied_on() {
        refuses("var if = 1;", 1, "`if` cannot be declared");
        refuses("let let = 1;", 1, "cannot be declared");
        refuses("var [x] = [1];", 1, "destructuring");
        refuses("var {x} = {x: 1};", 1, "destructuring");
        refuses("let [x] = [1];", 1, "`let …` is code");
        refuses("let = 1;", 1, "`let …` is code");
        for name in [
            "addCfg",
            "parseInt",
            "parseFloat",
            "undefined",
            "NaN",
            "Infinity",
        ] {
            refuses(&format!("var x = 1;\nvar {name} = 2;"), 2, name);
            refuses(&format!("var x = 1;\nfunction {name}(a){{}}"), 2, name);
        }
    }

    #[test]
    fn add_cfg_calls_with_literals_are_harmless() {
        assert_eq!(
            x("addCfg(\"dhcpreserve1\",68681729,'192%2E168%2E0%2E74%2C');\naddCfg('a', [1, {b: 2}], -1, 0x1f, 'c',);\naddCfg();\nvar x = 1;"),
            Some(num(1.0))
        );
        refuses(
            "var x = 1;\naddCfg(x);",
            2,
            "addCfg(…): an expression where a literal was expected",
        );
        refuses("addCfg('a', 1 + 2);", 1, "not a literal");
        refuses("addCfg = function(){};", 1, "addCfg = … is code, not data");
        refuses("addCfg.call(0);", 1, "addCfg.call(…) is code");
        refuses("addCfg('a', 1)('b')", 1, "`(` after the value");
    }

    #[test]
    fn the_hubs_own_add_cfg_lines_read_as_any_add_cfg_call() {
        // Each line read at a glance (when it is the hub's shape) and, with
        // a comment after it, by the general path: the same answer.
        let base = ["addCfg(\"", "a_1", "\"", ",", "12", ",'", "v%2E", "'", ");"];
        let pieces = [
            "\"", "'", ",", ")", ";", "x", "\\", " ", "\u{2028}", "08", "",
        ];
        let mut glanced = 0;
        for i in 0..=base.len() {
            for p in pieces {
                let mut line = base.to_vec();
                if i < base.len() {
                    line[i] = p;
                } else {
                    line.push(p);
                }
                let line = line.concat();
                glanced +=
                    usize::from(crate::script::inert_addcfg_at(line.as_bytes(), 0).is_some());
                // (A refusal quotes what follows, so only its line is
                // compared.)
                let read = |page: String| find_var(&page, "x").map_err(|e| e.line);
                for after in ["\nvar x = [1];\n", " \r\n\nvar x = 2\nfoo();"] {
                    assert_eq!(
                        read(format!("{line}{after}")),
                        read(format!("{line}/**/{after}")),
                        "{line:?}"
                    );
                }
            }
        }
        assert!(glanced >= 10, "{glanced}");
    }

    #[test]
    fn code_at_top_level_is_refused_naming_its_line() {
        let page = "var known_device_list=[{mac:'A'}];\nvar rate=[];\nknown_device_list.push({mac:'B'});\n";
        let e = find_vars(page, &[("known_device_list", &[]), ("rate", &[])]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "line 3: known_device_list.push(…) is code, not data"
        );
        for (src, line, want) in [
            ("var x = [1];\nx = [];", 2, "x = … is code, not data"),
            ("var x = [1];\n\nx[0] = 2;", 3, "x[…] is code, not data"),
            ("var x = [1];\nx.splice(0, 1);", 2, "x.splice(…) is code"),
            ("var x = [1];\nx += 1;", 2, "x += … is code"),
            ("var x = 1;\nx++;", 2, "x++ is code"),
            (
                "var x = [1];\nwindow.x.length = 0;",
                2,
                "window.x.length = … is code",
            ),
            ("if (1) { var x = 2; }", 1, "`if …` is code"),
            ("for (;;) {}", 1, "`for …` is code"),
            ("while(true){}", 1, "`while …` is code"),
            ("with (o) { x = 1 }", 1, "`with …` is code"),
            ("throw 1;\nvar x = 1;", 1, "`throw …` is code"),
            ("eval('var x = 1');", 1, "eval(…) is code"),
            ("document.write('x');", 1, "document.write(…) is code"),
            ("{ var x = 1 }", 1, "a statement starting `{`"),
            (
                "'use strict';\nvar x = 1;",
                1,
                "a statement starting `'use strict'…`",
            ),
            ("label: var x = 1;", 1, "label: (a label) is code"),
            ("`t`", 1, "a statement starting ``t`…`"),
            (
                "# junk line\nvar x = 1;",
                1,
                "`#` outside strings and comments",
            ),
            ("}", 1, "a statement starting `}`"),
            ("(function(){})();", 1, "a statement starting `(`"),
            ("async function f(){}", 1, "async … is code"),
            ("x\n= 1", 1, "x = … is code"),
        ] {
            refuses(src, line, want);
        }
    }

    #[test]
    fn characters_outside_strings_and_comments() {
        // NUL is a character inside a string or comment, an error elsewhere.
        assert_eq!(x("var x = 'a\0b'; // \0\n/* \0 */"), Some(s("a\0b")));
        refuses(
            "var x = 1;\n\0",
            2,
            "a NUL byte outside strings and comments",
        );
        refuses("var x = 1;\u{1}", 1, "control character U+0001");
        // Non-ASCII: spaces are spaces; U+FFFD (a non-UTF-8 byte made
        // lossless) and other letters are refused rather than read as names.
        assert_eq!(x("\u{feff}var\u{a0}x\u{3000}=\u{2000}1;"), Some(num(1.0)));
        assert_eq!(x("var x = '\u{fffd}';"), Some(s("\u{fffd}")));
        refuses(
            "var x = 1;\n\u{fffd}",
            2,
            "U+FFFD outside strings and comments",
        );
        refuses("var caf\u{e9} = 1;", 1, "U+00E9");
        refuses("var \\u0078 = 1;", 1, "`\\` outside strings");
        refuses("<!-- hide\nvar x = 1;", 1, "HTML comment");
        refuses("var x = 1;\n--> hide", 2, "HTML comment");
        refuses("var x = 1; /* never closed", 1, "unterminated comment");
        refuses("var x = 'never closed", 1, "x: unterminated string");
    }

    #[test]
    fn lines_count_as_javascript_counts_them() {
        assert_eq!(refused("\n\n\nif (1) {}").0, 4);
        assert_eq!(refused("\r\n\r\nif (1) {}").0, 3);
        assert_eq!(refused("\r\rif (1) {}").0, 3);
        assert_eq!(refused("\u{2028}\u{2029}if (1) {}").0, 3);
        assert_eq!(refused("/*\n\n*/ if (1) {}").0, 3);
        // A value's own error names the line inside the value.
        let e = find_vars("var a = 1;\nvar x = [1,\n2,\nfoo];", &[("x", &[])]).unwrap_err();
        assert_eq!(e.line, 4);
        assert_eq!(
            e.to_string(),
            "line 4: x: an expression where a literal was expected"
        );
    }
}
