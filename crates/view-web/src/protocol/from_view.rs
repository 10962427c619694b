//! What a view may say over the simulator's socket (the host's side of the protocol), decoded
//! and validated without any state:
//! the text of one message becomes a [`ViewMessage`] or an error saying what is wrong with it.
//! The simulator then checks what needs its state (is that question still waiting?) and turns
//! the message into an input for the app.
//!
//! A view is untrusted: any page that reached the socket could send anything. Every field is
//! typed here, sizes are bounded, and nothing a view sends is passed on without a check.

use serde_json::{Map, Value, json};

use crate::PROTOCOL;

/// Bytes of one message a view may send.
pub const MAX_VIEW_MESSAGE: usize = 64 * 1024;

/// Characters of an event's name.
const MAX_EVENT_NAME: usize = 64;

const NAVIGATIONS: [&str; 5] = ["navigateTo", "redirectTo", "navigateBack", "reLaunch", "switchTab"];

/// A message from a view, as the simulator acts on it.
#[derive(Clone, Debug, PartialEq)]
pub enum ViewMessage {
    /// The user did something on a node of a page.
    Event {
        page: u32,
        node: u32,
        event: String,
        detail: Value,
    },
    /// A navigation from the view (a navigator, the back button, a tab).
    Navigate {
        kind: String,
        url: String,
    },
    /// A page hook (`onPageScroll`, `onReachBottom`, …); the instance decides which it hears.
    PageEvent {
        page: u32,
        hook: String,
        arg: Option<Value>,
    },
    /// A `model:value` input changed.
    Model {
        page: u32,
        path: String,
        value: Value,
    },
    /// A `web-view` asks whether it may show `src`.
    WebView {
        page: Value,
        node: Value,
        src: String,
    },
    /// Answers to questions the app asked the view, by the question's `seq`.
    ActionSheetAnswer {
        seq: u32,
        tap_index: i64,
    },
    ModalAnswer {
        seq: u32,
        confirm: bool,
    },
    FontAnswer {
        seq: u32,
        error: Option<String>,
    },
    SelectorQueryAnswer {
        seq: u32,
        results: Value,
    },
    /// A report of an intersection observer (an object of the platform's fields).
    Intersection {
        seq: u32,
        result: Map<String, Value>,
    },
    /// An event of an audio context: its name and the fields the view reports.
    AudioEvent {
        seq: u32,
        fields: Map<String, Value>,
    },
}

impl ViewMessage {
    /// The `seq` of the question a message answers, if it answers one.
    pub fn answers(&self) -> Option<u32> {
        match self {
            ViewMessage::ActionSheetAnswer { seq, .. }
            | ViewMessage::ModalAnswer { seq, .. }
            | ViewMessage::FontAnswer { seq, .. }
            | ViewMessage::SelectorQueryAnswer { seq, .. }
            | ViewMessage::Intersection { seq, .. }
            | ViewMessage::AudioEvent { seq, .. } => Some(*seq),
            _ => None,
        }
    }

    /// The answer an app receives for a message that answers its question (`errMsg` and the
    /// API's fields).
    pub fn reply(&self) -> Option<(u32, Value)> {
        let (seq, result) = match self {
            ViewMessage::ActionSheetAnswer { seq, tap_index } if *tap_index >= 0 => {
                (*seq, json!({"errMsg": "showActionSheet:ok", "tapIndex": tap_index}))
            }
            ViewMessage::ActionSheetAnswer { seq, .. } => {
                (*seq, json!({"errMsg": "showActionSheet:fail cancel"}))
            }
            ViewMessage::ModalAnswer { seq, confirm } => {
                (*seq, json!({"errMsg": "showModal:ok", "confirm": confirm, "cancel": !confirm}))
            }
            ViewMessage::FontAnswer { seq, error: None } => {
                (*seq, json!({"errMsg": "loadFontFace:ok", "status": "loaded"}))
            }
            ViewMessage::FontAnswer { seq, error: Some(e) } => {
                (*seq, json!({"errMsg": format!("loadFontFace:fail {e}"), "status": "error"}))
            }
            ViewMessage::SelectorQueryAnswer { seq, results } => {
                (*seq, json!({"errMsg": "selectorQuery:ok", "results": results}))
            }
            ViewMessage::Intersection { seq, result } => {
                let mut result = result.clone();
                result.insert("errMsg".into(), json!("observeIntersection:ok"));
                (*seq, Value::Object(result))
            }
            ViewMessage::AudioEvent { seq, fields } => {
                let mut result = fields.clone();
                result.insert("errMsg".into(), json!("audio:ok"));
                (*seq, Value::Object(result))
            }
            _ => return None,
        };
        Some((seq, result))
    }
}

/// Decodes one text message from a view. The error says what was wrong, for the log.
///
/// ```
/// use capsule_view_web::message::{ViewMessage, decode};
/// let m = decode(r#"{"v": 1, "type": "modalAnswer", "seq": 4, "confirm": true}"#).unwrap();
/// assert_eq!(m, ViewMessage::ModalAnswer { seq: 4, confirm: true });
/// assert_eq!(decode(r#"{"v": 1, "type": "event"}"#).unwrap_err(), "event: `page` must be a u32");
/// ```
pub fn decode(text: &str) -> Result<ViewMessage, String> {
    if text.len() > MAX_VIEW_MESSAGE {
        return Err(format!(
            "a message of {} bytes is over the {MAX_VIEW_MESSAGE} a view may send",
            text.len()
        ));
    }
    let msg: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(msg) = msg else { return Err("not a JSON object".into()) };
    if msg.get("v").and_then(Value::as_u64) != Some(u64::from(PROTOCOL)) {
        return Err(format!("protocol version {} expected", PROTOCOL));
    }
    let kind = msg.get("type").and_then(Value::as_str).ok_or("no `type`")?;
    let u32_of = |key: &str| {
        msg.get(key)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("{kind}: `{key}` must be a u32"))
    };
    let str_of = |key: &str| {
        msg.get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("{kind}: `{key}` must be a string"))
    };
    let message = match kind {
        "event" => {
            let (page, node, event) = (u32_of("page")?, u32_of("node")?, str_of("event")?);
            if event.len() > MAX_EVENT_NAME {
                return Err(format!("event: a name of {} bytes is over {MAX_EVENT_NAME}", event.len()));
            }
            ViewMessage::Event { page, node, event, detail: msg.get("detail").cloned().unwrap_or(json!({})) }
        }
        "navigate" => {
            let (kind, url) = (str_of("kind")?, str_of("url")?);
            if !NAVIGATIONS.contains(&kind.as_str()) {
                return Err(format!("navigate: `{kind}` is not a navigation"));
            }
            ViewMessage::Navigate { kind, url }
        }
        "pageEvent" => ViewMessage::PageEvent {
            page: u32_of("page")?,
            hook: str_of("hook")?,
            arg: msg.get("arg").cloned(),
        },
        "model" => ViewMessage::Model {
            page: u32_of("page")?,
            path: str_of("path")?,
            value: msg.get("value").cloned().unwrap_or(Value::Null),
        },
        "webView" => ViewMessage::WebView {
            page: msg.get("page").cloned().unwrap_or(Value::Null),
            node: msg.get("node").cloned().unwrap_or(Value::Null),
            src: msg.get("src").and_then(Value::as_str).unwrap_or_default().to_string(),
        },
        "actionSheetAnswer" => ViewMessage::ActionSheetAnswer {
            seq: u32_of("seq")?,
            tap_index: msg.get("tapIndex").and_then(Value::as_i64).unwrap_or(-1),
        },
        "modalAnswer" => ViewMessage::ModalAnswer {
            seq: u32_of("seq")?,
            confirm: msg.get("confirm").and_then(Value::as_bool).unwrap_or(false),
        },
        "fontAnswer" => ViewMessage::FontAnswer {
            seq: u32_of("seq")?,
            error: msg.get("error").and_then(Value::as_str).map(str::to_string),
        },
        "selectorQueryAnswer" => {
            let seq = u32_of("seq")?;
            let results = msg
                .get("results")
                .filter(|r| r.is_array())
                .cloned()
                .ok_or("selectorQueryAnswer: no `results` array")?;
            ViewMessage::SelectorQueryAnswer { seq, results }
        }
        "intersection" => {
            let seq = u32_of("seq")?;
            let Some(Value::Object(result)) = msg.get("result").cloned() else {
                return Err("intersection: `result` must be an object".into());
            };
            ViewMessage::Intersection { seq, result }
        }
        "audioEvent" => {
            let seq = u32_of("seq")?;
            let mut fields = Map::new();
            for k in ["event", "currentTime", "duration", "paused", "message"] {
                if let Some(v) = msg.get(k) {
                    fields.insert(k.into(), v.clone());
                }
            }
            ViewMessage::AudioEvent { seq, fields }
        }
        other => return Err(format!("unknown message type `{other}`")),
    };
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_messages_say_what_is_wrong() {
        for (text, error) in [
            ("[1]", "not a JSON object"),
            ("{\"v\": 2, \"type\": \"event\"}", "protocol version 1 expected"),
            ("{\"v\": 1}", "no `type`"),
            (
                "{\"v\": 1, \"type\": \"event\", \"page\": 1, \"node\": -1, \"event\": \"tap\"}",
                "event: `node` must be a u32",
            ),
            (
                "{\"v\": 1, \"type\": \"event\", \"page\": 4294967296, \"node\": 1, \"event\": \"tap\"}",
                "event: `page` must be a u32",
            ),
            (
                "{\"v\": 1, \"type\": \"navigate\", \"kind\": \"exit\", \"url\": \"/\"}",
                "navigate: `exit` is not a navigation",
            ),
            (
                "{\"v\": 1, \"type\": \"intersection\", \"seq\": 1, \"result\": [1]}",
                "intersection: `result` must be an object",
            ),
            ("{\"v\": 1, \"type\": \"promptAnswer\", \"seq\": 1}", "unknown message type `promptAnswer`"),
        ] {
            assert_eq!(decode(text).unwrap_err(), error, "{text}");
        }
        let long = format!(
            "{{\"v\": 1, \"type\": \"event\", \"page\": 1, \"node\": 1, \"event\": \"{}\"}}",
            "e".repeat(65)
        );
        assert_eq!(decode(&long).unwrap_err(), "event: a name of 65 bytes is over 64");
        let huge = format!("{{\"v\": 1, \"pad\": \"{}\"}}", "x".repeat(MAX_VIEW_MESSAGE));
        assert!(decode(&huge).unwrap_err().contains("over the 65536 a view may send"));
    }

    #[test]
    fn answers_become_the_platform_replies() {
        let sheet =
            decode("{\"v\": 1, \"type\": \"actionSheetAnswer\", \"seq\": 3, \"tapIndex\": -1}").unwrap();
        assert_eq!(sheet.reply(), Some((3, json!({"errMsg": "showActionSheet:fail cancel"}))));
        let font =
            decode("{\"v\": 1, \"type\": \"fontAnswer\", \"seq\": 5, \"error\": \"bad font\"}").unwrap();
        assert_eq!(
            font.reply(),
            Some((5, json!({"errMsg": "loadFontFace:fail bad font", "status": "error"})))
        );
        let event =
            decode("{\"v\": 1, \"type\": \"event\", \"page\": 1, \"node\": 2, \"event\": \"tap\"}").unwrap();
        assert_eq!(event.answers(), None);
    }
}
