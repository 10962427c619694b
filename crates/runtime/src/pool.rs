//! Logic threads: a few threads drive many instances. An instance is created on its thread
//! and stays there for life (a QuickJS runtime is not `Send`); the host talks to it only
//! through its [`InstanceHandle`]'s channels.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use capsule_bridge::service::ApiHost;
use capsule_js::Limits;
use capsule_package::Package;
use capsule_template::Program;

use crate::instance::Instance;
use crate::message::{Input, Output};

/// The native stack each logic thread gets; QuickJS's own limit stays well below it.
pub const LOGIC_THREAD_STACK: usize = 8 * 1024 * 1024;

enum Command {
    Spawn {
        id: u64,
        package: Arc<Package>,
        program: Arc<Program>,
        limits: Limits,
        api: Option<Arc<dyn ApiHost>>,
        out: Sender<Output>,
    },
    Input {
        id: u64,
        input: Input,
    },
    Drop {
        id: u64,
    },
    Stop,
}

/// A set of logic threads.
pub struct Pool {
    threads: Vec<(Sender<Command>, Option<JoinHandle<()>>)>,
    next_id: AtomicU64,
    next_thread: AtomicUsize,
}

/// The host's end of one instance.
pub struct InstanceHandle {
    id: u64,
    to_thread: Sender<Command>,
    from_instance: Receiver<Output>,
}

impl Pool {
    /// Starts `threads` logic threads (at least one).
    pub fn new(threads: usize) -> Pool {
        let threads = (0..threads.max(1))
            .map(|n| {
                let (tx, rx) = channel();
                let own = tx.clone();
                let handle = std::thread::Builder::new()
                    .name(format!("capsule-logic-{n}"))
                    .stack_size(LOGIC_THREAD_STACK)
                    .spawn(move || logic_thread(rx, own))
                    .expect("spawn a logic thread");
                (tx, Some(handle))
            })
            .collect();
        Pool { threads, next_id: AtomicU64::new(1), next_thread: AtomicUsize::new(0) }
    }

    /// Creates an instance on the next logic thread (round robin), without a bridge.
    pub fn spawn(&self, package: Arc<Package>, program: Arc<Program>, limits: Limits) -> InstanceHandle {
        self.spawn_with(package, program, limits, None)
    }

    /// Creates an instance whose `wx` APIs go to `api`.
    pub fn spawn_with(
        &self,
        package: Arc<Package>,
        program: Arc<Program>,
        limits: Limits,
        api: Option<Arc<dyn ApiHost>>,
    ) -> InstanceHandle {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let n = self.next_thread.fetch_add(1, Ordering::Relaxed) % self.threads.len();
        let to_thread = self.threads[n].0.clone();
        let (out, from_instance) = channel();
        // A closed thread means the pool is shutting down; the handle then reports nothing.
        let _ = to_thread.send(Command::Spawn { id, package, program, limits, api, out });
        InstanceHandle { id, to_thread, from_instance }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for (tx, _) in &self.threads {
            let _ = tx.send(Command::Stop);
        }
        for (_, handle) in &mut self.threads {
            if let Some(h) = handle.take() {
                let _ = h.join();
            }
        }
    }
}

/// A clonable, thread-safe way to send inputs to an instance whose outputs another owner
/// of its [`InstanceHandle`] receives.
#[derive(Clone)]
pub struct InstanceSender {
    id: u64,
    to_thread: Sender<Command>,
}

impl InstanceSender {
    pub fn send(&self, input: Input) {
        let _ = self.to_thread.send(Command::Input { id: self.id, input });
    }
}

impl InstanceHandle {
    pub fn id(&self) -> u64 {
        self.id
    }

    pub fn sender(&self) -> InstanceSender {
        InstanceSender { id: self.id, to_thread: self.to_thread.clone() }
    }

    /// Sends an input; its outputs arrive on [`InstanceHandle::recv`].
    pub fn send(&self, input: Input) {
        let _ = self.to_thread.send(Command::Input { id: self.id, input });
    }

    /// The next output, waiting up to `timeout`.
    pub fn recv(&self, timeout: Duration) -> Option<Output> {
        self.from_instance.recv_timeout(timeout).ok()
    }

    /// The next output; `Err(Disconnected)` once the instance is gone for good.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Output, RecvTimeoutError> {
        self.from_instance.recv_timeout(timeout)
    }

    /// Sends `input` and collects outputs until its [`Output::Done`] (or `timeout`). Outputs
    /// of timers that fired meanwhile are included (timers send no `Done` of their own).
    pub fn request(&self, input: Input, timeout: Duration) -> Vec<Output> {
        self.send(input);
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.from_instance.recv_timeout(left) {
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
            match self.from_instance.recv_timeout(left) {
                Ok(Output::Done) => {}
                Ok(o) => out.push(o),
                Err(_) => return out,
            }
        }
    }
}

impl Drop for InstanceHandle {
    fn drop(&mut self) {
        let _ = self.to_thread.send(Command::Drop { id: self.id });
    }
}

/// Ends an instance whose host code panicked, telling its host why.
fn fail(
    instances: &mut HashMap<u64, (Instance, Sender<Output>)>,
    id: u64,
    panic: &Box<dyn std::any::Any + Send>,
) {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into());
    if let Some((_, out)) = instances.remove(&id) {
        let _ = out.send(Output::Terminated { reason: format!("internal error in the host: {what}") });
        let _ = out.send(Output::Done);
    }
}

fn logic_thread(rx: Receiver<Command>, own: Sender<Command>) {
    let mut instances: HashMap<u64, (Instance, Sender<Output>)> = HashMap::new();
    loop {
        let next_due = instances.values().filter_map(|(i, _)| i.next_due()).min();
        let timeout =
            next_due.map_or(Duration::from_secs(3600), |d| d.saturating_duration_since(Instant::now()));
        match rx.recv_timeout(timeout) {
            Ok(Command::Spawn { id, package, program, limits, api, out }) => {
                let me = InstanceSender { id, to_thread: own.clone() };
                match Instance::with_bridge(package, program, limits, api, Some(me)) {
                    Ok(instance) => {
                        instances.insert(id, (instance, out));
                    }
                    Err(reason) => {
                        let _ = out.send(Output::Terminated {
                            reason: format!("the instance could not start: {reason}"),
                        });
                    }
                }
            }
            Ok(Command::Input { id, input }) => {
                // A bug in the host code must cost one instance, not every instance on this thread.
                let outputs = instances
                    .get_mut(&id)
                    .map(|(instance, _)| catch_unwind(AssertUnwindSafe(|| instance.handle(input))));
                match outputs {
                    Some(Ok(outputs)) => {
                        if let Some((_, out)) = instances.get(&id) {
                            for o in outputs {
                                let _ = out.send(o);
                            }
                        }
                    }
                    Some(Err(panic)) => fail(&mut instances, id, &panic),
                    None => {}
                }
            }
            Ok(Command::Drop { id }) => {
                instances.remove(&id);
            }
            Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => return,
            Err(RecvTimeoutError::Timeout) => {}
        }
        let now = Instant::now();
        let due: Vec<u64> = instances
            .iter()
            .filter(|(_, (i, _))| i.next_due().is_some_and(|d| d <= now))
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            let Some((instance, _)) = instances.get_mut(&id) else { continue };
            match catch_unwind(AssertUnwindSafe(|| instance.run_timers(now))) {
                Ok(outputs) => {
                    if let Some((_, out)) = instances.get(&id) {
                        // Only inputs are answered with Done, so a host can wait for one.
                        for o in outputs.into_iter().filter(|o| !matches!(o, Output::Done)) {
                            let _ = out.send(o);
                        }
                    }
                }
                Err(panic) => fail(&mut instances, id, &panic),
            }
        }
    }
}
