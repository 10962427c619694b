//! What the engine tests share: natives that record the console and do nothing else, and
//! packages written to a folder of their own and loaded.
#![allow(dead_code)]

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use capsule_js::Natives;
use capsule_package::{LoadOptions, Package};

/// Natives that keep what the console said and answer everything else with nothing.
#[derive(Default)]
pub struct Recorder {
    pub logs: RefCell<Vec<String>>,
}

impl Natives for Recorder {
    fn log(&self, _level: &str, text: &str, _source: &str) {
        self.logs.borrow_mut().push(text.to_string());
    }
    fn set_timer(&self, _: u32, _: f64, _: bool, _: bool) -> Result<(), String> {
        Ok(())
    }
    fn clear_timer(&self, _: u32) {}
    fn set_data(
        &self,
        _: u32,
        _: Vec<(Vec<String>, serde_json::Value)>,
        _: usize,
        _: &capsule_js::WxsAccess<'_, '_>,
    ) -> Result<String, String> {
        Ok(String::new())
    }
    fn navigate(&self, _: u32, _: &str, _: &str) -> Result<(), String> {
        Ok(())
    }
    fn view_call(&self, _: u32, _: &str, _: &str) {}
}

/// The files of a one-page app (`app.json`, `app.js`, `pages/a/a.*`), over which `files` are
/// written (a later file of the same path wins).
pub const ONE_PAGE: [(&str, &str); 4] = [
    ("app.json", r#"{"pages": ["pages/a/a"]}"#),
    ("app.js", "App({})"),
    ("pages/a/a.wxml", "<view/>"),
    ("pages/a/a.js", "Page({})"),
];

/// The one-page app with `files` written over it, loaded from a folder of its own (tests run
/// at once) that is gone again once the package is in memory.
pub fn package(files: &[(&str, &str)]) -> Arc<Package> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("capsule-js-test-{}-{n}", std::process::id()));
    package_in(&dir, files)
}

/// [`package`], written in `dir` (emptied first, removed after).
pub fn package_in(dir: &std::path::Path, files: &[(&str, &str)]) -> Arc<Package> {
    let _ = std::fs::remove_dir_all(dir);
    for (path, text) in ONE_PAGE.iter().chain(files) {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let package = Package::load(dir, &LoadOptions::default()).unwrap();
    let _ = std::fs::remove_dir_all(dir);
    Arc::new(package)
}

/// Runs `f` on a thread with a logic thread's stack, as instances always run.
pub fn on_logic_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(8 << 20).spawn(f).unwrap().join().unwrap()
}
