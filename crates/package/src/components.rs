//! Resolving `usingComponents` paths to component files, the way the WeChat tools do.
//!
//! A path is absolute from the package root (`/components/card/card`), relative to the file
//! that uses it (`./card`, `../card/card`, or bare `card/card`), or an npm package under some
//! `miniprogram_npm/` folder from the using file's folder up to the root
//! (`@vant/weapp/button/index`, or a folder with an `index` component in it).

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::files::Files;
use crate::json::{Json, Member};
use crate::manifest::{Component, ComponentRef};
use crate::schema::{Checker, JsonFile, parse_json_file};

/// The folder of a package path (`""` at the root).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// Joins `rel` onto `dir`, resolving `.` and `..`; `None` when it climbs out of the package.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Whether a component's files are at `base` (its path without extension).
fn component_at(files: &Files, base: &str) -> bool {
    ["json", "js", "wxml"].iter().any(|ext| files.contains(&format!("{base}.{ext}")))
}

/// Where a usingComponents path leads, or the candidates looked at when it leads nowhere.
pub fn resolve(files: &Files, using_file: &str, path: &str) -> Result<String, Vec<String>> {
    let dir = parent(using_file);
    let mut candidates = Vec::new();
    if let Some(abs) = path.strip_prefix('/') {
        candidates.extend(join("", abs));
    } else {
        candidates.extend(join(dir, path));
        if !path.starts_with('.') {
            let mut up = Some(dir);
            while let Some(d) = up {
                let npm_root =
                    if d.is_empty() { "miniprogram_npm".to_string() } else { format!("{d}/miniprogram_npm") };
                candidates.extend(join(&npm_root, path));
                up = if d.is_empty() { None } else { Some(parent(d)) };
            }
        }
    }
    for base in &candidates {
        if component_at(files, base) {
            return Ok(base.clone());
        }
        let index = format!("{base}/index");
        if component_at(files, &index) {
            return Ok(index);
        }
    }
    Err(candidates)
}

/// One place a component is used from, kept so problems with the component can point there.
#[derive(Clone, Debug)]
pub struct ComponentUse {
    pub path: String,
    pub file: String,
    pub location: Location,
}

/// Reads a `usingComponents` object from `file`, resolving each entry. Every entry that leads
/// nowhere is an error at its value; every one that leads somewhere is added to `uses`.
pub fn read_using_components(
    c: &mut Checker<'_, '_>,
    value: &Json,
    files: &Files,
    uses: &mut Vec<ComponentUse>,
) -> BTreeMap<String, ComponentRef> {
    let mut out = BTreeMap::new();
    let Some(members) = c.object(value, "usingComponents") else { return out };
    for Member { key, value, .. } in members {
        let name = format!("usingComponents.{key}");
        let Some(path) = c.string(value, &name) else { continue };
        if path.starts_with("plugin://") || path.starts_with("plugin-private://") {
            c.warning(
                value.span,
                format!("plugin component `{path}` is not supported; <{key}> will render nothing"),
            );
            out.insert(key.clone(), ComponentRef::Plugin(path));
            continue;
        }
        match resolve(files, &c.file.path, &path) {
            Ok(found) => {
                uses.push(ComponentUse {
                    path: found.clone(),
                    file: c.file.path.clone(),
                    location: Location::of(&c.file.text, value.span),
                });
                out.insert(key.clone(), ComponentRef::Package(found));
            }
            Err(candidates) => {
                let looked = if candidates.is_empty() {
                    "the path leaves the package".to_string()
                } else {
                    format!(
                        "looked for {}",
                        candidates.iter().map(|c| format!("{c}.json")).collect::<Vec<_>>().join(", ")
                    )
                };
                // Only the pages that use it miss it, as on the platform.
                let d = c.error(value.span, format!("component `{path}` used as <{key}> was not found"));
                d.hint = Some(looked);
                d.page_only = true;
                out.insert(key.clone(), ComponentRef::Missing(path));
            }
        }
    }
    out
}

const KEPT_COMPONENT_KEYS: &[&str] =
    &["componentGenerics", "componentPlaceholder", "renderer", "componentFramework", "pureDataPattern"];

/// Loads every component reachable from `uses`, breadth first, each once: its `.json` must
/// say `"component": true`, and its `.js` and `.wxml` must exist. A problem is reported once,
/// at the first place the component is used.
pub fn load_components(files: &Files, uses: Vec<ComponentUse>, diags: &mut Diagnostics) -> Vec<Component> {
    let mut queue: std::collections::VecDeque<ComponentUse> = uses.into();
    let mut loaded: BTreeMap<String, Component> = BTreeMap::new();
    while let Some(used) = queue.pop_front() {
        if loaded.contains_key(&used.path) {
            continue;
        }
        let path = used.path.clone();
        let at_use = |message: String| {
            let mut d = Diagnostic::error(used.file.clone(), message);
            d.location = Some(used.location.clone());
            d
        };
        for ext in ["js", "wxml"] {
            let file = format!("{path}.{ext}");
            if !files.contains(&file) {
                let d = at_use(format!("component `{path}` has no {file}"));
                diags.push(crate::plugins::hint_for_missing(files, &file, d));
            }
        }
        let json_path = format!("{path}.json");
        let mut component = Component {
            path: path.clone(),
            using_components: BTreeMap::new(),
            style_isolation: None,
            extra: BTreeMap::new(),
        };
        let mut nested = Vec::new();
        match files.get(&json_path) {
            None => diags.push(
                at_use(format!("component `{path}` has no {json_path}"))
                    .with_hint("a component's .json must hold {\"component\": true}"),
            ),
            Some(bytes) => {
                if let Some(file) = parse_json_file(&json_path, bytes, diags) {
                    read_component_json(&file, files, &mut component, &mut nested, diags);
                }
            }
        }
        queue.extend(nested);
        loaded.insert(path, component);
    }
    loaded.into_values().collect()
}

fn read_component_json(
    file: &JsonFile,
    files: &Files,
    component: &mut Component,
    uses: &mut Vec<ComponentUse>,
    diags: &mut Diagnostics,
) {
    let mut c = Checker::new(file, diags);
    let Some(members) = c.root_members() else { return };
    let mut declared = false;
    let mut scratch_window = crate::manifest::Window::default();
    for m in members {
        match m.key.as_str() {
            "component" => declared = c.bool(&m.value, "component").unwrap_or(false),
            "usingComponents" => {
                component.using_components = read_using_components(&mut c, &m.value, files, uses)
            }
            "styleIsolation" => {
                component.style_isolation = c.one_of(
                    &m.value,
                    "styleIsolation",
                    &[
                        "isolated",
                        "apply-shared",
                        "shared",
                        "page-isolated",
                        "page-apply-shared",
                        "page-shared",
                    ],
                )
            }
            k if KEPT_COMPONENT_KEYS.contains(&k) => {
                component.extra.insert(k.to_string(), m.value.to_value());
            }
            // A component can also serve as a page, so window keys are at home here.
            k if crate::window::read_window_key(&mut c, k, m, &mut scratch_window) => {}
            _ => c.unknown_key(m, "a component's .json"),
        }
    }
    if !declared {
        c.error(
            file.root.span,
            format!("`{}` is used as a component but does not say \"component\": true", file.path),
        )
        .hint = Some("add \"component\": true to the file".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(paths: &[&str]) -> Files {
        let mut files = Files::default();
        for p in paths {
            files.insert(*p, Vec::new());
        }
        files
    }

    #[test]
    fn joins() {
        assert_eq!(join("pages/index", "../../components/a").as_deref(), Some("components/a"));
        assert_eq!(join("pages", "./a/./b").as_deref(), Some("pages/a/b"));
        assert_eq!(join("pages", "../../a"), None);
    }

    #[test]
    fn resolves_like_the_platform() {
        let f = files(&[
            "components/card/card.json",
            "pages/index/item/item.json",
            "miniprogram_npm/@vant/weapp/button/index.json",
            "pkg/miniprogram_npm/local/index.js",
        ]);
        assert_eq!(
            resolve(&f, "pages/index/index.json", "/components/card/card"),
            Ok("components/card/card".into())
        );
        assert_eq!(
            resolve(&f, "pages/index/index.json", "../../components/card/card"),
            Ok("components/card/card".into())
        );
        assert_eq!(resolve(&f, "pages/index/index.json", "./item/item"), Ok("pages/index/item/item".into()));
        assert_eq!(resolve(&f, "pages/index/index.json", "item/item"), Ok("pages/index/item/item".into()));
        assert_eq!(
            resolve(&f, "pages/index/index.json", "@vant/weapp/button"),
            Ok("miniprogram_npm/@vant/weapp/button/index".into())
        );
        assert_eq!(resolve(&f, "pkg/pages/a.json", "local"), Ok("pkg/miniprogram_npm/local/index".into()));
        assert_eq!(
            resolve(&f, "app.json", "nothing"),
            Err(vec!["nothing".to_string(), "miniprogram_npm/nothing".to_string()])
        );
        assert_eq!(resolve(&f, "app.json", "../x"), Err(vec![]));
    }
}
