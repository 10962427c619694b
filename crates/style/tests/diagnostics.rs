//! What the compiler says about a sheet, and what it keeps: each problem is a warning at its
//! position, and the rest of the sheet survives.

mod support;

use capsule_style::SheetKind;
use expect_test::expect;
use support::{diagnostics, global_css};

#[test]
fn universal_selector_is_reported_and_its_selector_dropped() {
    let css = global_css(
        r#"* { margin: 0 }
.a, view > * { color: red }
.b:not(*) { color: blue }
"#,
    );
    expect![[r#"
        .a {color: red}
        app.wxss:1:1: warning: the universal selector `*` is not supported by WeChat; the selector is skipped
          hint: select the nodes by class instead
        app.wxss:2:12: warning: the universal selector `*` is not supported by WeChat; the selector is skipped
          hint: select the nodes by class instead
        app.wxss:3:8: warning: the universal selector `*` is not supported by WeChat; the selector is skipped
          hint: select the nodes by class instead
    "#]]
    .assert_eq(&css);
}

#[test]
fn component_sheets_warn_on_tag_id_and_attribute_selectors() {
    let source = r#"view { color: red }
#main { color: red }
.a[data-x] { color: red }
.ok .b:hover { color: red }
page { color: red }
"#;
    expect![[r#"
        c.wxss:1:1: warning: tag selector `view` is not allowed in component wxss
          hint: in a component, select nodes by class
        c.wxss:2:1: warning: id selector `#main` is not allowed in component wxss
          hint: in a component, select nodes by class
        c.wxss:3:3: warning: attribute selector `[data-x]` is not allowed in component wxss
          hint: in a component, select nodes by class
        c.wxss:5:1: warning: tag selector `page` is not allowed in component wxss
          hint: in a component, select nodes by class
    "#]]
    .assert_eq(&diagnostics(source, SheetKind::Component));
    // Pages and the app may use them.
    assert_eq!(diagnostics(source, SheetKind::Page), "");
    assert_eq!(diagnostics(source, SheetKind::App), "");
}

#[test]
fn unknown_properties_are_reported_and_kept() {
    let css = global_css(
        r#".a {
  colr: red;
  backgroud-color: #fff;
  -webkit-line-clamp: 2;
  --my-var: 1;
  frobnicate: yes;
  COLOR: blue;
}
"#,
    );
    expect![[r#"
        .a {colr: red; backgroud-color: #fff; -webkit-line-clamp: 2; --my-var: 1; frobnicate: yes; color: blue}
        app.wxss:2:3: warning: unknown property `colr`
          hint: did you mean `color`?
        app.wxss:3:3: warning: unknown property `backgroud-color`
          hint: did you mean `background-color`?
        app.wxss:6:3: warning: unknown property `frobnicate`
    "#]]
    .assert_eq(&css);
}

#[test]
fn malformed_declarations_are_skipped_and_the_rest_kept() {
    let css = global_css(
        r#".a {
  color red;
  width: 10rpx;
  height: ;
  content: "open
  ;
  margin: 0 !ie;
  *zoom: 1;
  .nested { color: red }
  padding: 1px
}
.b { color: blue }
"#,
    );
    expect![[r#"
        .a {width: calc(10 * var(--rpx)); padding: 1px}
        .b {color: blue}
        app.wxss:2:3: warning: invalid declaration `color red`; skipped
          hint: a declaration is `name: value;`
        app.wxss:4:3: warning: `height` has no value; skipped
        app.wxss:5:12: warning: invalid value for `content`: unterminated string (a string cannot span lines); skipped
        app.wxss:7:13: warning: invalid value for `margin`: `!` is only allowed in `!important`, at the end of the value; skipped
        app.wxss:8:3: warning: invalid declaration `*zoom: 1`; skipped
          hint: a declaration is `name: value;`
        app.wxss:9:3: warning: rules cannot be nested in WXSS; `.nested` is skipped
          hint: move the rule out of the block, with the full selector
    "#]]
    .assert_eq(&css);
}

#[test]
fn invalid_selectors_drop_their_rule() {
    let css = global_css(
        r#".a { color: red }
.b, .c > { color: red }
#1x { color: red }
.d & .e { color: red }
.f::{ color: red }
view.g h { color: red }
.h[x=] { color: red }
.i { color: blue }
"#,
    );
    expect![[r#"
        .a {color: red}
        wx-view.g h {color: red}
        .i {color: blue}
        app.wxss:2:8: warning: invalid selector: the selector ends with a combinator; the rule is skipped
        app.wxss:3:1: warning: invalid selector: `#1x` is not an id: an id cannot start with a digit; the rule is skipped
        app.wxss:4:4: warning: invalid selector: the nesting selector `&` is not supported; the rule is skipped
        app.wxss:5:3: warning: invalid selector: expected a name after `:`; the rule is skipped
        app.wxss:7:3: warning: invalid selector: expected a value after `=`; the rule is skipped
    "#]]
    .assert_eq(&css);
}

#[test]
fn unbalanced_braces_are_reported() {
    let css = global_css(
        r#".a { color: red }
}
.b { color: blue }
.c { color: green
"#,
    );
    expect![[r#"
        .a {color: red}
        .c {color: green}
        app.wxss:2:1: warning: invalid selector: unexpected `}`; the rule is skipped
        app.wxss:4:1: warning: this block is never closed: `}` is missing at the end of the file
    "#]]
    .assert_eq(&css);
}

#[test]
fn unsupported_at_rules_are_reported_and_skipped() {
    let css = global_css(
        r#"@page { margin: 0 }
@layer base { .x { color: red } }
@media screen;
@charset "utf-8";
@media (min-width: 375rpx) { .m { color: red } }
.a { @media screen { color: red } color: blue }
"#,
    );
    expect![[r#"
        @media (min-width: 375rpx) {
          .m {color: red}
        }
        .a {color: blue}
        app.wxss:1:1: warning: @page is not supported; the rule is skipped
          hint: WXSS keeps @import, @media, @supports, @keyframes and @font-face
        app.wxss:2:1: warning: @layer is not supported; the rule is skipped
          hint: WXSS keeps @import, @media, @supports, @keyframes and @font-face
        app.wxss:3:1: warning: this at-rule needs a `{ … }` block; skipped
        app.wxss:4:1: warning: @charset must be the very first thing in a file; ignored
        app.wxss:5:20: warning: `rpx` is not converted in an @media condition, which browsers do not understand
          hint: use `px` in media conditions
        app.wxss:6:6: warning: @media is not allowed inside a rule; skipped
    "#]]
    .assert_eq(&css);
}

#[test]
fn a_late_import_is_a_warning_and_ignored() {
    let (sheet, diags) = support::compile(
        &[("a.wxss", ".a { color: red }\n@import \"b.wxss\";\n"), ("b.wxss", ".b { color: blue }")],
        "a.wxss",
        SheetKind::Page,
    );
    assert_eq!(sheet.rules.len(), 1);
    expect![[r#"
        a.wxss:2:1: warning: @import must come before every other rule; ignored
          hint: move the @import to the top of the file
    "#]]
    .assert_eq(&support::lines(&diags));
}

#[test]
fn a_byte_order_mark_is_skipped_and_positions_still_count_from_the_file_start() {
    let css = global_css("\u{feff}.a { colr: red }");
    assert_eq!(
        css,
        ".a {colr: red}\napp.wxss:1:6: warning: unknown property `colr`\n  hint: did you mean `color`?\n"
    );
}
