//! The function-body skipper: finds where the bracketed code of a
//! `function NAME(…) {…}` declaration ends, without reading it.
//!
//! A function that is declared does not run, so its code is not the page's
//! data; but a `}` inside one of its strings, templates, comments or
//! regular expressions must not be taken for its end. So the skipper knows
//! those, and brackets, and nothing else: a body with a syntax error, which
//! in a browser would stop the whole page from running, is not caught. A
//! `/` that could divide or start a regular expression, by what comes before
//! it, is refused, and so is any mention of a variable the page is read for
//! (a declaration inside a function is not the page's value).

use super::{ScanError, Wanted};
use crate::script::lex::{self, LexError};

/// An open bracket in the code being skipped.
#[derive(Clone, Copy)]
enum Open {
    /// `cond`: the parenthesis follows `if`, `while`, `for` or `with`, so a `/`
    /// after its `)` starts a regular expression.
    Paren {
        cond: bool,
    },
    Bracket,
    Brace,
    /// `${` inside a template.
    Subst,
}

/// What a `/` means at a point of the code.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slash {
    Regex,
    Divide,
    /// After `}`, `++`, or a contextual word: it could be either.
    Unsure,
}

/// Skips the bracketed parts of function declarations, one at a time.
pub(super) struct Skipper<'a> {
    src: &'a str,
    pos: usize,
    /// Brackets open (kept to reuse its allocation).
    stack: Vec<Open>,
}

impl<'a> Skipper<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Skipper {
            src,
            pos: 0,
            stack: Vec::new(),
        }
    }

    /// Skips the code from the opening bracket at `open` through the one
    /// that closes it, and returns the position after that. `func` names the
    /// function and `at` is where its declaration starts, for the errors.
    pub(super) fn skip(
        &mut self,
        open: usize,
        func: &str,
        at: usize,
        wanted: Wanted<'_>,
    ) -> Result<usize, ScanError> {
        self.pos = open;
        self.stack.clear();
        let b = self.src.as_bytes();
        let mut slash = Slash::Regex;
        let mut cond = false;
        let mut dot = false;
        loop {
            lex::skip_trivia(b, &mut self.pos).map_err(|e| self.lex_error(e))?;
            let start = self.pos;
            let Some(&c) = b.get(start) else {
                return Err(self.error(at, format!("function {func} is not closed")));
            };
            let after_cond = std::mem::take(&mut cond);
            let after_dot = std::mem::take(&mut dot);
            match c {
                b'(' | b'[' | b'{' => {
                    self.pos += 1;
                    self.stack.push(match c {
                        b'(' => Open::Paren { cond: after_cond },
                        b'[' => Open::Bracket,
                        _ => Open::Brace,
                    });
                    slash = Slash::Regex;
                }
                b')' | b']' | b'}' => {
                    self.pos += 1;
                    slash = match (c, self.stack.pop()) {
                        (b')', Some(Open::Paren { cond })) if cond => Slash::Regex,
                        (b')', Some(Open::Paren { .. })) | (b']', Some(Open::Bracket)) => {
                            Slash::Divide
                        }
                        (b'}', Some(Open::Brace)) => Slash::Unsure,
                        (b'}', Some(Open::Subst)) => self.template()?,
                        _ => {
                            return Err(self.error(start, format!("function {func}: unbalanced `{}`", c as char)))
                        }
                    };
                    if self.stack.is_empty() {
                        return Ok(self.pos);
                    }
                }
                b'`' => {
                    self.pos += 1;
                    slash = self.template()?;
                }
                b'\'' | b'"' => {
                    lex::string(self.src, &mut self.pos, &mut lex::Check).map_err(|e| {
                        let msg = e.message(self.src);
                        self.error(e.at(), format!("function {func}: {msg}"))
                    })?;
                    slash = Slash::Divide;
                }
                b'/' => match slash {
                    Slash::Regex => {
                        self.regex(func)?;
                        slash = Slash::Divide;
                    }
                    Slash::Divide => {
                        self.pos += 1;
                        slash = Slash::Regex;
                    }
                    Slash::Unsure => {
                        return Err(self.error(start, format!("function {func}: cannot tell whether this `/` divides or starts a regular expression")))
                    }
                },
                b'0'..=b'9' => {
                    self.number();
                    slash = Slash::Divide;
                }
                b'.' if b.get(start + 1).is_some_and(u8::is_ascii_digit) => {
                    self.number();
                    slash = Slash::Divide;
                }
                b'.' => {
                    if b[start..].starts_with(b"...") {
                        self.pos += 3;
                    } else {
                        self.pos += 1;
                        dot = true;
                    }
                    slash = Slash::Regex;
                }
                _ if lex::is_ident_start(c) => {
                    self.pos = lex::ident_end(b, start);
                    let word = &self.src[start..self.pos];
                    if super::wants(wanted, word) {
                        return Err(self.error(start, format!("{word} inside function {func}: a function's code is not read")));
                    }
                    slash = if after_dot {
                        Slash::Divide
                    } else {
                        match word {
                            "return" | "typeof" | "instanceof" | "in" | "new" | "delete"
                            | "void" | "throw" | "case" | "do" | "else" | "extends" => Slash::Regex,
                            "of" | "yield" | "await" | "let" | "async" | "get" | "set"
                            | "static" => Slash::Unsure,
                            _ => Slash::Divide,
                        }
                    };
                    cond = !after_dot
                        && (matches!(word, "if" | "while" | "for" | "with")
                            || (word == "await" && after_cond));
                }
                b'+' | b'-' if b.get(start + 1) == Some(&c) => {
                    if c == b'-' && b.get(start + 2) == Some(&b'>') {
                        return Err(self.error(start, lex::HTML_CLOSE.into()));
                    }
                    self.pos += 2;
                    slash = Slash::Unsure;
                }
                b'<' if b[start..].starts_with(b"<!--") => {
                    return Err(self.error(start, lex::HTML_OPEN.into()));
                }
                b'=' | b'!' | b'<' | b'>' | b'&' | b'|' | b'^' | b'%' | b'*' | b'?' | b':'
                | b';' | b',' | b'~' | b'+' | b'-' => {
                    self.pos += 1;
                    slash = Slash::Regex;
                }
                _ => return Err(self.lex_error(LexError::Stray { at: start })),
            }
        }
    }

    /// A template's text, from just inside its backtick or after a `}` that
    /// closed one of its `${`: through its closing backtick (`/` after it
    /// divides) or its next `${` (pushed; `/` after it starts a regex).
    fn template(&mut self) -> Result<Slash, ScanError> {
        let b = self.src.as_bytes();
        loop {
            match b.get(self.pos) {
                None => return Err(self.error(self.pos, "unterminated template".into())),
                Some(b'`') => {
                    self.pos += 1;
                    return Ok(Slash::Divide);
                }
                Some(b'\\') => self.pos += 2,
                Some(b'$') if b.get(self.pos + 1) == Some(&b'{') => {
                    self.pos += 2;
                    self.stack.push(Open::Subst);
                    return Ok(Slash::Regex);
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    /// A regular expression literal: to its closing `/` outside a class, then
    /// its flags.
    fn regex(&mut self, func: &str) -> Result<(), ScanError> {
        let b = self.src.as_bytes();
        let start = self.pos;
        self.pos += 1;
        let mut class = false;
        loop {
            if self.pos >= b.len() || lex::line_break_at(b, self.pos) {
                return Err(self.error(
                    start,
                    format!("function {func}: unterminated regular expression"),
                ));
            }
            match b[self.pos] {
                b'\\' if !lex::line_break_at(b, self.pos + 1) => self.pos += 2,
                b'[' => {
                    class = true;
                    self.pos += 1;
                }
                b']' => {
                    class = false;
                    self.pos += 1;
                }
                b'/' if !class => {
                    self.pos += 1;
                    break;
                }
                _ => self.pos += 1,
            }
        }
        while self.pos < b.len() && lex::is_ident_part(b[self.pos]) {
            self.pos += 1;
        }
        Ok(())
    }

    /// A number in the code: its digits, letters (hex, exponent, BigInt,
    /// separators), dots and exponent signs.
    fn number(&mut self) {
        let b = self.src.as_bytes();
        while let Some(&c) = b.get(self.pos) {
            let sign = matches!(c, b'+' | b'-') && matches!(b[self.pos - 1], b'e' | b'E');
            if lex::is_ident_part(c) || c == b'.' || sign {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn lex_error(&self, e: LexError) -> ScanError {
        ScanError::lex(self.src, e)
    }

    fn error(&self, at: usize, msg: String) -> ScanError {
        ScanError::at(self.src, at, msg)
    }
}

#[cfg(test)]
mod tests {
    use super::super::find_vars;
    use super::super::tests::{arr, num, refuses, x};

    #[test]
    fn function_declarations_are_skipped_whatever_their_body_holds() {
        let body = r#"function f(a, b) {
            var s = '}' + "}\"}" + '\'}';
            var t = `}${ {k: '}'}.k + `}${'}'}` }}`;
            var r = /}[/}]\/}/g, q = a / b / 2;
            if (a) /}/.test(b);
            while (b) /}/g.exec(a);
            // }
            /* } */
            var o = {a: [1, 2], b: function () { return {}; }};
            return a.return / 2 + o.a[0] / 1;
        }
        var x = [1];"#;
        assert_eq!(x(body), Some(arr(vec![num(1.0)])));
        assert_eq!(x("function f(){}var x = 2"), Some(num(2.0)));
        assert_eq!(x("function f(){ return 1 }\n;var x = 2"), Some(num(2.0)));
        assert_eq!(
            x("function f(){ for (;;) { break } }\nvar x = 2"),
            Some(num(2.0))
        );
        assert_eq!(
            x("function f(){ x1 = a\n/b/ 2 }\nvar x = 2"),
            Some(num(2.0))
        );
    }

    #[test]
    fn a_function_body_the_skipper_cannot_delimit_exactly_is_refused() {
        // After `}` or `++`, `/` could divide or start a regex.
        refuses(
            "function f(){\n  x1 = {} / 2 }\nvar x = 1",
            2,
            "divides or starts a regular expression",
        );
        refuses("function f(){ a++ / 2 }", 1, "divides or starts");
        refuses("function f(){ yield /a/ }", 1, "divides or starts");
        refuses(
            "function f(){\n var s = 'a\n' }",
            2,
            "line break inside a string",
        );
        refuses("function f(){ return `a${ }", 1, "unterminated template");
        refuses("function f(){ return `a${ b", 1, "function f is not closed");
        refuses(
            "function f(){ return /a",
            1,
            "unterminated regular expression",
        );
        refuses("function f(){ ) }", 1, "unbalanced `)`");
        refuses("function f(){\n\n", 1, "function f is not closed");
        refuses("function f(){ /* }", 1, "unterminated comment");
        refuses("function f(){ <!-- }\n }", 1, "HTML comment");
        refuses("function f(){ a\n--> }\n }", 2, "HTML comment");
        refuses("function f(){ @ }", 1, "`@` outside strings and comments");
        refuses("function* f(){}", 1, "not a plain `function NAME");
        refuses("function (){}", 1, "not a plain");
        refuses("function f{}", 1, "expected `(`");
    }

    #[test]
    fn a_function_that_touches_a_wanted_variable_is_refused() {
        // A page whose only `owl_station` is a function's.
        let page = "var owl_tplg=[null];\nfunction f(){\n  var owl_station=[null];\n}\n";
        let e = find_vars(page, &[("owl_tplg", &[]), ("owl_station", &[])]).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.msg.contains("owl_station inside function f"), "{}", e.msg);
        refuses("function g(){ x.push(1) }", 1, "x inside function g");
        refuses("function g(a = x){}", 1, "x inside function g");
        refuses("function x(){}", 1, "function x has the name of a variable");
        // A property or string of that name is not the variable: still
        // refused for the property (the skipper does not resolve names), not
        // for the string.
        refuses("function g(o){ return o.x }", 1, "x inside function g");
        assert_eq!(x("function g(){ return 'x' }\nvar x = 1"), Some(num(1.0)));
    }
}
