//! Token runs (declaration values, `@media` conditions, pseudo-class arguments) back to CSS
//! text.
//!
//! Each token is written as the author spelt it, so numbers and colours keep their form; only
//! white space is collapsed and comments dropped. The exceptions are what could break the text
//! around the run once it is written out: strings and `url()`s are re-serialised (an
//! unterminated one would swallow what follows), a name ending in a backslash at the end of the
//! file is re-escaped (it would escape our `;` or `}`), and blocks left open at the end of the
//! file are closed.

use cssparser::{BasicParseErrorKind, ParseError, Parser, ToCss, Token, TokenSerializationType};

use crate::sheet::ValuePiece;

/// How deep parentheses, brackets and braces may nest in a run.
const MAX_DEPTH: usize = 32;

/// Why a run of tokens cannot be kept, and where (byte offsets in the parser's input).
#[derive(Debug)]
pub struct TokenProblem {
    pub start: usize,
    pub end: usize,
    /// What is wrong, to follow "invalid value: ".
    pub message: String,
}

/// What the run is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// A declaration value: `rpx` lengths become [`ValuePiece::Rpx`] and a trailing
    /// `!important` is taken off.
    Value,
    /// Any other run: written as it is.
    Plain,
}

/// The result of [`collect`].
pub struct Run {
    /// The text, with `rpx` lengths apart in a [`RunKind::Value`] run.
    pub pieces: Vec<ValuePiece>,
    /// The run ended with `!important` (taken off the pieces).
    pub important: bool,
    /// Where the first `rpx` length of a [`RunKind::Plain`] run is (they are not converted).
    pub rpx_at: Option<(usize, usize)>,
    /// The run has a `{ … }` block outside any function: only custom properties may.
    pub curly_block: bool,
}

/// Reads every token left in `input` (up to its delimiter or the end of its block).
pub fn collect(input: &mut Parser<'_>, kind: RunKind) -> Result<Run, TokenProblem> {
    let mut writer = Writer {
        kind,
        pieces: Vec::new(),
        text: String::new(),
        space: false,
        comment: false,
        at_start: true,
        previous: TokenSerializationType::Nothing,
        important: false,
        rpx_at: None,
        curly_block: false,
    };
    writer.tokens(input, 0)?;
    writer.flush();
    Ok(Run {
        pieces: writer.pieces,
        important: writer.important,
        rpx_at: writer.rpx_at,
        curly_block: writer.curly_block,
    })
}

/// [`collect`] for a run that is only text.
pub fn collect_text(input: &mut Parser<'_>) -> Result<(String, Option<(usize, usize)>), TokenProblem> {
    let run = collect(input, RunKind::Plain)?;
    let mut text = String::new();
    for piece in run.pieces {
        if let ValuePiece::Text(t) = piece {
            text.push_str(&t);
        }
    }
    Ok((text, run.rpx_at))
}

struct Writer {
    kind: RunKind,
    pieces: Vec<ValuePiece>,
    text: String,
    /// White space was seen since the last token written.
    space: bool,
    /// A comment was dropped since the last token written.
    comment: bool,
    /// Nothing has been written yet in the current block.
    at_start: bool,
    /// The kind of the last token written, to tell whether the next needs separating from it.
    previous: TokenSerializationType,
    important: bool,
    rpx_at: Option<(usize, usize)>,
    curly_block: bool,
}

impl Writer {
    fn tokens(&mut self, input: &mut Parser<'_>, depth: usize) -> Result<(), TokenProblem> {
        loop {
            let start = input.position();
            let token = match input.next_including_whitespace_and_comments() {
                Ok(token) => token.clone(),
                Err(_) => return Ok(()),
            };
            let end = input.position();
            let problem = |message: &str| TokenProblem {
                start: start.byte_index(),
                end: end.byte_index(),
                message: message.to_string(),
            };
            match &token {
                Token::WhiteSpace(_) => {
                    self.space = true;
                    continue;
                }
                Token::Comment(_) => {
                    self.comment = true;
                    continue;
                }
                Token::BadString(_) => {
                    return Err(problem("unterminated string (a string cannot span lines)"));
                }
                Token::BadUrl(_) => return Err(problem("malformed url()")),
                Token::CloseParenthesis | Token::CloseSquareBracket | Token::CloseCurlyBracket => {
                    return Err(problem(&format!("unmatched `{}`", input.slice(start..end))));
                }
                Token::Delim('\\') => return Err(problem("stray backslash")),
                Token::Delim('!') if depth == 0 && self.kind == RunKind::Value => {
                    let important = input.try_parse(|i| {
                        i.expect_ident_matching("important")?;
                        i.expect_exhausted()
                    });
                    if important.is_ok() {
                        self.important = true;
                        return Ok(());
                    }
                    return Err(problem("`!` is only allowed in `!important`, at the end of the value"));
                }
                _ => {}
            }
            let slice = input.slice(start..end);
            let kind = token.serialization_type();
            self.separate(kind);
            match &token {
                Token::Dimension { value, unit, .. } if unit.eq_ignore_ascii_case("rpx") => {
                    if !value.is_finite() {
                        return Err(problem("number out of range"));
                    }
                    if self.kind == RunKind::Value {
                        self.flush();
                        self.pieces.push(ValuePiece::Rpx(*value));
                        // It is written as `calc(…)`.
                        self.previous = TokenSerializationType::Function;
                        continue;
                    }
                    self.rpx_at.get_or_insert((start.byte_index(), end.byte_index()));
                    self.text.push_str(slice);
                }
                Token::QuotedString(_) | Token::UnquotedUrl(_) => {
                    token.to_css(&mut self.text).expect("writing to a String cannot fail")
                }
                Token::Function(_)
                | Token::ParenthesisBlock
                | Token::SquareBracketBlock
                | Token::CurlyBracketBlock => {
                    if depth >= MAX_DEPTH {
                        // Refused before cssparser's own limit, which gives up on a block without
                        // skipping it; left unparsed, the block is skipped whole.
                        return Err(problem(&format!("blocks nested more than {MAX_DEPTH} levels deep")));
                    }
                    if slice.ends_with('\\') {
                        token.to_css(&mut self.text).expect("writing to a String cannot fail");
                    } else {
                        self.text.push_str(slice);
                    }
                    self.curly_block |= depth == 0 && matches!(token, Token::CurlyBracketBlock);
                    let closer = match token {
                        Token::SquareBracketBlock => "]",
                        Token::CurlyBracketBlock => "}",
                        _ => ")",
                    };
                    self.at_start = true;
                    let nested = input.parse_nested_block(|inner| {
                        self.tokens(inner, depth + 1).map_err(ParseError::<TokenProblem>::custom)
                    });
                    match nested {
                        Ok(()) => {}
                        Err(ParseError { kind: cssparser::ParseErrorKind::Custom(problem), .. }) => {
                            return Err(problem);
                        }
                        Err(ParseError { kind: cssparser::ParseErrorKind::Basic(kind), .. }) => {
                            let message = match kind {
                                BasicParseErrorKind::TooManyNestedBlocks => "blocks nested too deeply",
                                _ => "unexpected token",
                            };
                            return Err(problem(message));
                        }
                    }
                    self.text.push_str(closer);
                    self.at_start = false;
                    self.space = false;
                    self.comment = false;
                    self.previous = TokenSerializationType::Nothing;
                    continue;
                }
                _ if slice.ends_with('\\') => {
                    token.to_css(&mut self.text).expect("writing to a String cannot fail")
                }
                _ => self.text.push_str(slice),
            }
            self.previous = kind;
        }
    }

    /// Writes what must separate the next token from the previous one: one space where the
    /// author had white space, `/**/` where a dropped comment kept two tokens apart.
    fn separate(&mut self, next: TokenSerializationType) {
        if self.at_start {
            self.at_start = false;
        } else if self.space {
            self.text.push(' ');
        } else if self.comment && self.previous.needs_separator_when_before(next) {
            self.text.push_str("/**/");
        }
        self.space = false;
        self.comment = false;
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            self.pieces.push(ValuePiece::Text(std::mem::take(&mut self.text)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(css: &str) -> String {
        let mut input = Parser::new(css);
        match collect(&mut input, RunKind::Value) {
            Ok(run) => {
                let value = crate::sheet::Value { pieces: run.pieces };
                format!("{}{}", value.to_css(), if run.important { " !important" } else { "" })
            }
            Err(problem) => format!("error {}..{}: {}", problem.start, problem.end, problem.message),
        }
    }

    #[test]
    fn values() {
        for (css, expected) in [
            ("750rpx", "calc(750 * var(--rpx))"),
            ("  10rpx   20rpx  ", "calc(10 * var(--rpx)) calc(20 * var(--rpx))"),
            ("-1.5rpx", "calc(-1.5 * var(--rpx))"),
            ("+.5RPX", "calc(0.5 * var(--rpx))"),
            ("calc(100% - 20rpx)", "calc(100% - calc(20 * var(--rpx)))"),
            ("translate( 10rpx , -2rpx )", "translate(calc(10 * var(--rpx)) , calc(-2 * var(--rpx)))"),
            ("1px solid #FFF", "1px solid #FFF"),
            ("red !important", "red !important"),
            ("red ! IMPORTANT", "red !important"),
            ("a/**/b", "a/**/b"),
            ("a /* c */ b", "a b"),
            ("1px/**/solid", "1px/**/solid"),
            ("\"a\" 'b\\\"'", "\"a\" \"b\\\"\""),
            ("url( a b.png)", "error 0..13: malformed url()"),
            ("url(a.png) url(\"b.png\")", "url(a.png) url(\"b.png\")"),
            ("calc(1px + (2px * 3", "calc(1px + (2px * 3))"),
            ("\"open", "\"open\""),
            ("\"line\nbreak\"", "error 0..5: unterminated string (a string cannot span lines)"),
            ("red !ie", "error 4..5: `!` is only allowed in `!important`, at the end of the value"),
            ("a ) b", "error 2..3: unmatched `)`"),
            ("a\\", "a\u{fffd}"),
            ("1e99rpx", "error 0..7: number out of range"),
            ("10px", "10px"),
            ("f() 1px", "f() 1px"),
            ("f( ) ( ) [] 2rpx", "f() () [] calc(2 * var(--rpx))"),
            ("", ""),
        ] {
            assert_eq!(value(css), expected, "{css:?}");
        }
    }
}
