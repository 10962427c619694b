//! `require` inside a package: relative (`./x`, `../x`), from the root (`/utils/x`), or an
//! npm package under `miniprogram_npm/`; `.js` and `.json`, a folder's `index.js`. Nothing
//! outside the package can be named.

use std::fmt;

use capsule_package::Files;
use capsule_package::components::{join, parent};

/// Why a `require` (or an `import`) names no file of the package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// The path climbs out of the package (`../../../etc/passwd`).
    OutsidePackage { spec: String, from: String },
    /// No `.js` or `.json` file of the package answers to it.
    NotFound { spec: String, from: String },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::OutsidePackage { spec, from } => {
                write!(f, "require('{spec}') from {from}: the path leads outside the package")
            }
            ResolveError::NotFound { spec, from } => {
                write!(f, "require('{spec}') from {from}: module not found")
            }
        }
    }
}

impl std::error::Error for ResolveError {}

/// The package path `spec` names when required from the file `from`.
///
/// ```
/// use capsule_package::Files;
/// use capsule_js::modules::{ResolveError, resolve};
/// let mut files = Files::default();
/// files.insert("utils/store.js", Vec::new());
/// files.insert("pages/a/a.js", Vec::new());
/// assert_eq!(resolve(&files, "pages/a/a.js", "../../utils/store").unwrap(), "utils/store.js");
/// assert_eq!(resolve(&files, "pages/a/a.js", "/utils/store.js").unwrap(), "utils/store.js");
/// let outside = resolve(&files, "pages/a/a.js", "../../../etc/passwd").unwrap_err();
/// assert!(matches!(outside, ResolveError::OutsidePackage { .. }));
/// assert_eq!(
///     outside.to_string(),
///     "require('../../../etc/passwd') from pages/a/a.js: the path leads outside the package"
/// );
/// assert!(matches!(resolve(&files, "pages/a/a.js", "./nothing"), Err(ResolveError::NotFound { .. })));
/// ```
pub fn resolve(files: &Files, from: &str, spec: &str) -> Result<String, ResolveError> {
    let dir = parent(from);
    let mut bases = Vec::new();
    if let Some(abs) = spec.strip_prefix('/') {
        bases.push(join("", abs));
    } else {
        bases.push(join(dir, spec));
        if !spec.starts_with('.') {
            let mut up = Some(dir);
            while let Some(d) = up {
                let npm =
                    if d.is_empty() { "miniprogram_npm".to_string() } else { format!("{d}/miniprogram_npm") };
                bases.push(join(&npm, spec));
                up = if d.is_empty() { None } else { Some(parent(d)) };
            }
        }
    }
    if bases.first().is_some_and(Option::is_none) {
        return Err(ResolveError::OutsidePackage { spec: spec.to_string(), from: from.to_string() });
    }
    for base in bases.into_iter().flatten() {
        for candidate in
            [base.clone(), format!("{base}.js"), format!("{base}.json"), format!("{base}/index.js")]
        {
            if files.contains(&candidate) && (candidate.ends_with(".js") || candidate.ends_with(".json")) {
                return Ok(candidate);
            }
        }
    }
    Err(ResolveError::NotFound { spec: spec.to_string(), from: from.to_string() })
}

/// Drops a `#!` first line, keeping the line count.
pub fn strip_hashbang(source: &str) -> &str {
    if source.starts_with("#!") { source.find('\n').map_or("", |i| &source[i..]) } else { source }
}
