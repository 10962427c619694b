//! Checking a parsed JSON file against what a configuration key must hold, reporting every
//! mismatch with its location and carrying on, so one run shows all the problems.

use crate::diagnostic::{Diagnostic, Diagnostics, Severity, Span};
use crate::json::{self, Json, JsonValue, Member};

/// A configuration file: its package path, its text, and its parsed root.
pub struct JsonFile {
    pub path: String,
    pub text: String,
    pub root: Json,
}

/// Parses `bytes` as the JSON file at `path`. Invalid UTF-8 and syntax errors are reported
/// with their location; duplicate keys are warnings.
pub fn parse_json_file(path: &str, bytes: &[u8], diags: &mut Diagnostics) -> Option<JsonFile> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(e) => {
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            let at = e.valid_up_to();
            diags.push(
                Diagnostic::error(path, "the file is not valid UTF-8").at(&lossy, Span::new(at, at + 1)),
            );
            return None;
        }
    };
    match json::parse(&text) {
        Ok(doc) => {
            for (key, span) in doc.duplicate_keys {
                diags.push(
                    Diagnostic::warning(path, format!("duplicate key \"{key}\"; the last one wins"))
                        .at(&text, span),
                );
            }
            Some(JsonFile { path: path.to_string(), text, root: doc.root })
        }
        Err(e) => {
            let mut d = Diagnostic::error(path, format!("invalid JSON: {}", e.message)).at(&text, e.span);
            if let Some(hint) = e.hint {
                d = d.with_hint(hint);
            }
            diags.push(d);
            None
        }
    }
}

/// Reads typed values out of one [`JsonFile`], recording a diagnostic for each mismatch.
pub struct Checker<'f, 'd> {
    pub file: &'f JsonFile,
    pub diags: &'d mut Diagnostics,
    /// The app's dark-mode theme, against which `@name` values are checked.
    pub theme: Option<&'f crate::theme::Theme>,
    /// Inside [`Checker::softly`]: errors are upload-only warnings.
    soft: bool,
    /// Stands in for a diagnostic that the full list would drop anyway.
    dropped: Diagnostic,
}

impl<'f, 'd> Checker<'f, 'd> {
    pub fn new(file: &'f JsonFile, diags: &'d mut Diagnostics) -> Checker<'f, 'd> {
        Checker { file, diags, theme: None, soft: false, dropped: Diagnostic::warning("", "") }
    }

    /// Checks `@name` values against `theme`.
    pub fn with_theme(mut self, theme: Option<&'f crate::theme::Theme>) -> Checker<'f, 'd> {
        self.theme = theme;
        self
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        if self.soft {
            let d = self.report(Severity::Warning, span, message.into());
            d.upload_only = true;
            d.hint = Some("phones run the app without it; the platform's tools refuse it on upload".into());
            return d;
        }
        self.report(Severity::Error, span, message.into())
    }

    /// Runs `check` with its errors reported as upload-only warnings: for keys whose bad value
    /// phones ignore (the app runs as if the key were not there), which the platform's tools
    /// refuse only on upload.
    pub fn softly<T>(&mut self, check: impl FnOnce(&mut Self) -> T) -> T {
        let was = self.soft;
        self.soft = true;
        let out = check(self);
        self.soft = was;
        out
    }

    pub fn warning(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.report(Severity::Warning, span, message.into())
    }

    fn report(&mut self, severity: Severity, span: Span, message: String) -> &mut Diagnostic {
        let d = Diagnostic {
            severity,
            file: self.file.path.clone(),
            location: None,
            message,
            hint: None,
            upload_only: false,
            page_only: false,
        };
        if !self.diags.accepts(severity) {
            self.diags.push(d);
            return &mut self.dropped;
        }
        self.diags.push(d.at(&self.file.text, span));
        self.diags.0.last_mut().expect("just pushed")
    }

    fn mismatch(&mut self, value: &Json, name: &str, expected: &str) {
        self.error(value.span, format!("\"{name}\" must be {expected}, found {}", value.kind()));
    }

    pub fn string(&mut self, value: &Json, name: &str) -> Option<String> {
        match &value.value {
            JsonValue::String(s) => Some(s.clone()),
            _ => {
                self.mismatch(value, name, "a string");
                None
            }
        }
    }

    pub fn bool(&mut self, value: &Json, name: &str) -> Option<bool> {
        match value.value {
            JsonValue::Bool(b) => Some(b),
            _ => {
                self.mismatch(value, name, "a boolean");
                None
            }
        }
    }

    pub fn number(&mut self, value: &Json, name: &str) -> Option<f64> {
        match value.value {
            JsonValue::Number(n) => Some(n),
            _ => {
                self.mismatch(value, name, "a number");
                None
            }
        }
    }

    /// A non-negative whole number.
    pub fn count(&mut self, value: &Json, name: &str) -> Option<u64> {
        match value.value {
            JsonValue::Number(n) if n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64 => Some(n as u64),
            _ => {
                self.mismatch(value, name, "a whole number of zero or more");
                None
            }
        }
    }

    /// One of `allowed`; anything else is an error naming the choices.
    pub fn one_of(&mut self, value: &Json, name: &str, allowed: &[&str]) -> Option<String> {
        let s = self.string(value, name)?;
        if allowed.contains(&s.as_str()) {
            return Some(s);
        }
        let choices = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ");
        self.error(value.span, format!("\"{name}\" must be one of {choices}, found \"{s}\""));
        None
    }

    /// One of `allowed`, as a value the platform's phones take whatever it holds (a window
    /// or tab-bar style): anything else is an upload-only problem (a warning when the package
    /// is run, an error when it is uploaded) and `default` is used, as the platform does.
    pub fn one_of_or(&mut self, value: &Json, name: &str, allowed: &[&str], default: &str) -> Option<String> {
        let s = self.string(value, name)?;
        if allowed.contains(&s.as_str()) {
            return Some(s);
        }
        let choices = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ");
        let d = self.warning(value.span, format!("\"{name}\" must be one of {choices}, found \"{s}\""));
        d.upload_only = true;
        d.hint =
            Some(format!("phones take it (as \"{default}\"), but the platform's tools refuse it on upload"));
        Some(default.to_string())
    }

    /// An array of strings, each with its span. Elements of the wrong type are reported one by
    /// one and skipped.
    pub fn strings(&mut self, value: &Json, name: &str) -> Option<Vec<(String, Span)>> {
        let JsonValue::Array(items) = &value.value else {
            self.mismatch(value, name, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match &item.value {
                JsonValue::String(s) => out.push((s.clone(), item.span)),
                _ => self.mismatch(item, &format!("{name}[{i}]"), "a string"),
            }
        }
        Some(out)
    }

    pub fn array<'j>(&mut self, value: &'j Json, name: &str) -> Option<&'j [Json]> {
        match &value.value {
            JsonValue::Array(items) => Some(items),
            _ => {
                self.mismatch(value, name, "an array");
                None
            }
        }
    }

    pub fn object<'j>(&mut self, value: &'j Json, name: &str) -> Option<&'j [Member]> {
        match &value.value {
            JsonValue::Object(members) => Some(members),
            _ => {
                self.mismatch(value, name, "an object");
                None
            }
        }
    }

    /// The members of the file's root, which must be an object.
    pub fn root_members(&mut self) -> Option<&'f [Member]> {
        let file: &'f JsonFile = self.file;
        match &file.root.value {
            JsonValue::Object(members) => Some(members),
            _ => {
                let kind = file.root.kind();
                self.error(file.root.span, format!("the file must hold a JSON object, found {kind}"));
                None
            }
        }
    }

    pub fn unknown_key(&mut self, member: &Member, context: &str) {
        self.warning(member.key_span, format!("unknown key \"{}\" in {context}; it is ignored", member.key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> JsonFile {
        let mut diags = Diagnostics::default();
        parse_json_file("app.json", text.as_bytes(), &mut diags).expect("valid JSON")
    }

    #[test]
    fn mismatches_point_at_the_value() {
        let f = file("{\n  \"pages\": [\"a\", 3],\n  \"debug\": \"yes\"\n}");
        let mut diags = Diagnostics::default();
        let mut c = Checker::new(&f, &mut diags);
        let pages = c.strings(f.root.get("pages").unwrap(), "pages").unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(c.bool(f.root.get("debug").unwrap(), "debug"), None);
        let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "app.json:2:18: error: \"pages[1]\" must be a string, found number",
                "app.json:3:12: error: \"debug\" must be a boolean, found string",
            ]
        );
    }

    #[test]
    fn one_of_names_the_choices() {
        let f = file(r#"{"style": "v3"}"#);
        let mut diags = Diagnostics::default();
        Checker::new(&f, &mut diags).one_of(f.root.get("style").unwrap(), "style", &["v2"]);
        assert_eq!(diags.0[0].message, "\"style\" must be one of \"v2\", found \"v3\"");
    }

    #[test]
    fn bad_files_are_reported_with_location() {
        let mut diags = Diagnostics::default();
        assert!(parse_json_file("a.json", b"{\"a\": \xff}", &mut diags).is_none());
        assert!(parse_json_file("b.json", b"{\n  \"a\": 1\n  \"b\": 2\n}", &mut diags).is_none());
        let shown: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "a.json:1:7: error: the file is not valid UTF-8",
                "b.json:3:3: error: invalid JSON: expected `,` or `}` after an object member, found `\"`",
            ]
        );
    }
}
