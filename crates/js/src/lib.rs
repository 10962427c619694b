//! `capsule-js` is the JavaScript side of one instance: a QuickJS runtime and context of its
//! own (nothing shared between instances), run under budgets — heap, native stack, CPU per
//! callback and per minute — with the mini-program framework (`App`, `Page`, `setData`,
//! navigation, timers, CommonJS `require` over the package's files) loaded before any package
//! code.
//!
//! It owns: the engine and its budgets, module resolution inside the package, the framework
//! script, and turning JS exceptions into messages with package paths. It must not: render
//! (it hands `setData` JSON to [`Natives`]), know any view, or reach the file system or
//! network (package files come from the [`capsule_package::Package`]; everything else goes
//! through [`Natives`]).

pub mod bytecode;
mod data;
mod error;
mod esm;
mod heap;
pub mod modules;
mod stack;
mod surface;
mod syntax;
pub mod wxs;

pub use surface::SurfaceIndex;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use capsule_package::Package;
use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, Function, Object, Runtime, Value};

pub use error::EngineError;
use heap::{CountingAllocator, HeapMeter};
pub use syntax::syntax_errors;
pub use wxs::WxsSource;
use wxs::{WxsCaller, WxsRealm};

/// Access to the WXS modules from inside a callback, for rendering in `setData`.
pub struct WxsAccess<'a, 'js> {
    ctx: Ctx<'js>,
    realm: &'a RefCell<Option<WxsRealm>>,
}

impl<'js> WxsAccess<'_, 'js> {
    /// A caller for the modules of `files` (a page's template file and what it imports and
    /// includes, in that order). Errors thrown by module functions collect in the caller.
    pub fn caller(&self, files: &[usize]) -> WxsCaller<'js> {
        let realm = self.realm.borrow();
        let modules = realm.as_ref().map(|r| r.scope(files)).unwrap_or_default();
        let parse = realm.as_ref().map(|r| r.parser());
        WxsCaller { ctx: self.ctx.clone(), modules, parse, errors: RefCell::new(Vec::new()) }
    }
}

impl WxsCaller<'_> {
    /// Errors thrown by module functions during the render.
    pub fn take_errors(&self) -> Vec<JsError> {
        std::mem::take(&mut self.errors.borrow_mut())
    }
}

const FRAMEWORK: &str = include_str!("framework.js");
/// What the engine adds to QuickJS before the framework (legacy `RegExp` statics, a lazy
/// `Intl`), and the `Intl` it evaluates on first use.
const PRELUDE: &str = include_str!("prelude.js");
const INTL: &str = include_str!("intl.js");
/// The most one `setData` may carry, as the length of its JSON text (the platform's 1 MiB).
const MAX_SET_DATA: usize = 1024 * 1024;
/// Every script built into the engine, with its file name: what [`prepared_builtins`]
/// compiles.
fn builtins() -> impl Iterator<Item = (&'static str, &'static str)> {
    [(PRELUDE, "<capsule>/prelude.js"), (FRAMEWORK, "<capsule>/framework.js"), (INTL, "<capsule>/intl.js")]
        .into_iter()
        .chain(PARTS.iter().map(|(_, source, filename)| (*source, *filename)))
}

/// A built-in script's label (its file name and digest) and bytecode.
pub type PreparedBuiltin = (String, Arc<Vec<u8>>);

/// The engine's built-in scripts (prelude, framework, its parts, `Intl`) compiled to
/// bytecode by the process's cache, each labelled with its file name and a digest of its
/// source and engine: what a host hands a worker process so that the worker does not
/// compile them again ([`adopt_builtins`]). Compiled once per process, in a runtime of
/// its own.
pub fn prepared_builtins() -> Result<Vec<PreparedBuiltin>, EngineError> {
    let cache = bytecode::Cache::process();
    let runtime = Runtime::new().map_err(|e| EngineError::Start(e.to_string()))?;
    let context = Context::full(&runtime).map_err(|e| EngineError::Start(e.to_string()))?;
    context.with(|ctx| {
        builtins()
            .map(|(source, filename)| {
                let bytes = cache
                    .static_bytes(&ctx, source, filename)
                    .map_err(|e| EngineError::Start(e.to_string()))?;
                Ok((bytecode::static_label(filename, source), bytes))
            })
            .collect()
    })
}

/// Takes built-in scripts' bytecode a host prepared ([`prepared_builtins`]) into the
/// process's cache, those whose label matches this program's own scripts; gives how many.
pub fn adopt_builtins(prepared: Vec<(String, Vec<u8>)>) -> usize {
    let cache = bytecode::Cache::process();
    let mine: std::collections::HashMap<String, (&'static str, &'static str)> = builtins()
        .map(|(source, filename)| (bytecode::static_label(filename, source), (source, filename)))
        .collect();
    let mut adopted = 0;
    for (label, bytes) in prepared {
        if let Some((source, filename)) = mine.get(&label) {
            cache.adopt_static(source, filename, bytes);
            adopted += 1;
        }
    }
    adopted
}

/// The framework's parts, each evaluated the first time a script reaches for it: name,
/// source, file name in stacks.
const PARTS: &[(&str, &str, &str)] = &[
    ("animation", include_str!("parts/animation.js"), "<capsule>/parts/animation.js"),
    ("media", include_str!("parts/media.js"), "<capsule>/parts/media.js"),
    ("query", include_str!("parts/query.js"), "<capsule>/parts/query.js"),
    ("sensors", include_str!("parts/sensors.js"), "<capsule>/parts/sensors.js"),
    ("tasks", include_str!("parts/tasks.js"), "<capsule>/parts/tasks.js"),
];

/// The smallest heap budget an engine is started with: below it QuickJS cannot make its
/// runtime, and rquickjs 0.14 then uses the null runtime it got back (a crash of the whole
/// process), so [`Engine::new`] refuses the budget before asking QuickJS. The framework needs
/// more than this to load; a budget between the two fails as [`EngineError::HeapTooSmall`]
/// with what ran out.
pub const MIN_HEAP: usize = 64 * 1024;

/// What an instance may use. The host sets them per instance.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Bytes the JS heap may hold.
    pub heap: usize,
    /// Bytes of native stack QuickJS may use (the logic thread has more).
    pub stack: usize,
    /// CPU time one callback (an event handler, a timer, a lifecycle hook) may take: the CPU
    /// time of the thread it runs on (a loaded host does not end its apps early), plus the time
    /// it spends blocked in sync calls to the host.
    pub callback_cpu: Duration,
    /// CPU time all callbacks together may take within any minute.
    pub cpu_per_minute: Duration,
    /// Bytes the host may hold for the instance outside its JS heap: its pages' data, the
    /// outputs of one callback not yet sent (patches, console lines), the inputs waiting for
    /// the script (answers, socket messages). Each is weighed as it is made; past the budget
    /// the instance ends with the reason naming the buffer.
    pub host: usize,
    /// Live nodes a page's tree may hold, its components' included (a render past it ends
    /// the instance: `render limit: 100000 nodes`).
    pub nodes: usize,
    /// How long an app may run in the background (after its host hid it) before its timers
    /// and callbacks are suspended until it is shown again (the platform's 5 s).
    #[serde(default = "default_background_grace")]
    pub background_grace: Duration,
    /// How long an app may stay in the background before it is ended (the platform's
    /// 30 min; reopened, it launches cold).
    #[serde(default = "default_background_limit")]
    pub background_limit: Duration,
}

fn default_background_grace() -> Duration {
    Duration::from_secs(5)
}

fn default_background_limit() -> Duration {
    Duration::from_secs(30 * 60)
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            heap: 64 * 1024 * 1024,
            stack: 2 * 1024 * 1024,
            callback_cpu: Duration::from_secs(5),
            cpu_per_minute: Duration::from_secs(30),
            host: 64 * 1024 * 1024,
            nodes: capsule_template::render::MAX_PAGE_NODES,
            background_grace: default_background_grace(),
            background_limit: default_background_limit(),
        }
    }
}

/// What the engine asks of the instance that runs it. Called on the logic thread, from
/// inside JavaScript: implementations must not call back into the engine.
pub trait Natives {
    /// `console.*`: level (`log`, `info`, `warn`, `error`, `debug`), text, and the calling
    /// `file:line` in the package.
    fn log(&self, level: &str, text: &str, source: &str);
    /// An `Err` (too many timers) is thrown into the script. `own`: the framework's own timer
    /// (a sensor's sampling), not one the app's code set.
    fn set_timer(&self, id: u32, delay_ms: f64, repeat: bool, own: bool) -> Result<(), String>;
    fn clear_timer(&self, id: u32);
    /// A page's or component's `setData`: each key parsed into its path (the one parse of
    /// the platform's path rules: the script applies the same paths to `this.data`) with its
    /// value, and the size of the JSON it came as; `wxs` lets the re-render call the WXS
    /// modules. Returns what the render did to components (JSON, empty for nothing), for the
    /// framework to act on. An `Err` is thrown into the script.
    fn set_data(
        &self,
        owner: u32,
        changes: Vec<(capsule_template::ir::Path, serde_json::Value)>,
        bytes: usize,
        wxs: &WxsAccess<'_, '_>,
    ) -> Result<String, String>;
    /// A new component's first data (JSON): its template renders. `isolation` is the style
    /// isolation its options ask for (empty: what its JSON says); `external` its external
    /// classes as the owner passes them (a JSON object). Returns component changes as
    /// `set_data` does.
    fn mount(
        &self,
        component: u32,
        data: &str,
        isolation: &str,
        external: &str,
        wxs: &WxsAccess<'_, '_>,
    ) -> Result<String, String> {
        let _ = (component, data, isolation, external, wxs);
        Ok(String::new())
    }
    /// `triggerEvent` on a component: the listeners it reaches, in order (JSON).
    fn trigger(&self, component: u32, event: &str, options: &str) -> String {
        let _ = (component, event, options);
        "{\"calls\":[]}".into()
    }
    /// `selectComponent(s)`: ids of the components matching `selector` in the template of
    /// `owner` (a page or a component), in document order (JSON array).
    /// The owner passed other external classes to `component` (a JSON object): its template
    /// renders again with them. Returns component changes as `set_data` does.
    fn set_external_classes(
        &self,
        component: u32,
        external: &str,
        wxs: &WxsAccess<'_, '_>,
    ) -> Result<String, String> {
        let _ = (component, external, wxs);
        Ok(String::new())
    }
    /// Opens (`true`) or closes a `groupSetData`: the `setData` calls inside it reach the
    /// view as one update.
    fn group_updates(&self, open: bool) {
        let _ = open;
    }
    /// Sets attributes on `component`'s own element (a JSON object), as a form field shows its
    /// name and value to the form around it.
    fn set_host_attrs(&self, component: u32, attrs: &str) {
        let _ = (component, attrs);
    }
    /// The components around `component` in the rendered tree, nearest first (JSON array
    /// of ids): whose template or slot holds it, and so on up.
    fn component_ancestors(&self, component: u32) -> String {
        let _ = component;
        "[]".into()
    }
    fn select_components(&self, owner: u32, selector: &str) -> String {
        let _ = (owner, selector);
        "[]".into()
    }
    /// A navigation request (`navigateTo`, …) to carry out after the current callback; an
    /// `Err` fails it at once with that reason.
    fn navigate(&self, seq: u32, kind: &str, target: &str) -> Result<(), String>;
    /// An API the view carries out (`showToast`, `showModal`, …) with its options as JSON;
    /// the answer comes back through the `viewReply` hook.
    fn view_call(&self, seq: u32, name: &str, args: &str);
    /// The bridge's APIs by their names on `wx` (made once per host); `None` without a bridge.
    fn apis(&self) -> Option<&SurfaceIndex> {
        None
    }
    /// An async bridge call; the answer comes back through the `apiReply` hook.
    fn api_call(&self, seq: u32, name: &str, args: &str) {
        let _ = (seq, name, args);
    }
    /// A `*Sync` bridge call: the result JSON (with `errMsg`).
    fn api_call_sync(&self, name: &str, args: &str) -> String {
        let _ = args;
        serde_json::json!({"errMsg": format!("{name}Sync:fail not supported")}).to_string()
    }
}

/// A value passed to a framework hook.
#[derive(Clone, Debug)]
pub enum Arg {
    Int(u32),
    Str(String),
    Json(serde_json::Value),
}

/// A JavaScript error, with the stack's frames pointing at package files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsError {
    pub message: String,
    pub stack: String,
}

impl std::fmt::Display for JsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.stack.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}\n{}", self.message, self.stack)
        }
    }
}

/// How a call into the engine ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It returned; the string is the hook's return value when it returned a string.
    Returned(Option<String>),
    /// It threw (the instance goes on).
    Threw(JsError),
    /// A budget ran out: the instance is over.
    Terminated(String),
}

struct Budget {
    limits: Limits,
    /// Set from any thread to end the engine at its next interrupt check.
    cancelled: Arc<std::sync::atomic::AtomicBool>,
    /// The time used (see [`Budget::used`]) at which the running callback's budget ends.
    deadline: Cell<Option<Duration>>,
    /// Time the script spent blocked in sync calls to the host (a sync API waiting for the
    /// bridge): it holds its thread without using CPU, so it counts as if it did.
    blocked: Cell<Duration>,
    /// CPU used in the current minute, and when that minute started.
    minute: Cell<(Instant, Duration)>,
    /// CPU all callbacks used since the engine was made.
    total: Cell<Duration>,
    /// The running callback's deadline is what is left of the minute's budget (less than the
    /// callback's own): passing it breaches the minute's.
    minute_deadline: Cell<bool>,
    terminated: RefCell<Option<String>>,
    heap: Rc<HeapMeter>,
}

impl Budget {
    fn terminate(&self, reason: String) {
        let mut t = self.terminated.borrow_mut();
        if t.is_none() {
            *t = Some(reason);
        }
    }

    /// What the instance has used of its thread: CPU time, and time blocked in sync calls.
    fn used(&self) -> Duration {
        thread_cpu() + self.blocked.get()
    }

    /// Called by QuickJS every so often while a script runs: `true` stops it.
    fn interrupt(&self) -> bool {
        if self.terminated.borrow().is_some() {
            return true;
        }
        if self.cancelled.load(std::sync::atomic::Ordering::Relaxed) {
            self.terminate("ended by the host".into());
            return true;
        }
        if self.heap.exceeded.get() {
            self.terminate(format!("heap limit {} exceeded", mib(self.limits.heap)));
            return true;
        }
        if let Some(deadline) = self.deadline.get()
            && self.used() > deadline
        {
            self.terminate(if self.minute_deadline.get() {
                format!("CPU time limit {} ms per minute exceeded", self.limits.cpu_per_minute.as_millis())
            } else {
                format!("CPU time limit {} ms exceeded", self.limits.callback_cpu.as_millis())
            });
            return true;
        }
        false
    }
}

/// CPU time the calling thread has used. A callback runs on one thread from its start to its
/// end (the pool moves an instance only between callbacks), so the difference of two readings
/// around it is what it cost, however busy the machine is.
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(u64::try_from(t.tv_sec).unwrap_or(0), u32::try_from(t.tv_nsec).unwrap_or(0))
}

fn mib(bytes: usize) -> String {
    if bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

/// Ends an engine from any thread, even in the middle of a callback: the script stops at its
/// next interrupt check (`ended by the host`). See [`Engine::canceller`].
#[derive(Clone, Debug)]
pub struct Canceller(Arc<std::sync::atomic::AtomicBool>);

impl Canceller {
    pub fn cancel(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Ends an engine from its host's code; see [`Engine::stopper`].
#[derive(Clone)]
pub struct Stopper(Rc<Budget>);

impl Stopper {
    pub fn stop(&self, reason: String) {
        self.0.terminate(reason);
    }

    /// Whether work the host does for the script (a render) must stop: the callback's CPU
    /// deadline passed, the heap ran over or the host ended the engine. The engine is then
    /// over, with the reason the script's own interrupt would have given.
    pub fn out_of_time(&self) -> bool {
        self.0.interrupt()
    }
}

/// One instance's JavaScript engine.
type Rejections =
    Rc<RefCell<Vec<(rquickjs::Persistent<Value<'static>>, rquickjs::Persistent<Value<'static>>)>>>;

/// [`Engine::heap_breakdown`]: counts and bytes of each kind of thing in the heap.
#[derive(Clone, Copy, Debug, Default)]
pub struct HeapBreakdown {
    /// Bytes allocated in all.
    pub allocated: usize,
    pub allocations: usize,
    pub atoms: (usize, usize),
    pub strings: (usize, usize),
    pub objects: (usize, usize),
    pub properties: (usize, usize),
    pub shapes: (usize, usize),
    /// Script functions: their bytecode, constants and line tables.
    pub functions: (usize, usize),
}

pub struct Engine {
    runtime: Runtime,
    context: Context,
    budget: Rc<Budget>,
    /// Rejected promises nobody handled yet: (promise, reason).
    rejections: Rejections,
    /// Rejections the app did not handle either, for the host to report.
    unhandled: RefCell<Vec<JsError>>,
    package: Arc<Package>,
    wxs: Rc<RefCell<Option<WxsRealm>>>,
    /// Where the engine's scripts are compiled and kept.
    bytecode: Arc<bytecode::Cache>,
    /// The framework's parts evaluated so far, in order.
    parts: Rc<RefCell<Vec<&'static str>>>,
}

impl Engine {
    /// A fresh runtime and context with the framework loaded, compiling scripts through the
    /// process's bytecode cache ([`bytecode::Cache::process`]). Package code runs only when a
    /// hook asks for it.
    pub fn new(
        package: Arc<Package>,
        limits: Limits,
        natives: Rc<dyn Natives>,
    ) -> Result<Engine, EngineError> {
        Engine::with_cache(package, limits, natives, bytecode::Cache::process())
    }

    /// [`Engine::new`] with a bytecode cache of the caller's (a folder of its own, or none).
    pub fn with_cache(
        package: Arc<Package>,
        limits: Limits,
        natives: Rc<dyn Natives>,
        cache: Arc<bytecode::Cache>,
    ) -> Result<Engine, EngineError> {
        if limits.heap < MIN_HEAP {
            return Err(EngineError::HeapTooSmall { heap: limits.heap, message: None });
        }
        let meter = Rc::new(HeapMeter::default());
        meter.limit.set(limits.heap);
        let heap = limits.heap;
        // Any failure once the budget refused an allocation is the budget's doing.
        let out_of_heap = {
            let meter = meter.clone();
            move |e: EngineError| {
                if meter.exceeded.get() {
                    EngineError::HeapTooSmall { heap, message: Some(e.to_string()) }
                } else {
                    e
                }
            }
        };
        let runtime = Runtime::new_with_alloc(CountingAllocator::new(meter.clone()))
            .map_err(|e| out_of_heap(EngineError::Start(e.to_string())))?;
        runtime.set_max_stack_size(limits.stack);
        let budget = Rc::new(Budget {
            limits,
            cancelled: Arc::default(),
            deadline: Cell::new(None),
            blocked: Cell::new(Duration::ZERO),
            minute: Cell::new((Instant::now(), Duration::ZERO)),
            total: Cell::new(Duration::ZERO),
            minute_deadline: Cell::new(false),
            terminated: RefCell::new(None),
            heap: meter,
        });
        let imports = Rc::new(esm::Imports::default());
        let (resolver, loader) = esm::loader(package.clone(), imports.clone());
        runtime.set_loader(resolver, loader);
        let rejections: Rejections = Rc::new(RefCell::new(Vec::new()));
        let tracked = rejections.clone();
        runtime.set_host_promise_rejection_tracker(Some(Box::new(move |ctx, promise, reason, handled| {
            let mut list = tracked.borrow_mut();
            if handled {
                list.retain(|(p, _)| p.clone().restore(&ctx).map_or(true, |p| p != promise));
            } else {
                list.push((
                    rquickjs::Persistent::save(&ctx, promise),
                    rquickjs::Persistent::save(&ctx, reason),
                ));
            }
        })));
        let interrupt_budget = budget.clone();
        runtime.set_interrupt_handler(Some(Box::new(move || interrupt_budget.interrupt())));
        let context = Context::full(&runtime).map_err(|e| out_of_heap(EngineError::Start(e.to_string())))?;
        let wxs = Rc::new(RefCell::new(None));
        let engine = Engine {
            runtime,
            context,
            budget,
            rejections,
            unhandled: RefCell::new(Vec::new()),
            package: package.clone(),
            wxs: wxs.clone(),
            bytecode: cache.clone(),
            parts: Rc::default(),
        };
        engine
            .context
            .with(|ctx| -> Result<(), EngineError> {
                let native = natives_object(
                    &ctx,
                    natives,
                    package,
                    wxs,
                    engine.budget.clone(),
                    cache.clone(),
                    imports,
                )
                .map_err(|e| EngineError::Start(e.to_string()))?;
                part_loader(&ctx, cache.clone(), engine.parts.clone())
                    .and_then(|f| native.set("loadPart", f))
                    .map_err(|e| EngineError::Start(e.to_string()))?;
                let prelude: Function = cache
                    .eval_static(&ctx, PRELUDE, "<capsule>/prelude.js")
                    .and_then(Function::from_value)
                    .catch(&ctx)
                    .map_err(|e| EngineError::FrameworkLoad(e.to_string()))?;
                prelude
                    .call::<_, ()>((
                        intl_loader(&ctx, cache.clone()).map_err(|e| EngineError::Start(e.to_string()))?,
                    ))
                    .catch(&ctx)
                    .map_err(|e| EngineError::FrameworkStart(e.to_string()))?;
                let install: Function = cache
                    .eval_static(&ctx, FRAMEWORK, "<capsule>/framework.js")
                    .and_then(Function::from_value)
                    .catch(&ctx)
                    .map_err(|e| EngineError::FrameworkLoad(e.to_string()))?;
                install
                    .call::<_, ()>((native,))
                    .catch(&ctx)
                    .map_err(|e| EngineError::FrameworkStart(e.to_string()))?;
                Ok(())
            })
            .map_err(out_of_heap)?;
        Ok(engine)
    }

    /// A way for the instance's host code to end the engine while a script runs (a buffer
    /// of the host's ran over inside a native the script called): the script stops at its
    /// next interrupt check and the call ends as [`Outcome::Terminated`] with `reason`.
    pub fn stopper(&self) -> Stopper {
        Stopper(self.budget.clone())
    }

    /// A handle another thread may keep to end this engine (a host dropping an instance that
    /// is in the middle of a long callback).
    pub fn canceller(&self) -> Canceller {
        Canceller(self.budget.cancelled.clone())
    }

    /// Why the engine stopped for good, if it did.
    pub fn terminated(&self) -> Option<String> {
        self.budget.terminated.borrow().clone()
    }

    /// Bytes the JS heap holds now, and at most so far.
    /// The framework's parts this engine has evaluated (a script reached for them), in the
    /// order it did.
    pub fn parts_loaded(&self) -> Vec<&'static str> {
        self.parts.borrow().clone()
    }

    /// What the heap holds, by kind, as QuickJS counts it (its own sizes, without the
    /// allocator's overhead that [`Engine::heap`] includes).
    pub fn heap_breakdown(&self) -> HeapBreakdown {
        let usage = heap::usage(&self.context);
        let n = |v: i64| usize::try_from(v).unwrap_or(0);
        HeapBreakdown {
            allocated: n(usage.malloc_size),
            allocations: n(usage.malloc_count),
            atoms: (n(usage.atom_count), n(usage.atom_size)),
            strings: (n(usage.str_count), n(usage.str_size)),
            objects: (n(usage.obj_count), n(usage.obj_size)),
            properties: (n(usage.prop_count), n(usage.prop_size)),
            shapes: (n(usage.shape_count), n(usage.shape_size)),
            functions: (
                n(usage.js_func_count),
                n(usage.js_func_size) + n(usage.js_func_code_size) + n(usage.js_func_pc2line_size),
            ),
        }
    }

    pub fn heap(&self) -> (usize, usize) {
        (self.budget.heap.used.get(), self.budget.heap.peak.get())
    }

    /// Calls `__capsule[hook](args…)` under the callback budget, then runs the microtasks it
    /// queued.
    pub fn call(&self, hook: &str, args: &[Arg]) -> Outcome {
        if let Some(reason) = self.terminated() {
            return Outcome::Terminated(reason);
        }
        let started = self.start_budget();
        let result = self.context.with(|ctx| {
            let hooks: Object = ctx
                .globals()
                .get("__capsule")
                .map_err(|e| JsError { message: e.to_string(), stack: String::new() })?;
            let f: Function = hooks
                .get(hook)
                .map_err(|_| JsError { message: format!("no hook `{hook}`"), stack: String::new() })?;
            let mut values: Vec<Value> = Vec::new();
            for a in args {
                let v = match a {
                    Arg::Int(n) => Value::new_int(ctx.clone(), *n as i32),
                    Arg::Str(s) => rquickjs::String::from_str(ctx.clone(), s)
                        .map(|s| s.into_value())
                        .map_err(|e| to_js_error(&ctx, e))?,
                    Arg::Json(j) => ctx.json_parse(j.to_string()).map_err(|e| to_js_error(&ctx, e))?,
                };
                values.push(v);
            }
            let mut call_args = rquickjs::function::Args::new(ctx.clone(), values.len());
            for v in values {
                call_args.push_arg(v).map_err(|e| to_js_error(&ctx, e))?;
            }
            let ret: Value = f.call_arg(call_args).catch(&ctx).map_err(caught)?;
            Ok(ret.as_string().and_then(|s| s.to_string().ok()))
        });
        let mut jobs = self.run_jobs();
        if jobs.is_ok() {
            jobs = self.report_rejections();
        }
        let result = match (result, jobs) {
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            (Ok(v), Ok(())) => Ok(v),
        };
        self.end_budget(started, result)
    }

    /// CPU the instance's callbacks used since it was made.
    pub fn cpu_total(&self) -> Duration {
        self.budget.total.get()
    }

    /// CPU the instance's callbacks used in the current minute.
    pub fn cpu_this_minute(&self) -> Duration {
        let (start, used) = self.budget.minute.get();
        if start.elapsed() >= Duration::from_secs(60) { Duration::ZERO } else { used }
    }

    /// The developer tools' console: evaluates `expression` with `this` being the page (or
    /// component) `page`, under the callback budget, and gives the value as the console
    /// shows it. The text is compiled here, on the host's behalf: nothing in the script's
    /// reach compiles code from strings.
    pub fn evaluate(&self, page: u32, expression: &str) -> Outcome {
        if let Some(reason) = self.terminated() {
            return Outcome::Terminated(reason);
        }
        let started = self.start_budget();
        let result = self.context.with(|ctx| {
            let hooks: Object = ctx
                .globals()
                .get("__capsule")
                .map_err(|e| JsError { message: e.to_string(), stack: String::new() })?;
            let page_of: Function = hooks.get("pageObject").map_err(|e| to_js_error(&ctx, e))?;
            let this: Value = page_of.call((page,)).map_err(|e| to_js_error(&ctx, e))?;
            let source = format!("(function () {{ return (\n{expression}\n); }})");
            let f: Function = ctx.eval(source).catch(&ctx).map_err(caught)?;
            let value: Value = f.call((rquickjs::function::This(this),)).catch(&ctx).map_err(caught)?;
            let inspect: Function = hooks.get("inspect").map_err(|e| to_js_error(&ctx, e))?;
            let text: String = inspect.call((value,)).catch(&ctx).map_err(caught)?;
            Ok(Some(text))
        });
        let jobs = self.run_jobs();
        let result = match (result, jobs) {
            (Err(e), _) | (Ok(_), Err(e)) => Err(e),
            (Ok(v), Ok(())) => Ok(v),
        };
        self.end_budget(started, result)
    }

    /// Rejections nobody handled, offered to `App.onUnhandledRejection`; those it does not
    /// take are kept for [`Engine::take_unhandled`].
    fn report_rejections(&self) -> Result<(), JsError> {
        let pending = std::mem::take(&mut *self.rejections.borrow_mut());
        for (_, reason) in pending {
            let result = self.context.with(|ctx| -> Result<(), JsError> {
                let reason = reason.restore(&ctx).map_err(|e| to_js_error(&ctx, e))?;
                let hooks: Object = ctx.globals().get("__capsule").map_err(|e| to_js_error(&ctx, e))?;
                let offer: Function = hooks.get("unhandledRejection").map_err(|e| to_js_error(&ctx, e))?;
                let handled: bool = offer.call((reason.clone(),)).catch(&ctx).map_err(caught)?;
                if !handled {
                    let described = caught(CaughtError::Value(reason));
                    let message = match reason_error(&described) {
                        Some(m) => m,
                        None => described.message.trim_start_matches("Uncaught ").to_string(),
                    };
                    self.unhandled.borrow_mut().push(JsError {
                        message: format!("Uncaught (in promise) {message}"),
                        stack: described.stack,
                    });
                }
                Ok(())
            });
            result?;
            self.run_jobs()?;
        }
        Ok(())
    }

    /// Promise rejections that neither the script nor `App.onUnhandledRejection` handled.
    pub fn take_unhandled(&self) -> Vec<JsError> {
        std::mem::take(&mut self.unhandled.borrow_mut())
    }

    /// Runs queued microtasks (promise reactions). The first error among them is reported;
    /// the rest still run. Microtasks run to the end, as in a browser: a script that queues
    /// them forever is an endless loop, ended by the callback's CPU budget (the jobs run under
    /// it), never left half-run for a later callback.
    fn run_jobs(&self) -> Result<(), JsError> {
        let mut first = Ok(());
        loop {
            if self.terminated().is_some() {
                break;
            }
            match self.runtime.execute_pending_job() {
                Ok(true) => {}
                Ok(false) => break,
                Err(job) => {
                    let e =
                        job.0.with(|ctx| caught(CaughtError::from_error(&ctx, rquickjs::Error::Exception)));
                    if first.is_ok() {
                        first = Err(e);
                    }
                }
            }
        }
        first
    }

    fn account(&self, spent: Duration) {
        self.budget.total.set(self.budget.total.get() + spent);
        let (start, used) = self.budget.minute.get();
        let now = Instant::now();
        let (start, used) = if now.duration_since(start) >= Duration::from_secs(60) {
            (now, spent)
        } else {
            (start, used + spent)
        };
        self.budget.minute.set((start, used));
        if used > self.budget.limits.cpu_per_minute {
            self.budget.terminate(format!(
                "CPU time limit {} ms per minute exceeded",
                self.budget.limits.cpu_per_minute.as_millis()
            ));
        }
    }

    /// Evaluates a template file's WXS modules, once, under the callback budget.
    pub fn load_wxs(&self, file: usize, sources: &[WxsSource]) -> Outcome {
        if let Some(reason) = self.terminated() {
            return Outcome::Terminated(reason);
        }
        if self.wxs.borrow().as_ref().is_some_and(|r| r.is_loaded(file)) || sources.is_empty() {
            return Outcome::Returned(None);
        }
        if self.wxs.borrow().is_none() {
            match WxsRealm::new(&self.runtime, self.package.clone(), self.bytecode.clone()) {
                Ok(realm) => *self.wxs.borrow_mut() = Some(realm),
                Err(e) => return Outcome::Threw(JsError { message: e, stack: String::new() }),
            }
        }
        let started = self.start_budget();
        let result = self.wxs.borrow().as_ref().map_or(Ok(()), |r| r.load(file, sources));
        self.end_budget(started, result.map(|()| None))
    }

    /// Runs `f` (a render) with a caller for the WXS modules of `files`, under the callback
    /// budget. Errors thrown by module functions come back beside the result.
    pub fn with_wxs<R>(
        &self,
        files: &[usize],
        f: impl FnOnce(&dyn capsule_template::expr::WxsHost) -> R,
    ) -> (Option<R>, Vec<JsError>) {
        if self.terminated().is_some() {
            return (None, Vec::new());
        }
        let started = self.start_budget();
        let (result, errors) = self.context.with(|ctx| {
            let access = WxsAccess { ctx, realm: &self.wxs };
            let caller = access.caller(files);
            let result = f(&caller);
            (result, caller.take_errors())
        });
        match self.end_budget(started, Ok(None)) {
            Outcome::Terminated(_) => (None, errors),
            _ => (Some(result), errors),
        }
    }

    fn start_budget(&self) -> Duration {
        // Every entry from the host starts a budget: the stack limit is measured from here.
        self.context.with(|ctx| stack::enter(&ctx));
        let started = self.budget.used();
        // A callback stops at its own budget, or sooner when less is left of the minute's.
        let (minute_start, spent) = self.budget.minute.get();
        let per_minute = self.budget.limits.cpu_per_minute;
        let left_in_minute = if minute_start.elapsed() >= Duration::from_secs(60) {
            per_minute
        } else {
            per_minute.saturating_sub(spent)
        };
        let callback = self.budget.limits.callback_cpu;
        self.budget.minute_deadline.set(left_in_minute < callback);
        self.budget.deadline.set(Some(started + callback.min(left_in_minute)));
        started
    }

    fn end_budget(&self, started: Duration, result: Result<Option<String>, JsError>) -> Outcome {
        self.budget.deadline.set(None);
        self.account(self.budget.used().saturating_sub(started));
        if self.budget.heap.exceeded.get() {
            self.budget.terminate(format!("heap limit {} exceeded", mib(self.budget.limits.heap)));
        }
        if let Some(reason) = self.terminated() {
            return Outcome::Terminated(reason);
        }
        match result {
            Ok(v) => Outcome::Returned(v),
            Err(e) => Outcome::Threw(e),
        }
    }

    /// Bytes the JS heaps of every engine in this process hold together. Once the engines
    /// made since a reading are dropped it comes back to that reading: what stays was not
    /// freed.
    pub fn heap_in_process() -> usize {
        heap::in_process()
    }

    /// Runs the garbage collector (for measurements).
    pub fn collect_garbage(&self) {
        self.runtime.run_gc();
    }
}

/// Every handle into the runtime the engine keeps outside it (rejections not yet reported,
/// the WXS realm and its modules) must go before the runtime does: QuickJS frees a runtime
/// only when nothing holds an object of it, and aborts the whole process otherwise. An
/// instance can end with such handles alive at any point — a budget breached inside a
/// microtask leaves the rejections it recorded unreported — so they are released here, on
/// every path that drops an engine.
impl Drop for Engine {
    fn drop(&mut self) {
        self.rejections.borrow_mut().clear();
        self.wxs.borrow_mut().take();
        // Jobs still queued hold promises; QuickJS frees its job list with the runtime, but
        // a collection first lets cycles through them go while the context is whole.
        self.runtime.run_gc();
    }
}

fn to_js_error(ctx: &Ctx<'_>, e: rquickjs::Error) -> JsError {
    caught(CaughtError::from_error(ctx, e))
}

fn reason_error(e: &JsError) -> Option<String> {
    (!e.message.starts_with("Uncaught ")).then(|| e.message.clone())
}

/// `TypeError: message`, with the stack.
fn exception_error(ex: &rquickjs::Exception<'_>) -> JsError {
    let message = ex.message().unwrap_or_default();
    let name: Option<String> = ex.get("name").ok();
    let message = match name {
        Some(n) if !n.is_empty() => format!("{n}: {message}"),
        _ => message,
    };
    let stack = esm::first_line_columns(ex.ctx(), ex.stack().unwrap_or_default());
    JsError { message, stack: stack.trim_end().to_string() }
}

pub(crate) fn caught(e: CaughtError<'_>) -> JsError {
    match e {
        CaughtError::Exception(ex) => exception_error(&ex),
        CaughtError::Value(v) if v.as_exception().is_some() => {
            exception_error(v.as_exception().expect("checked"))
        }
        CaughtError::Value(v) => {
            let text = v
                .as_string()
                .and_then(|s| s.to_string().ok())
                .or_else(|| v.ctx().json_stringify(v.clone()).ok().flatten().and_then(|s| s.to_string().ok()))
                .unwrap_or_else(|| "a non-Error value was thrown".to_string());
            JsError { message: format!("Uncaught {text}"), stack: String::new() }
        }
        CaughtError::Error(e) => JsError { message: e.to_string(), stack: String::new() },
    }
}

/// The prelude's `loadIntl`: evaluates intl.js (through the bytecode cache, like the
/// framework) when a script first formats a number or date or touches `Intl`.
fn intl_loader<'js>(ctx: &Ctx<'js>, cache: Arc<bytecode::Cache>) -> rquickjs::Result<Function<'js>> {
    Function::new(ctx.clone(), move |ctx: Ctx<'js>| cache.eval_static(&ctx, INTL, "<capsule>/intl.js"))
}

/// The `native` object the framework talks to.
/// `native.loadPart(name)`: the part's function, evaluated from the bytecode cache, noted in
/// `loaded`.
fn part_loader<'js>(
    ctx: &Ctx<'js>,
    cache: Arc<bytecode::Cache>,
    loaded: Rc<RefCell<Vec<&'static str>>>,
) -> rquickjs::Result<Function<'js>> {
    Function::new(ctx.clone(), move |ctx: Ctx<'js>, name: String| -> rquickjs::Result<Function<'js>> {
        let Some(&(name, source, filename)) = PARTS.iter().find(|(n, ..)| *n == name) else {
            return Err(rquickjs::Exception::throw_message(&ctx, &format!("no framework part `{name}`")));
        };
        let part = cache.eval_static(&ctx, source, filename).and_then(Function::from_value)?;
        loaded.borrow_mut().push(name);
        Ok(part)
    })
}

fn natives_object<'js>(
    ctx: &Ctx<'js>,
    natives: Rc<dyn Natives>,
    package: Arc<Package>,
    wxs: Rc<RefCell<Option<WxsRealm>>>,
    budget: Rc<Budget>,
    cache: Arc<bytecode::Cache>,
    imports: Rc<esm::Imports>,
) -> rquickjs::Result<Object<'js>> {
    let package_for_app = package.clone();
    let o = Object::new(ctx.clone())?;
    let n = natives.clone();
    o.set(
        "log",
        Function::new(ctx.clone(), {
            let budget = budget.clone();
            move |ctx: Ctx<'js>, level: String, text: String, source: String| -> rquickjs::Result<()> {
                // Once the instance is over (a host buffer ran over), what the script still
                // does until the next interrupt check costs nothing more.
                if let Some(reason) = budget.terminated.borrow().as_ref() {
                    return Err(rquickjs::Exception::throw_internal(&ctx, reason));
                }
                n.log(&level, &text, &source);
                Ok(())
            }
        })?,
    )?;
    let n = natives.clone();
    o.set(
        "setTimer",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  id: u32,
                  ms: f64,
                  repeat: bool,
                  own: rquickjs::function::Opt<bool>|
                  -> rquickjs::Result<()> {
                n.set_timer(id, ms, repeat, own.0.unwrap_or(false))
                    .map_err(|e| rquickjs::Exception::throw_range(&ctx, &e))
            },
        )?,
    )?;
    let n = natives.clone();
    o.set("clearTimer", Function::new(ctx.clone(), move |id: u32| n.clear_timer(id))?)?;
    let n = natives.clone();
    o.set(
        "setData",
        Function::new(ctx.clone(), {
            let wxs = wxs.clone();
            let budget = budget.clone();
            move |ctx: Ctx<'js>, owner: u32, data: rquickjs::Value<'js>| -> rquickjs::Result<rquickjs::Array<'js>> {
                if let Some(reason) = budget.terminated.borrow().as_ref() {
                    return Err(rquickjs::Exception::throw_internal(&ctx, reason));
                }
                let throw = |e: String| rquickjs::Exception::throw_message(&ctx, &format!("setData: {e}"));
                let Some(changes @ serde_json::Value::Object(_)) = data::read(&ctx, &data)? else {
                    return Err(rquickjs::Exception::throw_type(&ctx, "setData takes an object"));
                };
                let length = data::text_length(&changes);
                if length > MAX_SET_DATA {
                    return Err(rquickjs::Exception::throw_range(
                        &ctx,
                        &format!("setData: the data is {length} bytes, over the limit of 1 MiB; nothing was changed"),
                    ));
                }
                let serde_json::Value::Object(changes) = changes else { unreachable!("matched above") };
                let mut parsed = Vec::with_capacity(changes.len());
                let copies = rquickjs::Array::new(ctx.clone())?;
                for (i, (key, value)) in changes.into_iter().enumerate() {
                    // What `this.data` keeps: a copy, as the platform's is.
                    copies.set(i, data::write(&ctx, &value)?)?;
                    parsed.push((capsule_template::path::parse_data_path(&key).map_err(throw)?, value));
                }
                let paths: Vec<Vec<String>> = parsed.iter().map(|(path, _)| path.clone()).collect();
                let access = WxsAccess { ctx: ctx.clone(), realm: &wxs };
                let changed = n
                    .set_data(owner, parsed, length, &access)
                    .map_err(|e| rquickjs::Exception::throw_message(&ctx, &e))?;
                // What the render did to components, the paths as parsed, the values' copies.
                let out = rquickjs::Array::new(ctx.clone())?;
                out.set(0, changed)?;
                out.set(1, paths)?;
                out.set(2, copies)?;
                Ok(out)
            }
        })?,
    )?;
    o.set(
        "parsePath",
        Function::new(ctx.clone(), |ctx: Ctx<'js>, key: String| -> rquickjs::Result<Vec<String>> {
            capsule_template::path::parse_data_path(&key)
                .map_err(|e| rquickjs::Exception::throw_message(&ctx, &e))
        })?,
    )?;
    let realm = wxs.clone();
    let n = natives.clone();
    o.set(
        "mount",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>,
                  component: u32,
                  data: String,
                  isolation: String,
                  external: String|
                  -> rquickjs::Result<String> {
                let access = WxsAccess { ctx: ctx.clone(), realm: &wxs };
                n.mount(component, &data, &isolation, &external, &access)
                    .map_err(|e| rquickjs::Exception::throw_message(&ctx, &e))
            },
        )?,
    )?;
    let n = natives.clone();
    o.set(
        "trigger",
        Function::new(ctx.clone(), move |component: u32, event: String, options: String| {
            n.trigger(component, &event, &options)
        })?,
    )?;
    let n = natives.clone();
    o.set(
        "selectComponents",
        Function::new(ctx.clone(), move |owner: u32, selector: String| {
            n.select_components(owner, &selector)
        })?,
    )?;
    let n = natives.clone();
    o.set(
        "setExternalClasses",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, component: u32, external: String| -> rquickjs::Result<String> {
                let access = WxsAccess { ctx: ctx.clone(), realm: &realm };
                n.set_external_classes(component, &external, &access)
                    .map_err(|e| rquickjs::Exception::throw_message(&ctx, &e))
            },
        )?,
    )?;
    let n = natives.clone();
    o.set(
        "setHostAttrs",
        Function::new(ctx.clone(), move |component: u32, attrs: String| n.set_host_attrs(component, &attrs))?,
    )?;
    let n = natives.clone();
    o.set("groupUpdates", Function::new(ctx.clone(), move |open: bool| n.group_updates(open))?)?;
    let n = natives.clone();
    o.set(
        "componentAncestors",
        Function::new(ctx.clone(), move |component: u32| n.component_ancestors(component))?,
    )?;
    let n = natives.clone();
    o.set(
        "apiEntry",
        Function::new(ctx.clone(), move |name: String| {
            n.apis().and_then(|a| a.entry(&name)).map(str::to_string)
        })?,
    )?;
    let n = natives.clone();
    o.set(
        "apiNames",
        Function::new(ctx.clone(), move || n.apis().map_or("[]", SurfaceIndex::names_json).to_string())?,
    )?;
    let n = natives.clone();
    o.set(
        "apiGroup",
        Function::new(ctx.clone(), move |group: String| {
            n.apis().map_or_else(|| "[]".to_string(), |a| a.group_json(&group))
        })?,
    )?;
    let n = natives.clone();
    o.set(
        "hasViewApi",
        Function::new(ctx.clone(), move |group: String| n.apis().is_some_and(|a| a.group_has_view(&group)))?,
    )?;
    let n = natives.clone();
    o.set(
        "apiCall",
        Function::new(ctx.clone(), move |seq: u32, name: String, args: String| {
            n.api_call(seq, &name, &args)
        })?,
    )?;
    let n = natives.clone();
    o.set(
        "apiCallSync",
        Function::new(ctx.clone(), {
            let budget = budget.clone();
            move |ctx: Ctx<'js>, name: String, args: String| -> rquickjs::Result<String> {
                let waited = Instant::now();
                let answer = n.api_call_sync(&name, &args);
                budget.blocked.set(budget.blocked.get() + waited.elapsed());
                // A script looping on slow calls runs few operations between the engine's
                // own checks: check here too.
                if budget.interrupt() {
                    let reason = budget.terminated.borrow().clone().unwrap_or_default();
                    return Err(rquickjs::Exception::throw_internal(&ctx, &reason));
                }
                Ok(answer)
            }
        })?,
    )?;
    let n = natives.clone();
    o.set(
        "viewCall",
        Function::new(ctx.clone(), move |seq: u32, name: String, args: String| {
            n.view_call(seq, &name, &args)
        })?,
    )?;
    let n = natives;
    o.set(
        "navigate",
        Function::new(ctx.clone(), move |seq: u32, kind: String, target: String| -> Option<String> {
            n.navigate(seq, &kind, &target).err()
        })?,
    )?;
    let p = package.clone();
    o.set(
        "resolve",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, from: String, spec: String| -> rquickjs::Result<String> {
                modules::resolve(&p.files, &from, &spec)
                    .map_err(|e| rquickjs::Exception::throw_message(&ctx, &e.to_string()))
            },
        )?,
    )?;
    let p = package.clone();
    o.set(
        "source",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, path: String| -> rquickjs::Result<String> {
            p.files
                .text(&path)
                .map(str::to_string)
                .ok_or_else(|| rquickjs::Exception::throw_message(&ctx, &format!("cannot read `{path}`")))
        })?,
    )?;
    let p = package.clone();
    o.set(
        "compile",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, path: String| -> rquickjs::Result<Function<'js>> {
            let Some(source) = p.files.text(&path) else {
                return Err(rquickjs::Exception::throw_message(&ctx, &format!("cannot read `{path}`")));
            };
            let params = "require, module, exports, __filename, __dirname";
            cache
                .function(&ctx, params, modules::strip_hashbang(source), &path)
                .and_then(Function::from_value)
        })?,
    )?;
    let p = package.clone();
    o.set("hasFile", Function::new(ctx.clone(), move |path: String| p.files.contains(&path))?)?;
    let p = package.clone();
    o.set(
        "isModule",
        Function::new(ctx.clone(), move |path: String| p.files.text(&path).is_some_and(esm::is_module))?,
    )?;
    o.set(
        "importModule",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, path: String| -> rquickjs::Result<Object<'js>> {
            if !package.files.contains(&path) {
                return Err(rquickjs::Exception::throw_message(&ctx, &format!("cannot read `{path}`")));
            }
            // Through the runtime's module registry, so a module both imported and required
            // is evaluated once; the file itself, not the facade importers of a mixed file see.
            let result = rquickjs::Module::import(&ctx, esm::body_specifier(&path))
                .and_then(|promise| promise.finish::<Object>());
            match result.catch(&ctx) {
                Ok(namespace) => Ok(namespace),
                Err(CaughtError::Exception(e)) => {
                    match e.message().and_then(|m| imports.locate_missing_export(&m)) {
                        Some(located) => Err(rquickjs::Exception::throw_syntax(&ctx, &located)),
                        None => Err(ctx.throw(e.into_value())),
                    }
                }
                Err(e) => Err(e.throw(&ctx)),
            }
        })?,
    )?;
    let p = package_for_app.clone();
    o.set(
        "appScript",
        Function::new(ctx.clone(), move || -> Option<String> {
            p.files.contains("app.js").then(|| "app.js".to_string())
        })?,
    )?;
    let p = package_for_app;
    o.set("appId", Function::new(ctx.clone(), move || p.manifest.app_id.id.clone())?)?;
    o.set("platformApi", Function::new(ctx.clone(), |name: String| is_platform_api(&name))?)?;
    Ok(o)
}

/// Every name the platform declares on `wx` (from its published typings; kept current by
/// `crates/host/tests/api_coverage.rs`), one per line, sorted.
const PLATFORM_APIS: &str = include_str!("platform_apis.txt");

/// Whether the platform has an API of this name: one Capsule lacks then fails
/// `name:fail not supported` instead of being `not a function`.
pub fn is_platform_api(name: &str) -> bool {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| PLATFORM_APIS.lines().collect()).binary_search(&name).is_ok()
}
