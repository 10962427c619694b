//! The normalised manifest both dialects map to: a WeChat `app.json` with its page and
//! component `.json` files, or a W3C MiniApp `manifest.json`. Later layers read only this.

use std::collections::BTreeMap;

use serde::Serialize;

/// Which platform a package was written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// `app.json`, WXML, WXSS, `wx.*`.
    WeChat,
    /// W3C MiniApp: `manifest.json`, HTML templates, CSS.
    W3c,
}

/// Where the app id came from. Storage and permissions are keyed by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppIdSource {
    /// `appid` in `project.config.json`.
    ProjectConfig,
    /// `app_id` in a W3C `manifest.json`.
    Manifest,
    /// No id was declared: a hash of the package's canonical path, so two local packages
    /// never share storage.
    PathHash,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AppId {
    pub id: String,
    pub source: AppIdSource,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    pub name: String,
    pub code: u64,
}

/// Window settings: the app's defaults, or a page's overrides. Unset keys are `None`; a page
/// inherits the app's value for each of them ([`Window::merged_over`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Window {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub navigation_bar_title_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub navigation_bar_background_color: Option<String>,
    /// `black` or `white`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub navigation_bar_text_style: Option<String>,
    /// `default` or `custom` (the page draws its own bar).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub navigation_style: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_color: Option<String>,
    /// `dark` or `light`: the pull-down loading dots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_text_style: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_color_top: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_color_bottom: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_pull_down_refresh: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_reach_bottom_distance: Option<f64>,
    /// `portrait`, `landscape` or `auto`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_orientation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_scroll: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fullscreen: Option<bool>,
    /// Keys the platform knows that Capsule keeps without interpreting yet.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Window {
    /// This page's settings with the app's filling every key the page leaves unset.
    ///
    /// ```
    /// use capsule_package::Window;
    /// let app = Window { navigation_bar_title_text: Some("App".into()), background_color: Some("#fff".into()), ..Window::default() };
    /// let page = Window { navigation_bar_title_text: Some("Page".into()), ..Window::default() };
    /// let merged = page.merged_over(&app);
    /// assert_eq!(merged.navigation_bar_title_text.as_deref(), Some("Page"));
    /// assert_eq!(merged.background_color.as_deref(), Some("#fff"));
    /// ```
    pub fn merged_over(&self, app: &Window) -> Window {
        fn pick<T: Clone>(page: &Option<T>, app: &Option<T>) -> Option<T> {
            page.clone().or_else(|| app.clone())
        }
        let mut extra = app.extra.clone();
        extra.extend(self.extra.clone());
        Window {
            navigation_bar_title_text: pick(&self.navigation_bar_title_text, &app.navigation_bar_title_text),
            navigation_bar_background_color: pick(
                &self.navigation_bar_background_color,
                &app.navigation_bar_background_color,
            ),
            navigation_bar_text_style: pick(&self.navigation_bar_text_style, &app.navigation_bar_text_style),
            navigation_style: pick(&self.navigation_style, &app.navigation_style),
            background_color: pick(&self.background_color, &app.background_color),
            background_text_style: pick(&self.background_text_style, &app.background_text_style),
            background_color_top: pick(&self.background_color_top, &app.background_color_top),
            background_color_bottom: pick(&self.background_color_bottom, &app.background_color_bottom),
            enable_pull_down_refresh: pick(&self.enable_pull_down_refresh, &app.enable_pull_down_refresh),
            on_reach_bottom_distance: pick(&self.on_reach_bottom_distance, &app.on_reach_bottom_distance),
            page_orientation: pick(&self.page_orientation, &app.page_orientation),
            disable_scroll: pick(&self.disable_scroll, &app.disable_scroll),
            fullscreen: pick(&self.fullscreen, &app.fullscreen),
            extra,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TabBar {
    pub color: Option<String>,
    pub selected_color: Option<String>,
    pub background_color: Option<String>,
    /// `black` or `white`.
    pub border_style: Option<String>,
    /// `bottom` or `top`.
    pub position: String,
    pub custom: bool,
    pub list: Vec<TabBarItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TabBarItem {
    pub page_path: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_icon_path: Option<String>,
}

/// A page: its route (`pages/index/index`, the path of its files without extension), the
/// subpackage it belongs to, and its own configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page {
    pub route: String,
    /// The root of the subpackage holding the page, or `None` for the main package.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subpackage: Option<String>,
    pub config: PageConfig,
}

/// What a page's `.json` says.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageConfig {
    pub window: Window,
    /// Tag name → component, from the page's `usingComponents`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub using_components: BTreeMap<String, ComponentRef>,
    /// The page is written with `Component()` rather than `Page()`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub component: bool,
}

/// Where a `usingComponents` entry leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "path")]
pub enum ComponentRef {
    /// A component in the package, by the path of its files without extension.
    Package(String),
    /// A `plugin://` component: not supported by Capsule; the tag renders as nothing.
    Plugin(String),
    /// A path that leads to no component. The platform's tools run the app; a page that
    /// uses it hears `Component is not found in path …` when it opens, and the tag renders
    /// as a plain element.
    Missing(String),
}

/// A custom component found in the package (reached from a page, the app, or another
/// component).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    pub path: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub using_components: BTreeMap<String, ComponentRef>,
    /// `isolated`, `apply-shared`, `shared` (and the page-only variants).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style_isolation: Option<String>,
    /// Keys kept without interpretation (`componentGenerics`, `componentPlaceholder`, …).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Subpackage {
    pub root: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Routes, with the root prefixed (`packageA/pages/cat/cat`).
    pub pages: Vec<String>,
    pub independent: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PreloadRule {
    /// `wifi` or `all`.
    pub network: String,
    /// Subpackage roots (names are resolved to roots); `__APP__` for the main package.
    pub packages: Vec<String>,
}

/// A capability the app declares it will ask for, with the reason shown to the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Permission {
    pub scope: String,
    pub desc: String,
}

/// Milliseconds; the platform's default is 60 s for each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkTimeout {
    pub request: u64,
    pub connect_socket: u64,
    pub upload_file: u64,
    pub download_file: u64,
}

impl Default for NetworkTimeout {
    fn default() -> NetworkTimeout {
        NetworkTimeout { request: 60_000, connect_socket: 60_000, upload_file: 60_000, download_file: 60_000 }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlatformVersion {
    pub min_code: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_code: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_type: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Icon {
    pub src: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sizes: Option<String>,
}

/// The normalised description of a package.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub dialect: Dialect,
    pub app_id: AppId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
    /// The page the app opens on.
    pub entry_page: String,
    /// Every page, main package first, then each subpackage's.
    pub pages: Vec<Page>,
    pub window: Window,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tab_bar: Option<TabBar>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subpackages: Vec<Subpackage>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub preload_rule: BTreeMap<String, PreloadRule>,
    /// Components every page may use (`usingComponents` in `app.json`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub using_components: BTreeMap<String, ComponentRef>,
    /// Every component the pages reach, by path.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<Permission>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_private_infos: Vec<String>,
    /// `requiredBackgroundModes`: `audio`, `location` — what the app keeps doing in the
    /// background, so it is not suspended there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_background_modes: Vec<String>,
    pub network_timeout: NetworkTimeout,
    /// `v2` for the newer component styles.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sitemap_location: Option<String>,
    /// `requiredComponents`: inject only the code pages use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lazy_code_loading: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<PlatformVersion>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub icons: Vec<Icon>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// Keys of `app.json` the platform knows and Capsule keeps without interpreting yet.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
    /// `darkmode: true`: the app follows the system's theme, and hears when it changes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub darkmode: bool,
    /// The variables of the theme file `themeLocation` names, for `@name` values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<crate::theme::Theme>,
    /// The `ext` object of `ext.json` when its `extEnable` is `true` (`wx.getExtConfigSync()`;
    /// `{}` to the app when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ext_config: Option<serde_json::Value>,
}

impl Manifest {
    pub fn page(&self, route: &str) -> Option<&Page> {
        self.pages.iter().find(|p| p.route == route)
    }

    pub fn component(&self, path: &str) -> Option<&Component> {
        self.components.iter().find(|c| c.path == path)
    }
}
