//! The embedding API: how a host program runs mini-programs.
//!
//! A [`Host`] owns what every app it runs shares — the logic threads, the bridge (storage,
//! files, network, permissions, the audit log), the budgets — and hands out the rest:
//!
//! - [`Host::load`] reads a package once into an [`App`]: the package, its compiled templates
//!   and styles, shared by every instance of it (scripts are compiled to bytecode once per
//!   process, by content, on first use);
//! - [`Host::launch`] starts an instance of an app on a page and gives its
//!   [`InstanceHandle`]: inputs in ([`InstanceHandle::send`]), outputs out as a channel
//!   ([`InstanceHandle::recv`]). Its API calls are answered by the bridge on the way out
//!   (they never reach the handle), view calls are checked against the API table first;
//! - [`Host::register_api`] adds a host's own native API behind the same argument check,
//!   permission check and audit log as the built-in ones;
//! - [`Host::events`] reports what an operator watches: instances launched and ended (with
//!   the budget that ended them), and permission decisions.
//!
//! ```
//! use std::time::Duration;
//! use capsule_host::{Host, HostConfig, LaunchOptions};
//! use capsule_runtime::{Input, Output, Query};
//!
//! // A tiny app, written to a folder.
//! let dir = std::env::temp_dir().join(format!("capsule-embed-doc-{}", std::process::id()));
//! std::fs::create_dir_all(dir.join("app/pages/index"))?;
//! std::fs::write(dir.join("app/app.json"), r#"{"pages": ["pages/index/index"]}"#)?;
//! std::fs::write(dir.join("app/app.js"), "App({})")?;
//! std::fs::write(dir.join("app/pages/index/index.wxml"), "<view>{{greeting}}</view>")?;
//! std::fs::write(
//!     dir.join("app/pages/index/index.js"),
//!     "Page({ data: { greeting: '' }, onLoad() { wx.setStorageSync('seen', 1); this.setData({ greeting: 'hello' }) } })",
//! )?;
//!
//! let host = Host::new(HostConfig { data_dir: dir.join("data"), ..HostConfig::default() })?;
//! let app = host.load(dir.join("app"), &Default::default())?;
//! let instance = host.launch(&app, LaunchOptions::default());
//! // What the launch caused, up to its end: the first page opens with its first frame,
//! // `onLoad`'s data included; the storage call was answered by the bridge on the way.
//! let outputs = instance.until_done(Duration::from_secs(30));
//! assert!(outputs.iter().any(|o| matches!(o, Output::PageOpened { .. })), "{outputs:?}");
//! let answer = instance.request(Input::Query { query: Query::Html }, Duration::from_secs(30));
//! assert!(format!("{answer:?}").contains("hello"), "{outputs:?} {answer:?}");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use capsule_bridge::service::{ApiHost, Service};
use capsule_bridge::{Bridge, Prompter};
/// Why a package could not become an app: its diagnostics, errors among them (the
/// package's own, or its templates').
pub use capsule_package::LoadError;
use capsule_package::{Diagnostics, LoadOptions, Package};
use capsule_runtime::{
    ApiSurface, Input, InstanceHandle, InstanceSender, Limits, Outlet, Output, Pool, PoolConfig,
};
use capsule_sandbox::WorkerProgram;
use capsule_style::PackageStyles;
use capsule_template::Program;

use crate::calls::BridgeOutlet;

/// How a [`Host`] is set up. [`HostConfig::default`] is a development host with the user's
/// data folder, the default budgets and two logic threads.
pub struct HostConfig {
    /// Where each app keeps its storage and files (a folder per app id).
    pub data_dir: PathBuf,
    /// The host's policy, as TOML text: scopes allowed, denied or prompted, network domains,
    /// per-app rules (see `capsule_bridge::parse_policy`). Unknown keys are errors.
    pub policy: Option<String>,
    /// Production: only the policy's https origins are reachable; in development
    /// `http://127.0.0.1` is too.
    pub production: bool,
    /// Every instance's budgets, unless its launch gives its own.
    pub limits: Limits,
    /// The logic threads.
    pub threads: PoolConfig,
    /// Who asks a person (permission prompts, pickers); without one, only `answers` answer and
    /// everything else is a denial or a cancel.
    pub prompter: Option<Arc<dyn Prompter>>,
    /// Answers to permission prompts given in advance, by scope.
    pub answers: HashMap<String, bool>,
    /// The device the system-info APIs describe.
    pub device: capsule_bridge::Device,
    /// Bytes each app's files may hold (the platform's 200 MiB by default).
    pub file_quota: Option<u64>,
    /// Where instances run unless their launch says otherwise.
    pub isolation: Isolation,
    /// The program started as each worker under [`Isolation::Process`]: one whose `main`
    /// calls [`crate::run_worker_if_requested`] first. By default this process's own program.
    pub worker: Option<WorkerProgram>,
    /// Live instances at most, in either isolation: launching one more ends the one longest
    /// in the background (as the platform does); none is ended while every one is shown.
    pub max_instances: Option<usize>,
    /// Denied permission requests an app may make within a minute before its instances are
    /// ended (an app probing scopes it was refused): 120 by default, two a second, which an
    /// app that merely retries never reaches; `None` never ends one for it.
    pub denied_per_minute: Option<u32>,
}

/// Where an instance runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Isolation {
    /// On the host's logic threads, a QuickJS runtime of its own: a boundary of memory and
    /// time, not of security (development, and hosts that trust their apps).
    #[default]
    InProcess,
    /// In a worker process of its own (`capsule-sandbox`): no descriptor but its channel,
    /// resource limits, Landlock and a seccomp allow-list; everything it reaches goes through
    /// the host over the channel.
    Process,
}

impl Default for HostConfig {
    fn default() -> HostConfig {
        HostConfig {
            data_dir: default_data_dir(),
            policy: None,
            production: false,
            limits: Limits::default(),
            threads: PoolConfig::default(),
            prompter: None,
            answers: HashMap::new(),
            device: capsule_bridge::Device::default(),
            file_quota: None,
            isolation: Isolation::InProcess,
            worker: None,
            denied_per_minute: Some(120),
            max_instances: None,
        }
    }
}

/// `$XDG_DATA_HOME/capsule`, or `~/.local/share/capsule`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir)
        .join("capsule")
}

/// Why a host could not be made or changed.
#[derive(Debug)]
pub enum HostError {
    /// The policy text is wrong (the error names the key).
    Policy(capsule_bridge::PolicyError),
    /// An API could not be registered (its name is taken, or not one a script can call).
    Register(capsule_bridge::RegisterError),
    /// APIs are registered before the first app is loaded: the APIs a script sees are fixed
    /// when the host starts serving.
    Started,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Policy(e) => write!(f, "the policy: {e}"),
            HostError::Register(e) => write!(f, "cannot register the API: {e}"),
            HostError::Started => write!(f, "APIs must be registered before the first app is loaded"),
        }
    }
}

impl std::error::Error for HostError {}

/// What a host reports for monitoring (see [`Host::events`]).
#[derive(Clone, Debug, PartialEq)]
pub enum HostEvent {
    /// An instance of `app` was started.
    Launched { instance: u64, app: String },
    /// An instance ended: a budget ran out, the host ended it, or it could not start.
    Ended { instance: u64, app: String, reason: String, cause: EndCause },
    /// A permission decision of the bridge (also in its audit log).
    Decision(capsule_bridge::Decision),
    /// A rule of the host's policy acted on an app (its instances end with `reason`).
    Policy { app: String, rule: &'static str, reason: String },
}

/// Why an instance ended, for an operator to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndCause {
    /// CPU per callback or per minute.
    Cpu,
    /// The JS heap.
    Heap,
    /// What the host holds for it (data, outputs, inputs waiting), or its render limits.
    Host,
    /// The host ended it (a reload, a handle dropped mid-callback, `InstanceSender::end`).
    EndedByHost,
    /// A fault in host code (a panic), or it could not start.
    Fault,
    /// A rule of the host's policy ([`HostEvent::Policy`]).
    Policy,
    /// Anything else (too many outputs, timers, …).
    Other,
}

impl EndCause {
    /// The cause as a metric's label reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            EndCause::Cpu => "cpu",
            EndCause::Heap => "heap",
            EndCause::Host => "host",
            EndCause::EndedByHost => "ended_by_host",
            EndCause::Fault => "fault",
            EndCause::Policy => "policy",
            EndCause::Other => "other",
        }
    }
}

impl EndCause {
    /// The cause a termination reason names.
    pub fn of(reason: &str) -> EndCause {
        if reason.starts_with("CPU time limit") {
            EndCause::Cpu
        } else if reason.starts_with("heap limit") {
            EndCause::Heap
        } else if reason.starts_with("host limit") || reason.starts_with("render limit") {
            EndCause::Host
        } else if reason == "ended by the host" {
            EndCause::EndedByHost
        } else if reason.starts_with("ended by the host's policy") {
            EndCause::Policy
        } else if reason.starts_with("internal error in the host")
            || reason.starts_with("the instance could not start")
        {
            EndCause::Fault
        } else {
            EndCause::Other
        }
    }
}

/// Monitoring subscribers, each with a bounded queue: a subscriber that does not read loses
/// events (counted) rather than making the host hold them.
#[derive(Default)]
struct Events {
    subscribers: Mutex<Vec<SyncSender<HostEvent>>>,
    lost: std::sync::atomic::AtomicU64,
}

/// Events one subscriber may have waiting.
const EVENTS_WAITING: usize = 4096;

impl Events {
    fn send(&self, event: HostEvent) {
        let mut subscribers = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        subscribers.retain(|s| match s.try_send(event.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.lost.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        });
    }
}

/// The rule against an app probing scopes it was refused: its denials of the last minute.
struct Probing {
    limit: Option<u32>,
    denied: Mutex<HashMap<String, std::collections::VecDeque<std::time::Instant>>>,
}

impl Probing {
    /// Counts a decision; the reason to end the app when it is one denial too many.
    fn denied(&self, d: &capsule_bridge::Decision) -> Option<String> {
        let limit = self.limit?;
        if d.granted {
            return None;
        }
        let now = std::time::Instant::now();
        let mut denied = self.denied.lock().unwrap_or_else(|p| p.into_inner());
        let times = denied.entry(d.app.clone()).or_default();
        times.push_back(now);
        while times.front().is_some_and(|t| now.duration_since(*t) > std::time::Duration::from_secs(60)) {
            times.pop_front();
        }
        if times.len() <= limit as usize {
            return None;
        }
        times.clear();
        Some(format!(
            "ended by the host's policy: more than {limit} denied permission requests within a minute (the last for {} by {})",
            d.scope, d.api
        ))
    }
}

/// Runs mini-programs: the logic threads, the bridge, the budgets, shared by every app.
pub struct Host {
    pool: Arc<Pool>,
    limits: Limits,
    /// The bridge until the first app is loaded (APIs may still be registered), then its
    /// service.
    bridge: Mutex<Option<Bridge>>,
    service: std::sync::OnceLock<Arc<Service>>,
    events: Arc<Events>,
    isolation: Isolation,
    worker: Option<WorkerProgram>,
    monitor: Arc<crate::metrics::Monitor>,
    max_instances: Option<usize>,
}

impl Host {
    /// A host as `config` says. Fails only on a wrong policy.
    pub fn new(config: HostConfig) -> Result<Host, HostError> {
        let events = Arc::new(Events::default());
        let mut options = capsule_bridge::Options {
            prompter: config.prompter,
            device: config.device,
            data_dir: config.data_dir,
            answers: config.answers,
            dev: !config.production,
            file_quota: config.file_quota,
            ..Default::default()
        };
        if let Some(policy) = &config.policy {
            capsule_bridge::parse_policy(policy, &mut options).map_err(HostError::Policy)?;
        }
        let decisions = events.clone();
        let monitor = Arc::new(crate::metrics::Monitor::new());
        let probing = Probing { limit: config.denied_per_minute, denied: Mutex::new(HashMap::new()) };
        let watched = monitor.clone();
        options.on_decision = Some(Arc::new(move |d: &capsule_bridge::Decision| {
            decisions.send(HostEvent::Decision(d.clone()));
            if let Some(reason) = probing.denied(d) {
                watched.end_app(&d.app, &reason);
                decisions.send(HostEvent::Policy { app: d.app.clone(), rule: "denied-requests", reason });
            }
        }));
        Ok(Host {
            pool: Arc::new(Pool::with_config(config.threads)),
            limits: config.limits,
            bridge: Mutex::new(Some(Bridge::new(options))),
            service: std::sync::OnceLock::new(),
            events,
            isolation: config.isolation,
            worker: config.worker,
            monitor,
            max_instances: config.max_instances,
        })
    }

    /// Adds a native API of the host's own (a capability a super-app offers its
    /// mini-programs): `wx.NAME` in every app loaded afterwards, its arguments checked
    /// against `schema`, the person or the policy asked for `scope` (when given) like for
    /// any built-in API, every decision in the audit log, and `handler` run on the bridge's
    /// thread with the app asking and the arguments: `Ok` fields are the answer (with
    /// `NAME:ok`), `Err(reason)` fails it (`NAME:fail reason`). Must come before the first [`Host::load`] / [`Host::app`].
    pub fn register_api(
        &self,
        name: &str,
        schema: Vec<capsule_bridge::Param>,
        scope: Option<&str>,
        handler: impl Fn(&capsule_bridge::App, serde_json::Value) -> Result<serde_json::Value, String>
        + Send
        + Sync
        + 'static,
    ) -> Result<(), HostError> {
        self.register(capsule_bridge::Api::host(name, schema, scope, handler))
    }

    /// Adds an API made with the bridge's own builder, for what [`Host::register_api`] does
    /// not say: a `*Sync` variant (`Api::with_sync`), work too slow for the bridge's thread
    /// (`Api::heavy`), an answer that comes later (`Api::deferred`). The same rules apply.
    pub fn register(&self, api: capsule_bridge::Api) -> Result<(), HostError> {
        let mut bridge = self.bridge.lock().unwrap_or_else(|p| p.into_inner());
        let Some(bridge) = bridge.as_mut() else { return Err(HostError::Started) };
        bridge.add(api).map_err(HostError::Register)
    }

    /// The bridge's service, started on first use.
    fn service(&self) -> &Arc<Service> {
        self.service.get_or_init(|| {
            let bridge = self.bridge.lock().unwrap_or_else(|p| p.into_inner()).take();
            Service::start(bridge.expect("the bridge is taken only here"))
        })
    }

    /// Reads the package at `path` (a folder, `.zip` or `.ma`) and compiles its templates and
    /// styles, once; the [`App`] keeps their warnings. Errors in any of them fail the load.
    pub fn load(&self, path: impl AsRef<Path>, options: &LoadOptions) -> Result<App, LoadError> {
        let package = Package::load(path, options)?;
        let (program, mut diagnostics) = capsule_template::compile_package(&package);
        // An error only its page has (a missing import) lets the app run; that page hears it.
        if diagnostics.stops_the_app() {
            return Err(LoadError { diagnostics });
        }
        let app = self.app(package, program);
        diagnostics.0.extend(app.0.styles_warnings.0.iter().cloned());
        Ok(app)
    }

    /// An app from a package already read and its templates already compiled (a host that
    /// reports their diagnostics itself); its styles are compiled here, once.
    pub fn app(&self, package: impl Into<Arc<Package>>, program: impl Into<Arc<Program>>) -> App {
        let (package, program) = (package.into(), program.into());
        let (styles, styles_warnings) = capsule_style::compile_package(&package);
        let bridge_app = capsule_bridge::App::of(&package.manifest);
        let client: Arc<dyn ApiHost> = self.service().client(bridge_app.clone());
        let apis = ApiSurface::new(&client.surface());
        self.monitor.app(&bridge_app.id, client.clone());
        let styles = Arc::new(styles);
        App(Arc::new(AppParts { package, program, styles, styles_warnings, client, bridge_app, apis }))
    }

    /// Starts an instance of `app` and launches it on `options.page` (the app's entry page
    /// by default). The handle's outputs are everything the instance says but its API calls,
    /// which the bridge answers.
    pub fn launch(&self, app: &App, options: LaunchOptions) -> InstanceHandle {
        let parts = &app.0;
        let mut spawn = capsule_runtime::Spawn::new(
            parts.package.clone(),
            parts.program.clone(),
            options.limits.clone().unwrap_or_else(|| self.limits.clone()),
        );
        spawn.apis = parts.apis.clone();
        let app_id = parts.package.manifest.app_id.id.clone();
        // Each instance has a client of its own at the bridge (ending it ends only its calls),
        // on the device its launch names if it names one.
        let calls = match &options.device {
            Some(device) => {
                let app = capsule_bridge::App { device: Some(device.clone()), ..parts.bridge_app.clone() };
                BridgeOutlet::with_client(self.service().client(app))
            }
            None => BridgeOutlet::new(&parts.client),
        };
        let monitor = self.monitor.clone();
        let counted = app_id.clone();
        let calls = calls.observed(Arc::new(move |api: &str, ok: bool| monitor.answered(&counted, api, ok)));
        spawn.outlet = Some(Arc::new(Watched {
            calls,
            events: self.events.clone(),
            app: app_id.clone(),
            monitor: self.monitor.clone(),
        }));
        if let Some(max) = self.max_instances {
            self.monitor.make_room(max);
        }
        let handle = match options.isolation.unwrap_or(self.isolation) {
            Isolation::InProcess => self.pool.spawn_with(spawn),
            Isolation::Process => {
                capsule_sandbox::spawn(&self.worker.clone().unwrap_or_else(WorkerProgram::current), spawn)
            }
        };
        self.monitor.launched(handle.id(), &app_id, handle.sender());
        self.events.send(HostEvent::Launched { instance: handle.id(), app: app_id });
        handle.send(Input::Launch { path: options.path() });
        handle
    }

    /// A new subscriber to the host's events (each subscriber sees every event from now on;
    /// at most 4,096 wait unread, later ones are lost to it).
    pub fn events(&self) -> Receiver<HostEvent> {
        let (tx, rx) = sync_channel(EVENTS_WAITING);
        self.events.subscribers.lock().unwrap_or_else(|p| p.into_inner()).push(tx);
        rx
    }

    /// Events subscribers lost because they did not read them in time.
    pub fn events_lost(&self) -> u64 {
        self.events.lost.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The host's instances and what they use, in the OpenMetrics text format Prometheus
    /// scrapes (what the simulator serves at `GET /metrics`): `capsule_instances{state}`,
    /// `capsule_instance_heap_bytes{app}`, `capsule_instance_cpu_seconds_total{app}`,
    /// `capsule_worker_rss_bytes{app}`, `capsule_api_calls_total{app,api,result}`,
    /// `capsule_patches_total{app}`, `capsule_terminations_total{app,reason}`,
    /// `capsule_network_bytes_total{app,direction}`, `capsule_storage_bytes{app}`.
    pub fn metrics_text(&self) -> String {
        self.monitor.text()
    }

    /// The logic threads (for a host that also spawns instances itself).
    pub fn pool(&self) -> &Arc<Pool> {
        &self.pool
    }

    /// The budgets instances get by default.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// An app ready to run: its package, templates and styles, compiled once and shared by every
/// instance. Cheap to clone.
#[derive(Clone)]
pub struct App(Arc<AppParts>);

struct AppParts {
    package: Arc<Package>,
    program: Arc<Program>,
    styles: Arc<PackageStyles>,
    styles_warnings: Diagnostics,
    /// The app's door at the bridge (its storage, files, grants, network log).
    client: Arc<dyn ApiHost>,
    /// The app as the bridge knows it (an instance on a device of its own gets a copy).
    bridge_app: capsule_bridge::App,
    apis: ApiSurface,
}

impl App {
    /// Its id (`appid` of the project, or the W3C manifest's `app_id`).
    pub fn id(&self) -> &str {
        &self.0.package.manifest.app_id.id
    }

    /// Its package: files, manifest, sizes, warnings.
    pub fn package(&self) -> &Arc<Package> {
        &self.0.package
    }

    /// Its templates, compiled.
    pub fn program(&self) -> &Arc<Program> {
        &self.0.program
    }

    /// Its stylesheets, compiled.
    pub fn styles(&self) -> &Arc<PackageStyles> {
        &self.0.styles
    }

    /// What the style compiler warned about.
    pub fn style_warnings(&self) -> &Diagnostics {
        &self.0.styles_warnings
    }

    /// The app's door at the bridge, for what a host's tools show of it (storage, network
    /// log, permissions) and for `web-view` origin checks.
    pub fn api(&self) -> &Arc<dyn ApiHost> {
        &self.0.client
    }
}

/// Where and how an instance starts.
#[derive(Clone, Debug, Default)]
pub struct LaunchOptions {
    /// The page (`pages/index/index`), or the app's entry page.
    pub page: Option<String>,
    /// The page's query, as `onLoad` receives it (`a=1&b=2`, without `?`).
    pub query: Option<String>,
    /// The budgets of this instance, over the host's.
    pub limits: Option<Limits>,
    /// The device its system-info APIs describe, over the host's.
    pub device: Option<capsule_bridge::Device>,
    /// Where it runs, over the host's [`HostConfig::isolation`].
    pub isolation: Option<Isolation>,
}

impl LaunchOptions {
    /// The launch path the instance gets (`pages/x/x?a=1`).
    fn path(&self) -> Option<String> {
        match (&self.page, &self.query) {
            (Some(page), Some(query)) if !query.is_empty() => Some(format!("{page}?{query}")),
            (Some(page), _) => Some(page.clone()),
            (None, _) => None,
        }
    }
}

/// The bridge's outlet, reporting the instance's end to the host's events.
struct Watched {
    calls: BridgeOutlet,
    events: Arc<Events>,
    app: String,
    monitor: Arc<crate::metrics::Monitor>,
}

impl Outlet for Watched {
    fn output(&self, from: &InstanceSender, output: Output) -> Option<Output> {
        if let Output::Patches { .. } = &output {
            self.monitor.patched(&self.app);
        }
        if let Output::Terminated { reason } = &output {
            self.monitor.ended(from.id(), &self.app, EndCause::of(reason));
            self.events.send(HostEvent::Ended {
                instance: from.id(),
                app: self.app.clone(),
                reason: reason.clone(),
                cause: EndCause::of(reason),
            });
        }
        self.calls.output(from, output)
    }
}
