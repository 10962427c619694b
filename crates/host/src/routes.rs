//! The simulator's HTTP routes, in one table ([`router`]): the page (with the device profile
//! and the run's secret), the embedded assets, the package's files and the app's own files
//! (byte ranges, sandboxed), the view socket, and — behind the run's secret — the person's
//! answers (prompts, settings, device sheets), the device's location and the developer
//! tools. Who may use any of them is `guard`'s to say.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::prompter::ViewPrompter;
use crate::view_messages::websocket;
use crate::{Shared, devtools, guard};

/// Every route, with the guards in front of them.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    // What drives the app or answers for the person needs the run's secret: the
    // developer tools, the person's answers to prompts, settings and device sheets (over
    // HTTP, not the view socket: a chosen image exceeds a socket message), the device's
    // position.
    let secret_routes = Router::new()
        .route("/capsule-location", get(location).post(set_location))
        .route(
            "/capsule-device/{seq}",
            post(device_answer).layer(axum::extract::DefaultBodyLimit::max(MAX_DEVICE_ANSWER)),
        )
        .route("/capsule-prompt/{seq}", post(prompt_answer))
        .route("/capsule-settings/{seq}", post(settings_answer))
        .route("/capsule-relaunch", post(relaunch))
        .merge(devtools::routes())
        .route_layer(axum::middleware::from_fn_with_state(shared.clone(), guard::secret));
    Router::new()
        .route("/", get(index))
        .route("/capsule/{*file}", get(capsule_asset))
        .route("/pkg/{*path}", get(package_file))
        .route("/capsule-files/{path}", get(app_file))
        .route("/ws", get(websocket))
        .route("/metrics", get(metrics))
        .merge(secret_routes)
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
        // Host and Origin, for every route, the fallback and the socket.
        .layer(axum::middleware::from_fn_with_state(shared.clone(), guard::doors))
        .with_state(shared)
}

async fn index(State(shared): State<Arc<Shared>>) -> Response {
    let Some(page) = capsule_view_web::asset("/") else { return StatusCode::NOT_FOUND.into_response() };
    let d = *shared.device.lock().unwrap_or_else(|p| p.into_inner());
    let html = String::from_utf8_lossy(page.bytes)
        .replace(
            ":root { --device-width: 375px; --device-height: 667px; --status-height: 20px; --safe-bottom: 0px; }",
            &format!(
                ":root {{ --device-width: {}px; --device-height: {}px; --status-height: {}px; --safe-bottom: {}px; }}",
                d.width, d.height, d.status_bar, d.safe_bottom
            ),
        )
        // The page's own tools send it back (another origin cannot read this page).
        .replace(
            r#"<meta name="capsule-secret" content="">"#,
            &format!(r#"<meta name="capsule-secret" content="{}">"#, shared.secret),
        );
    (
        [
            (header::CONTENT_TYPE, page.content_type),
            (header::CACHE_CONTROL, "no-store"),
            // Another page may not frame the simulator to have a person's clicks answer for it.
            (header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        html,
    )
        .into_response()
}

async fn capsule_asset(Path(file): Path<String>) -> Response {
    match capsule_view_web::asset(&format!("/capsule/{file}")) {
        Some(a) => ([(header::CONTENT_TYPE, a.content_type), (header::CACHE_CONTROL, "no-store")], a.bytes)
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

async fn package_file(
    State(shared): State<Arc<Shared>>,
    Path(path): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    // The package's own files only: a map lookup, so `..` or absolute paths reach nothing.
    let running = shared.running();
    guard::sandboxed(match running.as_ref().and_then(|r| r.package.files.get(&path)) {
        Some(bytes) => file_response(bytes, capsule_view_web::content_type(&path), &headers),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    })
}

/// A file's bytes, or the one range a `Range: bytes=a-b` header asks for (media elements
/// seek this way).
fn file_response(bytes: &[u8], content_type: &'static str, headers: &axum::http::HeaderMap) -> Response {
    let len = bytes.len();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes="))
        .filter(|v| !v.contains(','))
        .and_then(|v| v.split_once('-'))
        .and_then(|(a, b)| match (a.trim(), b.trim()) {
            ("", suffix) => {
                suffix.parse::<usize>().ok().map(|n| (len.saturating_sub(n), len.saturating_sub(1)))
            }
            (start, "") => start.parse::<usize>().ok().map(|s| (s, len.saturating_sub(1))),
            (start, end) => {
                Some((start.parse().ok()?, end.parse::<usize>().ok()?.min(len.saturating_sub(1))))
            }
        });
    match range {
        Some((start, end)) if start <= end && end < len => (
            StatusCode::PARTIAL_CONTENT,
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (header::ACCEPT_RANGES, "bytes".to_string()),
                (header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")),
            ],
            bytes[start..=end].to_vec(),
        )
            .into_response(),
        Some(_) => (StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{len}"))])
            .into_response(),
        None => ([(header::CONTENT_TYPE, content_type), (header::ACCEPT_RANGES, "bytes")], bytes.to_vec())
            .into_response(),
    }
}

/// The most a device answer may carry (the files a person chose).
pub const MAX_DEVICE_ANSWER: usize = 32 * 1024 * 1024;

/// One of the app's own files (`wxfile://…`, percent-encoded), through the bridge's checks.
async fn app_file(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(path): axum::extract::Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(api) = &shared.api() else {
        return guard::sandboxed((StatusCode::NOT_FOUND, "not found").into_response());
    };
    guard::sandboxed(match api.read_file(&path) {
        Ok(bytes) => {
            let name = path.rsplit('/').next().unwrap_or_default();
            file_response(&bytes, capsule_view_web::content_type(name), &headers)
        }
        Err(_) => (StatusCode::NOT_FOUND, "not found").into_response(),
    })
}

/// Where the simulated device is.
async fn location(State(shared): State<Arc<Shared>>) -> Response {
    match shared.api().as_ref().and_then(|a| a.device_state()) {
        Some(d) => {
            let s = d.sensors();
            axum::Json(json!({"latitude": s.latitude, "longitude": s.longitude})).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no device").into_response(),
    }
}

/// Moves the simulated device (what `wx.getLocation` reports next).
async fn set_location(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let Some(device) = shared.api().as_ref().and_then(|a| a.device_state()) else {
        return (StatusCode::NOT_FOUND, "no device").into_response();
    };
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (Some(lat), Some(lng)) = (v["latitude"].as_f64(), v["longitude"].as_f64()) else {
        return (StatusCode::BAD_REQUEST, "latitude and longitude must be numbers").into_response();
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
        return (StatusCode::BAD_REQUEST, "latitude is -90 to 90, longitude -180 to 180").into_response();
    }
    let mut s = device.sensors();
    s.latitude = lat;
    s.longitude = lng;
    device.set_sensors(s);
    StatusCode::NO_CONTENT.into_response()
}

/// A person's answer to something the view asked (`body` is JSON): `give` hands it to the
/// prompter, which says whether anybody was waiting for it (`Err`: the answer is malformed).
fn person_answer(
    shared: &Shared,
    body: &[u8],
    give: impl FnOnce(&ViewPrompter, Value) -> Result<bool, &'static str>,
) -> Response {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return (StatusCode::BAD_REQUEST, "the answer is not JSON").into_response();
    };
    let Some(prompter) = &shared.prompter else {
        return (StatusCode::NOT_FOUND, "nobody is waiting for that answer").into_response();
    };
    match give(prompter, answer) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "nobody is waiting for that answer").into_response(),
        Err(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
    }
}

/// What a device sheet gave (`null`: the person cancelled).
async fn device_answer(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(seq): axum::extract::Path<u32>,
    body: axum::body::Bytes,
) -> Response {
    person_answer(&shared, &body, |p, answer| Ok(p.device_answer(seq, (!answer.is_null()).then_some(answer))))
}

/// A person's answer to a permission prompt: `{"answer": "deny" | "once" | "always"}`.
async fn prompt_answer(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(seq): axum::extract::Path<u32>,
    body: axum::body::Bytes,
) -> Response {
    person_answer(&shared, &body, |p, v| {
        let answer = match v["answer"].as_str() {
            Some("always") => capsule_bridge::Answer::Always,
            Some("once") => capsule_bridge::Answer::Once,
            Some("deny") => capsule_bridge::Answer::Deny,
            _ => return Err("answer is deny, once or always"),
        };
        Ok(p.answer(seq, answer))
    })
}

/// What an operator scrapes: the host's instances and what they use (`Host::metrics_text`).
/// It changes nothing, so it needs no secret, only the origin checks every route has.
async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    let text = shared.host.metrics_text();
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text)
        .into_response()
}

/// The overlay's Relaunch: the app that ended runs again.
async fn relaunch(State(shared): State<Arc<Shared>>) -> Response {
    match crate::relaunch(&shared) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => (StatusCode::CONFLICT, e.to_string()).into_response(),
    }
}

/// A person's switches for `wx.openSetting`: `{"scopes": {"scope.x": true, …}}`.
async fn settings_answer(
    State(shared): State<Arc<Shared>>,
    axum::extract::Path(seq): axum::extract::Path<u32>,
    body: axum::body::Bytes,
) -> Response {
    person_answer(&shared, &body, |p, v| {
        let scopes = v["scopes"].as_object().ok_or("scopes must be an object")?;
        let scopes = scopes.iter().filter_map(|(k, v)| v.as_bool().map(|b| (k.clone(), b))).collect();
        Ok(p.settings_answer(seq, scopes))
    })
}

#[cfg(test)]
mod tests {
    use super::file_response;
    use axum::http::{HeaderMap, StatusCode, header};

    fn ranged(range: Option<&str>) -> (StatusCode, Option<String>) {
        let mut headers = HeaderMap::new();
        if let Some(r) = range {
            headers.insert(header::RANGE, r.parse().unwrap());
        }
        let r = file_response(b"0123456789", "text/plain", &headers);
        let content_range = r.headers().get(header::CONTENT_RANGE).map(|v| v.to_str().unwrap().to_string());
        (r.status(), content_range)
    }

    #[test]
    fn ranges_are_served_as_media_elements_ask() {
        assert_eq!(ranged(None), (StatusCode::OK, None));
        assert_eq!(ranged(Some("bytes=2-5")), (StatusCode::PARTIAL_CONTENT, Some("bytes 2-5/10".into())));
        assert_eq!(ranged(Some("bytes=7-")), (StatusCode::PARTIAL_CONTENT, Some("bytes 7-9/10".into())));
        assert_eq!(ranged(Some("bytes=-3")), (StatusCode::PARTIAL_CONTENT, Some("bytes 7-9/10".into())));
        assert_eq!(ranged(Some("bytes=4-100")), (StatusCode::PARTIAL_CONTENT, Some("bytes 4-9/10".into())));
        assert_eq!(
            ranged(Some("bytes=20-30")),
            (StatusCode::RANGE_NOT_SATISFIABLE, Some("bytes */10".into()))
        );
        // Several ranges at once, or nonsense: the whole file.
        assert_eq!(ranged(Some("bytes=0-1,4-5")).0, StatusCode::OK);
        assert_eq!(ranged(Some("items=1-2")).0, StatusCode::OK);
    }
}
