//! The platform's background policy: an app its host hid runs on for a grace period, then
//! its timers and callbacks are suspended — what falls due or arrives meanwhile is kept and
//! runs once it is shown again, and the host's questions are still answered — and after a
//! longer limit it is ended. An app declaring `requiredBackgroundModes` keeps running.
//! Deadlines only catch hangs; no timing is asserted.

mod common;

use std::time::{Duration, Instant};

use capsule_runtime::{ApiSurface, Input, InstanceHandle, Limits, Output, Pool, Query, Spawn};
use common::{WAIT, logs, package};
use serde_json::json;

/// A page whose interval counts `n` every 10 ms, and which asks storage on `ask`.
fn app(app_json_extra: &str) -> Vec<(String, String)> {
    vec![
        ("app.json".into(), format!(r#"{{"pages": ["pages/a/a"]{app_json_extra}}}"#)),
        (
            "app.js".into(),
            "App({ onShow() { console.log('App.onShow') }, onHide() { console.log('App.onHide') } })".into(),
        ),
        ("pages/a/a.wxml".into(), "<view id=\"ask\" bindtap=\"ask\">{{n}}</view>".into()),
        (
            "pages/a/a.js".into(),
            "Page({ data: { n: 0, answered: false }, \
               onLoad() { setInterval(() => this.setData({ n: this.data.n + 1 }), 10) }, \
               onShow() { console.log('page.onShow') }, onHide() { console.log('page.onHide') }, \
               ask() { wx.getStorage({ key: 'k', success: (r) => { console.log('answered ' + r.data); \
                 this.setData({ answered: true }) } }) } })"
                .into(),
        ),
    ]
}

fn start(files: &[(String, String)], limits: Limits) -> (Pool, InstanceHandle) {
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    let pool = Pool::new(1);
    let mut spawn = Spawn::new(package, program, limits);
    spawn.apis = ApiSurface::new(
        &json!([{"name": "getStorage", "sync": true, "positional": ["key"], "returns": "data"}]),
    );
    let handle = pool.spawn_with(spawn);
    handle.request(Input::Launch { path: None }, WAIT);
    (pool, handle)
}

fn data(h: &InstanceHandle) -> serde_json::Value {
    h.request(Input::Query { query: Query::Data }, WAIT)
        .into_iter()
        .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
        .expect("the host's question is answered")
}

fn n(h: &InstanceHandle) -> u64 {
    data(h)["n"].as_u64().unwrap()
}

/// Waits until `n` passes `at_least`.
fn counts_past(h: &InstanceHandle, at_least: u64) {
    let deadline = Instant::now() + WAIT;
    while n(h) <= at_least {
        assert!(Instant::now() < deadline, "n never passed {at_least}");
    }
}

/// Lets `span` of wall time go by while asking the app's data (answered even suspended).
fn ask_for(h: &InstanceHandle, span: Duration) {
    let until = Instant::now() + span;
    while Instant::now() < until {
        data(h);
    }
}

fn limits(grace_ms: u64, limit_ms: u64) -> Limits {
    Limits {
        background_grace: Duration::from_millis(grace_ms),
        background_limit: Duration::from_millis(limit_ms),
        ..Limits::default()
    }
}

#[test]
fn a_hidden_app_is_suspended_after_its_grace_and_takes_up_where_it_was_when_shown() {
    let (_pool, h) = start(&app(""), limits(100, 600_000));
    counts_past(&h, 2);
    // A call to the host is made before hiding; its answer comes while the app is suspended.
    let (page, node) = {
        let found = h
            .request(Input::Query { query: Query::Find { selector: "#ask".into() } }, WAIT)
            .into_iter()
            .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
            .unwrap();
        (found["page"].as_u64().unwrap() as u32, found["node"].as_u64().unwrap() as u32)
    };
    let asked = h.request(
        Input::Event { page, node, event: "tap".into(), detail: json!({}), pointer: Default::default() },
        WAIT,
    );
    let call = asked
        .iter()
        .find_map(|o| if let Output::ApiCall { call, .. } = o { Some(*call) } else { None })
        .expect("the app asked storage");
    let hidden = h.request(Input::Hide, WAIT);
    assert_eq!(logs(&hidden), ["page.onHide", "App.onHide"]);
    let hidden_at = Instant::now();
    // Past the grace, the first answer it gives is where it stays.
    while Instant::now() < hidden_at + Duration::from_millis(100) {
        data(&h);
    }
    let stopped = n(&h);
    h.send(Input::ApiReply { call, result: json!({"errMsg": "getStorage:ok", "data": 42}) });
    ask_for(&h, Duration::from_millis(300));
    let now = data(&h);
    assert_eq!(now["n"].as_u64(), Some(stopped), "the interval went on while suspended");
    assert_eq!(now["answered"], json!(false), "the answer ran while suspended");
    // Shown: the app's onShow, then the page's, then what was kept, then its timers again.
    let shown = h.request(Input::Show, WAIT);
    assert_eq!(logs(&shown)[..2], ["App.onShow", "page.onShow"]);
    // The kept answer runs next, as the input it is.
    let after = h.until_done(WAIT);
    assert_eq!(logs(&after), ["answered 42"]);
    assert_eq!(data(&h)["answered"], json!(true));
    counts_past(&h, stopped + 2);
}

#[test]
fn an_app_in_the_background_past_its_limit_is_ended() {
    let (_pool, h) = start(&app(""), limits(50, 200));
    h.request(Input::Hide, WAIT);
    let deadline = Instant::now() + WAIT;
    let reason = loop {
        assert!(Instant::now() < deadline, "never ended");
        if let Some(Output::Terminated { reason }) = h.recv(Duration::from_millis(50)) {
            break reason;
        }
    };
    assert_eq!(reason, "ended after 200 ms in the background");
}

#[test]
fn an_app_that_declares_a_background_mode_keeps_running_hidden() {
    let (_pool, h) = start(&app(r#", "requiredBackgroundModes": ["audio"]"#), limits(50, 600_000));
    h.request(Input::Hide, WAIT);
    let hidden_at = Instant::now();
    while Instant::now() < hidden_at + Duration::from_millis(50) {
        data(&h);
    }
    let then = n(&h);
    counts_past(&h, then + 3);
}

#[test]
fn shown_again_before_the_grace_nothing_was_suspended() {
    let (_pool, h) = start(&app(""), limits(600_000, 1_200_000));
    let before = n(&h);
    h.request(Input::Hide, WAIT);
    counts_past(&h, before + 3);
    let shown = h.request(Input::Show, WAIT);
    assert_eq!(logs(&shown)[..2], ["App.onShow", "page.onShow"]);
}
