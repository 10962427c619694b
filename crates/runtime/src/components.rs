//! Custom components as the runtime keeps them: each has an id (from the counter pages use,
//! since the script addresses both by id), its own data, and its host node in its page's
//! tree. The renderer reports what happened to components; [`announce`] turns that into the
//! JSON the framework acts on (create the instance and mount it, pass new properties, detach).

use std::cell::Cell;
use std::collections::HashMap;

use capsule_template::Program;
use capsule_template::ir::FileId;
use capsule_template::render::ComponentChange;
use capsule_template::tree::NodeId;
use serde_json::{Value, json};

use crate::instance::PageState;

pub(crate) struct ComponentState {
    pub page: u32,
    pub host: NodeId,
    pub data: Value,
    /// The template files whose `<wxs>` modules the component's bindings may call.
    pub wxs_scope: Vec<FileId>,
}

/// The page's component changes since the last call, as a JSON array for the framework
/// (empty text when there are none). New components get their ids here.
pub(crate) fn announce(
    program: &Program,
    page: &mut PageState,
    components: &mut HashMap<u32, ComponentState>,
    next_id: &Cell<u32>,
) -> String {
    let Some(rendered) = page.rendered.as_mut() else { return String::new() };
    let changes = rendered.take_changes();
    if changes.is_empty() {
        return String::new();
    }
    let mut out = Vec::with_capacity(changes.len());
    for change in changes {
        match change {
            ComponentChange::Created { host, shadow, path, owner, props } => {
                let id = next_id.get();
                next_id.set(id + 1);
                page.hosts.insert(host, id);
                let owner = owner.and_then(|h| page.hosts.get(&h).copied()).unwrap_or(page.id);
                let file = rendered.component_file(host);
                let wxs_scope = file.map(|f| program.wxs_scope(f)).unwrap_or_default();
                // A template that can hold no components: the framework may mount it once,
                // with the owner's properties, as nothing can tell the difference.
                let leaf = file.is_none_or(|f| !program.components.contains_key(&f));
                components.insert(id, ComponentState { page: page.id, host, data: json!({}), wxs_scope });
                let tree = &rendered.tree;
                let element_id = tree.attr(host, "id").and_then(Value::as_str).unwrap_or_default();
                out.push(json!({
                    "op": "create", "id": id, "page": page.id, "path": path, "owner": owner, "props": props,
                    "shadow": shadow, "elementId": element_id, "dataset": tree.dataset(host), "leaf": leaf,
                }));
            }
            ComponentChange::Props { host, props } => {
                if let Some(&id) = page.hosts.get(&host) {
                    out.push(json!({"op": "props", "id": id, "props": props}));
                }
            }
            ComponentChange::Removed { host } => {
                if let Some(id) = page.hosts.remove(&host) {
                    components.remove(&id);
                    out.push(json!({"op": "remove", "id": id}));
                }
            }
        }
    }
    Value::Array(out).to_string()
}

/// The template files of every component a page's template can reach (through components
/// using components), so their `<wxs>` modules can load before anything renders.
pub(crate) fn component_files(program: &Program, file: FileId) -> Vec<FileId> {
    let mut out: Vec<FileId> = Vec::new();
    let mut todo = vec![file];
    while let Some(f) = todo.pop() {
        for path in program.components.get(&f).into_iter().flat_map(|m| m.values()) {
            if let Some(c) = program.file_of(path)
                && c != file
                && !out.contains(&c)
            {
                out.push(c);
                todo.push(c);
            }
        }
    }
    out
}
