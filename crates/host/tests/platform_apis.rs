//! APIs real apps call that the platform's tools run: `ext.json`'s config, the share menu
//! and its hook, `groupSetData`, the background audio manager and its legacy family, the
//! system settings — from a script, through the host, with view calls answered here as a
//! view (or a host without one) would.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use capsule_host::{Host, HostConfig, LaunchOptions};
use capsule_runtime::{Input, InstanceHandle, Output, PoolConfig, Query};
use common::{logs, package};
use serde_json::{Value, json};

/// A one-page app with `files` added, launched on a host of its own.
fn launch(name: &str, files: &[(&str, &str)]) -> (Host, InstanceHandle, Vec<Output>) {
    let mut all = vec![
        ("app.json", r#"{"pages": ["pages/p/p"]}"#),
        ("app.js", "App({})"),
        ("pages/p/p.wxml", "<view id=\"v\">{{n}}</view><card id=\"c\"/>"),
        ("pages/p/p.json", r#"{"usingComponents": {"card": "/card/card"}}"#),
        ("card/card.json", r#"{"component": true}"#),
        ("card/card.wxml", "<text>{{k}}</text>"),
        ("card/card.js", "Component({ data: { k: 0 } })"),
    ];
    all.extend_from_slice(files);
    let (package, program) = package(&all);
    let data = std::env::temp_dir().join(format!("capsule-rt-apis-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let config = HostConfig {
        data_dir: data,
        threads: PoolConfig { threads: 1, ..PoolConfig::default() },
        ..HostConfig::default()
    };
    let host = Host::new(config).unwrap();
    let handle = host.launch(&host.app(package, program), LaunchOptions::default());
    let out = handle.until_done(Duration::from_secs(30));
    (host, handle, out)
}

/// Reads outputs until a log line is `= done`, answering view calls with `answer` (as a
/// view would) after the input that made them; gives every output seen.
fn until_done(
    handle: &InstanceHandle,
    mut out: Vec<Output>,
    answer: &dyn Fn(&str, &Value) -> Value,
) -> Vec<Output> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = 0;
    while Instant::now() < deadline && !logs(&out).iter().any(|l| l == "= done") {
        let calls: Vec<(u32, String, Value)> = out[seen..]
            .iter()
            .filter_map(|o| match o {
                Output::ViewCall { seq, name, args } => Some((*seq, name.clone(), args.clone())),
                _ => None,
            })
            .collect();
        seen = out.len();
        for (seq, name, args) in calls {
            let result = answer(&name, &args);
            out.extend(handle.request(Input::ViewReply { seq, result }, Duration::from_secs(30)));
        }
        if seen == out.len()
            && let Some(o) = handle.recv(Duration::from_millis(100))
        {
            out.push(o);
        }
    }
    out
}

/// Sends `input`, then reads outputs until a view call named `name` comes: its seq and args.
fn view_call_after(handle: &InstanceHandle, input: Input, name: &str) -> (u32, Value) {
    handle.send(input);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while let Some(o) = handle.recv(deadline.saturating_duration_since(Instant::now())) {
        if let Output::ViewCall { seq, name: n, args } = &o
            && n == name
        {
            return (*seq, args.clone());
        }
        seen.push(o);
    }
    panic!("no {name} call: {seen:?}");
}

fn ok(name: &str) -> Value {
    json!({"errMsg": format!("{name}:ok")})
}

#[test]
fn ext_config_is_the_enabled_ext_object() {
    let js = "Page({ onLoad() {\n\
        console.log(JSON.stringify(wx.getExtConfigSync()));\n\
        wx.getExtConfig().then(r => { console.log(JSON.stringify(r)); console.log('= done') });\n\
      } })";
    let (_host, handle, out) = launch(
        "ext",
        &[("pages/p/p.js", js), ("ext.json", r#"{"extEnable": true, "ext": {"shop": "tea", "n": 2}}"#)],
    );
    let l = logs(&until_done(&handle, out, &|name, _| ok(name)));
    assert_eq!(
        l,
        [
            r#"{"shop":"tea","n":2}"#,
            r#"{"extConfig":{"shop":"tea","n":2},"errMsg":"getExtConfig:ok"}"#,
            "= done"
        ]
    );

    let (_host, handle, out) = launch(
        "ext-off",
        &[("pages/p/p.js", js), ("ext.json", r#"{"extEnable": false, "ext": {"shop": "tea"}}"#)],
    );
    let l = logs(&until_done(&handle, out, &|name, _| ok(name)));
    assert_eq!(l, ["{}", r#"{"extConfig":{},"errMsg":"getExtConfig:ok"}"#, "= done"]);
}

#[test]
fn group_set_data_reaches_the_view_as_one_update() {
    let js = "Page({ data: { n: 0 }, onReady() {\n\
        const card = this.selectComponent('#c');\n\
        this.groupSetData(() => { this.setData({ n: 1 }); card.setData({ k: 2 }); this.setData({ n: 3 }); });\n\
        console.log('data ' + this.data.n + ' ' + card.data.k);\n\
        this.setData({ n: 4 }); this.setData({ n: 5 });\n\
        console.log('= done');\n\
      } })";
    let (_host, handle, out) = launch("group", &[("pages/p/p.js", js)]);
    let out = until_done(&handle, out, &|name, _| ok(name));
    assert!(logs(&out).contains(&"data 3 2".to_string()), "{:?}", logs(&out));
    let updates: Vec<usize> = out
        .iter()
        .filter_map(|o| match o {
            Output::Patches { patches, .. } => Some(patches.len()),
            _ => None,
        })
        .collect();
    // The group's three calls (page, component, page) as one update; the two after it alone.
    assert_eq!(updates.len(), 3, "{updates:?}");
    assert!(updates[0] >= 3, "{updates:?}");
}

const SHARE_PAGE: &str = "Page({ onLoad(q) {\n\
      const log = r => console.log(r.errMsg);\n\
      wx.hideShareMenu({ menus: 3, fail: log });\n\
      wx.showShareMenu({ menus: ['shareAppMessage', 'shareTimeline'], withShareTicket: true, success: r => { log(r); console.log('= done') } });\n\
    },\n\
    onShareAppMessage(o) { return { title: 'Tea ' + o.from, imageUrl: '/i.png' } },\n\
    onShareTimeline() { return { title: 'Moments', query: 'a=1' } } })";

#[test]
fn the_share_menu_asks_the_page_and_shows_what_it_gave() {
    let (_host, handle, out) = launch("share", &[("pages/p/p.js", SHARE_PAGE)]);
    let out = until_done(&handle, out, &|name, _| ok(name));
    let l = logs(&out);
    assert_eq!(
        l[..2],
        [
            "hideShareMenu:fail parameter error: parameter.menus should be Array instead of Number",
            "showShareMenu:ok"
        ]
    );
    // The call that reached the view carries the page's whole menu.
    let menu = out.iter().find_map(|o| match o {
        Output::ViewCall { name, args, .. } if name == "showShareMenu" => Some(args["menu"].clone()),
        _ => None,
    });
    assert_eq!(menu, Some(json!({"menus": ["shareAppMessage", "shareTimeline"], "withShareTicket": true})));
    let page = out
        .iter()
        .find_map(|o| match o {
            Output::PageOpened { page, .. } => Some(*page),
            _ => None,
        })
        .unwrap();
    let share = |hook: &str| -> Value {
        let input = Input::PageEvent { page, hook: hook.into(), arg: Some(json!({"from": "menu"})) };
        view_call_after(&handle, input, "shareResult").1
    };
    assert_eq!(
        share("onShareAppMessage"),
        json!({"page": page, "kind": "shareAppMessage", "title": "Tea menu", "imageUrl": "/i.png", "path": "/pages/p/p"})
    );
    assert_eq!(
        share("onShareTimeline"),
        json!({"page": page, "kind": "shareTimeline", "title": "Moments", "query": "a=1"})
    );
    // Hidden, the page is not asked.
    let evaluate = Query::Evaluate { page, expression: "wx.hideShareMenu({})".into() };
    let (seq, _) = view_call_after(&handle, Input::Query { query: evaluate }, "hideShareMenu");
    handle.send(Input::ViewReply { seq, result: ok("hideShareMenu") });
    assert_eq!(
        share("onShareAppMessage"),
        json!({"page": page, "kind": "shareAppMessage",
               "refused": "the page has no shareAppMessage in its share menu (wx.showShareMenu adds it)"})
    );
}

#[test]
fn a_page_without_a_share_hook_shares_with_the_defaults_once_shown() {
    let js = "Page({ onLoad() { wx.showShareMenu({ complete: () => console.log('= done') }) } })";
    let (_host, handle, out) = launch("share-default", &[("pages/p/p.js", js)]);
    let out = until_done(&handle, out, &|name, _| ok(name));
    let page = out
        .iter()
        .find_map(|o| match o {
            Output::PageOpened { page, .. } => Some(*page),
            _ => None,
        })
        .unwrap();
    let input = Input::PageEvent { page, hook: "onShareAppMessage".into(), arg: None };
    let (_, result) = view_call_after(&handle, input, "shareResult");
    assert_eq!(result, json!({"page": page, "kind": "shareAppMessage", "path": "/pages/p/p"}));
}

#[test]
fn the_background_audio_manager_plays_on_the_views_audio() {
    let js = "Page({ onLoad() {\n\
        const m = wx.getBackgroundAudioManager();\n\
        console.log(m === wx.getBackgroundAudioManager(), 'destroy' in m, m.protocol);\n\
        m.onPlay(() => console.log('play ' + m.paused));\n\
        m.onEnded(() => { wx.getBackgroundAudioPlayerState({ success: r => { console.log(r.errMsg + ' ' + r.status); console.log('= done') } }) });\n\
        wx.playBackgroundAudio({ dataUrl: 'https://example.com/a.mp3', title: 'Song', success: r => console.log(r.errMsg + ' ' + m.title + ' ' + m.src) });\n\
        wx.seekBackgroundAudio({ position: '3', fail: r => console.log(r.errMsg) });\n\
      } })";
    let (_host, handle, out) = launch("bam", &[("pages/p/p.js", js)]);
    // The view: the context's events come back as further replies to the call that made it.
    let audio = std::cell::Cell::new(0u32);
    let controls = std::cell::RefCell::new(Vec::new());
    let out = until_done(&handle, out, &|name, args| {
        if name == "audioControl" {
            controls.borrow_mut().push(format!("{} {}", args["action"], args["args"]));
            let event = match args["action"].as_str() {
                Some("play") => {
                    Some(json!({"event": "play", "paused": false, "duration": 9, "currentTime": 0}))
                }
                _ => None,
            };
            if let Some(e) = event {
                let mut r = e;
                r["errMsg"] = json!("audioContext:ok");
                handle.send(Input::ViewReply { seq: audio.get(), result: r });
                let ended = json!({"errMsg": "audioContext:ok", "event": "ended", "paused": true, "duration": 9, "currentTime": 9});
                handle.send(Input::ViewReply { seq: audio.get(), result: ended });
            }
        }
        if name == "audioContext" {
            audio.set(args["audio"].as_u64().unwrap() as u32);
            return json!({"errMsg": "audioContext:ok", "event": "ready"});
        }
        ok(name)
    });
    let l = logs(&out);
    assert_eq!(
        l,
        [
            "true false http",
            "seekBackgroundAudio:fail parameter error: parameter.position should be Number",
            "play false",
            "playBackgroundAudio:ok Song https://example.com/a.mp3",
            "getBackgroundAudioPlayerState:ok 2",
            "= done"
        ],
        "{:?}",
        controls.borrow()
    );
    // Setting src set it on the view's audio and started it.
    assert_eq!(
        controls.borrow()[..2],
        [r#""set" [{"src":"https://example.com/a.mp3"}]"#.to_string(), r#""play" []"#.to_string()]
    );
}

#[test]
fn without_a_view_background_audio_fails_with_the_reason() {
    let js = "Page({ onLoad() {\n\
        wx.getBackgroundAudioManager().onError(e => console.log('error ' + e.errCode + ' ' + e.errMsg));\n\
        wx.playBackgroundAudio({ dataUrl: '/a.mp3', fail: r => { console.log(r.errMsg); console.log('= done') } });\n\
      } })";
    let (_host, handle, out) = launch("bam-headless", &[("pages/p/p.js", js)]);
    let out = until_done(&handle, out, &|name, _| json!({"errMsg": format!("{name}:fail no audio here")}));
    assert_eq!(
        logs(&out),
        ["error 10001 audioContext:fail no audio here", "playBackgroundAudio:fail no audio here", "= done"]
    );
}

#[test]
fn system_settings_and_the_menu_button_come_from_the_device() {
    let js = "Page({ onLoad() {\n\
        console.log(wx.getSystemSetting().deviceOrientation, wx.getAppAuthorizeSetting().cameraAuthorized);\n\
        console.log(JSON.stringify(wx.getMenuButtonBoundingClientRect()));\n\
        console.log(wx.canIUse('getExtConfigSync'), wx.canIUse('showShareMenu'), wx.canIUse('getBackgroundAudioManager'));\n\
        console.log('= done');\n\
      } })";
    let (_host, handle, out) = launch("settings", &[("pages/p/p.js", js)]);
    let l = logs(&until_done(&handle, out, &|name, _| ok(name)));
    assert_eq!(
        l,
        [
            "portrait authorized",
            r#"{"width":87,"height":32,"top":26,"bottom":58,"left":281,"right":368}"#,
            "true true true",
            "= done"
        ]
    );
}

/// An API the platform has and Capsule lacks fails the way the platform's APIs fail, rather
/// than being `not a function`: callbacks and Promises get `name:fail not supported`, a
/// synchronous one or one that makes an object throws it, a listener is taken and never
/// called. It is not `in wx`, so feature checks skip it; a name the platform lacks stays
/// undefined.
#[test]
fn a_platform_api_capsule_lacks_fails_not_supported() {
    let js = "Page({ onLoad() {\n\
        wx.startBluetoothDevicesDiscovery({ fail: e => console.log('fail ' + e.errMsg), complete: e => console.log('complete') });\n\
        wx.startBluetoothDevicesDiscovery().catch(e => { console.log('rejected ' + e.errMsg); console.log('= done') });\n\
        try { wx.getExptInfoSync(['k']) } catch (e) { console.log('threw ' + e.message) }\n\
        try { wx.createCameraContext() } catch (e) { console.log('threw ' + e.message) }\n\
        console.log(typeof wx.onBLEConnectionStateChange(() => {}), 'startBluetoothDevicesDiscovery' in wx,\n\
          wx.canIUse('startBluetoothDevicesDiscovery'), typeof wx.noSuchApi, typeof wx.hasOwnProperty,\n\
          wx.startBluetoothDevicesDiscovery === wx.startBluetoothDevicesDiscovery, Object.keys(wx).includes('createCameraContext'));\n\
      } })";
    let (_host, handle, out) = launch("unsupported", &[("pages/p/p.js", js)]);
    let out = until_done(&handle, out, &|name, _| ok(name));
    // Each name warns once, telling the author what is missing.
    assert_eq!(
        logs(&out),
        [
            "wx.startBluetoothDevicesDiscovery is not supported by Capsule",
            "wx.getExptInfoSync is not supported by Capsule",
            "threw getExptInfoSync:fail not supported",
            "wx.createCameraContext is not supported by Capsule",
            "threw createCameraContext:fail not supported",
            "wx.onBLEConnectionStateChange is not supported by Capsule",
            "undefined false false undefined function true false",
            "fail startBluetoothDevicesDiscovery:fail not supported",
            "complete",
            "rejected startBluetoothDevicesDiscovery:fail not supported",
            "= done",
        ]
    );
}
