//! Rendering IR + data into a [`Tree`], and updating it after `setData` with patches.
//!
//! The renderer keeps, beside the tree, an instance record per IR node (which `wx:if` branch
//! is shown, which list items exist and under which keys). An update walks IR and instances
//! together, right to left so each insertion knows the node it goes before, and descends
//! only where a node's subtree reads a changed path. In a `wx:for` over a data path, a change
//! under one item (`list[3].done`) reaches only that item; a new list is reconciled by key
//! with the fewest moves (the items outside a longest increasing subsequence move).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::expr::{Scope, WxsHost};
use crate::ir::{Changes, FileId, ForIr, IrKind, IrNode, Key, Path, Program, related};
use crate::tree::{Listener, NodeId, NodeKind, Patch, Tree};
use crate::value::{Val, array_index};

/// Templates calling templates deeper than this render nothing: a template that calls itself
/// must not take the host down.
const MAX_TEMPLATE_DEPTH: usize = 32;

/// A rendered page: its tree, and what the renderer needs to update it.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub tree: Tree,
    file: FileId,
    insts: Vec<Inst>,
}

#[derive(Clone, Debug)]
enum Inst {
    Element { id: NodeId, children: Vec<Inst> },
    Text { id: NodeId },
    If { branch: Option<usize>, children: Vec<Inst> },
    For { items: Vec<Item> },
    Fragment { children: Vec<Inst> },
    Template { name: Option<String>, children: Vec<Inst> },
}

#[derive(Clone, Debug)]
struct Item {
    key: Option<String>,
    children: Vec<Inst>,
}

struct Cx<'p> {
    program: &'p Program,
    wxs: &'p dyn WxsHost,
    tree: &'p mut Tree,
    /// `None` during a first render: nobody is listening yet.
    patches: Option<&'p mut Vec<Patch>>,
    template_depth: usize,
}

/// Renders `file` of `program` with `data` (the page's data object).
///
/// ```
/// use capsule_template::{compile::compile_source, expr::NoWxs, render::render};
/// let (program, _) = compile_source("p.wxml", "<view wx:for='{{list}}'>{{item}}</view>");
/// let page = render(&program, 0, &serde_json::json!({"list": ["a", "b"]}), &NoWxs);
/// assert_eq!(page.tree.to_html(), "<view>a</view><view>b</view>");
/// ```
pub fn render(program: &Program, file: FileId, data: &Value, wxs: &dyn WxsHost) -> Rendered {
    let mut tree = Tree::new();
    let root = tree.root();
    let insts = match program.files.get(file) {
        Some(f) => {
            let mut cx = Cx { program, wxs, tree: &mut tree, patches: None, template_depth: 0 };
            let mut scope = Scope::new(Val::of(data));
            cx.render_list(&f.body, &mut scope, root, None)
        }
        None => Vec::new(),
    };
    Rendered { tree, file, insts }
}

impl Rendered {
    /// Brings the tree up to date with `data` after the paths in `changed` were set, and
    /// returns the patches that make a view's copy match.
    pub fn update(
        &mut self,
        program: &Program,
        data: &Value,
        changed: &[Path],
        wxs: &dyn WxsHost,
    ) -> Vec<Patch> {
        self.update_with(program, data, &Changes::Paths(changed.to_vec()), wxs)
    }

    /// Re-evaluates every binding (as after the data was replaced), still by patches.
    pub fn update_all(&mut self, program: &Program, data: &Value, wxs: &dyn WxsHost) -> Vec<Patch> {
        self.update_with(program, data, &Changes::All, wxs)
    }

    fn update_with(
        &mut self,
        program: &Program,
        data: &Value,
        changes: &Changes,
        wxs: &dyn WxsHost,
    ) -> Vec<Patch> {
        let mut patches = Vec::new();
        let Some(f) = program.files.get(self.file) else { return patches };
        let root = self.tree.root();
        let mut cx =
            Cx { program, wxs, tree: &mut self.tree, patches: Some(&mut patches), template_depth: 0 };
        let mut scope = Scope::new(Val::of(data));
        cx.update_list(&f.body, &mut self.insts, &mut scope, changes, root, None);
        patches
    }
}

/// The first DOM node an instance puts in its parent, if any.
fn first_node(inst: &Inst) -> Option<NodeId> {
    match inst {
        Inst::Element { id, .. } | Inst::Text { id } => Some(*id),
        Inst::If { children, .. } | Inst::Fragment { children } | Inst::Template { children, .. } => {
            children.iter().find_map(first_node)
        }
        Inst::For { items } => items.iter().find_map(|i| i.children.iter().find_map(first_node)),
    }
}

/// The DOM nodes an instance list puts directly in its parent, in order.
fn top_nodes(insts: &[Inst], out: &mut Vec<NodeId>) {
    for inst in insts {
        match inst {
            Inst::Element { id, .. } | Inst::Text { id } => out.push(*id),
            Inst::If { children, .. } | Inst::Fragment { children } | Inst::Template { children, .. } => {
                top_nodes(children, out)
            }
            Inst::For { items } => {
                for item in items {
                    top_nodes(&item.children, out);
                }
            }
        }
    }
}

/// The items a `wx:for` iterates: arrays by element, objects by value (the key is the
/// index), numbers as `0..n`, strings by character. Anything else: nothing.
fn list_items<'a>(list: &Val<'a>) -> Vec<(Val<'a>, Val<'a>)> {
    match list {
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
    }
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

fn key_of(key: &Key, item: &Val<'_>) -> Option<String> {
    match key {
        Key::None => None,
        Key::This => Some(item.to_js_string().into_owned()),
        Key::Prop(p) => Some(item.get(p).to_js_string().into_owned()),
    }
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
        let mut nodes = Vec::new();
        top_nodes(insts, &mut nodes);
        for id in nodes {
            self.tree.remove(id);
            self.emit(Patch::Remove { id });
        }
    }

    fn move_all(&mut self, insts: &[Inst], parent: NodeId, before: Option<NodeId>) {
        let mut nodes = Vec::new();
        top_nodes(insts, &mut nodes);
        for id in nodes {
            self.tree.insert(id, parent, before);
            self.emit(Patch::Move { id, parent, before });
        }
    }

    fn render_list(
        &mut self,
        irs: &'p [IrNode],
        scope: &mut Scope<'p, '_>,
        parent: NodeId,
        before: Option<NodeId>,
    ) -> Vec<Inst> {
        irs.iter().map(|ir| self.render_node(ir, scope, parent, before)).collect()
    }

    fn render_node(
        &mut self,
        ir: &'p IrNode,
        scope: &mut Scope<'p, '_>,
        parent: NodeId,
        before: Option<NodeId>,
    ) -> Inst {
        match &ir.kind {
            IrKind::Element(e) => {
                let attrs = e
                    .attrs
                    .iter()
                    .map(|a| (a.name.clone(), a.value.eval(scope, self.wxs).into_json()))
                    .collect();
                let listeners = self.listeners(&e.listeners, scope);
                let id = self.tree.create(NodeKind::Element { tag: e.tag.clone(), attrs, listeners });
                if self.patches.is_some()
                    && let Some(NodeKind::Element { tag, attrs, listeners }) =
                        self.tree.get(id).map(|n| &n.kind)
                {
                    let patch = Patch::Create {
                        id,
                        tag: tag.clone(),
                        attrs: attrs.clone(),
                        listeners: listeners.clone(),
                    };
                    self.emit(patch);
                }
                let children = self.render_list(&e.children, scope, id, None);
                self.attach(id, parent, before);
                Inst::Element { id, children }
            }
            IrKind::Text(binding) => {
                let text = binding.text(scope, self.wxs);
                if self.patches.is_some() {
                    let id = self.tree.create(NodeKind::Text(text.clone()));
                    self.emit(Patch::CreateText { id, text });
                    self.attach(id, parent, before);
                    Inst::Text { id }
                } else {
                    let id = self.tree.create(NodeKind::Text(text));
                    self.tree.insert(id, parent, before);
                    Inst::Text { id }
                }
            }
            IrKind::If(branches) => {
                let branch = branches
                    .iter()
                    .position(|(cond, _)| cond.as_ref().is_none_or(|c| c.eval(scope, self.wxs).truthy()));
                let children = match branch {
                    Some(b) => self.render_list(&branches[b].1, scope, parent, before),
                    None => Vec::new(),
                };
                Inst::If { branch, children }
            }
            IrKind::For(f) => {
                let list = f.list.eval(scope, self.wxs);
                let items = list_items(&list)
                    .into_iter()
                    .map(|(value, index)| self.render_item(f, value, index, scope, parent, before))
                    .collect();
                Inst::For { items }
            }
            IrKind::Fragment(children) => {
                Inst::Fragment { children: self.render_list(children, scope, parent, before) }
            }
            IrKind::Template(call) => {
                let name = call.is.eval(scope, self.wxs);
                let name = (!name.is_undefined()).then(|| name.to_js_string().into_owned());
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
        let key = key_of(&f.key, &value);
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
        let mut inner = Scope::new(data);
        self.template_depth += 1;
        let children = self.render_list(&def.body, &mut inner, parent, before);
        self.template_depth -= 1;
        children
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
        match (&ir.kind, inst) {
            (IrKind::Element(e), Inst::Element { id, children }) => {
                let id = *id;
                if ir.deps.touches(changes) {
                    for a in e.attrs.iter().filter(|a| !a.value.is_static()) {
                        let value = a.value.eval_json(scope, self.wxs);
                        if self.tree.attr(id, &a.name) != Some(&value) {
                            self.tree.set_attr(id, &a.name, Some(value.clone()));
                            self.emit(Patch::SetAttr { id, name: a.name.clone(), value: Some(value) });
                        }
                    }
                    if e.listeners.iter().any(|l| !l.handler.is_static()) {
                        let listeners = self.listeners(&e.listeners, scope);
                        let old = match self.tree.get(id).map(|n| &n.kind) {
                            Some(NodeKind::Element { listeners, .. }) => Some(listeners),
                            _ => None,
                        };
                        if old != Some(&listeners) {
                            self.tree.set_listeners(id, listeners.clone());
                            self.emit(Patch::SetListeners { id, listeners });
                        }
                    }
                }
                self.update_list(&e.children, children, scope, changes, id, None);
            }
            (IrKind::Text(binding), Inst::Text { id }) => {
                let id = *id;
                let text = binding.text(scope, self.wxs);
                let same =
                    matches!(self.tree.get(id).map(|n| &n.kind), Some(NodeKind::Text(t)) if *t == text);
                if !same {
                    self.tree.set_text(id, text.clone());
                    self.emit(Patch::SetText { id, text });
                }
            }
            (IrKind::If(branches), Inst::If { branch, children }) => {
                let new_branch = branches
                    .iter()
                    .position(|(cond, _)| cond.as_ref().is_none_or(|c| c.eval(scope, self.wxs).truthy()));
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
                let new_name = (!new_name.is_undefined()).then(|| new_name.to_js_string().into_owned());
                let program = self.program;
                let def = new_name.as_deref().and_then(|n| program.find_template(call.file, n));
                match def {
                    Some(def) if new_name == *name && self.template_depth < MAX_TEMPLATE_DEPTH => {
                        let data = call.data.as_ref().map_or(Val::Object(Default::default()), |d| {
                            d.eval(scope, self.wxs).into_owned()
                        });
                        let mut inner = Scope::new(data);
                        self.template_depth += 1;
                        self.update_list(&def.body, children, &mut inner, &Changes::All, parent, next);
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
        let is_array = matches!(list, Val::Array(_));
        let mut whole = false;
        let mut per_item: HashMap<usize, Vec<Path>> = HashMap::new();
        let mut outer: Vec<Path> = Vec::new();
        match changes {
            Changes::All => whole = true,
            Changes::Paths(paths) => {
                for p in paths {
                    match &f.list_path {
                        Some(lp) if related(p, lp) => {
                            if p.len() <= lp.len() || !is_array {
                                whole = true;
                                continue;
                            }
                            let rest = &p[lp.len() + 1..];
                            let key_touched = match &f.key {
                                Key::None => false,
                                Key::This => true,
                                Key::Prop(prop) => rest.first().is_none_or(|r| r == prop),
                            };
                            match array_index(&p[lp.len()]) {
                                Some(i) if i < items.len() && !key_touched => {
                                    let mut item_path = vec![f.item.clone()];
                                    item_path.extend(rest.iter().cloned());
                                    per_item.entry(i).or_default().push(item_path);
                                }
                                _ => whole = true,
                            }
                        }
                        None if list_deps.0.iter().any(|d| related(d, p)) => whole = true,
                        _ => {
                            // Names the body sees under the item and index names are shadowed.
                            if p.first().is_some_and(|r| *r != f.item && *r != f.index) {
                                outer.push(p.clone());
                            }
                        }
                    }
                }
            }
        }
        let outer_matters =
            !outer.is_empty() && f.body.iter().any(|n| n.sub.touches(&Changes::Paths(outer.clone())));
        if whole {
            let item_changes = match changes {
                Changes::All => Changes::All,
                Changes::Paths(_) => {
                    let mut paths = vec![vec![f.item.clone()], vec![f.index.clone()]];
                    paths.extend(outer);
                    Changes::Paths(paths)
                }
            };
            self.reconcile(f, items, &list, scope, &item_changes, parent, next);
            return;
        }
        // Only some items (or everything, for a change outside the list the body reads).
        let mut anchor = next;
        for i in (0..items.len()).rev() {
            let mut paths = per_item.remove(&i).unwrap_or_default();
            if outer_matters {
                paths.extend(outer.iter().cloned());
            }
            if !paths.is_empty()
                && let Some(value) = array_item(&list, i)
            {
                let item_changes = Changes::Paths(paths);
                self.update_item(
                    f,
                    &mut items[i],
                    value,
                    Val::Num(i as f64),
                    scope,
                    &item_changes,
                    parent,
                    anchor,
                );
            }
            anchor = items[i].children.iter().find_map(first_node).or(anchor);
        }
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
        item_changes: &Changes,
        parent: NodeId,
        next: Option<NodeId>,
    ) {
        let new: Vec<(Val<'a>, Val<'a>)> = list_items(list);
        let new_keys: Vec<Option<String>> = new.iter().map(|(v, _)| key_of(&f.key, v)).collect();

        fn unique<'k>(keys: impl Iterator<Item = Option<&'k String>>) -> bool {
            let mut seen = HashSet::new();
            let mut keys = keys;
            keys.all(|k| k.is_some_and(|k| seen.insert(k)))
        }
        let keyed = f.key != Key::None
            && unique(new_keys.iter().map(Option::as_ref))
            && unique(items.iter().map(|i| i.key.as_ref()));

        if !keyed {
            // By position: update the common items, then add or drop the tail.
            let common = items.len().min(new.len());
            for old in items.drain(common..).collect::<Vec<_>>() {
                self.remove_all(&old.children);
            }
            let mut tail = Vec::new();
            for (value, index) in new[common..].iter().cloned() {
                tail.push(self.render_item(f, value, index, scope, parent, next));
            }
            let mut anchor = tail.iter().find_map(|i| i.children.iter().find_map(first_node)).or(next);
            for i in (0..common).rev() {
                let (value, index) = new[i].clone();
                items[i].key = new_keys[i].clone();
                self.update_item(f, &mut items[i], value, index, scope, item_changes, parent, anchor);
                anchor = items[i].children.iter().find_map(first_node).or(anchor);
            }
            items.extend(tail);
            return;
        }

        let old_index: HashMap<&str, usize> =
            items.iter().enumerate().filter_map(|(i, it)| it.key.as_deref().map(|k| (k, i))).collect();
        let sources: Vec<Option<usize>> =
            new_keys.iter().map(|k| k.as_deref().and_then(|k| old_index.get(k).copied())).collect();
        let kept: HashSet<usize> = sources.iter().flatten().copied().collect();
        let mut old: Vec<Option<Item>> = std::mem::take(items).into_iter().map(Some).collect();
        for (i, slot) in old.iter_mut().enumerate() {
            if !kept.contains(&i)
                && let Some(gone) = slot.take()
            {
                self.remove_all(&gone.children);
            }
        }
        // Items whose old positions form a longest increasing run stay; the rest move.
        let reused: Vec<usize> = sources.iter().enumerate().filter_map(|(j, s)| s.map(|_| j)).collect();
        let old_positions: Vec<usize> = reused.iter().map(|&j| sources[j].expect("reused")).collect();
        let stay: HashSet<usize> =
            longest_increasing(&old_positions).into_iter().map(|k| reused[k]).collect();

        let mut result: Vec<Option<Item>> = (0..new.len()).map(|_| None).collect();
        let mut anchor = next;
        for j in (0..new.len()).rev() {
            let (value, index) = new[j].clone();
            let item = match sources[j] {
                None => self.render_item(f, value, index, scope, parent, anchor),
                Some(o) => {
                    let mut item = old[o].take().expect("each old item is reused once");
                    if !stay.contains(&j) {
                        self.move_all(&item.children, parent, anchor);
                    }
                    self.update_item(f, &mut item, value, index, scope, item_changes, parent, anchor);
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
