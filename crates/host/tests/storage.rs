//! Storage from a script, through the bridge: the platform's types and answer shapes.

#[path = "../../runtime/tests/common/mod.rs"]
mod common;

use std::time::Duration;

use capsule_host::{Host, HostConfig, LaunchOptions};
use common::{WAIT, app, logs, package};

#[test]
fn storage_from_js_keeps_types_and_the_platform_shapes() {
    let files = app(&[(
        "pages/a/a.js",
        "Page({ onLoad() {\n\
           wx.setStorageSync('n', 5); wx.setStorageSync('o', { d: new Date(86400000), list: [1, 'two'] });\n\
           console.log(typeof wx.getStorageSync('n'), wx.getStorageSync('o').d instanceof Date, wx.getStorageSync('o').d.getTime());\n\
           console.log(JSON.stringify(wx.getStorageSync('missing')), JSON.stringify(wx.getStorageInfoSync().keys));\n\
           try { wx.setStorageSync(1) } catch (e) { console.log(e.message) }\n\
           wx.getStorage({ key: 'missing', fail: r => console.log(r.errMsg) });\n\
           wx.getStorage({ key: 'o' }).then(r => console.log('async ' + (r.data.d instanceof Date)));\n\
           console.log(wx.canIUse('getStorageSync'), wx.canIUse('getWeRunData'));\n\
           Object.prototype.key = 'polluted'; let reads = 0;\n\
           wx.setStorage({ data: 1, complete: r => { delete Object.prototype.key; console.log(r.errMsg + ' ' + reads) } });\n\
           wx.setStorage({ key: 'g', get data() { reads += 1; return reads } });\n\
         } })",
    )]);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    let dir = std::env::temp_dir().join(format!("capsule-rt-storage-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = HostConfig { data_dir: dir.clone(), ..HostConfig::default() };
    let host = Host::new(config).unwrap();
    let h = host.launch(&host.app(package, program), LaunchOptions::default());
    let mut out = h.until_done(WAIT);
    // The async answers arrive as inputs of their own.
    for _ in 0..20 {
        if logs(&out).iter().filter(|l| l.starts_with("async") || l.contains(":fail")).count() == 4 {
            break;
        }
        if let Some(o) = h.recv(Duration::from_millis(100)) {
            out.push(o);
        }
    }
    let l = logs(&out);
    assert!(l.len() >= 6, "{out:?}");
    assert_eq!(
        l[2..6],
        [
            "number true 86400000",
            "\"\" [\"n\",\"o\"]",
            "setStorageSync:fail parameter error: parameter.key should be String instead of Number",
            "true false",
        ]
    );
    assert!(l.contains(&"getStorage:fail data not found".to_string()), "{l:?}");
    // An inherited `key` is not an argument; a getter is read once.
    assert!(
        l.contains(
            &"setStorage:fail parameter error: parameter.key should be String instead of Undefined 1"
                .to_string()
        ),
        "{l:?}"
    );
    assert!(l.contains(&"async true".to_string()), "{l:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
