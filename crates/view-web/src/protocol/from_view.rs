//! What a view may say ([`FromView`]), decoded and validated without any state: the text of
//! one message becomes a [`FromView`] or an error saying what is wrong with it. The host then
//! checks what needs its state (is that question still waiting?) and turns the message into
//! an input for the app.
//!
//! A view is untrusted: any page that reached the socket could send anything. Every field is
//! typed here, sizes are bounded, and nothing a view sends is passed on without a check.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{PROTOCOL, ToView};

/// Bytes of one message a view may send.
pub const MAX_VIEW_MESSAGE: usize = 64 * 1024;

/// Characters of an event's name.
const MAX_EVENT_NAME: usize = 64;

const NAVIGATIONS: [&str; 5] = ["navigateTo", "redirectTo", "navigateBack", "reLaunch", "switchTab"];

/// One finger, as the view saw it (CSS pixels; `page*` include the page's scroll).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Touch {
    pub identifier: i64,
    pub page_x: f64,
    pub page_y: f64,
    pub client_x: f64,
    pub client_y: f64,
    #[serde(default)]
    pub force: f64,
}

/// What an event's object needs from the view beyond its `detail`: every finger down, the
/// ones this event is about, and where the nodes along the target's path sit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pointer {
    #[serde(default)]
    pub touches: Vec<Touch>,
    #[serde(default)]
    pub changed_touches: Vec<Touch>,
    #[serde(default)]
    pub offsets: Vec<Offset>,
}

/// Where a node's element sits on the page (`offsetLeft`, `offsetTop`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Offset {
    pub node: u32,
    pub left: f64,
    pub top: f64,
}

/// A message from a view, as the host acts on it. Fields a message leaves out take the
/// defaults the view's own script relies on (an event's `detail` is `{}`, an action sheet
/// answered without `tapIndex` was cancelled).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum FromView {
    /// The user did something on a node of a page.
    Event {
        page: u32,
        node: u32,
        event: String,
        #[serde(default = "empty_object")]
        detail: Value,
        /// The fingers down and where the target's path sits on the page.
        #[serde(default)]
        pointer: Pointer,
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
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arg: Option<Value>,
    },
    /// A `model:value` input changed.
    Model {
        page: u32,
        path: String,
        #[serde(default)]
        value: Value,
    },
    /// A `web-view` asks whether it may show `src`.
    WebView {
        page: u32,
        node: u32,
        src: String,
    },
    /// Answers to questions the app asked the view, by the question's `seq`.
    ActionSheetAnswer {
        seq: u32,
        /// The row tapped; negative: cancelled.
        #[serde(default = "cancelled")]
        tap_index: i64,
    },
    ModalAnswer {
        seq: u32,
        #[serde(default)]
        confirm: bool,
    },
    FontAnswer {
        seq: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    SelectorQueryAnswer {
        seq: u32,
        results: Vec<Value>,
    },
    /// A report of an intersection observer (an object of the platform's fields).
    Intersection {
        seq: u32,
        result: Map<String, Value>,
    },
    /// An event of an audio context (`play`, `timeupdate`, `error`, …) with the element's
    /// state.
    AudioEvent {
        seq: u32,
        event: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        current_time: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        paused: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
}

/// The `type` of each [`FromView`] variant, for the error that names an unknown one.
const TYPES: [&str; 11] = [
    "event",
    "navigate",
    "pageEvent",
    "model",
    "webView",
    "actionSheetAnswer",
    "modalAnswer",
    "fontAnswer",
    "selectorQueryAnswer",
    "intersection",
    "audioEvent",
];

fn empty_object() -> Value {
    json!({})
}

fn cancelled() -> i64 {
    -1
}

impl FromView {
    /// The `seq` of the question a message answers, if it answers one.
    pub fn answers(&self) -> Option<u32> {
        match self {
            FromView::ActionSheetAnswer { seq, .. }
            | FromView::ModalAnswer { seq, .. }
            | FromView::FontAnswer { seq, .. }
            | FromView::SelectorQueryAnswer { seq, .. }
            | FromView::Intersection { seq, .. }
            | FromView::AudioEvent { seq, .. } => Some(*seq),
            _ => None,
        }
    }

    /// Whether this answers `question`, the message the host sent with the same `seq`: each
    /// kind of answer fits one kind of question, so a view cannot pass off, say, a modal's
    /// answer as a selector query's.
    pub fn answers_question(&self, question: &ToView) -> bool {
        matches!(
            (self, question),
            (FromView::ActionSheetAnswer { .. }, ToView::ActionSheet { .. })
                | (FromView::ModalAnswer { .. }, ToView::Modal { .. })
                | (FromView::FontAnswer { .. }, ToView::LoadFontFace { .. })
                | (FromView::SelectorQueryAnswer { .. }, ToView::SelectorQuery { .. })
                | (FromView::Intersection { .. }, ToView::Observe { .. })
                | (FromView::AudioEvent { .. }, ToView::Audio { .. })
        )
    }

    /// Whether the question stays open after this answer: an observer reports every crossing
    /// and an audio context every event, until the app ends them; the others answer once.
    pub fn leaves_question_open(&self) -> bool {
        matches!(self, FromView::Intersection { .. } | FromView::AudioEvent { .. })
    }

    /// The answer an app receives for a message that answers its question (`errMsg` and the
    /// API's fields).
    pub fn reply(&self) -> Option<(u32, Value)> {
        let (seq, result) = match self {
            FromView::ActionSheetAnswer { seq, tap_index } if *tap_index >= 0 => {
                (*seq, json!({"errMsg": "showActionSheet:ok", "tapIndex": tap_index}))
            }
            FromView::ActionSheetAnswer { seq, .. } => {
                (*seq, json!({"errMsg": "showActionSheet:fail cancel"}))
            }
            FromView::ModalAnswer { seq, confirm } => {
                (*seq, json!({"errMsg": "showModal:ok", "confirm": confirm, "cancel": !confirm}))
            }
            FromView::FontAnswer { seq, error: None } => {
                (*seq, json!({"errMsg": "loadFontFace:ok", "status": "loaded"}))
            }
            FromView::FontAnswer { seq, error: Some(e) } => {
                (*seq, json!({"errMsg": format!("loadFontFace:fail {e}"), "status": "error"}))
            }
            FromView::SelectorQueryAnswer { seq, results } => {
                (*seq, json!({"errMsg": "selectorQuery:ok", "results": results}))
            }
            FromView::Intersection { seq, result } => {
                let mut result = result.clone();
                result.insert("errMsg".into(), json!("observeIntersection:ok"));
                (*seq, Value::Object(result))
            }
            FromView::AudioEvent { seq, event, current_time, duration, paused, message } => {
                let mut result = Map::new();
                result.insert("event".into(), json!(event));
                for (key, value) in [
                    ("currentTime", current_time.map(|t| json!(t))),
                    ("duration", duration.map(|d| json!(d))),
                    ("paused", paused.map(|p| json!(p))),
                    ("message", message.as_ref().map(|m| json!(m))),
                ] {
                    if let Some(value) = value {
                        result.insert(key.into(), value);
                    }
                }
                result.insert("errMsg".into(), json!("audio:ok"));
                (*seq, Value::Object(result))
            }
            _ => return None,
        };
        Some((seq, result))
    }

    /// The message as a view sends it, with the protocol version.
    ///
    /// ```
    /// use capsule_view_web::protocol::{FromView, decode};
    /// let answer = FromView::ModalAnswer { seq: 4, confirm: true };
    /// assert_eq!(answer.encode(), r#"{"v":1,"type":"modalAnswer","seq":4,"confirm":true}"#);
    /// assert_eq!(decode(&answer.encode()), Ok(answer));
    /// ```
    pub fn encode(&self) -> String {
        super::versioned(self)
    }

    /// What the view may not say even in a well-formed message.
    fn check(&self) -> Result<(), String> {
        match self {
            FromView::Event { event, .. } if event.len() > MAX_EVENT_NAME => {
                Err(format!("event: a name of {} bytes is over {MAX_EVENT_NAME}", event.len()))
            }
            FromView::Navigate { kind, .. } if !NAVIGATIONS.contains(&kind.as_str()) => {
                Err(format!("navigate: `{kind}` is not a navigation"))
            }
            _ => Ok(()),
        }
    }
}

/// Decodes one text message from a view. The error says what was wrong, for the log and for
/// the [`ToView::Refused`](super::ToView::Refused) the view is sent back.
///
/// ```
/// use capsule_view_web::protocol::{FromView, decode};
/// let m = decode(r#"{"v": 1, "type": "modalAnswer", "seq": 4, "confirm": true}"#).unwrap();
/// assert_eq!(m, FromView::ModalAnswer { seq: 4, confirm: true });
/// assert_eq!(decode(r#"{"v": 1, "type": "event"}"#).unwrap_err(), "event: missing field `page`");
/// ```
pub fn decode(text: &str) -> Result<FromView, String> {
    if text.len() > MAX_VIEW_MESSAGE {
        return Err(format!(
            "a message of {} bytes is over the {MAX_VIEW_MESSAGE} a view may send",
            text.len()
        ));
    }
    let msg: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    if !msg.is_object() {
        return Err("not a JSON object".into());
    }
    if msg.get("v").and_then(Value::as_u64) != Some(u64::from(PROTOCOL)) {
        return Err(format!("protocol version {PROTOCOL} expected"));
    }
    let kind = msg.get("type").and_then(Value::as_str).ok_or("no `type`")?.to_string();
    if !TYPES.contains(&kind.as_str()) {
        return Err(format!("unknown message type `{kind}`"));
    }
    let message = FromView::deserialize(msg).map_err(|e| format!("{kind}: {}", shortened(&e.to_string())))?;
    message.check()?;
    Ok(message)
}

/// Characters of a decoding error kept: serde quotes the value it could not use, which may be
/// most of the message.
const MAX_ERROR: usize = 160;

fn shortened(error: &str) -> String {
    match error.char_indices().nth(MAX_ERROR) {
        Some((at, _)) => format!("{}…", &error[..at]),
        None => error.to_string(),
    }
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
                "event: invalid value: integer `-1`, expected u32",
            ),
            (
                "{\"v\": 1, \"type\": \"event\", \"page\": 4294967296, \"node\": 1, \"event\": \"tap\"}",
                "event: invalid value: integer `4294967296`, expected u32",
            ),
            (
                "{\"v\": 1, \"type\": \"navigate\", \"kind\": \"exit\", \"url\": \"/\"}",
                "navigate: `exit` is not a navigation",
            ),
            (
                "{\"v\": 1, \"type\": \"intersection\", \"seq\": 1, \"result\": [1]}",
                "intersection: invalid type: sequence, expected a map",
            ),
            (
                "{\"v\": 1, \"type\": \"selectorQueryAnswer\", \"seq\": 1, \"results\": {}}",
                "selectorQueryAnswer: invalid type: map, expected a sequence",
            ),
            ("{\"v\": 1, \"type\": \"webView\", \"page\": 1, \"node\": 2}", "webView: missing field `src`"),
            ("{\"v\": 1, \"type\": \"promptAnswer\", \"seq\": 1}", "unknown message type `promptAnswer`"),
            (
                "{\"v\": 1, \"type\": \"event\", \"page\": 1, \"node\": 1, \"event\": \"tap\", \"pointer\": {\"touches\": [{\"identifier\": 0}]}}",
                "event: missing field `pageX`",
            ),
        ] {
            assert_eq!(decode(text).unwrap_err(), error, "{text}");
        }
        let long = format!(
            "{{\"v\": 1, \"type\": \"event\", \"page\": 1, \"node\": 1, \"event\": \"{}\"}}",
            "e".repeat(65)
        );
        assert_eq!(decode(&long).unwrap_err(), "event: a name of 65 bytes is over 64");
        // A value serde quotes back is cut short: the reason goes back to the view and the log.
        let quoted =
            format!("{{\"v\": 1, \"type\": \"model\", \"page\": \"{}\", \"path\": \"a\"}}", "p".repeat(1000));
        let error = decode(&quoted).unwrap_err();
        assert!(error.starts_with("model: invalid type: string \"ppp") && error.ends_with('…'), "{error}");
        assert_eq!(error.chars().count(), "model: ".len() + MAX_ERROR + 1);
        let huge = format!("{{\"v\": 1, \"pad\": \"{}\"}}", "x".repeat(MAX_VIEW_MESSAGE));
        assert!(decode(&huge).unwrap_err().contains("over the 65536 a view may send"));
    }

    #[test]
    fn left_out_fields_take_the_views_defaults() {
        let event =
            decode(r#"{"v": 1, "type": "event", "page": 1, "node": 2, "event": "tap", "touches": []}"#);
        let pointer = Pointer::default();
        assert_eq!(
            event,
            Ok(FromView::Event { page: 1, node: 2, event: "tap".into(), detail: json!({}), pointer })
        );
        let sheet = decode(r#"{"v": 1, "type": "actionSheetAnswer", "seq": 3}"#);
        assert_eq!(sheet, Ok(FromView::ActionSheetAnswer { seq: 3, tap_index: -1 }));
        let hook = decode(r#"{"v": 1, "type": "pageEvent", "page": 1, "hook": "onReachBottom"}"#);
        assert_eq!(hook, Ok(FromView::PageEvent { page: 1, hook: "onReachBottom".into(), arg: None }));
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
        let audio = decode(
            r#"{"v": 1, "type": "audioEvent", "seq": 7, "event": "pause", "currentTime": 1.5, "duration": 3, "paused": true, "volume": 9}"#,
        )
        .unwrap();
        assert_eq!(
            audio.reply(),
            Some((
                7,
                json!({"event": "pause", "currentTime": 1.5, "duration": 3.0, "paused": true, "errMsg": "audio:ok"})
            ))
        );
        let event =
            decode("{\"v\": 1, \"type\": \"event\", \"page\": 1, \"node\": 2, \"event\": \"tap\"}").unwrap();
        assert_eq!(event.answers(), None);
    }

    #[test]
    fn each_answer_fits_one_kind_of_question() {
        let modal = ToView::Modal {
            seq: 1,
            title: String::new(),
            content: String::new(),
            show_cancel: true,
            cancel_text: "Cancel".into(),
            confirm_text: "OK".into(),
        };
        let query = ToView::SelectorQuery { seq: 2, page: Some(1), root: None, requests: vec![] };
        let observer = ToView::Observe {
            seq: 3,
            page: Some(1),
            root: None,
            selector: ".a".into(),
            relative: json!({"viewport": true}),
            thresholds: vec![0.0],
            initial_ratio: 0.0,
            observe_all: false,
        };
        let confirm = FromView::ModalAnswer { seq: 1, confirm: true };
        assert!(confirm.answers_question(&modal));
        assert!(!confirm.answers_question(&query));
        assert!(!confirm.leaves_question_open());
        let results = FromView::SelectorQueryAnswer { seq: 2, results: vec![] };
        assert!(results.answers_question(&query) && !results.answers_question(&modal));
        let crossing = FromView::Intersection { seq: 3, result: Map::new() };
        assert!(crossing.answers_question(&observer) && crossing.leaves_question_open());
    }

    #[test]
    fn every_message_round_trips() {
        let all = [
            FromView::Event {
                page: 1,
                node: 2,
                event: "touchstart".into(),
                detail: json!({"x": 3}),
                pointer: Pointer {
                    touches: vec![Touch {
                        identifier: 1,
                        page_x: 3.5,
                        page_y: 4.0,
                        client_x: 3.5,
                        client_y: 2.0,
                        force: 1.0,
                    }],
                    changed_touches: Vec::new(),
                    offsets: vec![Offset { node: 2, left: 0.0, top: 10.5 }],
                },
            },
            FromView::Navigate { kind: "navigateBack".into(), url: "1".into() },
            FromView::PageEvent { page: 1, hook: "onPageScroll".into(), arg: Some(json!({"scrollTop": 4})) },
            FromView::Model { page: 1, path: "name".into(), value: json!("Ada") },
            FromView::WebView { page: 1, node: 5, src: "https://example.com/".into() },
            FromView::ActionSheetAnswer { seq: 2, tap_index: 1 },
            FromView::ModalAnswer { seq: 3, confirm: false },
            FromView::FontAnswer { seq: 4, error: None },
            FromView::SelectorQueryAnswer { seq: 5, results: vec![json!(null)] },
            FromView::Intersection { seq: 6, result: Map::from_iter([("id".to_string(), json!("a"))]) },
            FromView::AudioEvent {
                seq: 7,
                event: "error".into(),
                current_time: Some(0.0),
                duration: Some(0.0),
                paused: Some(true),
                message: Some("MEDIA_ERR_SRC_NOT_SUPPORTED".into()),
            },
        ];
        assert_eq!(all.len(), TYPES.len());
        for message in all {
            assert_eq!(decode(&message.encode()), Ok(message.clone()), "{}", message.encode());
        }
    }
}
