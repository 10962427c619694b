//! The README's coverage table: every API the platform declares on `wx` (the published
//! `miniprogram-api-typings`, pinned in `.tools/js/package-lock.json`), grouped by the
//! category of its documentation page, and whether a running instance's `wx` has it. The
//! list of what is done is read from `Object.keys(wx)` in a launched app, so neither side is
//! written by hand: this test fails when the README differs, and
//! `CAPSULE_BLESS=1 cargo test -p capsule-host --test api_coverage` rewrites it. The typings
//! are installed into `.tools/js` with `npm ci` when missing, as `scripts/test` installs Biome.
//! The same list of names is kept for the framework in `crates/js/src/platform_apis.txt`
//! (checked and blessed alike).

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use capsule_host::{Host, HostConfig, LaunchOptions};
use common::{WAIT, logs, package};

const START: &str = "<!-- api coverage: made by crates/host/tests/api_coverage.rs from miniprogram-api-typings and a running wx -->\n";
const END: &str = "<!-- api coverage end -->\n";
const PACKAGE: &str = "miniprogram-api-typings";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The typings' `lib.wx.api.d.ts`, installed at the pinned version if it is not there.
fn typings() -> String {
    let tools = repo().join(".tools/js");
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tools.join("package-lock.json")).unwrap()).unwrap();
    let pinned = lock["packages"][format!("node_modules/{PACKAGE}")]["version"]
        .as_str()
        .unwrap_or_else(|| panic!(".tools/js/package-lock.json does not pin {PACKAGE}"))
        .to_string();
    let installed = tools.join("node_modules").join(PACKAGE);
    let version = || -> Option<String> {
        let text = std::fs::read_to_string(installed.join("package.json")).ok()?;
        Some(serde_json::from_str::<serde_json::Value>(&text).ok()?["version"].as_str()?.to_string())
    };
    if version().as_deref() != Some(pinned.as_str()) {
        let status = std::process::Command::new("npm")
            .args(["ci", "--prefix"])
            .arg(&tools)
            .args(["--no-audit", "--no-fund", "--loglevel=error"])
            .status();
        assert!(
            matches!(status, Ok(s) if s.success()) && version().as_deref() == Some(pinned.as_str()),
            "{PACKAGE} {pinned} is needed for the README's coverage table and `npm ci --prefix .tools/js` \
             did not install it ({status:?}); install Node.js and npm (scripts/test does) and run it"
        );
    }
    std::fs::read_to_string(installed.join("types/wx/lib.wx.api.d.ts")).unwrap()
}

/// Every member of the typings' `interface Wx`, with the category of its documentation page
/// (`…/miniprogram/dev/api/CATEGORY/…`); members without one are `other`.
fn platform_apis(source: &str) -> BTreeMap<String, String> {
    let lines = source.lines().skip_while(|l| !l.starts_with("    interface Wx {")).skip(1);
    let mut apis = BTreeMap::new();
    let mut category: Option<String> = None;
    let mut in_comment = false;
    let category_in = |line: &str| -> Option<String> {
        let at = line.find("/miniprogram/dev/api/")? + "/miniprogram/dev/api/".len();
        let rest = &line[at..];
        let end = rest.find('/')?;
        Some(rest[..end].to_string())
    };
    for line in lines {
        let trimmed = line.trim_start();
        if in_comment || trimmed.starts_with("/**") {
            if !in_comment {
                category = None;
            }
            if category.is_none() {
                category = category_in(line);
            }
            // A comment ends on its own line or on the one that opened it, after `/**`.
            let body = if in_comment { trimmed } else { &trimmed[3..] };
            in_comment = !body.contains("*/");
            continue;
        }
        if line.starts_with("    }") {
            break;
        }
        let Some(member) = line.strip_prefix("        ") else { continue };
        let name: String = member.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let after = member[name.len()..].trim_start();
        if !name.is_empty() && (after.starts_with('(') || after.starts_with('<') || after.starts_with(':')) {
            apis.entry(name).or_insert_with(|| category.clone().unwrap_or_else(|| "other".into()));
        }
    }
    apis
}

/// The keys of `wx` in a running app.
fn running_wx() -> BTreeSet<String> {
    let (package, program) = package(&[
        ("app.json", r#"{"pages": ["pages/p/p"]}"#),
        ("app.js", "App({})"),
        ("pages/p/p.wxml", "<view/>"),
        ("pages/p/p.js", "Page({ onLoad() { console.log(JSON.stringify(Object.keys(wx))) } })"),
    ]);
    let dir = std::env::temp_dir().join(format!("capsule-rt-coverage-{}", std::process::id()));
    let host = Host::new(HostConfig { data_dir: dir.clone(), ..HostConfig::default() }).unwrap();
    let handle = host.launch(&host.app(package, program), LaunchOptions::default());
    let mut out = handle.until_done(WAIT);
    while logs(&out).is_empty() {
        match handle.recv(Duration::from_secs(30)) {
            Some(o) => out.push(o),
            None => break,
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let line = logs(&out).into_iter().next().expect("the page logs wx's keys");
    serde_json::from_str(&line).unwrap()
}

fn table(platform: &BTreeMap<String, String>, wx: &BTreeSet<String>) -> String {
    let mut by_category: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = BTreeMap::new();
    for (name, category) in platform {
        let entry = by_category.entry(category).or_default();
        if wx.contains(name) { entry.0.push(name) } else { entry.1.push(name) }
    }
    let done: usize = by_category.values().map(|(d, _)| d.len()).sum();
    let names = |list: &[&str]| {
        if list.is_empty() {
            "—".to_string()
        } else {
            list.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        }
    };
    let mut text = format!(
        "{done} of the {} members the platform declares on `wx` are done.\n\n| category | done | on `wx` | not supported |\n| --- | --- | --- | --- |\n",
        platform.len()
    );
    for (category, (done, missing)) in &by_category {
        text += &format!(
            "| {category} | {} of {} | {} | {} |\n",
            done.len(),
            done.len() + missing.len(),
            names(done),
            names(missing)
        );
    }
    text
}

#[test]
fn the_readme_shows_which_platform_apis_are_done() {
    let platform = platform_apis(&typings());
    // The parse found the interface, and it is the platform's whole list.
    assert!(platform.len() > 400, "{} members", platform.len());
    assert_eq!(platform.get("getExtConfigSync").map(String::as_str), Some("ext"));
    assert_eq!(platform.get("request").map(String::as_str), Some("network"));
    let wx = running_wx();
    for name in ["getExtConfigSync", "getBackgroundAudioManager", "showShareMenu", "request"] {
        assert!(wx.contains(name), "wx.{name} is missing");
    }
    // The framework's list of the platform's names: what is not on `wx` fails
    // `name:fail not supported` rather than being `not a function`.
    let names: String = platform.keys().map(|n| format!("{n}\n")).collect();
    let list = repo().join("crates/js/src/platform_apis.txt");
    if std::fs::read_to_string(&list).ok().as_deref() != Some(names.as_str()) {
        assert!(
            std::env::var_os("CAPSULE_BLESS").is_some(),
            "crates/js/src/platform_apis.txt is stale; run `CAPSULE_BLESS=1 cargo test -p capsule-host --test api_coverage`"
        );
        std::fs::write(&list, &names).unwrap();
    }
    let made = table(&platform, &wx);
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md has no coverage table between `{}` and `{}`", START.trim(), END.trim());
    };
    let shown = &readme[start + START.len()..end];
    if shown == made {
        return;
    }
    if std::env::var_os("CAPSULE_BLESS").is_some() {
        std::fs::write(&path, format!("{}{made}{}", &readme[..start + START.len()], &readme[end..])).unwrap();
        return;
    }
    let changed: Vec<&str> = made.lines().filter(|l| !shown.lines().any(|s| s == *l)).collect();
    panic!(
        "README.md's coverage table is stale; run `CAPSULE_BLESS=1 cargo test -p capsule-host --test api_coverage`\nrows now:\n{}",
        changed.join("\n")
    );
}
