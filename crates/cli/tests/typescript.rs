//! A small TypeScript mini-program run by the `capsule` command, as WeChat's developer tools
//! run one whose project.config.json lists "typescript" in `setting.useCompilerPlugins`.

#![cfg(all(feature = "typescript", feature = "sass"))]

use std::path::PathBuf;
use std::process::{Command, Output};

/// A scratch folder holding the app, and the cache folder its runs use.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, files: &[(&str, &str)]) -> Scratch {
        let path = std::env::temp_dir().join(format!("capsule-cli-ts-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        for (file, text) in files {
            let full = path.join("app").join(file);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        Scratch(path)
    }

    /// `capsule COMMAND <app> ARGS…`, with its bytecode (and compiled TypeScript) kept here.
    fn capsule(&self, command: &str, args: &[&str]) -> Output {
        let app = self.0.join("app").display().to_string();
        let mut line = vec![command, app.as_str(), "--color", "never"];
        let cache = self.0.join("cache").display().to_string();
        if command == "exec" {
            line.extend(["--bytecode-cache", cache.as_str()]);
        }
        line.extend(args);
        Command::new(env!("CARGO_BIN_EXE_capsule")).args(line).output().expect("run capsule")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const APP: &[(&str, &str)] = &[
    (
        "project.config.json",
        r#"{"appid": "touristappid", "setting": {"useCompilerPlugins": ["typescript", "sass"]}}"#,
    ),
    (
        "app.json",
        r#"{"pages": ["pages/index/index", "pages/broken/broken"], "usingComponents": {"badge": "/components/badge/badge"}}"#,
    ),
    (
        "app.ts",
        r#"interface AppOption {
  globalData: { launched: number };
}

App<AppOption>({
  globalData: { launched: 0 },
  onLaunch(): void {
    this.globalData.launched += 1;
  },
});
"#,
    ),
    (
        "utils/format.ts",
        r#"export function label(count: number, unit: string = 'item'): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
"#,
    ),
    (
        "utils/shade/index.ts",
        r#"export enum Shade {
  Light = 'light',
  Dark = 'dark',
}
"#,
    ),
    (
        "pages/index/index.ts",
        r#"import { label } from '../../utils/format';
import { Shade } from '../../utils/shade';

interface Item {
  name: string;
  count: number;
}

enum Mode {
  Compact,
  Wide,
}

const items: Item[] = [{ name: 'a', count: 2 }];

Page({
  data: { mode: Mode.Wide, text: label(items.length), shade: Shade.Dark, launched: 0 },
  onLoad(): void {
    this.setData({ launched: getApp<{ globalData: { launched: number } }>().globalData.launched });
  },
  fail(): void {
    const count: number = items.length;
    throw new Error(`boom ${count}`);
  },
});
"#,
    ),
    (
        "pages/index/index.wxml",
        r#"<view id="fail" bindtap="fail">{{text}}</view>
<badge label="{{shade}}"/>
"#,
    ),
    ("pages/index/index.scss", "$gap: 4rpx;\n.box { .inner { margin: $gap; } }\n"),
    ("components/badge/badge.json", r#"{"component": true}"#),
    ("components/badge/badge.wxml", "<text>{{label}}{{mark}}</text>"),
    (
        "components/badge/badge.ts",
        r#"type Mark = '!' | '?';
const mark: Mark = '!';
Component({
  properties: { label: { type: String, value: '' } },
  data: { mark: '' },
  lifetimes: {
    attached(): void {
      this.setData({ mark });
    },
  },
});
"#,
    ),
    ("pages/broken/broken.wxml", "<view>broken</view>"),
    ("pages/broken/broken.ts", "const ok: number = 1;\nlet x: number = ;\n"),
];

#[test]
fn a_typescript_app_runs_its_pages_components_and_modules() {
    let app = Scratch::new("runs", APP);
    let out = app.capsule("exec", &["--print", "data"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // An interface and an enum, a module imported without its extension, a folder's
    // index.ts, and app.ts's onLaunch.
    assert_eq!(data, serde_json::json!({"mode": 1, "text": "1 item", "shade": "dark", "launched": 1}));

    // The component whose only script is .ts ran it.
    let out = app.capsule("exec", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("<text>dark!</text>"), "{}", stdout(&out));

    // Compiled TypeScript is kept beside the bytecode.
    let kept = std::fs::read_dir(app.0.join("cache/typescript")).map(Iterator::count).unwrap_or(0);
    assert_eq!(kept, 5, "app.ts, two modules, the page and the component");
}

#[test]
fn a_runtime_error_names_the_typescript_line_and_column() {
    let app = Scratch::new("error", APP);
    let out = app.capsule("exec", &["--step", "tap #fail"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // `throw new Error(`boom ${count}`)` is on line 23 of index.ts; the engine points at
    // `count` (column 29), as it does for the same line of JavaScript.
    assert!(
        stderr(&out).contains("[error] Error: boom 1\n    at fail (pages/index/index.ts:23:29)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_typescript_syntax_error_is_checked_and_leaves_the_other_pages_running() {
    let app = Scratch::new("syntax", APP);
    let out = app.capsule("check", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let printed = stdout(&out) + &stderr(&out);
    assert!(
        printed.contains("error: Unexpected token\n --> pages/broken/broken.ts:2:17\n  |\n2 | let x: number = ;\n  |                 ^"),
        "{printed}"
    );

    // The app runs; the broken page says what is wrong when it opens, and exec, which opened
    // it, fails.
    let out = app.capsule("exec", &["--page", "pages/broken/broken"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("error: the app or its page failed to load: SyntaxError: pages/broken/broken.ts:2:17"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains(
            "[error] SyntaxError: pages/broken/broken.ts:2:17: Unexpected token\n    at <anonymous> (pages/broken/broken.ts:2:17)"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out).trim(), "<view>broken</view>");
}

#[test]
fn pack_refuses_a_syntax_error_and_packs_the_sources_which_run_from_the_zip() {
    let app = Scratch::new("pack", APP);
    let zip = app.0.join("app.zip").display().to_string();
    let out = app.capsule("pack", &["--output", &zip]);
    assert_eq!(out.status.code(), Some(1), "an upload refuses it: {}", stderr(&out));
    assert!(stderr(&out).contains("pages/broken/broken.ts:2:17"), "{}", stderr(&out));

    std::fs::write(app.0.join("app/pages/broken/broken.ts"), "const ok: number = 1;\nPage({});\n").unwrap();
    let out = app.capsule("pack", &["--output", &zip]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(["exec", &zip, "--print", "data", "--bytecode-cache", "off"])
        .output()
        .expect("run capsule");
    assert!(out.status.success(), "{}", stderr(&out));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(data["text"], "1 item");
}
