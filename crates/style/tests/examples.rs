//! The example mini-programs compile with nothing to say.

mod support;

use std::path::Path;

use capsule_package::{LoadOptions, Package};
use capsule_style::{Scope, compile_package};

fn load(name: &str) -> Package {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    Package::load(&dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{name} loads: {e}"))
}

#[test]
fn the_examples_compile_without_errors_or_warnings() {
    for (name, pages, components) in [("showcase", 9, 4), ("todo", 2, 1), ("w3c-hello", 1, 0)] {
        let package = load(name);
        let (styles, diags) = compile_package(&package);
        assert!(diags.is_empty(), "{name}:\n{}", support::lines(&diags));
        assert!(styles.app.is_some(), "{name} has an app sheet");
        assert_eq!(styles.pages.len(), pages, "{name}: {:?}", styles.pages.keys());
        assert_eq!(styles.components.len(), components, "{name}: {:?}", styles.components.keys());
    }
}

#[test]
fn the_todo_example_compiles_to_the_css_the_view_loads() {
    let (styles, _) = compile_package(&load("todo"));
    let app = styles.app.as_ref().expect("app.wxss");
    expect_test::expect![[r#"
        wx-page {background: #f4f5f7; font-family: -apple-system, "Helvetica Neue", sans-serif; color: #222}
        .card {margin: calc(24 * var(--rpx)); padding: calc(24 * var(--rpx)); background: #fff; border-radius: calc(12 * var(--rpx))}
    "#]]
    .assert_eq(&app.to_css(Scope::Global));
    expect_test::expect![[r#"
        wx-page[data-route="pages/stats/stats"] .row {display: flex; justify-content: space-between; padding: calc(12 * var(--rpx)) 0}
        wx-page[data-route="pages/stats/stats"] .count {font-weight: bold}
    "#]]
    .assert_eq(&styles.pages["pages/stats/stats"].to_css(Scope::Page("pages/stats/stats")));
    assert!(styles.components.contains_key("components/todo-item/todo-item"));
}

#[test]
fn a_file_imported_by_many_sheets_reports_its_problems_once() {
    let dir = std::env::temp_dir().join(format!("capsule-style-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in [
        ("app.json", r#"{"pages": ["pages/a/a", "pages/b/b"]}"#),
        ("app.js", "App({})"),
        ("common.wxss", ".shared { colr: red }\n@import \"gone\";"),
        ("pages/a/a.wxml", "<view/>"),
        ("pages/a/a.js", "Page({})"),
        ("pages/a/a.wxss", "@import \"/common\";"),
        ("pages/b/b.wxml", "<view/>"),
        ("pages/b/b.js", "Page({})"),
        ("pages/b/b.wxss", "@import \"../../common.wxss\";\n.b { color: red }"),
    ] {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("has a parent")).expect("create dirs");
        std::fs::write(full, text).expect("write");
    }
    let package = Package::load(&dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    let (styles, diags) = compile_package(&package.expect("loads"));
    assert!(styles.app.is_none());
    assert_eq!(styles.pages.len(), 2);
    expect_test::expect![[r#"
        common.wxss:1:11: warning: unknown property `colr`
          hint: did you mean `color`?
        common.wxss:2:1: warning: @import must come before every other rule; ignored
          hint: move the @import to the top of the file
    "#]]
    .assert_eq(&support::lines(&diags));
}
