//! Size and shape limits on a package, as the big platforms set them.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::Entry;

const MIB: u64 = 1024 * 1024;

/// What a package may weigh. The defaults are WeChat's: 2 MiB for the main package and for
/// each subpackage, 20 MiB in all.
///
/// ```
/// use capsule_package::Limits;
/// let strict = Limits { main_package_size: 512 * 1024, ..Limits::default() };
/// assert_eq!(strict.total_size, 20 * 1024 * 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in the main package (every packed file outside a subpackage root).
    pub main_package_size: u64,
    /// Bytes in each subpackage.
    pub subpackage_size: u64,
    /// Bytes in the whole package.
    pub total_size: u64,
    /// Entries in a zip (directories included).
    pub max_entries: usize,
    /// Uncompressed to compressed bytes, per entry and for the whole zip.
    pub max_compression_ratio: u64,
    /// Bytes a package may hold at all, whatever it is loaded for: the three sizes above are
    /// the platform's limits for upload (its simulator runs bigger packages, so Capsule warns
    /// when it runs one), this is what the host will read into memory.
    pub max_read: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            main_package_size: 2 * MIB,
            subpackage_size: 2 * MIB,
            total_size: 20 * MIB,
            max_entries: 10_000,
            max_compression_ratio: 100,
            max_read: 256 * MIB,
        }
    }
}

/// `1536` → `1.5 KiB`.
///
/// ```
/// use capsule_package::format_size;
/// assert_eq!(format_size(512), "512 B");
/// assert_eq!(format_size(2 * 1024 * 1024), "2 MiB");
/// assert_eq!(format_size(1536), "1.5 KiB");
/// ```
pub fn format_size(bytes: u64) -> String {
    let (value, unit) = if bytes >= MIB {
        (bytes as f64 / MIB as f64, "MiB")
    } else if bytes >= 1024 {
        (bytes as f64 / 1024.0, "KiB")
    } else {
        return format!("{bytes} B");
    };
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {unit}")
}

/// What the packed files weigh, per part of the package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SizeReport {
    pub files: usize,
    pub total: u64,
    pub main: u64,
    /// `(root, bytes)` for each subpackage, in manifest order.
    pub subpackages: Vec<(String, u64)>,
}

/// Checks the total size first (before anything is read), so a huge package costs nothing:
/// over [`Limits::max_read`] nothing is read; over the upload limit it is an upload-only
/// problem.
pub fn check_total(entries: &[Entry], limits: &Limits, label: &str, diags: &mut Diagnostics) -> bool {
    let total: u64 = entries.iter().map(|e| e.size).sum();
    if total > limits.max_read {
        let mut d = over_limit("the package", total, limits.max_read, entries.iter(), label);
        d.severity = crate::diagnostic::Severity::Error;
        d.upload_only = false;
        d.message += "; Capsule reads no package this big";
        diags.push(d);
        return false;
    }
    if total > limits.total_size {
        diags.push(over_limit("the package", total, limits.total_size, entries.iter(), label));
    }
    true
}

/// Splits the packed files into the main package and the subpackages under `roots`, and
/// checks each part against its limit.
pub fn check_parts(
    entries: &[Entry],
    roots: &[String],
    limits: &Limits,
    label: &str,
    diags: &mut Diagnostics,
) -> SizeReport {
    let in_root = |path: &str, root: &str| path.strip_prefix(root).is_some_and(|rest| rest.starts_with('/'));
    let part_of = |e: &Entry| roots.iter().position(|root| in_root(&e.path, root));
    let mut report = SizeReport {
        files: entries.len(),
        total: entries.iter().map(|e| e.size).sum(),
        main: 0,
        subpackages: roots.iter().map(|r| (r.clone(), 0)).collect(),
    };
    for entry in entries {
        match part_of(entry) {
            Some(i) => report.subpackages[i].1 += entry.size,
            None => report.main += entry.size,
        }
    }
    if report.main > limits.main_package_size {
        let files = entries.iter().filter(|e| part_of(e).is_none());
        diags.push(
            over_limit("the main package", report.main, limits.main_package_size, files, label).with_hint(
                "move pages into subpackages, or leave files out with packOptions.ignore in project.config.json",
            ),
        );
    }
    for (i, (root, size)) in report.subpackages.iter().enumerate() {
        if *size > limits.subpackage_size {
            let files = entries.iter().filter(|e| part_of(e) == Some(i));
            diags.push(over_limit(
                &format!("subpackage `{root}`"),
                *size,
                limits.subpackage_size,
                files,
                label,
            ));
        }
    }
    report
}

fn over_limit<'a>(
    what: &str,
    size: u64,
    limit: u64,
    files: impl Iterator<Item = &'a Entry>,
    label: &str,
) -> Diagnostic {
    let biggest = files.max_by_key(|e| (e.size, std::cmp::Reverse(e.path.clone())));
    let mut message = format!("{what} is {}, over the limit of {}", format_size(size), format_size(limit));
    if let Some(big) = biggest {
        message += &format!("; the biggest file is `{}` ({})", big.path, format_size(big.size));
    }
    Diagnostic::upload_only(label.to_string(), message)
        .with_hint("the platform's tools refuse it on upload; its simulator, and Capsule, run it")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, size: u64) -> Entry {
        Entry { path: path.to_string(), size }
    }

    #[test]
    fn parts_are_split_by_root_and_checked() {
        let limits = Limits { main_package_size: 100, subpackage_size: 50, ..Limits::default() };
        let entries =
            [entry("app.js", 60), entry("big.png", 70), entry("pkgA/a.js", 51), entry("pkgAB/b.js", 5)];
        let mut diags = Diagnostics::default();
        let report = check_parts(&entries, &["pkgA".to_string()], &limits, "app", &mut diags);
        assert_eq!(report.main, 135);
        assert_eq!(report.subpackages, vec![("pkgA".to_string(), 51)]);
        let messages: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the main package is 135 B, over the limit of 100 B; the biggest file is `big.png` (70 B)",
                "subpackage `pkgA` is 51 B, over the limit of 50 B; the biggest file is `pkgA/a.js` (51 B)",
            ]
        );
    }

    #[test]
    fn total_is_checked_before_reading() {
        // Over the upload limit: read, with an upload-only problem.
        let limits = Limits { total_size: 10, ..Limits::default() };
        let mut diags = Diagnostics::default();
        assert!(check_total(&[entry("a", 6), entry("b", 6)], &limits, "app", &mut diags));
        assert_eq!(
            diags.0[0].message,
            "the package is 12 B, over the limit of 10 B; the biggest file is `a` (6 B)"
        );
        assert!(diags.0[0].upload_only && !diags.0[0].is_error());
        // Over what Capsule reads at all: not read, an error whatever the package is for.
        let limits = Limits { max_read: 10, ..Limits::default() };
        let mut diags = Diagnostics::default();
        assert!(!check_total(&[entry("a", 6), entry("b", 6)], &limits, "app", &mut diags));
        assert!(diags.0[0].is_error() && !diags.0[0].upload_only, "{:?}", diags.0[0]);
    }
}
