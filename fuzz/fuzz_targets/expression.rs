//! `{{ }}` expressions: parse (as an expression, and as an object body as
//! `<template data="{{…}}">` writes it), read the data paths and module calls, evaluate
//! against data with and without a `<wxs>` host, and display the result.
//!
//! Input: `expression \0 data.json` — data that is not a JSON object is replaced by a fixed
//! one.
#![no_main]

use capsule_fuzz::{on_small_stack, sections};
use capsule_template::expr::{self, Expr, NoWxs, Scope, WxsHost};
use capsule_template::value::Val;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// Every call answers its first argument, so call results flow on.
struct Echo;

impl WxsHost for Echo {
    fn call(&self, _: &str, _: &str, args: &[Value]) -> Option<Value> {
        args.first().cloned()
    }
}

fn exercise(expr: &Expr, data: &Value) {
    let mut paths = Vec::new();
    expr.read_paths(&mut paths);
    let _ = expr.static_path();
    let mut modules = Vec::new();
    expr.call_modules(&mut modules);
    for wxs in [&NoWxs as &dyn WxsHost, &Echo] {
        let mut scope = Scope::new(Val::of(data));
        scope.locals.push(("item", Val::str("local")));
        scope.locals.push(("index", Val::Num(1.0)));
        let value = expr.eval(&scope, wxs);
        let _ = value.type_of();
        let _ = value.truthy();
        let _ = value.to_number();
        let _ = value.to_display().len();
        let _ = value.into_json();
    }
}

fn run(data: &[u8]) {
    let parts = sections(data, 2);
    let source = &parts[0];
    let page_data = parts
        .get(1)
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| {
            json!({"a": {"b": [1, {"c": "x"}], "length": 2}, "s": "str", "n": 4.5, "t": true, "z": null,
                   "list": [3, 1, 2], "o": {"k": "v"}})
        });
    if let Ok(expr) = expr::parse(source) {
        exercise(&expr, &page_data);
    }
    if let Ok(expr) = expr::parse_object_body(source) {
        exercise(&expr, &page_data);
    }
}

fuzz_target!(|data: &[u8]| on_small_stack(data, run));
