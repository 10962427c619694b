//! The WXML parser: text → a tree of elements and text with spans.
//!
//! It recovers and carries on, so one pass reports every problem: an unclosed element is
//! closed at its parent's end or the end of the file and a stray close tag is skipped — each
//! an error at its exact position, as the platform's compiler refuses them — and a `<` that
//! starts no tag is text, with a warning. What cannot be understood at all (a tag cut off by
//! the end of the file, an unclosed `{{`) is an error too.
//! Mustaches are left as they are here; the compiler parses them.

use capsule_package::Span;

/// Elements nested deeper than this are refused: the compiler and renderer recurse.
pub const MAX_NESTING: usize = 200;

/// Problems reported per file at most; the rest are counted in one last problem (an error if
/// any of them is). Each reported problem costs a pass over the text to find its line, so
/// an unbounded number would make a hostile file quadratic.
pub const MAX_PROBLEMS: usize = 100;

#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Element(Element),
    Text(Text),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub tag: String,
    /// The span of the tag name in the open tag.
    pub tag_span: Span,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub name: String,
    pub name_span: Span,
    /// `None` for a boolean attribute written without `=`.
    pub value: Option<AttrValue>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttrValue {
    /// The text between the quotes, entities not yet decoded.
    pub raw: String,
    /// Where `raw` starts and ends in the file.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    /// The text as written, entities not yet decoded.
    pub raw: String,
    pub span: Span,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().rev().find(|a| a.name == name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
}

/// A problem found while parsing.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub level: Level,
    pub message: String,
    pub span: Span,
}

/// Tags the platform treats as having no content: written `<image>` without a close tag,
/// they close themselves.
fn is_void(tag: &str) -> bool {
    matches!(tag, "import" | "include" | "input" | "image" | "icon" | "br" | "progress")
}

/// Parses a WXML file. Always yields a tree; problems come alongside.
///
/// ```
/// use capsule_template::parse::{parse, Node};
/// let (nodes, problems) = parse("<view class=a hidden>hi</view>");
/// assert!(problems.is_empty());
/// let Node::Element(view) = &nodes[0] else { panic!() };
/// assert_eq!(view.attrs.len(), 2);
/// ```
pub fn parse(text: &str) -> (Vec<Node>, Vec<Problem>) {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        problems: Vec::new(),
        unclosed_mustache: false,
        more: None,
    };
    let nodes = p.document();
    let mut problems = p.problems;
    if let Some(more) = p.more {
        problems.push(more.problem());
    }
    (nodes, problems)
}

/// Problems beyond [`MAX_PROBLEMS`], counted.
#[derive(Clone, Debug, Default)]
pub struct More {
    pub count: usize,
    pub errors: usize,
    /// Where the first of them is.
    pub span: Span,
}

impl More {
    pub fn add(&mut self, level: Level) {
        self.count += 1;
        if level == Level::Error {
            self.errors += 1;
        }
    }

    /// The one problem that stands for them all.
    pub fn problem(&self) -> Problem {
        let level = if self.errors > 0 { Level::Error } else { Level::Warning };
        let message = format!(
            "{} more problem{} in this file ({} error{}) not shown",
            self.count,
            if self.count == 1 { "" } else { "s" },
            self.errors,
            if self.errors == 1 { "" } else { "s" },
        );
        Problem { level, message, span: self.span }
    }
}

struct Open {
    element: Element,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    problems: Vec<Problem>,
    /// A `{{` was found that no `}}` closes: from then on `{{` is not looked into (the file
    /// has an error already; looking again from every later `{{` would be quadratic).
    unclosed_mustache: bool,
    more: Option<More>,
}

impl Parser<'_> {
    fn problem(&mut self, level: Level, span: Span, message: impl Into<String>) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem { level, message: message.into(), span });
        } else {
            self.more.get_or_insert_with(|| More { span, ..More::default() }).add(level);
        }
    }

    fn warn(&mut self, span: Span, message: impl Into<String>) {
        self.problem(Level::Warning, span, message);
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.problem(Level::Error, span, message);
    }

    /// Where the mustache at the current position ends, if one starts here and ends.
    fn mustache_here(&mut self) -> Option<usize> {
        if self.unclosed_mustache || !self.starts_with("{{") {
            return None;
        }
        let end = mustache_end(self.text, self.pos);
        self.unclosed_mustache = end.is_none();
        end
    }

    fn starts_with(&self, s: &str) -> bool {
        self.text[self.pos..].starts_with(s)
    }

    fn document(&mut self) -> Vec<Node> {
        let mut root: Vec<Node> = Vec::new();
        let mut stack: Vec<Open> = Vec::new();
        // Appends to the innermost open element, or the root.
        fn push(root: &mut Vec<Node>, stack: &mut [Open], node: Node) {
            match stack.last_mut() {
                Some(open) => open.element.children.push(node),
                None => root.push(node),
            }
        }
        while self.pos < self.bytes.len() {
            if self.starts_with("<!--") {
                let start = self.pos;
                match self.text[self.pos + 4..].find("-->") {
                    Some(i) => self.pos += 4 + i + 3,
                    None => {
                        self.warn(Span::new(start, start + 4), "unclosed comment: `<!--` without `-->`");
                        self.pos = self.bytes.len();
                    }
                }
            } else if self.starts_with("</")
                && self.bytes.get(self.pos + 2).is_some_and(|b| is_name_start(*b))
            {
                let start = self.pos;
                self.pos += 2;
                let name = self.name();
                let name_span = Span::new(start + 2, self.pos);
                self.skip_space();
                if self.bytes.get(self.pos) == Some(&b'>') {
                    self.pos += 1;
                } else {
                    let found = self.found();
                    self.warn(
                        Span::new(self.pos, self.pos + 1),
                        format!("expected `>` to end `</{name}`, found {found}"),
                    );
                    // Skip to the end of the tag, whatever it holds.
                    match self.text[self.pos..].find('>') {
                        Some(i) => self.pos += i + 1,
                        None => self.pos = self.bytes.len(),
                    }
                }
                match stack.iter().rposition(|o| o.element.tag == name) {
                    Some(at) => {
                        while stack.len() > at + 1 {
                            let inner = stack.pop().expect("checked length");
                            self.error(
                                inner.element.tag_span,
                                format!("<{}> is not closed before </{name}>", inner.element.tag),
                            );
                            push(&mut root, &mut stack, Node::Element(inner.element));
                        }
                        let done = stack.pop().expect("found above");
                        push(&mut root, &mut stack, Node::Element(done.element));
                    }
                    None if is_void(&name) => {}
                    None => self.error(name_span, format!("</{name}> closes nothing")),
                }
            } else if self.bytes[self.pos] == b'<'
                && self.bytes.get(self.pos + 1).is_some_and(|b| is_name_start(*b))
            {
                let Some((element, self_closing)) = self.open_tag() else { break };
                if element.tag == "wxs" && !self_closing {
                    // A wxs module's body is JavaScript, not markup.
                    let mut element = element;
                    let body_start = self.pos;
                    let end = self.text[self.pos..].find("</wxs>").map(|i| self.pos + i);
                    let body_end = end.unwrap_or(self.bytes.len());
                    if end.is_none() {
                        self.error(
                            element.tag_span,
                            "<wxs> is not closed; its body runs to the end of the file",
                        );
                    }
                    let raw = self.text[body_start..body_end].to_string();
                    if !raw.trim().is_empty() {
                        element
                            .children
                            .push(Node::Text(Text { raw, span: Span::new(body_start, body_end) }));
                    }
                    self.pos = end.map_or(self.bytes.len(), |e| e + "</wxs>".len());
                    push(&mut root, &mut stack, Node::Element(element));
                } else if self_closing || is_void(&element.tag) {
                    push(&mut root, &mut stack, Node::Element(element));
                } else if stack.len() >= MAX_NESTING {
                    self.error(
                        element.tag_span,
                        format!("elements are nested more than {MAX_NESTING} levels deep"),
                    );
                    self.pos = self.bytes.len();
                } else {
                    stack.push(Open { element });
                }
            } else {
                if let Some(text) = self.text_run() {
                    push(&mut root, &mut stack, Node::Text(text));
                }
            }
        }
        while let Some(open) = stack.pop() {
            self.error(open.element.tag_span, format!("<{}> is not closed", open.element.tag));
            push(&mut root, &mut stack, Node::Element(open.element));
        }
        root
    }

    fn found(&self) -> String {
        match self.text[self.pos..].chars().next() {
            None => "the end of the file".to_string(),
            Some(c) => format!("`{c}`"),
        }
    }

    fn skip_space(&mut self) {
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
            self.pos += 1;
        }
    }

    fn name(&mut self) -> String {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(|b| is_name_char(*b)) {
            self.pos += 1;
        }
        self.text[start..self.pos].to_string()
    }

    /// Text up to the next tag, comment or close tag. A `<` inside `{{ }}` does not end it.
    fn text_run(&mut self) -> Option<Text> {
        let start = self.pos;
        while self.pos < self.bytes.len() {
            if let Some(end) = self.mustache_here() {
                self.pos = end;
                continue;
            }
            if self.bytes[self.pos] == b'<' {
                let next = self.bytes.get(self.pos + 1).copied();
                let starts_tag =
                    next.is_some_and(is_name_start) || next == Some(b'/') || self.starts_with("<!--");
                if starts_tag && self.pos > start {
                    break;
                }
                if starts_tag {
                    // A `</` not followed by a name: not a tag after all.
                    if next != Some(b'/') || self.bytes.get(self.pos + 2).is_some_and(|b| is_name_start(*b)) {
                        break;
                    }
                }
                self.warn(
                    Span::new(self.pos, self.pos + 1),
                    "`<` that starts no tag is taken as text; write `&lt;`",
                );
            }
            self.pos += self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
        }
        let raw = &self.text[start..self.pos];
        (!raw.is_empty()).then(|| Text { raw: raw.to_string(), span: Span::new(start, self.pos) })
    }

    /// Parses `<tag attr=… …>` or `<tag …/>`. `None` when the file ends inside the tag.
    fn open_tag(&mut self) -> Option<(Element, bool)> {
        let lt = self.pos;
        self.pos += 1;
        let tag_start = self.pos;
        let tag = self.name();
        let tag_span = Span::new(tag_start, self.pos);
        let mut attrs: Vec<Attr> = Vec::new();
        loop {
            self.skip_space();
            match self.bytes.get(self.pos) {
                None => {
                    self.error(
                        Span::new(lt, tag_span.end),
                        format!("the file ends inside <{tag}>: expected `>`"),
                    );
                    return None;
                }
                Some(b'>') => {
                    self.pos += 1;
                    return Some((Element { tag, tag_span, attrs, children: Vec::new() }, false));
                }
                Some(b'/') if self.bytes.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Some((Element { tag, tag_span, attrs, children: Vec::new() }, true));
                }
                Some(&b) if b == b'/' || b == b'"' || b == b'\'' || b == b'=' => {
                    self.warn(
                        Span::new(self.pos, self.pos + 1),
                        format!("unexpected `{}` in <{tag}>; it is skipped", b as char),
                    );
                    self.pos += 1;
                }
                Some(_) => {
                    let name_start = self.pos;
                    while self.bytes.get(self.pos).is_some_and(|b| {
                        !b.is_ascii_whitespace() && !matches!(b, b'=' | b'>' | b'/' | b'"' | b'\'')
                    }) {
                        self.pos += 1;
                    }
                    if self.pos == name_start {
                        // A lone character that cannot start a name; skip it.
                        self.pos += self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
                        continue;
                    }
                    let name = self.text[name_start..self.pos].to_string();
                    let name_span = Span::new(name_start, self.pos);
                    self.skip_space();
                    let value = if self.bytes.get(self.pos) == Some(&b'=') {
                        self.pos += 1;
                        self.skip_space();
                        Some(self.attr_value(&tag)?)
                    } else {
                        None
                    };
                    if attrs.iter().any(|a| a.name == name) {
                        self.warn(name_span, format!("attribute `{name}` is given twice; the last one wins"));
                    }
                    attrs.push(Attr { name, name_span, value });
                }
            }
        }
    }

    fn attr_value(&mut self, tag: &str) -> Option<AttrValue> {
        let quote = match self.bytes.get(self.pos) {
            Some(q @ (b'"' | b'\'')) => Some(*q),
            _ => None,
        };
        if quote.is_some() {
            self.pos += 1;
        }
        let start = self.pos;
        while self.pos < self.bytes.len() {
            if let Some(end) = self.mustache_here() {
                self.pos = end;
                continue;
            }
            let b = self.bytes[self.pos];
            let ends = match quote {
                Some(q) => b == q,
                None => {
                    b.is_ascii_whitespace()
                        || b == b'>'
                        || (b == b'/' && self.bytes.get(self.pos + 1) == Some(&b'>'))
                }
            };
            if ends {
                break;
            }
            self.pos += self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
        }
        let end = self.pos;
        if let Some(q) = quote {
            if self.pos >= self.bytes.len() {
                self.error(
                    Span::new(start - 1, start),
                    format!("the file ends inside a {}-quoted value in <{tag}>", q as char),
                );
                return None;
            }
            self.pos += 1;
        }
        Some(AttrValue { raw: self.text[start..end].to_string(), span: Span::new(start, end) })
    }
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')
}

/// Where the mustache opening at `start` (`{{`) ends, just past its `}}`: quotes and braces
/// inside are respected, so `{{ {a: 1} }}` and `{{ '}}' }}` end where they should.
pub fn mustache_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = start + 2;
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == b'\\' {
                i += 2;
                continue;
            }
            if b == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'\'' | b'"' => quote = Some(b),
            b'{' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i + 2),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as compact text: `<tag a="v" b>children</tag>`, text in quotes.
    fn show(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|n| match n {
                Node::Text(t) => format!("{:?}", t.raw),
                Node::Element(e) => {
                    let attrs: String = e
                        .attrs
                        .iter()
                        .map(|a| match &a.value {
                            Some(v) => format!(" {}={:?}", a.name, v.raw),
                            None => format!(" {}", a.name),
                        })
                        .collect();
                    format!("<{}{attrs}>{}</{}>", e.tag, show(&e.children), e.tag)
                }
            })
            .collect()
    }

    fn problems(src: &str) -> Vec<(Level, String, usize)> {
        parse(src).1.into_iter().map(|p| (p.level, p.message, p.span.start)).collect()
    }

    macro_rules! case {
        ($src:expr, $tree:expr) => {{
            let (nodes, problems) = parse($src);
            assert_eq!(show(&nodes), $tree, "{}", $src);
            assert!(problems.is_empty(), "{}: {problems:?}", $src);
        }};
        ($src:expr, $tree:expr, $( ($level:ident, $message:expr, $at:expr) ),+) => {{
            let (nodes, _) = parse($src);
            assert_eq!(show(&nodes), $tree, "{}", $src);
            assert_eq!(problems($src), vec![$( (Level::$level, $message.to_string(), $at) ),+], "{}", $src);
        }};
    }

    #[test]
    fn well_formed_markup() {
        case!("<view>hi</view>", r#"<view>"hi"</view>"#);
        case!("<view/>", "<view></view>");
        case!("<view />text", r#"<view></view>"text""#);
        case!(r#"<view a="1" b='2' c=3 d>x</view>"#, r#"<view a="1" b="2" c="3" d>"x"</view>"#);
        case!("<a><b><c/></b></a>", "<a><b><c></c></b></a>");
        case!("<!-- note --><view/>", "<view></view>");
        case!(
            "<scroll-view scroll-y bind:tap=\"t\"/>",
            "<scroll-view scroll-y bind:tap=\"t\"></scroll-view>"
        );
        case!("<view wx:if={{a > b}}>x</view>", r#"<view wx:if="{{a > b}}">"x"</view>"#);
        case!(r#"<view class="{{a ? "x" : 'y'}}"/>"#, r#"<view class="{{a ? \"x\" : 'y'}}"></view>"#);
        case!("<text>{{a < b ? '<' : '>'}}</text>", r#"<text>"{{a < b ? '<' : '>'}}"</text>"#);
        case!("<input value='x'><view/>", "<input value=\"x\"></input><view></view>");
        case!("<image src='a'></image><view/>", "<image src=\"a\"></image><view></view>");
        case!(
            "<wxs module=\"m\">var a = '<view>'; module.exports = {};</wxs>",
            r#"<wxs module="m">"var a = '<view>'; module.exports = {};"</wxs>"#
        );
    }

    #[test]
    fn recovery_with_errors_and_warnings() {
        // Unclosed and mismatched tags are errors, as the platform's compiler makes them; the
        // parse still recovers so every one of them is reported.
        case!(
            "<view><text>x</view>",
            r#"<view><text>"x"</text></view>"#,
            (Error, "<text> is not closed before </view>", 7)
        );
        case!("<view>x", r#"<view>"x"</view>"#, (Error, "<view> is not closed", 1));
        case!("<view>x</text></view>", r#"<view>"x"</view>"#, (Error, "</text> closes nothing", 9));
        case!(
            "<wxs module=\"m\">var a = 1;",
            r#"<wxs module="m">"var a = 1;"</wxs>"#,
            (Error, "<wxs> is not closed; its body runs to the end of the file", 1)
        );
        case!("a < b", r#""a < b""#, (Warning, "`<` that starts no tag is taken as text; write `&lt;`", 2));
        case!(
            "<view a=1 a=2/>",
            r#"<view a="1" a="2"></view>"#,
            (Warning, "attribute `a` is given twice; the last one wins", 10)
        );
        case!("<!-- open", "", (Warning, "unclosed comment: `<!--` without `-->`", 0));
        case!(
            "<view \"x\"/>",
            "<view x></view>",
            (Warning, "unexpected `\"` in <view>; it is skipped", 6),
            (Warning, "unexpected `\"` in <view>; it is skipped", 8)
        );
    }

    #[test]
    fn unrecoverable_input_is_an_error() {
        assert_eq!(
            problems("<view class=\"x"),
            vec![(Level::Error, "the file ends inside a \"-quoted value in <view>".to_string(), 12)]
        );
        assert_eq!(
            problems("<view"),
            vec![(Level::Error, "the file ends inside <view>: expected `>`".to_string(), 0)]
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let src = "<view>".repeat(10_000);
        let problems = problems(&src);
        assert!(problems.iter().any(|p| p.0 == Level::Error && p.1.contains("nested more than 200 levels")));
        // Fifty levels are fine.
        let ok = format!("{}{}", "<view>".repeat(50), "</view>".repeat(50));
        assert!(parse(&ok).1.is_empty());
    }

    #[test]
    fn mustache_ends() {
        assert_eq!(mustache_end("{{a}}", 0), Some(5));
        assert_eq!(mustache_end("{{ {a: 1} }}x", 0), Some(12));
        assert_eq!(mustache_end("{{ '}}' }}", 0), Some(10));
        assert_eq!(mustache_end("{{ a", 0), None);
    }
}
