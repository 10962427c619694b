//! The device APIs from a mini-program's script, through the bridge's providers and a host
//! that answers device requests as a person would (or does not: a cancel), with the grant
//! and deny paths of the scopes they need.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capsule_bridge::{App, Prompter, Rule};
use capsule_host::{Host, HostConfig, LaunchOptions};
use capsule_runtime::{Output, PoolConfig};
use common::{logs, package};
use serde_json::{Value, json};

/// Answers device requests from a table, and remembers what it was told.
#[derive(Default)]
struct Person {
    answers: HashMap<&'static str, Value>,
    told: Mutex<Vec<String>>,
}

impl Prompter for Person {
    fn ask(&self, _: &App, _: &str, _: &str) -> Option<capsule_bridge::Answer> {
        None
    }

    fn device(&self, _: &App, request: &str, args: &Value) -> Option<Value> {
        self.told.lock().unwrap().push(format!("asked {request} {args}"));
        self.answers.get(request).cloned()
    }

    fn notify(&self, _: &App, what: &str, args: &Value) {
        self.told.lock().unwrap().push(format!("{what} {args}"));
    }
}

/// A 3 × 2 PNG's first bytes: enough for its size.
fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend(3u32.to_be_bytes());
    b.extend(2u32.to_be_bytes());
    b.extend([8, 6, 0, 0, 0]);
    b
}

/// Runs `js` in `onLoad` of an app declaring `app_json_extra` (JSON members), with `rules`
/// for scopes and `person` answering; returns the log once a line is `= done` (or 20 s).
fn run(
    name: &str,
    app_json_extra: &str,
    rules: &[(&str, Rule)],
    person: Arc<Person>,
    js: &str,
) -> Vec<String> {
    let page_js = format!(
        "const log = (...a) => console.log(a.map(x => typeof x === 'string' ? x : x === undefined ? 'undefined' : JSON.stringify(x)).join(' '));\n\
         Page({{ onLoad() {{ {js}\n}} }})"
    );
    let app_json = format!(r#"{{"pages": ["pages/d/d"]{app_json_extra}}}"#);
    let (package, program) = package(&[
        ("app.json", &app_json),
        ("app.js", "App({})"),
        ("pages/d/d.wxml", "<view/>"),
        ("pages/d/d.js", &page_js),
        // A 10 × 20 GIF's header, which is text enough to write as a string.
        ("img/a.gif", "GIF89a\u{a}\u{0}\u{14}\u{0}rest"),
    ]);
    let data = std::env::temp_dir().join(format!("capsule-rt-device-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    // The host's rules, as its policy file says them.
    let policy: String = rules
        .iter()
        .map(|(scope, rule)| {
            let rule = match rule {
                Rule::Allow => "allow",
                Rule::Deny => "deny",
                Rule::Prompt => "prompt",
            };
            format!("\"{scope}\" = \"{rule}\"\n")
        })
        .collect();
    let config = HostConfig {
        data_dir: data.clone(),
        prompter: Some(person),
        policy: Some(format!("[scopes]\n{policy}")),
        threads: PoolConfig { threads: 1, ..PoolConfig::default() },
        ..HostConfig::default()
    };
    let host = Host::new(config).unwrap();
    let handle = host.launch(&host.app(package, program), LaunchOptions::default());
    let mut out: Vec<Output> = handle.until_done(Duration::from_secs(30));
    for _ in 0..200 {
        if logs(&out).iter().any(|l| l == "= done") {
            break;
        }
        if let Some(o) = handle.recv(Duration::from_millis(100)) {
            out.push(o);
        }
    }
    let _ = std::fs::remove_dir_all(&data);
    logs(&out)
}

const LOCATION_APP: &str = r#", "permission": {"scope.userLocation": {"desc": "to find shops"}},
  "requiredPrivateInfos": ["getLocation", "chooseLocation"]"#;

#[test]
fn location_needs_the_declaration_and_the_scope() {
    let js = r#"
      wx.getLocation({ type: 'gcj02', success: r => log('here', r.latitude, r.longitude, r.accuracy), fail: r => log(r.errMsg) });
      wx.chooseLocation({ success: r => { log('chosen', r.name, r.latitude); log('= done') }, fail: r => { log(r.errMsg); log('= done') } });
    "#;
    let mut person = Person::default();
    person.answers.insert(
        "chooseLocation",
        json!({"latitude": 31.2, "longitude": 121.5, "name": "The Bund", "address": "Shanghai"}),
    );
    let person = Arc::new(person);
    let l = run("granted", LOCATION_APP, &[("scope.userLocation", Rule::Allow)], person.clone(), js);
    assert!(l.contains(&"here 39.9087 116.3975 65".to_string()), "{l:#?}");
    assert!(l.contains(&"chosen The Bund 31.2".to_string()), "{l:#?}");
    assert!(
        person.told.lock().unwrap()[0].starts_with("asked chooseLocation {\"latitude\":39.9087"),
        "it starts where the device is"
    );

    // Denied by the host: the platform's wording, and nobody is asked.
    let person = Arc::new(Person::default());
    let l = run("denied", LOCATION_APP, &[("scope.userLocation", Rule::Deny)], person.clone(), js);
    assert!(l.contains(&"getLocation:fail auth deny".to_string()), "{l:#?}");
    assert!(l.contains(&"chooseLocation:fail auth deny".to_string()), "{l:#?}");
    assert!(person.told.lock().unwrap().is_empty());

    // Not in requiredPrivateInfos: refused before any scope.
    let l = run(
        "undeclared",
        r#", "permission": {"scope.userLocation": {"desc": "x"}}"#,
        &[("scope.userLocation", Rule::Allow)],
        Arc::new(Person::default()),
        js,
    );
    assert!(
        l.contains(&"getLocation:fail the api need to be declared in the requiredPrivateInfos field in app.json/ext.json".to_string()),
        "{l:#?}"
    );
}

#[test]
fn clipboard_calls_vibration_and_codes_go_through_the_person() {
    let mut person = Person::default();
    person.answers.insert("scanCode", json!({"result": "https://example.com/qr"}));
    person.answers.insert("makePhoneCall", json!({"call": true}));
    let person = Arc::new(person);
    let l = run(
        "misc",
        "",
        &[],
        person.clone(),
        r#"
        wx.setClipboardData({ data: 'copied text', success: () => wx.getClipboardData({ success: r => log('clipboard', r.data) }) });
        wx.vibrateShort({ type: 'heavy', success: r => log(r.errMsg) });
        wx.vibrateShort({ type: 'wobbly', fail: r => log(r.errMsg) });
        wx.setKeepScreenOn({ keepScreenOn: true, success: r => log(r.errMsg) });
        wx.makePhoneCall({ phoneNumber: 'javascript:1', fail: r => log(r.errMsg) });
        log('battery', wx.getBatteryInfoSync().level);
        wx.makePhoneCall({ phoneNumber: '+86 10 1234', success: r => { log(r.errMsg);
          wx.scanCode({ success: r => { log('scanned', r.result, r.scanType); log('= done') } }) } });
    "#,
    );
    for want in [
        "clipboard copied text",
        "vibrateShort:ok",
        "vibrateShort:fail parameter error: type should be one of heavy, medium, light, got wobbly",
        "setKeepScreenOn:ok",
        "makePhoneCall:ok",
        "makePhoneCall:fail invalid phoneNumber",
        "battery 100",
        "scanned https://example.com/qr QR_CODE",
    ] {
        assert!(l.contains(&want.to_string()), "{want}: {l:#?}");
    }
    let told = person.told.lock().unwrap().clone();
    assert!(told.contains(&r#"toast {"title":"内容已复制"}"#.to_string()), "{told:?}");
    assert!(told.contains(&r#"vibrate {"duration":15,"type":"heavy"}"#.to_string()), "{told:?}");
}

#[test]
fn nobody_answering_is_a_cancel() {
    let l = run(
        "cancel",
        "",
        &[],
        Arc::new(Person::default()),
        r#"
        wx.scanCode({ fail: r => { log(r.errMsg);
          wx.makePhoneCall({ phoneNumber: '10086', fail: r => { log(r.errMsg);
            wx.chooseImage({ fail: r => { log(r.errMsg); log('= done') } }) } }) } });
    "#,
    );
    assert!(l.contains(&"scanCode:fail cancel".to_string()), "{l:#?}");
    assert!(l.contains(&"makePhoneCall:fail cancel".to_string()), "{l:#?}");
    assert!(l.contains(&"chooseImage:fail cancel".to_string()), "{l:#?}");
}

#[test]
fn chosen_images_become_temp_files_that_can_be_measured_and_saved() {
    let bytes = png();
    let data = json!({"__capsuleBytes": base64_of(&bytes)});
    let mut person = Person::default();
    person.answers.insert(
        "chooseImage",
        json!({"files": [{"name": "cat.png", "data": data}, {"name": "dog.png", "data": data}]}),
    );
    person.answers.insert("chooseMedia", json!({"files": [{"name": "cat.png", "data": data}]}));
    let person = Arc::new(person);
    let js = r#"
        wx.chooseImage({ count: 1, success: r => {
          log('chosen', r.tempFilePaths.length, /^wxfile:\/\/tmp_[0-9a-f]{16}\.png$/.test(r.tempFilePaths[0]), r.tempFiles[0].size);
          wx.getImageInfo({ src: r.tempFilePaths[0], success: i => log('info', i.width, i.height, i.type) });
          wx.saveImageToPhotosAlbum({ filePath: r.tempFilePaths[0], success: s => log(s.errMsg), fail: s => log(s.errMsg),
            complete: () => wx.chooseMedia({ mediaType: ['image'], success: m => { log('media', m.type, m.tempFiles[0].fileType); log('= done') } }) });
        } });
    "#;
    let album = r#", "permission": {"scope.writePhotosAlbum": {"desc": "to keep pictures"}}"#;
    let l = run("images", album, &[("scope.writePhotosAlbum", Rule::Allow)], person.clone(), js);
    for want in ["chosen 1 true 29", "info 3 2 png", "saveImageToPhotosAlbum:ok", "media image image"] {
        assert!(l.contains(&want.to_string()), "{want}: {l:#?}");
    }
    let first = person.told.lock().unwrap()[0].clone();
    assert!(first.contains(r#""count":1"#) && first.contains(r#""accept":"image/*""#), "{first}");
    let l = run("images-denied", album, &[("scope.writePhotosAlbum", Rule::Deny)], person, js);
    assert!(l.contains(&"saveImageToPhotosAlbum:fail auth deny".to_string()), "{l:#?}");
}

#[test]
fn motion_sensors_report_the_simulated_device() {
    let l = run(
        "sensors",
        "",
        &[],
        Arc::new(Person::default()),
        r#"
        let n = 0;
        wx.onAccelerometerChange(r => { if (++n === 2) { wx.stopAccelerometer(); log('accelerometer', r.x, r.y, r.z); log('= done') } });
        wx.onCompassChange(r => { wx.stopCompass(); log('compass', r.direction) });
    "#,
    );
    assert!(l.contains(&"accelerometer 0 0 -1".to_string()), "{l:#?}");
    assert!(l.contains(&"compass 0".to_string()), "{l:#?}");
}

fn base64_of(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn image_info_of_package_images_resolves_like_the_page_does() {
    let l = run(
        "package-image",
        "",
        &[],
        Arc::new(Person::default()),
        r#"
        wx.getImageInfo({ src: '/img/a.gif', success: r => log('root', r.width, r.height, r.type, r.path) });
        wx.getImageInfo({ src: '../../img/a.gif', success: r => log('relative', r.path) });
        wx.getImageInfo({ src: '/img/none.png', fail: r => { log(r.errMsg); log('= done') } });
    "#,
    );
    assert!(l.contains(&"root 10 20 gif img/a.gif".to_string()), "{l:#?}");
    assert!(l.contains(&"relative img/a.gif".to_string()), "{l:#?}");
    assert!(l.contains(&"getImageInfo:fail file not found: /img/none.png".to_string()), "{l:#?}");
}
