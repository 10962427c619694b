//! The bridge on its own: argument checks in the platform's words, the one capability check
//! and its audit log, storage with its limits and per-app isolation, the sync ceiling.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use capsule_bridge::service::{ApiHost, Service};
use capsule_bridge::{Api, App, Bridge, Options, Rule, Type, required};
use serde_json::{Value, json};

fn data_dir() -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "capsule-bridge-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn app(id: &str, declared: &[&str]) -> App {
    App { id: id.into(), declared: declared.iter().map(|s| s.to_string()).collect(), ..Default::default() }
}

fn bridge(rules: &[(&str, Rule)], answers: &[(&str, bool)]) -> Bridge {
    let options = Options {
        device: Default::default(),
        data_dir: data_dir(),
        rules: rules.iter().map(|(s, r)| (s.to_string(), *r)).collect(),
        answers: answers.iter().map(|(s, a)| (s.to_string(), *a)).collect::<HashMap<_, _>>(),
        ..Options::default()
    };
    let mut b = Bridge::new(options);
    b.register(
        Api::new("getLocation", vec![], |_| Ok(json!({"latitude": 31.2, "longitude": 121.5})))
            .needs("scope.userLocation")
            .with_sync(&[], None),
    );
    b
}

fn err(v: &Value) -> &str {
    v["errMsg"].as_str().unwrap_or("")
}

#[test]
fn storage_round_trips_and_is_per_app() {
    let b = bridge(&[], &[]);
    let (a, other) = (app("a", &[]), app("b", &[]));
    assert_eq!(
        err(&b.call(&a, "setStorage", &json!({"key": "k", "data": {"n": [1, true, "x"]}}), false)),
        "setStorage:ok"
    );
    assert_eq!(b.call(&a, "getStorage", &json!({"key": "k"}), false)["data"], json!({"n": [1, true, "x"]}));
    assert_eq!(
        err(&b.call(&other, "getStorage", &json!({"key": "k"}), false)),
        "getStorage:fail data not found"
    );
    b.call(&a, "setStorage", &json!({"key": "k2", "data": 5}), true);
    let info = b.call(&a, "getStorageInfo", &json!({}), true);
    assert_eq!(info["keys"], json!(["k", "k2"]));
    assert_eq!(info["limitSize"], 10240);
    assert_eq!(err(&b.call(&a, "removeStorage", &json!({"key": "k"}), false)), "removeStorage:ok");
    assert_eq!(b.call(&a, "getStorageInfo", &json!({}), false)["keys"], json!(["k2"]));
    assert_eq!(err(&b.call(&a, "clearStorage", &json!({}), true)), "clearStorageSync:ok");
    assert_eq!(b.call(&a, "getStorageInfo", &json!({}), false)["keys"], json!([]));
}

#[test]
fn bad_arguments_fail_in_the_platform_words() {
    let b = bridge(&[], &[]);
    let a = app("a", &[]);
    assert_eq!(
        err(&b.call(&a, "setStorage", &json!({"key": 1, "data": 2}), false)),
        "setStorage:fail parameter error: parameter.key should be String instead of Number"
    );
    assert_eq!(
        err(&b.call(&a, "getStorage", &json!({}), true)),
        "getStorageSync:fail parameter error: parameter.key should be String instead of Undefined"
    );
    assert_eq!(
        err(&b.call(&a, "setStorage", &json!([1]), false)),
        "setStorage:fail parameter error: parameter should be Object instead of Array"
    );
    assert_eq!(err(&b.call(&a, "flyToTheMoon", &json!({}), false)), "flyToTheMoon:fail not supported");
}

#[test]
fn storage_limits() {
    let b = bridge(&[], &[]);
    let a = app("a", &[]);
    let big = "x".repeat(1024 * 1024 + 1);
    assert_eq!(
        err(&b.call(&a, "setStorage", &json!({"key": "big", "data": big}), false)),
        "setStorage:fail exceed storage item max length 1MB"
    );
    let chunk = "y".repeat(1000 * 1024);
    for i in 0..10 {
        let r = b.call(&a, "setStorage", &json!({"key": format!("k{i}"), "data": chunk}), false);
        assert_eq!(err(&r), "setStorage:ok", "{i}");
    }
    let r = b.call(&a, "setStorage", &json!({"key": "one-more", "data": chunk}), false);
    assert_eq!(err(&r), "setStorage:fail exceed storage max size 10MB");
    // Replacing a key counts its old size out.
    assert_eq!(
        err(&b.call(&a, "setStorage", &json!({"key": "k0", "data": "small"}), false)),
        "setStorage:ok"
    );
    assert_eq!(
        err(&b.call(&a, "getStorage", &json!({"key": "one-more"}), false)),
        "getStorage:fail data not found",
        "nothing stored by the refused write"
    );
}

#[test]
fn one_capability_check_with_an_audit_log() {
    let scope = "scope.userLocation";
    let undeclared = app("u", &[]);
    let declared = app("d", &[scope]);

    let b = bridge(&[], &[]);
    assert_eq!(err(&b.call(&undeclared, "getLocation", &json!({}), false)), "getLocation:fail auth deny");
    assert_eq!(err(&b.call(&declared, "getLocation", &json!({}), false)), "getLocation:fail auth deny");
    let log: Vec<(String, bool, String)> =
        b.audit_log().into_iter().map(|d| (d.app, d.granted, d.reason)).collect();
    assert_eq!(log, [("u".into(), false, "not declared".into()), ("d".into(), false, "no answer".into())]);

    // Answered in advance: granted, then remembered; a sync call never prompts.
    let b = bridge(&[], &[(scope, true)]);
    assert_eq!(err(&b.call(&declared, "getLocation", &json!({}), true)), "getLocationSync:fail auth deny");
    assert_eq!(err(&b.call(&declared, "getLocation", &json!({}), false)), "getLocation:ok");
    assert_eq!(err(&b.call(&declared, "getLocation", &json!({}), true)), "getLocationSync:ok");
    assert_eq!(b.call(&declared, "getSetting", &json!({}), false)["authSetting"], json!({scope: true}));
    let reasons: Vec<String> = b.audit_log().into_iter().map(|d| d.reason).collect();
    assert_eq!(reasons, ["sync API cannot prompt", "answered", "remembered"]);

    // The host's rules come first.
    let b = bridge(&[(scope, Rule::Deny)], &[(scope, true)]);
    assert_eq!(err(&b.call(&declared, "getLocation", &json!({}), false)), "getLocation:fail auth deny");
    let b = bridge(&[(scope, Rule::Allow)], &[]);
    assert_eq!(err(&b.call(&declared, "getLocation", &json!({}), true)), "getLocationSync:ok");
    assert_eq!(err(&b.call(&declared, "authorize", &json!({"scope": scope}), false)), "authorize:ok");
}

#[test]
fn sync_calls_have_a_ceiling() {
    let mut b = bridge(&[], &[]);
    b.register(
        Api::new("slow", vec![required("ms", Type::Number)], |c| {
            std::thread::sleep(Duration::from_millis(c.args["ms"].as_u64().unwrap_or(0)));
            Ok(json!({}))
        })
        .with_sync(&["ms"], None),
    );
    let service = Service::start(b);
    let client = service.client(app("a", &[]));
    assert_eq!(err(&client.call_sync("slow", json!({"ms": 1}))), "slowSync:ok");
    assert_eq!(err(&client.call_sync("slow", json!({"ms": 1500}))), "slowSync:fail timeout");
    let (tx, rx) = std::sync::mpsc::channel();
    client.call_async("slow", json!({"ms": 5}), Box::new(move |r| tx.send(r).unwrap()));
    assert_eq!(err(&rx.recv_timeout(Duration::from_secs(10)).unwrap()), "slow:ok");
}

#[test]
fn identity_answers_without_a_prompt() {
    let b = bridge(&[], &[]);
    let a = app("a", &[]);
    assert!(b.call(&a, "login", &json!({}), false)["code"].as_str().unwrap().starts_with("local-"));
    assert_eq!(b.call(&a, "getUserInfo", &json!({}), false)["userInfo"]["nickName"], "微信用户");
    assert_eq!(
        err(&b.call(&a, "getUserProfile", &json!({}), false)),
        "getUserProfile:fail parameter error: parameter.desc should be String instead of Undefined"
    );
}

#[test]
fn system_info_comes_from_the_device_profile() {
    let b = bridge(&[], &[]);
    let a = app("a", &[]);
    let info = b.call(&a, "getSystemInfo", &json!({}), true);
    assert_eq!(err(&info), "getSystemInfoSync:ok");
    assert_eq!(
        (info["screenWidth"].as_u64(), info["windowHeight"].as_u64(), info["statusBarHeight"].as_u64()),
        (Some(375), Some(603), Some(20))
    );
    let window = b.call(&a, "getWindowInfo", &json!({}), true);
    assert_eq!(err(&window), "getWindowInfo:ok", "a plain sync API keeps its own name");
    let button = b.call(&a, "getMenuButtonBoundingClientRect", &json!({}), true);
    assert_eq!((button["right"].as_u64(), button["top"].as_u64()), (Some(368), Some(26)));
    let surface = b.surface();
    let plain: Vec<&str> = surface
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["plain"] == true)
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        plain,
        [
            "getAppAuthorizeSetting",
            "getAppBaseInfo",
            "getDeviceInfo",
            "getMenuButtonBoundingClientRect",
            "getSystemSetting",
            "getWindowInfo"
        ]
    );
}

#[test]
fn a_policy_file_sets_rules_domains_and_per_app_overrides() {
    let mut options = Options::default();
    capsule_bridge::parse_policy(
        r#"
[scopes]
"scope.userLocation" = "deny"
"scope.camera" = "allow"

[network]
domains = ["https://api.example.com/"]
socket = ["wss://chat.example.com"]

[apps."trusted".scopes]
"scope.userLocation" = "allow"
"#,
        &mut options,
    )
    .unwrap();
    assert_eq!(options.domains, ["https://api.example.com"]);
    // A kind's own list adds to the shared one for that kind only.
    use capsule_bridge::origin::check_kind;
    assert!(check_kind("wss://chat.example.com/room", "socket", &options).is_ok());
    assert!(check_kind("wss://chat.example.com/room", "request", &options).is_err());
    assert!(check_kind("https://api.example.com/x", "socket", &options).is_ok());
    assert!(check_kind("https://api.example.com/x", "webView", &options).is_ok());
    let mut bad = Options::default();
    assert!(
        capsule_bridge::parse_policy("[network]\nsockets = []", &mut bad)
            .unwrap_err()
            .to_string()
            .contains("unknown key `network.sockets`")
    );
    assert!(
        capsule_bridge::parse_policy("[network]\nrequest = [\"http://evil.com\"]", &mut bad)
            .unwrap_err()
            .to_string()
            .contains("must be an https://")
    );
    assert!(
        capsule_bridge::parse_policy("[network]\ndomains = [\"http://127.0.0.1.evil.com\"]", &mut bad)
            .unwrap_err()
            .to_string()
            .contains("must be an https://")
    );
    assert!(
        capsule_bridge::parse_policy("[network]\ndomains = [\"http://127.0.0.1:8080\"]", &mut bad).is_ok()
    );
    options.data_dir = data_dir();
    let mut b = Bridge::new(options);
    b.register(Api::new("getLocation", vec![], |_| Ok(json!({}))).needs("scope.userLocation"));
    let scope = "scope.userLocation";
    assert_eq!(
        err(&b.call(&app("other", &[scope]), "getLocation", &json!({}), false)),
        "getLocation:fail auth deny"
    );
    assert_eq!(err(&b.call(&app("trusted", &[scope]), "getLocation", &json!({}), false)), "getLocation:ok");
    assert_eq!(
        b.call(&app("trusted", &[scope]), "getSetting", &json!({}), false)["authSetting"],
        json!({scope: true})
    );

    for (bad, message) in [
        (
            "[scopes]\n\"scope.camera\" = \"maybe\"",
            "`scopes.\"scope.camera\"` must be \"allow\", \"deny\" or \"prompt\", found \"maybe\"",
        ),
        (
            "[network]\ndomains = [\"http://evil.example\"]",
            "`network.domains`: `http://evil.example` must be an https:// or wss:// origin",
        ),
        ("[scope]\n", "unknown key `scope`; a policy has [scopes], [network] and [apps]"),
    ] {
        assert_eq!(
            capsule_bridge::parse_policy(bad, &mut Options::default()).unwrap_err().to_string(),
            message
        );
    }
    let syntax = capsule_bridge::parse_policy("[scopes\n", &mut Options::default()).unwrap_err().to_string();
    assert!(syntax.contains("line 1"), "{syntax}");
}

/// Stands in for the person at the simulator: answers from a list.
struct Person(std::sync::Mutex<Vec<capsule_bridge::Answer>>, std::sync::Mutex<Vec<String>>);

impl capsule_bridge::Prompter for Person {
    fn ask(&self, _: &App, scope: &str, reason: &str) -> Option<capsule_bridge::Answer> {
        self.1.lock().unwrap().push(format!("{scope}: {reason}"));
        self.0.lock().unwrap().pop()
    }
}

#[test]
fn prompts_ask_once_or_remember() {
    use capsule_bridge::Answer::*;
    let scope = "scope.userLocation";
    let person =
        std::sync::Arc::new(Person(std::sync::Mutex::new(vec![Always, Once, Deny]), Default::default()));
    let mut b =
        Bridge::new(Options { prompter: Some(person.clone()), data_dir: data_dir(), ..Options::default() });
    b.register(Api::new("getLocation", vec![], |_| Ok(json!({}))).needs(scope));
    let mut a = app("a", &[scope]);
    a.reasons.insert(scope.into(), "to find shops near you".into());
    let call = |b: &Bridge| err(&b.call(&a, "getLocation", &json!({}), false)).to_string();
    assert_eq!(call(&b), "getLocation:fail auth deny", "denied: remembered");
    assert_eq!(call(&b), "getLocation:fail auth deny", "asked only once");
    let b2 = {
        let mut b2 = Bridge::new(Options {
            prompter: Some(person.clone()),
            data_dir: data_dir(),
            ..Options::default()
        });
        b2.register(Api::new("getLocation", vec![], |_| Ok(json!({}))).needs(scope));
        b2
    };
    let first = call(&b2);
    assert_eq!(
        first,
        "getLocation:ok",
        "once: {:?} {:?} {:?}",
        b2.audit_log(),
        person.1.lock().unwrap(),
        b.audit_log()
    );
    assert_eq!(call(&b2), "getLocation:ok", "then always");
    assert_eq!(call(&b2), "getLocation:ok", "remembered");
    assert_eq!(person.1.lock().unwrap().len(), 3);
    assert_eq!(person.1.lock().unwrap()[0], "scope.userLocation: to find shops near you");
    let reasons: Vec<String> = b2.audit_log().into_iter().map(|d| d.reason).collect();
    assert_eq!(reasons, ["allowed by the person, once", "allowed by the person, always", "remembered"]);
    let _ = b;
}
