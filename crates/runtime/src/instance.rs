//! One running mini-program: its engine, its page stack with each page's data and rendered
//! tree, its timers, and the navigation rules. It is driven by [`Input`]s and answers with
//! [`Output`]s; it never blocks and never touches anything outside its package.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use capsule_js::{Arg, Engine, EngineError, Limits, Natives, Outcome, Stopper, WxsAccess, WxsSource};
use capsule_package::Package;
use capsule_template::ir::FileId;
use capsule_template::path::{check_gaps, parse_data_path, set_path};
use capsule_template::render::{Budget, RenderError};
use capsule_template::tree::{NodeId, NodeKind, Tree};
use capsule_template::{Program, Rendered, render_budgeted};
use serde_json::{Map, Value, json};

use crate::components::{ComponentState, announce, component_files};
use crate::events::{Propagation, dispatch_plan};
use crate::held::{HostMeter, serialized_len, value_weight};
use crate::message::{Input, Output, Query};
use crate::port::{ApiSurface, Port};

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

struct Timer {
    due: Instant,
    every: Option<Duration>,
}

/// Timers by id, and by due time for finding the next one without a scan.
#[derive(Default)]
struct Timers {
    by_id: std::collections::HashMap<u32, Timer>,
    by_due: std::collections::BTreeSet<(Instant, u32)>,
}

impl Timers {
    fn insert(&mut self, id: u32, timer: Timer) {
        self.remove(id);
        self.by_due.insert((timer.due, id));
        self.by_id.insert(id, timer);
    }

    fn remove(&mut self, id: u32) -> Option<Timer> {
        let timer = self.by_id.remove(&id)?;
        self.by_due.remove(&(timer.due, id));
        Some(timer)
    }

    fn next_due(&self) -> Option<Instant> {
        self.by_due.first().map(|(due, _)| *due)
    }

    fn clear(&mut self) {
        self.by_id.clear();
        self.by_due.clear();
    }
}

struct NavRequest {
    seq: Option<u32>,
    kind: String,
    target: String,
}

/// What the engine's natives share with the instance.
struct Shared {
    program: Arc<Program>,
    pages: RefCell<Vec<PageState>>,
    outbox: RefCell<Vec<Output>>,
    timers: RefCell<Timers>,
    navigation: RefCell<VecDeque<NavRequest>>,
    /// API answers known at once (no bridge), delivered after the current callback.
    replies: RefCell<Vec<(u32, Value)>>,
    /// Ids for pages and components, from one counter: the script addresses both by id.
    next_page: Cell<u32>,
    components: RefCell<HashMap<u32, ComponentState>>,
    /// Async API calls sent to the bridge and not yet answered.
    pending_api: Cell<u32>,
    /// When each `setData` of the last second came, and the sizes seen (for the platform's
    /// audit limits in the developer tools).
    set_data_times: RefCell<VecDeque<Instant>>,
    set_data_bytes: Cell<(usize, usize)>,
    /// What the host holds for the instance, against its host budget.
    held: Arc<HostMeter>,
    /// Ends the script from a native when a host buffer runs over (set once the engine exists).
    stopper: RefCell<Option<Stopper>>,
    /// Live nodes a page's tree may hold.
    max_nodes: usize,
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
    fn render<T>(&self, f: impl FnOnce(&Budget<'_>) -> Result<T, RenderError>) -> Result<T, String> {
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
    fn emit(&self, output: Output) {
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
        self.outbox.borrow_mut().push(output);
    }

    /// The estimate of the pages' data passed the budget (see `held.rs`): weighs it exactly.
    /// Still over, the script is stopped and `Err` gives the reason.
    fn weigh_data(
        &self,
        pages: &[PageState],
        components: &HashMap<u32, ComponentState>,
    ) -> Result<(), String> {
        let exact: usize = pages.iter().map(|p| value_weight(&p.data)).sum::<usize>()
            + components.values().map(|c| value_weight(&c.data)).sum::<usize>();
        self.held.data.store(exact, Ordering::Relaxed);
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
fn padding(data: &Value, path: &[String]) -> usize {
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

struct Bridge {
    shared: Rc<Shared>,
    /// For what the package itself answers (an image in the package).
    package: Arc<Package>,
    apis: ApiSurface,
    /// The way out for API calls (in a pool); without one they leave with the callback's
    /// other outputs, and sync calls are not supported.
    port: Option<Port>,
}

impl Bridge {
    /// Runs `f` on component `id` and the page holding it (when both still exist), then
    /// gives what the change did to components, as the framework expects. `Err` while a
    /// render is running (a WXS function reaching back): the component cannot be `what` then.
    fn change_component(
        &self,
        id: u32,
        what: &str,
        f: impl FnOnce(&mut PageState, &mut ComponentState),
    ) -> Result<String, String> {
        let Ok(mut pages) = self.shared.pages.try_borrow_mut() else {
            return Err(format!("a component cannot be {what} while the page is rendering"));
        };
        let mut components = self.shared.components.borrow_mut();
        let Some(page) = components.get(&id).map(|c| c.page) else { return Ok(String::new()) };
        let Some(state) = pages.iter_mut().find(|p| p.id == page) else { return Ok(String::new()) };
        if let Some(c) = components.get_mut(&id) {
            f(state, c);
        }
        Ok(announce(&self.shared.program, state, &mut components, &self.shared.next_page))
    }

    /// `getImageInfo` of an image in the package (`/images/a.png`, or relative to the current
    /// page); `None` for the app's own files and the network, which the bridge answers.
    fn package_image(&self, args: &Value) -> Option<Value> {
        let src = args.get("src")?.as_str()?;
        if src.contains("://") || src.starts_with("data:") {
            return None;
        }
        let path = match src.strip_prefix('/') {
            Some(p) => Some(p.to_string()),
            None => {
                let pages = self.shared.pages.borrow();
                let route =
                    pages.iter().rev().find(|p| !p.parked).map(|p| p.route.clone()).unwrap_or_default();
                capsule_package::components::join(capsule_package::components::parent(&route), src)
            }
        };
        let found = path.as_deref().and_then(|p| self.package.files.get(p).map(|b| (p, b)));
        Some(match found.and_then(|(p, b)| capsule_package::image::size(b).map(|s| (p, s))) {
            Some((p, (width, height, kind))) => {
                json!({"errMsg": "getImageInfo:ok", "width": width, "height": height, "path": p, "orientation": "up", "type": kind})
            }
            None if found.is_some() => json!({"errMsg": "getImageInfo:fail the file is not an image"}),
            None => json!({"errMsg": format!("getImageInfo:fail file not found: {src}")}),
        })
    }

    /// Patches and WXS errors from a render; a page the view does not have yet gets no
    /// patches (its snapshot will show the result).
    fn emit(
        &self,
        page: u32,
        opened: bool,
        patches: Vec<capsule_template::Patch>,
        errors: Vec<capsule_js::JsError>,
    ) {
        for e in errors {
            self.shared.emit(Output::Error { message: e.message, stack: e.stack });
        }
        if opened && !patches.is_empty() {
            self.shared.emit(Output::Patches { page, patches });
        }
    }
}

impl Natives for Bridge {
    fn log(&self, level: &str, text: &str, source: &str) {
        let text = match text.char_indices().nth(MAX_LOG_TEXT) {
            Some((cut, _)) => format!("{}… ({} more bytes)", &text[..cut], text.len() - cut),
            None => text.to_string(),
        };
        self.shared.emit(Output::Log { level: level.into(), text, source: source.into() });
    }

    fn set_timer(&self, id: u32, delay_ms: f64, repeat: bool) -> Result<(), String> {
        let mut timers = self.shared.timers.borrow_mut();
        if timers.by_id.len() >= MAX_TIMERS {
            return Err(format!("too many timers: an instance may have {MAX_TIMERS} at once"));
        }
        let delay = Duration::from_secs_f64((delay_ms.max(0.0) / 1000.0).min(86_400.0 * 365.0));
        // An interval of 0 would spin; the platform clamps short intervals too.
        let every = repeat.then(|| delay.max(Duration::from_millis(1)));
        timers.insert(id, Timer { due: Instant::now() + delay, every });
        Ok(())
    }

    fn clear_timer(&self, id: u32) {
        self.shared.timers.borrow_mut().remove(id);
    }

    fn set_data(&self, owner: u32, json: &str, wxs: &WxsAccess<'_, '_>) -> Result<String, String> {
        {
            let now = Instant::now();
            let mut times = self.shared.set_data_times.borrow_mut();
            times.push_back(now);
            while times.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1)) {
                times.pop_front();
            }
            let (_, max) = self.shared.set_data_bytes.get();
            self.shared.set_data_bytes.set((json.len(), max.max(json.len())));
        }
        let changes: Value = serde_json::from_str(json).map_err(|e| format!("setData: {e}"))?;
        let Value::Object(changes) = changes else { return Err("setData takes an object".into()) };
        let mut paths = Vec::with_capacity(changes.len());
        for key in changes.keys() {
            paths.push(parse_data_path(key).map_err(|e| format!("setData: {e}"))?);
        }
        // A setData from inside a render (a WXS function reaching back) finds the pages busy.
        let Ok(mut pages) = self.shared.pages.try_borrow_mut() else {
            return Err("setData cannot be called while the page is rendering".into());
        };
        let mut components = self.shared.components.borrow_mut();
        let (page, host) = match components.get(&owner) {
            Some(c) => (c.page, Some(c.host)),
            None => (owner, None),
        };
        let Some(state) = pages.iter_mut().find(|p| p.id == page) else { return Ok(String::new()) };
        let (data, scope) = match host {
            Some(_) => {
                let c = components.get_mut(&owner).expect("looked up above");
                (&mut c.data, &c.wxs_scope)
            }
            None => (&mut state.data, &state.wxs_scope),
        };
        for path in &paths {
            check_gaps(data, path).map_err(|e| format!("setData: {e}; nothing was changed"))?;
        }
        let mut added = 0;
        for (path, (_, value)) in paths.iter().zip(changes) {
            added += value_weight(&value) + padding(data, path);
            added += path.iter().map(|part| part.len() + 32).sum::<usize>();
            set_path(data, path, value).map_err(|e| format!("setData: {e}"))?;
        }
        // Past the budget nothing renders: the data is weighed exactly below.
        let over = !self.shared.held.admits(added);
        self.shared.held.data.fetch_add(added, Ordering::Relaxed);
        if let (Some(rendered), Some(_), false) = (state.rendered.as_mut(), state.file, over) {
            let caller = wxs.caller(scope);
            let program = &self.shared.program;
            let patches = self.shared.render(|budget| match host {
                Some(host) => {
                    rendered.update_component_budgeted(program, host, data, &paths, &caller, budget)
                }
                None => rendered.update_budgeted(program, data, &paths, &caller, budget),
            })?;
            self.emit(state.id, state.opened, patches, caller.take_errors());
        }
        let changes = announce(&self.shared.program, state, &mut components, &self.shared.next_page);
        if over {
            self.shared.weigh_data(&pages, &components)?;
        }
        Ok(changes)
    }

    fn mount(
        &self,
        component: u32,
        data: &str,
        isolation: &str,
        external: &str,
        wxs: &WxsAccess<'_, '_>,
    ) -> Result<String, String> {
        let data: Value = serde_json::from_str(data).map_err(|e| format!("component data: {e}"))?;
        self.shared.held.data.fetch_add(value_weight(&data), Ordering::Relaxed);
        self.change_component(component, "created", |state, c| {
            c.data = data;
            let Some(rendered) = state.rendered.as_mut() else { return };
            let caller = wxs.caller(&c.wxs_scope);
            let shadow = rendered.shadow_root(c.host);
            let mut patches = Vec::new();
            if !isolation.is_empty() {
                patches.extend(shadow.and_then(|s| rendered.set_attr(s, "isolation", json!(isolation))));
            }
            let external = external_classes(external);
            if !external.is_empty() {
                // The view adopts the owner's rules for those classes into the shadow root.
                let owner = match rendered.component_owner(c.host).and_then(|o| rendered.component_path(o)) {
                    Some(path) => format!("component:{path}"),
                    None => format!("page:{}", state.route),
                };
                patches.extend(shadow.and_then(|s| rendered.set_attr(s, "owner", json!(owner))));
                patches.extend(
                    shadow.and_then(|s| rendered.set_attr(s, "external", json!(class_names(&external)))),
                );
                let program = &self.shared.program;
                let classes = self.shared.render(|budget| {
                    rendered
                        .set_external_classes_budgeted(program, c.host, external, &c.data, &caller, budget)
                });
                if classes.is_err() {
                    return;
                }
            }
            let program = &self.shared.program;
            match self
                .shared
                .render(|budget| rendered.mount_budgeted(program, c.host, &c.data, &caller, budget))
            {
                Ok(more) => patches.extend(more),
                Err(_) => return,
            }
            self.emit(state.id, state.opened, patches, caller.take_errors());
        })
    }

    fn trigger(&self, component: u32, event: &str, options: &str) -> String {
        let options: Value = serde_json::from_str(options).unwrap_or(Value::Null);
        let flag = |name: &str| options.get(name).and_then(Value::as_bool).unwrap_or(false);
        let how = Propagation {
            bubbles: flag("bubbles"),
            composed: flag("composed"),
            capture: flag("capturePhase"),
        };
        let pages = self.shared.pages.borrow();
        let components = self.shared.components.borrow();
        let Some(c) = components.get(&component) else { return json!({"calls": []}).to_string() };
        let Some(state) = pages.iter().find(|p| p.id == c.page) else {
            return json!({"calls": []}).to_string();
        };
        let Some(plan) = state.rendered.as_ref().and_then(|r| dispatch_plan(&r.tree, c.host, event, how))
        else {
            return json!({"calls": []}).to_string();
        };
        let calls: Vec<Value> = plan
            .calls
            .into_iter()
            .map(|call| {
                let owner = call.owner.and_then(|h| state.hosts.get(&h).copied()).unwrap_or(state.id);
                json!({"owner": owner, "handler": call.handler, "currentTarget": call.current_target, "target": call.target})
            })
            .collect();
        json!({"calls": calls, "mark": plan.mark}).to_string()
    }

    fn set_external_classes(
        &self,
        component: u32,
        external: &str,
        wxs: &WxsAccess<'_, '_>,
    ) -> Result<String, String> {
        let external = external_classes(external);
        self.change_component(component, "changed", |state, c| {
            let Some(rendered) = state.rendered.as_mut() else { return };
            let caller = wxs.caller(&c.wxs_scope);
            let shadow = rendered.shadow_root(c.host);
            let mut patches: Vec<_> = shadow
                .and_then(|s| rendered.set_attr(s, "external", json!(class_names(&external))))
                .into_iter()
                .collect();
            let program = &self.shared.program;
            match self.shared.render(|budget| {
                rendered.set_external_classes_budgeted(program, c.host, external, &c.data, &caller, budget)
            }) {
                Ok(more) => patches.extend(more),
                Err(_) => return,
            }
            self.emit(state.id, state.opened, patches, caller.take_errors());
        })
    }

    fn set_host_attrs(&self, component: u32, attrs: &str) {
        let Ok(Value::Object(attrs)) = serde_json::from_str::<Value>(attrs) else { return };
        let _ = self.change_component(component, "changed", |state, c| {
            let Some(rendered) = state.rendered.as_mut() else { return };
            let patches: Vec<_> = attrs
                .into_iter()
                .filter_map(|(name, value)| rendered.set_attr(c.host, &name, value))
                .collect();
            self.emit(state.id, state.opened, patches, Vec::new());
        });
    }

    fn component_ancestors(&self, component: u32) -> String {
        let pages = self.shared.pages.borrow();
        let components = self.shared.components.borrow();
        let Some(c) = components.get(&component) else { return "[]".into() };
        let Some(state) = pages.iter().find(|p| p.id == c.page) else { return "[]".into() };
        let Some(rendered) = &state.rendered else { return "[]".into() };
        let mut out = Vec::new();
        let mut cur = rendered.tree.get(c.host).and_then(|n| n.parent);
        while let Some(id) = cur {
            if let Some(&comp) = state.hosts.get(&id) {
                out.push(comp);
            }
            cur = rendered.tree.get(id).and_then(|n| n.parent);
        }
        json!(out).to_string()
    }

    fn select_components(&self, owner: u32, selector: &str) -> String {
        let pages = self.shared.pages.borrow();
        let components = self.shared.components.borrow();
        let (page, host) = match components.get(&owner) {
            Some(c) => (c.page, Some(c.host)),
            None => (owner, None),
        };
        let Some(state) = pages.iter().find(|p| p.id == page) else { return "[]".into() };
        let Some(rendered) = &state.rendered else { return "[]".into() };
        let tree = &rendered.tree;
        let root = match host {
            Some(h) => tree.children(h).find(|&c| tree.is_shadow_root(c)),
            None => Some(tree.root()),
        };
        let mut found = Vec::new();
        let mut stack: Vec<NodeId> = root.into_iter().collect();
        while let Some(id) = stack.pop() {
            if let Some(&comp) = state.hosts.get(&id)
                && selector.split(',').any(|s| matches(tree, id, s.trim()))
            {
                found.push(comp);
            }
            let children: Vec<NodeId> = tree.children(id).filter(|&c| !tree.is_shadow_root(c)).collect();
            stack.extend(children.into_iter().rev());
        }
        json!(found).to_string()
    }

    fn api_surface(&self) -> String {
        self.apis.as_json().to_string()
    }

    fn api_call(&self, seq: u32, name: &str, args: &str) {
        let args: Value = serde_json::from_str(args).unwrap_or(Value::Null);
        if name == "getImageInfo"
            && let Some(result) = self.package_image(&args)
        {
            self.shared.replies.borrow_mut().push((seq, result));
            return;
        }
        if crate::port::is_sync_call(seq) {
            // Not a number the script may use (its calls count up from 1).
            let result = json!({"errMsg": format!("{name}:fail too many calls")});
            self.shared.replies.borrow_mut().push((seq, result));
            return;
        }
        self.shared.pending_api.set(self.shared.pending_api.get() + 1);
        let call = Output::ApiCall { call: seq, name: name.to_string(), args, sync: false };
        match &self.port {
            // In a pool the call leaves at once, as the script made it.
            Some(port) => port.send(call),
            None => self.shared.emit(call),
        }
    }

    fn api_call_sync(&self, name: &str, args: &str) -> String {
        let args: Value = serde_json::from_str(args).unwrap_or(Value::Null);
        match &self.port {
            Some(port) => port.call_sync(name, args).to_string(),
            None => json!({"errMsg": format!("{name}Sync:fail not supported")}).to_string(),
        }
    }

    fn view_call(&self, seq: u32, name: &str, args: &str) {
        let args = serde_json::from_str(args).unwrap_or(Value::Null);
        self.shared.emit(Output::ViewCall { seq, name: name.into(), args });
    }

    fn navigate(&self, seq: u32, kind: &str, target: &str) -> Result<(), String> {
        let mut queue = self.shared.navigation.borrow_mut();
        if queue.len() >= MAX_PENDING_NAVIGATIONS {
            return Err("too many navigations are already waiting".into());
        }
        queue.push_back(NavRequest { seq: Some(seq), kind: kind.into(), target: target.into() });
        Ok(())
    }
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
        });
        let engine = Engine::new(
            package.clone(),
            limits,
            Rc::new(Bridge { shared: shared.clone(), package: package.clone(), apis, port }),
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
    pub fn heap_used(&self) -> usize {
        self.engine.heap().0
    }

    /// Handles one input; everything it caused comes back, ending with [`Output::Done`].
    pub fn handle(&mut self, input: Input) -> Vec<Output> {
        if self.terminated.is_none() {
            match input {
                Input::Launch { path } => self.launch(path.as_deref()),
                Input::Event { page, node, event, detail } => self.event(page, node, &event, detail),
                Input::PageEvent { page, hook, arg } => {
                    const PAGE_EVENTS: &[&str] =
                        &["onPullDownRefresh", "onReachBottom", "onPageScroll", "onResize", "onTabItemTap"];
                    if PAGE_EVENTS.contains(&hook.as_str()) && self.top() == Some(page) {
                        self.lifecycle(page, &hook, arg);
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
            self.call("fireTimer", &[Arg::Int(id)]);
            self.settle();
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

    /// Creates, loads, shows, renders and readies a page on top of the stack.
    fn open_page(&mut self, route: &str, query: Map<String, Value>) -> Option<u32> {
        let started = std::time::SystemTime::now();
        let id = self.open_page_inner(route, query)?;
        let done = std::time::SystemTime::now();
        let (start, end) = (Self::epoch_ms(started), Self::epoch_ms(done));
        let kind = self.navigating.clone().unwrap_or_else(|| "appLaunch".to_string());
        self.perf_entry(json!({"name": "route", "entryType": "navigation", "startTime": start, "duration": end - start, "path": route, "navigationType": kind, "pageId": id}));
        self.perf_entry(json!({"name": "firstRender", "entryType": "render", "startTime": start, "duration": end - start, "path": route, "pageId": id}));
        if let Some(launched) = self.launch_started.take() {
            let launch = Self::epoch_ms(launched);
            self.perf_entry(json!({"name": "appLaunch", "entryType": "navigation", "startTime": launch, "duration": end - launch, "path": route}));
        }
        Some(id)
    }

    fn open_page_inner(&mut self, route: &str, query: Map<String, Value>) -> Option<u32> {
        let id = self.shared.next_page.get();
        self.shared.next_page.set(id + 1);
        let program = self.shared.program.clone();
        let file = program.file_of(route);
        let wxs_scope = file.map(|f| program.wxs_scope(f)).unwrap_or_default();
        let mut to_load = wxs_scope.clone();
        for c in file.map(|f| component_files(&program, f)).unwrap_or_default() {
            to_load.extend(program.wxs_scope(c));
        }
        for f in to_load {
            let sources = self.wxs_sources(f);
            match self.engine.load_wxs(f, &sources) {
                Outcome::Returned(_) => {}
                Outcome::Threw(e) => {
                    self.shared.emit(Output::Error { message: e.message, stack: e.stack });
                }
                Outcome::Terminated(reason) => {
                    self.terminate(reason);
                    return None;
                }
            }
        }
        self.shared.pages.borrow_mut().push(PageState {
            id,
            route: route.to_string(),
            data: json!({}),
            file,
            wxs_scope: wxs_scope.clone(),
            rendered: None,
            parked: false,
            opened: false,
            hosts: HashMap::new(),
        });
        let data = self.call(
            "createPage",
            &[Arg::Int(id), Arg::Str(route.to_string()), Arg::Json(Value::Object(query.clone()))],
        );
        if self.terminated.is_some() {
            return None;
        }
        let data: Value = data.and_then(|d| serde_json::from_str(&d).ok()).unwrap_or_else(|| json!({}));
        // The platform's order: the page renders with its initial data, which creates and
        // attaches its components; then onLoad and onShow (whose setData the first frame
        // shows); then the components are ready, then the page.
        let shared = self.shared.clone();
        let (rendered, errors) = self.engine.with_wxs(&wxs_scope, |host| {
            shared.render(|budget| render_budgeted(&program, file.unwrap_or(usize::MAX), &data, host, budget))
        });
        for e in errors {
            self.shared.emit(Output::Error { message: e.message, stack: e.stack });
        }
        let rendered = match rendered {
            Some(Ok(rendered)) => rendered,
            Some(Err(reason)) => {
                self.terminate(self.engine.terminated().unwrap_or(reason));
                return None;
            }
            None => {
                if let Some(reason) = self.engine.terminated() {
                    self.terminate(reason);
                }
                return None;
            }
        };
        self.shared.held.data.fetch_add(value_weight(&data), Ordering::Relaxed);
        let changes = {
            let mut pages = self.shared.pages.borrow_mut();
            let state = pages.iter_mut().find(|p| p.id == id)?;
            state.data = data;
            state.rendered = Some(rendered);
            announce(&program, state, &mut self.shared.components.borrow_mut(), &self.shared.next_page)
        };
        if !changes.is_empty() {
            self.call("componentChanges", &[Arg::Str(changes)]);
        }
        self.lifecycle(id, "onLoad", Some(Value::Object(query.clone())));
        self.lifecycle(id, "onShow", None);
        if self.terminated.is_some() {
            return None;
        }
        let snapshot = {
            let mut pages = self.shared.pages.borrow_mut();
            let state = pages.iter_mut().find(|p| p.id == id)?;
            state.opened = true;
            state.rendered.as_ref()?.tree.snapshot()
        };
        self.shared.emit(Output::PageOpened { page: id, route: route.to_string(), query, snapshot });
        self.lifecycle(id, "onReady", None);
        Some(id)
    }

    /// The code of a template file's `<wxs>` modules.
    fn wxs_sources(&self, file: FileId) -> Vec<WxsSource> {
        let Some(f) = self.shared.program.files.get(file) else { return Vec::new() };
        f.wxs
            .iter()
            .filter_map(|m| {
                let (path, code) = match (&m.src, &m.inline) {
                    (Some(src), _) => (src.clone(), self.package.files.text(src)?.to_string()),
                    (None, Some(code)) => (format!("{}#{}", f.path, m.name), code.clone()),
                    (None, None) => return None,
                };
                Some(WxsSource { name: m.name.clone(), path, code })
            })
            .collect()
    }

    fn close_top(&mut self) {
        let Some(id) = self.top() else { return };
        self.close(id);
    }

    fn close(&mut self, id: u32) {
        self.lifecycle(id, "onUnload", None);
        self.shared.pages.borrow_mut().retain(|p| p.id != id);
        self.shared.components.borrow_mut().retain(|_, c| c.page != id);
        self.shared.emit(Output::PageClosed { page: id });
    }

    /// The package route a navigation URL names: absolute from the root, or relative to the
    /// current page's folder.
    fn absolute_url(&self, url: &str) -> String {
        if url.starts_with('/') {
            return url.to_string();
        }
        let base = self
            .top()
            .and_then(|id| self.shared.pages.borrow().iter().find(|p| p.id == id).map(|p| p.route.clone()));
        let (path, query) = url.split_once('?').map_or((url, None), |(p, q)| (p, Some(q)));
        let joined = match base {
            Some(route) => {
                capsule_package::components::join(capsule_package::components::parent(&route), path)
            }
            None => Some(path.to_string()),
        };
        let joined = joined.unwrap_or_else(|| path.to_string());
        match query {
            Some(q) => format!("{joined}?{q}"),
            None => joined,
        }
    }

    /// Delivers answers known at once, then carries out queued navigations, each after the
    /// callback that asked for it.
    fn settle(&mut self) {
        for _ in 0..100 {
            let replies = std::mem::take(&mut *self.shared.replies.borrow_mut());
            if replies.is_empty() {
                break;
            }
            for (seq, result) in replies {
                self.call("apiReply", &[Arg::Int(seq), Arg::Json(result)]);
            }
        }
        for _ in 0..100 {
            let Some(request) = self.shared.navigation.borrow_mut().pop_front() else { return };
            if self.terminated.is_some() {
                return;
            }
            let target = if request.kind == "navigateBack" {
                request.target.clone()
            } else {
                self.absolute_url(&request.target)
            };
            self.navigating = Some(request.kind.clone());
            let result = self.navigate(&request.kind, &target);
            self.navigating = None;
            if result.is_ok() {
                self.announce_stack();
            }
            let message = match result {
                Ok(()) => format!("{}:ok", request.kind),
                Err(reason) => format!("{}:fail {reason}", request.kind),
            };
            match request.seq {
                Some(seq) => {
                    self.call("navigationDone", &[Arg::Int(seq), Arg::Str(message)]);
                }
                None if message.ends_with(":ok") => {}
                None => self.shared.emit(Output::Error { message, stack: String::new() }),
            }
        }
    }

    fn is_tab_page(&self, route: &str) -> bool {
        self.package
            .manifest
            .tab_bar
            .as_ref()
            .is_some_and(|bar| bar.list.iter().any(|item| item.page_path == route))
    }

    fn navigate(&mut self, kind: &str, target: &str) -> Result<(), String> {
        let manifest = &self.package.manifest;
        let checked_route = |url: &str| -> Result<(String, Map<String, Value>), String> {
            let (route, query) = split_url(url);
            if manifest.page(&route).is_none() {
                return Err(format!("page \"{route}\" is not found"));
            }
            Ok((route, query))
        };
        match kind {
            "navigateTo" => {
                let (route, query) = checked_route(target)?;
                if self.is_tab_page(&route) {
                    return Err("can not navigateTo a tabbar page".into());
                }
                if self.stack_len() >= MAX_PAGES {
                    return Err("webview count limit exceed".into());
                }
                if let Some(top) = self.top() {
                    self.lifecycle(top, "onHide", None);
                }
                self.open_page(&route, query);
                Ok(())
            }
            "redirectTo" => {
                let (route, query) = checked_route(target)?;
                if self.is_tab_page(&route) {
                    return Err("can not redirectTo a tabbar page".into());
                }
                self.close_top();
                self.open_page(&route, query);
                Ok(())
            }
            "navigateBack" => {
                let len = self.stack_len();
                if len <= 1 {
                    return Err("cannot navigate back at first page.".into());
                }
                let delta = target.parse::<usize>().unwrap_or(1).max(1).min(len - 1);
                for _ in 0..delta {
                    self.close_top();
                }
                if let Some(top) = self.top() {
                    self.lifecycle(top, "onShow", None);
                }
                Ok(())
            }
            "reLaunch" => {
                let (route, query) = checked_route(target)?;
                while self.top().is_some() {
                    self.close_top();
                }
                let parked: Vec<u32> = self.shared.pages.borrow().iter().map(|p| p.id).collect();
                for id in parked {
                    self.close(id);
                }
                self.open_page(&route, query);
                Ok(())
            }
            "switchTab" => {
                let (route, _) = checked_route(target)?;
                if !self.is_tab_page(&route) {
                    return Err("can not switch to no-tabBar page".into());
                }
                // Every page that is not a tab page closes, top first; tab pages stay alive.
                loop {
                    let top = self.top().and_then(|id| {
                        self.shared.pages.borrow().iter().find(|p| p.id == id).map(|p| (id, p.route.clone()))
                    });
                    match top {
                        Some((id, r)) if !self.is_tab_page(&r) => self.close(id),
                        _ => break,
                    }
                }
                let current = self.top().and_then(|id| {
                    self.shared.pages.borrow().iter().find(|p| p.id == id).map(|p| (id, p.route.clone()))
                });
                match current {
                    Some((id, r)) if r == route => {
                        // Already there (after closing what was above): it shows again.
                        if self.stack_len() == 1 {
                            self.lifecycle(id, "onShow", None);
                        }
                        return Ok(());
                    }
                    Some((id, _)) => {
                        self.lifecycle(id, "onHide", None);
                        if let Some(p) = self.shared.pages.borrow_mut().iter_mut().find(|p| p.id == id) {
                            p.parked = true;
                        }
                    }
                    None => {}
                }
                let parked =
                    self.shared.pages.borrow().iter().find(|p| p.parked && p.route == route).map(|p| p.id);
                match parked {
                    Some(id) => {
                        {
                            let mut pages = self.shared.pages.borrow_mut();
                            if let Some(at) = pages.iter().position(|p| p.id == id) {
                                let mut page = pages.remove(at);
                                page.parked = false;
                                pages.push(page);
                            }
                        }
                        self.lifecycle(id, "onShow", None);
                    }
                    // switchTab drops any query, as on the platform.
                    None => {
                        self.open_page(&route, Map::new());
                    }
                }
                Ok(())
            }
            other => Err(format!("unknown navigation `{other}`")),
        }
    }

    fn event(&mut self, page: u32, node: NodeId, event: &str, detail: Value) {
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
            let event_object = json!({
                "type": event,
                "timeStamp": time_stamp,
                "target": call.target,
                "currentTarget": call.current_target,
                "detail": detail,
                "touches": [],
                "changedTouches": [],
                "mark": plan.mark,
            });
            self.call("callHandler", &[Arg::Int(owner), Arg::Str(call.handler), Arg::Json(event_object)]);
            if self.terminated.is_some() {
                return;
            }
        }
    }

    fn answer(&mut self, query: &Query) -> Value {
        match query {
            Query::Html => {
                let top = self.top();
                let pages = self.shared.pages.borrow();
                let html = pages
                    .iter()
                    .find(|p| Some(p.id) == top)
                    .and_then(|p| p.rendered.as_ref())
                    .map(|r| r.tree.to_html());
                html.map_or(Value::Null, Value::String)
            }
            Query::Data => {
                let Some(top) = self.top() else { return Value::Null };
                if self.terminated.is_some() {
                    return self.shared.pages.borrow().last().map_or(Value::Null, |p| p.data.clone());
                }
                match self.engine.call("pageData", &[Arg::Int(top)]) {
                    Outcome::Returned(Some(json)) => serde_json::from_str(&json).unwrap_or(Value::Null),
                    _ => Value::Null,
                }
            }
            Query::StackData => {
                let pages: Vec<(u32, String)> = self
                    .shared
                    .pages
                    .borrow()
                    .iter()
                    .filter(|p| !p.parked)
                    .map(|p| (p.id, p.route.clone()))
                    .collect();
                let mut out = Vec::new();
                for (id, route) in pages {
                    let data = match self.engine.call("pageData", &[Arg::Int(id)]) {
                        Outcome::Returned(Some(json)) => serde_json::from_str(&json).unwrap_or(Value::Null),
                        _ => Value::Null,
                    };
                    out.push(json!({"page": id, "route": route, "data": data}));
                }
                Value::Array(out)
            }
            Query::Evaluate { page, expression } => match self.engine.evaluate(*page, expression) {
                Outcome::Returned(text) => json!({"result": text.unwrap_or_default()}),
                Outcome::Threw(e) => json!({"error": e.message}),
                Outcome::Terminated(reason) => {
                    self.terminate(reason.clone());
                    json!({"error": reason})
                }
            },
            Query::Find { selector } => {
                let pages = self.shared.pages.borrow();
                let found =
                    pages.last().and_then(|p| p.rendered.as_ref()).and_then(|r| find(&r.tree, selector));
                match (pages.last(), found) {
                    (Some(p), Some(node)) => json!({"page": p.id, "node": node}),
                    _ => Value::Null,
                }
            }
            Query::Metrics => {
                let (heap, peak) = self.engine.heap();
                let now = Instant::now();
                let per_second = self
                    .shared
                    .set_data_times
                    .borrow()
                    .iter()
                    .filter(|t| now.duration_since(**t) <= Duration::from_secs(1))
                    .count();
                let (last, max) = self.shared.set_data_bytes.get();
                let top = self.top();
                let nodes = self
                    .shared
                    .pages
                    .borrow()
                    .iter()
                    .find(|p| Some(p.id) == top)
                    .and_then(|p| p.rendered.as_ref())
                    .map_or(0, |r| r.tree.len());
                let mut figures = json!({"heap": heap, "heapPeak": peak, "cpuMs": self.engine.cpu_this_minute().as_secs_f64() * 1000.0,
                       "pendingApis": self.shared.pending_api.get(), "setDataPerSecond": per_second,
                       "setDataLastBytes": last, "setDataMaxBytes": max, "nodes": nodes});
                if let (Value::Object(figures), Value::Object(held)) =
                    (&mut figures, self.shared.held.figures())
                {
                    figures.extend(held);
                }
                figures
            }
            Query::Stack => {
                let pages = self.shared.pages.borrow();
                Value::Array(
                    pages
                        .iter()
                        .filter(|p| !p.parked)
                        .map(|p| json!({"page": p.id, "route": p.route}))
                        .collect(),
                )
            }
        }
    }
}

/// The first element matching `#id`, `.class` or a tag name, in document order.
pub fn find(tree: &Tree, selector: &str) -> Option<NodeId> {
    let mut stack: Vec<NodeId> = tree.children(tree.root()).collect::<Vec<_>>().into_iter().rev().collect();
    while let Some(id) = stack.pop() {
        if matches(tree, id, selector) {
            return Some(id);
        }
        let children: Vec<NodeId> = tree.children(id).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

/// The class names external classes put in (`red big blue`), as the view adopts rules for.
fn class_names(external: &[(String, String)]) -> String {
    external.iter().flat_map(|(_, v)| v.split_whitespace()).collect::<Vec<_>>().join(" ")
}

/// `{"custom-class": "red big"}` → pairs, dropping what is not text.
fn external_classes(json: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else { return Vec::new() };
    map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect()
}

/// Whether element `id` matches a simple selector: `#id`, `.class` or a tag name.
fn matches(tree: &Tree, id: NodeId, selector: &str) -> bool {
    let Some(NodeKind::Element { tag, .. }) = tree.get(id).map(|n| &n.kind) else { return false };
    if let Some(want) = selector.strip_prefix('#') {
        return tree.attr(id, "id").and_then(Value::as_str) == Some(want);
    }
    if let Some(want) = selector.strip_prefix('.') {
        return tree
            .attr(id, "class")
            .and_then(Value::as_str)
            .is_some_and(|c| c.split_whitespace().any(|x| x == want));
    }
    &**tag == selector
}

/// `pages/x/x?a=1&b=2` → route and query (values percent-decoded).
pub fn split_url(url: &str) -> (String, Map<String, Value>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let route = path.trim_start_matches('/').trim_end_matches(".html").to_string();
    let mut map = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        map.insert(percent_decode(k), Value::String(percent_decode(v)));
    }
    (route, map)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(h);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
