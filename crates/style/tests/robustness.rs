//! Hostile and huge input: the compiler never panics, never hangs, and what it writes out is CSS
//! it can read back.

mod support;

use capsule_package::{Diagnostics, Files};
use capsule_style::{MAX_WARNINGS_PER_FILE, Scope, SheetKind, compile_file};
use support::{compile, lines};

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() as usize % items.len()]
    }
}

/// Compiles `text`, writes it out, and compiles that again: the output must read back with
/// nothing to say but what was already said of properties it keeps (unknown names) and
/// conditions it cannot convert (`rpx` in `@media`).
fn assert_output_reads_back(text: &str, kind: SheetKind) -> Diagnostics {
    let (sheet, diags) = compile(&[("in.wxss", text)], "in.wxss", kind);
    for scope in [Scope::Global, Scope::Page("pages/p")] {
        let css = sheet.to_css(scope);
        let (_, again) = compile(&[("out.wxss", &css)], "out.wxss", SheetKind::App);
        let unexpected: Vec<String> = again
            .iter()
            .filter(|d| {
                !d.message.starts_with("unknown property") && !d.message.contains("rpx` is not converted")
            })
            .map(ToString::to_string)
            .collect();
        assert!(
            unexpected.is_empty(),
            "the output of\n{text}\nis\n{css}\nwhich reads back with\n{unexpected:#?}"
        );
    }
    diags
}

#[test]
fn a_five_mib_sheet_compiles_without_problems() {
    let mut text = String::new();
    let mut i: usize = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&format!(
            ".item-{i} > view.title, .list .item-{i}:first-child {{\n  width: {i}rpx;\n  margin: 0 auto;\n  color: #3b7ddd;\n  transform: translateX(-{i}.5rpx);\n}}\n"
        ));
        if i.is_multiple_of(1000) {
            text.push_str(&format!("@media (max-width: {i}px) {{ .m{i} {{ display: none }} }}\n"));
        }
        i += 1;
    }
    let (sheet, diags) = compile(&[("big.wxss", &text)], "big.wxss", SheetKind::Page);
    assert!(diags.is_empty(), "{}", lines(&diags));
    assert_eq!(sheet.rules.len(), i + i.div_ceil(1000));
    let css = sheet.to_css(Scope::Page("pages/big/big"));
    assert!(css.starts_with(
        "wx-page[data-route=\"pages/big/big\"] .item-0 > wx-view.title, wx-page[data-route=\"pages/big/big\"] .list .item-0:first-child {width: calc(0 * var(--rpx)); margin: 0 auto; color: #3b7ddd; transform: translateX(calc(-0.5 * var(--rpx)))}\n"
    ), "{}", &css[..300]);
}

#[test]
fn garbage_never_panics_and_what_is_kept_reads_back() {
    let pieces = [
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ";",
        ":",
        ",",
        ".a",
        "#b",
        "view",
        "*",
        ">",
        "+",
        "~",
        "@media",
        "@import",
        "@keyframes",
        "@font-face",
        "@supports",
        "\"",
        "'",
        "\\",
        "/*",
        "*/",
        "!",
        "important",
        "10rpx",
        "-2.5rpx",
        "calc(",
        "url(",
        "var(--x)",
        "--x",
        "color",
        "width",
        "page",
        " ",
        "\n",
        "\t",
        "&",
        "|",
        "=",
        "%",
        "é",
        "\u{feff}",
        "\u{0}",
        "1e99rpx",
        "<!--",
        "-->",
        ":not(",
        "::",
        "[x=",
        "\"abc\"",
    ];
    let mut random = Lcg(7);
    for round in 0..300 {
        let len = 1 + random.next() as usize % 200;
        let text: String = (0..len).map(|_| random.pick(&pieces)).collect();
        for kind in [SheetKind::App, SheetKind::Page, SheetKind::Component] {
            let diags = assert_output_reads_back(&text, kind);
            assert!(
                !diags.has_errors() || text.contains("@import"),
                "round {round}: {text:?}\n{}",
                lines(&diags)
            );
        }
    }
}

/// Every way a sheet can be cut off (an editor saving half a file) or lose one character.
#[test]
fn every_truncation_and_deletion_of_a_sheet_reads_back() {
    let sheet = r#"@charset "utf-8";
page, .a > view:not(.b, text)::after, [data-x="1" i] { content: "q\"uote"; background: url( 'i.png' ) no-repeat; }
.e\:sc { font: 12px/1.5 "Brand", Br\61nd, serif; width: calc(100% - 2 * 10rpx) !important; --v: { a: b }; }
@media screen and (max-width: 600px) { .m:nth-child(2n+1) { margin: -1.5rpx auto; } }
@keyframes k { from { opacity: 0 } 50% { transform: translate(1rpx, 2rpx) } }
@font-face { font-family: X; src: url(x.woff) }
/* comment */ .z:has(> image) ~ .w { color: #FFF }
"#;
    for cut in (0..=sheet.len()).filter(|&i| sheet.is_char_boundary(i)) {
        assert_output_reads_back(&sheet[..cut], SheetKind::Page);
        if let Some(c) = sheet[cut..].chars().next() {
            let damaged = format!("{}{}", &sheet[..cut], &sheet[cut + c.len_utf8()..]);
            assert_output_reads_back(&damaged, SheetKind::Page);
        }
    }
}

#[test]
fn a_minified_sheet_full_of_problems_is_reported_briefly() {
    // One 2 MiB line: a problem per rule, a failing import per import.
    let imports = "@import \"missing\";".repeat(50_000);
    let rules = ".a{colr:red}*{x:y}".repeat(1024 * 1024 / 18);
    let text = format!("{imports}{rules}");
    let (sheet, diags) = compile(&[("min.wxss", &text)], "min.wxss", SheetKind::Component);
    assert_eq!(sheet.rules.len(), 1024 * 1024 / 18);
    assert_eq!(diags.errors().count(), MAX_WARNINGS_PER_FILE + 1);
    assert_eq!(diags.warnings().count(), MAX_WARNINGS_PER_FILE + 1);
    let last: Vec<String> = diags.iter().skip(2 * MAX_WARNINGS_PER_FILE).map(ToString::to_string).collect();
    assert_eq!(
        last,
        [
            "min.wxss: warning: 116408 more warnings in this file are not listed (only the first 100 are)",
            "min.wxss: error: 49900 more errors in this file are not listed (only the first 100 are)",
        ]
    );
}

#[test]
fn binary_garbage_that_is_not_utf8_is_an_error() {
    let mut random = Lcg(11);
    let mut bytes: Vec<u8> = b".ok { color: red }\n.x { content: \"".to_vec();
    bytes.extend((0..1 << 20).map(|_| random.next() as u8));
    let mut files = Files::default();
    files.insert("bin.wxss", bytes);
    let mut diags = Diagnostics::default();
    let sheet = compile_file(&files, "bin.wxss", SheetKind::Page, &mut diags);
    assert!(sheet.rules.is_empty());
    let messages: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].starts_with("bin.wxss:2:16: error: not UTF-8 text (byte 0x"), "{}", messages[0]);
}

#[test]
fn binary_garbage_read_as_text_never_panics_and_warnings_are_capped() {
    let mut random = Lcg(3);
    let bytes: Vec<u8> = (0..1 << 20).map(|_| random.next() as u8).collect();
    let text = String::from_utf8_lossy(&bytes);
    let (_, diags) = compile(&[("bin.wxss", &text)], "bin.wxss", SheetKind::Component);
    assert!(!diags.has_errors());
    assert!(diags.len() <= MAX_WARNINGS_PER_FILE + 1, "{} diagnostics", diags.len());
}

#[test]
fn deep_nesting_is_cut_off_with_a_warning() {
    let n = 100_000;
    for (open, close) in
        [("@media screen {", "}"), ("@supports (display: grid) {", "}"), (".a {", "}"), ("{", "}")]
    {
        let text = format!(
            ".before {{ color: red }}\n{}{}\n.after {{ color: blue }}",
            open.repeat(n),
            close.repeat(n)
        );
        let (sheet, diags) = compile(&[("deep.wxss", &text)], "deep.wxss", SheetKind::Page);
        let css = sheet.to_css(Scope::Global);
        assert!(css.starts_with(".before {color: red}\n"), "{open}: {css}");
        assert!(css.ends_with(".after {color: blue}\n"), "{open}: {css}");
        assert!(!diags.is_empty() && !diags.has_errors(), "{open}: {}", lines(&diags));
    }
    let m = 10_000;
    for text in [
        format!(".x{}.y{} {{ color: red }}", ":not(".repeat(m), ")".repeat(m)),
        format!(".x {{ width: {}1px{} }}", "calc(".repeat(m), ")".repeat(m)),
        format!(".x {{ a: {}1{} }}", "f(".repeat(m), ")".repeat(m)),
        format!(".x {{ a: {}1{} }}", "[".repeat(m), "]".repeat(m)),
        format!(".x {{ --a: {}1{} }}", "{".repeat(m), "}".repeat(m)),
    ] {
        let text = format!("{text}\n.after {{ color: blue }}");
        let (sheet, diags) = compile(&[("deep.wxss", &text)], "deep.wxss", SheetKind::Page);
        assert_eq!(sheet.to_css(Scope::Global), ".after {color: blue}\n", "{}", &text[..20]);
        assert_eq!(diags.len(), 1, "{}", lines(&diags));
    }
}

#[test]
fn media_nested_to_the_limit_is_kept_and_deeper_is_reported() {
    let nested =
        |depth: usize| format!("{}.a {{ color: red }}{}", "@media screen {".repeat(depth), "}".repeat(depth));
    let limit = capsule_style::MAX_NESTING;
    let (sheet, diags) = compile(&[("m.wxss", &nested(limit))], "m.wxss", SheetKind::Page);
    assert!(diags.is_empty(), "{}", lines(&diags));
    assert!(sheet.to_css(Scope::Global).contains(".a {color: red}"));

    let (sheet, diags) = compile(&[("m.wxss", &nested(limit + 1))], "m.wxss", SheetKind::Page);
    assert!(!sheet.to_css(Scope::Global).contains(".a"));
    assert_eq!(
        lines(&diags),
        "m.wxss:1:241: warning: @media / @supports nested more than 16 levels deep; the rule is skipped\n"
    );
}

#[test]
fn unbalanced_braces_never_lose_the_rest_of_the_file_silently() {
    for text in
        ["}}}}}}", "{{{{{{", ")))", "]]]", ".a { color: red }}}}", "@media screen { .a { color: red }"]
    {
        let diags = assert_output_reads_back(text, SheetKind::Page);
        assert!(!diags.is_empty(), "{text}");
    }
}

#[test]
fn a_root_file_that_is_not_utf8_or_missing_is_an_error() {
    let mut files = Files::default();
    files.insert("a.wxss", b".a {}\n\xc3\x28".to_vec());
    let mut diags = Diagnostics::default();
    compile_file(&files, "a.wxss", SheetKind::App, &mut diags);
    compile_file(&files, "missing.wxss", SheetKind::App, &mut diags);
    expect_test::expect![[r#"
        a.wxss:2:1: error: not UTF-8 text (byte 0xc3 here); the stylesheet is skipped
          hint: save the file as UTF-8
        missing.wxss: error: no such stylesheet in the package
    "#]]
    .assert_eq(&lines(&diags));
}
