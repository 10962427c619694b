//! `useExtendedLib`: an app using a weui-like component from a tarball the test builds and
//! serves on 127.0.0.1 as an npm registry would, never the public registry. Each run has a
//! cache folder of its own (XDG_CACHE_HOME).

#[path = "../../host/tests/support/npm_registry.rs"]
mod npm_registry;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};

use npm_registry::{Kind, Registry, sri};

/// Where the registry serves the pinned version's tarball.
const TARBALL_PATH: &str = "/weui-miniprogram/-/weui-miniprogram-1.5.6.tgz";

/// A scratch folder for one test: the app, the cache, tarballs.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("capsule-cli-extlib-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        let scratch = Scratch(path);
        for (file, text) in APP {
            scratch.write(&format!("app/{file}"), text.as_bytes());
        }
        scratch
    }

    fn write(&self, path: &str, bytes: &[u8]) {
        let full = self.0.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }

    fn path(&self, rel: &str) -> String {
        self.0.join(rel).display().to_string()
    }

    /// The folder the library is installed in, when it is.
    fn installed(&self) -> Option<PathBuf> {
        let slot = self.0.join("cache/capsule/extlib/weui-miniprogram-1.5.6");
        slot.exists().then_some(slot)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The app: a page using the library's dialog, which uses the library's mask through a
/// relative path and requires the library's shared chunk.
const APP: &[(&str, &str)] = &[
    ("app.json", r#"{"pages": ["pages/index/index"], "useExtendedLib": {"weui": true}}"#),
    ("app.js", "App({})"),
    ("pages/index/index.json", r#"{"usingComponents": {"mp-dialog": "weui-miniprogram/dialog/dialog"}}"#),
    ("pages/index/index.wxml", "<mp-dialog title=\"{{title}}\"><view>body</view></mp-dialog>"),
    ("pages/index/index.js", "Page({data: {title: 'Hello'}})"),
];

/// A weui-like library as npm packs it: under `package/`, components in `miniprogram_dist/`.
fn library() -> Vec<(String, Vec<u8>)> {
    [
        ("package.json", r#"{"name": "weui-miniprogram", "version": "1.5.6"}"#),
        ("miniprogram_dist/_commons/0.js", "module.exports = function (name) { return 'weui-' + name }"),
        ("miniprogram_dist/dialog/dialog.json", r#"{"component": true, "usingComponents": {"mask": "../mask/mask"}}"#),
        (
            "miniprogram_dist/dialog/dialog.js",
            "var cls = require('../_commons/0.js'); Component({properties: {title: String}, data: {cls: cls('dialog')}})",
        ),
        ("miniprogram_dist/dialog/dialog.wxml", "<view class=\"{{cls}}\">{{title}}<slot/><mask/></view>"),
        ("miniprogram_dist/dialog/dialog.wxss", "@import \"../common.wxss\";"),
        ("miniprogram_dist/common.wxss", ".weui-dialog { color: red; }"),
        ("miniprogram_dist/mask/mask.json", r#"{"component": true}"#),
        ("miniprogram_dist/mask/mask.js", "Component({})"),
        ("miniprogram_dist/mask/mask.wxml", "<view class=\"weui-mask\"/>"),
    ]
    .into_iter()
    .map(|(path, text)| (format!("package/{path}"), text.as_bytes().to_vec()))
    .collect()
}

/// A gzipped tarball of files; names are written raw, so a hostile one can be made too.
fn tgz(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let files: Vec<(&str, Kind, &[u8])> =
        entries.iter().map(|(name, data)| (name.as_str(), Kind::File, data.as_slice())).collect();
    npm_registry::tgz(&files)
}

/// `capsule ARGS` with the scratch cache, `registry` and the pinned digest `integrity`.
fn capsule(scratch: &Scratch, args: &[&str], registry: &str, integrity: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(args)
        .env("XDG_CACHE_HOME", scratch.0.join("cache"))
        .env("CAPSULE_NPM_REGISTRY", registry)
        .env("CAPSULE_TEST_WEUI_INTEGRITY", integrity)
        .env_remove("CAPSULE_BYTECODE_CACHE")
        .output()
        .expect("run capsule")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A registry URL nobody answers at: a port bound, then let go.
fn unreachable() -> String {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

const RENDERED: &str = "<mp-dialog><template shadowrootmode=\"open\"><view class=\"weui-dialog\">Hello<slot></slot>\
     <mask><template shadowrootmode=\"open\"><view class=\"weui-mask\"></view></template></mask></view></template>\
     <view>body</view></mp-dialog>";

#[test]
fn exec_renders_a_component_of_the_library_fetched_once() {
    let scratch = Scratch::new("fetch");
    let tarball = tgz(&library());
    let integrity = sri(&tarball);
    let registry = Registry::serve(TARBALL_PATH, tarball);
    let app = scratch.path("app");

    let out = capsule(&scratch, &["exec", &app], &registry.url, &integrity);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim_end(), RENDERED);
    assert!(
        text(&out.stderr)
            .contains(&format!("fetching weui-miniprogram@1.5.6 from {}{TARBALL_PATH}", registry.url)),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(registry.requests(), 1);

    // From the cache from now on: check and exec ask the registry nothing, even gone.
    drop(registry);
    let out = capsule(&scratch, &["check", &app], &unreachable(), &integrity);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("(1 page, 2 components,"), "{}", text(&out.stdout));
    let out = capsule(&scratch, &["exec", &app, "--production"], &unreachable(), &integrity);
    assert_eq!(text(&out.stdout).trim_end(), RENDERED, "{}", text(&out.stderr));
    let out = capsule(&scratch, &["info", &app], &unreachable(), &integrity);
    assert!(
        text(&out.stdout).contains(
            "extended lib weui (weui-miniprogram@1.5.6, at miniprogram_npm/weui-miniprogram/; not packed)\n"
        ),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_tarball_with_another_digest_is_refused_and_nothing_is_installed() {
    let scratch = Scratch::new("integrity");
    let registry = Registry::serve(TARBALL_PATH, tgz(&library()));
    let out = capsule(&scratch, &["exec", &scratch.path("app")], &registry.url, &sri(b"another tarball"));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("is not the pinned tarball, refused: its digest is sha512-"), "{err}");
    assert!(scratch.installed().is_none());
    assert_eq!(registry.requests(), 1);
}

#[test]
fn no_cache_and_no_registry_is_an_error_saying_how_to_get_it() {
    let scratch = Scratch::new("offline");
    let registry = unreachable();
    let out = capsule(&scratch, &["check", &scratch.path("app"), "--color", "never"], &registry, &sri(b"x"));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "\nerror: the extended library `weui` (weui-miniprogram) is not available: it is not in Capsule's cache \
             ({}), and cannot fetch {registry}{TARBALL_PATH}: ",
            scratch.0.join("cache/capsule/extlib").display()
        )),
        "{err}"
    );
    assert!(err.contains(" --> app.json:1:61\n"), "{err}");
    assert!(
        err.contains("= help: run `capsule fetch-extlib weui` where the registry can be reached"),
        "{err}"
    );
}

#[test]
fn production_never_fetches() {
    let scratch = Scratch::new("production");
    let tarball = tgz(&library());
    let integrity = sri(&tarball);
    let registry = Registry::serve(TARBALL_PATH, tarball);
    let out = capsule(&scratch, &["exec", &scratch.path("app"), "--production"], &registry.url, &integrity);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("and --production never fetches"), "{}", text(&out.stderr));
    assert_eq!(registry.requests(), 0);
    assert!(scratch.installed().is_none());
}

#[test]
fn fetch_extlib_installs_from_the_registry_or_a_tarball_and_refuses_a_hostile_one() {
    let scratch = Scratch::new("fetch-extlib");
    let tarball = tgz(&library());
    let integrity = sri(&tarball);
    let registry = Registry::serve(TARBALL_PATH, tarball.clone());
    let out = capsule(&scratch, &["fetch-extlib", "--registry", &registry.url], &unreachable(), &integrity);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("installed weui-miniprogram@1.5.6 (9 files, "),
        "{}",
        text(&out.stdout)
    );
    let out = capsule(&scratch, &["fetch-extlib"], &unreachable(), &integrity);
    assert!(text(&out.stdout).starts_with("weui-miniprogram@1.5.6 is already in "), "{}", text(&out.stdout));
    assert_eq!(registry.requests(), 1);

    // A hostile tarball with the pinned digest is still refused whole; the installed one stays.
    let mut entries = library();
    entries.push(("package/../../outside.js".into(), b"x".to_vec()));
    let hostile = tgz(&entries);
    scratch.write("hostile.tgz", &hostile);
    let out = capsule(
        &scratch,
        &["fetch-extlib", "--from", &scratch.path("hostile.tgz")],
        &unreachable(),
        &sri(&hostile),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(
            "is refused: entry `package/../../outside.js` has a `..` component that leaves the package"
        ),
        "{}",
        text(&out.stderr)
    );
    assert!(scratch.installed().unwrap().join("dialog/dialog.js").exists());
    assert!(!scratch.0.join("outside.js").exists() && !scratch.0.join("cache/outside.js").exists());

    // Names and paths that lead nowhere.
    let out = capsule(&scratch, &["fetch-extlib", "kbone"], &unreachable(), &integrity);
    assert_eq!(
        (out.status.code(), text(&out.stderr).trim_end()),
        (Some(1), "error: unknown extended library `kbone`")
    );
    let missing = scratch.path("nowhere.tgz");
    let out = capsule(&scratch, &["fetch-extlib", "--from", &missing], &unreachable(), &integrity);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with(&format!("error: {missing} is refused: ")),
        "{}",
        text(&out.stderr)
    );

    // Offline, from a tarball the user has.
    let other = Scratch::new("fetch-extlib-from");
    other.write("weui.tgz", &tarball);
    let out = capsule(
        &other,
        &["fetch-extlib", "weui", "--from", &other.path("weui.tgz")],
        &unreachable(),
        &integrity,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = capsule(&other, &["exec", &other.path("app"), "--production"], &unreachable(), &integrity);
    assert_eq!(text(&out.stdout).trim_end(), RENDERED, "{}", text(&out.stderr));
}

#[test]
fn pack_leaves_the_library_out() {
    let scratch = Scratch::new("pack");
    let tarball = tgz(&library());
    let integrity = sri(&tarball);
    scratch.write("weui.tgz", &tarball);
    let out =
        capsule(&scratch, &["fetch-extlib", "--from", &scratch.path("weui.tgz")], &unreachable(), &integrity);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let zip = scratch.path("app.zip");
    let out = capsule(&scratch, &["pack", &scratch.path("app"), "-o", &zip], &unreachable(), &integrity);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("packed 5 files "), "{}", text(&out.stdout));
}
