//! The compiler plugins of `project.config.json` (`setting.useCompilerPlugins`): TypeScript,
//! Less and Sass sources that the platform's developer tools compile to the `.js` and `.wxss`
//! the runtime reads. This crate compiles nothing itself: the embedder injects a
//! [`SourceCompiler`] through [`crate::LoadOptions::compiler`], and the loader calls it for
//! each source of a listed plugin before the manifest is read, so every later step (pages,
//! components, `require`, styles) sees the generated files as if they had been written.
//!
//! What was generated stays known ([`Generated`]): its source file, and a [`SourceMap`] back
//! to it, so a runtime error's `file:line:col` can name the `.ts` line instead of the
//! generated one ([`crate::Package::original_positions`]), and packing writes the sources, not
//! what was made from them.

use std::collections::BTreeMap;
use std::fmt;

use crate::diagnostic::{Diagnostic, Diagnostics, Span};
use crate::files::Files;

/// A language `setting.useCompilerPlugins` may turn on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Plugin {
    TypeScript,
    Less,
    Sass,
}

impl Plugin {
    /// The plugin's name in `useCompilerPlugins`.
    pub fn name(self) -> &'static str {
        match self {
            Plugin::TypeScript => "typescript",
            Plugin::Less => "less",
            Plugin::Sass => "sass",
        }
    }

    pub fn from_name(name: &str) -> Option<Plugin> {
        [Plugin::TypeScript, Plugin::Less, Plugin::Sass].into_iter().find(|p| p.name() == name)
    }

    /// The plugin that compiles the file at `path`, and the path of what it makes: `a.ts` →
    /// `a.js`, `a.scss` / `a.sass` → `a.wxss`, `a.less` → `a.wxss`. Declaration files
    /// (`.d.ts`) hold only types and make nothing; Sass partials (`_name.scss`) are only
    /// imported.
    ///
    /// ```
    /// use capsule_package::plugins::Plugin;
    /// assert_eq!(Plugin::for_path("pages/a/a.ts"), Some((Plugin::TypeScript, "pages/a/a.js".into())));
    /// assert_eq!(Plugin::for_path("app.scss"), Some((Plugin::Sass, "app.wxss".into())));
    /// assert_eq!(Plugin::for_path("typings/wx.d.ts"), None);
    /// assert_eq!(Plugin::for_path("styles/_vars.scss"), None);
    /// ```
    pub fn for_path(path: &str) -> Option<(Plugin, String)> {
        let (stem, ext) = path.rsplit_once('.')?;
        let base = stem.rsplit('/').next().unwrap_or(stem);
        let (plugin, out) = match ext {
            "ts" if !stem.ends_with(".d") => (Plugin::TypeScript, "js"),
            "less" => (Plugin::Less, "wxss"),
            "scss" | "sass" if !base.starts_with('_') => (Plugin::Sass, "wxss"),
            _ => return None,
        };
        Some((plugin, format!("{stem}.{out}")))
    }
}

/// A compiler for the plugins' languages, given to the loader by the embedder
/// ([`crate::LoadOptions::compiler`]).
pub trait SourceCompiler: Send + Sync + fmt::Debug {
    /// Whether this compiler has the plugin (a build may leave one out).
    fn supports(&self, plugin: Plugin) -> bool;

    /// Compiles the package file at `path` (one [`Plugin::for_path`] named). `files` are the
    /// package's, for what the source imports.
    fn compile(&self, plugin: Plugin, path: &str, files: &Files) -> Result<Compiled, CompileError>;
}

/// What a compiler made from one source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compiled {
    pub code: String,
    /// Positions in `code` back to the source; empty when the compiler keeps none.
    pub map: SourceMap,
}

/// Why a source did not compile, and where: `file` may be another file than the one compiled
/// (a Sass partial it imports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    pub file: String,
    /// Bytes of `file`'s text, when the compiler knows them.
    pub span: Option<Span>,
    pub message: String,
}

/// Positions of generated code mapped back to the source: 1-based lines and columns.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceMap {
    /// `(generated line, generated column, source line, source column)`, sorted.
    points: Vec<(u32, u32, u32, u32)>,
}

impl SourceMap {
    /// A map from its points, `(generated line, generated column, source line, source
    /// column)`, all 1-based, in any order.
    pub fn new(mut points: Vec<(u32, u32, u32, u32)>) -> SourceMap {
        points.sort_unstable();
        points.dedup_by_key(|p| (p.0, p.1));
        SourceMap { points }
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The points, sorted, as [`SourceMap::new`] takes them.
    pub fn points(&self) -> &[(u32, u32, u32, u32)] {
        &self.points
    }

    /// The source position of a generated one: that of the nearest mapped point at or before
    /// it on its line (or the line's first, for a column before any), as source-map readers
    /// answer; `None` on an unmapped line.
    ///
    /// ```
    /// use capsule_package::plugins::SourceMap;
    /// let map = SourceMap::new(vec![(1, 1, 3, 1), (1, 9, 3, 12), (2, 3, 7, 5)]);
    /// assert_eq!(map.original(1, 10), Some((3, 12)));
    /// assert_eq!(map.original(1, 4), Some((3, 1)));
    /// assert_eq!(map.original(2, 1), Some((7, 5)));
    /// assert_eq!(map.original(9, 1), None);
    /// ```
    pub fn original(&self, line: u32, column: u32) -> Option<(u32, u32)> {
        let after = self.points.partition_point(|p| (p.0, p.1) <= (line, column));
        after
            .checked_sub(1)
            .map(|i| self.points[i])
            .filter(|p| p.0 == line)
            .or_else(|| self.points.get(after).copied().filter(|p| p.0 == line))
            .map(|p| (p.2, p.3))
    }
}

/// A generated file: the source it came from and the way back.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Generated {
    pub source: String,
    pub map: SourceMap,
}

/// The plugins `useCompilerPlugins` turns on.
pub type PluginSet = std::collections::BTreeSet<Plugin>;

/// Compiles every source of an enabled plugin into `files`, returning what was generated by
/// output path. A source that does not compile is reported — an error only its page hears when
/// it runs, or one that stops an `upload` — and its output is a script that throws the located
/// error, so the app still starts and other pages open, as in the platform's tools.
pub(crate) fn compile_sources(
    enabled: &PluginSet,
    compiler: Option<&dyn SourceCompiler>,
    upload: bool,
    files: &mut Files,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Generated> {
    let mut generated = BTreeMap::new();
    if enabled.is_empty() {
        return generated;
    }
    let sources: Vec<(String, Plugin, String)> = files
        .paths()
        .filter_map(|path| {
            let (plugin, out) = Plugin::for_path(path)?;
            enabled.contains(&plugin).then(|| (path.to_string(), plugin, out))
        })
        .collect();
    let mut missing = PluginSet::new();
    for (path, plugin, out) in sources {
        if files.contains(&out) {
            // A file written beside it wins: it is what a build step made (or an npm package
            // ships), and nothing the developer wrote is replaced behind their back.
            if !path.split('/').any(|p| p == "miniprogram_npm") {
                diags.push(Diagnostic::warning(
                    path.clone(),
                    format!("not compiled: `{out}` beside it is used instead"),
                ));
            }
            continue;
        }
        let Some(compiler) = compiler.filter(|c| c.supports(plugin)) else {
            missing.insert(plugin);
            continue;
        };
        match compiler.compile(plugin, &path, files) {
            Ok(compiled) => {
                files.insert(out.clone(), compiled.code.into_bytes());
                generated.insert(out, Generated { source: path, map: compiled.map });
            }
            Err(error) => {
                let mut d = located(files, error);
                d.page_only = !upload;
                let (code, map) = match plugin {
                    Plugin::TypeScript => {
                        let code = format!(
                            "throw new SyntaxError({});\n",
                            js_string(&format!("{}: {}", d.position(), d.message))
                        );
                        // The throw's stack frame names the error's place too.
                        let at = d.location.as_ref().map_or((1, 1), |l| (l.line as u32, l.column as u32));
                        (code, SourceMap::new(vec![(1, 1, at.0, at.1)]))
                    }
                    // A style that does not compile leaves the page unstyled by it.
                    Plugin::Less | Plugin::Sass => (String::new(), SourceMap::default()),
                };
                files.insert(out.clone(), code.into_bytes());
                generated.insert(out, Generated { source: path, map });
                // A Sass partial's error comes again with every sheet that imports it.
                if !diags.0.contains(&d) {
                    diags.push(d);
                }
            }
        }
    }
    for plugin in missing {
        diags.push(
            Diagnostic::warning(
                crate::project::PROJECT_CONFIG,
                format!(
                    "useCompilerPlugins lists \"{}\", but this build of capsule has no {} compiler: its files are not compiled",
                    plugin.name(),
                    plugin.name()
                ),
            )
            .with_hint(match plugin {
                Plugin::Less => "compile the .less files to .wxss beside them",
                Plugin::TypeScript => "use the capsule command (it compiles TypeScript), or compile to .js",
                Plugin::Sass => "use the capsule command (it compiles Sass), or compile to .wxss",
            }),
        );
    }
    generated
}

/// Adds to a "has no `a.js`" error the way out when `a.ts` is there: the plugin that would
/// compile it is not turned on.
pub(crate) fn hint_missing(files: &Files, missing: &str, d: &mut Diagnostic) {
    let Some(stem) = missing.strip_suffix(".js") else { return };
    if files.contains(&format!("{stem}.ts")) {
        d.hint = Some(format!(
            "{stem}.ts is there: list \"typescript\" in project.config.json's setting.useCompilerPlugins to compile it"
        ));
    }
}

/// [`hint_missing`] on an owned diagnostic.
pub(crate) fn hint_for_missing(files: &Files, missing: &str, mut d: Diagnostic) -> Diagnostic {
    hint_missing(files, missing, &mut d);
    d
}

/// The compile error as a diagnostic at its place in the file's text.
fn located(files: &Files, error: CompileError) -> Diagnostic {
    let d = Diagnostic::error(error.file.clone(), error.message);
    match (error.span, files.text(&error.file)) {
        (Some(span), Some(text)) => d.at(text, span),
        _ => d,
    }
}

fn js_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Rewrites every `generated:line:col` (or `generated:line`) in `text` to the source's
/// position, for the generated files that have a map.
pub(crate) fn original_positions(generated: &BTreeMap<String, Generated>, text: &str) -> String {
    let mut out = text.to_string();
    for (path, g) in generated.iter().filter(|(_, g)| !g.map.is_empty()) {
        if !out.contains(path.as_str()) {
            continue;
        }
        let mut rewritten = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(path.as_str()) {
            let before = &rest[..at];
            let after = &rest[at + path.len()..];
            // The path must stand alone: not the tail of a longer one (`xpages/a.js`).
            let boundary =
                before.chars().last().is_none_or(|c| !(c.is_alphanumeric() || c == '/' || c == '_'));
            let (numbers, tail) = line_col(after);
            rewritten.push_str(before);
            match numbers.filter(|_| boundary) {
                Some((line, col)) => {
                    match g.map.original(line, col.unwrap_or(1)) {
                        Some((sl, sc)) if col.is_some() => {
                            rewritten.push_str(&format!("{}:{sl}:{sc}", g.source))
                        }
                        Some((sl, _)) => rewritten.push_str(&format!("{}:{sl}", g.source)),
                        None => rewritten.push_str(&rest[at..rest.len() - tail.len()]),
                    }
                    rest = tail;
                }
                None => {
                    rewritten.push_str(path);
                    rest = after;
                }
            }
        }
        rewritten.push_str(rest);
        out = rewritten;
    }
    out
}

/// `:12:5…` → `((12, Some(5)), "…")`; `:12…` → `((12, None), "…")`.
fn line_col(text: &str) -> (Option<(u32, Option<u32>)>, &str) {
    fn number(text: &str) -> Option<(u32, &str)> {
        let digits = text.strip_prefix(':')?;
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        Some((digits[..end].parse().ok()?, &digits[end..]))
    }
    match number(text) {
        Some((line, rest)) => match number(rest) {
            Some((col, rest)) => (Some((line, Some(col))), rest),
            None => (Some((line, None)), rest),
        },
        None => (None, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_a_stack_point_at_the_source() {
        let mut generated = BTreeMap::new();
        generated.insert(
            "pages/a/a.js".to_string(),
            Generated {
                source: "pages/a/a.ts".into(),
                map: SourceMap::new(vec![(4, 1, 9, 3), (4, 7, 9, 20)]),
            },
        );
        let stack = "Error: boom\n    at f (pages/a/a.js:4:9)\n    at <anonymous> (xpages/a/a.js:4:9)\n    at g (pages/a/a.js:77:1)\n    at pages/a/a.js";
        assert_eq!(
            original_positions(&generated, stack),
            "Error: boom\n    at f (pages/a/a.ts:9:20)\n    at <anonymous> (xpages/a/a.js:4:9)\n    at g (pages/a/a.js:77:1)\n    at pages/a/a.js"
        );
        assert_eq!(original_positions(&generated, "(pages/a/a.js:4)"), "(pages/a/a.ts:9)");
    }

    #[test]
    fn a_compile_error_becomes_a_script_that_throws_it() {
        #[derive(Debug)]
        struct Failing;
        impl SourceCompiler for Failing {
            fn supports(&self, plugin: Plugin) -> bool {
                plugin == Plugin::TypeScript
            }
            fn compile(&self, _: Plugin, path: &str, _: &Files) -> Result<Compiled, CompileError> {
                Err(CompileError {
                    file: path.into(),
                    span: Some(Span::new(11, 12)),
                    message: "Expected `;`".into(),
                })
            }
        }
        let mut files = Files::default();
        files.insert("a.ts", b"let x = 1\nlet \"y\"".to_vec());
        files.insert("b.less", b"a{}".to_vec());
        let mut diags = Diagnostics::default();
        let enabled = PluginSet::from([Plugin::TypeScript, Plugin::Less]);
        let generated = compile_sources(&enabled, Some(&Failing), false, &mut files, &mut diags);
        assert_eq!(generated.keys().collect::<Vec<_>>(), ["a.js"]);
        assert_eq!(files.text("a.js"), Some("throw new SyntaxError(\"a.ts:2:2: Expected `;`\");\n"));
        assert_eq!(diags.0[0].position(), "a.ts:2:2");
        assert!(diags.0[0].is_error() && diags.0[0].page_only);
        assert!(!files.contains("b.wxss"));
        assert!(diags.0[1].message.contains("no less compiler"), "{}", diags.0[1].message);
    }
}
