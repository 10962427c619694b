//! Which listeners an event reaches, in order, as the platform propagates it: capture
//! listeners from the root down, then bubbling ones from the target up, across custom
//! components' boundaries or not.
//!
//! Every node belongs to the template that wrote it (its *owner*: the page, or a component),
//! and so does every listener on it. A listener sees the event's target *retargeted* into its
//! owner's template: a tap inside a component is, to the page, a tap on the component.

use capsule_template::tree::{NodeId, NodeKind, Tree};
use serde_json::{Map, Value, json};

/// Events that bubble, as the platform lists them; every other event stays on its target.
const BUBBLING: &[&str] = &[
    "touchstart",
    "touchmove",
    "touchcancel",
    "touchend",
    "tap",
    "longpress",
    "longtap",
    "transitionend",
    "animationstart",
    "animationiteration",
    "animationend",
    "touchforcechange",
];

/// How an event travels.
#[derive(Clone, Copy, Debug)]
pub struct Propagation {
    pub bubbles: bool,
    /// Crosses component boundaries (a component's listeners outside it see it).
    pub composed: bool,
    /// Capture listeners run.
    pub capture: bool,
}

impl Propagation {
    /// An event from the view (`tap`, `input`, …): the platform's built-in events cross
    /// boundaries; the touch family bubbles.
    pub fn native(event: &str) -> Propagation {
        let bubbles = BUBBLING.contains(&event);
        Propagation { bubbles, composed: true, capture: true }
    }
}

pub struct HandlerCall {
    /// The component whose template wrote the listener (its host), or `None`: the page.
    pub owner: Option<NodeId>,
    pub handler: String,
    pub current_target: Value,
    pub target: Value,
}

pub struct Plan {
    pub mark: Value,
    pub calls: Vec<HandlerCall>,
}

/// `{id, dataset}` of an element, as events describe targets.
pub fn element_target(tree: &Tree, id: NodeId) -> Value {
    let element_id = tree.attr(id, "id").map(|v| match v {
        Value::String(s) => s.clone(),
        other => capsule_template::value::Val::of(other).to_display().into_owned(),
    });
    json!({"id": element_id.unwrap_or_default(), "dataset": tree.dataset(id)})
}

/// The listeners an event on `node` reaches, in order.
pub fn dispatch_plan(tree: &Tree, node: NodeId, event: &str, how: Propagation) -> Option<Plan> {
    tree.get(node)?;
    // The path up to the root, and each node's owner (worked out from the root down).
    let mut path = vec![node];
    let mut cur = tree.get(node).and_then(|n| n.parent);
    while let Some(p) = cur {
        path.push(p);
        cur = tree.get(p).and_then(|n| n.parent);
    }
    let mut owners = vec![None; path.len()];
    let mut owner = None;
    for i in (0..path.len()).rev() {
        if tree.is_shadow_root(path[i]) {
            owner = path.get(i + 1).copied();
        }
        owners[i] = owner;
    }
    // Shadow roots are not elements anyone listens on; an event that is not composed stays
    // in its target's template.
    let reach: Vec<usize> = (0..path.len())
        .filter(|&i| !tree.is_shadow_root(path[i]))
        .filter(|&i| how.composed || owners[i] == owners[0])
        .collect();
    let mut mark = Map::new();
    for &i in reach.iter().rev() {
        mark.extend(tree.marks(path[i]));
    }
    let retarget = |owner: Option<NodeId>| -> NodeId {
        (0..path.len())
            .find(|&i| owners[i] == owner && !tree.is_shadow_root(path[i]))
            .map_or(node, |i| path[i])
    };
    let listeners = |id: NodeId| match tree.get(id).map(|n| &n.kind) {
        Some(NodeKind::Element { listeners, .. }) => listeners.clone(),
        _ => Vec::new(),
    };
    let along: Vec<usize> = if how.bubbles { reach.clone() } else { vec![0] };
    let capture_path: Vec<usize> =
        if how.capture { along.iter().rev().copied().collect() } else { Vec::new() };
    let mut calls = Vec::new();
    let mut mutated_done = false;
    let mut stopped = false;
    for (phase_capture, nodes) in [(true, capture_path), (false, along)] {
        for i in nodes {
            if stopped {
                break;
            }
            let id = path[i];
            for l in listeners(id).into_iter().filter(|l| l.event == event && l.capture == phase_capture) {
                if l.mutated && mutated_done {
                    continue;
                }
                mutated_done |= l.mutated;
                calls.push(HandlerCall {
                    owner: owners[i],
                    handler: l.handler.clone(),
                    current_target: element_target(tree, id),
                    target: element_target(tree, retarget(owners[i])),
                });
                if l.catch {
                    stopped = true;
                }
            }
        }
    }
    Some(Plan { mark: Value::Object(mark), calls })
}
