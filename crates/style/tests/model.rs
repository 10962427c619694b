//! What a compiled sheet holds: selectors with their structure, text and spans; declarations
//! with their values, `!important` and spans.

mod support;

use capsule_style::{Rule, SheetKind};
use expect_test::expect;

#[test]
fn rules_keep_their_structure_and_positions() {
    let text = r#"
.a > view.b:not(#c), page::after, [data-x~="y" i] + text ~ .d { width: 10rpx !important; color: red }
@media screen { .m { --gap: 4rpx } }
"#;
    let (sheet, diags) = support::compile(&[("p.wxss", text)], "p.wxss", SheetKind::Page);
    assert!(diags.is_empty(), "{}", support::lines(&diags));
    let Rule::Style(rule) = &sheet.rules[0] else { panic!("a style rule first") };
    for selector in &rule.selectors {
        assert_eq!(&text[selector.span.start..selector.span.end], selector.text);
    }
    for declaration in &rule.declarations {
        assert!(text[declaration.span.start..declaration.span.end].starts_with(&declaration.name));
    }
    expect![[r##"
        [
            Style(
                StyleRule {
                    origin: Origin {
                        file: "p.wxss",
                        span: Span {
                            start: 1,
                            end: 102,
                        },
                    },
                    selectors: [
                        Selector {
                            text: ".a > view.b:not(#c)",
                            span: Span {
                                start: 1,
                                end: 20,
                            },
                            compounds: [
                                Compound {
                                    combinator: None,
                                    parts: [
                                        Class(
                                            "a",
                                        ),
                                    ],
                                },
                                Compound {
                                    combinator: Some(
                                        Child,
                                    ),
                                    parts: [
                                        Type(
                                            "view",
                                        ),
                                        Class(
                                            "b",
                                        ),
                                        PseudoClass {
                                            name: "not",
                                            argument: Some(
                                                Selectors(
                                                    [
                                                        Selector {
                                                            text: "#c",
                                                            span: Span {
                                                                start: 17,
                                                                end: 19,
                                                            },
                                                            compounds: [
                                                                Compound {
                                                                    combinator: None,
                                                                    parts: [
                                                                        Id(
                                                                            "c",
                                                                        ),
                                                                    ],
                                                                },
                                                            ],
                                                        },
                                                    ],
                                                ),
                                            ),
                                        },
                                    ],
                                },
                            ],
                        },
                        Selector {
                            text: "page::after",
                            span: Span {
                                start: 22,
                                end: 33,
                            },
                            compounds: [
                                Compound {
                                    combinator: None,
                                    parts: [
                                        Type(
                                            "page",
                                        ),
                                        PseudoElement {
                                            name: "after",
                                            argument: None,
                                        },
                                    ],
                                },
                            ],
                        },
                        Selector {
                            text: "[data-x~=\"y\" i] + text ~ .d",
                            span: Span {
                                start: 35,
                                end: 62,
                            },
                            compounds: [
                                Compound {
                                    combinator: None,
                                    parts: [
                                        Attribute {
                                            name: "data-x",
                                            matcher: Some(
                                                AttributeMatcher {
                                                    operator: Includes,
                                                    value: "y",
                                                    case_insensitive: true,
                                                },
                                            ),
                                        },
                                    ],
                                },
                                Compound {
                                    combinator: Some(
                                        NextSibling,
                                    ),
                                    parts: [
                                        Type(
                                            "text",
                                        ),
                                    ],
                                },
                                Compound {
                                    combinator: Some(
                                        SubsequentSibling,
                                    ),
                                    parts: [
                                        Class(
                                            "d",
                                        ),
                                    ],
                                },
                            ],
                        },
                    ],
                    declarations: [
                        Declaration {
                            name: "width",
                            value: Value {
                                pieces: [
                                    Rpx(
                                        10.0,
                                    ),
                                ],
                            },
                            important: true,
                            span: Span {
                                start: 65,
                                end: 88,
                            },
                        },
                        Declaration {
                            name: "color",
                            value: Value {
                                pieces: [
                                    Text(
                                        "red",
                                    ),
                                ],
                            },
                            important: false,
                            span: Span {
                                start: 90,
                                end: 100,
                            },
                        },
                    ],
                },
            ),
            Media(
                ConditionalRule {
                    origin: Origin {
                        file: "p.wxss",
                        span: Span {
                            start: 103,
                            end: 139,
                        },
                    },
                    condition: "screen",
                    rules: [
                        Style(
                            StyleRule {
                                origin: Origin {
                                    file: "p.wxss",
                                    span: Span {
                                        start: 119,
                                        end: 137,
                                    },
                                },
                                selectors: [
                                    Selector {
                                        text: ".m",
                                        span: Span {
                                            start: 119,
                                            end: 121,
                                        },
                                        compounds: [
                                            Compound {
                                                combinator: None,
                                                parts: [
                                                    Class(
                                                        "m",
                                                    ),
                                                ],
                                            },
                                        ],
                                    },
                                ],
                                declarations: [
                                    Declaration {
                                        name: "--gap",
                                        value: Value {
                                            pieces: [
                                                Rpx(
                                                    4.0,
                                                ),
                                            ],
                                        },
                                        important: false,
                                        span: Span {
                                            start: 124,
                                            end: 135,
                                        },
                                    },
                                ],
                            },
                        ),
                    ],
                },
            ),
        ]
    "##]]
    .assert_debug_eq(&sheet.rules);
}
