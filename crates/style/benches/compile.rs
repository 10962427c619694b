//! How long compiling styles takes: a real package's sheets, and one large sheet.
//!
//! `cargo bench -p capsule-style` prints the numbers; under `cargo test` each benchmark runs
//! once, as a smoke test.

use std::hint::black_box;
use std::path::Path;

use capsule_package::{Diagnostics, Files, LoadOptions, Package};
use capsule_style::{Scope, SheetKind, compile_file, compile_package};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A sheet of about `bytes` bytes in the style of a component library: classes, built-in
/// tags, rpx lengths, pseudo-classes, and a media query now and then.
fn large_sheet(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 256);
    let mut i = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            ".c-{i} > view.title, .list .c-{i}:first-child::after {{\n  width: {i}rpx;\n  margin: 0 auto 12rpx;\n  \
             color: #3b7ddd;\n  transform: translateX(calc(50% - {i}.5rpx));\n  font: 28rpx/1.4 \"Helvetica Neue\", sans-serif;\n}}\n"
        ));
        if i % 100 == 0 {
            text.push_str(&format!(
                "@media (max-width: {i}px) {{ .m-{i} text {{ display: none !important }} }}\n"
            ));
        }
        i += 1;
    }
    text
}

fn compile(c: &mut Criterion) {
    let showcase = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase");
    let package = Package::load(&showcase, &LoadOptions::default()).expect("showcase loads");
    c.bench_function("compile_package showcase", |b| b.iter(|| compile_package(black_box(&package))));
    let (styles, _) = compile_package(&package);
    c.bench_function("to_css showcase (app + every page)", |b| {
        b.iter(|| {
            let mut css = styles.app.as_ref().map(|s| s.to_css(Scope::Global)).unwrap_or_default();
            for (route, sheet) in &styles.pages {
                css.push_str(&sheet.to_css(Scope::Page(route)));
            }
            css
        })
    });

    let mut group = c.benchmark_group("large sheet");
    group.sample_size(10);
    for size in [1 << 20, 5 << 20] {
        let mut files = Files::default();
        let text = large_sheet(size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        files.insert("big.wxss", text.into_bytes());
        let label = format!("{} MiB", size >> 20);
        group.bench_function(format!("compile_file {label}"), |b| {
            b.iter(|| {
                let mut diags = Diagnostics::default();
                let sheet = compile_file(&files, "big.wxss", SheetKind::Page, &mut diags);
                assert!(diags.is_empty());
                sheet
            })
        });
        let mut diags = Diagnostics::default();
        let sheet = compile_file(&files, "big.wxss", SheetKind::Page, &mut diags);
        group.bench_function(format!("to_css {label}"), |b| {
            b.iter(|| sheet.to_css(Scope::Page("pages/big/big")))
        });
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
