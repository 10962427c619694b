//! Packages written to a fresh temporary folder for one test, removed afterwards.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use capsule_package::{Diagnostics, LoadOptions, Package};

pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("capsule-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes each `(path, contents)` below the folder.
    pub fn write(&self, files: &[(&str, &str)]) -> &TempDir {
        for (path, contents) in files {
            self.write_bytes(path, contents.as_bytes());
        }
        self
    }

    pub fn write_bytes(&self, path: &str, bytes: &[u8]) {
        let full = self.path.join(path);
        std::fs::create_dir_all(full.parent().expect("has parent")).expect("create dirs");
        std::fs::write(full, bytes).expect("write file");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A minimal valid WeChat mini-program: one page.
pub const MINIMAL: &[(&str, &str)] = &[
    ("app.json", r#"{"pages": ["pages/index/index"]}"#),
    ("app.js", "App({})"),
    ("pages/index/index.wxml", "<view>hi</view>"),
    ("pages/index/index.js", "Page({})"),
];

/// Loads `dir` with default options.
pub fn load(dir: &Path) -> Result<Package, Diagnostics> {
    Package::load(dir, &LoadOptions::default()).map_err(|e| e.diagnostics)
}

/// Each diagnostic as `file:line:col: severity: message`, one per line.
pub fn lines(diags: &Diagnostics) -> String {
    diags.iter().map(|d| format!("{d}\n")).collect()
}

/// The diagnostics of a load for upload (`capsule pack`, `--production`) that must fail.
pub fn upload_errors_of(dir: &Path) -> String {
    match Package::load(dir, &LoadOptions { upload: true, ..LoadOptions::default() }) {
        Ok(p) => panic!("expected the load to fail; warnings: {}", lines(&p.warnings)),
        Err(e) => lines(&e.diagnostics),
    }
}

/// The diagnostics of a load that must fail.
pub fn errors_of(dir: &Path) -> String {
    match load(dir) {
        Ok(p) => panic!("expected the load to fail; warnings: {}", lines(&p.warnings)),
        Err(diags) => lines(&diags),
    }
}
