//! The engine on its own: budgets, modules and the bytecode cache.

mod common;

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use capsule_js::bytecode::{CacheMode, configure};
use capsule_js::{Arg, Engine, Limits, Outcome};
use capsule_package::Package;
use common::{Recorder, on_logic_thread};

fn package(app_js: &str) -> Arc<Package> {
    common::package(&[("app.js", app_js)])
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
fn positions_on_line_one_are_the_sources_own_columns() {
    // Minified code is all line 1: the module's wrapper must not shift its columns.
    let (outcome, _) = launch("App({ onLaunch() { let = ; } })", Limits::default());
    let Outcome::Threw(e) = outcome else { panic!("{outcome:?}") };
    assert!(e.stack.contains("app.js:1:26"), "{e}");
    let (outcome, _) = launch("App({ onLaunch() { null.x } })", Limits::default());
    let Outcome::Threw(e) = outcome else { panic!("{outcome:?}") };
    assert!(e.stack.contains("app.js:1:20"), "{e}");
    let (outcome, _) = launch("App({ onLaunch() {\n  null.x } })", Limits::default());
    let Outcome::Threw(e) = outcome else { panic!("{outcome:?}") };
    assert!(e.stack.contains("app.js:2:3"), "{e}");
}

#[test]
fn a_file_cut_short_is_reported_at_its_own_end_where_check_reports_it() {
    // The engine reads on into the module wrapper's tail: the place it names is past the file.
    for (app_js, place) in [
        ("App({\n  a: 1\n", "app.js:3:1"),
        ("App({\n  a: 1", "app.js:2:7"),
        ("App({\n  a: 1 // note", "app.js:2:15"),
    ] {
        let (outcome, _) = launch(app_js, Limits::default());
        let Outcome::Threw(e) = outcome else { panic!("{outcome:?}") };
        assert!(e.message.starts_with("SyntaxError"), "{e}");
        assert!(e.stack.contains(place), "{app_js:?}: {e}");
        let checked = capsule_js::syntax_errors(&package(app_js));
        let first = checked.errors().next().unwrap_or_else(|| panic!("{app_js:?}: no error"));
        assert_eq!(first.position(), place, "{app_js:?}");
    }
}

#[test]
fn framework_functions_keep_no_source_text_and_the_packages_do() {
    let (outcome, logs) = launch(
        "console.log(String(Page).includes('pageDefs'), String(function f() { return 1 }))",
        Limits::default(),
    );
    assert_eq!(outcome, Outcome::Returned(None), "{logs:?}");
    assert_eq!(logs, ["false function f() { return 1 }"]);
    // What that leaves in a fresh engine's heap: its script functions' bytes are under the
    // framework's source size (they were 150 KB with it).
    let functions = on_logic_thread(|| {
        let engine =
            Engine::new(package("App({})"), Limits::default(), Rc::new(Recorder::default())).unwrap();
        engine.heap_breakdown().functions
    });
    assert!(functions.0 > 100 && functions.1 < 100_000, "{functions:?}");
}

#[test]
fn positions_on_line_one_of_an_es_module_are_the_sources_own_columns() {
    // An ES module's prelude shares its first line: reported columns leave it out.
    let run = |app_js: &'static str| {
        on_logic_thread(move || {
            let package = common::package(&[("app.js", app_js), ("a.js", "export default 1")]);
            let engine = Engine::new(package, Limits::default(), Rc::new(Recorder::default())).unwrap();
            match engine.call("launchApp", &[Arg::Json(serde_json::json!({}))]) {
                Outcome::Threw(e) => e.stack,
                other => panic!("{other:?}"),
            }
        })
    };
    let stack = run("import a from './a'; App({ onLaunch() { null.x } })");
    assert!(stack.contains("app.js:1:41"), "{stack}");
    let stack = run("import a from './a'; module.exports = 1; App({ onLaunch() { null.x } })");
    assert!(stack.contains("app.js:1:61"), "{stack}");
    let stack = run("import a from './a'; export const q = ; App({})");
    assert!(stack.contains("app.js:1:39"), "{stack}");
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
    // The minute's budget runs out before the callback's: a loop that runs until stopped (not
    // one timed by the wall clock, which a loaded machine would stretch past the CPU used).
    let limits = Limits {
        cpu_per_minute: Duration::from_millis(50),
        callback_cpu: Duration::from_secs(600),
        ..Limits::default()
    };
    let (outcome, _) = launch("App({ onLaunch() { for (;;) {} } })", limits);
    assert_eq!(outcome, Outcome::Terminated("CPU time limit 50 ms per minute exceeded".into()));
}
