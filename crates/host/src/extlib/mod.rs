//! Extended libraries (`useExtendedLib` in `app.json`) provided the way the platform's tools
//! provide them: the published npm package's `miniprogram_dist` (with its shared `_commons`
//! and `_assets`), pinned to one version whose registry integrity digest (SHA-512 SRI) is
//! checked before a byte is unpacked.
//!
//! A [`Store`] is Capsule's cache of them, one folder per pinned version under the user cache
//! folder (`$XDG_CACHE_HOME/capsule/extlib/weui-miniprogram-1.5.6/`). A library gets there
//! once: fetched from the registry (by [`Store::fetch`], or by the loader when its
//! [`FetchPolicy`] allows), from a tarball the user has, or from a folder the user names. It
//! is unpacked as hostile input (`unpack`), written to a temporary folder and renamed into
//! place, so a cache folder is either whole or absent. The store is the loader's
//! [`ExtendedLibs`] provider: `capsule_package::extlib` mounts what it gives.
//!
//! Nothing here runs inside an instance: libraries are fetched when a package is loaded,
//! never by a script.

mod fetch;
mod unpack;

pub use fetch::{MAX_TARBALL, check_integrity};
pub use unpack::{MAX_ENTRIES, MAX_RATIO, MAX_UNPACKED, Unpacked, read_folder, unpack_tgz};

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use capsule_package::Files;
use capsule_package::extlib::{ExtendedLib, ExtendedLibs, Unavailable};
use serde::{Deserialize, Serialize};

/// The registry libraries are fetched from when none is named.
pub const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org";
/// The environment variable that names another registry (a mirror, or a test's server).
pub const REGISTRY_ENV: &str = "CAPSULE_NPM_REGISTRY";

/// The file in a cache folder that says what the folder holds. A dotfile, so reading the
/// folder's files never includes it.
const MARKER: &str = ".capsule-extlib.json";

/// A library pinned to one published version and the digest its registry gives for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// The `useExtendedLib` key.
    pub name: String,
    /// The npm package.
    pub npm: String,
    pub version: String,
    /// `dist.integrity` of that version: `sha512-<base64>`.
    pub integrity: String,
}

impl Pin {
    /// The libraries Capsule provides, each at the version it was checked with. weui is
    /// `weui-miniprogram` 1.5.6, whose tarball the registry serves at
    /// `https://registry.npmjs.org/weui-miniprogram/-/weui-miniprogram-1.5.6.tgz`.
    pub fn all() -> Vec<Pin> {
        vec![Pin {
            name: "weui".into(),
            npm: "weui-miniprogram".into(),
            version: "1.5.6".into(),
            integrity: "sha512-bGRHUdrQkFf6FzNT5UTapAMRdZQF0UP2uKu9ZR4MkPNwO3cWzlrkW8vBLxdS6k02O3VeNFATj/AsBCjHAsMBzA=="
                .into(),
        }]
    }

    /// Where `registry` serves this version's tarball (npm's layout).
    ///
    /// ```
    /// let pin = &capsule_host::extlib::Pin::all()[0];
    /// assert_eq!(
    ///     pin.tarball_url("http://127.0.0.1:4873/"),
    ///     "http://127.0.0.1:4873/weui-miniprogram/-/weui-miniprogram-1.5.6.tgz"
    /// );
    /// ```
    pub fn tarball_url(&self, registry: &str) -> String {
        format!("{}/{npm}/-/{npm}-{}.tgz", registry.trim_end_matches('/'), self.version, npm = self.npm)
    }

    /// The cache folder's name.
    fn slot(&self) -> String {
        format!("{}-{}", self.npm, self.version)
    }

    /// What a person can do when the library is missing.
    fn hint(&self) -> String {
        format!(
            "run `capsule fetch-extlib {name}` where the registry can be reached, or `capsule fetch-extlib \
             {name} --from PATH` with the {npm}@{version} tarball (`npm pack {npm}@{version}`) or its \
             unpacked folder",
            name = self.name,
            npm = self.npm,
            version = self.version
        )
    }
}

/// Why a library could not be fetched, installed or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtlibError {
    /// Not a library Capsule provides.
    Unknown { name: String },
    /// The registry could not be reached or did not give the tarball.
    Fetch { url: String, reason: String },
    /// The tarball is not the pinned one.
    Integrity { from: String, reason: String },
    /// The tarball or folder holds something refused (a link, a name leading outside, too much).
    Refused { from: String, reason: String },
    /// The cache folder could not be written or read.
    Cache { path: PathBuf, reason: String },
}

impl fmt::Display for ExtlibError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtlibError::Unknown { name } => write!(f, "unknown extended library `{name}`"),
            ExtlibError::Fetch { url, reason } => write!(f, "cannot fetch {url}: {reason}"),
            ExtlibError::Integrity { from, reason } => {
                write!(f, "{from} is not the pinned tarball, refused: {reason}")
            }
            ExtlibError::Refused { from, reason } => write!(f, "{from} is refused: {reason}"),
            ExtlibError::Cache { path, reason } => write!(f, "the cache folder {}: {reason}", path.display()),
        }
    }
}

impl std::error::Error for ExtlibError {}

/// What an install put in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed {
    pub dir: PathBuf,
    /// The version it holds (a folder's own may differ from the pin's).
    pub version: String,
    pub files: usize,
    pub bytes: u64,
}

/// Whether the loader may fetch a library missing from the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchPolicy {
    /// From this registry.
    Registry(String),
    /// Never; the reason is told with the error (`--production never fetches`).
    Never(String),
}

/// What a cache folder holds, written last into it before it is renamed into place.
#[derive(Serialize, Deserialize)]
struct Marker {
    npm: String,
    version: String,
    /// The pinned digest the tarball matched; `None` for a folder the user named.
    integrity: Option<String>,
    from: String,
}

/// Called before the loader fetches a library: the pin and the URL.
pub type FetchNotice = Arc<dyn Fn(&Pin, &str) + Send + Sync>;

/// Capsule's cache of extended libraries, and the loader's provider of them.
///
/// ```
/// use capsule_host::extlib::{FetchPolicy, Store};
/// let dir = std::env::temp_dir().join("capsule-doc-extlib");
/// let store = Store::new(dir).with_policy(FetchPolicy::Never("this example does not fetch".into()));
/// let options = capsule_package::LoadOptions {
///     extended_libs: Some(std::sync::Arc::new(store)),
///     ..Default::default()
/// };
/// # let _ = options;
/// ```
pub struct Store {
    dir: PathBuf,
    pins: Vec<Pin>,
    policy: FetchPolicy,
    on_fetch: Option<FetchNotice>,
    /// Libraries read once by this store.
    read: Mutex<HashMap<String, Arc<ExtendedLib>>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("pins", &self.pins)
            .field("policy", &self.policy)
            .finish()
    }
}

impl Store {
    /// A store in `dir` with the pinned libraries, fetching from the default registry.
    pub fn new(dir: impl Into<PathBuf>) -> Store {
        Store {
            dir: dir.into(),
            pins: Pin::all(),
            policy: FetchPolicy::Registry(DEFAULT_REGISTRY.into()),
            on_fetch: None,
            read: Mutex::new(HashMap::new()),
        }
    }

    /// The user cache folder's: `$XDG_CACHE_HOME/capsule/extlib`, or `~/.cache/capsule/extlib`.
    pub fn default_dir() -> PathBuf {
        std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(std::env::temp_dir)
            .join("capsule")
            .join("extlib")
    }

    pub fn with_policy(mut self, policy: FetchPolicy) -> Store {
        self.policy = policy;
        self
    }

    /// Other pins than [`Pin::all`] (a test's own tarball).
    pub fn with_pins(mut self, pins: Vec<Pin>) -> Store {
        self.pins = pins;
        self
    }

    /// Tells `notice` before the loader fetches anything.
    pub fn on_fetch(mut self, notice: FetchNotice) -> Store {
        self.on_fetch = Some(notice);
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The pin of the library `name` (`weui`).
    pub fn pin(&self, name: &str) -> Result<&Pin, ExtlibError> {
        self.pins.iter().find(|p| p.name == name).ok_or_else(|| ExtlibError::Unknown { name: name.into() })
    }

    /// The folder the pinned version is kept in.
    pub fn slot_dir(&self, pin: &Pin) -> PathBuf {
        self.dir.join(pin.slot())
    }

    /// The library as the cache holds it, or `None` when it holds none.
    pub fn installed(&self, pin: &Pin) -> Result<Option<Arc<ExtendedLib>>, ExtlibError> {
        let slot = self.slot_dir(pin);
        let marker = match std::fs::read(slot.join(MARKER)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ExtlibError::Cache { path: slot, reason: e.to_string() }),
        };
        let marker: Marker = serde_json::from_slice(&marker).map_err(|e| ExtlibError::Cache {
            path: slot.clone(),
            reason: format!("{MARKER} is damaged: {e}"),
        })?;
        if marker.npm != pin.npm {
            return Err(ExtlibError::Cache {
                path: slot,
                reason: format!("holds {}, not {}", marker.npm, pin.npm),
            });
        }
        let files = read_folder(&slot).map_err(|reason| ExtlibError::Cache { path: slot.clone(), reason })?;
        Ok(Some(Arc::new(ExtendedLib {
            name: pin.name.clone(),
            npm: pin.npm.clone(),
            version: marker.version,
            files,
        })))
    }

    /// Fetches the pinned tarball from `registry`, checks it and installs it.
    pub fn fetch(&self, pin: &Pin, registry: &str) -> Result<Installed, ExtlibError> {
        self.fetch_lib(pin, registry).map(|(installed, _)| installed)
    }

    /// [`Store::fetch`], giving the library as installed without reading it back (another
    /// process may be installing the same library at that moment).
    fn fetch_lib(&self, pin: &Pin, registry: &str) -> Result<(Installed, ExtendedLib), ExtlibError> {
        let url = pin.tarball_url(registry);
        let bytes = fetch::get(&url).map_err(|reason| ExtlibError::Fetch { url: url.clone(), reason })?;
        self.install_tgz_lib(pin, &bytes, &url)
    }

    /// Installs a tarball the caller has (`from` names it in errors): its digest must be the
    /// pin's before anything is unpacked.
    pub fn install_tgz(&self, pin: &Pin, tgz: &[u8], from: &str) -> Result<Installed, ExtlibError> {
        self.install_tgz_lib(pin, tgz, from).map(|(installed, _)| installed)
    }

    fn install_tgz_lib(
        &self,
        pin: &Pin,
        tgz: &[u8],
        from: &str,
    ) -> Result<(Installed, ExtendedLib), ExtlibError> {
        check_integrity(tgz, &pin.integrity)
            .map_err(|reason| ExtlibError::Integrity { from: from.into(), reason })?;
        let refused = |reason: String| ExtlibError::Refused { from: from.into(), reason };
        let unpacked = unpack_tgz(tgz).map_err(refused)?;
        let json =
            unpacked.package_json.as_deref().ok_or_else(|| refused("it holds no package.json".into()))?;
        let version = package_version(json, pin).map_err(refused)?;
        if unpacked.dist.is_empty() {
            return Err(refused(format!("it holds no {}/", unpack::DIST)));
        }
        let marker = Marker {
            npm: pin.npm.clone(),
            version: version.clone(),
            integrity: Some(pin.integrity.clone()),
            from: from.into(),
        };
        let installed = self.install(pin, &unpacked.dist, &marker)?;
        let lib = ExtendedLib { name: pin.name.clone(), npm: pin.npm.clone(), version, files: unpacked.dist };
        Ok((installed, lib))
    }

    /// Installs from a path the user names: a `.tgz` (checked against the pin), the npm
    /// package's folder (with `package.json` and `miniprogram_dist/`), or a `miniprogram_dist`
    /// folder itself. A folder is the user's choice: its version is taken as it is.
    pub fn install_from(&self, pin: &Pin, path: &Path) -> Result<Installed, ExtlibError> {
        let from = path.display().to_string();
        let refused = |reason: String| ExtlibError::Refused { from: from.clone(), reason };
        let meta = std::fs::metadata(path).map_err(|e| refused(e.to_string()))?;
        if !meta.is_dir() {
            if meta.len() > MAX_TARBALL {
                return Err(refused(format!("larger than the {MAX_TARBALL} bytes a tarball may be")));
            }
            let bytes = std::fs::read(path).map_err(|e| refused(e.to_string()))?;
            return self.install_tgz(pin, &bytes, &from);
        }
        let (dist, version) = if path.join(unpack::DIST).is_dir() {
            let json = std::fs::read(path.join("package.json"))
                .map_err(|e| refused(format!("package.json: {e}")))?;
            (path.join(unpack::DIST), package_version_any(&json, pin).map_err(refused)?)
        } else {
            (path.to_path_buf(), "unknown".to_string())
        };
        let files = read_folder(&dist).map_err(refused)?;
        if files.is_empty() {
            return Err(refused("it holds no files".into()));
        }
        let marker = Marker { npm: pin.npm.clone(), version, integrity: None, from: from.clone() };
        self.install(pin, &files, &marker)
    }

    /// Writes `files` and the marker to a temporary folder beside the slot, then renames it
    /// into place: the slot is whole or absent, whatever stops the process.
    fn install(&self, pin: &Pin, files: &Files, marker: &Marker) -> Result<Installed, ExtlibError> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let cache = |path: &Path, e: std::io::Error| ExtlibError::Cache {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| cache(&self.dir, e))?;
        let unique =
            format!("{}-{}-{}", pin.slot(), std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let temp = self.dir.join(format!(".tmp-{unique}"));
        let written = (|| {
            for (path, bytes) in files.iter() {
                let full = temp.join(path);
                if let Some(parent) = full.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&full, bytes)?;
            }
            let json = serde_json::to_vec_pretty(marker).map_err(std::io::Error::other)?;
            std::fs::write(temp.join(MARKER), json)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(cache(&temp, e));
        }
        let slot = self.slot_dir(pin);
        // A folder cannot be renamed over another: the old one steps aside first.
        let old = self.dir.join(format!(".old-{unique}"));
        let moved_old = std::fs::rename(&slot, &old).is_ok();
        if let Err(e) = std::fs::rename(&temp, &slot) {
            let _ = std::fs::remove_dir_all(&temp);
            if moved_old {
                let _ = std::fs::rename(&old, &slot);
            }
            return Err(cache(&slot, e));
        }
        if moved_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        self.read.lock().unwrap_or_else(|p| p.into_inner()).remove(&pin.name);
        Ok(Installed {
            dir: slot,
            version: marker.version.clone(),
            files: files.len(),
            bytes: files.total_size(),
        })
    }
}

/// The version a tarball's `package.json` names, which must be the pinned package's.
fn package_version(json: &[u8], pin: &Pin) -> Result<String, String> {
    let version = package_version_any(json, pin)?;
    if version != pin.version {
        return Err(format!("its package.json says version {version}, not {}", pin.version));
    }
    Ok(version)
}

/// The version a `package.json` names, whose name must be the pinned package's.
fn package_version_any(json: &[u8], pin: &Pin) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| format!("its package.json is not JSON: {e}"))?;
    let name = value.get("name").and_then(|n| n.as_str()).unwrap_or_default();
    if name != pin.npm {
        return Err(format!("its package.json names `{name}`, not `{}`", pin.npm));
    }
    Ok(value.get("version").and_then(|v| v.as_str()).unwrap_or("unknown").to_string())
}

impl ExtendedLibs for Store {
    fn get(&self, name: &str) -> Result<Arc<ExtendedLib>, Unavailable> {
        if let Some(lib) = self.read.lock().unwrap_or_else(|p| p.into_inner()).get(name) {
            return Ok(lib.clone());
        }
        let pin = self.pin(name).map_err(|e| Unavailable { reason: e.to_string(), hint: None })?;
        let unavailable = |reason: String| Unavailable { reason, hint: Some(pin.hint()) };
        let lib = match self.installed(pin).map_err(|e| unavailable(e.to_string()))? {
            Some(lib) => lib,
            None => {
                let registry = match &self.policy {
                    FetchPolicy::Registry(registry) => registry,
                    FetchPolicy::Never(why) => {
                        return Err(unavailable(format!(
                            "it is not in Capsule's cache ({}), and {why}",
                            self.dir.display()
                        )));
                    }
                };
                if let Some(notice) = &self.on_fetch {
                    notice(pin, &pin.tarball_url(registry));
                }
                let (_, lib) = self.fetch_lib(pin, registry).map_err(|e| {
                    unavailable(format!("it is not in Capsule's cache ({}), and {e}", self.dir.display()))
                })?;
                Arc::new(lib)
            }
        };
        self.read.lock().unwrap_or_else(|p| p.into_inner()).insert(name.to_string(), lib.clone());
        Ok(lib)
    }
}

#[cfg(test)]
mod tests;
