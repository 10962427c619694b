//! The disk cache of compiled scripts: a file is checked before QuickJS sees it, and one that
//! does not match what it should hold is compiled again and replaced, the instance none the
//! wiser. Each test keeps its files in a folder of its own, through a cache of its own.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use capsule_js::bytecode::{Cache, CacheMode};
use capsule_js::{Arg, Engine, Limits, Outcome};
use capsule_package::Package;

/// A folder of the test's own, empty.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capsule-bytecode-cache-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn package(dir: &Path, app_js: &str) -> Arc<Package> {
    common::package_in(dir, &[("app.js", app_js)])
}

/// Launches the app with a fresh cache on `cache_dir` (nothing in memory, so every script is
/// looked for on disk), on a thread with a logic thread's stack: what it logged.
fn launch(package: &Arc<Package>, cache_dir: &Path) -> Vec<String> {
    let (package, cache_dir) = (package.clone(), cache_dir.to_path_buf());
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let console = Rc::new(common::Recorder::default());
            let cache = Cache::new(CacheMode::Disk(cache_dir));
            let engine = Engine::with_cache(package, Limits::default(), console.clone(), cache).unwrap();
            let outcome = engine.call("launchApp", &[Arg::Json(serde_json::json!({}))]);
            assert_eq!(outcome, Outcome::Returned(None));
            assert_eq!(engine.terminated(), None);
            console.logs.take()
        })
        .unwrap()
        .join()
        .unwrap()
}

/// The cache files in `dir`, by name (temp files left over would show here too).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().into_string().unwrap(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// What a first launch left in the cache folder: the prelude's, the framework's and app.js's files.
struct Filled {
    app: Arc<Package>,
    files: BTreeMap<String, Vec<u8>>,
    /// The name of app.js's file (the one not there after the framework alone).
    app_js: String,
}

/// Makes the app of `app_js` and launches it once on an empty `cache_dir`, which logs `logs`.
fn fill(test: &str, cache_dir: &Path, app_js: &str, logs: &str) -> Filled {
    let app = package(&folder(&format!("{test}-package")), app_js);
    // The prelude and the framework alone first, so app.js's file is the one the launch adds.
    let framework_only = {
        let (app, dir) = (app.clone(), cache_dir.to_path_buf());
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                let cache = Cache::new(CacheMode::Disk(dir));
                drop(
                    Engine::with_cache(app, Limits::default(), Rc::new(common::Recorder::default()), cache)
                        .unwrap(),
                );
            })
            .unwrap()
            .join()
            .unwrap();
        files(cache_dir)
    };
    assert_eq!(framework_only.len(), 2, "{:?}", framework_only.keys());
    assert_eq!(launch(&app, cache_dir), [logs]);
    let files = files(cache_dir);
    let added: Vec<&String> = files.keys().filter(|k| !framework_only.contains_key(*k)).collect();
    assert_eq!(added.len(), 1, "{:?}", files.keys());
    let app_js = added[0].clone();
    Filled { app, files, app_js }
}

const APP: &str = "App({ onLaunch() { console.log('launched') } })";

#[test]
fn a_damaged_file_is_compiled_again_and_replaced() {
    let dir = folder("damaged");
    let first = fill("damaged", &dir, APP, "launched");
    // Flip bytes in every file, the framework's too: in the header, the middle and the end.
    for (name, bytes) in &first.files {
        let mut bad = bytes.clone();
        for at in [3, 20, bad.len() / 2, bad.len() - 1] {
            bad[at] ^= 0x5a;
        }
        std::fs::write(dir.join(name), bad).unwrap();
    }
    assert_eq!(launch(&first.app, &dir), ["launched"]);
    assert_eq!(files(&dir), first.files, "each file was replaced by a good one");
    // A single flipped bit inside the bytecode alone is enough.
    let mut bad = first.files[&first.app_js].clone();
    *bad.last_mut().unwrap() ^= 1;
    std::fs::write(dir.join(&first.app_js), bad).unwrap();
    assert_eq!(launch(&first.app, &dir), ["launched"]);
    assert_eq!(files(&dir), first.files);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_truncated_file_is_compiled_again_and_replaced() {
    let dir = folder("truncated");
    let first = fill("truncated", &dir, APP, "launched");
    let whole = &first.files[&first.app_js];
    // Cut inside the bytecode, inside the header, and to nothing.
    for keep in [whole.len() - 1, whole.len() / 2, 30, 7, 0] {
        std::fs::write(dir.join(&first.app_js), &whole[..keep]).unwrap();
        assert_eq!(launch(&first.app, &dir), ["launched"], "cut to {keep} bytes");
        assert_eq!(files(&dir), first.files, "cut to {keep} bytes");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn another_scripts_valid_file_under_this_key_is_not_loaded() {
    let dir = folder("swapped");
    let ours = fill("swapped-ours", &dir, APP, "launched");
    let theirs_dir = folder("swapped-theirs-cache");
    let theirs = fill(
        "swapped-theirs",
        &theirs_dir,
        "App({ onLaunch() { console.log('the other app') } })",
        "the other app",
    );
    // Their app.js file is whole and valid, for their key: copied under ours, it would run
    // their code in our instance.
    std::fs::write(dir.join(&ours.app_js), &theirs.files[&theirs.app_js]).unwrap();
    assert_eq!(launch(&ours.app, &dir), ["launched"]);
    assert_eq!(files(&dir), ours.files, "our file is ours again");
    assert_eq!(launch(&theirs.app, &theirs_dir), ["the other app"]);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&theirs_dir);
}

#[test]
fn a_file_of_an_older_format_is_replaced() {
    let dir = folder("older");
    let first = fill("older", &dir, APP, "launched");
    let whole = &first.files[&first.app_js];
    // Bytecode without the header, as files were written before it existed; and the header
    // with another format version.
    let header = 8 + 4 + 32;
    let mut other_version = whole.clone();
    other_version[8] = 2;
    for file in [whole[header..].to_vec(), other_version, b"not bytecode at all".to_vec()] {
        std::fs::write(dir.join(&first.app_js), file).unwrap();
        assert_eq!(launch(&first.app, &dir), ["launched"]);
        assert_eq!(files(&dir), first.files);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_good_file_is_loaded_as_it_is() {
    let dir = folder("good");
    let first = fill("good", &dir, APP, "launched");
    let before: Vec<_> =
        first.files.keys().map(|k| std::fs::metadata(dir.join(k)).unwrap().modified().unwrap()).collect();
    assert_eq!(launch(&first.app, &dir), ["launched"]);
    let after: Vec<_> =
        first.files.keys().map(|k| std::fs::metadata(dir.join(k)).unwrap().modified().unwrap()).collect();
    assert_eq!(before, after, "nothing was written again");
    assert_eq!(files(&dir), first.files);
    let _ = std::fs::remove_dir_all(&dir);
}
