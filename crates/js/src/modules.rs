//! `require` inside a package: relative (`./x`, `../x`), from the root (`/utils/x`), or an
//! npm package under `miniprogram_npm/`; `.js` and `.json`, a folder's `index.js`. Nothing
//! outside the package can be named.

use capsule_package::Files;
use capsule_package::components::{join, parent};

/// The package path `spec` names when required from the file `from`.
///
/// ```
/// use capsule_package::Files;
/// use capsule_js::modules::resolve;
/// let mut files = Files::default();
/// files.insert("utils/store.js", Vec::new());
/// files.insert("pages/a/a.js", Vec::new());
/// assert_eq!(resolve(&files, "pages/a/a.js", "../../utils/store").unwrap(), "utils/store.js");
/// assert_eq!(resolve(&files, "pages/a/a.js", "/utils/store.js").unwrap(), "utils/store.js");
/// assert!(resolve(&files, "pages/a/a.js", "../../../etc/passwd").unwrap_err().contains("outside the package"));
/// ```
pub fn resolve(files: &Files, from: &str, spec: &str) -> Result<String, String> {
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
        return Err(format!("require('{spec}') from {from}: the path leads outside the package"));
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
    Err(format!("require('{spec}') from {from}: module not found"))
}

/// Drops a `#!` first line, keeping the line count.
pub fn strip_hashbang(source: &str) -> &str {
    if source.starts_with("#!") { source.find('\n').map_or("", |i| &source[i..]) } else { source }
}
