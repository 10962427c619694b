//! Which listeners an event reaches, in order, as the platform propagates it: capture
//! listeners from the root down, then bubbling ones from the target up, across custom
//! components' boundaries or not.
//!
//! Every node belongs to the template that wrote it (its *owner*: the page, or a component),
//! and so does every listener on it. A listener sees the event's target *retargeted* into its
//! owner's template: a tap inside a component is, to the page, a tap on the component.

use capsule_template::tree::{NodeId, NodeKind, Tree};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// One finger on the screen, as the platform's touch events list it. Coordinates are CSS
/// pixels: `page*` from the page's top-left (scrolled content included), `client*` from the
/// visible area's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Touch {
    pub identifier: i64,
    pub page_x: f64,
    pub page_y: f64,
    pub client_x: f64,
    pub client_y: f64,
    /// Pressure, 0 to 1; a mouse presses with 1 while its button is down.
    #[serde(default)]
    pub force: f64,
}

/// What only the view knows about an event: the fingers down (`touches`), those this event is
/// about (`changed_touches`), and where the elements on the target's path sit on the page
/// (`offsets`), for `target` / `currentTarget`. Headless
/// drivers leave what they do not know empty, and offsets read 0.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pointer {
    #[serde(default)]
    pub touches: Vec<Touch>,
    #[serde(default)]
    pub changed_touches: Vec<Touch>,
    #[serde(default)]
    pub offsets: Vec<Offset>,
}

/// Where a node's element sits on the page: its `offsetLeft` and `offsetTop`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Offset {
    pub node: NodeId,
    pub left: f64,
    pub top: f64,
}

impl Pointer {
    /// A single finger at page point (`x`, `y`) of an unscrolled page, as `exec` touches.
    pub fn finger(x: f64, y: f64) -> Pointer {
        let touch = Touch { identifier: 0, page_x: x, page_y: y, client_x: x, client_y: y, force: 1.0 };
        Pointer { touches: vec![touch.clone()], changed_touches: vec![touch], offsets: Vec::new() }
    }

    /// Bytes it holds, roughly, as queued inputs are weighed.
    pub fn weight(&self) -> usize {
        (self.touches.len() + self.changed_touches.len()) * std::mem::size_of::<Touch>()
            + self.offsets.len() * std::mem::size_of::<Offset>()
    }
}

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
    /// The nodes `current_target` and `target` describe.
    pub current_target_node: NodeId,
    pub target_node: NodeId,
}

pub struct Plan {
    pub mark: Value,
    pub calls: Vec<HandlerCall>,
}

/// `{id, offsetLeft, offsetTop, dataset}` of an element, as events describe targets; the
/// offsets are 0 until the view's [`Pointer`] gives them ([`view_event`]).
pub fn element_target(tree: &Tree, id: NodeId) -> Value {
    let element_id = tree.attr(id, "id").map(|v| match v {
        Value::String(s) => s.clone(),
        other => capsule_template::value::Val::of(other).to_display().into_owned(),
    });
    json!({"id": element_id.unwrap_or_default(), "offsetLeft": 0, "offsetTop": 0, "dataset": tree.dataset(id)})
}

/// The event object a handler receives for an event from the view, as the platform builds
/// it: `touches` / `changedTouches` for the touch family and for `tap` / `longpress`, and the
/// targets placed where the view saw them.
pub fn view_event(
    event: &str,
    time_stamp: u64,
    call: HandlerCall,
    mark: &Value,
    detail: &Value,
    pointer: &Pointer,
) -> Value {
    let place = |mut target: Value, node: NodeId| {
        let offset = pointer.offsets.iter().find(|o| o.node == node);
        if let (Some(offset), Some(fields)) = (offset, target.as_object_mut()) {
            fields.insert("offsetLeft".into(), json!(offset.left));
            fields.insert("offsetTop".into(), json!(offset.top));
        }
        target
    };
    json!({
        "type": event,
        "timeStamp": time_stamp,
        "target": place(call.target, call.target_node),
        "currentTarget": place(call.current_target, call.current_target_node),
        "detail": detail,
        "touches": pointer.touches,
        "changedTouches": pointer.changed_touches,
        "mark": mark,
    })
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
                let target = retarget(owners[i]);
                calls.push(HandlerCall {
                    owner: owners[i],
                    handler: l.handler.clone(),
                    current_target: element_target(tree, id),
                    target: element_target(tree, target),
                    current_target_node: id,
                    target_node: target,
                });
                if l.catch {
                    stopped = true;
                }
            }
        }
    }
    Some(Plan { mark: Value::Object(mark), calls })
}
