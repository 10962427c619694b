//! Touch events reach handlers with the platform's fields: the fingers the view saw, and the
//! targets placed where the view laid them out.

mod common;

use capsule_runtime::{Input, Limits, Offset, Pointer, Query, Touch};
use common::{Harness, app, logs};
use serde_json::json;

#[test]
fn a_touch_carries_its_fingers_and_the_targets_offsets() {
    let files = app(&[
        (
            "pages/a/a.wxml",
            r#"<view id="outer" bindtouchstart="log"><view id="inner" data-k="v" bindtouchstart="log">x</view></view>"#,
        ),
        (
            "pages/a/a.js",
            "Page({ log(e) { console.log(JSON.stringify([e.type, e.currentTarget, e.target, e.detail, e.touches, e.changedTouches.length, typeof e.timeStamp])) } })",
        ),
    ]);
    let (h, _) = Harness::start(&files, Limits::default(), None);
    let found = h.answer(Query::Find { selector: "#inner".into() });
    let (page, inner) = (found["page"].as_u64().unwrap() as u32, found["node"].as_u64().unwrap() as u32);
    let outer = h.answer(Query::Find { selector: "#outer".into() })["node"].as_u64().unwrap() as u32;
    let finger =
        Touch { identifier: 3, page_x: 12.5, page_y: 40.0, client_x: 12.5, client_y: 20.0, force: 1.0 };
    let pointer = Pointer {
        touches: vec![finger.clone()],
        changed_touches: vec![finger],
        offsets: vec![
            Offset { node: inner, left: 8.0, top: 30.0 },
            Offset { node: outer, left: 0.0, top: 10.0 },
        ],
    };
    let detail = json!({"x": 12.5, "y": 40.0});
    let out =
        logs(&h.request(Input::Event { page, node: inner, event: "touchstart".into(), detail, pointer }));
    let touches = r#"[{"identifier":3,"pageX":12.5,"pageY":40,"clientX":12.5,"clientY":20,"force":1}]"#;
    let inner_target = r#"{"id":"inner","offsetLeft":8,"offsetTop":30,"dataset":{"k":"v"}}"#;
    let outer_target = r#"{"id":"outer","offsetLeft":0,"offsetTop":10,"dataset":{}}"#;
    let detail = r#"{"x":12.5,"y":40}"#;
    assert_eq!(
        out,
        [
            format!(r#"["touchstart",{inner_target},{inner_target},{detail},{touches},1,"number"]"#),
            format!(r#"["touchstart",{outer_target},{inner_target},{detail},{touches},1,"number"]"#),
        ]
    );
    // A driver that knows no layout (exec, a test) gets offsets of 0 and empty lists.
    let out = logs(&h.event("#inner", "touchstart", json!({})));
    assert_eq!(
        out[0],
        r#"["touchstart",{"id":"inner","offsetLeft":0,"offsetTop":0,"dataset":{"k":"v"}},{"id":"inner","offsetLeft":0,"offsetTop":0,"dataset":{"k":"v"}},{},[],0,"number"]"#
    );
}
