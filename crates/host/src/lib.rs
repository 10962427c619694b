//! `capsule-host` runs an instance for views: the server behind `capsule run`. It serves the
//! simulator page and the package's files (read-only, nothing outside the package), and
//! speaks the view protocol over a WebSocket: page snapshots and patches down, events and
//! answers up, every message validated and size-limited. It keeps a mirror of each page's
//! tree, so a view that connects late or reconnects starts from a snapshot.
//!
//! It owns: the HTTP routes and who may use them (`guard`: this server's own Host and Origin
//! only, and the run's secret for the routes that drive the app or answer for the person),
//! the view protocol, view-side APIs (toast, loading, modal, navigation bar, pull-down
//! refresh). It must not render templates (the instance does) or run package code (the
//! instance does, on its logic thread).

pub mod calls;
mod devtools;
pub mod embed;
mod fanout;
mod guard;
pub mod watch;

pub use embed::{App, EndCause, Host, HostConfig, HostError, HostEvent, LaunchOptions, LoadError};
pub use guard::SECRET_HEADER;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use capsule_package::Package;
use capsule_runtime::{Input, InstanceHandle, InstanceSender, Limits, Output, Pool};
use capsule_style::{PackageStyles, Scope};
use capsule_template::{Program, Tree};
use capsule_view_web::PROTOCOL;
use capsule_view_web::message::{self as view_message, ViewMessage};
use serde_json::{Map, Value, json};

pub use capsule_view_web::message::MAX_VIEW_MESSAGE;

/// A device the simulator shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    pub status_bar: u32,
    pub safe_bottom: u32,
}

/// The devices `--device` accepts.
pub const DEVICES: &[Device] = &[
    Device { name: "iphone-se", width: 375, height: 667, status_bar: 20, safe_bottom: 0 },
    Device { name: "iphone-15", width: 393, height: 852, status_bar: 47, safe_bottom: 34 },
    Device { name: "iphone-15-pro-max", width: 430, height: 932, status_bar: 47, safe_bottom: 34 },
    Device { name: "pixel-7", width: 412, height: 915, status_bar: 24, safe_bottom: 0 },
    Device { name: "galaxy-s20", width: 360, height: 800, status_bar: 24, safe_bottom: 0 },
];

pub fn device(name: &str) -> Option<Device> {
    DEVICES.iter().copied().find(|d| d.name == name)
}

/// What the bridge's system-info APIs say of a device profile.
pub fn bridge_device(device: &Device) -> capsule_bridge::Device {
    capsule_bridge::Device {
        model: device.name.to_string(),
        width: device.width,
        height: device.height,
        status_bar: device.status_bar,
        safe_bottom: device.safe_bottom,
        pixel_ratio: if device.width <= 375 { 2.0 } else { 3.0 },
        ..capsule_bridge::Device::default()
    }
}

/// Scopes and whether each is granted.
type Settings = Vec<(String, bool)>;

/// Permission prompts answered by a person in the simulator: the view shows the app's
/// reason and three choices; nobody answering within two minutes is a denial.
#[derive(Default)]
pub struct ViewPrompter {
    views: Mutex<Option<fanout::Views>>,
    pending: Mutex<HashMap<u32, std::sync::mpsc::Sender<capsule_bridge::Answer>>>,
    pending_settings: Mutex<HashMap<u32, std::sync::mpsc::Sender<Settings>>>,
    pending_device: Mutex<HashMap<u32, std::sync::mpsc::Sender<Option<Value>>>>,
    next: std::sync::atomic::AtomicU32,
}

impl capsule_bridge::Prompter for ViewPrompter {
    fn ask(&self, app: &capsule_bridge::App, scope: &str, reason: &str) -> Option<capsule_bridge::Answer> {
        let views = self.views.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        if views.receiver_count() == 0 {
            return None;
        }
        let seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = std::sync::mpsc::channel();
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, tx);
        let message = json!({"v": PROTOCOL, "type": "prompt", "seq": seq, "app": app.id, "scope": scope, "reason": reason});
        views.send(message.to_string());
        let answer = rx.recv_timeout(Duration::from_secs(120)).ok();
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq);
        answer
    }

    fn settings(&self, app: &capsule_bridge::App, current: &[(String, bool)]) -> Option<Vec<(String, bool)>> {
        let views = self.views.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        if views.receiver_count() == 0 {
            return None;
        }
        let seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = std::sync::mpsc::channel();
        self.pending_settings.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, tx);
        let scopes: serde_json::Map<String, Value> =
            current.iter().map(|(s, g)| (s.clone(), json!(g))).collect();
        let message = json!({"v": PROTOCOL, "type": "settings", "seq": seq, "app": app.id, "scopes": scopes});
        views.send(message.to_string());
        let answer = rx.recv_timeout(Duration::from_secs(600)).ok();
        self.pending_settings.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq);
        answer
    }

    fn device(&self, app: &capsule_bridge::App, request: &str, args: &Value) -> Option<Value> {
        let views = self.views.lock().unwrap_or_else(|p| p.into_inner()).clone()?;
        if views.receiver_count() == 0 {
            return None;
        }
        let seq = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = std::sync::mpsc::channel();
        self.pending_device.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, tx);
        let message = json!({"v": PROTOCOL, "type": "device", "seq": seq, "app": app.id, "request": request, "args": args});
        views.send(message.to_string());
        let answer = rx.recv_timeout(Duration::from_secs(600)).ok().flatten();
        self.pending_device.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq);
        answer
    }

    fn notify(&self, _app: &capsule_bridge::App, what: &str, args: &Value) {
        let Some(views) = self.views.lock().unwrap_or_else(|p| p.into_inner()).clone() else { return };
        let message = match what {
            "toast" => {
                json!({"v": PROTOCOL, "type": "toast", "show": true, "title": args["title"], "icon": "none", "duration": 1500})
            }
            "vibrate" => json!({"v": PROTOCOL, "type": "vibrate", "duration": args["duration"]}),
            _ => return,
        };
        views.send(message.to_string());
    }
}

impl ViewPrompter {
    /// A person's answer to a device request (`null`: they cancelled).
    fn device_answer(&self, seq: u32, answer: Option<Value>) -> bool {
        match self.pending_device.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }

    /// A person's switches for `wx.openSetting`.
    fn settings_answer(&self, seq: u32, scopes: Vec<(String, bool)>) -> bool {
        match self.pending_settings.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq) {
            Some(tx) => tx.send(scopes).is_ok(),
            None => false,
        }
    }

    /// A person's answer to a permission prompt.
    fn answer(&self, seq: u32, answer: capsule_bridge::Answer) -> bool {
        match self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&seq) {
            Some(tx) => tx.send(answer).is_ok(),
            None => false,
        }
    }
}

/// What the host remembers of a page, for late views.
struct PageMirror {
    route: String,
    query: Map<String, Value>,
    window: Value,
    css: String,
    tree: Tree,
}

/// The app the simulator runs now; a reload replaces it whole.
struct Running {
    app: App,
    package: Arc<Package>,
    styles: Arc<PackageStyles>,
    handle: InstanceSender,
    /// Counts reloads: outputs of an instance from an earlier one are dropped.
    generation: u64,
}

struct Shared {
    running: std::sync::RwLock<Arc<Running>>,
    /// The device the phone frame shows; the developer tools can switch it.
    device: Mutex<Device>,
    host: Arc<Host>,
    /// Every live page (parked tab pages too), in the order they opened.
    pages: Mutex<Vec<(u32, PageMirror)>>,
    /// The stack, bottom first: the last is shown.
    stack: Mutex<Vec<u32>>,
    to_views: fanout::Views,
    prompter: Option<Arc<ViewPrompter>>,
    /// The tab bar as the app's APIs have changed it (badges, red dots, items, style,
    /// hidden), so a view that connects later shows the same; `null` without a tab bar.
    tab_bar: Mutex<Value>,
    /// What waits on a view, by the call's seq: modals, action sheets and selector queries
    /// until answered, intersection observers until disconnected. A view that connects
    /// later is sent each, so a call made before any view was there is not lost.
    waiting: Mutex<BTreeMap<u32, Value>>,
    /// The developer tools' state: console lines, breaches, queries awaiting answers.
    dev: Mutex<devtools::DevState>,
    /// The port the server listens on (its own Host and Origin name it).
    port: u16,
    /// This run's secret: the developer routes and the person's answers need it.
    secret: String,
}

impl Shared {
    fn running(&self) -> Arc<Running> {
        self.running.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The running app's door at the bridge, for what the simulator itself asks of it (may a
    /// `web-view` show a page, the developer tools' storage and logs).
    fn api(&self) -> Option<Arc<dyn capsule_bridge::service::ApiHost>> {
        Some(self.running().app.api().clone())
    }
}

/// How a simulator is set up, besides the host and the app.
pub struct SimulatorOptions {
    /// The port on 127.0.0.1 (0 for any free one).
    pub port: u16,
    /// The device the phone frame shows.
    pub device: Device,
    /// The person's side of prompts and sheets: the host's prompter, which the simulator's
    /// views answer.
    pub prompter: Option<Arc<ViewPrompter>>,
}

/// A running simulator.
pub struct Simulator {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Simulator {
    /// Runs `app` on `host` and serves it on `127.0.0.1:port` (0 for any free port). The
    /// server runs until `shutdown` completes.
    pub async fn start(
        host: Arc<Host>,
        app: App,
        options: SimulatorOptions,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<Simulator> {
        let SimulatorOptions { port, device, prompter } = options;
        // Listening comes first, so the port is refused to the app before its code runs.
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let door = capsule_bridge::origin::refuse_port(addr.port());
        let secret = guard::new_secret()?;
        let instance = host.launch(&app, LaunchOptions::default());
        let to_views = fanout::Views::default();
        let package = app.package().clone();
        let tab_bar = serde_json::to_value(&package.manifest.tab_bar).unwrap_or(Value::Null);
        let styles = app.styles().clone();
        let running = Running { app, package, styles, handle: instance.sender(), generation: 0 };
        let shared = Arc::new(Shared {
            running: std::sync::RwLock::new(Arc::new(running)),
            device: Mutex::new(device),
            host,
            pages: Mutex::new(Vec::new()),
            stack: Mutex::new(Vec::new()),
            to_views,
            prompter: prompter.clone(),
            tab_bar: Mutex::new(tab_bar),
            waiting: Mutex::new(BTreeMap::new()),
            dev: Mutex::new(devtools::DevState::default()),
            port: addr.port(),
            secret,
        });
        if let Some(p) = &prompter {
            *p.views.lock().unwrap_or_else(|p| p.into_inner()) = Some(shared.to_views.clone());
        }
        // The instance's outputs arrive on a blocking channel: one thread moves them on.
        let pump = shared.clone();
        std::thread::Builder::new()
            .name("capsule-view-pump".into())
            .spawn(move || pump_outputs(pump, instance, 0))?;

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
            .merge(devtools::routes())
            .route_layer(axum::middleware::from_fn_with_state(shared.clone(), guard::secret));
        let app = Router::new()
            .route("/", get(index))
            .route("/capsule/{*file}", get(capsule_asset))
            .route("/pkg/{*path}", get(package_file))
            .route("/capsule-files/{path}", get(app_file))
            .route("/ws", get(websocket))
            .merge(secret_routes)
            .fallback(|| async { (StatusCode::NOT_FOUND, "not found") })
            // Host and Origin, for every route, the fallback and the socket.
            .layer(axum::middleware::from_fn_with_state(shared.clone(), guard::doors))
            .with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
            // The port is the app's to reach again only once nothing listens on it.
            drop(door);
        });
        Ok(Simulator { addr, shared })
    }

    /// Runs a new version of the app in place of the current one (hot reload): the views
    /// start over from the new app, on the page that was shown, with its query.
    pub fn reload(&self, app: App) -> std::io::Result<()> {
        reload(&self.shared, app)
    }

    /// The host the app runs on (a reload makes the new version's [`App`] with it).
    pub fn host(&self) -> &Arc<Host> {
        &self.shared.host
    }

    /// Shows what is wrong with the package over the page (a reload that could not build),
    /// until the next reload.
    pub fn show_problems(&self, text: &str) {
        send_view(&self.shared, json!({"type": "overlay", "text": text}));
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// This run's secret, which the developer routes and the person's answers need in
    /// [`SECRET_HEADER`] (the page at [`Simulator::url`] carries it for its own tools).
    pub fn secret(&self) -> &str {
        &self.shared.secret
    }

    /// Sends an input to the instance (as a view would).
    pub fn send(&self, input: Input) {
        self.shared.running().handle.send(input);
    }
}

/// Runs `app` in place of the current one (see [`Simulator::reload`]): a new version, or the
/// same app again (a device switch).
fn reload(shared: &Arc<Shared>, app: App) -> std::io::Result<()> {
    let shown = {
        let stack = shared.stack.lock().unwrap_or_else(|p| p.into_inner());
        let pages = shared.pages.lock().unwrap_or_else(|p| p.into_inner());
        stack
            .last()
            .and_then(|top| pages.iter().find(|(id, _)| id == top))
            .map(|(_, m)| url_of(&m.route, &m.query))
    };
    let (package, styles) = (app.package().clone(), app.styles().clone());
    let instance = shared.host.launch(&app, LaunchOptions { page: shown, ..LaunchOptions::default() });
    let tab_bar = serde_json::to_value(&package.manifest.tab_bar).unwrap_or(Value::Null);
    let generation = {
        let mut running = shared.running.write().unwrap_or_else(|p| p.into_inner());
        let generation = running.generation + 1;
        let old = std::mem::replace(
            &mut *running,
            Arc::new(Running { app, package, styles, handle: instance.sender(), generation }),
        );
        // The old app ends now, even in the middle of a long callback; its pump hears it and
        // lets go of it.
        old.handle.end();
        generation
    };
    shared.pages.lock().unwrap_or_else(|p| p.into_inner()).clear();
    shared.stack.lock().unwrap_or_else(|p| p.into_inner()).clear();
    shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).clear();
    *shared.tab_bar.lock().unwrap_or_else(|p| p.into_inner()) = tab_bar;
    send_view(shared, reset_message(shared));
    let pump = shared.clone();
    std::thread::Builder::new()
        .name("capsule-view-pump".into())
        .spawn(move || pump_outputs(pump, instance, generation))?;
    Ok(())
}

/// Starts an instance of the app whose calls `api` answers (none: it is offered no APIs).
pub fn spawn(
    pool: &Pool,
    package: Arc<Package>,
    program: Arc<Program>,
    limits: Limits,
    api: Option<&Arc<dyn capsule_bridge::service::ApiHost>>,
) -> InstanceHandle {
    let mut spawn = capsule_runtime::Spawn::new(package, program, limits);
    if let Some(api) = api {
        spawn.apis = calls::surface(api);
        spawn.outlet = Some(Arc::new(calls::BridgeOutlet::new(api)));
    }
    pool.spawn_with(spawn)
}

/// `route?k=v&…`, the query percent-encoded.
fn url_of(route: &str, query: &Map<String, Value>) -> String {
    let pairs: Vec<String> = query
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                capsule_bridge::origin::percent_encode(k),
                capsule_bridge::origin::percent_encode(
                    v.as_str().map_or_else(|| v.to_string(), str::to_string).as_str()
                )
            )
        })
        .collect();
    if pairs.is_empty() { route.to_string() } else { format!("{route}?{}", pairs.join("&")) }
}

fn send_view(shared: &Shared, message: Value) {
    let mut message = message;
    message["v"] = json!(PROTOCOL);
    shared.to_views.send(message.to_string());
}

/// Sends a message that waits on a view, keeping it for views that connect later.
fn send_waiting(shared: &Shared, seq: u32, message: Value) {
    shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).insert(seq, message.clone());
    send_view(shared, message);
}

fn page_message(id: u32, page: &PageMirror) -> Value {
    json!({"type": "page", "page": id, "route": page.route, "window": page.window, "css": page.css, "snapshot": page.tree.snapshot()})
}

fn reset_message(shared: &Shared) -> Value {
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

fn pump_outputs(shared: Arc<Shared>, instance: InstanceHandle, generation: u64) {
    loop {
        let output = match instance.recv_timeout(Duration::from_secs(1)) {
            // A reload replaced this instance: it ends with its handle.
            _ if shared.running().generation != generation => return,
            Ok(o) => o,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if Arc::strong_count(&shared) > 1 => continue,
            // The simulator is gone, or the logic thread is.
            Err(_) => return,
        };
        match output {
            Output::PageOpened { page, route, query, snapshot } => {
                let mut tree = Tree::new();
                tree.apply(&snapshot);
                let running = shared.running();
                let manifest = &running.package.manifest;
                let window = manifest.page(&route).map_or_else(
                    || manifest.window.clone(),
                    |p| p.config.window.merged_over(&manifest.window),
                );
                let css = running
                    .styles
                    .pages
                    .get(&route)
                    .map(|s| s.to_css(Scope::Page(&route)))
                    .unwrap_or_default();
                let mirror = PageMirror {
                    route,
                    query,
                    window: serde_json::to_value(window).unwrap_or(Value::Null),
                    css,
                    tree,
                };
                let message = page_message(page, &mirror);
                shared.pages.lock().unwrap_or_else(|p| p.into_inner()).push((page, mirror));
                shared.stack.lock().unwrap_or_else(|p| p.into_inner()).push(page);
                send_view(&shared, message);
            }
            Output::Patches { page, patches } => {
                shared.dev.lock().unwrap_or_else(|p| p.into_inner()).patched();
                if let Some((_, mirror)) = shared
                    .pages
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter_mut()
                    .find(|(id, _)| *id == page)
                {
                    for p in &patches {
                        mirror.tree.apply(p);
                    }
                }
                send_view(&shared, json!({"type": "patches", "page": page, "patches": patches}));
            }
            Output::PageClosed { page } => {
                shared.pages.lock().unwrap_or_else(|p| p.into_inner()).retain(|(id, _)| *id != page);
                shared.stack.lock().unwrap_or_else(|p| p.into_inner()).retain(|id| *id != page);
                shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, o| o["page"] != page);
                send_view(&shared, json!({"type": "close", "page": page}));
            }
            Output::Stack { pages } => {
                *shared.stack.lock().unwrap_or_else(|p| p.into_inner()) = pages.clone();
                send_view(&shared, json!({"type": "stack", "pages": pages}));
            }
            Output::Log { .. } | Output::Error { .. } => {
                if let Some(line) = output.console_text() {
                    eprintln!("{line}");
                }
                shared.dev.lock().unwrap_or_else(|p| p.into_inner()).record(&output);
            }
            Output::Terminated { ref reason } => {
                eprintln!("error: the instance was terminated: {reason}");
                shared.dev.lock().unwrap_or_else(|p| p.into_inner()).record(&output);
            }
            Output::ViewCall { seq, name, args } => view_call(&shared, seq, &name, &args),
            // Only an app run without a bridge gets here: nothing answers its calls.
            Output::ApiCall { call, name, .. } => shared
                .running()
                .handle
                .send(Input::ApiReply { call, result: capsule_runtime::port::not_supported(&name) }),
            Output::Answer { value } => {
                let waiter = shared.dev.lock().unwrap_or_else(|p| p.into_inner()).answers.pop_front();
                if let Some(tx) = waiter {
                    let _ = tx.send(value);
                }
            }
            Output::Done => {}
        }
    }
}

/// Carries out an API on the view's side and answers the instance.
fn view_call(shared: &Shared, seq: u32, name: &str, args: &Value) {
    let ok = |extra: Value| {
        let mut result = json!({"errMsg": format!("{name}:ok")});
        if let (Some(r), Some(e)) = (result.as_object_mut(), extra.as_object()) {
            r.extend(e.clone());
        }
        shared.running().handle.send(Input::ViewReply { seq, result });
    };
    let fail = |reason: &str| {
        shared
            .running()
            .handle
            .send(Input::ViewReply { seq, result: json!({"errMsg": format!("{name}:fail {reason}")}) });
    };
    // A list of strings, as `itemList` and `urls` are.
    let strings = |key: &str| -> Vec<String> {
        args.get(key)
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let text = |key: &str| args.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    match name {
        "showToast" => {
            let duration = args.get("duration").and_then(Value::as_u64).unwrap_or(1500);
            let icon = args.get("icon").and_then(Value::as_str).unwrap_or("success");
            send_view(
                shared,
                json!({"type": "toast", "show": true, "title": text("title"), "icon": icon, "duration": duration}),
            );
            ok(json!({}));
        }
        "showLoading" => {
            send_view(
                shared,
                json!({"type": "toast", "show": true, "title": text("title"), "loading": true, "duration": 0}),
            );
            ok(json!({}));
        }
        "hideToast" | "hideLoading" => {
            send_view(shared, json!({"type": "toast", "show": false}));
            ok(json!({}));
        }
        "showModal" => {
            send_waiting(
                shared,
                seq,
                json!({
                    "type": "modal", "seq": seq, "title": text("title"), "content": text("content"),
                    "showCancel": args.get("showCancel").and_then(Value::as_bool).unwrap_or(true),
                    "cancelText": args.get("cancelText").and_then(Value::as_str).unwrap_or("Cancel"),
                    "confirmText": args.get("confirmText").and_then(Value::as_str).unwrap_or("OK"),
                }),
            );
        }
        "showActionSheet" => {
            let items = strings("itemList");
            if items.is_empty() || items.len() > 6 {
                return fail("parameter error: itemList should have 1 to 6 items");
            }
            send_waiting(
                shared,
                seq,
                json!({"type": "actionSheet", "seq": seq, "itemList": items, "itemColor": args.get("itemColor")}),
            );
        }
        "setNavigationBarTitle"
        | "setNavigationBarColor"
        | "showNavigationBarLoading"
        | "hideNavigationBarLoading"
        | "setBackgroundColor" => {
            let change = match name {
                "setNavigationBarTitle" => json!({"navigationBarTitleText": text("title")}),
                "setNavigationBarColor" => {
                    let style =
                        if text("frontColor").eq_ignore_ascii_case("#ffffff") { "white" } else { "black" };
                    json!({"navigationBarTextStyle": style, "navigationBarBackgroundColor": text("backgroundColor")})
                }
                "setBackgroundColor" => {
                    let mut change = serde_json::Map::new();
                    for key in ["backgroundColor", "backgroundColorTop", "backgroundColorBottom"] {
                        if let Some(v) = args.get(key).and_then(Value::as_str) {
                            change.insert(key.into(), json!(v));
                        }
                    }
                    Value::Object(change)
                }
                _ => json!({"navigationBarLoading": name == "showNavigationBarLoading"}),
            };
            change_top_window(shared, change);
            ok(json!({}));
        }
        "selectorQuery" => {
            let page = args.get("page").and_then(Value::as_u64).or_else(|| top_page(shared).map(u64::from));
            send_waiting(
                shared,
                seq,
                json!({"type": "selectorQuery", "seq": seq, "page": page, "root": args.get("root"), "requests": args.get("requests").cloned().unwrap_or(json!([]))}),
            );
        }
        "observeIntersection" => {
            let mut message = args.clone();
            message["type"] = json!("observe");
            message["seq"] = json!(seq);
            send_waiting(shared, seq, message);
        }
        "disconnectIntersection" => {
            if let Some(observer) =
                args.get("observer").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok())
            {
                shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&observer);
                send_view(shared, json!({"type": "disconnect", "observer": observer}));
            }
            ok(json!({}));
        }
        "previewImage" => {
            let urls = strings("urls");
            if urls.is_empty() {
                return fail("parameter error: parameter.urls should be a non-empty Array of String");
            }
            let current = match args.get("current") {
                Some(Value::Number(n)) => n.as_u64().and_then(|i| urls.get(i as usize)).cloned(),
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            }
            .unwrap_or_else(|| urls[0].clone());
            send_view(shared, json!({"type": "previewImage", "urls": urls, "current": current}));
            ok(json!({}));
        }
        "loadFontFace" => {
            // The view loads the font (fonts are the document's, so components see it too);
            // a font from the network must come from an origin the host allows.
            let source = text("source");
            let url = source
                .trim()
                .strip_prefix("url(")
                .and_then(|s| s.strip_suffix(')'))
                .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\''))
                .unwrap_or_default()
                .to_string();
            if text("family").is_empty() || url.is_empty() {
                return fail("parameter error: family and source (url(\"…\")) are needed");
            }
            if url.contains("://") {
                let verdict = match &shared.api() {
                    Some(api) => api.check_origin(&url),
                    None => Err("no network access".into()),
                };
                if let Err(e) = verdict {
                    return fail(&e);
                }
            }
            send_waiting(
                shared,
                seq,
                json!({"type": "loadFontFace", "seq": seq, "family": text("family"), "url": url, "desc": args.get("desc")}),
            );
        }
        "audioContext" => {
            send_waiting(shared, seq, json!({"type": "audio", "seq": seq}));
        }
        "audioControl" => {
            // Only an audio context the app made may be driven.
            let Some(audio) = args.get("audio").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok())
            else {
                return fail("no such audio");
            };
            let mut waiting = shared.waiting.lock().unwrap_or_else(|p| p.into_inner());
            if !waiting.get(&audio).is_some_and(|m| m["type"] == "audio") {
                drop(waiting);
                return fail("no such audio");
            }
            match args.get("action").and_then(Value::as_str) {
                Some("destroy") => {
                    waiting.remove(&audio);
                }
                // What is set is kept with the context, so a view that connects later (the
                // app made it in onLoad) sets it up the same.
                Some("set") => {
                    if let (Some(entry), Some(Value::Object(set))) =
                        (waiting.get_mut(&audio), args.get("args").and_then(|a| a.get(0)))
                    {
                        if !entry["set"].is_object() {
                            entry["set"] = json!({});
                        }
                        if let Some(kept) = entry["set"].as_object_mut() {
                            kept.extend(set.clone());
                        }
                    }
                }
                _ => {}
            }
            drop(waiting);
            send_view(
                shared,
                json!({"type": "audioControl", "audio": audio, "action": args.get("action"), "args": args.get("args")}),
            );
            ok(json!({}));
        }
        "videoControl" => {
            let page = args.get("page").and_then(Value::as_u64).or_else(|| top_page(shared).map(u64::from));
            let mut message = args.clone();
            message["type"] = json!("videoControl");
            message["page"] = json!(page);
            send_view(shared, message);
            ok(json!({}));
        }
        "pageScrollTo" => {
            let selector = args.get("selector").and_then(Value::as_str);
            let top = args.get("scrollTop").and_then(Value::as_f64);
            if selector.is_none() && top.is_none() {
                return fail("scrollTop or selector is required");
            }
            let page = top_page(shared);
            send_view(
                shared,
                json!({
                    "type": "pageScrollTo", "page": page, "scrollTop": top, "selector": selector,
                    "offsetTop": args.get("offsetTop").and_then(Value::as_f64).unwrap_or(0.0),
                    "duration": args.get("duration").and_then(Value::as_u64).unwrap_or(300),
                }),
            );
            ok(json!({}));
        }
        "setTabBarBadge" | "removeTabBarBadge" | "showTabBarRedDot" | "hideTabBarRedDot"
        | "setTabBarItem" | "setTabBarStyle" | "showTabBar" | "hideTabBar" => {
            match change_tab_bar(shared, name, args) {
                Ok(()) => ok(json!({})),
                Err(reason) => fail(&reason),
            }
        }
        "stopPullDownRefresh" => {
            send_view(shared, json!({"type": "stopPullDownRefresh"}));
            ok(json!({}));
        }
        _ => fail("not supported"),
    }
}

/// The page the views show: the top of the stack.
fn top_page(shared: &Shared) -> Option<u32> {
    shared.stack.lock().unwrap_or_else(|p| p.into_inner()).last().copied()
}

/// Merges `change` into the shown page's window and tells the views.
fn change_top_window(shared: &Shared, change: Value) {
    let top_id = top_page(shared);
    let mut pages = shared.pages.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((id, top)) = pages.iter_mut().find(|(id, _)| Some(*id) == top_id) {
        if let (Some(w), Some(c)) = (top.window.as_object_mut(), change.as_object()) {
            w.extend(c.clone());
        }
        send_view(shared, json!({"type": "window", "page": *id, "window": change}));
    }
}

/// Carries out one of the tab bar APIs on the kept tab bar, as the platform checks them:
/// only while a tab page is shown, and only for an item that exists.
fn change_tab_bar(shared: &Shared, name: &str, args: &Value) -> Result<(), String> {
    let top_route = {
        let top_id = top_page(shared);
        let pages = shared.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages.iter().find(|(id, _)| Some(*id) == top_id).map(|(_, p)| p.route.clone())
    };
    let mut bar = shared.tab_bar.lock().unwrap_or_else(|p| p.into_inner());
    let on_tab = bar["list"].as_array().is_some_and(|list| {
        list.iter().any(|item| Some(item["pagePath"].as_str().unwrap_or("")) == top_route.as_deref())
    });
    if !on_tab {
        return Err("not TabBar page".into());
    }
    let string = |key: &str| args.get(key).and_then(Value::as_str).map(str::to_string);
    let item = |bar: &mut Value| -> Result<usize, String> {
        let count = bar["list"].as_array().map_or(0, Vec::len);
        match args.get("index").and_then(Value::as_u64) {
            Some(i) if (i as usize) < count => Ok(i as usize),
            Some(i) => Err(format!("tabbar item not found: index {i} is out of range (0 to {})", count - 1)),
            None => Err("parameter error: parameter.index should be Number".into()),
        }
    };
    match name {
        "setTabBarBadge" => {
            let i = item(&mut bar)?;
            let text = string("text").ok_or("parameter error: parameter.text should be String")?;
            // The platform shows at most four characters and an ellipsis past them.
            let shown: String =
                if text.chars().count() > 4 { text.chars().take(3).chain(['…']).collect() } else { text };
            bar["list"][i]["badge"] = json!(shown);
            bar["list"][i]["redDot"] = json!(false);
        }
        "removeTabBarBadge" => {
            let i = item(&mut bar)?;
            if let Some(o) = bar["list"][i].as_object_mut() {
                o.remove("badge");
            }
        }
        "showTabBarRedDot" | "hideTabBarRedDot" => {
            let i = item(&mut bar)?;
            bar["list"][i]["redDot"] = json!(name == "showTabBarRedDot");
            if name == "showTabBarRedDot" {
                if let Some(o) = bar["list"][i].as_object_mut() {
                    o.remove("badge");
                }
            }
        }
        "setTabBarItem" => {
            let i = item(&mut bar)?;
            for key in ["text", "iconPath", "selectedIconPath"] {
                if let Some(v) = string(key) {
                    if key != "text" && !shared.running().package.files.contains(v.trim_start_matches('/')) {
                        return Err(format!("{key} `{v}` is not a file in the package"));
                    }
                    bar["list"][i][key] = json!(v.trim_start_matches('/'));
                }
            }
        }
        "setTabBarStyle" => {
            for key in ["color", "selectedColor", "backgroundColor", "borderStyle"] {
                if let Some(v) = string(key) {
                    bar[key] = json!(v);
                }
            }
        }
        _ => bar["hidden"] = json!(name == "hideTabBar"),
    }
    send_view(shared, json!({"type": "tabBar", "tabBar": *bar}));
    Ok(())
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
    guard::sandboxed(match shared.running().package.files.get(&path) {
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

async fn websocket(State(shared): State<Arc<Shared>>, ws: WebSocketUpgrade) -> Response {
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
