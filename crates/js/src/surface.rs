//! The bridge's API surface as the framework reads it: one API at a time, by the name it has
//! on `wx`, so an instance makes the functions its script touches and no others.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use serde_json::Value;

/// The surface (`[{name, sync, positional, returns, view, plain, group}]`) indexed once, to be
/// shared by every instance of a host.
#[derive(Debug, Default)]
pub struct SurfaceIndex {
    /// Each API not in a group by its name on `wx`, and by its sync form's when it has one.
    entries: HashMap<String, String>,
    /// Those names, as a JSON array.
    names: String,
    /// Each group's APIs, as a JSON array.
    groups: HashMap<String, String>,
    /// The groups with an API the view carries out (an audio context, a selector query).
    view_groups: HashSet<String>,
}

impl SurfaceIndex {
    pub fn new(list: &[Value]) -> SurfaceIndex {
        let mut entries = HashMap::new();
        let mut names = Vec::new();
        let mut groups: HashMap<String, Vec<&Value>> = HashMap::new();
        let mut view_groups = HashSet::new();
        for api in list {
            let Some(name) = api["name"].as_str() else { continue };
            if let Some(group) = api["group"].as_str() {
                if api["view"].as_bool().unwrap_or(false) {
                    view_groups.insert(group.to_string());
                }
                groups.entry(group.to_string()).or_default().push(api);
                continue;
            }
            let text = api.to_string();
            let flag = |key: &str| api[key].as_bool().unwrap_or(false);
            // A view's and a plain API have no sync form of their own.
            if flag("sync") && !flag("view") && !flag("plain") {
                let sync = format!("{name}Sync");
                if let Entry::Vacant(slot) = entries.entry(sync.clone()) {
                    slot.insert(text.clone());
                    names.push(sync);
                }
            }
            if let Entry::Vacant(slot) = entries.entry(name.to_string()) {
                slot.insert(text);
                names.push(name.to_string());
            }
        }
        let groups = groups
            .into_iter()
            .map(|(g, apis)| (g, Value::from_iter(apis.into_iter().cloned()).to_string()))
            .collect();
        SurfaceIndex { entries, names: Value::from(names).to_string(), groups, view_groups }
    }

    /// The API that makes `wx[name]`, as JSON.
    pub fn entry(&self, name: &str) -> Option<&str> {
        self.entries.get(name).map(String::as_str)
    }

    /// Every name the surface makes on `wx`, as a JSON array.
    pub fn names_json(&self) -> &str {
        &self.names
    }

    /// Whether `group` has an API the view carries out.
    pub fn group_has_view(&self, group: &str) -> bool {
        self.view_groups.contains(group)
    }

    /// The APIs of `group`, as a JSON array (`[]` for a group the surface does not have).
    pub fn group_json(&self, group: &str) -> String {
        self.groups.get(group).cloned().unwrap_or_else(|| "[]".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_the_apis_and_their_sync_forms_and_groups_stay_apart() {
        let index = SurfaceIndex::new(&[
            json!({"name": "getStorage", "sync": true}),
            json!({"name": "showToast", "view": true, "sync": true}),
            json!({"name": "getSystemInfo", "plain": true, "sync": true}),
            json!({"name": "fs.readFile", "group": "fs", "sync": true}),
            json!({"name": "audioContext", "group": "InnerAudioContext", "view": true}),
        ]);
        let names: Vec<String> = serde_json::from_str(index.names_json()).unwrap();
        assert_eq!(names, ["getStorageSync", "getStorage", "showToast", "getSystemInfo"]);
        assert_eq!(index.entry("getStorageSync"), index.entry("getStorage"));
        assert!(index.entry("fs.readFile").is_none());
        assert!(index.group_json("fs").contains("readFile"));
        assert_eq!(index.group_json("nope"), "[]");
        assert!(index.group_has_view("InnerAudioContext") && !index.group_has_view("fs"));
    }
}
