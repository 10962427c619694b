//! What the script reaches through the engine: the instance's side of
//! [`capsule_js::Natives`] — `setData`, components (`mount`, `triggerEvent`, external
//! classes, selection), timers, console lines, API calls (out through [`crate::port::Port`]
//! or with the callback's outputs), view calls and navigation requests.

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use capsule_js::{Natives, WxsAccess};
use capsule_package::Package;
use capsule_template::ir::Path;
use capsule_template::path::{check_gaps, set_path};
use capsule_template::tree::NodeId;
use serde_json::{Value, json};

use super::navigation::NavRequest;
use super::query::matches;
use super::shared::{Shared, padding};
use super::timers::Timer;
use super::{MAX_LOG_TEXT, MAX_PENDING_NAVIGATIONS, MAX_TIMERS, PageState};
use crate::components::{ComponentState, announce};
use crate::events::{Propagation, dispatch_plan};
use crate::held::value_weight;
use crate::message::Output;
use crate::port::{ApiSurface, Port};

/// The instance as its script reaches it through the engine: every native the framework
/// calls (`setData`, components, timers, API and view calls, navigation) lands here and acts
/// on the state it shares with the [`Instance`](super::Instance).
pub(super) struct InstanceNatives {
    pub(super) shared: Rc<Shared>,
    /// For what the package itself answers (an image in the package).
    pub(super) package: Arc<Package>,
    pub(super) apis: ApiSurface,
    /// The way out for API calls (in a pool); without one they leave with the callback's
    /// other outputs, and sync calls are not supported.
    pub(super) port: Option<Port>,
}

impl InstanceNatives {
    /// Runs `f` on component `id` and the page holding it (when both still exist), then
    /// gives what the change did to components, as the framework expects. `Err` while a
    /// render is running (a WXS function reaching back): the component cannot be `what` then.
    fn change_component(
        &self,
        id: u32,
        what: &str,
        f: impl FnOnce(&mut PageState, &mut ComponentState),
    ) -> Result<String, String> {
        let Ok(mut pages) = self.shared.pages.try_borrow_mut() else {
            return Err(format!("a component cannot be {what} while the page is rendering"));
        };
        let mut components = self.shared.components.borrow_mut();
        let Some(page) = components.get(&id).map(|c| c.page) else { return Ok(String::new()) };
        let Some(state) = pages.iter_mut().find(|p| p.id == page) else { return Ok(String::new()) };
        if let Some(c) = components.get_mut(&id) {
            f(state, c);
        }
        Ok(announce(&self.shared.program, state, &mut components, &self.shared.next_page))
    }

    /// `getImageInfo` of an image in the package (`/images/a.png`, or relative to the current
    /// page); `None` for the app's own files and the network, which the host answers.
    fn package_image(&self, args: &Value) -> Option<Value> {
        let src = args.get("src")?.as_str()?;
        if src.contains("://") || src.starts_with("data:") {
            return None;
        }
        let path = match src.strip_prefix('/') {
            Some(p) => Some(p.to_string()),
            None => {
                let pages = self.shared.pages.borrow();
                let route =
                    pages.iter().rev().find(|p| !p.parked).map(|p| p.route.clone()).unwrap_or_default();
                capsule_package::components::join(capsule_package::components::parent(&route), src)
            }
        };
        let found = path.as_deref().and_then(|p| self.package.files.get(p).map(|b| (p, b)));
        Some(match found.and_then(|(p, b)| capsule_package::image::size(b).map(|s| (p, s))) {
            Some((p, (width, height, kind))) => {
                json!({"errMsg": "getImageInfo:ok", "width": width, "height": height, "path": p, "orientation": "up", "type": kind})
            }
            None if found.is_some() => json!({"errMsg": "getImageInfo:fail the file is not an image"}),
            None => json!({"errMsg": format!("getImageInfo:fail file not found: {src}")}),
        })
    }

    /// Patches and WXS errors from a render; a page the view does not have yet gets no
    /// patches (its snapshot will show the result).
    fn emit(
        &self,
        page: u32,
        opened: bool,
        patches: Vec<capsule_template::Patch>,
        errors: Vec<capsule_js::JsError>,
    ) {
        for e in errors {
            self.shared.emit(Output::Error { message: e.message, stack: e.stack });
        }
        if opened && !patches.is_empty() {
            self.shared.emit(Output::Patches { page, patches });
        }
    }
}

impl Natives for InstanceNatives {
    fn log(&self, level: &str, text: &str, source: &str) {
        let text = match text.char_indices().nth(MAX_LOG_TEXT) {
            Some((cut, _)) => format!("{}… ({} more bytes)", &text[..cut], text.len() - cut),
            None => text.to_string(),
        };
        self.shared.emit(Output::Log { level: level.into(), text, source: source.into() });
    }

    fn group_updates(&self, open: bool) {
        let n = self.shared.grouping.get();
        self.shared.grouping.set(if open { n.saturating_add(1) } else { n.saturating_sub(1) });
    }

    fn set_timer(&self, id: u32, delay_ms: f64, repeat: bool, own: bool) -> Result<(), String> {
        let mut timers = self.shared.timers.borrow_mut();
        if timers.by_id.len() >= MAX_TIMERS {
            return Err(format!("too many timers: an instance may have {MAX_TIMERS} at once"));
        }
        let delay = Duration::from_secs_f64((delay_ms.max(0.0) / 1000.0).min(86_400.0 * 365.0));
        // An interval of 0 would spin; the platform clamps short intervals too.
        let every = repeat.then(|| delay.max(Duration::from_millis(1)));
        if let Some(every) = every.filter(|_| !own) {
            let mut usage = self.shared.usage.borrow_mut();
            usage.shortest_interval = Some(usage.shortest_interval.map_or(every, |s| s.min(every)));
        }
        timers.insert(id, Timer { due: Instant::now() + delay, every });
        Ok(())
    }

    fn clear_timer(&self, id: u32) {
        self.shared.timers.borrow_mut().remove(id);
    }

    fn set_data(
        &self,
        owner: u32,
        changes: Vec<(Path, Value)>,
        bytes: usize,
        wxs: &WxsAccess<'_, '_>,
    ) -> Result<String, String> {
        {
            let now = Instant::now();
            let mut times = self.shared.set_data_times.borrow_mut();
            times.push_back(now);
            while times.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1)) {
                times.pop_front();
            }
            let mut usage = self.shared.usage.borrow_mut();
            usage.set_data += 1;
            usage.set_data_per_second_max = usage.set_data_per_second_max.max(times.len());
            drop(usage);
            let (_, max) = self.shared.set_data_bytes.get();
            self.shared.set_data_bytes.set((bytes, max.max(bytes)));
        }
        let (paths, values): (Vec<Path>, Vec<Value>) = changes.into_iter().unzip();
        // A setData from inside a render (a WXS function reaching back) finds the pages busy.
        let Ok(mut pages) = self.shared.pages.try_borrow_mut() else {
            return Err("setData cannot be called while the page is rendering".into());
        };
        let mut components = self.shared.components.borrow_mut();
        let (page, host) = match components.get(&owner) {
            Some(c) => (c.page, Some(c.host)),
            None => (owner, None),
        };
        let Some(index) = pages.iter().position(|p| p.id == page) else { return Ok(String::new()) };
        let mut added = 0;
        {
            let data = match host {
                Some(_) => &mut components.get_mut(&owner).expect("looked up above").data,
                None => &mut pages[index].data,
            };
            for path in &paths {
                check_gaps(data, path).map_err(|e| format!("setData: {e}; nothing was changed"))?;
            }
            for (path, value) in paths.iter().zip(values) {
                added += value_weight(&value) + padding(data, path);
                added += path.iter().map(|part| part.len() + 32).sum::<usize>();
                set_path(data, path, value).map_err(|e| format!("setData: {e}"))?;
            }
        }
        // An estimate grown halfway from the last exact weight to the budget is weighed
        // exactly before anything renders, so what the render outputs is never refused for
        // data the app no longer holds; really past the budget, the script stops here.
        let held = &self.shared.held;
        held.data.fetch_add(added, Ordering::Relaxed);
        if held.data.load(Ordering::Relaxed) > held.reweigh_at.load(Ordering::Relaxed) || !held.admits(0) {
            self.shared.weigh_data(&pages, &components)?;
        }
        let state = &mut pages[index];
        if let (Some(rendered), Some(_)) = (state.rendered.as_mut(), state.file) {
            let (data, scope) = match host {
                Some(_) => {
                    let c = &components[&owner];
                    (&c.data, &c.wxs_scope)
                }
                None => (&state.data, &state.wxs_scope),
            };
            let caller = wxs.caller(scope);
            let program = &self.shared.program;
            let patches = self.shared.render(|budget| match host {
                Some(host) => {
                    rendered.update_component_budgeted(program, host, data, &paths, &caller, budget)
                }
                None => rendered.update_budgeted(program, data, &paths, &caller, budget),
            })?;
            self.emit(state.id, state.opened, patches, caller.take_errors());
        }
        Ok(announce(&self.shared.program, state, &mut components, &self.shared.next_page))
    }

    fn mount(
        &self,
        component: u32,
        data: &str,
        isolation: &str,
        external: &str,
        wxs: &WxsAccess<'_, '_>,
    ) -> Result<String, String> {
        let data: Value = serde_json::from_str(data).map_err(|e| format!("component data: {e}"))?;
        self.shared.held.data.fetch_add(value_weight(&data), Ordering::Relaxed);
        self.change_component(component, "created", |state, c| {
            c.data = data;
            let Some(rendered) = state.rendered.as_mut() else { return };
            let caller = wxs.caller(&c.wxs_scope);
            let shadow = rendered.shadow_root(c.host);
            let mut patches = Vec::new();
            if !isolation.is_empty() {
                patches.extend(shadow.and_then(|s| rendered.set_attr(s, "isolation", json!(isolation))));
            }
            let external = external_classes(external);
            if !external.is_empty() {
                // The view adopts the owner's rules for those classes into the shadow root.
                let owner = match rendered.component_owner(c.host).and_then(|o| rendered.component_path(o)) {
                    Some(path) => format!("component:{path}"),
                    None => format!("page:{}", state.route),
                };
                patches.extend(shadow.and_then(|s| rendered.set_attr(s, "owner", json!(owner))));
                patches.extend(
                    shadow.and_then(|s| rendered.set_attr(s, "external", json!(class_names(&external)))),
                );
                let program = &self.shared.program;
                let classes = self.shared.render(|budget| {
                    rendered
                        .set_external_classes_budgeted(program, c.host, external, &c.data, &caller, budget)
                });
                if classes.is_err() {
                    return;
                }
            }
            let program = &self.shared.program;
            match self
                .shared
                .render(|budget| rendered.mount_budgeted(program, c.host, &c.data, &caller, budget))
            {
                Ok(more) => patches.extend(more),
                Err(_) => return,
            }
            self.emit(state.id, state.opened, patches, caller.take_errors());
        })
    }

    fn trigger(&self, component: u32, event: &str, options: &str) -> String {
        let options: Value = serde_json::from_str(options).unwrap_or(Value::Null);
        let flag = |name: &str| options.get(name).and_then(Value::as_bool).unwrap_or(false);
        let how = Propagation {
            bubbles: flag("bubbles"),
            composed: flag("composed"),
            capture: flag("capturePhase"),
        };
        let pages = self.shared.pages.borrow();
        let components = self.shared.components.borrow();
        let Some(c) = components.get(&component) else { return json!({"calls": []}).to_string() };
        let Some(state) = pages.iter().find(|p| p.id == c.page) else {
            return json!({"calls": []}).to_string();
        };
        let Some(plan) = state.rendered.as_ref().and_then(|r| dispatch_plan(&r.tree, c.host, event, how))
        else {
            return json!({"calls": []}).to_string();
        };
        let calls: Vec<Value> = plan
            .calls
            .into_iter()
            .map(|call| {
                let owner = call.owner.and_then(|h| state.hosts.get(&h).copied()).unwrap_or(state.id);
                json!({"owner": owner, "handler": call.handler, "currentTarget": call.current_target, "target": call.target})
            })
            .collect();
        json!({"calls": calls, "mark": plan.mark}).to_string()
    }

    fn set_external_classes(
        &self,
        component: u32,
        external: &str,
        wxs: &WxsAccess<'_, '_>,
    ) -> Result<String, String> {
        let external = external_classes(external);
        self.change_component(component, "changed", |state, c| {
            let Some(rendered) = state.rendered.as_mut() else { return };
            let caller = wxs.caller(&c.wxs_scope);
            let shadow = rendered.shadow_root(c.host);
            let mut patches: Vec<_> = shadow
                .and_then(|s| rendered.set_attr(s, "external", json!(class_names(&external))))
                .into_iter()
                .collect();
            let program = &self.shared.program;
            match self.shared.render(|budget| {
                rendered.set_external_classes_budgeted(program, c.host, external, &c.data, &caller, budget)
            }) {
                Ok(more) => patches.extend(more),
                Err(_) => return,
            }
            self.emit(state.id, state.opened, patches, caller.take_errors());
        })
    }

    fn set_host_attrs(&self, component: u32, attrs: &str) {
        let Ok(Value::Object(attrs)) = serde_json::from_str::<Value>(attrs) else { return };
        let _ = self.change_component(component, "changed", |state, c| {
            let Some(rendered) = state.rendered.as_mut() else { return };
            let patches: Vec<_> = attrs
                .into_iter()
                .filter_map(|(name, value)| rendered.set_attr(c.host, &name, value))
                .collect();
            self.emit(state.id, state.opened, patches, Vec::new());
        });
    }

    fn component_ancestors(&self, component: u32) -> String {
        let pages = self.shared.pages.borrow();
        let components = self.shared.components.borrow();
        let Some(c) = components.get(&component) else { return "[]".into() };
        let Some(state) = pages.iter().find(|p| p.id == c.page) else { return "[]".into() };
        let Some(rendered) = &state.rendered else { return "[]".into() };
        let mut out = Vec::new();
        let mut cur = rendered.tree.get(c.host).and_then(|n| n.parent);
        while let Some(id) = cur {
            if let Some(&comp) = state.hosts.get(&id) {
                out.push(comp);
            }
            cur = rendered.tree.get(id).and_then(|n| n.parent);
        }
        json!(out).to_string()
    }

    fn select_components(&self, owner: u32, selector: &str) -> String {
        let pages = self.shared.pages.borrow();
        let components = self.shared.components.borrow();
        let (page, host) = match components.get(&owner) {
            Some(c) => (c.page, Some(c.host)),
            None => (owner, None),
        };
        let Some(state) = pages.iter().find(|p| p.id == page) else { return "[]".into() };
        let Some(rendered) = &state.rendered else { return "[]".into() };
        let tree = &rendered.tree;
        let root = match host {
            Some(h) => tree.children(h).find(|&c| tree.is_shadow_root(c)),
            None => Some(tree.root()),
        };
        let mut found = Vec::new();
        let mut stack: Vec<NodeId> = root.into_iter().collect();
        while let Some(id) = stack.pop() {
            if let Some(&comp) = state.hosts.get(&id)
                && selector.split(',').any(|s| matches(tree, id, s.trim()))
            {
                found.push(comp);
            }
            let children: Vec<NodeId> = tree.children(id).filter(|&c| !tree.is_shadow_root(c)).collect();
            stack.extend(children.into_iter().rev());
        }
        json!(found).to_string()
    }

    fn apis(&self) -> Option<&capsule_js::SurfaceIndex> {
        Some(self.apis.index())
    }

    fn api_call(&self, seq: u32, name: &str, args: &str) {
        let args: Value = serde_json::from_str(args).unwrap_or(Value::Null);
        if name == "getImageInfo"
            && let Some(result) = self.package_image(&args)
        {
            self.shared.replies.borrow_mut().push((seq, result));
            return;
        }
        if crate::port::is_sync_call(seq) {
            // Not a number the script may use (its calls count up from 1).
            let result = json!({"errMsg": format!("{name}:fail too many calls")});
            self.shared.replies.borrow_mut().push((seq, result));
            return;
        }
        self.shared.pending_api.set(self.shared.pending_api.get() + 1);
        self.shared.usage.borrow_mut().api_call(name, &args);
        let call = Output::ApiCall { call: seq, name: name.to_string(), args, sync: false };
        match &self.port {
            // In a pool the call leaves at once, as the script made it.
            Some(port) => port.send(call),
            None => self.shared.emit(call),
        }
    }

    fn api_call_sync(&self, name: &str, args: &str) -> String {
        let args: Value = serde_json::from_str(args).unwrap_or(Value::Null);
        self.shared.usage.borrow_mut().api_call(name, &args);
        match &self.port {
            Some(port) => port.call_sync(name, args).to_string(),
            None => json!({"errMsg": format!("{name}Sync:fail not supported")}).to_string(),
        }
    }

    fn view_call(&self, seq: u32, name: &str, args: &str) {
        let args = serde_json::from_str(args).unwrap_or(Value::Null);
        self.shared.emit(Output::ViewCall { seq, name: name.into(), args });
    }

    fn navigate(&self, seq: u32, kind: &str, target: &str) -> Result<(), String> {
        let mut queue = self.shared.navigation.borrow_mut();
        if queue.len() >= MAX_PENDING_NAVIGATIONS {
            return Err("too many navigations are already waiting".into());
        }
        queue.push_back(NavRequest { seq: Some(seq), kind: kind.into(), target: target.into() });
        Ok(())
    }
}

/// The class names external classes put in (`red big blue`), as the view adopts rules for.
fn class_names(external: &[(String, String)]) -> String {
    external.iter().flat_map(|(_, v)| v.split_whitespace()).collect::<Vec<_>>().join(" ")
}

/// `{"custom-class": "red big"}` → pairs, dropping what is not text.
fn external_classes(json: &str) -> Vec<(String, String)> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(json) else { return Vec::new() };
    map.into_iter().filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string()))).collect()
}
