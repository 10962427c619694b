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
use capsule_view_web::protocol::{self, ComponentStyle, FromView, ToView};
use serde_json::{Map, Value};

use crate::{MAX_VIEW_MESSAGE, PageMirror, Shared};

/// Sends `message` to every view.
pub(crate) fn send_view(shared: &Shared, message: ToView) {
    shared.to_views.send(&message);
}

/// Sends a message that waits on a view, keeping it for views that connect later.
/// (It is kept first, so that a quick answer finds it waiting.)
pub(crate) fn send_waiting(shared: &Shared, seq: u32, message: ToView) {
    shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, message.clone());
    shared.to_views.send(&message);
}

/// A page as a view that has not seen it needs it: its whole tree.
pub(crate) fn page_message(shared: &Shared, id: u32, page: &PageMirror) -> ToView {
    ToView::Page {
        page: id,
        route: page.route.clone(),
        window: shared.themed(page.window.clone()),
        css: page.css.clone(),
        snapshot: page.tree.snapshot(),
        notice: shared
            .running()
            .is_some_and(|r| r.package.manifest.dialect == capsule_package::Dialect::W3c)
            .then(|| W3C_NOTICE.to_string()),
    }
}

/// What a W3C app's pages show until their templates are rendered: their scripts and data run.
pub(crate) const W3C_NOTICE: &str = "W3C page templates are not rendered yet: this page's script \
    runs and its data is set (see the console and `capsule exec --print data`), but Capsule does \
    not draw W3C pages in this version.";

/// The app as a view starts from it: its styles, window and tab bar.
pub(crate) fn reset_message(shared: &Shared) -> ToView {
    let Some(running) = shared.running() else {
        // Nothing has built: an empty phone (the problems show over it).
        return ToView::Reset {
            app_css: String::new(),
            tab_bar: Value::Null,
            window: Value::Object(Map::new()),
            components: Default::default(),
            page_css: Default::default(),
        };
    };
    let manifest = &running.package.manifest;
    let app_css = running.styles.app.as_ref().map(|s| s.to_css(Scope::Global)).unwrap_or_default();
    let tab_bar = shared.tab_bar.lock().unwrap_or_else(|p| p.into_inner()).clone();
    // Each component's sheet, unscoped: it applies inside the component's shadow root.
    let components = manifest
        .components
        .iter()
        .map(|c| {
            let css =
                running.styles.components.get(&c.path).map(|s| s.to_css(Scope::Global)).unwrap_or_default();
            (c.path.clone(), ComponentStyle { css, isolation: c.style_isolation.clone() })
        })
        .collect();
    // Each page's sheet unscoped too: a component given external classes takes the rules
    // for those classes into its shadow root.
    let page_css =
        running.styles.pages.iter().map(|(route, s)| (route.clone(), s.to_css(Scope::Global))).collect();
    ToView::Reset {
        app_css,
        tab_bar: shared.themed(tab_bar),
        window: shared.themed(serde_json::to_value(&manifest.window).unwrap_or_default()),
        components,
        page_css,
    }
}

pub(crate) async fn websocket(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
    ws.max_message_size(MAX_VIEW_MESSAGE).on_upgrade(move |socket| view_session(shared, socket))
}

async fn view_session(shared: Arc<Shared>, mut socket: WebSocket) {
    let mut updates = shared.to_views.subscribe();
    // Everything the view needs to catch up: the app, then each page from the bottom.
    let mut hello =
        vec![reset_message(&shared), ToView::Theme { theme: shared.theme().as_str().to_string() }];
    for (id, page) in shared.pages.lock().unwrap_or_else(|p| p.into_inner()).iter() {
        hello.push(page_message(&shared, *id, page));
        if let Some(menu) = &page.share_menu {
            hello.push(ToView::ShareMenu { page: *id, menu: menu.clone() });
        }
    }
    hello.push(ToView::Stack { pages: shared.stack.lock().unwrap_or_else(|p| p.into_inner()).clone() });
    hello.extend(shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).values().cloned());
    if let Some(text) = shared.problems.lock().unwrap_or_else(|p| p.into_inner()).clone() {
        hello.push(ToView::Overlay { text, ended: false });
    }
    if let Some(text) = shared.ended.lock().unwrap_or_else(|p| p.into_inner()).clone() {
        hello.push(ToView::Overlay { text, ended: true });
    }
    for m in hello {
        if socket.send(Message::Text(m.encode().into())).await.is_err() {
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
                Some(Ok(Message::Text(text))) => {
                    // What this view sent and the host could not use: it hears why.
                    if let Some(refusal) = from_view(&shared, &text)
                        && socket.send(Message::Text(refusal.encode().into())).await.is_err()
                    {
                        return;
                    }
                }
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
/// that is malformed, or answers a question nobody is waiting for, is refused and counted
/// (the first few refusals are logged), and the answer for the view that sent it is returned.
fn from_view(shared: &Shared, text: &str) -> Option<ToView> {
    let message = match protocol::decode(text) {
        Ok(message) => message,
        Err(reason) => return Some(refuse_view(reason)),
    };
    if let Some(seq) = message.answers() {
        let mut waiting = shared.waiting.lock().unwrap_or_else(|p| p.into_inner());
        if !waiting.get(&seq).is_some_and(|question| message.answers_question(question)) {
            return Some(refuse_view(format!("an answer to {seq}, which nothing is waiting for")));
        }
        if !message.leaves_question_open() {
            waiting.remove(&seq);
        }
    }
    let input = match message {
        FromView::Event { page, node, event, detail, pointer } => {
            Input::Event { page, node, event, detail, pointer: runtime_pointer(pointer) }
        }
        FromView::Navigate { kind, url } => Input::Navigate { kind, url },
        FromView::PageEvent { page, hook, arg } => Input::PageEvent { page, hook, arg },
        FromView::Model { page, path, value } => Input::Model { page, path, value },
        FromView::WebView { page, node, src } => {
            // A web-view shows a page only from an origin the host allows.
            let verdict = match &shared.api() {
                Some(api) => api.check_origin(&src),
                None => Err("no network access".to_string()),
            };
            let allowed = verdict.is_ok();
            send_view(shared, ToView::WebViewAnswer { page, node, src, allowed, reason: verdict.err() });
            return None;
        }
        answer => {
            let (seq, result) = answer.reply()?;
            Input::ViewReply { seq, result }
        }
    };
    shared.send_input(input);
    None
}

/// Messages from views refused so far (in the whole process), of which the first
/// [`LOGGED_REFUSALS`] are logged.
static REFUSED_VIEW_MESSAGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
const LOGGED_REFUSALS: u64 = 20;

/// How many messages from views were refused.
pub fn refused_view_messages() -> u64 {
    REFUSED_VIEW_MESSAGES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Counts and logs a refusal, and makes the view's answer.
fn refuse_view(reason: String) -> ToView {
    let n = REFUSED_VIEW_MESSAGES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if n < LOGGED_REFUSALS {
        eprintln!("capsule: refused a message from a view: {reason}");
    } else if n == LOGGED_REFUSALS {
        eprintln!("capsule: refusing more messages from views; not logging them any more");
    }
    ToView::Refused { reason }
}

/// The view's fingers and offsets, as the runtime builds event objects from them.
fn runtime_pointer(pointer: protocol::Pointer) -> capsule_runtime::Pointer {
    let touch = |t: protocol::Touch| capsule_runtime::Touch {
        identifier: t.identifier,
        page_x: t.page_x,
        page_y: t.page_y,
        client_x: t.client_x,
        client_y: t.client_y,
        force: t.force,
    };
    capsule_runtime::Pointer {
        touches: pointer.touches.into_iter().map(touch).collect(),
        changed_touches: pointer.changed_touches.into_iter().map(touch).collect(),
        offsets: pointer
            .offsets
            .into_iter()
            .map(|o| capsule_runtime::Offset { node: o.node, left: o.left, top: o.top })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DEVICES, Host, HostConfig, Simulator, SimulatorOptions};

    /// A simulator on a one-page app in a fresh folder.
    async fn simulator(name: &str) -> (Simulator, tokio::sync::oneshot::Sender<()>) {
        let dir = std::env::temp_dir().join(format!("capsule-view-messages-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in [
            ("app.json", r#"{"pages": ["pages/a/a"]}"#),
            ("project.config.json", r#"{"appid": "wx-view-messages"}"#),
            ("app.js", "App({})"),
            ("pages/a/a.wxml", "<view>a</view>"),
            ("pages/a/a.js", "Page({})"),
        ] {
            let full = dir.join("app").join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let package = capsule_package::Package::load(dir.join("app"), &Default::default()).unwrap();
        let (program, _) = capsule_template::compile_package(&package);
        let host =
            Arc::new(Host::new(HostConfig { data_dir: dir.join("data"), ..HostConfig::default() }).unwrap());
        let app = host.app(package, program);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let options = SimulatorOptions { port: 0, device: DEVICES[0], prompter: None };
        let sim = Simulator::start(host, app, options, async move {
            let _ = stopped.await;
        })
        .await
        .unwrap();
        (sim, stop)
    }

    fn refused(reason: &str) -> Option<ToView> {
        Some(ToView::Refused { reason: reason.into() })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn what_a_view_cannot_say_is_refused_to_it_and_counted() {
        let (sim, _stop) = simulator("refused").await;
        let before = refused_view_messages();
        let malformed = from_view(&sim.shared, r#"{"v": 1, "type": "event", "page": "one", "node": 1}"#);
        assert_eq!(malformed, refused(r#"event: invalid type: string "one", expected u32"#));
        let unasked =
            from_view(&sim.shared, r#"{"v": 1, "type": "modalAnswer", "seq": 99, "confirm": true}"#);
        assert_eq!(unasked, refused("an answer to 99, which nothing is waiting for"));
        // A modal waits: another kind of answer does not answer it, its own does, once.
        let modal = ToView::Modal {
            seq: 7,
            title: "Sure?".into(),
            content: String::new(),
            show_cancel: true,
            cancel_text: "Cancel".into(),
            confirm_text: "OK".into(),
        };
        send_waiting(&sim.shared, 7, modal);
        let results = r#"{"v": 1, "type": "selectorQueryAnswer", "seq": 7, "results": []}"#;
        assert_eq!(from_view(&sim.shared, results), refused("an answer to 7, which nothing is waiting for"));
        let confirm = r#"{"v": 1, "type": "modalAnswer", "seq": 7, "confirm": true}"#;
        assert_eq!(from_view(&sim.shared, confirm), None);
        assert_eq!(from_view(&sim.shared, confirm), refused("an answer to 7, which nothing is waiting for"));
        // Other tests refuse messages too: the count is the process's.
        assert!(refused_view_messages() >= before + 4, "{}", refused_view_messages());
    }
}
