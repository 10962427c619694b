//! Running providers off the logic threads: one bridge thread per host serves the calls of
//! every instance. A sync call waits for its answer up to a ceiling, after which it fails
//! with `:fail timeout`; an async call is answered through a callback.
//!
//! **Fairness.** Each app has its own queue, and the bridge thread serves the apps with
//! calls waiting in turn, one call per turn (round robin); in its turn an app's sync call,
//! if it has one, goes before its async calls — but never before an async call its own
//! instance made earlier (a `task.abort` must not overtake the `request` it aborts): those
//! go first, in the sync call's place. Nothing holds the bridge thread for long: a
//! call that waits on a person (a permission prompt, `openSetting`, a device sheet) or the
//! network is deferred and answers later through a [`crate::Reply`], and a call whose work
//! may take long ([`crate::Api::heavy`]: reading, writing or copying a whole file, walking
//! a folder, decoding an image) runs on a thread of its own while the bridge thread serves
//! the other apps (that app's later calls wait for it, so an app's calls keep their order).
//!
//! **The bound.** So a sync call is answered after at most the call running when it
//! arrived, the async calls its own instance made before it, and one call of each other app
//! with calls waiting per turn — never behind another app's flood, however long (with two
//! apps, one flooding: at most two quick calls ahead of it).
//!
//! **Caps.** An app may have [`MAX_QUEUED`] async calls waiting, holding at most
//! [`MAX_QUEUED_BYTES`] of arguments; past either, a call fails at once with `name:fail
//! too many calls are waiting …`, never silently dropped. (Each instance has at most one
//! sync call waiting: its script is blocked on it.)
//!
//! **Ending.** When an instance ends ([`ApiHost::end`], or its [`Client`] is dropped), its
//! queued calls are dropped unanswered, and its later calls (and calls resumed after a
//! prompt) fail or are dropped, so a flood stops with the app. The network tasks it started
//! and that still run are ended there and then, whatever is queued: its requests, downloads
//! and uploads are aborted and its sockets closed (code 1000, `the app ended`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::{App, Bridge, Events, Job, Resume};

/// Why a socket is closed when the instance that opened it ends.
pub const ENDED_REASON: &str = "the app ended";

/// How long a `*Sync` call may block its script.
pub const SYNC_CEILING: Duration = Duration::from_secs(1);

/// Async calls one app may have waiting for the bridge thread.
pub const MAX_QUEUED: usize = 10_000;

/// Bytes of arguments (estimated from the JSON) one app's waiting async calls may hold.
pub const MAX_QUEUED_BYTES: usize = 64 * 1024 * 1024;

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
    /// Checks a call the host carries out itself before it does (a view API, before the host
    /// forwards it to its view): `Err` is the complete reply to give the script
    /// (`{"errMsg": "showModal:fail parameter error: …"}`). See [`Bridge::check`]; without a
    /// bridge, the view APIs' own table ([`crate::view::check`]).
    fn check(&self, name: &str, args: &Value) -> Result<(), Value> {
        crate::view::check(name, args)
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
    /// Bytes the app sent and received over the network so far (the host's metrics).
    fn network_bytes(&self) -> (u64, u64) {
        (0, 0)
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
    /// The instance using this host has ended: its calls still waiting are dropped, and
    /// later ones fail. Dropping a [`Client`] does the same.
    fn end(&self) {}
    /// A host of its own for one more instance of the same app (sharing its storage, files
    /// and grants), so that ending or dropping it ends only that instance's calls; `None`
    /// when this host cannot tell instances apart (use it as it is).
    fn instance(&self) -> Option<Arc<dyn ApiHost>> {
        None
    }
    /// The bytes of one of the app's files (`wxfile://…`), for a view showing it.
    fn read_file(&self, path: &str) -> Result<Vec<u8>, ReadFileError> {
        Err(ReadFileError::NotFound { path: path.to_string() })
    }
}

/// Why [`ApiHost::read_file`] gave no bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadFileError {
    /// The path names nothing the app may read (outside its areas, through a link,
    /// malformed): why, as the file APIs say it.
    Refused(String),
    /// There is no such file.
    NotFound { path: String },
}

impl std::fmt::Display for ReadFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadFileError::Refused(reason) => f.write_str(reason),
            ReadFileError::NotFound { path } => write!(f, "no such file or directory, open {path}"),
        }
    }
}

impl std::error::Error for ReadFileError {}

impl From<ReadFileError> for String {
    fn from(e: ReadFileError) -> String {
        e.to_string()
    }
}

/// One call waiting for the bridge thread.
struct Task {
    instance: u64,
    /// When the call was made, among all calls (set by [`Scheduler::push`]); 0 for the rest
    /// of a call a person answered, which was made before anything now waiting.
    seq: u64,
    heavy: bool,
    bytes: usize,
    job: Job,
}

/// One app's waiting calls.
#[derive(Default)]
struct Queue {
    sync: VecDeque<Task>,
    calls: VecDeque<Task>,
    bytes: usize,
    /// Async calls waiting in `calls`, by instance (instances with none are absent).
    waiting: HashMap<u64, usize>,
    /// A heavy call of the app is running on a thread of its own.
    busy: bool,
    /// The app is in the turn order.
    in_ring: bool,
}

impl Queue {
    fn is_empty(&self) -> bool {
        self.sync.is_empty() && self.calls.is_empty()
    }

    /// The call this app's turn serves: its first sync call, unless that call's instance made
    /// async calls before it that still wait (the earliest of those goes first, so an
    /// instance's calls keep their order); else its first async call.
    fn take(&mut self) -> Option<Task> {
        let earlier = match self.sync.front() {
            Some(first) if self.waiting.contains_key(&first.instance) => {
                let (instance, seq) = (first.instance, first.seq);
                self.calls.iter().position(|t| t.instance == instance && t.seq < seq)
            }
            Some(_) => None,
            None => Some(0),
        };
        let Some(at) = earlier else { return self.sync.pop_front() };
        let task = self.calls.remove(at)?;
        self.bytes -= task.bytes.min(self.bytes);
        if let Some(n) = self.waiting.get_mut(&task.instance) {
            *n -= 1;
            if *n == 0 {
                self.waiting.remove(&task.instance);
            }
        }
        Some(task)
    }
}

#[derive(Default)]
struct State {
    queues: HashMap<Arc<str>, Queue>,
    /// Apps with calls waiting and none running elsewhere, in turn order.
    ring: VecDeque<Arc<str>>,
    ended: HashSet<u64>,
    /// The last call's [`Task::seq`].
    seq: u64,
    stopped: bool,
}

/// The per-app queues and the bridge thread's turns.
#[derive(Default)]
struct Scheduler {
    state: Mutex<State>,
    ready: Condvar,
}

/// Which of an app's queues a call joins.
#[derive(Clone, Copy, PartialEq)]
enum Lane {
    /// A sync call: first in the app's turn, after its instance's earlier async calls.
    Sync,
    /// The rest of a call a person answered: first in the app's turn.
    Resumed,
    /// An async call: capped.
    Async,
}

impl Scheduler {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, app: &Arc<str>, lane: Lane, mut task: Task) -> Result<(), String> {
        let mut state = self.lock();
        if state.stopped {
            return Err("the bridge is not running".into());
        }
        if state.ended.contains(&task.instance) {
            return Err("the app has ended".into());
        }
        if lane != Lane::Resumed {
            state.seq += 1;
            task.seq = state.seq;
        }
        let queue = state.queues.entry(app.clone()).or_default();
        if lane == Lane::Async {
            if queue.calls.len() >= MAX_QUEUED {
                return Err(format!("too many calls are waiting (at most {MAX_QUEUED} per app)"));
            }
            if queue.bytes + task.bytes > MAX_QUEUED_BYTES && !queue.calls.is_empty() {
                return Err(format!(
                    "too many calls are waiting (at most {} MiB of arguments per app)",
                    MAX_QUEUED_BYTES >> 20
                ));
            }
            queue.bytes += task.bytes;
            *queue.waiting.entry(task.instance).or_default() += 1;
            queue.calls.push_back(task);
        } else {
            queue.sync.push_back(task);
        }
        if !queue.busy && !queue.in_ring {
            queue.in_ring = true;
            state.ring.push_back(app.clone());
        }
        drop(state);
        self.ready.notify_one();
        Ok(())
    }

    /// The next call in turn order, waiting for one; `None` once stopped and drained.
    fn next(&self) -> Option<(Arc<str>, Task)> {
        let mut state = self.lock();
        loop {
            while let Some(app) = state.ring.pop_front() {
                let Some(queue) = state.queues.get_mut(&app) else { continue };
                queue.in_ring = false;
                let Some(task) = queue.take() else { continue };
                if task.heavy {
                    queue.busy = true;
                } else if !queue.is_empty() {
                    queue.in_ring = true;
                    state.ring.push_back(app.clone());
                }
                return Some((app, task));
            }
            if state.stopped {
                return None;
            }
            state = self.ready.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// An app's heavy call finished: its next calls take their turns again.
    fn release(&self, app: &Arc<str>) {
        let mut state = self.lock();
        let Some(queue) = state.queues.get_mut(app) else { return };
        queue.busy = false;
        if !queue.is_empty() && !queue.in_ring {
            queue.in_ring = true;
            state.ring.push_back(app.clone());
            drop(state);
            self.ready.notify_one();
        }
    }

    /// Drops an ended instance's waiting calls and refuses its later ones.
    fn end(&self, app: &Arc<str>, instance: u64) {
        let dropped = {
            let mut state = self.lock();
            state.ended.insert(instance);
            let Some(queue) = state.queues.get_mut(app) else { return };
            let mut dropped = Vec::new();
            for lane in [&mut queue.sync, &mut queue.calls] {
                let (gone, kept): (VecDeque<Task>, VecDeque<Task>) =
                    std::mem::take(lane).into_iter().partition(|t| t.instance == instance);
                *lane = kept;
                dropped.extend(gone);
            }
            queue.bytes = queue.calls.iter().map(|t| t.bytes).sum();
            queue.waiting.remove(&instance);
            if queue.is_empty() && !queue.busy && !queue.in_ring {
                state.queues.remove(app);
            }
            dropped
        };
        // Dropped outside the lock: a dropped call may answer (a resumed call's reply does).
        drop(dropped);
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.ready.notify_all();
    }
}

/// Runs a call's work; a panic in a provider answers that call with an internal error (its
/// reply is dropped) and leaves the thread serving.
fn run(job: Job, bridge: &Bridge) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(bridge)));
}

/// The bridge and its thread.
pub struct Service {
    bridge: Arc<Bridge>,
    scheduler: Arc<Scheduler>,
}

static NEXT_INSTANCE: AtomicU64 = AtomicU64::new(1);

impl Service {
    pub fn start(bridge: Bridge) -> Arc<Service> {
        let bridge = Arc::new(bridge);
        let scheduler = Arc::new(Scheduler::default());
        let (worker, turns) = (bridge.clone(), scheduler.clone());
        std::thread::Builder::new()
            .name("capsule-bridge".into())
            .spawn(move || {
                while let Some((app, task)) = turns.next() {
                    if !task.heavy {
                        run(task.job, &worker);
                        continue;
                    }
                    let (bridge, done) = (worker.clone(), turns.clone());
                    let job = Arc::new(Mutex::new(Some(task.job)));
                    let kept = job.clone();
                    let app_kept = app.clone();
                    let spawned =
                        std::thread::Builder::new().name("capsule-bridge-work".into()).spawn(move || {
                            if let Some(job) = kept.lock().unwrap_or_else(|p| p.into_inner()).take() {
                                run(job, &bridge);
                            }
                            done.release(&app_kept);
                        });
                    if spawned.is_err() {
                        // No thread to spare: the work runs here.
                        if let Some(job) = job.lock().unwrap_or_else(|p| p.into_inner()).take() {
                            run(job, &worker);
                        }
                        turns.release(&app);
                    }
                }
            })
            .expect("spawn the bridge thread");
        Arc::new(Service { bridge, scheduler })
    }

    pub fn bridge(&self) -> &Bridge {
        &self.bridge
    }

    /// A client for one instance of an app.
    pub fn client(self: &Arc<Service>, app: App) -> Arc<Client> {
        let key: Arc<str> = Arc::from(app.id.as_str());
        Arc::new(Client {
            service: self.clone(),
            app: Arc::new(app),
            key,
            instance: NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed),
            started: Arc::default(),
        })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.scheduler.stop();
    }
}

/// One instance's way to the bridge.
pub struct Client {
    service: Arc<Service>,
    app: Arc<App>,
    /// The app's queue.
    key: Arc<str>,
    instance: u64,
    /// The network tasks this instance started, ended with it.
    started: Arc<Mutex<Started>>,
}

impl Drop for Client {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The network tasks one instance started that may still run: a request, download or
/// upload until its answer, a socket until it closes (or its connecting fails).
#[derive(Default)]
struct Started {
    /// The instance has ended: a task that starts now is ended as soon as it has started.
    ended: bool,
    /// Task ids, and whether each is a socket.
    tasks: HashMap<u64, bool>,
}

fn lock_started(started: &Mutex<Started>) -> std::sync::MutexGuard<'_, Started> {
    started.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether a call of `name` starts a task the script drives by its `taskId`: `Some(true)`
/// for a socket, `Some(false)` for a request, download or upload.
fn starts_task(name: &str) -> Option<bool> {
    match name {
        "request" | "downloadFile" | "uploadFile" => Some(false),
        "connectSocket" => Some(true),
        _ => None,
    }
}

/// Ends an ended instance's task as its script would: aborts a request, closes a socket with
/// [`ENDED_REASON`]. A task already over is left alone (the calls find nothing to end).
fn end_task(bridge: &Bridge, app: &App, id: u64, socket: bool) {
    if bridge.net.get().is_none() {
        // The network never started: no task runs.
        return;
    }
    let (name, args) = if socket {
        ("task.close", json!({"taskId": id, "code": 1000, "reason": ENDED_REASON}))
    } else {
        ("task.abort", json!({"taskId": id}))
    };
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bridge.call(app, name, &args, false)));
}

/// Roughly the bytes a call's arguments hold, without recursion (arguments may nest deep).
fn weight(args: &Value) -> usize {
    let mut total = 0;
    let mut stack = vec![args];
    while let Some(v) = stack.pop() {
        total += 16;
        match v {
            Value::String(s) => total += s.len(),
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(m) => {
                for (k, v) in m {
                    total += k.len();
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    total
}

impl Client {
    /// Gives the rest of a call back to this instance's turn (see [`Resume`]).
    fn resume(&self) -> Resume {
        let (scheduler, key, instance) = (self.service.scheduler.clone(), self.key.clone(), self.instance);
        Arc::new(move |job: Job, heavy: bool| {
            let _ = scheduler.push(&key, Lane::Resumed, Task { instance, seq: 0, heavy, bytes: 0, job });
        })
    }

    /// This instance's id among the bridge's clients.
    pub fn instance_id(&self) -> u64 {
        self.instance
    }

    /// Ends the instance: drops its waiting calls, refuses its later ones, and ends the
    /// network tasks it started (here, on the caller's thread: nothing queued can hold it up).
    fn finish(&self) {
        self.service.scheduler.end(&self.key, self.instance);
        let tasks = {
            let mut started = lock_started(&self.started);
            started.ended = true;
            std::mem::take(&mut started.tasks)
        };
        for (id, socket) in tasks {
            end_task(&self.service.bridge, &self.app, id, socket);
        }
    }

    /// Records the task a call starts, until its answer (a socket: until it closes, or its
    /// connecting fails), so that ending the instance ends it.
    fn track(
        &self,
        id: u64,
        socket: bool,
        done: Box<dyn FnOnce(Value) + Send>,
        events: Events,
    ) -> (Box<dyn FnOnce(Value) + Send>, Events) {
        lock_started(&self.started).tasks.insert(id, socket);
        let started = self.started.clone();
        let done: Box<dyn FnOnce(Value) + Send> = Box::new(move |result: Value| {
            let open = socket && result["errMsg"].as_str().is_some_and(|m| m.ends_with(":ok"));
            if !open {
                lock_started(&started).tasks.remove(&id);
            }
            done(result)
        });
        if !socket {
            return (done, events);
        }
        let started = self.started.clone();
        let events: Events = Arc::new(move |name: &str, data: Value| {
            if name == "close" {
                lock_started(&started).tasks.remove(&id);
            }
            events(name, data)
        });
        (done, events)
    }
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
        let heavy = self.service.bridge.is_heavy(name);
        let task = Task { instance: self.instance, seq: 0, heavy, bytes: 0, job };
        let shown = self.service.bridge.shown_name(name, true);
        if let Err(reason) = self.service.scheduler.push(&self.key, Lane::Sync, task) {
            return json!({"errMsg": format!("{shown}:fail {reason}")});
        }
        match rx.recv_timeout(SYNC_CEILING) {
            Ok(answer) => answer,
            Err(RecvTimeoutError::Timeout) => json!({"errMsg": format!("{shown}:fail timeout")}),
            Err(RecvTimeoutError::Disconnected) => {
                json!({"errMsg": format!("{shown}:fail the app has ended")})
            }
        }
    }

    fn end(&self) {
        self.finish();
    }

    fn instance(&self) -> Option<Arc<dyn ApiHost>> {
        Some(self.service.client((*self.app).clone()))
    }

    fn device_state(&self) -> Option<crate::device::DeviceState> {
        Some(self.service.bridge.options.device_state.clone())
    }

    fn network_log(&self, since: u64) -> Vec<Value> {
        self.service.bridge.network_log(&self.app.id, since)
    }

    fn network_bytes(&self) -> (u64, u64) {
        self.service.bridge.network_bytes(&self.app.id)
    }

    fn permissions(&self) -> (Vec<crate::Decision>, Value) {
        let bridge = &self.service.bridge;
        let audit = bridge.audit_log().into_iter().filter(|d| d.app == self.app.id).collect();
        (audit, bridge.setting(&self.app))
    }

    fn set_grant(&self, scope: &str, granted: Option<bool>) {
        self.service.bridge.set_grant(&self.app, scope, granted)
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, ReadFileError> {
        let real = crate::files::AppFiles::of(&self.service.bridge, &self.app)
            .resolve(path, "open")
            .map_err(ReadFileError::Refused)?;
        std::fs::read(real).map_err(|_| ReadFileError::NotFound { path: path.to_string() })
    }

    fn check(&self, name: &str, args: &Value) -> Result<(), Value> {
        self.service.bridge.check(&self.app, name, args)
    }

    fn check_origin(&self, url: &str) -> Result<(), String> {
        crate::origin::check_kind(url, "webView", &self.service.bridge.options)
    }

    fn call_async(&self, name: &str, args: Value, done: Box<dyn FnOnce(Value) + Send>) {
        self.call_with_events(name, args, Arc::new(|_, _| {}), done)
    }

    fn call_with_events(&self, name: &str, args: Value, events: Events, done: Box<dyn FnOnce(Value) + Send>) {
        let bridge = &self.service.bridge;
        let (heavy, bytes) = (bridge.is_heavy(name), weight(&args));
        let shown = bridge.shown_name(name, false);
        let task_id = starts_task(name).zip(args.get("taskId").and_then(Value::as_u64));
        let (done, events) = match task_id {
            Some((socket, id)) => self.track(id, socket, done, events),
            None => (done, events),
        };
        // The answer goes through `done`; if the call is refused, `done` is still here.
        let slot = Arc::new(Mutex::new(Some(done)));
        let kept = slot.clone();
        let (app, name, resume) = (self.app.clone(), name.to_string(), self.resume());
        let started = self.started.clone();
        let job: Job = Box::new(move |bridge| {
            let Some(done) = kept.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
            bridge.call_scheduled(&app, &name, &args, false, done, events, Some(&resume));
            // The instance ended while the task was starting: [`Client::finish`] may have
            // found nothing to end yet, so it ends here.
            if let Some((socket, id)) = task_id
                && lock_started(&started).ended
            {
                end_task(bridge, &app, id, socket);
            }
        });
        let task = Task { instance: self.instance, seq: 0, heavy, bytes, job };
        if let Err(reason) = self.service.scheduler.push(&self.key, Lane::Async, task)
            && let Some(done) = slot.lock().unwrap_or_else(|p| p.into_inner()).take()
        {
            done(json!({"errMsg": format!("{shown}:fail {reason}")}));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call that does nothing, told apart by its instance and lane.
    fn task(instance: u64) -> Task {
        Task { instance, seq: 0, heavy: false, bytes: 1, job: Box::new(|_| {}) }
    }

    /// The order in which the bridge thread takes the waiting calls, as (instance, seq).
    fn served(scheduler: &Scheduler, n: usize) -> Vec<(u64, u64)> {
        (0..n).map(|_| scheduler.next().map(|(_, t)| (t.instance, t.seq)).expect("a call")).collect()
    }

    #[test]
    fn a_sync_call_never_overtakes_its_own_instance_earlier_calls() {
        let scheduler = Scheduler::default();
        let app: Arc<str> = Arc::from("app");
        // Instance 1 makes two async calls (seq 1, 3) and then a sync call (seq 4); instance 2
        // an async call in between (seq 2), and then a sync call (seq 5).
        scheduler.push(&app, Lane::Async, task(1)).unwrap();
        scheduler.push(&app, Lane::Async, task(2)).unwrap();
        scheduler.push(&app, Lane::Async, task(1)).unwrap();
        scheduler.push(&app, Lane::Sync, task(1)).unwrap();
        scheduler.push(&app, Lane::Sync, task(2)).unwrap();
        // Instance 1's sync call waits for its own two async calls (taken in its place, ahead
        // of instance 2's), then goes; instance 2's sync call waits for its async call.
        assert_eq!(served(&scheduler, 5), [(1, 1), (1, 3), (1, 4), (2, 2), (2, 5)]);
        assert!(scheduler.lock().queues.get(&app).is_none_or(|q| q.waiting.is_empty() && q.bytes == 0));
    }

    #[test]
    fn a_sync_call_still_goes_before_the_async_calls_of_other_instances() {
        let scheduler = Scheduler::default();
        let app: Arc<str> = Arc::from("app");
        for _ in 0..3 {
            scheduler.push(&app, Lane::Async, task(2)).unwrap();
        }
        scheduler.push(&app, Lane::Sync, task(1)).unwrap();
        // The rest of a call a person answered was made before anything waiting: first too.
        scheduler.push(&app, Lane::Async, task(3)).unwrap();
        scheduler.push(&app, Lane::Resumed, task(3)).unwrap();
        assert_eq!(served(&scheduler, 6), [(1, 4), (3, 0), (2, 1), (2, 2), (2, 3), (3, 5)]);
    }

    #[test]
    fn an_ended_instance_leaves_nothing_counted() {
        let scheduler = Scheduler::default();
        let app: Arc<str> = Arc::from("app");
        scheduler.push(&app, Lane::Async, task(1)).unwrap();
        scheduler.push(&app, Lane::Async, task(2)).unwrap();
        scheduler.end(&app, 1);
        scheduler.push(&app, Lane::Sync, task(2)).unwrap();
        assert_eq!(served(&scheduler, 2), [(2, 2), (2, 3)]);
        assert!(scheduler.push(&app, Lane::Sync, task(1)).is_err());
    }
}
