//! The engine on its own: budgets, modules and the bytecode cache.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use capsule_js::bytecode::{CacheMode, configure};
use capsule_js::{Arg, Engine, Limits, Natives, Outcome};
use capsule_package::{LoadOptions, Package};

#[derive(Default)]
struct Recorder {
    logs: RefCell<Vec<String>>,
}

impl Natives for Recorder {
    fn log(&self, _level: &str, text: &str, _source: &str) {
        self.logs.borrow_mut().push(text.to_string());
    }
    fn set_timer(&self, _: u32, _: f64, _: bool) -> Result<(), String> {
        Ok(())
    }
    fn clear_timer(&self, _: u32) {}
    fn set_data(&self, _: u32, _: &str, _: &capsule_js::WxsAccess<'_, '_>) -> Result<String, String> {
        Ok(String::new())
    }
    fn navigate(&self, _: u32, _: &str, _: &str) -> Result<(), String> {
        Ok(())
    }
    fn view_call(&self, _: u32, _: &str, _: &str) {}
}

fn package(app_js: &str) -> Arc<Package> {
    let dir = std::env::temp_dir().join(format!("capsule-js-{}-{}", std::process::id(), app_js.len()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in [
        ("app.json", r#"{"pages": ["pages/a/a"]}"#),
        ("app.js", app_js),
        ("pages/a/a.wxml", "<view/>"),
        ("pages/a/a.js", "Page({})"),
    ] {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let package = Package::load(&dir, &LoadOptions::default()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Arc::new(package)
}

/// Runs `f` on a thread with a logic thread's stack, as instances always run.
fn on_logic_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(8 << 20).spawn(f).unwrap().join().unwrap()
}

fn launch(app_js: &'static str, limits: Limits) -> (Outcome, Vec<String>) {
    on_logic_thread(move || {
        let natives = Rc::new(Recorder::default());
        let engine = Engine::new(package(app_js), limits, natives.clone()).unwrap();
        let outcome = engine.call("launchApp", &[Arg::Json(serde_json::json!({}))]);
        let logs = natives.logs.borrow().clone();
        (outcome, logs)
    })
}

#[test]
fn every_cache_mode_runs_the_same_code() {
    let dir = std::env::temp_dir().join(format!("capsule-bc-{}", std::process::id()));
    for mode in
        [CacheMode::Off, CacheMode::Memory, CacheMode::Disk(dir.clone()), CacheMode::Disk(dir.clone())]
    {
        configure(mode.clone());
        let (outcome, logs) =
            launch("App({ onLaunch() { console.log('launched ' + (1 + 1)) } })", Limits::default());
        assert_eq!(outcome, Outcome::Returned(None), "{mode:?}");
        assert_eq!(logs, ["launched 2"], "{mode:?}");
    }
    assert!(std::fs::read_dir(&dir).unwrap().count() >= 2, "the framework and app.js were written");
    // A changed source is a new key: never old bytecode for new code.
    let (_, logs) = launch("App({ onLaunch() { console.log('changed') } })", Limits::default());
    assert_eq!(logs, ["changed"]);
    // An unwritable cache folder is not an error.
    configure(CacheMode::Disk("/proc/capsule-cannot-write-here".into()));
    let (outcome, _) = launch("App({})", Limits::default());
    assert_eq!(outcome, Outcome::Returned(None));
    configure(CacheMode::Memory);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn syntax_errors_name_the_file_and_line() {
    let (outcome, _) = launch("App({\n  onLaunch() {\n    let = ;\n  }\n})", Limits::default());
    let Outcome::Threw(e) = outcome else { panic!("{outcome:?}") };
    assert!(e.message.starts_with("SyntaxError"), "{e}");
    assert!(e.stack.contains("app.js:3"), "{e}");
}

#[test]
fn budgets_name_the_limit() {
    let limits = Limits { callback_cpu: Duration::from_millis(100), ..Limits::default() };
    let (outcome, _) = launch("App({ onLaunch() { for (;;) {} } })", limits);
    assert_eq!(outcome, Outcome::Terminated("CPU time limit 100 ms exceeded".into()));
    let limits = Limits { heap: 8 * 1024 * 1024, ..Limits::default() };
    let (outcome, _) =
        launch("App({ onLaunch() { const a = []; for (;;) a.push({ n: a.length }) } })", limits);
    assert_eq!(outcome, Outcome::Terminated("heap limit 8 MiB exceeded".into()));
    let limits = Limits { cpu_per_minute: Duration::from_millis(50), ..Limits::default() };
    let (outcome, _) =
        launch("App({ onLaunch() { const end = Date.now() + 80; while (Date.now() < end) {} } })", limits);
    assert_eq!(outcome, Outcome::Terminated("CPU time limit 50 ms per minute exceeded".into()));
}
