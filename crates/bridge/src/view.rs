//! The APIs the view carries out: toast, loading, modal, action sheet, navigation bar, tab
//! bar, page scroll, pull-down refresh, background, fonts, image preview, and the calls the
//! script's selector queries, intersection observers and media contexts make. They are in the
//! bridge's one registry like every other API — with their argument schemas, the platform's
//! documented parameters and types — but the bridge does not run them: the framework sends
//! each as a view call (`native.viewCall`), and the host checks it ([`crate::Bridge::check`],
//! [`crate::service::ApiHost::check`]) before its view handler carries it out. Adding one is
//! a line here and a handler in the host's view.
//!
//! Those on `wx` take the caller's object as it is (functions dropped). Those in a group are
//! the calls of a script-side object (`SelectorQuery.exec`, an `IntersectionObserver`, an
//! `InnerAudioContext`, a `VideoContext`): the framework builds their arguments, and the keys
//! it adds of its own accord (page ids, shadow roots, context ids) are marked
//! [`crate::Param::internal`]. None needs a scope.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Value, json};

use crate::Type::*;
use crate::schema::check_args;
use crate::{Api, optional, required};

/// The view APIs as the bridge registers them.
pub fn apis() -> Vec<Api> {
    let api = Api::view;
    vec![
        api(
            "showToast",
            vec![
                required("title", String),
                optional("icon", String),
                optional("image", String),
                optional("duration", Number),
                optional("mask", Boolean),
            ],
        ),
        api("hideToast", vec![optional("noConflict", Boolean)]),
        api("showLoading", vec![required("title", String), optional("mask", Boolean)]),
        api("hideLoading", vec![optional("noConflict", Boolean)]),
        api(
            "showModal",
            vec![
                optional("title", String),
                optional("content", String),
                optional("showCancel", Boolean),
                optional("cancelText", String),
                optional("cancelColor", String),
                optional("confirmText", String),
                optional("confirmColor", String),
                optional("editable", Boolean),
                optional("placeholderText", String),
            ],
        ),
        api(
            "showActionSheet",
            vec![required("itemList", Array), optional("itemColor", String), optional("alertText", String)],
        ),
        api("setNavigationBarTitle", vec![required("title", String)]),
        api(
            "setNavigationBarColor",
            vec![
                required("frontColor", String),
                required("backgroundColor", String),
                optional("animation", Object),
            ],
        ),
        api("showNavigationBarLoading", vec![]),
        api("hideNavigationBarLoading", vec![]),
        api(
            "setBackgroundColor",
            vec![
                optional("backgroundColor", String),
                optional("backgroundColorTop", String),
                optional("backgroundColorBottom", String),
            ],
        ),
        api("startPullDownRefresh", vec![]),
        api("stopPullDownRefresh", vec![]),
        api(
            "pageScrollTo",
            vec![
                optional("scrollTop", Number),
                optional("duration", Number),
                optional("selector", String),
                optional("offsetTop", Number),
            ],
        ),
        api(
            "loadFontFace",
            vec![
                required("family", String),
                required("source", String),
                optional("desc", Object),
                optional("global", Boolean),
                optional("scopes", Array),
            ],
        ),
        api(
            "previewImage",
            vec![
                required("urls", Array),
                optional("current", String),
                optional("showmenu", Boolean),
                optional("referrerPolicy", String),
            ],
        ),
        api("setTabBarBadge", vec![required("index", Number), required("text", String)]),
        api("removeTabBarBadge", vec![required("index", Number)]),
        api("showTabBarRedDot", vec![required("index", Number)]),
        api("hideTabBarRedDot", vec![required("index", Number)]),
        api(
            "setTabBarItem",
            vec![
                required("index", Number),
                optional("text", String),
                optional("iconPath", String),
                optional("selectedIconPath", String),
            ],
        ),
        api(
            "setTabBarStyle",
            vec![
                optional("color", String),
                optional("selectedColor", String),
                optional("backgroundColor", String),
                optional("borderStyle", String),
            ],
        ),
        // The current page's share menu, shown in the capsule button's menu; the framework
        // adds the page and the menu as the call leaves it.
        api(
            "showShareMenu",
            vec![
                optional("withShareTicket", Boolean),
                optional("menus", Array),
                required("page", Number).internal(),
                required("menu", Object).internal(),
            ],
        ),
        api(
            "hideShareMenu",
            vec![
                optional("menus", Array),
                required("page", Number).internal(),
                required("menu", Object).internal(),
            ],
        ),
        api(
            "updateShareMenu",
            vec![
                optional("withShareTicket", Boolean),
                optional("isUpdatableMessage", Boolean),
                optional("activityId", String),
                optional("templateInfo", Object),
                optional("toDoActivityId", String),
                optional("isPrivateMessage", Boolean),
                required("page", Number).internal(),
                required("menu", Object).internal(),
            ],
        ),
        api("showTabBar", vec![optional("animation", Boolean)]),
        api("hideTabBar", vec![optional("animation", Boolean)]),
        // `wx.createSelectorQuery()`: its `exec` sends the gathered requests in one call.
        api(
            "selectorQuery",
            vec![
                required("requests", Array),
                optional("page", Number).internal(),
                optional("root", Number).internal(),
            ],
        )
        .in_group("SelectorQuery"),
        // `wx.createIntersectionObserver()`: `observe` (answered once per crossing) and
        // `disconnect`.
        api(
            "observeIntersection",
            vec![
                required("selector", String),
                optional("relative", Object),
                optional("thresholds", Array),
                optional("initialRatio", Number),
                optional("observeAll", Boolean),
                optional("page", Number).internal(),
                optional("root", Number).internal(),
            ],
        )
        .in_group("IntersectionObserver"),
        api("disconnectIntersection", vec![required("observer", Number).internal()])
            .in_group("IntersectionObserver"),
        // `wx.createInnerAudioContext()`: made once (answered once per event), then driven.
        api("audioContext", vec![required("audio", Number).internal()]).in_group("InnerAudioContext"),
        api(
            "audioControl",
            vec![required("action", String), optional("args", Array), required("audio", Number).internal()],
        )
        .in_group("InnerAudioContext"),
        // What a page's `onShareAppMessage` / `onShareTimeline` gave when a person shared it
        // from the capsule button's menu (or why nothing was shared), for the view to show.
        api(
            "shareResult",
            vec![
                required("kind", String),
                optional("title", String),
                optional("path", String),
                optional("query", String),
                optional("imageUrl", String),
                optional("refused", String),
                required("page", Number).internal(),
            ],
        )
        .in_group("Page"),
        // `wx.createVideoContext(id, component)`: drives the `<video>` with that id.
        api(
            "videoControl",
            vec![
                required("id", String),
                required("action", String),
                optional("args", Array),
                optional("page", Number).internal(),
                optional("root", Number).internal(),
            ],
        )
        .in_group("VideoContext"),
    ]
}

/// The view APIs as [`crate::Bridge::surface`] lists them, for a host that runs an instance
/// without a bridge: the framework makes `wx`'s view APIs (and the selector query, observer
/// and media context objects) from these entries alone.
///
/// ```
/// let surface = capsule_bridge::view::surface();
/// assert!(surface.as_array().unwrap().iter().all(|api| api["view"] == true));
/// ```
pub fn surface() -> Value {
    let mut apis: Vec<&Api> = TABLE.values().collect();
    apis.sort_by(|a, b| a.name.cmp(&b.name));
    Value::Array(apis.into_iter().map(Api::surface_entry).collect())
}

static TABLE: LazyLock<HashMap<std::string::String, Api>> =
    LazyLock::new(|| apis().into_iter().map(|a| (a.name.clone(), a)).collect());

/// Checks a view call's arguments without a bridge (a host that has none): the same check,
/// and the same complete reply on refusal, as [`crate::Bridge::check`] gives for a view API.
/// A name that is not a view API is refused as `name:fail not supported`.
///
/// ```
/// use serde_json::json;
///
/// assert!(capsule_bridge::view::check("showToast", &json!({"title": "Saved"})).is_ok());
/// assert_eq!(
///     capsule_bridge::view::check("showToast", &json!({"title": 1})),
///     Err(json!({"errMsg": "showToast:fail parameter error: parameter.title should be String instead of Number"}))
/// );
/// ```
pub fn check(name: &str, args: &Value) -> Result<(), Value> {
    let Some(api) = TABLE.get(name) else {
        return Err(json!({"errMsg": format!("{name}:fail not supported")}));
    };
    match check_args(&api.params, args) {
        Ok(_) => Ok(()),
        Err(reason) => Err(json!({"errMsg": format!("{name}:fail {reason}")})),
    }
}
