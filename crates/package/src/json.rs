//! A strict JSON parser that remembers where every value came from.
//!
//! serde_json reports the position of a syntax error but forgets positions once parsing
//! succeeds, and a package check needs them afterwards: `"pages" must be an array of strings`
//! has to point at the value in `app.json`. So configuration files are parsed here into a tree
//! of [`Json`] values with byte spans, and checked against their schema in a second pass.

use crate::diagnostic::Span;

/// Deeper nesting than this is refused: no real configuration nests this far, and a hostile
/// one must not exhaust the stack.
const MAX_DEPTH: usize = 128;

/// A JSON value with the span of its text.
#[derive(Clone, Debug, PartialEq)]
pub struct Json {
    pub value: JsonValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

/// One `"key": value` pair of an object, in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Json,
}

/// A syntax error: what was expected, what was found, where.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

/// A parsed document, with the keys that appeared twice in one object (JavaScript keeps the
/// last one; so do we, and the checker warns).
#[derive(Clone, Debug)]
pub struct Document {
    pub root: Json,
    pub duplicate_keys: Vec<(String, Span)>,
}

impl Json {
    /// The name of this value's type as a JavaScript author would say it.
    pub fn kind(&self) -> &'static str {
        match self.value {
            JsonValue::Null => "null",
            JsonValue::Bool(_) => "boolean",
            JsonValue::Number(_) => "number",
            JsonValue::String(_) => "string",
            JsonValue::Array(_) => "array",
            JsonValue::Object(_) => "object",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsonValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_members(&self) -> Option<&[Member]> {
        match &self.value {
            JsonValue::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The last member named `key` (the one JavaScript would keep).
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_members()?.iter().rev().find(|m| m.key == key).map(|m| &m.value)
    }

    /// Converts to a `serde_json::Value`, dropping the spans.
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            JsonValue::Null => Value::Null,
            JsonValue::Bool(b) => Value::Bool(*b),
            JsonValue::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    Value::from(*n as i64)
                } else {
                    serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number)
                }
            }
            JsonValue::String(s) => Value::String(s.clone()),
            JsonValue::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            JsonValue::Object(members) => {
                Value::Object(members.iter().map(|m| (m.key.clone(), m.value.to_value())).collect())
            }
        }
    }
}

/// Parses `text` as one JSON document. A leading byte-order mark is skipped.
///
/// ```
/// use capsule_package::json::{parse, JsonValue};
/// let doc = parse("{\"pages\": [\"a\"]}").unwrap();
/// let pages = doc.root.get("pages").unwrap();
/// assert_eq!((pages.span.start, pages.span.end), (10, 15));
/// assert!(matches!(pages.value, JsonValue::Array(_)));
/// assert!(parse("{\"a\": 1,}").unwrap_err().message.contains("trailing comma"));
/// ```
pub fn parse(text: &str) -> Result<Document, SyntaxError> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0, duplicate_keys: Vec::new() };
    if text.starts_with('\u{feff}') {
        parser.pos = 3;
    }
    parser.skip_space();
    let root = parser.value(0)?;
    parser.skip_space();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error_here("expected the end of the document", "more text after the value"));
    }
    Ok(Document { root, duplicate_keys: parser.duplicate_keys })
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    duplicate_keys: Vec<(String, Span)>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Describes what is at the current position, for "found …" in messages.
    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of the file".to_string(),
            Some(c) if c.is_alphabetic() => {
                let word: String = self.text[self.pos..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .take(20)
                    .collect();
                format!("`{word}`")
            }
            Some(c) => format!("`{c}`"),
        }
    }

    fn error_here(&self, expected: &str, found: &str) -> SyntaxError {
        let width = self.text[self.pos..].chars().next().map_or(0, char::len_utf8);
        SyntaxError {
            message: format!("{expected}, found {found}"),
            span: Span::new(self.pos, self.pos + width),
            hint: None,
        }
    }

    fn expected(&self, expected: &str) -> SyntaxError {
        let mut error = self.error_here(expected, &self.found());
        if self.text[self.pos..].starts_with("//") || self.text[self.pos..].starts_with("/*") {
            error.hint = Some("JSON has no comments; remove them".to_string());
        } else if self.peek() == Some(b'\'') {
            error.hint = Some("JSON strings use double quotes".to_string());
        }
        error
    }

    fn skip_space(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                _ => break,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError {
                message: format!("values nested more than {MAX_DEPTH} levels deep"),
                span: Span::new(self.pos, self.pos + 1),
                hint: None,
            });
        }
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => JsonValue::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => JsonValue::Number(self.number()?),
            Some(b't') if self.text[self.pos..].starts_with("true") => {
                self.pos += 4;
                JsonValue::Bool(true)
            }
            Some(b'f') if self.text[self.pos..].starts_with("false") => {
                self.pos += 5;
                JsonValue::Bool(false)
            }
            Some(b'n') if self.text[self.pos..].starts_with("null") => {
                self.pos += 4;
                JsonValue::Null
            }
            _ => return Err(self.expected("expected a value")),
        };
        Ok(Json { value, span: Span::new(start, self.pos) })
    }

    fn object(&mut self, depth: usize) -> Result<JsonValue, SyntaxError> {
        self.pos += 1;
        let mut members: Vec<Member> = Vec::new();
        let mut keys = std::collections::HashSet::new();
        let mut last_comma = 0;
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(JsonValue::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                let mut error = self.expected("expected a key in double quotes");
                if self.peek() == Some(b'}') && !members.is_empty() {
                    error.message = "trailing comma before `}`".to_string();
                    error.span = Span::new(last_comma, last_comma + 1);
                    error.hint = Some("remove the last comma".to_string());
                }
                return Err(error);
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_space();
            if self.peek() != Some(b':') {
                return Err(self.expected("expected `:` after the key"));
            }
            self.pos += 1;
            self.skip_space();
            let value = self.value(depth + 1)?;
            if !keys.insert(key.clone()) {
                self.duplicate_keys.push((key.clone(), key_span));
            }
            members.push(Member { key, key_span, value });
            self.skip_space();
            match self.peek() {
                Some(b',') => {
                    last_comma = self.pos;
                    self.pos += 1;
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(JsonValue::Object(members));
                }
                _ => return Err(self.expected("expected `,` or `}` after an object member")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, SyntaxError> {
        self.pos += 1;
        let mut items = Vec::new();
        let mut last_comma = 0;
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(JsonValue::Array(items));
        }
        loop {
            self.skip_space();
            if self.peek() == Some(b']') && !items.is_empty() {
                return Err(SyntaxError {
                    message: "trailing comma before `]`".to_string(),
                    span: Span::new(last_comma, last_comma + 1),
                    hint: Some("remove the last comma".to_string()),
                });
            }
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => {
                    last_comma = self.pos;
                    self.pos += 1;
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(JsonValue::Array(items));
                }
                _ => return Err(self.expected("expected `,` or `]` after an array element")),
            }
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                Some(b'\n') | None => {
                    return Err(SyntaxError {
                        message: "unterminated string".to_string(),
                        span: Span::new(start, self.pos),
                        hint: Some("close the string with `\"` on the same line".to_string()),
                    });
                }
                Some(_) => {
                    return Err(self.error_here(
                        "expected a character in the string",
                        "a control character (escape it, e.g. `\\t`)",
                    ));
                }
            }
        }
    }

    fn escape(&mut self) -> Result<char, SyntaxError> {
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) && self.text[self.pos..].starts_with("\\u") {
                    let save = self.pos;
                    self.pos += 2;
                    let low = self.hex4()?;
                    if (0xDC00..0xE000).contains(&low) {
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        return Ok(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    self.pos = save;
                }
                // A lone surrogate cannot be a Rust char; JavaScript would keep it as is.
                return Ok(char::from_u32(high).unwrap_or('\u{fffd}'));
            }
            _ => return Err(self.expected("expected an escape (`\\n`, `\\\"`, `\\u00e9`, …)")),
        };
        self.pos += 1;
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits =
            self.text.get(self.pos..self.pos + 4).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits {
            Some(d) => {
                self.pos += 4;
                Ok(u32::from_str_radix(d, 16).unwrap_or(0xfffd))
            }
            None => Err(self.expected("expected four hex digits after `\\u`")),
        }
    }

    fn number(&mut self) -> Result<f64, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.expected("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.expected("expected a digit after `.`"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.expected("expected a digit in the exponent"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error_here("expected no leading zeros", &self.found()));
        }
        Ok(self.text[start..self.pos].parse().unwrap_or(f64::NAN))
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> (String, usize) {
        let e = parse(text).unwrap_err();
        (e.message, e.span.start)
    }

    #[test]
    fn parses_every_kind_with_spans() {
        let doc = parse(r#" {"a": [1, -2.5e2, true, false, null], "b": "x\u00e9\n"} "#).unwrap();
        let a = doc.root.get("a").unwrap();
        let JsonValue::Array(items) = &a.value else { panic!("not an array") };
        assert_eq!(
            items.iter().map(Json::kind).collect::<Vec<_>>(),
            ["number", "number", "boolean", "boolean", "null"]
        );
        assert_eq!(items[1].value, JsonValue::Number(-250.0));
        assert_eq!(doc.root.get("b").unwrap().as_str(), Some("xé\n"));
        assert_eq!((doc.root.span.start, doc.root.span.end), (1, 56));
    }

    #[test]
    fn surrogate_pairs_decode() {
        let doc = parse(r#""\ud83d\ude00""#).unwrap();
        assert_eq!(doc.root.as_str(), Some("😀"));
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        assert_eq!(error(r#"{"a": 1,}"#), ("trailing comma before `}`".to_string(), 7));
        assert_eq!(error("[1,]"), ("trailing comma before `]`".to_string(), 2));
        assert_eq!(error(r#"{"a" 1}"#), ("expected `:` after the key, found `1`".to_string(), 5));
        assert_eq!(error(r#"{"a": tru}"#), ("expected a value, found `tru`".to_string(), 6));
        assert_eq!(error("{\"a\": \"x\n\"}"), ("unterminated string".to_string(), 6));
        assert_eq!(error(""), ("expected a value, found the end of the file".to_string(), 0));
        assert_eq!(
            error("{} x"),
            ("expected the end of the document, found more text after the value".to_string(), 3)
        );
        assert_eq!(error("01"), ("expected no leading zeros, found `1`".to_string(), 1));
        let comment = parse("{ // pages\n}").unwrap_err();
        assert_eq!(comment.hint.as_deref(), Some("JSON has no comments; remove them"));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = "[".repeat(100_000);
        assert!(error(&text).0.contains("nested more than 128 levels"));
    }

    #[test]
    fn duplicate_keys_keep_the_last_and_are_reported() {
        let doc = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(doc.root.get("a").unwrap().value, JsonValue::Number(2.0));
        assert_eq!(doc.duplicate_keys, vec![("a".to_string(), Span::new(9, 12))]);
    }

    #[test]
    fn converts_to_serde_values() {
        let doc = parse(r#"{"n": 3, "f": 1.5, "s": ["x"]}"#).unwrap();
        assert_eq!(doc.root.to_value(), serde_json::json!({"n": 3, "f": 1.5, "s": ["x"]}));
    }
}
