//! Every way an instance ends must free its engine cleanly: QuickJS aborts the whole process
//! when a runtime is freed while something still holds one of its objects, so a test that
//! gets to its end has shown the host survived. Each path ends many instances and the
//! process's resident memory stays flat (a leaked heap per instance would show at once).

mod common;

use std::time::Duration;

use std::sync::Arc;

use capsule_js::Engine;
use capsule_package::Package;
use capsule_runtime::{Input, Limits, Pool, Query};
use capsule_template::Program;
use common::{WAIT, app, package, terminated};

/// Resident memory of this process, in bytes.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("Linux /proc");
    let pages: usize = statm.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("statm");
    pages * 4096
}

fn limits() -> Limits {
    Limits {
        callback_cpu: Duration::from_millis(2),
        heap: 4 * 1024 * 1024,
        cpu_per_minute: Duration::from_secs(3600),
        host: 256 * 1024,
        ..Limits::default()
    }
}

/// The hostile `onLoad`s and how each must end (`None`: still alive, then dropped; `a|b`:
/// whichever budget runs out first).
const PATHS: &[(&str, &str, Option<&str>)] = &[
    (
        "a limit breached inside a microtask while a rejection is recorded",
        "Promise.resolve().then(function () { throw 1 }); Promise.resolve().then(function () { while (true) {} })",
        Some("CPU time limit 2 ms exceeded"),
    ),
    (
        "a microtask loop",
        "(function again() { Promise.resolve().then(again) })()",
        Some("CPU time limit 2 ms exceeded"),
    ),
    (
        "a flood of rejections",
        "for (;;) Promise.reject(new Error('x'))",
        Some("CPU time limit 2 ms exceeded|heap limit 4 MiB exceeded"),
    ),
    (
        "thrown non-Error values, then a loop",
        "Promise.reject(Symbol('s')); Promise.reject({ a: [1] }); Promise.resolve().then(() => { throw null }); \
         Promise.resolve().then(() => { for (;;) {} }); throw undefined",
        Some("CPU time limit 2 ms exceeded"),
    ),
    (
        "the heap limit inside a microtask with rejections pending",
        "Promise.reject(2); Promise.resolve().then(() => { const a = []; for (;;) a.push(new Array(1000).fill(a.length)) })",
        Some("heap limit 4 MiB exceeded"),
    ),
    (
        "a stack overflow inside a microtask, then the CPU limit",
        "Promise.resolve().then(function down() { down() }); Promise.resolve().then(() => { for (;;) {} })",
        Some("CPU time limit 2 ms exceeded"),
    ),
    (
        "a host-side budget (console lines) with rejections pending",
        "Promise.reject(3); const s = 'x'.repeat(16000); for (;;) console.log(s)",
        Some("host limit 262144 bytes exceeded: outputs of one callback (patches, console lines)"),
    ),
    (
        "dropped alive with timers, a pending promise and an unhandled rejection",
        "setTimeout(() => {}, 60000); new Promise(() => {}); Promise.reject(new Error('late')); \
         this.keep = Promise.resolve().then(() => new Promise(() => {}))",
        None,
    ),
];

fn compiled(script: &str) -> (Arc<Package>, Arc<Program>) {
    let page = format!("Page({{ onLoad() {{ {script} }} }})");
    let files = app(&[("pages/a/a.js", &page)]);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    package(&refs)
}

fn end_many(
    pool: &Pool,
    (package, program): &(Arc<Package>, Arc<Program>),
    expect: Option<&str>,
    count: usize,
) {
    for _ in 0..count {
        // The CPU budget is wall time: a path about another limit gets a long one, so a
        // loaded machine cannot make the CPU limit come first.
        let cpu_path = expect.is_some_and(|e| e.starts_with("CPU"));
        let limits =
            if cpu_path { limits() } else { Limits { callback_cpu: Duration::from_secs(60), ..limits() } };
        let handle = pool.spawn(package.clone(), program.clone(), limits);
        let out = handle.request(Input::Launch { path: None }, WAIT);
        let reason = terminated(&out);
        match expect {
            Some(expect) => assert!(
                reason.as_deref().is_some_and(|r| expect.split('|').any(|e| e == r)),
                "{reason:?}, expected {expect}"
            ),
            None => assert_eq!(reason, None),
        }
        // Dropping the handle ends the instance on its thread.
    }
}

/// Waits until the logic thread has handled everything sent to it so far (inputs to one
/// instance are handled in order, after what was sent before on the same thread).
fn settle(pool: &Pool, quiet: &(Arc<Package>, Arc<Program>)) {
    let probe = pool.spawn(quiet.0.clone(), quiet.1.clone(), limits());
    drop(probe.request(Input::Query { query: Query::Stack }, WAIT));
}

#[test]
fn every_termination_path_frees_the_engine_and_memory_stays_flat() {
    let pool = Pool::new(1);
    let quiet = compiled("");
    for (what, script, expect) in PATHS {
        let compiled = compiled(script);
        // Warm up: allocator arenas and caches settle before the measurement.
        end_many(&pool, &compiled, *expect, 50);
        settle(&pool, &quiet);
        let (rss_before, heaps_before) = (rss(), Engine::heap_in_process());
        end_many(&pool, &compiled, *expect, 1000);
        settle(&pool, &quiet);
        // The last handles dropped (a probe's too) end on the logic thread a moment later:
        // their heaps are waited for, up to a deadline. A leak never comes down.
        let deadline = std::time::Instant::now() + WAIT;
        while Engine::heap_in_process() > heaps_before + 1024 * 1024 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let (rss_after, heaps_after) = (rss(), Engine::heap_in_process());
        // Every engine's bytes came back (a runtime QuickJS could not free stays counted; the
        // probes come and go around the readings).
        assert!(
            heaps_after <= heaps_before + 1024 * 1024,
            "{what}: JS heaps not freed: {heaps_before} → {heaps_after} bytes"
        );
        // A leaked runtime costs at least ~160 KiB: 1,000 of them would be over 150 MiB.
        let grown = rss_after.saturating_sub(rss_before);
        assert!(grown < 48 * 1024 * 1024, "{what}: resident memory grew by {} KiB", grown / 1024);
    }
    // A fresh instance still runs on the same thread after all of that.
    let (package, program) = compiled("console.log('alive')");
    let handle = pool.spawn(package, program, limits());
    let out = handle.request(Input::Launch { path: None }, WAIT);
    assert!(terminated(&out).is_none());
    assert!(common::logs(&out).contains(&"alive".to_string()));
}
