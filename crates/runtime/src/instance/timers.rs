//! The instance's timers: `setTimeout` / `setInterval` as the script sets them (through its
//! natives), kept by id and by due time, and fired by [`Instance::run_timers`] when whoever
//! drives the instance (the pool) finds them due ([`Instance::next_due`]).

use std::time::{Duration, Instant};

use capsule_js::Arg;

use super::Instance;
use crate::message::Output;

pub(super) struct Timer {
    pub(super) due: Instant,
    pub(super) every: Option<Duration>,
}

/// Timers by id, and by due time for finding the next one without a scan.
#[derive(Default)]
pub(super) struct Timers {
    pub(super) by_id: std::collections::HashMap<u32, Timer>,
    by_due: std::collections::BTreeSet<(Instant, u32)>,
}

impl Timers {
    pub(super) fn insert(&mut self, id: u32, timer: Timer) {
        self.remove(id);
        self.by_due.insert((timer.due, id));
        self.by_id.insert(id, timer);
    }

    pub(super) fn remove(&mut self, id: u32) -> Option<Timer> {
        let timer = self.by_id.remove(&id)?;
        self.by_due.remove(&(timer.due, id));
        Some(timer)
    }

    pub(super) fn next_due(&self) -> Option<Instant> {
        self.by_due.first().map(|(due, _)| *due)
    }

    pub(super) fn clear(&mut self) {
        self.by_id.clear();
        self.by_due.clear();
    }
}

impl Instance {
    /// When the next timer is due, if any.
    pub fn next_due(&self) -> Option<Instant> {
        if self.terminated.is_some() {
            return None;
        }
        self.shared.timers.borrow().next_due()
    }

    /// Fires every timer due by `now`, in due order.
    pub fn run_timers(&mut self, now: Instant) -> Vec<Output> {
        loop {
            if self.terminated.is_some() {
                break;
            }
            let due = self.shared.timers.borrow().by_due.first().copied().filter(|(due, _)| *due <= now);
            let Some((_, id)) = due else { break };
            {
                let mut timers = self.shared.timers.borrow_mut();
                if let Some(timer) = timers.remove(id)
                    && let Some(every) = timer.every
                {
                    timers.insert(id, Timer { due: Instant::now() + every, every: Some(every) });
                }
            }
            self.shared.usage.borrow_mut().timer_firings += 1;
            self.call("fireTimer", &[Arg::Int(id)]);
            self.settle();
        }
        self.flush()
    }
}
