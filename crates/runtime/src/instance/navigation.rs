//! The page stack as navigation changes it: opening a page (its `<wxs>` modules, first render,
//! lifecycle in the platform's order), closing one, and carrying out the navigations the
//! script or the host queued, after the callback that asked (the 10-page stack, tab-bar
//! rules); and the URLs they name.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use capsule_js::{Arg, Outcome, WxsSource};
use capsule_template::ir::FileId;
use capsule_template::render_budgeted;
use serde_json::{Map, Value, json};

use super::{Instance, MAX_PAGES, PageState};
use crate::components::{announce, component_files};
use crate::held::value_weight;
use crate::message::Output;

/// A navigation waiting for the callback that asked for it to end: from the script (`seq`
/// answers it) or from the host.
pub(super) struct NavRequest {
    pub(super) seq: Option<u32>,
    pub(super) kind: String,
    pub(super) target: String,
}

impl Instance {
    /// Creates, loads, shows, renders and readies a page on top of the stack.
    pub(super) fn open_page(&mut self, route: &str, query: Map<String, Value>) -> Option<u32> {
        let started = std::time::SystemTime::now();
        let id = self.open_page_inner(route, query)?;
        let done = std::time::SystemTime::now();
        let (start, end) = (Self::epoch_ms(started), Self::epoch_ms(done));
        let kind = self.navigating.clone().unwrap_or_else(|| "appLaunch".to_string());
        self.perf_entry(json!({"name": "route", "entryType": "navigation", "startTime": start, "duration": end - start, "path": route, "navigationType": kind, "pageId": id}));
        self.perf_entry(json!({"name": "firstRender", "entryType": "render", "startTime": start, "duration": end - start, "path": route, "pageId": id}));
        if let Some(launched) = self.launch_started.take() {
            let launch = Self::epoch_ms(launched);
            self.perf_entry(json!({"name": "appLaunch", "entryType": "navigation", "startTime": launch, "duration": end - launch, "path": route}));
        }
        Some(id)
    }

    fn open_page_inner(&mut self, route: &str, query: Map<String, Value>) -> Option<u32> {
        let id = self.shared.next_page.get();
        self.shared.next_page.set(id + 1);
        let program = self.shared.program.clone();
        let file = program.file_of(route);
        let wxs_scope = file.map(|f| program.wxs_scope(f)).unwrap_or_default();
        let mut to_load = wxs_scope.clone();
        for c in file.map(|f| component_files(&program, f)).unwrap_or_default() {
            to_load.extend(program.wxs_scope(c));
        }
        // What its template (or one it imports or includes, or a component it uses) names
        // but the package lacks: the app runs on, and this page hears it, as on the platform.
        for (path, errors) in &program.page_errors {
            if program.by_path.get(path).is_some_and(|id| to_load.contains(id)) {
                for message in errors {
                    self.shared.emit(Output::Error { message: message.clone(), stack: String::new() });
                }
            }
        }
        for f in to_load {
            let sources = self.wxs_sources(f);
            match self.engine.load_wxs(f, &sources) {
                Outcome::Returned(_) => {}
                Outcome::Threw(e) => {
                    self.shared.emit(Output::Error { message: e.message, stack: e.stack });
                }
                Outcome::Terminated(reason) => {
                    self.terminate(reason);
                    return None;
                }
            }
        }
        self.shared.pages.borrow_mut().push(PageState {
            id,
            route: route.to_string(),
            data: json!({}),
            file,
            wxs_scope: wxs_scope.clone(),
            rendered: None,
            parked: false,
            opened: false,
            hosts: HashMap::new(),
        });
        let data = self.call(
            "createPage",
            &[Arg::Int(id), Arg::Str(route.to_string()), Arg::Json(Value::Object(query.clone()))],
        );
        if self.terminated.is_some() {
            return None;
        }
        let data: Value = data.and_then(|d| serde_json::from_str(&d).ok()).unwrap_or_else(|| json!({}));
        // The platform's order: the page renders with its initial data, which creates and
        // attaches its components; then onLoad and onShow (whose setData the first frame
        // shows); then the components are ready, then the page.
        let shared = self.shared.clone();
        let (rendered, errors) = self.engine.with_wxs(&wxs_scope, |host| {
            shared.render(|budget| render_budgeted(&program, file.unwrap_or(usize::MAX), &data, host, budget))
        });
        for e in errors {
            self.shared.emit(Output::Error { message: e.message, stack: e.stack });
        }
        let rendered = match rendered {
            Some(Ok(rendered)) => rendered,
            Some(Err(reason)) => {
                self.terminate(self.engine.terminated().unwrap_or(reason));
                return None;
            }
            None => {
                if let Some(reason) = self.engine.terminated() {
                    self.terminate(reason);
                }
                return None;
            }
        };
        self.shared.held.data.fetch_add(value_weight(&data), Ordering::Relaxed);
        let changes = {
            let mut pages = self.shared.pages.borrow_mut();
            let state = pages.iter_mut().find(|p| p.id == id)?;
            state.data = data;
            state.rendered = Some(rendered);
            announce(&program, state, &mut self.shared.components.borrow_mut(), &self.shared.next_page)
        };
        if !changes.is_empty() {
            self.call("componentChanges", &[Arg::Str(changes)]);
        }
        self.lifecycle(id, "onLoad", Some(Value::Object(query.clone())));
        self.lifecycle(id, "onShow", None);
        if self.terminated.is_some() {
            return None;
        }
        let snapshot = {
            let mut pages = self.shared.pages.borrow_mut();
            let state = pages.iter_mut().find(|p| p.id == id)?;
            state.opened = true;
            state.rendered.as_ref()?.tree.snapshot()
        };
        self.shared.emit(Output::PageOpened { page: id, route: route.to_string(), query, snapshot });
        self.lifecycle(id, "onReady", None);
        Some(id)
    }

    /// The code of a template file's `<wxs>` modules.
    fn wxs_sources(&self, file: FileId) -> Vec<WxsSource> {
        let Some(f) = self.shared.program.files.get(file) else { return Vec::new() };
        f.wxs
            .iter()
            .filter_map(|m| {
                let (path, code) = match (&m.src, &m.inline) {
                    (Some(src), _) => (src.clone(), self.package.files.text(src)?.to_string()),
                    (None, Some(code)) => (format!("{}#{}", f.path, m.name), code.clone()),
                    (None, None) => return None,
                };
                Some(WxsSource { name: m.name.clone(), path, code })
            })
            .collect()
    }

    fn close_top(&mut self) {
        let Some(id) = self.top() else { return };
        self.close(id);
    }

    fn close(&mut self, id: u32) {
        self.lifecycle(id, "onUnload", None);
        self.shared.pages.borrow_mut().retain(|p| p.id != id);
        self.shared.components.borrow_mut().retain(|_, c| c.page != id);
        self.shared.emit(Output::PageClosed { page: id });
    }

    /// The package route a navigation URL names: absolute from the root, or relative to the
    /// current page's folder.
    fn absolute_url(&self, url: &str) -> String {
        if url.starts_with('/') {
            return url.to_string();
        }
        let base = self
            .top()
            .and_then(|id| self.shared.pages.borrow().iter().find(|p| p.id == id).map(|p| p.route.clone()));
        let (path, query) = url.split_once('?').map_or((url, None), |(p, q)| (p, Some(q)));
        let joined = match base {
            Some(route) => {
                capsule_package::components::join(capsule_package::components::parent(&route), path)
            }
            None => Some(path.to_string()),
        };
        let joined = joined.unwrap_or_else(|| path.to_string());
        match query {
            Some(q) => format!("{joined}?{q}"),
            None => joined,
        }
    }

    /// Delivers answers known at once, then carries out queued navigations, each after the
    /// callback that asked for it.
    pub(super) fn settle(&mut self) {
        for _ in 0..100 {
            let replies = std::mem::take(&mut *self.shared.replies.borrow_mut());
            if replies.is_empty() {
                break;
            }
            for (seq, result) in replies {
                self.call("apiReply", &[Arg::Int(seq), Arg::Json(result)]);
            }
        }
        for _ in 0..100 {
            let Some(request) = self.shared.navigation.borrow_mut().pop_front() else { return };
            if self.terminated.is_some() {
                return;
            }
            let target = if request.kind == "navigateBack" {
                request.target.clone()
            } else {
                self.absolute_url(&request.target)
            };
            self.navigating = Some(request.kind.clone());
            let result = self.navigate(&request.kind, &target);
            self.navigating = None;
            if result.is_ok() {
                self.announce_stack();
            }
            let message = match result {
                Ok(()) => format!("{}:ok", request.kind),
                Err(reason) => format!("{}:fail {reason}", request.kind),
            };
            match request.seq {
                Some(seq) => {
                    self.call("navigationDone", &[Arg::Int(seq), Arg::Str(message)]);
                }
                None if message.ends_with(":ok") => {}
                None => self.shared.emit(Output::Error { message, stack: String::new() }),
            }
        }
    }

    fn is_tab_page(&self, route: &str) -> bool {
        self.package
            .manifest
            .tab_bar
            .as_ref()
            .is_some_and(|bar| bar.list.iter().any(|item| item.page_path == route))
    }

    fn navigate(&mut self, kind: &str, target: &str) -> Result<(), String> {
        let manifest = &self.package.manifest;
        let checked_route = |url: &str| -> Result<(String, Map<String, Value>), String> {
            let (route, query) = split_url(url);
            if manifest.page(&route).is_none() {
                return Err(format!("page \"{route}\" is not found"));
            }
            Ok((route, query))
        };
        match kind {
            "navigateTo" => {
                let (route, query) = checked_route(target)?;
                if self.is_tab_page(&route) {
                    return Err("can not navigateTo a tabbar page".into());
                }
                if self.stack_len() >= MAX_PAGES {
                    return Err("webview count limit exceed".into());
                }
                if let Some(top) = self.top() {
                    self.lifecycle(top, "onHide", None);
                }
                self.open_page(&route, query);
                Ok(())
            }
            "redirectTo" => {
                let (route, query) = checked_route(target)?;
                if self.is_tab_page(&route) {
                    return Err("can not redirectTo a tabbar page".into());
                }
                self.close_top();
                self.open_page(&route, query);
                Ok(())
            }
            "navigateBack" => {
                let len = self.stack_len();
                if len <= 1 {
                    return Err("cannot navigate back at first page.".into());
                }
                let delta = target.parse::<usize>().unwrap_or(1).max(1).min(len - 1);
                for _ in 0..delta {
                    self.close_top();
                }
                if let Some(top) = self.top() {
                    self.lifecycle(top, "onShow", None);
                }
                Ok(())
            }
            "reLaunch" => {
                let (route, query) = checked_route(target)?;
                while self.top().is_some() {
                    self.close_top();
                }
                let parked: Vec<u32> = self.shared.pages.borrow().iter().map(|p| p.id).collect();
                for id in parked {
                    self.close(id);
                }
                self.open_page(&route, query);
                Ok(())
            }
            "switchTab" => {
                let (route, _) = checked_route(target)?;
                if !self.is_tab_page(&route) {
                    return Err("can not switch to no-tabBar page".into());
                }
                // Every page that is not a tab page closes, top first; tab pages stay alive.
                loop {
                    let top = self.top().and_then(|id| {
                        self.shared.pages.borrow().iter().find(|p| p.id == id).map(|p| (id, p.route.clone()))
                    });
                    match top {
                        Some((id, r)) if !self.is_tab_page(&r) => self.close(id),
                        _ => break,
                    }
                }
                let current = self.top().and_then(|id| {
                    self.shared.pages.borrow().iter().find(|p| p.id == id).map(|p| (id, p.route.clone()))
                });
                match current {
                    Some((id, r)) if r == route => {
                        // Already there (after closing what was above): it shows again.
                        if self.stack_len() == 1 {
                            self.lifecycle(id, "onShow", None);
                        }
                        return Ok(());
                    }
                    Some((id, _)) => {
                        self.lifecycle(id, "onHide", None);
                        if let Some(p) = self.shared.pages.borrow_mut().iter_mut().find(|p| p.id == id) {
                            p.parked = true;
                        }
                    }
                    None => {}
                }
                let parked =
                    self.shared.pages.borrow().iter().find(|p| p.parked && p.route == route).map(|p| p.id);
                match parked {
                    Some(id) => {
                        {
                            let mut pages = self.shared.pages.borrow_mut();
                            if let Some(at) = pages.iter().position(|p| p.id == id) {
                                let mut page = pages.remove(at);
                                page.parked = false;
                                pages.push(page);
                            }
                        }
                        self.lifecycle(id, "onShow", None);
                    }
                    // switchTab drops any query, as on the platform.
                    None => {
                        self.open_page(&route, Map::new());
                    }
                }
                Ok(())
            }
            other => Err(format!("unknown navigation `{other}`")),
        }
    }
}

/// `pages/x/x?a=1&b=2` → route and query (values percent-decoded).
pub fn split_url(url: &str) -> (String, Map<String, Value>) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let route = path.trim_start_matches('/').trim_end_matches(".html").to_string();
    let mut map = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        map.insert(percent_decode(k), Value::String(percent_decode(v)));
    }
    (route, map)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(h) = s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(h);
            i += 3;
            continue;
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
