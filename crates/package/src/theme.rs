//! Dark-mode theme variables. `app.json`'s `themeLocation` names a JSON file with a `light`
//! and a `dark` set of variables; a window, tab-bar or page-config value written `@name` takes
//! the value of `name` in the set of the current theme. With `darkmode: true` the theme follows
//! the system's (the simulator's switch); without it the app is always light.
//!
//! ```
//! use capsule_package::theme::{Theme, ThemeMode};
//! let theme = Theme::from_sets([("navBg", "#ffffff")], [("navBg", "#000000")]);
//! assert_eq!(theme.resolve(ThemeMode::Dark, "@navBg"), "#000000");
//! assert_eq!(theme.resolve(ThemeMode::Light, "@navBg"), "#ffffff");
//! assert_eq!(theme.resolve(ThemeMode::Dark, "#123456"), "#123456");
//! ```

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::{Diagnostics, Span};
use crate::files::Files;
use crate::json::Member;
use crate::schema::{Checker, JsonFile, parse_json_file};

/// The system theme an app is shown in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeMode {
    #[default]
    Light,
    Dark,
}

impl ThemeMode {
    pub fn parse(name: &str) -> Option<ThemeMode> {
        match name {
            "light" => Some(ThemeMode::Light),
            "dark" => Some(ThemeMode::Dark),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ThemeMode::Light => "light",
            ThemeMode::Dark => "dark",
        }
    }
}

/// The two sets of variables of a theme file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Theme {
    pub light: BTreeMap<String, String>,
    pub dark: BTreeMap<String, String>,
}

/// Keys whose value is one of a documented set: a variable that resolves outside it gives the
/// documented default, as a literal value outside it does.
const CHOICES: &[(&str, &[&str], &str)] = &[
    ("navigationBarTextStyle", &["black", "white"], "white"),
    ("backgroundTextStyle", &["dark", "light"], "dark"),
    ("borderStyle", &["black", "white"], "black"),
];

impl Theme {
    pub fn from_sets<'a>(
        light: impl IntoIterator<Item = (&'a str, &'a str)>,
        dark: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Theme {
        let own = |set: &mut dyn Iterator<Item = (&'a str, &'a str)>| {
            set.map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        Theme { light: own(&mut light.into_iter()), dark: own(&mut dark.into_iter()) }
    }

    pub fn set(&self, mode: ThemeMode) -> &BTreeMap<String, String> {
        match mode {
            ThemeMode::Light => &self.light,
            ThemeMode::Dark => &self.dark,
        }
    }

    /// `value` as the theme `mode` shows it: a `@name` the set defines becomes its value;
    /// anything else (a literal, or a variable the set lacks) is kept as written.
    pub fn resolve<'a>(&'a self, mode: ThemeMode, value: &'a str) -> &'a str {
        value.strip_prefix('@').and_then(|name| self.set(mode).get(name)).map_or(value, String::as_str)
    }

    /// Resolves every `@name` string in a window or tab-bar configuration (as JSON: the form
    /// the views are sent), in place. A choice key whose variable gives a value outside its
    /// documented set gets the documented default.
    pub fn resolve_json(&self, mode: ThemeMode, value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    let was_variable = v.as_str().is_some_and(|s| s.starts_with('@'));
                    self.resolve_json(mode, v);
                    if was_variable
                        && let Some((_, allowed, default)) = CHOICES.iter().find(|(k, ..)| k == key)
                        && !v.as_str().is_some_and(|s| allowed.contains(&s))
                    {
                        *v = Value::String(default.to_string());
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.resolve_json(mode, v)),
            Value::String(s) if s.starts_with('@') => {
                let resolved = self.resolve(mode, s).to_string();
                *s = resolved;
            }
            _ => {}
        }
    }
}

/// Reads `darkmode` and `themeLocation` from `app.json` and, when a theme file is named, the
/// file. Returns whether dark mode is on, and the theme.
pub fn read_app_theme(app: &JsonFile, files: &Files, diags: &mut Diagnostics) -> (bool, Option<Theme>) {
    let crate::json::JsonValue::Object(members) = &app.root.value else { return (false, None) };
    let mut c = Checker::new(app, diags);
    let mut darkmode = false;
    let mut location: Option<(String, Span)> = None;
    for m in members {
        match m.key.as_str() {
            "darkmode" => darkmode = c.bool(&m.value, "darkmode").unwrap_or(false),
            "themeLocation" => {
                location = c
                    .string(&m.value, "themeLocation")
                    .map(|p| (crate::project::normalize_relative(&p), m.value.span))
            }
            _ => {}
        }
    }
    let Some((path, span)) = location else { return (darkmode, None) };
    let Some(bytes) = files.get(&path) else {
        // The platform's phones show the app with its variables unresolved; its tools
        // complain when uploading.
        let d = c.warning(span, format!("theme file `{path}` (themeLocation) does not exist"));
        d.upload_only = true;
        return (darkmode, None);
    };
    let Some(file) = parse_json_file(&path, bytes, diags) else { return (darkmode, None) };
    (darkmode, Some(read_theme_file(&file, diags)))
}

fn read_theme_file(file: &JsonFile, diags: &mut Diagnostics) -> Theme {
    let mut theme = Theme::default();
    let mut c = Checker::new(file, diags);
    let Some(members) = c.root_members() else { return theme };
    for m in members {
        let set = match m.key.as_str() {
            "light" => &mut theme.light,
            "dark" => &mut theme.dark,
            _ => {
                c.unknown_key(m, "the theme file");
                continue;
            }
        };
        let Some(vars) = c.object(&m.value, &m.key) else { continue };
        for var in vars {
            if let Some(value) = c.string(&var.value, &format!("{}.{}", m.key, var.key)) {
                set.insert(var.key.clone(), value);
            }
        }
    }
    for (name, missing_in, present_in) in missing_names(&theme.light, &theme.dark, "dark", "light")
        .chain(missing_names(&theme.dark, &theme.light, "light", "dark"))
    {
        let span = members
            .iter()
            .find(|m| m.key == present_in)
            .and_then(|m| match &m.value.value {
                crate::json::JsonValue::Object(vars) => {
                    vars.iter().find(|v| v.key == name).map(|v| v.key_span)
                }
                _ => None,
            })
            .unwrap_or(file.root.span);
        c.warning(
            span,
            format!("theme variable \"{name}\" is set for {present_in} but not for {missing_in}"),
        );
    }
    theme
}

fn missing_names<'a>(
    from: &'a BTreeMap<String, String>,
    other: &'a BTreeMap<String, String>,
    missing_in: &'static str,
    present_in: &'static str,
) -> impl Iterator<Item = (String, &'static str, &'static str)> + 'a {
    from.keys().filter(|k| !other.contains_key(*k)).map(move |k| (k.clone(), missing_in, present_in))
}

/// Checks a `@name` value at `member`: the theme must define it. Returns true when the value
/// is a variable (the caller keeps it as written, to be resolved when shown).
pub fn check_variable(
    c: &mut Checker<'_, '_>,
    member: &Member,
    name: &str,
    allowed: Option<&[&str]>,
) -> bool {
    let crate::json::JsonValue::String(value) = &member.value.value else { return false };
    let Some(var) = value.strip_prefix('@').map(str::to_string) else { return false };
    let Some(theme) = c.theme else {
        c.warning(
            member.value.span,
            format!("\"{name}\" names the theme variable \"@{var}\", but app.json names no theme file"),
        )
        .hint = Some("add \"darkmode\": true and \"themeLocation\": \"theme.json\" to app.json".to_string());
        return true;
    };
    let defined: Vec<&str> = [ThemeMode::Light, ThemeMode::Dark]
        .into_iter()
        .filter_map(|mode| theme.set(mode).get(&var).map(String::as_str))
        .collect();
    if defined.is_empty() {
        c.warning(member.value.span, format!("\"{name}\": the theme file defines no variable \"{var}\""));
    } else if let Some(allowed) = allowed
        && let Some(bad) = defined.iter().find(|v| !allowed.contains(v))
    {
        let choices = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ");
        let d = c.warning(
            member.value.span,
            format!("\"{name}\": theme variable \"{var}\" is \"{bad}\", which is not one of {choices}"),
        );
        d.upload_only = true;
    }
    true
}

/// Every value a variable may take, for checks that need all of them (tab-bar icons must
/// exist in both themes).
pub fn all_values<'a>(theme: Option<&'a Theme>, value: &'a str) -> Vec<&'a str> {
    match (value.strip_prefix('@'), theme) {
        (Some(name), Some(theme)) => {
            let mut out: Vec<&str> = [&theme.light, &theme.dark]
                .into_iter()
                .filter_map(|s| s.get(name).map(String::as_str))
                .collect();
            out.dedup();
            out
        }
        (Some(_), None) => Vec::new(),
        (None, _) => vec![value],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_json_and_falls_back_for_choices() {
        let theme = Theme::from_sets(
            [("bg", "#fff"), ("txt", "black"), ("bad", "purple")],
            [("bg", "#000"), ("txt", "white"), ("bad", "purple")],
        );
        let mut v = json!({"navigationBarBackgroundColor": "@bg", "navigationBarTextStyle": "@txt",
            "backgroundTextStyle": "@bad", "list": [{"iconPath": "@bg"}], "title": "@unknown"});
        theme.resolve_json(ThemeMode::Dark, &mut v);
        assert_eq!(
            v,
            json!({"navigationBarBackgroundColor": "#000", "navigationBarTextStyle": "white",
                "backgroundTextStyle": "dark", "list": [{"iconPath": "#000"}], "title": "@unknown"})
        );
    }
}
