//! Each template feature: a minimal template, data, and the exact first frame.

use capsule_package::Files;
use capsule_template::compile::compile_files;
use capsule_template::expr::NoWxs;
use capsule_template::render::render;
use serde_json::{Value, json};

/// Renders `page.wxml` (with any other `files`) and returns the HTML; compile problems fail
/// the test.
fn html_with(files: &[(&str, &str)], data: Value) -> String {
    let mut all = Files::default();
    for (path, text) in files {
        all.insert(*path, text.as_bytes().to_vec());
    }
    let (program, diags) = compile_files(&all, ["page.wxml"]);
    assert!(diags.is_empty(), "{diags}");
    let file = program.by_path["page.wxml"];
    render(&program, file, &data, &NoWxs).tree.to_html()
}

fn html(template: &str, data: Value) -> String {
    html_with(&[("page.wxml", template)], data)
}

macro_rules! cases {
    ($( $name:ident: $template:expr, $data:expr => $expected:expr; )+) => {
        $(
            #[test]
            fn $name() {
                assert_eq!(html($template, $data), $expected);
            }
        )+
    };
}

cases! {
    // A `\n` escape written in content is a line break inside <text> (nested ones too) and a
    // space elsewhere, as the platform's compiler makes it; in a mustache it stays the
    // expression's own escape, and attributes keep it as written.
    newline_escape_in_text_is_a_line_break:
        r"<text>a\nb<text>c\nd</text></text>", json!({}) => "<text>a\nb<text>c\nd</text></text>";
    newline_escape_outside_text_is_a_space:
        r"<view>a\nb</view>", json!({}) => "<view>a b</view>";
    newline_escape_around_a_binding:
        r"<text>{{x}}\n{{'y\\n'}}</text><view title='p\nq'/>", json!({"x": "1"})
            => "<text>1\ny\\n</text><view title=\"p\\nq\"></view>";
    text_and_bindings:
        "<view>Hello, {{name}}!</view>", json!({"name": "Ada"}) => "<view>Hello, Ada!</view>";
    undefined_and_null_render_empty:
        "<view>[{{missing}}][{{n}}][{{a.b.c}}]</view>", json!({"n": null}) => "<view>[][][]</view>";
    numbers_print_as_javascript:
        "<text>{{a / 3}} {{b}} {{a + '1'}}</text>", json!({"a": 1, "b": 1e21}) => "<text>0.3333333333333333 1e+21 11</text>";
    attributes_mix_text_and_bindings:
        "<view id='item-{{i}}' class='row {{on ? \"on\" : \"\"}}'/>", json!({"i": 3, "on": true}) => r#"<view id="item-3" class="row on"></view>"#;
    a_single_binding_keeps_its_type:
        "<view hidden='{{flag}}' count='{{n}}'/>", json!({"flag": false, "n": 2}) => r#"<view hidden="false" count="2"></view>"#;
    bare_attributes_are_true:
        "<button disabled>x</button>", json!({}) => r#"<button disabled="true">x</button>"#;
    entities_decode:
        "<text>&lt;b&gt; &amp; &#65;&#x42; {{'&lt;'}}</text>", json!({}) => "<text>&lt;b&gt; &amp; AB &amp;lt;</text>";
    whitespace_only_text_is_dropped:
        "<view>\n  <text>a</text>\n  <text>b</text>\n</view>", json!({}) => "<view><text>a</text><text>b</text></view>";
    if_elif_else:
        "<view wx:if='{{n > 5}}'>big</view><view wx:elif='{{n > 1}}'>mid</view><view wx:else>small</view>",
        json!({"n": 3}) => "<view>mid</view>";
    if_false_renders_nothing:
        "<view wx:if='{{n}}'>x</view><text>after</text>", json!({"n": 0}) => "<text>after</text>";
    a_literal_if_string_is_truthy:
        "<view wx:if='false'>shown: a non-empty string is true</view>", json!({}) => "<view>shown: a non-empty string is true</view>";
    hidden_is_an_attribute:
        "<view hidden='{{!show}}'>x</view>", json!({"show": false}) => r#"<view hidden="true">x</view>"#;
    for_over_an_array:
        "<view wx:for='{{list}}' wx:key='id'>{{index}}:{{item.name}}</view>",
        json!({"list": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}) => "<view>0:a</view><view>1:b</view>";
    for_with_renamed_item_and_index:
        "<text wx:for='{{list}}' wx:for-item='x' wx:for-index='i'>{{i}}{{x}}</text>",
        json!({"list": ["a", "b"]}) => "<text>0a</text><text>1b</text>";
    for_over_an_object:
        "<text wx:for='{{o}}'>{{index}}={{item}};</text>", json!({"o": {"a": 1, "b": 2}}) => "<text>a=1;</text><text>b=2;</text>";
    for_over_a_number:
        "<text wx:for='{{3}}'>{{item}}</text>", json!({}) => "<text>0</text><text>1</text><text>2</text>";
    for_over_a_string:
        "<text wx:for='ab'>{{item}}</text>", json!({}) => "<text>a</text><text>b</text>";
    nested_for_sees_both_items:
        "<view wx:for='{{groups}}' wx:for-item='g'><text wx:for='{{g.members}}'>{{g.name}}/{{item}}</text></view>",
        json!({"groups": [{"name": "x", "members": [1, 2]}]}) => "<view><text>x/1</text><text>x/2</text></view>";
    for_runs_before_if:
        "<text wx:for='{{list}}' wx:if='{{item % 2}}'>{{item}}</text>", json!({"list": [1, 2, 3]}) => "<text>1</text><text>3</text>";
    block_adds_no_element:
        "<block wx:for='{{list}}'><text>{{item}}</text><text>!</text></block>",
        json!({"list": [1, 2]}) => "<text>1</text><text>!</text><text>2</text><text>!</text>";
    template_with_object_body_data:
        "<template name='card'><view>{{title}}: {{body}} {{extra}}</view></template><template is='card' data='{{title, ...card, extra: 1}}'/>",
        json!({"title": "T", "card": {"body": "B"}}) => "<view>T: B 1</view>";
    template_scope_is_only_its_data:
        "<template name='t'><text>[{{outer}}]</text></template><template is='t'/>", json!({"outer": "hidden"}) => "<text>[]</text>";
    template_name_from_data:
        "<template name='a'><text>A</text></template><template name='b'><text>B</text></template><template is='{{which}}'/>",
        json!({"which": "b"}) => "<text>B</text>";
    unknown_template_renders_nothing:
        "<template name='a'><text>A</text></template><template is='{{which}}'/><text>end</text>", json!({"which": "zzz"}) => "<text>end</text>";
    events_become_listeners:
        "<view bindtap='a' catch:longpress='b' capture-bind:touchstart='c' capture-catch:touchend='d' mut-bind:tap='e'/>", json!({})
        => r#"<view bind:tap="a" catch:longpress="b" capture-bind:touchstart="c" capture-catch:touchend="d" mut-bind:tap="e"></view>"#;
    handler_names_from_data:
        "<view bindtap='{{h}}'/>", json!({"h": "onGo"}) => r#"<view bind:tap="onGo"></view>"#;
    dataset_and_marks_stay_attributes:
        "<view data-user-id='{{7}}' mark:source='list'/>", json!({}) => r#"<view data-user-id="7" mark:source="list"></view>"#;
    model_value_binds_a_path:
        "<input model:value='{{form.name}}'/>", json!({"form": {"name": "x"}}) => r#"<input model:value="form.name" value="x"></input>"#;
    slots_are_kept:
        "<view><slot name='header'/><slot/></view>", json!({}) => r#"<view><slot name="header"></slot><slot></slot></view>"#;
    text_is_escaped:
        "<text>{{s}}</text>", json!({"s": "<script>&"}) => "<text>&lt;script&gt;&amp;</text>";
    objects_in_attributes_are_json:
        "<item data='{{o}}'/>", json!({"o": {"a": [1]}}) => r#"<item data="{&quot;a&quot;:[1]}"></item>"#;
}

#[test]
fn import_brings_templates_only_and_is_not_transitive() {
    let files = [
        ("page.wxml", "<import src='a.wxml'/><template is='fromA'/><template is='{{\"fromB\"}}'/>"),
        (
            "a.wxml",
            "<import src='/b'/><template name='fromA'><text>A</text></template><text>not imported</text>",
        ),
        ("b.wxml", "<template name='fromB'><text>B</text></template>"),
    ];
    assert_eq!(html_with(&files, json!({})), "<text>A</text>");
}

#[test]
fn include_brings_everything_but_templates() {
    let files = [
        ("page.wxml", "<include src='./parts/header.wxml'/><text>body</text>"),
        ("parts/header.wxml", "<template name='inc'><text>T</text></template><view>{{title}}</view>"),
    ];
    assert_eq!(html_with(&files, json!({"title": "Hi"})), "<view>Hi</view><text>body</text>");

    let mut all = Files::default();
    all.insert("page.wxml", b"<include src='/parts/header'/><template is='inc'/>".to_vec());
    all.insert("parts/header.wxml", files[1].1.as_bytes().to_vec());
    let (_, diags) = compile_files(&all, ["page.wxml"]);
    assert_eq!(
        diags.to_string(),
        "page.wxml:1:45: warning: template `inc` is not defined here or in an imported file"
    );
}

#[test]
fn a_template_calling_itself_stops() {
    let t = "<template name='t'><view>{{n}}<template is='t' data='{{n: n + 1}}'/></view></template><template is='t' data='{{n: 0}}'/>";
    let out = html(t, json!({}));
    assert_eq!(out.matches("<view>").count(), 32);
}

#[test]
fn the_showcase_templates_render() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/showcase");
    let package = capsule_package::Package::load(&root, &Default::default()).unwrap();
    let (program, diags) =
        compile_files(&package.files, capsule_template::compile::wxml_paths(&package.files));
    assert!(diags.is_empty(), "{diags}");
    let file = program.by_path["pages/lists/lists.wxml"];
    let data = json!({
        "fruits": [{"id": 1, "name": "apple"}],
        "groups": [{"title": "T", "members": ["Ann"]}],
        "scores": {"math": 90}
    });
    let out = render(&program, file, &data, &NoWxs).tree.to_html();
    assert!(out.contains("<view>0: apple</view>"), "{out}");
    assert!(out.contains("<text> Ann</text>"), "{out}");
    assert!(out.contains("<view>math = 90</view>"), "{out}");
    let file = program.by_path["pages/templates/templates.wxml"];
    let data = json!({"card": {"body": "B"}, "tagTemplate": "tag", "tags": ["x"]});
    let out = render(&program, file, &data, &NoWxs).tree.to_html();
    assert!(out.contains("Included from templates/header.wxml"), "{out}");
    assert!(out.contains(r#"<view class="card-title">Spread</view>"#), "{out}");
    assert!(out.contains(r##"<text class="tag">#x</text>"##), "{out}");
}

#[test]
fn an_attribute_given_twice_renders_and_updates_as_the_last() {
    // Found by the wxml fuzz target: with both kept, a view rebuilt from patches listed them
    // in another order than the page.
    let mut files = Files::default();
    files.insert("page.wxml", b"<input value=\"a\" id=\"i\" value=\"{{b}}\"/>".to_vec());
    let (program, diags) = compile_files(&files, ["page.wxml"]);
    assert_eq!(diags.len(), 1, "{diags}");
    let file = program.by_path["page.wxml"];
    let mut page = render(&program, file, &json!({"b": "x"}), &NoWxs);
    assert_eq!(page.tree.to_html(), "<input value=\"x\" id=\"i\"></input>");
    let mut mirror = capsule_template::tree::Tree::new();
    mirror.try_apply(&page.tree.snapshot(), usize::MAX, usize::MAX).expect("a sound patch is accepted");
    for patch in page.update_all(&program, &json!({}), &NoWxs) {
        mirror.try_apply(&patch, usize::MAX, usize::MAX).expect("a sound patch is accepted");
    }
    assert_eq!(page.tree.to_html(), "<input id=\"i\"></input>");
    assert_eq!(mirror.to_html(), page.tree.to_html());
}
