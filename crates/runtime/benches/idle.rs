//! Memory per idle instance: launches N instances of the showcase on two logic threads and
//! prints the JS heap and the process's resident memory per instance.
//!
//! `cargo bench -p capsule-runtime --bench idle` runs 1,000 without any API and 1,000 and
//! 10,000 offering the bridge's APIs, as a host's instances do; under `cargo test` (a
//! `--bench` flag is absent) it runs 50 of each, as a smoke test.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use capsule_package::{LoadOptions, Package};
use capsule_runtime::{ApiSurface, Input, Limits, Output, Pool, Query, Spawn};

fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let runs: &[(usize, bool)] =
        if full { &[(1_000, false), (1_000, true), (10_000, true)] } else { &[(50, false), (50, true)] };
    let surface = ApiSurface::new(&capsule_bridge::Bridge::new(Default::default()).surface());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase");
    let package = Arc::new(Package::load(&dir, &LoadOptions::default()).expect("showcase loads"));
    let program = Arc::new(capsule_template::compile_package(&package).0);
    for &(n, with_apis) in runs {
        let pool = Pool::new(2);
        let before = rss_bytes();
        let started = Instant::now();
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let mut spawn = Spawn::new(package.clone(), program.clone(), Limits::default());
                if with_apis {
                    spawn.apis = surface.clone();
                }
                let h = pool.spawn_with(spawn);
                h.send(Input::Launch { path: None });
                h
            })
            .collect();
        let mut opened = 0;
        for h in &handles {
            while let Some(o) = h.recv(Duration::from_secs(60)) {
                match o {
                    Output::PageOpened { .. } => opened += 1,
                    Output::Done => break,
                    _ => {}
                }
            }
        }
        let elapsed = started.elapsed();
        let rss = rss_bytes().saturating_sub(before);
        let mut heap = 0u64;
        for h in &handles {
            for o in h.request(Input::Query { query: Query::Metrics }, Duration::from_secs(60)) {
                if let Output::Answer { value } = o {
                    heap += value["heap"].as_u64().unwrap_or(0);
                }
            }
        }
        println!(
            "{n} idle instances{}: {opened} pages open, {:.1} MiB resident in all, {:.0} KiB per instance ({:.0} KiB of it JS heap), launched in {:.2?} ({:.0} µs each)",
            if with_apis { " offering the bridge's APIs" } else { "" },
            rss as f64 / 1048576.0,
            rss as f64 / 1024.0 / n as f64,
            heap as f64 / 1024.0 / n as f64,
            elapsed,
            elapsed.as_micros() as f64 / n as f64
        );
        drop(handles);
        drop(pool);
    }
}
