//! CSS for the web view: rpx, built-in tags, page scoping, at-rules.

mod support;

use support::{global_css, page_css};

#[test]
fn rpx_lengths_become_calc_of_the_rpx_variable() {
    for (declaration, expected) in [
        ("width: 750rpx", "width: calc(750 * var(--rpx))"),
        ("margin: 10rpx 20rpx", "margin: calc(10 * var(--rpx)) calc(20 * var(--rpx))"),
        ("margin: -10rpx 0 0 .5rpx", "margin: calc(-10 * var(--rpx)) 0 0 calc(0.5 * var(--rpx))"),
        ("width: 12.25rpx", "width: calc(12.25 * var(--rpx))"),
        ("width: calc(100% - 40rpx)", "width: calc(100% - calc(40 * var(--rpx)))"),
        (
            "transform: translate(10rpx, -2rpx)",
            "transform: translate(calc(10 * var(--rpx)), calc(-2 * var(--rpx)))",
        ),
        ("border: 1rpx solid #EEE", "border: calc(1 * var(--rpx)) solid #EEE"),
        ("--gap: 8rpx", "--gap: calc(8 * var(--rpx))"),
        ("font-size: 28RPX", "font-size: calc(28 * var(--rpx))"),
        ("width: 10px", "width: 10px"),
        ("height: 0", "height: 0"),
        ("padding: 10rpx !important", "padding: calc(10 * var(--rpx)) !important"),
        ("content: \"10rpx\"", "content: \"10rpx\""),
        ("background: url(a-10rpx.png)", "background: url(a-10rpx.png)"),
    ] {
        let css = global_css(&format!(".a {{ {declaration} }}"));
        assert_eq!(css, format!(".a {{{expected}}}\n"), "{declaration}");
    }
}

#[test]
fn builtin_component_tags_become_wx_elements() {
    for (selector, expected) in [
        ("view", "wx-view"),
        ("scroll-view", "wx-scroll-view"),
        ("swiper-item", "wx-swiper-item"),
        ("text", "wx-text"),
        ("button", "wx-button"),
        ("image", "wx-image"),
        ("input", "wx-input"),
        ("navigator", "wx-navigator"),
        ("page", "wx-page"),
        ("VIEW", "wx-view"),
        ("div", "div"),
        ("span", "span"),
        ("my-card", "my-card"),
        ("view.item > text:first-child", "wx-view.item > wx-text:first-child"),
        ("view text", "wx-view wx-text"),
        ("view + text ~ image", "wx-view + wx-text ~ wx-image"),
        (".list:not(view, .x)", ".list:not(wx-view, .x)"),
        ("view:is(.a text)", "wx-view:is(.a wx-text)"),
        (".row:has(> image)", ".row:has(> wx-image)"),
        ("view::after", "wx-view::after"),
        ("text:nth-child(2n+1)", "wx-text:nth-child(2n+1)"),
        ("button[type=primary]", "wx-button[type=\"primary\"]"),
        ("view[data-x^='a' i]", "wx-view[data-x^=\"a\" i]"),
        ("#main.a.b", "#main.a.b"),
        (".a\\:hover", ".a\\:hover"),
        ("view,text", "wx-view, wx-text"),
    ] {
        let css = global_css(&format!("{selector} {{ color: red }}"));
        assert_eq!(css, format!("{expected} {{color: red}}\n"), "{selector}");
    }
}

#[test]
fn page_sheets_are_confined_to_their_page() {
    for (selector, expected) in [
        (".a .b", r#"wx-page[data-route="p"] .a .b"#),
        ("page", r#"wx-page[data-route="p"]"#),
        ("page .x", r#"wx-page[data-route="p"] .x"#),
        ("page.dark > view", r#"wx-page[data-route="p"].dark > wx-view"#),
        ("page::before", r#"wx-page[data-route="p"]::before"#),
        ("view", r#"wx-page[data-route="p"] wx-view"#),
        (".x page", r#"wx-page[data-route="p"] .x wx-page"#),
        (
            ".a, page, .b",
            r#"wx-page[data-route="p"] .a, wx-page[data-route="p"], wx-page[data-route="p"] .b"#,
        ),
    ] {
        let css = page_css(&format!("{selector} {{ color: red }}"));
        assert_eq!(css, format!("{expected} {{color: red}}\n"), "{selector}");
    }
}

/// Dark-mode sheets ask for the colour scheme; the web view answers with the app's theme
/// (a style query on `--capsule-theme`, which the view sets), not the browser's.
#[test]
fn colour_scheme_media_rules_follow_the_apps_theme() {
    let css = page_css(
        r#"
@media (prefers-color-scheme: dark) { page { background: #000 } }
@media screen and (PREFERS-COLOR-SCHEME:light) { .a { color: #111 } }
@media (prefers-color-scheme: dark) and (max-width: 600px) { .b { color: red } }
"#,
    );
    expect_test::expect![[r#"
        @container style(--capsule-theme: dark) {
          wx-page[data-route="p"] {background: #000}
        }
        @container style(--capsule-theme: light) {
          wx-page[data-route="p"] .a {color: #111}
        }
        @media (prefers-color-scheme: dark) and (max-width: 600px) {
          wx-page[data-route="p"] .b {color: red}
        }
    "#]]
    .assert_eq(&css);
}

#[test]
fn at_rules_are_kept_and_media_rules_scoped() {
    let css = page_css(
        r#"
@media (max-width: 600px) {
  .a { width: 100rpx }
  page { color: red }
  @media screen { view { margin: 0 } }
}
@supports (display: grid) { .g { display: grid } }
@keyframes spin {
  from { transform: rotate(0deg) }
  50%, 75% { transform: translateX(20rpx) }
  to { transform: rotate(360deg) }
}
@-webkit-keyframes fade { 0% { opacity: 0 } 100% { opacity: 1 } }
@font-face { font-family: "Brand"; src: url("https://example.com/brand.woff2") format("woff2") }
.after { animation: spin 1s linear infinite }
"#,
    );
    expect_test::expect![[r#"
        @media (max-width: 600px) {
          wx-page[data-route="p"] .a {width: calc(100 * var(--rpx))}
          wx-page[data-route="p"] {color: red}
          @media screen {
            wx-page[data-route="p"] wx-view {margin: 0}
          }
        }
        @supports (display: grid) {
          wx-page[data-route="p"] .g {display: grid}
        }
        @keyframes spin {
          from {transform: rotate(0deg)}
          50%, 75% {transform: translateX(calc(20 * var(--rpx)))}
          to {transform: rotate(360deg)}
        }
        @-webkit-keyframes fade {
          0% {opacity: 0}
          100% {opacity: 1}
        }
        @font-face {font-family: "Brand"; src: url("https://example.com/brand.woff2") format("woff2")}
        wx-page[data-route="p"] .after {animation: spin 1s linear infinite}
    "#]]
    .assert_eq(&css);
}

#[test]
fn output_is_compact_and_keeps_the_authors_spelling() {
    let css = global_css(
        r#"
/* header */
.title   ,   .sub{
  color : #FFF ;  /* white */
  font : italic  bold  12px/30px  Georgia,serif;
  margin:0 auto!important;
  background-image: url( 'a b.png' );
  --Brand-Color: #3b7ddd;
  content: "a\"b";
}
.empty {}
"#,
    );
    expect_test::expect![[r#"
        .title, .sub {color: #FFF; font: italic bold 12px/30px Georgia,serif; margin: 0 auto !important; background-image: url("a b.png"); --Brand-Color: #3b7ddd; content: "a\"b"}
    "#]]
    .assert_eq(&css);
}

#[test]
fn routes_are_quoted_as_css_strings() {
    let (sheet, _) =
        support::compile(&[("p.wxss", ".a { color: red }")], "p.wxss", capsule_style::SheetKind::Page);
    assert_eq!(
        sheet.to_css(capsule_style::Scope::Page("pkg/pages/\"odd\"/x")),
        "wx-page[data-route=\"pkg/pages/\\\"odd\\\"/x\"] .a {color: red}\n"
    );
}
