//! How long loading and packing take: the first step of every cold start.
//!
//! `cargo bench -p capsule-package` prints the numbers; under `cargo test` each benchmark runs
//! once, as a smoke test.

use std::path::{Path, PathBuf};

use capsule_package::pack::pack_to_bytes;
use capsule_package::{LoadOptions, Package};
use criterion::{Criterion, criterion_group, criterion_main};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name)
}

fn load(c: &mut Criterion) {
    let options = LoadOptions::default();
    for name in ["todo", "showcase", "w3c-hello"] {
        let dir = example(name);
        c.bench_function(&format!("load {name} (folder)"), |b| {
            b.iter(|| Package::load(&dir, &options).expect("example loads"))
        });
    }

    let showcase = Package::load(example("showcase"), &options).expect("showcase loads");
    let zip = std::env::temp_dir().join(format!("capsule-bench-{}.zip", std::process::id()));
    std::fs::write(&zip, pack_to_bytes(&showcase, &mut |_, _| {}).expect("packs")).expect("write zip");
    c.bench_function("load showcase (zip)", |b| b.iter(|| Package::load(&zip, &options).expect("zip loads")));
    c.bench_function("pack showcase (in memory)", |b| {
        b.iter(|| pack_to_bytes(&showcase, &mut |_, _| {}).expect("packs"))
    });
    let _ = std::fs::remove_file(&zip);
}

criterion_group!(benches, load);
criterion_main!(benches);
