//! `ext.json`: its `ext` object reaches the app only while `extEnable` is true; bad files get
//! located errors.

mod support;

use expect_test::expect;
use serde_json::json;
use support::{MINIMAL, TempDir, errors_of, lines, load};

fn with(ext: &str) -> TempDir {
    let dir = TempDir::new();
    dir.write(MINIMAL).write(&[("ext.json", ext)]);
    dir
}

#[test]
fn the_ext_object_is_the_apps_while_enabled() {
    let dir = with(r#"{"extEnable": true, "extAppid": "wx123", "ext": {"shop": "tea", "n": [1, 2]}}"#);
    let package = load(dir.path()).unwrap();
    assert_eq!(package.manifest.ext_config, Some(json!({"shop": "tea", "n": [1, 2]})));
    assert!(package.warnings.is_empty(), "{}", lines(&package.warnings));

    let dir = with(r#"{"extEnable": true}"#);
    assert_eq!(load(dir.path()).unwrap().manifest.ext_config, Some(json!({})));
}

#[test]
fn a_disabled_or_missing_file_gives_nothing() {
    let dir = with(r#"{"extEnable": false, "ext": {"shop": "tea"}}"#);
    assert_eq!(load(dir.path()).unwrap().manifest.ext_config, None);
    let dir = with(r#"{"ext": {"shop": "tea"}}"#);
    assert_eq!(load(dir.path()).unwrap().manifest.ext_config, None);
    let dir = TempDir::new();
    dir.write(MINIMAL);
    assert_eq!(load(dir.path()).unwrap().manifest.ext_config, None);
}

#[test]
fn bad_files_are_located_errors() {
    let dir = with("{\n  \"extEnable\": true,\n  \"ext\": {\"a\": 1,}\n}");
    expect![[r#"
        ext.json:3:17: error: invalid JSON: trailing comma before `}`
    "#]]
    .assert_eq(&errors_of(dir.path()));
    let dir = with("{\n  \"extEnable\": \"yes\",\n  \"ext\": [1]\n}");
    expect![[r#"
        ext.json:2:16: error: "extEnable" must be a boolean, found string
        ext.json:3:10: error: "ext" must be an object, found array
    "#]]
    .assert_eq(&errors_of(dir.path()));
    let dir = with("[1]");
    expect![[r#"
        ext.json:1:1: error: the file must hold a JSON object, found array
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn overrides_the_platform_applies_when_building_are_named() {
    let dir = with(r#"{"extEnable": true, "extPages": {}, "colour": 1}"#);
    let package = load(dir.path()).unwrap();
    expect![[r#"
        ext.json:1:21: warning: "extPages" in ext.json is not applied: Capsule runs app.json as written
        ext.json:1:37: warning: unknown key "colour" in ext.json; it is ignored
    "#]]
    .assert_eq(&lines(&package.warnings));
}
