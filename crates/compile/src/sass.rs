//! Sass (`.scss`, and the indented `.sass`) to WXSS with grass. Imports are read from the
//! package's files only, relative to the importing file or from the package root; a WXSS
//! unit such as `rpx` is a unit like any other to Sass.

use std::io;
use std::path::{Component, Path};

use capsule_package::plugins::{CompileError, Compiled};
use capsule_package::{Files, Span};

/// Compiles the Sass file at the package path `path`, importing from `files`.
///
/// ```
/// use capsule_compile::compile_sass;
/// use capsule_package::Files;
/// let mut files = Files::default();
/// files.insert("styles/_vars.scss", b"$gap: 8rpx;".to_vec());
/// files.insert("app.scss", b"@import 'styles/vars';\n.a { .b { margin: $gap * 2; } }".to_vec());
/// assert_eq!(compile_sass("app.scss", &files).unwrap().code, ".a .b {\n  margin: 16rpx;\n}\n");
/// ```
pub fn compile_sass(path: &str, files: &Files) -> Result<Compiled, CompileError> {
    let fs = PackageFs(files);
    let syntax = if path.ends_with(".sass") { grass::InputSyntax::Sass } else { grass::InputSyntax::Scss };
    let options = grass::Options::default().fs(&fs).input_syntax(syntax).quiet(true).load_path("");
    match grass::from_path(path, &options) {
        Ok(css) => Ok(Compiled { code: css, map: Default::default() }),
        Err(e) => Err(match e.kind() {
            grass::ErrorKind::ParseError { message, loc, .. } => {
                let file = normalize(Path::new(loc.file.name()));
                let span = files.text(&file).map(|text| {
                    let start = offset(text, loc.begin.line, loc.begin.column);
                    let end = if loc.end.line == loc.begin.line {
                        offset(text, loc.end.line, loc.end.column).max(start)
                    } else {
                        start
                    };
                    Span::new(start, end)
                });
                CompileError { file, span, message }
            }
            grass::ErrorKind::IoError(e) => {
                CompileError { file: path.to_string(), span: None, message: format!("cannot read: {e}") }
            }
            other => CompileError { file: path.to_string(), span: None, message: format!("{other:?}") },
        }),
    }
}

/// The byte offset of a 0-based line and character column.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = text.split_inclusive('\n').take(line).map(str::len).sum::<usize>();
    let rest = &text[line_start.min(text.len())..];
    line_start + rest.char_indices().nth(column).map_or(rest.len(), |(i, _)| i)
}

/// `a/./b/../c` → `a/c`; `None`-like empty for a path leaving the package.
fn normalize(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return String::new();
                }
            }
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
        }
    }
    parts.join("/")
}

/// The package's files as grass's file system: nothing outside the package can be read.
#[derive(Debug)]
struct PackageFs<'a>(&'a Files);

impl grass::Fs for PackageFs<'_> {
    fn is_dir(&self, path: &Path) -> bool {
        let path = normalize(path);
        path.is_empty() || self.0.has_dir(&path)
    }

    fn is_file(&self, path: &Path) -> bool {
        let path = normalize(path);
        !path.is_empty() && self.0.contains(&path)
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let path = normalize(path);
        self.0.get(&path).filter(|_| !path.is_empty()).map(<[u8]>::to_vec).ok_or_else(|| {
            io::Error::new(io::ErrorKind::NotFound, format!("no file `{path}` in the package"))
        })
    }
}
