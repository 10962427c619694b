//! The view protocol: a WebSocket text message from the simulator's page, decoded and
//! validated by the same function the host uses (`capsule_view_web::protocol::decode`), then
//! turned into the app's answer where it answers a question, and carried across as JSON text
//! as an input is.
#![no_main]

use capsule_fuzz::on_small_stack;
use capsule_view_web::protocol::{FromView, decode};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn run(data: &[u8]) {
    // A WebSocket text frame is UTF-8 (tungstenite refuses anything else before the host sees it).
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(message) = decode(text) else { return };
    let value = match (message.reply(), message) {
        (Some((_, result)), _) => result,
        (None, FromView::Event { detail, .. }) => detail,
        (None, FromView::PageEvent { arg, .. }) => arg.unwrap_or(Value::Null),
        (None, FromView::Model { value, .. }) => value,
        (None, FromView::Navigate { url, .. }) => Value::String(url),
        (None, FromView::WebView { src, .. }) => Value::String(src),
        (None, other) => panic!("an answer without a reply: {other:?}"),
    };
    let text = serde_json::to_string(&value).expect("a value serialises");
    let _: Value = serde_json::from_str(&text).expect("what was serialised reads back");
}

fuzz_target!(|data: &[u8]| on_small_stack(data, run));
