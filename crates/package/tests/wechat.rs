//! The WeChat dialect from folders: what loads, and each broken input with its own error and
//! location.

mod support;

use capsule_package::{AppIdSource, ComponentRef, Limits, LoadOptions, Package};
use expect_test::expect;
use support::{MINIMAL, TempDir, errors_of, lines, load, upload_errors_of};

fn with(extra: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new();
    dir.write(MINIMAL).write(extra);
    dir
}

#[test]
fn the_minimal_package_loads() {
    let dir = with(&[]);
    let package = load(dir.path()).unwrap();
    assert_eq!(package.manifest.entry_page, "pages/index/index");
    assert!(package.warnings.is_empty(), "{}", lines(&package.warnings));
}

#[test]
fn broken_json_points_at_the_problem() {
    let dir = with(&[("app.json", "{\n  \"pages\": [\"pages/index/index\",]\n}")]);
    expect![[r#"
        app.json:2:32: error: invalid JSON: trailing comma before `]`
    "#]]
    .assert_eq(&errors_of(dir.path()));

    let dir = with(&[("pages/index/index.json", "{\n  // title\n  \"navigationBarTitleText\": \"x\"\n}")]);
    let errors = load(dir.path()).unwrap_err();
    let d = errors.errors().next().unwrap();
    assert_eq!(
        d.to_string(),
        "pages/index/index.json:2:3: error: invalid JSON: expected a key in double quotes, found `/`"
    );
    assert_eq!(d.hint.as_deref(), Some("JSON has no comments; remove them"));
}

#[test]
fn wrong_types_are_reported_with_their_location() {
    let dir = with(&[(
        "app.json",
        r#"{
  "pages": "pages/index/index",
  "window": {"enablePullDownRefresh": "yes", "navigationBarTextStyle": "red"},
  "networkTimeout": {"request": -1},
  "style": "v3"
}"#,
    )]);
    expect![[r#"
        app.json:2:12: error: "pages" must be an array of strings, found string
        app.json:3:39: error: "enablePullDownRefresh" must be a boolean, found string
        app.json:3:72: error: "navigationBarTextStyle" must be one of "black", "white", found "red"
        app.json:4:33: error: "networkTimeout.request" must be a whole number of zero or more, found number
        app.json:5:12: error: "style" must be one of "v2", found "v3"
    "#]]
    .assert_eq(&upload_errors_of(dir.path()));
    // Run, the style phones take is a warning; the others still cannot run.
    let errors = errors_of(dir.path());
    assert!(errors.contains(r#"app.json:3:72: warning: "navigationBarTextStyle""#), "{errors}");
}

#[test]
fn window_values_phones_take_are_warnings_and_get_the_documented_default() {
    let dir = with(&[(
        "app.json",
        r##"{
  "pages": ["pages/index/index"],
  "window": {"navigationBarTextStyle": "#fff", "backgroundTextStyle": "white", "navigationStyle": "custom"}
}"##,
    )]);
    let package = load(dir.path()).expect("runs as on phones");
    let window = &package.manifest.window;
    assert_eq!(window.navigation_bar_text_style.as_deref(), Some("white"));
    assert_eq!(window.background_text_style.as_deref(), Some("dark"));
    assert_eq!(window.navigation_style.as_deref(), Some("custom"));
    let warnings = lines(&package.warnings);
    assert!(warnings.contains(r##"app.json:3:40: warning: "navigationBarTextStyle" must be one of "black", "white", found "#fff""##), "{warnings}");
    assert!(
        warnings.contains(r#""backgroundTextStyle" must be one of "dark", "light", found "white""#),
        "{warnings}"
    );
    assert!(package.warnings.iter().filter(|d| d.upload_only).count() >= 2, "{warnings}");
    // For upload, each is an error with its location.
    let errors = upload_errors_of(dir.path());
    assert!(errors.contains(r##"app.json:3:40: error: "navigationBarTextStyle""##), "{errors}");
    assert!(errors.contains("error: \"backgroundTextStyle\""), "{errors}");
}

#[test]
fn missing_pages_and_files_are_each_reported() {
    let dir = with(&[(
        "app.json",
        r#"{
  "pages": ["pages/index/index", "pages/gone/gone", "pages/half/half", 7],
  "entryPagePath": "pages/nowhere/nowhere"
}"#,
    )]);
    dir.write(&[("pages/half/half.wxml", "<view/>")]);
    expect![[r#"
        app.json:2:72: error: "pages[3]" must be a string, found number
        app.json:2:34: error: page `pages/gone/gone` has no pages/gone/gone.wxml
        app.json:2:34: error: page `pages/gone/gone` has no pages/gone/gone.js
        app.json:2:53: error: page `pages/half/half` has no pages/half/half.js
        app.json:3:20: error: entry page `pages/nowhere/nowhere` is not in "pages"
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn page_paths_with_extensions_get_a_hint() {
    let dir = with(&[("app.json", r#"{"pages": ["pages/index/index.js"]}"#)]);
    let diags = load(dir.path()).unwrap_err();
    let d = diags.errors().next().unwrap();
    assert_eq!(d.message, "page path `pages/index/index.js` must not end in .js");
    assert_eq!(d.hint.as_deref(), Some("write \"pages/index/index\""));
}

#[test]
fn unknown_keys_are_warnings_not_errors() {
    let dir = with(&[
        (
            "app.json",
            r#"{"pages": ["pages/index/index"], "colour": "red", "debug": true, "window": {"titel": 1}}"#,
        ),
        ("pages/index/index.json", r#"{"navigationBarTitleText": "Home", "sparkles": true}"#),
    ]);
    let package = load(dir.path()).unwrap();
    expect![[r#"
        app.json:1:34: warning: unknown key "colour" in app.json; it is ignored
        app.json:1:77: warning: unknown key "titel" in window; it is ignored
        pages/index/index.json:1:36: warning: unknown key "sparkles" in a page's .json; it is ignored
    "#]]
    .assert_eq(&lines(&package.warnings));
    assert_eq!(package.manifest.extra["debug"], serde_json::json!(true));
    let page = package.manifest.page("pages/index/index").unwrap();
    assert_eq!(page.config.window.navigation_bar_title_text.as_deref(), Some("Home"));
}

#[test]
fn many_problems_across_files_come_in_one_run() {
    let dir = with(&[
        (
            "app.json",
            r#"{"pages": ["pages/index/index"], "tabBar": {"list": [{"pagePath": "pages/x/x", "text": "X"}]}, "sitemapLocation": "sitemap.json"}"#,
        ),
        (
            "pages/index/index.json",
            r#"{"usingComponents": {"card": "/components/card/card"}, "disableScroll": 1}"#,
        ),
    ]);
    expect![[r#"
        app.json:1:115: error: sitemap file `sitemap.json` does not exist
        pages/index/index.json:1:30: error: component `/components/card/card` used as <card> was not found
        pages/index/index.json:1:73: error: "disableScroll" must be a boolean, found number
        app.json:1:53: error: "tabBar.list" must have 2 to 5 items, found 1
        app.json:1:67: error: tab bar page `pages/x/x` is not in "pages"
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn tab_bar_subpackages_and_preload_rules() {
    let dir = with(&[
        (
            "app.json",
            r##"{
  "pages": ["pages/index/index", "pages/me/me"],
  "subPackages": [{"root": "pkgA/", "name": "a", "pages": ["cat/cat"], "independent": true}],
  "preloadRule": {"pages/index/index": {"network": "all", "packages": ["a", "__APP__"]}},
  "tabBar": {
    "color": "#999", "selectedColor": "#000", "backgroundColor": "#fff",
    "list": [
      {"pagePath": "pages/index/index", "text": "Home", "iconPath": "icons/home.png"},
      {"pagePath": "pages/me/me", "text": "Me"}
    ]
  }
}"##,
        ),
        ("pages/me/me.wxml", ""),
        ("pages/me/me.js", "Page({})"),
        ("pkgA/cat/cat.wxml", ""),
        ("pkgA/cat/cat.js", "Page({})"),
        ("icons/home.png", "png"),
    ]);
    let package = load(dir.path()).unwrap();
    let m = &package.manifest;
    let routes: Vec<_> = m.pages.iter().map(|p| (p.route.as_str(), p.subpackage.as_deref())).collect();
    assert_eq!(routes, [("pages/index/index", None), ("pages/me/me", None), ("pkgA/cat/cat", Some("pkgA"))]);
    assert_eq!(m.subpackages[0].pages, ["pkgA/cat/cat"]);
    assert!(m.subpackages[0].independent);
    assert_eq!(m.preload_rule["pages/index/index"].packages, ["pkgA", "__APP__"]);
    let bar = m.tab_bar.as_ref().unwrap();
    assert_eq!(bar.list[0].icon_path.as_deref(), Some("icons/home.png"));
    assert_eq!(package.sizes.subpackages, vec![("pkgA".to_string(), 8)]);
}

#[test]
fn bad_subpackages_are_reported() {
    let dir = with(&[(
        "app.json",
        r#"{
  "pages": ["pages/index/index", "pkg/in/main"],
  "subpackages": [
    {"root": "pkg", "pages": ["a/a"]},
    {"root": "pkg/inner", "pages": ["b/b"]},
    {"root": "missing", "pages": []},
    {"pages": ["c/c"]}
  ],
  "preloadRule": {"pages/index/index": {"packages": ["nope"]}},
  "tabBar": {"list": [{"pagePath": "pkg/a/a", "text": "A"}, {"pagePath": "pages/index/index", "text": "B"}]}
}"#,
    )]);
    dir.write(&[
        ("pkg/a/a.wxml", ""),
        ("pkg/a/a.js", ""),
        ("pkg/inner/b/b.wxml", ""),
        ("pkg/inner/b/b.js", ""),
        ("pkg/in/main.wxml", ""),
        ("pkg/in/main.js", ""),
    ]);
    expect![[r#"
        app.json:6:14: error: subpackage root `missing` does not exist
        app.json:6:5: warning: subpackage `missing` lists no pages
        app.json:7:5: error: "subpackages[3]" has no "root"
        app.json:5:37: error: subpackage roots `pkg` and `pkg/inner` overlap
        app.json:2:34: error: page `pkg/in/main` of the main package lies inside subpackage root `pkg`
        app.json:10:36: error: tab bar page `pkg/a/a` must be in the main package, not a subpackage
        app.json:9:54: error: preload rule names `nope`, which is not a subpackage
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn components_resolve_relative_absolute_and_npm() {
    let component = |path: &str| {
        vec![
            (format!("{path}.json"), r#"{"component": true}"#.to_string()),
            (format!("{path}.js"), "Component({})".to_string()),
            (format!("{path}.wxml"), "<slot/>".to_string()),
        ]
    };
    let dir = with(&[
        (
            "app.json",
            r#"{"pages": ["pages/index/index"], "usingComponents": {"g": "/components/global/global"}}"#,
        ),
        (
            "pages/index/index.json",
            r#"{"usingComponents": {
                "rel": "./parts/part", "bare": "parts/part", "abs": "/components/card/card",
                "van-button": "@vant/weapp/button", "map": "plugin://maps/map"}}"#,
        ),
    ]);
    for path in [
        "components/global/global",
        "pages/index/parts/part",
        "components/card/card",
        "miniprogram_npm/@vant/weapp/button/index",
        "miniprogram_npm/@vant/weapp/icon/index",
    ] {
        for (p, c) in component(path) {
            dir.write(&[(&p, &c)]);
        }
    }
    // The card uses the npm icon from inside its own folder: nested resolution.
    dir.write(&[(
        "components/card/card.json",
        r#"{"component": true, "usingComponents": {"van-icon": "@vant/weapp/icon/index"}}"#,
    )]);
    let package = load(dir.path()).unwrap();
    let m = &package.manifest;
    let using = &m.page("pages/index/index").unwrap().config.using_components;
    assert_eq!(using["rel"], ComponentRef::Package("pages/index/parts/part".into()));
    assert_eq!(using["bare"], ComponentRef::Package("pages/index/parts/part".into()));
    assert_eq!(using["abs"], ComponentRef::Package("components/card/card".into()));
    assert_eq!(using["van-button"], ComponentRef::Package("miniprogram_npm/@vant/weapp/button/index".into()));
    assert_eq!(using["map"], ComponentRef::Plugin("plugin://maps/map".into()));
    let paths: Vec<_> = m.components.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "components/card/card",
            "components/global/global",
            "miniprogram_npm/@vant/weapp/button/index",
            "miniprogram_npm/@vant/weapp/icon/index",
            "pages/index/parts/part",
        ]
    );
    expect![[r#"
        pages/index/index.json:3:60: warning: plugin component `plugin://maps/map` is not supported; <map> will render nothing
    "#]]
    .assert_eq(&lines(&package.warnings));
}

#[test]
fn broken_components_are_reported() {
    let dir = with(&[
        (
            "pages/index/index.json",
            r#"{"usingComponents": {"a": "/c/a/a", "b": "/c/b/b", "c": "../../c/c/c"}}"#,
        ),
        ("c/a/a.json", r#"{"usingComponents": {}}"#),
        ("c/a/a.js", ""),
        ("c/a/a.wxml", ""),
        ("c/b/b.js", ""),
        ("c/c/c.json", r#"{"component": true}"#),
    ]);
    expect![[r#"
        c/a/a.json:1:1: error: `c/a/a.json` is used as a component but does not say "component": true
        pages/index/index.json:1:42: error: component `c/b/b` has no c/b/b.wxml
        pages/index/index.json:1:42: error: component `c/b/b` has no c/b/b.json
        pages/index/index.json:1:57: error: component `c/c/c` has no c/c/c.js
        pages/index/index.json:1:57: error: component `c/c/c` has no c/c/c.wxml
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn permissions_and_private_infos() {
    let dir = with(&[(
        "app.json",
        r#"{"pages": ["pages/index/index"],
  "permission": {"scope.userLocation": {"desc": "to find shops near you"}, "scope.camera": {}, "scope.teleport": {"desc": "x"}},
  "requiredPrivateInfos": ["getLocation", "getFuzzyLocation", "readMinds"]}"#,
    )]);
    expect![[r#"
        app.json:2:92: error: "permission.scope.camera" needs a "desc" telling the user why
        app.json:2:96: warning: unknown scope "scope.teleport" in permission
        app.json:3:63: warning: unknown private info "readMinds" in requiredPrivateInfos
        app.json:3:27: error: "requiredPrivateInfos" may not declare both getFuzzyLocation and getLocation
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn miniprogram_root_and_pack_options_decide_what_counts() {
    let dir = TempDir::new();
    for (path, contents) in MINIMAL {
        dir.write(&[(&format!("miniprogram/{path}"), contents)]);
    }
    dir.write(&[
        (
            "project.config.json",
            r#"{"appid": "wx0123456789abcdef", "miniprogramRoot": "miniprogram/",
                "packOptions": {"ignore": [{"type": "folder", "value": "design"}]}}"#,
        ),
        ("cloudfunctions/login/index.js", "outside the mini-program root"),
        ("README.md", "outside too"),
    ]);
    let big = "x".repeat(3 * 1024 * 1024);
    dir.write(&[
        ("miniprogram/design/mockup.psd", &big),
        ("miniprogram/node_modules/dep/index.js", &big),
        ("miniprogram/.git/objects/pack", &big),
    ]);
    let package = load(dir.path()).unwrap();
    assert_eq!(package.miniprogram_root, "miniprogram");
    assert_eq!(package.manifest.app_id.id, "wx0123456789abcdef");
    assert_eq!(package.manifest.app_id.source, AppIdSource::ProjectConfig);
    let paths: Vec<_> = package.files.paths().collect();
    assert_eq!(paths, ["app.js", "app.json", "pages/index/index.js", "pages/index/index.wxml"]);

    // Without the ignore rule the design file is packed, and the main package is over: it
    // runs, with a warning, and is refused for upload.
    dir.write(&[("project.config.json", r#"{"miniprogramRoot": "miniprogram"}"#)]);
    let warnings = lines(&load(dir.path()).expect("runs over the upload limit").warnings);
    assert!(warnings.contains("warning: the main package is 3 MiB, over the limit of 2 MiB"), "{warnings}");
    let errors = upload_errors_of(dir.path());
    assert!(errors.contains("the main package is 3 MiB, over the limit of 2 MiB; the biggest file is `design/mockup.psd` (3 MiB)"), "{errors}");
}

#[test]
fn a_miniprogram_root_without_files_is_an_error() {
    let dir = with(&[("project.config.json", r#"{"miniprogramRoot": "src"}"#)]);
    expect![[r#"
        project.config.json:1:21: error: miniprogramRoot `src` holds no files
    "#]]
    .assert_eq(&errors_of(dir.path()));
}

#[test]
fn app_ids_without_a_declaration_are_per_path() {
    let a = with(&[("project.config.json", r#"{"appid": "touristappid"}"#)]);
    let b = with(&[]);
    let id_a = load(a.path()).unwrap().manifest.app_id;
    let id_b = load(b.path()).unwrap().manifest.app_id;
    assert_eq!(id_a.source, AppIdSource::PathHash);
    assert_ne!(id_a.id, id_b.id);
    assert_eq!(id_a, load(a.path()).unwrap().manifest.app_id, "stable across loads");
}

#[test]
fn no_app_json_is_an_error_with_a_hint() {
    let dir = TempDir::new();
    dir.write(&[("index.js", "")]);
    let diags = load(dir.path()).unwrap_err();
    let d = diags.errors().next().unwrap();
    assert_eq!(d.message, "no app.json or manifest.json at the package root");
    assert!(d.hint.is_some());
}

#[test]
fn a_missing_package_is_an_error() {
    let dir = TempDir::new();
    let diags = load(&dir.path().join("nope")).unwrap_err();
    assert!(diags.errors().next().unwrap().message.starts_with("cannot open the package: no such file"));
}

#[test]
fn links_leaving_the_package_are_refused() {
    let outside = TempDir::new();
    outside.write(&[("secret.js", "secret")]);
    let dir = with(&[]);
    std::os::unix::fs::symlink(outside.path().join("secret.js"), dir.path().join("secret.js")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("app.js"), dir.path().join("alias.js")).unwrap();
    let diags = load(dir.path()).unwrap_err();
    expect![[r#"
        secret.js: error: the link points outside the package
    "#]]
    .assert_eq(&lines(&diags));
}

#[test]
fn subpackage_limits_are_per_subpackage() {
    let dir = with(&[
        (
            "app.json",
            r#"{"pages": ["pages/index/index"], "subpackages": [{"root": "sub", "pages": ["p/p"]}]}"#,
        ),
        ("sub/p/p.wxml", ""),
        ("sub/p/p.js", ""),
    ]);
    dir.write_bytes("sub/big.bin", &vec![0u8; 2000]);
    // Run as the platform's simulator runs it: a warning, and the package loads.
    let options = LoadOptions {
        limits: Limits { subpackage_size: 1000, ..Limits::default() },
        upload: false,
        ..LoadOptions::default()
    };
    let package = Package::load(dir.path(), &options).expect("runs over the upload limit");
    let warnings: Vec<_> =
        package.warnings.iter().filter(|d| d.upload_only).map(|d| d.message.clone()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    // Checked for upload: an error.
    let options = LoadOptions { upload: true, ..options };
    let error = Package::load(dir.path(), &options).unwrap_err();
    let messages: Vec<_> = error.diagnostics.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        messages,
        [
            "subpackage `sub` is 1.95 KiB, over the limit of 1000 B; the biggest file is `sub/big.bin` (1.95 KiB)"
        ]
    );
}

#[test]
fn hostile_json_does_not_crash_the_loader() {
    let deep = format!("{{\"pages\": {}{}}}", "[".repeat(50_000), "]".repeat(50_000));
    let dir = with(&[("app.json", &deep)]);
    assert!(errors_of(dir.path()).contains("nested more than 128 levels"));

    let dir = TempDir::new();
    dir.write(MINIMAL);
    dir.write_bytes("app.json", b"{\"pages\": [\"\xff\xfe\"]}");
    assert!(errors_of(dir.path()).contains("app.json:1:13: error: the file is not valid UTF-8"));
}

#[test]
fn the_examples_load_cleanly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for name in ["todo", "showcase", "w3c-hello"] {
        let package = load(&root.join(name)).unwrap_or_else(|d| panic!("{name}: {}", lines(&d)));
        assert!(package.warnings.is_empty(), "{name}: {}", lines(&package.warnings));
    }
}

#[test]
fn an_oversized_project_config_is_refused_before_reading() {
    let dir = with(&[]);
    dir.write_bytes("project.config.json", &vec![b' '; 2 * 1024 * 1024]);
    assert!(errors_of(dir.path()).contains("more than the 1 MiB a configuration file may be"));
}

#[test]
fn floods_of_problems_are_cut_short() {
    let keys: String = (0..20_000).map(|i| format!(",\"k{i}\":0")).collect();
    let dir = with(&[("app.json", &format!("{{\"pages\":[\"pages/index/index\"]{keys}}}"))]);
    let package = load(dir.path()).unwrap();
    assert_eq!(package.warnings.len(), capsule_package::diagnostic::MAX_DIAGNOSTICS + 1);
    assert_eq!(package.warnings.0.last().unwrap().message, "too many problems; the rest are not shown");
    // Excerpts of a long line are a window, not the whole line.
    let shown = package.warnings.0[999].render(false);
    assert!(shown.len() < 600, "{shown}");
    assert!(shown.contains("\"k999\":0"), "{shown}");
}

#[test]
fn private_config_survives_packing() {
    let dir = TempDir::new();
    for (path, contents) in MINIMAL {
        dir.write(&[(&format!("src/{path}"), contents)]);
    }
    dir.write(&[
        ("project.config.json", r#"{"appid": "wx1"}"#),
        ("project.private.config.json", r#"{"miniprogramRoot": "src"}"#),
    ]);
    let package = load(dir.path()).unwrap();
    let bytes = capsule_package::pack::pack_to_bytes(&package, &mut |_, _| {}).unwrap();
    let out = TempDir::new();
    out.write_bytes("app.zip", &bytes);
    let again = load(&out.path().join("app.zip")).unwrap();
    assert_eq!(again.manifest.app_id.id, "wx1");
    assert_eq!(again.files, package.files);
}
