//! Answers to the host's [`Query`]s (the top page's HTML and data, the stack, an expression
//! evaluated in a page, an element found by selector, the instance's metrics), and the
//! simple selectors they and `selectComponent` match.

use std::time::{Duration, Instant};

use capsule_js::{Arg, Outcome};
use capsule_template::tree::{NodeId, NodeKind, Tree};
use serde_json::{Value, json};

use super::Instance;
use crate::message::Query;

impl Instance {
    pub(super) fn answer(&mut self, query: &Query) -> Value {
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
                       "setDataLastBytes": last, "setDataMaxBytes": max, "nodes": nodes,
                       "frameworkParts": self.engine.parts_loaded(),
                       "cpuTotalMs": self.engine.cpu_total().as_secs_f64() * 1000.0,
                       "usage": self.shared.usage.borrow().figures()});
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

/// Whether element `id` matches a simple selector: `#id`, `.class` or a tag name.
pub(super) fn matches(tree: &Tree, id: NodeId, selector: &str) -> bool {
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
