//! `capsule info`: the normalised manifest, for people or (with `--json`) for machines.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use capsule_package::{AppIdSource, ComponentRef, Dialect, LoadOptions, Package, format_size};

pub fn run(path: &Path, json: bool, color: bool, options: &LoadOptions) -> anyhow::Result<ExitCode> {
    let Some(package) = crate::load_reporting(path, color, options) else { return Ok(ExitCode::FAILURE) };
    if json {
        let value = serde_json::json!({
            "location": package.location.display().to_string(),
            "miniprogramRoot": package.miniprogram_root,
            "projectName": package.project_name,
            "manifest": package.manifest,
            "sizes": package.sizes,
            "extendedLibs": package.extended_libs,
            "warnings": package.warnings,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print!("{}", describe(&package, &options.limits));
    }
    Ok(ExitCode::SUCCESS)
}

/// The manifest as aligned `label  value` lines.
pub fn describe(package: &Package, limits: &capsule_package::Limits) -> String {
    let m = &package.manifest;
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        let _ = writeln!(out, "{label:<12} {value}");
    };
    let id_source = match m.app_id.source {
        AppIdSource::ProjectConfig => "from project.config.json",
        AppIdSource::Manifest => "from manifest.json",
        AppIdSource::PathHash => "none declared; derived from the package path",
    };
    line("app id", format!("{} ({id_source})", m.app_id.id));
    line(
        "dialect",
        match m.dialect {
            Dialect::WeChat => "WeChat mini-program (app.json)".to_string(),
            Dialect::W3c => "W3C MiniApp (manifest.json)".to_string(),
        },
    );
    if let Some(name) = m.name.as_ref().or(package.project_name.as_ref()) {
        line("name", name.clone());
    }
    if let Some(v) = &m.version {
        line("version", format!("{} (code {})", v.name, v.code));
    }
    if !package.miniprogram_root.is_empty() {
        line("root", format!("{}/", package.miniprogram_root));
    }
    line("entry page", m.entry_page.clone());
    let window = &m.window;
    if let Some(title) = &window.navigation_bar_title_text {
        line("title", format!("{title:?}"));
    }
    line("pages", m.pages.len().to_string());
    for page in &m.pages {
        let merged = page.config.window.merged_over(window);
        let mut text = format!("  {}", page.route);
        if let Some(title) = merged
            .navigation_bar_title_text
            .filter(|_| page.config.window.navigation_bar_title_text.is_some())
        {
            text += &format!("  {title:?}");
        }
        if let Some(sub) = &page.subpackage {
            text += &format!("  [subpackage {sub}]");
        }
        if !page.config.using_components.is_empty() {
            let tags: Vec<_> = page.config.using_components.keys().map(|k| format!("<{k}>")).collect();
            text += &format!("  uses {}", tags.join(" "));
        }
        let _ = writeln!(out, "{text}");
    }
    let mut line = |label: &str, value: String| {
        let _ = writeln!(out, "{label:<12} {value}");
    };
    if let Some(bar) = &m.tab_bar {
        let items: Vec<_> = bar.list.iter().map(|i| format!("{} {:?}", i.page_path, i.text)).collect();
        line("tab bar", format!("{} ({})", items.join(", "), bar.position));
    }
    for sub in &m.subpackages {
        let name = sub.name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
        let independent = if sub.independent { ", independent" } else { "" };
        line("subpackage", format!("{}{name}: {} pages{independent}", sub.root, sub.pages.len()));
    }
    if !m.components.is_empty() {
        let paths: Vec<_> = m.components.iter().map(|c| c.path.as_str()).collect();
        line("components", paths.join(", "));
    }
    let plugins: Vec<_> = m
        .pages
        .iter()
        .flat_map(|p| p.config.using_components.values())
        .chain(m.using_components.values())
        .filter_map(|r| match r {
            ComponentRef::Plugin(p) => Some(p.as_str()),
            ComponentRef::Package(_) | ComponentRef::Missing(_) => None,
        })
        .collect();
    if !plugins.is_empty() {
        line("plugins", format!("{} (not supported)", plugins.join(", ")));
    }
    for lib in &package.extended_libs {
        line(
            "extended lib",
            format!("{} ({}@{}, at {}/; not packed)", lib.name, lib.npm, lib.version, lib.root),
        );
    }
    for p in &m.permissions {
        line("permission", format!("{}: {}", p.scope, p.desc));
    }
    if !m.required_private_infos.is_empty() {
        line("private info", m.required_private_infos.join(", "));
    }
    if let Some(pv) = &m.platform_version {
        line(
            "platform",
            format!(
                "min code {}{}",
                pv.min_code,
                pv.target_code.map(|t| format!(", target {t}")).unwrap_or_default()
            ),
        );
    }
    let sizes = &package.sizes;
    line(
        "size",
        format!(
            "{} in {} files; main package {} of {}",
            format_size(sizes.total),
            sizes.files,
            format_size(sizes.main),
            format_size(limits.main_package_size)
        ),
    );
    for (root, size) in &sizes.subpackages {
        line(
            "",
            format!("subpackage {root} {} of {}", format_size(*size), format_size(limits.subpackage_size)),
        );
    }
    out
}
