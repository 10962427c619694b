//! `<wxs>` modules called from bindings: a module whose `module.exports` is a function is
//! called by its name (`{{ m(x) }}`), beside the usual `{{ m.fn(x) }}`; WXS code has every
//! JavaScript operator.

mod common;

use std::rc::Rc;
use std::sync::Arc;

use capsule_js::{Engine, JsError, Limits, Outcome, WxsSource};
use capsule_package::Package;
use capsule_template::compile::compile_files;
use capsule_template::render::render;
use serde_json::{Value, json};

/// A package with `pages/a/a.wxml` and the given extra files.
fn package(wxml: &str, extra: &[(&str, &str)]) -> Arc<Package> {
    let files: Vec<(&str, &str)> =
        [("pages/a/a.wxml", wxml)].into_iter().chain(extra.iter().copied()).collect();
    common::package(&files)
}

/// Compiles the page, loads its modules as the runtime does (a `src` file's code, or the
/// inline body) and renders it with `data`: the HTML and what module code threw.
fn render_page(
    wxml: &'static str,
    extra: &'static [(&'static str, &'static str)],
    data: Value,
) -> (String, Vec<JsError>) {
    // On a thread with a logic thread's stack, as instances always run.
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let package = package(wxml, extra);
            let (program, diags) = compile_files(&package.files, ["pages/a/a.wxml"]);
            assert!(diags.is_empty(), "{diags}");
            let file = program.by_path["pages/a/a.wxml"];
            let f = &program.files[file];
            let sources: Vec<WxsSource> = f
                .wxs
                .iter()
                .map(|m| match (&m.src, &m.inline) {
                    (Some(src), _) => WxsSource {
                        name: m.name.clone(),
                        path: src.clone(),
                        code: package.files.text(src).unwrap().to_string(),
                    },
                    (None, inline) => WxsSource {
                        name: m.name.clone(),
                        path: format!("{}#{}", f.path, m.name),
                        code: inline.clone().unwrap_or_default(),
                    },
                })
                .collect();
            let engine =
                Engine::new(package.clone(), Limits::default(), Rc::new(common::Recorder::default()))
                    .unwrap();
            assert_eq!(engine.load_wxs(file, &sources), Outcome::Returned(None));
            let (html, errors) = engine.with_wxs(&program.wxs_scope(file), |host| {
                render(&program, file, &data, host).tree.to_html()
            });
            (html.unwrap(), errors)
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn a_module_that_is_a_function_is_called_by_its_name() {
    let wxml = r#"<wxs module="twice">
module.exports = function (x) { return x * 2; };
</wxs>
<text>{{ twice(n) }}|{{twice(n + 1)}}|{{ twice('3') }}|{{ twice(n) + 1 }}</text>"#;
    let (html, errors) = render_page(wxml, &[], json!({"n": 4}));
    assert_eq!(html, "<text>8|10|6|9</text>");
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_function_module_keeps_its_properties_callable() {
    let wxml = r#"<wxs module="fmt">
var fmt = function (s) { return '<' + s + '>'; };
fmt.upper = function (s) { return s.toUpperCase(); };
fmt.parts = function (s) { return s.split(''); };
module.exports = fmt;
</wxs>
<text>{{ fmt(s) }} {{ fmt.upper(s) }} {{ fmt(fmt.upper(s)) }} {{ fmt.parts(s).length }}</text>"#;
    let (html, errors) = render_page(wxml, &[], json!({"s": "ab"}));
    assert_eq!(html, "<text>&lt;ab&gt; AB &lt;AB&gt; 2</text>");
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_function_module_from_a_file_and_through_require() {
    let wxml = r#"<wxs module="pad" src="../../utils/pad.wxs"/>
<wxs module="util">
var pad = require('../../utils/pad.wxs');
module.exports = { time: function (h, m) { return pad(h) + ':' + pad(m); } };
</wxs>
<text>{{ pad(7) }} {{ util.time(9, 5) }}</text>"#;
    const PAD: &str = "module.exports = function (n) { return n < 10 ? '0' + n : '' + n; };";
    let (html, errors) = render_page(wxml, &[("utils/pad.wxs", PAD)], json!({}));
    assert_eq!(html, "<text>07 09:05</text>");
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn calling_an_object_module_is_undefined_and_a_throw_is_reported() {
    let wxml = r#"<wxs module="obj">module.exports = { f: function () { return 1; } };</wxs>
<wxs module="boom">module.exports = function (x) { throw new Error('boom ' + x); };</wxs>
<text>[{{ obj(1) }}][{{ obj.f() }}][{{ boom(2) }}]</text>"#;
    let (html, errors) = render_page(wxml, &[], json!({}));
    assert_eq!(html, "<text>[][1][]</text>");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("boom 2"), "{errors:?}");
}

#[test]
fn wxs_code_and_bindings_agree_on_bitwise_operators() {
    // The same operators in module code (QuickJS) and in bindings (capsule-template).
    let wxml = r#"<wxs module="bits">
module.exports = function (x, y) {
  return [~x, x & y, x | y, x ^ y, x << y, x >> y, x >>> y, 1 + 2 << 3, x & y == y].join(' ');
};
</wxs>
<text>{{ bits(x, y) }}</text>
<text>{{~x}} {{x & y}} {{x | y}} {{x ^ y}} {{x << y}} {{x >> y}} {{x >>> y}} {{1 + 2 << 3}} {{x & y == y}}</text>
<text>{{ bits(4294967298, -1) }}</text>"#;
    let (html, errors) = render_page(wxml, &[], json!({"x": -5.5, "y": 33}));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        html,
        "<text>4 33 -5 -38 -10 -3 2147483645 24 1</text>\
         <text>4 33 -5 -38 -10 -3 2147483645 24 1</text>\
         <text>-3 2 -1 -3 0 0 0 24 0</text>"
    );
}
