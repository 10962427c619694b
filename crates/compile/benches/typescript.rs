//! How long compiling TypeScript takes per 1,000 lines of a page-like module (interfaces, an
//! enum, typed functions, a class, a `Page` call): compiled every time, found in the memory
//! cache, and read back from the cache folder by a fresh cache (as a new `capsule` process
//! does). And Sass per 1,000 lines, for comparison (it is not cached: an import may change).
//!
//! `cargo bench -p capsule-compile` prints the numbers; under `cargo test` each benchmark runs
//! once, as a smoke test.

use std::hint::black_box;

use capsule_compile::{Cache, CacheMode, compile_sass, compile_typescript};
use capsule_package::Files;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// About `lines` lines of TypeScript, in blocks of 25.
fn typescript(lines: usize) -> String {
    let mut text = String::from("import { format } from '../../utils/format';\n");
    for i in 0..lines.div_ceil(25) {
        text.push_str(&format!(
            r#"interface Row{i} {{
  id: number;
  title: string;
  tags?: string[];
}}
enum State{i} {{ Idle, Busy = 'busy' }}
type Pair{i} = [Row{i}, State{i}];
export function pick{i}(rows: Row{i}[], state: State{i}): Row{i} | undefined {{
  const found = rows.filter((r: Row{i}) => r.id > {i} && r.tags !== undefined);
  return state === State{i}.Idle ? found[0] : found.at(-1);
}}
export class Store{i}<T extends Row{i}> {{
  private readonly items: T[] = [];
  constructor(public name: string) {{}}
  add(item: T): this {{
    this.items.push(item);
    return this;
  }}
  get size(): number {{
    return this.items.length;
  }}
}}
const pairs{i}: Pair{i}[] = [];
export const summary{i} = (p: Pair{i}[] = pairs{i}): string =>
  p.map(([row, state]) => `${{format(row.id)}}:${{state as string}}`).join(',');
// line 24 of block {i}
"#
        ));
    }
    text.push_str("Page({ data: { ready: true as boolean } });\n");
    text
}

/// About `lines` lines of SCSS: variables, nesting, a mixin.
fn scss(lines: usize) -> String {
    let mut text = String::from("$gap: 8rpx;\n@mixin row { display: flex; align-items: center; }\n");
    for i in 0..lines.div_ceil(10) {
        text.push_str(&format!(
            ".card-{i} {{\n  @include row;\n  padding: $gap * {i};\n  .title {{\n    color: #333;\n    &:active {{ opacity: .6; }}\n  }}\n  .body {{ margin: $gap 0; }}\n}}\n\n"
        ));
    }
    text
}

fn bench(c: &mut Criterion) {
    let source = typescript(1000);
    let lines = source.lines().count();
    let mut group = c.benchmark_group(format!("typescript, {lines} lines"));
    group.throughput(Throughput::Bytes(source.len() as u64));
    group.bench_function("uncached (parse, strip, print, source map)", |b| {
        b.iter(|| compile_typescript("pages/big/big.ts", black_box(&source)).expect("compiles"))
    });
    let memory = Cache::new(CacheMode::Memory);
    let compile = || compile_typescript("pages/big/big.ts", &source);
    memory.get_or_compile("pages/big/big.ts", &source, compile).expect("compiles");
    group.bench_function("cached in memory (hash and copy)", |b| {
        b.iter(|| memory.get_or_compile("pages/big/big.ts", black_box(&source), compile).expect("cached"))
    });
    let dir = std::env::temp_dir().join(format!("capsule-bench-typescript-{}", std::process::id()));
    Cache::new(CacheMode::Disk(dir.clone()))
        .get_or_compile("pages/big/big.ts", &source, compile)
        .expect("compiles");
    group.bench_function("cached on disk (a new process's first load)", |b| {
        b.iter(|| {
            let fresh = Cache::new(CacheMode::Disk(dir.clone()));
            let compiled =
                fresh.get_or_compile("pages/big/big.ts", black_box(&source), compile).expect("cached");
            assert_eq!(fresh.stats(), (1, 0));
            compiled
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);

    let mut files = Files::default();
    let sheet = scss(1000);
    let sheet_lines = sheet.lines().count();
    files.insert("pages/big/big.scss", sheet.into_bytes());
    c.bench_function(&format!("sass, {sheet_lines} lines"), |b| {
        b.iter(|| compile_sass("pages/big/big.scss", black_box(&files)).expect("compiles"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
