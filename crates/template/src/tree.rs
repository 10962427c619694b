//! The virtual tree of a rendered page and the patches that change it.
//!
//! Node ids are per page, from a counter, never reused; a node that survives an update keeps
//! its id. Siblings are linked, so inserting, moving and removing are O(1) whatever the list
//! length. Views keep a mirror of this tree by applying [`Patch`]es, or start from a
//! [`Patch::Snapshot`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::value::{Val, json_weight};

pub type NodeId = u32;

/// The tag of a custom component's shadow root: the first child of the component's element,
/// holding what the component's own template renders. Views attach it as a real shadow root.
pub const SHADOW_ROOT: &str = "#shadow-root";

/// An event listener on an element, as the view needs it to dispatch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    pub event: String,
    pub handler: String,
    /// `capture-bind` / `capture-catch`: runs in the capture phase.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub capture: bool,
    /// `catch`: stops the event from going further.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub catch: bool,
    /// `mut-bind`: mutually exclusive with other `mut-bind` handlers on the path.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mutated: bool,
}

impl Listener {
    /// The attribute name it was written with, in its canonical form (`bind:tap`).
    pub fn attr_name(&self) -> String {
        let prefix = match (self.capture, self.catch, self.mutated) {
            (true, true, _) => "capture-catch",
            (true, false, _) => "capture-bind",
            (false, _, true) => "mut-bind",
            (false, true, false) => "catch",
            (false, false, false) => "bind",
        };
        format!("{prefix}:{}", self.event)
    }
}

pub type Attrs = Vec<(Arc<str>, Value)>;

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Element { tag: Arc<str>, attrs: Attrs, listeners: Vec<Listener> },
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub parent: Option<NodeId>,
    first_child: Option<NodeId>,
    last_child: Option<NodeId>,
    prev: Option<NodeId>,
    next: Option<NodeId>,
}

impl Node {
    fn new(kind: NodeKind) -> Node {
        Node { kind, parent: None, first_child: None, last_child: None, prev: None, next: None }
    }

    /// The bytes this node holds, as [`weigh`] counts them.
    pub fn weight(&self) -> usize {
        weigh(&self.kind)
    }
}

/// The bytes a node holds, as the page's byte budget counts them: a text node's text; an
/// element's tag, attribute names and values (a value weighed as its JSON text, escapes
/// aside, see [`json_weight`]), and listeners' event and handler names.
#[inline]
pub fn weigh(kind: &NodeKind) -> usize {
    match kind {
        NodeKind::Text(t) => t.len(),
        NodeKind::Element { tag, attrs, listeners } => {
            tag.len()
                + attrs.iter().map(|(n, v)| weigh_attr(n, v)).sum::<usize>()
                + weigh_listeners(listeners)
        }
    }
}

/// The bytes one attribute holds: its name and its value as JSON text.
#[inline]
pub fn weigh_attr(name: &str, value: &Value) -> usize {
    name.len() + json_weight(value)
}

/// The bytes an element's listeners hold: their event and handler names.
#[inline]
pub fn weigh_listeners(listeners: &[Listener]) -> usize {
    listeners.iter().map(|l| l.event.len() + l.handler.len()).sum()
}

/// One change to a page's tree. Views apply them in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Patch {
    /// A new element, not yet in the tree.
    Create {
        id: NodeId,
        tag: Arc<str>,
        attrs: Attrs,
        listeners: Vec<Listener>,
    },
    /// A new text node, not yet in the tree.
    CreateText {
        id: NodeId,
        text: String,
    },
    /// Puts a created node under `parent`, before `before` (at the end when `None`).
    Insert {
        id: NodeId,
        parent: NodeId,
        before: Option<NodeId>,
    },
    /// Moves a node already in the tree.
    Move {
        id: NodeId,
        parent: NodeId,
        before: Option<NodeId>,
    },
    /// Removes a node and everything under it.
    Remove {
        id: NodeId,
    },
    /// Sets an attribute; `None` removes it.
    SetAttr {
        id: NodeId,
        name: Arc<str>,
        value: Option<Value>,
    },
    SetText {
        id: NodeId,
        text: String,
    },
    SetListeners {
        id: NodeId,
        listeners: Vec<Listener>,
    },
    /// The whole tree, for a view that connects late or reconnects.
    Snapshot {
        tree: SnapshotNode,
    },
}

/// Whether a snapshot is one a sound instance sends: an element at its root, ids made once,
/// text nodes without children, at most `max_nodes` nodes and no deeper than a page may be
/// (walked without recursing, so a forged one cannot exhaust the stack).
fn check_snapshot(root: &SnapshotNode, max_nodes: usize) -> Result<(), String> {
    if root.text.is_some() {
        return Err("a snapshot's root is text".into());
    }
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![(root, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        if depth > crate::render::MAX_PAGE_DEPTH + 2 {
            return Err(format!("a snapshot deeper than {} levels", crate::render::MAX_PAGE_DEPTH));
        }
        if !seen.insert(node.id) || node.id == 0 {
            return Err(format!("node {} is in the snapshot twice", node.id));
        }
        if seen.len() > max_nodes {
            return Err(format!("more than {max_nodes} nodes"));
        }
        if node.text.is_some() && (!node.children.is_empty() || node.tag.is_some()) {
            return Err(format!("text node {} has children or a tag", node.id));
        }
        stack.extend(node.children.iter().map(|c| (c, depth + 1)));
    }
    Ok(())
}

/// A node and its subtree, for [`Patch::Snapshot`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotNode {
    pub id: NodeId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listeners: Vec<Listener>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<SnapshotNode>,
}

/// Ids are small sequential numbers: a multiplicative hash spreads them well and costs
/// nothing next to SipHash.
#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type NodeMap = HashMap<NodeId, Node, BuildHasherDefault<IdHasher>>;

/// A page's rendered tree. The root is an element `page` holding the page's content.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    nodes: NodeMap,
    root: NodeId,
    next_id: NodeId,
    /// The sum of its nodes' weights (see [`weigh`]), kept as they change.
    bytes: usize,
}

impl Default for Tree {
    fn default() -> Tree {
        Tree::new()
    }
}

impl Tree {
    pub fn new() -> Tree {
        let mut tree = Tree { nodes: NodeMap::default(), root: 1, next_id: 1, bytes: 0 };
        tree.root = tree.create(NodeKind::Element {
            tag: Arc::from("page"),
            attrs: Vec::new(),
            listeners: Vec::new(),
        });
        tree
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    /// The bytes its nodes hold (text, tags, attribute names and values, listeners), as
    /// [`weigh`] counts them: kept up to date as nodes are made, changed and removed, so
    /// asking costs nothing.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn get(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id)
    }

    pub fn is_shadow_root(&self, id: NodeId) -> bool {
        matches!(self.nodes.get(&id).map(|n| &n.kind), Some(NodeKind::Element { tag, .. }) if &**tag == SHADOW_ROOT)
    }

    /// The component whose template made `id`: the host of the nearest shadow root above it,
    /// or `None` for the page's own nodes (slot content belongs to whoever wrote it).
    pub fn owner_of(&self, id: NodeId) -> Option<NodeId> {
        let mut cur = self.nodes.get(&id)?.parent;
        while let Some(p) = cur {
            let node = self.nodes.get(&p)?;
            if self.is_shadow_root(p) {
                return node.parent;
            }
            cur = node.parent;
        }
        None
    }

    /// A new node, not yet attached. Its id was never used before in this tree.
    pub fn create(&mut self, kind: NodeKind) -> NodeId {
        let weight = weigh(&kind);
        self.create_weighed(kind, weight)
    }

    /// [`Tree::create`] for a caller that weighed `kind` already (to check a budget first).
    pub(crate) fn create_weighed(&mut self, kind: NodeKind, weight: usize) -> NodeId {
        debug_assert_eq!(weight, weigh(&kind));
        let id = self.next_id;
        self.next_id += 1;
        self.bytes += weight;
        self.nodes.insert(id, Node::new(kind));
        id
    }

    /// Creates a node with a given id (views mirroring a tree use the ids they are sent).
    fn create_with_id(&mut self, id: NodeId, kind: NodeKind) {
        self.next_id = self.next_id.max(id + 1);
        self.bytes += weigh(&kind);
        if let Some(old) = self.nodes.insert(id, Node::new(kind)) {
            self.bytes -= weigh(&old.kind);
        }
    }

    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children { tree: self, next: self.nodes.get(&id).and_then(|n| n.first_child) }
    }

    pub fn next_sibling(&self, id: NodeId) -> Option<NodeId> {
        self.nodes.get(&id).and_then(|n| n.next)
    }

    /// Attaches `id` under `parent`, before `before` (or last).
    pub fn insert(&mut self, id: NodeId, parent: NodeId, before: Option<NodeId>) {
        self.detach(id);
        let prev = match before {
            Some(b) => self.nodes.get(&b).and_then(|n| n.prev),
            None => self.nodes.get(&parent).and_then(|n| n.last_child),
        };
        if let Some(node) = self.nodes.get_mut(&id) {
            node.parent = Some(parent);
            node.prev = prev;
            node.next = before;
        }
        match prev {
            Some(p) => self.node_mut(p).next = Some(id),
            None => self.node_mut(parent).first_child = Some(id),
        }
        match before {
            Some(b) => self.node_mut(b).prev = Some(id),
            None => self.node_mut(parent).last_child = Some(id),
        }
    }

    fn node_mut(&mut self, id: NodeId) -> &mut Node {
        self.nodes.get_mut(&id).expect("linked nodes exist")
    }

    /// Takes `id` out of its parent's children, keeping it and its subtree.
    pub fn detach(&mut self, id: NodeId) {
        let Some(node) = self.nodes.get(&id) else { return };
        let (parent, prev, next) = (node.parent, node.prev, node.next);
        let Some(parent) = parent else { return };
        match prev {
            Some(p) => self.node_mut(p).next = next,
            None => self.node_mut(parent).first_child = next,
        }
        match next {
            Some(n) => self.node_mut(n).prev = prev,
            None => self.node_mut(parent).last_child = prev,
        }
        let node = self.node_mut(id);
        node.parent = None;
        node.prev = None;
        node.next = None;
    }

    /// Detaches `id` and drops it with everything under it.
    pub fn remove(&mut self, id: NodeId) {
        self.detach(id);
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            if let Some(node) = self.nodes.remove(&n) {
                self.bytes -= weigh(&node.kind);
                let mut child = node.first_child;
                while let Some(c) = child {
                    child = self.nodes.get(&c).and_then(|x| x.next);
                    stack.push(c);
                }
            }
        }
    }

    pub fn attr(&self, id: NodeId, name: &str) -> Option<&Value> {
        match &self.nodes.get(&id)?.kind {
            NodeKind::Element { attrs, .. } => attrs.iter().find(|(n, _)| &**n == name).map(|(_, v)| v),
            NodeKind::Text(_) => None,
        }
    }

    /// Sets (or with `None` removes) an attribute, keeping the order attributes were first set in.
    pub fn set_attr(&mut self, id: NodeId, name: &Arc<str>, value: Option<Value>) {
        let Some(Node { kind: NodeKind::Element { attrs, .. }, .. }) = self.nodes.get_mut(&id) else {
            return;
        };
        let at = attrs.iter().position(|(n, _)| n == name);
        let (old, new) = match (at, value) {
            (Some(i), Some(v)) => {
                let new = weigh_attr(name, &v);
                (weigh_attr(name, &std::mem::replace(&mut attrs[i].1, v)), new)
            }
            (Some(i), None) => (weigh_attr(name, &attrs.remove(i).1), 0),
            (None, Some(v)) => {
                let new = weigh_attr(name, &v);
                attrs.push((name.clone(), v));
                (0, new)
            }
            (None, None) => (0, 0),
        };
        self.bytes = self.bytes - old + new;
    }

    pub fn set_text(&mut self, id: NodeId, text: String) {
        if let Some(Node { kind: NodeKind::Text(t), .. }) = self.nodes.get_mut(&id) {
            self.bytes = self.bytes - t.len() + text.len();
            *t = text;
        }
    }

    pub fn set_listeners(&mut self, id: NodeId, new: Vec<Listener>) {
        if let Some(Node { kind: NodeKind::Element { listeners, .. }, .. }) = self.nodes.get_mut(&id) {
            let (old, now) = (weigh_listeners(listeners), weigh_listeners(&new));
            self.bytes = self.bytes - old + now;
            *listeners = new;
        }
    }

    /// Applies one patch, as a view does.
    pub fn apply(&mut self, patch: &Patch) {
        match patch {
            Patch::Create { id, tag, attrs, listeners } => self.create_with_id(
                *id,
                NodeKind::Element { tag: tag.clone(), attrs: attrs.clone(), listeners: listeners.clone() },
            ),
            Patch::CreateText { id, text } => self.create_with_id(*id, NodeKind::Text(text.clone())),
            Patch::Insert { id, parent, before } | Patch::Move { id, parent, before } => {
                self.insert(*id, *parent, *before)
            }
            Patch::Remove { id } => self.remove(*id),
            Patch::SetAttr { id, name, value } => self.set_attr(*id, name, value.clone()),
            Patch::SetText { id, text } => self.set_text(*id, text.clone()),
            Patch::SetListeners { id, listeners } => self.set_listeners(*id, listeners.clone()),
            Patch::Snapshot { tree } => {
                *self = Tree { nodes: NodeMap::default(), root: tree.id, next_id: 1, bytes: 0 };
                self.load_snapshot(tree, None);
            }
        }
    }

    /// Applies one patch that came from outside the host's trust (a worker process): a patch
    /// that could not come from a sound instance — a node that is not there or already is,
    /// an element where text is due, a move under its own subtree, a snapshot deeper than a
    /// page may be — is refused with the reason and the tree left as it was; past `max_nodes`
    /// nodes or `max_bytes` of text and attributes it is refused after applying (the tree
    /// goes with its instance).
    pub fn try_apply(&mut self, patch: &Patch, max_nodes: usize, max_bytes: usize) -> Result<(), String> {
        let element = |tree: &Tree, id: NodeId| match tree.nodes.get(&id) {
            Some(Node { kind: NodeKind::Element { .. }, .. }) => Ok(()),
            Some(_) => Err(format!("node {id} is text, not an element")),
            None => Err(format!("no node {id}")),
        };
        match patch {
            Patch::Create { id, .. } | Patch::CreateText { id, .. } => {
                if self.nodes.contains_key(id) || *id == 0 {
                    return Err(format!("node {id} is made twice"));
                }
                if self.nodes.len() >= max_nodes {
                    return Err(format!("more than {max_nodes} nodes"));
                }
            }
            Patch::Insert { id, parent, before } | Patch::Move { id, parent, before } => {
                if !self.nodes.contains_key(id) || *id == self.root {
                    return Err(format!("node {id} cannot be placed"));
                }
                element(self, *parent)?;
                // Not under itself: the parent's ancestors do not include it.
                let mut up = Some(*parent);
                while let Some(a) = up {
                    if a == *id {
                        return Err(format!("node {id} would be placed inside itself"));
                    }
                    up = self.nodes.get(&a).and_then(|n| n.parent);
                }
                if let Some(b) = before
                    && (*b == *id || self.nodes.get(b).and_then(|n| n.parent) != Some(*parent))
                {
                    return Err(format!("node {b} is not a child of {parent}"));
                }
            }
            Patch::Remove { id } => {
                if !self.nodes.contains_key(id) || *id == self.root {
                    return Err(format!("node {id} cannot be removed"));
                }
            }
            Patch::SetAttr { id, .. } | Patch::SetListeners { id, .. } => element(self, *id)?,
            Patch::SetText { id, .. } => match self.nodes.get(id) {
                Some(Node { kind: NodeKind::Text(_), .. }) => {}
                _ => return Err(format!("no text node {id}")),
            },
            Patch::Snapshot { tree } => check_snapshot(tree, max_nodes)?,
        }
        self.apply(patch);
        if self.bytes > max_bytes {
            return Err(format!("more than {max_bytes} bytes of text and attributes"));
        }
        Ok(())
    }

    fn load_snapshot(&mut self, node: &SnapshotNode, parent: Option<NodeId>) {
        let kind = match &node.text {
            Some(t) => NodeKind::Text(t.clone()),
            None => NodeKind::Element {
                tag: node.tag.clone().unwrap_or_else(|| Arc::from("view")),
                attrs: node.attrs.clone(),
                listeners: node.listeners.clone(),
            },
        };
        self.create_with_id(node.id, kind);
        if let Some(p) = parent {
            self.insert(node.id, p, None);
        }
        for child in &node.children {
            self.load_snapshot(child, Some(node.id));
        }
    }

    /// The whole tree as one patch.
    pub fn snapshot(&self) -> Patch {
        Patch::Snapshot { tree: self.snapshot_node(self.root) }
    }

    fn snapshot_node(&self, id: NodeId) -> SnapshotNode {
        let node = &self.nodes[&id];
        let children = self.children(id).map(|c| self.snapshot_node(c)).collect();
        match &node.kind {
            NodeKind::Element { tag, attrs, listeners } => SnapshotNode {
                id,
                tag: Some(tag.clone()),
                text: None,
                attrs: attrs.clone(),
                listeners: listeners.clone(),
                children,
            },
            NodeKind::Text(t) => SnapshotNode {
                id,
                tag: None,
                text: Some(t.clone()),
                attrs: Vec::new(),
                listeners: Vec::new(),
                children: Vec::new(),
            },
        }
    }

    /// The page's content as HTML: elements with their WXML tags and attributes, listeners
    /// in their `bind:tap` form, text escaped, nothing added between nodes.
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        for c in self.children(self.root) {
            self.write_html(c, &mut out);
        }
        out
    }

    fn write_html(&self, id: NodeId, out: &mut String) {
        match &self.nodes[&id].kind {
            NodeKind::Text(t) => escape_into(t, false, out),
            NodeKind::Element { tag, .. } if &**tag == SHADOW_ROOT => {
                out.push_str("<template shadowrootmode=\"open\">");
                for c in self.children(id) {
                    self.write_html(c, out);
                }
                out.push_str("</template>");
            }
            NodeKind::Element { tag, attrs, listeners } => {
                out.push('<');
                out.push_str(tag);
                for (name, value) in attrs {
                    if value.is_null() {
                        continue;
                    }
                    out.push(' ');
                    out.push_str(name);
                    out.push_str("=\"");
                    let text = match value {
                        Value::String(s) => s.clone(),
                        Value::Array(_) | Value::Object(_) => value.to_string(),
                        other => Val::of(other).to_display().into_owned(),
                    };
                    escape_into(&text, true, out);
                    out.push('"');
                }
                for l in listeners {
                    out.push(' ');
                    out.push_str(&l.attr_name());
                    out.push_str("=\"");
                    escape_into(&l.handler, true, out);
                    out.push('"');
                }
                out.push('>');
                for c in self.children(id) {
                    self.write_html(c, out);
                }
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
            }
        }
    }

    /// The tree without ids, for comparing two trees by what they show.
    pub fn shape(&self) -> Value {
        self.shape_of(self.root)
    }

    fn shape_of(&self, id: NodeId) -> Value {
        match &self.nodes[&id].kind {
            NodeKind::Text(t) => Value::String(t.clone()),
            NodeKind::Element { tag, attrs, listeners } => serde_json::json!({
                "tag": &**tag,
                "attrs": attrs.iter().map(|(n, v)| serde_json::json!([&**n, v])).collect::<Vec<_>>(),
                "listeners": listeners,
                "children": self.children(id).map(|c| self.shape_of(c)).collect::<Vec<_>>(),
            }),
        }
    }
}

pub struct Children<'t> {
    tree: &'t Tree,
    next: Option<NodeId>,
}

impl Iterator for Children<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let id = self.next?;
        self.next = self.tree.nodes.get(&id).and_then(|n| n.next);
        Some(id)
    }
}

fn escape_into(text: &str, attr: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// The `dataset` key of a `data-*` attribute, by the platform's rule: the name is lowercased,
/// then each `-` followed by a letter becomes that letter in upper case.
///
/// ```
/// use capsule_template::tree::dataset_key;
/// assert_eq!(dataset_key("data-user-id").as_deref(), Some("userId"));
/// assert_eq!(dataset_key("data-userId").as_deref(), Some("userid"));
/// assert_eq!(dataset_key("data-a--b").as_deref(), Some("a-B"));
/// assert_eq!(dataset_key("class"), None);
/// ```
pub fn dataset_key(attr: &str) -> Option<String> {
    let name = attr.strip_prefix("data-")?.to_lowercase();
    let mut out = String::new();
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '-'
            && let Some(&n) = chars.peek()
            && n.is_ascii_lowercase()
        {
            out.push(n.to_ascii_uppercase());
            chars.next();
            continue;
        }
        out.push(c);
    }
    Some(out)
}

impl Tree {
    /// The `dataset` of an element: its `data-*` attributes by their camelCase keys.
    pub fn dataset(&self, id: NodeId) -> serde_json::Map<String, Value> {
        self.attrs_with(id, dataset_key)
    }

    /// The `mark` of an element: its `mark:*` attributes.
    pub fn marks(&self, id: NodeId) -> serde_json::Map<String, Value> {
        self.attrs_with(id, |name| name.strip_prefix("mark:").map(str::to_string))
    }

    fn attrs_with(&self, id: NodeId, key: impl Fn(&str) -> Option<String>) -> serde_json::Map<String, Value> {
        let mut out = serde_json::Map::new();
        if let Some(Node { kind: NodeKind::Element { attrs, .. }, .. }) = self.nodes.get(&id) {
            for (name, value) in attrs {
                if let Some(k) = key(name) {
                    out.insert(k, value.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn element(tree: &mut Tree, tag: &str) -> NodeId {
        tree.create(NodeKind::Element { tag: Arc::from(tag), attrs: Vec::new(), listeners: Vec::new() })
    }

    #[test]
    fn patches_no_sound_instance_sends_are_refused_and_change_nothing() {
        let mut t = Tree::new();
        let root = t.root();
        let a = element(&mut t, "a");
        t.insert(a, root, None);
        let b = element(&mut t, "b");
        t.insert(b, a, None);
        let text = t.create(NodeKind::Text("x".into()));
        t.insert(text, b, None);
        let before = t.clone();
        let forged = [
            (Patch::Move { id: a, parent: b, before: None }, "inside itself"),
            (Patch::Move { id: a, parent: a, before: None }, "inside itself"),
            (Patch::Insert { id: a, parent: 999, before: None }, "no node 999"),
            (Patch::Insert { id: b, parent: text, before: None }, "is text"),
            (Patch::Insert { id: b, parent: root, before: Some(text) }, "not a child"),
            (Patch::Move { id: root, parent: a, before: None }, "cannot be placed"),
            (Patch::Remove { id: root }, "cannot be removed"),
            (Patch::Remove { id: 999 }, "cannot be removed"),
            (Patch::CreateText { id: a, text: "y".into() }, "made twice"),
            (Patch::SetText { id: a, text: "y".into() }, "no text node"),
            (Patch::SetAttr { id: text, name: Arc::from("k"), value: None }, "is text"),
        ];
        for (patch, reason) in forged {
            let e = t.try_apply(&patch, 1000, 1 << 20).expect_err(&format!("{patch:?}"));
            assert!(e.contains(reason), "{patch:?}: {e}");
            assert_eq!(t, before, "{patch:?}");
        }
        // Past the node budget.
        let e = t.try_apply(&Patch::CreateText { id: 50, text: "z".into() }, t.len(), 1 << 20).unwrap_err();
        assert!(e.contains("more than"), "{e}");
        // A snapshot deeper than a page may be is refused.
        let node = |id: NodeId, children: Vec<SnapshotNode>| SnapshotNode {
            id,
            tag: Some(Arc::from("view")),
            text: None,
            attrs: Vec::new(),
            listeners: Vec::new(),
            children,
        };
        let mut deep = node(1, Vec::new());
        for id in 2..(crate::render::MAX_PAGE_DEPTH as NodeId + 10) {
            deep = node(id, vec![deep]);
        }
        let e = t.try_apply(&Patch::Snapshot { tree: deep }, usize::MAX, usize::MAX).unwrap_err();
        assert!(e.contains("deeper than"), "{e}");
        let twice = node(1, vec![node(2, Vec::new()), node(2, Vec::new())]);
        let e = t.try_apply(&Patch::Snapshot { tree: twice }, usize::MAX, usize::MAX).unwrap_err();
        assert!(e.contains("twice"), "{e}");
        assert_eq!(t, before);
        // What a sound instance sends goes through.
        t.try_apply(&Patch::Move { id: b, parent: root, before: Some(a) }, 1000, 1 << 20).unwrap();
        t.try_apply(&Patch::SetText { id: text, text: "y".into() }, 1000, 1 << 20).unwrap();
    }

    #[test]
    fn linked_children_insert_move_remove() {
        let mut t = Tree::new();
        let root = t.root();
        let a = element(&mut t, "a");
        let b = element(&mut t, "b");
        let c = element(&mut t, "c");
        t.insert(a, root, None);
        t.insert(c, root, None);
        t.insert(b, root, Some(c));
        assert_eq!(t.to_html(), "<a></a><b></b><c></c>");
        t.insert(c, root, Some(a));
        assert_eq!(t.to_html(), "<c></c><a></a><b></b>");
        let x = t.create(NodeKind::Text("x<y".into()));
        t.insert(x, a, None);
        t.remove(a);
        assert_eq!(t.to_html(), "<c></c><b></b>");
        assert!(t.get(x).is_none(), "the subtree goes too");
        assert_eq!(t.len(), 3);
        let d = element(&mut t, "d");
        assert!(d > x, "ids are never reused");
    }

    #[test]
    fn html_escapes_and_shows_listeners() {
        let mut t = Tree::new();
        let root = t.root();
        let v = t.create(NodeKind::Element {
            tag: Arc::from("view"),
            attrs: vec![
                (Arc::from("title"), Value::from("a\"b")),
                (Arc::from("n"), Value::from(1.5)),
                (Arc::from("gone"), Value::Null),
            ],
            listeners: vec![Listener {
                event: "tap".into(),
                handler: "go".into(),
                capture: false,
                catch: true,
                mutated: false,
            }],
        });
        t.insert(v, root, None);
        let x = t.create(NodeKind::Text("1 < 2 & 3".into()));
        t.insert(x, v, None);
        assert_eq!(t.to_html(), r#"<view title="a&quot;b" n="1.5" catch:tap="go">1 &lt; 2 &amp; 3</view>"#);
    }

    #[test]
    fn snapshots_round_trip_through_json() {
        let mut t = Tree::new();
        let root = t.root();
        let v = element(&mut t, "view");
        t.insert(v, root, None);
        let x = t.create(NodeKind::Text("hi".into()));
        t.insert(x, v, None);
        let json = serde_json::to_string(&t.snapshot()).unwrap();
        let patch: Patch = serde_json::from_str(&json).unwrap();
        let mut mirror = Tree::new();
        mirror.apply(&patch);
        assert_eq!(mirror, t);
    }

    #[test]
    fn patches_serialise_as_small_tagged_json() {
        let p = Patch::Insert { id: 5, parent: 1, before: None };
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"op":"insert","id":5,"parent":1,"before":null}"#);
        let p = Patch::SetAttr { id: 5, name: Arc::from("class"), value: Some(Value::from("on")) };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"op":"setAttr","id":5,"name":"class","value":"on"}"#
        );
    }
}
