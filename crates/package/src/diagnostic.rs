//! Diagnostics: what is wrong with a package, where, and what to do about it.
//!
//! A diagnostic carries its own excerpt of the source line, so it can be printed long after
//! the package that produced it is gone (a package that fails to load is never built).

use std::fmt;

use serde::Serialize;

/// How bad a diagnostic is. Errors stop a package from loading; warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A byte range in a file's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A place in a file: 1-based line and column (columns count characters, not bytes), and the
/// text of that line for the excerpt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// How many characters the caret underlines (at least 1).
    #[serde(skip)]
    pub width: usize,
    /// The source line, or a window of it around the column when the line is long.
    #[serde(skip)]
    pub source_line: String,
    /// The column within `source_line` (differs from `column` when it is a window).
    #[serde(skip)]
    pub excerpt_column: usize,
}

/// The most characters of a source line an excerpt shows.
const EXCERPT_WIDTH: usize = 160;

impl Location {
    /// Computes the location of `span` in `text`.
    ///
    /// ```
    /// use capsule_package::{Location, Span};
    /// let loc = Location::of("{\n  \"pages\": 1\n}", Span::new(13, 14));
    /// assert_eq!((loc.line, loc.column), (2, 12));
    /// assert_eq!(loc.source_line, "  \"pages\": 1");
    /// ```
    pub fn of(text: &str, span: Span) -> Location {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text.as_bytes()[..start].iter().filter(|&&b| b == b'\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let width = text[start..end.min(line_end)].chars().count().clamp(1, EXCERPT_WIDTH);
        // A minified file can be one long line: the excerpt is a window around the column.
        let skip = (column - 1).saturating_sub(EXCERPT_WIDTH / 2);
        let source_line: String = text[line_start..line_end]
            .trim_end_matches('\r')
            .chars()
            .skip(skip)
            .take(EXCERPT_WIDTH)
            .collect();
        let shown_column = column - skip;
        Location { line, column, width, source_line, excerpt_column: shown_column }
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// One problem found in a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The package-relative path of the file, or the package itself when empty.
    pub file: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// A problem the platform's tools refuse only when a package is uploaded (a size limit, a
    /// window value outside its documented set): a warning when a package is checked or run,
    /// an error when it is packed or run in production ([`crate::LoadOptions::upload`]).
    #[serde(rename = "uploadOnly", skip_serializing_if = "std::ops::Not::not")]
    pub upload_only: bool,
    /// An error that stays with the page whose template has it (a missing `<import>` or
    /// `<include>` target): `check` reports it, but the app runs and only that page hears it
    /// when it opens, as on the platform.
    #[serde(rename = "pageOnly", skip_serializing_if = "std::ops::Not::not")]
    pub page_only: bool,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, file, message)
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, file, message)
    }

    fn new(severity: Severity, file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            file: file.into(),
            location: None,
            message: message.into(),
            hint: None,
            upload_only: false,
            page_only: false,
        }
    }

    /// A warning the platform's tools make an error only on upload (see
    /// [`Diagnostic::upload_only`]).
    pub fn upload_only(file: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { upload_only: true, ..Diagnostic::warning(file, message) }
    }

    /// Points the diagnostic at `span` of the file whose text is `text`.
    pub fn at(mut self, text: &str, span: Span) -> Diagnostic {
        self.location = Some(Location::of(text, span));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or just the file when there is no location.
    pub fn position(&self) -> String {
        match &self.location {
            Some(loc) if self.file.is_empty() => format!("{}:{}", loc.line, loc.column),
            Some(loc) => format!("{}:{}:{}", self.file, loc.line, loc.column),
            None => self.file.clone(),
        }
    }

    /// Renders the diagnostic as a compiler does: a headline, the source line with a caret
    /// under the problem, and the hint. With `color`, ANSI colours are used.
    ///
    /// ```
    /// use capsule_package::{Diagnostic, Span};
    /// let text = "{ \"pages\": 3 }";
    /// let d = Diagnostic::error("app.json", "\"pages\" must be an array of strings").at(text, Span::new(11, 12));
    /// assert_eq!(d.render(false), "\
    /// error: \"pages\" must be an array of strings
    ///  --> app.json:1:12
    ///   |
    /// 1 | { \"pages\": 3 }
    ///   |            ^
    /// ");
    /// ```
    pub fn render(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
        };
        let (label, label_color) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let mut out =
            format!("{}{}\n", paint(label_color, label), paint("1", &format!(": {}", self.message)));
        let gutter_width = self.location.as_ref().map_or(1, |loc| loc.line.to_string().len());
        let pad = " ".repeat(gutter_width);
        if !self.file.is_empty() || self.location.is_some() {
            out += &format!("{pad}{} {}\n", paint("1;34", "-->"), self.position());
        }
        if let Some(loc) = &self.location {
            let bar = paint("1;34", "|");
            // Tabs would misalign the caret; show them as single spaces.
            let line_text: String =
                loc.source_line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
            let caret = format!("{}{}", " ".repeat(loc.excerpt_column - 1), "^".repeat(loc.width));
            out += &format!("{pad} {bar}\n");
            out += &format!("{} {bar} {line_text}\n", paint("1;34", &loc.line.to_string()));
            out += &format!("{pad} {bar} {}\n", paint(label_color, &caret));
        }
        if let Some(hint) = &self.hint {
            out += &format!("{pad} {} {}\n", paint("1;36", "= help:"), hint);
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.file.is_empty() && self.location.is_none() {
            write!(f, "{label}: {}", self.message)
        } else {
            write!(f, "{}: {label}: {}", self.position(), self.message)
        }
    }
}

const TRUNCATED: &str = "too many problems; the rest are not shown";

/// The diagnostics of one load, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

/// More diagnostics than this are not kept: a hostile file could otherwise make millions.
pub const MAX_DIAGNOSTICS: usize = 1000;

impl Diagnostics {
    /// Adds a diagnostic. Past [`MAX_DIAGNOSTICS`], only errors are kept, and only until
    /// twice as many; one note says the list was cut.
    pub fn push(&mut self, d: Diagnostic) {
        if self.accepts(d.severity) {
            self.0.push(d);
            return;
        }
        match self.0.last_mut() {
            Some(last) if last.message == TRUNCATED => last.severity = last.severity.max(d.severity),
            _ => self.0.push(Diagnostic::new(d.severity, "", TRUNCATED)),
        }
    }

    /// Whether a diagnostic of `severity` would be kept: lets a producer skip the work of
    /// locating one that would be dropped.
    pub fn accepts(&self, severity: Severity) -> bool {
        let len = self.0.len();
        len < MAX_DIAGNOSTICS || (severity == Severity::Error && len < 2 * MAX_DIAGNOSTICS)
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Whether an error stops the app from running: one that is not only its page's
    /// ([`Diagnostic::page_only`]).
    pub fn stops_the_app(&self) -> bool {
        self.0.iter().any(|d| d.is_error() && !d.page_only)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<T: IntoIterator<Item = Diagnostic>>(&mut self, iter: T) {
        self.0.extend(iter);
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}
