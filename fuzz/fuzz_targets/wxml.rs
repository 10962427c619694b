//! WXML: parse and compile a page (with up to two more files it may `<import>` or
//! `<include>`), render it with data under the render budget, update it with changed data,
//! and apply the patches to a mirror as the host does; the mirror must end up equal to the
//! page.
//!
//! Input: `page.wxml \0 a.wxml \0 b.wxml \0 data.json` — every section after the first is
//! optional; data that is not a JSON object is replaced by a fixed one.
#![no_main]

use std::time::{Duration, Instant};

use capsule_fuzz::{on_small_stack, sections};
use capsule_package::Files;
use capsule_template::expr::{NoWxs, WxsHost};
use capsule_template::render::{Budget, render_budgeted};
use capsule_template::{Patch, Tree, compile_files};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// A `<wxs>` stand-in: every call answers its first argument, so call results flow on.
struct Echo;

impl WxsHost for Echo {
    fn call(&self, _: &str, _: &str, args: &[Value]) -> Option<Value> {
        args.first().cloned()
    }
}

fn default_data() -> Value {
    json!({
        "list": [{"id": 1, "name": "a", "items": [1, 2]}, {"id": 2, "name": "b", "items": []}, {"id": 3}],
        "s": "abc",
        "n": 3,
        "flag": true,
        "obj": {"a": {"b": {"c": "deep"}}, "x": null},
        "matrix": [[1, 2], [3, 4]],
        "item": "outer"
    })
}

fn changed(data: &Value) -> Value {
    let mut next = data.clone();
    if let Value::Object(map) = &mut next {
        map.insert("n".into(), json!(5));
        map.insert("flag".into(), json!(false));
        map.insert("list".into(), json!([{"id": 3}, {"id": 1, "name": "z"}, {"id": 4, "items": [9]}]));
        map.insert("s".into(), json!("ab"));
    }
    next
}

fn run(data: &[u8]) {
    let parts = sections(data, 4);
    let mut files = Files::default();
    let names = ["p.wxml", "a.wxml", "b.wxml"];
    for (name, text) in names.iter().zip(&parts) {
        files.insert(*name, text.as_bytes().to_vec());
    }
    let page_data = parts
        .get(3)
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .filter(Value::is_object)
        .unwrap_or_else(default_data);

    let (program, _diags) = compile_files(&files, ["p.wxml"]);
    let Some(&file) = program.by_path.get("p.wxml") else { return };

    // The render budget a host gives: a node limit smaller than the default (to keep runs
    // fast) and a deadline, as the instance's CPU budget does.
    let start = Instant::now();
    let deadline = || start.elapsed() > Duration::from_secs(2);
    let budget = Budget {
        max_nodes: 20_000,
        max_bytes: capsule_template::render::MAX_PAGE_BYTES,
        interrupt: Some(&deadline),
    };
    for wxs in [&NoWxs as &dyn WxsHost, &Echo] {
        let Ok(mut page) = render_budgeted(&program, file, &page_data, wxs, &budget) else { continue };
        let html = page.tree.to_html();
        let snapshot = page.tree.snapshot();
        let _ = serde_json::to_string(&snapshot).expect("a snapshot serialises");
        let mut mirror = Tree::new();
        mirror.apply(&snapshot);
        assert_eq!(mirror.to_html(), html, "a snapshot rebuilds the page");

        let next = changed(&page_data);
        let Ok(patches) = page.update_all_budgeted(&program, &next, wxs, &budget) else { continue };
        for patch in &patches {
            let text = serde_json::to_string(patch).expect("a patch serialises");
            let back: Patch = serde_json::from_str(&text).expect("a patch reads back");
            mirror.apply(&back);
        }
        assert_eq!(mirror.to_html(), page.tree.to_html(), "patches bring the mirror to the page");
    }
}

fuzz_target!(|data: &[u8]| on_small_stack(data, run));
