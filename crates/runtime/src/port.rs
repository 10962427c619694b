//! An instance's way out: its outputs, and the API calls its script makes.
//!
//! The runtime knows no provider. A script's API call leaves as [`Output::ApiCall`] like any
//! other output, and its answer comes back as [`crate::Input::ApiReply`] like any other input; who
//! answers (the bridge, an embedder's own handler, a worker's channel to its host) is the
//! host's business. A host that wants to answer on the spot gives the pool an [`Outlet`],
//! which sees each output on the logic thread as it leaves and may take it.
//!
//! A sync call (`wx.getStorageSync`) blocks its script until the answer: the call leaves at
//! once (not at the end of the callback), and the logic thread waits for the reply — which
//! [`crate::InstanceSender::send`] hands to the waiting script instead of queueing it — for at
//! most [`SYNC_CEILING`]. The time waited counts against the callback's CPU budget (the
//! engine adds it), so an app cannot park a logic thread by calling a slow API in a loop.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use serde_json::{Value, json};

use crate::message::{Output, SYNC_CEILING};
use crate::pool::InstanceSender;

/// Call numbers from here up are sync calls the runtime numbers itself; below are the
/// script's own (its async calls).
const SYNC_CALLS: u32 = 1 << 31;

/// Whether `call` numbers a sync call (whose answer goes to the waiting script).
pub(crate) fn is_sync_call(call: u32) -> bool {
    call >= SYNC_CALLS
}

/// Sees each output of an instance as it leaves, on the logic thread that made it, in order.
/// It returns what goes on to the instance's handle: `None` when it took the output (an
/// [`Output::ApiCall`] it answers), the output (or another) otherwise.
///
/// An outlet answers through `from` ([`InstanceSender::send`] with [`crate::Input::ApiReply`]), at
/// once or later from any thread. It runs on a logic thread: anything slow belongs elsewhere
/// (a sync call may wait here, which is what the script asked for). A panic in it ends the
/// instance (`internal error in the host: …`), not the thread.
pub trait Outlet: Send + Sync {
    fn output(&self, from: &InstanceSender, output: Output) -> Option<Output>;
}

impl<F> Outlet for F
where
    F: Fn(&InstanceSender, Output) -> Option<Output> + Send + Sync,
{
    fn output(&self, from: &InstanceSender, output: Output) -> Option<Output> {
        self(from, output)
    }
}

/// Where one instance's outputs go.
#[derive(Clone)]
pub(crate) struct Port {
    pub me: InstanceSender,
    pub out: Sender<Output>,
    pub outlet: Option<Arc<dyn Outlet>>,
    pub sync: Arc<SyncCell>,
}

impl Port {
    /// Sends an output on: through the outlet, then to the handle. A panic in the outlet
    /// unwinds to the caller (in the instance's code, the pool ends the instance for it).
    pub fn send(&self, output: Output) {
        let passed = match &self.outlet {
            None => Some(output),
            Some(outlet) => outlet.output(&self.me, output),
        };
        if let Some(output) = passed {
            let _ = self.out.send(output);
        }
    }

    /// As [`Port::send`], outside the instance's code: a panic in the outlet is caught and
    /// its message given back.
    pub fn try_send(&self, output: Output) -> Result<(), String> {
        catch_unwind(AssertUnwindSafe(|| self.send(output))).map_err(|panic| {
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into())
        })
    }

    /// Sends straight to the handle, past the outlet (what a failed outlet can no longer see).
    pub fn to_handle(&self, output: Output) {
        let _ = self.out.send(output);
    }

    /// Makes a sync call and waits for its answer, at most [`SYNC_CEILING`].
    pub fn call_sync(&self, name: &str, args: Value) -> Value {
        let call = self.sync.begin();
        self.send(Output::ApiCall { call, name: name.to_string(), args, sync: true });
        let shown = sync_name(name);
        match self.sync.wait(call, Instant::now() + SYNC_CEILING) {
            Waited::Answer(answer) => answer,
            Waited::Timeout => json!({"errMsg": format!("{shown}:fail timeout")}),
            Waited::Ended => json!({"errMsg": format!("{shown}:fail the app has ended")}),
        }
    }
}

/// How a sync API is named in its errors: `getStorage` → `getStorageSync`, `fs.readFile` →
/// `readFileSync`.
fn sync_name(name: &str) -> String {
    let own = name.rsplit('.').next().unwrap_or(name);
    format!("{own}Sync")
}

enum Waited {
    Answer(Value),
    Timeout,
    Ended,
}

#[derive(Default)]
struct SyncState {
    /// The call the script waits for.
    waiting: Option<u32>,
    answer: Option<Value>,
    /// The instance is ending: nothing waits any more.
    cancelled: bool,
}

/// Where the answer of the one sync call a script may be waiting for is put.
#[derive(Default)]
pub(crate) struct SyncCell {
    next: AtomicU32,
    state: Mutex<SyncState>,
    ready: Condvar,
}

impl SyncCell {
    fn lock(&self) -> std::sync::MutexGuard<'_, SyncState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Numbers a new call and starts waiting for it (before it leaves: an outlet may answer
    /// while it is being sent).
    fn begin(&self) -> u32 {
        let call = SYNC_CALLS | (self.next.fetch_add(1, Ordering::Relaxed) & !SYNC_CALLS);
        let mut state = self.lock();
        state.waiting = Some(call);
        state.answer = None;
        call
    }

    fn wait(&self, call: u32, deadline: Instant) -> Waited {
        let mut state = self.lock();
        loop {
            if state.waiting == Some(call)
                && let Some(answer) = state.answer.take()
            {
                state.waiting = None;
                return Waited::Answer(answer);
            }
            if state.cancelled {
                state.waiting = None;
                return Waited::Ended;
            }
            let now = Instant::now();
            if now >= deadline {
                state.waiting = None;
                return Waited::Timeout;
            }
            state = self
                .ready
                .wait_timeout(state, deadline - now)
                .map(|(s, _)| s)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// The answer to `call`: taken if the script still waits for it, dropped otherwise.
    pub fn answer(&self, call: u32, result: Value) {
        let mut state = self.lock();
        if state.waiting == Some(call) && state.answer.is_none() {
            state.answer = Some(result);
            self.ready.notify_all();
        }
    }

    /// The instance is ending: a script waiting stops waiting, and later calls fail at once.
    pub fn cancel(&self) {
        self.lock().cancelled = true;
        self.ready.notify_all();
    }
}

/// What an instance offers its script: the APIs `wx` has, from a JSON list
/// (`[{"name": "getStorage", "sync": true, …}]`, the bridge's `surface`), indexed by name once
/// per host and shared by every instance, so a script makes the functions it touches.
#[derive(Clone, Debug)]
pub struct ApiSurface {
    index: Arc<capsule_js::SurfaceIndex>,
    /// The list it was made from, shared by every instance of the app (a worker process is
    /// sent it).
    list: Arc<Value>,
}

impl ApiSurface {
    /// No APIs at all.
    pub fn none() -> ApiSurface {
        ApiSurface::new(&Value::Array(Vec::new()))
    }

    /// The APIs listed in `list` (a JSON array of API descriptions).
    pub fn new(list: &Value) -> ApiSurface {
        let index = capsule_js::SurfaceIndex::new(list.as_array().map_or(&[][..], Vec::as_slice));
        ApiSurface { index: Arc::new(index), list: Arc::new(list.clone()) }
    }

    /// The list by name on `wx`.
    pub fn index(&self) -> &capsule_js::SurfaceIndex {
        &self.index
    }

    /// The list it was made from.
    pub fn list(&self) -> &Value {
        &self.list
    }
}

impl Default for ApiSurface {
    fn default() -> ApiSurface {
        ApiSurface::none()
    }
}

/// A reply a host gives to a call it cannot carry out.
pub fn not_supported(name: &str) -> Value {
    json!({"errMsg": format!("{name}:fail not supported")})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_late_answer_is_dropped_and_the_next_call_waits_for_its_own() {
        let cell = SyncCell::default();
        let first = cell.begin();
        assert!(matches!(cell.wait(first, Instant::now()), Waited::Timeout));
        // The answer to the call the script gave up on arrives while it waits for the next.
        let second = cell.begin();
        cell.answer(first, json!({"errMsg": "late"}));
        cell.answer(second, json!({"errMsg": "getStorage:ok"}));
        match cell.wait(second, Instant::now() + SYNC_CEILING) {
            Waited::Answer(v) => assert_eq!(v["errMsg"], "getStorage:ok"),
            _ => panic!("the second call's answer was lost"),
        }
        assert!(is_sync_call(first) && is_sync_call(second) && first != second);
    }

    #[test]
    fn cancelling_wakes_a_waiting_script() {
        let cell = Arc::new(SyncCell::default());
        let call = cell.begin();
        let other = cell.clone();
        let waiter = std::thread::spawn(move || {
            matches!(other.wait(call, Instant::now() + SYNC_CEILING * 60), Waited::Ended)
        });
        cell.cancel();
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn sync_names_are_the_platforms() {
        assert_eq!(sync_name("getStorage"), "getStorageSync");
        assert_eq!(sync_name("fs.readFile"), "readFileSync");
    }
}
