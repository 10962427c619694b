//! The W3C MiniApp dialect: required members, page files, mapping onto the manifest.

mod support;

use capsule_package::{AppIdSource, Dialect};
use expect_test::expect;
use support::{TempDir, errors_of, lines, load};

const MANIFEST: &str = r##"{
  "app_id": "org.example.hello",
  "name": "Hello",
  "version": {"name": "1.0.0", "code": 3},
  "platform_version": {"min_code": 1, "target_code": 2, "release_type": "Beta"},
  "icons": [{"src": "common/icon.png", "sizes": "48x48"}],
  "pages": ["pages/index/index", "https://example.com/remote"],
  "window": {"navigation_bar_title_text": "Hi", "orientation": "landscape", "fullscreen": true},
  "req_permissions": [{"name": "system.location", "reason": "to say where"}],
  "dir": "rtl",
  "lang": "ar"
}"##;

fn package(manifest: &str) -> TempDir {
    let dir = TempDir::new();
    dir.write(&[
        ("manifest.json", manifest),
        ("app.js", "App({})"),
        ("app.css", ""),
        ("common/icon.png", "png"),
        ("pages/index/index.html", "<div>hi</div>"),
        ("pages/index/index.js", "Page({})"),
    ]);
    dir
}

#[test]
fn a_w3c_package_maps_onto_the_manifest() {
    let dir = package(MANIFEST);
    let package = load(dir.path()).unwrap();
    let m = &package.manifest;
    assert_eq!(m.dialect, Dialect::W3c);
    assert_eq!((m.app_id.id.as_str(), m.app_id.source), ("org.example.hello", AppIdSource::Manifest));
    assert_eq!(m.version.as_ref().map(|v| (v.name.as_str(), v.code)), Some(("1.0.0", 3)));
    assert_eq!(m.platform_version.as_ref().map(|p| (p.min_code, p.target_code)), Some((1, Some(2))));
    assert_eq!(m.entry_page, "pages/index/index");
    assert_eq!(m.pages.len(), 1);
    assert_eq!(m.window.navigation_bar_title_text.as_deref(), Some("Hi"));
    assert_eq!(m.window.page_orientation.as_deref(), Some("landscape"));
    assert_eq!(m.window.fullscreen, Some(true));
    assert_eq!(m.permissions[0].scope, "system.location");
    assert_eq!(m.permissions[0].desc, "to say where");
    assert_eq!(m.dir.as_deref(), Some("rtl"));
    assert_eq!(m.icons[0].src, "common/icon.png");
    expect![[r#"
        manifest.json:7:34: warning: external page `https://example.com/remote` is ignored; pages must be inside the package
    "#]]
    .assert_eq(&lines(&package.warnings));
}

#[test]
fn required_members_are_checked() {
    let dir = package(
        r#"{"name": 5, "pages": ["pages/index/index"], "version": {"name": "1"}, "icons": [{"sizes": "1x1"}], "platform_version": {}}"#,
    );
    expect![[r#"
        manifest.json:1:10: error: "name" must be a string, found number
        manifest.json:1:56: error: "version" has no "code", which is required
        manifest.json:1:81: error: "icons[0]" has no "src", which is required
        manifest.json:1:120: error: "platform_version" has no "min_code", which is required
        manifest.json:1:1: error: manifest.json has no "app_id", which is required
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn missing_files_are_reported() {
    let dir = TempDir::new();
    dir.write(&[(
        "manifest.json",
        &MANIFEST.replace("\"pages/index/index\",", "\"pages/index/index\", \"pages/gone/gone\","),
    )]);
    expect![[r#"
        manifest.json:6:21: error: icon `common/icon.png` does not exist
        manifest.json:7:13: error: page `pages/index/index` has no pages/index/index.html
        manifest.json:7:34: error: page `pages/gone/gone` has no pages/gone/gone.html
        manifest.json:7:53: warning: external page `https://example.com/remote` is ignored; pages must be inside the package
        app.js: error: missing; a W3C MiniApp package must have it at its root
        app.css: error: missing; a W3C MiniApp package must have it at its root
        pages/: error: missing; a W3C MiniApp package keeps its pages there
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn target_below_min_and_bad_enums() {
    let manifest = MANIFEST
        .replace(r#""target_code": 2"#, r#""target_code": 0"#)
        .replace(r#""dir": "rtl""#, r#""dir": "up""#);
    let dir = package(&manifest);
    expect![[r#"
        manifest.json:5:54: error: "platform_version.target_code" (0) is below min_code (1)
        manifest.json:10:10: error: "dir" must be one of "ltr", "rtl", "auto", found "up"
        manifest.json:7:34: warning: external page `https://example.com/remote` is ignored; pages must be inside the package
    "#]]
    .assert_eq(&errors_of(dir.path()));
}
