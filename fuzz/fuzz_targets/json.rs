//! JSON: the package's spanned parser on the bytes, then the manifest readers on them as a
//! WeChat `app.json` (with the same text as a page's and a component's `.json`) and as a W3C
//! `manifest.json`; every diagnostic is rendered with its excerpt, as `capsule check` prints.
#![no_main]

use capsule_fuzz::on_small_stack;
use capsule_package::json;
use capsule_package::schema::parse_json_file;
use capsule_package::{AppId, AppIdSource, Diagnostics, Files, w3c, wechat};
use libfuzzer_sys::fuzz_target;

fn app_id() -> AppId {
    AppId { id: "wxfuzz".into(), source: AppIdSource::ProjectConfig }
}

fn show(diags: &Diagnostics) {
    for d in diags.iter() {
        let _ = d.to_string();
        let _ = d.render(false);
    }
}

fn run(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(doc) = json::parse(text)
    {
        let value = doc.root.to_value();
        let _ = serde_json::to_string(&value).expect("a parsed document serialises");
        let _ = doc.root.kind();
    }

    let mut diags = Diagnostics::default();
    let _ = parse_json_file("x.json", data, &mut diags);
    show(&diags);

    // A WeChat package whose app.json is the input; the page and component it would name
    // most often (`pages/index/index`, `comp/c`) have the input as their `.json` too.
    let mut files = Files::default();
    files.insert(wechat::APP_JSON, data.to_vec());
    for base in ["pages/index/index", "comp/c"] {
        files.insert(format!("{base}.json"), data.to_vec());
        files.insert(format!("{base}.wxml"), b"<view/>".to_vec());
        files.insert(format!("{base}.js"), b"Page({})".to_vec());
    }
    let mut diags = Diagnostics::default();
    let manifest = wechat::load(&files, app_id(), &mut diags);
    let _ = format!("{manifest:?}");
    show(&diags);

    // A W3C package whose manifest.json is the input.
    let mut files = Files::default();
    files.insert(w3c::MANIFEST_JSON, data.to_vec());
    files.insert("pages/index/index.js", b"Page({})".to_vec());
    let mut diags = Diagnostics::default();
    let manifest = w3c::load(&files, app_id(), &mut diags);
    let _ = format!("{manifest:?}");
    show(&diags);
}

fuzz_target!(|data: &[u8]| on_small_stack(data, run));
