//! The JavaScript reader: runs the page in QuickJS, in a fresh runtime per
//! page, then copies the named variables out as [`Lit`] values.
//!
//! The sandbox: only the base objects plus the parser (no `Date`, `Promise`,
//! `Proxy`, typed arrays, modules or host functions), `addCfg` defined as a
//! no-op because the page calls it ~480 times, a heap limit, a native stack
//! limit, and an interrupt handler that stops the script at the scrape
//! deadline. Copying values out runs under the same limits, because reading
//! a property can run a hostile getter.

use std::borrow::Cow;
use std::time::Instant;

use rquickjs::context::{intrinsic, EvalOptions};
use rquickjs::{Context, Ctx, Runtime, Value};

use super::limits::*;
use super::{Lit, ScriptError, Var};

pub fn read_vars(
    src: &[u8],
    names: &[&str],
    deadline: Instant,
) -> Result<Vec<Option<Lit>>, ScriptError> {
    let vars: Vec<Var> = names.iter().map(|n| Var::all(n)).collect();
    read(src, &vars, deadline)
}

/// Runs the page, then copies the variables out, keeping only the fields
/// each asks for.
pub fn read(src: &[u8], vars: &[Var], deadline: Instant) -> Result<Vec<Option<Lit>>, ScriptError> {
    let rt =
        Runtime::new().map_err(|e| ScriptError::Failed(format!("cannot start QuickJS: {e}")))?;
    rt.set_memory_limit(JS_MEMORY_BYTES);
    rt.set_max_stack_size(JS_STACK_BYTES);
    rt.set_interrupt_handler(Some(Box::new(move || Instant::now() >= deadline)));
    let context = Context::custom::<intrinsic::Eval>(&rt)
        .map_err(|e| ScriptError::Failed(format!("cannot create a JS context: {e}")))?;
    context.with(|ctx| {
        run(&ctx, b"function addCfg(){}".to_vec(), deadline)?;
        run(&ctx, drop_inert_addcfg(src).into_owned(), deadline)?;
        vars.iter()
            .map(|&Var { name, fields }| {
                // Reading the binding (rather than a property of the global
                // object) also finds `let`/`const`, as the literal reader does;
                // `typeof` keeps a missing name from throwing.
                let probe = format!("typeof {name} === 'undefined' ? undefined : {name}");
                let v = run(&ctx, probe.into_bytes(), deadline)?;
                if v.is_undefined() {
                    return Ok(None);
                }
                let mut budget = Budget { deadline, steps: 0 };
                to_lit(&v, 0, fields, &mut budget)
                    .map(Some)
                    .map_err(|e| match e {
                        ScriptError::TooBig(m) => ScriptError::TooBig(format!("{name}: {m}")),
                        other => other,
                    })
            })
            .collect()
    })
}

/// Blanks out the page's `addCfg("name",id,'value');` lines before QuickJS
/// parses them.
///
/// The device page holds ~480 of them and little else; parsing them is most
/// of the engine's work on a typical page (and far more CPU on a router than
/// here). Our `addCfg` is a no-op, so a call whose arguments are plain
/// literals has no effect at all: dropping it leaves the page's meaning
/// unchanged. Only lines of exactly that shape go, and only when `addCfg`
/// appears nowhere else in the page: a page that defines or reassigns its own
/// `addCfg`, or calls it with anything but literals, is run as it is. Lines
/// are blanked, not removed, so error messages keep their line numbers.
pub fn drop_inert_addcfg(src: &[u8]) -> Cow<'_, [u8]> {
    // The hub's pages are ASCII; anything else is run as it is.
    let Ok(text) = std::str::from_utf8(src) else {
        return Cow::Borrowed(src);
    };
    let mentions = text.matches("addCfg").count();
    if mentions == 0 {
        return Cow::Borrowed(src);
    }
    let mut out = Vec::with_capacity(src.len());
    let mut dropped = 0;
    for line in src.split_inclusive(|&b| b == b'\n') {
        if is_inert_addcfg(line) {
            dropped += 1;
            out.push(b'\n');
        } else {
            out.extend_from_slice(line);
        }
    }
    if dropped != mentions {
        return Cow::Borrowed(src);
    }
    if !src.ends_with(b"\n") && out.last() == Some(&b'\n') {
        out.pop();
    }
    Cow::Owned(out)
}

/// `addCfg("name",123,'value');` with nothing else on the line: a name of
/// word characters, a decimal id, and a value without quotes or escapes
/// (the hub percent-encodes them).
fn is_inert_addcfg(line: &[u8]) -> bool {
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

/// Evaluates a script, turning a thrown exception into a readable error.
///
/// In sloppy mode, as a browser runs a classic script: rquickjs defaults to
/// strict, where an assignment to an undeclared name throws and `010` is a
/// syntax error, so a page the hub's own web UI runs fine could fail here
/// (fuzzing found the readers disagreeing on `tx:010`).
fn run<'js>(ctx: &Ctx<'js>, src: Vec<u8>, deadline: Instant) -> Result<Value<'js>, ScriptError> {
    let mut options = EvalOptions::default();
    options.strict = false;
    match ctx.eval_with_options::<Value, _>(src, options) {
        Ok(v) => Ok(v),
        Err(rquickjs::Error::Exception) => {
            if Instant::now() >= deadline {
                return Err(ScriptError::Timeout);
            }
            Err(ScriptError::Failed(describe(ctx, ctx.catch())))
        }
        Err(e) => Err(ScriptError::Failed(e.to_string())),
    }
}

/// Bytes of a thrown error's message kept for the log.
pub const MAX_MESSAGE_BYTES: usize = 200;

/// The message of a thrown value, read without calling back into the page
/// (a thrown object's `toString` is page code), fit for one log line: the
/// page chooses it, and a line break in it would forge log lines.
fn describe<'js>(_ctx: &Ctx<'js>, thrown: Value<'js>) -> String {
    if let Some(exc) = thrown.as_exception() {
        let raw = exc.message().unwrap_or_default();
        let mut msg = String::new();
        for c in raw.chars() {
            if msg.len() >= MAX_MESSAGE_BYTES {
                msg.push_str("...");
                break;
            }
            if c.is_control() {
                msg.extend(c.escape_default());
            } else {
                msg.push(c);
            }
        }
        if let Some(line) = exc
            .as_object()
            .get::<_, Value>("lineNumber")
            .ok()
            .and_then(|v| v.as_number())
        {
            msg.push_str(&format!(" (line {line})"));
        }
        return msg;
    }
    match thrown.as_string().and_then(|s| s.to_string().ok()) {
        Some(s) => format!("threw a string of {} bytes", s.len()),
        None => format!("threw a value of type {}", thrown.type_name()),
    }
}

struct Budget {
    deadline: Instant,
    steps: u32,
}

impl Budget {
    /// The copy loops run in Rust, outside the interrupt handler's reach, so
    /// they check the deadline themselves every so often.
    fn step(&mut self) -> Result<(), ScriptError> {
        self.steps += 1;
        if self.steps % 256 == 0 && Instant::now() >= self.deadline {
            return Err(ScriptError::Timeout);
        }
        Ok(())
    }
}

/// Copies a JS value into a [`Lit`], enforcing the same limits as
/// [`super::check_limits`] as it goes, so nothing over the limits is built.
fn to_lit(
    v: &Value<'_>,
    depth: usize,
    fields: &[&str],
    budget: &mut Budget,
) -> Result<Lit, ScriptError> {
    budget.step()?;
    if depth > MAX_DEPTH {
        return Err(ScriptError::TooBig(format!(
            "nested deeper than {MAX_DEPTH}"
        )));
    }
    if let Some(s) = v.as_string() {
        let s = match s.to_string() {
            Ok(s) => s,
            Err(_) => lossy(s.clone())?,
        };
        if s.len() > MAX_STRING_BYTES {
            return Err(ScriptError::TooBig(format!(
                "a string of {} bytes (limit {MAX_STRING_BYTES})",
                s.len()
            )));
        }
        return Ok(Lit::Str(s));
    }
    if let Some(n) = v.as_number() {
        return Ok(Lit::Num(n));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Lit::Bool(b));
    }
    if let Some(arr) = v.as_array() {
        // `Array::len` asserts the length fits an i32; a hostile page can make
        // it 2^32-1, so the length is read as a plain number instead.
        let len = arr
            .as_object()
            .get::<_, Value>("length")
            .map_err(|e| caught(v.ctx(), e, budget.deadline))?
            .as_number()
            .unwrap_or(0.0);
        if len > MAX_ARRAY_LEN as f64 {
            return Err(ScriptError::TooBig(format!(
                "an array of {len} elements (limit {MAX_ARRAY_LEN})"
            )));
        }
        let mut items = Vec::with_capacity(len as usize);
        for i in 0..len as usize {
            let item: Value = arr
                .get(i)
                .map_err(|e| caught(v.ctx(), e, budget.deadline))?;
            items.push(to_lit(&item, depth + 1, fields, budget)?);
        }
        return Ok(Lit::Array(items));
    }
    if v.is_function() {
        return Ok(Lit::Null);
    }
    if let Some(obj) = v.as_object() {
        if !fields.is_empty() {
            let mut out = Vec::with_capacity(fields.len());
            for &key in fields {
                let value: Value = obj
                    .get(key)
                    .map_err(|e| caught(v.ctx(), e, budget.deadline))?;
                if !value.is_undefined() {
                    out.push((key.to_owned(), to_lit(&value, depth + 1, fields, budget)?));
                }
            }
            return Ok(Lit::Object(out));
        }
        // `props` reads each value by the key's atom, sparing a string
        // round trip per field.
        let props = obj.props::<String, Value>();
        if props.len() > MAX_OBJECT_FIELDS {
            return Err(ScriptError::TooBig(format!(
                "an object with {} properties (limit {MAX_OBJECT_FIELDS})",
                props.len()
            )));
        }
        let mut out = Vec::with_capacity(props.len());
        for prop in props {
            let (key, value) = prop.map_err(|e| caught(v.ctx(), e, budget.deadline))?;
            out.push((key, to_lit(&value, depth + 1, fields, budget)?));
        }
        return Ok(Lit::Object(out));
    }
    Ok(Lit::Null)
}

/// A string with a lone surrogate (`'\uD800'`), which is not UTF-8, with
/// each lone surrogate as U+FFFD: what the literal reader makes of it, and a
/// usable label (this reader used to drop the whole field, so the two builds
/// named such a device differently).
fn lossy(s: rquickjs::String<'_>) -> Result<String, ScriptError> {
    let c = s
        .to_cstring()
        .map_err(|e| ScriptError::Failed(e.to_string()))?;
    // SAFETY: QuickJS keeps `len` bytes at the pointer alive while `c` lives,
    // and nothing here assumes they are UTF-8.
    let bytes = unsafe { std::slice::from_raw_parts(c.as_ptr().cast::<u8>(), c.len()) };
    Ok(replace_surrogates(bytes))
}

/// QuickJS writes a lone surrogate as its 3-byte encoding (ED A0..BF 80..BF),
/// which UTF-8 forbids; each becomes one U+FFFD.
fn replace_surrogates(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == 0xED
            && matches!(bytes.get(i + 1), Some(0xA0..=0xBF))
            && matches!(bytes.get(i + 2), Some(0x80..=0xBF))
        {
            out.extend_from_slice("\u{fffd}".as_bytes());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn caught(ctx: &Ctx<'_>, e: rquickjs::Error, deadline: Instant) -> ScriptError {
    if Instant::now() >= deadline {
        return ScriptError::Timeout;
    }
    match e {
        rquickjs::Error::Exception => ScriptError::Failed(describe(ctx, ctx.catch())),
        other => ScriptError::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(2)
    }

    #[test]
    fn reads_lists_and_ignores_addcfg() {
        let src = b"var a=[{mac:'x',n:1},null];\naddCfg(\"k\",1,'v');\nlet b='s'; const c=[1,[2]];";
        let v = read_vars(src, &["a", "b", "c", "missing"], soon()).unwrap();
        assert_eq!(
            v,
            vec![
                Some(Lit::Array(vec![
                    Lit::Object(vec![
                        ("mac".into(), Lit::Str("x".into())),
                        ("n".into(), Lit::Num(1.0))
                    ]),
                    Lit::Null
                ])),
                Some(Lit::Str("s".into())),
                Some(Lit::Array(vec![
                    Lit::Num(1.0),
                    Lit::Array(vec![Lit::Num(2.0)])
                ])),
                None,
            ]
        );
    }

    #[test]
    fn only_inert_addcfg_lines_are_dropped() {
        let page = b"var a=[1];\naddCfg(\"i_Mac1\",35323905,'');\n  addCfg(\"x\",1,'1%2E2');\r\naddCfg(\"d\",2,'v');";
        let dropped = drop_inert_addcfg(page);
        assert_eq!(&*dropped, b"var a=[1];\n\n\n".as_slice());
        // Anything else that mentions addCfg keeps the page whole.
        for whole in [
            &b"function addCfg(a,b,c){ for(;;){} }\naddCfg(\"x\",1,'');"[..],
            b"addCfg = function(){};\naddCfg(\"x\",1,'');",
            b"addCfg(\"x\",1,f());",
            b"addCfg(\"x\",1,'a'); addCfg(\"y\",2,'b');",
            b"addCfg(\"x\",1,'it\\'s');",
            b"var known_device_list=[{hostname:'addCfg'}];\naddCfg(\"x\",1,'');",
        ] {
            assert_eq!(
                &*drop_inert_addcfg(whole),
                whole,
                "{}",
                String::from_utf8_lossy(whole)
            );
        }
        let page = b"var a=1;";
        assert!(matches!(drop_inert_addcfg(page), Cow::Borrowed(_)));
    }

    #[test]
    fn a_page_that_redefines_addcfg_still_runs_its_own() {
        let deadline = Instant::now() + Duration::from_millis(200);
        let src = b"addCfg(\"x\",1,'');\nfunction addCfg(){ for(;;){} }\nvar a=[];";
        assert_eq!(read_vars(src, &["a"], deadline), Err(ScriptError::Timeout));
    }

    #[test]
    fn runs_the_page_as_a_browser_does_not_in_strict_mode() {
        let src = b"undeclared = 1; var a = [010, 08, undeclared]; with ({b: 2}) { var c = b; }";
        let v = read_vars(src, &["a", "c"], soon()).unwrap();
        assert_eq!(
            v,
            vec![
                Some(Lit::Array(vec![
                    Lit::Num(8.0),
                    Lit::Num(8.0),
                    Lit::Num(1.0)
                ])),
                Some(Lit::Num(2.0)),
            ]
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let src = br"var a = ['\uD83D\uDE00', 'x\uD800y', '\uDFFF', 'caf\u00e9'];";
        let v = read_vars(src, &["a"], soon()).unwrap().remove(0);
        let want = ["\u{1f600}", "x\u{fffd}y", "\u{fffd}", "café"];
        assert_eq!(
            v,
            Some(Lit::Array(
                want.iter().map(|s| Lit::Str(s.to_string())).collect()
            ))
        );
        // The same as the JavaScript-free reader makes of them.
        let lit = super::super::literal::read_vars(src, &["a"], soon()).unwrap();
        assert_eq!(lit[0], v);
    }

    #[test]
    fn stops_an_infinite_loop_at_the_deadline() {
        let deadline = Instant::now() + Duration::from_millis(200);
        let start = Instant::now();
        assert_eq!(
            read_vars(b"while(true){}", &["a"], deadline),
            Err(ScriptError::Timeout)
        );
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn survives_memory_bombs_deep_recursion_and_huge_arrays() {
        let bomb = b"var s='x'; while(true){ s = s + s; }";
        assert!(matches!(
            read_vars(bomb, &["s"], soon()),
            Err(ScriptError::Failed(_))
        ));
        let rec = b"function f(n){ return f(n+1)+1; } f(0);";
        assert!(matches!(
            read_vars(rec, &["f"], soon()),
            Err(ScriptError::Failed(_))
        ));
        let nest = format!("var a = {}1{};", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            read_vars(nest.as_bytes(), &["a"], soon()),
            Err(ScriptError::Failed(_))
        ));
        let sparse = b"var a = []; a.length = 4294967295;";
        assert!(matches!(
            read_vars(sparse, &["a"], soon()),
            Err(ScriptError::TooBig(_))
        ));
        let cyc = b"var a = []; a.push(a);";
        assert!(matches!(
            read_vars(cyc, &["a"], soon()),
            Err(ScriptError::TooBig(_))
        ));
    }

    #[test]
    fn hostile_getters_and_throws_are_bounded() {
        let deadline = Instant::now() + Duration::from_millis(200);
        let getter = b"var a = [{}]; Object.defineProperty(a[0], 'mac', {enumerable:true, get(){ while(1){} }});";
        assert_eq!(
            read_vars(getter, &["a"], deadline),
            Err(ScriptError::Timeout)
        );
        let throw_obj = b"throw {toString(){ while(1){} }};";
        let err = read_vars(throw_obj, &["a"], soon()).unwrap_err();
        assert_eq!(
            err,
            ScriptError::Failed("threw a value of type object".into())
        );
        let forged =
            b"throw new Error('x\\nERROR GET /nonAuth/wan_conn.xml: forged' + 'y'.repeat(500));";
        let ScriptError::Failed(msg) = read_vars(forged, &["a"], soon()).unwrap_err() else {
            panic!("not a failure")
        };
        assert!(msg.starts_with("x\\nERROR GET"), "{msg}");
        assert!(!msg.chars().any(char::is_control), "{msg:?}");
        assert!(msg.len() < MAX_MESSAGE_BYTES + 20, "{} bytes", msg.len());
        let err = read_vars(b"var a = ;", &["a"], soon()).unwrap_err();
        assert!(
            err.to_string().contains("SyntaxError") || err.to_string().contains("unexpected"),
            "{err}"
        );
    }

    #[test]
    fn nothing_outside_the_sandbox_is_reachable() {
        let probe = b"var seen = [typeof require, typeof process, typeof Date, typeof Promise, typeof Proxy, typeof fetch, typeof setTimeout, typeof std, typeof os];";
        let v = read_vars(probe, &["seen"], soon())
            .unwrap()
            .remove(0)
            .unwrap();
        let Lit::Array(items) = v else {
            panic!("not an array")
        };
        assert!(
            items.iter().all(|i| *i == Lit::Str("undefined".into())),
            "{items:?}"
        );
    }
}
