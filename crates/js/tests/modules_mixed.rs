//! ES modules and CommonJS in one package, as the platform's compiler allows them: each test
//! is a small package whose `app.js` logs what it sees.

mod common;

use std::rc::Rc;
use std::sync::Arc;

use capsule_js::{Arg, Engine, Limits, Outcome};
use capsule_package::Package;
use common::Recorder;

fn package(_name: &str, files: &[(&str, &str)]) -> Arc<Package> {
    // The app script is the test's: an empty one unless it gives its own.
    let files: Vec<(&str, &str)> = [("app.js", "")].into_iter().chain(files.iter().copied()).collect();
    common::package(&files)
}

/// Launches the app on a thread with a logic thread's stack, as instances always run.
fn launch(name: &'static str, files: &'static [(&'static str, &'static str)]) -> (Outcome, Vec<String>) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let natives = Rc::new(Recorder::default());
            let engine = Engine::new(package(name, files), Limits::default(), natives.clone()).unwrap();
            let outcome = engine.call("launchApp", &[Arg::Json(serde_json::json!({}))]);
            let logs = natives.logs.borrow().clone();
            (outcome, logs)
        })
        .unwrap()
        .join()
        .unwrap()
}

fn logs(name: &'static str, files: &'static [(&'static str, &'static str)]) -> Vec<String> {
    let (outcome, logs) = launch(name, files);
    assert!(matches!(outcome, Outcome::Returned(_)), "{outcome:?} {logs:?}");
    logs
}

/// Shaped like the chart and utility libraries' minified builds: the factory's `exports`
/// parameter is renamed, so no reading of the source finds the names.
const UMD: &str = r#"!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?t(exports):"function"==typeof define&&define.amd?define(["exports"],t):t((e=e||self).lib={})}(this,function(n){n.add=function(a,b){return a+b};n.version="1.0";Object.defineProperty(n,"__esModule",{value:!0})});"#;

#[test]
fn a_minified_umd_bundle_imports_as_a_namespace_and_by_name() {
    static FILES: &[(&str, &str)] = &[
        ("libs/lib.min.js", UMD),
        (
            "app.js",
            "import * as lib from './libs/lib.min.js';\nimport { add, version } from './libs/lib.min';\n\
             console.log(lib.add(1, 2), add(3, 4), version, lib.version, lib.__esModule);\nApp({})",
        ),
    ];
    assert_eq!(logs("umd", FILES), ["3 7 1.0 1.0 true"]);
}

#[test]
fn default_imports_follow_babel_interop() {
    static FILES: &[(&str, &str)] = &[
        ("utils/plain.js", "module.exports = function (n) { return n * 2 };\nmodule.exports.half = 0.5;"),
        (
            "utils/compiled.js",
            "Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = 'the default';\nexports.other = 1;",
        ),
        (
            "app.js",
            "import twice, { half } from './utils/plain';\nimport d, { other } from './utils/compiled';\n\
             import * as c from './utils/compiled';\n\
             console.log(twice(2), half, d, other, c.default, c.other);\nApp({})",
        ),
    ];
    assert_eq!(logs("interop", FILES), ["4 0.5 the default 1 the default 1"]);
}

#[test]
fn a_file_may_import_and_assign_module_exports() {
    static FILES: &[(&str, &str)] = &[
        ("utils/math.js", "export const square = n => n * n;"),
        (
            "utils/mixed.js",
            "import { square } from './math';\nconst base = require('./base');\n\
             module.exports = { area: r => base.pi * square(r) };\nexports.ignored = true;",
        ),
        ("utils/base.js", "exports.pi = 3;"),
        ("utils/names.js", "import './math';\nexports.name = 'names';"),
        (
            "app.js",
            "import mixed, { area } from './utils/mixed';\nimport * as names from './utils/names';\n\
             const required = require('./utils/mixed');\n\
             console.log(mixed.area(2), area(1), required === mixed, names.name, names.default.name);\nApp({})",
        ),
    ];
    assert_eq!(logs("mixed", FILES), ["12 3 true names names"]);
}

#[test]
fn a_file_may_export_and_require() {
    static FILES: &[(&str, &str)] = &[
        ("utils/cjs.js", "exports.greet = who => 'hi ' + who;"),
        (
            "utils/esm.js",
            "const { greet } = require('./cjs');\nexport const hello = greet('esm');\nexport default 42;",
        ),
        (
            "app.js",
            "const esm = require('./utils/esm');\n\
             function interop(m) { return m && m.__esModule ? m : { default: m } }\n\
             console.log(esm.hello, esm.default, interop(esm).default, Object.keys(esm).sort().join());\nApp({})",
        ),
    ];
    assert_eq!(logs("export-require", FILES), ["hi esm 42 42 default,hello"]);
}

#[test]
fn cycles_between_the_two_kinds_see_what_node_and_babel_give() {
    static FILES: &[(&str, &str)] = &[
        // CommonJS → ES module → CommonJS: the ES module is required while `a` runs, and
        // sees `a`'s exports as far as `a` got.
        (
            "utils/a.js",
            "exports.early = 'early';\nconst b = require('./b');\nexports.late = 'late';\nexports.b = b;",
        ),
        (
            "utils/b.js",
            "import { early } from './a';\nimport * as a from './a';\nexport const seen = early + ',' + a.late;\nexport function later() { return require('./a').late }",
        ),
        // ES module → CommonJS → the same ES module: `require` gives its live exports.
        (
            "utils/c.js",
            "import './d';\nexport function hello() { return 'c' }\nexport let count = 1;\ncount = 2;",
        ),
        ("utils/d.js", "const c = require('./c');\nexports.check = () => c.hello() + c.count;"),
        (
            "app.js",
            "const a = require('./utils/a');\nconsole.log(a.b.seen, a.b.later());\n\
             import { check } from './utils/d';\nconsole.log(check());\nApp({})",
        ),
    ];
    assert_eq!(logs("cycles", FILES), ["early,undefined late", "c2"]);
}

#[test]
fn a_missing_export_names_the_importing_line() {
    static FILES: &[(&str, &str)] = &[
        ("libs/lib.min.js", UMD),
        ("app.js", "// the chart library\nimport { add, subtract } from './libs/lib.min.js';\nApp({})"),
    ];
    let (outcome, _) = launch("missing", FILES);
    let Outcome::Threw(e) = outcome else { panic!("{outcome:?}") };
    assert_eq!(
        e.message,
        "SyntaxError: app.js:2: `subtract` is not exported by libs/lib.min.js, a CommonJS file whose \
         module.exports has add, version"
    );
}

#[test]
fn a_missing_export_of_an_es_module_names_the_importing_line() {
    static FILES: &[(&str, &str)] = &[
        ("utils/esm.js", "export const a = 1;"),
        ("app.js", "\nimport { a, b } from './utils/esm';\nApp({})"),
    ];
    let (outcome, _) = launch("missing-esm", FILES);
    let Outcome::Threw(e) = outcome else { panic!("{outcome:?}") };
    assert_eq!(e.message, "SyntaxError: app.js:2: `b` is not exported by utils/esm.js");
}

#[test]
fn an_error_inside_an_imported_commonjs_file_points_at_it() {
    static FILES: &[(&str, &str)] = &[
        ("utils/broken.js", "exports.ok = 1;\nnull.boom;"),
        ("app.js", "import { ok } from './utils/broken';\nApp({})"),
    ];
    let (outcome, _) = launch("broken", FILES);
    let Outcome::Threw(e) = outcome else { panic!("{outcome:?}") };
    assert!(e.message.starts_with("TypeError"), "{e:?}");
    assert!(e.stack.contains("utils/broken.js:2"), "{e:?}");
}

#[test]
fn an_es_module_imported_and_required_during_linking_runs_once() {
    static FILES: &[(&str, &str)] = &[
        ("utils/e.js", "console.log('e runs');\nexport const n = 1;"),
        ("utils/x.js", "const e = require('./e');\nexports.n = e.n + 1;"),
        (
            "app.js",
            "import { n } from './utils/e';\nimport x from './utils/x';\nconsole.log(n, x.n);\nApp({})",
        ),
    ];
    assert_eq!(logs("shared", FILES), ["e runs", "1 2"]);
}
