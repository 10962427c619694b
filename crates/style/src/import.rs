//! `@import`: finding the file, and inlining imported sheets into the one being compiled.
//!
//! Each file is parsed once per compiler and sheet kind, however many sheets import it, so its
//! warnings are reported once. Inlining follows the import graph from each compiled sheet; a
//! file already on the path is a cycle. Budgets on depth, count and bytes keep a hostile graph
//! (a diamond repeated forty times is 2^40 imports) from taking the host down.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use capsule_package::components::{join, parent};
use capsule_package::{Diagnostic, Diagnostics, Files, Span};

use crate::parse::{Import, Item, parse_file};
use crate::report::Reporter;
use crate::sheet::{ConditionalRule, Rule, Sheet, SheetKind};

/// How deep imports may chain (`a` imports `b` imports `c` …).
pub const MAX_IMPORT_DEPTH: usize = 32;
/// How many imports one compiled sheet may inline, counting repeats.
pub const MAX_IMPORTS: usize = 1024;
/// How many bytes of imported source one compiled sheet may inline, counting repeats.
pub const MAX_IMPORTED_BYTES: usize = 32 * 1024 * 1024;

/// Why an `@import` leads nowhere.
pub struct ImportProblem {
    pub message: String,
    pub hint: Option<String>,
}

/// The package path of the sheet that `target` names from the file `from`: relative to the
/// file's folder, or to the package root with a leading `/`; the extension (`.wxss`, or
/// `.css` in a `.css` file) may be left out.
pub fn resolve_import(files: &Files, from: &str, target: &str) -> Result<String, ImportProblem> {
    if target.trim().is_empty() {
        return Err(ImportProblem { message: "@import with an empty path".into(), hint: None });
    }
    let lower = target.to_ascii_lowercase();
    if lower.starts_with("http:") || lower.starts_with("https:") || target.starts_with("//") {
        return Err(ImportProblem {
            message: format!("cannot import `{target}`: only stylesheets inside the package can be imported"),
            hint: Some("copy the stylesheet into the package".into()),
        });
    }
    let joined = match target.strip_prefix('/') {
        Some(absolute) => join("", absolute),
        None => join(parent(from), target),
    };
    let Some(base) = joined.filter(|p| !p.is_empty()) else {
        return Err(ImportProblem { message: format!("`{target}` leads outside the package"), hint: None });
    };
    // A WXSS file imports WXSS; a W3C MiniApp's CSS imports CSS.
    let extension = if from.ends_with(".css") { ".css" } else { ".wxss" };
    let mut candidates = vec![base.clone()];
    if !base.ends_with(extension) {
        candidates.push(format!("{base}{extension}"));
    }
    if let Some(found) = candidates.iter().find(|c| files.contains(c)) {
        return Ok(found.clone());
    }
    let looked: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    Err(ImportProblem {
        message: format!("cannot find the stylesheet `{target}`"),
        hint: Some(format!("looked for {}", looked.join(" and "))),
    })
}

/// Compiles sheets of one package, sharing parsed files between them.
pub struct Compiler<'f> {
    files: &'f Files,
    parsed: HashMap<(String, SheetKind), Option<Rc<Vec<Item>>>>,
    diagnostics: Vec<Diagnostic>,
}

/// The walk through the import graph from one compiled sheet.
struct Walk {
    /// The files being inlined, outermost first.
    path: Vec<String>,
    imports: usize,
    bytes: usize,
    /// A budget ran out (reported once); no more imports are inlined.
    exhausted: bool,
}

impl<'f> Compiler<'f> {
    pub fn new(files: &'f Files) -> Compiler<'f> {
        Compiler { files, parsed: HashMap::new(), diagnostics: Vec::new() }
    }

    /// Compiles the sheet at `path`, inlining what it imports.
    pub fn compile(&mut self, path: &str, kind: SheetKind) -> Sheet {
        let mut rules = Vec::new();
        if !self.files.contains(path) {
            self.diagnostics.push(Diagnostic::error(path, "no such stylesheet in the package"));
        } else if let Some(items) = self.parse(path, kind) {
            let mut walk = Walk { path: vec![path.to_string()], imports: 0, bytes: 0, exhausted: false };
            // A sheet compiled is rarely imported by another: its rules move into the sheet
            // instead of being copied (half the allocations for a large sheet). Should another
            // sheet import it later, it is parsed again (its diagnostics are deduplicated).
            self.parsed.remove(&(path.to_string(), kind));
            match Rc::try_unwrap(items) {
                Ok(items) => {
                    for item in items {
                        match item {
                            Item::Rule(rule) => rules.push(rule),
                            Item::Import(import) => self.inline_import(&import, kind, &mut walk, &mut rules),
                        }
                    }
                }
                Err(items) => self.inline(&items, kind, &mut walk, &mut rules),
            }
        }
        Sheet { path: path.to_string(), kind, rules }
    }

    /// Every diagnostic so far, each once: a file imported by many sheets reports its problems
    /// once, and a cycle reached from several sheets is reported once at each import in it.
    pub fn finish(self) -> Diagnostics {
        let mut seen = HashSet::new();
        let mut diagnostics = Diagnostics::default();
        for d in self.diagnostics {
            if seen.insert(format!("{d}\n{:?}", d.hint)) {
                diagnostics.push(d);
            }
        }
        diagnostics
    }

    fn parse(&mut self, path: &str, kind: SheetKind) -> Option<Rc<Vec<Item>>> {
        let key = (path.to_string(), kind);
        if let Some(parsed) = self.parsed.get(&key) {
            return parsed.clone();
        }
        let bytes = self.files.get(path).unwrap_or_default();
        let parsed = match std::str::from_utf8(bytes) {
            Ok(text) => {
                let (items, diagnostics) = parse_file(self.files, Arc::from(path), text, kind);
                self.diagnostics.extend(diagnostics);
                Some(Rc::new(items))
            }
            Err(error) => {
                // Both sheet kinds would say the same; say it once.
                if !self.parsed.keys().any(|(p, _)| p == path) {
                    let valid = &bytes[..error.valid_up_to()];
                    let prefix = std::str::from_utf8(valid).unwrap_or_default();
                    let mut reporter = Reporter::new(Arc::from(path), prefix);
                    let at = Span::new(prefix.len(), prefix.len());
                    reporter.error(
                        at,
                        format!(
                            "not UTF-8 text (byte 0x{:02x} here); the stylesheet is skipped",
                            bytes[valid.len()]
                        ),
                        Some("save the file as UTF-8".into()),
                    );
                    self.diagnostics.extend(reporter.finish());
                }
                None
            }
        };
        self.parsed.insert(key, parsed.clone());
        parsed
    }

    fn inline(&mut self, items: &[Item], kind: SheetKind, walk: &mut Walk, out: &mut Vec<Rule>) {
        for item in items {
            match item {
                Item::Rule(rule) => out.push(rule.clone()),
                Item::Import(import) => self.inline_import(import, kind, walk, out),
            }
        }
    }

    fn inline_import(&mut self, import: &Import, kind: SheetKind, walk: &mut Walk, out: &mut Vec<Rule>) {
        if walk.exhausted {
            return;
        }
        if let Some(at) = walk.path.iter().position(|p| *p == import.target) {
            let mut cycle: Vec<&str> = walk.path[at..].iter().map(String::as_str).collect();
            cycle.push(&import.target);
            self.import_error(
                import,
                format!("@import cycle: {}", cycle.join(" → ")),
                "remove one of these imports",
            );
            return;
        }
        let size = self.files.get(&import.target).map_or(0, <[u8]>::len);
        let over_budget = if walk.path.len() >= MAX_IMPORT_DEPTH {
            Some((
                format!("imports nested more than {MAX_IMPORT_DEPTH} levels deep"),
                "import the files you need directly rather than through long chains",
            ))
        } else if walk.imports >= MAX_IMPORTS {
            Some((
                format!("more than {MAX_IMPORTS} imports inlined into `{}`", walk.path[0]),
                "import each file once",
            ))
        } else if walk.bytes + size > MAX_IMPORTED_BYTES {
            Some((
                format!(
                    "more than {} MiB of imported stylesheets inlined into `{}`",
                    MAX_IMPORTED_BYTES >> 20,
                    walk.path[0]
                ),
                "import each file once",
            ))
        } else {
            None
        };
        if let Some((message, hint)) = over_budget {
            walk.exhausted = true;
            self.import_error(import, format!("{message}; no more imports are inlined"), hint);
            return;
        }
        walk.imports += 1;
        walk.bytes += size;
        let Some(items) = self.parse(&import.target, kind) else { return };
        walk.path.push(import.target.clone());
        let mut rules = Vec::new();
        self.inline(&items, kind, walk, &mut rules);
        walk.path.pop();
        match &import.media {
            Some(condition) => out.push(Rule::Media(ConditionalRule {
                origin: import.origin.clone(),
                condition: condition.clone(),
                rules,
            })),
            None => out.extend(rules),
        }
    }

    fn import_error(&mut self, import: &Import, message: String, hint: &str) {
        let mut d = Diagnostic::error(&*import.origin.file, message).with_hint(hint);
        d.location = Some(import.location.clone());
        self.diagnostics.push(d);
    }
}
