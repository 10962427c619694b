//! Compiled TypeScript kept by content, as the engine keeps bytecode: in memory for the
//! process, and in files of a folder across runs. The key is a SHA-256 of the compiler's
//! version, the file's path (it is in the source map) and its source, so an edited file or a
//! new compiler never meets an old result. A file is checked before it is used (a header with
//! a digest over the key and what follows); one that does not match is compiled again and
//! replaced. Compile errors are not kept: a broken file is parsed again each load.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use capsule_package::plugins::{CompileError, Compiled, SourceMap};
use sha2::{Digest, Sha256};

/// Where compiled TypeScript is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CacheMode {
    /// Compile every load (for measuring).
    Off,
    /// In memory, for the life of the cache.
    Memory,
    /// In memory, and in files under this folder.
    Disk(PathBuf),
}

/// The key's first part: a new compiler (or output format) never reads an old file.
const COMPILER: &str = concat!("capsule-compile ", env!("CARGO_PKG_VERSION"), " oxc 0.110 format 1");
const MAGIC: &[u8; 8] = b"CAPSTS\x00\x01";
/// Results kept in memory at most.
const MAX_MEMORY_ENTRIES: usize = 4096;

/// A cache of compiled TypeScript.
///
/// ```
/// # #[cfg(feature = "typescript")] {
/// use capsule_compile::{Cache, CacheMode};
/// let cache = Cache::new(CacheMode::Memory);
/// let first = cache.get_or_compile("a.ts", "let a: number = 1;", || capsule_compile::compile_typescript("a.ts", "let a: number = 1;"));
/// let again = cache.get_or_compile("a.ts", "let a: number = 1;", || panic!("compiled twice"));
/// assert_eq!(first, again);
/// assert_eq!(cache.stats(), (1, 1));
/// # }
/// ```
#[derive(Debug)]
pub struct Cache {
    mode: CacheMode,
    entries: Mutex<HashMap<[u8; 32], Arc<Compiled>>>,
    hits: AtomicU64,
    compiled: AtomicU64,
}

impl Cache {
    pub fn new(mode: CacheMode) -> Cache {
        Cache { mode, entries: Mutex::default(), hits: AtomicU64::new(0), compiled: AtomicU64::new(0) }
    }

    pub fn mode(&self) -> &CacheMode {
        &self.mode
    }

    /// (results found in the cache, sources compiled) so far.
    pub fn stats(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.compiled.load(Ordering::Relaxed))
    }

    /// The cached result for `source` at `path`, or `compile`'s, which is then kept.
    pub fn get_or_compile(
        &self,
        path: &str,
        source: &str,
        compile: impl FnOnce() -> Result<Compiled, CompileError>,
    ) -> Result<Compiled, CompileError> {
        if self.mode == CacheMode::Off {
            self.compiled.fetch_add(1, Ordering::Relaxed);
            return compile();
        }
        let key = key(path, source);
        let memory = self.entries.lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        let found = memory.or_else(|| match &self.mode {
            CacheMode::Disk(dir) => read_checked(dir, &key).map(Arc::new),
            _ => None,
        });
        let compiled = match found {
            Some(compiled) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                compiled
            }
            None => {
                self.compiled.fetch_add(1, Ordering::Relaxed);
                let compiled = Arc::new(compile()?);
                if let CacheMode::Disk(dir) = &self.mode {
                    write_atomically(dir, &key, &encode(&key, &compiled));
                }
                compiled
            }
        };
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_MEMORY_ENTRIES {
            entries.clear();
        }
        entries.insert(key, compiled.clone());
        Ok((*compiled).clone())
    }
}

fn key(path: &str, source: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [COMPILER, path, source] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

fn file_name(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

/// Header (magic, digest over key and body), then the body: the code's length and bytes, the
/// map's point count and points, all little-endian `u32`s.
fn encode(key: &[u8; 32], compiled: &Compiled) -> Vec<u8> {
    let mut body = Vec::with_capacity(compiled.code.len() + 16 * compiled.map.points().len() + 8);
    body.extend((compiled.code.len() as u32).to_le_bytes());
    body.extend(compiled.code.as_bytes());
    body.extend((compiled.map.points().len() as u32).to_le_bytes());
    for &(a, b, c, d) in compiled.map.points() {
        for n in [a, b, c, d] {
            body.extend(n.to_le_bytes());
        }
    }
    let mut out = MAGIC.to_vec();
    out.extend(digest(key, &body));
    out.extend(body);
    out
}

fn digest(key: &[u8; 32], body: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(key);
    h.update(body);
    h.finalize().into()
}

fn decode(key: &[u8; 32], file: &[u8]) -> Option<Compiled> {
    let rest = file.strip_prefix(MAGIC.as_slice())?;
    let (stored, body) = rest.split_first_chunk::<32>()?;
    if *stored != digest(key, body) {
        return None;
    }
    let mut words = Words(body);
    let len = words.next()? as usize;
    let code = String::from_utf8(words.take(len)?.to_vec()).ok()?;
    let count = words.next()? as usize;
    let mut points = Vec::with_capacity(count.min(body.len() / 16));
    for _ in 0..count {
        points.push((words.next()?, words.next()?, words.next()?, words.next()?));
    }
    Some(Compiled { code, map: SourceMap::new(points) })
}

struct Words<'a>(&'a [u8]);

impl Words<'_> {
    fn next(&mut self) -> Option<u32> {
        let (n, rest) = self.0.split_first_chunk::<4>()?;
        self.0 = rest;
        Some(u32::from_le_bytes(*n))
    }

    fn take(&mut self, len: usize) -> Option<&[u8]> {
        let (taken, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(taken)
    }
}

fn read_checked(dir: &Path, key: &[u8; 32]) -> Option<Compiled> {
    decode(key, &std::fs::read(dir.join(file_name(key))).ok()?)
}

/// Temp file + rename, so a reader never sees half a file; a folder that cannot be written
/// only means compiling again next time.
fn write_atomically(dir: &Path, key: &[u8; 32], bytes: &[u8]) {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let name = file_name(key);
    let _ = std::fs::create_dir_all(dir).and_then(|()| {
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, dir.join(&name)).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    });
}

#[cfg(all(test, feature = "typescript"))]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("capsule-compile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_folder_keeps_results_across_caches_and_a_damaged_file_is_compiled_again() {
        let dir = scratch("disk");
        let source = "const n: number = 1;\nthrow new Error('x' + n);\n";
        let compile = || crate::compile_typescript("a.ts", source);
        let first = Cache::new(CacheMode::Disk(dir.clone())).get_or_compile("a.ts", source, compile).unwrap();
        let second = Cache::new(CacheMode::Disk(dir.clone()));
        assert_eq!(
            second.get_or_compile("a.ts", source, || panic!("not read from the folder")).unwrap(),
            first
        );
        assert!(!first.map.is_empty());

        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let mut bytes = std::fs::read(&file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&file, bytes).unwrap();
        let third = Cache::new(CacheMode::Disk(dir.clone()));
        assert_eq!(third.get_or_compile("a.ts", source, compile).unwrap(), first);
        assert_eq!(third.stats(), (0, 1));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn errors_are_not_kept() {
        let cache = Cache::new(CacheMode::Memory);
        let broken = || crate::compile_typescript("a.ts", "let = ;");
        assert!(cache.get_or_compile("a.ts", "let = ;", broken).is_err());
        assert!(cache.get_or_compile("a.ts", "let = ;", broken).is_err());
        assert_eq!(cache.stats(), (0, 2));
    }
}
