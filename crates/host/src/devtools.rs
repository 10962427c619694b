//! The developer tools beside the phone: what the panels read and change, over plain HTTP
//! (`/capsule-dev/…`), polled by the simulator page.
//!
//! - console: the app's logs and errors (level, text, source `file:line`, stack), and an
//!   evaluation in the shown page (the page enables it with an explicit switch);
//! - data: every page of the stack with its `this.data`; an edit is a `setData`;
//! - storage: keys, values and sizes with the quota used; set and remove;
//! - network: each call with method, URL, status, time, size and the allow-list decision;
//! - permissions: every capability decision; grant, deny or forget a scope;
//! - resources: heap, CPU, `setData` rate and sizes and node count, with the platform's audit
//!   limits (`setData` ≤ 256 KB, ≤ 20 per second, < 1,000 nodes) and the breaches seen;
//! - theme: light or dark (`onThemeChange`).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query as UrlQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use capsule_runtime::{Input, Output, Query};
use capsule_view_web::protocol::ToView;
use serde_json::{Value, json};

use crate::Shared;

/// Console lines kept for the panel.
const CONSOLE_SIZE: usize = 1000;

/// The platform's audit limits.
const MAX_SET_DATA_BYTES: u64 = 256 * 1024;
const MAX_SET_DATA_PER_SECOND: u64 = 20;
const MAX_NODES: u64 = 1000;

#[derive(Default)]
pub(crate) struct DevState {
    next: u64,
    console: VecDeque<Value>,
    breaches: Vec<String>,
    /// When each batch of patches of the last second went to the views.
    patches: VecDeque<std::time::Instant>,
    /// Who waits for the instance's answer to a query, in the order the queries went.
    pub(crate) answers: VecDeque<tokio::sync::oneshot::Sender<Value>>,
}

impl DevState {
    /// Counts a batch of patches (for patches per second).
    pub(crate) fn patched(&mut self) {
        let now = std::time::Instant::now();
        self.patches.push_back(now);
        while self.patches.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1)) {
            self.patches.pop_front();
        }
    }
    /// Keeps a console line (a log, an error, a termination) for the panel.
    pub(crate) fn record(&mut self, output: &Output) {
        let entry = match output {
            Output::Log { level, text, source } => json!({"level": level, "text": text, "source": source}),
            Output::Error { message, stack } => json!({"level": "error", "text": message, "stack": stack}),
            Output::Terminated { reason } => {
                json!({"level": "error", "text": format!("terminated: {reason}")})
            }
            _ => return,
        };
        self.next += 1;
        let mut entry = entry;
        entry["seq"] = json!(self.next);
        self.console.push_back(entry);
        while self.console.len() > CONSOLE_SIZE {
            self.console.pop_front();
        }
    }
}

pub(crate) fn routes() -> axum::Router<Arc<Shared>> {
    axum::Router::new()
        .route("/capsule-dev/console", get(console))
        .route("/capsule-dev/eval", post(evaluate))
        .route("/capsule-dev/data", get(data).post(set_data))
        .route("/capsule-dev/storage", get(storage).post(change_storage))
        .route("/capsule-dev/network", get(network))
        .route("/capsule-dev/permissions", get(permissions).post(set_permission))
        .route("/capsule-dev/resources", get(resources))
        .route("/capsule-dev/theme", post(theme))
        .route("/capsule-dev/device", get(devices).post(switch_device))
}

fn dev(shared: &Shared) -> std::sync::MutexGuard<'_, DevState> {
    shared.dev.lock().unwrap_or_else(|p| p.into_inner())
}

/// Asks the instance; its answer comes through the output pump.
async fn ask(shared: &Shared, query: Query) -> Value {
    let (tx, rx) = tokio::sync::oneshot::channel();
    dev(shared).answers.push_back(tx);
    shared.send_input(Input::Query { query });
    tokio::time::timeout(Duration::from_secs(10), rx).await.ok().and_then(Result::ok).unwrap_or(Value::Null)
}

fn since(q: &std::collections::HashMap<String, String>) -> u64 {
    q.get("since").and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn body(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}

fn not_json() -> Response {
    (StatusCode::BAD_REQUEST, "the body is not JSON").into_response()
}

async fn console(
    State(shared): State<Arc<Shared>>,
    UrlQuery(q): UrlQuery<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    let from = since(&q);
    let lines: Vec<Value> =
        dev(&shared).console.iter().filter(|e| e["seq"].as_u64().unwrap_or(0) > from).cloned().collect();
    Json(json!({"lines": lines}))
}

async fn evaluate(State(shared): State<Arc<Shared>>, bytes: axum::body::Bytes) -> Response {
    let Some(v) = body(&bytes) else { return not_json() };
    let Some(expression) = v["expression"].as_str() else {
        return (StatusCode::BAD_REQUEST, "expression must be text").into_response();
    };
    let Some(page) = shared.stack.lock().unwrap_or_else(|p| p.into_inner()).last().copied() else {
        return Json(json!({"error": "no page is shown"})).into_response();
    };
    Json(ask(&shared, Query::Evaluate { page, expression: expression.to_string() }).await).into_response()
}

async fn data(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(ask(&shared, Query::StackData).await)
}

async fn set_data(State(shared): State<Arc<Shared>>, bytes: axum::body::Bytes) -> Response {
    let Some(v) = body(&bytes) else { return not_json() };
    let (Some(page), Some(path)) = (v["page"].as_u64(), v["path"].as_str()) else {
        return (StatusCode::BAD_REQUEST, "page and path are needed").into_response();
    };
    let input = Input::SetData { page: page as u32, path: path.to_string(), value: v["value"].clone() };
    shared.send_input(input);
    StatusCode::NO_CONTENT.into_response()
}

async fn storage(State(shared): State<Arc<Shared>>) -> Response {
    let Some(api) = shared.api() else { return Json(json!({"keys": []})).into_response() };
    let listed = tokio::task::spawn_blocking(move || {
        let info = api.call_sync("getStorageInfo", json!({}));
        let keys: Vec<String> = info["keys"]
            .as_array()
            .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let entries: Vec<Value> = keys
            .iter()
            .take(500)
            .map(|k| {
                let got = api.call_sync("getStorage", json!({"key": k}));
                let size = got["data"].to_string().len();
                json!({"key": k, "value": got["data"], "size": size})
            })
            .collect();
        json!({"keys": entries, "currentSize": info["currentSize"], "limitSize": info["limitSize"]})
    })
    .await
    .unwrap_or(Value::Null);
    Json(listed).into_response()
}

async fn change_storage(State(shared): State<Arc<Shared>>, bytes: axum::body::Bytes) -> Response {
    let Some(v) = body(&bytes) else { return not_json() };
    let Some(api) = shared.api() else { return (StatusCode::NOT_FOUND, "no storage").into_response() };
    let Some(key) = v["key"].as_str().map(str::to_string) else {
        return (StatusCode::BAD_REQUEST, "key must be text").into_response();
    };
    let (name, args) = match v["op"].as_str() {
        Some("set") => ("setStorage", json!({"key": key, "data": v["value"]})),
        Some("remove") => ("removeStorage", json!({"key": key})),
        _ => return (StatusCode::BAD_REQUEST, "op is set or remove").into_response(),
    };
    let result = tokio::task::spawn_blocking(move || api.call_sync(name, args)).await.unwrap_or(Value::Null);
    Json(result).into_response()
}

async fn network(
    State(shared): State<Arc<Shared>>,
    UrlQuery(q): UrlQuery<std::collections::HashMap<String, String>>,
) -> Json<Value> {
    let calls = shared.api().as_ref().map(|a| a.network_log(since(&q))).unwrap_or_default();
    Json(json!({"calls": calls}))
}

async fn permissions(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let Some(api) = &shared.api() else { return Json(json!({"decisions": [], "setting": {}})) };
    let (audit, setting) = api.permissions();
    let decisions: Vec<Value> = audit
        .iter()
        .map(|d| json!({"api": d.api, "scope": d.scope, "granted": d.granted, "reason": d.reason, "time": d.time}))
        .collect();
    Json(json!({"decisions": decisions, "setting": setting["authSetting"]}))
}

async fn set_permission(State(shared): State<Arc<Shared>>, bytes: axum::body::Bytes) -> Response {
    let Some(v) = body(&bytes) else { return not_json() };
    let (Some(api), Some(scope)) = (&shared.api(), v["scope"].as_str()) else {
        return (StatusCode::BAD_REQUEST, "scope must be text").into_response();
    };
    api.set_grant(scope, v["granted"].as_bool());
    StatusCode::NO_CONTENT.into_response()
}

async fn resources(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let mut m = ask(&shared, Query::Metrics).await;
    let mut found = Vec::new();
    let n = |k: &str| m[k].as_u64().unwrap_or(0);
    if n("setDataMaxBytes") > MAX_SET_DATA_BYTES {
        found.push(format!("setData of {} bytes (the limit is {MAX_SET_DATA_BYTES})", n("setDataMaxBytes")));
    }
    if n("setDataPerSecond") > MAX_SET_DATA_PER_SECOND {
        found.push(format!(
            "{} setData calls in a second (the limit is {MAX_SET_DATA_PER_SECOND})",
            n("setDataPerSecond")
        ));
    }
    if n("nodes") >= MAX_NODES {
        found.push(format!("{} nodes on the page (the limit is {MAX_NODES})", n("nodes")));
    }
    let breaches = {
        let mut d = dev(&shared);
        for f in found {
            if !d.breaches.contains(&f) {
                d.breaches.push(f);
            }
        }
        d.breaches.clone()
    };
    {
        let mut d = dev(&shared);
        let now = std::time::Instant::now();
        while d.patches.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1)) {
            d.patches.pop_front();
        }
        m["patchesPerSecond"] = json!(d.patches.len());
    }
    m["limits"] = json!({"setDataBytes": MAX_SET_DATA_BYTES, "setDataPerSecond": MAX_SET_DATA_PER_SECOND, "nodes": MAX_NODES});
    m["breaches"] = json!(breaches);
    Json(m)
}

async fn theme(State(shared): State<Arc<Shared>>, bytes: axum::body::Bytes) -> Response {
    let Some(v) = body(&bytes) else { return not_json() };
    match v["theme"].as_str() {
        Some(t) if let Some(mode) = capsule_package::theme::ThemeMode::parse(t) => {
            shared.switch_theme(mode);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => (StatusCode::BAD_REQUEST, "theme is light or dark").into_response(),
    }
}

async fn devices(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let current = shared.device.lock().unwrap_or_else(|p| p.into_inner()).name;
    let names: Vec<&str> = crate::DEVICES.iter().map(|d| d.name).collect();
    Json(json!({"current": current, "devices": names}))
}

/// Switches the device profile: the frame, what the system-info APIs report, and the app,
/// which relaunches on the same page (as the platform's tools do).
async fn switch_device(State(shared): State<Arc<Shared>>, bytes: axum::body::Bytes) -> Response {
    let Some(v) = body(&bytes) else { return not_json() };
    let Some(device) = v["name"].as_str().and_then(crate::device) else {
        return (StatusCode::BAD_REQUEST, "no such device").into_response();
    };
    *shared.device.lock().unwrap_or_else(|p| p.into_inner()) = device;
    if let Some(state) = shared.api().as_ref().and_then(|a| a.device_state()) {
        state.set_profile(crate::bridge_device(&device));
    }
    crate::view_messages::send_view(
        &shared,
        ToView::DeviceProfile {
            width: device.width,
            height: device.height,
            status_bar: device.status_bar,
            safe_bottom: device.safe_bottom,
        },
    );
    // The same app again: nothing is read or compiled anew.
    let Some(running) = shared.running() else { return StatusCode::NO_CONTENT.into_response() };
    match crate::reload(&shared, running.app.clone()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot restart the app: {e}")).into_response(),
    }
}
