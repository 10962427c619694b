//! Values as template expressions see them, with JavaScript's semantics: `undefined` apart
//! from `null`, truthiness, `+` that concatenates when either side is a string, `==` with its
//! coercions, numbers printed as JavaScript prints them.
//!
//! Data comes from the logic layer as JSON, so arrays and objects are `serde_json` values,
//! borrowed from the page data where possible.

use std::borrow::Cow;
use std::cell::Cell;

use serde_json::{Map, Value};

/// How many bytes one evaluation may materialise (a concatenated string, an array or object
/// literal, an array's string form), and whether an evaluation tried to pass that. Once
/// passed it stays passed: what was evaluated since is unfinished (an operation past the
/// limit yields `undefined`, a join stops short), and whoever evaluated must refuse it.
#[derive(Debug)]
pub struct Limit {
    max: usize,
    over: Cell<bool>,
}

impl Limit {
    pub const fn new(max: usize) -> Limit {
        Limit { max, over: Cell::new(false) }
    }

    pub const fn unbounded() -> Limit {
        Limit::new(usize::MAX)
    }

    #[inline]
    pub fn max(&self) -> usize {
        self.max
    }

    /// Whether an evaluation tried to materialise more than [`Limit::max`].
    #[inline]
    pub fn is_over(&self) -> bool {
        self.over.get()
    }

    /// Whether something of `bytes` may be made: `false` when it is more than the limit
    /// (which is then passed) or the limit was passed already.
    #[inline]
    pub fn admit(&self, bytes: usize) -> bool {
        if bytes > self.max {
            self.over.set(true);
        }
        !self.over.get()
    }
}

/// A value during evaluation. Borrowed from the page data where possible.
#[derive(Clone, Debug)]
pub enum Val<'a> {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
    Array(Cow<'a, Vec<Value>>),
    Object(Cow<'a, Map<String, Value>>),
}

impl<'a> Val<'a> {
    /// Borrows a JSON value.
    pub fn of(value: &'a Value) -> Val<'a> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Val::Str(Cow::Borrowed(s)),
            Value::Array(a) => Val::Array(Cow::Borrowed(a)),
            Value::Object(o) => Val::Object(Cow::Borrowed(o)),
        }
    }

    /// Takes ownership of a JSON value.
    pub fn owned(value: Value) -> Val<'static> {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Val::Str(Cow::Owned(s)),
            Value::Array(a) => Val::Array(Cow::Owned(a)),
            Value::Object(o) => Val::Object(Cow::Owned(o)),
        }
    }

    pub fn str(s: impl Into<String>) -> Val<'static> {
        Val::Str(Cow::Owned(s.into()))
    }

    /// The JSON form: `undefined` becomes `null`, as `JSON.stringify` does inside arrays, and
    /// non-finite numbers become `null`, as JSON has no form for them.
    pub fn into_json(self) -> Value {
        match self {
            Val::Undefined | Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(b),
            Val::Num(n) => number_to_json(n),
            Val::Str(s) => Value::String(s.into_owned()),
            Val::Array(a) => Value::Array(a.into_owned()),
            Val::Object(o) => Value::Object(o.into_owned()),
        }
    }

    pub fn is_undefined(&self) -> bool {
        matches!(self, Val::Undefined)
    }

    /// JavaScript's ToBoolean.
    pub fn truthy(&self) -> bool {
        match self {
            Val::Undefined | Val::Null => false,
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0 && !n.is_nan(),
            Val::Str(s) => !s.is_empty(),
            Val::Array(_) | Val::Object(_) => true,
        }
    }

    /// `typeof`.
    pub fn type_of(&self) -> &'static str {
        match self {
            Val::Undefined => "undefined",
            Val::Null | Val::Array(_) | Val::Object(_) => "object",
            Val::Bool(_) => "boolean",
            Val::Num(_) => "number",
            Val::Str(_) => "string",
        }
    }

    /// JavaScript's ToNumber.
    pub fn to_number(&self) -> f64 {
        match self {
            Val::Undefined => f64::NAN,
            Val::Null => 0.0,
            Val::Bool(b) => f64::from(u8::from(*b)),
            Val::Num(n) => *n,
            Val::Str(s) => string_to_number(s),
            Val::Array(_) | Val::Object(_) => string_to_number(&self.to_js_string()),
        }
    }

    /// [`Val::to_number`] making at most `limit` bytes of an array's string form.
    pub fn to_number_within(&self, limit: &Limit) -> f64 {
        match self {
            Val::Array(_) => string_to_number(&self.to_js_string_within(limit)),
            _ => self.to_number(),
        }
    }

    /// JavaScript's ToString (`String(x)`).
    pub fn to_js_string(&self) -> Cow<'_, str> {
        self.to_js_string_within(&Limit::unbounded())
    }

    /// [`Val::to_js_string`] making at most `limit` bytes: an array's string form longer than
    /// that stops short and passes the limit.
    pub fn to_js_string_within(&self, limit: &Limit) -> Cow<'_, str> {
        match self {
            Val::Undefined => Cow::Borrowed("undefined"),
            Val::Null => Cow::Borrowed("null"),
            Val::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Val::Num(n) => Cow::Owned(number_to_string(*n)),
            Val::Str(s) => Cow::Borrowed(s),
            Val::Array(a) => Cow::Owned(array_join(a, limit)),
            Val::Object(_) => Cow::Borrowed("[object Object]"),
        }
    }

    /// What a binding shows as text: as `String(x)`, but `undefined` and `null` show as
    /// nothing, as on the platform.
    pub fn to_display(&self) -> Cow<'_, str> {
        self.to_display_within(&Limit::unbounded())
    }

    /// [`Val::to_display`] making at most `limit` bytes, as [`Val::to_js_string_within`].
    pub fn to_display_within(&self, limit: &Limit) -> Cow<'_, str> {
        match self {
            Val::Undefined | Val::Null => Cow::Borrowed(""),
            _ => self.to_js_string_within(limit),
        }
    }

    /// Its size as JSON text (see [`json_weight`]), counted only until it passes `cap`: a
    /// result over `cap` means "more than `cap`".
    #[inline]
    pub fn weight_capped(&self, cap: usize) -> usize {
        match self {
            Val::Undefined | Val::Null => 4,
            Val::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            Val::Num(n) => float_weight(*n),
            Val::Str(s) => s.len() + 2,
            Val::Array(a) => container_weight(Container::Array(a), cap),
            Val::Object(o) => container_weight(Container::Object(o), cap),
        }
    }

    /// `self[key]`: a property of an object, an element or `length` of an array or string.
    /// Anything else, or a missing property, is `undefined` (never an error, as in WXML).
    pub fn get(&self, key: &str) -> Val<'a> {
        match self {
            Val::Object(Cow::Borrowed(o)) => property(o, key).map_or(Val::Undefined, Val::of),
            Val::Object(Cow::Owned(o)) => property(o, key).map_or(Val::Undefined, |v| Val::owned(v.clone())),
            Val::Array(a) => {
                if key == "length" {
                    return Val::Num(a.len() as f64);
                }
                let Some(i) = array_index(key) else { return Val::Undefined };
                match a {
                    Cow::Borrowed(a) => a.get(i).map_or(Val::Undefined, Val::of),
                    Cow::Owned(a) => a.get(i).map_or(Val::Undefined, |v| Val::owned(v.clone())),
                }
            }
            Val::Str(s) => {
                if key == "length" {
                    return Val::Num(s.encode_utf16().count() as f64);
                }
                let Some(i) = array_index(key) else { return Val::Undefined };
                let unit = s.encode_utf16().nth(i);
                unit.map_or(Val::Undefined, |u| Val::str(String::from_utf16_lossy(&[u])))
            }
            _ => Val::Undefined,
        }
    }

    /// Detaches the value from the data it borrows.
    pub fn into_owned(self) -> Val<'static> {
        match self {
            Val::Undefined => Val::Undefined,
            Val::Null => Val::Null,
            Val::Bool(b) => Val::Bool(b),
            Val::Num(n) => Val::Num(n),
            Val::Str(s) => Val::Str(Cow::Owned(s.into_owned())),
            Val::Array(a) => Val::Array(Cow::Owned(a.into_owned())),
            Val::Object(o) => Val::Object(Cow::Owned(o.into_owned())),
        }
    }
}

/// `object[key]`. Data objects are mostly small (a row's few fields): comparing their keys in
/// order costs less than hashing the one looked for.
fn property<'m>(object: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    if object.len() <= 8 { object.iter().find_map(|(k, v)| (k == key).then_some(v)) } else { object.get(key) }
}

/// A property key as an array index (`"3"` → 3), as JavaScript's canonical numeric strings.
pub fn array_index(key: &str) -> Option<usize> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse().ok()
}

/// `Array.prototype.join(',')` as `String(array)` does it: `null` items show as nothing,
/// nested arrays as their own join. Iterative (data nests as deep as it likes) and bounded:
/// once the text would pass `limit` it stops there and passes the limit.
fn array_join(items: &[Value], limit: &Limit) -> String {
    let mut out = String::new();
    let mut levels: Vec<(std::slice::Iter<'_, Value>, bool)> = vec![(items.iter(), true)];
    while let Some((iter, first)) = levels.last_mut() {
        let Some(item) = iter.next() else {
            levels.pop();
            continue;
        };
        let comma = usize::from(!*first);
        *first = false;
        let number;
        let text = match item {
            Value::Null => "",
            Value::Bool(b) => {
                if *b {
                    "true"
                } else {
                    "false"
                }
            }
            Value::Number(n) => {
                number = number_to_string(n.as_f64().unwrap_or(f64::NAN));
                &number
            }
            Value::String(s) => s,
            Value::Object(_) => "[object Object]",
            Value::Array(a) => {
                levels.push((a.iter(), true));
                ""
            }
        };
        if !limit.admit(out.len() + comma + text.len()) {
            break;
        }
        if comma == 1 {
            out.push(',');
        }
        out.push_str(text);
    }
    out
}

/// The size of `value` as JSON text, escapes aside (a string is its bytes and two quotes, a
/// whole number its digits, any other number 24): how the page's byte budget weighs
/// attribute values and what an evaluation makes. Counted without recursion.
#[inline]
pub fn json_weight(value: &Value) -> usize {
    json_weight_capped(value, usize::MAX)
}

/// [`json_weight`], counted only until it passes `cap`: a result over `cap` means "more
/// than `cap`".
#[inline]
pub fn json_weight_capped(value: &Value, cap: usize) -> usize {
    match value {
        Value::Array(a) => container_weight(Container::Array(a), cap),
        Value::Object(o) => container_weight(Container::Object(o), cap),
        scalar => scalar_weight(scalar),
    }
}

/// The JSON size of an array of `items`, counted only until it passes `cap`.
pub fn array_weight_capped(items: &[Value], cap: usize) -> usize {
    container_weight(Container::Array(items), cap)
}

#[inline]
fn scalar_weight(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => digits(u),
            (None, Some(i)) => 1 + digits(i.unsigned_abs()),
            _ => 24,
        },
        Value::String(s) => s.len() + 2,
        Value::Array(_) | Value::Object(_) => 2,
    }
}

#[inline]
fn float_weight(n: f64) -> usize {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        usize::from(n < 0.0) + digits(n.abs() as u64)
    } else if n.is_finite() {
        24
    } else {
        4
    }
}

#[inline]
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

enum Container<'v> {
    Array(&'v [Value]),
    Object(&'v Map<String, Value>),
}

/// The JSON size of an array or object, its own brackets, commas and keys included, with an
/// explicit stack; stops once past `cap`.
fn container_weight(root: Container<'_>, cap: usize) -> usize {
    let mut total = 0usize;
    let mut stack = vec![root];
    while let Some(c) = stack.pop() {
        match c {
            Container::Array(a) => {
                total += 2 + a.len().saturating_sub(1);
                for v in a {
                    match v {
                        Value::Array(a) => stack.push(Container::Array(a)),
                        Value::Object(o) => stack.push(Container::Object(o)),
                        scalar => total += scalar_weight(scalar),
                    }
                }
            }
            Container::Object(o) => {
                total += 2 + o.len().saturating_sub(1);
                for (k, v) in o {
                    total += k.len() + 3;
                    match v {
                        Value::Array(a) => stack.push(Container::Array(a)),
                        Value::Object(o) => stack.push(Container::Object(o)),
                        scalar => total += scalar_weight(scalar),
                    }
                }
            }
        }
        if total > cap {
            break;
        }
    }
    total
}

pub fn number_to_json(n: f64) -> Value {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// JavaScript's StringToNumber: whitespace-trimmed decimal, hex, `Infinity`; empty is 0.
pub fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return 0.0;
    }
    for (prefix, radix) in [("0x", 16), ("0X", 16), ("0o", 8), ("0O", 8), ("0b", 2), ("0B", 2)] {
        if let Some(digits) = t.strip_prefix(prefix) {
            return u64::from_str_radix(digits, radix).map_or(f64::NAN, |v| v as f64);
        }
    }
    match t {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    // Rust accepts "inf", "nan" and "1_0"? It accepts "inf"/"nan"; JavaScript does not.
    if t.bytes().any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') {
        return f64::NAN;
    }
    t.parse().unwrap_or(f64::NAN)
}

/// JavaScript's ToUint32, what `>>>` works on: the number truncated, modulo 2^32; `NaN` and
/// the infinities are 0.
///
/// ```
/// use capsule_template::value::{to_int32, to_uint32};
/// assert_eq!(to_uint32(-1.0), 4_294_967_295);
/// assert_eq!(to_uint32(4_294_967_298.7), 2);
/// assert_eq!(to_int32(2_147_483_648.0), -2_147_483_648);
/// assert_eq!(to_int32(f64::NAN), 0);
/// ```
pub fn to_uint32(n: f64) -> u32 {
    if !n.is_finite() {
        return 0;
    }
    // `%` on floats is exact, so the remainder is the integer JavaScript gets.
    n.trunc().rem_euclid(4_294_967_296.0) as u32
}

/// JavaScript's ToInt32, what `~ & | ^ << >>` work on: [`to_uint32`] read as two's complement.
pub fn to_int32(n: f64) -> i32 {
    to_uint32(n) as i32
}

/// JavaScript's Number::toString(10): the shortest digits that round-trip, in fixed notation
/// from 1e-7 up to 1e21 and in exponent notation outside.
///
/// ```
/// use capsule_template::value::number_to_string;
/// assert_eq!(number_to_string(0.1 + 0.2), "0.30000000000000004");
/// assert_eq!(number_to_string(1e21), "1e+21");
/// assert_eq!(number_to_string(1.5e-7), "1.5e-7");
/// assert_eq!(number_to_string(-0.0), "0");
/// assert_eq!(number_to_string(100.0), "100");
/// assert_eq!(number_to_string(f64::INFINITY), "Infinity");
/// ```
pub fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n == 0.0 {
        return "0".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    // Whole numbers are most of what templates print (ids, counts, indices).
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return (n as i64).to_string();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    // `{:e}` gives the shortest round-trip digits: "1.2345e-7".
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let e: i32 = exp.parse().unwrap_or(0);
    let n_pos = e + 1; // the position of the decimal point relative to the digits
    let body = if k <= n_pos && n_pos <= 21 {
        format!("{digits}{}", "0".repeat((n_pos - k) as usize))
    } else if 0 < n_pos && n_pos <= 21 {
        format!("{}.{}", &digits[..n_pos as usize], &digits[n_pos as usize..])
    } else if -6 < n_pos && n_pos <= 0 {
        format!("0.{}{digits}", "0".repeat((-n_pos) as usize))
    } else {
        let exp_sign = if n_pos > 0 { "+" } else { "-" };
        let exp_abs = (n_pos - 1).abs();
        if k == 1 {
            format!("{digits}e{exp_sign}{exp_abs}")
        } else {
            format!("{}.{}e{exp_sign}{exp_abs}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

/// `a + b`.
pub fn add<'a>(a: Val<'a>, b: Val<'a>) -> Val<'a> {
    add_within(a, b, &Limit::unbounded())
}

/// `a + b`, making at most `limit` bytes: a concatenation longer than that is not made (the
/// result is `undefined` and the limit passed).
pub fn add_within<'a>(a: Val<'a>, b: Val<'a>, limit: &Limit) -> Val<'a> {
    let a = to_primitive(a, limit);
    let b = to_primitive(b, limit);
    if matches!(a, Val::Str(_)) || matches!(b, Val::Str(_)) {
        let tail = b.to_js_string();
        let head_len = match &a {
            Val::Str(s) => s.len(),
            other => other.to_js_string().len(),
        };
        if !limit.admit(head_len + tail.len()) {
            return Val::Undefined;
        }
        // A string built by a chain (`'a' + b + …`) grows in place: linear, not quadratic.
        let mut s = match a {
            Val::Str(s) => s.into_owned(),
            other => other.to_js_string().into_owned(),
        };
        s.push_str(&tail);
        return Val::str(s);
    }
    Val::Num(a.to_number() + b.to_number())
}

/// Arrays and objects become their string form (at most `limit` bytes); primitives stay.
fn to_primitive<'a>(v: Val<'a>, limit: &Limit) -> Val<'a> {
    match v {
        Val::Array(_) | Val::Object(_) if limit.is_over() => Val::Undefined,
        Val::Array(_) | Val::Object(_) => Val::str(v.to_js_string_within(limit).into_owned()),
        other => other,
    }
}

/// [`to_primitive`] of a borrowed value: a string is borrowed, not copied.
fn primitive_of<'v>(v: &'v Val<'_>, limit: &Limit) -> Val<'v> {
    match v {
        Val::Str(s) => Val::Str(Cow::Borrowed(s)),
        Val::Array(_) | Val::Object(_) if limit.is_over() => Val::Undefined,
        Val::Array(_) | Val::Object(_) => Val::str(v.to_js_string_within(limit).into_owned()),
        other => other.clone(),
    }
}

/// `a === b`. Arrays and objects are equal only when they are the same borrowed value.
pub fn strict_equals(a: &Val<'_>, b: &Val<'_>) -> bool {
    match (a, b) {
        (Val::Undefined, Val::Undefined) | (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Num(x), Val::Num(y)) => x == y,
        (Val::Str(x), Val::Str(y)) => x == y,
        (Val::Array(Cow::Borrowed(x)), Val::Array(Cow::Borrowed(y))) => std::ptr::eq(*x, *y),
        (Val::Object(Cow::Borrowed(x)), Val::Object(Cow::Borrowed(y))) => std::ptr::eq(*x, *y),
        _ => false,
    }
}

/// `a == b`, with JavaScript's coercions.
pub fn loose_equals(a: &Val<'_>, b: &Val<'_>) -> bool {
    loose_equals_within(a, b, &Limit::unbounded())
}

/// `a == b`, making at most `limit` bytes of an array's string form.
pub fn loose_equals_within(a: &Val<'_>, b: &Val<'_>, limit: &Limit) -> bool {
    match (a, b) {
        (Val::Undefined | Val::Null, Val::Undefined | Val::Null) => true,
        (Val::Undefined | Val::Null, _) | (_, Val::Undefined | Val::Null) => false,
        (Val::Num(_), Val::Str(_)) | (Val::Str(_), Val::Num(_)) => a.to_number() == b.to_number(),
        (Val::Bool(_), _) => loose_equals_within(&Val::Num(a.to_number()), b, limit),
        (_, Val::Bool(_)) => loose_equals_within(a, &Val::Num(b.to_number()), limit),
        (Val::Array(_) | Val::Object(_), Val::Num(_) | Val::Str(_)) => {
            loose_equals_within(&primitive_of(a, limit), b, limit)
        }
        (Val::Num(_) | Val::Str(_), Val::Array(_) | Val::Object(_)) => {
            loose_equals_within(a, &primitive_of(b, limit), limit)
        }
        _ => strict_equals(a, b),
    }
}

/// `a < b` (and, with the arguments swapped or negated, the other comparisons). `None` is
/// JavaScript's `undefined` result (a NaN was involved): every comparison is then false.
pub fn less_than(a: &Val<'_>, b: &Val<'_>) -> Option<bool> {
    less_than_within(a, b, &Limit::unbounded())
}

/// [`less_than`], making at most `limit` bytes of an array's string form.
pub fn less_than_within(a: &Val<'_>, b: &Val<'_>, limit: &Limit) -> Option<bool> {
    let a = primitive_of(a, limit);
    let b = primitive_of(b, limit);
    if let (Val::Str(x), Val::Str(y)) = (&a, &b) {
        return Some(x.encode_utf16().lt(y.encode_utf16()));
    }
    let (x, y) = (a.to_number(), b.to_number());
    if x.is_nan() || y.is_nan() { None } else { Some(x < y) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(v: &str) -> Val<'static> {
        Val::str(v)
    }

    #[test]
    fn numbers_print_as_javascript_does() {
        let cases = [
            (1.0, "1"),
            (-1.5, "-1.5"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e21, "1e+21"),
            (1.234e22, "1.234e+22"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (n, text) in cases {
            assert_eq!(number_to_string(n), text, "{n}");
        }
    }

    #[test]
    fn numbers_to_32_bit_integers() {
        let cases = [
            (0.0, 0, 0),
            (-0.0, 0, 0),
            (1.9, 1, 1),
            (-1.9, -1, 4_294_967_295),
            (2_147_483_647.0, 2_147_483_647, 2_147_483_647),
            (2_147_483_648.0, -2_147_483_648, 2_147_483_648),
            (4_294_967_296.0, 0, 0),
            (4_294_967_301.5, 5, 5),
            (-4_294_967_297.0, -1, 4_294_967_295),
            (1e21, -559_939_584, 3_735_027_712),
            (9_007_199_254_740_993.0, 0, 0),
            (f64::NAN, 0, 0),
            (f64::INFINITY, 0, 0),
            (f64::NEG_INFINITY, 0, 0),
            (f64::MAX, 0, 0),
            (5e-324, 0, 0),
        ];
        for (n, int32, uint32) in cases {
            assert_eq!((to_int32(n), to_uint32(n)), (int32, uint32), "{n}");
        }
    }

    #[test]
    fn strings_to_numbers() {
        assert_eq!(string_to_number(" 42 "), 42.0);
        assert_eq!(string_to_number(""), 0.0);
        assert_eq!(string_to_number("0x1f"), 31.0);
        assert!(string_to_number("inf").is_nan());
        assert!(string_to_number("12px").is_nan());
        assert_eq!(string_to_number("1e3"), 1000.0);
        assert_eq!(string_to_number("-Infinity"), f64::NEG_INFINITY);
    }

    #[test]
    fn addition_concatenates_or_adds() {
        assert_eq!(add(Val::Num(1.0), Val::Num(2.0)).to_js_string(), "3");
        assert_eq!(add(s("a"), Val::Num(1.0)).to_js_string(), "a1");
        assert_eq!(add(Val::Num(1.0), s("2")).to_js_string(), "12");
        assert_eq!(add(Val::Bool(true), Val::Num(1.0)).to_js_string(), "2");
        assert_eq!(add(Val::Undefined, Val::Num(1.0)).to_js_string(), "NaN");
        assert_eq!(add(Val::Null, Val::Num(1.0)).to_js_string(), "1");
        let arr = json!([1, 2]);
        assert_eq!(add(Val::of(&arr), s("x")).to_js_string(), "1,2x");
    }

    #[test]
    fn loose_and_strict_equality() {
        assert!(loose_equals(&Val::Num(1.0), &s("1")));
        assert!(!strict_equals(&Val::Num(1.0), &s("1")));
        assert!(loose_equals(&Val::Null, &Val::Undefined));
        assert!(!strict_equals(&Val::Null, &Val::Undefined));
        assert!(loose_equals(&Val::Bool(true), &s("1")));
        assert!(!loose_equals(&Val::Null, &Val::Num(0.0)));
        assert!(loose_equals(&s(""), &Val::Num(0.0)));
        assert!(!loose_equals(&Val::Num(f64::NAN), &Val::Num(f64::NAN)));
        let data = json!({"a": [1]});
        let a1 = Val::of(&data).get("a");
        let a2 = Val::of(&data).get("a");
        assert!(strict_equals(&a1, &a2), "the same array is itself");
        assert!(loose_equals(&a1, &s("1")));
    }

    #[test]
    fn comparisons() {
        assert_eq!(less_than(&Val::Num(2.0), &s("10")), Some(true));
        assert_eq!(less_than(&s("2"), &s("10")), Some(false), "strings compare as strings");
        assert_eq!(less_than(&Val::Undefined, &Val::Num(1.0)), None);
    }

    #[test]
    fn property_access_never_fails() {
        let data = json!({"list": [{"name": "a"}], "s": "héllo"});
        let root = Val::of(&data);
        assert_eq!(root.get("list").get("0").get("name").to_js_string(), "a");
        assert_eq!(root.get("list").get("length").to_js_string(), "1");
        assert!(root.get("missing").get("deeper").is_undefined());
        assert_eq!(root.get("s").get("length").to_js_string(), "5");
        assert_eq!(root.get("s").get("1").to_js_string(), "é");
        assert!(root.get("list").get("01").is_undefined());
    }

    #[test]
    fn display_hides_undefined_and_null() {
        assert_eq!(Val::Undefined.to_display(), "");
        assert_eq!(Val::Null.to_display(), "");
        assert_eq!(Val::Bool(false).to_display(), "false");
        assert_eq!(Val::Num(0.0).to_display(), "0");
    }
}
