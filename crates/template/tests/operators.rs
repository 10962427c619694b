//! The bitwise and shift operators of `{{ }}` expressions against JavaScript (every expected
//! value is what Node.js prints for the same expression and data), object literals with
//! shorthand members in bindings and `<template data>`, and `<wxs>` modules that are functions.

use capsule_package::Files;
use capsule_template::compile::{compile_files, compile_source};
use capsule_template::expr::{NoWxs, WxsHost};
use capsule_template::render::render;
use serde_json::{Value, json};

/// Renders `page.wxml` with `wxs`; compile problems fail the test.
fn html_with(template: &str, data: &Value, wxs: &dyn WxsHost) -> String {
    let mut files = Files::default();
    files.insert("page.wxml", template.as_bytes().to_vec());
    let (program, diags) = compile_files(&files, ["page.wxml"]);
    assert!(diags.is_empty(), "{template}: {diags}");
    render(&program, program.by_path["page.wxml"], data, wxs).tree.to_html()
}

fn html(template: &str, data: &Value) -> String {
    html_with(template, data, &NoWxs)
}

/// The data every operator case reads.
fn data() -> Value {
    json!({
        "a": 2, "b": "3", "f": 5.7, "neg": -5, "big": 4_294_967_298u64, "huge": 1e21, "s": "x",
        "hex": "0x10", "n": null, "t": true, "list": [7], "pair": [1, 2], "o": {}
    })
}

/// Renders each expression in a `<text>` and compares with what JavaScript gives.
fn assert_renders(cases: &[(&str, &str)]) {
    let data = data();
    for (expr, expected) in cases {
        let got = html(&format!("<text>{{{{ {expr} }}}}</text>"), &data);
        assert_eq!(got, format!("<text>{expected}</text>"), "{expr}");
    }
}

#[test]
fn bitwise_not_converts_to_a_32_bit_integer() {
    assert_renders(&[
        ("~a", "-3"),
        ("~neg", "4"),
        ("~f", "-6"),
        ("~-1", "0"),
        ("~~f", "5"),
        ("~~-5.7", "-5"),
        ("~undefined", "-1"),
        ("~missing", "-1"),
        ("~s", "-1"),
        ("~b", "-4"),
        ("~n", "-1"),
        ("~t", "-2"),
        ("~big", "-3"),
        ("~huge", "559939583"),
        ("~list", "-8"),
        ("~pair", "-1"),
        ("~o", "-1"),
        ("~(0 / 0)", "-1"),
    ]);
}

#[test]
fn and_or_xor_work_on_32_bit_integers() {
    assert_renders(&[
        ("a & 3", "2"),
        ("neg & 0xff", "251"),
        ("f & 7", "5"),
        ("b & 1", "1"),
        ("s & 1", "0"),
        ("missing & 1", "0"),
        ("big & 3", "2"),
        ("huge & huge", "-559939584"),
        ("a | 1", "3"),
        ("neg | 0", "-5"),
        ("f | 0", "5"),
        ("-f | 0", "-5"),
        ("b | 0", "3"),
        ("hex | 0", "16"),
        ("s | 0", "0"),
        ("missing | 0", "0"),
        ("n | 0", "0"),
        ("t | 0", "1"),
        ("big | 0", "2"),
        ("huge | 0", "-559939584"),
        ("2147483648 | 0", "-2147483648"),
        ("4294967295 | 0", "-1"),
        ("list | 0", "7"),
        ("pair | 0", "0"),
        ("'' | 0", "0"),
        ("' 12 ' | 0", "12"),
        ("a ^ 3", "1"),
        ("neg ^ -1", "4"),
        ("f ^ 0", "5"),
        ("big ^ 1", "3"),
    ]);
}

#[test]
fn shifts_mask_the_count_and_unsigned_shift_gives_an_unsigned_result() {
    assert_renders(&[
        ("1 << 3", "8"),
        ("1 << 31", "-2147483648"),
        ("1 << 32", "1"),
        ("1 << 33", "2"),
        ("1 << -1", "-2147483648"),
        ("neg << 2", "-20"),
        ("f << 1", "10"),
        ("b << a", "12"),
        ("s << 1", "0"),
        ("1 << s", "1"),
        ("big << 1", "4"),
        ("1 << 35.9", "8"),
        ("neg >> 1", "-3"),
        ("-1 >> 31", "-1"),
        ("16 >> 2", "4"),
        ("f >> 1", "2"),
        ("big >> 1", "1"),
        ("1024 >> 33", "512"),
        ("-2147483648 >> 31", "-1"),
        ("neg >>> 0", "4294967291"),
        ("-1 >>> 0", "4294967295"),
        ("-1 >>> 28", "15"),
        ("16 >>> 2", "4"),
        ("neg >>> 1", "2147483645"),
        ("big >>> 0", "2"),
        ("huge >>> 0", "3735027712"),
        ("1 >>> 32", "1"),
        ("missing >>> 0", "0"),
        ("f >>> 0", "5"),
        ("-f >>> 0", "4294967291"),
    ]);
}

#[test]
fn precedence_is_javascripts() {
    assert_renders(&[
        ("1 + 2 << 3", "24"),
        ("1 << 2 + 3", "32"),
        ("2 * 3 << 1", "12"),
        ("1 << 3 < 9", "true"),
        ("16 >> 2 > 3", "true"),
        ("a & b == c", "0"),
        ("a & 3 == 2", "0"),
        ("(a & 3) == 2", "true"),
        ("1 | 2 ^ 3 & 4", "3"),
        ("1 | 2 && 0 | 0", "0"),
        ("0 || 4 | 1", "5"),
        ("5 & 3 ? 'y' : 'n'", "y"),
        ("1 | 2 == 2", "1"),
        ("a | 1 === 3", "2"),
        ("(a | 1) === 3", "true"),
        ("6 & 3 | 8", "10"),
        ("6 ^ 3 ^ 1", "4"),
        ("1 << 2 << 3", "32"),
        ("-16 >> 2 >>> 28", "15"),
        ("~a + 1", "-2"),
        ("-~a", "3"),
        ("!~-1", "true"),
        ("~!a", "-1"),
        ("typeof ~a", "number"),
        ("~a * 2", "-6"),
        ("1 - 2 >>> 0", "4294967295"),
        ("a < 3 | 0", "1"),
        ("[1 | 2, 3 ^ 1]", "3,2"),
        ("a ?? 1 | 2", "2"),
    ]);
}

#[test]
fn shifts_in_markup_are_neither_tags_nor_the_end_of_a_mustache() {
    let data = json!({"a": -8, "b": 1});
    let cases = [
        ("<text>{{a<<b}}</text>", "<text>-16</text>"),
        ("<text>{{a>>b}}|{{a>>>b}}</text>", "<text>-4|2147483644</text>"),
        ("<view wx:if={{a>>>31}}>on</view>", "<view>on</view>"),
        ("<view class='c{{a>>>29}}'/>", r#"<view class="c7"></view>"#),
        ("<view data-x=\"{{a>>1>>1}}\"/>", r#"<view data-x="-2"></view>"#),
        ("<text>{{a&b|a^b}}</text>", "<text>-7</text>"),
        ("<text>{{a||b}} {{b&&a}} {{a|b}}</text>", "<text>-8 -8 -7</text>"),
    ];
    for (template, expected) in cases {
        assert_eq!(html(template, &data), expected, "{template}");
    }
}

#[test]
fn operator_chains_of_any_length_stay_flat() {
    // Deeper than the nesting cap if each operator nested: chains of one level are flat.
    let terms = 5_000;
    let chain = |op: &str| vec!["1"; terms].join(op);
    for (expr, expected) in
        [(chain(" | "), "1"), (chain(" & "), "1"), (chain(" ^ "), "0"), (chain(" << "), "0")]
    {
        assert_eq!(
            html(&format!("<text>{{{{{expr}}}}}</text>"), &json!({})),
            format!("<text>{expected}</text>")
        );
    }
    let nots = format!("{}1", "~".repeat(10_000));
    let (_, diags) = compile_source("page.wxml", &format!("<text>{{{{{nots}}}}}</text>"));
    assert!(diags.to_string().contains("nested more than 100 levels deep"), "{diags}");
}

#[test]
fn object_literals_take_shorthand_members_and_spreads() {
    let data = json!({"a": 1, "c": "C", "o": {"x": [2]}});
    let cases = [
        // Spaced, as the platform's documentation writes it.
        (
            "<view data-o='{{ {a, b: c} }}'/>",
            r#"<view data-o="{&quot;a&quot;:1,&quot;b&quot;:&quot;C&quot;}"></view>"#,
        ),
        (
            "<view data-o='{{ {a, ...o, b: {a}} }}'/>",
            r#"<view data-o="{&quot;a&quot;:1,&quot;x&quot;:[2],&quot;b&quot;:{&quot;a&quot;:1}}"></view>"#,
        ),
        // Unspaced: the braces balance, so the object's `}` is not taken for the mustache's.
        (
            "<view data-o='{{{a, b: c}}}'/>",
            r#"<view data-o="{&quot;a&quot;:1,&quot;b&quot;:&quot;C&quot;}"></view>"#,
        ),
        ("<text>{{ {a, b: c}.b }}{{{a}.a}}</text>", "<text>C1</text>"),
        (
            "<text wx:for='{{ [{a, b: c}, {a: c}] }}'>{{item.a}}{{item.b}};</text>",
            "<text>1C;</text><text>C;</text>",
        ),
        // A missing shorthand name is undefined, and an object drops undefined members.
        ("<view data-o='{{ {a, missing} }}'/>", r#"<view data-o="{&quot;a&quot;:1}"></view>"#),
    ];
    for (template, expected) in cases {
        assert_eq!(html(template, &data), expected, "{template}");
    }
}

#[test]
fn template_data_is_an_object_body_with_shorthand_and_spread() {
    let data = json!({"a": 1, "c": "C", "o": {"x": 2, "y": 3}});
    let card = "<template name='t'><text>{{a}}|{{b}}|{{x}}|{{y}}|{{d.e}}</text></template>";
    let cases = [
        ("{{a, b: c}}", "<text>1|C|||</text>"),
        ("{{ a, b: c, ...o }}", "<text>1|C|2|3|</text>"),
        ("{{...o, y: a}}", "<text>||2|1|</text>"),
        ("{{a, d: {e: c}}}", "<text>1||||C</text>"),
        ("{{ a, d: {e: a << 4} }}", "<text>1||||16</text>"),
    ];
    for (body, expected) in cases {
        let template = format!("{card}<template is='t' data=\"{body}\"/>");
        assert_eq!(html(&template, &data), expected, "{body}");
    }
}

#[test]
fn malformed_object_literals_are_located_errors() {
    let cases = [
        (
            "<view data-o='{{ {a b} }}'/>",
            "page.wxml:1:21: error: invalid expression: expected `}`, found `b`",
        ),
        ("<view data-o='{{ {a: 1} }'/>", "page.wxml:1:15: error: `{{` is not closed: expected `}}`"),
        (
            "<template is='t' data='{{a b}}'/>",
            "page.wxml:1:28: error: invalid expression: expected the end of the expression, found `b`",
        ),
        (
            "<text>{{ a | }}</text>",
            "page.wxml:1:14: error: invalid expression: expected an expression, found the end",
        ),
        ("<text>{{ a >>= 1 }}</text>", "page.wxml:1:14: error: invalid expression: unexpected character `=`"),
    ];
    for (template, expected) in cases {
        let (_, diags) = compile_source("page.wxml", template);
        let first = diags.iter().next().map(|d| d.to_string());
        assert_eq!(first.as_deref(), Some(expected), "{template}");
    }
}

/// A host with one module `pad` that is itself a function, and one `fmt` whose `module.exports`
/// is an object.
struct Modules;

impl WxsHost for Modules {
    fn call(&self, module: &str, function: &str, args: &[Value]) -> Option<Value> {
        match (module, function) {
            ("fmt", "upper") => Some(json!(args.first()?.as_str()?.to_uppercase())),
            _ => None,
        }
    }
    fn call_module(&self, module: &str, args: &[Value]) -> Option<Value> {
        match module {
            "pad" => {
                Some(json!(format!("[{}]", args.iter().map(Value::to_string).collect::<Vec<_>>().join(","))))
            }
            _ => None,
        }
    }
}

#[test]
fn a_module_that_is_a_function_is_called_by_its_name() {
    let modules =
        "<wxs module='pad'>module.exports = function () {}</wxs><wxs module='fmt'>module.exports = {}</wxs>";
    let data = json!({"x": 5, "s": "ab"});
    let cases = [
        ("<text>{{ pad(x) }}</text>", "<text>[5]</text>"),
        ("<text>{{pad(x, s, x >>> 1)}}</text>", "<text>[5,\"ab\",2]</text>"),
        ("<text>{{ pad().length }}</text>", "<text>2</text>"),
        ("<text>{{ pad(fmt.upper(s)) }}</text>", "<text>[\"AB\"]</text>"),
        // `fmt` is not a function: the call is undefined, as a missing function is.
        ("<text>[{{ fmt(s) }}]</text>", "<text>[]</text>"),
    ];
    for (template, expected) in cases {
        assert_eq!(html_with(&format!("{modules}{template}"), &data, &Modules), expected, "{template}");
        // Without a host every call is undefined.
        assert!(!html(&format!("{modules}{template}"), &data).contains('5'), "{template}");
    }
    let (_, diags) = compile_source("page.wxml", "<text>{{ nope(x) }}</text>");
    assert_eq!(
        diags.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        ["page.wxml:1:9: warning: `nope` is not a <wxs> module of this file; the call gives undefined"]
    );
}

#[test]
fn a_module_call_rerenders_when_its_arguments_change() {
    let template =
        "<wxs module='pad'>module.exports = function () {}</wxs><text>{{pad(x)}}</text><text>{{pad}}</text>";
    let mut files = Files::default();
    files.insert("page.wxml", template.as_bytes().to_vec());
    let (program, diags) = compile_files(&files, ["page.wxml"]);
    assert!(diags.is_empty(), "{diags}");
    let mut page = render(&program, 0, &json!({"x": 1}), &Modules);
    assert_eq!(page.tree.to_html(), "<text>[1]</text><text></text>");
    let patches = page.update(&program, &json!({"x": 2}), &[vec!["x".to_string()]], &Modules);
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert_eq!(page.tree.to_html(), "<text>[2]</text><text></text>");
    // `pad(x)` does not read a data field named `pad`.
    let patches = page.update(&program, &json!({"x": 2, "pad": "p"}), &[vec!["pad".to_string()]], &Modules);
    assert_eq!(page.tree.to_html(), "<text>[2]</text><text>p</text>");
    assert_eq!(patches.len(), 1, "{patches:?}");
}
