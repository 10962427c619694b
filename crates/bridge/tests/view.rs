//! The view APIs in the one registry: on the surface marked as view APIs, their arguments
//! checked in the platform's words before the host forwards them, and never run by the bridge.

use capsule_bridge::service::{ApiHost, Service};
use capsule_bridge::{Api, App, Bridge, Options, Rule, Type, required};
use serde_json::{Value, json};

/// Every API the framework sends as a view call, and where the script finds it.
const VIEW_APIS: &[(&str, Option<&str>)] = &[
    ("showToast", None),
    ("hideToast", None),
    ("showLoading", None),
    ("hideLoading", None),
    ("showModal", None),
    ("showActionSheet", None),
    ("setNavigationBarTitle", None),
    ("setNavigationBarColor", None),
    ("showNavigationBarLoading", None),
    ("hideNavigationBarLoading", None),
    ("setBackgroundColor", None),
    ("startPullDownRefresh", None),
    ("stopPullDownRefresh", None),
    ("pageScrollTo", None),
    ("loadFontFace", None),
    ("previewImage", None),
    ("setTabBarBadge", None),
    ("removeTabBarBadge", None),
    ("showTabBarRedDot", None),
    ("hideTabBarRedDot", None),
    ("setTabBarItem", None),
    ("setTabBarStyle", None),
    ("showTabBar", None),
    ("hideTabBar", None),
    ("selectorQuery", Some("SelectorQuery")),
    ("observeIntersection", Some("IntersectionObserver")),
    ("disconnectIntersection", Some("IntersectionObserver")),
    ("audioContext", Some("InnerAudioContext")),
    ("audioControl", Some("InnerAudioContext")),
    ("videoControl", Some("VideoContext")),
    ("showShareMenu", None),
    ("hideShareMenu", None),
    ("updateShareMenu", None),
    ("shareResult", Some("Page")),
];

fn app() -> App {
    App { id: "view-test".into(), ..Default::default() }
}

fn err(reply: Result<(), Value>) -> String {
    match reply {
        Ok(()) => "ok".into(),
        Err(v) => v["errMsg"].as_str().unwrap_or("(no errMsg)").to_string(),
    }
}

#[test]
fn every_view_api_is_on_the_surface_marked_as_a_view_api() {
    let surface = Bridge::new(Options::default()).surface();
    let entries = surface.as_array().unwrap();
    let mut views: Vec<(&str, Option<&str>)> = entries
        .iter()
        .filter(|a| a["view"] == true)
        .map(|a| (a["name"].as_str().unwrap(), a["group"].as_str()))
        .collect();
    views.sort();
    let mut expected = VIEW_APIS.to_vec();
    expected.sort();
    assert_eq!(views, expected);
    // Every other API says it is not one.
    assert!(entries.iter().all(|a| a["view"].is_boolean()));
    assert_eq!(entries.iter().find(|a| a["name"] == "setStorage").unwrap()["view"], false);
}

#[test]
fn check_refuses_malformed_arguments_in_the_platform_words() {
    let b = Bridge::new(Options::default());
    let a = app();
    for (name, args, message) in [
        (
            "showModal",
            json!({"title": 1}),
            "showModal:fail parameter error: parameter.title should be String instead of Number",
        ),
        (
            "showModal",
            json!({"title": "t", "showCancel": "no"}),
            "showModal:fail parameter error: parameter.showCancel should be Boolean instead of String",
        ),
        (
            "showToast",
            json!({}),
            "showToast:fail parameter error: parameter.title should be String instead of Undefined",
        ),
        (
            "showToast",
            json!({"title": "t", "duration": "1500"}),
            "showToast:fail parameter error: parameter.duration should be Number instead of String",
        ),
        (
            "showActionSheet",
            json!({"itemList": "a,b"}),
            "showActionSheet:fail parameter error: parameter.itemList should be Array instead of String",
        ),
        (
            "setTabBarBadge",
            json!({"index": "0", "text": "1"}),
            "setTabBarBadge:fail parameter error: parameter.index should be Number instead of String",
        ),
        (
            "setNavigationBarColor",
            json!({"frontColor": "#ffffff"}),
            "setNavigationBarColor:fail parameter error: parameter.backgroundColor should be String instead of Undefined",
        ),
        (
            "pageScrollTo",
            json!({"scrollTop": "100"}),
            "pageScrollTo:fail parameter error: parameter.scrollTop should be Number instead of String",
        ),
        (
            "loadFontFace",
            json!({"family": "f"}),
            "loadFontFace:fail parameter error: parameter.source should be String instead of Undefined",
        ),
        (
            "hideToast",
            json!([1]),
            "hideToast:fail parameter error: parameter should be Object instead of Array",
        ),
        // The framework's own fields are checked too: a forged call is refused.
        (
            "audioControl",
            json!({"audio": "1", "action": "play"}),
            "audioControl:fail parameter error: parameter.audio should be Number instead of String",
        ),
        ("showTheMoon", json!({}), "showTheMoon:fail not supported"),
    ] {
        assert_eq!(err(b.check(&a, name, &args)), message, "{name} {args}");
        // The same answer without a bridge, from the view APIs' own table.
        assert_eq!(err(capsule_bridge::view::check(name, &args)), message, "{name} {args} (no bridge)");
    }
}

#[test]
fn check_accepts_what_the_framework_sends() {
    let b = Bridge::new(Options::default());
    let a = app();
    for (name, args) in [
        // The caller's objects, as the framework sends them (functions dropped, unknown keys
        // ignored as the platform ignores them).
        ("showModal", json!({"title": "Delete?", "content": "It cannot be undone", "showCancel": false})),
        ("showModal", Value::Null),
        ("showToast", json!({"title": "Saved", "icon": "none", "duration": 2000, "mask": true, "extra": 1})),
        ("hideToast", json!({})),
        ("showActionSheet", json!({"itemList": ["a", "b"], "itemColor": "#000"})),
        ("setTabBarBadge", json!({"index": 0, "text": "9"})),
        ("pageScrollTo", json!({"selector": "#end", "duration": 0})),
        ("previewImage", json!({"urls": ["/a.png"], "current": "/a.png"})),
        // With `null` for an optional key, as a script passing `undefined`-ish values does.
        ("showLoading", json!({"title": "…", "mask": null})),
        // The script-side objects' calls with the framework's internal fields.
        ("selectorQuery", json!({"page": 3, "root": 17, "requests": [{"selector": "#a", "single": true}]})),
        ("selectorQuery", json!({"requests": []})),
        (
            "observeIntersection",
            json!({"page": 3, "selector": ".item", "relative": {"viewport": true, "margins": {}},
                   "thresholds": [0, 0.5], "initialRatio": 0, "observeAll": false}),
        ),
        ("disconnectIntersection", json!({"observer": 12})),
        ("audioContext", json!({"audio": 4})),
        ("audioControl", json!({"audio": 4, "action": "set", "args": [{"src": "/a.mp3"}]})),
        ("videoControl", json!({"page": 1, "id": "v", "action": "seek", "args": [3]})),
    ] {
        assert_eq!(err(b.check(&a, name, &args)), "ok", "{name} {args}");
        assert_eq!(err(capsule_bridge::view::check(name, &args)), "ok", "{name} {args} (no bridge)");
    }
}

#[test]
fn the_bridge_never_runs_a_view_api() {
    let b = Bridge::new(Options::default());
    let reply = b.call(&app(), "showToast", &json!({"title": "t"}), false);
    assert_eq!(reply["errMsg"], "showToast:fail not supported by the bridge: the view carries it out");
    // Its arguments are still checked first, in the same words.
    let reply = b.call(&app(), "showToast", &json!({"title": 2}), false);
    assert_eq!(
        reply["errMsg"],
        "showToast:fail parameter error: parameter.title should be String instead of Number"
    );
}

#[test]
fn an_apps_client_checks_through_the_bridge() {
    let service = Service::start(Bridge::new(Options::default()));
    let client = service.client(app());
    assert_eq!(err(client.check("setNavigationBarTitle", &json!({"title": "Home"}))), "ok");
    assert_eq!(
        err(client.check("setNavigationBarTitle", &json!({"title": null}))),
        "setNavigationBarTitle:fail parameter error: parameter.title should be String instead of Undefined"
    );
}

#[test]
fn a_view_api_that_needs_a_scope_is_decided_and_logged_without_a_prompt() {
    let scope = "scope.camera";
    let mut b = Bridge::new(Options {
        app_rules: [("allowed".to_string(), [(scope.to_string(), Rule::Allow)].into())].into(),
        ..Options::default()
    });
    b.register(Api::view("scanInView", vec![required("mode", Type::String)]).needs(scope));
    let app = |id: &str| App { id: id.into(), declared: vec![scope.into()], ..Default::default() };
    assert_eq!(err(b.check(&app("allowed"), "scanInView", &json!({"mode": "qr"}))), "ok");
    // Nobody may be asked before a view call: a scope not decided yet is refused.
    assert_eq!(
        err(b.check(&app("other"), "scanInView", &json!({"mode": "qr"}))),
        "scanInView:fail auth deny"
    );
    // Arguments first: a malformed call is no decision.
    assert_eq!(
        err(b.check(&app("other"), "scanInView", &json!({}))),
        "scanInView:fail parameter error: parameter.mode should be String instead of Undefined"
    );
    let log: Vec<(String, bool, String)> =
        b.audit_log().into_iter().map(|d| (d.app, d.granted, d.reason)).collect();
    assert_eq!(
        log,
        [
            ("allowed".to_string(), true, "policy allow".to_string()),
            ("other".to_string(), false, "a checked call cannot prompt".to_string())
        ]
    );
}

#[test]
fn without_a_bridge_the_view_apis_surface_is_the_same() {
    let bridge = Bridge::new(Options::default()).surface();
    let views: Vec<&Value> = bridge.as_array().unwrap().iter().filter(|a| a["view"] == true).collect();
    let alone = capsule_bridge::view::surface();
    assert_eq!(alone.as_array().unwrap().iter().collect::<Vec<_>>(), views);
}
