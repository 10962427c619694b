//! The view socket: what goes to views (each message built once and queued for every view by
//! `fanout`; a view that connects is first sent `reset`, every live page, the stack and every
//! call still waiting) and what comes from them, decoded by `capsule_view_web::protocol` and
//! checked against what is waiting before it becomes an input for the app. A malformed
//! message, or an answer nobody waits for, is refused, counted and logged.

use std::sync::Arc;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use capsule_runtime::Input;
use capsule_style::Scope;
use capsule_view_web::PROTOCOL;
use capsule_view_web::message::{self as view_message, ViewMessage};
use serde_json::{Map, Value, json};

use crate::{MAX_VIEW_MESSAGE, PageMirror, Shared};

pub(crate) fn send_view(shared: &Shared, message: Value) {
    let mut message = message;
    message["v"] = json!(PROTOCOL);
    shared.to_views.send(message.to_string());
}

/// Sends a message that waits on a view, keeping it for views that connect later.
pub(crate) fn send_waiting(shared: &Shared, seq: u32, message: Value) {
    shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, message.clone());
    send_view(shared, message);
}

pub(crate) fn page_message(id: u32, page: &PageMirror) -> Value {
    json!({"type": "page", "page": id, "route": page.route, "window": page.window, "css": page.css, "snapshot": page.tree.snapshot()})
}

pub(crate) fn reset_message(shared: &Shared) -> Value {
    let running = shared.running();
    let manifest = &running.package.manifest;
    let app_css = running.styles.app.as_ref().map(|s| s.to_css(Scope::Global)).unwrap_or_default();
    let tab_bar = shared.tab_bar.lock().unwrap_or_else(|p| p.into_inner()).clone();
    // Each component's sheet, unscoped: it applies inside the component's shadow root.
    let components: Map<String, Value> = manifest
        .components
        .iter()
        .map(|c| {
            let css =
                running.styles.components.get(&c.path).map(|s| s.to_css(Scope::Global)).unwrap_or_default();
            (c.path.clone(), json!({"css": css, "isolation": c.style_isolation}))
        })
        .collect();
    // Each page's sheet unscoped too: a component given external classes takes the rules
    // for those classes into its shadow root.
    let page_css: Map<String, Value> = running
        .styles
        .pages
        .iter()
        .map(|(route, s)| (route.clone(), json!(s.to_css(Scope::Global))))
        .collect();
    json!({"type": "reset", "appCss": app_css, "tabBar": tab_bar, "window": manifest.window, "components": components, "pageCss": page_css})
}

pub(crate) async fn websocket(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_VIEW_MESSAGE).on_upgrade(move |socket| view_session(shared, socket))
}

async fn view_session(shared: Arc<Shared>, mut socket: WebSocket) {
    let mut updates = shared.to_views.subscribe();
    // Everything the view needs to catch up: the app, then each page from the bottom.
    let mut hello = vec![reset_message(&shared)];
    for (id, page) in shared.pages.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        hello.push(page_message(*id, page));
    }
    hello.push(json!({"type": "stack", "pages": *shared.stack.lock().unwrap_or_else(|p| p.into_inner())}));
    hello.extend(shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).values().cloned());
    for mut m in hello {
        m["v"] = json!(PROTOCOL);
        if socket.send(Message::Text(m.to_string().into())).await.is_err() {
            return;
        }
    }
    loop {
        tokio::select! {
            update = updates.recv() => match update {
                Some(text) => {
                    if socket.send(Message::Text(text.as_ref().into())).await.is_err() {
                        return;
                    }
                }
                // A view too slow to keep up starts over from snapshots.
                None => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => from_view(&shared, &text),
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Validates a message from a view and passes it on as an input. What a view may say here is
/// what the app's own page could (events, answers to the app's own modals and queries); a
/// person's answers to permission prompts and settings are not taken from the socket: they
/// come over HTTP with the run's secret (`/capsule-prompt/…`, `/capsule-settings/…`). A message
/// that is malformed, or answers a question nobody is waiting for, is refused and counted, and
/// the first few refusals are logged with their reason.
fn from_view(shared: &Shared, text: &str) {
    let message = match view_message::decode(text) {
        Ok(message) => message,
        Err(reason) => return refuse_view(&reason),
    };
    if let Some(seq) = message.answers() {
        let mut waiting = shared.waiting.lock().unwrap_or_else(|p| p.into_inner());
        // Observers and audio contexts answer many times; the others once.
        let kind = waiting.get(&seq).map(|m| m["type"].as_str().unwrap_or_default().to_string());
        let fits = match (&message, kind.as_deref()) {
            (ViewMessage::Intersection { .. }, Some("observe"))
            | (ViewMessage::AudioEvent { .. }, Some("audio")) => true,
            (ViewMessage::Intersection { .. } | ViewMessage::AudioEvent { .. }, _) => false,
            (_, Some(_)) => waiting.remove(&seq).is_some(),
            (_, None) => false,
        };
        drop(waiting);
        if !fits {
            return refuse_view(&format!("an answer to {seq}, which nothing is waiting for"));
        }
    }
    let input = match message {
        ViewMessage::Event { page, node, event, detail } => Input::Event { page, node, event, detail },
        ViewMessage::Navigate { kind, url } => Input::Navigate { kind, url },
        ViewMessage::PageEvent { page, hook, arg } => Input::PageEvent { page, hook, arg },
        ViewMessage::Model { page, path, value } => Input::Model { page, path, value },
        ViewMessage::WebView { page, node, src } => {
            // A web-view shows a page only from an origin the host allows.
            let verdict = match &shared.api() {
                Some(api) => api.check_origin(&src),
                None => Err("no network access".to_string()),
            };
            send_view(
                shared,
                json!({"type": "webViewAnswer", "page": page, "node": node, "src": src,
                       "allowed": verdict.is_ok(), "reason": verdict.err()}),
            );
            return;
        }
        answer => {
            let Some((seq, result)) = answer.reply() else { return };
            Input::ViewReply { seq, result }
        }
    };
    shared.running().handle.send(input);
}

/// Messages from views refused so far (in the whole process), of which the first
/// [`LOGGED_REFUSALS`] are logged.
static REFUSED_VIEW_MESSAGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
const LOGGED_REFUSALS: u64 = 20;

/// How many messages from views were refused.
pub fn refused_view_messages() -> u64 {
    REFUSED_VIEW_MESSAGES.load(std::sync::atomic::Ordering::Relaxed)
}

fn refuse_view(reason: &str) {
    let n = REFUSED_VIEW_MESSAGES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if n < LOGGED_REFUSALS {
        eprintln!("capsule: refused a message from a view: {reason}");
    } else if n == LOGGED_REFUSALS {
        eprintln!("capsule: refusing more messages from views; not logging them any more");
    }
}
