//! Data crossing from the script to Rust as values, not JSON text. `setData` used to turn its
//! changes into JSON text (`JSON.stringify`, three quarters of a whole-list update) for Rust to
//! parse again; here they are read straight from the script's objects by `JSON.stringify`'s
//! rules, and `this.data`'s copy is made from what was read.
//!
//! Plain objects and arrays (what data almost always is) are walked here; anything else — an
//! object with a `toJSON` (a `Date`), a class instance, a `Map`, a boxed primitive, a
//! `BigInt` — goes through the engine's own `JSON.stringify`, so the result is what the text
//! would have been.

use std::collections::HashMap;

use rquickjs::{Array, Atom, Ctx, Function, Object, Type, Value};
use serde_json::{Map, Number, Value as Json};

/// How deep data may nest before it is refused (`JSON.stringify` would exhaust the stack).
const MAX_DEPTH: usize = 1000;

/// Reads a script value as JSON the way `JSON.stringify` writes it; `None` where it writes
/// nothing (`undefined`, a function, a symbol).
pub(crate) fn read<'js>(ctx: &Ctx<'js>, value: &Value<'js>) -> rquickjs::Result<Option<Json>> {
    let globals = ctx.globals();
    let object_proto: Object = globals.get::<_, Object>("Object")?.get("prototype")?;
    let json: Object = globals.get("JSON")?;
    let mut reader = Reader { object_proto, stringify: json.get("stringify")?, parents: Vec::new() };
    reader.read(ctx, value)
}

struct Reader<'js> {
    object_proto: Object<'js>,
    stringify: Function<'js>,
    /// The objects being read, outermost first: one met again is a cycle.
    parents: Vec<Object<'js>>,
}

impl<'js> Reader<'js> {
    fn read(&mut self, ctx: &Ctx<'js>, value: &Value<'js>) -> rquickjs::Result<Option<Json>> {
        Ok(Some(match value.type_of() {
            Type::Uninitialized | Type::Undefined | Type::Symbol | Type::Function | Type::Constructor => {
                return Ok(None);
            }
            Type::Null => Json::Null,
            Type::Bool => Json::Bool(value.as_bool().unwrap_or(false)),
            Type::Int => Json::from(value.as_int().unwrap_or(0)),
            Type::Float => number(value.as_float().unwrap_or(f64::NAN)),
            Type::String => Json::String(value.get::<String>()?),
            Type::Array => {
                let array = value.as_array().expect("an array").clone();
                self.enter(ctx, array.as_object())?;
                let mut out = Vec::with_capacity(array.len());
                for item in array.iter::<Value>() {
                    out.push(self.read(ctx, &item?)?.unwrap_or(Json::Null));
                }
                self.parents.pop();
                Json::Array(out)
            }
            Type::Object => {
                let object = value.as_object().expect("an object");
                let plain = match object.get_prototype() {
                    None => true,
                    Some(proto) => proto == self.object_proto,
                };
                if !plain || object.get::<_, Value>("toJSON")?.is_function() {
                    return self.stringified(value);
                }
                self.enter(ctx, object)?;
                let mut out = Map::new();
                for prop in object.props::<String, Value>() {
                    let (key, item) = prop?;
                    if let Some(item) = self.read(ctx, &item)? {
                        out.insert(key, item);
                    }
                }
                self.parents.pop();
                Json::Object(out)
            }
            // A BigInt, a proxy, anything else: as the engine writes it (or refuses it).
            _ => return self.stringified(value),
        }))
    }

    /// Notes `object` as being read, refusing a cycle and data nested past [`MAX_DEPTH`].
    fn enter(&mut self, ctx: &Ctx<'js>, object: &Object<'js>) -> rquickjs::Result<()> {
        if self.parents.len() >= MAX_DEPTH {
            // As the engine says when its own JSON.stringify runs out of stack.
            return Err(rquickjs::Exception::throw_range(ctx, "Maximum call stack size exceeded"));
        }
        if self.parents.iter().any(|p| p == object) {
            return Err(rquickjs::Exception::throw_type(ctx, "circular reference"));
        }
        self.parents.push(object.clone());
        Ok(())
    }

    /// `value` through the engine's own `JSON.stringify`, parsed.
    fn stringified(&self, value: &Value<'js>) -> rquickjs::Result<Option<Json>> {
        let text: Option<String> = self.stringify.call((value.clone(),))?;
        Ok(text.map(|t| serde_json::from_str(&t).unwrap_or(Json::Null)))
    }
}

/// A number as `JSON.stringify` writes it: not finite is `null`, a whole number an integer.
fn number(f: f64) -> Json {
    if !f.is_finite() {
        return Json::Null;
    }
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        return Json::from(f as i64);
    }
    Number::from_f64(f).map_or(Json::Null, Json::Number)
}

/// A script value holding `json`: the copy `this.data` keeps. Keys repeat from row to row, so
/// each is made an atom once per copy.
pub(crate) fn write<'js>(ctx: &Ctx<'js>, json: &Json) -> rquickjs::Result<Value<'js>> {
    Writer { ctx, atoms: HashMap::new() }.write(json)
}

struct Writer<'a, 'js> {
    ctx: &'a Ctx<'js>,
    atoms: HashMap<&'a str, Atom<'js>>,
}

impl<'a, 'js> Writer<'a, 'js> {
    fn write(&mut self, json: &'a Json) -> rquickjs::Result<Value<'js>> {
        let ctx = self.ctx;
        Ok(match json {
            Json::Null => Value::new_null(ctx.clone()),
            Json::Bool(b) => Value::new_bool(ctx.clone(), *b),
            Json::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
                Some(i) => Value::new_int(ctx.clone(), i),
                None => Value::new_float(ctx.clone(), n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => rquickjs::String::from_str(ctx.clone(), s)?.into_value(),
            Json::Array(items) => {
                let array = Array::new(ctx.clone())?;
                for (i, item) in items.iter().enumerate() {
                    array.set(i, self.write(item)?)?;
                }
                array.into_value()
            }
            Json::Object(map) => {
                let object = Object::new(ctx.clone())?;
                for (key, item) in map {
                    let value = self.write(item)?;
                    let atom = match self.atoms.get(key.as_str()) {
                        Some(atom) => atom.clone(),
                        None => {
                            let atom = Atom::from_str(ctx.clone(), key)?;
                            self.atoms.insert(key.as_str(), atom.clone());
                            atom
                        }
                    };
                    object.set(atom, value)?;
                }
                object.into_value()
            }
        })
    }
}

/// The length `JSON.stringify` gives `json`'s text: UTF-16 code units, as a script counts.
pub(crate) fn text_length(json: &Json) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            // Each character starts with a byte that is not a continuation byte; one past the
            // Basic Multilingual Plane (a 4-byte sequence) is two code units.
            self.0 += buf.iter().filter(|b| (**b & 0xC0) != 0x80).count();
            self.0 += buf.iter().filter(|b| **b >= 0xF0).count();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, json);
    count.0
}
