//! Argument schemas and the one argument check every API goes through, bridge or view, built
//! in or the host's own: each parameter is a key, a type and whether it is required, and a
//! call whose argument object does not fit is refused in the platform's words
//! (`parameter error: parameter.title should be String instead of Number`). Keys a schema
//! does not list are ignored, as the platform ignores them.

use std::borrow::Cow;
use std::sync::LazyLock;

use serde_json::{Map, Value};

/// A JSON type as the platform names it in errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Boolean,
    Object,
    Array,
    Any,
}

impl Type {
    /// The name the platform's errors use (`String`, `Number`, …).
    pub fn name(self) -> &'static str {
        match self {
            Type::String => "String",
            Type::Number => "Number",
            Type::Boolean => "Boolean",
            Type::Object => "Object",
            Type::Array => "Array",
            Type::Any => "Any",
        }
    }

    /// The name of a value's type as the platform's errors show it (`Null` included).
    pub fn of(v: &Value) -> &'static str {
        match v {
            Value::Null => "Null",
            Value::Bool(_) => "Boolean",
            Value::Number(_) => "Number",
            Value::String(_) => "String",
            Value::Array(_) => "Array",
            Value::Object(_) => "Object",
        }
    }

    /// Whether a value of this type is `v`.
    pub fn accepts(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (Type::Any, _)
                | (Type::String, Value::String(_))
                | (Type::Number, Value::Number(_))
                | (Type::Boolean, Value::Bool(_))
                | (Type::Object, Value::Object(_))
                | (Type::Array, Value::Array(_))
        )
    }
}

/// One parameter of an API's argument object.
///
/// A schema is a list of them, written with [`required`] and [`optional`]:
///
/// ```
/// use capsule_bridge::{Type, optional, required};
///
/// let schema = vec![required("phoneNumber", Type::String), optional("note", Type::String)];
/// assert!(schema[0].required && !schema[1].required);
/// ```
///
/// An *internal* parameter ([`Param::internal`]) is one the framework's script-side wrapper
/// adds to the caller's object (a page id, a component's shadow root, an audio context's id),
/// never one the caller passes. It is checked like the caller's — a wrong one means the
/// wrapper is broken or the call was forged — but it is not the caller's to know, so the
/// README's API table lists it apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub key: Cow<'static, str>,
    pub ty: Type,
    pub required: bool,
    /// Added by the framework's wrapper, not by the caller (see above).
    pub internal: bool,
}

impl Param {
    /// Marks the parameter as the framework's own (see [`Param`]).
    pub fn internal(mut self) -> Param {
        self.internal = true;
        self
    }
}

/// A parameter the call must have (not `undefined` or `null`).
pub fn required(key: impl Into<Cow<'static, str>>, ty: Type) -> Param {
    Param { key: key.into(), ty, required: true, internal: false }
}

/// A parameter the call may leave out (or give as `null`).
pub fn optional(key: impl Into<Cow<'static, str>>, ty: Type) -> Param {
    Param { key: key.into(), ty, required: false, internal: false }
}

static NO_ARGUMENTS: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

/// Checks a call's arguments against its schema: the argument object (none, `null`, is an
/// empty one), or why it does not fit, in the platform's words (`parameter error:
/// parameter.key should be String instead of Number`; a missing required key is
/// `… instead of Undefined`). The first parameter that does not fit, in schema order, is
/// the one reported.
pub fn check_args<'a>(params: &[Param], args: &'a Value) -> Result<&'a Map<String, Value>, String> {
    let args = match args {
        Value::Object(m) => m,
        Value::Null => &*NO_ARGUMENTS,
        other => {
            return Err(format!(
                "parameter error: parameter should be Object instead of {}",
                Type::of(other)
            ));
        }
    };
    for p in params {
        match args.get(p.key.as_ref()) {
            None | Some(Value::Null) if p.required => {
                return Err(format!(
                    "parameter error: parameter.{} should be {} instead of Undefined",
                    p.key,
                    p.ty.name()
                ));
            }
            Some(v) if !v.is_null() && !p.ty.accepts(v) => {
                return Err(format!(
                    "parameter error: parameter.{} should be {} instead of {}",
                    p.key,
                    p.ty.name(),
                    Type::of(v)
                ));
            }
            _ => {}
        }
    }
    Ok(args)
}
