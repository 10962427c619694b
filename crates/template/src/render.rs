//! Rendering IR + data into a [`Tree`], and updating it after `setData` with patches.
//!
//! The renderer keeps, beside the tree, an instance record per IR node (which `wx:if` branch
//! is shown, which list items exist and under which keys). An update walks IR and instances
//! together, right to left so each insertion knows the node it goes before, and descends
//! only where a node's subtree reads a changed path. In a `wx:for` over a data path, a change
//! under one item (`list[3].done`, or `list[3]` under the same key) reaches only that item and
//! items set past the end are added after the last, so one row costs the same in any length of
//! list; a new list is reconciled by key with the fewest moves (the items outside a longest
//! increasing subsequence move), and so is one whose item changed key, re-evaluating only the
//! items that changed or moved.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::expr::{Scope, WxsHost};
use crate::ir::{Changes, ElementIr, FileId, ForIr, IrKind, IrNode, Key, Path, Program, reaches};
use crate::tree::{Attrs, Listener, NodeId, NodeKind, Patch, SHADOW_ROOT, Tree, weigh_attr, weigh_listeners};
use crate::value::{Limit, Val, array_index, json_weight};

/// Templates calling templates deeper than this render nothing: a template that calls itself
/// must not take the host down.
pub const MAX_TEMPLATE_DEPTH: usize = 32;

/// Components inside components deeper than this render as empty elements: a component that
/// contains itself must end.
pub const MAX_COMPONENT_DEPTH: usize = 64;

/// How deep a page may nest, its components' templates counted (IR levels, as
/// [`crate::compile::MAX_IR_DEPTH`] counts them, plus two per component for its element and
/// shadow root). A component whose template could take the page deeper renders as an empty
/// element, as one nested past [`MAX_COMPONENT_DEPTH`] does: walks over the whole tree (HTML,
/// snapshots, removal) recurse this deep at most.
pub const MAX_PAGE_DEPTH: usize = 1_000;

/// Live nodes a page's tree may hold by default, its components' included. The platform's
/// tools warn past 1,000 nodes and its renderer degrades past tens of thousands; no real page
/// comes near this.
pub const MAX_PAGE_NODES: usize = 100_000;

/// Bytes of text and attributes a page may hold by default, its components' included (text
/// nodes' text; elements' tags, attribute names and values weighed as JSON text, listeners;
/// the properties kept for custom components), and what one evaluation of an expression
/// may materialise. No real page holds anywhere near 64 MiB of text: a thousand-row list of
/// paragraphs is a few hundred kilobytes.
pub const MAX_PAGE_BYTES: usize = 64 << 20;

/// Instance records (one per rendered IR node and list item, kept beside the tree to update
/// it) a page may hold, per node of its node limit: a list whose items render nothing makes
/// records without nodes.
pub const RECORDS_PER_NODE: usize = 4;

/// The renderer asks the budget's interrupt whether to stop once per this many nodes
/// created or visited.
pub const CHECK_EVERY: usize = 1_000;

/// What one render or update may spend. Rendering runs in Rust, outside the script's heap
/// limit and CPU interrupt: this is how the caller bounds it.
#[derive(Clone, Copy)]
pub struct Budget<'a> {
    /// Live nodes in the page's tree (its components' included) at most.
    pub max_nodes: usize,
    /// Bytes of text and attributes the page may hold (see [`MAX_PAGE_BYTES`] for what
    /// counts), and what one evaluation of an expression may materialise.
    pub max_bytes: usize,
    /// Asked every [`CHECK_EVERY`] nodes created or visited; `true` stops the render (the
    /// caller's CPU deadline passed).
    pub interrupt: Option<&'a dyn Fn() -> bool>,
}

impl Default for Budget<'_> {
    fn default() -> Self {
        Budget { max_nodes: MAX_PAGE_NODES, max_bytes: MAX_PAGE_BYTES, interrupt: None }
    }
}

impl std::fmt::Debug for Budget<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("max_nodes", &self.max_nodes)
            .field("max_bytes", &self.max_bytes)
            .field("interrupt", &self.interrupt.is_some())
            .finish()
    }
}

/// Why a render or update stopped. The page's tree and records stay consistent (the render
/// is cut short, not torn), so the [`Rendered`] can be dropped or kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderError {
    /// The page would hold more than `limit` nodes.
    Nodes { limit: usize },
    /// The page would hold more than `limit` instance records (list items that render
    /// nothing count here).
    Records { limit: usize },
    /// The page would hold more than `limit` bytes of text and attributes, or an expression
    /// would make more than that (see [`MAX_PAGE_BYTES`]).
    Bytes { limit: usize },
    /// The budget's interrupt asked to stop.
    Interrupted,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Nodes { limit } => write!(f, "render limit: {limit} nodes"),
            RenderError::Records { limit } => write!(f, "render limit: {limit} template instances"),
            RenderError::Bytes { limit } if limit % (1 << 20) == 0 => {
                write!(f, "render limit: {} MiB of text and attributes", limit >> 20)
            }
            RenderError::Bytes { limit } => write!(f, "render limit: {limit} bytes of text and attributes"),
            RenderError::Interrupted => write!(f, "render interrupted: time limit"),
        }
    }
}

impl std::error::Error for RenderError {}

/// Counts what a render spends against its [`Budget`].
struct Meter<'p> {
    max_nodes: usize,
    max_records: usize,
    max_bytes: usize,
    interrupt: Option<&'p dyn Fn() -> bool>,
    /// The page's live instance records.
    records: &'p mut usize,
    /// Bytes the page holds outside its tree: the properties kept for its components.
    held: &'p mut usize,
    ticks: usize,
    error: Option<RenderError>,
}

/// A rendered page: its tree, and what the renderer needs to update it.
///
/// Custom components live in the same tree: a component's element (its *host*, named by the
/// tag the page wrote) holds a shadow root (an element tagged [`SHADOW_ROOT`]) where the
/// component's own template renders, and, as ordinary children, the content the page wrote
/// inside it for the component's `<slot>`s. Each component is known by its host's node id
/// and has its own data; the renderer cannot make that data (the logic layer does), so
/// rendering only reports what happened to components ([`ComponentChange`]) and renders a
/// component's template when it is given the data ([`Rendered::mount`]).
#[derive(Clone, Debug)]
pub struct Rendered {
    pub tree: Tree,
    file: FileId,
    insts: Vec<Inst>,
    components: HashMap<NodeId, Mounted>,
    changes: Vec<ComponentChange>,
    /// Live instance records (see [`RECORDS_PER_NODE`]).
    records: usize,
    /// Bytes of component properties kept in the instance records (see [`Rendered::bytes`]).
    held: usize,
    /// Why the last call of a method without a budget argument stopped, if it did.
    breach: Option<RenderError>,
}

/// A custom component in the tree.
#[derive(Clone, Debug)]
struct Mounted {
    path: Arc<str>,
    /// 1 for a component the page wrote, 2 for one inside it, and so on.
    depth: usize,
    /// How deep the page may already nest above its template (see [`MAX_PAGE_DEPTH`]).
    base: usize,
    file: Option<FileId>,
    shadow: NodeId,
    /// What its template rendered; `None` until it is mounted.
    insts: Option<Vec<Inst>>,
    /// The component whose template wrote it (`None`: the page).
    owner: Option<NodeId>,
    /// External classes (`custom-class` → the owner's `red big`), mapped in its template's
    /// `class` attributes.
    external: Vec<(String, String)>,
}

/// What rendering did to custom components, for the logic layer to act on, in document order
/// (an outer component before the ones inside it).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum ComponentChange {
    /// A component appeared; its template renders once [`Rendered::mount`] gives it data.
    /// `owner` is the component whose template wrote it (`None`: the page).
    Created { host: NodeId, shadow: NodeId, path: Arc<str>, owner: Option<NodeId>, props: Map<String, Value> },
    /// Properties the owner now passes differently (only the changed ones).
    Props { host: NodeId, props: Map<String, Value> },
    /// A component left the tree (with the components inside it, reported after it).
    Removed { host: NodeId },
}

#[derive(Clone, Debug)]
enum Inst {
    Element {
        id: NodeId,
        children: Vec<Inst>,
    },
    /// A custom component's host: the properties last passed, and the slot content.
    Component {
        host: NodeId,
        props: Map<String, Value>,
        children: Vec<Inst>,
    },
    Text {
        id: NodeId,
    },
    If {
        branch: Option<usize>,
        children: Vec<Inst>,
    },
    For {
        items: Vec<Item>,
    },
    Fragment {
        children: Vec<Inst>,
    },
    Template {
        name: Option<String>,
        children: Vec<Inst>,
    },
}

#[derive(Clone, Debug)]
struct Item {
    key: Option<String>,
    children: Vec<Inst>,
}

/// How changed paths reach the items of a `wx:for` (see [`list_changes`]).
#[derive(Default)]
struct ListChanges {
    /// The list may be another list: every item is reconciled.
    whole: bool,
    /// What changed under single rendered items, by position.
    items: HashMap<usize, RowChange>,
    /// The changed paths the body sees by their own names (not shadowed by the item or index
    /// name), the list's own included: a row may read `list.length` or `list[0]`.
    outer: Vec<Path>,
}

/// What changed under one rendered item of a list.
#[derive(Default)]
struct RowChange {
    /// In the body's names (`item.done`).
    paths: Vec<Path>,
    /// Whether its key may be different (the item replaced, or its key property set).
    rekey: bool,
}

/// What the items of a reconciled list re-evaluate, in the body's names.
enum RowChanges<'c> {
    /// Any item may be different: each re-evaluates what reads these.
    Every(Changes),
    /// Only the items listed changed (by their old positions): each item re-evaluates what
    /// reads `outer`, and what reads its index if it moved.
    Listed { items: &'c HashMap<usize, RowChange>, outer: &'c [Path] },
}

impl RowChanges<'_> {
    /// What the item once at `old`, now at `new`, re-evaluates; `None`: nothing.
    fn of(&self, f: &ForIr, old: usize, new: usize) -> Option<std::borrow::Cow<'_, Changes>> {
        match self {
            RowChanges::Every(changes) => Some(std::borrow::Cow::Borrowed(changes)),
            RowChanges::Listed { items, outer } => {
                let mut paths = items.get(&old).map_or_else(Vec::new, |r| r.paths.clone());
                if old != new {
                    paths.push(vec![f.index.clone()]);
                }
                paths.extend(outer.iter().cloned());
                (!paths.is_empty()).then_some(std::borrow::Cow::Owned(Changes::Paths(paths)))
            }
        }
    }
}

/// Sorts the changed `paths` for a `wx:for` whose list is an array (`array`) of which
/// `rendered` items are shown; `outer` is whether the body may read any of them by their own
/// names (else they are not listed in [`ListChanges::outer`]).
fn list_changes(
    f: &ForIr,
    list_deps: &crate::ir::Deps,
    paths: &[Path],
    rendered: usize,
    array: bool,
    outer: bool,
) -> ListChanges {
    let mut out = ListChanges::default();
    for p in paths {
        if outer && p.first().is_some_and(|r| *r != f.item && *r != f.index) {
            out.outer.push(p.clone());
        }
        match &f.list_path {
            Some(lp) if reaches(p, lp) => {
                if p.len() <= lp.len() || !array {
                    out.whole = true;
                    continue;
                }
                match array_index(&p[lp.len()]) {
                    Some(i) if i < rendered => {
                        let rest = &p[lp.len() + 1..];
                        let row = out.items.entry(i).or_default();
                        let mut path = Vec::with_capacity(rest.len() + 1);
                        path.push(f.item.clone());
                        path.extend(rest.iter().cloned());
                        row.paths.push(path);
                        row.rekey |= match &f.key {
                            Key::None => false,
                            Key::This => true,
                            Key::Prop(prop) => rest.first().is_none_or(|r| r == prop),
                        };
                    }
                    // Past the rendered items: the list grew, and the new items render.
                    Some(_) => {}
                    // Its length, when an item was set at the end: no item of its own.
                    None if p[lp.len()] == "length" && p.len() == lp.len() + 1 => {}
                    None => out.whole = true,
                }
            }
            None if list_deps.0.iter().any(|d| reaches(p, d)) => out.whole = true,
            _ => {}
        }
    }
    out
}

struct Cx<'p> {
    program: &'p Program,
    wxs: &'p dyn WxsHost,
    tree: &'p mut Tree,
    /// `None` during a first render: nobody is listening yet.
    patches: Option<&'p mut Vec<Patch>>,
    template_depth: usize,
    /// The components this template may use, by tag.
    tags: Option<&'p HashMap<Arc<str>, Arc<str>>>,
    /// The component whose template is rendering (`None`: the page's).
    owner: Option<NodeId>,
    /// That component's external classes, mapped in `class` attributes.
    external: Vec<(String, String)>,
    components: &'p mut HashMap<NodeId, Mounted>,
    changes: &'p mut Vec<ComponentChange>,
    /// The depth base of a component created here (see [`MAX_PAGE_DEPTH`]).
    child_base: usize,
    meter: Meter<'p>,
}

/// Attributes of a component's element that stay on it rather than becoming properties.
fn is_host_attr(name: &str) -> bool {
    matches!(name, "id" | "class" | "style" | "hidden" | "slot")
        || name.starts_with("data-")
        || name.starts_with("mark:")
}

/// `item-name` → `itemName`: attribute names become property names as on the platform.
fn property_name(attr: &str) -> String {
    let mut out = String::with_capacity(attr.len());
    let mut upper = false;
    for c in attr.chars() {
        if c == '-' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Renders `file` of `program` with `data` (the page's data object), within the default
/// [`Budget`]; a breach cuts the page short and is kept in [`Rendered::breach`].
///
/// ```
/// use capsule_template::{compile::compile_source, expr::NoWxs, render::render};
/// let (program, _) = compile_source("p.wxml", "<view wx:for='{{list}}'>{{item}}</view>");
/// let page = render(&program, 0, &serde_json::json!({"list": ["a", "b"]}), &NoWxs);
/// assert_eq!(page.tree.to_html(), "<view>a</view><view>b</view>");
/// ```
pub fn render(program: &Program, file: FileId, data: &Value, wxs: &dyn WxsHost) -> Rendered {
    let (mut rendered, error) = render_within(program, file, data, wxs, &Budget::default());
    rendered.breach = error;
    rendered
}

/// Renders as [`render`] does, within `budget`.
///
/// ```
/// use capsule_template::{compile::compile_source, expr::NoWxs, render::*};
/// let (program, _) = compile_source("p.wxml", "<view wx:for='{{100000}}'><text wx:for='{{100000}}'>.</text></view>");
/// let err = render_budgeted(&program, 0, &serde_json::json!({}), &NoWxs, &Budget::default()).unwrap_err();
/// assert_eq!(err.to_string(), "render limit: 100000 nodes");
/// ```
pub fn render_budgeted(
    program: &Program,
    file: FileId,
    data: &Value,
    wxs: &dyn WxsHost,
    budget: &Budget<'_>,
) -> Result<Rendered, RenderError> {
    match render_within(program, file, data, wxs, budget) {
        (rendered, None) => Ok(rendered),
        (_, Some(error)) => Err(error),
    }
}

fn render_within(
    program: &Program,
    file: FileId,
    data: &Value,
    wxs: &dyn WxsHost,
    budget: &Budget<'_>,
) -> (Rendered, Option<RenderError>) {
    let mut rendered = Rendered {
        tree: Tree::new(),
        file,
        insts: Vec::new(),
        components: HashMap::new(),
        changes: Vec::new(),
        records: 0,
        held: 0,
        breach: None,
    };
    let root = rendered.tree.root();
    let mut error = None;
    if let Some(f) = program.files.get(file) {
        let mut scope = Scope::bounded(Val::of(data), budget.max_bytes);
        let mut cx = rendered.cx(program, wxs, None, None, budget);
        let insts = cx.render_list(&f.body, &mut scope, root, None);
        cx.spent(&scope);
        error = cx.meter.error;
        rendered.insts = insts;
    }
    (rendered, error)
}

impl Rendered {
    /// Why the last call without a budget argument ([`render`], [`Rendered::update`], …)
    /// stopped short of its work, if it did: the default budget was spent.
    pub fn breach(&self) -> Option<RenderError> {
        self.breach
    }

    /// The bytes the page holds as [`Budget::max_bytes`] counts them: its tree's
    /// ([`Tree::bytes`]) and the properties kept for its components.
    pub fn bytes(&self) -> usize {
        self.tree.bytes() + self.held
    }

    /// Keeps what a call under the default budget did, remembering a breach.
    fn keep(&mut self, (patches, error): (Vec<Patch>, Option<RenderError>)) -> Vec<Patch> {
        self.breach = error;
        patches
    }

    /// Brings the tree up to date with `data` after the paths in `changed` were set, and
    /// returns the patches that make a view's copy match.
    pub fn update(
        &mut self,
        program: &Program,
        data: &Value,
        changed: &[Path],
        wxs: &dyn WxsHost,
    ) -> Vec<Patch> {
        let done = self.update_with(program, data, &changes_of(data, changed), wxs, &Budget::default());
        self.keep(done)
    }

    /// [`Rendered::update`] within `budget`. On an error the patches are not returned: the
    /// caller ends the page (its view no longer matches).
    pub fn update_budgeted(
        &mut self,
        program: &Program,
        data: &Value,
        changed: &[Path],
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> Result<Vec<Patch>, RenderError> {
        result(self.update_with(program, data, &changes_of(data, changed), wxs, budget))
    }

    /// Re-evaluates every binding (as after the data was replaced), still by patches.
    pub fn update_all(&mut self, program: &Program, data: &Value, wxs: &dyn WxsHost) -> Vec<Patch> {
        let done = self.update_with(program, data, &Changes::All, wxs, &Budget::default());
        self.keep(done)
    }

    /// [`Rendered::update_all`] within `budget`.
    pub fn update_all_budgeted(
        &mut self,
        program: &Program,
        data: &Value,
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> Result<Vec<Patch>, RenderError> {
        result(self.update_with(program, data, &Changes::All, wxs, budget))
    }

    fn update_with(
        &mut self,
        program: &Program,
        data: &Value,
        changes: &Changes,
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> (Vec<Patch>, Option<RenderError>) {
        let mut patches = Vec::new();
        let Some(f) = program.files.get(self.file) else { return (patches, None) };
        let root = self.tree.root();
        let mut insts = std::mem::take(&mut self.insts);
        let mut scope = Scope::bounded(Val::of(data), budget.max_bytes);
        let mut cx = self.cx(program, wxs, Some(&mut patches), None, budget);
        cx.update_list(&f.body, &mut insts, &mut scope, changes, root, None);
        cx.spent(&scope);
        let error = cx.meter.error;
        self.insts = insts;
        (patches, error)
    }

    /// A renderer over this page for the template of `owner` (a component's host; `None`: the
    /// page's own), with its component tags and external classes.
    fn cx<'p>(
        &'p mut self,
        program: &'p Program,
        wxs: &'p dyn WxsHost,
        patches: Option<&'p mut Vec<Patch>>,
        owner: Option<NodeId>,
        budget: &Budget<'p>,
    ) -> Cx<'p> {
        let (file, external, base) = match owner.and_then(|o| self.components.get(&o)) {
            Some(m) => (m.file, m.external.clone(), m.base),
            None => (Some(self.file), Vec::new(), 0),
        };
        let depth = file.and_then(|f| program.files.get(f)).map_or(0, |f| f.depth);
        Cx {
            program,
            wxs,
            tree: &mut self.tree,
            patches,
            template_depth: 0,
            tags: file.and_then(|f| program.components.get(&f)),
            owner,
            external,
            components: &mut self.components,
            changes: &mut self.changes,
            child_base: base + depth + 2,
            meter: Meter {
                max_nodes: budget.max_nodes,
                max_records: budget.max_nodes.saturating_mul(RECORDS_PER_NODE),
                max_bytes: budget.max_bytes,
                interrupt: budget.interrupt,
                records: &mut self.records,
                held: &mut self.held,
                ticks: 0,
                error: None,
            },
        }
    }

    /// What happened to components since the last call.
    pub fn take_changes(&mut self) -> Vec<ComponentChange> {
        std::mem::take(&mut self.changes)
    }

    /// Renders the template of the component at `host` with its first `data`, into its
    /// shadow root. A component that is gone, or already mounted, is left alone.
    pub fn mount(&mut self, program: &Program, host: NodeId, data: &Value, wxs: &dyn WxsHost) -> Vec<Patch> {
        let done = self.mount_with(program, host, data, wxs, &Budget::default());
        self.keep(done)
    }

    /// [`Rendered::mount`] within `budget`.
    pub fn mount_budgeted(
        &mut self,
        program: &Program,
        host: NodeId,
        data: &Value,
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> Result<Vec<Patch>, RenderError> {
        result(self.mount_with(program, host, data, wxs, budget))
    }

    fn mount_with(
        &mut self,
        program: &Program,
        host: NodeId,
        data: &Value,
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> (Vec<Patch>, Option<RenderError>) {
        let mut patches = Vec::new();
        let Some(m) = self.components.get(&host) else { return (patches, None) };
        if m.insts.is_some() {
            return (patches, None);
        }
        let (file, shadow) = (m.file, m.shadow);
        let mut insts = Vec::new();
        let mut error = None;
        if let Some(f) = file.and_then(|f| program.files.get(f)) {
            let mut scope = Scope::bounded(Val::of(data), budget.max_bytes);
            let mut cx = self.cx(program, wxs, Some(&mut patches), Some(host), budget);
            insts = cx.render_list(&f.body, &mut scope, shadow, None);
            cx.spent(&scope);
            error = cx.meter.error;
        }
        if let Some(m) = self.components.get_mut(&host) {
            m.insts = Some(insts);
        }
        (patches, error)
    }

    /// Brings the component at `host` up to date after the paths in `changed` of its data
    /// were set, as [`Rendered::update`] does for the page.
    pub fn update_component(
        &mut self,
        program: &Program,
        host: NodeId,
        data: &Value,
        changed: &[Path],
        wxs: &dyn WxsHost,
    ) -> Vec<Patch> {
        let done = self.update_component_with(program, host, data, changed, wxs, &Budget::default());
        self.keep(done)
    }

    /// [`Rendered::update_component`] within `budget`.
    pub fn update_component_budgeted(
        &mut self,
        program: &Program,
        host: NodeId,
        data: &Value,
        changed: &[Path],
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> Result<Vec<Patch>, RenderError> {
        result(self.update_component_with(program, host, data, changed, wxs, budget))
    }

    fn update_component_with(
        &mut self,
        program: &Program,
        host: NodeId,
        data: &Value,
        changed: &[Path],
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> (Vec<Patch>, Option<RenderError>) {
        let mut patches = Vec::new();
        let Some(m) = self.components.get_mut(&host) else { return (patches, None) };
        let (file, shadow) = (m.file, m.shadow);
        let Some(mut insts) = m.insts.take() else { return (patches, None) };
        let mut error = None;
        if let Some(f) = file.and_then(|f| program.files.get(f)) {
            let mut scope = Scope::bounded(Val::of(data), budget.max_bytes);
            let changes = changes_of(data, changed);
            let mut cx = self.cx(program, wxs, Some(&mut patches), Some(host), budget);
            cx.update_list(&f.body, &mut insts, &mut scope, &changes, shadow, None);
            cx.spent(&scope);
            error = cx.meter.error;
        }
        if let Some(m) = self.components.get_mut(&host) {
            m.insts = Some(insts);
        }
        (patches, error)
    }

    /// Gives the component at `host` its external classes (name → the owner's classes) and,
    /// if it was mounted, renders its template again with them (a rare change: the simple
    /// way is the right one).
    pub fn set_external_classes(
        &mut self,
        program: &Program,
        host: NodeId,
        external: Vec<(String, String)>,
        data: &Value,
        wxs: &dyn WxsHost,
    ) -> Vec<Patch> {
        let done = self.set_external_classes_with(program, host, external, data, wxs, &Budget::default());
        self.keep(done)
    }

    /// [`Rendered::set_external_classes`] within `budget`.
    pub fn set_external_classes_budgeted(
        &mut self,
        program: &Program,
        host: NodeId,
        external: Vec<(String, String)>,
        data: &Value,
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> Result<Vec<Patch>, RenderError> {
        result(self.set_external_classes_with(program, host, external, data, wxs, budget))
    }

    fn set_external_classes_with(
        &mut self,
        program: &Program,
        host: NodeId,
        external: Vec<(String, String)>,
        data: &Value,
        wxs: &dyn WxsHost,
        budget: &Budget<'_>,
    ) -> (Vec<Patch>, Option<RenderError>) {
        let Some(m) = self.components.get_mut(&host) else { return (Vec::new(), None) };
        if m.external == external {
            return (Vec::new(), None);
        }
        m.external = external;
        let Some(old) = m.insts.take() else { return (Vec::new(), None) };
        let mut patches = Vec::new();
        self.cx(program, wxs, Some(&mut patches), Some(host), budget).remove_all(&old);
        let (more, error) = self.mount_with(program, host, data, wxs, budget);
        patches.extend(more);
        (patches, error)
    }

    /// The component (host) whose template wrote the component at `host`; `None`: the page.
    pub fn component_owner(&self, host: NodeId) -> Option<NodeId> {
        self.components.get(&host).and_then(|m| m.owner)
    }

    /// Sets an attribute of node `id` outside a render (a component's isolation, a form
    /// field's value): the patch that tells views, or `None` if it already had that value.
    pub fn set_attr(&mut self, id: NodeId, name: &str, value: Value) -> Option<Patch> {
        let name: Arc<str> = Arc::from(name);
        if self.tree.attr(id, &name) == Some(&value) {
            return None;
        }
        self.tree.set_attr(id, &name, Some(value.clone()));
        Some(Patch::SetAttr { id, name, value: Some(value) })
    }

    /// The shadow root of the component at `host`.
    pub fn shadow_root(&self, host: NodeId) -> Option<NodeId> {
        self.components.get(&host).map(|m| m.shadow)
    }

    /// The template file of the component at `host`.
    pub fn component_file(&self, host: NodeId) -> Option<FileId> {
        self.components.get(&host).and_then(|m| m.file)
    }

    /// The component at `host`'s path, if it is one.
    pub fn component_path(&self, host: NodeId) -> Option<&str> {
        self.components.get(&host).map(|m| &*m.path)
    }

    /// Renders every component with its properties as its data, as a tool without a logic
    /// layer (`capsule render`) shows them; gives up after `limit` components. Within the
    /// default budget; a breach stops it and is kept in [`Rendered::breach`].
    pub fn mount_with_properties(&mut self, program: &Program, wxs: &dyn WxsHost, limit: usize) {
        self.breach = self.mount_with_properties_budgeted(program, wxs, limit, &Budget::default()).err();
    }

    /// [`Rendered::mount_with_properties`] within `budget` (each mount counting the page's
    /// nodes).
    pub fn mount_with_properties_budgeted(
        &mut self,
        program: &Program,
        wxs: &dyn WxsHost,
        limit: usize,
        budget: &Budget<'_>,
    ) -> Result<(), RenderError> {
        let mut mounted = 0;
        loop {
            let created: Vec<(NodeId, Map<String, Value>)> = self
                .take_changes()
                .into_iter()
                .filter_map(|c| match c {
                    ComponentChange::Created { host, props, .. } => Some((host, props)),
                    _ => None,
                })
                .collect();
            if created.is_empty() {
                return Ok(());
            }
            for (host, props) in created {
                if mounted >= limit {
                    return Ok(());
                }
                mounted += 1;
                self.mount_budgeted(program, host, &Value::Object(props), wxs, budget)?;
            }
        }
    }
}

/// The paths `changed` in `data` (by setData), with the array lengths they may have grown.
fn changes_of(data: &Value, changed: &[Path]) -> Changes {
    let mut paths = changed.to_vec();
    for path in changed {
        paths.extend(crate::path::grown_lengths(data, path));
    }
    Changes::Paths(paths)
}

/// The bytes a component's properties hold: names and values as JSON text.
fn weigh_props(props: &Map<String, Value>) -> usize {
    props.iter().map(|(k, v)| k.len() + json_weight(v)).sum()
}

fn result((patches, error): (Vec<Patch>, Option<RenderError>)) -> Result<Vec<Patch>, RenderError> {
    match error {
        None => Ok(patches),
        Some(e) => Err(e),
    }
}

/// The first DOM node an instance puts in its parent, if any.
fn first_node(inst: &Inst) -> Option<NodeId> {
    match inst {
        Inst::Element { id, .. } | Inst::Text { id } | Inst::Component { host: id, .. } => Some(*id),
        Inst::If { children, .. } | Inst::Fragment { children } | Inst::Template { children, .. } => {
            children.iter().find_map(first_node)
        }
        Inst::For { items } => items.iter().find_map(|i| i.children.iter().find_map(first_node)),
    }
}

/// Calls `each` with the DOM nodes an instance list puts directly in its parent, in order.
fn top_nodes(insts: &[Inst], each: &mut impl FnMut(NodeId)) {
    for inst in insts {
        match inst {
            Inst::Element { id, .. } | Inst::Text { id } | Inst::Component { host: id, .. } => each(*id),
            Inst::If { children, .. } | Inst::Fragment { children } | Inst::Template { children, .. } => {
                top_nodes(children, each)
            }
            Inst::For { items } => {
                for item in items {
                    top_nodes(&item.children, each);
                }
            }
        }
    }
}

/// The items a `wx:for` iterates: arrays by element, objects by value (the key is the
/// index), numbers as `0..n`, strings by character. Anything else: nothing. `None` when
/// there are more than `max` (each item costs an instance record: more than the page may
/// hold are not listed).
fn list_items<'a>(list: &Val<'a>, max: usize) -> Option<Vec<(Val<'a>, Val<'a>)>> {
    let count = match list {
        Val::Array(a) => a.len(),
        Val::Object(o) => o.len(),
        Val::Str(s) => s.chars().take(max.saturating_add(1)).count(),
        _ => 0,
    };
    if count > max {
        return None;
    }
    Some(match list {
        Val::Array(std::borrow::Cow::Borrowed(a)) => {
            let a: &'a Vec<Value> = a;
            a.iter().enumerate().map(|(i, v)| (Val::of(v), Val::Num(i as f64))).collect()
        }
        Val::Array(std::borrow::Cow::Owned(a)) => {
            a.iter().enumerate().map(|(i, v)| (Val::owned(v.clone()), Val::Num(i as f64))).collect()
        }
        Val::Object(std::borrow::Cow::Borrowed(o)) => {
            let o: &'a serde_json::Map<String, Value> = o;
            o.iter().map(|(k, v)| (Val::of(v), Val::str(k.clone()))).collect()
        }
        Val::Object(std::borrow::Cow::Owned(o)) => {
            o.iter().map(|(k, v)| (Val::owned(v.clone()), Val::str(k.clone()))).collect()
        }
        Val::Num(n) if n.is_finite() && *n > 0.0 => {
            // A number counts up to it; a huge one is capped rather than hanging the host.
            let n = (*n as usize).min(100_000);
            (0..n).map(|i| (Val::Num(i as f64), Val::Num(i as f64))).collect()
        }
        Val::Str(s) => {
            s.chars().enumerate().map(|(i, c)| (Val::str(c.to_string()), Val::Num(i as f64))).collect()
        }
        _ => Vec::new(),
    })
}

/// One array item by index, without listing them all.
fn array_item<'a>(list: &Val<'a>, i: usize) -> Option<Val<'a>> {
    match list {
        Val::Array(std::borrow::Cow::Borrowed(a)) => {
            let a: &'a Vec<Value> = a;
            a.get(i).map(Val::of)
        }
        Val::Array(std::borrow::Cow::Owned(a)) => a.get(i).map(|v| Val::owned(v.clone())),
        _ => None,
    }
}

fn key_of(key: &Key, item: &Val<'_>, limit: &Limit) -> Option<String> {
    match key {
        Key::None => None,
        Key::This => Some(item.to_js_string_within(limit).into_owned()),
        Key::Prop(p) => Some(item.get(p).to_js_string_within(limit).into_owned()),
    }
}

/// The old position of the item each new key names (`None`: a new item), or `None` when a key
/// is missing or repeats, old or new: such a list is matched by position.
fn match_keys(old: &[Item], new_keys: &[Option<String>]) -> Option<Vec<Option<usize>>> {
    let mut positions: HashMap<&str, usize> = HashMap::with_capacity(old.len());
    for (i, item) in old.iter().enumerate() {
        if positions.insert(item.key.as_deref()?, i).is_some() {
            return None;
        }
    }
    let mut taken = vec![false; old.len()];
    let mut added: HashSet<&str> = HashSet::new();
    let mut sources = Vec::with_capacity(new_keys.len());
    for key in new_keys {
        let key = key.as_deref()?;
        let source = positions.get(key).copied();
        let repeated = match source {
            Some(o) => std::mem::replace(&mut taken[o], true),
            None => !added.insert(key),
        };
        if repeated {
            return None;
        }
        sources.push(source);
    }
    Some(sources)
}

/// Positions (into `seq`) of one longest strictly increasing subsequence.
fn longest_increasing(seq: &[usize]) -> Vec<usize> {
    let mut tails: Vec<usize> = Vec::new(); // positions into seq
    let mut prev = vec![usize::MAX; seq.len()];
    for (i, &v) in seq.iter().enumerate() {
        let at = tails.partition_point(|&t| seq[t] < v);
        if at > 0 {
            prev[i] = tails[at - 1];
        }
        if at == tails.len() {
            tails.push(i);
        } else {
            tails[at] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        out.push(i);
        cur = (prev[i] != usize::MAX).then(|| prev[i]);
    }
    out.reverse();
    out
}

impl<'p> Cx<'p> {
    fn stopped(&self) -> bool {
        self.meter.error.is_some()
    }

    /// Counts a node or item visited or made; every [`CHECK_EVERY`], asks the interrupt.
    /// `false` once the budget is spent.
    fn tick(&mut self) -> bool {
        if self.meter.error.is_some() {
            return false;
        }
        self.meter.ticks += 1;
        if self.meter.ticks >= CHECK_EVERY {
            self.meter.ticks = 0;
            if self.meter.interrupt.is_some_and(|stop| stop()) {
                self.meter.error = Some(RenderError::Interrupted);
                return false;
            }
        }
        true
    }

    /// Counts one new instance record.
    fn record(&mut self) {
        *self.meter.records += 1;
        if *self.meter.records > self.meter.max_records && self.meter.error.is_none() {
            self.meter.error = Some(RenderError::Records { limit: self.meter.max_records });
        }
    }

    /// Whether the page may hold `add` more bytes once `free` of its bytes are gone (see
    /// [`Rendered::bytes`]); records the breach when not.
    fn fits(&mut self, add: usize, free: usize) -> bool {
        if self.meter.error.is_some() {
            return false;
        }
        let now = self.tree.bytes() + *self.meter.held;
        if now.saturating_sub(free).saturating_add(add) > self.meter.max_bytes {
            self.meter.error = Some(RenderError::Bytes { limit: self.meter.max_bytes });
            return false;
        }
        true
    }

    /// Whether an evaluation in `scope` tried to make more than the byte budget (what it
    /// gave is unfinished: the breach is recorded), or the render stopped already.
    fn spent(&mut self, scope: &Scope<'_, '_>) -> bool {
        if scope.limit().is_over() && self.meter.error.is_none() {
            self.meter.error = Some(RenderError::Bytes { limit: self.meter.max_bytes });
        }
        self.meter.error.is_some()
    }

    /// The list a `wx:for` iterates, or `None` (the breach recorded) when it has more items
    /// than the page may hold records.
    fn items<'a>(&mut self, list: &Val<'a>) -> Option<Vec<(Val<'a>, Val<'a>)>> {
        let items = list_items(list, self.meter.max_records);
        if items.is_none() && self.meter.error.is_none() {
            self.meter.error = Some(RenderError::Records { limit: self.meter.max_records });
        }
        items
    }

    /// Whether `n` more nodes fit in the page; records the breach when not.
    fn room(&mut self, n: usize) -> bool {
        if self.meter.error.is_some() {
            return false;
        }
        if self.tree.len() + n > self.meter.max_nodes {
            self.meter.error = Some(RenderError::Nodes { limit: self.meter.max_nodes });
            return false;
        }
        true
    }

    fn emit(&mut self, patch: Patch) {
        if let Some(p) = self.patches.as_deref_mut() {
            p.push(patch);
        }
    }

    fn attach(&mut self, id: NodeId, parent: NodeId, before: Option<NodeId>) {
        self.tree.insert(id, parent, before);
        self.emit(Patch::Insert { id, parent, before });
    }

    fn remove_all(&mut self, insts: &[Inst]) {
        let records = self.unmount(insts);
        *self.meter.records = self.meter.records.saturating_sub(records);
        top_nodes(insts, &mut |id| {
            self.tree.remove(id);
            self.emit(Patch::Remove { id });
        });
    }

    /// Reports the components among `insts` (and inside them) as removed, and forgets them.
    /// Returns how many instance records go with `insts` (theirs included).
    fn unmount(&mut self, insts: &[Inst]) -> usize {
        let mut records = insts.len();
        for inst in insts {
            records += match inst {
                Inst::Component { host, props, children } => {
                    *self.meter.held = self.meter.held.saturating_sub(weigh_props(props));
                    self.changes.push(ComponentChange::Removed { host: *host });
                    let inner = match self.components.remove(host).and_then(|m| m.insts) {
                        Some(inner) => self.unmount(&inner),
                        None => 0,
                    };
                    inner + self.unmount(children)
                }
                Inst::Element { children, .. }
                | Inst::If { children, .. }
                | Inst::Fragment { children }
                | Inst::Template { children, .. } => self.unmount(children),
                Inst::For { items } => items.iter().map(|item| 1 + self.unmount(&item.children)).sum(),
                Inst::Text { .. } => 0,
            };
        }
        records
    }

    /// A new element with the given content, announced to the view; `None` (the breach
    /// recorded) when the page has no room for its bytes.
    fn create_element(&mut self, tag: Arc<str>, attrs: Attrs, listeners: Vec<Listener>) -> Option<NodeId> {
        let kind = NodeKind::Element { tag, attrs, listeners };
        let weight = crate::tree::weigh(&kind);
        self.fits(weight, 0).then(|| self.create_weighed(kind, weight))
    }

    /// A new element of `weight` bytes (checked by the caller), announced to the view.
    fn create_weighed(&mut self, kind: NodeKind, weight: usize) -> NodeId {
        let announced = match (&kind, self.patches.is_some()) {
            (NodeKind::Element { tag, attrs, listeners }, true) => {
                Some((tag.clone(), attrs.clone(), listeners.clone()))
            }
            _ => None,
        };
        let id = self.tree.create_weighed(kind, weight);
        if let Some((tag, attrs, listeners)) = announced {
            self.emit(Patch::Create { id, tag, attrs, listeners });
        }
        id
    }

    /// An attribute's value with the component's external classes put in (`class` only);
    /// `None` (the breach recorded) when that would be longer than the byte budget.
    fn mapped(&mut self, name: &str, value: Value) -> Option<Value> {
        if name != "class" || self.external.is_empty() {
            return Some(value);
        }
        let Value::String(classes) = &value else { return Some(value) };
        let mut out = String::new();
        for c in classes.split_whitespace() {
            let replaced = self.external.iter().find(|(n, _)| n == c).map(|(_, v)| v.as_str());
            for class in replaced.map_or_else(|| c.split_whitespace(), str::split_whitespace) {
                if out.len() + 1 + class.len() > self.meter.max_bytes {
                    self.meter.error.get_or_insert(RenderError::Bytes { limit: self.meter.max_bytes });
                    return None;
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(class);
            }
        }
        Some(Value::String(out))
    }

    /// An element's attributes, evaluated and mapped; `None` when an evaluation passed the
    /// byte budget (the breach recorded).
    fn attrs(&mut self, e: &ElementIr, scope: &Scope<'_, '_>) -> Option<Attrs> {
        let mut attrs = Vec::with_capacity(e.attrs.len());
        for a in &e.attrs {
            let value = a.value.eval_json(scope, self.wxs);
            if self.spent(scope) {
                return None;
            }
            attrs.push((a.name.clone(), self.mapped(&a.name, value)?));
        }
        Some(attrs)
    }

    /// A component's attributes: those its element keeps, and its properties; `None` when an
    /// evaluation passed the byte budget (the breach recorded).
    fn split_attrs(&mut self, e: &ElementIr, scope: &Scope<'_, '_>) -> Option<(Attrs, Map<String, Value>)> {
        let mut attrs = Vec::new();
        let mut props = Map::new();
        for a in &e.attrs {
            let value = a.value.eval_json(scope, self.wxs);
            if self.spent(scope) {
                return None;
            }
            if is_host_attr(&a.name) {
                attrs.push((a.name.clone(), value));
            } else if !a.name.starts_with("generic:") {
                props.insert(property_name(&a.name), value);
            }
        }
        Some((attrs, props))
    }

    fn render_component(
        &mut self,
        e: &'p ElementIr,
        path: &Arc<str>,
        scope: &mut Scope<'p, '_>,
        parent: NodeId,
        before: Option<NodeId>,
    ) -> Inst {
        if !self.room(2) {
            return Inst::Fragment { children: Vec::new() };
        }
        let Some((attrs, props)) = self.split_attrs(e, scope) else {
            return Inst::Fragment { children: Vec::new() };
        };
        let listeners = self.listeners(&e.listeners, scope);
        if self.spent(scope) {
            return Inst::Fragment { children: Vec::new() };
        }
        // The host, its shadow root and the properties kept for it must all fit.
        let host = NodeKind::Element { tag: e.tag.clone(), attrs, listeners };
        let shadow_attrs = vec![(Arc::from("component"), Value::String(path.to_string()))];
        let shadow =
            NodeKind::Element { tag: Arc::from(SHADOW_ROOT), attrs: shadow_attrs, listeners: Vec::new() };
        let weights = (crate::tree::weigh(&host), crate::tree::weigh(&shadow), weigh_props(&props));
        if !self.fits(weights.0 + weights.1 + weights.2, 0) {
            return Inst::Fragment { children: Vec::new() };
        }
        let host = self.create_weighed(host, weights.0);
        let shadow = self.create_weighed(shadow, weights.1);
        *self.meter.held += weights.2;
        self.attach(shadow, host, None);
        let children = self.render_list(&e.children, scope, host, None);
        self.attach(host, parent, before);
        let depth = self.owner.and_then(|o| self.components.get(&o)).map_or(1, |m| m.depth + 1);
        let file = self.program.file_of(path);
        let base = self.child_base;
        let file_depth = file.and_then(|f| self.program.files.get(f)).map_or(0, |f| f.depth);
        if depth > MAX_COMPONENT_DEPTH || base + file_depth > MAX_PAGE_DEPTH {
            return Inst::Component { host, props, children };
        }
        let owner = self.owner;
        self.components.insert(
            host,
            Mounted {
                path: path.clone(),
                depth,
                base,
                file,
                shadow,
                insts: None,
                owner,
                external: Vec::new(),
            },
        );
        self.changes.push(ComponentChange::Created {
            host,
            shadow,
            path: path.clone(),
            owner: self.owner,
            props: props.clone(),
        });
        Inst::Component { host, props, children }
    }

    fn move_all(&mut self, insts: &[Inst], parent: NodeId, before: Option<NodeId>) {
        top_nodes(insts, &mut |id| {
            self.tree.insert(id, parent, before);
            self.emit(Patch::Move { id, parent, before });
        });
    }

    fn render_list(
        &mut self,
        irs: &'p [IrNode],
        scope: &mut Scope<'p, '_>,
        parent: NodeId,
        before: Option<NodeId>,
    ) -> Vec<Inst> {
        let mut out = Vec::with_capacity(irs.len());
        for ir in irs {
            if self.stopped() {
                break;
            }
            out.push(self.render_node(ir, scope, parent, before));
        }
        out
    }

    fn render_node(
        &mut self,
        ir: &'p IrNode,
        scope: &mut Scope<'p, '_>,
        parent: NodeId,
        before: Option<NodeId>,
    ) -> Inst {
        self.record();
        if !self.tick() {
            return Inst::Fragment { children: Vec::new() };
        }
        match &ir.kind {
            IrKind::Element(e) => {
                if let Some(path) = self.tags.and_then(|t| t.get(&e.tag)) {
                    return self.render_component(e, path, scope, parent, before);
                }
                if !self.room(1) {
                    return Inst::Fragment { children: Vec::new() };
                }
                let Some(attrs) = self.attrs(e, scope) else {
                    return Inst::Fragment { children: Vec::new() };
                };
                let listeners = self.listeners(&e.listeners, scope);
                if self.spent(scope) {
                    return Inst::Fragment { children: Vec::new() };
                }
                let Some(id) = self.create_element(e.tag.clone(), attrs, listeners) else {
                    return Inst::Fragment { children: Vec::new() };
                };
                let children = self.render_list(&e.children, scope, id, None);
                self.attach(id, parent, before);
                Inst::Element { id, children }
            }
            IrKind::Text(binding) => {
                if !self.room(1) {
                    return Inst::Fragment { children: Vec::new() };
                }
                let text = binding.text(scope, self.wxs);
                if self.spent(scope) || !self.fits(text.len(), 0) {
                    return Inst::Fragment { children: Vec::new() };
                }
                let weight = text.len();
                if self.patches.is_some() {
                    let id = self.tree.create_weighed(NodeKind::Text(text.clone()), weight);
                    self.emit(Patch::CreateText { id, text });
                    self.attach(id, parent, before);
                    Inst::Text { id }
                } else {
                    let id = self.tree.create_weighed(NodeKind::Text(text), weight);
                    self.tree.insert(id, parent, before);
                    Inst::Text { id }
                }
            }
            IrKind::If(branches) => {
                let branch = branches
                    .iter()
                    .position(|(cond, _)| cond.as_ref().is_none_or(|c| c.eval(scope, self.wxs).truthy()));
                if self.spent(scope) {
                    return Inst::Fragment { children: Vec::new() };
                }
                let children = match branch {
                    Some(b) => self.render_list(&branches[b].1, scope, parent, before),
                    None => Vec::new(),
                };
                Inst::If { branch, children }
            }
            IrKind::For(f) => {
                let list = f.list.eval(scope, self.wxs);
                if self.spent(scope) {
                    return Inst::Fragment { children: Vec::new() };
                }
                let mut items = Vec::new();
                for (value, index) in self.items(&list).unwrap_or_default() {
                    if self.stopped() {
                        break;
                    }
                    items.push(self.render_item(f, value, index, scope, parent, before));
                }
                Inst::For { items }
            }
            IrKind::Fragment(children) => {
                Inst::Fragment { children: self.render_list(children, scope, parent, before) }
            }
            IrKind::Template(call) => {
                let name = call.is.eval(scope, self.wxs);
                let name =
                    (!name.is_undefined()).then(|| name.to_js_string_within(scope.limit()).into_owned());
                if self.spent(scope) {
                    return Inst::Fragment { children: Vec::new() };
                }
                let children = self.render_template(
                    call.file,
                    name.as_deref(),
                    call.data.as_ref(),
                    scope,
                    parent,
                    before,
                );
                Inst::Template { name, children }
            }
        }
    }

    fn render_item<'a>(
        &mut self,
        f: &'p ForIr,
        value: Val<'a>,
        index: Val<'a>,
        scope: &mut Scope<'p, 'a>,
        parent: NodeId,
        before: Option<NodeId>,
    ) -> Item {
        self.record();
        self.tick();
        let key = key_of(&f.key, &value, scope.limit());
        self.spent(scope);
        let depth = scope.locals.len();
        scope.locals.push((&f.item, value));
        scope.locals.push((&f.index, index));
        let children = self.render_list(&f.body, scope, parent, before);
        scope.locals.truncate(depth);
        Item { key, children }
    }

    fn render_template(
        &mut self,
        file: FileId,
        name: Option<&str>,
        data: Option<&crate::expr::Expr>,
        scope: &mut Scope<'p, '_>,
        parent: NodeId,
        before: Option<NodeId>,
    ) -> Vec<Inst> {
        let program = self.program;
        let Some(def) = name.and_then(|n| program.find_template(file, n)) else { return Vec::new() };
        if self.template_depth >= MAX_TEMPLATE_DEPTH {
            return Vec::new();
        }
        let data = data.map_or(Val::Object(Default::default()), |d| d.eval(scope, self.wxs).into_owned());
        if self.spent(scope) {
            return Vec::new();
        }
        let mut inner = Scope::bounded(data, self.meter.max_bytes);
        self.template_depth += 1;
        let children = self.render_list(&def.body, &mut inner, parent, before);
        self.spent(&inner);
        self.template_depth -= 1;
        children
    }

    /// Listeners whose handler names come from data, re-evaluated.
    fn update_listeners(&mut self, id: NodeId, irs: &[crate::ir::ListenerIr], scope: &Scope<'_, '_>) {
        if irs.iter().all(|l| l.handler.is_static()) {
            return;
        }
        let listeners = self.listeners(irs, scope);
        if self.spent(scope) {
            return;
        }
        let old = match self.tree.get(id).map(|n| &n.kind) {
            Some(NodeKind::Element { listeners, .. }) => Some(listeners),
            _ => None,
        };
        if old != Some(&listeners) {
            let freed = old.map_or(0, |l| weigh_listeners(l));
            if !self.fits(weigh_listeners(&listeners), freed) {
                return;
            }
            self.tree.set_listeners(id, listeners.clone());
            self.emit(Patch::SetListeners { id, listeners });
        }
    }

    /// Sets an attribute that changed, within the byte budget; `false` (the breach recorded)
    /// when the page has no room for it.
    fn set_attr(&mut self, id: NodeId, name: &Arc<str>, value: Value) -> bool {
        let old = self.tree.attr(id, name);
        if old == Some(&value) {
            return true;
        }
        let freed = old.map_or(0, |v| weigh_attr(name, v));
        if !self.fits(weigh_attr(name, &value), freed) {
            return false;
        }
        self.tree.set_attr(id, name, Some(value.clone()));
        self.emit(Patch::SetAttr { id, name: name.clone(), value: Some(value) });
        true
    }

    fn listeners(&self, irs: &[crate::ir::ListenerIr], scope: &Scope<'_, '_>) -> Vec<Listener> {
        irs.iter()
            .filter_map(|l| {
                let handler = l.handler.text(scope, self.wxs);
                (!handler.is_empty()).then(|| Listener {
                    event: l.event.clone(),
                    handler,
                    capture: l.capture,
                    catch: l.catch,
                    mutated: l.mutated,
                })
            })
            .collect()
    }

    fn update_list(
        &mut self,
        irs: &'p [IrNode],
        insts: &mut [Inst],
        scope: &mut Scope<'p, '_>,
        changes: &Changes,
        parent: NodeId,
        mut next: Option<NodeId>,
    ) {
        for i in (0..irs.len().min(insts.len())).rev() {
            if self.stopped() {
                return;
            }
            if irs[i].sub.touches(changes) {
                self.update_node(&irs[i], &mut insts[i], scope, changes, parent, next);
            }
            next = first_node(&insts[i]).or(next);
        }
    }

    fn update_node(
        &mut self,
        ir: &'p IrNode,
        inst: &mut Inst,
        scope: &mut Scope<'p, '_>,
        changes: &Changes,
        parent: NodeId,
        next: Option<NodeId>,
    ) {
        if !self.tick() {
            return;
        }
        match (&ir.kind, inst) {
            (IrKind::Element(e), Inst::Element { id, children }) => {
                let id = *id;
                if ir.deps.touches(changes) {
                    for a in e.attrs.iter().filter(|a| !a.value.is_static()) {
                        let value = a.value.eval_json(scope, self.wxs);
                        if self.spent(scope) {
                            return;
                        }
                        let Some(value) = self.mapped(&a.name, value) else { return };
                        if !self.set_attr(id, &a.name, value) {
                            return;
                        }
                    }
                    self.update_listeners(id, &e.listeners, scope);
                }
                self.update_list(&e.children, children, scope, changes, id, None);
            }
            (IrKind::Element(e), Inst::Component { host, props, children }) => {
                let host = *host;
                if ir.deps.touches(changes) {
                    let Some((attrs, new_props)) = self.split_attrs(e, scope) else { return };
                    for (name, value) in attrs {
                        if !self.set_attr(host, &name, value) {
                            return;
                        }
                    }
                    let changed: Map<String, Value> = new_props
                        .iter()
                        .filter(|(k, v)| props.get(*k) != Some(v))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    if !changed.is_empty() {
                        let (old, new) = (weigh_props(props), weigh_props(&new_props));
                        if !self.fits(new, old) {
                            return;
                        }
                        *self.meter.held = *self.meter.held - old + new;
                        *props = new_props;
                        self.changes.push(ComponentChange::Props { host, props: changed });
                    }
                    self.update_listeners(host, &e.listeners, scope);
                }
                self.update_list(&e.children, children, scope, changes, host, None);
            }
            (IrKind::Text(binding), Inst::Text { id }) => {
                let id = *id;
                let text = binding.text(scope, self.wxs);
                if self.spent(scope) {
                    return;
                }
                let old = match self.tree.get(id).map(|n| &n.kind) {
                    Some(NodeKind::Text(t)) => Some(t),
                    _ => None,
                };
                if old != Some(&text) {
                    if !self.fits(text.len(), old.map_or(0, String::len)) {
                        return;
                    }
                    self.tree.set_text(id, text.clone());
                    self.emit(Patch::SetText { id, text });
                }
            }
            (IrKind::If(branches), Inst::If { branch, children }) => {
                let new_branch = branches
                    .iter()
                    .position(|(cond, _)| cond.as_ref().is_none_or(|c| c.eval(scope, self.wxs).truthy()));
                if self.spent(scope) {
                    return;
                }
                if new_branch == *branch {
                    if let Some(b) = new_branch {
                        self.update_list(&branches[b].1, children, scope, changes, parent, next);
                    }
                } else {
                    self.remove_all(children);
                    *children = match new_branch {
                        Some(b) => self.render_list(&branches[b].1, scope, parent, next),
                        None => Vec::new(),
                    };
                    *branch = new_branch;
                }
            }
            (IrKind::Fragment(irs), Inst::Fragment { children }) => {
                self.update_list(irs, children, scope, changes, parent, next);
            }
            (IrKind::Template(call), Inst::Template { name, children }) => {
                let new_name = call.is.eval(scope, self.wxs);
                let new_name = (!new_name.is_undefined())
                    .then(|| new_name.to_js_string_within(scope.limit()).into_owned());
                if self.spent(scope) {
                    return;
                }
                let program = self.program;
                let def = new_name.as_deref().and_then(|n| program.find_template(call.file, n));
                match def {
                    Some(def) if new_name == *name && self.template_depth < MAX_TEMPLATE_DEPTH => {
                        let data = call.data.as_ref().map_or(Val::Object(Default::default()), |d| {
                            d.eval(scope, self.wxs).into_owned()
                        });
                        if self.spent(scope) {
                            return;
                        }
                        let mut inner = Scope::bounded(data, self.meter.max_bytes);
                        self.template_depth += 1;
                        self.update_list(&def.body, children, &mut inner, &Changes::All, parent, next);
                        self.spent(&inner);
                        self.template_depth -= 1;
                    }
                    _ => {
                        self.remove_all(children);
                        *children = self.render_template(
                            call.file,
                            new_name.as_deref(),
                            call.data.as_ref(),
                            scope,
                            parent,
                            next,
                        );
                        *name = new_name;
                    }
                }
            }
            (IrKind::For(f), Inst::For { items }) => {
                self.update_for(f, &ir.deps, items, scope, changes, parent, next)
            }
            // The instance does not match its IR: only possible if the program changed under a
            // rendered page. Start this node over.
            (_, inst) => {
                self.remove_all(std::slice::from_ref(inst));
                *inst = self.render_node(ir, scope, parent, next);
            }
        }
    }

    /// A `wx:for` after `changes`. A path under one item (`list[3].done`) reaches only that
    /// item, a path past the last item renders the new ones after it, and a path the body reads
    /// by its own name (`{{list.length}}` in a row) reaches every item; a new list, or an item
    /// whose key changed, is reconciled by key.
    #[allow(clippy::too_many_arguments)]
    fn update_for(
        &mut self,
        f: &'p ForIr,
        list_deps: &crate::ir::Deps,
        items: &mut Vec<Item>,
        scope: &mut Scope<'p, '_>,
        changes: &Changes,
        parent: NodeId,
        next: Option<NodeId>,
    ) {
        let list = f.list.eval(scope, self.wxs);
        if self.spent(scope) {
            return;
        }
        let Changes::Paths(paths) = changes else {
            let every = RowChanges::Every(Changes::All);
            return self.reconcile(f, items, &list, scope, &every, parent, next);
        };
        let length = match &list {
            Val::Array(a) => Some(a.len()),
            _ => None,
        };
        // Whether the body reads a changed path at all (a path under the item's or index's own
        // name may pass this, and is not listed below).
        let body_reads = f.body.iter().any(|n| n.sub.touches(changes));
        let mut rows = list_changes(f, list_deps, paths, items.len(), length.is_some(), body_reads);
        // The list's own length comes with a change to its last item: it matters if it grew.
        if let (Some(lp), Some(n)) = (&f.list_path, length)
            && n == items.len()
        {
            rows.outer.retain(|p| !(p.len() == lp.len() + 1 && p.starts_with(lp) && p[lp.len()] == "length"));
        }
        if !rows.outer.is_empty()
            && !f.body.iter().any(|n| n.sub.touches(&Changes::Paths(rows.outer.clone())))
        {
            rows.outer.clear();
        }
        // Items of a number, string or object are not reached one by one: a change the body
        // reads goes through them all. An array shorter than its items is another list.
        let Some(length) = length.filter(|&n| !rows.whole && n >= items.len()) else {
            if rows.whole || length.is_some() || !rows.outer.is_empty() {
                let mut paths = vec![vec![f.item.clone()], vec![f.index.clone()]];
                paths.extend(rows.outer);
                let every = RowChanges::Every(Changes::Paths(paths));
                self.reconcile(f, items, &list, scope, &every, parent, next);
            }
            return;
        };
        // An item whose key changed is another item: the list is reconciled by key, knowing
        // that only the listed items changed.
        let rekeyed = rows.items.iter().any(|(&i, row)| {
            row.rekey
                && array_item(&list, i).is_some_and(|v| key_of(&f.key, &v, scope.limit()) != items[i].key)
        });
        if self.spent(scope) {
            return;
        }
        if rekeyed {
            let listed = RowChanges::Listed { items: &rows.items, outer: &rows.outer };
            return self.reconcile(f, items, &list, scope, &listed, parent, next);
        }
        // Items set past the end (the list grew) go after the last one, as a reconcile would
        // put them: the items before keep their values and positions, keyed or not.
        let mut tail = Vec::new();
        for i in items.len()..length {
            let Some(value) = array_item(&list, i) else { break };
            if self.stopped() {
                break;
            }
            tail.push(self.render_item(f, value, Val::Num(i as f64), scope, parent, next));
        }
        let after = tail.iter().find_map(|i| i.children.iter().find_map(first_node)).or(next);
        if rows.outer.is_empty() {
            // Only the items a path reaches, last first. Each inserts before the first node of
            // the items after it, found by scanning forward only up to the item updated before
            // it: the scans add up to one pass over the list at most, and to a step or two for
            // one changed row.
            let mut touched: Vec<(usize, RowChange)> = rows.items.into_iter().collect();
            touched.sort_unstable_by_key(|t| std::cmp::Reverse(t.0));
            let (mut upper, mut upper_anchor) = (items.len(), after);
            for (i, row) in touched {
                let anchor = items[i + 1..upper]
                    .iter()
                    .find_map(|item| item.children.iter().find_map(first_node))
                    .or(upper_anchor);
                if let Some(value) = array_item(&list, i) {
                    let item_changes = Changes::Paths(row.paths);
                    let index = Val::Num(i as f64);
                    self.update_item(f, &mut items[i], value, index, scope, &item_changes, parent, anchor);
                }
                upper_anchor = items[i].children.iter().find_map(first_node).or(anchor);
                upper = i;
            }
        } else {
            // Every item: a change the body reads by its own name.
            let mut anchor = after;
            for i in (0..items.len()).rev() {
                let mut paths = rows.items.remove(&i).map_or_else(Vec::new, |r| r.paths);
                paths.extend(rows.outer.iter().cloned());
                if let Some(value) = array_item(&list, i) {
                    let item_changes = Changes::Paths(paths);
                    let index = Val::Num(i as f64);
                    self.update_item(f, &mut items[i], value, index, scope, &item_changes, parent, anchor);
                }
                anchor = items[i].children.iter().find_map(first_node).or(anchor);
            }
        }
        items.extend(tail);
    }

    #[allow(clippy::too_many_arguments)]
    fn update_item<'a>(
        &mut self,
        f: &'p ForIr,
        item: &mut Item,
        value: Val<'a>,
        index: Val<'a>,
        scope: &mut Scope<'p, 'a>,
        changes: &Changes,
        parent: NodeId,
        next: Option<NodeId>,
    ) {
        if !self.tick() {
            return;
        }
        let depth = scope.locals.len();
        scope.locals.push((&f.item, value));
        scope.locals.push((&f.index, index));
        self.update_list(&f.body, &mut item.children, scope, changes, parent, next);
        scope.locals.truncate(depth);
    }

    /// A new list: keep, move, create and remove items to match it.
    #[allow(clippy::too_many_arguments)]
    fn reconcile<'a>(
        &mut self,
        f: &'p ForIr,
        items: &mut Vec<Item>,
        list: &Val<'a>,
        scope: &mut Scope<'p, 'a>,
        rows: &RowChanges<'_>,
        parent: NodeId,
        next: Option<NodeId>,
    ) {
        let Some(new) = self.items(list) else { return };
        let new_keys: Vec<Option<String>> =
            new.iter().map(|(v, _)| key_of(&f.key, v, scope.limit())).collect();
        if self.spent(scope) {
            return;
        }
        let sources = match f.key {
            Key::None => None,
            _ => match_keys(items, &new_keys),
        };
        let Some(sources) = sources else {
            // By position: update the common items, then add or drop the tail.
            let common = items.len().min(new.len());
            for old in items.drain(common..).collect::<Vec<_>>() {
                self.remove_all(&old.children);
                *self.meter.records = self.meter.records.saturating_sub(1);
            }
            let mut tail = Vec::new();
            for (value, index) in new[common..].iter().cloned() {
                tail.push(self.render_item(f, value, index, scope, parent, next));
            }
            let mut anchor = tail.iter().find_map(|i| i.children.iter().find_map(first_node)).or(next);
            for i in (0..common).rev() {
                let (value, index) = new[i].clone();
                items[i].key = new_keys[i].clone();
                if let Some(changes) = rows.of(f, i, i) {
                    self.update_item(f, &mut items[i], value, index, scope, &changes, parent, anchor);
                }
                anchor = items[i].children.iter().find_map(first_node).or(anchor);
            }
            items.extend(tail);
            return;
        };

        let mut kept = vec![false; items.len()];
        for &o in sources.iter().flatten() {
            kept[o] = true;
        }
        let mut old: Vec<Option<Item>> = std::mem::take(items).into_iter().map(Some).collect();
        for (slot, kept) in old.iter_mut().zip(kept) {
            if !kept && let Some(gone) = slot.take() {
                self.remove_all(&gone.children);
                *self.meter.records = self.meter.records.saturating_sub(1);
            }
        }
        // Items whose old positions form a longest increasing run stay; the rest move.
        let reused: Vec<usize> = sources.iter().enumerate().filter_map(|(j, s)| s.map(|_| j)).collect();
        let old_positions: Vec<usize> = reused.iter().map(|&j| sources[j].expect("reused")).collect();
        let mut stay = vec![false; new.len()];
        for k in longest_increasing(&old_positions) {
            stay[reused[k]] = true;
        }

        let mut result: Vec<Option<Item>> = (0..new.len()).map(|_| None).collect();
        let mut anchor = next;
        for j in (0..new.len()).rev() {
            let (value, index) = new[j].clone();
            let item = match sources[j] {
                None => self.render_item(f, value, index, scope, parent, anchor),
                Some(o) => {
                    let mut item = old[o].take().expect("each old item is reused once");
                    if !stay[j] {
                        self.move_all(&item.children, parent, anchor);
                    }
                    if let Some(changes) = rows.of(f, o, j) {
                        self.update_item(f, &mut item, value, index, scope, &changes, parent, anchor);
                    }
                    item
                }
            };
            anchor = item.children.iter().find_map(first_node).or(anchor);
            result[j] = Some(item);
        }
        *items = result.into_iter().map(|i| i.expect("every position filled")).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_old_positions_unless_one_is_missing_or_repeats() {
        let items = |keys: &[Option<&str>]| -> Vec<Item> {
            keys.iter().map(|k| Item { key: k.map(str::to_string), children: Vec::new() }).collect()
        };
        let keys = |keys: &[Option<&str>]| -> Vec<Option<String>> {
            keys.iter().map(|k| k.map(str::to_string)).collect()
        };
        let old = items(&[Some("a"), Some("b"), Some("c")]);
        let new = keys(&[Some("c"), Some("x"), Some("a")]);
        assert_eq!(match_keys(&old, &new), Some(vec![Some(2), None, Some(0)]));
        assert_eq!(match_keys(&old, &keys(&[Some("a"), Some("a")])), None);
        assert_eq!(match_keys(&old, &keys(&[Some("x"), Some("x")])), None);
        assert_eq!(match_keys(&old, &keys(&[Some("a"), None])), None);
        assert_eq!(match_keys(&items(&[Some("a"), Some("a")]), &keys(&[Some("a")])), None);
        assert_eq!(match_keys(&items(&[None]), &keys(&[Some("a")])), None);
    }

    #[test]
    fn lis_finds_a_longest_run() {
        assert_eq!(longest_increasing(&[]), Vec::<usize>::new());
        assert_eq!(longest_increasing(&[0, 1, 2]), vec![0, 1, 2]);
        assert_eq!(longest_increasing(&[2, 1, 0]).len(), 1);
        let seq = [3, 0, 1, 4, 2, 5];
        let lis = longest_increasing(&seq);
        assert_eq!(lis.len(), 4);
        assert!(lis.windows(2).all(|w| seq[w[0]] < seq[w[1]]));
    }
}
