//! `capsule-host` runs mini-programs for a host program. Its embedding API ([`Host`],
//! [`HostConfig`], [`App`], [`LaunchOptions`], [`HostEvent`]; see [`embed`]) owns the logic
//! threads, the bridge and the budgets, loads apps once and launches instances whose API
//! calls the bridge answers. On top of it sits the simulator, the server behind `capsule
//! run`: it serves the simulator page and the package's files (read-only, nothing outside
//! the package), and speaks the view protocol over a WebSocket: page snapshots and patches
//! down, events and answers up, every message validated and size-limited. It keeps a mirror
//! of each page's tree, so a view that connects late or reconnects starts from a snapshot.
//!
//! It owns: the embedding API, the HTTP routes and who may use them (`guard`: this server's own Host and Origin
//! only, and the run's secret for the routes that drive the app or answer for the person),
//! the view protocol, view-side APIs (toast, loading, modal, navigation bar, pull-down
//! refresh). It must not render templates (the instance does) or run package code (the
//! instance does, on its logic thread).
//!
//! This file is the simulator's skeleton: its state ([`Simulator`], the running app, the
//! pages' mirrors), starting and reloading, and the pump that moves the instance's outputs
//! on. The rest, by concern:
//!
//! - `embed` — the embedding API: [`Host`], [`App`], launching instances;
//! - `extlib` — extended libraries (`useExtendedLib`): fetched, checked, cached, provided;
//! - `calls` — an instance's API calls, answered by the bridge;
//! - `routes` — the HTTP routes in one table: the page, assets, package and app files, answers;
//! - `guard` — who may use the routes and the socket (Host, Origin, the run's secret);
//! - `view_messages` — the view socket: what goes to views and what comes from them;
//! - `fanout` — each view's bounded queue;
//! - `view_calls` — the APIs the view carries out (toast, modal, queries, media, …);
//! - `prompter` — what only a person can answer (prompts, settings, device sheets);
//! - `devices` — the device profiles;
//! - `devtools` — the developer tools' endpoints;
//! - `watch` — hot reload.

pub mod calls;
mod devices;
mod devtools;
pub mod embed;
pub mod extlib;
mod fanout;
mod guard;
mod metrics;
mod prompter;
mod routes;
mod view_calls;
mod view_messages;
pub mod watch;

pub use capsule_sandbox::{WorkerProgram, run_worker_if_requested};
pub use devices::{DEVICES, Device, bridge_device, device};
pub use embed::{App, EndCause, Host, HostConfig, HostError, HostEvent, Isolation, LaunchOptions, LoadError};
pub use guard::SECRET_HEADER;
pub use prompter::ViewPrompter;
pub use routes::MAX_DEVICE_ANSWER;
pub use view_messages::refused_view_messages;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capsule_package::Package;
use capsule_package::theme::ThemeMode;
use capsule_runtime::{Input, InstanceHandle, InstanceSender, Output};
use capsule_style::{PackageStyles, Scope};
use capsule_template::Tree;
use capsule_view_web::protocol::ToView;
use serde_json::{Map, Value};

use view_calls::view_call;
use view_messages::{page_message, reset_message, send_view};

pub use capsule_view_web::message::MAX_VIEW_MESSAGE;

/// What the host remembers of a page, for late views.
struct PageMirror {
    route: String,
    query: Map<String, Value>,
    window: Value,
    css: String,
    tree: Tree,
    /// The share menu as the page's APIs left it; `None` until one changed it.
    share_menu: Option<Value>,
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
    /// `None` while the package has never built (`capsule run` on a broken package: the
    /// simulator shows the problems until a saved change fixes them).
    running: std::sync::RwLock<Option<Arc<Running>>>,
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
    /// The system theme the simulator shows (its developer tools switch it).
    theme: Mutex<ThemeMode>,
    /// What waits on a view, by the call's seq: modals, action sheets and selector queries
    /// until answered, intersection observers until disconnected. A view that connects
    /// later is sent each, so a call made before any view was there is not lost.
    waiting: Mutex<BTreeMap<u32, ToView>>,
    /// The build problems shown over the page until the next reload, also for views that
    /// connect later (a package broken when `capsule run` starts).
    problems: Mutex<Option<String>>,
    /// Why the running app ended (a budget, its worker died), shown over the page with a
    /// way to relaunch it, until the next reload.
    ended: Mutex<Option<String>>,
    /// The developer tools' state: console lines, breaches, queries awaiting answers.
    dev: Mutex<devtools::DevState>,
    /// The port the server listens on (its own Host and Origin name it).
    port: u16,
    /// This run's secret: the developer routes and the person's answers need it.
    secret: String,
}

impl Shared {
    fn running(&self) -> Option<Arc<Running>> {
        self.running.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sends an input to the running instance; without one (nothing has built yet) there is
    /// nobody to hear it.
    fn send_input(&self, input: Input) {
        if let Some(running) = self.running() {
            running.handle.send(input);
        }
    }

    /// The running app's door at the bridge, for what the simulator itself asks of it (may a
    /// `web-view` show a page, the developer tools' storage and logs).
    fn api(&self) -> Option<Arc<dyn capsule_bridge::service::ApiHost>> {
        Some(self.running()?.app.api().clone())
    }

    /// The theme the app is shown in: the system's with `darkmode: true`, else light.
    fn theme(&self) -> ThemeMode {
        let mode = *self.theme.lock().unwrap_or_else(|p| p.into_inner());
        if self.running().is_some_and(|r| r.package.manifest.darkmode) { mode } else { ThemeMode::Light }
    }

    /// A window or tab-bar configuration as the current theme shows it: each `@name` the
    /// app's theme file defines takes its value.
    fn themed(&self, mut config: Value) -> Value {
        if let Some(running) = self.running()
            && let Some(theme) = &running.package.manifest.theme
        {
            theme.resolve_json(self.theme(), &mut config);
        }
        config
    }

    /// Switches the system theme: the app hears it (with `darkmode: true`), and the views are
    /// sent every window and the tab bar again, resolved for it.
    fn switch_theme(&self, mode: ThemeMode) {
        *self.theme.lock().unwrap_or_else(|p| p.into_inner()) = mode;
        if let Some(state) = self.api().as_ref().and_then(|a| a.device_state()) {
            state.set_dark(mode == ThemeMode::Dark);
        }
        let Some(running) = self.running().filter(|r| r.package.manifest.darkmode) else { return };
        send_view(self, ToView::Theme { theme: mode.as_str().to_string() });
        running.handle.send(Input::Theme { theme: mode.as_str().to_string() });
        let windows: Vec<(u32, Value)> = self
            .pages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(id, page)| (*id, page.window.clone()))
            .collect();
        for (page, window) in windows {
            if let Value::Object(window) = self.themed(window) {
                send_view(self, ToView::Window { page, window });
            }
        }
        let tab_bar = self.tab_bar.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if !tab_bar.is_null() {
            send_view(self, ToView::TabBar { tab_bar: self.themed(tab_bar) });
        }
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
        Self::serve(host, Some(app), options, shutdown).await
    }

    /// Serves the simulator with no app, `problems` over the empty phone: a package that does
    /// not build at all (its `app.json` broken, say). The first [`Simulator::reload`] runs an
    /// app, as the watcher does once a saved change fixes the package.
    pub async fn start_without_app(
        host: Arc<Host>,
        problems: &str,
        options: SimulatorOptions,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<Simulator> {
        let simulator = Self::serve(host, None, options, shutdown).await?;
        simulator.show_problems(problems);
        Ok(simulator)
    }

    async fn serve(
        host: Arc<Host>,
        app: Option<App>,
        options: SimulatorOptions,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<Simulator> {
        let SimulatorOptions { port, device, prompter } = options;
        // Listening comes first, so the port is refused to the app before its code runs.
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let door = capsule_bridge::origin::refuse_port(addr.port());
        let secret = guard::new_secret()?;
        let shared = Arc::new(Shared {
            running: std::sync::RwLock::new(None),
            device: Mutex::new(device),
            host,
            pages: Mutex::new(Vec::new()),
            stack: Mutex::new(Vec::new()),
            to_views: fanout::Views::default(),
            prompter: prompter.clone(),
            tab_bar: Mutex::new(Value::Null),
            theme: Mutex::new(ThemeMode::Light),
            waiting: Mutex::new(BTreeMap::new()),
            problems: Mutex::new(None),
            ended: Mutex::new(None),
            dev: Mutex::new(devtools::DevState::default()),
            port: addr.port(),
            secret,
        });
        if let Some(p) = &prompter {
            *p.views.lock().unwrap_or_else(|p| p.into_inner()) = Some(shared.to_views.clone());
        }
        if let Some(app) = app {
            reload(&shared, app)?;
        }
        let router = routes::router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).with_graceful_shutdown(shutdown).await;
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

    /// Runs the current app again from its start, on the page that was shown (the overlay's
    /// Relaunch, after the app ended).
    pub fn relaunch(&self) -> std::io::Result<()> {
        relaunch(&self.shared)
    }

    /// The host the app runs on (a reload makes the new version's [`App`] with it).
    pub fn host(&self) -> &Arc<Host> {
        &self.shared.host
    }

    /// Shows what is wrong with the package over the page (a reload that could not build),
    /// until the next reload.
    pub fn show_problems(&self, text: &str) {
        *self.shared.problems.lock().unwrap_or_else(|p| p.into_inner()) = Some(text.to_string());
        send_view(&self.shared, ToView::Overlay { text: text.to_string(), ended: false });
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
        self.shared.send_input(input);
    }
}

/// Runs `app` in place of the current one (see [`Simulator::reload`]): a new version, or the
/// same app again (a device switch).
fn relaunch(shared: &Arc<Shared>) -> std::io::Result<()> {
    match shared.running() {
        Some(running) => reload(shared, running.app.clone()),
        None => Err(std::io::Error::other("no app is running")),
    }
}

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
        let generation = running.as_ref().map_or(0, |r| r.generation + 1);
        let new = Arc::new(Running { app, package, styles, handle: instance.sender(), generation });
        // The old app ends now, even in the middle of a long callback; its pump hears it and
        // lets go of it.
        if let Some(old) = running.replace(new) {
            old.handle.end();
        }
        generation
    };
    shared.pages.lock().unwrap_or_else(|p| p.into_inner()).clear();
    shared.stack.lock().unwrap_or_else(|p| p.into_inner()).clear();
    shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).clear();
    *shared.problems.lock().unwrap_or_else(|p| p.into_inner()) = None;
    *shared.ended.lock().unwrap_or_else(|p| p.into_inner()) = None;
    *shared.tab_bar.lock().unwrap_or_else(|p| p.into_inner()) = tab_bar;
    send_view(shared, reset_message(shared));
    send_view(shared, ToView::Theme { theme: shared.theme().as_str().to_string() });
    let pump = shared.clone();
    std::thread::Builder::new()
        .name("capsule-view-pump".into())
        .spawn(move || pump_outputs(pump, instance, generation))?;
    Ok(())
}

/// Applies a patch to the host's copy of a page, as checked as the instance's outputs are
/// (a worker process may send anything): a patch no sound instance sends, or a copy past
/// twice the page's budgets, is the reason the instance ends.
fn mirrored(shared: &Shared, tree: &mut Tree, patch: &capsule_template::Patch) -> Result<(), String> {
    let nodes = shared.host.limits().nodes.saturating_mul(2);
    let bytes = capsule_template::render::MAX_PAGE_BYTES * 2;
    tree.try_apply(patch, nodes, bytes)
        .map_err(|e| format!("the host's copy of the page refused a patch: {e}"))
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

fn pump_outputs(shared: Arc<Shared>, instance: InstanceHandle, generation: u64) {
    loop {
        let output = match instance.recv_timeout(Duration::from_secs(1)) {
            // A reload replaced this instance: it ends with its handle.
            _ if shared.running().is_none_or(|r| r.generation != generation) => return,
            Ok(o) => o,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if Arc::strong_count(&shared) > 1 => continue,
            // The simulator is gone, or the logic thread is.
            Err(_) => return,
        };
        match output {
            Output::PageOpened { page, route, query, snapshot } => {
                let Some(running) = shared.running() else { return };
                let mut tree = Tree::new();
                if let Err(e) = mirrored(&shared, &mut tree, &snapshot) {
                    running.handle.end_because(&e);
                    continue;
                }
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
                    share_menu: None,
                };
                let message = page_message(&shared, page, &mirror);
                shared.pages.lock().unwrap_or_else(|p| p.into_inner()).push((page, mirror));
                shared.stack.lock().unwrap_or_else(|p| p.into_inner()).push(page);
                send_view(&shared, message);
            }
            Output::Patches { page, patches } => {
                shared.dev.lock().unwrap_or_else(|p| p.into_inner()).patched();
                let refused = shared
                    .pages
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter_mut()
                    .find(|(id, _)| *id == page)
                    .and_then(|(_, mirror)| {
                        patches.iter().find_map(|p| mirrored(&shared, &mut mirror.tree, p).err())
                    });
                if let Some(e) = refused {
                    if let Some(running) = shared.running() {
                        running.handle.end_because(&e);
                    }
                    continue;
                }
                send_view(&shared, ToView::Patches { page, patches });
            }
            Output::PageClosed { page } => {
                shared.pages.lock().unwrap_or_else(|p| p.into_inner()).retain(|(id, _)| *id != page);
                shared.stack.lock().unwrap_or_else(|p| p.into_inner()).retain(|id| *id != page);
                shared
                    .waiting
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .retain(|_, m| m.page() != Some(page));
                send_view(&shared, ToView::Close { page });
            }
            Output::Stack { pages } => {
                *shared.stack.lock().unwrap_or_else(|p| p.into_inner()) = pages.clone();
                send_view(&shared, ToView::Stack { pages });
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
                *shared.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(reason.clone());
                send_view(&shared, ToView::Overlay { text: reason.clone(), ended: true });
            }
            Output::ViewCall { seq, name, args } => view_call(&shared, seq, &name, &args),
            // Only an app run without a bridge gets here: nothing answers its calls.
            Output::ApiCall { call, name, .. } => shared
                .send_input(Input::ApiReply { call, result: capsule_runtime::port::not_supported(&name) }),
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
