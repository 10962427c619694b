//! The view protocol: a WebSocket text message from the simulator's page, validated and
//! turned into an input for the app, as the host does.
//!
//! The host's own function (`from_view` in crates/host/src/lib.rs) is private and needs a
//! running simulator (`Shared`: the instance handle, the table of questions waiting for the
//! view, the bridge). Until it is split into a public pure decoder, this target carries a
//! copy of its decoding step, kept line for line with the original, with the two lookups of
//! the simulator's state (`waiting`, the bridge's origin check) replaced by fixed answers.
//! Keep it in step when the protocol changes.
#![no_main]

use capsule_fuzz::on_small_stack;
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

/// What the host hands the instance (capsule_runtime::Input, the variants the view can cause).
#[derive(Debug)]
#[allow(dead_code)]
enum Input {
    Event { page: u32, node: u32, event: String, detail: Value },
    Navigate { kind: String, url: String },
    PageEvent { page: u32, hook: String, arg: Option<Value> },
    Model { page: u32, path: String, value: Value },
    ViewReply { seq: u32, result: Value },
    /// Not an input: the answer sent straight back to the view (`webViewAnswer`).
    ToView(Value),
}

/// The questions the fixed simulator state has waiting for the view: seq 1 is a modal, 2 an
/// intersection observer, 3 an audio context.
fn waiting_type(seq: u32) -> Option<&'static str> {
    match seq {
        1 => Some("modal"),
        2 => Some("observe"),
        3 => Some("audio"),
        _ => None,
    }
}

/// `from_view`'s decoding, from the message text to the input.
fn decode(text: &str) -> Option<Input> {
    let msg = serde_json::from_str::<Value>(text).ok()?;
    if msg.get("v").and_then(Value::as_u64) != Some(u64::from(capsule_view_web::PROTOCOL)) {
        return None;
    }
    let u32_of = |key: &str| msg.get(key).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    let str_of = |key: &str| msg.get(key).and_then(Value::as_str).map(str::to_string);
    let input = match msg.get("type").and_then(Value::as_str) {
        Some("event") => {
            let (Some(page), Some(node), Some(event)) = (u32_of("page"), u32_of("node"), str_of("event")) else {
                return None;
            };
            if event.len() > 64 {
                return None;
            }
            Input::Event { page, node, event, detail: msg.get("detail").cloned().unwrap_or(json!({})) }
        }
        Some("navigate") => {
            let (Some(kind), Some(url)) = (str_of("kind"), str_of("url")) else { return None };
            if !["navigateTo", "redirectTo", "navigateBack", "reLaunch", "switchTab"].contains(&kind.as_str()) {
                return None;
            }
            Input::Navigate { kind, url }
        }
        Some("pageEvent") => {
            let (Some(page), Some(hook)) = (u32_of("page"), str_of("hook")) else { return None };
            Input::PageEvent { page, hook, arg: msg.get("arg").cloned() }
        }
        Some("model") => {
            let (Some(page), Some(path)) = (u32_of("page"), str_of("path")) else { return None };
            Input::Model { page, path, value: msg.get("value").cloned().unwrap_or(Value::Null) }
        }
        Some("webView") => {
            let src = msg.get("src").and_then(Value::as_str).unwrap_or_default();
            let verdict: Result<(), String> = Err("no network access".to_string());
            Input::ToView(json!({"type": "webViewAnswer", "page": msg.get("page"), "node": msg.get("node"),
                "src": src, "allowed": verdict.is_ok(), "reason": verdict.err()}))
        }
        Some("actionSheetAnswer") => {
            let seq = u32_of("seq")?;
            waiting_type(seq)?;
            let index = msg.get("tapIndex").and_then(Value::as_i64).unwrap_or(-1);
            let result = if index >= 0 {
                json!({"errMsg": "showActionSheet:ok", "tapIndex": index})
            } else {
                json!({"errMsg": "showActionSheet:fail cancel"})
            };
            Input::ViewReply { seq, result }
        }
        Some("intersection") => {
            let seq = u32_of("seq")?;
            let mut result = msg.get("result").filter(|r| r.is_object()).cloned()?;
            if waiting_type(seq) != Some("observe") {
                return None;
            }
            result["errMsg"] = json!("observeIntersection:ok");
            Input::ViewReply { seq, result }
        }
        Some("audioEvent") => {
            let seq = u32_of("seq")?;
            if waiting_type(seq) != Some("audio") {
                return None;
            }
            let mut result = json!({"errMsg": "audio:ok"});
            for k in ["event", "currentTime", "duration", "paused", "message"] {
                if let Some(v) = msg.get(k) {
                    result[k] = v.clone();
                }
            }
            Input::ViewReply { seq, result }
        }
        Some("fontAnswer") => {
            let seq = u32_of("seq")?;
            waiting_type(seq)?;
            let result = match msg.get("error").and_then(Value::as_str) {
                None => json!({"errMsg": "loadFontFace:ok", "status": "loaded"}),
                Some(e) => json!({"errMsg": format!("loadFontFace:fail {e}"), "status": "error"}),
            };
            Input::ViewReply { seq, result }
        }
        Some("selectorQueryAnswer") => {
            let seq = u32_of("seq")?;
            let results = msg.get("results").filter(|r| r.is_array())?;
            waiting_type(seq)?;
            Input::ViewReply { seq, result: json!({"errMsg": "selectorQuery:ok", "results": results}) }
        }
        Some("modalAnswer") => {
            let seq = u32_of("seq")?;
            waiting_type(seq)?;
            let confirm = msg.get("confirm").and_then(Value::as_bool).unwrap_or(false);
            Input::ViewReply { seq, result: json!({"errMsg": "showModal:ok", "confirm": confirm, "cancel": !confirm}) }
        }
        _ => return None,
    };
    Some(input)
}

fn run(data: &[u8]) {
    // A WebSocket text frame is UTF-8 (tungstenite refuses anything else before the host sees it).
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(input) = decode(text) {
        // What the instance does first with a view's input: the values cross as JSON text.
        let value = match input {
            Input::Event { detail, .. } => detail,
            Input::PageEvent { arg, .. } => arg.unwrap_or(Value::Null),
            Input::Model { value, .. } => value,
            Input::ViewReply { result, .. } => result,
            Input::ToView(v) => v,
            Input::Navigate { url, .. } => Value::String(url),
        };
        let text = serde_json::to_string(&value).expect("a value serialises");
        let _: Value = serde_json::from_str(&text).expect("what was serialised reads back");
    }
}

fuzz_target!(|data: &[u8]| on_small_stack(data, run));
