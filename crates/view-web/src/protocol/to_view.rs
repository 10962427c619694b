//! What the host says to views ([`ToView`]): the app and its pages (a view that connects
//! late is sent `reset`, a `page` snapshot for each live page and the `stack`), the patches
//! that keep them current, and what the app asks the view to do (toasts, modals, queries,
//! media, the person's prompts). Each variant is one `type` the view's script handles, with
//! the fields it reads.

use std::collections::BTreeMap;

use capsule_template::Patch;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::PROTOCOL;

/// A message to views.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ToView {
    // ---- the app and its pages -----------------------------------------------------------
    /// Start over: close every page and take the app's styles, window and tab bar.
    Reset {
        /// The app's sheet (`app.wxss`), as CSS for the whole document.
        app_css: String,
        /// The tab bar as the app's APIs have changed it; `null` without one.
        tab_bar: Value,
        /// The app's `window` configuration.
        window: Value,
        /// Each component's sheet and isolation, by the component's path.
        components: BTreeMap<String, ComponentStyle>,
        /// Each page's sheet, unscoped, by route: a component given external classes takes
        /// the rules for those classes into its shadow root.
        page_css: BTreeMap<String, String>,
    },
    /// A page opened (or, to a view that connects late, a page that is live): its whole tree.
    Page {
        page: u32,
        route: String,
        /// The page's window configuration, merged over the app's.
        window: Value,
        /// The page's sheet, scoped to the page.
        css: String,
        /// The tree, as one [`Patch::Snapshot`].
        snapshot: Patch,
        /// A notice the view shows on the page: what Capsule cannot show of it yet (a W3C
        /// page's template, which is not rendered yet).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        notice: Option<String>,
    },
    /// Changes to a page's tree, applied in order.
    Patches { page: u32, patches: Vec<Patch> },
    /// A page closed.
    Close { page: u32 },
    /// The page stack, bottom first: the last is shown.
    Stack { pages: Vec<u32> },
    /// Changes to a page's window (title, navigation bar colours and loading, background).
    Window { page: u32, window: Map<String, Value> },
    /// The tab bar after one of the tab bar APIs changed it.
    TabBar { tab_bar: Value },
    /// What is wrong with the package, shown over the page until the next `reset`; with
    /// `ended`, why the app ended (a budget, a worker that died), with a way to relaunch it.
    Overlay {
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        ended: bool,
    },
    /// The device profile the developer tools switched to (the phone frame's size).
    DeviceProfile { width: u32, height: u32, status_bar: u32, safe_bottom: u32 },
    /// The theme the app is shown in, `light` or `dark`: dark-mode sheets' colour-scheme
    /// rules follow it (the view sets `--capsule-theme` on the document).
    Theme { theme: String },

    // ---- what the app asks the view to do ------------------------------------------------
    /// `showToast`, `showLoading` (`loading`, no duration), their hiding (`show: false`).
    Toast {
        show: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        icon: Option<String>,
        #[serde(default, skip_serializing_if = "is_false")]
        loading: bool,
        /// Milliseconds; 0 stays until hidden.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<u64>,
    },
    /// `showModal`; answered with `modalAnswer`.
    Modal {
        seq: u32,
        title: String,
        content: String,
        show_cancel: bool,
        cancel_text: String,
        confirm_text: String,
    },
    /// `showActionSheet`; answered with `actionSheetAnswer`.
    ActionSheet { seq: u32, item_list: Vec<String>, item_color: Option<String> },
    /// `pageScrollTo` on the shown page: to `scrollTop`, or to what `selector` finds.
    PageScrollTo {
        page: Option<u32>,
        scroll_top: Option<f64>,
        selector: Option<String>,
        offset_top: f64,
        /// Milliseconds; 0 jumps.
        duration: u64,
    },
    /// `stopPullDownRefresh`.
    StopPullDownRefresh,
    /// `previewImage`: the images full screen, starting at `current`.
    PreviewImage { urls: Vec<String>, current: String },
    /// A selector query in a page (or in a component's shadow root, `root`); answered with
    /// `selectorQueryAnswer`. Each request is `{selector, single, viewport, fields}`.
    SelectorQuery { seq: u32, page: Option<u32>, root: Option<u32>, requests: Vec<Value> },
    /// An intersection observer; each crossing of a threshold is reported with
    /// `intersection` until `disconnect`. `relative` is `{viewport: true, margins}` or
    /// `{selector, margins}`.
    Observe {
        seq: u32,
        page: Option<u32>,
        root: Option<u32>,
        selector: String,
        relative: Value,
        thresholds: Vec<f64>,
        initial_ratio: f64,
        observe_all: bool,
    },
    /// Ends the intersection observer of that seq.
    Disconnect { observer: u32 },
    /// `loadFontFace` for the whole document; answered with `fontAnswer`.
    LoadFontFace { seq: u32, family: String, url: String, desc: Option<Value> },
    /// An audio context (`createInnerAudioContext`), with what the app set on it so far; its
    /// events come back as `audioEvent`.
    Audio {
        seq: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        set: Option<Map<String, Value>>,
    },
    /// Drives an audio context: `set`, `play`, `pause`, `stop`, `seek`, `destroy`.
    AudioControl { audio: u32, action: String, args: Vec<Value> },
    /// A page's share menu as `wx.showShareMenu` / `hideShareMenu` / `updateShareMenu` left
    /// it (`{menus: ["shareAppMessage", …], withShareTicket, …}`), shown in the capsule
    /// button's menu.
    ShareMenu { page: u32, menu: Value },
    /// What a page's `onShareAppMessage` (`kind` `shareAppMessage`: `title`, `path`,
    /// `imageUrl`) or `onShareTimeline` (`query`) gave when a person shared it, or why
    /// nothing was shared (`refused`).
    ShareResult {
        page: u32,
        kind: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        query: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        refused: Option<String>,
    },
    /// Drives the `<video>` of that id (`createVideoContext`): `play`, `pause`, `stop`,
    /// `seek`, `playbackRate`, `requestFullScreen`, `exitFullScreen`.
    VideoControl { page: Option<u32>, root: Option<u32>, id: String, action: String, args: Vec<Value> },
    /// A short buzz of the phone frame.
    Vibrate { duration: u64 },
    /// Whether a `web-view` may show `src` (the answer to the view's `webView`).
    WebViewAnswer { page: u32, node: u32, src: String, allowed: bool, reason: Option<String> },

    // ---- what the person answers (over HTTP with the run's secret, not this socket) ------
    /// A permission prompt: the app's reason for a scope.
    Prompt { seq: u32, app: String, scope: String, reason: String },
    /// `openSetting`: each decided scope and whether it is granted, in the order decided.
    Settings {
        seq: u32,
        app: String,
        #[serde(with = "scope_map")]
        scopes: Vec<(String, bool)>,
    },
    /// A request only a person can answer (scan a code, choose a location or images, call).
    Device { seq: u32, app: String, request: String, args: Value },

    // ---- the protocol itself ---------------------------------------------------------------
    /// The host could not use a message this view sent; the view logs the reason.
    Refused { reason: String },
}

/// A component's sheet in [`ToView::Reset`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentStyle {
    /// The sheet, unscoped: it applies inside the component's shadow root.
    pub css: String,
    /// `styleIsolation` from the component's JSON (`isolated` when `null`).
    pub isolation: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl ToView {
    /// The message as it goes over the socket, with the protocol version: built once, however
    /// many views it goes to.
    ///
    /// ```
    /// use capsule_view_web::protocol::ToView;
    /// let close = ToView::Close { page: 3 };
    /// assert_eq!(close.encode(), r#"{"v":1,"type":"close","page":3}"#);
    /// assert_eq!(ToView::decode(&close.encode()), Ok(close));
    /// ```
    pub fn encode(&self) -> String {
        super::versioned(self)
    }

    /// Reads what [`ToView::encode`] wrote (a view written in Rust, a test).
    pub fn decode(text: &str) -> Result<ToView, String> {
        let msg: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if msg.get("v").and_then(Value::as_u64) != Some(u64::from(PROTOCOL)) {
            return Err(format!("protocol version {PROTOCOL} expected"));
        }
        ToView::deserialize(msg).map_err(|e| e.to_string())
    }

    /// The page a message is about, if it is about one (a query or an observer ends with its
    /// page).
    pub fn page(&self) -> Option<u32> {
        match self {
            ToView::Page { page, .. }
            | ToView::Patches { page, .. }
            | ToView::Close { page }
            | ToView::Window { page, .. }
            | ToView::ShareMenu { page, .. }
            | ToView::ShareResult { page, .. }
            | ToView::WebViewAnswer { page, .. } => Some(*page),
            ToView::PageScrollTo { page, .. }
            | ToView::SelectorQuery { page, .. }
            | ToView::Observe { page, .. }
            | ToView::VideoControl { page, .. } => *page,
            _ => None,
        }
    }
}

/// `[(scope, granted)]` as a JSON object that keeps their order.
mod scope_map {
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(scopes: &[(String, bool)], s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(scopes.len()))?;
        for (scope, granted) in scopes {
            map.serialize_entry(scope, granted)?;
        }
        map.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, bool)>, D::Error> {
        struct Scopes;
        impl<'de> Visitor<'de> for Scopes {
            type Value = Vec<(String, bool)>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of scopes and booleans")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut scopes = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    scopes.push(entry);
                }
                Ok(scopes)
            }
        }
        d.deserialize_map(Scopes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use capsule_template::tree::SnapshotNode;
    use serde_json::json;

    /// Every message, as the view's script reads it.
    fn every_message() -> Vec<(ToView, Value)> {
        let tree = SnapshotNode {
            id: 1,
            tag: Some("page".into()),
            text: None,
            attrs: vec![],
            listeners: vec![],
            children: vec![SnapshotNode {
                id: 2,
                tag: None,
                text: Some("hi".into()),
                attrs: vec![],
                listeners: vec![],
                children: vec![],
            }],
        };
        vec![
            (
                ToView::Reset {
                    app_css: "page{}".into(),
                    tab_bar: Value::Null,
                    window: json!({"navigationBarTitleText": "A"}),
                    components: BTreeMap::from([(
                        "components/card/card".into(),
                        ComponentStyle { css: ".c{}".into(), isolation: Some("apply-shared".into()) },
                    )]),
                    page_css: BTreeMap::from([("pages/index/index".into(), ".p{}".into())]),
                },
                json!({"v": 1, "type": "reset", "appCss": "page{}", "tabBar": null,
                       "window": {"navigationBarTitleText": "A"},
                       "components": {"components/card/card": {"css": ".c{}", "isolation": "apply-shared"}},
                       "pageCss": {"pages/index/index": ".p{}"}}),
            ),
            (
                ToView::Page {
                    page: 1,
                    route: "pages/index/index".into(),
                    window: json!({}),
                    css: "".into(),
                    snapshot: Patch::Snapshot { tree },
                    notice: None,
                },
                json!({"v": 1, "type": "page", "page": 1, "route": "pages/index/index", "window": {}, "css": "",
                       "snapshot": {"op": "snapshot", "tree": {"id": 1, "tag": "page", "children": [{"id": 2, "text": "hi"}]}}}),
            ),
            (
                ToView::Patches {
                    page: 1,
                    patches: vec![
                        Patch::SetText { id: 2, text: "ho".into() },
                        Patch::SetAttr { id: 1, name: "class".into(), value: None },
                    ],
                },
                json!({"v": 1, "type": "patches", "page": 1, "patches": [
                    {"op": "setText", "id": 2, "text": "ho"}, {"op": "setAttr", "id": 1, "name": "class", "value": null}]}),
            ),
            (ToView::Close { page: 2 }, json!({"v": 1, "type": "close", "page": 2})),
            (ToView::Stack { pages: vec![1, 3] }, json!({"v": 1, "type": "stack", "pages": [1, 3]})),
            (
                ToView::Window {
                    page: 1,
                    window: Map::from_iter([("navigationBarTitleText".to_string(), json!("B"))]),
                },
                json!({"v": 1, "type": "window", "page": 1, "window": {"navigationBarTitleText": "B"}}),
            ),
            (
                ToView::TabBar { tab_bar: json!({"list": []}) },
                json!({"v": 1, "type": "tabBar", "tabBar": {"list": []}}),
            ),
            (
                ToView::Overlay { text: "app.json:1:1".into(), ended: false },
                json!({"v": 1, "type": "overlay", "text": "app.json:1:1"}),
            ),
            (
                ToView::Overlay { text: "CPU time limit 5000 ms exceeded".into(), ended: true },
                json!({"v": 1, "type": "overlay", "text": "CPU time limit 5000 ms exceeded", "ended": true}),
            ),
            (
                ToView::DeviceProfile { width: 393, height: 852, status_bar: 47, safe_bottom: 34 },
                json!({"v": 1, "type": "deviceProfile", "width": 393, "height": 852, "statusBar": 47, "safeBottom": 34}),
            ),
            (ToView::Theme { theme: "dark".into() }, json!({"v": 1, "type": "theme", "theme": "dark"})),
            (
                ToView::Toast {
                    show: true,
                    title: Some("Saved".into()),
                    icon: Some("success".into()),
                    loading: false,
                    duration: Some(1500),
                },
                json!({"v": 1, "type": "toast", "show": true, "title": "Saved", "icon": "success", "duration": 1500}),
            ),
            (
                ToView::Toast {
                    show: true,
                    title: Some("Wait".into()),
                    icon: None,
                    loading: true,
                    duration: Some(0),
                },
                json!({"v": 1, "type": "toast", "show": true, "title": "Wait", "loading": true, "duration": 0}),
            ),
            (
                ToView::Toast { show: false, title: None, icon: None, loading: false, duration: None },
                json!({"v": 1, "type": "toast", "show": false}),
            ),
            (
                ToView::Modal {
                    seq: 4,
                    title: "T".into(),
                    content: "C".into(),
                    show_cancel: true,
                    cancel_text: "Cancel".into(),
                    confirm_text: "OK".into(),
                },
                json!({"v": 1, "type": "modal", "seq": 4, "title": "T", "content": "C", "showCancel": true,
                       "cancelText": "Cancel", "confirmText": "OK"}),
            ),
            (
                ToView::ActionSheet { seq: 5, item_list: vec!["a".into()], item_color: None },
                json!({"v": 1, "type": "actionSheet", "seq": 5, "itemList": ["a"], "itemColor": null}),
            ),
            (
                ToView::PageScrollTo {
                    page: Some(1),
                    scroll_top: None,
                    selector: Some("#end".into()),
                    offset_top: 0.0,
                    duration: 300,
                },
                json!({"v": 1, "type": "pageScrollTo", "page": 1, "scrollTop": null, "selector": "#end",
                       "offsetTop": 0.0, "duration": 300}),
            ),
            (ToView::StopPullDownRefresh, json!({"v": 1, "type": "stopPullDownRefresh"})),
            (
                ToView::PreviewImage { urls: vec!["a.png".into(), "b.png".into()], current: "b.png".into() },
                json!({"v": 1, "type": "previewImage", "urls": ["a.png", "b.png"], "current": "b.png"}),
            ),
            (
                ToView::SelectorQuery {
                    seq: 6,
                    page: Some(1),
                    root: None,
                    requests: vec![
                        json!({"selector": "#a", "single": true, "viewport": false, "fields": {"id": true}}),
                    ],
                },
                json!({"v": 1, "type": "selectorQuery", "seq": 6, "page": 1, "root": null, "requests": [
                    {"selector": "#a", "single": true, "viewport": false, "fields": {"id": true}}]}),
            ),
            (
                ToView::Observe {
                    seq: 7,
                    page: Some(1),
                    root: Some(9),
                    selector: ".item".into(),
                    relative: json!({"viewport": true, "margins": {}}),
                    thresholds: vec![0.0, 0.5],
                    initial_ratio: 0.0,
                    observe_all: true,
                },
                json!({"v": 1, "type": "observe", "seq": 7, "page": 1, "root": 9, "selector": ".item",
                       "relative": {"viewport": true, "margins": {}}, "thresholds": [0.0, 0.5],
                       "initialRatio": 0.0, "observeAll": true}),
            ),
            (ToView::Disconnect { observer: 7 }, json!({"v": 1, "type": "disconnect", "observer": 7})),
            (
                ToView::LoadFontFace {
                    seq: 8,
                    family: "Dejavu".into(),
                    url: "/fonts/d.ttf".into(),
                    desc: None,
                },
                json!({"v": 1, "type": "loadFontFace", "seq": 8, "family": "Dejavu", "url": "/fonts/d.ttf", "desc": null}),
            ),
            (ToView::Audio { seq: 9, set: None }, json!({"v": 1, "type": "audio", "seq": 9})),
            (
                ToView::Audio { seq: 9, set: Some(Map::from_iter([("src".to_string(), json!("/a.mp3"))])) },
                json!({"v": 1, "type": "audio", "seq": 9, "set": {"src": "/a.mp3"}}),
            ),
            (
                ToView::ShareMenu { page: 1, menu: json!({"menus": ["shareAppMessage"]}) },
                json!({"v": 1, "type": "shareMenu", "page": 1, "menu": {"menus": ["shareAppMessage"]}}),
            ),
            (
                ToView::ShareResult {
                    page: 1,
                    kind: "shareAppMessage".into(),
                    title: Some("Tea".into()),
                    path: Some("/pages/a/a?id=1".into()),
                    query: None,
                    image_url: Some("/img/tea.png".into()),
                    refused: None,
                },
                json!({"v": 1, "type": "shareResult", "page": 1, "kind": "shareAppMessage", "title": "Tea",
                       "path": "/pages/a/a?id=1", "imageUrl": "/img/tea.png"}),
            ),
            (
                ToView::AudioControl { audio: 9, action: "seek".into(), args: vec![json!(2)] },
                json!({"v": 1, "type": "audioControl", "audio": 9, "action": "seek", "args": [2]}),
            ),
            (
                ToView::VideoControl {
                    page: Some(1),
                    root: None,
                    id: "v".into(),
                    action: "play".into(),
                    args: vec![],
                },
                json!({"v": 1, "type": "videoControl", "page": 1, "root": null, "id": "v", "action": "play", "args": []}),
            ),
            (ToView::Vibrate { duration: 15 }, json!({"v": 1, "type": "vibrate", "duration": 15})),
            (
                ToView::WebViewAnswer {
                    page: 1,
                    node: 5,
                    src: "https://a.example/".into(),
                    allowed: false,
                    reason: Some("url not in domain list".into()),
                },
                json!({"v": 1, "type": "webViewAnswer", "page": 1, "node": 5, "src": "https://a.example/",
                       "allowed": false, "reason": "url not in domain list"}),
            ),
            (
                ToView::Prompt {
                    seq: 10,
                    app: "wx1".into(),
                    scope: "scope.userLocation".into(),
                    reason: "to find shops".into(),
                },
                json!({"v": 1, "type": "prompt", "seq": 10, "app": "wx1", "scope": "scope.userLocation",
                       "reason": "to find shops"}),
            ),
            (
                ToView::Settings {
                    seq: 11,
                    app: "wx1".into(),
                    scopes: vec![("scope.z".into(), true), ("scope.a".into(), false)],
                },
                json!({"v": 1, "type": "settings", "seq": 11, "app": "wx1", "scopes": {"scope.z": true, "scope.a": false}}),
            ),
            (
                ToView::Device { seq: 12, app: "wx1".into(), request: "scanCode".into(), args: json!({}) },
                json!({"v": 1, "type": "device", "seq": 12, "app": "wx1", "request": "scanCode", "args": {}}),
            ),
            (
                ToView::Refused { reason: "no `type`".into() },
                json!({"v": 1, "type": "refused", "reason": "no `type`"}),
            ),
        ]
    }

    #[test]
    fn each_message_is_what_the_view_reads() {
        // A variant added without an example here fails to compile (the match) or this count.
        let variant = |m: &ToView| match m {
            ToView::Reset { .. } => 0,
            ToView::Page { .. } => 1,
            ToView::Patches { .. } => 2,
            ToView::Close { .. } => 3,
            ToView::Stack { .. } => 4,
            ToView::Window { .. } => 5,
            ToView::TabBar { .. } => 6,
            ToView::Overlay { .. } => 7,
            ToView::DeviceProfile { .. } => 8,
            ToView::Toast { .. } => 9,
            ToView::Modal { .. } => 10,
            ToView::ActionSheet { .. } => 11,
            ToView::PageScrollTo { .. } => 12,
            ToView::StopPullDownRefresh => 13,
            ToView::PreviewImage { .. } => 14,
            ToView::SelectorQuery { .. } => 15,
            ToView::Observe { .. } => 16,
            ToView::Disconnect { .. } => 17,
            ToView::LoadFontFace { .. } => 18,
            ToView::Audio { .. } => 19,
            ToView::AudioControl { .. } => 20,
            ToView::VideoControl { .. } => 21,
            ToView::Vibrate { .. } => 22,
            ToView::WebViewAnswer { .. } => 23,
            ToView::Prompt { .. } => 24,
            ToView::Settings { .. } => 25,
            ToView::Device { .. } => 26,
            ToView::Refused { .. } => 27,
            ToView::Theme { .. } => 28,
            ToView::ShareMenu { .. } => 29,
            ToView::ShareResult { .. } => 30,
        };
        let seen: std::collections::BTreeSet<usize> =
            every_message().iter().map(|(m, _)| variant(m)).collect();
        assert_eq!(seen.len(), 31);
        for (message, expected) in every_message() {
            let text = message.encode();
            let got: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(got, expected, "{text}");
            // The version leads, then the type, so a log line says what it is at once.
            assert!(
                text.starts_with(&format!("{{\"v\":1,\"type\":\"{}\"", expected["type"].as_str().unwrap()))
            );
        }
    }

    #[test]
    fn each_message_round_trips() {
        for (message, _) in every_message() {
            assert_eq!(ToView::decode(&message.encode()), Ok(message.clone()), "{message:?}");
        }
        // The scopes keep the order they were decided in, as the settings sheet lists them.
        let text = every_message()
            .into_iter()
            .find(|(m, _)| matches!(m, ToView::Settings { .. }))
            .unwrap()
            .0
            .encode();
        assert!(text.contains(r#""scopes":{"scope.z":true,"scope.a":false}"#), "{text}");
        assert_eq!(
            ToView::decode(r#"{"v": 2, "type": "close", "page": 1}"#),
            Err("protocol version 1 expected".into())
        );
    }

    #[test]
    fn the_view_script_handles_every_message() {
        // Each `type` has a case in the view's dispatch, so none is dropped unseen.
        let dispatch = include_str!("../assets/view/protocol.js");
        for (_, expected) in every_message() {
            let kind = expected["type"].as_str().unwrap();
            assert!(
                dispatch.contains(&format!("case '{kind}':")),
                "view/protocol.js has no case for `{kind}`"
            );
        }
    }
}
