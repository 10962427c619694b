//! Selector lists: tokens → [`Selector`]s, with the platform's restrictions reported.
//!
//! An invalid selector drops its whole rule, as in CSS. A selector WeChat does not support is
//! reported; one using `*` is dropped on its own (the platform rejects it), while tag, id and
//! attribute selectors in a component sheet are kept (the platform warns but applies them).

use cssparser::{BasicParseErrorKind, Delimiter, ParseError, ParseErrorKind, Parser, Token};

use crate::parse::Ctx;
use crate::sheet::{
    AttributeMatcher, AttributeOperator, Combinator, Compound, PseudoArgument, Selector, SheetKind,
    SimpleSelector,
};
use crate::tokens;

/// How deep `:not(:is(:not(…)))` may go.
const MAX_DEPTH: usize = 16;

/// Pseudo-classes whose argument is a selector list (whose tags are renamed like any other).
const SELECTOR_PSEUDO_CLASSES: &[&str] = &["-moz-any", "-webkit-any", "has", "is", "matches", "not", "where"];

/// Already reported; the rule is dropped.
#[derive(Debug)]
pub struct Invalid;

/// Parses the selector list in `input` (a rule's prelude). `None` when the rule must be dropped:
/// a selector was invalid, or every selector used `*`.
pub fn parse_selector_list(ctx: &mut Ctx<'_>, input: &mut Parser<'_>) -> Option<Vec<Selector>> {
    let list = SelectorParser { ctx }.list(input, 0, false).ok()?;
    let kept: Vec<Selector> =
        list.into_iter().filter(|(_, universal)| !universal).map(|(selector, _)| selector).collect();
    (!kept.is_empty()).then_some(kept)
}

struct SelectorParser<'c, 't> {
    ctx: &'c mut Ctx<'t>,
}

impl SelectorParser<'_, '_> {
    /// Each selector with whether it uses `*`. Every invalid selector is reported before the
    /// list is refused, so one pass shows all of them.
    fn list(
        &mut self,
        input: &mut Parser<'_>,
        depth: usize,
        relative: bool,
    ) -> Result<Vec<(Selector, bool)>, Invalid> {
        let mut selectors = Vec::new();
        let mut valid = true;
        loop {
            let result = input.parse_until_before(Delimiter::Comma, |i| {
                self.complex(i, depth, relative).map_err(ParseError::<Invalid>::custom)
            });
            match result {
                Ok(selector) => selectors.push(selector),
                Err(_) => valid = false,
            }
            if !matches!(input.next(), Ok(Token::Comma)) {
                break;
            }
        }
        if valid { Ok(selectors) } else { Err(Invalid) }
    }

    fn invalid<T>(&mut self, start: usize, end: usize, message: impl Into<String>) -> Result<T, Invalid> {
        let span = self.ctx.span(start, end);
        self.ctx.report.warn(
            span,
            format!("invalid selector: {}; the rule is skipped", message.into()),
            None,
        );
        Err(Invalid)
    }

    fn complex(
        &mut self,
        input: &mut Parser<'_>,
        depth: usize,
        relative: bool,
    ) -> Result<(Selector, bool), Invalid> {
        input.skip_whitespace();
        let start = input.position();
        let mut end = start;
        let mut universal = false;
        let mut compounds: Vec<Compound> = Vec::new();
        let mut current: Option<Compound> = None;
        // An explicit combinator seen since `current` was closed, and where it is.
        let mut pending: Option<Combinator> = None;
        let mut pending_at = (0, 0);
        let mut separated = false;
        loop {
            let token_start = input.position();
            let Ok(token) = input.next_including_whitespace().cloned() else { break };
            let (s, e) = (token_start.byte_index(), input.position().byte_index());
            let combinator = match token {
                Token::WhiteSpace(_) => {
                    separated = true;
                    continue;
                }
                Token::Delim('>') => Some(Combinator::Child),
                Token::Delim('+') => Some(Combinator::NextSibling),
                Token::Delim('~') => Some(Combinator::SubsequentSibling),
                _ => None,
            };
            if let Some(combinator) = combinator {
                if pending.is_some() {
                    return self.invalid(s, e, "two combinators in a row");
                }
                match current.take() {
                    Some(compound) => compounds.push(compound),
                    None if relative && compounds.is_empty() => {}
                    None => {
                        return self.invalid(
                            s,
                            e,
                            format!(
                                "a selector cannot start with `{}`",
                                input.slice(token_start..input.position())
                            ),
                        );
                    }
                }
                pending = Some(combinator);
                pending_at = (s, e);
                separated = false;
                end = input.position();
                continue;
            }
            if separated && let Some(compound) = current.take() {
                compounds.push(compound);
                pending = Some(Combinator::Descendant);
            }
            separated = false;
            let starts_compound = current.is_none();
            let mut compound =
                current.take().unwrap_or_else(|| Compound { combinator: pending.take(), parts: Vec::new() });
            let parts = &mut compound.parts;
            match token {
                Token::Ident(name) => {
                    if !starts_compound {
                        return self.invalid(
                            s,
                            e,
                            format!("the tag name `{name}` must come first in its compound selector"),
                        );
                    }
                    let name = name.to_ascii_lowercase();
                    self.component_restriction(s, e, "tag", &name);
                    parts.push(SimpleSelector::Type(name));
                }
                Token::Delim('*') => {
                    if !starts_compound {
                        return self.invalid(s, e, "`*` must come first in its compound selector");
                    }
                    universal = true;
                    let span = self.ctx.span(s, e);
                    self.ctx.report.warn(
                        span,
                        "the universal selector `*` is not supported by WeChat; the selector is skipped",
                        Some("select the nodes by class instead".into()),
                    );
                }
                Token::Delim('.') => match input.next_including_whitespace() {
                    Ok(Token::Ident(name)) => parts.push(SimpleSelector::Class(name.to_string())),
                    _ => return self.invalid(s, e, "expected a class name after `.`"),
                },
                Token::IDHash(name) => {
                    self.component_restriction(s, e, "id", input.slice(token_start..input.position()));
                    parts.push(SimpleSelector::Id(name.to_string()));
                }
                Token::Hash(name) => {
                    return self.invalid(
                        s,
                        e,
                        format!("`#{name}` is not an id: an id cannot start with a digit"),
                    );
                }
                Token::SquareBracketBlock => {
                    let attribute =
                        input.parse_nested_block(|i| attribute(i).map_err(ParseError::<String>::custom));
                    let e = input.position().byte_index();
                    match attribute {
                        Ok(attribute) => {
                            self.component_restriction(
                                s,
                                e,
                                "attribute",
                                input.slice(token_start..input.position()),
                            );
                            parts.push(attribute);
                        }
                        Err(error) => {
                            let message = match error.kind {
                                ParseErrorKind::Custom(message) => message,
                                ParseErrorKind::Basic(_) => "malformed attribute selector".into(),
                            };
                            return self.invalid(s, e, message);
                        }
                    }
                }
                Token::Colon => parts.push(self.pseudo(input, s, depth, &mut universal)?),
                Token::Delim('&') => return self.invalid(s, e, "the nesting selector `&` is not supported"),
                Token::Delim('|') => return self.invalid(s, e, "namespaces are not supported"),
                _ => {
                    let text = input.slice(token_start..input.position()).to_string();
                    return self.invalid(s, e, format!("unexpected `{text}`"));
                }
            }
            current = Some(compound);
            end = input.position();
        }
        match current {
            Some(compound) => compounds.push(compound),
            None => {
                let at = end.byte_index();
                return if compounds.is_empty() && pending.is_none() {
                    self.invalid(at, at, "empty selector")
                } else {
                    self.invalid(pending_at.0, pending_at.1, "the selector ends with a combinator")
                };
            }
        }
        let text = input.slice(start..end).to_string();
        let span = self.ctx.span(start.byte_index(), end.byte_index());
        Ok((Selector { text, span, compounds }, universal))
    }

    /// After a `:`: a pseudo-class, or after `::`, a pseudo-element.
    fn pseudo(
        &mut self,
        input: &mut Parser<'_>,
        start: usize,
        depth: usize,
        universal: &mut bool,
    ) -> Result<SimpleSelector, Invalid> {
        let element = input.try_parse(|i| match i.next_including_whitespace() {
            Ok(Token::Colon) => Ok(()),
            _ => Err(()),
        });
        let element = element.is_ok();
        let name = match input.next_including_whitespace().cloned() {
            Ok(Token::Ident(name)) => {
                let name = name.to_ascii_lowercase();
                return Ok(if element {
                    SimpleSelector::PseudoElement { name, argument: None }
                } else {
                    SimpleSelector::PseudoClass { name, argument: None }
                });
            }
            Ok(Token::Function(name)) => name.to_ascii_lowercase(),
            _ => {
                let end = input.position().byte_index();
                return self.invalid(start, end, "expected a name after `:`");
            }
        };
        if depth >= MAX_DEPTH {
            let end = input.position().byte_index();
            return self.invalid(start, end, format!("selectors nested more than {MAX_DEPTH} levels deep"));
        }
        if !element && SELECTOR_PSEUDO_CLASSES.contains(&name.as_str()) {
            let relative = name == "has";
            let result = input.parse_nested_block(|i| {
                self.list(i, depth + 1, relative).map_err(ParseError::<Invalid>::custom)
            });
            return match result {
                Ok(list) => {
                    *universal |= list.iter().any(|(_, u)| *u);
                    let selectors = list.into_iter().map(|(s, _)| s).collect();
                    Ok(SimpleSelector::PseudoClass {
                        name,
                        argument: Some(PseudoArgument::Selectors(selectors)),
                    })
                }
                Err(ParseError { kind: ParseErrorKind::Custom(Invalid), .. }) => Err(Invalid),
                Err(ParseError { kind: ParseErrorKind::Basic(kind), .. }) => {
                    let end = input.position().byte_index();
                    self.invalid(start, end, basic_message(&kind))
                }
            };
        }
        let result = input.parse_nested_block(|i| {
            tokens::collect_text(i).map_err(ParseError::<tokens::TokenProblem>::custom)
        });
        let end = input.position().byte_index();
        match result {
            Ok((text, _)) if text.is_empty() => {
                self.invalid(start, end, format!("`:{name}()` needs an argument"))
            }
            Ok((text, _)) if element => Ok(SimpleSelector::PseudoElement { name, argument: Some(text) }),
            Ok((text, _)) => {
                Ok(SimpleSelector::PseudoClass { name, argument: Some(PseudoArgument::Text(text)) })
            }
            Err(ParseError { kind: ParseErrorKind::Custom(problem), .. }) => {
                self.invalid(problem.start, problem.end, problem.message)
            }
            Err(ParseError { kind: ParseErrorKind::Basic(kind), .. }) => {
                self.invalid(start, end, basic_message(&kind))
            }
        }
    }

    /// Component sheets may not use tag, id or attribute selectors.
    fn component_restriction(&mut self, start: usize, end: usize, what: &str, text: &str) {
        if self.ctx.kind == SheetKind::Component {
            let span = self.ctx.span(start, end);
            self.ctx.report.warn(
                span,
                format!("{what} selector `{text}` is not allowed in component wxss"),
                Some("in a component, select nodes by class".into()),
            );
        }
    }
}

fn basic_message(kind: &BasicParseErrorKind) -> String {
    match kind {
        BasicParseErrorKind::TooManyNestedBlocks => "blocks nested too deeply".into(),
        _ => "unexpected token".into(),
    }
}

/// The inside of `[…]`.
fn attribute(input: &mut Parser<'_>) -> Result<SimpleSelector, String> {
    let name = match input.next() {
        Ok(Token::Ident(name)) => name.to_string(),
        Ok(Token::Delim('|' | '*')) => return Err("namespaces are not supported".into()),
        _ => return Err("expected an attribute name after `[`".into()),
    };
    if input.try_parse(|i| i.expect_delim('|')).is_ok() {
        return Err("namespaces are not supported".into());
    }
    let operator = match input.next() {
        Err(_) => return Ok(SimpleSelector::Attribute { name, matcher: None }),
        Ok(Token::Delim('=')) => AttributeOperator::Equal,
        Ok(Token::IncludeMatch) => AttributeOperator::Includes,
        Ok(Token::DashMatch) => AttributeOperator::DashMatch,
        Ok(Token::PrefixMatch) => AttributeOperator::Prefix,
        Ok(Token::SuffixMatch) => AttributeOperator::Suffix,
        Ok(Token::SubstringMatch) => AttributeOperator::Substring,
        Ok(_) => return Err(format!("expected `=`, `~=`, `|=`, `^=`, `$=` or `*=` after `{name}`")),
    };
    let value = match input.next() {
        Ok(Token::Ident(value) | Token::QuotedString(value)) => value.to_string(),
        _ => return Err(format!("expected a value after `{}`", operator.as_str())),
    };
    let case_insensitive = match input.next() {
        Err(_) => false,
        Ok(Token::Ident(flag)) if flag.eq_ignore_ascii_case("i") => true,
        Ok(Token::Ident(flag)) if flag.eq_ignore_ascii_case("s") => false,
        Ok(_) => return Err("expected `]`, or the flag `i` or `s`".into()),
    };
    if !input.is_exhausted() {
        return Err("expected `]`".into());
    }
    Ok(SimpleSelector::Attribute {
        name,
        matcher: Some(AttributeMatcher { operator, value, case_insensitive }),
    })
}
