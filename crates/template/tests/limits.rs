//! Hostile templates and data: deep but legal input never overflows the stack, expansion is
//! refused at compile time with a position, rendering stops at its budget, and no scan is
//! quadratic. The deep cases run on a thread with a 2 MiB stack (what `capsule render` and
//! `check` may have on the main thread), so a recursion regression fails here.

use std::cell::Cell;

use capsule_package::Files;
use capsule_template::compile::{MAX_INCLUDE_NODES, compile_files, compile_source};
use capsule_template::expr::NoWxs;
use capsule_template::render::{Budget, MAX_PAGE_NODES, RenderError, render, render_budgeted};
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
    let budget = Budget { max_nodes: 300_000, interrupt: Some(&never) };
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
