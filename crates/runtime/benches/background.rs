//! What background instances cost: N instances whose page ticks a 1 s interval (a clock, a
//! countdown), measured by the process's own CPU time over a window while shown, then
//! after the host hid them all and their grace passed (the platform's policy: suspended).
//!
//! `cargo bench -p capsule-runtime --bench background` runs 1,000 instances with the
//! platform's 5 s grace and 10 s windows; under `cargo test` (no `--bench` flag) it runs 20
//! with a 200 ms grace and 1 s windows, as a smoke test.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, InstanceHandle, Limits, Output, Pool, Spawn};

/// The process's CPU time (user + system) so far, from /proc/self/stat.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
    // The kernel's USER_HZ is 100 on every Linux this runs on.
    Duration::from_millis(ticks * 10)
}

fn app(dir: &Path) -> (Arc<Package>, Arc<capsule_template::Program>) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("pages/a")).expect("folder");
    std::fs::write(dir.join("app.json"), r#"{"pages": ["pages/a/a"]}"#).expect("write");
    std::fs::write(dir.join("app.js"), "App({})").expect("write");
    std::fs::write(dir.join("pages/a/a.wxml"), "<view>{{seconds}}</view>").expect("write");
    std::fs::write(
        dir.join("pages/a/a.js"),
        "Page({ data: { seconds: 0 }, onLoad() { setInterval(() => this.setData({ seconds: this.data.seconds + 1 }), 1000) } })",
    )
    .expect("write");
    let package = Package::load(dir, &LoadOptions::default()).expect("loads");
    let program = capsule_template::compile_package(&package).0;
    (Arc::new(package), Arc::new(program))
}

/// The share of one core the process used over `window`, its outputs drained meanwhile.
fn core_share(handles: &[InstanceHandle], window: Duration) -> f64 {
    let (cpu, started) = (cpu_time(), Instant::now());
    while started.elapsed() < window {
        for h in handles {
            while h.recv(Duration::ZERO).is_some() {}
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (cpu_time() - cpu).as_secs_f64() / started.elapsed().as_secs_f64()
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (n, grace, window) = if full {
        (1000, Duration::from_secs(5), Duration::from_secs(10))
    } else {
        (20, Duration::from_millis(200), Duration::from_secs(1))
    };
    let dir = std::env::temp_dir().join(format!("capsule-bench-background-{}", std::process::id()));
    let (package, program) = app(&dir);
    let pool = Pool::new(2);
    let limits = Limits { background_grace: grace, ..Limits::default() };
    let handles: Vec<InstanceHandle> = (0..n)
        .map(|_| {
            let h = pool.spawn_with(Spawn::new(package.clone(), program.clone(), limits.clone()));
            h.send(Input::Launch { path: None });
            h
        })
        .collect();
    for h in &handles {
        let out = h.until_done(Duration::from_secs(60));
        assert!(out.iter().any(|o| matches!(o, Output::PageOpened { .. })), "{out:?}");
    }
    let shown = core_share(&handles, window);
    for h in &handles {
        h.send(Input::Hide);
    }
    // Past the grace, every one of them suspended at its next turn.
    let hidden_at = Instant::now();
    while hidden_at.elapsed() < grace + Duration::from_millis(1100) {
        for h in &handles {
            while h.recv(Duration::ZERO).is_some() {}
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let hidden = core_share(&handles, window);
    println!(
        "{n} instances ticking a 1 s interval: {:.2}% of one core shown, {:.3}% hidden past the {:?} grace (suspended)",
        shown * 100.0,
        hidden * 100.0,
        grace
    );
    drop(handles);
    drop(pool);
    let _ = std::fs::remove_dir_all(&dir);
}
