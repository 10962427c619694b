//! Reading a library's files out of an npm tarball or a folder, as hostile input: the same
//! checks as a package zip (`capsule_package::source`). Every name is normalised and refused
//! if absolute or climbing out; links, devices and duplicates are refused; the entry count,
//! the bytes unpacked and the compression ratio are capped, the caps checked as the bytes
//! come (a gzip stream is one stream: its ratio is the whole tarball's).

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use capsule_package::source::{MAX_DEPTH, Source, normalize_zip_name};
use capsule_package::{Diagnostics, Files, Limits, format_size};

/// What one library may unpack to: the published weui is 1.1 MiB in 98 files.
pub const MAX_UNPACKED: u64 = 64 * 1024 * 1024;
/// Entries in a tarball or files in a folder.
pub const MAX_ENTRIES: usize = 10_000;
/// Unpacked to compressed bytes.
pub const MAX_RATIO: u64 = 100;

/// The folder of an npm package that holds what a mini-program uses.
pub const DIST: &str = "miniprogram_dist";

/// What an npm tarball holds: `package.json` and the files under `miniprogram_dist/`
/// (relative to it). npm puts every file under one top folder (`package/`), stripped here as
/// npm strips it.
pub struct Unpacked {
    pub package_json: Option<Vec<u8>>,
    pub dist: Files,
}

/// Unpacks a `.tgz` in memory. Any entry that is not a plain file or folder, or whose name
/// would land outside, refuses the whole tarball: its name is in the error.
pub fn unpack_tgz(tgz: &[u8]) -> Result<Unpacked, String> {
    let ceiling = MAX_UNPACKED.min((tgz.len() as u64).saturating_mul(MAX_RATIO));
    let gunzip = Capped { inner: flate2::read::GzDecoder::new(tgz), left: ceiling };
    let mut archive = tar::Archive::new(gunzip);
    let mut unpacked = Unpacked { package_json: None, dist: Files::default() };
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let entries = archive.entries().map_err(|e| format!("not a tarball: {e}"))?;
    for (count, entry) in entries.enumerate() {
        if count >= MAX_ENTRIES {
            return Err(format!("more than {MAX_ENTRIES} entries"));
        }
        let mut entry = entry.map_err(|e| read_error(&e, ceiling))?;
        let raw = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|_| "an entry's name is not valid UTF-8".to_string())?;
        let kind = entry.header().entry_type();
        let path = normalize_zip_name(&raw).map_err(|why| format!("entry `{raw}` {why}"))?;
        if path.split('/').count() > MAX_DEPTH {
            return Err(format!("entry `{raw}` is more than {MAX_DEPTH} folders deep"));
        }
        if kind.is_dir() || kind.is_pax_global_extensions() {
            continue;
        }
        if !kind.is_file() {
            return Err(format!("entry `{raw}` is a {}, not a file; links are refused", kind_name(kind)));
        }
        if !seen.insert(path.clone()) {
            return Err(format!("entry `{raw}` appears twice"));
        }
        let size = entry.size();
        total = total.saturating_add(size);
        if total > ceiling {
            return Err(too_big(ceiling));
        }
        let mut bytes = Vec::with_capacity(size.min(1 << 20) as usize);
        (&mut entry).take(size).read_to_end(&mut bytes).map_err(|e| read_error(&e, ceiling))?;
        if bytes.len() as u64 != size {
            return Err(format!("entry `{raw}` is cut short"));
        }
        // `package/miniprogram_dist/dialog/dialog.js` → `dialog/dialog.js`.
        let Some((_, inside)) = path.split_once('/') else { continue };
        if inside == "package.json" {
            unpacked.package_json = Some(bytes);
        } else if let Some(file) = inside.strip_prefix(DIST).and_then(|rest| rest.strip_prefix('/')) {
            unpacked.dist.insert(file, bytes);
        }
    }
    Ok(unpacked)
}

/// A reader that fails once it has given `left` bytes and is asked for more.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // Only a stream with more to give is over the ceiling.
            return match self.inner.read(&mut [0u8])? {
                0 => Ok(0),
                _ => Err(std::io::ErrorKind::FileTooLarge.into()),
            };
        }
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..want])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// Why reading the decompressed stream stopped: past the ceiling, or damaged.
fn read_error(e: &std::io::Error, ceiling: u64) -> String {
    if e.kind() == std::io::ErrorKind::FileTooLarge { too_big(ceiling) } else { format!("damaged: {e}") }
}

fn too_big(ceiling: u64) -> String {
    format!(
        "unpacks to more than {} (at most {} or {MAX_RATIO} times the tarball's size)",
        format_size(ceiling),
        format_size(MAX_UNPACKED)
    )
}

fn kind_name(kind: tar::EntryType) -> &'static str {
    match kind {
        tar::EntryType::Symlink => "symbolic link",
        tar::EntryType::Link => "hard link",
        tar::EntryType::Char | tar::EntryType::Block => "device",
        tar::EntryType::Fifo => "fifo",
        _ => "special entry",
    }
}

/// Reads a folder's files: links only when they stay inside it, dotfiles skipped, the same
/// entry and size caps as a tarball.
pub fn read_folder(dir: &Path) -> Result<Files, String> {
    let mut diags = Diagnostics::default();
    let (mut source, entries) =
        Source::open(dir, &Limits::default(), &mut diags).ok_or_else(|| first_error(&diags))?;
    if diags.has_errors() {
        return Err(first_error(&diags));
    }
    if entries.len() > MAX_ENTRIES {
        return Err(format!("more than {MAX_ENTRIES} files"));
    }
    let total: u64 = entries.iter().map(|e| e.size).sum();
    if total > MAX_UNPACKED {
        return Err(format!(
            "holds {}, more than the {} a library may",
            format_size(total),
            format_size(MAX_UNPACKED)
        ));
    }
    let mut files = Files::default();
    for entry in &entries {
        let bytes = source.read(entry).map_err(|why| format!("{}: {why}", entry.path))?;
        files.insert(entry.path.clone(), bytes);
    }
    Ok(files)
}

fn first_error(diags: &Diagnostics) -> String {
    diags.errors().next().map_or_else(|| "cannot be read".to_string(), |d| d.to_string())
}
