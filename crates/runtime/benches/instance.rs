//! Instance numbers against DESIGN.md's targets: runtime creation, cold start to the first
//! page's patches (≤ 5 ms), tap → handler → patches.
//!
//! `cargo bench -p capsule-runtime --bench instance`; under `cargo test` each runs once.

use std::path::Path;
use std::sync::Arc;

use capsule_js::bytecode::{CacheMode, configure};
use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, Instance, Limits, Output, Query};
use criterion::{Criterion, criterion_group, criterion_main};

fn load(name: &str) -> (Arc<Package>, Arc<capsule_template::Program>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    let package = Package::load(&dir, &LoadOptions::default()).expect("example loads");
    let (program, _) = capsule_template::compile_package(&package);
    (Arc::new(package), Arc::new(program))
}

fn benches(c: &mut Criterion) {
    let (package, program) = load("showcase");
    c.bench_function("create an instance (runtime, context, framework)", |b| {
        b.iter_with_large_drop(|| {
            Instance::new(package.clone(), program.clone(), Limits::default()).expect("starts")
        })
    });
    c.bench_function("end an instance (free its runtime)", |b| {
        b.iter_batched(
            || Instance::new(package.clone(), program.clone(), Limits::default()).expect("starts"),
            drop,
            criterion::BatchSize::SmallInput,
        )
    });
    for (cache, mode) in [("no bytecode cache", CacheMode::Off), ("bytecode cache", CacheMode::Memory)] {
        configure(mode);
        for name in ["showcase", "todo"] {
            let (package, program) = load(name);
            c.bench_function(
                &format!("cold start {name}, {cache}: package in memory to first page's patches"),
                |b| {
                    b.iter(|| {
                        let mut instance = Instance::new(package.clone(), program.clone(), Limits::default())
                            .expect("starts");
                        let out = instance.handle(Input::Launch { path: None });
                        assert!(out.iter().any(|o| matches!(o, Output::PageOpened { .. })));
                        instance
                    })
                },
            );
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/todo");
    c.bench_function("cold start todo from its folder (load, compile, launch)", |b| {
        b.iter(|| {
            let package = Package::load(&dir, &LoadOptions::default()).expect("loads");
            let (program, _) = capsule_template::compile_package(&package);
            let mut instance =
                Instance::new(Arc::new(package), Arc::new(program), Limits::default()).expect("starts");
            instance.handle(Input::Launch { path: None })
        })
    });

    components(c);
    lists(c);

    let mut instance = Instance::new(package, program, tapping()).expect("starts");
    instance.handle(Input::Launch { path: Some("pages/bindings/bindings".into()) });
    tap_bench(c, "tap → handler → setData → patches", &mut instance, "button");
}

/// The package of `files`, written to `dir`, loaded and compiled (the folder is removed).
fn written(dir: &Path, files: &[(&str, String)]) -> (Arc<Package>, Arc<capsule_template::Program>) {
    let _ = std::fs::remove_dir_all(dir);
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("has a folder")).expect("writes");
        std::fs::write(full, text).expect("writes");
    }
    let package = Package::load(dir, &LoadOptions::default()).expect("loads");
    let _ = std::fs::remove_dir_all(dir);
    let (program, _) = capsule_template::compile_package(&package);
    (Arc::new(package), Arc::new(program))
}

/// A list of 1,000 rows, each a custom component: the cost per component of creating,
/// mounting and updating one.
fn components(c: &mut Criterion) {
    const ROWS: usize = 1_000;
    let dir = std::env::temp_dir().join(format!("capsule-bench-components-{}", std::process::id()));
    let files = [
        ("app.json", r#"{"pages": ["pages/list/list"]}"#.to_string()),
        ("pages/list/list.json", r#"{"usingComponents": {"row": "/row/row"}}"#.to_string()),
        (
            "pages/list/list.wxml",
            r#"<row wx:for="{{rows}}" wx:key="id" label="{{item.label}}" done="{{item.done}}" bind:flip="flip"/><view id="go" bindtap="go"/>"#
                .to_string(),
        ),
        (
            "pages/list/list.js",
            format!(
                "Page({{ data: {{ rows: Array.from({{ length: {ROWS} }}, (_, i) => ({{ id: i, label: 'row ' + i, done: false }})) }}, \
                 go() {{ this.setData({{ 'rows[500].done': !this.data.rows[500].done }}) }}, flip() {{}} }})"
            ),
        ),
        ("row/row.json", r#"{"component": true}"#.to_string()),
        ("row/row.wxml", r#"<view class="row {{done ? 'done' : ''}}" bindtap="tap"><text>{{label}}</text></view>"#.to_string()),
        (
            "row/row.js",
            "Component({ properties: { label: String, done: Boolean }, methods: { tap() { this.triggerEvent('flip', {}) } } })"
                .to_string(),
        ),
    ];
    let (package, program) = written(&dir, &files);
    configure(CacheMode::Memory);
    c.bench_function(&format!("launch a page of {ROWS} custom components to its first frame"), |b| {
        b.iter(|| {
            let mut instance =
                Instance::new(package.clone(), program.clone(), Limits::default()).expect("starts");
            let out = instance.handle(Input::Launch { path: None });
            assert!(out.iter().any(|o| matches!(o, Output::PageOpened { .. })));
            instance
        })
    });
    let mut instance = Instance::new(package, program, tapping()).expect("starts");
    instance.handle(Input::Launch { path: None });
    tap_bench(c, &format!("one property of one of {ROWS} components → its patches"), &mut instance, "#go");
}

/// A keyed list of 1,000 rows as the platform's component test tool renders it (two text
/// nodes a row, one of them `index + 1`): one row's field toggled, and the whole list set
/// again with every row changed — the second against the renderer alone
/// (`capsule-template`'s "update a whole 1000-row list"), to see what crossing from the script
/// costs.
fn lists(c: &mut Criterion) {
    const ROWS: usize = 1_000;
    let dir = std::env::temp_dir().join(format!("capsule-bench-lists-{}", std::process::id()));
    let files = [
        ("app.json", r#"{"pages": ["pages/list/list"]}"#.to_string()),
        (
            "pages/list/list.wxml",
            r#"<view id="one" bindtap="one"/><view id="all" bindtap="all"/>
<view wx:for="{{rows}}" wx:key="id" class="row {{item.done ? 'done' : ''}}"><text>{{item.title}}</text><text>{{index + 1}}</text></view>"#
                .to_string(),
        ),
        (
            "pages/list/list.js",
            format!(
                "const make = (flip) => Array.from({{ length: {ROWS} }}, (_, i) => ({{ id: i, title: 'row ' + i, done: (i % 3 === 0) !== flip }}));\n\
                 Page({{ data: {{ rows: make(false) }}, flipped: false,\n\
                 one() {{ this.setData({{ 'rows[500].done': !this.data.rows[500].done }}) }},\n\
                 all() {{ this.flipped = !this.flipped; this.setData({{ rows: make(this.flipped) }}) }} }})"
            ),
        ),
    ];
    let (package, program) = written(&dir, &files);
    let mut instance = Instance::new(package, program, tapping()).expect("starts");
    instance.handle(Input::Launch { path: None });
    tap_bench(
        c,
        &format!("platform list workload: one row's done of {ROWS} → its patches"),
        &mut instance,
        "#one",
    );
    tap_bench(c, &format!("whole-list setData of {ROWS} changed rows → patches"), &mut instance, "#all");
}

/// The budgets of an instance tapped for seconds on end: a minute's CPU budget would end it
/// partway, and later samples would measure nothing.
fn tapping() -> Limits {
    Limits { cpu_per_minute: std::time::Duration::from_secs(24 * 3600), ..Limits::default() }
}

/// Taps the first element matching `selector`, again and again: each tap must patch the page.
fn tap_bench(c: &mut Criterion, name: &str, instance: &mut Instance, selector: &str) {
    let found = instance.handle(Input::Query { query: Query::Find { selector: selector.into() } });
    let Some(Output::Answer { value }) = found.first() else { panic!("no answer") };
    let (page, node) =
        (value["page"].as_u64().expect("page") as u32, value["node"].as_u64().expect("node") as u32);
    c.bench_function(name, |b| {
        b.iter(|| {
            let mut out = instance.handle(Input::Event {
                page,
                node,
                event: "tap".into(),
                detail: serde_json::json!({}),
                pointer: Default::default(),
            });
            // What the tap set off for right after it (a component's properties reach it on
            // the next turn), as a pool runs it in the same turn.
            out.extend(instance.run_timers(std::time::Instant::now()));
            assert!(out.iter().any(|o| matches!(o, Output::Patches { .. })), "{out:?}");
            out
        })
    });
}

criterion_group!(instance_benches, benches);
criterion_main!(instance_benches);
