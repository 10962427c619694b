//! Diagnostics for one stylesheet file.
//!
//! Sheets can be megabytes on one line (minified libraries) and garbage can yield a problem per
//! byte, so locating a problem must not cost a scan of the file, nor of its line:
//! `Location::of` does both, so it is given only a window of the line around the problem
//! (which is all its excerpt shows), the line comes from an index built once, and the column
//! is counted on from the previous problem's. After [`MAX_SHOWN`] problems of a severity, the
//! rest of the file's are only counted.

use std::sync::Arc;

use capsule_package::{Diagnostic, Location, Severity, Span};

/// Warnings listed per file, and errors listed per file; the rest are counted in a last one.
pub const MAX_SHOWN: usize = 100;

/// Characters of the line before the problem that `Location::of` puts in an excerpt.
const EXCERPT_BEFORE: usize = 80;
/// Bytes after the start of the problem that can show in an excerpt (160 characters).
const EXCERPT_AFTER_BYTES: usize = 160 * 4;

/// Locates and collects the diagnostics of one file.
pub struct Reporter<'t> {
    file: Arc<str>,
    /// The file's text after its byte order mark, which editors do not show as a column.
    text: &'t str,
    /// The length of the byte order mark: spans count it, columns do not.
    bom: usize,
    line_starts: Option<Vec<usize>>,
    /// The last column counted: (line, byte offset, characters from the line's start).
    counted: Option<(usize, usize, usize)>,
    diagnostics: Vec<Diagnostic>,
    shown: [usize; 2],
    hidden: [usize; 2],
}

impl<'t> Reporter<'t> {
    pub fn new(file: Arc<str>, text: &'t str) -> Reporter<'t> {
        let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        Reporter {
            file,
            text: &text[bom..],
            bom,
            line_starts: None,
            counted: None,
            diagnostics: Vec::new(),
            shown: [0; 2],
            hidden: [0; 2],
        }
    }

    pub fn warn(&mut self, span: Span, message: impl Into<String>, hint: Option<String>) {
        self.push(Severity::Warning, span, message.into(), hint);
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>, hint: Option<String>) {
        self.push(Severity::Error, span, message.into(), hint);
    }

    /// Whether a warning reported now would be listed, not just counted: a caller can skip
    /// work (a spelling suggestion) for one that would not be.
    pub fn lists_warnings(&self) -> bool {
        self.shown[Severity::Warning as usize] < MAX_SHOWN
    }

    fn push(&mut self, severity: Severity, span: Span, message: String, hint: Option<String>) {
        let index = severity as usize;
        if self.shown[index] >= MAX_SHOWN {
            self.hidden[index] += 1;
            return;
        }
        self.shown[index] += 1;
        let mut d = diagnostic(severity, &self.file, message);
        d.location = Some(self.location(span));
        d.hint = hint;
        self.diagnostics.push(d);
    }

    /// The line and column of `span` (a byte range of the file's text), with an excerpt of its
    /// line: the same as `Location::of(text, span)`, at a cost that does not grow with the file.
    pub fn location(&mut self, span: Span) -> Location {
        let text = self.text;
        let start = floor_char_boundary(text, span.start.saturating_sub(self.bom).min(text.len()));
        let end = span.end.saturating_sub(self.bom).clamp(start, text.len());
        let line_starts = self.line_starts.get_or_insert_with(|| line_starts(text));
        let line = line_starts.partition_point(|&s| s <= start) - 1;
        let line_start = line_starts[line];
        let line_end = line_starts.get(line + 1).map_or(text.len(), |&next| next - 1);
        let window_start = text[line_start..start]
            .char_indices()
            .rev()
            .nth(EXCERPT_BEFORE - 1)
            .map_or(line_start, |(i, _)| line_start + i);
        let window_end = floor_char_boundary(text, line_end.min(start + EXCERPT_AFTER_BYTES));
        let mut location = Location::of(
            &text[window_start..window_end],
            Span::new(start - window_start, end.min(window_end) - window_start),
        );
        location.line = line + 1;
        location.column += self.characters_before(line, line_start, window_start);
        location
    }

    /// How many characters of line `line` come before byte `offset`.
    fn characters_before(&mut self, line: usize, line_start: usize, offset: usize) -> usize {
        let (from, mut count) = match self.counted {
            Some((counted_line, at, count)) if counted_line == line && at <= offset => (at, count),
            _ => (line_start, 0),
        };
        count += self.text[from..offset].chars().count();
        self.counted = Some((line, offset, count));
        count
    }

    /// The diagnostics, with a last one for each severity saying how many were not listed.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        for severity in [Severity::Warning, Severity::Error] {
            let hidden = self.hidden[severity as usize];
            if hidden > 0 {
                let what = if severity == Severity::Error { "errors" } else { "warnings" };
                self.diagnostics.push(diagnostic(
                    severity,
                    &self.file,
                    format!(
                        "{hidden} more {what} in this file are not listed (only the first {MAX_SHOWN} are)"
                    ),
                ));
            }
        }
        self.diagnostics
    }
}

fn diagnostic(severity: Severity, file: &str, message: String) -> Diagnostic {
    match severity {
        Severity::Warning => Diagnostic::warning(file, message),
        Severity::Error => Diagnostic::error(file, message),
    }
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1))
        .collect()
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_match_the_package_crate() {
        let text = "a {\n  color: red;\n}\n.é { x: y }\r\nlast";
        let mut reporter = Reporter::new("a.wxss".into(), text);
        let spans = [(0, 1), (6, 11), (18, 19), (20, 24), (23, 23), (27, 30), (34, 36), (38, 38), (99, 99)];
        // In order, then out of order.
        for (start, end) in spans.into_iter().chain(spans.into_iter().rev()) {
            let span = Span::new(start, end);
            assert_eq!(reporter.location(span), Location::of(text, span), "{span:?}");
        }
    }

    #[test]
    fn locations_in_a_long_line_match_the_package_crate() {
        let long = format!("a{{}}\n{}.x {{ colr: red }}{}\nb", "é ".repeat(3000), "z".repeat(500));
        let mut reporter = Reporter::new("a.wxss".into(), &long);
        let x = long.find(".x").expect("has .x");
        let offsets = [4, 5, 100, 101, x, x + 5, x + 7, long.len() - 3, long.len()];
        for start in offsets.into_iter().chain(offsets.into_iter().rev()) {
            for width in [0, 1, 4, 1000] {
                let span = Span::new(start, (start + width).min(long.len()));
                let span =
                    Span::new(floor_char_boundary(&long, span.start), floor_char_boundary(&long, span.end));
                assert_eq!(reporter.location(span), Location::of(&long, span), "{span:?}");
            }
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column() {
        let text = "\u{feff}.a { x: y }";
        let mut reporter = Reporter::new("a.wxss".into(), text);
        let location = reporter.location(Span::new(8, 9));
        assert_eq!((location.line, location.column, location.source_line.as_str()), (1, 6, ".a { x: y }"));
    }

    #[test]
    fn problems_beyond_the_cap_are_counted() {
        let mut reporter = Reporter::new("a.wxss".into(), "x");
        for _ in 0..MAX_SHOWN + 5 {
            reporter.warn(Span::new(0, 1), "w", None);
        }
        for _ in 0..MAX_SHOWN + 2 {
            reporter.error(Span::new(0, 1), "e", None);
        }
        let diags = reporter.finish();
        assert_eq!(diags.len(), 2 * MAX_SHOWN + 2);
        let last: Vec<String> = diags[2 * MAX_SHOWN..].iter().map(ToString::to_string).collect();
        assert_eq!(
            last,
            [
                "a.wxss: warning: 5 more warnings in this file are not listed (only the first 100 are)",
                "a.wxss: error: 2 more errors in this file are not listed (only the first 100 are)",
            ]
        );
    }
}
