//! Window keys, shared by `app.json`'s `window`, each page's `.json`, and (under snake_case
//! names) a W3C manifest's `window`.

use crate::json::Member;
use crate::manifest::Window;
use crate::schema::Checker;

/// Window keys the platform has that Capsule keeps as they are, without warning.
const KEPT_WINDOW_KEYS: &[&str] = &[
    "homeButton",
    "restartStrategy",
    "initialRenderingCache",
    "visualEffectInBackground",
    "handleWebviewPreload",
    "backgroundColorContent",
    "renderer",
    "componentFramework",
    "singlePage",
    "design_width",
    "auto_design_width",
];

/// Whether `color` is one the platform takes: `#rgb`, `#rrggbb`, or a `@variable` from the
/// dark-mode theme file.
pub fn is_color(color: &str) -> bool {
    if color.starts_with('@') {
        return color.len() > 1;
    }
    let Some(hex) = color.strip_prefix('#') else { return false };
    matches!(hex.len(), 3 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

pub fn color(c: &mut Checker<'_, '_>, member: &Member, name: &str) -> Option<String> {
    let value = c.string(&member.value, name)?;
    if crate::theme::check_variable(c, member, name, None) {
        return Some(value);
    }
    if !is_color(&value) {
        c.warning(
            member.value.span,
            format!("\"{name}\" should be a hex colour such as \"#ffffff\", found \"{value}\""),
        );
    }
    Some(value)
}

/// Reads one window key (WeChat spelling) into `window`. Returns false when `key` is not a
/// window key at all, so the caller can look at it further.
/// A value from a documented set, or a theme variable (`@name`) kept to be resolved when
/// shown.
pub fn choice(
    c: &mut Checker<'_, '_>,
    member: &Member,
    name: &str,
    allowed: &[&str],
    default: &str,
) -> Option<String> {
    if crate::theme::check_variable(c, member, name, Some(allowed)) {
        return c.string(&member.value, name);
    }
    c.one_of_or(&member.value, name, allowed, default)
}

pub fn read_window_key(c: &mut Checker<'_, '_>, key: &str, member: &Member, window: &mut Window) -> bool {
    // A window value of the wrong type is ignored on phones.
    c.softly(|c| window_key(c, key, member, window))
}

fn window_key(c: &mut Checker<'_, '_>, key: &str, member: &Member, window: &mut Window) -> bool {
    let v = &member.value;
    match key {
        "navigationBarTitleText" => window.navigation_bar_title_text = c.string(v, key),
        "navigationBarBackgroundColor" => window.navigation_bar_background_color = color(c, member, key),
        "navigationBarTextStyle" => {
            window.navigation_bar_text_style = choice(c, member, key, &["black", "white"], "white")
        }
        "navigationStyle" => window.navigation_style = c.one_of_or(v, key, &["default", "custom"], "default"),
        "backgroundColor" => window.background_color = color(c, member, key),
        "backgroundTextStyle" => {
            window.background_text_style = choice(c, member, key, &["dark", "light"], "dark")
        }
        "backgroundColorTop" => window.background_color_top = color(c, member, key),
        "backgroundColorBottom" => window.background_color_bottom = color(c, member, key),
        "enablePullDownRefresh" => window.enable_pull_down_refresh = c.bool(v, key),
        "onReachBottomDistance" => window.on_reach_bottom_distance = c.number(v, key),
        "pageOrientation" => {
            window.page_orientation = c.one_of_or(v, key, &["portrait", "landscape", "auto"], "portrait")
        }
        "disableScroll" => window.disable_scroll = c.bool(v, key),
        "fullscreen" => window.fullscreen = c.bool(v, key),
        _ if KEPT_WINDOW_KEYS.contains(&key) => {
            window.extra.insert(key.to_string(), v.to_value());
        }
        _ => return false,
    }
    true
}

/// The WeChat spelling of a W3C MiniApp window key.
pub fn w3c_window_key(key: &str) -> Option<&'static str> {
    Some(match key {
        "navigation_bar_title_text" => "navigationBarTitleText",
        "navigation_bar_background_color" => "navigationBarBackgroundColor",
        "navigation_bar_text_style" => "navigationBarTextStyle",
        "navigation_style" => "navigationStyle",
        "background_color" => "backgroundColor",
        "background_text_style" => "backgroundTextStyle",
        "enable_pull_down_refresh" => "enablePullDownRefresh",
        "on_reach_bottom_distance" => "onReachBottomDistance",
        "orientation" => "pageOrientation",
        "fullscreen" => "fullscreen",
        "design_width" => "design_width",
        "auto_design_width" => "auto_design_width",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors() {
        for ok in ["#fff", "#FFFFFF", "#00000080", "@navBg"] {
            assert!(is_color(ok), "{ok}");
        }
        for bad in ["fff", "#ffff", "red", "#gggggg", "@", "rgb(0,0,0)"] {
            assert!(!is_color(bad), "{bad}");
        }
    }
}
