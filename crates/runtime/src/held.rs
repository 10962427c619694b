//! What the host holds for an instance outside its JS heap, weighed against one budget
//! ([`capsule_js::Limits::host`], 64 MiB by default).
//!
//! Three buffers count, each weighed as it grows so no scan is needed on the hot path:
//! - **page data**: the host's copy of every page's and component's data, which the renderer
//!   reads. A `setData` adds an upper bound of what it can add (the new values' weight, a node
//!   per path part, the nulls an index pads); when that estimate passes the budget the data is
//!   weighed exactly and the estimate reset, so an app that keeps replacing its data pays a
//!   walk only each time it has set a budget's worth, and the walk is its own CPU time;
//! - **outputs of one callback** not yet sent: patches, console lines, errors, view calls;
//! - **inputs waiting for the script**: the bridge's answers and a socket's messages, queued
//!   while the script is busy (weighed by the pool as they are queued).
//!
//! The sum of the three may not pass the budget; the reason a breach gives names the buffer
//! that grew (`host limit 64 MiB exceeded: page data`).

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;
use serde_json::Value;

/// What a message without a payload weighs. Such messages (a query, an answer, the end) always
/// pass: a count bounds them, and the host must hear them even past the budget.
pub const FIXED: usize = 64;

/// The three buffers of one instance, shared between its thread and the pool that queues its
/// inputs.
#[derive(Debug)]
pub struct HostMeter {
    pub budget: usize,
    pub data: AtomicUsize,
    /// Where the data's estimate is weighed exactly again: halfway from the last exact weight
    /// to the budget.
    pub reweigh_at: AtomicUsize,
    pub outputs: AtomicUsize,
    pub inputs: AtomicUsize,
}

impl HostMeter {
    pub fn new(budget: usize) -> HostMeter {
        HostMeter {
            budget,
            data: AtomicUsize::new(0),
            reweigh_at: AtomicUsize::new(budget / 2),
            outputs: AtomicUsize::new(0),
            inputs: AtomicUsize::new(0),
        }
    }

    pub fn total(&self) -> usize {
        self.data.load(Ordering::Relaxed)
            + self.outputs.load(Ordering::Relaxed)
            + self.inputs.load(Ordering::Relaxed)
    }

    /// Whether `more` bytes still fit.
    pub fn admits(&self, more: usize) -> bool {
        self.total().saturating_add(more) <= self.budget
    }

    /// The reason an instance ends when `buffer` passes the budget.
    pub fn breach(&self, buffer: &str) -> String {
        format!("host limit {} exceeded: {buffer}", size_text(self.budget))
    }

    /// The figures for the resource panel.
    pub fn figures(&self) -> Value {
        serde_json::json!({
            "hostBytes": self.total(),
            "hostData": self.data.load(Ordering::Relaxed),
            "hostOutputs": self.outputs.load(Ordering::Relaxed),
            "hostInputs": self.inputs.load(Ordering::Relaxed),
            "hostBudget": self.budget,
        })
    }
}

/// `64 MiB`, or bytes when the figure is not a whole number of MiB.
pub fn size_text(bytes: usize) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// About how many bytes a JSON value holds in memory: its text, and a word or two per node.
/// Iterative, so a deep value costs no stack.
pub fn value_weight(value: &Value) -> usize {
    let mut total = 0;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        total += 16;
        match v {
            Value::String(s) => total += s.len(),
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(map) => {
                for (k, v) in map {
                    total += k.len() + 16;
                    stack.push(v);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    total
}

/// The length of `value` as JSON text, without building the text.
pub fn serialized_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Serializing into a counter cannot fail but for a value serde cannot write, which the
    // protocol's types never are.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
}
