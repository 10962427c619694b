//! The renderer's numbers, against DESIGN.md's targets: one changed row ≤ 0.02 ms whatever
//! the list's length, a full 10,000-row render ≤ 10 ms; a keyed reorder should cost less than
//! rendering the list afresh.
//!
//! `cargo bench -p capsule-template` prints them; under `cargo test` each runs once.

use std::hint::black_box;
use std::path::Path;

use capsule_template::Program;
use capsule_template::compile::{compile_files, compile_source, wxml_paths};
use capsule_template::expr::NoWxs;
use capsule_template::path::{parse_data_path, set_path};
use capsule_template::render::render;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

const ROWS: &str = r#"
<view class="list">
  <view wx:for="{{rows}}" wx:key="id" class="row {{item.done ? 'done' : ''}}" data-id="{{item.id}}" bindtap="onTap">
    <text class="title">{{item.title}}</text>
    <text class="n">{{index + 1}}</text>
  </view>
</view>
"#;

fn rows(n: u64) -> Value {
    json!({"rows": (0..n).map(|i| json!({"id": i, "title": format!("row {i}"), "done": i % 3 == 0})).collect::<Vec<_>>()})
}

/// A small deterministic generator, so every run measures the same edits.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

fn benches(c: &mut Criterion) {
    let showcase = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase");
    let package = capsule_package::Package::load(&showcase, &Default::default()).expect("showcase loads");
    c.bench_function("compile showcase templates", |b| {
        b.iter(|| compile_files(&package.files, wxml_paths(&package.files)))
    });

    let (program, diags) = compile_source("rows.wxml", ROWS);
    assert!(diags.is_empty());
    for n in [1_000, 10_000] {
        let data = rows(n);
        c.bench_function(&format!("render {n} rows"), |b| {
            b.iter_with_large_drop(|| render(&program, 0, black_box(&data), &NoWxs))
        });
    }

    for n in [1_000, 10_000] {
        toggle_one_row(c, &format!("setData one row of {n}"), &program, rows(n), n / 2);
    }

    // `rows[k]` set to a new object with the same id: the usual way to replace one row.
    let mut data = rows(10_000);
    let mut page = render(&program, 0, &data, &NoWxs);
    let path = parse_data_path("rows[5000]").expect("valid path");
    let mut done = false;
    c.bench_function("setData a whole row of 10000", |b| {
        b.iter(|| {
            done = !done;
            let row = json!({"id": 5000, "title": "row 5000", "done": done});
            set_path(&mut data, &path, row).expect("a valid path");
            page.update(&program, &data, std::slice::from_ref(&path), &NoWxs)
        })
    });

    let base = rows(1_000);
    let base_page = render(&program, 0, &base, &NoWxs);
    let mut reversed = base.clone();
    reversed["rows"].as_array_mut().expect("array").reverse();
    let list_path = vec![vec!["rows".to_string()]];
    // The page is dropped outside the timing, as the renders above drop theirs.
    c.bench_function("reverse a keyed 1000-row list", |b| {
        b.iter_batched_ref(
            || base_page.clone(),
            |page| page.update(&program, &reversed, &list_path, &NoWxs),
            BatchSize::LargeInput,
        )
    });

    // Every row's `done` flipped, as a script setting its whole list again does.
    let mut flipped = base.clone();
    for row in flipped["rows"].as_array_mut().expect("array") {
        row["done"] = Value::Bool(!row["done"].as_bool().unwrap_or(false));
    }
    c.bench_function("update a whole 1000-row list", |b| {
        b.iter_batched_ref(
            || base_page.clone(),
            |page| page.update(&program, &flipped, &list_path, &NoWxs),
            BatchSize::LargeInput,
        )
    });

    let mut rng = Lcg(7);
    let mut edited = base["rows"].as_array().expect("array").clone();
    for i in 0..100u64 {
        edited.remove(rng.below(edited.len()));
        let at = rng.below(edited.len() + 1);
        edited.insert(at, json!({"id": 10_000 + i, "title": format!("new {i}"), "done": false}));
    }
    let edited = json!({"rows": edited});
    c.bench_function("10% random inserts and deletes in 1000 rows", |b| {
        b.iter_batched_ref(
            || base_page.clone(),
            |page| page.update(&program, &edited, &list_path, &NoWxs),
            BatchSize::LargeInput,
        )
    });
}

/// Toggles `rows[at].done` back and forth, one `setData` per iteration.
fn toggle_one_row(c: &mut Criterion, name: &str, program: &Program, mut data: Value, at: u64) {
    let mut page = render(program, 0, &data, &NoWxs);
    let path = parse_data_path(&format!("rows[{at}].done")).expect("valid path");
    let mut done = data["rows"][at as usize]["done"].as_bool().unwrap_or(false);
    c.bench_function(name, |b| {
        b.iter(|| {
            done = !done;
            set_path(&mut data, &path, Value::Bool(done)).expect("a valid path");
            page.update(program, &data, std::slice::from_ref(&path), &NoWxs)
        })
    });
}

/// The keyed list miniprogram-simulate (the platform's component test tool) is measured with:
/// each row two text nodes, one of them the row's number from `index`, keyed by id; a
/// `setData` toggles one row's `done`.
const PLATFORM_ROWS: &str = r#"
<view wx:for="{{rows}}" wx:key="id" class="{{item.done ? 'row done' : 'row'}}">
  <text>{{index + 1}}</text>
  <text>{{item.name}}</text>
</view>
"#;

fn platform_rows(n: u64) -> Value {
    json!({"rows": (0..n).map(|i| json!({"id": i, "name": format!("item {i}"), "done": false})).collect::<Vec<_>>()})
}

fn platform_workload(c: &mut Criterion) {
    let (program, diags) = compile_source("list.wxml", PLATFORM_ROWS);
    assert!(diags.is_empty());
    let data = platform_rows(1_000);
    c.bench_function("platform list workload: render 1000 keyed rows", |b| {
        b.iter_with_large_drop(|| render(&program, 0, black_box(&data), &NoWxs))
    });
    for n in [1_000, 10_000] {
        let name = format!("platform list workload: toggle rows[k].done of {n}");
        toggle_one_row(c, &name, &program, platform_rows(n), n / 3);
    }
}

criterion_group!(render_benches, benches, platform_workload);
criterion_main!(render_benches);
