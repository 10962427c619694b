//! The `capsule` command as scripts and people use it: output, exit codes, files written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use expect_test::expect;

fn capsule(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run capsule")
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name).display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch folder for one test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("capsule-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    fn write(&self, path: &str, contents: &str) {
        let full = self.0.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, contents).unwrap();
    }

    fn path(&self, rel: &str) -> String {
        self.0.join(rel).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn check_passes_the_examples() {
    for name in ["todo", "showcase", "w3c-hello"] {
        let out = capsule(&["check", &example(name)]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(stdout(&out).contains(": ok ("), "{}", stdout(&out));
    }
}

#[test]
fn check_prints_errors_like_a_compiler_and_exits_1() {
    let dir = Scratch::new("check-errors");
    dir.write(
        "app.json",
        "{\n  \"pages\": [\"pages/index/index\"],\n  \"window\": {\"navigationBarTextStyle\": 3}\n}",
    );
    dir.write("app.js", "App({})");
    let out = capsule(&["check", &dir.path(""), "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out).replace(&dir.path(""), "<pkg>");
    expect![[r#"
        warning: "navigationBarTextStyle" must be a string, found number
         --> app.json:3:40
          |
        3 |   "window": {"navigationBarTextStyle": 3}
          |                                        ^
          = help: phones run the app without it; the platform's tools refuse it on upload

        error: page `pages/index/index` has no pages/index/index.wxml
         --> app.json:2:13
          |
        2 |   "pages": ["pages/index/index"],
          |             ^^^^^^^^^^^^^^^^^^^

        error: page `pages/index/index` has no pages/index/index.js
         --> app.json:2:13
          |
        2 |   "pages": ["pages/index/index"],
          |             ^^^^^^^^^^^^^^^^^^^

        <pkg>: 2 errors, 1 warning
    "#]]
    .assert_eq(&text);
}

#[test]
fn colour_is_used_only_when_asked_or_on_a_terminal() {
    let dir = Scratch::new("colour");
    dir.write("app.json", "{}");
    let plain = capsule(&["check", &dir.path("")]);
    assert!(!stderr(&plain).contains('\x1b'), "not a terminal: no colour");
    let coloured = capsule(&["check", &dir.path(""), "--color", "always"]);
    assert!(stderr(&coloured).contains("\x1b[1;31merror\x1b[0m"), "{}", stderr(&coloured));
}

#[test]
fn check_json_is_machine_readable() {
    let dir = Scratch::new("check-json");
    dir.write("app.json", "{\"pages\": [\"a/b\"], \"zzz\": 1}");
    let out = capsule(&["check", &dir.path(""), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let diags = report["diagnostics"].as_array().unwrap();
    assert_eq!(diags[0]["severity"], "warning");
    assert_eq!(diags[0]["file"], "app.json");
    assert_eq!(diags[0]["line"], 1);
    assert_eq!(diags[0]["column"], 20);
    assert_eq!(diags[1]["message"], "page `a/b` has no a/b.wxml");
}

#[test]
fn info_shows_the_manifest() {
    let out = capsule(&["info", &example("todo")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("app id       capsule-example-todo (from project.config.json)\n"), "{text}");
    assert!(
        text.contains("tab bar      pages/index/index \"Todos\", pages/stats/stats \"Stats\" (bottom)"),
        "{text}"
    );
}

#[test]
fn info_json_has_the_normalised_manifest() {
    let out = capsule(&["info", &example("showcase"), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &info["manifest"];
    assert_eq!(m["dialect"], "wechat");
    assert_eq!(m["appId"]["id"], "capsule-example-showcase");
    assert_eq!(m["entryPage"], "pages/index/index");
    assert_eq!(m["subpackages"][0]["root"], "packageExtra");
    assert_eq!(m["usingComponents"]["badge"]["path"], "components/badge/badge");
    assert_eq!(m["networkTimeout"]["request"], 10000);
    assert!(info["sizes"]["total"].as_u64().unwrap() > 0);
}

#[test]
fn info_on_a_broken_package_exits_1() {
    let dir = Scratch::new("info-broken");
    dir.write("app.json", "not json");
    let out = capsule(&["info", &dir.path("")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid JSON: expected a value, found `not`"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn pack_is_deterministic_and_loads_back() {
    let dir = Scratch::new("pack");
    let (a, b) = (dir.path("a.zip"), dir.path("b.zip"));
    for out in [&a, &b] {
        let result = capsule(&["pack", &example("showcase"), "-o", out]);
        assert!(result.status.success(), "{}", stderr(&result));
        assert!(stdout(&result).starts_with("packed 72 files"), "{}", stdout(&result));
    }
    let (bytes_a, bytes_b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(bytes_a, bytes_b, "the same input gives the same bytes");
    // A file's modification time does not reach the zip.
    let copy = Scratch::new("pack-copy");
    for (path, bytes) in read_tree(Path::new(&example("showcase"))) {
        let full = copy.0.join(&path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }
    let c = dir.path("c.zip");
    assert!(capsule(&["pack", &copy.path(""), "-o", &c]).status.success());
    assert_eq!(std::fs::read(&c).unwrap(), bytes_b, "a fresh copy packs to the same bytes");

    let out = capsule(&["check", &a]);
    assert!(out.status.success(), "{}", stderr(&out));
    let info: serde_json::Value = serde_json::from_slice(&capsule(&["info", &a, "--json"]).stdout).unwrap();
    assert_eq!(info["manifest"]["appId"]["id"], "capsule-example-showcase");
}

fn read_tree(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(root.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let path = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(root.join(&path)).unwrap()));
            }
        }
    }
    out
}

#[test]
fn pack_refuses_a_broken_package_and_writes_nothing() {
    let dir = Scratch::new("pack-broken");
    dir.write("pkg/app.json", "{\"pages\": []}");
    let out_zip = dir.path("out.zip");
    let out = capsule(&["pack", &dir.path("pkg"), "-o", &out_zip]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("\"pages\" must list at least one page"), "{}", stderr(&out));
    assert!(!Path::new(&out_zip).exists());
}

#[test]
fn pack_names_the_output_after_the_package() {
    let dir = Scratch::new("pack-default");
    let out = Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(["pack", &example("w3c-hello")])
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.0.join("w3c-hello.ma").exists());
}

#[test]
fn limits_are_configurable_from_the_command_line() {
    // The size limits are the platform's for upload: checked or run, a package over them is
    // a warning (its simulator runs it too); packed or run in production, an error.
    let out = capsule(&["check", &example("todo"), "--main-limit", "1KiB", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: the main package is"), "{}", stderr(&out));
    assert!(stderr(&out).contains("over the limit of 1 KiB; the biggest file is"), "{}", stderr(&out));
    let out = capsule(&["exec", &example("todo"), "--main-limit", "1KiB", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: the main package is"), "{}", stderr(&out));
    let dir = Scratch::new("pack-over");
    let zip = dir.0.join("todo.zip");
    let out = capsule(&[
        "pack",
        &example("todo"),
        "--main-limit",
        "1KiB",
        "-o",
        zip.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("error: the main package is"), "{}", stderr(&out));
    assert!(!zip.exists());
    let out =
        capsule(&["exec", &example("todo"), "--main-limit", "1KiB", "--production", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("error: the main package is"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(capsule(&["check"]).status.code(), Some(2));
    assert_eq!(capsule(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(capsule(&["check", "x", "--main-limit", "lots"]).status.code(), Some(2));
}

#[test]
fn a_missing_package_exits_1_with_a_reason() {
    let out = capsule(&["check", "/nonexistent/capsule/pkg", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot open the package: no such file or directory"), "{}", stderr(&out));
}

#[test]
fn render_prints_the_first_frame_as_html() {
    let dir = Scratch::new("render");
    dir.write(
        "data.json",
        r#"{"draft": "", "todos": [{"id": 1, "title": "<milk>", "done": false}], "remaining": 1}"#,
    );
    let out = capsule(&["render", &example("todo"), "pages/stats/stats"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(
            r#"<view class="card"><view class="row"><text>Total</text><text class="count"></text></view>"#
        ),
        "{}",
        stdout(&out)
    );

    let out = capsule(&["render", &example("todo"), "/pages/index/index", "--data", &dir.path("data.json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = stdout(&out);
    // The row component renders in its shadow root from the properties the page passes.
    assert!(
        html.contains(
            r#"<todo-item bind:toggle="onToggle" bind:remove="onRemove"><template shadowrootmode="open">"#
        ),
        "{html}"
    );
    assert!(html.contains("&lt;milk&gt;"), "{html}");
    assert!(html.ends_with("<view class=\"footer\">1 of 1 left</view>\n"), "{html}");
}

#[test]
fn render_refuses_unknown_pages_and_bad_data() {
    let out = capsule(&["render", &example("todo"), "pages/nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(
        "`pages/nope` is not a page of this package; its pages are: pages/index/index, pages/stats/stats"
    ));
    let dir = Scratch::new("render-bad");
    dir.write("data.json", "[1]");
    let out = capsule(&["render", &example("todo"), "pages/index/index", "--data", &dir.path("data.json")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("must hold a JSON object"), "{}", stderr(&out));
}

#[test]
fn render_stops_at_the_page_node_limit() {
    let dir = Scratch::new("render-limit");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/index/index.js", "Page({})");
    dir.write(
        "pages/index/index.wxml",
        r#"<view wx:for="{{100000}}"><text wx:for="{{100000}}">.</text></view>"#,
    );
    let out = capsule(&["render", &dir.path(""), "pages/index/index"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pages/index/index: render limit: 100000 nodes"), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
}

#[test]
fn check_reports_template_expansion_with_its_position() {
    let dir = Scratch::new("check-expansion");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/index/index.js", "Page({})");
    dir.write(
        "pages/index/index.wxml",
        "<template name=\"t\"><view/><template is=\"t\"/><template is=\"t\"/></template>\n<template is=\"t\"/>",
    );
    let out = capsule(&["check", &dir.path("")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("template `t` expands to more than 100000 nodes"), "{}", stderr(&out));
    assert!(stderr(&out).contains("pages/index/index.wxml:2:15"), "{}", stderr(&out));
}

#[test]
fn check_reports_template_errors() {
    let dir = Scratch::new("check-wxml");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/index/index.js", "Page({})");
    dir.write("pages/index/index.wxml", "<view>{{a +}}</view>\n<view wx:if=\"{{ok}}\">x</view>");
    dir.write("unused.wxml", "<include src=\"unused.wxml\"/>");
    let out = capsule(&["check", &dir.path(""), "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error: invalid expression: expected an expression, found the end\n --> pages/index/index.wxml:1:12"), "{err}");
    assert!(err.contains("error: include cycle: unused.wxml → unused.wxml"), "{err}");
    assert!(err.contains(": 2 errors, 0 warnings"), "{err}");
}

#[test]
fn check_reports_script_syntax_errors_at_their_place() {
    let dir = Scratch::new("check-js");
    dir.write("app.json", r#"{"pages": ["pages/index/index", "pages/esm/esm"]}"#);
    // Minified: the error is far along line 1, and that is the column reported.
    dir.write("app.js", "App({onLaunch:function(){var a=1;return a+}});");
    dir.write("pages/index/index.wxml", "<view/>");
    dir.write("pages/index/index.js", "// fine: a CommonJS file may return at top level\nPage({})\nreturn");
    dir.write("pages/esm/esm.wxml", "<view/>");
    dir.write("pages/esm/esm.js", "import a from './a'\nexport const b = ;\nPage({})");
    dir.write("pages/esm/a.js", "module.exports = 1");
    let out = capsule(&["check", &dir.path(""), "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error: SyntaxError: unexpected token in expression: '}'\n --> app.js:1:43"),
        "{err}"
    );
    assert!(err.contains(" --> pages/esm/esm.js:2:18"), "{err}");
    assert!(err.contains("export const b = ;"), "the excerpt: {err}");
    assert!(err.contains(": 2 errors, 0 warnings"), "{err}");
}

#[test]
fn check_reports_style_problems() {
    let dir = Scratch::new("check-wxss");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({})");
    dir.write("app.wxss", "@import \"missing.wxss\";\n.a { colr: red }");
    dir.write("pages/index/index.js", "Page({})");
    dir.write("pages/index/index.wxml", "<view/>");
    let out = capsule(&["check", &dir.path(""), "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error: cannot find the stylesheet `missing.wxss`\n --> app.wxss:1:1"), "{err}");
    assert!(err.contains("warning: unknown property `colr`"), "{err}");
    assert!(err.contains(" --> app.wxss:2:6"), "{err}");
}

#[test]
fn exec_prints_the_entry_page() {
    let out = capsule(&["exec", &example("showcase")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with(r#"<view class="section"><image class="logo""#), "{}", stdout(&out));
}

#[test]
fn exec_applies_steps_and_prints_data() {
    let out = capsule(&[
        "exec",
        &example("showcase"),
        "--page",
        "pages/bindings/bindings",
        "--step",
        "tap button",
        "--step",
        "tap button",
        "--print",
        "data",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(data["count"], 3);

    let out = capsule(&[
        "exec",
        &example("showcase"),
        "--page",
        "pages/events/events",
        "--step",
        "tap .inner",
        "--print",
        "data",
    ]);
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        data["log"],
        serde_json::json!(["1. capture at outer", "2. inner itemId=42 mark=inner", "3. outer from inner"])
    );

    let out = capsule(&[
        "exec",
        &example("showcase"),
        "--step",
        "navigate /pages/lists/lists?x=1",
        "--step",
        "back",
        "--step",
        "navigate /pages/lists/lists",
        "--step",
        "tap button",
        "--print",
        "data",
    ]);
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(data["fruits"][0]["name"], "banana", "{data}");
}

#[test]
fn exec_hides_and_shows_the_app_in_the_platforms_order() {
    let s = Scratch::new("hide-show");
    s.write("app.json", r#"{"pages": ["pages/a/a"]}"#);
    s.write(
        "app.js",
        "App({ onShow() { console.log('App.onShow') }, onHide() { console.log('App.onHide') } }); \
         wx.onAppHide(() => console.log('onAppHide')); wx.onAppShow(() => console.log('onAppShow'))",
    );
    s.write("pages/a/a.wxml", "<view>{{n}}</view>");
    s.write(
        "pages/a/a.js",
        "Page({ onShow() { console.log('page.onShow') }, onHide() { console.log('page.onHide') } })",
    );
    for isolate in ["in-process", "process"] {
        let out = capsule(&[
            "exec",
            &s.path(""),
            "--step",
            "hide",
            "--step",
            "show",
            "--isolate",
            isolate,
            "--color",
            "never",
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        let shown: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("[log]"))
            .map(|l| l.split(" (").next().unwrap_or(l).trim_end())
            .collect();
        assert_eq!(
            shown,
            [
                "[log] App.onShow",
                "[log] onAppShow",
                "[log] page.onShow",
                "[log] page.onHide",
                "[log] App.onHide",
                "[log] onAppHide",
                "[log] App.onShow",
                "[log] onAppShow",
                "[log] page.onShow",
            ],
            "{isolate}: {}",
            stderr(&out)
        );
    }
    let out = capsule(&["exec", &s.path(""), "--step", "hide now"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("`hide`, `show`"), "{}", stderr(&out));
}

#[test]
fn profile_names_what_costs_battery() {
    let wasteful = [
        (
            "interval",
            "setInterval(() => this.setData({ n: this.data.n + 1 }), 50)",
            "a timer repeats every 50 ms",
        ),
        (
            "sensor",
            "wx.startAccelerometer({ interval: 'ui' }); wx.onAccelerometerChange(() => {})",
            "a sensor kept sampling in the background",
        ),
        ("polling", "setInterval(() => wx.request({ url: 'http://127.0.0.1:9/poll' }), 200)", "(polling)"),
        ("quiet", "setTimeout(() => this.setData({ n: 1 }), 10)", ""),
    ];
    for (name, on_load, advice) in wasteful {
        let s = Scratch::new(&format!("profile-{name}"));
        s.write("app.json", r#"{"pages": ["pages/a/a"]}"#);
        s.write("app.js", "App({})");
        s.write("pages/a/a.wxml", "<view>{{n}}</view>");
        s.write("pages/a/a.js", &format!("Page({{ data: {{ n: 0 }}, onLoad() {{ {on_load} }} }})"));
        let out =
            capsule(&["profile", &s.path(""), "--seconds", "1", "--json", "--data-dir", &s.path("data")]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for key in [
            "cold_start_ms",
            "heap_bytes",
            "cpu_ms_per_min_foreground",
            "cpu_ms_per_min_background",
            "timer_wakeups_per_min",
            "setdata_per_sec_max",
            "setdata_bytes_max",
            "network_requests",
        ] {
            assert!(report[key].is_number(), "{name}: {key} in {report}");
        }
        let lines: Vec<&str> =
            report["advice"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        if advice.is_empty() {
            assert!(lines.is_empty(), "{name}: {lines:?}");
        } else {
            assert!(lines.iter().any(|l| l.contains(advice)), "{name}: {lines:?}");
        }
        // Each names only what its app does.
        for (other, _, other_advice) in wasteful {
            if other != name && !other_advice.is_empty() && other != "interval" {
                assert!(!lines.iter().any(|l| l.contains(other_advice)), "{name}: {lines:?}");
            }
        }
    }
}

#[test]
fn exec_answers_view_calls_without_losing_the_next_step() {
    // The showcase's view-API page asks for an intersection observer as it opens, and its
    // first button for an action sheet: both fail headless, and the steps after them still
    // see the page.
    let out = capsule(&[
        "exec",
        &example("showcase"),
        "--page",
        "pages/apis/apis",
        "--step",
        "tap button",
        "--print",
        "data",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("observeIntersection:fail no layout without a view"), "{}", stderr(&out));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Nobody is there to choose: the sheet is dismissed, as `--modal cancel` (the default) says.
    assert_eq!(data["message"], "showActionSheet:fail cancel", "{data}");
    // Told to confirm, the first item is chosen.
    let out = capsule(&[
        "exec",
        &example("showcase"),
        "--page",
        "pages/apis/apis",
        "--modal",
        "confirm",
        "--step",
        "tap button",
        "--print",
        "data",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(data["message"], "chose item 0", "{data}");
}

#[test]
fn exec_answers_modals_as_told() {
    let dir = Scratch::new("exec-modal");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/index/index.wxml", "<view>{{answer}}</view>");
    dir.write(
        "pages/index/index.js",
        "Page({ data: { answer: '' }, onLoad() { wx.showModal({ title: 'Sure?', editable: true, content: 'draft', \
         success: r => this.setData({ answer: r.errMsg + ' ' + r.confirm + ' ' + r.cancel + ' ' + r.content }) }) } })",
    );
    let app = dir.path("");
    let answer = |modal: &str| {
        let out = capsule(&["exec", &app, "--modal", modal, "--step", "wait 50", "--print", "data"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let data: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        data["answer"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(answer("confirm"), "showModal:ok true false draft");
    assert_eq!(answer("cancel"), "showModal:ok false true ");
    let out = capsule(&["exec", &app, "--modal", "maybe"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn exec_answers_device_requests_from_its_flags() {
    let dir = Scratch::new("exec-device");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/index/index.wxml", "<view id=\"go\" bindtap=\"go\">go</view>");
    dir.write(
        "pages/index/index.js",
        "Page({ data: {}, go() {\n\
           wx.scanCode({ success: r => this.setData({ scanned: r.result }) });\n\
           wx.chooseImage({ success: r => wx.getImageInfo({ src: r.tempFilePaths[0], success: i => this.setData({ width: i.width }) }) });\n\
           wx.makePhoneCall({ phoneNumber: '10086', fail: r => this.setData({ call: r.errMsg }) });\n\
         } })",
    );
    let logo = example("showcase") + "/images/logo.png";
    let data = dir.path("data");
    let out = capsule(&[
        "exec",
        &dir.path(""),
        "--data-dir",
        &data,
        "--choose",
        &logo,
        "--scan",
        "hi there",
        "--step",
        "tap #go",
        "--print",
        "data",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed,
        serde_json::json!({"scanned": "hi there", "width": 64, "call": "makePhoneCall:fail cancel"})
    );
    let out = capsule(&["exec", &dir.path(""), "--choose", "/no/such/file.png"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--choose /no/such/file.png: no such file"), "{}", stderr(&out));
}

#[test]
fn exec_fails_on_a_step_it_cannot_apply() {
    let out = capsule(&["exec", &example("showcase"), "--step", "tap #nothing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error: no element matches `#nothing` in the current page"),
        "{}",
        stderr(&out)
    );
    let out = capsule(&["exec", &example("showcase"), "--step", "dance"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("`dance` is not a step"), "{}", stderr(&out));
}

#[test]
fn exec_runs_a_w3c_app_and_says_its_templates_are_not_rendered_yet() {
    let out = capsule(&["exec", &example("w3c-hello"), "--print", "data"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: W3C page templates are not rendered yet"), "{}", stderr(&out));
    assert!(stdout(&out).starts_with('{'), "the page's data: {}", stdout(&out));
}

#[test]
fn exec_exits_1_when_the_page_it_opens_fails_to_load() {
    let dir = Scratch::new("exec-broken");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/index/index.wxml", "<view>hi</view>");
    for (script, reason) in [
        ("throw new Error('boom')", "Error: boom"),
        ("Page({ data: { a: } })", "SyntaxError: unexpected token in expression: '}'"),
    ] {
        dir.write("pages/index/index.js", script);
        let out = capsule(&["exec", &dir.path("")]);
        assert_eq!(out.status.code(), Some(1), "{script}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("error: the app or its page failed to load: {reason}")), "{err}");
        assert!(err.contains("pages/index/index.js:1:"), "where: {err}");
    }
    // A handler that throws once the page is loaded is reported, not a failure to load.
    dir.write("pages/index/index.js", "Page({ onLoad() { null.x } })");
    let out = capsule(&["exec", &dir.path("")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("[error] TypeError: cannot read property 'x' of null"), "{}", stderr(&out));
}

#[test]
fn exec_reports_console_output_and_termination_on_stderr() {
    let dir = Scratch::new("exec-spin");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({ onLaunch() { console.log('hello from app') } })");
    dir.write("pages/index/index.wxml", "<view id=\"spin\" bindtap=\"spin\">{{n}}</view>");
    dir.write("pages/index/index.js", "Page({ data: { n: 1 }, spin() { while (true) {} } })");
    let out = capsule(&["exec", &dir.path(""), "--cpu-limit", "200", "--step", "tap #spin"]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("[log] hello from app (app.js:1)"), "{err}");
    assert!(err.contains("error: the instance was terminated: CPU time limit 200 ms exceeded"), "{err}");
    assert_eq!(stdout(&out), "<view id=\"spin\" bind:tap=\"spin\">1</view>\n");
}

#[test]
fn run_serves_the_simulator_and_stops_on_sigterm() {
    use std::io::{Read, Write};
    let run = Running::start(&["run", &example("showcase"), "--device", "pixel-7"]);
    let url = run.url.clone();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with('/'), "{url}");
    let port: u16 = url.trim_start_matches("http://127.0.0.1:").trim_end_matches('/').parse().unwrap();
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n").unwrap();
        let mut r = Vec::new();
        s.read_to_end(&mut r).unwrap();
        String::from_utf8_lossy(&r).into_owned()
    };
    let page = get("/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("--device-width: 412px"), "the device profile is applied");
    assert!(get("/pkg/images/logo.png").contains("content-type: image/png"));
    assert!(get("/pkg/../Cargo.toml").starts_with("HTTP/1.1 404"));
    assert!(get("/pkg/project.config.json").starts_with("HTTP/1.1 404"), "only packed files are served");
    run.stop();
}

/// `capsule run` started on `args`, its stderr read line by line.
struct Running {
    child: std::process::Child,
    url: String,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        use std::io::{BufRead, BufReader};
        let mut child = Command::new(env!("CARGO_BIN_EXE_capsule"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut url = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut url).unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, url: url.trim().to_string(), lines, seen: Vec::new() }
    }

    /// Waits for a stderr line containing `want`: generous, since the machine may be loaded.
    fn wait_for(&mut self, want: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !self.seen.iter().any(|l| l.contains(want)) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) => self.seen.push(l),
                Err(_) => panic!("no `{want}` on stderr: {:#?}", self.seen),
            }
        }
    }

    /// Stops it as Ctrl-C would; it exits 0.
    fn stop(mut self) {
        assert!(self.child.try_wait().unwrap().is_none(), "still running until stopped: {:#?}", self.seen);
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(self.child.wait().unwrap().success());
    }
}

#[test]
fn run_says_what_it_does_and_opens_a_broken_package_with_its_errors() {
    let dir = Scratch::new("run-broken");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/index/index.js", "Page({})");
    dir.write("pages/index/index.wxml", "<view>open");
    let mut run = Running::start(&["run", &dir.path(""), "--port", "0"]);
    assert!(run.url.starts_with("http://127.0.0.1:"), "the URL first, alone: {}", run.url);
    run.wait_for(&format!("open this in a browser: {}", run.url));
    run.wait_for("Ctrl-C stops");
    run.wait_for("build failed, 1 error");
    run.wait_for("  pages/index/index.wxml:1:2: <view> is not closed");
    // The simulator serves though the package is broken.
    assert!(run.child.try_wait().unwrap().is_none(), "still running");
    dir.write("pages/index/index.wxml", "<view>closed</view>");
    run.wait_for("reloaded");
    dir.write("pages/index/index.js", "Page({ data: { a: } })");
    run.wait_for("  pages/index/index.js:1:19: SyntaxError: unexpected token in expression: '}'");
    run.stop();
}

#[test]
fn run_opens_a_package_that_does_not_load_and_runs_it_once_fixed() {
    let dir = Scratch::new("run-unloadable");
    dir.write("app.json", r#"{"pages": ["pages/index/index"],"#);
    dir.write("app.js", "App({})");
    dir.write("pages/index/index.js", "Page({})");
    dir.write("pages/index/index.wxml", "<view>hello</view>");
    // Without hot reload nothing could fix it: it says why and exits 1.
    let out = capsule(&["run", &dir.path(""), "--port", "0", "--no-watch"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("app.json:1:"), "{}", stderr(&out));
    // With it, the simulator opens with the problem and runs the app once app.json is fixed.
    let mut run = Running::start(&["run", &dir.path(""), "--port", "0"]);
    assert!(run.url.starts_with("http://127.0.0.1:"), "{}", run.url);
    run.wait_for("build failed, 1 error");
    run.wait_for("  app.json:1:");
    dir.write("app.json", r#"{"pages": ["pages/index/index"]}"#);
    run.wait_for("reloaded");
    run.stop();
}

#[test]
fn run_refuses_an_unknown_device() {
    let out = capsule(&["run", &example("showcase"), "--device", "brick"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("unknown device `brick`; devices are: iphone-se"), "{}", stderr(&out));
}

#[test]
fn storage_survives_kill_9_mid_write_and_persists_between_runs() {
    use std::io::{BufRead, BufReader};
    let dir = Scratch::new("crash");
    dir.write("app.json", r#"{"pages": ["pages/write/write", "pages/read/read"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/write/write.wxml", "<view>writing</view>");
    dir.write(
        "pages/write/write.js",
        "Page({ onLoad() { let i = Date.now(); setInterval(() => { const k = 'k' + (i++); wx.setStorageSync(k, { i, pad: 'x'.repeat(200) }); console.log('wrote ' + k) }, 1) } })",
    );
    dir.write("pages/read/read.wxml", "<view>{{keys.length}}</view>");
    dir.write(
        "pages/read/read.js",
        "Page({ data: { keys: [] }, onLoad() { this.setData({ keys: wx.getStorageInfoSync().keys }) } })",
    );
    let data = dir.path("data");
    let mut acknowledged = Vec::new();
    for _round in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_capsule"))
            .args(["exec", &dir.path(""), "--data-dir", &data, "--step", "wait 20000"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut seen = 0;
        while seen < 60 {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(key) = line.strip_prefix("[log] wrote ").and_then(|l| l.split_whitespace().next()) {
                acknowledged.push(key.to_string());
                seen += 1;
            }
        }
        // Mid-write: no chance to flush or close.
        Command::new("kill").args(["-9", &child.id().to_string()]).status().unwrap();
        let _ = child.wait();
        assert!(seen >= 60, "the writer wrote too little before the kill");
    }
    let out = capsule(&[
        "exec",
        &dir.path(""),
        "--data-dir",
        &data,
        "--page",
        "pages/read/read",
        "--print",
        "data",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<String> =
        read["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
    for k in &acknowledged {
        assert!(keys.contains(k), "{k} was acknowledged but is gone");
    }
}

#[test]
fn a_missing_import_is_its_page_error_and_other_pages_run() {
    let dir = Scratch::new("missing-import");
    dir.write("app.json", r#"{"pages": ["pages/a/a", "pages/b/b"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/a/a.wxml", "<import src=\"/tpl/gone.wxml\"/><view id=\"here\">a</view>");
    dir.write("pages/a/a.js", "Page({})");
    dir.write("pages/b/b.wxml", "<view>b</view>");
    dir.write("pages/b/b.js", "Page({ onLoad() { console.log('b runs') } })");
    let app = dir.path("");
    // `check` reports it as the error it is.
    let out = capsule(&["check", &app, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: <import> cannot find `/tpl/gone.wxml`\n --> pages/a/a.wxml:1:14"),
        "{}",
        stderr(&out)
    );
    // The app runs: another page is untouched, and the page with it renders the rest and
    // hears the error when it opens.
    let out = capsule(&["exec", &app, "--page", "pages/b/b", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("b runs"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("[error]"), "{}", stderr(&out));
    let out = capsule(&["exec", &app, "--page", "pages/a/a", "--print", "html", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("id=\"here\""),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr(&out).contains("[error] pages/a/a.wxml:1:14: <import> cannot find `/tpl/gone.wxml`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_component_is_its_pages_error_and_other_pages_run() {
    let dir = Scratch::new("missing-component");
    dir.write("app.json", r#"{"pages": ["pages/a/a", "pages/b/b"]}"#);
    dir.write("app.js", "App({})");
    dir.write("pages/a/a.json", r#"{"usingComponents": {"card": "/components/card/card"}}"#);
    dir.write("pages/a/a.wxml", "<card id=\"c\"/><view id=\"here\">a</view>");
    dir.write("pages/a/a.js", "Page({})");
    dir.write("pages/b/b.wxml", "<view>b</view>");
    dir.write("pages/b/b.js", "Page({ onLoad() { console.log('b runs') } })");
    let app = dir.path("");
    let out = capsule(&["check", &app, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "error: component `/components/card/card` used as <card> was not found\n --> pages/a/a.json:1:30"
        ),
        "{}",
        stderr(&out)
    );
    let out = capsule(&["exec", &app, "--page", "pages/b/b", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("b runs") && !stderr(&out).contains("[error]"), "{}", stderr(&out));
    // The page that uses it renders the rest and hears the platform's words for it.
    let out = capsule(&["exec", &app, "--page", "pages/a/a", "--print", "html", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("id=\"here\""));
    assert!(
        stderr(&out).contains(
            r#"[error] Component is not found in path "/components/card/card" (using by "pages/a/a")"#
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sweep_opens_every_page_of_every_app_and_sums_up() {
    let dir = Scratch::new("sweep");
    dir.write("one/app.json", r#"{"pages": ["pages/ok/ok", "pages/noisy/noisy"]}"#);
    dir.write("one/app.js", "App({})");
    dir.write("one/pages/ok/ok.wxml", "<view>ok</view>");
    dir.write("one/pages/ok/ok.js", "Page({ onLoad() { wx.setStorageSync('k', 1) } })");
    dir.write("one/pages/noisy/noisy.wxml", "<view>noisy</view>");
    dir.write("one/pages/noisy/noisy.js", "Page({ onLoad() { console.error('something is off') } })");
    dir.write("group/two/app.json", "{ not json");
    dir.write("group/node_modules/three/app.json", r#"{"pages": ["p/p"]}"#);
    let out = capsule(&["sweep", &dir.path(""), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = report["pages"].as_array().unwrap();
    let result = |app: &str, page: &str| {
        pages.iter().find(|p| p["app"] == app && p["page"] == page).map(|p| p["result"].clone())
    };
    assert_eq!(result("one", "pages/ok/ok"), Some("clean".into()), "{report}");
    assert_eq!(result("one", "pages/noisy/noisy"), Some("errors".into()), "{report}");
    assert_eq!(result("group/two", "(the app)"), Some("failed".into()), "{report}");
    assert_eq!(pages.len(), 3, "node_modules is not searched: {report}");
    assert_eq!(report["summary"]["clean"], 1);
    assert_eq!(report["summary"]["errors"], 1);
    assert_eq!(report["summary"]["failed"], 1);
    // The human form ends with the summary line.
    let out = capsule(&["sweep", &dir.path("")]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("one  pages/noisy/noisy  errors (1): something is off"), "{text}");
    assert!(text.contains("2 apps, 3 pages: 1 clean (33%), 1 with errors, 1 failed"), "{text}");
    // Nothing to sweep is a failure with the reason.
    let empty = Scratch::new("sweep-empty");
    let out = capsule(&["sweep", &empty.path("")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no app under"), "{}", stderr(&out));
}

/// The compatibility apps (`examples/compat`): what published mini-programs use that the
/// platform's tools run — theme variables, a minified UMD library, modules mixing import and
/// module.exports, wxs function modules and every operator, values phones take, the APIs of
/// issue 15, TypeScript and Sass — open every page cleanly.
#[test]
fn every_page_of_the_compatibility_apps_is_clean() {
    let out = capsule(&["sweep", &example("compat"), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages = report["pages"].as_array().unwrap();
    assert!(pages.len() >= 7, "{report}");
    let unclean: Vec<&serde_json::Value> = pages.iter().filter(|p| p["result"] != "clean").collect();
    assert!(unclean.is_empty(), "{unclean:#?}");
    // And what they show is what the platform shows.
    let html = |app: &str| stdout(&capsule(&["exec", &example(&format!("compat/{app}")), "--print", "html"]));
    assert!(html("umd-and-modules").contains("sum 49.75, average ¥16.58, library 2.1.0"));
    assert!(html("umd-and-modules").contains("2024: 2024/1/2 · 1,234,567.891"));
    assert!(html("wxs-and-templates").contains("<view>38%</view><view>flags 4 7 4 -7 16 -4 15</view>"));
    assert!(html("wxs-and-templates").contains("done: 3</view><view class=\"row\">total: 8"));
    assert!(html("platform-apis").contains("Tea House · menu button 87x32"));
    assert!(html("platform-apis").contains("<view>bumped <digit id=\"d\">"));
    assert!(html("typescript").contains("<view class=\"line big\">Oolong (L) × 2</view>"));
    assert!(html("typescript").contains("<view>total 48</view>"));
}

#[test]
fn a_w3c_page_without_a_script_runs() {
    // The W3C example's detail page is markup only, as the MiniApp drafts allow.
    let out = capsule(&["exec", &example("w3c-hello"), "--page", "pages/detail/detail", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("[error]"), "{}", stderr(&out));
    assert!(!String::from_utf8_lossy(&out.stdout).is_empty());
}
