//! A well-behaved app's tap → patches latency while another app in the same host attacks:
//! idle, then under each attack, on the default pool (2 logic threads), on a pool of one
//! thread (where the watchdog must add one), and with each app in a worker process of its
//! own (this bench's program is its own worker, as an embedder's is). Each line prints the median, p99 and max of
//! the taps. The benign tap reads storage through the bridge and sets data, so a bridge
//! flood shows too.
//!
//! `cargo bench -p capsule-host --bench neighbour`; under `cargo test` it takes a few taps
//! per case only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use capsule_host::{Host, HostConfig, Isolation, LaunchOptions};
use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, InstanceHandle, Limits, Output, PoolConfig, Query};

const WAIT: Duration = Duration::from_secs(60);

fn package(
    dir: &std::path::Path,
    name: &str,
    wxml: &str,
    js: &str,
) -> (Arc<Package>, Arc<capsule_template::Program>) {
    let root = dir.join(name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("pages/a")).expect("folder");
    std::fs::write(root.join("app.json"), r#"{"pages": ["pages/a/a"]}"#).expect("write");
    // Apps of their own at the bridge: their storage and files apart.
    std::fs::write(root.join("project.config.json"), format!(r#"{{"appid": "{name}"}}"#)).expect("write");
    std::fs::write(root.join("app.js"), "App({})").expect("write");
    std::fs::write(root.join("pages/a/a.wxml"), wxml).expect("write");
    std::fs::write(root.join("pages/a/a.js"), js).expect("write");
    let package = Package::load(&root, &LoadOptions::default()).expect("loads");
    let program = capsule_template::compile_package(&package).0;
    (Arc::new(package), Arc::new(program))
}

/// The attacks: what the other app's first page does.
const ATTACKS: &[(&str, &str, &str)] = &[
    ("idle neighbour", "<view/>", "Page({})"),
    (
        "loops 4.5 s per callback",
        "<view/>",
        "Page({ onReady() { setInterval(() => { const end = Date.now() + 4500; while (Date.now() < end) {} }, 0) } })",
    ),
    (
        "re-renders 20,000 rows",
        "<view wx:for=\"{{rows}}\" wx:key=\"*this\">{{item}}</view>",
        "Page({ data: { rows: [] }, onReady() { let n = 0; setInterval(() => { n++; \
           this.setData({ rows: Array.from({ length: 20000 }, (_, i) => 'row ' + (i + n)) }) }, 0) } })",
    ),
    (
        "floods the bridge with async storage calls",
        "<view/>",
        "Page({ onReady() { setInterval(() => { for (let i = 0; i < 2000; i++) wx.setStorage({ key: 'k' + (i % 50), data: i }) }, 0) } })",
    ),
    (
        "floods the console",
        "<view/>",
        "Page({ onReady() { const s = 'c'.repeat(1000); setInterval(() => { for (let i = 0; i < 20000; i++) console.log(s) }, 0) } })",
    ),
];

const BENIGN_WXML: &str = "<view id=\"tap\" bindtap=\"tap\">{{n}} {{v}}</view>";
const BENIGN_JS: &str = "Page({ data: { n: 0 }, onLoad() { wx.setStorageSync('v', 1) }, tap() { this.setData({ n: this.data.n + 1, v: wx.getStorageSync('v') }) } })";

fn node(h: &InstanceHandle, selector: &str) -> (u32, u32) {
    let out = h.request(Input::Query { query: Query::Find { selector: selector.into() } }, WAIT);
    let value = out
        .into_iter()
        .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
        .expect("an answer");
    (value["page"].as_u64().expect("page") as u32, value["node"].as_u64().expect("node") as u32)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    capsule_host::run_worker_if_requested();
    let full = std::env::args().any(|a| a == "--bench");
    let taps = if full { 300 } else { 3 };
    let dir = std::env::temp_dir().join(format!("capsule-bench-neighbour-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let benign = package(&dir, "benign", BENIGN_WXML, BENIGN_JS);
    println!("tap → patches of a well-behaved app beside another ({taps} taps each)");
    let hosts = std::sync::atomic::AtomicUsize::new(0);
    for (pool_name, config, isolation) in [
        ("2 logic threads", PoolConfig::default(), Isolation::InProcess),
        (
            "1 logic thread + watchdog",
            PoolConfig { threads: 1, ..PoolConfig::default() },
            Isolation::InProcess,
        ),
        ("worker processes", PoolConfig::default(), Isolation::Process),
    ] {
        for (attack, wxml, js) in ATTACKS {
            let hostile = package(&dir, "hostile", wxml, js);
            let limits = Limits { cpu_per_minute: Duration::from_secs(3600), ..Limits::default() };
            // A folder per host: the one before may still be letting go of its app's files.
            let config = HostConfig {
                data_dir: dir
                    .join(format!("data-{}", hosts.fetch_add(1, std::sync::atomic::Ordering::Relaxed))),
                limits,
                threads: config.clone(),
                isolation,
                ..HostConfig::default()
            };
            let host = Host::new(config).expect("a host");
            let other = host.launch(&host.app(hostile.0, hostile.1), LaunchOptions::default());
            let me = host.launch(&host.app(benign.0.clone(), benign.1.clone()), LaunchOptions::default());
            me.until_done(WAIT);
            let (page, tap) = node(&me, "#tap");
            let mut times = Vec::with_capacity(taps);
            for _ in 0..taps {
                let started = Instant::now();
                let out = me.request(
                    Input::Event {
                        page,
                        node: tap,
                        event: "tap".into(),
                        detail: serde_json::json!({}),
                        pointer: Default::default(),
                    },
                    WAIT,
                );
                times.push(started.elapsed());
                assert!(out.iter().any(|o| matches!(o, Output::Patches { .. })), "{out:?}");
                // The other app's outputs are its host's to read; here they are dropped.
                while other.recv(Duration::ZERO).is_some() {}
            }
            times.sort();
            println!(
                "  {pool_name:27} {attack:44} median {:>9}  p99 {:>9}  max {:>9}",
                ms(percentile(&times, 0.5)),
                ms(percentile(&times, 0.99)),
                ms(*times.last().expect("taps"))
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
