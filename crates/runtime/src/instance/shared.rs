//! What the instance and its natives share — the pages, the outbox, the timers, the queued
//! navigations — and the budget every change goes through: rendering within the node, byte
//! and CPU limits, and outputs and page data weighed against what the host may hold.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use capsule_js::Stopper;
use capsule_template::Program;
use capsule_template::render::{Budget, RenderError};
use serde_json::Value;

use super::PageState;
use super::navigation::NavRequest;
use super::timers::Timers;
use crate::components::ComponentState;
use crate::held::{HostMeter, serialized_len, value_weight};
use crate::message::Output;

/// What the engine's natives share with the instance.
pub(super) struct Shared {
    pub(super) program: Arc<Program>,
    pub(super) pages: RefCell<Vec<PageState>>,
    pub(super) outbox: RefCell<Vec<Output>>,
    pub(super) timers: RefCell<Timers>,
    pub(super) navigation: RefCell<VecDeque<NavRequest>>,
    /// API answers the instance knows at once (an image in the package, a refused call),
    /// delivered after the current callback.
    pub(super) replies: RefCell<Vec<(u32, Value)>>,
    /// Ids for pages and components, from one counter: the script addresses both by id.
    pub(super) next_page: Cell<u32>,
    pub(super) components: RefCell<HashMap<u32, ComponentState>>,
    /// Async API calls sent to the host and not yet answered.
    pub(super) pending_api: Cell<u32>,
    /// When each `setData` of the last second came, and the sizes seen (for the platform's
    /// audit limits in the developer tools).
    pub(super) set_data_times: RefCell<VecDeque<Instant>>,
    pub(super) set_data_bytes: Cell<(usize, usize)>,
    /// What the host holds for the instance, against its host budget.
    pub(super) held: Arc<HostMeter>,
    /// Ends the script from a native when a host buffer runs over (set once the engine exists).
    pub(super) stopper: RefCell<Option<Stopper>>,
    /// Live nodes a page's tree may hold.
    pub(super) max_nodes: usize,
    /// Open `groupSetData` calls: while one is, a page's patches join its latest update, so
    /// the view draws the group at once.
    pub(super) grouping: Cell<u32>,
    /// The package, for the way back from generated code to its source (a `.ts` file's
    /// line and column in an error's stack).
    pub(super) package: Arc<capsule_package::Package>,
    /// What the app used, for what it costs (`Query::Metrics`' `usage`, `capsule profile`).
    pub(super) usage: RefCell<Usage>,
}

/// What an app did since it started, counted as it happens: what wakes a phone up and what
/// a profile of its battery cost is made of.
#[derive(Debug)]
pub(crate) struct Usage {
    pub born: std::time::Instant,
    pub timer_firings: u64,
    /// The shortest interval a repeating timer was set to.
    pub shortest_interval: Option<std::time::Duration>,
    pub set_data: u64,
    pub set_data_per_second_max: usize,
    /// API calls by name (sync ones under their own name too).
    pub api_calls: std::collections::BTreeMap<String, u64>,
    /// Network calls (`request`, `downloadFile`, `uploadFile`, `connectSocket`): when, in
    /// milliseconds since the start, and the URL; the first 1,000.
    pub network: Vec<(u64, String)>,
}

impl Usage {
    pub fn new() -> Usage {
        Usage {
            born: std::time::Instant::now(),
            timer_firings: 0,
            shortest_interval: None,
            set_data: 0,
            set_data_per_second_max: 0,
            api_calls: Default::default(),
            network: Vec::new(),
        }
    }

    pub fn api_call(&mut self, name: &str, args: &Value) {
        *self.api_calls.entry(name.to_string()).or_default() += 1;
        if matches!(name, "request" | "downloadFile" | "uploadFile" | "connectSocket")
            && self.network.len() < 1000
        {
            let url = args["url"].as_str().unwrap_or_default().to_string();
            self.network.push((self.born.elapsed().as_millis() as u64, url));
        }
    }

    pub fn figures(&self) -> Value {
        serde_json::json!({
            "timerFirings": self.timer_firings,
            "shortestIntervalMs": self.shortest_interval.map(|d| d.as_secs_f64() * 1000.0),
            "setData": self.set_data,
            "setDataPerSecondMax": self.set_data_per_second_max,
            "apiCalls": self.api_calls,
            "network": self.network.iter().map(|(at, url)| serde_json::json!({"atMs": at, "url": url})).collect::<Vec<_>>(),
        })
    }
}

impl Shared {
    /// Whether a render must stop: the callback's CPU deadline passed, or the host ended the
    /// instance. Rendering runs in Rust, where the script's interrupt does not reach.
    fn out_of_time(&self) -> bool {
        self.stopper.borrow().as_ref().is_some_and(Stopper::out_of_time)
    }

    /// Runs a render within the instance's budget: the page node limit, and the callback's
    /// CPU deadline. A render stopped at a limit ends the instance with the reason (the
    /// deadline's own when that was it), which `Err` gives.
    pub(super) fn render<T>(
        &self,
        f: impl FnOnce(&Budget<'_>) -> Result<T, RenderError>,
    ) -> Result<T, String> {
        let interrupt = || self.out_of_time();
        let budget = Budget {
            max_nodes: self.max_nodes,
            max_bytes: capsule_template::render::MAX_PAGE_BYTES,
            interrupt: Some(&interrupt),
        };
        f(&budget).map_err(|error| {
            let reason = error.to_string();
            if let Some(stopper) = self.stopper.borrow().as_ref() {
                stopper.stop(reason.clone());
            }
            reason
        })
    }

    /// Queues an output of the current callback, weighed against the host budget. Past the
    /// budget the output is dropped and the script stopped: the instance ends with the reason.
    pub(super) fn emit(&self, output: Output) {
        let output = match output {
            Output::Error { message, stack } => Output::Error {
                message: self.package.original_positions(&message),
                stack: self.package.original_positions(&stack),
            },
            Output::Log { level, text, source } => {
                Output::Log { level, text, source: self.package.original_positions(&source) }
            }
            other => other,
        };
        let weight = output_weight(&output);
        // Outputs of a fixed size (an answer, the stack, the end) always pass: the count of
        // outputs per callback bounds them, and the host must hear them.
        if weight > crate::held::FIXED && !self.held.admits(weight) {
            let reason = self.held.breach("outputs of one callback (patches, console lines)");
            if let Some(stopper) = self.stopper.borrow().as_ref() {
                stopper.stop(reason);
            }
            return;
        }
        self.held.outputs.fetch_add(weight, Ordering::Relaxed);
        let mut outbox = self.outbox.borrow_mut();
        if self.grouping.get() > 0
            && let Output::Patches { page, patches } = output
        {
            let latest = outbox.iter_mut().rev().find(|o| matches!(o, Output::Patches { .. }));
            match latest {
                Some(Output::Patches { page: p, patches: earlier }) if *p == page => earlier.extend(patches),
                _ => outbox.push(Output::Patches { page, patches }),
            }
            return;
        }
        outbox.push(output);
    }

    /// The estimate of the pages' data passed the budget (see `held.rs`): weighs it exactly.
    /// Still over, the script is stopped and `Err` gives the reason.
    pub(super) fn weigh_data(
        &self,
        pages: &[PageState],
        components: &HashMap<u32, ComponentState>,
    ) -> Result<(), String> {
        let exact: usize = pages.iter().map(|p| value_weight(&p.data)).sum::<usize>()
            + components.values().map(|c| value_weight(&c.data)).sum::<usize>();
        self.held.data.store(exact, Ordering::Relaxed);
        let headroom = self.held.budget.saturating_sub(exact);
        self.held.reweigh_at.store(exact + headroom / 2, Ordering::Relaxed);
        if self.held.total() <= self.held.budget {
            return Ok(());
        }
        let reason = self.held.breach("page data");
        if let Some(stopper) = self.stopper.borrow().as_ref() {
            stopper.stop(reason.clone());
        }
        Err(reason)
    }
}

/// The nulls setting `path` pads arrays with, weighed as `value_weight` weighs them.
pub(super) fn padding(data: &Value, path: &[String]) -> usize {
    let mut node = Some(data);
    let mut nulls = 0;
    for key in path {
        if let Ok(i) = key.parse::<usize>() {
            let len = match node {
                Some(Value::Array(items)) => items.len(),
                _ => 0,
            };
            nulls += i.saturating_sub(len);
        }
        node = match node {
            Some(Value::Array(items)) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            Some(Value::Object(map)) => map.get(key),
            _ => None,
        };
    }
    nulls * 16
}

/// What an output weighs in the host's buffer: the bulk of its text. Answers to the host's
/// own queries are the host's to ask for and are not weighed.
fn output_weight(output: &Output) -> usize {
    crate::held::FIXED
        + match output {
            Output::Log { text, source, .. } => text.len() + source.len(),
            Output::Error { message, stack } => message.len() + stack.len(),
            Output::Patches { patches, .. } => serialized_len(patches),
            Output::PageOpened { snapshot, query, .. } => serialized_len(snapshot) + serialized_len(query),
            Output::ViewCall { args, .. } | Output::ApiCall { args, .. } => value_weight(args),
            _ => 0,
        }
}
