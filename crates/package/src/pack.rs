//! Writing a package as a deterministic zip: entries sorted by path, every timestamp the zip
//! epoch (1980-01-01 00:00), fixed permissions and compression, no extra fields. The same
//! files always give the same bytes, so a package's digest means something.

use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::Package;

/// What a pack wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackReport {
    pub files: usize,
    /// Bytes of the files before compression.
    pub input_bytes: u64,
    /// Bytes of the zip.
    pub output_bytes: u64,
}

/// Writes `package` to `out` as a zip. `progress` is called after each file with the bytes
/// done and the bytes in all. The zip is written to a temporary file beside `out` and renamed
/// over it, so a failed pack never leaves half a zip.
///
/// The zip keeps the project's layout: `project.config.json` (and its private twin) at the
/// root, as they name the app id and `miniprogramRoot`, and the packed files under the mini-program root, so loading the zip
/// gives the same package as loading the folder.
pub fn pack(
    package: &Package,
    out: &Path,
    mut progress: impl FnMut(u64, u64),
) -> std::io::Result<PackReport> {
    let bytes = pack_to_bytes(package, &mut progress).map_err(std::io::Error::other)?;
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "package".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(&bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, out)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let packed = package.own_files().filter(|(path, _)| package.generated(path).is_none());
    let (files, input_bytes) =
        packed.fold((0, 0), |(n, size), (_, bytes)| (n + 1, size + bytes.len() as u64));
    Ok(PackReport { files, input_bytes, output_bytes: bytes.len() as u64 })
}

/// The zip's bytes, in memory.
pub fn pack_to_bytes(
    package: &Package,
    progress: &mut impl FnMut(u64, u64),
) -> zip::result::ZipResult<Vec<u8>> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let root = &package.miniprogram_root;
    let mut entries: Vec<(String, &[u8])> = package
        .own_files()
        // What a compiler plugin made is made again from its source when the zip is loaded.
        .filter(|(path, _)| package.generated(path).is_none())
        .map(|(path, bytes)| {
            (if root.is_empty() { path.to_string() } else { format!("{root}/{path}") }, bytes)
        })
        .collect();
    for (name, config) in package.project_configs() {
        entries.push((name.to_string(), config));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let total: u64 = entries.iter().map(|(_, b)| b.len() as u64).sum();
    let mut done = 0;
    for (path, bytes) in entries {
        zip.start_file(path, options)?;
        zip.write_all(bytes)?;
        done += bytes.len() as u64;
        progress(done, total);
    }
    Ok(zip.finish()?.into_inner())
}
