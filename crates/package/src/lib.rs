//! `capsule-package` reads a mini-program package — a directory, or a `.zip` / `.ma` file —
//! under size and safety limits, and builds its normalised [`Manifest`] from either dialect
//! (WeChat's `app.json` or a W3C MiniApp `manifest.json`), checking that every page and
//! component it names exists. It also writes packages back out as deterministic zips.
//!
//! It owns: reading bytes safely (zip slip, bombs, links, duplicates), `project.config.json`
//! (`miniprogramRoot`, `packOptions`), the app id, the size limits, configuration diagnostics
//! with `file:line:col`, and calling the compiler an embedder injects for the languages
//! `setting.useCompilerPlugins` turns on ([`plugins`]). It must not: run or compile code, parse templates or styles, or touch
//! anything outside the package it was given.
//!
//! ```no_run
//! use capsule_package::{LoadOptions, Package};
//! match Package::load("examples/todo", &LoadOptions::default()) {
//!     Ok(package) => println!("{} pages", package.manifest.pages.len()),
//!     Err(error) => eprintln!("{error}"),
//! }
//! ```

pub mod components;
pub mod diagnostic;
pub mod ext;
pub mod extlib;
pub mod files;
pub mod image;
pub mod json;
pub mod limits;
pub mod manifest;
pub mod pack;
pub mod plugins;
pub mod project;
pub mod schema;
pub mod source;
pub mod theme;
pub mod w3c;
pub mod wechat;
mod window;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use diagnostic::{Diagnostic, Diagnostics, Location, Severity, Span};
pub use files::Files;
pub use limits::{Limits, SizeReport, format_size};
pub use manifest::{
    AppId, AppIdSource, Component, ComponentRef, Dialect, Manifest, Page, PageConfig, Permission, Subpackage,
    TabBar, Window,
};
pub use pack::{PackReport, pack};
use project::{PROJECT_CONFIG, PROJECT_PRIVATE_CONFIG, ProjectConfig};
use source::{Entry, Source};

/// `project.config.json` and its private twin are read before anything else is checked.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// How to load a package.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    /// Check it as the platform's tools check an upload (`capsule pack`, `--production`):
    /// problems they refuse only then — the size limits, window and tab-bar values outside
    /// their documented sets — are errors. Otherwise they are warnings, and the package runs
    /// as the platform's simulator runs it.
    pub upload: bool,
    /// Who provides the extended libraries an app asks for (`useExtendedLib`); without one,
    /// an app that asks for one does not load.
    pub extended_libs: Option<std::sync::Arc<dyn extlib::ExtendedLibs>>,
    /// Compiles the TypeScript / Sass / Less sources `setting.useCompilerPlugins` turns on
    /// (see [`plugins`]); without one, those sources are not compiled and a warning says so.
    pub compiler: Option<std::sync::Arc<dyn plugins::SourceCompiler>>,
}

/// A loaded, checked package: its files in memory and its manifest. Immutable once built.
#[derive(Clone, Debug)]
pub struct Package {
    /// The canonical path of the directory or zip it was loaded from.
    pub location: PathBuf,
    /// The mini-program's folder inside the project (`miniprogramRoot`), `""` when it is the
    /// project folder itself.
    pub miniprogram_root: String,
    /// The project name from `project.config.json`, when there is one.
    pub project_name: Option<String>,
    /// The packed files, relative to the mini-program root, and the extended libraries'
    /// files mounted among them (`extended_libs`).
    pub files: Files,
    /// The extended libraries mounted into `files`: never packed, never counted in `sizes`.
    pub extended_libs: Vec<extlib::MountedLib>,
    pub manifest: Manifest,
    pub sizes: SizeReport,
    /// Problems that did not stop the load: warnings, and errors only a page hears
    /// ([`Diagnostic::page_only`]).
    pub warnings: Diagnostics,
    /// `project.config.json` and `project.private.config.json` as they were, so a packed zip
    /// keeps the app id, the root and the pack options.
    project_configs: Vec<(&'static str, Vec<u8>)>,
    /// The files the compiler plugins made, by path (they are in `files` too).
    generated: BTreeMap<String, plugins::Generated>,
}

/// Why a package did not load: every problem found, errors and warnings, in order.
#[derive(Clone, Debug)]
pub struct LoadError {
    pub diagnostics: Diagnostics,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<String> = self.diagnostics.errors().map(ToString::to_string).collect();
        write!(f, "{}", errors.join("\n"))
    }
}

impl std::error::Error for LoadError {}

impl Package {
    /// Loads and checks the package at `path`. All problems found are reported together.
    pub fn load(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Package, LoadError> {
        let mut diags = Diagnostics::default();
        let package = load(path.as_ref(), options, &mut diags);
        if options.upload {
            // The uploader refuses all of it, whatever phones would run.
            for d in diags.0.iter_mut() {
                if d.upload_only {
                    d.severity = Severity::Error;
                }
                d.page_only = false;
            }
        }
        // An error that only its page hears (a component that is not there, a source that
        // did not compile) leaves the app to run: it is kept with the warnings.
        match package {
            Some(mut package) if !diags.stops_the_app() => {
                package.warnings = diags;
                Ok(package)
            }
            _ => Err(LoadError { diagnostics: diags }),
        }
    }

    /// The files the package itself holds: [`Package::files`] without the extended libraries
    /// mounted among them. What is packed.
    pub fn own_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().filter(|(path, _)| !self.extended_libs.iter().any(|lib| lib.holds(path)))
    }

    /// What a compiler plugin made the file at `path` from (`pages/a/a.js` from
    /// `pages/a/a.ts`), `None` for a file the package holds as it is.
    pub fn generated(&self, path: &str) -> Option<&plugins::Generated> {
        self.generated.get(path)
    }

    /// `text` (an error's message or stack) with every `file:line:col` of a generated file
    /// turned into the place in its source (`pages/a/a.ts:12:7`).
    pub fn original_positions(&self, text: &str) -> String {
        plugins::original_positions(&self.generated, text)
    }

    /// `project.config.json` and `project.private.config.json` as they were found, those the
    /// package had.
    pub fn project_configs(&self) -> impl Iterator<Item = (&'static str, &[u8])> {
        self.project_configs.iter().map(|(name, bytes)| (*name, bytes.as_slice()))
    }
}

/// A package as it is sent to a worker process: what cannot be read again from its files.
/// The files travel beside it, and the manifest is read from them again
/// ([`Package::from_sent`]), so nothing but file bytes and these few fields crosses.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Sent {
    pub location: PathBuf,
    pub miniprogram_root: String,
    pub project_name: Option<String>,
    pub app_id: AppId,
    pub extended_libs: Vec<extlib::MountedLib>,
    pub sizes: SizeReport,
    pub generated: BTreeMap<String, plugins::Generated>,
}

impl Package {
    /// What a worker process needs besides [`Package::files`] to make this package again.
    pub fn sent(&self) -> Sent {
        Sent {
            location: self.location.clone(),
            miniprogram_root: self.miniprogram_root.clone(),
            project_name: self.project_name.clone(),
            app_id: self.manifest.app_id.clone(),
            extended_libs: self.extended_libs.clone(),
            sizes: self.sizes.clone(),
            generated: self.generated.clone(),
        }
    }

    /// The package a host sent: its manifest read again from `files` (the files as the host
    /// loaded them: packed, compiled, with extended libraries mounted), so it is the one
    /// the host read. Its problems are the manifest's own (a page-only error is still heard
    /// by its page); what only loading found (sizes, pack rules) stays with the host.
    pub fn from_sent(sent: Sent, files: Files) -> Result<Package, LoadError> {
        let mut diags = Diagnostics::default();
        let manifest = if files.contains(wechat::APP_JSON) {
            wechat::load(&files, sent.app_id.clone(), &mut diags)
        } else {
            w3c::load(&files, sent.app_id.clone(), &mut diags)
        };
        let manifest = manifest.map(|mut manifest| {
            if manifest.dialect == Dialect::WeChat {
                manifest.ext_config = ext::load(&files, &mut diags);
            }
            manifest
        });
        match manifest {
            Some(manifest) if !diags.stops_the_app() => Ok(Package {
                location: sent.location,
                miniprogram_root: sent.miniprogram_root,
                project_name: sent.project_name,
                files,
                extended_libs: sent.extended_libs,
                manifest,
                sizes: sent.sizes,
                warnings: diags,
                project_configs: Vec::new(),
                generated: sent.generated,
            }),
            _ => Err(LoadError { diagnostics: diags }),
        }
    }
}

/// A stable id for a package without a declared one: the same path always gives the same id,
/// and two paths never share one (so never share storage).
///
/// ```
/// use std::path::Path;
/// use capsule_package::path_app_id;
/// let a = path_app_id(Path::new("/srv/apps/todo"));
/// assert_eq!(a, path_app_id(Path::new("/srv/apps/todo")));
/// assert_ne!(a, path_app_id(Path::new("/srv/apps/todo2")));
/// assert!(a.starts_with("local-") && a.len() == 6 + 16);
/// ```
pub fn path_app_id(canonical: &Path) -> String {
    let digest = Sha256::digest(canonical.to_string_lossy().as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("local-{hex}")
}

fn read_json_entry(
    source: &mut Source,
    entries: &[Entry],
    name: &str,
    diags: &mut Diagnostics,
) -> Option<(Vec<u8>, schema::JsonFile)> {
    let entry = entries.iter().find(|e| e.path == name)?;
    // Read before the size limits are checked, so it gets its own small limit.
    if entry.size > MAX_CONFIG_SIZE {
        diags.push(Diagnostic::error(
            name,
            format!(
                "the file is {}, more than the {} a configuration file may be",
                format_size(entry.size),
                format_size(MAX_CONFIG_SIZE)
            ),
        ));
        return None;
    }
    let bytes = match source.read(entry) {
        Ok(b) => b,
        Err(reason) => {
            diags.push(Diagnostic::error(name, format!("cannot read: {reason}")));
            return None;
        }
    };
    let file = schema::parse_json_file(name, &bytes, diags)?;
    Some((bytes, file))
}

fn load(path: &Path, options: &LoadOptions, diags: &mut Diagnostics) -> Option<Package> {
    let limits = &options.limits;
    let (mut source, entries) = Source::open(path, limits, diags)?;
    let location = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let label = source.label();

    let main_config = read_json_entry(&mut source, &entries, PROJECT_CONFIG, diags);
    let private_config = read_json_entry(&mut source, &entries, PROJECT_PRIVATE_CONFIG, diags);
    let project = ProjectConfig::from_files(
        main_config.as_ref().map(|(_, f)| f),
        private_config.as_ref().map(|(_, f)| f),
        diags,
    );

    // What would be packed, relative to the mini-program root.
    let root = &project.miniprogram_root;
    let packed: Vec<(String, &Entry)> = entries
        .iter()
        .filter(|e| e.path != PROJECT_CONFIG && e.path != PROJECT_PRIVATE_CONFIG)
        .filter_map(|e| {
            let rel = if root.is_empty() {
                e.path.as_str()
            } else {
                e.path.strip_prefix(root.as_str())?.strip_prefix('/')?
            };
            project.is_packed(rel).then(|| (rel.to_string(), e))
        })
        .collect();
    if !root.is_empty() && packed.is_empty() {
        let mut d = Diagnostic::error(PROJECT_CONFIG, format!("miniprogramRoot `{root}` holds no files"));
        if let Some((_, file)) = &main_config
            && let Some(v) = file.root.get("miniprogramRoot")
        {
            d = d.at(&file.text, v.span);
        }
        diags.push(d);
        return None;
    }
    let sized: Vec<Entry> = packed.iter().map(|(rel, e)| Entry { path: rel.clone(), size: e.size }).collect();
    if !limits::check_total(&sized, limits, &label, diags) {
        return None;
    }

    let mut files = Files::default();
    for (rel, entry) in &packed {
        match source.read(entry) {
            Ok(bytes) => files.insert(rel.clone(), bytes),
            Err(reason) => {
                diags.push(Diagnostic::error(entry.path.clone(), format!("cannot read: {reason}")))
            }
        }
    }

    // Before the manifest: pages, components and styles then find the generated files.
    let generated = plugins::compile_sources(
        &project.compiler_plugins,
        options.compiler.as_deref(),
        options.upload,
        &mut files,
        diags,
    );
    let extended_libs = if files.contains(wechat::APP_JSON) {
        extlib::mount(&mut files, options.extended_libs.as_deref(), diags)
    } else {
        Vec::new()
    };

    let path_id = AppId { id: path_app_id(&location), source: AppIdSource::PathHash };
    let mut manifest = if files.contains(wechat::APP_JSON) {
        let app_id = match &project.appid {
            Some(id) => AppId { id: id.clone(), source: AppIdSource::ProjectConfig },
            None => path_id,
        };
        wechat::load(&files, app_id, diags)
    } else if files.contains(w3c::MANIFEST_JSON) {
        w3c::load(&files, path_id, diags)
    } else {
        let place = if root.is_empty() { "the package root".to_string() } else { format!("`{root}/`") };
        diags.push(
            Diagnostic::error(label.clone(), format!("no app.json or manifest.json at {place}"))
                .with_hint("a WeChat mini-program has app.json; a W3C MiniApp has manifest.json"),
        );
        None
    }?;
    if manifest.dialect == Dialect::WeChat {
        manifest.ext_config = ext::load(&files, diags);
    }

    let roots: Vec<String> = manifest.subpackages.iter().map(|s| s.root.clone()).collect();
    let sizes = limits::check_parts(&sized, &roots, limits, &label, diags);
    Some(Package {
        location,
        miniprogram_root: project.miniprogram_root.clone(),
        project_name: project.project_name.clone(),
        files,
        extended_libs,
        manifest,
        sizes,
        warnings: Diagnostics::default(),
        project_configs: [(PROJECT_CONFIG, main_config), (PROJECT_PRIVATE_CONFIG, private_config)]
            .into_iter()
            .filter_map(|(name, config)| config.map(|(bytes, _)| (name, bytes)))
            .collect(),
        generated,
    })
}
