//! A package whose project.config.json turns on the compiler plugins, loaded with the compiler:
//! what the loader makes of its TypeScript and Sass, and of their mistakes.

use std::path::PathBuf;

use capsule_compile::Compiler;
use capsule_package::{LoadOptions, Package};
use capsule_style::Scope;

/// A scratch package folder for one test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, files: &[(&str, &str)]) -> Scratch {
        let path = std::env::temp_dir().join(format!("capsule-compile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        for (file, text) in files {
            let full = path.join(file);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        Scratch(path)
    }

    fn load(&self, upload: bool) -> Result<Package, capsule_package::LoadError> {
        let options =
            LoadOptions { upload, compiler: Some(Compiler::in_memory().shared()), ..LoadOptions::default() };
        Package::load(&self.0, &options)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PLUGINS: (&str, &str) = (
    "project.config.json",
    r#"{"setting": {"useCompilerPlugins": ["typescript", {"type": "sass", "option": {}}]}}"#,
);
const APP_JSON: (&str, &str) = ("app.json", r#"{"pages": ["pages/index/index"]}"#);
const PAGE_WXML: (&str, &str) = ("pages/index/index.wxml", r#"<view class="box">x</view>"#);
const PAGE_TS: (&str, &str) = ("pages/index/index.ts", "const n: number = 1;\nPage({ data: { n } });\n");

#[test]
fn a_scss_page_style_with_variables_nesting_and_a_partial_applies_to_its_page() {
    let app = Scratch::new(
        "scss",
        &[
            PLUGINS,
            APP_JSON,
            PAGE_WXML,
            PAGE_TS,
            ("styles/_theme.scss", "$gap: 8rpx;\n$brand: #07c160;\n"),
            (
                "pages/index/index.scss",
                r#"@import '../../styles/theme';
.box {
  color: $brand;
  .inner { padding: $gap * 2; }
}
"#,
            ),
            ("app.scss", "@import 'styles/theme';\npage { background: $brand; }\n"),
        ],
    );
    let package = app.load(false).unwrap();
    assert!(package.warnings.is_empty(), "{:?}", package.warnings);
    let (styles, diags) = capsule_style::compile_package(&package);
    assert!(diags.is_empty(), "{diags:?}");
    let route = "pages/index/index";
    expect_test::expect![[r#"
        wx-page[data-route="pages/index/index"] .box {color: #07c160}
        wx-page[data-route="pages/index/index"] .box .inner {padding: calc(16 * var(--rpx))}
    "#]]
    .assert_eq(&styles.pages[route].to_css(Scope::Page(route)));
    assert!(styles.app.unwrap().to_css(Scope::Global).contains("background: #07c160"));
    // What was made is known, and packing writes the sources, not it.
    assert_eq!(package.generated("pages/index/index.wxss").unwrap().source, "pages/index/index.scss");
    let zip = capsule_package::pack::pack_to_bytes(&package, &mut |_, _| {}).unwrap();
    let names: Vec<String> =
        zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap().file_names().map(str::to_string).collect();
    assert!(names.contains(&"pages/index/index.scss".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with(".wxss") || n.ends_with("index.js")), "{names:?}");
}

#[test]
fn a_scss_error_is_located_in_the_file_that_has_it() {
    let app = Scratch::new(
        "scss-error",
        &[
            PLUGINS,
            APP_JSON,
            PAGE_WXML,
            PAGE_TS,
            ("styles/_theme.scss", "$gap: 8rpx;\n.a { margin: $nothing; }\n"),
            ("pages/index/index.scss", "@import '../../styles/theme';\n.box { color: red; }\n"),
            ("pages/other/other.scss", "@import '../../styles/theme';\n"),
            ("app.scss", ".a {\n  color: red;\n  b { ;;; }\n}}\n"),
        ],
    );
    let package = app.load(false).expect("a style that does not compile leaves the app running");
    let errors: Vec<String> =
        package.warnings.errors().map(|d| format!("{}: {}", d.position(), d.message)).collect();
    assert_eq!(errors, ["app.scss:4:2: unmatched \"}\".", "styles/_theme.scss:2:14: Undefined variable."]);
    // The page runs unstyled by it.
    assert_eq!(package.files.text("pages/index/index.wxss"), Some(""));
    // An upload refuses it.
    let refused = app.load(true).unwrap_err();
    assert_eq!(refused.diagnostics.errors().count(), 2);
}

#[test]
fn a_typescript_syntax_error_is_reported_at_its_place_and_the_app_still_loads() {
    let app = Scratch::new(
        "ts-error",
        &[
            PLUGINS,
            ("app.json", r#"{"pages": ["pages/index/index", "pages/broken/broken"]}"#),
            PAGE_WXML,
            PAGE_TS,
            ("pages/broken/broken.wxml", "<view/>"),
            ("pages/broken/broken.ts", "const ok: number = 1;\nlet x: number = ;\n"),
        ],
    );
    let package = app.load(false).unwrap();
    let error = package.warnings.errors().next().expect("the syntax error");
    assert_eq!(
        (error.position().as_str(), error.message.as_str()),
        ("pages/broken/broken.ts:2:17", "Unexpected token")
    );
    assert!(error.page_only);
    // Its page's script throws the same, pointing at the .ts.
    let stub = package.files.text("pages/broken/broken.js").unwrap();
    assert!(stub.contains("pages/broken/broken.ts:2:17: Unexpected token"), "{stub}");
    assert_eq!(
        package.original_positions("at <anonymous> (pages/broken/broken.js:1:72)"),
        "at <anonymous> (pages/broken/broken.ts:2:17)"
    );
    assert!(app.load(true).is_err(), "an upload refuses it");
}

#[test]
fn without_the_typescript_plugin_a_ts_only_page_is_missing_its_script_with_a_hint() {
    let app = Scratch::new(
        "no-plugin",
        &[
            ("project.config.json", r#"{"setting": {"useCompilerPlugins": ["sass"]}}"#),
            APP_JSON,
            PAGE_WXML,
            PAGE_TS,
        ],
    );
    let error = app.load(false).unwrap_err();
    let d = error.diagnostics.errors().next().unwrap();
    assert_eq!(d.message, "page `pages/index/index` has no pages/index/index.js");
    assert_eq!(
        d.hint.as_deref(),
        Some(
            "pages/index/index.ts is there: list \"typescript\" in project.config.json's setting.useCompilerPlugins to compile it"
        )
    );
}

#[test]
fn a_js_beside_its_ts_is_used_and_declarations_make_nothing() {
    let app = Scratch::new(
        "beside",
        &[
            PLUGINS,
            APP_JSON,
            PAGE_WXML,
            PAGE_TS,
            ("pages/index/index.js", "Page({ data: { written: true } });\n"),
            ("typings/index.d.ts", "declare const wx: any;\n"),
            ("miniprogram_npm/lib/index.ts", "export const a: number = 1;\n"),
            ("miniprogram_npm/lib/index.js", "exports.a = 1;\n"),
        ],
    );
    let package = app.load(false).unwrap();
    assert_eq!(package.files.text("pages/index/index.js"), Some("Page({ data: { written: true } });\n"));
    assert!(package.generated("pages/index/index.js").is_none());
    assert!(!package.files.contains("typings/index.js"));
    let warnings: Vec<String> =
        package.warnings.iter().map(|d| format!("{}: {}", d.file, d.message)).collect();
    assert_eq!(
        warnings,
        ["pages/index/index.ts: not compiled: `pages/index/index.js` beside it is used instead"]
    );
}

#[test]
fn use_compiler_plugins_takes_the_forms_the_tools_write_and_warns_about_others() {
    for (setting, plugins) in [
        (r#"false"#, false),
        (r#"["typescript"]"#, true),
        (r#"[{"type": "typescript", "option": {}}]"#, true),
    ] {
        let app = Scratch::new(
            "forms",
            &[
                ("project.config.json", &format!(r#"{{"setting": {{"useCompilerPlugins": {setting}}}}}"#)),
                APP_JSON,
                PAGE_WXML,
                PAGE_TS,
            ],
        );
        assert_eq!(app.load(false).is_ok(), plugins, "{setting}");
    }
    let app = Scratch::new(
        "unknown",
        &[
            ("project.config.json", r#"{"setting": {"useCompilerPlugins": ["typescript", "stylus", 3]}}"#),
            APP_JSON,
            PAGE_WXML,
            PAGE_TS,
        ],
    );
    let package = app.load(false).unwrap();
    let warnings: Vec<String> =
        package.warnings.iter().map(|d| format!("{}: {}", d.position(), d.message)).collect();
    assert_eq!(
        warnings,
        [
            "project.config.json:1:51: unknown compiler plugin \"stylus\": the tools know typescript, less and sass",
            "project.config.json:1:61: \"setting.useCompilerPlugins[2]\" must be a plugin name or {\"type\": name}"
        ]
    );
}

#[test]
fn less_is_not_compiled_and_the_load_says_so() {
    let app = Scratch::new(
        "less",
        &[
            ("project.config.json", r#"{"setting": {"useCompilerPlugins": ["typescript", "less"]}}"#),
            APP_JSON,
            PAGE_WXML,
            PAGE_TS,
            ("pages/index/index.less", "@c: red; .box { color: @c; }"),
        ],
    );
    let package = app.load(false).unwrap();
    assert!(!package.files.contains("pages/index/index.wxss"));
    let d = package.warnings.iter().next().unwrap();
    assert_eq!(
        d.message,
        "useCompilerPlugins lists \"less\", but this build of capsule has no less compiler: its files are not compiled"
    );
}
