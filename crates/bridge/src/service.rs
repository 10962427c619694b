//! Running providers off the logic threads: one bridge worker thread per host takes calls
//! from every instance. A sync call waits for its answer up to a ceiling, after which it
//! fails with `:fail timeout`; an async call is answered through a callback.

use std::sync::Arc;
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use serde_json::{Value, json};

use crate::{App, Bridge, Events};

/// How long a `*Sync` call may block its script.
pub const SYNC_CEILING: Duration = Duration::from_secs(1);

/// What an instance needs of the bridge.
pub trait ApiHost: Send + Sync {
    /// The APIs `wx` offers (see [`Bridge::surface`]).
    fn surface(&self) -> Value;
    /// A `*Sync` call: blocks until the answer or [`SYNC_CEILING`].
    fn call_sync(&self, name: &str, args: Value) -> Value;
    /// An async call: `done` gets the answer, on the bridge's thread.
    fn call_async(&self, name: &str, args: Value, done: Box<dyn FnOnce(Value) + Send>);
    /// An async call that may send `events` before its answer (a request's headers, a
    /// socket's messages); `done` may run on any thread.
    fn call_with_events(&self, name: &str, args: Value, events: Events, done: Box<dyn FnOnce(Value) + Send>) {
        let _ = events;
        self.call_async(name, args, done)
    }
    /// Whether the app may reach `url` (a `web-view` page, a request): the host policy's
    /// domains, and this machine in development. Without a policy, nothing.
    fn check_origin(&self, url: &str) -> Result<(), String> {
        let _ = url;
        Err("no network access".into())
    }
    /// The app's network calls after `since` (developer tools).
    fn network_log(&self, since: u64) -> Vec<Value> {
        let _ = since;
        Vec::new()
    }
    /// The app's permission decisions, oldest first, and its scopes as decided now.
    fn permissions(&self) -> (Vec<crate::Decision>, Value) {
        (Vec::new(), Value::Null)
    }
    /// Sets or forgets (`None`) the decision on a scope, as a person in the developer tools.
    fn set_grant(&self, scope: &str, granted: Option<bool>) {
        let _ = (scope, granted);
    }
    /// The simulated device (its position, sensors), for a host that lets a person move it.
    fn device_state(&self) -> Option<crate::device::DeviceState> {
        None
    }
    /// The bytes of one of the app's files (`wxfile://…`), for a view showing it.
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        Err(format!("no such file or directory, open {path}"))
    }
}

type Job = Box<dyn FnOnce(&Bridge) + Send>;

/// The bridge and its worker thread.
pub struct Service {
    bridge: Arc<Bridge>,
    jobs: Sender<Job>,
}

impl Service {
    pub fn start(bridge: Bridge) -> Arc<Service> {
        let bridge = Arc::new(bridge);
        let (jobs, rx) = channel::<Job>();
        let worker = bridge.clone();
        std::thread::Builder::new()
            .name("capsule-bridge".into())
            .spawn(move || {
                while let Ok(job) = rx.recv() {
                    job(&worker);
                }
            })
            .expect("spawn the bridge thread");
        Arc::new(Service { bridge, jobs })
    }

    pub fn bridge(&self) -> &Bridge {
        &self.bridge
    }

    /// A client for one app's instance.
    pub fn client(self: &Arc<Service>, app: App) -> Arc<Client> {
        Arc::new(Client { service: self.clone(), app: Arc::new(app) })
    }
}

/// One app's way to the bridge.
pub struct Client {
    service: Arc<Service>,
    app: Arc<App>,
}

impl ApiHost for Client {
    fn surface(&self) -> Value {
        self.service.bridge.surface()
    }

    fn call_sync(&self, name: &str, args: Value) -> Value {
        let (tx, rx) = channel();
        let app = self.app.clone();
        let name_owned = name.to_string();
        let job: Job = Box::new(move |bridge| {
            let _ = tx.send(bridge.call(&app, &name_owned, &args, true));
        });
        if self.service.jobs.send(job).is_err() {
            return json!({"errMsg": format!("{name}Sync:fail the bridge is not running")});
        }
        rx.recv_timeout(SYNC_CEILING)
            .unwrap_or_else(|_| json!({"errMsg": format!("{name}Sync:fail timeout")}))
    }

    fn device_state(&self) -> Option<crate::device::DeviceState> {
        Some(self.service.bridge.options.device_state.clone())
    }

    fn network_log(&self, since: u64) -> Vec<Value> {
        self.service.bridge.network_log(&self.app.id, since)
    }

    fn permissions(&self) -> (Vec<crate::Decision>, Value) {
        let bridge = &self.service.bridge;
        let audit = bridge.audit_log().into_iter().filter(|d| d.app == self.app.id).collect();
        (audit, bridge.setting(&self.app))
    }

    fn set_grant(&self, scope: &str, granted: Option<bool>) {
        self.service.bridge.set_grant(&self.app, scope, granted)
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        let real = crate::files::AppFiles::of(&self.service.bridge, &self.app).resolve(path, "open")?;
        std::fs::read(real).map_err(|_| format!("no such file or directory, open {path}"))
    }

    fn check_origin(&self, url: &str) -> Result<(), String> {
        crate::origin::check_kind(url, "webView", &self.service.bridge.options)
    }

    fn call_async(&self, name: &str, args: Value, done: Box<dyn FnOnce(Value) + Send>) {
        self.call_with_events(name, args, Arc::new(|_, _| {}), done)
    }

    fn call_with_events(&self, name: &str, args: Value, events: Events, done: Box<dyn FnOnce(Value) + Send>) {
        let app = self.app.clone();
        let name = name.to_string();
        let job: Job = Box::new(move |bridge| bridge.call_with(&app, &name, &args, false, done, events));
        let _ = self.service.jobs.send(job);
    }
}
