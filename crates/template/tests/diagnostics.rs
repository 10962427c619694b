//! Bad templates: each gets a clear diagnostic with its position; nothing panics or hangs.

use capsule_package::Files;
use capsule_template::compile::{compile_files, compile_source};
use capsule_template::expr::NoWxs;
use capsule_template::render::render;
use expect_test::expect;

fn diagnostics(text: &str) -> String {
    let (_, diags) = compile_source("page.wxml", text);
    diags.iter().map(|d| format!("{d}\n")).collect()
}

#[test]
fn invalid_expressions_are_errors_at_their_position() {
    expect![[r#"
        page.wxml:1:13: error: invalid expression: expected an expression, found the end
        page.wxml:2:18: error: invalid expression: expected the end of the expression, found `b`
        page.wxml:3:9: error: `{{` is not closed: expected `}}`
    "#]]
    .assert_eq(&diagnostics("<view>{{a + }}</view>\n<view class=\"{{a b}}\"/>\n<view>x {{ y</view>"));
}

#[test]
fn stray_closing_braces_are_warnings() {
    expect![[r#"
        page.wxml:1:9: warning: stray `}}` without `{{`; it is kept as text
    "#]]
    .assert_eq(&diagnostics("<view>a }} b</view>"));
}

#[test]
fn unclosed_and_mismatched_tags_are_errors_each_reported() {
    // As the platform's compiler refuses them; the parse recovers, so every one is found.
    expect![[r#"
        page.wxml:2:4: error: <text> is not closed before </view>
        page.wxml:4:2: error: <view> is not closed
    "#]]
    .assert_eq(&diagnostics("<view>\n  <text>a\n</view>\n<view>b"));
}

#[test]
fn unknown_directives_and_misplaced_else() {
    expect![[r#"
        page.wxml:1:7: warning: unknown directive `wx:iff`; it is ignored
        page.wxml:2:7: warning: wx:else without a wx:if before it; it is treated as wx:if
        page.wxml:3:30: warning: wx:key takes a property name (`id`) or `*this`, not an expression
    "#]]
    .assert_eq(&diagnostics(
        "<view wx:iff=\"{{a}}\"/>\n<view wx:else>x</view>\n<view wx:for=\"{{l}}\" wx:key=\"{{item.id}}\"/>",
    ));
}

#[test]
fn include_cycles_are_reported() {
    let mut files = Files::default();
    files.insert("a.wxml", b"<include src=\"b.wxml\"/>".to_vec());
    files.insert("b.wxml", b"<view/><include src=\"/a.wxml\"/>".to_vec());
    let (_, diags) = compile_files(&files, ["a.wxml"]);
    expect![[r#"
        b.wxml:1:22: error: include cycle: a.wxml → b.wxml → a.wxml
    "#]]
    .assert_eq(&diags.iter().map(|d| format!("{d}\n")).collect::<String>());

    let mut files = Files::default();
    files.insert("self.wxml", b"<include src=\"self\"/>".to_vec());
    let (_, diags) = compile_files(&files, ["self.wxml"]);
    assert_eq!(diags.to_string(), "self.wxml:1:15: error: include cycle: self.wxml → self.wxml");
}

#[test]
fn missing_imports_and_includes() {
    expect![[r#"
        page.wxml:1:14: error: <import> cannot find `nope.wxml`
        page.wxml:1:40: error: <include> cannot find `/gone`
        page.wxml:1:49: error: <include> needs a `src`
    "#]]
    .assert_eq(&diagnostics("<import src=\"nope.wxml\"/><include src=\"/gone\"/><include/>"));
}

#[test]
fn calls_must_name_wxs_modules() {
    expect![[r#"
        page.wxml:1:9: warning: `util` is not a <wxs> module of this file; the call gives undefined
    "#]]
    .assert_eq(&diagnostics(
        "<view>{{util.fmt(a)}}</view><wxs module=\"m\">module.exports = {}</wxs>{{m.f(1)}}",
    ));
}

#[test]
fn fifty_levels_of_nesting_are_fine_and_thousands_are_refused() {
    let fifty = format!("{}x{}", "<view>".repeat(50), "</view>".repeat(50));
    let (program, diags) = compile_source("page.wxml", &fifty);
    assert!(diags.is_empty(), "{diags}");
    let html = render(&program, 0, &serde_json::json!({}), &NoWxs).tree.to_html();
    assert_eq!(html.matches("<view>").count(), 50);

    let deep = "<view>".repeat(100_000);
    let (_, diags) = compile_source("page.wxml", &deep);
    assert!(diags.to_string().contains("error: elements are nested more than 200 levels deep"), "{diags}");
}

#[test]
fn a_five_mebibyte_template_compiles() {
    let row = "<view class=\"row {{item.done ? 'done' : ''}}\" bindtap=\"onTap\" data-id=\"{{item.id}}\">{{item.title}}</view>\n";
    let text = row.repeat(5 * 1024 * 1024 / row.len() + 1);
    assert!(text.len() > 5 * 1024 * 1024);
    let (program, diags) = compile_source("big.wxml", &text);
    assert!(diags.is_empty());
    assert!(program.files[0].body.len() > 40_000);
}

#[test]
fn garbage_does_not_panic() {
    for text in [
        "<",
        "<<<>>>",
        "{{",
        "}}",
        "<view {{a}}>",
        "<view a={{'}}>",
        "</>",
        "<!---->",
        "<a b='{{ {a: [} }}'/>",
        "\u{0}\u{fffd}<view\u{301}/>",
    ] {
        let (program, _) = compile_source("page.wxml", text);
        let _ = render(&program, 0, &serde_json::json!({}), &NoWxs);
    }
}

#[test]
fn an_attribute_given_twice_keeps_the_last() {
    expect![[r#"
        page.wxml:1:18: warning: attribute `value` is given twice; the last one wins
    "#]]
    .assert_eq(&diagnostics("<input value=\"a\" value=\"{{b}}\"/>"));
}
