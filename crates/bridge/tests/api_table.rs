//! The README's API table is made from the registry, so it cannot go stale: this test fails
//! when they differ, and `CAPSULE_BLESS=1 cargo test -p capsule-bridge --test api_table`
//! writes the table the registry gives.

use capsule_bridge::{Api, Bridge, Options, Param};

const START: &str =
    "<!-- api table: made from the bridge's registry by crates/bridge/tests/api_table.rs -->\n";
const END: &str = "<!-- api table end -->\n";

fn params(list: &[Param]) -> String {
    let show = |p: &Param| format!("`{}{}: {}`", p.key, if p.required { "" } else { "?" }, p.ty.name());
    let caller: Vec<String> = list.iter().filter(|p| !p.internal).map(show).collect();
    let internal: Vec<String> = list.iter().filter(|p| p.internal).map(show).collect();
    let mut text = if caller.is_empty() { "—".to_string() } else { caller.join(", ") };
    if !internal.is_empty() {
        text += &format!("; the framework's: {}", internal.join(", "));
    }
    text
}

fn row(api: &Api) -> String {
    let own = api.name.rsplit('.').next().unwrap_or(&api.name);
    let name = match (api.sync, api.plain) {
        (true, true) => format!("`{own}` (sync)"),
        (true, false) => format!("`{own}`, `{own}Sync`"),
        _ => format!("`{own}`"),
    };
    let on = api.group.unwrap_or("wx");
    let by = if api.is_view() { "view" } else { "bridge" };
    let scope = match (&api.scope, api.scope_arg) {
        (_, Some(key)) => format!("the one `{key}` names"),
        (Some(scope), None) => format!("`{scope}`"),
        (None, None) => "—".to_string(),
    };
    format!("| {name} | {on} | {by} | {scope} | {} |\n", params(&api.params))
}

fn table() -> String {
    let bridge = Bridge::new(Options::default());
    let mut text =
        String::from("| API | on | carried out by | scope | parameters |\n| --- | --- | --- | --- | --- |\n");
    // `wx`'s first, then each group's, by the name the script knows.
    let mut apis = bridge.apis();
    apis.sort_by_key(|a| {
        (a.group.is_some(), a.group, a.name.rsplit('.').next().unwrap_or(&a.name).to_string())
    });
    for api in apis {
        text += &row(api);
    }
    text
}

#[test]
fn the_readme_lists_every_registered_api() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md has no API table between `{}` and `{}`", START.trim(), END.trim());
    };
    let shown = &readme[start + START.len()..end];
    let made = table();
    if shown == made {
        return;
    }
    if std::env::var_os("CAPSULE_BLESS").is_some() {
        let updated = format!("{}{made}{}", &readme[..start + START.len()], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    let missing: Vec<&str> = made.lines().filter(|l| !shown.lines().any(|s| s == *l)).collect();
    let stale: Vec<&str> = shown.lines().filter(|l| !made.lines().any(|m| m == *l)).collect();
    panic!(
        "README.md's API table differs from the registry; run `CAPSULE_BLESS=1 cargo test -p capsule-bridge --test api_table`\nmissing:\n{}\nstale:\n{}",
        missing.join("\n"),
        stale.join("\n")
    );
}

#[test]
fn every_view_api_has_a_row() {
    let made = table();
    for name in ["showModal", "showToast", "setTabBarBadge", "pageScrollTo", "selectorQuery", "videoControl"]
    {
        assert!(
            made.lines().any(|l| l.starts_with(&format!("| `{name}` |")) && l.contains("| view |")),
            "{name}"
        );
    }
}
