//! Extended libraries: component libraries the platform provides to the apps that ask for them
//! in `app.json` (`"useExtendedLib": { "weui": true }`), without their files being in the
//! package or counting towards its size.
//!
//! This crate never fetches or reads one: the loader asks the [`ExtendedLibs`] provider in
//! [`crate::LoadOptions`] for each library the app asks for, and mounts its files into the
//! package's [`Files`] under `miniprogram_npm/<npm name>/` — where a `usingComponents` path
//! such as `weui-miniprogram/dialog/dialog` finds an npm package, and where the library's own
//! relative requires (`../_commons/0.js`), `<wxs src>` and style imports resolve. The mounted
//! files are never packed ([`crate::pack`]) and never count towards the size limits.
//!
//! An app that packs its own `miniprogram_npm/<npm name>/` keeps it: the library is not
//! mounted over it (a warning says so), so two versions are never mixed file by file.

use std::fmt;
use std::sync::Arc;

use crate::diagnostic::Diagnostics;
use crate::files::Files;
use crate::schema::{Checker, parse_json_file};
use crate::wechat::APP_JSON;

/// Where extended libraries are mounted, as npm packages are.
pub const MOUNT_DIR: &str = "miniprogram_npm";

/// The libraries Capsule provides: the `useExtendedLib` key and the npm package whose
/// `miniprogram_dist` the platform's tools use for it.
pub const KNOWN: &[(&str, &str)] = &[("weui", "weui-miniprogram")];

/// Libraries the platform has that Capsule does not provide.
const NOT_PROVIDED: &[&str] = &["kbone"];

/// A library's files, read and checked by whoever provides it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtendedLib {
    /// Its `useExtendedLib` key (`weui`).
    pub name: String,
    /// The npm package (`weui-miniprogram`).
    pub npm: String,
    pub version: String,
    /// The package's `miniprogram_dist`, relative to that folder.
    pub files: Files,
}

/// Why a library cannot be had, and what a person can do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable {
    pub reason: String,
    pub hint: Option<String>,
}

/// Gives the loader the libraries an app asks for. The host implements it (a cache on disk,
/// a folder the user names); the loader never touches anything outside the package itself.
pub trait ExtendedLibs: fmt::Debug + Send + Sync {
    /// The library `name` (a key of [`KNOWN`]).
    fn get(&self, name: &str) -> Result<Arc<ExtendedLib>, Unavailable>;
}

/// A library mounted into a package.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MountedLib {
    pub name: String,
    pub npm: String,
    pub version: String,
    /// The folder it is mounted at (`miniprogram_npm/weui-miniprogram`).
    pub root: String,
}

impl MountedLib {
    /// Whether the package path `path` is one of this library's files.
    pub fn holds(&self, path: &str) -> bool {
        path.strip_prefix(&self.root).is_some_and(|rest| rest.starts_with('/'))
    }
}

/// Reads `useExtendedLib` from `app.json` and mounts each library asked for into `files`.
/// Problems with `app.json` itself are left to the manifest reader, which reports them.
pub fn mount(
    files: &mut Files,
    provider: Option<&dyn ExtendedLibs>,
    diags: &mut Diagnostics,
) -> Vec<MountedLib> {
    let mut mounted = Vec::new();
    let Some(bytes) = files.get(APP_JSON) else { return mounted };
    let Some(app) = parse_json_file(APP_JSON, bytes, &mut Diagnostics::default()) else { return mounted };
    let Some(value) = app.root.get("useExtendedLib") else { return mounted };
    let mut c = Checker::new(&app, diags);
    let Some(members) = c.object(value, "useExtendedLib") else { return mounted };
    for m in members {
        let name = m.key.as_str();
        if !c.bool(&m.value, &format!("useExtendedLib.{name}")).unwrap_or(false) {
            continue;
        }
        let Some(&(_, npm)) = KNOWN.iter().find(|(known, _)| *known == name) else {
            let message = if NOT_PROVIDED.contains(&name) {
                format!("the extended library `{name}` is not provided by Capsule")
            } else {
                format!("unknown extended library `{name}`")
            };
            c.warning(m.value.span, message).hint = Some(format!(
                "Capsule provides {}",
                KNOWN.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            ));
            continue;
        };
        let root = format!("{MOUNT_DIR}/{npm}");
        if files.has_dir(&root) {
            c.warning(
                m.value.span,
                format!("the app packs its own `{root}/`, used instead of the extended library `{name}`"),
            )
            .hint = Some(format!("remove `{root}/` to use the library the platform provides"));
            continue;
        }
        let lib = match provider.ok_or_else(|| Unavailable {
            reason: "this host provides no extended libraries".to_string(),
            hint: None,
        }) {
            Ok(provider) => provider.get(name),
            Err(e) => Err(e),
        };
        match lib {
            Ok(lib) => {
                for (path, bytes) in lib.files.iter() {
                    files.insert(format!("{root}/{path}"), bytes.to_vec());
                }
                mounted.push(MountedLib {
                    name: name.to_string(),
                    npm: npm.to_string(),
                    version: lib.version.clone(),
                    root,
                });
            }
            Err(Unavailable { reason, hint }) => {
                c.error(
                    m.value.span,
                    format!("the extended library `{name}` ({npm}) is not available: {reason}"),
                )
                .hint = hint;
            }
        }
    }
    mounted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Fixed(Result<Arc<ExtendedLib>, Unavailable>);

    impl ExtendedLibs for Fixed {
        fn get(&self, _: &str) -> Result<Arc<ExtendedLib>, Unavailable> {
            self.0.clone()
        }
    }

    fn lib() -> Arc<ExtendedLib> {
        let mut files = Files::default();
        files.insert("dialog/dialog.js", b"Component({})".to_vec());
        Arc::new(ExtendedLib {
            name: "weui".into(),
            npm: "weui-miniprogram".into(),
            version: "1.0.0".into(),
            files,
        })
    }

    fn app(json: &str) -> Files {
        let mut files = Files::default();
        files.insert(APP_JSON, json.as_bytes().to_vec());
        files
    }

    #[test]
    fn mounts_a_library_asked_for_under_miniprogram_npm() {
        let mut files = app(r#"{"useExtendedLib": {"weui": true}}"#);
        let mut diags = Diagnostics::default();
        let mounted = mount(&mut files, Some(&Fixed(Ok(lib()))), &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert!(files.contains("miniprogram_npm/weui-miniprogram/dialog/dialog.js"));
        assert_eq!(mounted[0].root, "miniprogram_npm/weui-miniprogram");
        assert!(mounted[0].holds("miniprogram_npm/weui-miniprogram/dialog/dialog.js"));
        assert!(!mounted[0].holds("miniprogram_npm/weui-miniprogram-x/a.js"));
    }

    #[test]
    fn false_or_absent_mounts_nothing_and_asks_nobody() {
        for json in [r#"{"useExtendedLib": {"weui": false}}"#, r#"{"pages": []}"#] {
            let mut files = app(json);
            let mut diags = Diagnostics::default();
            let none = Fixed(Err(Unavailable { reason: "asked".into(), hint: None }));
            assert!(mount(&mut files, Some(&none), &mut diags).is_empty());
            assert!(diags.is_empty(), "{diags:?}");
            assert_eq!(files.len(), 1);
        }
    }

    #[test]
    fn an_unavailable_library_is_an_error_at_the_key_with_the_providers_hint() {
        let mut files = app("{\"useExtendedLib\": {\"weui\": true}}");
        let mut diags = Diagnostics::default();
        let gone =
            Fixed(Err(Unavailable { reason: "not in the cache".into(), hint: Some("run this".into()) }));
        mount(&mut files, Some(&gone), &mut diags);
        let d = diags.errors().next().expect("an error");
        assert_eq!(
            d.message,
            "the extended library `weui` (weui-miniprogram) is not available: not in the cache"
        );
        assert_eq!(d.hint.as_deref(), Some("run this"));
        assert_eq!(d.position(), "app.json:1:29");
        mount(&mut app(r#"{"useExtendedLib": {"weui": true}}"#), None, &mut diags);
        assert!(diags.errors().nth(1).unwrap().message.ends_with("this host provides no extended libraries"));
    }

    #[test]
    fn the_apps_own_copy_wins_and_bad_values_are_reported() {
        let mut files = app(r#"{"useExtendedLib": {"weui": true, "kbone": true, "other": true, "x": 1}}"#);
        files.insert("miniprogram_npm/weui-miniprogram/dialog/dialog.js", b"// mine".to_vec());
        let mut diags = Diagnostics::default();
        assert!(mount(&mut files, Some(&Fixed(Ok(lib()))), &mut diags).is_empty());
        assert_eq!(files.text("miniprogram_npm/weui-miniprogram/dialog/dialog.js"), Some("// mine"));
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the app packs its own `miniprogram_npm/weui-miniprogram/`, used instead of the extended library `weui`",
                "the extended library `kbone` is not provided by Capsule",
                "unknown extended library `other`",
                "\"useExtendedLib.x\" must be a boolean, found number",
            ]
        );
    }
}
