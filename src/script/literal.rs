//! The JavaScript-free reader: walks the page's top-level statements
//! ([`super::scan`]) and reads each declared value as a literal. It cannot
//! run code, so a page that builds or changes its lists with code
//! (`push`, an assignment, a loop) is refused, naming the line, rather
//! than guessed at.

use std::time::Instant;

use super::{in_var, project, scan, Limiter, Lit, Read, ScriptError, Var};

/// Reads the named variables; the deadline is not consulted because the
/// parse is linear in the (size-capped) body.
pub fn read_vars(src: &[u8], names: &[&str], deadline: Instant) -> Result<Read, ScriptError> {
    let vars: Vec<Var> = names.iter().map(|n| Var::all(n)).collect();
    read(src, &vars, deadline)
}

/// Reads the variables, keeping only the fields each asks for.
pub fn read(src: &[u8], vars: &[Var], _deadline: Instant) -> Result<Read, ScriptError> {
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
    Ok(Read {
        values,
        notes: limiter.into_notes(),
    })
}
