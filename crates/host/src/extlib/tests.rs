//! Tarballs built here, served on 127.0.0.1 by a server the test starts and stops.

#[path = "../../tests/support/npm_registry.rs"]
mod npm_registry;

use std::net::TcpListener;

use npm_registry::{Kind, Registry, sri, tgz};

use super::*;

/// A scratch folder for one test.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("capsule-extlib-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PACKAGE_JSON: &[u8] = br#"{"name": "weui-miniprogram", "version": "0.0.1-test"}"#;

fn weui_like() -> Vec<u8> {
    tgz(&[
        ("package/package.json", Kind::File, PACKAGE_JSON),
        ("package/README.md", Kind::File, b"not mounted"),
        ("package/miniprogram_dist/dialog/dialog.json", Kind::File, br#"{"component": true}"#),
        ("package/miniprogram_dist/dialog/dialog.js", Kind::File, b"require('../_commons/0.js')"),
        ("package/miniprogram_dist/_commons/0.js", Kind::File, b"module.exports = 1"),
    ])
}

fn pin_for(tgz: &[u8]) -> Pin {
    Pin {
        name: "weui".into(),
        npm: "weui-miniprogram".into(),
        version: "0.0.1-test".into(),
        integrity: sri(tgz),
    }
}

fn store(dir: &Path, pin: &Pin, policy: FetchPolicy) -> Store {
    Store::new(dir).with_pins(vec![pin.clone()]).with_policy(policy)
}

/// What the cache folder holds besides nothing: its entries' names.
fn cache_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

const TEST_PATH: &str = "/weui-miniprogram/-/weui-miniprogram-0.0.1-test.tgz";

#[test]
fn the_pinned_weui_is_the_published_tarball() {
    let pin = &Pin::all()[0];
    assert_eq!(
        (pin.name.as_str(), pin.npm.as_str(), pin.version.as_str()),
        ("weui", "weui-miniprogram", "1.5.6")
    );
    assert_eq!(fetch::parse_sha512(&pin.integrity).unwrap().len(), 64);
}

#[test]
fn a_tarball_is_fetched_once_checked_and_installed() {
    let scratch = Scratch::new("fetch");
    let tarball = weui_like();
    let pin = pin_for(&tarball);
    let registry = Registry::serve(TEST_PATH, tarball);
    let store = store(&scratch.0, &pin, FetchPolicy::Registry(registry.url.clone()));
    let lib = store.get("weui").unwrap();
    assert_eq!(lib.version, "0.0.1-test");
    let paths: Vec<&str> = lib.files.paths().collect();
    assert_eq!(paths, ["_commons/0.js", "dialog/dialog.js", "dialog/dialog.json"]);
    assert_eq!(cache_entries(&scratch.0), ["weui-miniprogram-0.0.1-test"]);
    assert_eq!(registry.requests(), 1);

    // Another store (another run) reads the cache and asks nobody.
    let again = store_never(&scratch.0, &pin).get("weui").unwrap();
    assert_eq!(again.files, lib.files);
    assert_eq!(registry.requests(), 1);
}

fn store_never(dir: &Path, pin: &Pin) -> Store {
    store(dir, pin, FetchPolicy::Never("--production never fetches".into()))
}

#[test]
fn a_tarball_with_another_digest_is_refused_and_nothing_is_installed() {
    let scratch = Scratch::new("integrity");
    let mut pin = pin_for(&weui_like());
    pin.integrity = sri(b"something else");
    let registry = Registry::serve(TEST_PATH, weui_like());
    let store = store(&scratch.0, &pin, FetchPolicy::Registry(registry.url.clone()));
    let error = store.get("weui").unwrap_err();
    assert!(
        error.reason.contains("is not the pinned tarball, refused: its digest is sha512-"),
        "{}",
        error.reason
    );
    assert!(error.hint.as_deref().unwrap().starts_with("run `capsule fetch-extlib weui`"));
    assert_eq!(cache_entries(&scratch.0), Vec::<String>::new());
}

#[test]
fn hostile_tarballs_are_refused_whole() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            tgz(&[("package/../../escape.js", Kind::File, b"x")]),
            "entry `package/../../escape.js` has a `..` component that leaves the package",
        ),
        (tgz(&[("/etc/passwd", Kind::File, b"x")]), "entry `/etc/passwd` is an absolute path"),
        (
            tgz(&[("package/miniprogram_dist/a.js", Kind::Symlink("/etc/passwd"), b"")]),
            "entry `package/miniprogram_dist/a.js` is a symbolic link, not a file; links are refused",
        ),
        (
            tgz(&[("package/miniprogram_dist/a.js", Kind::HardLink("package/x"), b"")]),
            "entry `package/miniprogram_dist/a.js` is a hard link, not a file; links are refused",
        ),
        (
            tgz(&[("package/a.js", Kind::File, b"1"), ("package/./a.js", Kind::File, b"2")]),
            "entry `package/./a.js` appears twice",
        ),
        (tgz(&[("package/zeros", Kind::File, &vec![0u8; 4 * 1024 * 1024])]), "unpacks to more than"),
        (b"not gzip at all".to_vec(), "damaged"),
    ];
    for (tarball, expected) in cases {
        let error = match unpack_tgz(&tarball) {
            Ok(_) => panic!("{expected}: unpacked"),
            Err(e) => e,
        };
        assert!(error.contains(expected), "{error} (expected {expected})");
    }
    // And through the store: refused after the digest matched, and nothing installed.
    let scratch = Scratch::new("hostile");
    let hostile = tgz(&[("package/package.json", Kind::File, PACKAGE_JSON), ("../x", Kind::File, b"x")]);
    let pin = pin_for(&hostile);
    let error = Store::new(&scratch.0).install_tgz(&pin, &hostile, "hostile.tgz").unwrap_err();
    assert_eq!(
        error,
        ExtlibError::Refused {
            from: "hostile.tgz".into(),
            reason: "entry `../x` has a `..` component that leaves the package".into()
        }
    );
    assert_eq!(cache_entries(&scratch.0), Vec::<String>::new());
}

#[test]
fn a_tarball_of_another_package_is_refused() {
    let scratch = Scratch::new("other");
    let other = tgz(&[
        ("package/package.json", Kind::File, br#"{"name": "left-pad", "version": "0.0.1-test"}"#),
        ("package/miniprogram_dist/a.js", Kind::File, b""),
    ]);
    let error = Store::new(&scratch.0).install_tgz(&pin_for(&other), &other, "x.tgz").unwrap_err();
    assert_eq!(
        error.to_string(),
        "x.tgz is refused: its package.json names `left-pad`, not `weui-miniprogram`"
    );
}

#[test]
fn no_cache_and_no_registry_says_how_to_get_it() {
    let scratch = Scratch::new("offline");
    let pin = pin_for(&weui_like());
    // A port nobody listens on: bound, then let go.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let store = store(&scratch.0, &pin, FetchPolicy::Registry(format!("http://127.0.0.1:{port}")));
    let error = store.get("weui").unwrap_err();
    assert!(error.reason.starts_with("it is not in Capsule's cache ("), "{}", error.reason);
    assert!(
        error.reason.contains(&format!("cannot fetch http://127.0.0.1:{port}{TEST_PATH}: ")),
        "{}",
        error.reason
    );
    assert!(error.hint.unwrap().contains("capsule fetch-extlib weui --from PATH"));

    let registry = Registry::serve(TEST_PATH, weui_like());
    let error = store_never(&scratch.0, &pin).get("weui").unwrap_err();
    assert!(error.reason.ends_with("and --production never fetches"), "{}", error.reason);
    assert_eq!(registry.requests(), 0);
}

#[test]
fn a_folder_the_user_names_is_installed_as_it_is() {
    let scratch = Scratch::new("folder");
    let npm = scratch.0.join("node_modules/weui-miniprogram");
    std::fs::create_dir_all(npm.join("miniprogram_dist/dialog")).unwrap();
    std::fs::write(npm.join("package.json"), br#"{"name": "weui-miniprogram", "version": "1.4.1"}"#).unwrap();
    std::fs::write(npm.join("miniprogram_dist/dialog/dialog.js"), b"Component({})").unwrap();
    let pin = pin_for(&weui_like());
    let cache = scratch.0.join("cache");
    let store = store_never(&cache, &pin);
    let installed = store.install_from(&pin, &npm).unwrap();
    assert_eq!((installed.version.as_str(), installed.files), ("1.4.1", 1));
    let lib = store.get("weui").unwrap();
    assert_eq!(lib.files.text("dialog/dialog.js"), Some("Component({})"));

    // A tarball the user has is checked against the pin like a fetched one.
    let tarball = scratch.0.join("weui.tgz");
    std::fs::write(&tarball, tgz(&[("package/package.json", Kind::File, PACKAGE_JSON)])).unwrap();
    let error = store.install_from(&pin, &tarball).unwrap_err();
    assert!(matches!(error, ExtlibError::Integrity { .. }), "{error}");
    std::fs::write(&tarball, weui_like()).unwrap();
    store.install_from(&pin, &tarball).unwrap();
    assert_eq!(store.get("weui").unwrap().version, "0.0.1-test");
    assert_eq!(cache_entries(&cache), ["weui-miniprogram-0.0.1-test"]);
}
