//! The framework in parts: what most pages never use (selector queries, animation, audio,
//! network tasks, sensors) is evaluated the first time a script reaches for it, and never for
//! a page that does not.

mod common;

use capsule_runtime::{ApiSurface, Input, InstanceHandle, Limits, Output, Pool, Query, Spawn};
use common::{WAIT, app, logs, package};

/// An instance of the test app whose page `a` has `script`, offering the bridge's APIs as a
/// host's instances do.
fn start(pool: &Pool, script: &str) -> (InstanceHandle, Vec<Output>) {
    let files =
        app(&[("pages/a/a.js", script), ("pages/a/a.wxml", "<view id=\"go\" bindtap=\"go\">go</view>")]);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    let mut spawn = Spawn::new(package, program, Limits::default());
    spawn.apis = ApiSurface::new(&capsule_bridge::Bridge::new(Default::default()).surface());
    let handle = pool.spawn_with(spawn);
    let out = handle.request(Input::Launch { path: None }, WAIT);
    (handle, out)
}

fn parts(handle: &InstanceHandle) -> Vec<String> {
    let answer = handle
        .request(Input::Query { query: Query::Metrics }, WAIT)
        .into_iter()
        .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
        .expect("metrics");
    serde_json::from_value(answer["frameworkParts"].clone()).expect("a list")
}

fn tap(handle: &InstanceHandle) -> Vec<Output> {
    let found = handle
        .request(Input::Query { query: Query::Find { selector: "#go".into() } }, WAIT)
        .into_iter()
        .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
        .expect("found");
    handle.request(
        Input::Event {
            page: found["page"].as_u64().expect("page") as u32,
            node: found["node"].as_u64().expect("node") as u32,
            event: "tap".into(),
            detail: serde_json::json!({}),
            pointer: Default::default(),
        },
        WAIT,
    )
}

#[test]
fn a_page_using_none_of_the_parts_loads_none() {
    let pool = Pool::new(1);
    // Naming them, asking whether wx has them and listing wx's keys loads nothing.
    let script = "Page({ data: { n: 0 }, onLoad() {\n\
          this.setData({ n: 1 });\n\
          const names = ['request', 'createSelectorQuery', 'createAnimation', 'createInnerAudioContext', 'onAccelerometerChange'];\n\
          console.log(names.map(n => typeof wx[n] + ' ' + (n in wx) + ' ' + Object.keys(wx).includes(n)).join(', '));\n\
        }, go() { this.setData({ n: 2 }); console.log('tapped') } })";
    let (handle, out) = start(&pool, script);
    let line = "function true true";
    assert!(logs(&out).contains(&[line; 5].join(", ")), "{:?}", logs(&out));
    assert!(logs(&tap(&handle)).contains(&"tapped".to_string()));
    assert_eq!(parts(&handle), Vec::<String>::new());
}

#[test]
fn each_part_is_evaluated_the_first_time_a_script_touches_it_and_once() {
    let cases = [
        ("wx.createSelectorQuery().select('#go').boundingClientRect().exec(() => {})", "query"),
        ("this.createSelectorQuery()", "query"),
        ("wx.createIntersectionObserver(this).relativeToViewport().observe('#go', () => {})", "query"),
        ("wx.createAnimation({ duration: 10 }).opacity(0).step().export()", "animation"),
        ("wx.createInnerAudioContext().src = 'a.mp3'", "media"),
        ("wx.getBackgroundAudioPlayerState({})", "media"),
        ("wx.request({ url: 'https://example.com/' })", "tasks"),
        ("wx.onSocketOpen(() => {})", "tasks"),
        ("wx.startCompass({})", "sensors"),
    ];
    let pool = Pool::new(1);
    for (call, part) in cases {
        let script = format!("Page({{ go() {{ {call}; console.log('done') }} }})");
        let (handle, _) = start(&pool, &script);
        assert_eq!(parts(&handle), Vec::<String>::new(), "{call}: none before");
        for _ in 0..2 {
            let out = tap(&handle);
            assert!(logs(&out).contains(&"done".to_string()), "{call}: {out:?}");
        }
        assert_eq!(parts(&handle), [part], "{call}");
        drop(handle);
    }
}
