//! The embedding API as a host program uses it: a host-provided native API behind the
//! permission check and the audit log, the events an operator watches, and the rules of
//! registration.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use capsule_bridge::{Type, optional, required};
use capsule_host::{EndCause, Host, HostConfig, HostError, HostEvent, LaunchOptions};
use capsule_runtime::{InstanceHandle, Limits, Output};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

/// A one-page app in a fresh folder; `page_js` is the page's script.
fn app_dir(name: &str, app_json_extra: &str, page_js: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capsule-embed-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let write = |path: &str, text: &str| {
        let full = dir.join("app").join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write("app.json", &format!(r#"{{"pages": ["pages/a/a"]{app_json_extra}}}"#));
    write("project.config.json", &format!(r#"{{"appid": "wx-embed-{name}"}}"#));
    write("app.js", "App({})");
    write("pages/a/a.wxml", "<view>{{text}}</view>");
    write("pages/a/a.js", page_js);
    dir
}

fn host(dir: &Path, config: impl FnOnce(&mut HostConfig)) -> Host {
    let mut c = HostConfig { data_dir: dir.join("data"), ..HostConfig::default() };
    config(&mut c);
    Host::new(c).unwrap()
}

/// Console lines until one equals `last` (or `WAIT`).
fn lines_until(handle: &InstanceHandle, last: &str) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    let mut lines = Vec::new();
    while !lines.iter().any(|l| l == last) && Instant::now() < deadline {
        if let Some(Output::Log { text, .. }) = handle.recv(Duration::from_millis(100)) {
            lines.push(text);
        }
    }
    lines
}

/// Events until `found` says one is the one waited for (or `WAIT`).
fn event_until(events: &Receiver<HostEvent>, found: impl Fn(&HostEvent) -> bool) -> Vec<HostEvent> {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(e) = events.recv_timeout(Duration::from_millis(100)) {
            let done = found(&e);
            seen.push(e);
            if done {
                break;
            }
        }
    }
    seen
}

const WALLET_PAGE: &str = "Page({ onLoad() {\n\
      const log = r => console.log(r.errMsg + (r.balance !== undefined ? ' ' + r.balance : ''));\n\
      wx.getBalance({ currency: 'CNY', success: log, fail: log });\n\
      wx.getBalance({ currency: 7, fail: log });\n\
      wx.getBalance({ currency: 'XYZ', fail: log });\n\
      wx.getTime({ complete: r => { console.log(r.errMsg); console.log('end') } });\n\
      console.log(wx.canIUse('getBalance') + ' ' + wx.canIUse('getTime'));\n\
    } })";

fn register_wallet(host: &Host) {
    host.register_api(
        "getBalance",
        vec![required("currency", Type::String), optional("account", Type::Number)],
        Some("scope.wallet"),
        |app, args| match args["currency"].as_str() {
            Some("CNY") => Ok(json!({"balance": app.id.len()})),
            _ => Err("unknown currency".into()),
        },
    )
    .unwrap();
    host.register_api("getTime", vec![], None, |_, _| Ok(json!({"now": 1}))).unwrap();
}

#[test]
fn a_host_api_passes_the_argument_and_permission_checks_and_is_audited() {
    let permission = r#", "permission": {"scope.wallet": {"desc": "to show your balance"}}"#;
    let dir = app_dir("wallet", permission, WALLET_PAGE);
    let host = host(&dir, |c| {
        c.answers.insert("scope.wallet".into(), true);
    });
    register_wallet(&host);
    let events = host.events();
    let app = host.load(dir.join("app"), &Default::default()).unwrap();
    let instance = host.launch(&app, LaunchOptions::default());
    let lines = lines_until(&instance, "end");
    assert!(lines.contains(&"true true".to_string()), "{lines:?}");
    // `wx-embed-wallet` is 15 characters: the handler saw the app asking.
    assert!(lines.contains(&"getBalance:ok 15".to_string()), "{lines:?}");
    assert!(
        lines.contains(
            &"getBalance:fail parameter error: parameter.currency should be String instead of Number"
                .to_string()
        ),
        "{lines:?}"
    );
    assert!(lines.contains(&"getBalance:fail unknown currency".to_string()), "{lines:?}");
    assert!(lines.contains(&"getTime:ok".to_string()), "{lines:?}");
    // The decision reached the operator as it was logged.
    let seen = event_until(&events, |e| matches!(e, HostEvent::Decision(_)));
    let decision = seen.iter().find_map(|e| match e {
        HostEvent::Decision(d) => Some(d.clone()),
        _ => None,
    });
    let decision = decision.unwrap_or_else(|| panic!("no decision among {seen:?}"));
    assert_eq!(
        (decision.app.as_str(), decision.api.as_str(), decision.scope.as_str()),
        ("wx-embed-wallet", "getBalance", "scope.wallet")
    );
    assert!(decision.granted);
    assert!(seen.iter().any(|e| matches!(e, HostEvent::Launched { app, .. } if app == "wx-embed-wallet")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_host_api_is_refused_to_an_app_that_did_not_declare_its_scope() {
    let dir = app_dir("undeclared", "", WALLET_PAGE);
    let host = host(&dir, |c| {
        c.answers.insert("scope.wallet".into(), true);
    });
    register_wallet(&host);
    let events = host.events();
    let app = host.load(dir.join("app"), &Default::default()).unwrap();
    let instance = host.launch(&app, LaunchOptions::default());
    let lines = lines_until(&instance, "end");
    assert!(lines.contains(&"getBalance:fail auth deny".to_string()), "{lines:?}");
    assert!(!lines.iter().any(|l| l.starts_with("getBalance:ok")), "{lines:?}");
    let seen = event_until(&events, |e| matches!(e, HostEvent::Decision(_)));
    assert!(
        seen.iter().any(|e| matches!(e, HostEvent::Decision(d) if !d.granted && d.api == "getBalance")),
        "{seen:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn apis_are_registered_before_the_first_app_and_names_are_not_taken_twice() {
    let dir = app_dir("register", "", "Page({})");
    let host = host(&dir, |_| {});
    let taken = host.register_api("getStorage", vec![], None, |_, _| Ok(json!({})));
    assert!(matches!(taken, Err(HostError::Register(_))), "{taken:?}");
    let bad = host.register_api("not a name", vec![], None, |_, _| Ok(json!({})));
    assert!(matches!(bad, Err(HostError::Register(_))), "{bad:?}");
    host.load(dir.join("app"), &Default::default()).unwrap();
    let late = host.register_api("later", vec![], None, |_, _| Ok(json!({})));
    assert!(matches!(late, Err(HostError::Started)), "{late:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_operator_hears_why_an_instance_ended() {
    let dir = app_dir("ended", "", "Page({ onLoad() { for (;;) {} } })");
    let host = host(&dir, |c| {
        c.limits = Limits { callback_cpu: Duration::from_millis(50), ..Limits::default() };
    });
    let events = host.events();
    let app = host.load(dir.join("app"), &Default::default()).unwrap();
    let looping = host.launch(&app, LaunchOptions::default());
    let seen = event_until(&events, |e| matches!(e, HostEvent::Ended { .. }));
    let ended = seen.iter().find_map(|e| match e {
        HostEvent::Ended { instance, reason, cause, .. } => Some((*instance, reason.clone(), *cause)),
        _ => None,
    });
    assert_eq!(ended, Some((looping.id(), "CPU time limit 50 ms exceeded".to_string(), EndCause::Cpu)));
    // An instance the host ends is reported as such.
    let calm = app_dir("calm", "", "Page({})");
    let calm_app = host.load(calm.join("app"), &Default::default()).unwrap();
    let options = LaunchOptions { limits: Some(Limits::default()), ..LaunchOptions::default() };
    let quiet = host.launch(&calm_app, options);
    let _ = quiet.until_done(WAIT);
    quiet.sender().end();
    let seen =
        event_until(&events, |e| matches!(e, HostEvent::Ended { instance, .. } if *instance == quiet.id()));
    assert!(
        seen.iter().any(|e| matches!(e, HostEvent::Ended { cause: EndCause::EndedByHost, .. })),
        "{seen:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&calm);
}

#[test]
fn a_package_with_errors_is_not_an_app() {
    let dir = app_dir("broken", "", "Page({})");
    std::fs::write(dir.join("app/app.json"), "{ not json").unwrap();
    let host = host(&dir, |_| {});
    let error = host.load(dir.join("app"), &Default::default()).err().expect("a load error");
    assert!(error.diagnostics.has_errors());
    assert!(error.to_string().contains("app.json"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn each_launch_may_name_the_device_its_app_sees() {
    let page = "Page({ onLoad() { const i = wx.getSystemInfoSync(); console.log(i.model + ' ' + i.screenWidth); console.log('end') } })";
    let dir = app_dir("device", "", page);
    let host = host(&dir, |_| {});
    let app = host.load(dir.join("app"), &Default::default()).unwrap();
    let tablet =
        capsule_bridge::Device { model: "Tablet".into(), width: 768, ..capsule_bridge::Device::default() };
    let on_tablet = host.launch(&app, LaunchOptions { device: Some(tablet), ..LaunchOptions::default() });
    let lines = lines_until(&on_tablet, "end");
    assert!(lines.contains(&"Tablet 768".to_string()), "{lines:?}");
    // Another instance of the same app sees the host's device.
    let default = capsule_bridge::Device::default();
    let plain = host.launch(&app, LaunchOptions::default());
    let lines = lines_until(&plain, "end");
    assert!(lines.contains(&format!("{} {}", default.model, default.width)), "{lines:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_app_that_keeps_asking_for_what_was_refused_is_ended_by_the_policy() {
    let permission = r#", "permission": {"scope.wallet": {"desc": "to show your balance"}}"#;
    let page = "Page({ onLoad() { let n = 0; const ask = () => wx.getBalance({ currency: 'CNY', \
                  fail: r => { n++; console.log('refused ' + n) } }); setInterval(ask, 5) } })";
    let dir = app_dir("prober", permission, page);
    let host = host(&dir, |c| {
        c.answers.insert("scope.wallet".into(), false);
        c.denied_per_minute = Some(5);
    });
    register_wallet(&host);
    let events = host.events();
    let app = host.load(dir.join("app"), &Default::default()).unwrap();
    let instance = host.launch(&app, LaunchOptions::default());
    let reason = "ended by the host's policy: more than 5 denied permission requests within a minute \
                  (the last for scope.wallet by getBalance)";
    let deadline = Instant::now() + WAIT;
    loop {
        assert!(Instant::now() < deadline, "the prober was not ended");
        if let Some(Output::Terminated { reason: said }) = instance.recv(Duration::from_millis(100)) {
            assert_eq!(said, reason);
            break;
        }
    }
    let seen = event_until(&events, |e| matches!(e, HostEvent::Ended { .. }));
    assert!(
        seen.iter().any(
            |e| matches!(e, HostEvent::Policy { rule: "denied-requests", reason: r, .. } if r == reason)
        ),
        "{seen:?}"
    );
    assert!(seen.iter().any(|e| matches!(e, HostEvent::Ended { cause: EndCause::Policy, .. })), "{seen:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
