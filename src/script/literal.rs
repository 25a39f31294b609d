//! The JavaScript-free reader: walks the page's top-level statements
//! ([`super::scan`]) and reads each declared value as a literal. It cannot
//! run code, so a page that builds or changes its lists with code
//! (`push`, an assignment, a loop) is refused, naming the line, rather
//! than guessed at.

use std::time::Instant;

use super::{check_limits, project, scan, Lit, ScriptError, Var};

/// Reads the named variables; the deadline is not consulted because the
/// parse is linear in the (size-capped) body.
pub fn read_vars(
    src: &[u8],
    names: &[&str],
    deadline: Instant,
) -> Result<Vec<Option<Lit>>, ScriptError> {
    let vars: Vec<Var> = names.iter().map(|n| Var::all(n)).collect();
    read(src, &vars, deadline)
}

/// Reads the variables, keeping only the fields each asks for.
pub fn read(src: &[u8], vars: &[Var], _deadline: Instant) -> Result<Vec<Option<Lit>>, ScriptError> {
    // Lossy: a stray non-UTF-8 byte outside the lists must not sink the page;
    // inside a string it becomes U+FFFD, as the JS engine reads it.
    let text = match std::str::from_utf8(src) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(src),
    };
    let wanted: Vec<(&str, &[&str])> = vars.iter().map(|v| (v.name, v.fields)).collect();
    // The error names the line and, through the message, the variable.
    let found = scan::find_vars(&text, &wanted).map_err(|e| ScriptError::Failed(e.to_string()))?;
    vars.iter()
        .zip(found)
        .map(|(&Var { name, fields }, v)| {
            if let Some(v) = &v {
                check_limits(v, 0).map_err(|e| match e {
                    ScriptError::TooBig(m) => ScriptError::TooBig(format!("{name}: {m}")),
                    other => other,
                })?;
            }
            // The fields were picked while parsing; this puts them in the
            // order asked for, as the engine's reader gives them.
            Ok(v.map(|v| project(v, fields)))
        })
        .collect()
}
