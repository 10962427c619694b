//! Hostile templates and data: deep but legal input never overflows the stack, expansion is
//! refused at compile time with a position, rendering stops at its budget, and no scan is
//! quadratic. The deep cases run on a thread with a 2 MiB stack (what `capsule render` and
//! `check` may have on the main thread), so a recursion regression fails here.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use capsule_package::Files;
use capsule_template::compile::{MAX_INCLUDE_NODES, compile_files, compile_source};
use capsule_template::expr::{NoWxs, Scope, parse};
use capsule_template::render::{
    Budget, MAX_PAGE_BYTES, MAX_PAGE_NODES, RECORDS_PER_NODE, RenderError, render, render_budgeted,
};
use capsule_template::tree::{Tree, weigh};
use capsule_template::value::Val;
use capsule_template::{Program, Rendered};
use serde_json::{Value, json};

/// Runs `f` on a thread with a 2 MiB stack.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("a thread starts")
        .join()
        .expect("no overflow, no panic");
}

fn diagnostics(diags: &capsule_package::Diagnostics) -> Vec<String> {
    diags.iter().map(|d| d.to_string()).collect()
}

/// Compiles, renders, updates everything, prints, snapshots and drops `src` with `data`; the
/// page's HTML.
fn full_cycle(src: &str, data: &Value) -> String {
    let (program, diags) = compile_source("page.wxml", src);
    assert!(!diags.has_errors(), "{:?}", diagnostics(&diags));
    let mut page = render(&program, 0, data, &NoWxs);
    assert_eq!(page.breach(), None);
    page.update_all(&program, data, &NoWxs);
    let snapshot = serde_json::to_string(&page.tree.snapshot()).expect("serialises");
    assert!(!snapshot.is_empty());
    let html = page.tree.to_html();
    drop(page);
    drop(program);
    html
}

fn chain(first: &str, op: &str, next: &str, terms: usize) -> String {
    let mut s = String::with_capacity(terms * (op.len() + next.len()));
    s.push_str(first);
    for _ in 1..terms {
        s.push_str(op);
        s.push_str(next);
    }
    s
}

const TERMS: usize = 30_000;

#[test]
fn long_operator_and_access_chains_parse_render_and_drop_without_recursion() {
    on_small_stack(|| {
        let xs = "x".repeat(TERMS);
        // 29,999 `<`: false, true, false, … — an odd count ends false.
        let cases: Vec<(String, Value, String)> = vec![
            (chain("1", "+", "1", TERMS), json!({}), TERMS.to_string()),
            (chain("1", "*", "1", TERMS), json!({}), "1".into()),
            (chain("'x'", "+", "'x'", TERMS), json!({}), xs.clone()),
            (chain("a", "&&", "a", TERMS), json!({"a": 1}), "1".into()),
            (chain("a", "||", "a", TERMS), json!({"a": 0}), "0".into()),
            (chain("a", "??", "a", TERMS), json!({"a": null}), String::new()),
            (chain("1", "<", "1", TERMS), json!({}), "false".into()),
            (chain("a", "==", "a", TERMS), json!({"a": true}), "true".into()),
            (chain("a", ".", "a", TERMS), json!({"a": {"a": 1}}), String::new()),
            (chain("a", "", "[0]", TERMS), json!({"a": [[7]]}), String::new()),
            (chain("m.f(1)", "", "(1)", TERMS), json!({}), String::new()),
            (chain("1", "+", "a.b[0]", TERMS), json!({"a": {"b": [1]}}), TERMS.to_string()),
        ];
        for (expr, data, expected) in cases {
            let src = format!("<text>{{{{{expr}}}}}</text>");
            let html = full_cycle(&src, &data);
            assert_eq!(html, format!("<text>{expected}</text>"), "{}…", &expr[..20]);
        }
    });
}

#[test]
fn real_nesting_at_its_caps_fits_a_small_stack() {
    on_small_stack(|| {
        // Expressions: 99 levels of brackets, each with an operator chain inside.
        let parens = format!("{}1{}", "(1+".repeat(99), ")".repeat(99));
        assert_eq!(full_cycle(&format!("<text>{{{{{parens}}}}}</text>"), &json!({})), "<text>100</text>");
        let arrays = format!("{}1{}", "[".repeat(49), "]".repeat(49));
        assert_eq!(full_cycle(&format!("<text>{{{{{arrays}}}}}</text>"), &json!({})), "<text>1</text>");
        let ternaries = format!("{}1{}", "a ? ".repeat(99), " : 0".repeat(99));
        assert_eq!(
            full_cycle(&format!("<text>{{{{{ternaries}}}}}</text>"), &json!({"a": 1})),
            "<text>1</text>"
        );
        // Elements: 199 levels, each a list of one with a condition (three IR levels each).
        let open = "<view wx:for=\"{{[1]}}\" wx:if=\"{{item}}\">".repeat(199);
        let html = full_cycle(&format!("{open}x{}", "</view>".repeat(199)), &json!({}));
        assert_eq!(html, format!("{}x{}", "<view>".repeat(199), "</view>".repeat(199)));
    });
}

#[test]
fn nesting_past_the_caps_is_a_located_error() {
    let cases = [
        (
            format!("<text>{{{{{}1{}}}}}</text>", "(".repeat(150), ")".repeat(150)),
            "page.wxml:1:109: error: invalid expression: the expression is nested more than 100 levels deep",
        ),
        (
            format!("{}{}", "<view>".repeat(300), "</view>".repeat(300)),
            "page.wxml:1:1202: error: elements are nested more than 200 levels deep",
        ),
    ];
    for (src, expected) in cases {
        on_small_stack(move || {
            let (_, diags) = compile_source("page.wxml", &src);
            assert_eq!(diagnostics(&diags).first().map(String::as_str), Some(expected));
        });
    }
}

#[test]
fn includes_nest_deep_only_to_the_cap() {
    // Each file nests 150 elements and includes the next: the inlined depth passes 800 in
    // the sixth file from the end.
    let mut files = Files::default();
    let n = 8;
    for i in 0..n {
        let inner = if i + 1 < n { format!("<include src=\"f{}.wxml\"/>", i + 1) } else { "x".into() };
        let text = format!("{}{inner}{}", "<view>".repeat(150), "</view>".repeat(150));
        files.insert(format!("f{i}.wxml"), text.into_bytes());
    }
    let paths: Vec<String> = (0..n).map(|i| format!("f{i}.wxml")).collect();
    on_small_stack(move || {
        let (program, diags) = compile_files(&files, paths.iter().map(String::as_str));
        assert_eq!(
            diagnostics(&diags),
            ["f2.wxml:1:915: error: the included file makes elements nest more than 800 levels deep here"]
        );
        // What compiled renders, on a small stack.
        let page = render(&program, program.by_path["f3.wxml"], &json!({}), &NoWxs);
        assert_eq!(page.tree.to_html().matches("<view>").count(), 150 * 5);
    });
}

#[test]
fn include_expansion_is_budgeted_before_it_is_spent() {
    // Each file includes the next twice: 2^30 copies of the last if inlined.
    let mut files = Files::default();
    let n = 30;
    for i in 0..n {
        let text = if i + 1 < n {
            format!("<include src=\"f{0}.wxml\"/>\n<include src=\"f{0}.wxml\"/>", i + 1)
        } else {
            "<view>leaf</view>".to_string()
        };
        files.insert(format!("f{i}.wxml"), text.into_bytes());
    }
    let (_, diags) = compile_files(&files, ["f0.wxml"]);
    // Every file from the one whose two copies pass the budget up is refused there, until
    // the budget of all files is spent too; nothing doubles past it.
    let mut expected: Vec<String> = (2..=14)
        .rev()
        .map(|i| format!("f{i}.wxml:2:15: error: include expansion exceeds {MAX_INCLUDE_NODES} nodes"))
        .collect();
    expected.push("f1.wxml:1:15: error: include expansion exceeds 1000000 nodes in all files".into());
    expected.push("f1.wxml:2:15: error: include expansion exceeds 1000000 nodes in all files".into());
    assert_eq!(diagnostics(&diags), expected);
}

#[test]
fn template_expansion_is_budgeted_at_compile_time() {
    let cases = [
        (
            "<template name=\"t\"><view/><template is=\"t\"/><template is=\"t\"/></template>\n<template is=\"t\"/>",
            vec![
                "page.wxml:2:15: error: template `t` expands to more than 100000 nodes (template calls counted 32 levels deep)",
            ],
        ),
        (
            "<template name=\"t\"><template is=\"{{n}}\"/><template is=\"{{n}}\"/></template>\n<template is=\"{{n}}\"/>",
            vec![
                "page.wxml:2:15: error: a template named by data here expands to more than 100000 nodes (template calls counted 32 levels deep)",
            ],
        ),
        // A tree: one call per level, inside a list, is fine.
        (
            "<template name=\"node\"><view>{{name}}<block wx:for=\"{{kids}}\"><template is=\"node\" data=\"{{...item}}\"/></block></view></template>\n<template is=\"node\" data=\"{{...root}}\"/>",
            vec![],
        ),
        // Calls chained 32 deep through a body 30 levels deep pass the depth cap.
        (
            "<template name=\"t\"><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><view><template is=\"t\"/></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></view></template>\n<template is=\"t\"/>",
            vec!["page.wxml:2:15: error: template `t` makes elements nest more than 800 levels deep here"],
        ),
    ];
    for (src, expected) in cases {
        let (_, diags) = compile_source("page.wxml", src);
        assert_eq!(diagnostics(&diags), expected, "{src}");
    }
    let tree = "<template name=\"node\"><view>{{name}}<block wx:for=\"{{kids}}\"><template is=\"node\" data=\"{{...item}}\"/></block></view></template><template is=\"node\" data=\"{{...root}}\"/>";
    let (program, _) = compile_source("page.wxml", tree);
    let data = json!({"root": {"name": "a", "kids": [{"name": "b", "kids": [{"name": "c"}]}]}});
    assert_eq!(
        render(&program, 0, &data, &NoWxs).tree.to_html(),
        "<view>a<view>b<view>c</view></view></view>"
    );
}

#[test]
fn rendering_stops_at_the_node_limit() {
    let s = "x".repeat(3_000);
    let cases = [
        ("<view wx:for=\"{{100000}}\"><text wx:for=\"{{100000}}\">.</text></view>", json!({})),
        ("<view wx:for=\"{{s}}\"><text wx:for=\"{{s}}\">.</text></view>", json!({ "s": s })),
    ];
    for (src, data) in cases {
        let (program, diags) = compile_source("page.wxml", src);
        assert!(diags.is_empty());
        let err = render_budgeted(&program, 0, &data, &NoWxs, &Budget::default()).unwrap_err();
        assert_eq!(err, RenderError::Nodes { limit: MAX_PAGE_NODES });
        assert_eq!(err.to_string(), "render limit: 100000 nodes");
        // Without a budget argument: cut short, the breach kept, the tree within the limit.
        let page = render(&program, 0, &data, &NoWxs);
        assert_eq!(page.breach(), Some(RenderError::Nodes { limit: MAX_PAGE_NODES }));
        assert!(page.tree.len() <= MAX_PAGE_NODES);
        assert!(page.tree.to_html().starts_with("<view><text>.</text>"));
    }
}

#[test]
fn the_limit_is_configurable_and_holds_for_updates() {
    let (program, _) =
        compile_source("page.wxml", "<view wx:for=\"{{list}}\" wx:key=\"*this\">{{item}}</view>");
    let budget = Budget { max_nodes: 11, ..Budget::default() };
    let small = json!({"list": [1, 2, 3, 4, 5]});
    let mut page = render_budgeted(&program, 0, &small, &NoWxs, &budget).expect("5 items are 11 nodes");
    assert_eq!(page.tree.len(), 11);
    let big = json!({"list": [1, 2, 3, 4, 5, 6]});
    let list = vec![vec!["list".to_string()]];
    let err = page.update_budgeted(&program, &big, &list, &NoWxs, &budget).unwrap_err();
    assert_eq!(err.to_string(), "render limit: 11 nodes");
    assert!(page.tree.len() <= 11);
    // The page stays consistent: a smaller list still updates it.
    let fewer = json!({"list": [2, 3]});
    page.update_budgeted(&program, &fewer, &list, &NoWxs, &budget).expect("within the budget");
    assert_eq!(page.tree.to_html(), "<view>2</view><view>3</view>");
}

#[test]
fn items_that_render_nothing_count_as_records() {
    let (program, _) =
        compile_source("page.wxml", "<block wx:for=\"{{100000}}\"><block wx:for=\"{{100000}}\"/></block>");
    let err = render_budgeted(&program, 0, &json!({}), &NoWxs, &Budget::default()).unwrap_err();
    assert_eq!(err.to_string(), "render limit: 400000 template instances");
}

#[test]
fn the_interrupt_is_asked_while_rendering_and_stops_it() {
    let (program, _) = compile_source("page.wxml", "<view wx:for=\"{{100000}}\">{{item}}</view>");
    let asked = Cell::new(0);
    let stop = || {
        asked.set(asked.get() + 1);
        asked.get() >= 3
    };
    let budget = Budget { interrupt: Some(&stop), ..Budget::default() };
    let err = render_budgeted(&program, 0, &json!({}), &NoWxs, &budget).unwrap_err();
    assert_eq!(err, RenderError::Interrupted);
    assert_eq!(asked.get(), 3);
    // Never asked to stop, it finishes (100,000 items are 200,001 nodes: over the default).
    let never = || false;
    let budget = Budget { max_nodes: 300_000, interrupt: Some(&never), ..Budget::default() };
    let page = render_budgeted(&program, 0, &json!({}), &NoWxs, &budget).expect("within the budget");
    assert_eq!(page.tree.len(), 200_001);
}

#[test]
fn scans_are_linear() {
    // A megabyte of each: minutes when quadratic.
    let braces = "{{".repeat(500_000);
    let lts = "<".repeat(1_000_000);
    let cases = [
        (
            format!("<view a=\"{braces}\"/>"),
            vec!["page.wxml:1:10: error: `{{` is not closed: expected `}}`".to_string()],
        ),
        (
            format!("<view>{braces}</view>"),
            vec!["page.wxml:1:7: error: `{{` is not closed: expected `}}`".to_string()],
        ),
        (format!("<view>{lts}</view>"), {
            let mut v: Vec<String> = (0..100)
                .map(|i| {
                    format!(
                        "page.wxml:1:{}: warning: `<` that starts no tag is taken as text; write `&lt;`",
                        7 + i
                    )
                })
                .collect();
            v.push("page.wxml:1:107: warning: 999900 more problems in this file (0 errors) not shown".into());
            v
        }),
    ];
    for (src, expected) in cases {
        let (_, diags) = compile_source("page.wxml", &src);
        assert_eq!(diagnostics(&diags), expected);
    }
}

const MIB: usize = 1 << 20;

/// The bytes a tree holds, found by walking it: what [`Tree::bytes`] keeps without walking.
fn scanned_bytes(tree: &Tree) -> usize {
    let mut total = 0;
    let mut stack = vec![tree.root()];
    while let Some(id) = stack.pop() {
        total += weigh(&tree.get(id).expect("a linked node exists").kind);
        stack.extend(tree.children(id));
    }
    total
}

/// `first`, then `next` `terms - 1` times, each after `op`: `big+big+…`.
fn terms(first: &str, op: &str, next: impl Fn(usize) -> String, n: usize) -> String {
    let mut s = String::from(first);
    for i in 1..n {
        s.push_str(op);
        s.push_str(&next(i));
    }
    s
}

/// A page and the component `card` it may use, whose template shows its `title`.
fn with_card(src: &str) -> Program {
    let mut files = Files::default();
    files.insert("pages/p/p.wxml", src.as_bytes().to_vec());
    files.insert("comp/card/card.wxml", b"<text>{{title}}</text>".to_vec());
    let (mut program, diags) = compile_files(&files, ["pages/p/p.wxml", "comp/card/card.wxml"]);
    assert!(diags.is_empty(), "{diags}");
    let page = program.file_of("pages/p/p").expect("compiled");
    program.components.insert(page, HashMap::from([(Arc::from("card"), Arc::from("comp/card/card"))]));
    program
}

/// Every way a small template and a 1 MiB string can ask for gigabytes: each must end in
/// `RenderError::Bytes` with the page (and what evaluation made) within the budget, on a first
/// render and on an update from a page that held nothing big.
#[test]
fn text_and_attributes_are_budgeted_in_bytes() {
    on_small_stack(|| {
        let big = "x".repeat(MIB);
        let plus = terms("big", "+", |_| "big".into(), TERMS);
        let array = format!("[{}]", terms("big", ",", |_| "big".into(), TERMS));
        let object = format!("{{{}}}", terms("k0: big", ",", |i| format!("k{i}: big"), TERMS));
        let spread = format!("[{}]", terms("...arr", ",", |_| "...arr".into(), TERMS));
        let object_spread = format!("{{{}}}", terms("...o", ",", |_| "...o".into(), TERMS));
        let joins = terms("arr", "+", |_| "arr".into(), TERMS);
        let nested = terms("nested", "+", |_| "nested".into(), TERMS);
        let mixed = "{{big}}".repeat(100);
        let args = format!("m.f({})", terms("big", ",", |_| "big".into(), 100));
        let cases: Vec<(&str, String)> = vec![
            ("text per item", "<text wx:for=\"{{n}}\">{{big}}</text>".into()),
            ("data- attribute per item", "<view data-x=\"{{big}}\" wx:for=\"{{n}}\"/>".into()),
            ("class per item", "<view class=\"{{big}}\" wx:for=\"{{n}}\"/>".into()),
            ("style per item", "<view style=\"item {{big}}\" wx:for=\"{{n}}\"/>".into()),
            ("array attribute per item", "<view data-x=\"{{arr}}\" wx:for=\"{{n}}\"/>".into()),
            ("object attribute per item", "<view data-x=\"{{o}}\" wx:for=\"{{n}}\"/>".into()),
            ("handler name per item", "<view bindtap=\"{{big}}\" wx:for=\"{{n}}\"/>".into()),
            ("concatenation", format!("<text>{{{{{plus}}}}}</text>")),
            ("array literal as text", format!("<text>{{{{{array}}}}}</text>")),
            ("array literal as attribute", format!("<view data-x=\"{{{{{array}}}}}\"/>")),
            ("object literal", format!("<view data-x=\"{{{{{object}}}}}\"/>")),
            ("array spreads", format!("<view data-x=\"{{{{{spread}}}}}\"/>")),
            ("object spreads", format!("<view data-x=\"{{{{{object_spread}}}}}\"/>")),
            ("array joins", format!("<text>{{{{{joins}}}}}</text>")),
            ("nested array joins", format!("<text>{{{{{nested}}}}}</text>")),
            ("mustaches in one text", format!("<text>{mixed}</text>")),
            ("wxs call arguments", format!("<text>{{{{{args}}}}}</text>")),
            ("condition", format!("<view wx:if=\"{{{{({plus}).length > 1}}}}\">x</view>")),
        ];
        let large = json!({
            "n": 10_000, "big": big, "arr": [big], "o": {"a": big},
            "nested": [[big, [big, [[]]]], []],
        });
        let small = json!({"n": 10_000, "big": "", "arr": [""], "o": {"a": ""}, "nested": [[]]});
        let changed: Vec<Vec<String>> =
            ["big", "arr", "o", "nested"].iter().map(|k| vec![k.to_string()]).collect();
        let limit = RenderError::Bytes { limit: MAX_PAGE_BYTES };
        for (name, src) in &cases {
            let (program, diags) = compile_source("page.wxml", src);
            assert!(!diags.has_errors(), "{name}: {:?}", diagnostics(&diags));
            let err = render_budgeted(&program, 0, &large, &NoWxs, &Budget::default()).unwrap_err();
            assert_eq!(err, limit, "{name}");
            assert_eq!(err.to_string(), "render limit: 64 MiB of text and attributes");
            // Without a budget argument: cut short within the budget, the tree consistent.
            let page = render(&program, 0, &large, &NoWxs);
            assert_eq!(page.breach(), Some(limit), "{name}");
            assert!(page.bytes() <= MAX_PAGE_BYTES, "{name}: {}", page.bytes());
            assert_eq!(scanned_bytes(&page.tree), page.tree.bytes(), "{name}");
            // An update that makes the same page big fails the same way, and leaves a page
            // that still updates.
            let mut page = render_budgeted(&program, 0, &small, &NoWxs, &Budget::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let err =
                page.update_budgeted(&program, &large, &changed, &NoWxs, &Budget::default()).unwrap_err();
            assert_eq!(err, limit, "{name}");
            assert!(page.bytes() <= MAX_PAGE_BYTES, "{name}: {}", page.bytes());
            assert_eq!(scanned_bytes(&page.tree), page.tree.bytes(), "{name}");
            page.update_budgeted(&program, &small, &changed, &NoWxs, &Budget::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let fresh = render(&program, 0, &small, &NoWxs);
            assert_eq!(page.tree.to_html(), fresh.tree.to_html(), "{name}");
            assert_eq!(page.tree.bytes(), fresh.tree.bytes(), "{name}");
        }
    });
}

#[test]
fn component_properties_count_against_the_byte_budget() {
    on_small_stack(|| {
        let program = with_card("<card wx:for=\"{{n}}\" title=\"{{big}}\"/>");
        let page_file = program.file_of("pages/p/p").expect("compiled");
        let large = json!({"n": 10_000, "big": "x".repeat(MIB)});
        let small = json!({"n": 10_000, "big": ""});
        let limit = RenderError::Bytes { limit: MAX_PAGE_BYTES };
        let err = render_budgeted(&program, page_file, &large, &NoWxs, &Budget::default()).unwrap_err();
        assert_eq!(err, limit);
        let mut page: Rendered = render(&program, page_file, &small, &NoWxs);
        assert_eq!(page.breach(), None);
        let changed = vec![vec!["big".to_string()]];
        let err = page.update_budgeted(&program, &large, &changed, &NoWxs, &Budget::default()).unwrap_err();
        assert_eq!(err, limit);
        assert!(page.bytes() <= MAX_PAGE_BYTES);
        // Removing the components gives their bytes back.
        let none = json!({"n": 0, "big": ""});
        page.update_budgeted(&program, &none, &[vec!["n".to_string()]], &NoWxs, &Budget::default())
            .expect("an empty page fits");
        assert_eq!(page.bytes(), page.tree.bytes());
        assert_eq!(page.tree.bytes(), "page".len());
    });
}

/// Each expression would make far more than the scope's 1 MiB: evaluation stops, marks the
/// scope's limit as passed and gives back something no larger than the limit.
#[test]
fn one_evaluation_makes_at_most_its_limit() {
    on_small_stack(|| {
        let big = "x".repeat(64 << 10);
        let arr: Vec<&str> = vec![&big; 17];
        let mut nested = json!([big]);
        for _ in 0..16 {
            nested = json!([big, nested]);
        }
        let data = json!({"big": big, "arr": arr, "o": {"a": big}, "nested": nested, "one": [big]});
        let many = |first: &str, op: &str, next: &str| terms(first, op, |_| next.into(), 1_000);
        let cases = [
            many("big", "+", "big"),
            format!("'' + {}", many("one", "+", "one")),
            format!("[{}]", many("big", ",", "big")),
            format!("{{{}}}", terms("k0: big", ",", |i| format!("k{i}: big"), 1_000)),
            format!("{{{}}}", terms("[big]: big", ",", |i| format!("[big + {i}]: big"), 1_000)),
            format!("[{}]", many("...one", ",", "...one")),
            format!("[{}]", many("...big", ",", "...big")),
            format!("{{{}}}", many("...o", ",", "...o")),
            format!("{{{}}}", many("...one", ",", "...one")),
            "arr + ''".into(),
            "'' + nested".into(),
            "-arr".into(),
            "arr == 'x'".into(),
            "arr < 'x'".into(),
            "o[arr]".into(),
            "{[arr]: 1}".into(),
            format!("m.f({})", many("big", ",", "big")),
        ];
        for src in cases {
            let expr = parse(&src).unwrap_or_else(|e| panic!("{}: {}", &src[..20.min(src.len())], e.message));
            let scope = Scope::bounded(Val::of(&data), MIB);
            let value = expr.eval(&scope, &NoWxs);
            assert!(scope.limit().is_over(), "{}…", &src[..20.min(src.len())]);
            assert!(value.weight_capped(usize::MAX) <= MIB + 2, "{}…", &src[..20.min(src.len())]);
        }
        // Within the limit nothing is refused.
        let fine = ["big + big", "[big, big]", "{a: big, b: big}", "[...one, ...one]", "{...o}", "one + ''"];
        for src in fine {
            let scope = Scope::bounded(Val::of(&data), MIB);
            let value = parse(src).expect("parses").eval(&scope, &NoWxs);
            assert!(!scope.limit().is_over(), "{src}");
            assert!(!value.is_undefined(), "{src}");
        }
    });
}

#[test]
fn a_list_longer_than_the_page_may_hold_is_not_listed() {
    on_small_stack(|| {
        // A 64 MiB string is 64 million items: refused before any is made.
        let list = terms("big", "+", |_| "big".into(), 64);
        let (program, _) = compile_source("page.wxml", &format!("<view wx:for=\"{{{{{list}}}}}\"/>"));
        let data = json!({"big": "x".repeat(MIB)});
        let err = render_budgeted(&program, 0, &data, &NoWxs, &Budget::default()).unwrap_err();
        assert_eq!(err, RenderError::Records { limit: MAX_PAGE_NODES * RECORDS_PER_NODE });
    });
}

#[test]
fn a_page_just_under_the_byte_limit_renders_and_one_just_over_does_not() {
    on_small_stack(|| {
        let (program, _) = compile_source("page.wxml", "<view class=\"{{c}}\" bindtap=\"go\">{{t}}</view>");
        let data = json!({"c": "ab", "t": "hello"});
        // page + view + class="ab" (as JSON: 4) + tap go + hello
        let size = 4 + 4 + (5 + 4) + (3 + 2) + 5;
        assert_eq!(render(&program, 0, &data, &NoWxs).bytes(), size);
        let exact = Budget { max_bytes: size, ..Budget::default() };
        let mut page = render_budgeted(&program, 0, &data, &NoWxs, &exact).expect("fits exactly");
        let under = Budget { max_bytes: size - 1, ..Budget::default() };
        let err = render_budgeted(&program, 0, &data, &NoWxs, &under).unwrap_err();
        assert_eq!(err, RenderError::Bytes { limit: size - 1 });
        assert_eq!(err.to_string(), format!("render limit: {} bytes of text and attributes", size - 1));
        // Updates: one byte more text or class is over; the same size is not.
        let t = vec![vec!["t".to_string()]];
        let c = vec![vec!["c".to_string()]];
        let same = json!({"c": "ab", "t": "world"});
        page.update_budgeted(&program, &same, &t, &NoWxs, &exact).expect("same size");
        let longer = json!({"c": "ab", "t": "world!"});
        assert_eq!(page.update_budgeted(&program, &longer, &t, &NoWxs, &exact).unwrap_err(), err_at(size));
        let longer = json!({"c": "abc", "t": "world"});
        assert_eq!(page.update_budgeted(&program, &longer, &c, &NoWxs, &exact).unwrap_err(), err_at(size));
        assert_eq!(page.tree.to_html(), "<view class=\"ab\" bind:tap=\"go\">world</view>");
        assert_eq!(page.bytes(), size);
        let shorter = json!({"c": "", "t": ""});
        page.update_budgeted(&program, &shorter, &[t[0].clone(), c[0].clone()], &NoWxs, &exact)
            .expect("smaller");
        assert_eq!(page.bytes(), size - 7);
        assert_eq!(scanned_bytes(&page.tree), page.bytes());
    });
}

fn err_at(limit: usize) -> RenderError {
    RenderError::Bytes { limit }
}

#[test]
fn byte_limits_print_in_mebibytes_when_whole() {
    let cases = [(64 * MIB, "64 MiB"), (2 * MIB, "2 MiB"), (MIB + 1, "1048577 bytes"), (1000, "1000 bytes")];
    for (limit, size) in cases {
        assert_eq!(
            RenderError::Bytes { limit }.to_string(),
            format!("render limit: {size} of text and attributes")
        );
    }
    assert_eq!(Budget::default().max_bytes, 64 * MIB);
}

#[test]
fn an_ordinary_page_is_unaffected_and_its_bytes_are_kept_exactly() {
    let src = r#"<view class="list">
  <view wx:for="{{rows}}" wx:key="id" class="row {{item.done ? 'done' : ''}}" data-id="{{item.id}}" bindtap="onTap">
    <text class="title">{{item.title}}</text>
    <text class="n">{{index + 1}}</text>
  </view>
</view>"#;
    let (program, _) = compile_source("page.wxml", src);
    let rows = |n: u64, tag: &str| json!({"rows": (0..n).map(|i| json!({"id": i, "title": format!("{tag} {i}"), "done": i % 3 == 0})).collect::<Vec<_>>()});
    let data = rows(1_000, "row");
    let mut page = render_budgeted(&program, 0, &data, &NoWxs, &Budget::default()).expect("fits");
    assert_eq!(scanned_bytes(&page.tree), page.tree.bytes());
    assert!(page.bytes() < 200_000, "{}", page.bytes());
    let all = vec![vec!["rows".to_string()]];
    for next in
        [rows(1_000, "renamed"), rows(10, "row"), rows(2_000, "a much longer title for row"), rows(0, "")]
    {
        page.update_budgeted(&program, &next, &all, &NoWxs, &Budget::default()).expect("fits");
        assert_eq!(scanned_bytes(&page.tree), page.tree.bytes());
        assert_eq!(page.tree.bytes(), render(&program, 0, &next, &NoWxs).tree.bytes());
    }
    // A view mirroring the page by patches and snapshots counts the same.
    let mut page = render(&program, 0, &data, &NoWxs);
    let mut mirror = Tree::new();
    mirror.try_apply(&page.tree.snapshot(), usize::MAX, usize::MAX).expect("a sound patch is accepted");
    for patch in page.update(&program, &rows(500, "x"), &all, &NoWxs) {
        mirror.try_apply(&patch, usize::MAX, usize::MAX).expect("a sound patch is accepted");
    }
    assert_eq!(mirror.bytes(), page.tree.bytes());
    assert_eq!(scanned_bytes(&mirror), mirror.bytes());
}
