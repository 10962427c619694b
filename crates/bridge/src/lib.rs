//! `capsule-bridge` is the only door from a mini-program to the outside: one registry of
//! APIs, each registered once with its name, argument schema, sync-ness and the capability it
//! needs; one place where capabilities are checked, before any provider runs; and the
//! providers (storage here; more come with later issues). It lives in the host: an instance
//! only sends calls and receives results.
//!
//! It owns: argument checking with the platform's wording, permission decisions and their
//! audit log, per-app storage. It must not run package code or know any view.

pub mod device;
pub mod files;
pub mod net;
pub mod origin;
mod policy;
pub mod schema;
pub mod service;
pub mod storage;
pub mod view;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub use policy::{PolicyError, parse_policy};
pub use schema::{Param, Type, optional, required};
use serde_json::{Map, Value, json};
use storage::Store;

/// An app id as a folder name: the id itself when it is a plain name, else a hash of it, so
/// no id can name a parent folder (`..`) or share another id's folder (`a/b` and `a_b`).
pub(crate) fn safe_name(id: &str) -> String {
    let plain = !id.is_empty()
        && id != "."
        && id != ".."
        && id.len() <= 64
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if plain {
        return id.to_string();
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(id.as_bytes());
    format!("id-{}", digest[..16].iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// The app a call comes from.
#[derive(Clone, Debug, Default)]
pub struct App {
    pub id: String,
    /// Scopes the app declares (`permission`, W3C `req_permissions`).
    pub declared: Vec<String>,
    /// Why the app wants each scope (`desc` / `reason`), shown when a person is asked.
    pub reasons: HashMap<String, String>,
    /// `networkTimeout` from `app.json`: the default timeout of each network API.
    pub network_timeout: capsule_package::manifest::NetworkTimeout,
    /// `requiredPrivateInfos`: location APIs the app declares it uses.
    pub private_infos: Vec<String>,
    /// The device this app's system-info APIs describe, over the host's
    /// ([`Options::device`]): a host that shows apps on devices of their own.
    pub device: Option<Device>,
    /// The `ext` object of `ext.json` when it is enabled (`wx.getExtConfigSync()`), else `{}`.
    pub ext_config: Value,
    /// `darkmode: true`: the system-info APIs report the system's `theme`.
    pub darkmode: bool,
}

impl App {
    /// The app a package's manifest describes: its id, and the scopes it declares with
    /// their reasons.
    pub fn of(manifest: &capsule_package::Manifest) -> App {
        App {
            id: manifest.app_id.id.clone(),
            declared: manifest.permissions.iter().map(|p| p.scope.clone()).collect(),
            reasons: manifest.permissions.iter().map(|p| (p.scope.clone(), p.desc.clone())).collect(),
            network_timeout: manifest.network_timeout.clone(),
            private_infos: manifest.required_private_infos.clone(),
            device: None,
            ext_config: manifest.ext_config.clone().unwrap_or_else(|| json!({})),
            darkmode: manifest.darkmode,
        }
    }
}

/// A person's answer to a permission prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Deny,
    /// Granted for this call only.
    Once,
    /// Granted and remembered for the app.
    Always,
}

/// Asks a person (the simulator shows the app's reason). Blocks until they answer; `None`
/// when nobody answers, which is a denial.
pub trait Prompter: Send + Sync {
    fn ask(&self, app: &App, scope: &str, reason: &str) -> Option<Answer>;

    /// Shows the app's settings page (`wx.openSetting`): the scopes decided so far, which
    /// the person may switch; gives the settings as they leave them, or `None` if no page
    /// could be shown.
    fn settings(&self, app: &App, current: &[(String, bool)]) -> Option<Vec<(String, bool)>> {
        let _ = (app, current);
        None
    }

    /// Carries out a request that needs the device's person or hardware: `scanCode`
    /// (`{result}`), `chooseImage` / `chooseMedia` (`{files: [{name, data}]}`),
    /// `chooseLocation` (`{latitude, longitude, name, address}`), `makePhoneCall`
    /// (`{call: true}`). `None`: nobody answered, or they cancelled. Blocks; the bridge calls
    /// it on a thread of its own.
    fn device(&self, app: &App, request: &str, args: &Value) -> Option<Value> {
        let _ = (app, request, args);
        None
    }

    /// Tells the person something that needs no answer: `vibrate` (`{duration}`), `toast`
    /// (`{title}`).
    fn notify(&self, app: &App, what: &str, args: &Value) {
        let _ = (app, what, args);
    }
}

/// What a provider sees of a call.
pub struct Call<'a> {
    pub app: &'a App,
    pub bridge: &'a Bridge,
    pub args: &'a Map<String, Value>,
}

impl Call<'_> {
    /// The device the calling app's system-info APIs describe: its own, or the host's.
    pub fn device(&self) -> Device {
        self.app.device.clone().unwrap_or_else(|| self.bridge.device())
    }

    pub fn str(&self, key: &str) -> &str {
        self.args.get(key).and_then(Value::as_str).unwrap_or("")
    }
}

type Provider = Arc<dyn Fn(&Call<'_>) -> Result<Value, String> + Send + Sync>;

/// Work for the bridge's thread.
pub type Job = Box<dyn FnOnce(&Bridge) + Send>;

/// Puts the rest of a call back in its app's turn on the bridge's thread (a call that waited
/// for a person to answer a prompt); the flag says whether the work is heavy
/// ([`Api::heavy`]). Given by the [`service`], which drops the work if the instance that
/// made the call has ended.
pub type Resume = Arc<dyn Fn(Job, bool) + Send + Sync>;
type Deferred = Arc<dyn Fn(&Call<'_>, Reply) + Send + Sync>;

/// Events a long-running call sends before its answer (`headersReceived`, `progress`, a
/// socket's `message`), by name.
pub type Events = Arc<dyn Fn(&str, Value) + Send + Sync>;

/// Where a deferred provider sends its answer, from any thread, once.
pub struct Reply {
    shown: String,
    /// Taken when the answer is sent; a reply dropped unanswered (a provider that
    /// panicked) answers with an internal error, so the script's callback still runs.
    done: Option<Box<dyn FnOnce(Value) + Send>>,
    events: Events,
}

impl Drop for Reply {
    fn drop(&mut self) {
        if let Some(done) = self.done.take() {
            done(json!({"errMsg": format!("{}:fail internal error", self.shown)}));
        }
    }
}

impl Reply {
    pub fn new(shown: &str, done: Box<dyn FnOnce(Value) + Send>, events: Events) -> Reply {
        Reply { shown: shown.to_string(), done: Some(done), events }
    }

    /// Answers with `name:ok` and the fields of `value`.
    pub fn ok(self, value: Value) {
        let mut value = if value.is_object() { value } else { json!({}) };
        value["errMsg"] = json!(format!("{}:ok", self.shown));
        self.send(value)
    }

    /// Answers with `name:fail reason`.
    pub fn fail(self, reason: &str) {
        let message = json!({"errMsg": format!("{}:fail {reason}", self.shown)});
        self.send(message)
    }

    fn send(mut self, value: Value) {
        if let Some(done) = self.done.take() {
            done(value);
        }
    }

    pub fn finish(self, result: Result<Value, String>) {
        match result {
            Ok(v) => self.ok(v),
            Err(e) => self.fail(&e),
        }
    }

    /// A handle for sending events, which may outlive the answer's being sent.
    pub fn events(&self) -> Events {
        self.events.clone()
    }
}

#[derive(Clone)]
enum Run {
    /// Answers at once, on the bridge's thread.
    Now(Provider),
    /// Starts work elsewhere and answers through a [`Reply`] later.
    Later(Deferred),
    /// The view carries it out: the host forwards the call to its view after
    /// [`Bridge::check`]; the bridge never runs it.
    View,
}

/// An API as registered.
#[derive(Clone)]
pub struct Api {
    pub name: String,
    /// A `nameSync` variant exists, called with `positional` arguments and returning the
    /// result's `returns` field (or the result itself).
    pub sync: bool,
    pub positional: Vec<&'static str>,
    pub returns: Option<&'static str>,
    /// The API is synchronous under its own name (`wx.getWindowInfo()` returns at once) and
    /// has no callback form.
    pub plain: bool,
    /// The capability the API needs, if any.
    pub scope: Option<String>,
    pub params: Vec<Param>,
    /// Where the script finds it: `None` on `wx`, `Some("fs")` on the file system manager.
    pub group: Option<&'static str>,
    /// The scope is the one this argument names (`authorize({scope})`), over `scope`.
    pub scope_arg: Option<&'static str>,
    /// Its work may take long (copying or reading a whole file, walking a folder): the
    /// service runs it on a thread of its own, so the bridge's thread keeps serving the other
    /// apps (the app's own later calls wait for it, keeping their order).
    pub heavy: bool,
    run: Run,
}

impl Api {
    pub fn new(
        name: &str,
        params: Vec<Param>,
        provider: impl Fn(&Call<'_>) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Api {
        Api::with_run(name, params, Run::Now(Arc::new(provider)))
    }

    /// A native API of the host's own (a capability the super-app exposes), behind the same
    /// argument check, capability check and audit log as the built-in ones. Add it with
    /// [`Bridge::add`] before the bridge's [`service::Service`] starts; the script then has
    /// `wx.NAME(options)` (callbacks or a Promise, as every API) and `wx.canIUse('NAME')` is
    /// true.
    ///
    /// `params` is the argument schema ([`Param`]: key, [`Type`], required or not; keys not
    /// listed pass unchecked). With a `scope`, the app must declare it (`permission` in
    /// `app.json`) and the host's policy decide it (allow / deny / prompt) before `handler`
    /// runs; every decision is logged. `handler` runs on the bridge's thread with the app
    /// and the checked argument object, so it should answer quickly (mark slow work
    /// [`Api::heavy`]). Its answer: `Ok(fields)` is the reply `{"errMsg": "NAME:ok",
    /// ...fields}` (a value that is not an object comes as `data`), `Err(reason)` the reply
    /// `{"errMsg": "NAME:fail reason"}`; the bridge writes `errMsg`, so a handler cannot
    /// answer in another API's name.
    ///
    /// ```
    /// use capsule_bridge::{Api, App, Bridge, Type, optional, required};
    /// use serde_json::json;
    ///
    /// let taxi = Api::host(
    ///     "callTaxi",
    ///     vec![required("to", Type::String), optional("seats", Type::Number)],
    ///     Some("scope.userLocation"),
    ///     |app: &App, args| {
    ///         let seats = args["seats"].as_u64().unwrap_or(1);
    ///         if seats > 6 {
    ///             return Err("no taxi has that many seats".into());
    ///         }
    ///         Ok(json!({"booked": format!("{} for {}", args["to"], app.id)}))
    ///     },
    /// );
    /// let mut bridge = Bridge::new(Default::default());
    /// bridge.add(taxi).unwrap();
    /// // The app did not declare the scope: refused before the handler runs.
    /// let reply = bridge.call(&App::default(), "callTaxi", &json!({"to": "home"}), false);
    /// assert_eq!(reply["errMsg"], "callTaxi:fail auth deny");
    /// ```
    pub fn host(
        name: &str,
        params: Vec<Param>,
        scope: Option<&str>,
        handler: impl Fn(&App, Value) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Api {
        let api = Api::new(name, params, move |c| handler(c.app, Value::Object(c.args.clone())));
        match scope {
            Some(scope) => api.needs(scope),
            None => api,
        }
    }

    /// An API whose answer comes later (a network request): the provider starts the work
    /// and answers through the [`Reply`].
    pub fn deferred(
        name: &str,
        params: Vec<Param>,
        provider: impl Fn(&Call<'_>, Reply) + Send + Sync + 'static,
    ) -> Api {
        Api::with_run(name, params, Run::Later(Arc::new(provider)))
    }

    /// An API the view carries out ([`view`]): registered for its schema, `canIUse` and the
    /// API table; the framework sends it as a view call and the host forwards it to its view
    /// once [`Bridge::check`] passes it. [`Bridge::call`] refuses it.
    pub fn view(name: &str, params: Vec<Param>) -> Api {
        Api::with_run(name, params, Run::View)
    }

    /// Whether the view carries the API out ([`Api::view`]).
    pub fn is_view(&self) -> bool {
        matches!(self.run, Run::View)
    }

    fn with_run(name: &str, params: Vec<Param>, run: Run) -> Api {
        Api {
            name: name.into(),
            sync: false,
            positional: Vec::new(),
            returns: None,
            plain: false,
            scope: None,
            params,
            group: None,
            scope_arg: None,
            heavy: false,
            run,
        }
    }

    /// Puts the API on an object other than `wx` (`fs`: the file system manager).
    pub fn in_group(mut self, group: &'static str) -> Api {
        self.group = Some(group);
        self
    }

    /// Adds the `nameSync` variant.
    pub fn with_sync(mut self, positional: &[&'static str], returns: Option<&'static str>) -> Api {
        self.sync = true;
        self.positional = positional.to_vec();
        self.returns = returns;
        self
    }

    /// Makes the API synchronous under its own name, as `wx.getWindowInfo()` is.
    pub fn plain_sync(mut self) -> Api {
        self.sync = true;
        self.plain = true;
        self
    }

    /// Needs the capability `scope` (`scope.userLocation`): checked, and the decision
    /// logged, before the provider runs.
    pub fn needs(mut self, scope: &str) -> Api {
        self.scope = Some(scope.to_string());
        self
    }

    /// Needs the scope that the argument `key` names.
    pub fn needs_named(mut self, key: &'static str) -> Api {
        self.scope_arg = Some(key);
        self
    }

    /// The API as [`Bridge::surface`] lists it.
    pub(crate) fn surface_entry(&self) -> Value {
        json!({
            "name": self.name, "sync": self.sync, "plain": self.plain, "positional": self.positional,
            "returns": self.returns, "group": self.group, "view": self.is_view(),
        })
    }

    /// The scope a call with these (checked) arguments needs, if any.
    fn scope_for(&self, args: &Map<String, Value>) -> Option<String> {
        match self.scope_arg {
            Some(key) => Some(args.get(key).and_then(Value::as_str).unwrap_or("").to_string()),
            None => self.scope.clone(),
        }
    }

    /// Marks the API's work as possibly long (see [`Api::heavy`]).
    pub fn heavy(mut self) -> Api {
        self.heavy = true;
        self
    }
}

/// What the host allows for a scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Allow,
    Deny,
    /// Ask the person (headless: the answer given in advance, else a denial).
    Prompt,
}

/// Decisions the audit log keeps (the most recent).
pub const MAX_AUDIT: usize = 10_000;

/// One permission decision, for the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub app: String,
    pub api: String,
    pub scope: String,
    pub granted: bool,
    /// Why: `policy allow`, `policy deny`, `remembered`, `answered`, `not declared`,
    /// `no answer`, `sync API cannot prompt`.
    pub reason: String,
    /// Milliseconds since the Unix epoch.
    pub time: u64,
}

/// The device the host presents, for the system-info APIs.
#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    pub model: String,
    pub platform: String,
    pub system: String,
    /// CSS pixels.
    pub width: u32,
    pub height: u32,
    pub pixel_ratio: f64,
    pub status_bar: u32,
    pub safe_bottom: u32,
    /// What `wx.getNetworkType` reports (`wifi`, `4g`, `none`, …).
    pub network_type: String,
}

impl Default for Device {
    fn default() -> Device {
        Device {
            model: "iPhone SE".into(),
            platform: "devtools".into(),
            system: "iOS 16.0".into(),
            width: 375,
            height: 667,
            pixel_ratio: 2.0,
            status_bar: 20,
            safe_bottom: 0,
            network_type: "wifi".into(),
        }
    }
}

/// How the host runs the bridge.
#[derive(Clone, Default)]
pub struct Options {
    /// Who answers prompts; without one (headless) only `answers` do.
    pub prompter: Option<Arc<dyn Prompter>>,
    /// The device the system-info APIs describe.
    pub device: Device,
    /// Where each app's storage lives (a folder per app id).
    pub data_dir: PathBuf,
    /// Rules per scope; scopes not listed prompt.
    pub rules: HashMap<String, Rule>,
    /// Rules for one app, over `rules`.
    pub app_rules: HashMap<String, HashMap<String, Rule>>,
    /// Network origins the host allows, for every kind of call.
    pub domains: Vec<String>,
    /// Origins allowed for one kind of call only (`request`, `socket`, `uploadFile`,
    /// `downloadFile`, `webView`).
    pub kind_domains: HashMap<String, Vec<String>>,
    /// Development mode: `http://127.0.0.1` is allowed besides the listed https origins.
    pub dev: bool,
    /// Bytes each app's files may hold (default [`files::DEFAULT_QUOTA`]).
    pub file_quota: Option<u64>,
    /// Limits of the network APIs (default [`net::NetLimits::default`]).
    pub net: net::NetLimits,
    /// The simulated device: position, sensors, clipboard.
    pub device_state: device::DeviceState,
    /// Answers to prompts given in advance (`capsule exec --grant` / `--deny`).
    pub answers: HashMap<String, bool>,
    /// Told of every permission decision as it is logged (a host's monitoring), on the
    /// thread that decided; it must not block.
    pub on_decision: Option<DecisionWatch>,
}

/// Told of each permission decision as it is logged ([`Options::on_decision`]).
pub type DecisionWatch = Arc<dyn Fn(&Decision) + Send + Sync>;

/// Why [`Bridge::add`] refused an API.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// An API of that name is registered already (built-in or added).
    Taken { name: String },
    /// The script could not call an API of that name: each dot-separated part must be a
    /// JavaScript identifier (`callTaxi`, `fs.readThing`).
    BadName { name: String },
}

impl std::fmt::Display for RegisterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegisterError::Taken { name } => write!(f, "an API named `{name}` is registered already"),
            RegisterError::BadName { name } => write!(
                f,
                "`{name}` cannot be an API name: each part must be a JavaScript identifier (letters, digits, `_`, `$`; not a digit first)"
            ),
        }
    }
}

impl std::error::Error for RegisterError {}

impl From<RegisterError> for String {
    fn from(e: RegisterError) -> String {
        e.to_string()
    }
}

/// Why [`Bridge::store`] could not give an app's storage.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageError {
    /// The app's database under the data folder could not be opened or made: why.
    Open { app: String, reason: String },
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::Open { reason, .. } => f.write_str(reason),
        }
    }
}

impl std::error::Error for StorageError {}

/// A provider's failure reason (`getStorage:fail …`) is the message.
impl From<StorageError> for String {
    fn from(e: StorageError) -> String {
        e.to_string()
    }
}

/// The registry, the permission state and the providers' state of one host.
pub struct Bridge {
    pub(crate) apis: HashMap<String, Api>,
    pub(crate) options: Options,
    grants: Arc<Mutex<Grants>>,
    /// Prompts waiting on the person, by app and scope, with the calls waiting on each.
    prompts: Arc<Mutex<Prompts>>,
    /// Each app's running count of the bytes its files hold.
    pub(crate) file_accounts: Mutex<HashMap<String, Arc<Mutex<files::Account>>>>,
    /// The last [`MAX_AUDIT`] decisions, oldest first.
    audit: Mutex<std::collections::VecDeque<Decision>>,
    stores: Mutex<HashMap<String, Arc<Store>>>,
    net: std::sync::OnceLock<net::Net>,
    /// The last network calls of every app, for the developer tools.
    pub(crate) net_log: Arc<Mutex<NetLog>>,
    /// Bytes each app sent and received over the network (request bodies, uploads; response
    /// bodies, downloads), for the host's metrics.
    traffic: Arc<Mutex<HashMap<String, (u64, u64)>>>,
    /// Apps with a device request waiting on the person.
    pub(crate) asking: Arc<Mutex<HashMap<String, usize>>>,
    /// What [`Bridge::surface`] gives, built on first use (after every API is registered).
    surface: std::sync::OnceLock<Value>,
}

/// Each app's decisions on its scopes, remembered.
type Grants = HashMap<(String, String), bool>;

/// Prompts waiting on the person, by app and scope, with the calls waiting on each.
type Prompts = HashMap<(String, String), Vec<Waiting>>;

/// Calls one app may have waiting on one prompt; more fail at once.
const MAX_WAITING_ON_PROMPT: usize = 64;

/// Requests one app may have waiting on the person at once (prompts, settings pages, device
/// sheets): each holds a thread. More fail at once.
pub(crate) const MAX_WAITING_ON_PERSON: usize = 4;

/// A call waiting for a person's answer to a prompt.
struct Waiting {
    app: App,
    api: String,
    shown: String,
    scope: String,
    args: Map<String, Value>,
    reply: Reply,
    resume: Resume,
    heavy: bool,
}

/// One of an app's waits on a person; dropping it ends the wait.
pub(crate) struct PersonSlot {
    asking: Arc<Mutex<HashMap<String, usize>>>,
    app: String,
}

impl Drop for PersonSlot {
    fn drop(&mut self) {
        let mut asking = self.asking.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = asking.get_mut(&self.app) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                asking.remove(&self.app);
            }
        }
    }
}

/// What the capability check concludes without a person.
enum Verdict {
    Decided(bool, &'static str),
    /// A person must be asked.
    Ask,
}

/// Counts one app's network bytes as they go and come.
#[derive(Clone)]
pub(crate) struct Traffic {
    map: Arc<Mutex<HashMap<String, (u64, u64)>>>,
    app: String,
}

impl Traffic {
    pub(crate) fn sent(&self, n: usize) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).entry(self.app.clone()).or_default().0 += n as u64;
    }

    pub(crate) fn received(&self, n: usize) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).entry(self.app.clone()).or_default().1 += n as u64;
    }
}

/// Network calls as the developer tools list them: a sequence number, the app, the entry.
#[derive(Default)]
pub(crate) struct NetLog {
    next: u64,
    entries: std::collections::VecDeque<(u64, String, Value)>,
}

/// Network calls kept for the developer tools, across apps.
const NET_LOG_SIZE: usize = 500;

impl NetLog {
    pub(crate) fn push(&mut self, app: &str, mut entry: Value) {
        self.next += 1;
        entry["seq"] = json!(self.next);
        self.entries.push_back((self.next, app.to_string(), entry));
        while self.entries.len() > NET_LOG_SIZE {
            self.entries.pop_front();
        }
    }
}

impl Bridge {
    pub fn new(options: Options) -> Bridge {
        let mut bridge = Bridge {
            apis: HashMap::new(),
            options,
            grants: Arc::new(Mutex::new(HashMap::new())),
            prompts: Arc::new(Mutex::new(HashMap::new())),
            file_accounts: Mutex::new(HashMap::new()),
            audit: Mutex::new(std::collections::VecDeque::new()),
            stores: Mutex::new(HashMap::new()),
            net: std::sync::OnceLock::new(),
            net_log: Arc::new(Mutex::new(NetLog::default())),
            traffic: Arc::new(Mutex::new(HashMap::new())),
            asking: Arc::new(Mutex::new(HashMap::new())),
            surface: std::sync::OnceLock::new(),
        };
        let all = builtin_apis().into_iter().chain(files::apis()).chain(net::apis()).chain(device::apis());
        for api in all.chain(view::apis()) {
            bridge.register(api);
        }
        bridge
    }

    /// Registers an API, replacing any of the same name (a host replacing a built-in, a test
    /// standing in for one). To add an API of the host's own, use [`Bridge::add`], which
    /// refuses a name already taken.
    pub fn register(&mut self, api: Api) {
        self.apis.insert(api.name.clone(), api);
        self.surface = std::sync::OnceLock::new();
    }

    /// Adds an API of the host's own ([`Api::host`], or any [`Api`]) to the registry, before
    /// the bridge's [`service::Service`] starts (it takes the bridge). Refused: a name
    /// already registered (built-in or added), and a name the script could not call as
    /// `wx.NAME` (each dot-separated part must be a JavaScript identifier).
    pub fn add(&mut self, api: Api) -> Result<(), RegisterError> {
        let identifier = |part: &str| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        };
        if !api.name.split('.').all(identifier) {
            return Err(RegisterError::BadName { name: api.name });
        }
        if self.apis.contains_key(&api.name) {
            return Err(RegisterError::Taken { name: api.name });
        }
        self.register(api);
        Ok(())
    }

    /// Every API registered (built in, the view's, the host's own), by name: the README's API
    /// table is made from this.
    pub fn apis(&self) -> Vec<&Api> {
        let mut apis: Vec<&Api> = self.apis.values().collect();
        apis.sort_by(|a, b| a.name.cmp(&b.name));
        apis
    }

    /// The APIs the script offers, for the framework: name, whether a `Sync` variant exists,
    /// its positional arguments and the result field it returns, where the script finds it
    /// (`group`: `null` for `wx`), and whether the view carries it out (`view`: the framework
    /// sends it with `native.viewCall` instead of to the bridge).
    ///
    /// ```
    /// let bridge = capsule_bridge::Bridge::new(Default::default());
    /// let surface = bridge.surface();
    /// let toast = surface.as_array().unwrap().iter().find(|a| a["name"] == "showToast").unwrap();
    /// assert_eq!(toast["view"], true);
    /// ```
    pub fn surface(&self) -> Value {
        self.surface.get_or_init(|| self.build_surface()).clone()
    }

    fn build_surface(&self) -> Value {
        Value::Array(self.apis().into_iter().map(Api::surface_entry).collect())
    }

    pub fn audit_log(&self) -> Vec<Decision> {
        self.audit.lock().unwrap_or_else(|p| p.into_inner()).iter().cloned().collect()
    }

    /// `app`'s network calls after `since` (a sequence number from an earlier entry).
    /// Bytes `app` sent and received over the network so far.
    pub fn network_bytes(&self, app: &str) -> (u64, u64) {
        self.traffic.lock().unwrap_or_else(|p| p.into_inner()).get(app).copied().unwrap_or_default()
    }

    /// Where an app's network bytes are counted.
    pub(crate) fn traffic(&self, app: &str) -> Traffic {
        Traffic { map: self.traffic.clone(), app: app.to_string() }
    }

    pub fn network_log(&self, app: &str, since: u64) -> Vec<Value> {
        let log = self.net_log.lock().unwrap_or_else(|p| p.into_inner());
        log.entries.iter().filter(|(seq, a, _)| *seq > since && a == app).map(|(_, _, e)| e.clone()).collect()
    }

    /// Sets (`Some`) or forgets (`None`: the next use asks again) a person's decision on a
    /// scope for `app`, as the developer tools' permissions panel does.
    pub fn set_grant(&self, app: &App, scope: &str, granted: Option<bool>) {
        let mut grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
        let key = (app.id.clone(), scope.to_string());
        match granted {
            Some(g) => {
                grants.insert(key, g);
            }
            None => {
                grants.remove(&key);
            }
        }
    }

    /// `app`'s scopes as decided now (`wx.getSetting`'s answer).
    pub fn setting(&self, app: &App) -> Value {
        self.settings(app)
    }

    /// The app's storage, opened once.
    pub fn store(&self, app: &App) -> Result<Arc<Store>, StorageError> {
        let mut stores = self.stores.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = stores.get(&app.id) {
            return Ok(s.clone());
        }
        let store = Store::open(&self.options.data_dir.join(safe_name(&app.id)))
            .map_err(|reason| StorageError::Open { app: app.id.clone(), reason })?;
        let store = Arc::new(store);
        stores.insert(app.id.clone(), store.clone());
        Ok(store)
    }

    /// Calls `name` for `app`: checks the arguments, then the capability, then runs the
    /// provider. The result always has `errMsg` (`name:ok` or `name:fail reason`). `sync`
    /// marks a `nameSync` call, which never prompts. A deferred API (a network request)
    /// cannot be called this way.
    pub fn call(&self, app: &App, name: &str, args: &Value, sync: bool) -> Value {
        let (tx, rx) = std::sync::mpsc::channel();
        let done: Box<dyn FnOnce(Value) + Send> = Box::new(move |v| {
            let _ = tx.send(v);
        });
        let deferred = self.apis.get(name).is_some_and(|a| matches!(a.run, Run::Later(_)));
        if deferred {
            let shown = if sync { format!("{name}Sync") } else { name.to_string() };
            return json!({"errMsg": format!("{shown}:fail not supported")});
        }
        self.call_with(app, name, args, sync, done, Arc::new(|_, _| {}));
        rx.try_recv().unwrap_or_else(|_| json!({"errMsg": format!("{name}:fail no answer")}))
    }

    /// Calls `name` for `app`, answering through `done` (at once, or later for a deferred
    /// API) after any `events`. A prompt, if the call needs one, is asked on this thread
    /// (the service instead defers the call until the person answers: see
    /// [`Bridge::call_scheduled`]).
    pub fn call_with(
        &self,
        app: &App,
        name: &str,
        args: &Value,
        sync: bool,
        done: Box<dyn FnOnce(Value) + Send>,
        events: Events,
    ) {
        self.call_scheduled(app, name, args, sync, done, events, None)
    }

    /// The name a call's `errMsg` shows: a grouped API (`fs.readFile`) by its own name, a
    /// sync call as `nameSync` (unless the API is sync under its own name).
    pub fn shown_name(&self, name: &str, sync: bool) -> String {
        let plain = self.apis.get(name).is_some_and(|a| a.plain);
        let bare = name.rsplit_once('.').map_or(name, |(_, n)| n);
        if sync && !plain { format!("{bare}Sync") } else { bare.to_string() }
    }

    /// Whether `name`'s work may take long ([`Api::heavy`]).
    pub fn is_heavy(&self, name: &str) -> bool {
        self.apis.get(name).is_some_and(|a| a.heavy)
    }

    /// As [`Bridge::call_with`]; with `resume`, a call that must wait for a person's answer
    /// to a prompt returns at once, and its rest (the decision, the provider) comes back
    /// through `resume` when they answer, so no prompt holds the calling thread.
    #[allow(clippy::too_many_arguments)]
    pub fn call_scheduled(
        &self,
        app: &App,
        name: &str,
        args: &Value,
        sync: bool,
        done: Box<dyn FnOnce(Value) + Send>,
        events: Events,
        resume: Option<&Resume>,
    ) {
        let shown = self.shown_name(name, sync);
        let reply = Reply::new(&shown, done, events);
        let Some(api) = self.apis.get(name) else { return reply.fail("not supported") };
        let args = match schema::check_args(&api.params, args) {
            Ok(args) => args,
            Err(reason) => return reply.fail(&reason),
        };
        let scope = api.scope_for(args);
        if let Some(scope) = scope {
            let (granted, reason) =
                match (self.verdict(app, &scope, sync.then_some("sync API cannot prompt")), resume) {
                    (Verdict::Decided(granted, reason), _) => (granted, reason),
                    (Verdict::Ask, None) => self.ask(app, &scope),
                    (Verdict::Ask, Some(resume)) => {
                        let waiting = Waiting {
                            app: app.clone(),
                            api: name.to_string(),
                            shown,
                            scope,
                            args: args.clone(),
                            reply,
                            resume: resume.clone(),
                            heavy: api.heavy,
                        };
                        return self.ask_later(waiting);
                    }
                };
            self.log_decision(app, &shown, &scope, granted, reason);
            if !granted {
                return reply.fail("auth deny");
            }
        }
        self.run(api, app, args, reply);
    }

    /// Runs the provider of a call that passed its checks.
    fn run(&self, api: &Api, app: &App, args: &Map<String, Value>, reply: Reply) {
        let call = Call { app, bridge: self, args };
        match &api.run {
            Run::Now(provider) => match provider(&call) {
                Ok(result) if result.is_object() => reply.ok(result),
                Ok(result) => reply.ok(json!({"data": result})),
                Err(reason) => reply.fail(&reason),
            },
            Run::Later(provider) => provider(&call, reply),
            Run::View => reply.fail("not supported by the bridge: the view carries it out"),
        }
    }

    /// Checks a call before the host carries it out elsewhere (a view API, before the host
    /// forwards it to its view): the API exists, its arguments fit its schema, and the
    /// capability it needs, if any, is granted — the same checks, in the same words, as
    /// [`Bridge::call`] makes, with capability decisions logged to the [`Bridge::audit_log`]
    /// as it logs them (argument refusals are not decisions and are not logged). A check
    /// never asks a person: a scope not decided yet is refused. `Err` is the complete reply
    /// to give the script.
    ///
    /// ```
    /// use capsule_bridge::{App, Bridge};
    /// use serde_json::json;
    ///
    /// let bridge = Bridge::new(Default::default());
    /// let app = App::default();
    /// assert!(bridge.check(&app, "showModal", &json!({"title": "Delete?"})).is_ok());
    /// assert_eq!(
    ///     bridge.check(&app, "showModal", &json!({"title": 1})),
    ///     Err(json!({"errMsg": "showModal:fail parameter error: parameter.title should be String instead of Number"}))
    /// );
    /// ```
    pub fn check(&self, app: &App, name: &str, args: &Value) -> Result<(), Value> {
        let shown = self.shown_name(name, false);
        let fail = |reason: &str| json!({"errMsg": format!("{shown}:fail {reason}")});
        let Some(api) = self.apis.get(name) else { return Err(fail("not supported")) };
        let args = schema::check_args(&api.params, args).map_err(|reason| fail(&reason))?;
        if let Some(scope) = api.scope_for(args) {
            let (granted, reason) = match self.verdict(app, &scope, Some("a checked call cannot prompt")) {
                Verdict::Decided(granted, reason) => (granted, reason),
                Verdict::Ask => (false, "a checked call cannot prompt"),
            };
            self.log_decision(app, &shown, &scope, granted, reason);
            if !granted {
                return Err(fail("auth deny"));
            }
        }
        Ok(())
    }

    /// The capability check, in one place: declared, then the host's rule, then what was
    /// remembered or answered in advance, then the person. Every decision is logged.
    /// What the capability check concludes before any person is asked; `no_prompt` is why
    /// no person may be asked for this call (a sync call), if none may.
    fn verdict(&self, app: &App, scope: &str, no_prompt: Option<&'static str>) -> Verdict {
        if !app.declared.iter().any(|s| s == scope) {
            return Verdict::Decided(false, "not declared");
        }
        let rule = self
            .options
            .app_rules
            .get(&app.id)
            .and_then(|r| r.get(scope))
            .or_else(|| self.options.rules.get(scope));
        match rule.copied().unwrap_or(Rule::Prompt) {
            Rule::Allow => Verdict::Decided(true, "policy allow"),
            Rule::Deny => Verdict::Decided(false, "policy deny"),
            Rule::Prompt => {
                let mut grants = self.grants.lock().unwrap_or_else(|p| p.into_inner());
                let key = (app.id.clone(), scope.to_string());
                match (grants.get(&key).copied(), no_prompt, self.options.answers.get(scope).copied()) {
                    (Some(g), _, _) => Verdict::Decided(g, "remembered"),
                    (None, Some(why), _) => Verdict::Decided(false, why),
                    (None, None, Some(answer)) => {
                        grants.insert(key, answer);
                        Verdict::Decided(answer, "answered")
                    }
                    (None, None, None) if self.options.prompter.is_none() => {
                        Verdict::Decided(false, "no answer")
                    }
                    (None, None, None) => Verdict::Ask,
                }
            }
        }
    }

    fn log_decision(&self, app: &App, api: &str, scope: &str, granted: bool, reason: &str) {
        let time = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let decision = Decision {
            app: app.id.clone(),
            api: api.to_string(),
            scope: scope.to_string(),
            granted,
            reason: reason.to_string(),
            time,
        };
        if let Some(watch) = &self.options.on_decision {
            watch(&decision);
        }
        let mut audit = self.audit.lock().unwrap_or_else(|p| p.into_inner());
        // An app calling a denied API in a loop must not grow the log without end: the
        // oldest go (a host that keeps them all watches `Options::on_decision`).
        if audit.len() >= MAX_AUDIT {
            audit.pop_front();
        }
        audit.push_back(decision);
    }

    /// Asks the person on this thread, if there is a prompter, and remembers an `Always` or
    /// a `Deny`.
    fn ask(&self, app: &App, scope: &str) -> (bool, &'static str) {
        let Some(prompter) = &self.options.prompter else { return (false, "no answer") };
        let reason = app.reasons.get(scope).map_or("", String::as_str);
        decide(&self.grants, app, scope, prompter.ask(app, scope, reason))
    }

    /// One of `app`'s waits on a person, or why it may not wait now.
    pub(crate) fn person_slot(&self, app: &str) -> Result<PersonSlot, String> {
        let mut waiting = self.asking.lock().unwrap_or_else(|p| p.into_inner());
        let n = waiting.entry(app.to_string()).or_insert(0);
        if *n >= MAX_WAITING_ON_PERSON {
            return Err("too many requests are waiting for the person".into());
        }
        *n += 1;
        Ok(PersonSlot { asking: self.asking.clone(), app: app.to_string() })
    }

    /// Asks the person on a thread of its own; the call (and any other call of the app
    /// waiting on the same scope, which joins it rather than asking again) goes on through
    /// its `resume` once they answer.
    fn ask_later(&self, waiting: Waiting) {
        let key = (waiting.app.id.clone(), waiting.scope.clone());
        let mut prompts = self.prompts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(list) = prompts.get_mut(&key) {
            if list.len() >= MAX_WAITING_ON_PROMPT {
                drop(prompts);
                return waiting.reply.fail("too many requests are waiting for the person");
            }
            return list.push(waiting);
        }
        let slot = match self.person_slot(&waiting.app.id) {
            Ok(slot) => slot,
            Err(e) => {
                drop(prompts);
                return waiting.reply.fail(&e);
            }
        };
        let Some(prompter) = self.options.prompter.clone() else { return waiting.reply.fail("auth deny") };
        let app = waiting.app.clone();
        let reason = app.reasons.get(&waiting.scope).cloned().unwrap_or_default();
        prompts.insert(key.clone(), vec![waiting]);
        drop(prompts);
        let shared_key = key.clone();
        let (grants, pending) = (self.grants.clone(), self.prompts.clone());
        let spawned = std::thread::Builder::new().name("capsule-prompt".into()).spawn(move || {
            let answer = prompter.ask(&app, &key.1, &reason);
            let (granted, why) = decide(&grants, &app, &key.1, answer);
            drop(slot);
            let waiting = pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&key).unwrap_or_default();
            for w in waiting {
                let (resume, heavy) = (w.resume.clone(), w.heavy);
                resume(Box::new(move |bridge: &Bridge| bridge.after_prompt(w, granted, why)), heavy);
            }
        });
        if spawned.is_err() {
            // The waiting calls' replies are dropped with the list: each answers with an
            // internal error.
            self.prompts.lock().unwrap_or_else(|p| p.into_inner()).remove(&shared_key);
        }
    }

    /// The rest of a call once the person answered its prompt.
    fn after_prompt(&self, w: Waiting, granted: bool, reason: &'static str) {
        self.log_decision(&w.app, &w.shown, &w.scope, granted, reason);
        if !granted {
            return w.reply.fail("auth deny");
        }
        let Some(api) = self.apis.get(&w.api) else { return w.reply.fail("not supported") };
        self.run(api, &w.app, &w.args, w.reply);
    }

    /// `wx.getSetting`: the scopes decided for this app so far.
    fn settings(&self, app: &App) -> Value {
        settings_of(&self.grants, &self.options.rules, self.options.app_rules.get(&app.id), app)
    }
}

/// Turns a person's answer into the decision, remembering an `Always` or a `Deny`.
fn decide(grants: &Mutex<Grants>, app: &App, scope: &str, answer: Option<Answer>) -> (bool, &'static str) {
    let remember = |granted: bool| {
        grants.lock().unwrap_or_else(|p| p.into_inner()).insert((app.id.clone(), scope.to_string()), granted);
    };
    match answer {
        Some(Answer::Always) => {
            remember(true);
            (true, "allowed by the person, always")
        }
        Some(Answer::Once) => (true, "allowed by the person, once"),
        Some(Answer::Deny) => {
            remember(false);
            (false, "denied by the person")
        }
        None => (false, "no answer"),
    }
}

/// The scopes decided for `app`: remembered grants, then the host's rules for the scopes it
/// declares.
fn settings_of(
    grants: &Mutex<Grants>,
    rules: &HashMap<String, Rule>,
    app_rules: Option<&HashMap<String, Rule>>,
    app: &App,
) -> Value {
    let grants = grants.lock().unwrap_or_else(|p| p.into_inner());
    let mut setting = Map::new();
    for ((a, scope), granted) in grants.iter() {
        if *a == app.id {
            setting.insert(scope.clone(), json!(granted));
        }
    }
    for scope in &app.declared {
        let rule = app_rules.and_then(|r| r.get(scope)).or_else(|| rules.get(scope));
        if let Some(rule) = rule
            && *rule != Rule::Prompt
        {
            setting.entry(scope.clone()).or_insert(json!(*rule == Rule::Allow));
        }
    }
    json!({"authSetting": setting})
}

/// What the system-info APIs report, from the device profile: the window is the screen
/// less the status bar and the 44 px navigation bar (a page with the default bar).
fn window_info(d: &Device) -> Value {
    let window_height = d.height.saturating_sub(d.status_bar + 44);
    json!({
        "pixelRatio": d.pixel_ratio, "screenWidth": d.width, "screenHeight": d.height,
        "windowWidth": d.width, "windowHeight": window_height, "statusBarHeight": d.status_bar, "screenTop": 0,
        "safeArea": {"left": 0, "right": d.width, "top": d.status_bar, "bottom": d.height - d.safe_bottom,
                     "width": d.width, "height": d.height - d.safe_bottom - d.status_bar},
    })
}

fn device_info(d: &Device) -> Value {
    json!({"brand": "devtools", "model": d.model, "system": d.system, "platform": d.platform, "benchmarkLevel": 1})
}

/// As the platform answers: `theme` only to an app with `darkmode: true`.
fn app_base_info(c: &Call<'_>) -> Value {
    let mut info = json!({"SDKVersion": "3.0.0", "version": "8.0.5", "language": "en", "enableDebug": false, "host": {"env": "capsule"}});
    if c.app.darkmode {
        info["theme"] = json!(if c.bridge.device_state().is_dark() { "dark" } else { "light" });
    }
    info
}

fn merge(values: &[Value]) -> Value {
    let mut out = Map::new();
    for v in values {
        if let Value::Object(m) = v {
            out.extend(m.clone());
        }
    }
    Value::Object(out)
}

fn builtin_apis() -> Vec<Api> {
    use Type::*;
    vec![
        Api::new("getSystemInfo", vec![], |c| {
            let d = &c.device();
            let mut info = merge(&[window_info(d), device_info(d), app_base_info(c)]);
            info["fontSizeSetting"] = json!(16);
            Ok(info)
        })
        .with_sync(&[], None),
        Api::new("getWindowInfo", vec![], |c| Ok(window_info(&c.device()))).plain_sync(),
        Api::new("getDeviceInfo", vec![], |c| Ok(device_info(&c.device()))).plain_sync(),
        Api::new("getAppBaseInfo", vec![], |c| Ok(app_base_info(c))).plain_sync(),
        // The phone's own switches: the simulator's are all on, with portrait orientation.
        Api::new("getSystemSetting", vec![], |_| {
            Ok(json!({"bluetoothEnabled": true, "locationEnabled": true, "wifiEnabled": true, "deviceOrientation": "portrait"}))
        })
        .plain_sync(),
        // What the phone lets WeChat do; the app's own grants are `getSetting`'s.
        Api::new("getAppAuthorizeSetting", vec![], |_| {
            let authorized = "authorized";
            Ok(json!({
                "albumAuthorized": authorized, "bluetoothAuthorized": authorized, "cameraAuthorized": authorized,
                "locationAuthorized": authorized, "locationReducedAccuracy": false,
                "microphoneAuthorized": authorized, "notificationAuthorized": authorized,
                "notificationAlertAuthorized": authorized, "notificationBadgeAuthorized": authorized,
                "notificationSoundAuthorized": authorized, "phoneCalendarAuthorized": authorized,
            }))
        })
        .plain_sync(),
        Api::new("getMenuButtonBoundingClientRect", vec![], |c| {
            // The capsule button: 87 × 32 px, 7 px from the right edge, centred in the bar.
            let d = &c.device();
            let top = d.status_bar + 6;
            let right = d.width - 7;
            Ok(json!({"width": 87, "height": 32, "top": top, "bottom": top + 32, "left": right - 87, "right": right}))
        })
        .plain_sync(),
        // `ext.json`'s `ext`, as the package loader read it.
        Api::new("getExtConfig", vec![], |c| {
            let ext = if c.app.ext_config.is_object() { c.app.ext_config.clone() } else { json!({}) };
            Ok(json!({"extConfig": ext}))
        })
            .with_sync(&[], Some("extConfig")),
        Api::new("setStorage", vec![required("key", String), required("data", Any)], |c| {
            let bytes = c.args.get("data").map(|d| d.to_string()).unwrap_or_default();
            c.bridge.store(c.app)?.set(c.str("key"), bytes.as_bytes())?;
            Ok(json!({}))
        })
        .with_sync(&["key", "data"], None),
        Api::new("getStorage", vec![required("key", String)], |c| {
            match c.bridge.store(c.app)?.get(c.str("key"))? {
                Some(bytes) => Ok(json!({"data": serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null)})),
                None => Err("data not found".into()),
            }
        })
        .with_sync(&["key"], Some("data")),
        Api::new("removeStorage", vec![required("key", String)], |c| {
            c.bridge.store(c.app)?.remove(c.str("key"))?;
            Ok(json!({}))
        })
        .with_sync(&["key"], None),
        Api::new("clearStorage", vec![], |c| {
            c.bridge.store(c.app)?.clear()?;
            Ok(json!({}))
        })
        .with_sync(&[], None),
        Api::new("getStorageInfo", vec![], |c| {
            let store = c.bridge.store(c.app)?;
            let size = store.size()?;
            Ok(json!({"keys": store.keys()?, "currentSize": size.div_ceil(1024), "limitSize": storage::MAX_TOTAL / 1024}))
        })
        .with_sync(&[], None),
        // authorize is itself the prompt for the scope it names.
        Api::new("authorize", vec![required("scope", String)], |_| Ok(json!({}))).needs_named("scope"),
        Api::new("getSetting", vec![], |c| Ok(c.bridge.settings(c.app))),
        // The settings page, where a person can switch what was decided; without one to show
        // (headless), what is set now. The person is waited for on a thread of its own.
        Api::deferred("openSetting", vec![], |c, reply| {
            let current = c.bridge.settings(c.app);
            let Some(prompter) = c.bridge.options.prompter.clone() else { return reply.ok(current) };
            let slot = match c.bridge.person_slot(&c.app.id) {
                Ok(slot) => slot,
                Err(e) => return reply.fail(&e),
            };
            let decided: Vec<(std::string::String, bool)> = current["authSetting"]
                .as_object()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_bool().unwrap_or(false))).collect())
                .unwrap_or_default();
            let app = c.app.clone();
            let grants = c.bridge.grants.clone();
            let rules = c.bridge.options.rules.clone();
            let app_rules = c.bridge.options.app_rules.get(&app.id).cloned();
            let _ = std::thread::Builder::new().name("capsule-settings".into()).spawn(move || {
                if let Some(changed) = prompter.settings(&app, &decided) {
                    let mut grants = grants.lock().unwrap_or_else(|p| p.into_inner());
                    for (scope, granted) in changed {
                        if decided.iter().any(|(s, _)| *s == scope) {
                            grants.insert((app.id.clone(), scope), granted);
                        }
                    }
                }
                drop(slot);
                reply.ok(settings_of(&grants, &rules, app_rules.as_ref(), &app));
            });
        }),
        Api::new("login", vec![], |c| {
            // A local code: the simulator is its own auth provider.
            let n = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            Ok(json!({"code": format!("local-{}-{:x}", c.app.id.len(), n)}))
        }),
        Api::new("checkSession", vec![], |_| Ok(json!({}))),
        Api::new("getUserInfo", vec![], |_| Ok(anonymous_profile())),
        Api::new("getUserProfile", vec![required("desc", String)], |_| Ok(anonymous_profile())),
    ]
}

/// What the platform answers today for user info without a prompt: an anonymous profile.
fn anonymous_profile() -> Value {
    let user = json!({"nickName": "微信用户", "avatarUrl": "", "gender": 0, "country": "", "province": "", "city": "", "language": ""});
    json!({"userInfo": user, "rawData": user.to_string(), "signature": "", "encryptedData": "", "iv": ""})
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn app_folders_cannot_climb_or_collide() {
        assert_eq!(safe_name("wx0123456789abcdef"), "wx0123456789abcdef");
        for id in ["..", ".", "", "a/b", "a_b/..", &"x".repeat(65)] {
            let name = safe_name(id);
            assert!(name.starts_with("id-") && name.len() == 35, "{id}: {name}");
        }
        assert_ne!(safe_name("a/b"), safe_name("a_b"));
    }

    #[test]
    fn the_audit_log_keeps_the_latest_decisions_only() {
        let bridge = super::Bridge::new(super::Options::default());
        let app = super::App { id: "looping".into(), ..Default::default() };
        for i in 0..super::MAX_AUDIT + 5 {
            bridge.log_decision(&app, &format!("api{i}"), "scope.x", false, "not declared");
        }
        let log = bridge.audit_log();
        assert_eq!(log.len(), super::MAX_AUDIT);
        assert_eq!(log[0].api, "api5");
        assert_eq!(log.last().map(|d| d.api.clone()), Some(format!("api{}", super::MAX_AUDIT + 4)));
    }
}
