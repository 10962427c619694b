//! The W3C MiniApp dialect: `manifest.json` per the MiniApp Manifest and Packaging drafts,
//! mapped to a [`Manifest`]. A page is `pages/x/x.html` with optional `.css` and `.js` of the
//! same basename; `app.js`, `app.css` and `pages/` must exist at the root.

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics, Span};
use crate::files::Files;
use crate::json::Json;
use crate::manifest::{
    AppId, AppIdSource, Dialect, Icon, Manifest, NetworkTimeout, Page, PageConfig, Permission,
    PlatformVersion, Version, Window,
};
use crate::schema::{Checker, JsonFile, parse_json_file};
use crate::window::{read_window_key, w3c_window_key};

pub const MANIFEST_JSON: &str = "manifest.json";

/// Manifest members the drafts define that Capsule keeps without interpreting yet.
const KEPT_KEYS: &[&str] = &["description", "color_scheme", "device_type", "widgets", "theme_color"];

/// Builds the manifest from `manifest.json`. `fallback_id` is used only when the file is
/// missing its required `app_id` (an error is reported anyway), so later checks still run.
pub fn read_manifest(
    file: &JsonFile,
    files: &Files,
    fallback_id: AppId,
    diags: &mut Diagnostics,
) -> Option<Manifest> {
    let mut c = Checker::new(file, diags);
    let members = c.root_members()?;
    let mut manifest = Manifest {
        dialect: Dialect::W3c,
        app_id: fallback_id,
        name: None,
        short_name: None,
        version: None,
        entry_page: String::new(),
        pages: Vec::new(),
        window: Window::default(),
        tab_bar: None,
        subpackages: Vec::new(),
        preload_rule: BTreeMap::new(),
        using_components: BTreeMap::new(),
        components: Vec::new(),
        permissions: Vec::new(),
        required_private_infos: Vec::new(),
        required_background_modes: Vec::new(),
        network_timeout: NetworkTimeout::default(),
        style: None,
        sitemap_location: None,
        lazy_code_loading: None,
        platform_version: None,
        icons: Vec::new(),
        lang: None,
        dir: None,
        extra: BTreeMap::new(),
        darkmode: false,
        theme: None,
        ext_config: None,
    };
    let mut page_entries: Vec<(String, Span)> = Vec::new();
    let mut present = Vec::new();
    for m in members {
        let v = &m.value;
        present.push(m.key.as_str());
        match m.key.as_str() {
            "app_id" => {
                if let Some(id) = c.string(v, "app_id") {
                    if id.trim().is_empty() {
                        c.error(v.span, "\"app_id\" must not be empty");
                    } else {
                        manifest.app_id = AppId { id, source: AppIdSource::Manifest };
                    }
                }
            }
            "name" => manifest.name = c.string(v, "name"),
            "short_name" => manifest.short_name = c.string(v, "short_name"),
            "version" => manifest.version = version(&mut c, v),
            "pages" => page_entries = c.strings(v, "pages").unwrap_or_default(),
            "window" => {
                let Some(window) = c.object(v, "window") else { continue };
                for wm in window {
                    let known = w3c_window_key(&wm.key)
                        .is_some_and(|key| read_window_key(&mut c, key, wm, &mut manifest.window));
                    if !known {
                        c.unknown_key(wm, "window");
                    }
                }
            }
            "req_permissions" => manifest.permissions = req_permissions(&mut c, v),
            "platform_version" => manifest.platform_version = platform_version(&mut c, v),
            "icons" => manifest.icons = icons(&mut c, v, files),
            "dir" => manifest.dir = c.one_of(v, "dir", &["ltr", "rtl", "auto"]),
            "lang" => manifest.lang = c.string(v, "lang"),
            k if KEPT_KEYS.contains(&k) => {
                manifest.extra.insert(k.to_string(), v.to_value());
            }
            _ => c.unknown_key(m, "manifest.json"),
        }
    }
    for required in ["app_id", "icons", "name", "pages", "platform_version", "version"] {
        if !present.contains(&required) {
            c.error(file.root.span, format!("manifest.json has no \"{required}\", which is required"));
        }
    }

    for (entry, span) in page_entries {
        if entry.contains("://") {
            c.warning(span, format!("external page `{entry}` is ignored; pages must be inside the package"));
            continue;
        }
        let route = crate::project::normalize_relative(entry.strip_suffix(".html").unwrap_or(&entry));
        if route.split('/').any(|p| p == "..") || route.is_empty() {
            c.error(span, format!("page path `{entry}` must name a page inside the package"));
            continue;
        }
        let html = format!("{route}.html");
        if !files.contains(&html) {
            c.error(span, format!("page `{route}` has no {html}"));
        }
        if manifest.page(&route).is_some() {
            c.warning(span, format!("page `{route}` is listed more than once"));
            continue;
        }
        manifest.pages.push(Page { route, subpackage: None, config: PageConfig::default() });
    }
    if manifest.pages.is_empty() && present.contains(&"pages") {
        let span = file.root.get("pages").map_or(file.root.span, |p| p.span);
        c.error(span, "\"pages\" must list at least one page inside the package");
    }
    manifest.entry_page = manifest.pages.first().map(|p| p.route.clone()).unwrap_or_default();

    for required in ["app.js", "app.css"] {
        if !files.contains(required) {
            c.diags
                .push(Diagnostic::error(required, "missing; a W3C MiniApp package must have it at its root"));
        }
    }
    if !files.has_dir("pages") {
        c.diags.push(Diagnostic::error("pages/", "missing; a W3C MiniApp package keeps its pages there"));
    }
    Some(manifest)
}

fn version(c: &mut Checker<'_, '_>, v: &Json) -> Option<Version> {
    let members = c.object(v, "version")?;
    let (mut name, mut code) = (None, None);
    for m in members {
        match m.key.as_str() {
            "name" => name = c.string(&m.value, "version.name"),
            "code" => code = c.count(&m.value, "version.code"),
            _ => c.unknown_key(m, "version"),
        }
    }
    for (missing, key) in [(name.is_none(), "name"), (code.is_none(), "code")] {
        if missing && v.get(key).is_none() {
            c.error(v.span, format!("\"version\" has no \"{key}\", which is required"));
        }
    }
    Some(Version { name: name?, code: code? })
}

fn platform_version(c: &mut Checker<'_, '_>, v: &Json) -> Option<PlatformVersion> {
    let members = c.object(v, "platform_version")?;
    let mut min_code = None;
    let mut out = PlatformVersion { min_code: 0, target_code: None, release_type: None };
    for m in members {
        let key = format!("platform_version.{}", m.key);
        match m.key.as_str() {
            "min_code" => min_code = c.count(&m.value, &key),
            "target_code" => out.target_code = c.count(&m.value, &key),
            "release_type" => out.release_type = c.string(&m.value, &key),
            _ => c.unknown_key(m, "platform_version"),
        }
    }
    if min_code.is_none() && v.get("min_code").is_none() {
        c.error(v.span, "\"platform_version\" has no \"min_code\", which is required");
    }
    if let (Some(min), Some(target)) = (min_code, out.target_code)
        && target < min
    {
        let span = v.get("target_code").map_or(v.span, |t| t.span);
        c.error(span, format!("\"platform_version.target_code\" ({target}) is below min_code ({min})"));
    }
    out.min_code = min_code?;
    Some(out)
}

fn icons(c: &mut Checker<'_, '_>, v: &Json, files: &Files) -> Vec<Icon> {
    let mut out = Vec::new();
    let Some(items) = c.array(v, "icons") else { return out };
    if items.is_empty() {
        c.error(v.span, "\"icons\" must list at least one icon");
    }
    for (i, item) in items.iter().enumerate() {
        let name = format!("icons[{i}]");
        let Some(fields) = c.object(item, &name) else { continue };
        let (mut src, mut sizes) = (None, None);
        for f in fields {
            let key = format!("{name}.{}", f.key);
            match f.key.as_str() {
                "src" => {
                    if let Some(path) = c.string(&f.value, &key) {
                        let path = crate::project::normalize_relative(&path);
                        if !files.contains(&path) {
                            c.error(f.value.span, format!("icon `{path}` does not exist"));
                        }
                        src = Some(path);
                    }
                }
                "sizes" => sizes = c.string(&f.value, &key),
                "label" | "type" => {}
                _ => c.unknown_key(f, &name),
            }
        }
        match src {
            Some(src) => out.push(Icon { src, sizes }),
            None if item.get("src").is_none() => {
                c.error(item.span, format!("\"{name}\" has no \"src\", which is required"));
            }
            None => {}
        }
    }
    out
}

fn req_permissions(c: &mut Checker<'_, '_>, v: &Json) -> Vec<Permission> {
    let mut out = Vec::new();
    let Some(items) = c.array(v, "req_permissions") else { return out };
    for (i, item) in items.iter().enumerate() {
        let name = format!("req_permissions[{i}]");
        let Some(fields) = c.object(item, &name) else { continue };
        let (mut scope, mut reason) = (None, None);
        for f in fields {
            let key = format!("{name}.{}", f.key);
            match f.key.as_str() {
                "name" => scope = c.string(&f.value, &key),
                "reason" => reason = c.string(&f.value, &key),
                _ => c.unknown_key(f, &name),
            }
        }
        match scope {
            Some(scope) => out.push(Permission { scope, desc: reason.unwrap_or_default() }),
            None => {
                c.error(item.span, format!("\"{name}\" has no \"name\""));
            }
        }
    }
    out
}

/// Reads `manifest.json` from `files` and builds the manifest.
pub fn load(files: &Files, fallback_id: AppId, diags: &mut Diagnostics) -> Option<Manifest> {
    let bytes = files.get(MANIFEST_JSON)?;
    let file = parse_json_file(MANIFEST_JSON, bytes, diags)?;
    read_manifest(&file, files, fallback_id, diags)
}
