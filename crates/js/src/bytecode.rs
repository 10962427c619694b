//! Compiling scripts to QuickJS bytecode once, and reusing it: in memory for the process, and
//! on disk under the user's cache folder across runs.
//!
//! The key is a SHA-256 of the engine version, the file name (it is in the stack traces) and
//! the source, so an edited file or a new engine never meets old bytecode. Bytecode is only
//! ever read from this cache, which this process or an earlier one wrote from sources it
//! compiled itself; never from a package (QuickJS's bytecode reader trusts its input).
//!
//! A file of the disk cache is checked before QuickJS sees it: it starts with a header (magic,
//! format version, SHA-256 over the cache key and the bytecode), and a file whose header does
//! not match what it holds and the key it is stored under — cut short, damaged, another
//! script's file copied under this name, an older format — is never loaded: the script is
//! compiled from its source again and the file replaced. The digest guards against accidents,
//! not against someone who can write the cache folder (they could write a matching header).

// Compiling to and loading bytecode is not in rquickjs's safe API for scripts, so this module
// calls QuickJS directly. Each call below documents what it relies on.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
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

impl CacheMode {
    /// The mode a setting names, as `CAPSULE_BYTECODE_CACHE` and `capsule run/exec
    /// --bytecode-cache` spell it: `off`, `memory`, or a folder. `None` for an empty setting.
    ///
    /// ```
    /// use capsule_js::bytecode::CacheMode;
    /// assert_eq!(CacheMode::parse("off"), Some(CacheMode::Off));
    /// assert_eq!(CacheMode::parse("memory"), Some(CacheMode::Memory));
    /// assert_eq!(CacheMode::parse("/tmp/bc"), Some(CacheMode::Disk("/tmp/bc".into())));
    /// assert_eq!(CacheMode::parse(""), None);
    /// ```
    pub fn parse(setting: &str) -> Option<CacheMode> {
        match setting {
            "" => None,
            "off" => Some(CacheMode::Off),
            "memory" => Some(CacheMode::Memory),
            dir => Some(CacheMode::Disk(PathBuf::from(dir))),
        }
    }
}

/// Scripts kept in memory at most, by one cache.
const MAX_MEMORY_ENTRIES: usize = 4096;

/// A bytecode cache: its mode, and the scripts it holds in memory. Engines share the
/// process's ([`Cache::process`]) unless they are given one of their own
/// ([`crate::Engine::with_cache`]), as a host keeping its bytecode in a folder of its own
/// does, or a test that must not share a folder with the tests running beside it.
///
/// ```
/// use capsule_js::bytecode::{Cache, CacheMode};
/// let cache = Cache::new(CacheMode::Disk(std::env::temp_dir().join("capsule-doc-bytecode")));
/// assert!(matches!(cache.mode(), CacheMode::Disk(_)));
/// ```
#[derive(Debug)]
pub struct Cache {
    mode: CacheMode,
    entries: Mutex<HashMap<[u8; 32], Arc<Vec<u8>>>>,
    /// The built-in scripts' bytecode, made once for every engine of this cache, whatever its
    /// mode (see [`Cache::eval_static`]).
    statics: Mutex<HashMap<StaticSource, Arc<Vec<u8>>>>,
}

/// The process's cache, replaced by [`configure`].
fn process_cache() -> &'static Mutex<Arc<Cache>> {
    static PROCESS: OnceLock<Mutex<Arc<Cache>>> = OnceLock::new();
    PROCESS.get_or_init(|| Mutex::new(Cache::new(default_mode())))
}

/// `CAPSULE_BYTECODE_CACHE=off|memory|<folder>`; by default the user cache folder
/// (`$XDG_CACHE_HOME/capsule/bytecode` or `~/.cache/capsule/bytecode`).
fn default_mode() -> CacheMode {
    if let Some(mode) = std::env::var("CAPSULE_BYTECODE_CACHE").ok().as_deref().and_then(CacheMode::parse) {
        return mode;
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
    base.map_or(CacheMode::Memory, |b| CacheMode::Disk(b.join("capsule").join("bytecode")))
}

/// Chooses where the process's cache keeps bytecode from now on, with an empty memory: the
/// engines made after this call use it (an engine keeps the cache it was made with). The
/// `CAPSULE_BYTECODE_CACHE` variable is read only when no call came first.
///
/// ```
/// use capsule_js::bytecode::{Cache, CacheMode, configure};
/// configure(CacheMode::Memory);
/// assert_eq!(Cache::process().mode(), &CacheMode::Memory);
/// ```
pub fn configure(mode: CacheMode) {
    *process_cache().lock().unwrap_or_else(|p| p.into_inner()) = Cache::new(mode);
}

impl Cache {
    /// A cache with nothing in memory yet (a folder's files are found as scripts ask for them).
    pub fn new(mode: CacheMode) -> Arc<Cache> {
        Arc::new(Cache { mode, entries: Mutex::new(HashMap::new()), statics: Mutex::new(HashMap::new()) })
    }

    /// The process's cache: what [`configure`] chose last, or else `CAPSULE_BYTECODE_CACHE`,
    /// or else the user cache folder.
    pub fn process() -> Arc<Cache> {
        process_cache().lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Where this cache keeps bytecode.
    pub fn mode(&self) -> &CacheMode {
        &self.mode
    }

    /// Evaluates `source` as a global script named `filename`, from cached bytecode when there
    /// is some, compiling (and caching) it otherwise.
    pub fn eval<'js>(&self, ctx: &Ctx<'js>, source: &str, filename: &str) -> rquickjs::Result<Value<'js>> {
        self.eval_keyed(ctx, source, filename, 1, false, || key(filename, source, 1, false))
    }

    /// Makes a function of `params` whose body is `body` (a module's or a WXS file's source),
    /// compiled as the file `filename`. The function's own head sits on lines of its own that
    /// are numbered before line 1, so every line and column QuickJS reports (syntax errors,
    /// stack traces) is the body's own, line 1 included: minified code is all line 1.
    pub fn function<'js>(
        &self,
        ctx: &Ctx<'js>,
        params: &str,
        body: &str,
        filename: &str,
    ) -> rquickjs::Result<Value<'js>> {
        let source = format!("(function ({params})\n{{\n{body}\n}})");
        self.eval_keyed(ctx, &source, filename, -1, false, || key(filename, &source, -1, false))
            .map_err(|e| within_body(ctx, e, filename, body))
    }

    /// [`Cache::eval`] for a script built into the binary (the framework and its parts): what
    /// every instance evaluates identically is made once for all the engines of this cache
    /// (the process's, for a host), whatever its mode (an instance reads the bytecode it was
    /// compiled to; "no cache" is about a package's scripts), and its bytecode leaves out the source text every function otherwise keeps
    /// for `toString` (a third of an idle instance's heap: each nested function kept its own
    /// copy). A package's scripts keep theirs.
    pub fn eval_static<'js>(
        &self,
        ctx: &Ctx<'js>,
        source: &'static str,
        filename: &'static str,
    ) -> rquickjs::Result<Value<'js>> {
        run(ctx, &self.static_bytes(ctx, source, filename)?)
    }

    /// The bytecode of a built-in script, compiled now if this cache has none yet.
    pub(crate) fn static_bytes(
        &self,
        ctx: &Ctx<'_>,
        source: &'static str,
        filename: &'static str,
    ) -> rquickjs::Result<Arc<Vec<u8>>> {
        let id = (source.as_ptr() as usize, source.len(), filename);
        let known = self.statics.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned();
        if let Some(bytes) = known {
            return Ok(bytes);
        }
        let bytes = match self.mode {
            CacheMode::Off => Arc::new(compile(ctx, source, filename, 1, true)?),
            _ => self.bytes(ctx, source, filename, 1, true, || key(filename, source, 1, true))?,
        };
        self.statics.lock().unwrap_or_else(|p| p.into_inner()).insert(id, bytes.clone());
        Ok(bytes)
    }

    /// Takes a built-in script's bytecode made elsewhere (the host of a worker process,
    /// from the same program) as its own.
    pub(crate) fn adopt_static(&self, source: &'static str, filename: &'static str, bytes: Vec<u8>) {
        let id = (source.as_ptr() as usize, source.len(), filename);
        self.statics.lock().unwrap_or_else(|p| p.into_inner()).insert(id, Arc::new(bytes));
    }

    fn eval_keyed<'js>(
        &self,
        ctx: &Ctx<'js>,
        source: &str,
        filename: &str,
        first_line: i32,
        strip: bool,
        key_of: impl FnOnce() -> [u8; 32],
    ) -> rquickjs::Result<Value<'js>> {
        if self.mode == CacheMode::Off {
            return run(ctx, &compile(ctx, source, filename, first_line, strip)?);
        }
        run(ctx, &self.bytes(ctx, source, filename, first_line, strip, key_of)?)
    }

    /// The bytecode of `source`: from memory, from disk, or compiled (and kept) now.
    fn bytes(
        &self,
        ctx: &Ctx<'_>,
        source: &str,
        filename: &str,
        first_line: i32,
        strip: bool,
        key_of: impl FnOnce() -> [u8; 32],
    ) -> rquickjs::Result<Arc<Vec<u8>>> {
        let k = key_of();
        let cached = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(&k).cloned();
        if let Some(bytes) = cached {
            return Ok(bytes);
        }
        let from_disk = match &self.mode {
            CacheMode::Disk(dir) => read_checked(dir, &k),
            _ => None,
        };
        let bytes = match from_disk {
            Some(b) => b,
            None => {
                let b = compile(ctx, source, filename, first_line, strip)?;
                if let CacheMode::Disk(dir) = &self.mode {
                    write_atomically(dir, &k, &b);
                }
                b
            }
        };
        let bytes = Arc::new(bytes);
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        // Bounded: past the limit the cache starts over (disk still has everything).
        if entries.len() >= MAX_MEMORY_ENTRIES {
            entries.clear();
        }
        entries.insert(k, bytes.clone());
        Ok(bytes)
    }
}

/// A built-in script by where it lives and its name.
type StaticSource = (usize, usize, &'static str);

/// What names a built-in script's bytecode between processes: its file name and the
/// digest of its source and of the engine that compiled it, so a program that is not the
/// same build never takes another's bytecode.
pub(crate) fn static_label(filename: &str, source: &str) -> String {
    format!("{filename}#{}", hex(&key(filename, source, 1, true)))
}

fn engine_version() -> String {
    // SAFETY: JS_GetVersion returns a pointer to a static NUL-terminated string.
    unsafe { CStr::from_ptr(qjs::JS_GetVersion()) }.to_string_lossy().into_owned()
}

fn key(filename: &str, source: &str, first_line: i32, strip: bool) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"capsule-bytecode-3\0");
    h.update(first_line.to_le_bytes());
    h.update([u8::from(strip)]);
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

/// The file a key's bytecode is kept in.
fn file_name(key: &[u8; 32]) -> String {
    format!("{}.qjsbc", hex(key))
}

/// What a cache file starts with; a file without it (an older format, something else) is
/// never loaded.
const MAGIC: [u8; 8] = *b"CAPSQJBC";
/// The layout after the magic: this version, then the digest, then the bytecode.
const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: usize = MAGIC.len() + 4 + 32;

/// SHA-256 over the key the file is stored under and its bytecode: a file copied under
/// another key, or changed in any byte, does not match.
fn digest(key: &[u8; 32], bytecode: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"capsule-bytecode-file-1\0");
    h.update(key);
    h.update(bytecode);
    h.finalize().into()
}

/// A cache file: header, then the bytecode.
fn encode(key: &[u8; 32], bytecode: &[u8]) -> Vec<u8> {
    let mut file = Vec::with_capacity(HEADER_LEN + bytecode.len());
    file.extend_from_slice(&MAGIC);
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.extend_from_slice(&digest(key, bytecode));
    file.extend_from_slice(bytecode);
    file
}

/// The bytecode of a cache file stored under `key`, if the file is whole and was written for
/// that key.
fn decode(key: &[u8; 32], file: &[u8]) -> Result<Vec<u8>, &'static str> {
    let (magic, rest) = file.split_first_chunk::<8>().ok_or("shorter than its header")?;
    if *magic != MAGIC {
        return Err("not a bytecode cache file");
    }
    let (version, rest) = rest.split_first_chunk::<4>().ok_or("shorter than its header")?;
    if u32::from_le_bytes(*version) != FORMAT_VERSION {
        return Err("another format version");
    }
    let (stored, bytecode) = rest.split_first_chunk::<32>().ok_or("shorter than its header")?;
    let actual = digest(key, bytecode);
    if *stored != actual {
        return Err("its digest does not match (damaged, cut short, or another script's)");
    }
    Ok(bytecode.to_vec())
}

/// The bytecode of `key` in `dir`, when there is a file and it passes [`decode`]. A file that
/// does not is left for the caller to replace (it compiles the source and writes).
fn read_checked(dir: &Path, key: &[u8; 32]) -> Option<Vec<u8>> {
    let path = dir.join(file_name(key));
    let file = std::fs::read(&path).ok()?;
    match decode(key, &file) {
        Ok(bytecode) => Some(bytecode),
        Err(why) => {
            debug(&format!("bytecode cache file {} not used: {why}", path.display()));
            None
        }
    }
}

/// `error` with a syntax error's place past the end of `body` (a file cut short: the engine
/// reads on into the wrapper's tail, on the next line) put at the body's end, where `capsule
/// check` puts it.
fn within_body(ctx: &Ctx<'_>, error: rquickjs::Error, filename: &str, body: &str) -> rquickjs::Error {
    if !matches!(error, rquickjs::Error::Exception) {
        return error;
    }
    let thrown = ctx.catch();
    if let Some(object) = thrown.as_object()
        && let Ok(stack) = object.get::<_, String>("stack")
    {
        let fixed = clamp_to_end(&stack, filename, body);
        if fixed != stack {
            let _ = object.set("stack", fixed);
        }
    }
    ctx.throw(thrown)
}

/// `stack` with each `filename:line:col` past the end of `body` made its last line's end.
fn clamp_to_end(stack: &str, filename: &str, body: &str) -> String {
    let last = body.split('\n').count();
    let end = body.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    let at = format!("{filename}:");
    let mut out = String::with_capacity(stack.len());
    let mut rest = stack;
    while let Some(i) = rest.find(&at) {
        let after = &rest[i + at.len()..];
        out.push_str(&rest[..i + at.len()]);
        // Only the whole name: `a/pages/x.js` is not `pages/x.js`.
        if i.checked_sub(1).is_some_and(|b| !matches!(rest.as_bytes()[b], b' ' | b'(' | b'\n')) {
            rest = after;
            continue;
        }
        let line_digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let col_part = after[line_digits..].strip_prefix(':').unwrap_or_default();
        let col_digits = col_part.bytes().take_while(u8::is_ascii_digit).count();
        let place =
            after[..line_digits].parse::<usize>().ok().zip(col_part[..col_digits].parse::<usize>().ok());
        match place {
            Some((line, col)) if line > last || (line == last && col > end) => {
                out.push_str(&format!("{last}:{end}"));
                rest = &col_part[col_digits..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

/// Temp file + rename, so a reader never sees half a file. Failing to write is not an error:
/// the cache is an optimisation.
fn write_atomically(dir: &Path, key: &[u8; 32], bytecode: &[u8]) {
    // Unique per write: two threads compiling the same script must not share a temp file.
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let name = file_name(key);
    let result = std::fs::create_dir_all(dir).and_then(|()| {
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        std::fs::write(&tmp, encode(key, bytecode))?;
        std::fs::rename(&tmp, dir.join(&name)).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    });
    if let Err(e) = result {
        debug(&format!("bytecode cache in {} is not writable: {e}", dir.display()));
    }
}

fn debug(line: &str) {
    if std::env::var_os("CAPSULE_DEBUG").is_some() {
        eprintln!("debug: {line}");
    }
}

/// Compiles a global script (or, if `module`, an ES module, whose imports are not resolved)
/// without running it; `first_line` is the number of the source's first line.
pub(crate) fn compile_only<'js>(
    ctx: &Ctx<'js>,
    source: &str,
    filename: &str,
    first_line: i32,
    module: bool,
) -> rquickjs::Result<Value<'js>> {
    let src = CString::new(source).map_err(|_| {
        rquickjs::Error::new_from_js_message("source", "script", "the file contains a NUL character")
    })?;
    let name = CString::new(filename).unwrap_or_else(|_| c"<script>".to_owned());
    let raw = ctx.as_raw().as_ptr();
    let kind = if module { qjs::JS_EVAL_TYPE_MODULE } else { qjs::JS_EVAL_TYPE_GLOBAL };
    let flags = (kind | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32;
    // QuickJS reads a line number of 0 as "the default, 1"; any other is taken as given.
    let mut options = qjs::JSEvalOptions {
        version: qjs::JS_EVAL_OPTIONS_VERSION as _,
        eval_flags: flags,
        filename: name.as_ptr(),
        line_num: first_line,
    };
    // SAFETY: `raw` is the live context `ctx` wraps; `src` is NUL-terminated with `source.len()`
    // bytes before the NUL, as JS_Eval2 requires; `options` (and the `name` it points into)
    // outlive the call; the result is owned and wrapped at once.
    let function = unsafe {
        Value::from_raw(ctx.clone(), qjs::JS_Eval2(raw, src.as_ptr(), source.len() as _, &mut options))
    };
    if function.is_exception() {
        return Err(rquickjs::Error::Exception);
    }
    Ok(function)
}

/// Compiles without running; `first_line` is the number of the source's first line.
fn compile(
    ctx: &Ctx<'_>,
    source: &str,
    filename: &str,
    first_line: i32,
    strip: bool,
) -> rquickjs::Result<Vec<u8>> {
    let function = compile_only(ctx, source, filename, first_line, false)?;
    let raw = ctx.as_raw().as_ptr();
    let mut size: qjs::size_t = 0;
    // SAFETY: `function` is a live compiled function of this context; JS_WriteObject does not
    // take ownership of it and returns a buffer we must free with js_free.
    let flags = qjs::JS_WRITE_OBJ_BYTECODE | if strip { qjs::JS_WRITE_OBJ_STRIP_SOURCE } else { 0 };
    let buf = unsafe { qjs::JS_WriteObject(raw, &mut size, function.as_raw(), flags as i32) };
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
    // holds the version) and never come from a package; bytes read from a cache file matched
    // the digest their file was written with, under this key (`decode`).
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
