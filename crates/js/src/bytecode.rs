//! Compiling scripts to QuickJS bytecode once, and reusing it: in memory for the process, and
//! on disk under the user's cache folder across runs.
//!
//! The key is a SHA-256 of the engine version, the file name (it is in the stack traces) and
//! the source, so an edited file or a new engine never meets old bytecode. Bytecode is only
//! ever read from this cache, which this process or an earlier one wrote from sources it
//! compiled itself; never from a package (QuickJS's bytecode reader trusts its input).

// Compiling to and loading bytecode is not in rquickjs's safe API for scripts, so this module
// calls QuickJS directly. Each call below documents what it relies on.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use rquickjs::{Ctx, Value, qjs};
use sha2::{Digest, Sha256};

/// Where compiled bytecode is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheMode {
    /// Compile every time (for measuring, and for hosts that want no state).
    Off,
    /// Keep bytecode in memory for the life of the process.
    Memory,
    /// In memory, and in files under this folder.
    Disk(PathBuf),
}

/// Scripts kept in memory at most, across all instances of the process.
const MAX_MEMORY_ENTRIES: usize = 4096;

struct Cache {
    mode: CacheMode,
    entries: HashMap<[u8; 32], Arc<Vec<u8>>>,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(Cache { mode: default_mode(), entries: HashMap::new() }))
}

/// `CAPSULE_BYTECODE_CACHE=off|memory|<folder>`; by default the user cache folder
/// (`$XDG_CACHE_HOME/capsule/bytecode` or `~/.cache/capsule/bytecode`).
fn default_mode() -> CacheMode {
    match std::env::var("CAPSULE_BYTECODE_CACHE").ok().as_deref() {
        Some("off") => CacheMode::Off,
        Some("memory") => CacheMode::Memory,
        Some(dir) if !dir.is_empty() => CacheMode::Disk(PathBuf::from(dir)),
        _ => {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
            base.map_or(CacheMode::Memory, |b| CacheMode::Disk(b.join("capsule").join("bytecode")))
        }
    }
}

/// Chooses where bytecode is kept from now on (and empties the memory cache).
pub fn configure(mode: CacheMode) {
    let mut c = cache().lock().unwrap_or_else(|p| p.into_inner());
    c.mode = mode;
    c.entries.clear();
}

fn engine_version() -> String {
    // SAFETY: JS_GetVersion returns a pointer to a static NUL-terminated string.
    unsafe { CStr::from_ptr(qjs::JS_GetVersion()) }.to_string_lossy().into_owned()
}

fn key(filename: &str, source: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"capsule-bytecode-1\0");
    h.update(engine_version().as_bytes());
    h.update(b"\0");
    h.update(filename.as_bytes());
    h.update(b"\0");
    h.update(source.as_bytes());
    h.finalize().into()
}

fn hex(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// Evaluates `source` as a global script named `filename`, from cached bytecode when there is
/// some, compiling (and caching) it otherwise.
pub fn eval<'js>(ctx: &Ctx<'js>, source: &str, filename: &str) -> rquickjs::Result<Value<'js>> {
    eval_keyed(ctx, source, filename, || key(filename, source))
}

/// A built-in script by where it lives and its name.
type StaticSource = (usize, usize, &'static str);

/// [`eval`] for a script built into the binary (the framework): its cache key is hashed once
/// per process, not once per instance.
pub fn eval_static<'js>(
    ctx: &Ctx<'js>,
    source: &'static str,
    filename: &'static str,
) -> rquickjs::Result<Value<'js>> {
    static KEYS: OnceLock<Mutex<HashMap<StaticSource, [u8; 32]>>> = OnceLock::new();
    eval_keyed(ctx, source, filename, || {
        let keys = KEYS.get_or_init(|| Mutex::new(HashMap::new()));
        let id = (source.as_ptr() as usize, source.len(), filename);
        *keys.lock().unwrap_or_else(|p| p.into_inner()).entry(id).or_insert_with(|| key(filename, source))
    })
}

fn eval_keyed<'js>(
    ctx: &Ctx<'js>,
    source: &str,
    filename: &str,
    key_of: impl FnOnce() -> [u8; 32],
) -> rquickjs::Result<Value<'js>> {
    let mode = cache().lock().unwrap_or_else(|p| p.into_inner()).mode.clone();
    if mode == CacheMode::Off {
        return run(ctx, &compile(ctx, source, filename)?);
    }
    let k = key_of();
    let cached = cache().lock().unwrap_or_else(|p| p.into_inner()).entries.get(&k).cloned();
    let bytes = match cached {
        Some(b) => b,
        None => {
            let from_disk = match &mode {
                CacheMode::Disk(dir) => std::fs::read(dir.join(format!("{}.qjsbc", hex(&k)))).ok(),
                _ => None,
            };
            let bytes = match from_disk {
                Some(b) => b,
                None => {
                    let b = compile(ctx, source, filename)?;
                    if let CacheMode::Disk(dir) = &mode {
                        write_atomically(dir, &hex(&k), &b);
                    }
                    b
                }
            };
            let bytes = Arc::new(bytes);
            let mut c = cache().lock().unwrap_or_else(|p| p.into_inner());
            // Bounded: past the limit the cache starts over (disk still has everything).
            if c.entries.len() >= MAX_MEMORY_ENTRIES {
                c.entries.clear();
            }
            c.entries.insert(k, bytes.clone());
            bytes
        }
    };
    run(ctx, &bytes)
}

/// Temp file + rename, so a reader never sees half a file. Failing to write is not an error:
/// the cache is an optimisation.
fn write_atomically(dir: &std::path::Path, name: &str, bytes: &[u8]) {
    let result = std::fs::create_dir_all(dir).and_then(|()| {
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, dir.join(format!("{name}.qjsbc")))
    });
    if let Err(e) = result
        && std::env::var_os("CAPSULE_DEBUG").is_some()
    {
        eprintln!("debug: bytecode cache in {} is not writable: {e}", dir.display());
    }
}

/// Compiles without running.
fn compile(ctx: &Ctx<'_>, source: &str, filename: &str) -> rquickjs::Result<Vec<u8>> {
    let src = CString::new(source).map_err(|_| {
        rquickjs::Error::new_from_js_message("source", "script", "the file contains a NUL character")
    })?;
    let name = CString::new(filename).unwrap_or_else(|_| c"<script>".to_owned());
    let raw = ctx.as_raw().as_ptr();
    let flags = (qjs::JS_EVAL_TYPE_GLOBAL | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32;
    // SAFETY: `raw` is the live context `ctx` wraps; `src` is NUL-terminated with `source.len()`
    // bytes before the NUL, as JS_Eval requires; the result is owned and wrapped at once.
    let function = unsafe {
        Value::from_raw(ctx.clone(), qjs::JS_Eval(raw, src.as_ptr(), source.len() as _, name.as_ptr(), flags))
    };
    if function.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    let mut size: qjs::size_t = 0;
    // SAFETY: `function` is a live compiled function of this context; JS_WriteObject does not
    // take ownership of it and returns a buffer we must free with js_free.
    let buf =
        unsafe { qjs::JS_WriteObject(raw, &mut size, function.as_raw(), qjs::JS_WRITE_OBJ_BYTECODE as i32) };
    if buf.is_null() {
        return Err(rquickjs::Error::Exception);
    }
    // SAFETY: QuickJS wrote `size` bytes at `buf`.
    let bytes = unsafe { std::slice::from_raw_parts(buf, size as usize) }.to_vec();
    // SAFETY: `buf` came from JS_WriteObject on this context.
    unsafe { qjs::js_free(raw, buf.cast()) };
    Ok(bytes)
}

/// Runs bytecode that [`compile`] produced in this process or an earlier one.
fn run<'js>(ctx: &Ctx<'js>, bytes: &[u8]) -> rquickjs::Result<Value<'js>> {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: `bytes` were written by JS_WriteObject of this engine version (the cache key
    // holds the version) and never come from a package.
    let function = unsafe {
        Value::from_raw(
            ctx.clone(),
            qjs::JS_ReadObject(raw, bytes.as_ptr(), bytes.len() as _, qjs::JS_READ_OBJ_BYTECODE as i32),
        )
    };
    if function.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    // SAFETY: JS_EvalFunction takes ownership of the value it is given, so it gets its own
    // reference (`function` keeps and later drops the other); the result is owned and wrapped
    // at once.
    let result = unsafe {
        Value::from_raw(ctx.clone(), qjs::JS_EvalFunction(raw, qjs::JS_DupValue(raw, function.as_raw())))
    };
    if result.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    Ok(result)
}
