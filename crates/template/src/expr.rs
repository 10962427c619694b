//! Expressions inside `{{ }}`: a JavaScript subset, parsed once at compile time into [`Expr`],
//! evaluated against page data with JavaScript's semantics, and analysed for the data paths
//! they read (so an update re-renders only what reads a changed path).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::value::{
    Limit, Val, add_within, array_weight_capped, json_weight_capped, less_than_within, loose_equals_within,
    number_to_string, strict_equals, to_int32, to_uint32,
};

/// Expressions nested deeper than this (brackets, parentheses, ternaries, unary operators,
/// array and object literals) are refused; no template needs them, and the parser, the
/// evaluator and the drop of an [`Expr`] recurse over real nesting. Chains of operators of one
/// level (`a + b + c`, `a && b && c`) and of property accesses and calls (`a.b[0].c(d)`) are
/// not nesting: they are flat lists, parsed, evaluated and dropped in loops, and never refused.
pub const MAX_DEPTH: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Ident(String),
    /// Property accesses and calls after a base, in order: `a.b[c](d)` is `a` then `.b`,
    /// `[c]`, `(d)`. Flat, so a chain of any length needs no recursion.
    Access(Box<Expr>, Vec<Step>),
    Unary(UnaryOp, Box<Expr>),
    /// A run of left-associative operators of one precedence level: `a + b - c` is `a` then
    /// `(+, b)`, `(-, c)`; the operands bind tighter (or are parenthesised). Flat, so a chain
    /// of any length needs no recursion to parse, evaluate or drop.
    Binary(Box<Expr>, Vec<(BinaryOp, Expr)>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Array(Vec<Item>),
    Object(Vec<Prop>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Plus,
    TypeOf,
    /// `~`.
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    /// `<<`, `>>`, `>>>`.
    Shl,
    Shr,
    UShr,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    StrictEq,
    StrictNe,
    BitAnd,
    BitXor,
    BitOr,
    And,
    Or,
    Nullish,
}

/// One link of an [`Expr::Access`] chain.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `[key]`, and `.key` (the key a `Str`).
    Key(Expr),
    /// A call: only `<wxs>` modules can be called, as `module.function(…)` or, when the
    /// module's `module.exports` is itself a function, `module(…)`; the host evaluates them.
    Call(Vec<Expr>),
}

/// An array literal element.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Value(Expr),
    Spread(Expr),
}

/// An object literal member.
#[derive(Clone, Debug, PartialEq)]
pub enum Prop {
    KeyValue(String, Expr),
    Computed(Expr, Expr),
    Spread(Expr),
}

/// A parse error, with a byte range relative to the parsed text.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprError {
    pub message: String,
    pub start: usize,
    pub end: usize,
}

/// Parses one expression.
///
/// ```
/// use capsule_template::expr::parse;
/// assert!(parse("a.b[c] + 1 > 2 ? 'x' : y").is_ok());
/// assert_eq!(parse("a +").unwrap_err().message, "expected an expression, found the end");
/// ```
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let tokens = lex(src)?;
    let mut p = Parser { tokens, pos: 0, depth: 0, src_len: src.len() };
    let expr = p.expr()?;
    p.expect_end()?;
    Ok(expr)
}

/// Parses the body of an object literal without its braces, as `<template data="{{a, b: 1}}">`
/// writes it — or with them (`{{ {a, b: 1} }}`), as the platform also takes.
pub fn parse_object_body(src: &str) -> Result<Expr, ExprError> {
    if src.trim_start().starts_with('{')
        && let Ok(object @ Expr::Object(_)) = parse(src)
    {
        return Ok(object);
    }
    let tokens = lex(src)?;
    let mut p = Parser { tokens, pos: 0, depth: 0, src_len: src.len() };
    let props = p.props(None)?;
    p.expect_end()?;
    Ok(Expr::Object(props))
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

/// Longest first where one is a prefix of another (`>>>` before `>>` before `>=` and `>`,
/// `||` before `|`): the lexer takes the first that matches.
const PUNCTS: &[&str] = &[
    "===", "!==", "...", ">>>", "==", "!=", "<=", ">=", "<<", ">>", "&&", "||", "??", "?.", ".", "[", "]",
    "(", ")", "{", "}", ",", ":", "?", "!", "~", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^",
];

fn lex(src: &str) -> Result<Vec<Token>, ExprError> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_digit() || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (n, end) = lex_number(src, i)?;
            tokens.push(Token { tok: Tok::Num(n), start, end });
            i = end;
        } else if c == b'"' || c == b'\'' {
            let (s, end) = lex_string(src, i)?;
            tokens.push(Token { tok: Tok::Str(s), start, end });
            i = end;
        } else if c == b'`' {
            return Err(ExprError {
                message: "template literals are not supported in WXML".into(),
                start,
                end: i + 1,
            });
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 {
            let end = src[i..]
                .char_indices()
                .find(|(_, ch)| !(ch.is_alphanumeric() || *ch == '_' || *ch == '$'))
                .map_or(src.len(), |(j, _)| i + j);
            if end == i {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(ExprError {
                    message: format!("unexpected character `{ch}`"),
                    start,
                    end: i + ch.len_utf8(),
                });
            }
            tokens.push(Token { tok: Tok::Ident(src[i..end].to_string()), start, end });
            i = end;
        } else if let Some(p) = PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
            // `a?.5:1` is a conditional, not optional chaining.
            let p = if *p == "?." && bytes.get(i + 2).is_some_and(u8::is_ascii_digit) { &"?" } else { p };
            tokens.push(Token { tok: Tok::Punct(p), start, end: i + p.len() });
            i += p.len();
        } else {
            let ch = src[i..].chars().next().unwrap_or('?');
            return Err(ExprError {
                message: format!("unexpected character `{ch}`"),
                start,
                end: i + ch.len_utf8(),
            });
        }
    }
    Ok(tokens)
}

fn lex_number(src: &str, start: usize) -> Result<(f64, usize), ExprError> {
    let bytes = src.as_bytes();
    let mut i = start;
    if bytes[i] == b'0' && matches!(bytes.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        let digits_start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_hexdigit) {
            i += 1;
        }
        let value = u64::from_str_radix(&src[digits_start..i], 16).map_err(|_| ExprError {
            message: "invalid hex number".into(),
            start,
            end: i,
        })?;
        return Ok((value as f64, i));
    }
    while bytes.get(i).is_some_and(|b| b.is_ascii_digit() || *b == b'.') {
        i += 1;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = j;
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
    }
    let text = &src[start..i];
    text.parse::<f64>().map(|n| (n, i)).map_err(|_| ExprError {
        message: format!("invalid number `{text}`"),
        start,
        end: i,
    })
}

fn lex_string(src: &str, start: usize) -> Result<(String, usize), ExprError> {
    let quote = src.as_bytes()[start] as char;
    let mut out = String::new();
    let mut chars = src[start + 1..].char_indices();
    while let Some((j, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((out, start + 1 + j + 1)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    '0' => out.push('\0'),
                    'u' => {
                        let rest = &src[start + 1 + j + 2..];
                        let hex: String = rest.chars().take(4).collect();
                        match u32::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 4) {
                            Some(code) => {
                                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                                for _ in 0..4 {
                                    chars.next();
                                }
                            }
                            None => out.push('u'),
                        }
                    }
                    other => out.push(other),
                }
            }
            c => out.push(c),
        }
    }
    Err(ExprError { message: "unterminated string".into(), start, end: src.len() })
}

/// The precedence level of `*`, `/` and `%`, the tightest binary operators.
const TIGHTEST: u8 = 11;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    src_len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn found(&self) -> String {
        match self.tokens.get(self.pos) {
            None => "the end".to_string(),
            Some(t) => match &t.tok {
                Tok::Num(n) => format!("`{}`", number_to_string(*n)),
                Tok::Str(s) => format!("the string {s:?}"),
                Tok::Ident(i) => format!("`{i}`"),
                Tok::Punct(p) => format!("`{p}`"),
            },
        }
    }

    fn error(&self, expected: &str) -> ExprError {
        let (start, end) =
            self.tokens.get(self.pos).map_or((self.src_len, self.src_len), |t| (t.start, t.end));
        ExprError { message: format!("expected {expected}, found {}", self.found()), start, end }
    }

    fn expect(&mut self, p: &str) -> Result<(), ExprError> {
        if self.eat(p) { Ok(()) } else { Err(self.error(&format!("`{p}`"))) }
    }

    fn expect_end(&self) -> Result<(), ExprError> {
        if self.pos < self.tokens.len() { Err(self.error("the end of the expression")) } else { Ok(()) }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                message: format!("the expression is nested more than {MAX_DEPTH} levels deep"),
                start: self.tokens.get(self.pos).map_or(0, |t| t.start),
                end: self.src_len,
            });
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.enter()?;
        let cond = self.binary(1)?;
        let result = if self.eat("?") {
            let then = self.expr()?;
            self.expect(":")?;
            let otherwise = self.expr()?;
            Expr::Cond(Box::new(cond), Box::new(then), Box::new(otherwise))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(result)
    }

    /// The binary operator here and its precedence level, JavaScript's order from loosest to
    /// tightest.
    fn binary_op(&self) -> Option<(BinaryOp, u8)> {
        let Some(Tok::Punct(p)) = self.peek() else { return None };
        Some(match *p {
            "??" => (BinaryOp::Nullish, 1),
            "||" => (BinaryOp::Or, 2),
            "&&" => (BinaryOp::And, 3),
            "|" => (BinaryOp::BitOr, 4),
            "^" => (BinaryOp::BitXor, 5),
            "&" => (BinaryOp::BitAnd, 6),
            "==" => (BinaryOp::Eq, 7),
            "!=" => (BinaryOp::Ne, 7),
            "===" => (BinaryOp::StrictEq, 7),
            "!==" => (BinaryOp::StrictNe, 7),
            "<" => (BinaryOp::Lt, 8),
            ">" => (BinaryOp::Gt, 8),
            "<=" => (BinaryOp::Le, 8),
            ">=" => (BinaryOp::Ge, 8),
            "<<" => (BinaryOp::Shl, 9),
            ">>" => (BinaryOp::Shr, 9),
            ">>>" => (BinaryOp::UShr, 9),
            "+" => (BinaryOp::Add, 10),
            "-" => (BinaryOp::Sub, 10),
            "*" => (BinaryOp::Mul, TIGHTEST),
            "/" => (BinaryOp::Div, TIGHTEST),
            "%" => (BinaryOp::Rem, TIGHTEST),
            _ => return None,
        })
    }

    /// The left-associative binary operators, one precedence level at a time (1 binds
    /// loosest, [`TIGHTEST`] tightest): a run of operators of one level is one flat
    /// [`Expr::Binary`], so the recursion here is as deep as the number of levels, whatever
    /// the length of the run.
    fn binary(&mut self, level: u8) -> Result<Expr, ExprError> {
        if level > TIGHTEST {
            return self.unary();
        }
        let first = self.binary(level + 1)?;
        let mut rest = Vec::new();
        while let Some((op, prec)) = self.binary_op() {
            if prec != level {
                break;
            }
            self.pos += 1;
            rest.push((op, self.binary(level + 1)?));
        }
        Ok(if rest.is_empty() { first } else { Expr::Binary(Box::new(first), rest) })
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        let op = match self.peek() {
            Some(Tok::Punct("!")) => Some(UnaryOp::Not),
            Some(Tok::Punct("-")) => Some(UnaryOp::Neg),
            Some(Tok::Punct("+")) => Some(UnaryOp::Plus),
            Some(Tok::Punct("~")) => Some(UnaryOp::BitNot),
            Some(Tok::Ident(i)) if i == "typeof" => Some(UnaryOp::TypeOf),
            _ => None,
        };
        match op {
            Some(op) => {
                self.pos += 1;
                self.enter()?;
                let operand = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Unary(op, Box::new(operand)))
            }
            None => self.postfix(),
        }
    }

    fn postfix(&mut self) -> Result<Expr, ExprError> {
        let base = self.primary()?;
        // `(a.b).c` continues the chain `a.b`.
        let (base, mut steps) = match base {
            Expr::Access(base, steps) => (base, steps),
            other => (Box::new(other), Vec::new()),
        };
        loop {
            if self.eat(".") || self.eat("?.") {
                match self.peek().cloned() {
                    Some(Tok::Ident(name)) => {
                        self.pos += 1;
                        steps.push(Step::Key(Expr::Str(name)));
                    }
                    _ => return Err(self.error("a property name after `.`")),
                }
            } else if self.eat("[") {
                let key = self.expr()?;
                self.expect("]")?;
                steps.push(Step::Key(key));
            } else if self.eat("(") {
                let mut args = Vec::new();
                while !self.is(")") {
                    args.push(self.expr()?);
                    if !self.eat(",") {
                        break;
                    }
                }
                self.expect(")")?;
                steps.push(Step::Call(args));
            } else {
                break;
            }
        }
        Ok(if steps.is_empty() { *base } else { Expr::Access(base, steps) })
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let Some(tok) = self.peek().cloned() else { return Err(self.error("an expression")) };
        match tok {
            Tok::Num(n) => {
                self.pos += 1;
                Ok(Expr::Num(n))
            }
            Tok::Str(s) => {
                self.pos += 1;
                Ok(Expr::Str(s))
            }
            Tok::Ident(name) => {
                self.pos += 1;
                Ok(match name.as_str() {
                    "true" => Expr::Bool(true),
                    "false" => Expr::Bool(false),
                    "null" => Expr::Null,
                    "undefined" => Expr::Undefined,
                    _ => Expr::Ident(name),
                })
            }
            Tok::Punct("(") => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Punct("[") => {
                self.pos += 1;
                self.enter()?;
                let mut items = Vec::new();
                while !self.is("]") {
                    if self.eat("...") {
                        items.push(Item::Spread(self.expr()?));
                    } else {
                        items.push(Item::Value(self.expr()?));
                    }
                    if !self.eat(",") {
                        break;
                    }
                }
                self.expect("]")?;
                self.depth -= 1;
                Ok(Expr::Array(items))
            }
            Tok::Punct("{") => {
                self.pos += 1;
                self.enter()?;
                let props = self.props(Some("}"))?;
                self.expect("}")?;
                self.depth -= 1;
                Ok(Expr::Object(props))
            }
            _ => Err(self.error("an expression")),
        }
    }

    /// Object members up to `close` (or the end of input when `None`).
    fn props(&mut self, close: Option<&str>) -> Result<Vec<Prop>, ExprError> {
        let mut props = Vec::new();
        loop {
            let at_close = match close {
                Some(c) => self.is(c),
                None => self.pos >= self.tokens.len(),
            };
            if at_close {
                break;
            }
            if self.eat("...") {
                props.push(Prop::Spread(self.expr()?));
            } else if self.eat("[") {
                let key = self.expr()?;
                self.expect("]")?;
                self.expect(":")?;
                props.push(Prop::Computed(key, self.expr()?));
            } else {
                let key = match self.peek().cloned() {
                    Some(Tok::Ident(name)) => name,
                    Some(Tok::Str(s)) => s,
                    Some(Tok::Num(n)) => number_to_string(n),
                    _ => return Err(self.error("a property name")),
                };
                self.pos += 1;
                if self.eat(":") {
                    props.push(Prop::KeyValue(key, self.expr()?));
                } else {
                    // Shorthand `{a}` means `{a: a}`.
                    props.push(Prop::KeyValue(key.clone(), Expr::Ident(key)));
                }
            }
            if !self.eat(",") {
                break;
            }
        }
        Ok(props)
    }
}

/// Evaluates `wxs` module calls. The template layer has no JavaScript; the logic layer
/// provides this once it exists.
pub trait WxsHost {
    /// Calls `module.function(args)`; `None` when there is no such function.
    fn call(&self, module: &str, function: &str, args: &[Value]) -> Option<Value>;

    /// Calls `module(args)`, for a module whose `module.exports` is itself a function; `None`
    /// when it is not one. A host whose modules are all objects need not implement it.
    fn call_module(&self, module: &str, args: &[Value]) -> Option<Value> {
        let _ = (module, args);
        None
    }
}

/// A host without any modules: every call is `undefined`.
pub struct NoWxs;

impl WxsHost for NoWxs {
    fn call(&self, _: &str, _: &str, _: &[Value]) -> Option<Value> {
        None
    }
}

/// Names visible to an expression: local names (`item`, `index`, …) innermost last, then the
/// data object; and the [`Limit`] on what one evaluation in it may materialise.
pub struct Scope<'s, 'a> {
    pub data: Val<'a>,
    pub locals: Vec<(&'s str, Val<'a>)>,
    limit: Limit,
}

impl<'s, 'a> Scope<'s, 'a> {
    /// A scope whose evaluations may each materialise up to
    /// [`MAX_PAGE_BYTES`](crate::render::MAX_PAGE_BYTES).
    pub fn new(data: Val<'a>) -> Scope<'s, 'a> {
        Scope::bounded(data, crate::render::MAX_PAGE_BYTES)
    }

    /// A scope whose evaluations may each materialise up to `max_bytes` (strings made by
    /// `+`, array and object literals, arrays' string forms, arguments to `<wxs>` calls and
    /// their results). An evaluation that would pass it yields an unfinished value and passes
    /// [`Scope::limit`], which the caller must check before using what it evaluated.
    pub fn bounded(data: Val<'a>, max_bytes: usize) -> Scope<'s, 'a> {
        Scope { data, locals: Vec::new(), limit: Limit::new(max_bytes) }
    }

    /// The limit its evaluations share: [`Limit::is_over`] once any of them passed it.
    pub fn limit(&self) -> &Limit {
        &self.limit
    }

    pub fn lookup(&self, name: &str) -> Val<'a> {
        for (local, value) in self.locals.iter().rev() {
            if *local == name {
                return value.clone();
            }
        }
        self.data.get(name)
    }
}

impl Expr {
    /// Evaluates the expression. Never fails: what JavaScript would throw on (a property of
    /// `undefined`) is `undefined`, as the platform renders it.
    pub fn eval<'a>(&self, scope: &Scope<'_, 'a>, wxs: &dyn WxsHost) -> Val<'a> {
        let limit = scope.limit();
        match self {
            Expr::Undefined => Val::Undefined,
            Expr::Null => Val::Null,
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Num(n) => Val::Num(*n),
            Expr::Str(s) => Val::str(s.clone()),
            Expr::Ident(name) => scope.lookup(name),
            Expr::Access(base, steps) => {
                let mut value = base.eval(scope, wxs);
                for (i, step) in steps.iter().enumerate() {
                    if limit.is_over() {
                        return Val::Undefined;
                    }
                    value = match step {
                        Step::Key(Expr::Str(k)) => value.get(k),
                        Step::Key(key) => {
                            let key = key.eval(scope, wxs);
                            value.get(&key.to_js_string_within(limit))
                        }
                        Step::Call(args) => {
                            let result = match (i, base.as_ref(), &steps[0]) {
                                (0, Expr::Ident(module), _) => {
                                    let Some(values) = call_args(args, scope, wxs) else {
                                        return Val::Undefined;
                                    };
                                    wxs.call_module(module, &values)
                                }
                                (1, Expr::Ident(module), Step::Key(Expr::Str(function))) => {
                                    let Some(values) = call_args(args, scope, wxs) else {
                                        return Val::Undefined;
                                    };
                                    wxs.call(module, function, &values)
                                }
                                _ => None,
                            };
                            match result {
                                Some(v) if limit.admit(json_weight_capped(&v, limit.max())) => Val::owned(v),
                                _ => Val::Undefined,
                            }
                        }
                    };
                }
                value
            }
            Expr::Unary(op, operand) => {
                let v = operand.eval(scope, wxs);
                match op {
                    UnaryOp::Not => Val::Bool(!v.truthy()),
                    UnaryOp::Neg => Val::Num(-v.to_number_within(limit)),
                    UnaryOp::Plus => Val::Num(v.to_number_within(limit)),
                    UnaryOp::TypeOf => Val::str(v.type_of()),
                    UnaryOp::BitNot => Val::Num(f64::from(!to_int32(v.to_number_within(limit)))),
                }
            }
            Expr::Binary(first, rest) => {
                let mut acc = first.eval(scope, wxs);
                for (op, operand) in rest {
                    if limit.is_over() {
                        return Val::Undefined;
                    }
                    acc = match op {
                        BinaryOp::And => {
                            if acc.truthy() {
                                operand.eval(scope, wxs)
                            } else {
                                acc
                            }
                        }
                        BinaryOp::Or => {
                            if acc.truthy() {
                                acc
                            } else {
                                operand.eval(scope, wxs)
                            }
                        }
                        BinaryOp::Nullish => {
                            if matches!(acc, Val::Undefined | Val::Null) {
                                operand.eval(scope, wxs)
                            } else {
                                acc
                            }
                        }
                        op => binary(*op, acc, operand.eval(scope, wxs), limit),
                    };
                }
                acc
            }
            Expr::Cond(cond, then, otherwise) => {
                if cond.eval(scope, wxs).truthy() {
                    then.eval(scope, wxs)
                } else {
                    otherwise.eval(scope, wxs)
                }
            }
            Expr::Array(items) => {
                // What the literal makes, as JSON text, is counted before each part is copied.
                let mut made = 2usize;
                let mut out = Vec::new();
                for item in items {
                    if limit.is_over() {
                        return Val::Undefined;
                    }
                    match item {
                        Item::Value(e) => {
                            let v = e.eval(scope, wxs);
                            made = made.saturating_add(1 + v.weight_capped(limit.max().saturating_sub(made)));
                            if !limit.admit(made) {
                                return Val::Undefined;
                            }
                            out.push(v.into_json());
                        }
                        Item::Spread(e) => match e.eval(scope, wxs) {
                            Val::Array(a) => {
                                made = made.saturating_add(array_weight_capped(
                                    &a,
                                    limit.max().saturating_sub(made),
                                ));
                                if !limit.admit(made) {
                                    return Val::Undefined;
                                }
                                out.extend(a.into_owned());
                            }
                            Val::Str(s) => {
                                // Each character becomes a string: `"c",`.
                                made = made.saturating_add(s.len() + 3 * s.chars().count());
                                if !limit.admit(made) {
                                    return Val::Undefined;
                                }
                                out.extend(s.chars().map(|c| Value::String(c.to_string())));
                            }
                            _ => {}
                        },
                    }
                }
                Val::Array(Cow::Owned(out))
            }
            Expr::Object(props) => {
                let mut made = 2usize;
                let mut out = Map::new();
                for prop in props {
                    if limit.is_over() {
                        return Val::Undefined;
                    }
                    match prop {
                        Prop::KeyValue(k, e) => {
                            let v = e.eval(scope, wxs);
                            made = made.saturating_add(
                                k.len() + 4 + v.weight_capped(limit.max().saturating_sub(made)),
                            );
                            if !limit.admit(made) {
                                return Val::Undefined;
                            }
                            insert_defined(&mut out, k.clone(), v);
                        }
                        Prop::Computed(k, e) => {
                            let key = k.eval(scope, wxs);
                            let key = key.to_js_string_within(limit);
                            let v = e.eval(scope, wxs);
                            made = made.saturating_add(
                                key.len() + 4 + v.weight_capped(limit.max().saturating_sub(made)),
                            );
                            if !limit.admit(made) {
                                return Val::Undefined;
                            }
                            insert_defined(&mut out, key.into_owned(), v);
                        }
                        Prop::Spread(e) => match e.eval(scope, wxs) {
                            Val::Object(o) => {
                                made = made.saturating_add(
                                    Val::Object(Cow::Borrowed(&*o))
                                        .weight_capped(limit.max().saturating_sub(made)),
                                );
                                if !limit.admit(made) {
                                    return Val::Undefined;
                                }
                                out.extend(o.into_owned());
                            }
                            Val::Array(a) => {
                                // Keys `"0":` … as well as the items.
                                let keys = a.len().saturating_mul(4 + number_to_string(a.len() as f64).len());
                                made = made.saturating_add(keys).saturating_add(array_weight_capped(
                                    &a,
                                    limit.max().saturating_sub(made),
                                ));
                                if !limit.admit(made) {
                                    return Val::Undefined;
                                }
                                for (i, v) in a.into_owned().into_iter().enumerate() {
                                    out.insert(i.to_string(), v);
                                }
                            }
                            _ => {}
                        },
                    }
                }
                Val::Object(Cow::Owned(out))
            }
        }
    }

    /// Adds the data paths this expression reads to `out`. A path stops at the first
    /// computed key (`a.b[i].c` reads `a.b`, and `i`). `x.length` reads `x.length`, which a
    /// change to an item of `x` leaves alone unless it grows the array (see
    /// [`crate::ir::reaches`]).
    pub fn read_paths(&self, out: &mut Vec<Vec<String>>) {
        match self {
            Expr::Undefined | Expr::Null | Expr::Bool(_) | Expr::Num(_) | Expr::Str(_) => {}
            Expr::Ident(_) => out.push(self.static_path().expect("a name is a path")),
            Expr::Access(base, steps) => {
                if let Some(path) = self.static_path() {
                    out.push(path);
                    return;
                }
                // A call of `module.function` or `module` reads its arguments, not `module`.
                let module_call = match (base.as_ref(), steps.first(), steps.get(1)) {
                    (Expr::Ident(_), Some(Step::Call(_)), _) => Some(0),
                    (Expr::Ident(_), _, Some(Step::Call(_))) => Some(1),
                    _ => None,
                };
                let rest = if let Some(call) = module_call {
                    &steps[call..]
                } else if let Expr::Ident(name) = base.as_ref() {
                    // The first computed key or call ends the static part.
                    let mut path = vec![name.clone()];
                    let mut k = 0;
                    while let Some(key) = steps.get(k).and_then(Step::constant_key) {
                        path.push(key);
                        k += 1;
                    }
                    out.push(path);
                    &steps[k..]
                } else {
                    base.read_paths(out);
                    &steps[..]
                };
                for step in rest {
                    match step {
                        Step::Key(key) => key.read_paths(out),
                        Step::Call(args) => {
                            for a in args {
                                a.read_paths(out);
                            }
                        }
                    }
                }
            }
            Expr::Unary(_, e) => e.read_paths(out),
            Expr::Binary(first, rest) => {
                first.read_paths(out);
                for (_, e) in rest {
                    e.read_paths(out);
                }
            }
            Expr::Cond(a, b, c) => {
                a.read_paths(out);
                b.read_paths(out);
                c.read_paths(out);
            }
            Expr::Array(items) => {
                for item in items {
                    match item {
                        Item::Value(e) | Item::Spread(e) => e.read_paths(out),
                    }
                }
            }
            Expr::Object(props) => {
                for prop in props {
                    match prop {
                        Prop::KeyValue(_, e) | Prop::Spread(e) => e.read_paths(out),
                        Prop::Computed(k, e) => {
                            k.read_paths(out);
                            e.read_paths(out);
                        }
                    }
                }
            }
        }
    }

    /// `a.b[0].c` as `["a", "b", "0", "c"]`, when every key is a constant.
    pub fn static_path(&self) -> Option<Vec<String>> {
        match self {
            Expr::Ident(name) => Some(vec![name.clone()]),
            Expr::Access(base, steps) => {
                let Expr::Ident(name) = base.as_ref() else { return None };
                let mut path = Vec::with_capacity(steps.len() + 1);
                path.push(name.clone());
                for step in steps {
                    path.push(step.constant_key()?);
                }
                Some(path)
            }
            _ => None,
        }
    }

    /// The calls in the expression, each as the `<wxs>` module it names when written
    /// `module.function(…)` or `module(…)` (`None` for any other callee), for checking module
    /// names.
    pub fn call_modules<'e>(&'e self, out: &mut Vec<Option<&'e str>>) {
        match self {
            Expr::Access(base, steps) => {
                base.call_modules(out);
                for (i, step) in steps.iter().enumerate() {
                    match step {
                        Step::Key(key) => key.call_modules(out),
                        Step::Call(args) => {
                            let module = match (i, base.as_ref(), &steps[0]) {
                                (0, Expr::Ident(module), _)
                                | (1, Expr::Ident(module), Step::Key(Expr::Str(_))) => Some(module.as_str()),
                                _ => None,
                            };
                            out.push(module);
                            for a in args {
                                a.call_modules(out);
                            }
                        }
                    }
                }
            }
            Expr::Binary(first, rest) => {
                first.call_modules(out);
                for (_, e) in rest {
                    e.call_modules(out);
                }
            }
            Expr::Unary(_, e) => e.call_modules(out),
            Expr::Cond(a, b, c) => {
                a.call_modules(out);
                b.call_modules(out);
                c.call_modules(out);
            }
            Expr::Array(items) => {
                for item in items {
                    match item {
                        Item::Value(e) | Item::Spread(e) => e.call_modules(out),
                    }
                }
            }
            Expr::Object(props) => {
                for prop in props {
                    match prop {
                        Prop::KeyValue(_, e) | Prop::Spread(e) => e.call_modules(out),
                        Prop::Computed(k, e) => {
                            k.call_modules(out);
                            e.call_modules(out);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

impl Step {
    /// The key as a path segment, when it is a constant (`.b`, `['b']`, `[0]`).
    fn constant_key(&self) -> Option<String> {
        match self {
            Step::Key(Expr::Str(s)) => Some(s.clone()),
            Step::Key(Expr::Num(n)) => Some(number_to_string(*n)),
            _ => None,
        }
    }
}

/// A binary operator other than `&&`, `||` and `??` (which may not evaluate their right side),
/// making at most `limit` bytes.
fn binary<'a>(op: BinaryOp, l: Val<'a>, r: Val<'a>, limit: &Limit) -> Val<'a> {
    let num = |v: &Val<'_>| v.to_number_within(limit);
    match op {
        BinaryOp::Add => add_within(l, r, limit),
        BinaryOp::Sub => Val::Num(num(&l) - num(&r)),
        BinaryOp::Mul => Val::Num(num(&l) * num(&r)),
        BinaryOp::Div => Val::Num(num(&l) / num(&r)),
        BinaryOp::Rem => Val::Num(num(&l) % num(&r)),
        // The shift count is the right side's low five bits, as in JavaScript.
        BinaryOp::Shl => Val::Num(f64::from(to_int32(num(&l)).wrapping_shl(to_uint32(num(&r))))),
        BinaryOp::Shr => Val::Num(f64::from(to_int32(num(&l)).wrapping_shr(to_uint32(num(&r))))),
        BinaryOp::UShr => Val::Num(f64::from(to_uint32(num(&l)).wrapping_shr(to_uint32(num(&r))))),
        BinaryOp::BitAnd => Val::Num(f64::from(to_int32(num(&l)) & to_int32(num(&r)))),
        BinaryOp::BitXor => Val::Num(f64::from(to_int32(num(&l)) ^ to_int32(num(&r)))),
        BinaryOp::BitOr => Val::Num(f64::from(to_int32(num(&l)) | to_int32(num(&r)))),
        BinaryOp::Lt => Val::Bool(less_than_within(&l, &r, limit) == Some(true)),
        BinaryOp::Gt => Val::Bool(less_than_within(&r, &l, limit) == Some(true)),
        BinaryOp::Le => Val::Bool(less_than_within(&r, &l, limit) == Some(false)),
        BinaryOp::Ge => Val::Bool(less_than_within(&l, &r, limit) == Some(false)),
        BinaryOp::Eq => Val::Bool(loose_equals_within(&l, &r, limit)),
        BinaryOp::Ne => Val::Bool(!loose_equals_within(&l, &r, limit)),
        BinaryOp::StrictEq => Val::Bool(strict_equals(&l, &r)),
        BinaryOp::StrictNe => Val::Bool(!strict_equals(&l, &r)),
        BinaryOp::And => {
            if l.truthy() {
                r
            } else {
                l
            }
        }
        BinaryOp::Or => {
            if l.truthy() {
                l
            } else {
                r
            }
        }
        BinaryOp::Nullish => {
            if matches!(l, Val::Undefined | Val::Null) {
                r
            } else {
                l
            }
        }
    }
}

/// A call's arguments as JSON, for the host; `None` when they would make more than the
/// scope's limit allows.
fn call_args(args: &[Expr], scope: &Scope<'_, '_>, wxs: &dyn WxsHost) -> Option<Vec<Value>> {
    let limit = scope.limit();
    let mut values = Vec::with_capacity(args.len());
    let mut made = 0usize;
    for a in args {
        let v = a.eval(scope, wxs);
        made = made.saturating_add(v.weight_capped(limit.max().saturating_sub(made)));
        if !limit.admit(made) {
            return None;
        }
        values.push(v.into_json());
    }
    Some(values)
}

/// Object literals drop `undefined` members, as JSON (the platform's data channel) does.
fn insert_defined(out: &mut Map<String, Value>, key: String, value: Val<'_>) {
    if !value.is_undefined() {
        out.insert(key, value.into_json());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval_with(src: &str, data: &Value) -> String {
        let expr = parse(src).unwrap_or_else(|e| panic!("{src}: {}", e.message));
        let scope = Scope::new(Val::of(data));
        let v = expr.eval(&scope, &NoWxs);
        match v {
            Val::Array(_) | Val::Object(_) => v.into_json().to_string(),
            Val::Str(s) => format!("{s:?}"),
            other => other.to_js_string().into_owned(),
        }
    }

    #[test]
    fn evaluates_with_javascript_semantics() {
        let data = json!({"a": 2, "b": "3", "s": "x", "list": [1, 2, 3], "o": {"k": "v"}, "z": 0, "n": null});
        let cases = [
            ("a + 1", "3"),
            ("a + b", "\"23\""),
            ("b - a", "1"),
            ("'n: ' + a", "\"n: 2\""),
            ("a * b", "6"),
            ("7 % a", "1"),
            ("1 / z", "Infinity"),
            ("a == b - 1", "true"),
            ("a == '2'", "true"),
            ("a === '2'", "false"),
            ("a !== 2", "false"),
            ("n == undefined", "true"),
            ("n === undefined", "false"),
            ("!z", "true"),
            ("!!s", "true"),
            ("-b", "-3"),
            ("+b + 1", "4"),
            ("typeof a", "\"number\""),
            ("typeof missing", "\"undefined\""),
            ("typeof n", "\"object\""),
            ("z || 'default'", "\"default\""),
            ("z ?? 'default'", "0"),
            ("n ?? 'default'", "\"default\""),
            ("a && s", "\"x\""),
            ("a > 1 ? 'big' : 'small'", "\"big\""),
            ("a > 1 ? z ? 1 : 2 : 3", "2"),
            ("list[1]", "2"),
            ("list.length", "3"),
            ("list[a]", "3"),
            ("o.k", "\"v\""),
            ("o['k']", "\"v\""),
            ("missing.deep.path", "undefined"),
            ("[a, ...list]", "[2,1,2,3]"),
            ("{x: a, ...o, s}", r#"{"x":2,"k":"v","s":"x"}"#),
            ("{'quoted key': 1, [s]: 2}", r#"{"quoted key":1,"x":2}"#),
            ("1 + 2 * 3 - 4 / 2", "5"),
            ("(1 + 2) * 3", "9"),
            ("2 < 10", "true"),
            ("'2' < '10'", "false"),
            ("0.1 + 0.2", "0.30000000000000004"),
            ("0x10", "16"),
            ("1e3", "1000"),
            ("'a\\'b'", "\"a'b\""),
            ("list + ''", "\"1,2,3\""),
            ("o + ''", "\"[object Object]\""),
            ("m.fn(a)", "undefined"),
        ];
        for (src, expected) in cases {
            assert_eq!(eval_with(src, &data), expected, "{src}");
        }
    }

    #[test]
    fn object_bodies_parse_as_template_data() {
        let data = json!({"a": 1, "item": {"x": 2}});
        let e = parse_object_body("a, b: a + 1, ...item").unwrap();
        let scope = Scope::new(Val::of(&data));
        assert_eq!(e.eval(&scope, &NoWxs).into_json(), json!({"a": 1, "b": 2, "x": 2}));
        // With its braces, as the platform also takes it.
        let e = parse_object_body(" {a, b: a + 1, ...item} ").unwrap();
        assert_eq!(e.eval(&scope, &NoWxs).into_json(), json!({"a": 1, "b": 2, "x": 2}));
        assert!(parse_object_body("{a} , b").is_err());
    }

    #[test]
    fn syntax_errors_say_what_and_where() {
        let cases = [
            ("a +", "expected an expression, found the end", 3),
            ("a b", "expected the end of the expression, found `b`", 2),
            ("(a", "expected `)`, found the end", 2),
            ("a ? b", "expected `:`, found the end", 5),
            ("'abc", "unterminated string", 0),
            ("a # b", "unexpected character `#`", 2),
            ("`x`", "template literals are not supported in WXML", 0),
            ("a.", "expected a property name after `.`, found the end", 2),
            ("{a: }", "expected an expression, found `}`", 4),
        ];
        for (src, message, start) in cases {
            let e = parse(src).unwrap_err();
            assert_eq!((e.message.as_str(), e.start), (message, start), "{src}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let src = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&src).unwrap_err().message.contains("nested more than"));
        let src = "!".repeat(10_000) + "a";
        assert!(parse(&src).is_err());
        let src = "[".repeat(10_000);
        assert!(parse(&src).is_err());
    }

    #[test]
    fn read_paths() {
        let cases = [
            ("a.b.c", vec!["a.b.c"]),
            ("a.b[i].c", vec!["a.b", "i"]),
            ("list[0].name", vec!["list.0.name"]),
            ("list.length", vec!["list.length"]),
            ("x ? y.z : 'w'", vec!["x", "y.z"]),
            ("m.fn(a.b, c)", vec!["a.b", "c"]),
            ("m(a.b, c).d", vec!["a.b", "c"]),
            ("a << b.c | ~d", vec!["a", "b.c", "d"]),
            ("{k: v, ...rest}", vec!["v", "rest"]),
        ];
        for (src, expected) in cases {
            let mut out = Vec::new();
            parse(src).unwrap().read_paths(&mut out);
            let got: Vec<String> = out.iter().map(|p| p.join(".")).collect();
            assert_eq!(got, expected, "{src}");
        }
    }
}
