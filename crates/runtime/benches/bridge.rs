//! Calls from JS through the bridge: an empty sync API and storage, per call (each sample is
//! one handler making 1,000 calls).
//!
//! `cargo bench -p capsule-runtime --bench bridge`; under `cargo test` each runs once.

use std::sync::Arc;
use std::time::Duration;

use capsule_bridge::service::Service;
use capsule_bridge::{Api, App, Bridge, Options};
use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, Limits, Output, Pool, Query};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

const CALLS: u32 = 1000;

fn benches(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("capsule-bench-bridge-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = [
        ("app.json", r#"{"pages": ["pages/a/a"]}"#.to_string()),
        ("app.js", "App({})".to_string()),
        (
            "pages/a/a.wxml",
            "<view id=\"noop\" bindtap=\"noop\"/><view id=\"async\" bindtap=\"asyncNoop\"/><view id=\"get\" bindtap=\"get\"/><view id=\"set\" bindtap=\"set\"/>".to_string(),
        ),
        (
            "pages/a/a.js",
            format!(
                "let pending = 0;\nPage({{ onLoad() {{ wx.setStorageSync('k', {{ v: 1 }}) }},\n\
                 noop() {{ for (let i = 0; i < {CALLS}; i++) wx.noopSync() }},\n\
                 asyncNoop() {{ for (let i = 0; i < {CALLS}; i++) wx.noop({{ complete() {{}} }}) }},\n\
                 get() {{ for (let i = 0; i < {CALLS}; i++) wx.getStorageSync('k') }},\n\
                 set() {{ for (let i = 0; i < {CALLS}; i++) wx.setStorageSync('k', {{ v: i }}) }} }})"
            ),
        ),
    ];
    for (path, text) in &files {
        let full = dir.join("pkg").join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let package = Package::load(dir.join("pkg"), &LoadOptions::default()).expect("loads");
    let program = Arc::new(capsule_template::compile_package(&package).0);
    let mut bridge = Bridge::new(Options { data_dir: dir.join("data"), ..Default::default() });
    bridge.register(Api::new("noop", vec![], |_| Ok(json!({}))).with_sync(&[], None));
    let service = Service::start(bridge);
    let client = service.client(App { id: "bench".into(), ..Default::default() });
    let pool = Pool::new(1);
    let h = pool.spawn_with(Arc::new(package), program, Limits::default(), Some(client));
    h.request(Input::Launch { path: None }, Duration::from_secs(30));
    let node = |selector: &str| {
        let out = h.request(
            Input::Query { query: Query::Find { selector: selector.into() } },
            Duration::from_secs(30),
        );
        let Some(Output::Answer { value }) = out.into_iter().find(|o| matches!(o, Output::Answer { .. }))
        else {
            panic!("no answer")
        };
        (value["page"].as_u64().unwrap() as u32, value["node"].as_u64().unwrap() as u32)
    };
    for (name, selector) in [
        ("empty API, sync", "#noop"),
        ("getStorageSync", "#get"),
        ("setStorageSync (durable commit)", "#set"),
    ] {
        let (page, n) = node(selector);
        c.bench_function(&format!("{CALLS} × {name} from JS"), |b| {
            b.iter(|| {
                h.request(
                    Input::Event { page, node: n, event: "tap".into(), detail: json!({}) },
                    Duration::from_secs(120),
                )
            })
        });
    }
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = bridge_benches;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(bridge_benches);
