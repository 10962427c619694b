//! Where a package's bytes come from: a directory or a zip file.
//!
//! Listing comes before reading: the loader decides what would be packed and checks the size
//! limits on the listed sizes, and only then reads (and decompresses) the files it keeps. A zip
//! is treated as hostile: every name, link, duplicate, entry count and compression ratio is
//! checked before a byte is inflated, and inflation stops at the size the header declared.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::limits::{Limits, format_size};

/// A file the source holds: its normalised package path (`/`-separated, no `.` or `..`) and
/// its size in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub size: u64,
}

/// A package source, listed and ready to read.
pub enum Source {
    Dir {
        root: PathBuf,
    },
    Zip {
        archive: Box<zip::ZipArchive<Cursor<Vec<u8>>>>,
        /// Package path to the archive's entry index.
        index: HashMap<String, usize>,
        label: String,
    },
}

impl Source {
    /// Opens `path` (a directory, or a `.zip` / `.ma` file) and lists its files. Problems that
    /// make the source unusable are errors in `diags`, and `None` comes back.
    pub fn open(path: &Path, limits: &Limits, diags: &mut Diagnostics) -> Option<(Source, Vec<Entry>)> {
        let label = path.display().to_string();
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => {
                diags.push(Diagnostic::error(label, format!("cannot open the package: {}", io_reason(&e))));
                return None;
            }
        };
        if meta.is_dir() {
            let root = path.to_path_buf();
            let entries = list_dir(&root, diags);
            return Some((Source::Dir { root }, entries));
        }
        // The zip itself cannot sensibly be bigger than what Capsule reads of a package (the
        // upload limits are checked on what it holds, once listed).
        let ceiling = limits.max_read.saturating_add(limits.max_read / 4);
        if meta.len() > ceiling {
            diags.push(Diagnostic::error(
                label,
                format!(
                    "the zip file is {}, more than the {} Capsule reads of a package",
                    format_size(meta.len()),
                    format_size(limits.max_read)
                ),
            ));
            return None;
        }
        if !meta.is_file() {
            diags.push(Diagnostic::error(label, "not a folder or a regular file"));
            return None;
        }
        let read = fs::File::open(path).and_then(|f| {
            let mut bytes = Vec::new();
            f.take(ceiling + 1).read_to_end(&mut bytes).map(|_| bytes)
        });
        let bytes = match read {
            Ok(bytes) if bytes.len() as u64 > ceiling => {
                diags.push(Diagnostic::error(label, "the zip file grew while it was read"));
                return None;
            }
            Ok(bytes) => bytes,
            Err(e) => {
                diags.push(Diagnostic::error(label, format!("cannot read the package: {}", io_reason(&e))));
                return None;
            }
        };
        let OpenedZip { archive, index, entries } = open_zip(bytes, &label, limits, diags)?;
        Some((Source::Zip { archive: Box::new(archive), index, label }, entries))
    }

    /// Reads one listed file. `size` is the listed size: a zip entry that inflates past it is
    /// refused (its header lied).
    pub fn read(&mut self, entry: &Entry) -> Result<Vec<u8>, String> {
        match self {
            Source::Dir { root } => {
                let mut file = fs::File::open(root.join(&entry.path)).map_err(|e| io_reason(&e))?;
                let mut bytes = Vec::with_capacity(entry.size as usize);
                // The file may have grown since it was listed; never read past the listing.
                (&mut file).take(entry.size).read_to_end(&mut bytes).map_err(|e| io_reason(&e))?;
                Ok(bytes)
            }
            Source::Zip { archive, index, .. } => {
                let at = *index.get(&entry.path).ok_or("not in the zip")?;
                let mut file = archive.by_index(at).map_err(|e| e.to_string())?;
                let mut bytes = Vec::with_capacity(entry.size as usize);
                (&mut file)
                    .take(entry.size + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| format!("cannot inflate: {e}"))?;
                let got = bytes.len() as u64;
                if got > entry.size {
                    return Err(format!(
                        "inflates past the {} bytes its header declares; the zip is corrupt or hostile",
                        entry.size
                    ));
                }
                if got < entry.size {
                    return Err(format!("inflates to {got} bytes but its header declares {}", entry.size));
                }
                Ok(bytes)
            }
        }
    }

    /// The path shown in diagnostics about the source as a whole.
    pub fn label(&self) -> String {
        match self {
            Source::Dir { root } => root.display().to_string(),
            Source::Zip { label, .. } => label.clone(),
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// How many parts a package path may have (folders and the file name): far past any real
/// package, and low enough that a path stays well inside what every file system accepts. A
/// folder tree deeper than this is an error at the folder where the walk stopped; a zip entry
/// deeper than this is refused.
pub const MAX_DEPTH: usize = 128;

/// What makes a folder the same as one already walked: its device and inode (a link may
/// reach it under another name), found without resolving the path again.
#[cfg(unix)]
fn folder_identity(meta: &fs::Metadata, _: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn folder_identity(_: &fs::Metadata, full: &Path) -> Option<PathBuf> {
    full.canonicalize().ok()
}

/// Lists a directory tree. Dotfiles and `node_modules` are never part of a package, so they
/// are not even walked. A link is followed only when it stays inside the package.
///
/// The walk costs a constant per entry: each folder is known by its identity (device and
/// inode) rather than by resolving its path again, which cost a system call per level for
/// every folder (a folder 1,500 levels deep took 40 s); entries are examined through their
/// folder's handle; and nesting stops at [`MAX_DEPTH`].
fn list_dir(root: &Path, diags: &mut Diagnostics) -> Vec<Entry> {
    let canonical_root = match root.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            diags.push(Diagnostic::error(root.display().to_string(), io_reason(&e)));
            return Vec::new();
        }
    };
    let mut entries = Vec::new();
    // Each folder to walk: its package path and how many parts that path has.
    let mut stack = vec![(String::new(), 0usize)];
    let mut seen_dirs = HashSet::new();
    if let Some(id) = fs::metadata(root).ok().and_then(|m| folder_identity(&m, root)) {
        seen_dirs.insert(id);
    }
    while let Some((dir, depth)) = stack.pop() {
        let full = root.join(&dir);
        let read = match fs::read_dir(&full) {
            Ok(read) => read,
            Err(e) => {
                diags.push(Diagnostic::error(
                    dir.clone(),
                    format!("cannot list the folder: {}", io_reason(&e)),
                ));
                continue;
            }
        };
        for item in read.flatten() {
            let Some(name) = item.file_name().to_str().map(str::to_string) else {
                diags.push(Diagnostic::warning(
                    dir.clone(),
                    format!("skipped {:?}: its name is not valid UTF-8", item.file_name()),
                ));
                continue;
            };
            if is_never_packed(&name) {
                continue;
            }
            let path = if dir.is_empty() { name } else { format!("{dir}/{name}") };
            let Ok(file_type) = item.file_type() else { continue };
            let meta = if file_type.is_symlink() {
                match item.path().canonicalize() {
                    Ok(target) if target.starts_with(&canonical_root) => fs::metadata(&target).ok(),
                    Ok(_) => {
                        diags.push(
                            Diagnostic::error(path, "the link points outside the package")
                                .with_hint("copy the file into the package instead of linking to it"),
                        );
                        continue;
                    }
                    Err(_) => {
                        diags.push(Diagnostic::warning(path, "skipped a broken link"));
                        continue;
                    }
                }
            } else {
                item.metadata().ok()
            };
            let Some(meta) = meta else { continue };
            if meta.is_dir() {
                // A link back up the tree would make the walk endless.
                let Some(id) = folder_identity(&meta, &item.path()) else { continue };
                if !seen_dirs.insert(id) {
                    continue;
                }
                // Its files would have `depth + 2` parts.
                if depth + 2 > MAX_DEPTH {
                    diags.push(
                        Diagnostic::error(
                            dir.clone(),
                            format!(
                                "folders nest more than {} levels deep here; a package path may have at most {MAX_DEPTH} parts",
                                MAX_DEPTH - 1
                            ),
                        )
                        .with_hint("flatten the folder structure"),
                    );
                    continue;
                }
                stack.push((path, depth + 1));
            } else if meta.is_file() {
                entries.push(Entry { path, size: meta.len() });
            }
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
}

/// Dotfiles (`.git`, `.DS_Store`, `.eslintrc`) and `node_modules` are development files, never
/// part of a package.
pub fn is_never_packed(component: &str) -> bool {
    component.starts_with('.') || component == "node_modules"
}

/// Normalises a zip entry name to a package path, refusing names that would land outside the
/// package when extracted.
pub fn normalize_zip_name(raw: &str) -> Result<String, &'static str> {
    if raw.starts_with('/') || raw.starts_with('\\') {
        return Err("is an absolute path");
    }
    let bytes = raw.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err("is an absolute path (a drive letter)");
    }
    if raw.contains('\0') {
        return Err("contains a NUL character");
    }
    let mut parts = Vec::new();
    for part in raw.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err("has a `..` component that leaves the package"),
            _ => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;

/// Walks the central directory by hand. The zip crate keeps one entry per name, silently
/// dropping duplicates, so counting and duplicate detection need the raw records.
fn raw_central_names(bytes: &[u8], start: u64) -> Result<Vec<Vec<u8>>, &'static str> {
    let mut names = Vec::new();
    let mut pos = usize::try_from(start).map_err(|_| "central directory out of range")?;
    let u16_at = |p: usize| bytes.get(p..p + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    while let Some(sig) = bytes.get(pos..pos + 4) {
        if u32::from_le_bytes([sig[0], sig[1], sig[2], sig[3]]) != CENTRAL_HEADER_SIGNATURE {
            break;
        }
        let (Some(name_len), Some(extra_len), Some(comment_len)) =
            (u16_at(pos + 28), u16_at(pos + 30), u16_at(pos + 32))
        else {
            return Err("truncated central directory");
        };
        let name = bytes.get(pos + 46..pos + 46 + name_len).ok_or("truncated central directory")?;
        names.push(name.to_vec());
        pos += 46 + name_len + extra_len + comment_len;
    }
    Ok(names)
}

/// A zip whose listing passed every check.
struct OpenedZip {
    archive: zip::ZipArchive<Cursor<Vec<u8>>>,
    index: HashMap<String, usize>,
    entries: Vec<Entry>,
}

fn open_zip(bytes: Vec<u8>, label: &str, limits: &Limits, diags: &mut Diagnostics) -> Option<OpenedZip> {
    let zip_len = bytes.len() as u64;
    let error = |message: String| Diagnostic::error(label.to_string(), message);
    let open = |bytes: Vec<u8>| zip::ZipArchive::new(Cursor::new(bytes));
    let archive = match open(bytes) {
        Ok(a) => a,
        Err(e) => {
            diags.push(error(format!("not a readable zip file: {e}")));
            return None;
        }
    };
    let central_start = archive.central_directory_start();
    let bytes = archive.into_inner().into_inner();
    let raw_names = match raw_central_names(&bytes, central_start) {
        Ok(names) => names,
        Err(reason) => {
            diags.push(error(format!("not a readable zip file: {reason}")));
            return None;
        }
    };
    // Parsing again is cheap next to inflating, and keeps the archive owning its bytes.
    let Ok(mut archive) = open(bytes) else { return None };
    if raw_names.len() > limits.max_entries {
        diags.push(error(format!(
            "the zip has {} entries, more than the limit of {}",
            raw_names.len(),
            limits.max_entries
        )));
        return None;
    }
    let errors_before = diags.errors().count();
    let mut seen = HashSet::new();
    for raw in &raw_names {
        let name = String::from_utf8_lossy(raw).into_owned();
        if !seen.insert(raw.clone()) {
            diags.push(
                error(format!("the zip holds `{name}` more than once"))
                    .with_hint("a zip with duplicate names can unpack differently in different tools"),
            );
        }
    }

    // The zip crate keys entries by their decoded name (UTF-8 flag, CP437, the Unicode path
    // field), keeping one of each: names that differ as bytes can still collide.
    if seen.len() == raw_names.len() && archive.len() != raw_names.len() {
        diags.push(error(format!(
            "the zip holds {} entries but only {} distinct names once decoded; two entries claim the same name",
            raw_names.len(),
            archive.len()
        )));
    }
    let mut entries = Vec::new();
    let mut normalized = HashMap::new();
    let mut total_uncompressed: u64 = 0;
    for index in 0..archive.len() {
        let file = match archive.by_index_raw(index) {
            Ok(f) => f,
            Err(e) => {
                diags.push(error(format!("entry {index} cannot be read: {e}")));
                continue;
            }
        };
        let raw = file.name().to_string();
        let entry_error = |message: String| error(format!("zip entry `{raw}` {message}"));
        let path = match normalize_zip_name(&raw) {
            Ok(p) => p,
            Err(reason) => {
                diags.push(entry_error(reason.to_string()));
                continue;
            }
        };
        if file.is_symlink() {
            diags.push(entry_error("is a symbolic link; packages may not contain links".to_string()));
            continue;
        }
        if file.is_dir() {
            continue;
        }
        if file.encrypted() {
            diags.push(entry_error("is encrypted".to_string()));
            continue;
        }
        if path.is_empty() {
            diags.push(entry_error("has an empty name".to_string()));
            continue;
        }
        if path.split('/').count() > MAX_DEPTH {
            diags.push(entry_error(format!(
                "nests more than {} levels deep; a package path may have at most {MAX_DEPTH} parts",
                MAX_DEPTH - 1
            )));
            continue;
        }
        if normalized.insert(path.clone(), index).is_some() {
            diags.push(entry_error(format!("names `{path}`, which another entry already names")));
            continue;
        }
        let (size, compressed) = (file.size(), file.compressed_size());
        if size > compressed.max(1).saturating_mul(limits.max_compression_ratio) {
            diags.push(entry_error(format!(
                "inflates from {} to {}, a compression ratio over {}:1 (a zip bomb?)",
                format_size(compressed),
                format_size(size),
                limits.max_compression_ratio
            )));
            continue;
        }
        total_uncompressed = total_uncompressed.saturating_add(size);
        entries.push(Entry { path, size });
    }
    if total_uncompressed > zip_len.max(1).saturating_mul(limits.max_compression_ratio) {
        diags.push(error(format!(
            "the zip inflates from {} to {}, a compression ratio over {}:1 (a zip bomb?)",
            format_size(zip_len),
            format_size(total_uncompressed),
            limits.max_compression_ratio
        )));
    }
    if diags.errors().count() > errors_before {
        return None;
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Some(OpenedZip { archive, index: normalized, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_names_normalise_or_are_refused() {
        assert_eq!(normalize_zip_name("pages/index/index.js"), Ok("pages/index/index.js".into()));
        assert_eq!(normalize_zip_name("./pages//a.js"), Ok("pages/a.js".into()));
        assert_eq!(normalize_zip_name("pages\\a.js"), Ok("pages/a.js".into()));
        assert_eq!(normalize_zip_name("/etc/passwd"), Err("is an absolute path"));
        assert_eq!(normalize_zip_name("\\evil"), Err("is an absolute path"));
        assert_eq!(normalize_zip_name("C:/evil"), Err("is an absolute path (a drive letter)"));
        assert_eq!(normalize_zip_name("a/../../evil"), Err("has a `..` component that leaves the package"));
        assert_eq!(normalize_zip_name("a\\..\\evil"), Err("has a `..` component that leaves the package"));
    }

    #[test]
    fn never_packed_names() {
        assert!(is_never_packed(".git"));
        assert!(is_never_packed(".DS_Store"));
        assert!(is_never_packed("node_modules"));
        assert!(!is_never_packed("miniprogram_npm"));
    }
}
