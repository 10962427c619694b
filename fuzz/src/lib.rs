//! Helpers shared by the fuzz targets.
//!
//! Every target runs its input on one long-lived worker thread with a modest stack
//! ([`STACK_BYTES`], 2 MiB by default: the stack the template crate sizes its nesting caps
//! for), so a recursion that untrusted input can drive deeper than the caps allow overflows
//! here and libFuzzer reports it as a crash. libfuzzer-sys's panic hook aborts the process on
//! a panic in any thread, so panics on the worker are crashes too.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, OnceLock};

/// The worker's stack, unless `CAPSULE_FUZZ_STACK` (bytes) says otherwise.
pub const STACK_BYTES: usize = 2 * 1024 * 1024;

struct Worker {
    inputs: SyncSender<Vec<u8>>,
    done: Receiver<()>,
}

static WORKER: OnceLock<Mutex<Worker>> = OnceLock::new();

/// Runs `target(data)` on the small-stack worker thread and waits for it. `target` must be
/// the same function on every call (one target per fuzz binary).
pub fn on_small_stack(data: &[u8], target: fn(&[u8])) {
    let worker = WORKER.get_or_init(|| {
        let stack = std::env::var("CAPSULE_FUZZ_STACK").ok().and_then(|s| s.parse().ok()).unwrap_or(STACK_BYTES);
        let (inputs, inbox) = sync_channel::<Vec<u8>>(0);
        let (outbox, done) = sync_channel::<()>(0);
        std::thread::Builder::new()
            .name("fuzz-worker".into())
            .stack_size(stack)
            .spawn(move || {
                for input in inbox {
                    target(&input);
                    if outbox.send(()).is_err() {
                        break;
                    }
                }
            })
            .expect("spawn the fuzz worker");
        Mutex::new(Worker { inputs, done })
    });
    let worker = worker.lock().unwrap_or_else(|p| p.into_inner());
    worker.inputs.send(data.to_vec()).expect("the fuzz worker is alive");
    worker.done.recv().expect("the fuzz worker finished the input");
}

/// Splits `data` at NUL bytes into at most `n` sections (the last one keeps any further
/// NULs), each decoded as UTF-8 lossily.
pub fn sections(data: &[u8], n: usize) -> Vec<String> {
    data.splitn(n, |&b| b == 0).map(|s| String::from_utf8_lossy(s).into_owned()).collect()
}
