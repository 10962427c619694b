//! One file's text → its rules and `@import`s, every problem reported with its position.
//!
//! cssparser does the tokenizing and the block structure (and CSS's error recovery: a bad
//! declaration is skipped up to its `;`, a bad rule up to its block). This module decides what
//! each rule means for WXSS, which rules are kept, and what is said about the rest. Imports are
//! resolved here, so a missing file is reported once however often the sheet is compiled;
//! inlining them is `import.rs`'s job.

use std::sync::Arc;

use capsule_package::{Files, Location, Span};
use cssparser::{
    AtRuleParser, BasicParseErrorKind, CowRcStr, DeclarationParser, ParseError, ParseErrorKind, Parser,
    ParserState, QualifiedRuleParser, RuleBodyItemParser, RuleBodyParser, StyleSheetParser, ToCss, Token,
};

use crate::import::resolve_import;
use crate::names::{closest_property, is_known_property};
use crate::report::Reporter;
use crate::selector::parse_selector_list;
use crate::sheet::{
    ConditionalRule, Declaration, FontFaceRule, Keyframe, KeyframesRule, Origin, Rule, Selector, SheetKind,
    StyleRule, Value,
};
use crate::tokens::{self, RunKind};

/// How deep `@media` / `@supports` may nest. Real sheets use one or two levels; the limit keeps
/// hostile input from exhausting the stack (cssparser alone allows 75 levels of blocks).
pub const MAX_NESTING: usize = 16;

/// A top-level item of a parsed file.
#[derive(Clone, Debug)]
pub enum Item {
    /// A rule kept.
    Rule(Rule),
    /// An `@import` at the top of the file, to be inlined where it is.
    Import(Import),
}

/// An `@import` whose file was found.
#[derive(Clone, Debug)]
pub struct Import {
    /// The package path of the imported file.
    pub target: String,
    /// The media condition after the path, if any: the imported rules are wrapped in it.
    pub media: Option<String>,
    /// The `@import` rule.
    pub origin: Origin,
    /// Where the `@import` is, for errors about the import graph (a cycle, a budget).
    pub location: Location,
}

/// The parse state of one file.
pub struct Ctx<'t> {
    /// The package path of the file.
    pub file: Arc<str>,
    /// What cssparser reads: the file's text without its byte order mark.
    input: &'t str,
    /// Where `input` starts in the file's text; spans are in the file's text.
    base: usize,
    /// What the sheet belongs to, which decides the selectors it may use.
    pub kind: SheetKind,
    pub report: Reporter<'t>,
    /// The package's files, to resolve imports against.
    files: &'t Files,
    /// A block left open at the end of the file leaves every enclosing block open too; saying
    /// so once is enough.
    unclosed_reported: bool,
}

impl Ctx<'_> {
    /// The span in the file of bytes `start..end` of the parser's input.
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    fn origin(&self, start: usize, end: usize) -> Origin {
        Origin { file: self.file.clone(), span: self.span(start, end) }
    }

    /// Where a slice cssparser cut from the input starts. (Its errors carry the slice, not a
    /// position.)
    fn offset_of(&self, slice: &str) -> usize {
        (slice.as_ptr() as usize).saturating_sub(self.input.as_ptr() as usize).min(self.input.len())
    }

    /// The end of a block whose contents `input` has just read: after its `}`, or the end of the
    /// file when it was never closed (reported once, at the rule's start).
    fn close_block(&mut self, input: &Parser<'_>, rule_start: usize) -> usize {
        let end = input.position().byte_index();
        if end < self.input.len() {
            return end + 1;
        }
        if !self.unclosed_reported {
            self.unclosed_reported = true;
            let span = self.span(rule_start, rule_start + 1);
            self.report.warn(span, "this block is never closed: `}` is missing at the end of the file", None);
        }
        end
    }

    /// Reports an error cssparser found (ours are reported where they are found).
    fn syntax_error(&mut self, error: ParseError<Reported>, slice: &str, what: Construct) {
        let ParseErrorKind::Basic(kind) = error.kind else { return };
        let start = self.offset_of(slice);
        let trimmed = slice.trim_end_matches(|c: char| c == ';' || c.is_whitespace());
        let span = self.span(start, start + trimmed.len());
        let excerpt = excerpt(trimmed);
        let (message, hint) = match (kind, what) {
            (BasicParseErrorKind::TooManyNestedBlocks, _) => {
                (format!("blocks nested too deeply; `{excerpt}` is skipped"), None)
            }
            (_, Construct::Declaration) => (
                format!("invalid declaration `{excerpt}`; skipped"),
                Some("a declaration is `name: value;`".to_string()),
            ),
            (BasicParseErrorKind::EndOfInput, Construct::Rule) => {
                (format!("`{excerpt}` has no `{{ … }}` block; skipped"), None)
            }
            (_, Construct::Rule) => (format!("invalid rule `{excerpt}`; skipped"), None),
            (_, Construct::Keyframe) => (
                format!("invalid keyframe `{excerpt}`; skipped"),
                Some("a keyframe is `from`, `to` or a percentage, then `{ declarations }`".to_string()),
            ),
        };
        self.report.warn(span, message, hint);
    }
}

#[derive(Clone, Copy)]
enum Construct {
    Rule,
    Declaration,
    Keyframe,
}

/// The first line of `text`, cut to a length that reads well in a message.
fn excerpt(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(40).collect();
    if out.len() < line.len() {
        out.push('…');
    }
    out
}

/// Problems are reported where they are found; this only tells cssparser to skip.
#[derive(Debug)]
pub struct Reported;

/// Parses the text of the file `file`. The diagnostics come back with the items.
pub fn parse_file(
    files: &Files,
    file: Arc<str>,
    text: &str,
    kind: SheetKind,
) -> (Vec<Item>, Vec<capsule_package::Diagnostic>) {
    let base = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let input = &text[base..];
    let mut ctx = Ctx {
        file: file.clone(),
        input,
        base,
        kind,
        report: Reporter::new(file, text),
        files,
        unclosed_reported: false,
    };
    let mut parser = Parser::new(input);
    let items = RuleList { ctx: &mut ctx, depth: 0, imports_allowed: true }.parse(&mut parser);
    (items, ctx.report.finish())
}

/// A list of rules: the file's top level, or the inside of `@media` / `@supports`.
struct RuleList<'c, 't> {
    ctx: &'c mut Ctx<'t>,
    /// How many `@media` / `@supports` enclose the list.
    depth: usize,
    /// No rule other than `@import` has been seen yet (always false below the top level).
    imports_allowed: bool,
}

/// What a rule of a list came to.
enum Parsed {
    Item(Item),
    /// Reported already: nothing to keep.
    Skipped,
}

/// What an at-rule's prelude said, until its block (or `;`) is read.
enum AtPrelude {
    Import {
        target: String,
        media: Option<String>,
        url_end: usize,
    },
    Media(String),
    Supports(String),
    FontFace,
    Keyframes {
        vendor_prefix: String,
        name: String,
    },
    /// Reported already: skip the rule and its block.
    Skip,
}

impl RuleList<'_, '_> {
    fn parse(mut self, input: &mut Parser<'_>) -> Vec<Item> {
        let mut items = Vec::new();
        let mut rules = StyleSheetParser::new(input, &mut self);
        while let Some(result) = rules.next() {
            match result {
                Ok(Parsed::Item(item)) => items.push(item),
                Ok(Parsed::Skipped) => {}
                Err((error, slice, _)) => rules.parser.ctx.syntax_error(error, slice, Construct::Rule),
            }
        }
        items
    }

    fn nested_rules(&mut self, input: &mut Parser<'_>) -> Vec<Rule> {
        let list = RuleList { ctx: &mut *self.ctx, depth: self.depth + 1, imports_allowed: false };
        list.parse(input)
            .into_iter()
            .filter_map(|item| match item {
                Item::Rule(rule) => Some(rule),
                Item::Import(_) => None,
            })
            .collect()
    }

    fn import_prelude(&mut self, input: &mut Parser<'_>) -> AtPrelude {
        input.skip_whitespace();
        let start = input.position().byte_index();
        let target = match input.next().cloned() {
            Ok(Token::QuotedString(path) | Token::UnquotedUrl(path)) => Ok(path.to_string()),
            Ok(Token::Function(name)) if name.eq_ignore_ascii_case("url") => input
                .parse_nested_block(|i| {
                    let path = i.expect_string()?.to_string();
                    Ok::<_, ParseError<()>>(path)
                })
                .map_err(|_| ()),
            _ => Err(()),
        };
        let url_end = input.position().byte_index();
        let Ok(target) = target else {
            let span = self.ctx.span(start, url_end);
            self.ctx.report.warn(
                span,
                "expected the path of a stylesheet after `@import`; skipped",
                Some("write `@import \"common.wxss\";`".into()),
            );
            skip_rest(input);
            return AtPrelude::Skip;
        };
        let condition_start = input.position().byte_index();
        let condition = match tokens::collect_text(input) {
            Ok((condition, _)) => condition,
            Err(problem) => {
                let span = self.ctx.span(problem.start, problem.end);
                self.ctx.report.warn(
                    span,
                    format!("invalid @import condition: {}; skipped", problem.message),
                    None,
                );
                skip_rest(input);
                return AtPrelude::Skip;
            }
        };
        let lower = condition.to_ascii_lowercase();
        if lower.starts_with("layer") || lower.starts_with("supports(") {
            let span = self.ctx.span(condition_start, input.position().byte_index());
            self.ctx.report.warn(
                span,
                "`layer` and `supports()` on @import are not supported; skipped",
                None,
            );
            return AtPrelude::Skip;
        }
        AtPrelude::Import { target, media: (!condition.is_empty()).then_some(condition), url_end }
    }

    /// An `@media` or `@supports` condition.
    fn condition(&mut self, input: &mut Parser<'_>, at_rule: &str) -> Option<String> {
        match tokens::collect_text(input) {
            Ok((condition, rpx_at)) => {
                if let Some((start, end)) = rpx_at {
                    let span = self.ctx.span(start, end);
                    self.ctx.report.warn(
                        span,
                        format!("`rpx` is not converted in an @{at_rule} condition, which browsers do not understand"),
                        Some("use `px` in media conditions".into()),
                    );
                }
                Some(condition)
            }
            Err(problem) => {
                let span = self.ctx.span(problem.start, problem.end);
                self.ctx.report.warn(
                    span,
                    format!("invalid @{at_rule} condition: {}; skipped", problem.message),
                    None,
                );
                None
            }
        }
    }

    fn keyframes_prelude(&mut self, input: &mut Parser<'_>, vendor_prefix: &str) -> AtPrelude {
        let start = input.position().byte_index();
        let name = match input.next().cloned() {
            Ok(Token::Ident(name) | Token::QuotedString(name)) if input.is_exhausted() => name.to_string(),
            _ => {
                let end = input.position().byte_index();
                let span = self.ctx.span(start, end);
                self.ctx.report.warn(span, "expected one name after @keyframes; skipped", None);
                skip_rest(input);
                return AtPrelude::Skip;
            }
        };
        AtPrelude::Keyframes { vendor_prefix: vendor_prefix.to_string(), name }
    }
}

/// Consumes what is left of a prelude that was refused, so cssparser does not report it again.
fn skip_rest(input: &mut Parser<'_>) {
    while input.next().is_ok() {}
}

impl<'i> QualifiedRuleParser<'i> for RuleList<'_, '_> {
    type Prelude = Option<Vec<Selector>>;
    type QualifiedRule = Parsed;
    type Error = Reported;

    fn parse_prelude(&mut self, input: &mut Parser<'i>) -> Result<Self::Prelude, ParseError<Reported>> {
        self.imports_allowed = false;
        Ok(parse_selector_list(self.ctx, input))
    }

    fn parse_block(
        &mut self,
        selectors: Self::Prelude,
        start: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<Parsed, ParseError<Reported>> {
        let Some(selectors) = selectors else {
            skip_rest(input);
            return Ok(Parsed::Skipped);
        };
        let declarations = declarations(self.ctx, input, true);
        let start = start.position().byte_index();
        let end = self.ctx.close_block(input, start);
        let origin = self.ctx.origin(start, end);
        Ok(Parsed::Item(Item::Rule(Rule::Style(StyleRule { origin, selectors, declarations }))))
    }
}

impl<'i> AtRuleParser<'i> for RuleList<'_, '_> {
    type Prelude = AtPrelude;
    type AtRule = Parsed;
    type Error = Reported;

    fn parse_prelude(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
    ) -> Result<AtPrelude, ParseError<Reported>> {
        let lower = name.to_ascii_lowercase();
        let name_start = input.position().byte_index().saturating_sub(name.len() + 1);
        let name_span = self.ctx.span(name_start, input.position().byte_index());
        if lower == "import" {
            if self.depth > 0 {
                self.ctx.report.warn(
                    name_span,
                    "@import is only allowed at the top of a file; ignored",
                    None,
                );
                skip_rest(input);
                return Ok(AtPrelude::Skip);
            }
            if !self.imports_allowed {
                self.ctx.report.warn(
                    name_span,
                    "@import must come before every other rule; ignored",
                    Some("move the @import to the top of the file".into()),
                );
                skip_rest(input);
                return Ok(AtPrelude::Skip);
            }
            return Ok(self.import_prelude(input));
        }
        self.imports_allowed = false;
        let vendor_prefix =
            ["-webkit-", "-moz-", "-o-"].into_iter().find(|p| lower.starts_with(p)).unwrap_or("");
        let prelude = match &lower[vendor_prefix.len()..] {
            "media" if vendor_prefix.is_empty() => self.condition(input, "media").map(AtPrelude::Media),
            "supports" if vendor_prefix.is_empty() => {
                self.condition(input, "supports").map(AtPrelude::Supports)
            }
            "font-face" if vendor_prefix.is_empty() => {
                if !input.is_exhausted() {
                    self.ctx.report.warn(
                        name_span,
                        "@font-face takes nothing before its block; skipped",
                        None,
                    );
                    None
                } else {
                    Some(AtPrelude::FontFace)
                }
            }
            "keyframes" => Some(self.keyframes_prelude(input, vendor_prefix)),
            "charset" => {
                self.ctx.report.warn(
                    name_span,
                    "@charset must be the very first thing in a file; ignored",
                    None,
                );
                None
            }
            _ => {
                self.ctx.report.warn(
                    name_span,
                    format!("@{name} is not supported; the rule is skipped"),
                    Some("WXSS keeps @import, @media, @supports, @keyframes and @font-face".into()),
                );
                None
            }
        };
        let prelude = prelude.unwrap_or(AtPrelude::Skip);
        if matches!(prelude, AtPrelude::Skip) {
            skip_rest(input);
        }
        Ok(prelude)
    }

    fn rule_without_block(&mut self, prelude: AtPrelude, start: &ParserState) -> Result<Parsed, ()> {
        let start = start.position().byte_index();
        let (target, media, url_end) = match prelude {
            AtPrelude::Import { target, media, url_end } => (target, media, url_end),
            AtPrelude::Skip => return Ok(Parsed::Skipped),
            AtPrelude::Media(_)
            | AtPrelude::Supports(_)
            | AtPrelude::FontFace
            | AtPrelude::Keyframes { .. } => {
                let span = self.ctx.span(start, start + 1);
                self.ctx.report.warn(span, "this at-rule needs a `{ … }` block; skipped", None);
                return Ok(Parsed::Skipped);
            }
        };
        let span = self.ctx.span(start, url_end);
        match resolve_import(self.ctx.files, &self.ctx.file, &target) {
            Ok(path) => {
                let location = self.ctx.report.location(span);
                let origin = self.ctx.origin(start, url_end);
                Ok(Parsed::Item(Item::Import(Import { target: path, media, origin, location })))
            }
            Err(problem) => {
                self.ctx.report.error(span, problem.message, problem.hint);
                Ok(Parsed::Skipped)
            }
        }
    }

    fn parse_block(
        &mut self,
        prelude: AtPrelude,
        start: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<Parsed, ParseError<Reported>> {
        let start = start.position().byte_index();
        let nests = matches!(prelude, AtPrelude::Media(_) | AtPrelude::Supports(_));
        if nests && self.depth >= MAX_NESTING {
            let span = self.ctx.span(start, start + 1);
            self.ctx.report.warn(
                span,
                format!("@media / @supports nested more than {MAX_NESTING} levels deep; the rule is skipped"),
                None,
            );
            skip_rest(input);
            return Ok(Parsed::Skipped);
        }
        let rule = match prelude {
            AtPrelude::Skip => {
                skip_rest(input);
                return Ok(Parsed::Skipped);
            }
            AtPrelude::Import { .. } => {
                let span = self.ctx.span(start, start + 1);
                self.ctx.report.warn(span, "@import takes no block; skipped", None);
                skip_rest(input);
                return Ok(Parsed::Skipped);
            }
            AtPrelude::Media(condition) => {
                let rules = self.nested_rules(input);
                let end = self.ctx.close_block(input, start);
                Rule::Media(ConditionalRule { origin: self.ctx.origin(start, end), condition, rules })
            }
            AtPrelude::Supports(condition) => {
                let rules = self.nested_rules(input);
                let end = self.ctx.close_block(input, start);
                Rule::Supports(ConditionalRule { origin: self.ctx.origin(start, end), condition, rules })
            }
            AtPrelude::FontFace => {
                let declarations = declarations(self.ctx, input, false);
                let end = self.ctx.close_block(input, start);
                Rule::FontFace(FontFaceRule { origin: self.ctx.origin(start, end), declarations })
            }
            AtPrelude::Keyframes { vendor_prefix, name } => {
                let keyframes = keyframes(self.ctx, input);
                let end = self.ctx.close_block(input, start);
                Rule::Keyframes(KeyframesRule {
                    origin: self.ctx.origin(start, end),
                    vendor_prefix,
                    name,
                    keyframes,
                })
            }
        };
        Ok(Parsed::Item(Item::Rule(rule)))
    }
}

/// The declarations of a block. Property names are checked in style rules and keyframes, not
/// in `@font-face`, whose descriptors are another vocabulary.
fn declarations(ctx: &mut Ctx<'_>, input: &mut Parser<'_>, check_names: bool) -> Vec<Declaration> {
    let mut list = DeclarationList { ctx, check_names };
    let mut body = RuleBodyParser::new(input, &mut list);
    let mut declarations = Vec::new();
    while let Some(result) = body.next() {
        match result {
            Ok(Some(declaration)) => declarations.push(declaration),
            Ok(None) => {}
            Err((error, slice, _)) => body.parser.ctx.syntax_error(error, slice, Construct::Declaration),
        }
    }
    declarations
}

struct DeclarationList<'c, 't> {
    ctx: &'c mut Ctx<'t>,
    check_names: bool,
}

impl<'i> DeclarationParser<'i> for DeclarationList<'_, '_> {
    type Declaration = Option<Declaration>;
    type Error = Reported;

    fn parse_value(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
        declaration_start: &ParserState,
    ) -> Result<Option<Declaration>, ParseError<Reported>> {
        let start = declaration_start.position().byte_index();
        let custom = name.starts_with("--");
        let name = if custom { name.to_string() } else { name.to_ascii_lowercase() };
        let run = match tokens::collect(input, RunKind::Value) {
            Ok(run) if run.curly_block && !custom => {
                // `a:hover { … }` reads as a declaration at first; cssparser tries it as a
                // nested rule when the declaration is refused, and that is reported there.
                return Err(ParseError::from_basic_kind(BasicParseErrorKind::UnexpectedToken));
            }
            Ok(run) => run,
            Err(problem) => {
                let span = self.ctx.span(problem.start, problem.end);
                self.ctx.report.warn(
                    span,
                    format!("invalid value for `{name}`: {}; skipped", problem.message),
                    None,
                );
                skip_rest(input);
                return Ok(None);
            }
        };
        let end = start + input.slice_from(declaration_start.position()).trim_end().len();
        let span = self.ctx.span(start, end);
        let value = Value { pieces: run.pieces };
        if value.is_empty() && !custom {
            self.ctx.report.warn(span, format!("`{name}` has no value; skipped"), None);
            return Ok(None);
        }
        if self.check_names && !is_known_property(&name) {
            let name_span = self.ctx.span(start, start + name.len());
            let hint = if self.ctx.report.lists_warnings() {
                closest_property(&name).map(|p| format!("did you mean `{p}`?"))
            } else {
                None
            };
            self.ctx.report.warn(name_span, format!("unknown property `{name}`"), hint);
        }
        Ok(Some(Declaration { name, value, important: run.important, span }))
    }
}

/// An at-rule where none may stand (inside a rule, inside `@keyframes`): a warning at its
/// name, and the rest of it skipped.
fn refuse_at_rule(ctx: &mut Ctx<'_>, name: &str, input: &mut Parser<'_>, place: &str) {
    let end = input.position().byte_index();
    let span = ctx.span(end.saturating_sub(name.len() + 1), end);
    ctx.report.warn(span, format!("@{name} is not allowed inside {place}; skipped"), None);
    skip_rest(input);
}

impl<'i> AtRuleParser<'i> for DeclarationList<'_, '_> {
    type Prelude = ();
    type AtRule = Option<Declaration>;
    type Error = Reported;

    fn parse_prelude(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
    ) -> Result<(), ParseError<Reported>> {
        refuse_at_rule(self.ctx, &name, input, "a rule");
        Ok(())
    }

    fn rule_without_block(&mut self, _: (), _: &ParserState) -> Result<Option<Declaration>, ()> {
        Ok(None)
    }

    fn parse_block(
        &mut self,
        _: (),
        _: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<Option<Declaration>, ParseError<Reported>> {
        skip_rest(input);
        Ok(None)
    }
}

/// A rule nested in a block: CSS nesting, which WXSS does not have. Parsing it as a rule (and
/// not skipping to the next `;`) keeps the declarations after it.
impl<'i> QualifiedRuleParser<'i> for DeclarationList<'_, '_> {
    type Prelude = ();
    type QualifiedRule = Option<Declaration>;
    type Error = Reported;

    fn parse_prelude(&mut self, input: &mut Parser<'i>) -> Result<(), ParseError<Reported>> {
        skip_rest(input);
        Ok(())
    }

    fn parse_block(
        &mut self,
        _: (),
        start: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<Option<Declaration>, ParseError<Reported>> {
        let start = start.position().byte_index();
        let block_start = input.position().byte_index();
        let prelude = self.ctx.input[start..block_start].trim_end_matches('{').trim_end();
        let span = self.ctx.span(start, start + prelude.len());
        self.ctx.report.warn(
            span,
            format!("rules cannot be nested in WXSS; `{}` is skipped", excerpt(prelude)),
            Some("move the rule out of the block, with the full selector".into()),
        );
        skip_rest(input);
        Ok(None)
    }
}

impl<'i> RuleBodyItemParser<'i, Option<Declaration>, Reported> for DeclarationList<'_, '_> {
    fn parse_declarations(&self) -> bool {
        true
    }

    fn parse_qualified(&self) -> bool {
        true
    }
}

fn keyframes(ctx: &mut Ctx<'_>, input: &mut Parser<'_>) -> Vec<Keyframe> {
    let mut list = KeyframeList { ctx };
    let mut body = RuleBodyParser::new(input, &mut list);
    let mut keyframes = Vec::new();
    while let Some(result) = body.next() {
        match result {
            Ok(Some(keyframe)) => keyframes.push(keyframe),
            Ok(None) => {}
            Err((error, slice, _)) => body.parser.ctx.syntax_error(error, slice, Construct::Keyframe),
        }
    }
    keyframes
}

struct KeyframeList<'c, 't> {
    ctx: &'c mut Ctx<'t>,
}

impl<'i> QualifiedRuleParser<'i> for KeyframeList<'_, '_> {
    type Prelude = Option<Vec<String>>;
    type QualifiedRule = Option<Keyframe>;
    type Error = Reported;

    fn parse_prelude(&mut self, input: &mut Parser<'i>) -> Result<Self::Prelude, ParseError<Reported>> {
        let mut selectors = Vec::new();
        loop {
            input.skip_whitespace();
            let start = input.position();
            let selector = match input.next().cloned() {
                Ok(Token::Ident(name)) if name.eq_ignore_ascii_case("from") => Some("from".to_string()),
                Ok(Token::Ident(name)) if name.eq_ignore_ascii_case("to") => Some("to".to_string()),
                Ok(token @ Token::Percentage { .. }) => Some(token.to_css_string()),
                _ => None,
            };
            let Some(selector) = selector else {
                let end = input.position().byte_index();
                let span = self.ctx.span(start.byte_index(), end);
                self.ctx.report.warn(span, "a keyframe is `from`, `to` or a percentage; skipped", None);
                skip_rest(input);
                return Ok(None);
            };
            selectors.push(selector);
            match input.next() {
                Ok(Token::Comma) => continue,
                Err(_) => return Ok(Some(selectors)),
                Ok(_) => {
                    let end = input.position().byte_index();
                    let span = self.ctx.span(start.byte_index(), end);
                    self.ctx.report.warn(span, "expected `,` between keyframe selectors; skipped", None);
                    skip_rest(input);
                    return Ok(None);
                }
            }
        }
    }

    fn parse_block(
        &mut self,
        selectors: Self::Prelude,
        _: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<Option<Keyframe>, ParseError<Reported>> {
        let Some(selectors) = selectors else {
            skip_rest(input);
            return Ok(None);
        };
        Ok(Some(Keyframe { selectors, declarations: declarations(self.ctx, input, true) }))
    }
}

impl<'i> AtRuleParser<'i> for KeyframeList<'_, '_> {
    type Prelude = ();
    type AtRule = Option<Keyframe>;
    type Error = Reported;

    fn parse_prelude(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
    ) -> Result<(), ParseError<Reported>> {
        refuse_at_rule(self.ctx, &name, input, "@keyframes");
        Ok(())
    }

    fn rule_without_block(&mut self, _: (), _: &ParserState) -> Result<Option<Keyframe>, ()> {
        Ok(None)
    }

    fn parse_block(
        &mut self,
        _: (),
        _: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<Option<Keyframe>, ParseError<Reported>> {
        skip_rest(input);
        Ok(None)
    }
}

impl<'i> DeclarationParser<'i> for KeyframeList<'_, '_> {
    type Declaration = Option<Keyframe>;
    type Error = Reported;
}

impl<'i> RuleBodyItemParser<'i, Option<Keyframe>, Reported> for KeyframeList<'_, '_> {
    fn parse_declarations(&self) -> bool {
        false
    }

    fn parse_qualified(&self) -> bool {
        true
    }
}
