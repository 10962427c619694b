//! Each app's own files: `wx.env.USER_DATA_PATH` (`wxfile://usr`), temporary files from
//! downloads (`wxfile://tmp_…`) and saved files (`wxfile://store_…`), all under the app's
//! folder in the host's data directory, and the file system manager's operations on them.
//!
//! Every path is checked after normalisation: `..` may not climb out of its area, and no
//! part of a path may be a link, so nothing outside the app's folder can be reached. What
//! the files hold counts against the app's file quota.
//!
//! The quota is checked against a running count of the bytes an app's files hold (each file
//! and folder also costing [`ENTRY_COST`]; the area folders themselves are the host's and
//! cost nothing, so the count never depends on which areas happen to exist yet): the areas
//! are walked once, on first use, and every change the file APIs make then updates the count
//! (a write by the size it adds or replaces, an unlink, a rename over a file, a copy, a new or
//! removed folder), so a write costs the same whatever the app already holds. What the count
//! cannot follow makes it untrusted, and the next check walks again: a partly failed
//! recursive removal, an area folder that vanished, and a download (which writes on the
//! network's thread; see [`AppFiles::recount`]).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use base64::Engine;
use serde_json::{Value, json};

use crate::{Api, App, Bridge, Call, Type, optional, required};

/// The platform's limit on an app's local files.
pub const DEFAULT_QUOTA: u64 = 200 * 1024 * 1024;

/// What a file or folder costs against the quota besides its bytes.
pub const ENTRY_COST: u64 = 512;

/// Where `wx.env.USER_DATA_PATH` points.
pub const USER_DATA_PATH: &str = "wxfile://usr";

/// Bytes as they cross the JSON boundary: `{"__capsuleBytes": "<base64>"}` (an ArrayBuffer
/// on the script's side).
pub fn bytes_value(bytes: &[u8]) -> Value {
    json!({"__capsuleBytes": base64::engine::general_purpose::STANDARD.encode(bytes)})
}

/// The bytes of a `{"__capsuleBytes": …}` value.
pub fn bytes_of(v: &Value) -> Option<Vec<u8>> {
    let b64 = v.get("__capsuleBytes")?.as_str()?;
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// One app's file area.
pub struct AppFiles {
    root: PathBuf,
    quota: u64,
    account: std::sync::Arc<Mutex<Account>>,
}

/// An app's running count of what its files hold.
#[derive(Default)]
pub(crate) struct Account {
    /// `None` until walked, and again when it can no longer be trusted.
    bytes: Option<u64>,
    /// How many times the folder was walked to count it.
    walks: u64,
}

/// What `meta` costs against the quota, for an entry whose size alone tells it (a file, or
/// an empty folder); links and other kinds cost nothing, as the walk counts them.
fn cost_of(meta: &fs::Metadata) -> u64 {
    if meta.is_file() {
        ENTRY_COST + meta.len()
    } else if meta.is_dir() {
        ENTRY_COST
    } else {
        0
    }
}

/// What the entry at `real` costs now, if it is a file (an absent one costs nothing).
fn file_cost(real: &Path) -> u64 {
    fs::symlink_metadata(real).map_or(0, |m| if m.is_file() { cost_of(&m) } else { 0 })
}

/// The areas under an app's folder: `wxfile://usr`, `wxfile://tmp_…`, `wxfile://store_…`.
const AREAS: [&str; 3] = ["usr", "tmp", "store"];

/// Bytes the areas' contents cost; the area folders themselves cost nothing.
fn walk_areas(root: &Path) -> u64 {
    AREAS.iter().map(|area| walk(&root.join(area))).sum()
}

/// Bytes a folder's contents cost, walked without recursion (a folder may nest deep).
fn walk(root: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => {
                    total += ENTRY_COST;
                    stack.push(e.path());
                }
                Ok(t) if t.is_file() => total += ENTRY_COST + e.metadata().map_or(0, |m| m.len()),
                _ => {}
            }
        }
    }
    total
}

/// Why a path was refused, worded as the platform words it (`… , open <path>`).
fn no_such(op: &str, path: &str) -> String {
    format!("no such file or directory, {op} {path}")
}

fn denied(op: &str, path: &str) -> String {
    format!("permission denied, {op} {path}")
}

impl AppFiles {
    pub fn of(bridge: &Bridge, app: &App) -> AppFiles {
        let root = bridge.options.data_dir.join(crate::safe_name(&app.id)).join("files");
        let account = bridge
            .file_accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(app.id.clone())
            .or_default()
            .clone();
        AppFiles { root, quota: bridge.options.file_quota.unwrap_or(DEFAULT_QUOTA), account }
    }

    /// The real path of `path`, refusing anything outside the app's areas, `..` that would
    /// climb out, and links anywhere along the way. `op` words the error.
    pub fn resolve(&self, path: &str, op: &str) -> Result<PathBuf, String> {
        let (area, rest) = if let Some(rest) = path.strip_prefix(USER_DATA_PATH) {
            if !(rest.is_empty() || rest.starts_with('/')) {
                return Err(denied(op, path));
            }
            ("usr", rest)
        } else if let Some(name) = path.strip_prefix("wxfile://tmp_") {
            ("tmp", name)
        } else if let Some(name) = path.strip_prefix("wxfile://store_") {
            ("store", name)
        } else {
            return Err(denied(op, path));
        };
        let mut parts: Vec<&str> = Vec::new();
        for part in rest.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(denied(op, path));
                    }
                }
                p if p.contains(['\\', '\0']) => return Err(denied(op, path)),
                p => parts.push(p),
            }
        }
        if area != "usr" && parts.len() != 1 {
            return Err(denied(op, path));
        }
        let base = self.root.join(area);
        if !base.is_dir() {
            fs::create_dir_all(&base).map_err(|e| format!("cannot prepare the app's files: {e}"))?;
            // The area folder costs nothing, but one that vanished took its contents with it.
            self.recount();
        }
        let mut real = base;
        for p in parts {
            real.push(p);
            if fs::symlink_metadata(&real).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(denied(op, path));
            }
        }
        Ok(real)
    }

    /// A new temporary file's path: `wxfile://tmp_<random>.<ext>` and where it lives.
    pub fn temp_path(&self, extension: &str) -> Result<(String, PathBuf), String> {
        let name = format!("{:016x}{}", random_u64(), extension_suffix(extension));
        let virt = format!("wxfile://tmp_{name}");
        let real = self.resolve(&virt, "open")?;
        Ok((virt, real))
    }

    fn account(&self) -> std::sync::MutexGuard<'_, Account> {
        self.account.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The count in `account`, walking the folder if it is not known.
    fn counted(&self, account: &mut Account) -> u64 {
        if let Some(bytes) = account.bytes {
            return bytes;
        }
        let bytes = walk_areas(&self.root);
        account.walks += 1;
        account.bytes = Some(bytes);
        bytes
    }

    /// Bytes the app's files hold now, each file and folder also costing [`ENTRY_COST`] (so
    /// empty files cannot exhaust the disk's entries for free; the area folders cost
    /// nothing): the running count, walked only when not known.
    pub fn usage(&self) -> u64 {
        let mut account = self.account();
        self.counted(&mut account)
    }

    /// What [`AppFiles::usage`] should be, counted now by walking the folder (for checks).
    pub fn walked_usage(&self) -> u64 {
        walk_areas(&self.root)
    }

    /// How many times the app's folder has been walked to count it.
    pub fn walks(&self) -> u64 {
        self.account().walks
    }

    /// Forgets the running count, so the next check walks the folder: for a change made
    /// outside these APIs (a download, which should call this once it has written its file).
    pub fn recount(&self) {
        self.account().bytes = None;
    }

    /// Changes the count by what an operation did: `gone` bytes went, `added` came.
    fn changed(&self, added: u64, gone: u64) {
        let mut account = self.account();
        if let Some(bytes) = account.bytes {
            // Going below zero means the count was wrong: walk next time.
            account.bytes = (bytes + added).checked_sub(gone);
        }
    }

    /// Refuses a change that would take the app past its quota (`adding` bytes more, in
    /// place of `replacing` bytes that go), and otherwise counts it as done. If the change
    /// then turns out otherwise, [`AppFiles::changed`] corrects the count.
    fn reserve(&self, adding: u64, replacing: u64) -> Result<(), String> {
        let mut account = self.account();
        let used = self.counted(&mut account).saturating_sub(replacing);
        if used + adding > self.quota {
            return Err("the maximum size of the file storage limit is exceeded".into());
        }
        account.bytes = Some(used + adding);
        Ok(())
    }

    /// Reserves what writing `len` bytes to the file `real` (replacing it, or appending)
    /// costs, runs `op`, then corrects the count by what the file costs afterwards.
    fn write_counted<T>(
        &self,
        real: &Path,
        len: u64,
        append: bool,
        op: impl FnOnce() -> Result<T, String>,
    ) -> Result<T, String> {
        let before = file_cost(real);
        let expected = if append { before + len } else { ENTRY_COST + len };
        self.reserve(expected, before)?;
        let result = op();
        let after = file_cost(real);
        if after != expected {
            self.changed(after, expected);
        }
        result
    }

    /// Whether `real` is the folder of one of the areas (`wxfile://usr` itself), which may
    /// not be removed or renamed.
    pub fn is_area_root(&self, real: &Path) -> bool {
        AREAS.iter().any(|a| real == self.root.join(a))
    }

    /// Bytes the app may still write, given `used`. A download asks this before it writes
    /// where the count cannot follow, so the count is walked again at the next check.
    pub fn quota_left(&self, used: u64) -> u64 {
        self.recount();
        self.quota.saturating_sub(used)
    }

    /// Refuses a write that would take the app past its quota: `adding` bytes more, in
    /// place of `replacing` bytes that go. Checks only; the file APIs count what they do.
    pub fn check_quota(&self, adding: u64, replacing: u64) -> Result<(), String> {
        if self.usage().saturating_sub(replacing) + adding > self.quota {
            return Err("the maximum size of the file storage limit is exceeded".into());
        }
        Ok(())
    }

    /// Writes `bytes` as the new file `real`, counted against the quota.
    pub(crate) fn write_new(&self, real: &Path, bytes: &[u8]) -> Result<(), String> {
        self.write_counted(real, bytes.len() as u64, false, || {
            fs::write(real, bytes).map_err(|e| format!("cannot keep the file: {e}"))
        })
    }

    /// Renames `from` to `to`, counting what a replaced file or empty folder at `to` cost.
    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        let replaced = match (fs::symlink_metadata(from), fs::symlink_metadata(to)) {
            // The same entry under two names: nothing is replaced.
            (Ok(a), Ok(b)) if same_entry(&a, &b) => 0,
            (_, Ok(b)) => cost_of(&b),
            _ => 0,
        };
        fs::rename(from, to)?;
        self.changed(0, replaced);
        Ok(())
    }

    /// Removes the file `real`, counting what it cost.
    fn remove_file(&self, real: &Path) -> std::io::Result<()> {
        let cost = file_cost(real);
        fs::remove_file(real)?;
        self.changed(0, cost);
        Ok(())
    }

    /// The virtual path of a real file in the areas (for listings).
    fn virtual_of(&self, real: &Path) -> Option<String> {
        let rel = real.strip_prefix(&self.root).ok()?;
        let mut parts = rel.iter().map(|p| p.to_string_lossy().into_owned());
        let area = parts.next()?;
        let rest: Vec<String> = parts.collect();
        match area.as_str() {
            "usr" => Some(format!("{USER_DATA_PATH}/{}", rest.join("/"))),
            "tmp" => Some(format!("wxfile://tmp_{}", rest.join("/"))),
            "store" => Some(format!("wxfile://store_{}", rest.join("/"))),
            _ => None,
        }
    }
}

/// Whether two entries are the same one (a rename onto itself replaces nothing).
#[cfg(unix)]
fn same_entry(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_entry(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    false
}

fn extension_suffix(ext: &str) -> String {
    let ext: String = ext.chars().filter(|c| c.is_ascii_alphanumeric()).take(8).collect();
    if ext.is_empty() { String::new() } else { format!(".{ext}") }
}

/// Enough randomness for temp names: the clock and a counter through SHA-256.
pub(crate) fn random_u64() -> u64 {
    use sha2::Digest;
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let digest = sha2::Sha256::digest(format!("{t}-{n}-{}", std::process::id()));
    u64::from_le_bytes(digest[..8].try_into().expect("eight bytes"))
}

/// Text in one of the platform's encodings → bytes.
fn encode(text: &str, encoding: &str) -> Result<Vec<u8>, String> {
    match encoding {
        "utf8" | "utf-8" | "" => Ok(text.as_bytes().to_vec()),
        "ascii" | "latin1" | "binary" => Ok(text.chars().map(|c| c as u32 as u8).collect()),
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| "invalid base64 data".to_string()),
        "hex" => (0..text.len() / 2)
            .map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| "invalid hex data".to_string()),
        other => Err(format!("invalid encoding \"{other}\"")),
    }
}

/// Bytes → text in one of the platform's encodings, or an ArrayBuffer without one.
fn decode(bytes: &[u8], encoding: Option<&str>) -> Result<Value, String> {
    let Some(encoding) = encoding else { return Ok(bytes_value(bytes)) };
    Ok(Value::String(match encoding {
        "utf8" | "utf-8" => String::from_utf8_lossy(bytes).into_owned(),
        "ascii" => bytes.iter().map(|&b| (b & 0x7f) as char).collect(),
        "latin1" | "binary" => bytes.iter().map(|&b| b as char).collect(),
        "base64" => base64::engine::general_purpose::STANDARD.encode(bytes),
        "hex" => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        other => return Err(format!("invalid encoding \"{other}\"")),
    }))
}

/// The data of a write: an ArrayBuffer, or text in `encoding`.
fn data_bytes(c: &Call<'_>) -> Result<Vec<u8>, String> {
    let data = c.args.get("data").unwrap_or(&Value::Null);
    if let Some(bytes) = bytes_of(data) {
        return Ok(bytes);
    }
    match data {
        Value::String(s) => encode(s, c.args.get("encoding").and_then(Value::as_str).unwrap_or("utf8")),
        other => Err(format!(
            "parameter error: parameter.data should be String or ArrayBuffer instead of {}",
            Type::of(other)
        )),
    }
}

fn io_error(e: &std::io::Error, op: &str, path: &str) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => no_such(op, path),
        std::io::ErrorKind::PermissionDenied => denied(op, path),
        std::io::ErrorKind::AlreadyExists => format!("file already exists {path}"),
        _ => format!("{e}, {op} {path}"),
    }
}

fn stats(meta: &fs::Metadata) -> Value {
    let secs = |t: std::io::Result<std::time::SystemTime>| {
        t.ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs())
    };
    // The mode as `fs.Stats` reports it: the type bits and rw permissions.
    let mode = if meta.is_dir() { 0o040000 | 0o755 } else { 0o100000 | 0o644 };
    json!({"mode": mode, "size": if meta.is_dir() { 0 } else { meta.len() },
           "lastAccessedTime": secs(meta.accessed()), "lastModifiedTime": secs(meta.modified())})
}

fn write(c: &Call<'_>, append: bool) -> Result<Value, String> {
    let files = AppFiles::of(c.bridge, c.app);
    let path = c.str("filePath");
    let real = files.resolve(path, "open")?;
    let bytes = data_bytes(c)?;
    if real.is_dir() {
        return Err(format!("illegal operation on a directory, open {path}"));
    }
    if append && !real.is_file() {
        return Err(no_such("open", path));
    }
    files.write_counted(&real, bytes.len() as u64, append, || {
        if append {
            let mut file =
                fs::OpenOptions::new().append(true).open(&real).map_err(|e| io_error(&e, "open", path))?;
            return file.write_all(&bytes).map_err(|e| io_error(&e, "write", path));
        }
        replace_whole(&real, &bytes).map_err(|e| io_error(&e, "write", path))
    })?;
    Ok(json!({}))
}

/// Writes `bytes` as the whole of `real` by way of a file beside it renamed over it: whoever
/// reads it (the simulator serving it, the app) sees the old content or the new, never a
/// file cut short, and a write that fails keeps what was there.
fn replace_whole(real: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = real.with_file_name(format!(".{name}.capsule-{}-{n}", std::process::id()));
    let written =
        fs::File::create(&temp).and_then(|mut f| f.write_all(bytes)).and_then(|()| fs::rename(&temp, real));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// The file system manager's operations (`wx.getFileSystemManager()`), each with its Sync
/// variant, and the saved-file APIs on `wx`.
pub(crate) fn apis() -> Vec<Api> {
    use Type::*;
    let fs_api = |name: &str, params, f: fn(&Call<'_>) -> Result<Value, std::string::String>| {
        Api::new(&format!("fs.{name}"), params, f).in_group("fs")
    };
    vec![
        fs_api("access", vec![required("path", String)], |c| {
            let path = c.str("path");
            let real = AppFiles::of(c.bridge, c.app).resolve(path, "access")?;
            if real.exists() { Ok(json!({})) } else { Err(no_such("access", path)) }
        })
        .with_sync(&["path"], None),
        fs_api(
            "readFile",
            vec![
                required("filePath", String),
                optional("encoding", String),
                optional("position", Number),
                optional("length", Number),
            ],
            |c| {
                let path = c.str("filePath");
                let real = AppFiles::of(c.bridge, c.app).resolve(path, "open")?;
                let mut bytes = fs::read(&real).map_err(|e| io_error(&e, "open", path))?;
                let position = c.args.get("position").and_then(Value::as_u64).unwrap_or(0) as usize;
                if position > bytes.len() {
                    return Err("the value of \"position\" is out of range".into());
                }
                bytes.drain(..position);
                if let Some(length) = c.args.get("length").and_then(Value::as_u64) {
                    bytes.truncate(length as usize);
                }
                Ok(json!({"data": decode(&bytes, c.args.get("encoding").and_then(Value::as_str))?}))
            },
        )
        .with_sync(&["filePath", "encoding", "position", "length"], Some("data"))
        .heavy(),
        fs_api("writeFile", vec![required("filePath", String), optional("encoding", String)], |c| {
            write(c, false)
        })
        .with_sync(&["filePath", "data", "encoding"], None)
        .heavy(),
        fs_api("appendFile", vec![required("filePath", String), optional("encoding", String)], |c| {
            write(c, true)
        })
        .with_sync(&["filePath", "data", "encoding"], None)
        .heavy(),
        fs_api("copyFile", vec![required("srcPath", String), required("destPath", String)], |c| {
            let files = AppFiles::of(c.bridge, c.app);
            let (src, dest) = (c.str("srcPath"), c.str("destPath"));
            let from = files.resolve(src, "copyFile")?;
            let to = files.resolve(dest, "copyFile")?;
            let size = fs::metadata(&from).map_err(|e| io_error(&e, "copyFile", src))?.len();
            if from == to {
                return Ok(json!({}));
            }
            files.write_counted(&to, size, false, || {
                fs::copy(&from, &to).map_err(|e| io_error(&e, "copyFile", dest))
            })?;
            Ok(json!({}))
        })
        .with_sync(&["srcPath", "destPath"], None)
        .heavy(),
        fs_api("rename", vec![required("oldPath", String), required("newPath", String)], |c| {
            let files = AppFiles::of(c.bridge, c.app);
            let (old, new) = (c.str("oldPath"), c.str("newPath"));
            let from = files.resolve(old, "rename")?;
            let to = files.resolve(new, "rename")?;
            if files.is_area_root(&from) || files.is_area_root(&to) {
                return Err(denied("rename", old));
            }
            files.rename(&from, &to).map_err(|e| io_error(&e, "rename", old))?;
            Ok(json!({}))
        })
        .with_sync(&["oldPath", "newPath"], None),
        fs_api("unlink", vec![required("filePath", String)], |c| {
            let path = c.str("filePath");
            let files = AppFiles::of(c.bridge, c.app);
            let real = files.resolve(path, "unlink")?;
            if real.is_dir() {
                return Err(format!("operation not permitted, unlink {path}"));
            }
            files.remove_file(&real).map_err(|e| io_error(&e, "unlink", path))?;
            Ok(json!({}))
        })
        .with_sync(&["filePath"], None),
        fs_api("mkdir", vec![required("dirPath", String), optional("recursive", Boolean)], |c| {
            let path = c.str("dirPath");
            let files = AppFiles::of(c.bridge, c.app);
            let real = files.resolve(path, "mkdir")?;
            if real.exists() {
                return Err(format!("file already exists {path}"));
            }
            let recursive = c.args.get("recursive").and_then(Value::as_bool).unwrap_or(false);
            // Each folder made costs an entry.
            let missing =
                |p: &Path| p.ancestors().take_while(|a| fs::symlink_metadata(a).is_err()).count() as u64;
            let before = if recursive { missing(&real) } else { 1 };
            files.reserve(before * ENTRY_COST, 0)?;
            let made = if recursive { fs::create_dir_all(&real) } else { fs::create_dir(&real) };
            let after =
                if recursive { missing(&real) } else { u64::from(fs::symlink_metadata(&real).is_err()) };
            if after > 0 {
                files.changed(0, after * ENTRY_COST);
            }
            made.map_err(|e| io_error(&e, "mkdir", path))?;
            Ok(json!({}))
        })
        .with_sync(&["dirPath", "recursive"], None),
        fs_api("rmdir", vec![required("dirPath", String), optional("recursive", Boolean)], |c| {
            let path = c.str("dirPath");
            let files = AppFiles::of(c.bridge, c.app);
            let real = files.resolve(path, "rmdir")?;
            if files.is_area_root(&real) {
                return Err(denied("rmdir", path));
            }
            if !real.is_dir() {
                return Err(if real.exists() {
                    format!("not a directory {path}")
                } else {
                    no_such("rmdir", path)
                });
            }
            let recursive = c.args.get("recursive").and_then(Value::as_bool).unwrap_or(false);
            if recursive {
                let cost = ENTRY_COST + walk(&real);
                match fs::remove_dir_all(&real) {
                    Ok(()) => files.changed(0, cost),
                    Err(e) => {
                        // Partly removed: only a walk knows what is left.
                        files.recount();
                        return Err(io_error(&e, "rmdir", path));
                    }
                }
            } else if fs::read_dir(&real).map_err(|e| io_error(&e, "rmdir", path))?.next().is_some() {
                return Err("directory not empty".into());
            } else {
                fs::remove_dir(&real).map_err(|e| io_error(&e, "rmdir", path))?;
                files.changed(0, ENTRY_COST);
            }
            Ok(json!({}))
        })
        .with_sync(&["dirPath", "recursive"], None)
        .heavy(),
        fs_api("readdir", vec![required("dirPath", String)], |c| {
            let path = c.str("dirPath");
            let real = AppFiles::of(c.bridge, c.app).resolve(path, "readdir")?;
            if real.is_file() {
                return Err(format!("not a directory {path}"));
            }
            let mut names: Vec<std::string::String> = fs::read_dir(&real)
                .map_err(|e| io_error(&e, "readdir", path))?
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            Ok(json!({"files": names}))
        })
        .with_sync(&["dirPath"], Some("files"))
        .heavy(),
        fs_api("stat", vec![required("path", String), optional("recursive", Boolean)], |c| {
            let path = c.str("path");
            let files = AppFiles::of(c.bridge, c.app);
            let real = files.resolve(path, "stat")?;
            let meta = fs::metadata(&real).map_err(|e| io_error(&e, "stat", path))?;
            let recursive = c.args.get("recursive").and_then(Value::as_bool).unwrap_or(false);
            if !(recursive && meta.is_dir()) {
                return Ok(json!({"stats": stats(&meta)}));
            }
            // Recursive: every entry under the folder, by its path relative to it.
            let mut out = Vec::new();
            let mut stack = vec![(real.clone(), std::string::String::new())];
            out.push(json!({"path": "/", "stats": stats(&meta)}));
            while let Some((dir, rel)) = stack.pop() {
                for e in fs::read_dir(&dir).map_err(|e| io_error(&e, "stat", path))?.flatten() {
                    let Ok(m) = fs::symlink_metadata(e.path()) else { continue };
                    if m.file_type().is_symlink() {
                        continue;
                    }
                    let child = format!("{rel}/{}", e.file_name().to_string_lossy());
                    out.push(json!({"path": child, "stats": stats(&m)}));
                    if m.is_dir() {
                        stack.push((e.path(), child));
                    }
                }
            }
            Ok(json!({"stats": out}))
        })
        .with_sync(&["path", "recursive"], Some("stats"))
        .heavy(),
        fs_api("saveFile", vec![required("tempFilePath", String), optional("filePath", String)], save_file)
            .with_sync(&["tempFilePath", "filePath"], Some("savedFilePath")),
        fs_api("getSavedFileList", vec![], saved_files).heavy(),
        fs_api("removeSavedFile", vec![required("filePath", String)], remove_saved),
        Api::new("saveFile", vec![required("tempFilePath", String)], save_file),
        Api::new("getSavedFileList", vec![], saved_files).heavy(),
        Api::new("removeSavedFile", vec![required("filePath", String)], remove_saved),
        Api::new("getSavedFileInfo", vec![required("filePath", String)], |c| {
            let path = c.str("filePath");
            if !path.starts_with("wxfile://store_") {
                return Err(no_such("getSavedFileInfo", path));
            }
            let real = AppFiles::of(c.bridge, c.app).resolve(path, "getSavedFileInfo")?;
            let meta = fs::metadata(&real).map_err(|e| io_error(&e, "getSavedFileInfo", path))?;
            let created = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            Ok(json!({"size": meta.len(), "createTime": created}))
        }),
    ]
}

/// Moves a temporary file to the saved files (or to `filePath` in the user data folder).
fn save_file(c: &Call<'_>) -> Result<Value, String> {
    let files = AppFiles::of(c.bridge, c.app);
    let temp = c.str("tempFilePath");
    if !temp.starts_with("wxfile://tmp_") {
        return Err(format!("tempFilePath file not exist {temp}"));
    }
    let from = files.resolve(temp, "saveFile")?;
    if !from.is_file() {
        return Err(format!("tempFilePath file not exist {temp}"));
    }
    let target = match c.args.get("filePath").and_then(Value::as_str) {
        Some(p) => p.to_string(),
        None => {
            let ext = from.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
            format!("wxfile://store_{:016x}{}", random_u64(), extension_suffix(&ext))
        }
    };
    let to = files.resolve(&target, "saveFile")?;
    if files.is_area_root(&to) {
        return Err(denied("saveFile", &target));
    }
    files.rename(&from, &to).map_err(|e| io_error(&e, "saveFile", &target))?;
    Ok(json!({"savedFilePath": target}))
}

fn saved_files(c: &Call<'_>) -> Result<Value, String> {
    let files = AppFiles::of(c.bridge, c.app);
    let store = files.root.join("store");
    let mut list = Vec::new();
    for e in fs::read_dir(&store).into_iter().flatten().flatten() {
        let Ok(meta) = fs::symlink_metadata(e.path()) else { continue };
        if !meta.is_file() {
            continue;
        }
        let created =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs());
        if let Some(path) = files.virtual_of(&e.path()) {
            list.push(json!({"filePath": path, "size": meta.len(), "createTime": created}));
        }
    }
    list.sort_by(|a, b| a["filePath"].as_str().cmp(&b["filePath"].as_str()));
    Ok(json!({"fileList": list}))
}

fn remove_saved(c: &Call<'_>) -> Result<Value, String> {
    let path = c.str("filePath");
    if !path.starts_with("wxfile://store_") {
        return Err(no_such("removeSavedFile", path));
    }
    let files = AppFiles::of(c.bridge, c.app);
    let real = files.resolve(path, "removeSavedFile")?;
    files.remove_file(&real).map_err(|e| io_error(&e, "removeSavedFile", path))?;
    Ok(json!({}))
}
