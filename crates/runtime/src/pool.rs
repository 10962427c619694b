//! Logic threads: a few threads drive many instances, and no instance can hold up another.
//!
//! Instances are not tied to a thread. Each lives in a slot with its queue of inputs; a slot
//! with work waits in one run queue, and whichever logic thread is free takes the instance
//! out, handles one input (then its due timers), puts it back, and queues it again behind the
//! others if it has more (see `movable.rs` for why an instance may change threads between
//! callbacks). So every instance with work is served in turn, and one input of one instance
//! runs on one thread at a time.
//!
//! A callback may legally run for seconds (up to the CPU budget per callback), and a render
//! may be long too. When every logic thread has been busy with one callback for longer than a
//! slice ([`PoolConfig::slice`], 20 ms by default) while other instances have work waiting, a
//! watchdog starts one more thread for them (up to [`PoolConfig::max_threads`]); extra threads
//! end after a few seconds without work. A well-behaved instance therefore waits for a free
//! thread at most about one slice, whatever its neighbours do, and an idle host has no thread
//! awake: idle threads sleep until the next input or the next timer due.
//!
//! What the host holds for an instance counts: inputs waiting for the script (an answer of
//! the bridge, a socket's messages) are weighed as they are queued, and past the instance's
//! host budget ([`Limits::host`]) the instance ends with the reason.
//!
//! A panic in the host code while handling an instance ends that instance with the reason;
//! the thread, the pool and every other instance go on.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use capsule_js::{Canceller, Limits};
use capsule_package::Package;
use capsule_template::Program;

use crate::held::HostMeter;
use crate::instance::Instance;
use crate::message::{Input, Output};
use crate::movable::Movable;
use crate::port::{Outlet, Port, SyncCell};

/// The native stack each logic thread gets; QuickJS's own limit stays well below it.
pub const LOGIC_THREAD_STACK: usize = 8 * 1024 * 1024;

/// How the logic threads are sized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolConfig {
    /// Threads that always run.
    pub threads: usize,
    /// Threads at most, counting the watchdog's extra ones.
    pub max_threads: usize,
    /// How long every thread may be busy with one callback while other instances wait
    /// before the watchdog starts another thread.
    pub slice: Duration,
}

impl Default for PoolConfig {
    fn default() -> PoolConfig {
        PoolConfig { threads: 2, max_threads: 32, slice: Duration::from_millis(20) }
    }
}

/// How long an extra thread stays without work before it ends.
const EXTRA_THREAD_IDLE: Duration = Duration::from_secs(5);

/// What an instance is made of, and where its outputs go.
pub struct Spawn {
    /// The app's package.
    pub package: Arc<Package>,
    /// Its templates, compiled.
    pub program: Arc<Program>,
    /// The instance's budgets.
    pub limits: Limits,
    /// The APIs `wx` offers, as a JSON list (`[{name, sync, …}]`, see
    /// [`crate::ApiSurface`]); the script sends calls of these as [`Output::ApiCall`].
    pub apis: crate::ApiSurface,
    /// Sees every output as it leaves (on the logic thread, in order) and may take it: a
    /// host answers API calls there. Without one, every output goes to the handle.
    pub outlet: Option<Arc<dyn Outlet>>,
}

impl Spawn {
    /// An instance offering no APIs, whose outputs all go to its handle.
    pub fn new(package: Arc<Package>, program: Arc<Program>, limits: Limits) -> Spawn {
        Spawn { package, program, limits, apis: crate::ApiSurface::none(), outlet: None }
    }
}

struct Start {
    package: Arc<Package>,
    program: Arc<Program>,
    limits: Limits,
    apis: crate::ApiSurface,
    meter: Arc<HostMeter>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Turn {
    /// Nothing to do, or only timers not yet due.
    Idle,
    /// In the run queue.
    Queued,
    /// Out of its slot, on a logic thread.
    Running,
}

struct Slot {
    /// `None` before the instance is made, and while it runs.
    instance: Option<Movable>,
    start: Option<Start>,
    /// Inputs waiting, with their weights.
    inbox: VecDeque<(Input, usize)>,
    /// What the host holds for the instance; the inputs in `inbox` are weighed here.
    meter: Arc<HostMeter>,
    /// Why the host ends the instance at its next turn.
    breach: Option<String>,
    /// Where its outputs go.
    port: Port,
    turn: Turn,
    /// When its next timer is due (kept in `State::timers` while idle).
    due: Option<Instant>,
    /// The handle is gone: the slot goes when the instance is back.
    dropped: bool,
    /// Ends the instance's script wherever it is (once the instance exists).
    cancel: Option<Canceller>,
    /// Since when the app is in the background (its host hid it), and whether its timers and
    /// callbacks are suspended now; see [`Background`].
    background: Option<Instant>,
    suspended: bool,
    policy: Background,
    /// The instance's heap and CPU after its last turn.
    vitals: (usize, Duration),
}

/// What a host's monitoring reads of an instance at any time, without asking it
/// ([`InstanceSender::vitals`]): figures from after its last turn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vitals {
    /// Bytes of JS heap (`None` where the transport cannot tell: a worker process).
    pub heap: Option<usize>,
    /// CPU its callbacks used so far (a worker: its whole process's).
    pub cpu: Duration,
    /// Resident memory of its own process (a worker), in bytes.
    pub rss: Option<u64>,
    /// Where it is: shown, in the background, or suspended there.
    pub state: VitalState,
    /// How long it has been in the background (`None`: shown).
    pub background_for: Option<Duration>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VitalState {
    #[default]
    Shown,
    Background,
    Suspended,
}

impl VitalState {
    pub fn as_str(self) -> &'static str {
        match self {
            VitalState::Shown => "shown",
            VitalState::Background => "background",
            VitalState::Suspended => "suspended",
        }
    }
}

/// The platform's background policy for one instance: after `grace` in the background its
/// timers and callbacks are suspended — what falls due or arrives meanwhile is kept, and runs
/// once it is shown again; the host's questions are still answered — and after `limit` it is
/// ended. An app that declares `requiredBackgroundModes` keeps running in the background.
#[derive(Clone, Copy, Debug)]
struct Background {
    grace: Duration,
    limit: Duration,
    stays_awake: bool,
}

impl Background {
    /// When the slot's policy next has something to do, in the background since `since`.
    fn due(&self, since: Instant, suspended: bool) -> Instant {
        if suspended || self.stays_awake { since + self.limit } else { since + self.grace.min(self.limit) }
    }
}

/// What a suspended app still hears, ahead of what is kept for it: that it is shown again,
/// and the host's questions.
fn heard_when_suspended(input: &Input) -> bool {
    matches!(input, Input::Show | Input::Query { .. })
}

/// How a duration reads in a reason: `30 min`, `5 s`, `250 ms`.
fn spoken(d: Duration) -> String {
    match d.as_millis() {
        ms if ms >= 60_000 && ms % 60_000 == 0 => format!("{} min", ms / 60_000),
        ms if ms >= 1000 && ms % 1000 == 0 => format!("{} s", ms / 1000),
        ms => format!("{ms} ms"),
    }
}

#[derive(Default)]
struct State {
    slots: HashMap<u64, Slot>,
    run_queue: VecDeque<u64>,
    /// Idle instances by their next timer.
    timers: BTreeSet<(Instant, u64)>,
    /// For each thread: since when it runs a callback (`None`: waiting for work).
    busy: HashMap<u64, Option<Instant>>,
    idle: usize,
    next_thread: u64,
    stopping: bool,
}

struct Sched {
    config: PoolConfig,
    state: Mutex<State>,
    /// Threads waiting for work.
    work: Condvar,
    /// The watchdog, waiting for every thread to be busy while work waits.
    watchdog: Condvar,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// A set of logic threads.
pub struct Pool {
    sched: Arc<Sched>,
    watchdog: Option<JoinHandle<()>>,
}

/// The host's end of one instance.
pub struct InstanceHandle {
    id: u64,
    owner: Owner,
    from_instance: Receiver<Output>,
}

/// Where a handle's instance runs: on this pool's threads, or elsewhere (a worker process),
/// reached through a [`Remote`].
enum Owner {
    Pool(Arc<Sched>),
    Remote(Arc<dyn Remote>),
}

/// A clonable, thread-safe way to send inputs to an instance whose outputs another owner
/// of its [`InstanceHandle`] receives. It does not keep the pool (or the worker) alive.
#[derive(Clone)]
pub struct InstanceSender {
    id: u64,
    target: Target,
}

#[derive(Clone)]
enum Target {
    Pool(Weak<Sched>),
    Remote(Weak<dyn Remote>),
}

/// An instance that runs outside this pool (in a worker process), as its transport reaches
/// it: the handle's inputs go through [`Remote::send`], and the transport delivers the
/// instance's outputs to the channel given to [`InstanceHandle::remote`].
pub trait Remote: Send + Sync {
    /// Sends an input to the instance (nothing once it is gone).
    fn send(&self, input: Input);
    /// Ends the instance now for `reason`; its handle then hears `Terminated` with it.
    fn end(&self, reason: &str);
    /// The handle is gone: the instance ends without telling anyone.
    fn close(&self);
    /// The handle's owner took `output` off the handle (what the transport queued for it is
    /// that much less).
    fn received(&self, _output: &Output) {}
    /// What the transport can tell of the instance without asking it.
    fn vitals(&self) -> Option<Vitals> {
        None
    }
}

/// A fresh instance id, unique in this process whichever pool or transport runs it.
pub fn next_instance_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

enum Job {
    Start(Start),
    Input(Input),
    Timers,
    Breach(String),
}

impl Pool {
    /// Starts `threads` logic threads (at least one), with the default slice and ceiling.
    pub fn new(threads: usize) -> Pool {
        let threads = threads.max(1);
        Pool::with_config(PoolConfig {
            threads,
            max_threads: PoolConfig::default().max_threads.max(threads),
            ..PoolConfig::default()
        })
    }

    pub fn with_config(config: PoolConfig) -> Pool {
        let config = PoolConfig {
            threads: config.threads.max(1),
            max_threads: config.max_threads.max(config.threads.max(1)),
            slice: config.slice,
        };
        let sched = Arc::new(Sched {
            config,
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            watchdog: Condvar::new(),
            threads: Mutex::new(Vec::new()),
        });
        for _ in 0..sched.config.threads {
            start_thread(&sched, false);
        }
        let watched = sched.clone();
        let watchdog = std::thread::Builder::new()
            .name("capsule-watchdog".into())
            .spawn(move || watchdog(watched))
            .expect("spawn the logic threads' watchdog");
        Pool { sched, watchdog: Some(watchdog) }
    }

    /// Creates an instance offering no APIs, all of whose outputs go to its handle.
    pub fn spawn(&self, package: Arc<Package>, program: Arc<Program>, limits: Limits) -> InstanceHandle {
        self.spawn_with(Spawn::new(package, program, limits))
    }

    /// Creates an instance; it is made on the first free thread.
    pub fn spawn_with(&self, spawn: Spawn) -> InstanceHandle {
        let Spawn { package, program, limits, apis, outlet } = spawn;
        let id = next_instance_id();
        let (out, from_instance) = channel();
        let meter = Arc::new(HostMeter::new(limits.host));
        let me = InstanceSender { id, target: Target::Pool(Arc::downgrade(&self.sched)) };
        let policy = Background {
            grace: limits.background_grace,
            limit: limits.background_limit,
            stays_awake: !package.manifest.required_background_modes.is_empty(),
        };
        let slot = Slot {
            instance: None,
            start: Some(Start { package, program, limits, apis, meter: meter.clone() }),
            inbox: VecDeque::new(),
            meter,
            breach: None,
            port: Port { me, out, outlet, sync: Arc::new(SyncCell::default()) },
            turn: Turn::Idle,
            due: None,
            dropped: false,
            cancel: None,
            background: None,
            suspended: false,
            policy,
            vitals: (0, Duration::ZERO),
        };
        let mut state = self.sched.lock();
        state.slots.insert(id, slot);
        self.sched.enqueue(&mut state, id);
        drop(state);
        InstanceHandle { id, owner: Owner::Pool(self.sched.clone()), from_instance }
    }

    /// Logic threads running now (the watchdog's extra ones included).
    pub fn threads(&self) -> usize {
        self.sched.lock().busy.len()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let left: Vec<Slot> = {
            let mut state = self.sched.lock();
            state.stopping = true;
            for slot in state.slots.values() {
                if let Some(cancel) = &slot.cancel {
                    cancel.cancel();
                }
                slot.port.sync.cancel();
            }
            state.run_queue.clear();
            state.timers.clear();
            state.slots.drain().map(|(_, s)| s).collect()
        };
        self.sched.work.notify_all();
        self.sched.watchdog.notify_all();
        if let Some(w) = self.watchdog.take() {
            let _ = w.join();
        }
        loop {
            let Some(thread) = self.sched.threads.lock().unwrap_or_else(|p| p.into_inner()).pop() else {
                break;
            };
            let _ = thread.join();
        }
        for slot in left {
            if let Some(instance) = slot.instance {
                end(instance);
            }
        }
    }
}

impl Sched {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; a poisoned lock still holds a sound state.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts an idle slot in the run queue and wakes a thread for it.
    fn enqueue(&self, state: &mut State, id: u64) {
        let Some(slot) = state.slots.get_mut(&id) else { return };
        if slot.turn != Turn::Idle {
            return;
        }
        slot.turn = Turn::Queued;
        if let Some(due) = slot.due {
            state.timers.remove(&(due, id));
        }
        state.run_queue.push_back(id);
        if state.idle > 0 {
            self.work.notify_one();
        } else {
            self.watchdog.notify_one();
        }
    }

    fn send(&self, id: u64, input: Input) {
        // The answer to a sync call goes to the script waiting for it, not to the queue.
        if let Input::ApiReply { call, .. } = &input
            && crate::port::is_sync_call(*call)
        {
            let cell = self.lock().slots.get(&id).map(|s| s.port.sync.clone());
            if let (Some(cell), Input::ApiReply { call, result }) = (cell, input) {
                cell.answer(call, result);
            }
            return;
        }
        // Weighed before the lock: a big answer is walked while other threads go on.
        let weight = input.weight();
        let mut state = self.lock();
        let Some(slot) = state.slots.get_mut(&id) else { return };
        let small = weight <= crate::held::FIXED;
        // An instance about to be ended still answers the host's questions.
        if slot.breach.is_some() && !small {
            return;
        }
        // A suspended app hears only that it is shown again and the host's questions, both
        // before what is kept for it; the rest waits for it to be shown.
        let jumps = slot.suspended && heard_when_suspended(&input);
        if matches!(input, Input::Show) {
            slot.suspended = false;
        }
        if !small && !slot.meter.admits(weight) {
            // What waits is dropped at once; the instance ends at its next turn.
            slot.breach = Some(slot.meter.breach("inputs waiting for the script"));
            slot.inbox.clear();
            slot.meter.inputs.store(0, Ordering::Relaxed);
        } else {
            slot.meter.inputs.fetch_add(weight, Ordering::Relaxed);
            if jumps {
                slot.inbox.push_front((input, weight));
            } else {
                slot.inbox.push_back((input, weight));
            }
        }
        if slot.suspended && !jumps && slot.breach.is_none() {
            return;
        }
        self.enqueue(&mut state, id);
    }

    /// The next thing to do: the first queued instance, else the first idle one whose timer is
    /// due. The instance leaves its slot.
    fn take_job(&self, state: &mut State, now: Instant) -> Option<(u64, Option<Movable>, Job)> {
        // An entry whose slot is gone (its handle was dropped), or a suspended app with
        // nothing it may hear, is skipped.
        let (id, slot) = loop {
            let id = match state.run_queue.pop_front() {
                Some(id) => id,
                None => {
                    let &(due, id) = state.timers.first()?;
                    if due > now {
                        return None;
                    }
                    state.timers.remove(&(due, id));
                    id
                }
            };
            let Some(slot) = state.slots.get_mut(&id) else { continue };
            if slot.start.is_none()
                && slot.breach.is_none()
                && let Some(since) = slot.background
            {
                if now >= since + slot.policy.limit {
                    slot.breach =
                        Some(format!("ended after {} in the background", spoken(slot.policy.limit)));
                } else if !slot.policy.stays_awake && now >= since + slot.policy.grace {
                    slot.suspended = true;
                }
                let hears = slot.inbox.front().is_some_and(|(i, _)| heard_when_suspended(i));
                if slot.suspended && slot.breach.is_none() && !hears {
                    let due = slot.policy.due(since, true);
                    slot.turn = Turn::Idle;
                    slot.due = Some(due);
                    state.timers.insert((due, id));
                    continue;
                }
            }
            break (id, state.slots.get_mut(&id).expect("checked above"));
        };
        slot.turn = Turn::Running;
        let job = if let Some(start) = slot.start.take() {
            Job::Start(start)
        } else if let Some(reason) = slot.breach.take() {
            Job::Breach(reason)
        } else if let Some((input, weight)) = slot.inbox.pop_front() {
            match input {
                Input::Hide => slot.background = slot.background.or(Some(now)),
                Input::Show => {
                    slot.background = None;
                    slot.suspended = false;
                }
                _ => {}
            }
            let _ = slot
                .meter
                .inputs
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_sub(weight)));
            Job::Input(input)
        } else {
            Job::Timers
        };
        Some((id, slot.instance.take(), job))
    }

    /// An instance back from a thread: into its slot, and queued again if it has more to do.
    fn put_back(&self, state: &mut State, id: u64, instance: Option<Movable>) -> Option<Movable> {
        let Some(slot) = state.slots.get_mut(&id) else { return instance };
        if slot.dropped {
            state.slots.remove(&id);
            return instance;
        }
        slot.turn = Turn::Idle;
        slot.due = instance.as_ref().and_then(|i| i.0.next_due());
        if let Some(i) = &instance {
            slot.vitals = (i.0.heap_used(), i.0.cpu_total());
        }
        if let Some(since) = slot.background {
            let policy = slot.policy.due(since, slot.suspended);
            slot.due = Some(if slot.suspended { policy } else { slot.due.map_or(policy, |d| d.min(policy)) });
        }
        let hears = !slot.suspended || slot.inbox.front().is_some_and(|(i, _)| heard_when_suspended(i));
        let more = (!slot.inbox.is_empty() && hears) || slot.breach.is_some();
        slot.instance = instance;
        if more {
            self.enqueue(state, id);
        } else if let Some(due) = slot.due {
            state.timers.insert((due, id));
        }
        None
    }
}

fn start_thread(sched: &Arc<Sched>, extra: bool) {
    let mut state = sched.lock();
    let n = state.next_thread;
    state.next_thread += 1;
    state.busy.insert(n, None);
    drop(state);
    let own = sched.clone();
    let thread = std::thread::Builder::new()
        .name(format!("capsule-logic-{n}"))
        .stack_size(LOGIC_THREAD_STACK)
        .spawn(move || logic_thread(own, n, extra));
    match thread {
        Ok(handle) => sched.threads.lock().unwrap_or_else(|p| p.into_inner()).push(handle),
        // Out of threads: the ones running go on serving every instance.
        Err(_) => {
            sched.lock().busy.remove(&n);
        }
    }
}

fn logic_thread(sched: Arc<Sched>, me: u64, extra: bool) {
    let mut state = sched.lock();
    let mut idle_since = Instant::now();
    loop {
        if state.stopping {
            state.busy.remove(&me);
            return;
        }
        let now = Instant::now();
        if let Some((id, instance, job)) = sched.take_job(&mut state, now) {
            state.busy.insert(me, Some(now));
            drop(state);
            let mut instance = instance;
            let ended = run(&sched, id, &mut instance, job);
            state = sched.lock();
            state.busy.insert(me, None);
            let orphan = if ended { instance } else { sched.put_back(&mut state, id, instance) };
            if let Some(orphan) = orphan {
                drop(state);
                end(orphan);
                state = sched.lock();
            }
            idle_since = Instant::now();
            continue;
        }
        if extra && now.duration_since(idle_since) >= EXTRA_THREAD_IDLE {
            state.busy.remove(&me);
            return;
        }
        let next_due = state.timers.first().map(|(due, _)| due.saturating_duration_since(now));
        let mut wait = next_due.unwrap_or(Duration::from_secs(3600));
        if extra {
            wait = wait.min(EXTRA_THREAD_IDLE);
        }
        state.idle += 1;
        state = sched.work.wait_timeout(state, wait).map(|(s, _)| s).unwrap_or_else(|p| p.into_inner().0);
        state.idle -= 1;
    }
}

/// Runs one job of instance `id` on this thread. `true` when the slot is gone (the instance
/// could not start, or its host code panicked): the caller drops what is left.
fn run(sched: &Arc<Sched>, id: u64, instance: &mut Option<Movable>, job: Job) -> bool {
    let out = match sched.lock().slots.get(&id) {
        Some(slot) => slot.port.clone(),
        None => return true,
    };
    let result = catch_unwind(AssertUnwindSafe(|| match job {
        Job::Start(start) => {
            match Instance::start(
                start.package,
                start.program,
                start.limits,
                start.apis,
                Some(out.clone()),
                start.meter,
            ) {
                Ok(made) => {
                    if let Some(slot) = sched.lock().slots.get_mut(&id) {
                        slot.cancel = Some(made.canceller());
                    }
                    *instance = Some(Movable(Box::new(made)));
                    Ok(Vec::new())
                }
                Err(reason) => Err(format!("the instance could not start: {reason}")),
            }
        }
        Job::Input(input) => Ok(instance.as_mut().map_or_else(Vec::new, |i| i.0.handle(input))),
        Job::Timers => Ok(instance.as_mut().map_or_else(Vec::new, |i| {
            // Only inputs are answered with Done, so a host can wait for one.
            i.0.run_timers(Instant::now()).into_iter().filter(|o| !matches!(o, Output::Done)).collect()
        })),
        Job::Breach(reason) => Ok(instance.as_mut().map_or_else(Vec::new, |i| i.0.end(reason))),
    }));
    let outputs = match result {
        Ok(Ok(outputs)) => outputs,
        Ok(Err(reason)) => {
            let _ = out.try_send(Output::Terminated { reason });
            out.to_handle(Output::Done);
            sched.lock().slots.remove(&id);
            return true;
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            host_fault(sched, id, &out, instance, what);
            return true;
        }
    };
    // What the input caused (its `Done` included) goes out before any timer runs.
    for o in outputs {
        if let Err(what) = out.try_send(o) {
            host_fault(sched, id, &out, instance, what);
            return true;
        }
    }
    // Timers due by now run after the input, in the same turn (not for a suspended app
    // answering the host's question: they wait for it to be shown).
    let suspended = sched.lock().slots.get(&id).is_some_and(|s| s.suspended);
    if let Some(i) = instance.as_mut()
        && !suspended
        && i.0.next_due().is_some_and(|d| d <= Instant::now())
    {
        let more = match catch_unwind(AssertUnwindSafe(|| i.0.run_timers(Instant::now()))) {
            Ok(more) => more,
            Err(_) => {
                host_fault(sched, id, &out, instance, "a timer".into());
                return true;
            }
        };
        for o in more.into_iter().filter(|o| !matches!(o, Output::Done)) {
            if let Err(what) = out.try_send(o) {
                host_fault(sched, id, &out, instance, what);
                return true;
            }
        }
    }
    false
}

/// Host code panicked while handling instance `id` (`what` the panic said): the instance ends
/// with the reason, and what it said before still reaches its host; should even that fail,
/// the reason alone. The slot goes; the caller drops the instance.
fn host_fault(sched: &Sched, id: u64, out: &Port, instance: &mut Option<Movable>, what: String) {
    let reason = format!("internal error in the host: {what}");
    let said =
        instance.as_mut().and_then(|i| catch_unwind(AssertUnwindSafe(|| i.0.end(reason.clone()))).ok());
    let said = said.unwrap_or_else(|| vec![Output::Terminated { reason: reason.clone() }, Output::Done]);
    for o in said {
        if matches!(o, Output::Done) {
            out.to_handle(o);
        } else if out.try_send(o).is_err() {
            // The outlet fails again: the handle still hears why.
            out.to_handle(Output::Terminated { reason: reason.clone() });
            out.to_handle(Output::Done);
            break;
        }
    }
    sched.lock().slots.remove(&id);
}

/// Drops an ended instance; a panic while freeing it costs only its memory.
fn end(instance: Movable) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(move || drop(instance))) {
        std::mem::forget(panic);
    }
}

/// Starts a thread when every thread has been busy for a slice while work waits.
fn watchdog(sched: Arc<Sched>) {
    let mut state = sched.lock();
    loop {
        if state.stopping {
            return;
        }
        let waiting = !state.run_queue.is_empty() && state.idle == 0;
        if !waiting {
            state = sched.watchdog.wait(state).unwrap_or_else(|p| p.into_inner());
            continue;
        }
        let now = Instant::now();
        let slice = sched.config.slice;
        let stuck = state.busy.values().all(|b| b.is_some_and(|since| now.duration_since(since) >= slice));
        if stuck && state.busy.len() < sched.config.max_threads {
            drop(state);
            start_thread(&sched, true);
            state = sched.lock();
            continue;
        }
        state = sched
            .watchdog
            .wait_timeout(state, slice / 2)
            .map(|(s, _)| s)
            .unwrap_or_else(|p| p.into_inner().0);
    }
}

impl InstanceSender {
    /// The instance's id in its pool (as [`InstanceHandle::id`]).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Sends an input to the instance (nothing, once the instance or its pool is gone); the
    /// answer to a sync API call goes to the script waiting for it.
    pub fn send(&self, input: Input) {
        match &self.target {
            Target::Pool(sched) => {
                if let Some(sched) = sched.upgrade() {
                    sched.send(self.id, input);
                }
            }
            Target::Remote(remote) => {
                if let Some(remote) = remote.upgrade() {
                    remote.send(input);
                }
            }
        }
    }

    /// The instance's figures as of its last turn (`None` once it is gone).
    pub fn vitals(&self) -> Option<Vitals> {
        match &self.target {
            Target::Pool(sched) => {
                let sched = sched.upgrade()?;
                let state = sched.lock();
                let slot = state.slots.get(&self.id)?;
                Some(Vitals {
                    heap: Some(slot.vitals.0),
                    cpu: slot.vitals.1,
                    rss: None,
                    state: match (slot.background, slot.suspended) {
                        (_, true) => VitalState::Suspended,
                        (Some(_), false) => VitalState::Background,
                        (None, false) => VitalState::Shown,
                    },
                    background_for: slot.background.map(|since| since.elapsed()),
                })
            }
            Target::Remote(remote) => remote.upgrade()?.vitals(),
        }
    }

    /// Ends the instance now, in the middle of a callback if it is in one (`ended by the
    /// host`); whoever holds its handle hears `Terminated` and may drop it.
    pub fn end(&self) {
        self.end_because("ended by the host");
    }

    /// [`InstanceSender::end`] with the reason its handle hears (a host that found the
    /// instance's outputs wrong, a resource manager ending it).
    pub fn end_because(&self, reason: &str) {
        let sched = match &self.target {
            Target::Pool(sched) => sched.upgrade(),
            Target::Remote(remote) => {
                if let Some(remote) = remote.upgrade() {
                    remote.end(reason);
                }
                return;
            }
        };
        let Some(sched) = sched else { return };
        let mut state = sched.lock();
        let Some(slot) = state.slots.get_mut(&self.id) else { return };
        // In a callback, the script stops at its next interrupt check; and its next turn (the
        // first, if it is not made yet) ends it whatever it was doing.
        if let Some(cancel) = &slot.cancel {
            cancel.cancel();
        }
        slot.port.sync.cancel();
        slot.breach = Some(reason.into());
        sched.enqueue(&mut state, self.id);
    }
}

impl InstanceHandle {
    /// The handle of an instance a transport runs elsewhere: inputs go to `remote`, and the
    /// transport sends the instance's outputs (those its outlet did not take) to the sender
    /// of `from_instance`. `id` comes from [`next_instance_id`].
    pub fn remote(id: u64, remote: Arc<dyn Remote>, from_instance: Receiver<Output>) -> InstanceHandle {
        InstanceHandle { id, owner: Owner::Remote(remote), from_instance }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// The next output off the channel, told to the transport of a remote instance.
    fn take(&self, timeout: Duration) -> Result<Output, RecvTimeoutError> {
        let output = self.from_instance.recv_timeout(timeout)?;
        if let Owner::Remote(remote) = &self.owner {
            remote.received(&output);
        }
        Ok(output)
    }

    pub fn sender(&self) -> InstanceSender {
        let target = match &self.owner {
            Owner::Pool(sched) => Target::Pool(Arc::downgrade(sched)),
            Owner::Remote(remote) => Target::Remote(Arc::downgrade(remote)),
        };
        InstanceSender { id: self.id, target }
    }

    /// Sends an input; its outputs arrive on [`InstanceHandle::recv`].
    pub fn send(&self, input: Input) {
        match &self.owner {
            Owner::Pool(sched) => sched.send(self.id, input),
            Owner::Remote(remote) => remote.send(input),
        }
    }

    /// The next output, waiting up to `timeout`.
    pub fn recv(&self, timeout: Duration) -> Option<Output> {
        self.take(timeout).ok()
    }

    /// The next output; `Err(Disconnected)` once the instance is gone for good.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Output, RecvTimeoutError> {
        self.take(timeout)
    }

    /// Sends `input` and collects outputs until its [`Output::Done`] (or `timeout`). Outputs
    /// of timers that fired meanwhile are included (timers send no `Done` of their own).
    pub fn request(&self, input: Input, timeout: Duration) -> Vec<Output> {
        self.send(input);
        self.until_done(timeout)
    }

    /// Collects outputs until the next [`Output::Done`] (or `timeout`): what an input sent
    /// earlier caused (a launch a host made).
    pub fn until_done(&self, timeout: Duration) -> Vec<Output> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.take(left) {
                Ok(Output::Done) | Err(_) => return out,
                Ok(o) => out.push(o),
            }
        }
    }

    /// Collects whatever outputs arrive within `window`.
    pub fn drain(&self, window: Duration) -> Vec<Output> {
        let deadline = Instant::now() + window;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.take(left) {
                Ok(Output::Done) => {}
                Ok(o) => out.push(o),
                Err(_) => return out,
            }
        }
    }
}

impl Drop for InstanceHandle {
    fn drop(&mut self) {
        let sched = match &self.owner {
            Owner::Pool(sched) => sched,
            Owner::Remote(remote) => return remote.close(),
        };
        let mut state = sched.lock();
        let Some(slot) = state.slots.get_mut(&self.id) else { return };
        if slot.turn == Turn::Running {
            // The thread running it drops it when it is back, which is soon: its script
            // stops at the next interrupt check.
            slot.dropped = true;
            if let Some(cancel) = &slot.cancel {
                cancel.cancel();
            }
            slot.port.sync.cancel();
            return;
        }
        let slot = state.slots.remove(&self.id).expect("looked up above");
        if let Some(due) = slot.due {
            state.timers.remove(&(due, self.id));
        }
        state.run_queue.retain(|id| *id != self.id);
        drop(state);
        if let Some(instance) = slot.instance {
            end(instance);
        }
    }
}
