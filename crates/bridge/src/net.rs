//! The network APIs: `wx.request`, `wx.downloadFile`, `wx.uploadFile` and `wx.connectSocket`
//! with their tasks, through the host's own HTTP and WebSocket clients on a runtime of their
//! own (never a logic thread, never the bridge's thread while a request waits).
//!
//! Every URL, and every redirect, must be on an origin the host allows (`origin::check`).
//! An app has at most [`NetLimits::per_app`] requests in flight (more wait their turn) and
//! [`NetLimits::sockets_per_app`] sockets; a response may not exceed
//! [`NetLimits::max_response`]; each call has its timeout (its own `timeout`, else the app's
//! `networkTimeout`). Errors are worded as the platform words them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::files::{AppFiles, bytes_of, bytes_value};
use crate::{Api, Bridge, Call, Events, Reply, Type, optional, origin, required};

/// The network limits of each app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetLimits {
    /// Requests (request, download, upload) in flight at once; more are queued.
    pub per_app: usize,
    /// Open sockets at once, as on the platform.
    pub sockets_per_app: usize,
    /// Bytes of one response body kept in memory (`wx.request`, `wx.uploadFile`).
    pub max_response: usize,
    /// Calls an app may have waiting or in flight at once; past it a call fails.
    pub max_tasks: usize,
    /// Bytes of a file `wx.uploadFile` may send.
    pub max_upload: u64,
    /// Bytes of one WebSocket message either way.
    pub max_socket_message: usize,
}

impl Default for NetLimits {
    fn default() -> NetLimits {
        NetLimits {
            per_app: 10,
            sockets_per_app: 5,
            max_response: 10 * 1024 * 1024,
            max_tasks: 100,
            max_upload: 100 * 1024 * 1024,
            max_socket_message: 16 * 1024 * 1024,
        }
    }
}

const METHODS: &[&str] = &["OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT"];

enum Task {
    /// A request, download or upload: sending on it aborts it.
    Abort(oneshot::Sender<()>),
    Socket {
        commands: mpsc::Sender<SocketCommand>,
        open: Arc<AtomicBool>,
    },
}

/// Socket messages the app may have queued for sending.
const SOCKET_QUEUE: usize = 64;

enum SocketCommand {
    Send(Message),
    Close(u16, String),
}

type Tasks = Arc<Mutex<HashMap<(String, u64), Task>>>;

/// The network side of a bridge, started on first use.
pub(crate) struct Net {
    runtime: tokio::runtime::Runtime,
    /// One client per kind of call: a redirect must stay on the kind's own origins.
    clients: HashMap<&'static str, reqwest::Client>,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Calls waiting or in flight, per app.
    queued: Arc<Mutex<HashMap<String, usize>>>,
    /// Each app's downloads run one at a time (see [`download`]).
    downloading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    tasks: Tasks,
    limits: NetLimits,
}

impl Net {
    pub(crate) fn start(options: &crate::Options) -> Result<Net, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("capsule-net")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the network runtime: {e}"))?;
        let mut clients = HashMap::new();
        for kind in ["request", "downloadFile", "uploadFile"] {
            // A redirect is a new request: it must be allowed for the same kind of call.
            let checked = options.clone();
            let redirects = reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 10 {
                    attempt.error("too many redirects")
                } else if origin::check_kind(attempt.url().as_str(), kind, &checked).is_err() {
                    attempt.error("redirect to a url not in domain list")
                } else {
                    attempt.follow()
                }
            });
            let client = reqwest::Client::builder()
                .redirect(redirects)
                .no_proxy()
                .build()
                .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
            clients.insert(kind, client);
        }
        Ok(Net {
            runtime,
            clients,
            queued: Arc::new(Mutex::new(HashMap::new())),
            downloading: Mutex::new(HashMap::new()),
            slots: Mutex::new(HashMap::new()),
            tasks: Arc::new(Mutex::new(HashMap::new())),
            limits: options.net.clone(),
        })
    }

    fn slot(&self, app: &str) -> Arc<Semaphore> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(app.to_string()).or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_app))).clone()
    }

    /// The lock an app's downloads take turns with.
    fn download_turn(&self, app: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.downloading.lock().unwrap_or_else(|p| p.into_inner());
        turns.entry(app.to_string()).or_default().clone()
    }

    fn client(&self, kind: &str) -> &reqwest::Client {
        &self.clients[kind]
    }

    fn sockets_of(&self, app: &str) -> usize {
        let tasks = self.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.iter().filter(|((a, _), t)| a == app && matches!(t, Task::Socket { .. })).count()
    }
}

fn lock(tasks: &Tasks) -> std::sync::MutexGuard<'_, HashMap<(String, u64), Task>> {
    tasks.lock().unwrap_or_else(|p| p.into_inner())
}

/// Headers the host sets: an app's own would let it name another site (`Host`) or confuse
/// the connection.
const HOST_HEADERS: &[&str] = &[
    "referer",
    "host",
    "connection",
    "upgrade",
    "te",
    "transfer-encoding",
    "content-length",
    "keep-alive",
    "proxy-authorization",
    "proxy-connection",
    "proxy-authenticate",
    "trailer",
];

/// The headers a call asks for, without those the host sets.
fn headers_of(c: &Call<'_>) -> Vec<(String, String)> {
    let Some(Value::Object(h)) = c.args.get("header") else { return Vec::new() };
    h.iter()
        .filter(|(k, _)| {
            !HOST_HEADERS.contains(&k.to_ascii_lowercase().as_str())
                && !k.to_ascii_lowercase().starts_with("proxy-")
        })
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect()
}

fn timeout_of(c: &Call<'_>, default_ms: u64) -> Duration {
    let ms =
        c.args.get("timeout").and_then(Value::as_f64).filter(|t| *t > 0.0).map_or(default_ms, |t| t as u64);
    Duration::from_millis(ms.max(1))
}

/// `a=1&b=x%20y` from an object, values as text (objects as JSON), as the platform encodes
/// a GET request's data.
fn form_encode(map: &Map<String, Value>) -> String {
    map.iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                crate::origin::percent_encode(k),
                crate::origin::percent_encode(&v.as_str().map_or_else(|| v.to_string(), str::to_string))
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn header_json(headers: &reqwest::header::HeaderMap) -> (Value, Vec<String>) {
    let mut out = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == reqwest::header::SET_COOKIE {
            cookies.push(value.clone());
        }
        match out.get_mut(name.as_str()) {
            Some(Value::String(s)) => {
                s.push_str(", ");
                s.push_str(&value);
            }
            _ => {
                out.insert(name.as_str().to_string(), Value::String(value));
            }
        }
    }
    (Value::Object(out), cookies)
}

fn send_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timeout".into();
    }
    if e.is_redirect() {
        return "redirect to a url not in domain list".into();
    }
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    if e.is_connect() { format!("net::ERR_CONNECTION_FAILED ({cause})") } else { format!("{cause}") }
}

/// Reads a body up to `max` bytes, sending `progress` events when `events` is given.
async fn read_body(
    mut response: reqwest::Response,
    max: usize,
    mut sink: impl FnMut(&[u8]) -> Result<(), String>,
    progress: Option<&Events>,
    traffic: &crate::Traffic,
) -> Result<(), String> {
    let total = response.content_length();
    if total.is_some_and(|t| t as usize > max) {
        return Err(format!("response too large: over {max} bytes"));
    }
    let mut read = 0usize;
    let mut last_percent = None;
    while let Some(chunk) = response.chunk().await.map_err(|e| send_error(&e))? {
        read += chunk.len();
        traffic.received(chunk.len());
        if read > max {
            return Err(format!("response too large: over {max} bytes"));
        }
        sink(&chunk)?;
        if let Some(events) = progress {
            let percent = total.map_or(0, |t| (read as u64 * 100).checked_div(t).unwrap_or(100).min(100));
            if last_percent != Some(percent) {
                last_percent = Some(percent);
                events(
                    "progress",
                    json!({"progress": percent, "totalBytesWritten": read, "totalBytesExpectedToWrite": total.unwrap_or(0)}),
                );
            }
        }
    }
    Ok(())
}

/// Runs `work` on the network runtime in one of the app's slots, under `timeout`, unless the
/// task is aborted first; then answers.
fn spawn_task<F>(c: &Call<'_>, reply: Reply, timeout: Duration, entry: Value, work: F)
where
    F: std::future::Future<Output = Result<Value, String>> + Send + 'static,
{
    let net = match c.bridge.net() {
        Ok(n) => n,
        Err(e) => return reply.fail(&e),
    };
    let app = c.app.id.clone();
    {
        let mut queued = net.queued.lock().unwrap_or_else(|p| p.into_inner());
        let n = queued.entry(app.clone()).or_default();
        if *n >= net.limits.max_tasks {
            return reply.fail("exceed max task count");
        }
        *n += 1;
    }
    let task_id = c.args.get("taskId").and_then(Value::as_u64);
    let (abort_tx, abort_rx) = oneshot::channel::<()>();
    if let Some(id) = task_id {
        lock(&net.tasks).insert((app.clone(), id), Task::Abort(abort_tx));
    }
    let counts = net.queued.clone();
    let slot = net.slot(&app);
    let tasks = net.tasks.clone();
    let log = c.bridge.net_log.clone();
    let started = std::time::Instant::now();
    net.runtime.spawn(async move {
        let run = async {
            let _permit =
                slot.acquire_owned().await.map_err(|_| "the network is shutting down".to_string())?;
            tokio::time::timeout(timeout, work).await.unwrap_or_else(|_| Err("timeout".into()))
        };
        // Only a sent abort ends the call; a sender dropped unused (no task id) does not.
        let result = tokio::select! {
            r = run => r,
            Ok(()) = abort_rx => Err("abort".into()),
        };
        if let Some(id) = task_id {
            let mut tasks = lock(&tasks);
            if matches!(tasks.get(&(app.clone(), id)), Some(Task::Abort(tx)) if tx.is_closed()) {
                tasks.remove(&(app.clone(), id));
            }
        }
        if let Some(n) = counts.lock().unwrap_or_else(|p| p.into_inner()).get_mut(&app) {
            *n = n.saturating_sub(1);
        }
        let mut entry = entry;
        entry["allowed"] = json!(true);
        entry["ms"] = json!(started.elapsed().as_millis() as u64);
        match &result {
            Ok(v) => {
                entry["status"] = v["statusCode"].clone();
                entry["bytes"] = json!(v["data"].as_str().map(str::len));
            }
            Err(e) => entry["error"] = json!(e),
        }
        log.lock().unwrap_or_else(|p| p.into_inner()).push(&app, entry);
        reply.finish(result);
    });
}

/// Whether `url` may be reached by `api` (a call of `kind`); a refusal is recorded for the
/// developer tools' network panel.
fn allowed(c: &Call<'_>, kind: &str, api: &str, method: &str, url: &str) -> Result<(), String> {
    origin::check_kind(url, kind, &c.bridge.options).inspect_err(|reason| {
        let entry = json!({"api": api, "method": method, "url": url, "allowed": false, "error": reason});
        c.bridge.net_log.lock().unwrap_or_else(|p| p.into_inner()).push(&c.app.id, entry);
    })
}

fn request(c: &Call<'_>, reply: Reply) {
    let url = c.str("url").to_string();
    let method = c.args.get("method").and_then(Value::as_str).unwrap_or("GET").to_ascii_uppercase();
    if let Err(e) = allowed(c, "request", "request", &method, &url) {
        return reply.fail(&e);
    }
    if !METHODS.contains(&method.as_str()) {
        return reply.fail(&format!("invalid method \"{method}\""));
    }
    let headers = headers_of(c);
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase());
    let data = c.args.get("data").cloned().unwrap_or(Value::Null);
    let data_type = c.args.get("dataType").and_then(Value::as_str).unwrap_or("json").to_string();
    let binary = c.args.get("responseType").and_then(Value::as_str) == Some("arraybuffer");
    let timeout = timeout_of(c, c.app.network_timeout.request);
    let net = match c.bridge.net() {
        Ok(n) => n,
        Err(e) => return reply.fail(&e),
    };
    let max = net.limits.max_response;
    // The data: in the query for GET and HEAD; otherwise the body, JSON unless the app asks
    // for a form, as the platform sends it.
    let query_method = method == "GET" || method == "HEAD";
    let joiner = if url.contains('?') { "&" } else { "?" };
    let full_url = match (&data, query_method) {
        (Value::String(s), true) if !s.is_empty() => format!("{url}{joiner}{s}"),
        (Value::Object(m), true) if !m.is_empty() => format!("{url}{joiner}{}", form_encode(m)),
        _ => url.clone(),
    };
    let entry = json!({"api": "request", "method": method.as_str(), "url": url});
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut builder = net.client("request").request(method, full_url).headers(builder_headers(&headers));
    let traffic = c.bridge.traffic(&c.app.id);
    if !query_method {
        let body: Option<Vec<u8>> = match (&data, bytes_of(&data)) {
            (_, Some(bytes)) => Some(bytes),
            (Value::Null, _) => None,
            (Value::String(s), _) => Some(s.clone().into_bytes()),
            (Value::Object(m), _)
                if content_type.as_deref().is_some_and(|t| t.contains("x-www-form-urlencoded")) =>
            {
                Some(form_encode(m).into_bytes())
            }
            (other, _) => {
                if content_type.is_none() {
                    builder = builder.header("content-type", "application/json");
                }
                Some(other.to_string().into_bytes())
            }
        };
        if let Some(body) = body {
            traffic.sent(body.len());
            builder = builder.body(body);
        }
    }
    let events = reply.events();
    spawn_task(c, reply, timeout, entry, async move {
        let response = builder.send().await.map_err(|e| send_error(&e))?;
        let (status, header, cookies, body) = answer(response, max, &events, &traffic).await?;
        let data = if binary {
            bytes_value(&body)
        } else {
            let text = String::from_utf8_lossy(&body).into_owned();
            if data_type == "json" {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            } else {
                Value::String(text)
            }
        };
        Ok(json!({"data": data, "statusCode": status, "header": header, "cookies": cookies}))
    });
}

/// A response's status, headers (announced to the task as `headersReceived`), cookies and
/// body (at most `max` bytes).
async fn answer(
    response: reqwest::Response,
    max: usize,
    events: &Events,
    traffic: &crate::Traffic,
) -> Result<(u16, Value, Vec<String>, Vec<u8>), String> {
    let status = response.status().as_u16();
    let (header, cookies) = header_json(response.headers());
    events("headersReceived", json!({"header": header, "statusCode": status, "cookies": cookies}));
    let mut body = Vec::new();
    read_body(
        response,
        max,
        |chunk| {
            body.extend_from_slice(chunk);
            Ok(())
        },
        None,
        traffic,
    )
    .await?;
    Ok((status, header, cookies, body))
}

fn builder_headers(headers: &[(String, String)]) -> reqwest::header::HeaderMap {
    let mut map = reqwest::header::HeaderMap::new();
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) =
            (reqwest::header::HeaderName::from_bytes(k.as_bytes()), reqwest::header::HeaderValue::from_str(v))
        {
            map.append(name, value);
        }
    }
    map
}

fn download(c: &Call<'_>, reply: Reply) {
    let url = c.str("url").to_string();
    if let Err(e) = allowed(c, "downloadFile", "downloadFile", "GET", &url) {
        return reply.fail(&e);
    }
    let files = AppFiles::of(c.bridge, c.app);
    // The body goes to a new temporary file (named with the URL's extension), kept only
    // when the download finishes; with `filePath` it then replaces that file.
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let ext = path.rsplit('/').next().and_then(|n| n.rsplit_once('.')).map_or("", |(_, e)| e);
    let (temp_path, temp) = match files.temp_path(ext) {
        Ok(t) => t,
        Err(e) => return reply.fail(&e),
    };
    let target = match c.args.get("filePath").and_then(Value::as_str) {
        Some(p) => match files.resolve(p, "open") {
            Ok(real) => Some((p.to_string(), real)),
            Err(e) => return reply.fail(&e),
        },
        None => None,
    };
    let headers = builder_headers(&headers_of(c));
    let timeout = timeout_of(c, c.app.network_timeout.download_file);
    let net = match c.bridge.net() {
        Ok(n) => n,
        Err(e) => return reply.fail(&e),
    };
    let request = net.client("downloadFile").get(url.as_str()).headers(headers);
    // One download per app at a time: each measures the room left in the quota when it
    // starts, which another running download would make wrong.
    let turn = net.download_turn(&c.app.id);
    let events = reply.events();
    let traffic = c.bridge.traffic(&c.app.id);
    let entry = json!({"api": "downloadFile", "method": "GET", "url": url});
    spawn_task(c, reply, timeout, entry, async move {
        let _turn = turn.lock().await;
        let partial = Partial(temp.clone());
        let response = request.send().await.map_err(|e| send_error(&e))?;
        let status = response.status().as_u16();
        let (header, cookies) = header_json(response.headers());
        events("headersReceived", json!({"header": header, "statusCode": status, "cookies": cookies}));
        let replaced =
            target.as_ref().and_then(|(_, real)| std::fs::metadata(real).ok()).map_or(0, |m| m.len());
        let room = files.quota_left(files.usage().saturating_sub(replaced)) as usize;
        let mut out = std::fs::File::create(&temp).map_err(|e| format!("cannot write {temp_path}: {e}"))?;
        read_body(
            response,
            room,
            |chunk| {
                std::io::Write::write_all(&mut out, chunk)
                    .map_err(|e| format!("cannot write {temp_path}: {e}"))
            },
            Some(&events),
            &traffic,
        )
        .await
        .map_err(|e| {
            if e.starts_with("response too large") {
                "the maximum size of the file storage limit is exceeded".into()
            } else {
                e
            }
        })?;
        drop(out);
        let done = match target {
            Some((shown, real)) => {
                std::fs::rename(&temp, &real).map_err(|e| format!("cannot write {shown}: {e}"))?;
                json!({"filePath": shown, "statusCode": status})
            }
            None => json!({"tempFilePath": temp_path, "statusCode": status}),
        };
        partial.keep();
        Ok(done)
    });
}

/// A file being downloaded: removed unless the download finished (an abort or a timeout
/// drops the work that holds it).
struct Partial(std::path::PathBuf);

impl Partial {
    fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn upload(c: &Call<'_>, reply: Reply) {
    let url = c.str("url").to_string();
    if let Err(e) = allowed(c, "uploadFile", "uploadFile", "POST", &url) {
        return reply.fail(&e);
    }
    let path = c.str("filePath").to_string();
    let real = match AppFiles::of(c.bridge, c.app).resolve(&path, "open") {
        Ok(r) => r,
        Err(e) => return reply.fail(&e),
    };
    let file_name = path.rsplit('/').next().unwrap_or("file").trim_start_matches("tmp_").to_string();
    let mut fields = Vec::new();
    if let Some(Value::Object(data)) = c.args.get("formData") {
        for (k, v) in data {
            fields.push((k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)));
        }
    }
    let name = c.str("name").to_string();
    let timeout = timeout_of(c, c.app.network_timeout.upload_file);
    let net = match c.bridge.net() {
        Ok(n) => n,
        Err(e) => return reply.fail(&e),
    };
    let (max, max_upload) = (net.limits.max_response, net.limits.max_upload);
    let request = net.client("uploadFile").post(url.as_str()).headers(builder_headers(&headers_of(c)));
    let events = reply.events();
    let traffic = c.bridge.traffic(&c.app.id);
    let entry = json!({"api": "uploadFile", "method": "POST", "url": url});
    spawn_task(c, reply, timeout, entry, async move {
        // Read once the call has its turn, off the bridge's thread.
        let size = tokio::fs::metadata(&real).await.map_err(|_| format!("file not found: {path}"))?.len();
        if size > max_upload {
            return Err(format!("the file is too large to upload: over {max_upload} bytes"));
        }
        let bytes = tokio::fs::read(&real).await.map_err(|_| format!("file not found: {path}"))?;
        traffic.sent(bytes.len());
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        form = form.part(name, reqwest::multipart::Part::bytes(bytes).file_name(file_name));
        let response = request.multipart(form).send().await.map_err(|e| send_error(&e))?;
        events(
            "progress",
            json!({"progress": 100, "totalBytesSent": size, "totalBytesExpectedToSend": size}),
        );
        let (status, _, _, body) = answer(response, max, &events, &traffic).await?;
        Ok(json!({"data": String::from_utf8_lossy(&body), "statusCode": status}))
    });
}

fn connect_socket(c: &Call<'_>, reply: Reply) {
    let url = c.str("url").to_string();
    if !(url.starts_with("wss://") || url.starts_with("ws://")) {
        return reply.fail(&format!("invalid url \"{url}\""));
    }
    if let Err(e) = allowed(c, "socket", "connectSocket", "GET", &url) {
        return reply.fail(&e);
    }
    c.bridge
        .net_log
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(&c.app.id, json!({"api": "connectSocket", "method": "GET", "url": url, "allowed": true}));
    let Some(task_id) = c.args.get("taskId").and_then(Value::as_u64) else {
        return reply.fail("parameter error: parameter.taskId should be Number instead of Undefined");
    };
    let net = match c.bridge.net() {
        Ok(n) => n,
        Err(e) => return reply.fail(&e),
    };
    if net.sockets_of(&c.app.id) >= net.limits.sockets_per_app {
        return reply.fail("exceed max task count");
    }
    // The socket goes where the checker looked: the URL as its parser read it (the WebSocket
    // client's own parser is never asked to read what the app wrote).
    let Some(checked) = crate::origin::parse(&url) else {
        return reply.fail(&format!("invalid url \"{url}\""));
    };
    let mut request = match checked.as_str().into_client_request() {
        Ok(r) => r,
        Err(e) => return reply.fail(&format!("invalid url \"{url}\": {e}")),
    };
    for (k, v) in builder_headers(&headers_of(c)) {
        if let Some(k) = k {
            request.headers_mut().append(k, v);
        }
    }
    if let Some(Value::Array(protocols)) = c.args.get("protocols") {
        let list: Vec<&str> = protocols.iter().filter_map(Value::as_str).collect();
        if let Ok(v) = reqwest::header::HeaderValue::from_str(&list.join(", "))
            && !list.is_empty()
        {
            request.headers_mut().insert("sec-websocket-protocol", v);
        }
    }
    let timeout = timeout_of(c, c.app.network_timeout.connect_socket);
    let (commands, mut incoming) = mpsc::channel(SOCKET_QUEUE);
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(net.limits.max_socket_message))
        .max_frame_size(Some(net.limits.max_socket_message));
    let open = Arc::new(AtomicBool::new(false));
    let app = c.app.id.clone();
    lock(&net.tasks).insert((app.clone(), task_id), Task::Socket { commands, open: open.clone() });
    let tasks = net.tasks.clone();
    let events = reply.events();
    // The call succeeds once the connection is under way; the socket reports the rest.
    reply.ok(json!({}));
    net.runtime.spawn(async move {
        // Not open any more before the app hears it closed: what it sends then fails.
        let closed = |events: &Events, code: u16, reason: &str| {
            open.store(false, Ordering::SeqCst);
            events("close", json!({"code": code, "reason": reason}))
        };
        let connected = tokio::time::timeout(timeout, tokio_tungstenite::connect_async_with_config(request, Some(config), false)).await;
        let (ws, response) = match connected {
            Ok(Ok(pair)) => pair,
            Ok(Err(e)) => {
                events("error", json!({"errMsg": format!("{e}")}));
                closed(&events, 1006, "connection failed");
                lock(&tasks).remove(&(app, task_id));
                return;
            }
            Err(_) => {
                events("error", json!({"errMsg": "timeout"}));
                closed(&events, 1006, "timeout");
                lock(&tasks).remove(&(app, task_id));
                return;
            }
        };
        let mut header = Map::new();
        for (k, v) in response.headers() {
            header.insert(k.as_str().to_string(), json!(String::from_utf8_lossy(v.as_bytes())));
        }
        open.store(true, Ordering::SeqCst);
        events("open", json!({"header": header}));
        let (mut sink, mut stream) = ws.split();
        // The close the app asked for, reported when the connection ends.
        let mut closing: Option<(u16, String)> = None;
        loop {
            tokio::select! {
                command = incoming.recv() => match command {
                    Some(SocketCommand::Send(m)) => {
                        if let Err(e) = sink.send(m).await {
                            events("error", json!({"errMsg": format!("{e}")}));
                        }
                    }
                    Some(SocketCommand::Close(code, reason)) => {
                        closing = Some((code, reason.clone()));
                        let frame = tokio_tungstenite::tungstenite::protocol::CloseFrame { code: code.into(), reason: reason.into() };
                        let _ = sink.send(Message::Close(Some(frame))).await;
                    }
                    None => break,
                },
                message = stream.next() => match message {
                    Some(Ok(Message::Text(t))) => events("message", json!({"data": t.as_str()})),
                    Some(Ok(Message::Binary(b))) => events("message", json!({"data": bytes_value(&b)})),
                    Some(Ok(Message::Close(frame))) => {
                        let (code, reason) = match (frame, closing.take()) {
                            (_, Some(asked)) => asked,
                            (Some(f), None) => (u16::from(f.code), f.reason.to_string()),
                            (None, None) => (1005, String::new()),
                        };
                        closed(&events, code, &reason);
                        break;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None if closing.is_some() => {
                        let (code, reason) = closing.take().unwrap_or_default();
                        closed(&events, code, &reason);
                        break;
                    }
                    Some(Err(e)) => {
                        events("error", json!({"errMsg": format!("{e}")}));
                        closed(&events, 1006, "abnormal closure");
                        break;
                    }
                    None => {
                        closed(&events, 1006, "abnormal closure");
                        break;
                    }
                },
            }
        }
        open.store(false, Ordering::SeqCst);
        lock(&tasks).remove(&(app, task_id));
    });
}

fn socket_of(c: &Call<'_>) -> Result<(mpsc::Sender<SocketCommand>, bool), String> {
    let net = c.bridge.net()?;
    let id = c.args.get("taskId").and_then(Value::as_u64).unwrap_or(0);
    match lock(&net.tasks).get(&(c.app.id.clone(), id)) {
        Some(Task::Socket { commands, open }) => Ok((commands.clone(), open.load(Ordering::SeqCst))),
        _ => Err("WebSocket is not connected".into()),
    }
}

pub(crate) fn apis() -> Vec<Api> {
    use Type::*;
    let common = || {
        vec![
            required("url", String),
            optional("header", Object),
            optional("timeout", Number),
            optional("taskId", Number),
        ]
    };
    let mut request_params = common();
    request_params.extend([
        optional("method", String),
        optional("dataType", String),
        optional("responseType", String),
    ]);
    let mut download_params = common();
    download_params.push(optional("filePath", String));
    let mut upload_params = common();
    upload_params.extend([
        required("filePath", String),
        required("name", String),
        optional("formData", Object),
    ]);
    let mut socket_params = common();
    socket_params.push(optional("protocols", Array));
    vec![
        Api::deferred("request", request_params, request),
        Api::deferred("downloadFile", download_params, download),
        Api::deferred("uploadFile", upload_params, upload),
        Api::deferred("connectSocket", socket_params, connect_socket),
        // What a task's methods call: abort a request, send on or close a socket.
        Api::new("task.abort", vec![required("taskId", Number)], |c| {
            let net = c.bridge.net()?;
            let id = c.args.get("taskId").and_then(Value::as_u64).unwrap_or(0);
            if let Some(Task::Abort(tx)) = lock(&net.tasks).remove(&(c.app.id.clone(), id)) {
                let _ = tx.send(());
            }
            Ok(json!({}))
        })
        .in_group("task"),
        Api::new("task.send", vec![required("taskId", Number)], |c| {
            let (commands, open) = socket_of(c)?;
            if !open {
                return Err("WebSocket is not connected".into());
            }
            let data = c.args.get("data").unwrap_or(&Value::Null);
            let message = match (bytes_of(data), data) {
                (Some(b), _) => Message::Binary(b.into()),
                (None, Value::String(s)) => Message::Text(s.clone().into()),
                (None, other) => {
                    return Err(format!(
                        "parameter error: parameter.data should be String or ArrayBuffer instead of {}",
                        Type::of(other)
                    ));
                }
            };
            commands.try_send(SocketCommand::Send(message)).map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => "too many messages are waiting to be sent".to_string(),
                mpsc::error::TrySendError::Closed(_) => "WebSocket is not connected".to_string(),
            })?;
            Ok(json!({}))
        })
        .in_group("task"),
        Api::new(
            "task.close",
            vec![required("taskId", Number), optional("code", Number), optional("reason", String)],
            |c| {
                let (commands, _) = socket_of(c)?;
                let code = c.args.get("code").and_then(Value::as_u64).unwrap_or(1000) as u16;
                if code != 1000 && !(3000..=4999).contains(&code) {
                    return Err(format!("invalid close code {code}: 1000, or 3000 to 4999"));
                }
                let reason = c.str("reason").to_string();
                commands
                    .try_send(SocketCommand::Close(code, reason))
                    .map_err(|_| "WebSocket is not connected".to_string())?;
                Ok(json!({}))
            },
        )
        .in_group("task"),
        Api::new("getNetworkType", vec![], |c| Ok(json!({"networkType": c.device().network_type}))),
    ]
}

impl Bridge {
    /// The network side, started on first use.
    pub(crate) fn net(&self) -> Result<&Net, String> {
        if let Some(n) = self.net.get() {
            return Ok(n);
        }
        let net = Net::start(&self.options)?;
        Ok(self.net.get_or_init(|| net))
    }
}
