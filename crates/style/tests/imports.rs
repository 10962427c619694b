//! `@import`: where it looks, what it inlines, and what it says when it cannot.

mod support;

use capsule_style::{Rule, Scope, SheetKind};
use expect_test::expect;
use support::{compile, lines};

/// The global CSS of `path` among `list`, then its diagnostics.
fn compiled(list: &[(&str, &str)], path: &str) -> String {
    let (sheet, diags) = compile(list, path, SheetKind::Page);
    format!("{}{}", sheet.to_css(Scope::Global), lines(&diags))
}

#[test]
fn imports_resolve_relative_absolute_and_without_extension() {
    for (import, expected) in [
        ("\"common.wxss\"", ".in-pages {color: red}\n"),
        ("'common.wxss'", ".in-pages {color: red}\n"),
        ("\"./common.wxss\"", ".in-pages {color: red}\n"),
        ("\"common\"", ".in-pages {color: red}\n"),
        ("url(common.wxss)", ".in-pages {color: red}\n"),
        ("url(\"common\")", ".in-pages {color: red}\n"),
        ("\"../styles/base.wxss\"", ".base {color: blue}\n"),
        ("\"/styles/base\"", ".base {color: blue}\n"),
        ("\"/common.wxss\"", ".at-root {color: green}\n"),
        ("\"../common\"", ".at-root {color: green}\n"),
    ] {
        let css = compiled(
            &[
                ("pages/page.wxss", &format!("@import {import};\n.own {{ margin: 0 }}")),
                ("pages/common.wxss", ".in-pages { color: red }"),
                ("styles/base.wxss", ".base { color: blue }"),
                ("common.wxss", ".at-root { color: green }"),
            ],
            "pages/page.wxss",
        );
        assert_eq!(css, format!("{expected}.own {{margin: 0}}\n"), "@import {import}");
    }
    // W3C MiniApp CSS imports CSS.
    let list =
        [("pages/p.css", "@import \"../base\";"), ("base.css", "h1 { margin: 0 }"), ("base.wxss", ".no {}")];
    assert_eq!(compiled(&list, "pages/p.css"), "h1 {margin: 0}\n");
}

#[test]
fn imported_rules_come_in_order_where_each_import_is() {
    let css = compiled(
        &[
            (
                "a.wxss",
                "@charset \"utf-8\";\n@import \"b\";\n@import \"c\" screen and (min-width: 400px);\n.a { color: red }",
            ),
            ("b.wxss", "@import \"d\";\n.b { color: red }"),
            ("c.wxss", ".c { width: 10rpx }"),
            ("d.wxss", ".d { color: red }"),
        ],
        "a.wxss",
    );
    expect![[r#"
        .d {color: red}
        .b {color: red}
        @media screen and (min-width: 400px) {
          .c {width: calc(10 * var(--rpx))}
        }
        .a {color: red}
    "#]]
    .assert_eq(&css);
}

#[test]
fn imported_rules_keep_their_own_file() {
    let (sheet, _) = compile(
        &[("a.wxss", "@import \"b\";\n.a { color: red }"), ("b.wxss", "\n.b { color: red }")],
        "a.wxss",
        SheetKind::Page,
    );
    let origins: Vec<(String, usize, usize)> = sheet
        .rules
        .iter()
        .map(|r| (r.origin().file.to_string(), r.origin().span.start, r.origin().span.end))
        .collect();
    assert_eq!(origins, [("b.wxss".to_string(), 1, 18), ("a.wxss".to_string(), 13, 30)]);
    let Rule::Style(rule) = &sheet.rules[1] else { panic!("a style rule") };
    assert_eq!(rule.selectors[0].text, ".a");
    assert_eq!(rule.declarations[0].span, capsule_package::Span::new(18, 28));
}

#[test]
fn a_missing_import_is_an_error_at_the_import() {
    let css = compiled(
        &[(
            "pages/a.wxss",
            "/* top */\n  @import \"missing\";\n@import \"/nowhere/x.wxss\";\n.a { color: red }",
        )],
        "pages/a.wxss",
    );
    expect![[r#"
        .a {color: red}
        pages/a.wxss:2:3: error: cannot find the stylesheet `missing`
          hint: looked for `pages/missing` and `pages/missing.wxss`
        pages/a.wxss:3:1: error: cannot find the stylesheet `/nowhere/x.wxss`
          hint: looked for `nowhere/x.wxss`
    "#]]
    .assert_eq(&css);
}

#[test]
fn imports_that_cannot_be_followed_are_errors() {
    let css = compiled(
        &[(
            "a.wxss",
            "@import \"../../up.wxss\";\n@import \"https://cdn.example.com/x.css\";\n@import \"\";\n@import 12;\n",
        )],
        "a.wxss",
    );
    expect![[r#"
        a.wxss:1:1: error: `../../up.wxss` leads outside the package
        a.wxss:2:1: error: cannot import `https://cdn.example.com/x.css`: only stylesheets inside the package can be imported
          hint: copy the stylesheet into the package
        a.wxss:3:1: error: @import with an empty path
        a.wxss:4:9: warning: expected the path of a stylesheet after `@import`; skipped
          hint: write `@import "common.wxss";`
    "#]]
    .assert_eq(&css);
}

#[test]
fn an_import_cycle_is_an_error_at_the_import_that_closes_it() {
    let css = compiled(
        &[
            ("a.wxss", "@import \"b\";\n.a { color: red }"),
            ("b.wxss", "@import \"c.wxss\";\n.b { color: red }"),
            ("c.wxss", "\n\n    @import '/a';\n.c { color: red }"),
        ],
        "a.wxss",
    );
    expect![[r#"
        .c {color: red}
        .b {color: red}
        .a {color: red}
        c.wxss:3:5: error: @import cycle: a.wxss → b.wxss → c.wxss → a.wxss
          hint: remove one of these imports
    "#]]
    .assert_eq(&css);

    let css = compiled(&[("self.wxss", "@import \"self\";\n.s { color: red }")], "self.wxss");
    expect![[r#"
        .s {color: red}
        self.wxss:1:1: error: @import cycle: self.wxss → self.wxss
          hint: remove one of these imports
    "#]]
    .assert_eq(&css);
}

#[test]
fn an_import_repeated_exponentially_stops_at_the_budget() {
    // Each file imports the next twice: 2^30 imports if nothing stopped it.
    let mut list: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("f{i}.wxss"),
                format!("@import \"f{n}\";\n@import \"f{n}\";\n.r{i} {{ color: red }}", n = i + 1),
            )
        })
        .collect();
    list.push(("f30.wxss".into(), ".leaf { color: red }".into()));
    let list: Vec<(&str, &str)> = list.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (sheet, diags) = compile(&list, "f0.wxss", SheetKind::Page);
    assert!(sheet.rules.len() < 2 * capsule_style::MAX_IMPORTS, "{} rules", sheet.rules.len());
    let errors: Vec<String> = diags.errors().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .ends_with("error: more than 1024 imports inlined into `f0.wxss`; no more imports are inlined"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_deep_import_chain_stops_at_the_depth_limit() {
    let list: Vec<(String, String)> = (0..100)
        .map(|i| (format!("f{i}.wxss"), format!("@import \"f{}\";\n.r{i} {{ color: red }}", i + 1)))
        .collect();
    let list: Vec<(&str, &str)> = list.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (sheet, diags) = compile(&list, "f0.wxss", SheetKind::Page);
    assert_eq!(sheet.rules.len(), capsule_style::MAX_IMPORT_DEPTH);
    let errors: Vec<String> = diags.errors().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        ["f31.wxss:1:1: error: imports nested more than 32 levels deep; no more imports are inlined"]
    );
}

#[test]
fn an_imported_file_that_is_not_utf8_is_an_error_in_that_file() {
    let mut files = support::files(&[("a.wxss", "@import \"b\";\n.a { color: red }")]);
    files.insert("b.wxss", b".b { content: \"\xff\xfe\" }".to_vec());
    let mut diags = capsule_package::Diagnostics::default();
    let sheet = capsule_style::compile_file(&files, "a.wxss", SheetKind::Page, &mut diags);
    assert_eq!(sheet.to_css(Scope::Global), ".a {color: red}\n");
    expect![[r#"
        b.wxss:1:16: error: not UTF-8 text (byte 0xff here); the stylesheet is skipped
          hint: save the file as UTF-8
    "#]]
    .assert_eq(&lines(&diags));
}
