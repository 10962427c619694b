//! The WeChat dialect: `app.json` and each page's `.json`, mapped to a [`Manifest`].

use std::collections::{BTreeMap, HashSet};

use crate::components::{ComponentUse, load_components, read_using_components};
use crate::diagnostic::{Diagnostic, Diagnostics, Span};
use crate::files::Files;
use crate::json::Json;
use crate::manifest::{
    AppId, Dialect, Manifest, NetworkTimeout, Page, PageConfig, Permission, PreloadRule, Subpackage, TabBar,
    TabBarItem, Window,
};
use crate::schema::{Checker, JsonFile, parse_json_file};
use crate::theme::Theme;
use crate::window::{choice, color, read_window_key};

pub const APP_JSON: &str = "app.json";

/// `app.json` keys the platform has that Capsule keeps as they are, without warning.
const KEPT_APP_KEYS: &[&str] = &[
    "debug",
    "functionalPages",
    "workers",
    "plugins",
    "resizable",
    "usingShopPlugin",
    "embeddedAppIdList",
    "navigateToMiniProgramAppIdList",
    "renderer",
    "rendererOptions",
    "componentFramework",
    "useExtendedLib",
    "entranceDeclare",
    "supportedMaterials",
    "serviceProviderTicket",
    "halfPage",
    "debugOptions",
    "enablePassiveEvent",
    "resolveAlias",
    "chatTools",
    "convertRpxToVw",
    "appBar",
    "componentPlaceholder",
    "singlePage",
    "static",
    "miniApp",
    "restartStrategy",
];

/// Scopes a `permission` entry may name.
const KNOWN_SCOPES: &[&str] = &[
    "scope.userLocation",
    "scope.userFuzzyLocation",
    "scope.userLocationBackground",
    "scope.record",
    "scope.camera",
    "scope.bluetooth",
    "scope.writePhotosAlbum",
    "scope.addPhoneContact",
    "scope.addPhoneCalendar",
    "scope.werun",
    "scope.address",
    "scope.invoiceTitle",
    "scope.invoice",
    "scope.userInfo",
];

const KNOWN_PRIVATE_INFOS: &[&str] = &[
    "getFuzzyLocation",
    "getLocation",
    "onLocationChange",
    "startLocationUpdate",
    "startLocationUpdateBackground",
    "chooseAddress",
    "chooseLocation",
    "choosePoi",
];

/// A route with the span of the string that named it, for pointing back at it.
struct RouteAt {
    route: String,
    span: Span,
}

/// Builds the manifest from `app.json` and the page and component files it leads to. Returns
/// `None` only when the file is too broken to say what the pages are.
pub fn read_manifest(
    app: &JsonFile,
    files: &Files,
    app_id: AppId,
    diags: &mut Diagnostics,
) -> Option<Manifest> {
    let (darkmode, theme) = crate::theme::read_app_theme(app, files, diags);
    let mut c = Checker::new(app, diags).with_theme(theme.as_ref());
    let members = c.root_members()?;
    let mut manifest = Manifest {
        dialect: Dialect::WeChat,
        app_id,
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
    let mut main_pages: Option<Vec<RouteAt>> = None;
    let mut sub_pages: Vec<(usize, Vec<RouteAt>)> = Vec::new();
    let mut entry: Option<RouteAt> = None;
    let mut tab_bar_json: Option<&Json> = None;
    let mut preload_json: Option<&Json> = None;
    let mut private_info_spans = Vec::new();
    let mut pages_span = app.root.span;
    let mut uses: Vec<ComponentUse> = Vec::new();

    for m in members {
        let v = &m.value;
        match m.key.as_str() {
            "pages" => {
                pages_span = v.span;
                main_pages = c.strings(v, "pages").map(|pages| routes(&mut c, pages, "pages"));
            }
            "entryPagePath" => {
                entry = c
                    .string(v, "entryPagePath")
                    .map(|route| RouteAt { route: normalize_route(&route), span: v.span })
            }
            "window" => {
                let Some(window) = c.object(v, "window") else { continue };
                for wm in window {
                    if !read_window_key(&mut c, &wm.key, wm, &mut manifest.window) {
                        c.unknown_key(wm, "window");
                    }
                }
            }
            "tabBar" => tab_bar_json = Some(v),
            "subpackages" | "subPackages" => {
                let Some(items) = c.array(v, &m.key) else { continue };
                for (i, item) in items.iter().enumerate() {
                    if let Some((sub, pages)) = subpackage(&mut c, item, &format!("{}[{i}]", m.key), files) {
                        sub_pages.push((manifest.subpackages.len(), pages));
                        manifest.subpackages.push(sub);
                    }
                }
            }
            "preloadRule" => preload_json = Some(v),
            "usingComponents" => {
                manifest.using_components = read_using_components(&mut c, v, files, &mut uses)
            }
            "permission" => manifest.permissions = c.softly(|c| permissions(c, v)),
            "requiredBackgroundModes" => {
                for (mode, span) in c.strings(v, "requiredBackgroundModes").unwrap_or_default() {
                    if !matches!(mode.as_str(), "audio" | "location") {
                        c.warning(
                            span,
                            format!("unknown background mode \"{mode}\" in requiredBackgroundModes"),
                        );
                    }
                    manifest.required_background_modes.push(mode);
                }
            }
            "requiredPrivateInfos" => {
                for (info, span) in c.strings(v, "requiredPrivateInfos").unwrap_or_default() {
                    if !KNOWN_PRIVATE_INFOS.contains(&info.as_str()) {
                        c.warning(span, format!("unknown private info \"{info}\" in requiredPrivateInfos"));
                    }
                    private_info_spans.push(span);
                    manifest.required_private_infos.push(info);
                }
                let infos = &manifest.required_private_infos;
                if infos.iter().any(|i| i == "getFuzzyLocation") && infos.iter().any(|i| i == "getLocation") {
                    c.error(
                        v.span,
                        "\"requiredPrivateInfos\" may not declare both getFuzzyLocation and getLocation",
                    );
                }
            }
            "networkTimeout" => c.softly(|c| {
                let Some(timeouts) = c.object(v, "networkTimeout") else { return };
                for t in timeouts {
                    let name = format!("networkTimeout.{}", t.key);
                    let slot = match t.key.as_str() {
                        "request" => &mut manifest.network_timeout.request,
                        "connectSocket" => &mut manifest.network_timeout.connect_socket,
                        "uploadFile" => &mut manifest.network_timeout.upload_file,
                        "downloadFile" => &mut manifest.network_timeout.download_file,
                        _ => {
                            c.unknown_key(t, "networkTimeout");
                            continue;
                        }
                    };
                    if let Some(ms) = c.count(&t.value, &name) {
                        *slot = ms;
                    }
                }
            }),
            "style" => manifest.style = c.softly(|c| c.one_of(v, "style", &["v2"])),
            "sitemapLocation" => c.softly(|c| {
                if let Some(path) = c.string(v, "sitemapLocation") {
                    let path = crate::project::normalize_relative(&path);
                    if !files.contains(&path) {
                        c.error(v.span, format!("sitemap file `{path}` does not exist"));
                    }
                    manifest.sitemap_location = Some(path);
                }
            }),
            "lazyCodeLoading" => {
                manifest.lazy_code_loading =
                    c.softly(|c| c.one_of(v, "lazyCodeLoading", &["requiredComponents"]))
            }
            // Read with the theme file, before the rest.
            "darkmode" | "themeLocation" => {}
            k if KEPT_APP_KEYS.contains(&k) => {
                manifest.extra.insert(k.to_string(), v.to_value());
            }
            _ => c.unknown_key(m, "app.json"),
        }
    }

    let main_pages = match main_pages {
        Some(pages) if !pages.is_empty() => pages,
        Some(_) => {
            c.error(pages_span, "\"pages\" must list at least one page");
            return None;
        }
        None => {
            if members.iter().all(|m| m.key != "pages") {
                c.error(app.root.span, "app.json has no \"pages\"").hint =
                    Some("add \"pages\": [\"pages/index/index\"]".to_string());
            }
            return None;
        }
    };

    // Every route once; subpackage routes may not repeat main ones.
    let mut seen = HashSet::new();
    for RouteAt { route, span } in main_pages.iter().chain(sub_pages.iter().flat_map(|(_, p)| p)) {
        if !seen.insert(route.clone()) {
            c.warning(*span, format!("page `{route}` is listed more than once"));
        }
    }
    check_subpackage_roots(&mut c, &manifest.subpackages, &sub_pages, &main_pages);

    // Page files and configs.
    let mut pages = Vec::new();
    let mut done = HashSet::new();
    let all = main_pages
        .iter()
        .map(|p| (p, None))
        .chain(sub_pages.iter().flat_map(|(i, ps)| ps.iter().map(move |p| (p, Some(*i)))));
    for (RouteAt { route, span }, sub) in all {
        if !done.insert(route.clone()) {
            continue;
        }
        for ext in ["wxml", "js"] {
            let file = format!("{route}.{ext}");
            if !files.contains(&file) {
                let d = c.error(*span, format!("page `{route}` has no {file}"));
                crate::plugins::hint_missing(files, &file, d);
            }
        }
        let subpackage = sub.map(|i| manifest.subpackages[i].root.clone());
        pages.push(Page { route: route.clone(), subpackage, config: PageConfig::default() });
    }
    for page in &mut pages {
        let json_path = format!("{}.json", page.route);
        if let Some(bytes) = files.get(&json_path)
            && let Some(file) = parse_json_file(&json_path, bytes, diags)
        {
            page.config = page_config(&file, files, theme.as_ref(), &mut uses, diags);
        }
    }
    manifest.pages = pages;

    let mut c = Checker::new(app, diags).with_theme(theme.as_ref());
    manifest.entry_page = match entry {
        Some(RouteAt { route, span }) => {
            if manifest.page(&route).is_none() {
                c.error(span, format!("entry page `{route}` is not in \"pages\""));
            }
            route
        }
        None => main_pages[0].route.clone(),
    };
    if let Some(v) = tab_bar_json {
        manifest.tab_bar = tab_bar(&mut c, v, files, &manifest);
    }
    if let Some(v) = preload_json {
        // A rule naming what is not there preloads nothing on phones.
        manifest.preload_rule = c.softly(|c| preload_rules(c, v, &manifest));
    }

    manifest.components = load_components(files, uses, diags);
    manifest.darkmode = darkmode;
    manifest.theme = theme;
    Some(manifest)
}

/// `/pages/a/a` and `pages/a/a` name the same page; the platform's own form has no slash.
fn normalize_route(route: &str) -> String {
    route.trim_start_matches('/').to_string()
}

fn routes(c: &mut Checker<'_, '_>, pages: Vec<(String, Span)>, name: &str) -> Vec<RouteAt> {
    let mut out = Vec::new();
    for (route, span) in pages {
        if route.is_empty() {
            c.error(span, format!("\"{name}\" has an empty page path"));
            continue;
        }
        if let Some(ext) = [".js", ".wxml", ".json", ".wxss"].iter().find(|e| route.ends_with(*e)) {
            c.error(span, format!("page path `{route}` must not end in {ext}")).hint =
                Some(format!("write \"{}\"", route.trim_end_matches(ext)));
            continue;
        }
        if route.split('/').any(|p| p == ".." || p == ".") {
            c.error(span, format!("page path `{route}` must not contain `.` or `..`"));
            continue;
        }
        out.push(RouteAt { route: normalize_route(&route), span });
    }
    out
}

fn subpackage(
    c: &mut Checker<'_, '_>,
    item: &Json,
    name: &str,
    files: &Files,
) -> Option<(Subpackage, Vec<RouteAt>)> {
    let members = c.object(item, name)?;
    let mut root = None;
    let mut sub_name = None;
    let mut pages = Vec::new();
    let mut independent = false;
    for m in members {
        let key = format!("{name}.{}", m.key);
        match m.key.as_str() {
            "root" => {
                if let Some(r) = c.string(&m.value, &key) {
                    let r = crate::project::normalize_relative(&r);
                    if r.is_empty() || r.split('/').any(|p| p == "..") {
                        c.error(m.value.span, format!("\"{key}\" must name a folder inside the package"));
                    } else {
                        if !files.has_dir(&r) {
                            c.error(m.value.span, format!("subpackage root `{r}` does not exist"));
                        }
                        root = Some((r, m.value.span));
                    }
                }
            }
            "name" => sub_name = c.string(&m.value, &key),
            "pages" => pages = c.strings(&m.value, &key).unwrap_or_default(),
            "independent" => independent = c.bool(&m.value, &key).unwrap_or(false),
            "plugins" | "entry" => {}
            _ => c.unknown_key(m, name),
        }
    }
    let Some((root, _)) = root else {
        c.error(item.span, format!("\"{name}\" has no \"root\""));
        return None;
    };
    if pages.is_empty() {
        c.warning(item.span, format!("subpackage `{root}` lists no pages"));
    }
    let routes = routes(c, pages, &format!("{name}.pages"))
        .into_iter()
        .map(|r| RouteAt { route: format!("{root}/{}", r.route), span: r.span })
        .collect::<Vec<_>>();
    let sub = Subpackage {
        root,
        name: sub_name,
        pages: routes.iter().map(|r| r.route.clone()).collect(),
        independent,
    };
    Some((sub, routes))
}

fn check_subpackage_roots(
    c: &mut Checker<'_, '_>,
    subs: &[Subpackage],
    sub_pages: &[(usize, Vec<RouteAt>)],
    main_pages: &[RouteAt],
) {
    let inside = |path: &str, root: &str| path.strip_prefix(root).is_some_and(|r| r.starts_with('/'));
    for (i, a) in subs.iter().enumerate() {
        for b in &subs[..i] {
            if a.root == b.root || inside(&a.root, &b.root) || inside(&b.root, &a.root) {
                let span =
                    sub_pages.iter().find(|(j, _)| *j == i).and_then(|(_, p)| p.first()).map(|p| p.span);
                c.error(
                    span.unwrap_or(c.file.root.span),
                    format!("subpackage roots `{}` and `{}` overlap", b.root, a.root),
                );
            }
        }
    }
    for page in main_pages {
        if let Some(sub) = subs.iter().find(|s| inside(&page.route, &s.root)) {
            c.error(
                page.span,
                format!(
                    "page `{}` of the main package lies inside subpackage root `{}`",
                    page.route, sub.root
                ),
            );
        }
    }
    let mut names = HashSet::new();
    for sub in subs {
        if let Some(name) = &sub.name
            && !names.insert(name.clone())
        {
            c.error(c.file.root.span, format!("two subpackages are named `{name}`"));
        }
    }
}

fn permissions(c: &mut Checker<'_, '_>, v: &Json) -> Vec<Permission> {
    let mut out = Vec::new();
    let Some(members) = c.object(v, "permission") else { return out };
    for m in members {
        let name = format!("permission.{}", m.key);
        if !KNOWN_SCOPES.contains(&m.key.as_str()) {
            c.warning(m.key_span, format!("unknown scope \"{}\" in permission", m.key));
        }
        let Some(fields) = c.object(&m.value, &name) else { continue };
        let mut desc = None;
        for f in fields {
            match f.key.as_str() {
                "desc" => desc = c.string(&f.value, &format!("{name}.desc")),
                _ => c.unknown_key(f, &name),
            }
        }
        match desc {
            Some(desc) if !desc.trim().is_empty() => out.push(Permission { scope: m.key.clone(), desc }),
            _ => {
                c.error(m.value.span, format!("\"{name}\" needs a \"desc\" telling the user why")).hint =
                    Some("the text is shown when the app asks for the permission".to_string());
            }
        }
    }
    out
}

/// Keys of a page's `.json` besides the window keys.
const KEPT_PAGE_KEYS: &[&str] = &["componentPlaceholder", "componentGenerics", "styleIsolation", "style"];

fn page_config(
    file: &JsonFile,
    files: &Files,
    theme: Option<&Theme>,
    uses: &mut Vec<ComponentUse>,
    diags: &mut Diagnostics,
) -> PageConfig {
    let mut config = PageConfig::default();
    let mut c = Checker::new(file, diags).with_theme(theme);
    let Some(members) = c.root_members() else { return config };
    for m in members {
        match m.key.as_str() {
            "usingComponents" => {
                config.using_components = read_using_components(&mut c, &m.value, files, uses)
            }
            "component" => config.component = c.bool(&m.value, "component").unwrap_or(false),
            k if read_window_key(&mut c, k, m, &mut config.window) => {}
            k if KEPT_PAGE_KEYS.contains(&k) => {
                config.window.extra.insert(k.to_string(), m.value.to_value());
            }
            // Pages written before page configs were flat kept window keys under "window".
            "window" => {
                c.warning(
                    m.key_span,
                    "a page's .json takes window keys at the top level, not under \"window\"",
                );
            }
            _ => c.unknown_key(m, "a page's .json"),
        }
    }
    config
}

fn tab_bar(c: &mut Checker<'_, '_>, v: &Json, files: &Files, manifest: &Manifest) -> Option<TabBar> {
    let members = c.object(v, "tabBar")?;
    let mut bar = TabBar {
        color: None,
        selected_color: None,
        background_color: None,
        border_style: None,
        position: "bottom".to_string(),
        custom: false,
        list: Vec::new(),
    };
    let mut list_json = None;
    for m in members {
        let key = format!("tabBar.{}", m.key);
        match m.key.as_str() {
            "color" => bar.color = color(c, m, &key),
            "selectedColor" => bar.selected_color = color(c, m, &key),
            "backgroundColor" => bar.background_color = color(c, m, &key),
            "borderStyle" => bar.border_style = choice(c, m, &key, &["black", "white"], "black"),
            "position" => {
                bar.position =
                    c.one_of_or(&m.value, &key, &["bottom", "top"], "bottom").unwrap_or(bar.position)
            }
            "custom" => bar.custom = c.bool(&m.value, &key).unwrap_or(false),
            "list" => list_json = Some(&m.value),
            _ => c.unknown_key(m, "tabBar"),
        }
    }
    let Some(list_json) = list_json else {
        c.error(v.span, "\"tabBar\" has no \"list\"");
        return None;
    };
    let items = c.array(list_json, "tabBar.list")?;
    if !(2..=5).contains(&items.len()) {
        c.error(list_json.span, format!("\"tabBar.list\" must have 2 to 5 items, found {}", items.len()));
    }
    for (i, item) in items.iter().enumerate() {
        let name = format!("tabBar.list[{i}]");
        let Some(fields) = c.object(item, &name) else { continue };
        let (mut page_path, mut text, mut icon, mut selected_icon) = (None, None, None, None);
        for f in fields {
            let key = format!("{name}.{}", f.key);
            match f.key.as_str() {
                "pagePath" => {
                    page_path = c.string(&f.value, &key).map(|p| (normalize_route(&p), f.value.span))
                }
                "text" => text = c.string(&f.value, &key),
                "iconPath" | "selectedIconPath" => {
                    let Some(path) = c.string(&f.value, &key) else { continue };
                    let path = if crate::theme::check_variable(c, f, &key, None) {
                        path
                    } else {
                        crate::project::normalize_relative(&path)
                    };
                    for each in crate::theme::all_values(c.theme, &path) {
                        let each = crate::project::normalize_relative(each);
                        if !files.contains(&each) {
                            // Phones show the tab without it; the tools refuse it on upload.
                            let d = c.warning(f.value.span, format!("tab bar icon `{each}` does not exist"));
                            d.upload_only = true;
                        }
                    }
                    if f.key == "iconPath" { icon = Some(path) } else { selected_icon = Some(path) }
                }
                _ => c.unknown_key(f, &name),
            }
        }
        let Some((page_path, span)) = page_path else {
            c.error(item.span, format!("\"{name}\" has no \"pagePath\""));
            continue;
        };
        match manifest.page(&page_path) {
            None => {
                c.error(span, format!("tab bar page `{page_path}` is not in \"pages\""));
            }
            Some(page) if page.subpackage.is_some() => {
                c.error(
                    span,
                    format!("tab bar page `{page_path}` must be in the main package, not a subpackage"),
                );
            }
            Some(_) => {}
        }
        if text.is_none() && !bar.custom {
            // Phones show the tab without a label.
            c.softly(|c| {
                c.error(item.span, format!("\"{name}\" has no \"text\""));
            });
        }
        bar.list.push(TabBarItem {
            page_path,
            text: text.unwrap_or_default(),
            icon_path: icon,
            selected_icon_path: selected_icon,
        });
    }
    Some(bar)
}

fn preload_rules(c: &mut Checker<'_, '_>, v: &Json, manifest: &Manifest) -> BTreeMap<String, PreloadRule> {
    let mut out = BTreeMap::new();
    let Some(members) = c.object(v, "preloadRule") else { return out };
    for m in members {
        let name = format!("preloadRule.{}", m.key);
        let route = normalize_route(&m.key);
        if manifest.page(&route).is_none() {
            c.error(m.key_span, format!("preload rule for `{route}`, which is not a page"));
        }
        let Some(fields) = c.object(&m.value, &name) else { continue };
        let mut rule = PreloadRule { network: "wifi".to_string(), packages: Vec::new() };
        for f in fields {
            let key = format!("{name}.{}", f.key);
            match f.key.as_str() {
                "network" => {
                    rule.network = c.one_of(&f.value, &key, &["wifi", "all"]).unwrap_or(rule.network)
                }
                "packages" => {
                    for (package, span) in c.strings(&f.value, &key).unwrap_or_default() {
                        let wanted = crate::project::normalize_relative(&package);
                        let found = if package == "__APP__" {
                            Some(package.clone())
                        } else {
                            manifest
                                .subpackages
                                .iter()
                                .find(|s| s.root == wanted || s.name.as_deref() == Some(package.as_str()))
                                .map(|s| s.root.clone())
                        };
                        match found {
                            Some(root) => rule.packages.push(root),
                            None => {
                                c.error(
                                    span,
                                    format!("preload rule names `{package}`, which is not a subpackage"),
                                );
                            }
                        }
                    }
                }
                _ => c.unknown_key(f, &name),
            }
        }
        out.insert(route, rule);
    }
    out
}

/// Reads `app.json` from `files` and builds the manifest.
pub fn load(files: &Files, app_id: AppId, diags: &mut Diagnostics) -> Option<Manifest> {
    let Some(bytes) = files.get(APP_JSON) else {
        diags.push(Diagnostic::error(APP_JSON, "missing"));
        return None;
    };
    let file = parse_json_file(APP_JSON, bytes, diags)?;
    read_manifest(&file, files, app_id, diags)
}
