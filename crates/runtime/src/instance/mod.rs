//! One running mini-program: its engine, its page stack with each page's data and rendered
//! tree, its timers, and the navigation rules. It is driven by [`Input`]s and answers with
//! [`Output`]s; it never blocks and never touches anything outside its package.
//!
//! This file holds the instance itself: construction, [`Instance::handle`], calls into the
//! framework, lifecycle, launch and events. Its other concerns have files of their own:
//! `natives` (what the script reaches through the engine), `shared` (the state the two share
//! and the budget every change goes through), `navigation` (the page stack), `timers`, and
//! `query` (answers to the host's queries).

mod natives;
mod navigation;
mod query;
mod shared;
mod timers;

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use capsule_js::{Arg, Engine, EngineError, Limits, Outcome};
use capsule_package::Package;
use capsule_template::ir::FileId;
use capsule_template::path::parse_data_path;
use capsule_template::tree::NodeId;
use capsule_template::{Program, Rendered};
use serde_json::{Map, Value, json};

use crate::events::{Pointer, Propagation, dispatch_plan, view_event};
use crate::held::HostMeter;
use crate::message::{Input, Output};
use crate::port::{ApiSurface, Port};

use natives::InstanceNatives;
use navigation::NavRequest;
use shared::Shared;
use timers::Timers;

pub use navigation::split_url;
pub use query::find;

/// The most pages a stack may hold, as on the platform.
pub const MAX_PAGES: usize = 10;

/// Live timers an instance may have.
pub const MAX_TIMERS: usize = 10_000;

/// Navigations that may wait for the current callback to end.
pub const MAX_PENDING_NAVIGATIONS: usize = 10;

/// Outputs one input may cause; past it the instance is flooding its host.
pub const MAX_OUTPUTS_PER_INPUT: usize = 100_000;

/// Characters of one console line the host keeps.
pub const MAX_LOG_TEXT: usize = 16 * 1024;

pub(crate) struct PageState {
    pub id: u32,
    route: String,
    data: Value,
    file: Option<FileId>,
    /// The template files whose `<wxs>` modules the page's bindings may call.
    wxs_scope: Vec<FileId>,
    pub rendered: Option<Rendered>,
    /// A tab page switched away from: alive and hidden, not on the stack.
    parked: bool,
    /// The view has the page: changes go to it as patches (before, the snapshot covers them).
    opened: bool,
    /// Component ids by their host node.
    pub hosts: HashMap<NodeId, u32>,
}

/// A running mini-program.
pub struct Instance {
    engine: Engine,
    shared: Rc<Shared>,
    package: Arc<Package>,
    launched: Option<Instant>,
    /// When the launch began, until the first page's entry is recorded.
    launch_started: Option<std::time::SystemTime>,
    /// The navigation being carried out, for performance entries.
    navigating: Option<String>,
    terminated: Option<String>,
}

impl Instance {
    /// Starts the engine (no package code runs until [`Input::Launch`]), offering no APIs.
    pub fn new(
        package: Arc<Package>,
        program: Arc<Program>,
        limits: Limits,
    ) -> Result<Instance, EngineError> {
        Instance::with_apis(package, program, limits, ApiSurface::none())
    }

    /// An instance offering the APIs of `apis`: its calls of them come out of
    /// [`Instance::handle`] as [`Output::ApiCall`]s, answered by [`Input::ApiReply`]s; its
    /// sync calls fail (`NAMESync:fail not supported`: only a pool can block a script for an
    /// answer).
    pub fn with_apis(
        package: Arc<Package>,
        program: Arc<Program>,
        limits: Limits,
        apis: ApiSurface,
    ) -> Result<Instance, EngineError> {
        let held = Arc::new(HostMeter::new(limits.host));
        Instance::start(package, program, limits, apis, None, held)
    }

    /// As [`Instance::with_apis`], with its calls going out through `port`, and weighing what
    /// the host holds for it in `held` (which the pool shares, to weigh the inputs it queues).
    pub(crate) fn start(
        package: Arc<Package>,
        program: Arc<Program>,
        limits: Limits,
        apis: ApiSurface,
        port: Option<Port>,
        held: Arc<HostMeter>,
    ) -> Result<Instance, EngineError> {
        let shared = Rc::new(Shared {
            program,
            pages: RefCell::new(Vec::new()),
            outbox: RefCell::new(Vec::new()),
            timers: RefCell::new(Timers::default()),
            navigation: RefCell::new(VecDeque::new()),
            replies: RefCell::new(Vec::new()),
            next_page: Cell::new(1),
            components: RefCell::new(HashMap::new()),
            pending_api: Cell::new(0),
            set_data_times: RefCell::new(VecDeque::new()),
            set_data_bytes: Cell::new((0, 0)),
            held,
            stopper: RefCell::new(None),
            max_nodes: limits.nodes,
            grouping: Cell::new(0),
            package: package.clone(),
            usage: RefCell::new(shared::Usage::new()),
        });
        let engine = Engine::new(
            package.clone(),
            limits,
            Rc::new(InstanceNatives { shared: shared.clone(), package: package.clone(), apis, port }),
        )?;
        *shared.stopper.borrow_mut() = Some(engine.stopper());
        Ok(Instance {
            engine,
            shared,
            package,
            launched: None,
            launch_started: None,
            navigating: None,
            terminated: None,
        })
    }

    /// Ends the instance from another thread, in the middle of a callback if need be.
    pub fn canceller(&self) -> capsule_js::Canceller {
        self.engine.canceller()
    }

    pub fn is_terminated(&self) -> bool {
        self.terminated.is_some()
    }

    /// Bytes of JS heap in use.
    /// CPU the instance's callbacks used since it started.
    pub fn cpu_total(&self) -> Duration {
        self.engine.cpu_total()
    }

    pub fn heap_used(&self) -> usize {
        self.engine.heap().0
    }

    /// Handles one input; everything it caused comes back, ending with [`Output::Done`].
    pub fn handle(&mut self, input: Input) -> Vec<Output> {
        if self.terminated.is_none() {
            match input {
                Input::Launch { path } => self.launch(path.as_deref()),
                Input::Event { page, node, event, detail, pointer } => {
                    self.event(page, node, &event, detail, pointer)
                }
                Input::PageEvent { page, hook, arg } => {
                    const PAGE_EVENTS: &[&str] =
                        &["onPullDownRefresh", "onReachBottom", "onPageScroll", "onResize", "onTabItemTap"];
                    if PAGE_EVENTS.contains(&hook.as_str()) && self.top() == Some(page) {
                        self.lifecycle(page, &hook, arg);
                    } else if matches!(hook.as_str(), "onShareAppMessage" | "onShareTimeline")
                        && self.top() == Some(page)
                    {
                        // The framework asks the page and shows the view what it gave.
                        self.call("share", &[Arg::Int(page), Arg::Str(hook)]);
                    }
                }
                Input::Show => {
                    self.call("appShow", &[Arg::Json(json!({}))]);
                    if let Some(top) = self.top() {
                        self.lifecycle(top, "onShow", None);
                    }
                }
                Input::Hide => {
                    if let Some(top) = self.top() {
                        self.lifecycle(top, "onHide", None);
                    }
                    self.call("appHide", &[]);
                }
                Input::Navigate { kind, url } => {
                    self.shared.navigation.borrow_mut().push_back(NavRequest {
                        seq: None,
                        kind,
                        target: url,
                    });
                }
                Input::Query { query } => {
                    let value = self.answer(&query);
                    self.shared.emit(Output::Answer { value });
                }
                Input::ViewReply { seq, result } => {
                    self.call("viewReply", &[Arg::Int(seq), Arg::Json(result)]);
                }
                Input::ApiReply { call, result } => {
                    self.shared.pending_api.set(self.shared.pending_api.get().saturating_sub(1));
                    self.call("apiReply", &[Arg::Int(call), Arg::Json(result)]);
                }
                Input::ApiEvent { call, name, data } => {
                    self.call("apiEvent", &[Arg::Int(call), Arg::Str(name), Arg::Json(data)]);
                }
                Input::Theme { theme } => {
                    if theme == "light" || theme == "dark" {
                        self.call("themeChange", &[Arg::Str(theme)]);
                    }
                }
                Input::SetData { page, path, value } => {
                    let live = self.shared.pages.borrow().iter().any(|p| p.id == page);
                    if parse_data_path(&path).is_ok() && live {
                        self.call("setModel", &[Arg::Int(page), Arg::Str(path), Arg::Json(value)]);
                    }
                }
                Input::Model { page, path, value } => {
                    if parse_data_path(&path).is_ok() && self.top() == Some(page) {
                        self.call("setModel", &[Arg::Int(page), Arg::Str(path), Arg::Json(value)]);
                    }
                }
            }
            self.settle();
        } else if let Input::Query { query } = input {
            let value = self.answer(&query);
            self.shared.emit(Output::Answer { value });
        }
        self.flush()
    }

    /// Ends the instance from the host (a buffer the host holds for it ran over between
    /// callbacks): what it caused comes back, ending with [`Output::Done`].
    pub fn end(&mut self, reason: String) -> Vec<Output> {
        self.terminate(reason);
        self.flush()
    }

    fn flush(&mut self) -> Vec<Output> {
        let mut out = std::mem::take(&mut *self.shared.outbox.borrow_mut());
        self.shared.held.outputs.store(0, Ordering::Relaxed);
        if out.len() > MAX_OUTPUTS_PER_INPUT && self.terminated.is_none() {
            out.truncate(MAX_OUTPUTS_PER_INPUT);
            self.terminate(format!("output limit {MAX_OUTPUTS_PER_INPUT} messages per callback exceeded"));
            out.extend(std::mem::take(&mut *self.shared.outbox.borrow_mut()));
        }
        out.push(Output::Done);
        out
    }

    /// Calls a framework hook, routing a thrown error to `App.onError` and a budget breach
    /// to termination.
    fn call(&mut self, hook: &str, args: &[Arg]) -> Option<String> {
        if self.terminated.is_some() {
            return None;
        }
        let outcome = self.engine.call(hook, args);
        for e in self.engine.take_unhandled() {
            self.shared.emit(Output::Error { message: e.message, stack: e.stack });
        }
        match outcome {
            Outcome::Returned(v) => v,
            Outcome::Threw(e) => {
                self.shared.emit(Output::Error { message: e.message.clone(), stack: e.stack.clone() });
                let text = if e.stack.is_empty() { e.message } else { format!("{}\n{}", e.message, e.stack) };
                if let Outcome::Terminated(reason) = self.engine.call("appError", &[Arg::Str(text)]) {
                    self.terminate(reason);
                }
                None
            }
            Outcome::Terminated(reason) => {
                self.terminate(reason);
                None
            }
        }
    }

    fn terminate(&mut self, reason: String) {
        if self.terminated.is_none() {
            self.terminated = Some(reason.clone());
            self.shared.timers.borrow_mut().clear();
            // Past any budget: the host must hear why.
            self.shared.outbox.borrow_mut().push(Output::Terminated { reason });
        }
    }

    fn top(&self) -> Option<u32> {
        self.shared.pages.borrow().iter().rev().find(|p| !p.parked).map(|p| p.id)
    }

    /// The pages on the stack (not parked tab pages), bottom first.
    fn stack(&self) -> Vec<u32> {
        self.shared.pages.borrow().iter().filter(|p| !p.parked).map(|p| p.id).collect()
    }

    fn stack_len(&self) -> usize {
        self.shared.pages.borrow().iter().filter(|p| !p.parked).count()
    }

    /// Tells the script and the views which pages are on the stack now.
    fn announce_stack(&mut self) {
        let ids = self.stack();
        self.call("stackOrder", &[Arg::Json(json!(ids))]);
        self.shared.emit(Output::Stack { pages: ids });
    }

    fn lifecycle(&mut self, page: u32, name: &str, arg: Option<Value>) {
        let mut args = vec![Arg::Int(page), Arg::Str(name.to_string())];
        if let Some(a) = arg {
            args.push(Arg::Json(a));
        }
        self.call("pageLifecycle", &args);
    }

    fn launch(&mut self, path: Option<&str>) {
        if self.launched.is_some() {
            return;
        }
        self.launched = Some(Instant::now());
        self.launch_started = Some(std::time::SystemTime::now());
        let manifest = &self.package.manifest;
        let path = path.map(str::to_string).unwrap_or_else(|| manifest.entry_page.clone());
        let (route, query) = split_url(&path);
        let options = json!({"path": route, "query": query, "scene": 1001, "referrerInfo": {}});
        self.call("launchApp", &[Arg::Json(options)]);
        if self.package.manifest.page(&route).is_none() {
            let handled = self.call(
                "pageNotFound",
                &[Arg::Json(json!({"path": route, "query": query, "isEntryPage": true}))],
            );
            let _ = handled;
            self.shared.emit(Output::Error {
                message: format!("page \"{route}\" is not found"),
                stack: String::new(),
            });
            let entry = self.package.manifest.entry_page.clone();
            if entry != route {
                self.open_page(&entry, Map::new());
            }
            return;
        }
        self.open_page(&route, query);
    }

    /// Milliseconds since the Unix epoch, as performance entries count.
    fn epoch_ms(at: std::time::SystemTime) -> f64 {
        at.duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }

    fn perf_entry(&mut self, entry: Value) {
        self.call("perfEntry", &[Arg::Json(entry)]);
    }

    fn event(&mut self, page: u32, node: NodeId, event: &str, detail: Value, pointer: Pointer) {
        if self.top() != Some(page) {
            return;
        }
        // Who listens, in the order they run: capture listeners from the root down, then
        // bubbling ones from the target up (only the target's, for events that do not bubble).
        let calls = {
            let pages = self.shared.pages.borrow();
            let Some(state) = pages.iter().find(|p| p.id == page) else { return };
            let Some(rendered) = &state.rendered else { return };
            dispatch_plan(&rendered.tree, node, event, Propagation::native(event)).map(|plan| {
                let owners: Vec<u32> = plan
                    .calls
                    .iter()
                    .map(|c| c.owner.and_then(|h| state.hosts.get(&h).copied()).unwrap_or(page))
                    .collect();
                (plan, owners)
            })
        };
        let Some((plan, owners)) = calls else { return };
        let time_stamp = self.launched.map_or(0, |t| t.elapsed().as_millis() as u64);
        for (call, owner) in plan.calls.into_iter().zip(owners) {
            let handler = call.handler.clone();
            let event_object = view_event(event, time_stamp, call, &plan.mark, &detail, &pointer);
            self.call("callHandler", &[Arg::Int(owner), Arg::Str(handler), Arg::Json(event_object)]);
            if self.terminated.is_some() {
                return;
            }
        }
    }
}
