//! Calls from JS through the bridge: an empty sync API, storage and files, per call (each
//! sample is one handler making 1,000 calls), and 100 `wx.request`s to a server on
//! 127.0.0.1 until every success callback ran.
//!
//! `cargo bench -p capsule-host --bench bridge`; under `cargo test` each runs once.

use std::sync::Arc;
use std::time::Duration;

use capsule_bridge::Api;
use capsule_host::{Host, HostConfig, LaunchOptions};
use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, Limits, Output, PoolConfig, Query};
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
            "<view id=\"noop\" bindtap=\"noop\"/><view id=\"async\" bindtap=\"asyncNoop\"/><view id=\"get\" bindtap=\"get\"/><view id=\"set\" bindtap=\"set\"/>\
             <view id=\"write\" bindtap=\"write\"/><view id=\"read\" bindtap=\"read\"/><view id=\"req\" bindtap=\"req\"/>".to_string(),
        ),
        (
            "pages/a/a.js",
            format!(
                "let pending = 0;\nPage({{ onLoad() {{ wx.setStorageSync('k', {{ v: 1 }}) }},\n\
                 noop() {{ for (let i = 0; i < {CALLS}; i++) wx.noopSync() }},\n\
                 asyncNoop() {{ for (let i = 0; i < {CALLS}; i++) wx.noop({{ complete() {{}} }}) }},\n\
                 get() {{ for (let i = 0; i < {CALLS}; i++) wx.getStorageSync('k') }},\n\
                 set() {{ for (let i = 0; i < {CALLS}; i++) wx.setStorageSync('k', {{ v: i }}) }},\n\
                 write() {{ const fs = wx.getFileSystemManager(); const t = 'x'.repeat(1024); for (let i = 0; i < {CALLS}; i++) fs.writeFileSync(wx.env.USER_DATA_PATH + '/f', t) }},\n\
                 read() {{ const fs = wx.getFileSystemManager(); for (let i = 0; i < {CALLS}; i++) fs.readFileSync(wx.env.USER_DATA_PATH + '/f', 'utf8') }},\n\
                 req(e) {{ let left = 100, failed = ''; for (let i = 0; i < 100; i++) wx.request({{ url: e.detail.url, fail(r) {{ failed = failed || r.errMsg }}, complete() {{ if (--left === 0) console.log('requests done' + (failed && ', one failed: ' + failed)) }} }}) }} }})"
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
    // The benchmark runs the handlers far longer than a minute's CPU budget allows an app:
    // lift it, or the instance is ended partway and later samples measure nothing.
    let limits = Limits { cpu_per_minute: Duration::from_secs(24 * 3600), ..Limits::default() };
    let threads = PoolConfig { threads: 1, ..PoolConfig::default() };
    let host = Host::new(HostConfig { data_dir: dir.join("data"), limits, threads, ..HostConfig::default() })
        .expect("a host");
    host.register(Api::host("noop", vec![], None, |_, _| Ok(json!({}))).with_sync(&[], None))
        .expect("registers");
    let h = host.launch(&host.app(package, program), LaunchOptions::default());
    h.until_done(Duration::from_secs(30));
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
        ("writeFileSync of 1 KiB", "#write"),
        ("readFileSync of 1 KiB", "#read"),
    ] {
        let (page, n) = node(selector);
        // A call that fails would make the numbers meaningless: the handler must run clean.
        let first = h.request(
            Input::Event {
                page,
                node: n,
                event: "tap".into(),
                detail: json!({}),
                pointer: Default::default(),
            },
            Duration::from_secs(120),
        );
        if let Some(e) = first.iter().find(|o| matches!(o, Output::Error { .. } | Output::Terminated { .. }))
        {
            panic!("{name}: {e:?}");
        }
        c.bench_function(&format!("{CALLS} × {name} from JS"), |b| {
            b.iter(|| {
                h.request(
                    Input::Event {
                        page,
                        node: n,
                        event: "tap".into(),
                        detail: json!({}),
                        pointer: Default::default(),
                    },
                    Duration::from_secs(120),
                )
            })
        });
    }
    let url = serve_ok();
    let (page, n) = node("#req");
    c.bench_function("100 × wx.request to 127.0.0.1, until every success ran", |b| {
        b.iter(|| {
            h.send(Input::Event {
                page,
                node: n,
                event: "tap".into(),
                detail: json!({"url": url}),
                pointer: Default::default(),
            });
            loop {
                match h.recv(Duration::from_secs(120)) {
                    Some(Output::Log { text, .. }) if text.starts_with("requests done") => {
                        assert_eq!(text, "requests done", "every request succeeds");
                        break;
                    }
                    Some(_) => {}
                    None => panic!("the requests did not finish in 120 s"),
                }
            }
        })
    });
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server answering `ok` on a free 127.0.0.1 port, for the life of the process.
fn serve_ok() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let app = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
            tx.send(listener.local_addr().expect("addr")).expect("sends");
            axum::serve(listener, app).await.expect("serves");
        });
    });
    format!("http://{}/", rx.recv().expect("the server starts"))
}

criterion_group! {
    name = bridge_benches;
    config = Criterion::default().sample_size(10);
    targets = benches
}
criterion_main!(bridge_benches);
