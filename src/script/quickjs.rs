//! The JavaScript reader: runs the page in QuickJS, in a fresh runtime per
//! page, then copies the named variables out as [`Lit`] values.
//!
//! The sandbox: the base objects, the parser and `Date` ([`BuiltIns`]; no
//! `JSON`, `RegExp`, `Promise`, `Proxy`, typed arrays, modules or host
//! functions), `addCfg` defined as a no-op because the page calls it ~480
//! times, a heap limit, a native stack limit, and an interrupt handler that
//! stops the script at the scrape deadline.
//!
//! The page is decoded as a browser decodes a script: a byte that is not
//! UTF-8 is U+FFFD, and a NUL is a character like any other. A page that
//! throws keeps what it defined before it threw, as a browser shows it.
//!
//! Copying out runs no page code: only own data properties are read (never
//! through a prototype, so `Object.prototype.mac = ..` or
//! `Array.prototype[5] = {..}` makes no phantom device or field), and an
//! accessor property where a value is read refuses the page, since its
//! value is whatever its getter would compute.

use std::mem::MaybeUninit;
use std::time::Instant;

use rquickjs::context::intrinsic;
use rquickjs::function::This;
use rquickjs::{qjs, Context, Ctx, Function, Object, Value};

use super::limits::*;
use super::{
    depth_limit, fields_limit, in_var, inert_addcfg_at, Field, Found, Limiter, Lit, Records,
    ScriptError, Shape, Values, Var, MAX_RECORD_FIELDS,
};

/// The built-ins beyond the base objects (`Object`, `Array`, `String`,
/// `Math`, `Error`...) that a page finds. Measured on mipsel (stripped,
/// `opt-level = "s"`), each costs: `Date` 28 KB, `JSON` 31 KB, `RegExp`
/// with its compiler 96 KB. Those over 30 KB stay out, and a page that uses
/// one fails with an error that names it ([`missing_built_in`]).
pub type BuiltIns = (intrinsic::Eval, intrinsic::Date);
/// The standard built-ins a data page might touch that this build leaves
/// out, with their cost on mipsel.
const LEFT_OUT: &[(&str, &str)] = &[("JSON", "31 KB"), ("RegExp", "96 KB")];

/// Runs the page, then copies the variables out, keeping only the fields
/// each asks for.
///
/// When the page throws, what it defined before is read as if it had ended
/// there, with a note carrying the error; a name it had not defined yet
/// fails the read with that error (it may be what the rest would define).
pub fn read(src: &[u8], vars: &[Var], deadline: Instant) -> Result<Values, ScriptError> {
    with_page(&mut src.to_vec(), deadline, |page| {
        let mut copier = page.copier();
        let mut values = Vec::with_capacity(vars.len());
        for &Var { name, fields } in vars {
            let Some(v) = page.binding(name)? else {
                values.push(None);
                continue;
            };
            let atoms = page.atoms(fields)?;
            let lit = copier.copy(&v, 0, &atoms).map_err(in_var(name))?;
            copier.limiter.finish(name);
            values.push(Some(lit));
        }
        Ok(Values {
            values,
            notes: page.notes(copier.limiter),
        })
    })
}

/// Runs the page, then hands each record of the lists `vars` name to
/// `sink` (see [`super::read_records`]): the lists' arrays are walked once,
/// each record's wanted fields read as the engine holds them and handed
/// over for the call, with the charges, cuts and refusals of [`read`].
/// The page is run where it is: its inert `addCfg` lines are blanked out in
/// `page` itself ([`drop_inert_addcfg`]).
pub fn read_records(
    page: &mut Vec<u8>,
    vars: &[Var],
    deadline: Instant,
    sink: &mut dyn Records,
) -> Result<Found, ScriptError> {
    assert!(
        vars.iter().all(|v| v.fields.len() <= MAX_RECORD_FIELDS),
        "a record of more than {MAX_RECORD_FIELDS} fields"
    );
    with_page(page, deadline, |page| {
        let mut copier = page.copier();
        let mut shapes = Vec::with_capacity(vars.len());
        for (var, &Var { name, fields }) in vars.iter().enumerate() {
            let Some(v) = page.binding(name)? else {
                shapes.push(Shape::Undefined);
                continue;
            };
            let atoms = page.atoms(fields)?;
            sink.reset(var);
            let shape = copier
                .records(&v, &atoms, var, sink)
                .map_err(in_var(name))?;
            copier.limiter.finish(name);
            shapes.push(shape);
        }
        Ok(Found {
            shapes,
            notes: page.notes(copier.limiter),
        })
    })
}

/// `String.prototype.slice` and the getter of `Error.prototype.stack`, of
/// a context no page has run in.
fn built_ins<'js>(ctx: &Ctx<'js>) -> rquickjs::Result<(Function<'js>, Function<'js>)> {
    let prototype = |name: &str| -> rquickjs::Result<Object<'js>> {
        ctx.globals().get::<_, Object>(name)?.get("prototype")
    };
    let slice = prototype("String")?.get("slice")?;
    let error = prototype("Error")?;
    let key = PropKey::new(ctx, "stack")?;
    let mut desc = MaybeUninit::<qjs::JSPropertyDescriptor>::uninit();
    // SAFETY: `error` is an object of this context; `desc` is written when
    // the call returns 1, and its three values are then owned here.
    let getter = unsafe {
        let found = qjs::JS_GetOwnProperty(
            ctx.as_raw().as_ptr(),
            desc.as_mut_ptr(),
            error.as_raw(),
            key.atom,
        );
        if found != 1 {
            return Err(rquickjs::Error::Exception);
        }
        let desc = desc.assume_init();
        drop(Value::from_raw(ctx.clone(), desc.value));
        drop(Value::from_raw(ctx.clone(), desc.setter));
        Value::from_raw(ctx.clone(), desc.getter)
    };
    let getter = getter.into_function().ok_or(rquickjs::Error::Exception)?;
    Ok((slice, getter))
}

/// A page run in a fresh sandbox, to be read.
struct Page<'js> {
    ctx: Ctx<'js>,
    deadline: Instant,
    /// The engine's own `String.prototype.slice`, taken before the page ran.
    slice: Function<'js>,
    /// What the page threw, if it did.
    thrown: Option<String>,
}

/// Makes a runtime and a context with the sandbox's limits, runs the page
/// in it (its inert `addCfg` lines blanked out in place) and hands it to
/// `read`.
fn with_page<T>(
    src: &mut Vec<u8>,
    deadline: Instant,
    read: impl for<'js> FnOnce(&Page<'js>) -> Result<T, ScriptError>,
) -> Result<T, ScriptError> {
    let rt = rquickjs::Runtime::new()
        .map_err(|e| ScriptError::Failed(format!("cannot start QuickJS: {e}")))?;
    rt.set_memory_limit(JS_MEMORY_BYTES);
    rt.set_max_stack_size(JS_STACK_BYTES);
    rt.set_interrupt_handler(Some(Box::new(move || Instant::now() >= deadline)));
    let context = Context::custom::<BuiltIns>(&rt)
        .map_err(|e| ScriptError::Failed(format!("cannot create a JS context: {e}")))?;
    context.with(|ctx| {
        run(&ctx, &mut b"function addCfg(){}".to_vec(), deadline, None)?;
        // Taken before the page runs, which may replace them: the engine's
        // own `slice`, and the getter of an error's backtrace. Read as
        // properties (nothing of the page has run yet), not by evaluating
        // code: 0.06 M instructions less a scrape.
        let (slice, stack) = built_ins(&ctx).map_err(|e| caught(&ctx, e, deadline))?;
        drop_inert_addcfg(src);
        let thrown = match run(&ctx, src, deadline, Some(&stack)) {
            Ok(_) => None,
            Err(ScriptError::Failed(msg)) => Some(msg),
            Err(other) => return Err(other),
        };
        read(&Page {
            ctx,
            deadline,
            slice,
            thrown,
        })
    })
}

impl<'js> Page<'js> {
    fn copier(&self) -> Copier<'js> {
        Copier {
            ctx: self.ctx.clone(),
            deadline: self.deadline,
            steps: 0,
            limiter: Limiter::new(),
            slice: self.slice.clone(),
        }
    }

    /// What the page left in `name` ([`binding`]); a name it had not
    /// defined when it threw fails the read with what it threw.
    fn binding(&self, name: &str) -> Result<Option<Value<'js>>, ScriptError> {
        let v = binding(&self.ctx, name, self.deadline)?;
        if let (None, Some(msg)) = (&v, &self.thrown) {
            return Err(ScriptError::Failed(format!(
                "{msg}, before {name} was defined"
            )));
        }
        Ok(v)
    }

    fn atoms(&self, fields: &[&str]) -> Result<Vec<PropKey<'js>>, ScriptError> {
        fields
            .iter()
            .map(|f| PropKey::new(&self.ctx, f))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| caught(&self.ctx, e, self.deadline))
    }

    /// The notes of a read: what the page threw, then the cuts.
    fn notes(&self, limiter: Limiter) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(msg) = &self.thrown {
            notes.push(format!("the page threw after defining what is read: {msg}"));
        }
        notes.extend(limiter.into_notes());
        notes
    }
}

/// The value bound to a top-level name after the page ran, `None` when it
/// has none, read without running page code: the global object's own
/// property must not be an accessor, and its prototype is removed first, so
/// that `Object.prototype.known_device_list = [..]` is no list.
fn binding<'js>(
    ctx: &Ctx<'js>,
    name: &str,
    deadline: Instant,
) -> Result<Option<Value<'js>>, ScriptError> {
    let globals = ctx.globals();
    let key = PropKey::new(ctx, name).map_err(|e| caught(ctx, e, deadline))?;
    if let Own::Accessor =
        own(ctx, globals.as_value(), &key).map_err(|e| caught(ctx, e, deadline))?
    {
        return Err(accessor(name));
    }
    globals.set_prototype(None).map_err(|_| {
        ScriptError::Failed("the page froze the global object; its variables are not read".into())
    })?;
    // Reading the binding (rather than a property of the global object)
    // also finds `let`/`const`, as the literal reader does; `typeof` keeps a
    // missing name from throwing. A name in its temporal dead zone (declared
    // below the `throw` that stopped the page) throws here: not defined.
    let probe = format!("typeof {name} === 'undefined' ? undefined : {name}");
    match run(ctx, &mut probe.into_bytes(), deadline, None) {
        Ok(v) if v.is_undefined() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(ScriptError::Failed(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn accessor(what: &str) -> ScriptError {
    ScriptError::Failed(format!(
        "{what} is an accessor (getter or setter), not data; no page code runs while its values are read"
    ))
}

/// A property key as QuickJS names it (an atom), freed on drop.
struct PropKey<'js> {
    ctx: Ctx<'js>,
    atom: qjs::JSAtom,
    name: String,
}

impl<'js> PropKey<'js> {
    fn new(ctx: &Ctx<'js>, name: &str) -> rquickjs::Result<Self> {
        // SAFETY: the context is live for 'js; the bytes are valid for the call.
        let atom = unsafe {
            qjs::JS_NewAtomLen(ctx.as_raw().as_ptr(), name.as_ptr().cast(), name.len() as _)
        };
        if atom == qjs::JS_ATOM_NULL {
            return Err(rquickjs::Error::Exception);
        }
        Ok(PropKey {
            ctx: ctx.clone(),
            atom,
            name: name.to_owned(),
        })
    }

    /// An array index: QuickJS tags small integers into the atom itself, so
    /// this allocates nothing.
    fn index(ctx: &Ctx<'js>, i: u32) -> rquickjs::Result<Self> {
        // SAFETY: as above.
        let atom = unsafe { qjs::JS_NewAtomUInt32(ctx.as_raw().as_ptr(), i) };
        if atom == qjs::JS_ATOM_NULL {
            return Err(rquickjs::Error::Exception);
        }
        Ok(PropKey {
            ctx: ctx.clone(),
            atom,
            name: String::new(),
        })
    }
}

impl Drop for PropKey<'_> {
    fn drop(&mut self) {
        // SAFETY: the atom was made in this context and is freed once.
        unsafe { qjs::JS_FreeAtom(self.ctx.as_raw().as_ptr(), self.atom) }
    }
}

/// An object's own property, as found without calling anything.
enum Own<'js> {
    Absent,
    Data(Value<'js>),
    Accessor,
}

/// Reads `obj`'s own property `key` (`JS_GetOwnProperty`: no prototype, no
/// getter; the engine calls page code there only for a `Proxy`, which this
/// sandbox does not offer).
fn own<'js>(ctx: &Ctx<'js>, obj: &Value<'js>, key: &PropKey<'js>) -> rquickjs::Result<Own<'js>> {
    let mut desc = MaybeUninit::<qjs::JSPropertyDescriptor>::uninit();
    // SAFETY: `obj` is an object of this context (callers check), `desc` is
    // written whenever the call returns 1, and each of its three values is
    // then owned here and freed by `Value`'s drop.
    unsafe {
        let found = qjs::JS_GetOwnProperty(
            ctx.as_raw().as_ptr(),
            desc.as_mut_ptr(),
            obj.as_raw(),
            key.atom,
        );
        if found < 0 {
            return Err(rquickjs::Error::Exception);
        }
        if found == 0 {
            return Ok(Own::Absent);
        }
        let desc = desc.assume_init();
        let value = Value::from_raw(ctx.clone(), desc.value);
        let getter = Value::from_raw(ctx.clone(), desc.getter);
        let setter = Value::from_raw(ctx.clone(), desc.setter);
        if desc.flags & qjs::JS_PROP_GETSET as i32 != 0 {
            drop((getter, setter));
            return Ok(Own::Accessor);
        }
        Ok(Own::Data(value))
    }
}

/// Copies values out of the engine, applying the [`Limiter`] as it goes so
/// that nothing over the limits is built.
struct Copier<'js> {
    ctx: Ctx<'js>,
    deadline: Instant,
    steps: u32,
    limiter: Limiter,
    /// The engine's own `String.prototype.slice`, to take the head of a long
    /// string without converting all of it.
    slice: Function<'js>,
}

impl<'js> Copier<'js> {
    /// The copy loops run in Rust, outside the interrupt handler's reach, so
    /// they check the deadline themselves every so often.
    fn step(&mut self) -> Result<(), ScriptError> {
        self.steps += 1;
        if self.steps % 256 == 0 && Instant::now() >= self.deadline {
            return Err(ScriptError::Timeout);
        }
        Ok(())
    }

    fn caught(&self, e: rquickjs::Error) -> ScriptError {
        caught(&self.ctx, e, self.deadline)
    }

    fn own(&self, obj: &Value<'js>, key: &PropKey<'js>) -> Result<Own<'js>, ScriptError> {
        own(&self.ctx, obj, key).map_err(|e| self.caught(e))
    }

    /// A value as [`Limiter::limit`] would leave the same value parsed as a
    /// literal: the same charges, in the same order.
    fn copy(
        &mut self,
        v: &Value<'js>,
        depth: usize,
        fields: &[PropKey<'js>],
    ) -> Result<Lit, ScriptError> {
        self.step()?;
        depth_limit(depth)?;
        self.limiter.value()?;
        if v.is_string() {
            return self.string(v);
        }
        if let Some(n) = v.as_number() {
            return Ok(Lit::Num(n));
        }
        if let Some(b) = v.as_bool() {
            return Ok(Lit::Bool(b));
        }
        if v.is_array() {
            let length = PropKey {
                ctx: self.ctx.clone(),
                atom: qjs::JS_ATOM_length,
                name: "length".into(),
            };
            // An array's `length` is always an own data property; read as a
            // plain number, since a hostile page can make it 2^32-1.
            let len = match self.own(v, &length)? {
                Own::Data(n) => n.as_number().unwrap_or(0.0),
                _ => 0.0,
            };
            // Whether the one element past the cut is the hub's trailing
            // `null` (see `Limiter::array_len`).
            let tail_null = if len == (MAX_ARRAY_LEN + 1) as f64 {
                let key =
                    PropKey::index(&self.ctx, MAX_ARRAY_LEN as u32).map_err(|e| self.caught(e))?;
                match self.own(v, &key)? {
                    Own::Absent => true,
                    Own::Data(x) => x.is_null() || x.is_undefined(),
                    Own::Accessor => false,
                }
            } else {
                false
            };
            let keep = self.limiter.array_len(len, || tail_null);
            let mut items = Vec::with_capacity(keep);
            for i in 0..keep {
                let key = PropKey::index(&self.ctx, i as u32).map_err(|e| self.caught(e))?;
                match self.own(v, &key)? {
                    // A hole, as the literal reader reads `[,]`.
                    Own::Absent => {
                        self.step()?;
                        self.limiter.value()?;
                        items.push(Lit::Null);
                    }
                    Own::Data(item) => items.push(self.copy(&item, depth + 1, fields)?),
                    Own::Accessor => return Err(accessor(&format!("element {i}"))),
                }
            }
            return Ok(Lit::Array(items));
        }
        if v.is_function() {
            return Ok(Lit::Null);
        }
        if v.is_object() {
            if !fields.is_empty() {
                let mut out = Vec::with_capacity(fields.len());
                for key in fields {
                    match self.own(v, key)? {
                        Own::Absent => {}
                        Own::Data(value) => {
                            self.limiter.key(&key.name)?;
                            out.push((key.name.clone(), self.copy(&value, depth + 1, fields)?));
                        }
                        Own::Accessor => return Err(accessor(&format!("field {}", key.name))),
                    }
                }
                return Ok(Lit::Object(out));
            }
            let obj = v.as_object().expect("is_object");
            let names: Vec<String> = obj
                .own_keys::<String>(rquickjs::Filter::default())
                .collect::<rquickjs::Result<_>>()
                .map_err(|e| self.caught(e))?;
            fields_limit(names.len())?;
            let mut out = Vec::with_capacity(names.len());
            for name in names {
                let key = PropKey::new(&self.ctx, &name).map_err(|e| self.caught(e))?;
                match self.own(v, &key)? {
                    Own::Absent => {}
                    Own::Data(value) => {
                        self.limiter.key(&name)?;
                        let value = self.copy(&value, depth + 1, fields)?;
                        out.push((name, value));
                    }
                    Own::Accessor => return Err(accessor(&format!("field {name}"))),
                }
            }
            return Ok(Lit::Object(out));
        }
        Ok(Lit::Null)
    }

    /// A string, cut as the [`Limiter`] cuts it. A long one is first sliced
    /// to its first [`MAX_STRING_BYTES`] UTF-16 units inside the engine, so
    /// that a 1 MB string in every record is not converted whole each time.
    /// That changes nothing: those units take at least as many bytes in
    /// UTF-8, so the cut falls inside them, and a surrogate pair the slice
    /// splits (its half is U+FFFD) starts at byte 4,095 or later and is cut
    /// off whole.
    fn string(&mut self, v: &Value<'js>) -> Result<Lit, ScriptError> {
        // SAFETY: `length` of a string primitive is read by the engine from
        // the string itself (no prototype is consulted); the result is owned.
        let units = unsafe {
            Value::from_raw(
                self.ctx.clone(),
                qjs::JS_GetProperty(self.ctx.as_raw().as_ptr(), v.as_raw(), qjs::JS_ATOM_length),
            )
        }
        .as_number()
        .unwrap_or(0.0);
        let longer = units > MAX_STRING_BYTES as f64;
        let head = if longer {
            self.slice
                .call::<_, Value>((This(v.clone()), 0, MAX_STRING_BYTES as i32))
                .map_err(|e| self.caught(e))?
        } else {
            v.clone()
        };
        let s = head.as_string().expect("a string, sliced or not");
        let s = match s.to_string() {
            Ok(s) => s,
            Err(_) => lossy(s.clone())?,
        };
        self.limiter.string(s, longer)
    }
}

impl<'js> Copier<'js> {
    /// A wanted list, walked as [`Copier::copy`] would copy it, each element
    /// that is an object handed to `sink` as its fields; anything else is
    /// copied (for its charges and cuts) and dropped.
    fn records(
        &mut self,
        v: &Value<'js>,
        fields: &[PropKey<'js>],
        var: usize,
        sink: &mut dyn Records,
    ) -> Result<Shape, ScriptError> {
        if !v.is_array() {
            self.copy(v, 0, fields)?;
            return Ok(Shape::Other);
        }
        self.step()?;
        depth_limit(0)?;
        self.limiter.value()?;
        let ctx = self.ctx.as_raw().as_ptr();
        let list = v.as_raw();
        // As in `copy`: `length` as a plain number, and whether the one
        // element past the cut is the hub's trailing `null`.
        let len = match own_raw(ctx, list, qjs::JS_ATOM_length).map_err(|e| self.caught(e))? {
            RawOwn::Data(n) => n.number().unwrap_or(0.0),
            _ => 0.0,
        };
        let tail_null = len == (MAX_ARRAY_LEN + 1) as f64
            && match own_index(ctx, list, MAX_ARRAY_LEN as u32).map_err(|e| self.caught(e))? {
                RawOwn::Absent => true,
                RawOwn::Data(x) => x.is_null_or_undefined(),
                RawOwn::Accessor => false,
            };
        let keep = self.limiter.array_len(len, || tail_null);
        for i in 0..keep {
            match own_index(ctx, list, i as u32).map_err(|e| self.caught(e))? {
                // A hole, as the literal reader reads `[,]`.
                RawOwn::Absent => {
                    self.step()?;
                    self.limiter.value()?;
                }
                // SAFETY: `item` is a live value of this context.
                RawOwn::Data(item) if unsafe { item.is_record(ctx) } => {
                    self.record(&item, fields, var, sink)?;
                }
                RawOwn::Data(item) => {
                    self.copy(&item.value(&self.ctx), 1, fields)?;
                }
                RawOwn::Accessor => return Err(accessor(&format!("element {i}"))),
            }
        }
        Ok(Shape::Array)
    }

    /// One record: what [`Copier::copy`] charges for an object with
    /// `fields`, its strings read where the engine keeps them.
    fn record(
        &mut self,
        item: &Held,
        fields: &[PropKey<'js>],
        var: usize,
        sink: &mut dyn Records,
    ) -> Result<(), ScriptError> {
        self.step()?;
        depth_limit(1)?;
        self.limiter.value()?;
        let ctx = self.ctx.as_raw().as_ptr();
        let mut texts = Texts {
            ctx,
            items: Default::default(),
        };
        for (j, key) in fields.iter().enumerate() {
            let value = match own_raw(ctx, item.v, key.atom).map_err(|e| self.caught(e))? {
                RawOwn::Absent => continue,
                RawOwn::Accessor => return Err(accessor(&format!("field {}", key.name))),
                RawOwn::Data(value) => value,
            };
            // SAFETY: reading a live value's tag.
            let tag = unsafe { qjs::JS_VALUE_GET_TAG(value.v) };
            if tag == qjs::JS_TAG_OBJECT {
                self.limiter.key(&key.name)?;
                self.copy(&value.value(&self.ctx), 2, fields)?;
                continue;
            }
            // What `copy` does first for any value (the charges after).
            self.step()?;
            depth_limit(2)?;
            texts.items[j] = match tag {
                qjs::JS_TAG_STRING | qjs::JS_TAG_STRING_ROPE => self.text(&value, &key.name)?,
                _ => {
                    self.limiter.key(&key.name)?;
                    self.limiter.value()?;
                    value.number().map_or(Text::None, Text::Num)
                }
            };
        }
        let mut out = [Field::None; MAX_RECORD_FIELDS];
        for (o, t) in out.iter_mut().zip(&texts.items) {
            *o = t.field();
        }
        sink.record(var, &out[..fields.len()]);
        Ok(())
    }

    /// A record's field `key` holding a string, charged as
    /// [`Copier::copy`] charges it and kept as [`Copier::string`] keeps it,
    /// but borrowed from the engine: QuickJS-ng hands out the bytes of a
    /// string that is all ASCII (the hub percent-encodes everything)
    /// without copying them.
    fn text(&mut self, v: &Held, key: &str) -> Result<Text, ScriptError> {
        let ctx = self.ctx.as_raw().as_ptr();
        // SAFETY: as in `string`; a number needs no freeing.
        let units = unsafe { Held::new(ctx, qjs::JS_GetProperty(ctx, v.v, qjs::JS_ATOM_length)) }
            .number()
            .unwrap_or(0.0);
        let longer = units > MAX_STRING_BYTES as f64;
        let head = if longer {
            let sliced = self
                .slice
                .call::<_, Value>((This(v.value(&self.ctx)), 0, MAX_STRING_BYTES as i32))
                .map_err(|e| self.caught(e))?;
            Some(sliced)
        } else {
            None
        };
        let raw = head.as_ref().map_or(v.v, |h| h.as_raw());
        let mut len: qjs::size_t = 0;
        // SAFETY: `raw` is a string (a string's slice is one), so no page
        // code runs; the C string holds a reference to it of its own, freed
        // by `JS_FreeCString` (in `Texts`' drop, or below).
        let ptr = unsafe { qjs::JS_ToCStringLen2(ctx, &mut len, raw, false) };
        if ptr.is_null() {
            return Err(self.caught(rquickjs::Error::Exception));
        }
        // SAFETY: `len` bytes at `ptr` live until `JS_FreeCString`.
        let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len as usize) };
        let cut = match std::str::from_utf8(bytes) {
            Ok(s) => self
                .limiter
                .string_field(key, s, longer)
                .map(|(keep, cut)| Text::Engine { ptr, keep, cut }),
            // A lone surrogate: see `lossy`.
            Err(_) => {
                let mut s = replace_surrogates(bytes);
                self.limiter
                    .string_field(key, &s, longer)
                    .map(|(keep, cut)| {
                        s.truncate(keep);
                        Text::Owned { s, cut }
                    })
            }
        };
        if !matches!(cut, Ok(Text::Engine { .. })) {
            // SAFETY: taken above, freed once.
            unsafe { qjs::JS_FreeCString(ctx, ptr) };
        }
        cut
    }
}

/// A value the engine handed over, freed on drop: a bare `JSValue`, where
/// an rquickjs `Value` would also take and release a reference to the
/// context for each one (0.47 M instructions a 250-device page).
struct Held {
    ctx: *mut qjs::JSContext,
    v: qjs::JSValue,
}

impl Held {
    /// # Safety
    /// `v` is owned by the caller and of the context `ctx`.
    unsafe fn new(ctx: *mut qjs::JSContext, v: qjs::JSValue) -> Self {
        Held { ctx, v }
    }

    fn number(&self) -> Option<f64> {
        // SAFETY: reading a live value's tag and payload.
        unsafe {
            match qjs::JS_VALUE_GET_TAG(self.v) {
                qjs::JS_TAG_INT => Some(f64::from(qjs::JS_VALUE_GET_INT(self.v))),
                qjs::JS_TAG_FLOAT64 => Some(qjs::JS_VALUE_GET_FLOAT64(self.v)),
                _ => None,
            }
        }
    }

    fn is_null_or_undefined(&self) -> bool {
        // SAFETY: reading a live value's tag.
        let tag = unsafe { qjs::JS_VALUE_GET_TAG(self.v) };
        tag == qjs::JS_TAG_NULL || tag == qjs::JS_TAG_UNDEFINED
    }

    /// An object that `copy` reads as a record: not an array, not a
    /// function.
    ///
    /// # Safety
    /// `ctx` is the value's context.
    unsafe fn is_record(&self, ctx: *mut qjs::JSContext) -> bool {
        qjs::JS_VALUE_GET_TAG(self.v) == qjs::JS_TAG_OBJECT
            && !qjs::JS_IsArray(self.v)
            && !qjs::JS_IsFunction(ctx, self.v)
    }

    /// The value as rquickjs holds it, for [`Copier::copy`].
    fn value<'js>(&self, ctx: &Ctx<'js>) -> Value<'js> {
        // SAFETY: a new reference to a live value of this context.
        unsafe { Value::from_raw(ctx.clone(), qjs::JS_DupValue(self.ctx, self.v)) }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: owned, freed once.
        unsafe { qjs::JS_FreeValue(self.ctx, self.v) }
    }
}

/// An object's own property, found without calling anything, as [`Own`].
enum RawOwn {
    Absent,
    Data(Held),
    Accessor,
}

/// [`own`] with a bare atom and bare values.
fn own_raw(
    ctx: *mut qjs::JSContext,
    obj: qjs::JSValue,
    atom: qjs::JSAtom,
) -> rquickjs::Result<RawOwn> {
    let mut desc = MaybeUninit::<qjs::JSPropertyDescriptor>::uninit();
    // SAFETY: `obj` is a live object of `ctx`; `desc` is written whenever
    // the call returns 1, and its three values are then owned here.
    unsafe {
        let found = qjs::JS_GetOwnProperty(ctx, desc.as_mut_ptr(), obj, atom);
        if found < 0 {
            return Err(rquickjs::Error::Exception);
        }
        if found == 0 {
            return Ok(RawOwn::Absent);
        }
        let desc = desc.assume_init();
        let (value, getter, setter) = (
            Held::new(ctx, desc.value),
            Held::new(ctx, desc.getter),
            Held::new(ctx, desc.setter),
        );
        if desc.flags & qjs::JS_PROP_GETSET as i32 != 0 {
            drop((value, getter, setter));
            return Ok(RawOwn::Accessor);
        }
        // A data property's getter and setter are `undefined`: nothing to
        // free, and no call.
        std::mem::forget((getter, setter));
        Ok(RawOwn::Data(value))
    }
}

/// An array's own element `i`: QuickJS tags small integers into the atom
/// itself, so the key allocates nothing and needs no freeing.
fn own_index(ctx: *mut qjs::JSContext, obj: qjs::JSValue, i: u32) -> rquickjs::Result<RawOwn> {
    // SAFETY: the context is live.
    let atom = unsafe { qjs::JS_NewAtomUInt32(ctx, i) };
    if atom == qjs::JS_ATOM_NULL {
        return Err(rquickjs::Error::Exception);
    }
    let found = own_raw(ctx, obj, atom);
    // SAFETY: made above, freed once.
    unsafe { qjs::JS_FreeAtom(ctx, atom) };
    found
}

/// A record's field as read, until the sink has seen it.
#[derive(Default)]
enum Text {
    #[default]
    None,
    Num(f64),
    /// The engine's bytes (valid UTF-8), `keep` of them kept.
    Engine {
        ptr: *const std::ffi::c_char,
        keep: usize,
        cut: bool,
    },
    /// A string made valid UTF-8 here (see `lossy`).
    Owned {
        s: String,
        cut: bool,
    },
}

impl Text {
    fn field(&self) -> Field<'_> {
        match self {
            Text::None => Field::None,
            Text::Num(n) => Field::Num(*n),
            Text::Engine { ptr, keep, cut } => Field::Str {
                // SAFETY: checked to be UTF-8 when taken, `keep` on a
                // character boundary; the bytes live until `Texts` drops.
                text: unsafe {
                    std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr.cast(), *keep))
                },
                cut: *cut,
            },
            Text::Owned { s, cut } => Field::Str { text: s, cut: *cut },
        }
    }
}

/// A record's fields as read; the engine's strings are freed on drop.
struct Texts {
    ctx: *mut qjs::JSContext,
    items: [Text; MAX_RECORD_FIELDS],
}

impl Drop for Texts {
    fn drop(&mut self) {
        for t in &self.items {
            if let Text::Engine { ptr, .. } = t {
                // SAFETY: taken by `Copier::text`, freed once.
                unsafe { qjs::JS_FreeCString(self.ctx, *ptr) };
            }
        }
    }
}

/// Blanks out the page's `addCfg("name",id,'value');` lines before QuickJS
/// parses them, in place.
///
/// The device page holds ~480 of them and little else; parsing them is most
/// of the engine's work on a typical page (and far more CPU on a router than
/// here). Our `addCfg` is a no-op, so a call whose arguments are plain
/// literals has no effect at all: dropping it leaves the page's meaning
/// unchanged. Only lines of exactly that shape go, and only when `addCfg`
/// appears nowhere else in the page: a page that defines or reassigns its own
/// `addCfg`, or calls it with anything but literals, is run as it is. Lines
/// are blanked, not removed, so error messages keep their line numbers.
///
/// In place, so that the page the engine compiles is the body as fetched
/// and not a copy beside it (137 KiB at 250 devices, at the scrape's peak).
/// A page that is not UTF-8 is first decoded as a browser decodes it: a
/// byte that is not UTF-8 is U+FFFD.
pub fn drop_inert_addcfg(page: &mut Vec<u8>) {
    // `from_utf8` first: on a valid page it is a tenth of the cost of
    // `from_utf8_lossy` (callgrind: ~1 M instructions a 250-device page).
    if std::str::from_utf8(page).is_err() {
        *page = String::from_utf8_lossy(page).into_owned().into_bytes();
    }
    let lines = std::str::from_utf8(page).map_or_else(|_| Vec::new(), inert_addcfg_lines);
    let Some(first) = lines.first() else {
        return;
    };
    // Each kept run moves down over the lines dropped before it.
    let mut to = first.start;
    let mut from = first.end;
    for line in &lines[1..] {
        page.copy_within(from..line.start, to);
        to += line.start - from;
        from = line.end;
    }
    let len = page.len();
    page.copy_within(from..len, to);
    page.truncate(to + len - from);
}

/// The lines [`drop_inert_addcfg`] drops (each without its line break), or
/// none.
fn inert_addcfg_lines(text: &str) -> Vec<std::ops::Range<usize>> {
    // Each mention must open an inert line of its own (a second mention on
    // a line is not the first thing on it), else the page is run whole.
    // Mentions are found by their `C`, which `str::find` looks for a word at
    // a time (the page's device list holds few); but the hub writes its
    // `addCfg` lines one after another, so after one the next line is
    // tried first (callgrind: on the real page, 0.35 M instructions by `C`
    // alone, 0.12 M so).
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let mut from = 0;
    while from < b.len() {
        let start = from;
        let mut at = start;
        while matches!(b.get(at), Some(b' ' | b'\t' | b'\r' | 0x0c)) {
            at += 1;
        }
        let opens = start == 0 || b[start - 1] == b'\n';
        if let Some((_, end)) = inert_addcfg_at(b, at).filter(|_| opens) {
            // Its name or value must not mention `addCfg` again.
            if mentions_addcfg(&text[at + 6..end]) {
                return Vec::new();
            }
            lines.push(start..end);
            from = end + 1;
            continue;
        }
        // The next mention, wherever it is.
        let Some(c) = text[from..].find('C') else {
            break;
        };
        let c = from + c;
        from = c + 1;
        if c >= 3 && &b[c - 3..c] == b"add" && b.get(c + 1..c + 3) == Some(b"fg") {
            // Not where a line opens (it would have been tried above), or
            // not inert: either way code, so run whole; unless it opens
            // its line, which is then tried as above.
            let at = c - 3;
            let mut start = at;
            while start > 0 && matches!(b[start - 1], b' ' | b'\t' | b'\r' | 0x0c) {
                start -= 1;
            }
            if (start != 0 && b[start - 1] != b'\n') || inert_addcfg_at(b, at).is_none() {
                return Vec::new();
            }
            from = start;
        }
    }
    lines
}

/// Whether `s` names `addCfg`: almost no name or value holds a `C`, which
/// a word-at-a-time search tells at once.
fn mentions_addcfg(s: &str) -> bool {
    s.as_bytes().contains(&b'C') && s.contains("addCfg")
}

/// Evaluates a script, turning a thrown exception into a readable error.
///
/// In sloppy mode, as a browser runs a classic script: rquickjs defaults to
/// strict, where an assignment to an undeclared name throws and `010` is a
/// syntax error, so a page the hub's own web UI runs fine could fail here,
/// and the two readers would disagree on `tx:010`.
///
/// Through `JS_Eval` itself rather than rquickjs's `eval`, which refuses a
/// source holding a NUL (it makes a C string of it): QuickJS takes the
/// length and reads a NUL in a string or a comment as a character, as a
/// browser does; it only needs one after the end.
fn run<'js>(
    ctx: &Ctx<'js>,
    src: &mut Vec<u8>,
    deadline: Instant,
    stack: Option<&Function<'js>>,
) -> Result<Value<'js>, ScriptError> {
    let len = src.len();
    src.push(0);
    // SAFETY: `src` is `len` bytes followed by a NUL and outlives the call;
    // the file name is a C string; the result is an owned value.
    let v = unsafe {
        let v = qjs::JS_Eval(
            ctx.as_raw().as_ptr(),
            src.as_ptr().cast(),
            len as _,
            c"eval_script".as_ptr(),
            qjs::JS_EVAL_TYPE_GLOBAL as i32,
        );
        Value::from_raw(ctx.clone(), v)
    };
    src.pop();
    if !v.is_exception() {
        return Ok(v);
    }
    if Instant::now() >= deadline {
        return Err(ScriptError::Timeout);
    }
    Err(ScriptError::Failed(missing_built_in(describe(
        ctx,
        ctx.catch(),
        stack,
    ))))
}

/// Names the built-in a page used that this build leaves out: the engine
/// says `JSON is not defined` for a call, and `RegExp are not supported`
/// when it parses a regular expression literal, wherever it is.
fn missing_built_in(msg: String) -> String {
    if let Some(rest) = msg.strip_prefix("RegExp are not supported") {
        return format!(
            "the page holds a regular expression literal{rest}, and this build offers no RegExp ({} on mipsel)",
            cost("RegExp")
        );
    }
    for (name, size) in LEFT_OUT {
        if msg.starts_with(&format!("{name} is not defined")) {
            return format!("{msg}: this build offers no {name} ({size} on mipsel)");
        }
    }
    msg
}

fn cost(name: &str) -> &'static str {
    LEFT_OUT
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, s)| s)
}

/// Bytes of a thrown error's message kept for the log.
const MAX_MESSAGE_BYTES: usize = 200;

/// The message of a thrown value, read without calling back into the page
/// (a thrown object's `toString`, or a getter for its `message`, is page
/// code), fit for one log line: the page chooses it, and a line break in it
/// would forge log lines. `stack` is the engine's own getter of an error's
/// backtrace, which names the page's line.
fn describe<'js>(ctx: &Ctx<'js>, thrown: Value<'js>, stack: Option<&Function<'js>>) -> String {
    let data = |key: &str| -> Option<String> {
        let key = PropKey::new(ctx, key).ok()?;
        match own(ctx, &thrown, &key).ok()? {
            Own::Data(v) => v.as_string()?.to_string().ok(),
            _ => None,
        }
    };
    if thrown.as_exception().is_some() {
        let raw = data("message").unwrap_or_default();
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
        // The engine's backtrace names the page's line as `eval_script:N`.
        let backtrace = stack
            .and_then(|get| get.call::<_, Value>((This(thrown.clone()),)).ok())
            .and_then(|v| v.as_string()?.to_string().ok());
        if let Some(line) = backtrace.and_then(|st| {
            let at = st.find("eval_script:")? + "eval_script:".len();
            let digits: String = st[at..].chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty()).then_some(digits)
        }) {
            msg.push_str(&format!(" (line {line})"));
        }
        return msg;
    }
    match thrown.as_string().and_then(|s| s.to_string().ok()) {
        Some(s) => format!("threw a string of {} bytes", s.len()),
        None => format!("threw a value of type {}", thrown.type_name()),
    }
}

/// A string with a lone surrogate (`'\uD800'`), which is not UTF-8, with
/// each lone surrogate as U+FFFD: what the literal reader makes of it, and a
/// usable label (dropping the whole field would name such a device
/// differently in the two builds).
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
        rquickjs::Error::Exception => ScriptError::Failed(describe(ctx, ctx.catch(), None)),
        other => ScriptError::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::is_inert_addcfg;

    fn read_vars(src: &[u8], names: &[&str], deadline: Instant) -> Result<Values, ScriptError> {
        read(src, &Var::each(names), deadline)
    }
    use std::time::Duration;

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(2)
    }

    #[test]
    fn reads_lists_and_ignores_addcfg() {
        let src = b"var a=[{mac:'x',n:1},null];\naddCfg(\"k\",1,'v');\nlet b='s'; const c=[1,[2]];";
        let v = read_vars(src, &["a", "b", "c", "missing"], soon())
            .unwrap()
            .values;
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
        let blanked = |page: &str| {
            let mut page = page.as_bytes().to_vec();
            drop_inert_addcfg(&mut page);
            page
        };
        let page = "var a=[1];\naddCfg(\"i_Mac1\",35323905,'');\n  addCfg(\"x\",1,'1%2E2');\r\naddCfg(\"d\",2,'v');";
        assert_eq!(blanked(page), b"var a=[1];\n\n\n");
        // Anything else that mentions addCfg keeps the page whole.
        for whole in [
            "function addCfg(a,b,c){ for(;;){} }\naddCfg(\"x\",1,'');",
            "addCfg = function(){};\naddCfg(\"x\",1,'');",
            "addCfg(\"x\",1,f());",
            "addCfg(\"x\",1,'a'); addCfg(\"y\",2,'b');",
            "addCfg(\"x\",1,'it\\'s');",
            "addCfg(\"addCfg\",1,'');",
            "addCfg(\"x\",1,'addCfg');",
            "var known_device_list=[{hostname:'addCfg'}];\naddCfg(\"x\",1,'');",
        ] {
            assert_eq!(blanked(whole), whole.as_bytes(), "{whole}");
        }
        assert_eq!(blanked("var a=1;"), b"var a=1;");
        // A page that is not UTF-8 is decoded first, as a browser does.
        assert_eq!(
            blanked("var a='\u{e9}';\naddCfg(\"x\",1,'');"),
            b"var a='\xc3\xa9';\n"
        );
        let mut page = b"var a='\xe9';\naddCfg(\"x\",1,'');".to_vec();
        drop_inert_addcfg(&mut page);
        assert_eq!(page, "var a='\u{fffd}';\n".as_bytes());
    }

    /// The blanking as first written, line by line: the one pass must give
    /// the same page for every page.
    fn blank_line_by_line(src: &str) -> Vec<u8> {
        let src = src.as_bytes();
        let mentions = String::from_utf8_lossy(src).matches("addCfg").count();
        let mut out = Vec::new();
        let mut dropped = 0;
        for line in src.split_inclusive(|&b| b == b'\n') {
            if is_inert_addcfg(line) {
                dropped += 1;
                out.push(b'\n');
            } else {
                out.extend_from_slice(line);
            }
        }
        if mentions == 0 || dropped != mentions {
            return src.to_vec();
        }
        if !src.ends_with(b"\n") && out.last() == Some(&b'\n') {
            out.pop();
        }
        out
    }

    #[test]
    fn blanking_matches_the_line_by_line_reading() {
        let pieces = [
            "addCfg(\"a\",1,'');",
            "  addCfg(\"b_2\",22,'x%2Ey')\t",
            "addCfg(\"c\",3,'v');\r",
            "addCfg(\"addCfg\",1,'');",
            "addCfg(\"d\",x,'');",
            "var a=[{m:'addCfg'}];",
            "var b=1;",
            "",
            " ",
            "// addCfg",
        ];
        // Every page of up to four lines from those pieces, with and
        // without a final line break.
        let mut pages = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = pages
                .iter()
                .flat_map(|p| pieces.iter().map(move |l| format!("{p}{l}\n")))
                .collect();
            pages.extend(longer);
        }
        for page in &pages {
            for page in [page.as_str(), page.strip_suffix('\n').unwrap_or(page)] {
                let mut blanked = page.as_bytes().to_vec();
                drop_inert_addcfg(&mut blanked);
                assert_eq!(blanked, blank_line_by_line(page), "{page:?}");
            }
        }
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
        let v = read_vars(src, &["a", "c"], soon()).unwrap().values;
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
        let v = read_vars(src, &["a"], soon()).unwrap().values.remove(0);
        let want = ["\u{1f600}", "x\u{fffd}y", "\u{fffd}", "café"];
        assert_eq!(
            v,
            Some(Lit::Array(
                want.iter().map(|s| Lit::Str(s.to_string())).collect()
            ))
        );
        // The same as the JavaScript-free reader makes of them.
        let lit = super::super::read_data(src, &[Var::all("a")])
            .unwrap()
            .values;
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
        let bomb = b"var s='x'; while(true){ s = s + s; } var a = 1;";
        // Ropes make doubling cheap: the engine's string length limit comes
        // before the heap limit.
        let err = read_vars(bomb, &["a"], soon()).unwrap_err();
        assert!(err.to_string().contains("string too long"), "{err}");
        // What it defined before is read, but a rope of 2^29 characters
        // cannot be flattened to take its head within the heap limit.
        let err = read_vars(bomb, &["s"], soon()).unwrap_err();
        assert_eq!(err, ScriptError::Failed("out of memory".into()));
        let rec = b"function f(n){ return f(n+1)+1; } f(0); var a = 1;";
        let err = read_vars(rec, &["a"], soon()).unwrap_err();
        assert!(
            err.to_string().contains("Maximum call stack size exceeded"),
            "{err}"
        );
        let nest = format!("var a = {}1{};", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            read_vars(nest.as_bytes(), &["a"], soon()),
            Err(ScriptError::Failed(_))
        ));
        // 2^32-1 holes: cut to the limit like any long array, in no time.
        let sparse = b"var a = []; a.length = 4294967295;";
        let r = read_vars(sparse, &["a"], soon()).unwrap();
        assert_eq!(
            r.values[0],
            Some(Lit::Array(vec![Lit::Null; MAX_ARRAY_LEN]))
        );
        assert_eq!(
            r.notes,
            ["a: an array of 4294967295 elements was cut to 4096"]
        );
        let cyc = b"var a = []; a.push(a);";
        assert!(matches!(
            read_vars(cyc, &["a"], soon()),
            Err(ScriptError::TooBig(_))
        ));
        // One long string in every record: cut each time, and the total
        // stays under the budget or the page is refused; never gigabytes.
        let shared = b"var s = 'x'.repeat(1 << 20); var a = []; for (var i = 0; i < 4096; i++) a.push({n: s, h: s});";
        let err = read_vars(shared, &["a"], soon()).unwrap_err();
        assert!(
            matches!(&err, ScriptError::TooBig(m) if m.contains("MiB")),
            "{err}"
        );
        let fewer = b"var s = 'x'.repeat(1 << 20); var a = []; for (var i = 0; i < 500; i++) a.push({n: s});";
        let r = read_vars(fewer, &["a"], soon()).unwrap();
        assert_eq!(r.notes, ["a: 500 strings longer than 4096 bytes were cut"]);
    }

    #[test]
    fn hostile_getters_and_throws_are_bounded() {
        // A getter is never called: the page is refused at once.
        let getter = b"var a = [{}]; Object.defineProperty(a[0], 'mac', {enumerable:true, get(){ while(1){} }});";
        let start = Instant::now();
        let err = read_vars(getter, &["a"], soon()).unwrap_err();
        assert!(err.to_string().contains("accessor"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(1));
        let throw_obj = b"throw {toString(){ while(1){} }};";
        let err = read_vars(throw_obj, &["a"], soon()).unwrap_err();
        assert_eq!(
            err,
            ScriptError::Failed("threw a value of type object, before a was defined".into())
        );
        let getter_msg = b"var e = new Error('x'); Object.defineProperty(e, 'message', {get(){ while(1){} }}); throw e;";
        let err = read_vars(getter_msg, &["a"], soon()).unwrap_err();
        assert!(matches!(err, ScriptError::Failed(_)), "{err}");
        let forged =
            b"throw new Error('x\\nERROR GET /nonAuth/wan_conn.xml: forged' + 'y'.repeat(500));";
        let ScriptError::Failed(msg) = read_vars(forged, &["a"], soon()).unwrap_err() else {
            panic!("not a failure")
        };
        assert!(msg.starts_with("x\\nERROR GET"), "{msg}");
        assert!(!msg.chars().any(char::is_control), "{msg:?}");
        assert!(msg.len() < MAX_MESSAGE_BYTES + 60, "{} bytes", msg.len());
        let err = read_vars(b"var a = ;", &["a"], soon()).unwrap_err();
        assert!(
            err.to_string().contains("SyntaxError") || err.to_string().contains("unexpected"),
            "{err}"
        );
    }

    #[test]
    fn copies_only_own_data_properties() {
        let src = b"Object.prototype.mac = 'PHANTOM'; Object.prototype.known = [{mac:'P'}];\n\
            Array.prototype[1] = {mac: 'HOLE'};\n\
            var a = [{hostname: 'h'}, , {mac: 'AA'}];";
        let r = read(
            src,
            &[
                Var {
                    name: "a",
                    fields: &["mac", "hostname"],
                },
                Var::all("known"),
            ],
            soon(),
        )
        .unwrap();
        assert_eq!(
            r.values,
            vec![
                Some(Lit::Array(vec![
                    Lit::Object(vec![("hostname".into(), Lit::Str("h".into()))]),
                    Lit::Null,
                    Lit::Object(vec![("mac".into(), Lit::Str("AA".into()))]),
                ])),
                None,
            ]
        );
        // A getter on the global object is not called either.
        let src = b"Object.defineProperty(globalThis, 'a', {get(){ for(;;){} }});";
        let err = read_vars(src, &["a"], soon()).unwrap_err();
        assert!(err.to_string().contains("accessor"), "{err}");
    }

    #[test]
    fn a_page_that_throws_keeps_what_it_defined() {
        let src = b"var a = [1];\nlet b = 'x';\nundefinedFunction();\nvar c = 2;";
        let r = read_vars(src, &["a", "b"], soon()).unwrap();
        assert_eq!(
            r.values,
            vec![
                Some(Lit::Array(vec![Lit::Num(1.0)])),
                Some(Lit::Str("x".into()))
            ]
        );
        assert_eq!(r.notes.len(), 1);
        assert!(
            r.notes[0].contains("undefinedFunction is not defined (line 3)"),
            "{:?}",
            r.notes
        );
        let err = read_vars(src, &["a", "c"], soon()).unwrap_err();
        assert!(
            err.to_string()
                .contains("undefinedFunction is not defined (line 3), before c was defined"),
            "{err}"
        );
        // A `let` below the throw is in its dead zone: not defined.
        let err = read_vars(b"throw new Error('boom'); let d = 1;", &["d"], soon()).unwrap_err();
        assert!(err.to_string().contains("boom"), "{err}");
    }

    #[test]
    fn decodes_the_source_as_a_browser_does() {
        let src = b"var a = ['caf\xe9', 'n\0ul']; // \0 and \xff in a comment\n/* \0 */ var b = 1;";
        let r = read_vars(src, &["a", "b"], soon()).unwrap();
        assert_eq!(
            r.values[0],
            Some(Lit::Array(vec![
                Lit::Str("caf\u{fffd}".into()),
                Lit::Str("n\0ul".into()),
            ]))
        );
        assert_eq!(r.values[1], Some(Lit::Num(1.0)));
        // The same as the JavaScript-free reader makes of it.
        let lit = super::super::read_data(src, &[Var::all("a"), Var::all("b")]).unwrap();
        assert_eq!(lit.values, r.values);
    }

    #[test]
    fn offers_date_and_names_the_built_ins_it_leaves_out() {
        let src = b"var a = [typeof new Date(0).getTime(), new Date(86400000).toISOString()];";
        let r = read_vars(src, &["a"], soon()).unwrap();
        assert_eq!(
            r.values[0],
            Some(Lit::Array(vec![
                Lit::Str("number".into()),
                Lit::Str("1970-01-02T00:00:00.000Z".into())
            ]))
        );
        let err = read_vars(b"var a = JSON.parse('[1]');", &["a"], soon()).unwrap_err();
        assert!(
            err.to_string()
                .contains("this build offers no JSON (31 KB on mipsel)"),
            "{err}"
        );
        let err = read_vars(
            b"function f(s){ return /x+/.test(s); }\nvar a = [];",
            &["a"],
            soon(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("regular expression literal"),
            "{err}"
        );
        assert!(
            err.to_string().contains("no RegExp (96 KB on mipsel)"),
            "{err}"
        );
    }

    #[test]
    fn nothing_outside_the_sandbox_is_reachable() {
        let probe = b"var seen = [typeof require, typeof process, typeof Promise, typeof Proxy, typeof fetch, typeof setTimeout, typeof std, typeof os, typeof JSON, typeof RegExp];";
        let v = read_vars(probe, &["seen"], soon())
            .unwrap()
            .values
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
