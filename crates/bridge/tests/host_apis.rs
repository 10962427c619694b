//! APIs of the host's own: added before the service starts, behind the same argument check,
//! capability check and audit log as the built-in ones, and offered to the script like them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use capsule_bridge::service::{ApiHost, Service};
use capsule_bridge::{Api, App, Bridge, Options, RegisterError, Rule, Type, optional, required};
use serde_json::{Value, json};

const SCOPE: &str = "scope.taxi";

/// A bridge whose policy denies the taxi scope to every app but `trusted`, with `callTaxi`
/// added; the count is how many times its handler ran.
fn bridge() -> (Bridge, Arc<AtomicUsize>) {
    let mut b = Bridge::new(Options {
        rules: [(SCOPE.to_string(), Rule::Deny)].into(),
        app_rules: [("trusted".to_string(), [(SCOPE.to_string(), Rule::Allow)].into())].into(),
        ..Options::default()
    });
    let ran = Arc::new(AtomicUsize::new(0));
    let count = ran.clone();
    let taxi = Api::host(
        "callTaxi",
        vec![required("to", Type::String), optional("seats", Type::Number)],
        Some(SCOPE),
        move |app: &App, args: Value| {
            count.fetch_add(1, Ordering::SeqCst);
            if args["seats"].as_u64().unwrap_or(1) > 6 {
                return Err("no taxi has that many seats".into());
            }
            Ok(json!({"booked": format!("{} for {}", args["to"].as_str().unwrap_or(""), app.id)}))
        },
    );
    b.add(taxi).unwrap();
    (b, ran)
}

fn app(id: &str) -> App {
    App { id: id.into(), declared: vec![SCOPE.into()], ..Default::default() }
}

fn err(v: &Value) -> &str {
    v["errMsg"].as_str().unwrap_or("")
}

#[test]
fn a_host_api_is_checked_decided_and_logged_like_a_built_in_one() {
    let (b, ran) = bridge();
    let denied = b.call(&app("other"), "callTaxi", &json!({"to": "home"}), false);
    assert_eq!(denied, json!({"errMsg": "callTaxi:fail auth deny"}));
    let undeclared = App { id: "trusted".into(), ..Default::default() };
    assert_eq!(
        err(&b.call(&undeclared, "callTaxi", &json!({"to": "home"}), false)),
        "callTaxi:fail auth deny"
    );
    assert_eq!(ran.load(Ordering::SeqCst), 0, "the handler never runs for a denied call");

    let booked = b.call(&app("trusted"), "callTaxi", &json!({"to": "home", "seats": 2}), false);
    assert_eq!(booked, json!({"errMsg": "callTaxi:ok", "booked": "home for trusted"}));
    let refused = b.call(&app("trusted"), "callTaxi", &json!({"to": "home", "seats": 9}), false);
    assert_eq!(refused, json!({"errMsg": "callTaxi:fail no taxi has that many seats"}));

    for (args, message) in [
        (json!({}), "callTaxi:fail parameter error: parameter.to should be String instead of Undefined"),
        (json!({"to": 5}), "callTaxi:fail parameter error: parameter.to should be String instead of Number"),
        (
            json!({"to": "home", "seats": "2"}),
            "callTaxi:fail parameter error: parameter.seats should be Number instead of String",
        ),
        (json!("home"), "callTaxi:fail parameter error: parameter should be Object instead of String"),
    ] {
        assert_eq!(err(&b.call(&app("trusted"), "callTaxi", &args, false)), message, "{args}");
    }
    assert_eq!(ran.load(Ordering::SeqCst), 2);

    let log: Vec<(String, String, String, bool, String)> =
        b.audit_log().into_iter().map(|d| (d.api, d.app, d.scope, d.granted, d.reason)).collect();
    let entry = |app: &str, granted: bool, reason: &str| {
        ("callTaxi".to_string(), app.to_string(), SCOPE.to_string(), granted, reason.to_string())
    };
    assert_eq!(
        log,
        [
            entry("other", false, "policy deny"),
            entry("trusted", false, "not declared"),
            entry("trusted", true, "policy allow"),
            entry("trusted", true, "policy allow"),
        ]
    );
}

#[test]
fn a_host_api_is_on_the_surface_like_the_rest() {
    let (b, _) = bridge();
    let surface = b.surface();
    let entry = surface.as_array().unwrap().iter().find(|a| a["name"] == "callTaxi").cloned();
    assert_eq!(
        entry,
        Some(json!({"name": "callTaxi", "sync": false, "plain": false, "positional": [], "returns": null,
                    "group": null, "view": false}))
    );
}

#[test]
fn a_handler_answers_in_its_own_name_only() {
    let mut b = Bridge::new(Options::default());
    b.add(Api::host("forge", vec![], None, |_, _| Ok(json!({"errMsg": "setStorage:ok", "n": 1})))).unwrap();
    b.add(Api::host("plainValue", vec![], None, |_, _| Ok(json!(42)))).unwrap();
    let a = App::default();
    assert_eq!(b.call(&a, "forge", &Value::Null, false), json!({"errMsg": "forge:ok", "n": 1}));
    assert_eq!(b.call(&a, "plainValue", &Value::Null, false), json!({"errMsg": "plainValue:ok", "data": 42}));
}

#[test]
fn adding_refuses_a_taken_or_unusable_name() {
    let (mut b, _) = bridge();
    let noop = |name: &str| Api::host(name, vec![], None, |_, _| Ok(json!({})));
    assert_eq!(b.add(noop("callTaxi")), Err(RegisterError::Taken { name: "callTaxi".into() }));
    // Built-in APIs, bridge or view, are taken too.
    assert_eq!(b.add(noop("setStorage")), Err(RegisterError::Taken { name: "setStorage".into() }));
    assert_eq!(b.add(noop("showToast")), Err(RegisterError::Taken { name: "showToast".into() }));
    for bad in ["", "call-taxi", "1taxi", "call taxi", "taxi.", ".taxi", "taxi()"] {
        assert_eq!(b.add(noop(bad)), Err(RegisterError::BadName { name: bad.into() }), "{bad:?}");
    }
    assert_eq!(
        RegisterError::Taken { name: "callTaxi".into() }.to_string(),
        "an API named `callTaxi` is registered already"
    );
    assert!(b.add(noop("$taxi_2")).is_ok());
}

#[test]
fn a_host_api_answers_through_an_apps_client() {
    let (b, ran) = bridge();
    let service = Service::start(b);
    let (tx, rx) = std::sync::mpsc::channel();
    let call = |id: &str, args: Value| {
        let tx = tx.clone();
        // Kept until the answer: dropping an app's client drops its waiting calls.
        let client = service.client(app(id));
        client.call_async("callTaxi", args, Box::new(move |v| tx.send(v).unwrap()));
        rx.recv_timeout(Duration::from_secs(10)).unwrap()
    };
    assert_eq!(call("trusted", json!({"to": "work"}))["booked"], "work for trusted");
    assert_eq!(err(&call("other", json!({"to": "work"}))), "callTaxi:fail auth deny");
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    let client = service.client(app("trusted"));
    // `check` (what a host runs before carrying a call out itself) makes the same decisions.
    assert_eq!(client.check("callTaxi", &json!({"to": "work"})), Ok(()));
    assert_eq!(
        service.client(app("other")).check("callTaxi", &json!({"to": "work"})),
        Err(json!({"errMsg": "callTaxi:fail auth deny"}))
    );
}
