//! Worker processes against instances on the host's threads: cold start of the showcase
//! (spawn → first page opened), a tap's round trip (event → patches back on the host), and
//! the memory of idle workers (resident and proportional set, which shares the program's
//! pages among the workers), with how many idle workers this machine's memory holds.
//!
//! `cargo bench -p capsule-sandbox --bench worker`; under `cargo test` (no `--bench` flag)
//! it runs a few of each as a smoke test.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, InstanceHandle, Limits, Output, Pool, Query, Spawn};
use capsule_sandbox::WorkerProgram;

const WAIT: Duration = Duration::from_secs(60);

fn worker() -> WorkerProgram {
    WorkerProgram::new(env!("CARGO_BIN_EXE_sandbox-test-worker"))
}

fn load(dir: &Path) -> (Arc<Package>, Arc<capsule_template::Program>) {
    let package = Package::load(dir, &LoadOptions::default()).expect("loads");
    let program = capsule_template::compile_package(&package).0;
    (Arc::new(package), Arc::new(program))
}

fn counter(dir: &Path) -> (Arc<Package>, Arc<capsule_template::Program>) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("pages/a")).expect("folder");
    std::fs::write(dir.join("app.json"), r#"{"pages": ["pages/a/a"]}"#).expect("write");
    std::fs::write(dir.join("app.js"), "App({})").expect("write");
    std::fs::write(dir.join("pages/a/a.wxml"), "<view id=\"tap\" bindtap=\"tap\">{{n}}</view>")
        .expect("write");
    std::fs::write(
        dir.join("pages/a/a.js"),
        "Page({ data: { n: 0 }, tap() { this.setData({ n: this.data.n + 1 }) } })",
    )
    .expect("write");
    load(dir)
}

fn start(pool: Option<&Pool>, app: &(Arc<Package>, Arc<capsule_template::Program>)) -> InstanceHandle {
    let spawn = Spawn::new(app.0.clone(), app.1.clone(), Limits::default());
    let h = match pool {
        Some(pool) => pool.spawn_with(spawn),
        None => capsule_sandbox::spawn(&worker(), spawn),
    };
    h.send(Input::Launch { path: None });
    h
}

fn opened(h: &InstanceHandle) {
    let out = h.until_done(WAIT);
    assert!(out.iter().any(|o| matches!(o, Output::PageOpened { .. })), "{out:?}");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

fn line(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {what:44} median {:>7.3} ms  p90 {:>7.3} ms  p99 {:>7.3} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.9)),
        ms(percentile(&times, 0.99))
    );
}

/// `Rss` and `Pss` of a process, in bytes.
fn memory_of(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (field("Rss:"), field("Pss:"))
}

fn mem_total() -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (starts, taps, idle) = if full { (50, 1000, 200) } else { (3, 10, 3) };
    let dir = std::env::temp_dir().join(format!("capsule-bench-worker-{}", std::process::id()));
    let showcase = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase"));
    let counter = counter(&dir.join("counter"));
    let pool = Pool::new(2);

    println!("cold start of the showcase: spawn → first page opened ({starts} each)");
    for (what, pool) in [("on the host's threads", Some(&pool)), ("in a worker process", None)] {
        let times = (0..starts)
            .map(|_| {
                let started = Instant::now();
                let h = start(pool, &showcase);
                opened(&h);
                started.elapsed()
            })
            .collect();
        line(what, times);
    }

    println!("tap → patches of a counter ({taps} taps each)");
    for (what, pool) in [("on the host's threads", Some(&pool)), ("in a worker process", None)] {
        let h = start(pool, &counter);
        opened(&h);
        let found = h
            .request(Input::Query { query: Query::Find { selector: "#tap".into() } }, WAIT)
            .into_iter()
            .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
            .expect("found");
        let (page, node) =
            (found["page"].as_u64().expect("page") as u32, found["node"].as_u64().expect("node") as u32);
        let times = (0..taps)
            .map(|_| {
                let started = Instant::now();
                let out = h.request(
                    Input::Event {
                        page,
                        node,
                        event: "tap".into(),
                        detail: serde_json::json!({}),
                        pointer: Default::default(),
                    },
                    WAIT,
                );
                let took = started.elapsed();
                assert!(out.iter().any(|o| matches!(o, Output::Patches { .. })), "{out:?}");
                took
            })
            .collect();
        line(what, times);
    }

    println!("{idle} idle workers of the showcase");
    let handles: Vec<InstanceHandle> = (0..idle).map(|_| start(None, &showcase)).collect();
    for h in &handles {
        opened(h);
    }
    let (mut rss, mut pss) = (0u64, 0u64);
    for h in &handles {
        let (pid, _) = capsule_sandbox::confinement(h.id()).expect("a running worker");
        let (r, p) = memory_of(pid);
        rss += r;
        pss += p;
    }
    let n = handles.len() as u64;
    let mib = |b: u64| b as f64 / 1048576.0;
    println!(
        "  resident {:.2} MiB and proportional {:.2} MiB per worker; this machine's {:.1} GiB hold about {} idle workers",
        mib(rss / n),
        mib(pss / n),
        mem_total() as f64 / 1073741824.0,
        mem_total() / (pss / n).max(1)
    );
    drop(handles);
    let _ = std::fs::remove_dir_all(&dir);
}
