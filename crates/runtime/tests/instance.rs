//! Instances end to end, on logic threads: lifecycle order, setData paths, navigation, event
//! propagation, errors, and hostile scripts.

mod common;

use std::time::Duration;

use capsule_runtime::{Input, Limits, Output, Pool, Query};
use common::*;
use serde_json::{Value, json};

#[test]
fn launch_runs_app_then_page_lifecycles_in_order() {
    let (_h, out) = Harness::start(&app(&[]), Limits::default(), Some("pages/b/b?x=1&y=a%20b"));
    assert_eq!(
        logs(&out),
        ["App.onLaunch pages/b/b", "App.onShow", r#"b.onLoad {"x":"1","y":"a b"}"#, "b.onShow", "b.onReady"]
    );
    assert!(out.iter().any(|o| matches!(o, Output::PageOpened { route, .. } if route == "pages/b/b")));
}

#[test]
fn navigation_follows_the_platform_order() {
    let files = app(&[
        (
            "pages/a/a.wxml",
            "<view id=\"go\" bindtap=\"go\">go</view><view id=\"tab\" bindtap=\"tab\">tab</view><view id=\"bad\" bindtap=\"bad\">bad</view>",
        ),
        (
            "pages/a/a.js",
            "Page({ onHide() { console.log('a.onHide') }, onShow() { console.log('a.onShow') }, onUnload() { console.log('a.onUnload') }, \
         go() { wx.navigateTo({ url: '/pages/b/b?from=a', success: r => console.log(r.errMsg) }) }, \
         tab() { wx.navigateTo({ url: '/pages/tab/tab', fail: r => console.log(r.errMsg) }) }, \
         bad() { wx.navigateTo({ url: 'pages/none/none' }).catch(r => console.log(r.errMsg)) } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    assert_eq!(
        logs(&h.tap("#go")),
        ["a.onHide", r#"b.onLoad {"from":"a"}"#, "b.onShow", "b.onReady", "navigateTo:ok"]
    );
    assert_eq!(h.answer(Query::Stack).as_array().unwrap().len(), 2);
    assert_eq!(
        logs(&h.request(Input::Navigate { kind: "navigateBack".into(), url: "1".into() })),
        ["b.onUnload", "a.onShow"]
    );
    assert_eq!(logs(&h.tap("#tab")), ["navigateTo:fail can not navigateTo a tabbar page"]);
    // A URL without a leading slash is relative to the page, as on the platform.
    assert_eq!(logs(&h.tap("#bad")), [r#"navigateTo:fail page "pages/a/pages/none/none" is not found"#]);
    let back = h.request(Input::Navigate { kind: "navigateBack".into(), url: "1".into() });
    assert!(back.iter().any(|o| matches!(o, Output::Error { message, .. } if message == "navigateBack:fail cannot navigate back at first page.")));
}

#[test]
fn redirect_relaunch_and_switch_tab() {
    let (h, _) = Harness::start(&app(&[]), Limits::default(), None);
    let nav = |kind: &str, url: &str| {
        logs(&h.request(Input::Navigate { kind: kind.into(), url: format!("/{url}") }))
    };
    assert_eq!(nav("redirectTo", "pages/b/b"), ["a.onUnload", "b.onLoad {}", "b.onShow", "b.onReady"]);
    assert_eq!(nav("navigateTo", "pages/a/a?k=v").len(), 0, "a tab page cannot be navigated to");
    nav("redirectTo", "pages/b/b?n=2");
    assert_eq!(nav("reLaunch", "pages/a/a"), ["b.onUnload", "a.onLoad {}", "a.onShow", "a.onReady"]);
    // Tab pages stay alive when switched away from: hidden, then shown again.
    assert_eq!(
        nav("switchTab", "pages/tab/tab?q=1"),
        ["a.onHide", "tab.onLoad {}", "tab.onShow", "tab.onReady"]
    );
    assert_eq!(nav("switchTab", "pages/a/a"), ["tab.onHide", "a.onShow"]);
    assert_eq!(h.answer(Query::Stack).as_array().map(Vec::len), Some(1));
    // Pages that are not tab pages close; the tab page below shows.
    nav("navigateTo", "pages/b/b");
    assert_eq!(nav("switchTab", "pages/a/a"), ["b.onUnload", "a.onShow"]);
    assert_eq!(nav("switchTab", "pages/tab/tab"), ["a.onHide", "tab.onShow"]);
}

#[test]
fn the_page_stack_holds_at_most_ten() {
    let files = app(&[(
        "pages/b/b.js",
        "Page({ onLoad() { wx.navigateTo({ url: '/pages/b/b', fail: r => console.log(r.errMsg) }) } })",
    )]);
    let (h, _) = Harness::start(&files, Limits::default(), Some("pages/b/b"));
    let stack = h.answer(Query::Stack);
    assert_eq!(stack.as_array().unwrap().len(), 10);
    let out = h.request(Input::Navigate { kind: "navigateTo".into(), url: "/pages/b/b".into() });
    assert!(out.iter().any(|o| matches!(o, Output::Error { message, .. } if message == "navigateTo:fail webview count limit exceed")));
}

#[test]
fn set_data_paths_create_what_is_missing_and_patch_the_view() {
    let files = app(&[
        ("pages/a/a.wxml", "<view id=\"go\" bindtap=\"go\">{{list[2].c}}|{{o.p.q}}|{{n}}</view>"),
        (
            "pages/a/a.js",
            "Page({ data: { n: 1 }, go() { \
               this.setData({ 'list[2].c': 'x', 'o.p.q': 5 }, () => console.log('callback ' + this.data.n)); \
               console.log('sync ' + JSON.stringify(this.data.list) + ' ' + this.data.o.p.q); \
               this.setData({ n: 2 }); \
             } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let out = h.tap("#go");
    assert_eq!(logs(&out), ["sync [null,null,{\"c\":\"x\"}] 5", "callback 2"]);
    let patches: usize =
        out.iter().map(|o| if let Output::Patches { patches, .. } = o { patches.len() } else { 0 }).sum();
    assert!(patches >= 1);
    assert_eq!(h.answer(Query::Html), json!("<view id=\"go\" bind:tap=\"go\">x|5|2</view>"));
    assert_eq!(
        h.answer(Query::Data),
        json!({"list": [null, null, {"c": "x"}], "o": {"p": {"q": 5}}, "n": 2})
    );
}

#[test]
fn the_script_applies_the_paths_rust_parsed_so_this_data_and_the_view_agree() {
    // One parse of the platform's path rules: `a[01]` is index 1, `b..c` is `b.c`, an index
    // that is no number refuses the whole call; observers see the same paths.
    let files = app(&[
        ("pages/a/a.wxml", "<view id=\"go\" bindtap=\"go\">{{a[1].x}}|{{b.c}}|{{n}}</view>"),
        (
            "pages/a/a.js",
            "Component({ data: { n: 0 }, observers: { 'a[1].x': function (x) { console.log('observed ' + x) } }, methods: { go() { \
               this.setData({ 'a[01].x': 'one', 'b..c': 'dot' }); \
               try { this.setData({ n: 1, 'd[x]': 2 }) } catch (e) { console.log(e.message) } \
               console.log(JSON.stringify(this.data)); \
             } } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let out = h.tap("#go");
    assert_eq!(
        logs(&out),
        [
            "observed one",
            "setData: `d[x]`: only numbers may stand between `[` and `]`",
            r#"{"n":0,"a":[null,{"x":"one"}],"b":{"c":"dot"}}"#
        ]
    );
    assert_eq!(h.answer(Query::Html), json!("<view id=\"go\" bind:tap=\"go\">one|dot|0</view>"));
}

#[test]
fn set_data_reads_values_as_json_stringify_writes_them() {
    // Read straight from the script's objects, not through JSON text: the same result.
    let files = app(&[
        ("pages/a/a.wxml", "<view id=\"go\" bindtap=\"go\">{{n}}</view>"),
        (
            "pages/a/a.js",
            "class Point { constructor() { this.x = 1; this.y = 2 } get sum() { return 3 } }\n\
             const cases = () => [\n\
               { a: 1, b: 'two', c: true, d: null, e: undefined, f() {}, g: Symbol('s'), h: NaN, i: -0, j: 1.5, k: 1e21, l: -Infinity },\n\
               [1, undefined, () => 1, null, [2, [3]], { x: undefined }],\n\
               { date: new Date(0), point: new Point(), map: new Map([[1, 2]]), boxed: [new Number(3), new String('s'), new Boolean(false)] },\n\
               { own: { toJSON() { return 'custom' } }, get getter() { return 'got' }, nested: { deeper: { deepest: [{}] } } },\n\
               Object.assign(Object.create(null), { bare: 1 }),\n\
               { 2: 'two', 1: 'one', b: 'b', a: 'a', '中文': '字' },\n\
             ];\n\
             Page({ data: { n: 0 }, go() {\n\
               cases().forEach((v, i) => {\n\
                 this.setData({ ['v' + i]: v });\n\
                 const same = JSON.stringify(this.data['v' + i]) === JSON.stringify(v);\n\
                 console.log(i + ' ' + same + ' ' + JSON.stringify(this.data['v' + i]));\n\
               });\n\
               const source = { list: [1, 2] };\n\
               this.setData({ kept: source });\n\
               source.list.push(3);\n\
               console.log('copied ' + (this.data.kept !== source) + ' ' + this.data.kept.list.length);\n\
               const loop = {}; loop.self = loop;\n\
               try { this.setData({ loop }) } catch (e) { console.log(e.name + ': ' + e.message) }\n\
               try { this.setData({ big: 10n }) } catch (e) { console.log(e.name) }\n\
               this.setData({ n: 1 });\n\
             } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let out = h.tap("#go");
    let lines = logs(&out);
    for (i, line) in lines.iter().take(6).enumerate() {
        assert!(line.starts_with(&format!("{i} true ")), "{line}");
    }
    assert_eq!(
        lines[6..],
        ["copied true 2".to_string(), "TypeError: circular reference".into(), "TypeError".into()],
        "{lines:?}"
    );
    let data = h.answer(Query::Data);
    assert_eq!(data["v2"]["date"], json!("1970-01-01T00:00:00.000Z"));
    assert_eq!(data["v1"], json!([1, null, null, null, [2, [3]], {}]));
    assert_eq!(data["v0"]["h"], json!(null));
    assert_eq!(h.answer(Query::Html), json!("<view id=\"go\" bind:tap=\"go\">1</view>"));
}

#[test]
fn an_oversized_set_data_fails_and_changes_nothing() {
    let files = app(&[
        ("pages/a/a.wxml", "<view id=\"go\" bindtap=\"go\">{{n}}</view>"),
        (
            "pages/a/a.js",
            "Page({ data: { n: 1 }, go() { try { this.setData({ n: 2, big: 'x'.repeat(2 * 1024 * 1024) }) } \
             catch (e) { console.log(e.message) } } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let out = h.tap("#go");
    assert_eq!(
        logs(&out),
        ["setData: the data is 2097168 bytes, over the limit of 1 MiB; nothing was changed"]
    );
    assert_eq!(h.answer(Query::Data), json!({"n": 1}));
}

#[test]
fn events_bubble_capture_and_stop_as_on_the_platform() {
    let files = app(&[
        (
            "pages/a/a.wxml",
            "<view id=\"outer\" bindtap=\"log\" capture-bind:tap=\"log\" data-level=\"outer\" mark:a=\"1\">\
               <view id=\"mid\" catchtap=\"log\" data-level=\"mid\">\
                 <view id=\"inner\" bindtap=\"log\" data-user-id=\"7\" mark:b=\"2\" bindinput=\"log\">x</view>\
               </view>\
               <view id=\"m1\" mut-bind:tap=\"log\" data-level=\"m1\"><view id=\"m2\" mut-bind:tap=\"log\" bindtap=\"log\" data-level=\"m2\">y</view></view>\
               <view id=\"none\" bindtap=\"missing\">z</view>\
             </view>",
        ),
        (
            "pages/a/a.js",
            "Page({ log(e) { console.log(e.type + ' ' + e.currentTarget.id + ' ' + e.target.id + ' ' + JSON.stringify(e.currentTarget.dataset) + ' ' + JSON.stringify(e.mark) + ' ' + JSON.stringify(e.detail)) } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    assert_eq!(
        logs(&h.tap("#inner")),
        [
            r#"tap outer inner {"level":"outer"} {"a":"1","b":"2"} {}"#,
            r#"tap inner inner {"userId":"7"} {"a":"1","b":"2"} {}"#,
            r#"tap mid inner {"level":"mid"} {"a":"1","b":"2"} {}"#,
        ]
    );
    // `input` does not bubble: only the target hears it.
    assert_eq!(
        logs(&h.event("#inner", "input", json!({"value": "v"}))),
        [r#"input inner inner {"userId":"7"} {"a":"1","b":"2"} {"value":"v"}"#]
    );
    // Of two mut-bind handlers on the path only the first runs; plain bind still does.
    let out = logs(&h.tap("#m2"));
    assert_eq!(out.len(), 4, "{out:?}");
    assert!(out[1].starts_with("tap m2 m2"));
    assert!(out[2].starts_with("tap m2 m2"));
    assert!(out[3].starts_with("tap outer m2"));
    assert_eq!(
        logs(&h.tap("#none"))[1],
        r#"Component "pages/a/a" does not have a method "missing" to handle event "tap"."#
    );
}

#[test]
fn a_thrown_error_reaches_on_error_and_the_instance_goes_on() {
    let files = app(&[
        ("pages/a/a.wxml", "<view id=\"boom\" bindtap=\"boom\">{{n}}</view>"),
        ("pages/a/a.js", "Page({ data: { n: 1 }, boom() {\n  this.setData({ n: 2 });\n  null.x;\n} })"),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let out = h.tap("#boom");
    let error = out
        .iter()
        .find_map(|o| if let Output::Error { message, stack } = o { Some((message, stack)) } else { None });
    let (message, stack) = error.expect("an error");
    assert!(message.starts_with("TypeError"), "{message}");
    assert!(stack.contains("pages/a/a.js:3"), "{stack}");
    assert_eq!(logs(&out), ["App.onError TypeError: cannot read property 'x' of null"]);
    assert_eq!(h.answer(Query::Data)["n"], 2, "still alive and its data kept");
}

#[test]
fn deep_recursion_is_an_ordinary_range_error() {
    let files =
        app(&[("pages/a/a.js", "function f(n) { return f(n + 1) + 1 }\nPage({ onLoad() { f(0) } })")]);
    let (_h, out) = Harness::start(&files, test_limits(), None);
    assert!(terminated(&out).is_none());
    assert!(logs(&out).iter().any(|l| l.starts_with("App.onError RangeError")), "{:?}", logs(&out));
}

#[test]
fn require_cannot_leave_the_package() {
    let files = app(&[("pages/a/a.js", "require('../../../etc/passwd')\nPage({})")]);
    let (_h, out) = Harness::start(&files, test_limits(), None);
    assert!(
        logs(&out).iter().any(|l| l.contains(
            "require('../../../etc/passwd') from pages/a/a.js: the path leads outside the package"
        )),
        "{:?}",
        logs(&out)
    );
}

#[test]
fn an_endless_loop_in_on_load_is_terminated_by_the_cpu_budget() {
    let files = app(&[("pages/a/a.js", "Page({ onLoad() { while (true) {} } })")]);
    let (h, out) = Harness::start(&files, test_limits(), None);
    assert_eq!(terminated(&out).as_deref(), Some("CPU time limit 300 ms exceeded"));
    // The host can still ask; the instance no longer runs code.
    assert_eq!(h.answer(Query::Stack).as_array().map(Vec::len), Some(1));
}

#[test]
fn an_endless_loop_in_a_timer_is_terminated_too() {
    let files = app(&[("pages/a/a.js", "Page({ onLoad() { setTimeout(() => { for (;;) {} }, 10) } })")]);
    let (h, out) = Harness::start(&files, test_limits(), None);
    assert!(terminated(&out).is_none());
    let mut reason = None;
    let deadline = std::time::Instant::now() + WAIT;
    while reason.is_none() && std::time::Instant::now() < deadline {
        if let Some(Output::Terminated { reason: r }) = h.handle.recv(Duration::from_millis(200)) {
            reason = Some(r);
        }
    }
    assert_eq!(reason.as_deref(), Some("CPU time limit 300 ms exceeded"));
}

#[test]
fn a_memory_bomb_is_terminated_even_when_it_catches_the_error() {
    for script in [
        "Page({ onLoad() { const a = []; for (;;) a.push(new Array(10000).fill(1)) } })",
        "Page({ onLoad() { const a = []; try { for (;;) a.push(new Array(10000).fill(1)) } catch (e) { console.log('caught') } for (let i = 0; i < 1e6; i++) {} console.log('still here') } })",
    ] {
        let files = app(&[("pages/a/a.js", script)]);
        let (_h, out) = Harness::start(&files, test_limits(), None);
        assert_eq!(terminated(&out).as_deref(), Some("heap limit 16 MiB exceeded"), "{script}: {out:?}");
        assert!(!logs(&out).contains(&"still here".to_string()));
    }
}

#[test]
fn a_spinning_instance_does_not_hold_up_one_on_another_thread() {
    let spin = app(&[(
        "pages/a/a.js",
        // Spins until the test ends it: no clock decides which instance finishes first.
        "Page({ onLoad() { for (;;) {} } })",
    )]);
    let calm = app(&[]);
    let (spin_pkg, spin_prog) = {
        let r: Vec<(&str, &str)> = spin.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        package(&r)
    };
    let (calm_pkg, calm_prog) = {
        let r: Vec<(&str, &str)> = calm.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        package(&r)
    };
    let pool = Pool::new(2);
    // Budgets far beyond the test's deadline: only the test ends the spinner.
    let spin_limits =
        Limits { callback_cpu: WAIT * 4, cpu_per_minute: Duration::from_secs(3600), ..Limits::default() };
    let spinning = pool.spawn(spin_pkg, spin_prog, spin_limits);
    let calm = pool.spawn(calm_pkg, calm_prog, Limits::default());
    spinning.send(Input::Launch { path: None });
    let out = calm.request(Input::Launch { path: None }, WAIT);
    assert!(out.iter().any(|o| matches!(o, Output::PageOpened { .. })));
    // The calm instance answered while the other was still in its onLoad.
    assert!(
        spinning.recv(Duration::from_millis(0)).is_none_or(|o| !matches!(o, Output::PageOpened { .. })),
        "the spinner opened its page, so it was not spinning"
    );
    spinning.sender().end();
}

#[test]
fn page_hooks_from_the_view_reach_the_top_page_only() {
    let files = app(&[(
        "pages/a/a.js",
        "Page({ onPullDownRefresh() { console.log('refresh') }, onPageScroll(e) { console.log('scroll ' + e.scrollTop) }, onLoad() {} })",
    )]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    let page = out
        .iter()
        .find_map(|o| if let Output::PageOpened { page, .. } = o { Some(*page) } else { None })
        .unwrap();
    let hook =
        |name: &str, arg: Option<Value>| logs(&h.request(Input::PageEvent { page, hook: name.into(), arg }));
    assert_eq!(hook("onPullDownRefresh", None), ["refresh"]);
    assert_eq!(hook("onPageScroll", Some(json!({"scrollTop": 40}))), ["scroll 40"]);
    assert!(hook("onUnload", None).is_empty(), "only view events are accepted");
    assert!(
        logs(&h.request(Input::PageEvent { page: page + 1, hook: "onPullDownRefresh".into(), arg: None }))
            .is_empty()
    );
}

#[test]
fn behaviors_merge_and_components_can_be_pages() {
    let files = app(&[
        ("pages/a/a.wxml", "<view id=\"t\" bindtap=\"hello\">{{shared}} {{own}} {{deep.a}}{{deep.b}}</view>"),
        (
            "pages/a/a.js",
            "const base = Behavior({ data: { shared: 'base', deep: { a: 1 } }, methods: { hello() { console.log('base hello') }, only() {} }, attached() { console.log('base attached') } });\n\
             const mid = Behavior({ behaviors: [base], data: { deep: { b: 2 } }, attached() { console.log('mid attached') } });\n\
             Component({ behaviors: [mid], data: { own: 'mine' }, attached() { console.log('own attached') },\n\
               methods: { onLoad(q) { console.log('component page onLoad') }, hello() { console.log('own hello ' + typeof this.only) } } })",
        ),
    ]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    assert_eq!(logs(&out)[2..], ["base attached", "mid attached", "own attached", "component page onLoad"]);
    assert_eq!(h.answer(Query::Html), json!("<view id=\"t\" bind:tap=\"hello\">base mine 12</view>"));
    assert_eq!(logs(&h.tap("#t")), ["own hello function"]);
}

#[test]
fn globals_the_platform_provides() {
    let files = app(&[(
        "pages/a/a.js",
        "Page({ onLoad() {\n\
           console.log(typeof getApp().globalData, getCurrentPages().length, getCurrentPages()[0].route);\n\
           console.log(wx.canIUse('navigateTo'), wx.canIUse('getStorageSync'), wx.canIUse('nextTick'));\n\
           console.log(typeof eval);\n\
           wx.nextTick(() => console.log('tick'));\n\
           Promise.resolve().then(() => console.log('microtask'));\n\
           console.log('sync');\n\
         } })",
    )]);
    let (_h, out) = Harness::start(&files, Limits::default(), None);
    assert_eq!(
        logs(&out)[2..],
        ["object 1 pages/a/a", "true false true", "undefined", "sync", "tick", "microtask"]
    );
}

#[test]
fn modules_resolve_relative_root_json_and_cycles() {
    let files = app(&[
        (
            "utils/a.js",
            "exports.name = 'a'; const b = require('./b'); exports.fromB = b.name; exports.bSawA = b.sawA;",
        ),
        ("utils/b.js", "const a = require('./a.js'); exports.name = 'b'; exports.sawA = a.name;"),
        ("config.json", "{\"k\": 42}"),
        (
            "pages/a/a.js",
            "const a = require('../../utils/a'); const c = require('/config.json');\n\
             console.log(a.name, a.fromB, a.bSawA, c.k, require('/utils/a.js') === a);\n\
             try { require('./nothing') } catch (e) { console.log(e.message) }\n\
             Page({})",
        ),
    ]);
    let (_h, out) = Harness::start(&files, Limits::default(), None);
    assert_eq!(
        logs(&out)[2..],
        ["a b a 42 true", "require('./nothing') from pages/a/a.js: module not found"]
    );
}

#[test]
fn wxs_modules_run_in_their_own_realm_and_serve_bindings() {
    let files = app(&[
        (
            "pages/a/a.wxml",
            "<wxs module=\"fmt\">var tools = require('../../utils/tools.wxs');\n\
             module.exports = { price: function (n) { return tools.cur + n.toFixed(2) }, \
               sees: function () { return [typeof wx, typeof getApp, typeof Date, getRegExp('a+', 'g').test('caa'), typeof getDate(0).getTime()].join(',') }, \
               boom: function () { throw new Error('wxs failed') } };</wxs>\
             <wxs module=\"up\" src=\"../../utils/up.wxs\"/>\
             <view id=\"p\" bindtap=\"more\">{{fmt.price(n)}} {{up.upper(name)}} {{fmt.sees()}}</view><text>{{fmt.boom()}}</text>",
        ),
        ("utils/tools.wxs", "module.exports = { cur: '¥' };"),
        ("utils/up.wxs", "module.exports.upper = function (s) { return s.toUpperCase() };"),
        (
            "pages/a/a.js",
            "Page({ data: { n: 2, name: 'ab' }, more() { this.setData({ n: this.data.n + 0.5 }) } })",
        ),
    ]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    assert!(
        out.iter().any(|o| matches!(o, Output::Error { message, .. } if message == "Error: wxs failed")),
        "{out:?}"
    );
    assert_eq!(
        h.answer(Query::Html),
        json!(
            "<view id=\"p\" bind:tap=\"more\">¥2.00 AB undefined,undefined,undefined,true,number</view><text></text>"
        )
    );
    let out = h.tap("#p");
    assert!(out.iter().any(|o| matches!(o, Output::Patches { .. })));
    assert!(h.answer(Query::Html).as_str().unwrap().starts_with("<view id=\"p\" bind:tap=\"more\">¥2.50 AB"));
}

#[test]
fn es_module_syntax_works_and_mixes_with_commonjs() {
    let files = app(&[
        (
            "utils/esm.js",
            "import { twice } from './cjs';\nimport config from '/config.json';\nexport const label = 'esm';\nexport default function triple(n) { return twice(n) + n + config.k }",
        ),
        ("utils/cjs.js", "exports.twice = function (n) { return n * 2 };"),
        ("utils/user.js", "const esm = require('./esm'); module.exports = esm.label + ':' + esm.default(1);"),
        ("config.json", "{\"k\": 100}"),
        (
            "pages/a/a.js",
            "import triple, { label } from '../../utils/esm.js';\nimport user from '../../utils/user';\n\
             console.log(label, triple(2), user);\nPage({ data: { v: triple(1) } })",
        ),
        ("pages/a/a.wxml", "<view>{{v}}</view>"),
    ]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    assert_eq!(logs(&out)[2..], ["esm 106 esm:103"], "{out:?}");
    assert_eq!(h.answer(Query::Html), json!("<view>103</view>"));
}

#[test]
fn module_syntax_errors_point_at_the_file() {
    let files = app(&[("pages/a/a.js", "import { nothing } from '../../utils/none';\nPage({})")]);
    let (_h, out) = Harness::start(&files, Limits::default(), None);
    let errors: Vec<&String> = out
        .iter()
        .filter_map(|o| if let Output::Error { message, .. } = o { Some(message) } else { None })
        .collect();
    assert!(
        errors.iter().any(|m| m.contains("require('../../utils/none') from pages/a/a.js: module not found")),
        "{errors:?}"
    );
}

#[test]
fn unhandled_rejections_go_to_the_app_or_are_reported() {
    let page = "Page({ onLoad() {\n\
       Promise.reject(new Error('first'));\n\
       const p = Promise.reject('handled later'); p.catch(() => console.log('caught'));\n\
       new Promise((_, reject) => setTimeout(() => reject(new TypeError('late')), 1));\n\
     } })";
    let with_hook = app(&[
        ("pages/a/a.js", page),
        ("app.js", "App({ onUnhandledRejection(r) { console.log('app got ' + r.reason.message) } })"),
    ]);
    let (h, out) = Harness::start(&with_hook, Limits::default(), None);
    assert_eq!(logs(&out), ["caught", "app got first"]);
    // The late rejection comes with its timer, whenever the machine gets to it.
    let mut later = Vec::new();
    let deadline = std::time::Instant::now() + WAIT;
    while !logs(&later).iter().any(|l| l == "app got late") && std::time::Instant::now() < deadline {
        if let Some(o) = h.handle.recv(Duration::from_millis(100)) {
            later.push(o);
        }
    }
    assert_eq!(logs(&later), ["app got late"]);

    let without = app(&[("pages/a/a.js", page)]);
    let (_h, out) = Harness::start(&without, Limits::default(), None);
    assert!(
        out.iter().any(
            |o| matches!(o, Output::Error { message, .. } if message == "Uncaught (in promise) Error: first")
        ),
        "{out:?}"
    );
}

#[test]
fn timers_fire_in_order_and_can_be_cleared() {
    let files = app(&[(
        "pages/a/a.js",
        "Page({ onLoad() {\n\
           let n = 0;\n\
           const id = setInterval(() => { n += 1; console.log('tick ' + n); if (n === 3) { clearInterval(id); console.log('cleared') } }, 5);\n\
           setTimeout((a, b) => console.log('once ' + a + b), 12, 'x', 'y');\n\
           const never = setTimeout(() => console.log('never'), 1); clearTimeout(never);\n\
         } })",
    )]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let mut seen = Vec::new();
    while seen.len() < 5 {
        match h.handle.recv(WAIT) {
            Some(Output::Log { text, .. }) => seen.push(text),
            Some(_) => {}
            None => break,
        }
    }
    assert!(h.handle.recv(Duration::from_millis(50)).is_none(), "nothing more fires");
    assert_eq!(
        seen.iter().filter(|l| l.starts_with("tick")).cloned().collect::<Vec<_>>(),
        ["tick 1", "tick 2", "tick 3"]
    );
    assert!(seen.contains(&"cleared".to_string()) && seen.contains(&"once xy".to_string()), "{seen:?}");
    assert!(!seen.contains(&"never".to_string()));
}

#[test]
fn code_from_strings_is_refused_in_both_realms() {
    let files = app(&[
        (
            "pages/a/a.wxml",
            "<wxs module=\"m\">module.exports.f = function (o) { try { return typeof o.constructor.constructor('return globalThis')().wx } catch (e) { return 'refused' } };\n\
             module.exports.g = function () { try { return typeof __wxsLoad } catch (e) { return 'x' } };</wxs>\
             <view>{{m.f(list)}} {{m.g()}}</view>",
        ),
        (
            "pages/a/a.js",
            "Page({ data: { list: [1] }, onLoad() {\n\
               for (const make of [() => Function('return 1'), () => (function () {}).constructor('return 1'), () => (async function () {}).constructor('return 1')]) {\n\
                 try { make(); console.log('allowed') } catch (e) { console.log(e.name) }\n\
               }\n\
             } })",
        ),
    ]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    assert_eq!(logs(&out)[2..], ["EvalError", "EvalError", "EvalError"]);
    assert_eq!(h.answer(Query::Html), json!("<view>refused undefined</view>"));
}

#[test]
fn hostile_set_data_and_timers_are_bounded() {
    let files = app(&[(
        "pages/a/a.js",
        "Page({ data: { a: 1 }, onLoad() {\n\
           try { this.setData({ 'l[50000000]': 1 }) } catch (e) { console.log(e.message) }\n\
           try { this.setData({ 'a[x]': 2 }) } catch (e) { console.log('refused: ' + JSON.stringify(this.data.a)) }\n\
           try { for (let i = 0; i < 20000; i++) setTimeout(function () {}, 100000) } catch (e) { console.log(e.message) }\n\
           console.log('x'.repeat(100000));\n\
         } })",
    )]);
    let (h, out) = Harness::start(&files, Limits::default(), None);
    let l = logs(&out);
    assert_eq!(
        l[2],
        "setData: index 50000000 is more than 10000 past the end of an array of 0; nothing was changed"
    );
    assert_eq!(l[3], "refused: 1");
    assert_eq!(l[4], "too many timers: an instance may have 10000 at once");
    assert!(l[5].len() < 17_000 && l[5].ends_with("(83616 more bytes)"), "{}", &l[5][l[5].len() - 40..]);
    assert_eq!(h.answer(Query::Data), json!({"a": 1}));
}

#[test]
fn relative_urls_resolve_from_the_page_and_modules_evaluate_once() {
    let files = app(&[
        ("utils/store.js", "console.log('store evaluated');\nexport const state = {};"),
        ("utils/user.js", "module.exports = require('./store.js').state;"),
        (
            "pages/a/a.js",
            "import { state } from '../../utils/store.js';\nconst other = require('../../utils/user.js');\n\
             console.log('same ' + (state === other));\n\
             Page({ onLoad() { wx.navigateTo({ url: '../b/b?id=1', success: r => console.log(r.errMsg) }) } })",
        ),
    ]);
    let (_h, out) = Harness::start(&files, Limits::default(), None);
    assert_eq!(
        logs(&out)[2..],
        ["store evaluated", "same true", r#"b.onLoad {"id":"1"}"#, "b.onShow", "b.onReady", "navigateTo:ok"]
    );
}

#[test]
fn performance_entries_and_theme_changes() {
    let files = app(&[
        ("app.js", "App({ onThemeChange(r) { console.log('app theme ' + r.theme) } })"),
        (
            "pages/a/a.js",
            "Page({ onLoad() { wx.onThemeChange(r => console.log('listener ' + r.theme)) },\n\
             onReady() { setTimeout(() => { const p = wx.getPerformance();\n\
               console.log(p.getEntries().map(e => e.name + '/' + e.entryType + '/' + e.path).join(' '));\n\
               console.log(p.getEntriesByName('appLaunch')[0].duration >= 0, typeof p.now()) }, 0) } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let mut seen = Vec::new();
    while seen.len() < 2 {
        match h.handle.recv(WAIT) {
            Some(Output::Log { text, .. }) => seen.push(text),
            Some(_) => {}
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "route/navigation/pages/a/a firstRender/render/pages/a/a appLaunch/navigation/pages/a/a",
            "true number"
        ]
    );
    assert_eq!(logs(&h.request(Input::Theme { theme: "dark".into() })), ["app theme dark", "listener dark"]);
    assert!(logs(&h.request(Input::Theme { theme: "purple".into() })).is_empty());
}

#[test]
fn developer_tools_read_every_page_and_evaluate_in_one() {
    let (h, _) = Harness::start(&app(&[]), Limits::default(), None);
    h.request(Input::Navigate { kind: "navigateTo".into(), url: "/pages/b/b?x=1".into() });
    let stack = h.answer(Query::StackData);
    assert_eq!(
        stack,
        json!([{"page": 1, "route": "pages/a/a", "data": {"name": "a"}}, {"page": 2, "route": "pages/b/b", "data": {"name": "b"}}])
    );
    let page = 2;
    assert_eq!(
        h.answer(Query::Evaluate { page, expression: "this.data.name + this.route".into() }),
        json!({"result": "bpages/b/b"})
    );
    assert_eq!(
        h.answer(Query::Evaluate { page, expression: "({a: [1, 2]})".into() }),
        json!({"result": "{\"a\":[1,2]}"})
    );
    let broken = h.answer(Query::Evaluate { page, expression: "this.nothing.here".into() });
    assert!(broken["error"].as_str().unwrap().contains("cannot read property"), "{broken}");
    let syntax = h.answer(Query::Evaluate { page, expression: "1 +".into() });
    assert!(syntax["error"].as_str().is_some(), "{syntax}");
    // The script itself still cannot compile code from strings.
    let refused = h.answer(Query::Evaluate { page, expression: "Function('return 1')()".into() });
    assert!(refused["error"].as_str().unwrap().contains("not allowed"), "{refused}");
    assert!(h.answer(Query::Metrics)["cpuMs"].as_f64().unwrap() > 0.0);
}

#[test]
fn event_channels_link_an_opener_and_the_page_it_opens() {
    let files = app(&[
        (
            "pages/a/a.js",
            "Page({ go() { wx.navigateTo({ url: '/pages/b/b', events: { fromB(x) { console.log('a heard ' + x) } },\n\
               success(res) { res.eventChannel.emit('fromA', 'hi b') } }) } })",
        ),
        ("pages/a/a.wxml", "<view id=\"go\" bindtap=\"go\">go</view>"),
        (
            "pages/b/b.js",
            "Page({ onLoad() { const ch = this.getOpenerEventChannel(); ch.on('fromA', x => console.log('b heard ' + x)); ch.emit('fromB', 'hi a') } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    assert_eq!(logs(&h.tap("#go")), ["a heard hi a", "b heard hi b"]);
}

#[test]
fn app_level_listeners_and_the_update_manager() {
    let files = app(&[(
        "app.js",
        "wx.onAppShow(o => console.log('shown ' + o.path)); wx.onError(m => console.log('listener ' + m.split('\\n')[0]));\n\
         App({ onLaunch() { wx.getUpdateManager().onCheckForUpdate(r => console.log('update ' + r.hasUpdate));\n\
           console.log('account ' + typeof wx.getAccountInfoSync().miniProgram.appId + ' ' + wx.getAccountInfoSync().miniProgram.envVersion) } })",
    )]);
    let files = {
        let mut f = files;
        f.retain(|(p, _)| p != "pages/a/a.js");
        f.push(("pages/a/a.js".into(), "Page({ onLoad() { throw new Error('broken') } })".into()));
        f
    };
    let (_h, out) = Harness::start(&files, Limits::default(), None);
    let l = logs(&out);
    assert!(l.contains(&"shown pages/a/a".to_string()), "{l:?}");
    assert!(l.contains(&"account string develop".to_string()), "{l:?}");
    assert!(l.contains(&"update false".to_string()), "{l:?}");
    assert!(l.iter().any(|x| x.starts_with("listener Error: broken")), "{l:?}");
}
