//! Helpers the instance tests share: packages written to temporary folders, an instance on
//! a logic thread, and readers for its outputs.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, InstanceHandle, Limits, Output, Pool, Query};
use serde_json::{Value, json};

pub const WAIT: Duration = Duration::from_secs(30);

/// A package written to a temporary folder, loaded and compiled.
pub fn package(files: &[(&str, &str)]) -> (Arc<Package>, Arc<capsule_template::Program>) {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "capsule-rt-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let package = Package::load(&dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let (program, diags) = capsule_template::compile_package(&package);
    assert!(!diags.has_errors(), "{diags}");
    (Arc::new(package), Arc::new(program))
}

/// Two pages, a tab bar over `a` and `tab`, and scripts that log their lifecycles.
pub fn app(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let page_js = |name: &str| {
        format!(
            "Page({{ data: {{ name: '{name}' }}, \
             onLoad(q) {{ console.log('{name}.onLoad ' + JSON.stringify(q)) }}, \
             onShow() {{ console.log('{name}.onShow') }}, onReady() {{ console.log('{name}.onReady') }}, \
             onHide() {{ console.log('{name}.onHide') }}, onUnload() {{ console.log('{name}.onUnload') }} }})"
        )
    };
    let mut files: Vec<(String, String)> = vec![
        (
            "app.json".into(),
            r#"{"pages": ["pages/a/a", "pages/b/b", "pages/tab/tab"],
                "tabBar": {"list": [{"pagePath": "pages/a/a", "text": "A"}, {"pagePath": "pages/tab/tab", "text": "T"}]}}"#
                .into(),
        ),
        (
            "app.js".into(),
            "App({ onLaunch(o) { console.log('App.onLaunch ' + o.path) }, onShow() { console.log('App.onShow') }, \
             onError(m) { console.log('App.onError ' + m.split('\\n')[0]) } })"
                .into(),
        ),
    ];
    for name in ["a", "b", "tab"] {
        files.push((format!("pages/{name}/{name}.wxml"), "<view id=\"title\">{{name}}</view>".to_string()));
        files.push((format!("pages/{name}/{name}.js"), page_js(name)));
    }
    for (path, text) in extra {
        files.retain(|(p, _)| p != path);
        files.push((path.to_string(), text.to_string()));
    }
    files
}

pub struct Harness {
    pub _pool: Pool,
    pub handle: InstanceHandle,
}

impl Harness {
    pub fn start(files: &[(String, String)], limits: Limits, path: Option<&str>) -> (Harness, Vec<Output>) {
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let (package, program) = package(&refs);
        let pool = Pool::new(1);
        let handle = pool.spawn(package, program, limits);
        let out = handle.request(Input::Launch { path: path.map(str::to_string) }, WAIT);
        (Harness { _pool: pool, handle }, out)
    }

    pub fn request(&self, input: Input) -> Vec<Output> {
        self.handle.request(input, WAIT)
    }

    pub fn answer(&self, query: Query) -> Value {
        self.request(Input::Query { query })
            .into_iter()
            .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
            .unwrap_or(Value::Null)
    }

    pub fn tap(&self, selector: &str) -> Vec<Output> {
        self.event(selector, "tap", json!({}))
    }

    pub fn event(&self, selector: &str, event: &str, detail: Value) -> Vec<Output> {
        let found = self.answer(Query::Find { selector: selector.into() });
        let (page, node) = (found["page"].as_u64().expect("found"), found["node"].as_u64().expect("found"));
        self.request(Input::Event {
            page: page as u32,
            node: node as u32,
            event: event.into(),
            detail,
            pointer: Default::default(),
        })
    }
}

pub fn logs(outputs: &[Output]) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Log { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

pub fn terminated(outputs: &[Output]) -> Option<String> {
    outputs
        .iter()
        .find_map(|o| if let Output::Terminated { reason } = o { Some(reason.clone()) } else { None })
}

pub fn test_limits() -> Limits {
    Limits { callback_cpu: Duration::from_millis(300), heap: 16 * 1024 * 1024, ..Limits::default() }
}
