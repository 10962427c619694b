//! What a compiled stylesheet is: rules with their selectors and declarations, every piece
//! keeping the file and byte span it came from, so later layers (the views, devtools, the native
//! renderer's style resolution) can point back at the author's source.

use std::fmt;
use std::sync::Arc;

use capsule_package::Span;

/// Which part of a mini-program a stylesheet belongs to. Components may use fewer selectors
/// than the app and pages (no tag, id or attribute selectors), as on the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SheetKind {
    /// `app.wxss` (W3C: `app.css`): applies to every page.
    App,
    /// A page's own sheet, `<route>.wxss`.
    Page,
    /// A custom component's sheet, `<path>.wxss`.
    Component,
}

/// One compiled stylesheet: a file with the sheets it imports inlined, in order, where each
/// `@import` was.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// The package path of the file compiled.
    pub path: String,
    /// What the sheet belongs to, which decides the selectors it may use.
    pub kind: SheetKind,
    /// The rules kept, imported ones included, in source order.
    pub rules: Vec<Rule>,
}

/// Where a rule was written. Imported rules keep their own file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The package path of the file.
    pub file: Arc<str>,
    /// From the start of the rule's prelude to the end of its block.
    pub span: Span,
}

/// A rule the compiler keeps. Other at-rules (`@page`, `@layer`, …) are reported and dropped.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// `selectors { declarations }`.
    Style(StyleRule),
    /// `@media <condition> { rules }`.
    Media(ConditionalRule),
    /// `@supports <condition> { rules }`.
    Supports(ConditionalRule),
    /// `@keyframes name { from { … } 50% { … } }`.
    Keyframes(KeyframesRule),
    /// `@font-face { descriptors }`.
    FontFace(FontFaceRule),
}

impl Rule {
    /// Where the rule was written.
    pub fn origin(&self) -> &Origin {
        match self {
            Rule::Style(r) => &r.origin,
            Rule::Media(r) | Rule::Supports(r) => &r.origin,
            Rule::Keyframes(r) => &r.origin,
            Rule::FontFace(r) => &r.origin,
        }
    }
}

/// A style rule. Its selector list never is empty: a rule whose selectors were all rejected is
/// dropped.
#[derive(Clone, Debug, PartialEq)]
pub struct StyleRule {
    /// Where the rule was written.
    pub origin: Origin,
    /// The selector list, left to right.
    pub selectors: Vec<Selector>,
    /// The declarations kept, in order; may be empty.
    pub declarations: Vec<Declaration>,
}

/// `@media` or `@supports`: a condition and the rules it guards.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionalRule {
    /// Where the rule was written; for an `@import` with a media condition, the `@import`.
    pub origin: Origin,
    /// The condition as CSS text (`screen and (max-width: 600px)`), comments removed.
    pub condition: String,
    /// The rules that apply while the condition holds.
    pub rules: Vec<Rule>,
}

/// `@keyframes` (or a vendor-prefixed `@-webkit-keyframes`).
#[derive(Clone, Debug, PartialEq)]
pub struct KeyframesRule {
    /// Where the rule was written.
    pub origin: Origin,
    /// `""`, or the vendor prefix of the at-rule's name, such as `-webkit-`.
    pub vendor_prefix: String,
    /// The animation's name, which `animation-name` refers to.
    pub name: String,
    /// The steps, in source order.
    pub keyframes: Vec<Keyframe>,
}

/// One step of an animation: `from, 50% { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyframe {
    /// `from`, `to` or a percentage such as `50%`, as CSS text.
    pub selectors: Vec<String>,
    /// The properties at this step.
    pub declarations: Vec<Declaration>,
}

/// `@font-face`; its descriptors are kept as declarations.
#[derive(Clone, Debug, PartialEq)]
pub struct FontFaceRule {
    /// Where the rule was written.
    pub origin: Origin,
    /// The descriptors (`font-family`, `src`, …), whose names are not checked.
    pub declarations: Vec<Declaration>,
}

/// `name: value !important`.
#[derive(Clone, Debug, PartialEq)]
pub struct Declaration {
    /// Lower case, except custom properties (`--Brand`), whose names are case-sensitive.
    pub name: String,
    /// The value, without `!important`.
    pub value: Value,
    /// Whether the value ended with `!important`.
    pub important: bool,
    /// From the name to the end of the value, in the rule's file.
    pub span: Span,
}

/// A declaration value: CSS text with the `rpx` lengths held apart, since what an `rpx` is
/// worth depends on the screen the value ends up on.
///
/// ```
/// use capsule_style::{Value, ValuePiece};
/// let value = Value { pieces: vec![ValuePiece::Rpx(10.0), ValuePiece::Text(" 0".into())] };
/// assert_eq!(value.to_string(), "10rpx 0");
/// assert_eq!(value.to_css(), "calc(10 * var(--rpx)) 0");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Value {
    /// The runs of text and `rpx` lengths, in order.
    pub pieces: Vec<ValuePiece>,
}

/// A run of a [`Value`].
#[derive(Clone, Debug, PartialEq)]
pub enum ValuePiece {
    /// CSS text, written as it is.
    Text(String),
    /// A length in `rpx`: 750rpx is the width of the screen.
    Rpx(f32),
}

impl Value {
    /// The value for the web view, each `rpx` length as `calc(N * var(--rpx))`; the view sets
    /// `--rpx` to the device width / 750.
    pub fn to_css(&self) -> String {
        let mut out = String::new();
        self.write_css(&mut out);
        out
    }

    pub(crate) fn write_css(&self, out: &mut String) {
        for piece in &self.pieces {
            match piece {
                ValuePiece::Text(text) => out.push_str(text),
                ValuePiece::Rpx(n) => {
                    out.push_str("calc(");
                    out.push_str(&format_number(*n));
                    out.push_str(" * var(--rpx))");
                }
            }
        }
    }

    /// Whether the value holds no text at all (only a custom property may be empty).
    pub fn is_empty(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, ValuePiece::Text(t) if t.is_empty()))
    }

    /// Whether any length in the value is in `rpx`.
    pub fn has_rpx(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, ValuePiece::Rpx(_)))
    }
}

/// The value as authored (with `rpx`), comments removed and white space collapsed.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                ValuePiece::Text(text) => f.write_str(text)?,
                ValuePiece::Rpx(n) => write!(f, "{}rpx", format_number(*n))?,
            }
        }
        Ok(())
    }
}

/// Shortest text that reads back as the same `f32` (`750`, `0.5`, `-12.25`).
pub(crate) fn format_number(n: f32) -> String {
    use cssparser::ToCss;
    n.to_css_string()
}

/// One complex selector of a rule's selector list, such as `.list > view.item:first-child`.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    /// The selector as written in the source.
    pub text: String,
    /// Where [`Selector::text`] is, in the rule's file.
    pub span: Span,
    /// The compound selectors, left to right; never empty.
    pub compounds: Vec<Compound>,
}

/// Simple selectors with no combinator between them (`view.item:first-child`), and how the
/// compound relates to the one before it.
#[derive(Clone, Debug, PartialEq)]
pub struct Compound {
    /// `None` for the first compound of a selector, except in `:has(> .x)`.
    pub combinator: Option<Combinator>,
    /// The simple selectors, a type selector first if there is one. Never empty in a compiled
    /// sheet (a compound that was only `*` is reported and its selector dropped).
    pub parts: Vec<SimpleSelector>,
}

/// How a compound relates to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combinator {
    /// `a b`
    Descendant,
    /// `a > b`
    Child,
    /// `a + b`
    NextSibling,
    /// `a ~ b`
    SubsequentSibling,
}

/// One simple selector.
#[derive(Clone, Debug, PartialEq)]
pub enum SimpleSelector {
    /// A tag name, lower case: a built-in component (`view`), `page`, or any other tag.
    Type(String),
    /// `.name`
    Class(String),
    /// `#name`
    Id(String),
    /// `[name]`, `[name="value" i]`.
    Attribute {
        /// The attribute's name, as written.
        name: String,
        /// The test on its value; `None` when only its presence counts.
        matcher: Option<AttributeMatcher>,
    },
    /// `:name` or `:name(argument)`.
    PseudoClass {
        /// Lower case.
        name: String,
        /// What is between the parentheses of a functional pseudo-class.
        argument: Option<PseudoArgument>,
    },
    /// `::name` or `::name(argument)`.
    PseudoElement {
        /// Lower case.
        name: String,
        /// What is between the parentheses, as CSS text (`::part(label)`).
        argument: Option<String>,
    },
}

/// The test of an attribute selector with a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeMatcher {
    /// How the value is compared.
    pub operator: AttributeOperator,
    /// The value compared with, unquoted.
    pub value: String,
    /// The `i` flag.
    pub case_insensitive: bool,
}

/// `=`, `~=`, `|=`, `^=`, `$=`, `*=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeOperator {
    /// `=`: equal.
    Equal,
    /// `~=`: one of its space-separated words is equal.
    Includes,
    /// `|=`: equal, or starts with the value and `-`.
    DashMatch,
    /// `^=`: starts with.
    Prefix,
    /// `$=`: ends with.
    Suffix,
    /// `*=`: contains.
    Substring,
}

impl AttributeOperator {
    /// The operator as written in CSS.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributeOperator::Equal => "=",
            AttributeOperator::Includes => "~=",
            AttributeOperator::DashMatch => "|=",
            AttributeOperator::Prefix => "^=",
            AttributeOperator::Suffix => "$=",
            AttributeOperator::Substring => "*=",
        }
    }
}

/// What is between the parentheses of a functional pseudo-class.
#[derive(Clone, Debug, PartialEq)]
pub enum PseudoArgument {
    /// A selector list: `:not(.a, view)`, `:is(…)`, `:where(…)`, `:has(> .a)`.
    Selectors(Vec<Selector>),
    /// Anything else, as CSS text: `:nth-child(2n+1)`, `:host(.dark)`.
    Text(String),
}
