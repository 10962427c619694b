//! The APIs the view carries out (`Output::ViewCall`): toast and loading, modal, action
//! sheet, navigation bar and background, tab bar, `pageScrollTo`, `stopPullDownRefresh`,
//! image preview, selector queries, intersection observers, fonts, audio and video contexts.
//! Each becomes a message to the views and an answer to the instance (`Input::ViewReply`):
//! at once, or — for what a person or the layout answers — when a view answers the call
//! still `waiting`.

use capsule_runtime::Input;
use capsule_view_web::protocol::ToView;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::view_messages::{send_view, send_waiting};

/// Carries out an API on the view's side and answers the instance.
pub(crate) fn view_call(shared: &Shared, seq: u32, name: &str, args: &Value) {
    let ok = |extra: Value| {
        let mut result = json!({"errMsg": format!("{name}:ok")});
        if let (Some(r), Some(e)) = (result.as_object_mut(), extra.as_object()) {
            r.extend(e.clone());
        }
        shared.send_input(Input::ViewReply { seq, result });
    };
    let fail = |reason: &str| {
        shared
            .send_input(Input::ViewReply { seq, result: json!({"errMsg": format!("{name}:fail {reason}")}) });
    };
    // A list of strings, as `itemList` and `urls` are.
    let strings = |key: &str| -> Vec<String> {
        args.get(key)
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let text = |key: &str| args.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    // A node or page id, as `page`, `root` and `audio` are.
    let id = |key: &str| args.get(key).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok());
    let list = |key: &str| args.get(key).and_then(Value::as_array).cloned().unwrap_or_default();
    match name {
        "showToast" => {
            let duration = args.get("duration").and_then(Value::as_u64).unwrap_or(1500);
            let icon = args.get("icon").and_then(Value::as_str).unwrap_or("success");
            send_view(
                shared,
                ToView::Toast {
                    show: true,
                    title: Some(text("title")),
                    icon: Some(icon.into()),
                    loading: false,
                    duration: Some(duration),
                },
            );
            ok(json!({}));
        }
        "showLoading" => {
            send_view(
                shared,
                ToView::Toast {
                    show: true,
                    title: Some(text("title")),
                    icon: None,
                    loading: true,
                    duration: Some(0),
                },
            );
            ok(json!({}));
        }
        "hideToast" | "hideLoading" => {
            send_view(
                shared,
                ToView::Toast { show: false, title: None, icon: None, loading: false, duration: None },
            );
            ok(json!({}));
        }
        "showModal" => {
            send_waiting(
                shared,
                seq,
                ToView::Modal {
                    seq,
                    title: text("title"),
                    content: text("content"),
                    show_cancel: args.get("showCancel").and_then(Value::as_bool).unwrap_or(true),
                    cancel_text: args.get("cancelText").and_then(Value::as_str).unwrap_or("Cancel").into(),
                    confirm_text: args.get("confirmText").and_then(Value::as_str).unwrap_or("OK").into(),
                },
            );
        }
        "showActionSheet" => {
            let items = strings("itemList");
            if items.is_empty() || items.len() > 6 {
                return fail("parameter error: itemList should have 1 to 6 items");
            }
            send_waiting(
                shared,
                seq,
                ToView::ActionSheet {
                    seq,
                    item_list: items,
                    item_color: args.get("itemColor").and_then(Value::as_str).map(str::to_string),
                },
            );
        }
        "setNavigationBarTitle"
        | "setNavigationBarColor"
        | "showNavigationBarLoading"
        | "hideNavigationBarLoading"
        | "setBackgroundColor" => {
            let mut change = Map::new();
            match name {
                "setNavigationBarTitle" => {
                    change.insert("navigationBarTitleText".into(), json!(text("title")));
                }
                "setNavigationBarColor" => {
                    let style =
                        if text("frontColor").eq_ignore_ascii_case("#ffffff") { "white" } else { "black" };
                    change.insert("navigationBarTextStyle".into(), json!(style));
                    change.insert("navigationBarBackgroundColor".into(), json!(text("backgroundColor")));
                }
                "setBackgroundColor" => {
                    for key in ["backgroundColor", "backgroundColorTop", "backgroundColorBottom"] {
                        if let Some(v) = args.get(key).and_then(Value::as_str) {
                            change.insert(key.into(), json!(v));
                        }
                    }
                }
                _ => {
                    change.insert("navigationBarLoading".into(), json!(name == "showNavigationBarLoading"));
                }
            }
            change_top_window(shared, change);
            ok(json!({}));
        }
        "selectorQuery" => {
            let page = id("page").or_else(|| top_page(shared));
            send_waiting(
                shared,
                seq,
                ToView::SelectorQuery { seq, page, root: id("root"), requests: list("requests") },
            );
        }
        "observeIntersection" => {
            let observe = ToView::Observe {
                seq,
                page: id("page"),
                root: id("root"),
                selector: text("selector"),
                relative: args
                    .get("relative")
                    .cloned()
                    .unwrap_or_else(|| json!({"viewport": true, "margins": {}})),
                thresholds: list("thresholds").iter().filter_map(Value::as_f64).collect(),
                initial_ratio: args.get("initialRatio").and_then(Value::as_f64).unwrap_or(0.0),
                observe_all: args.get("observeAll").and_then(Value::as_bool).unwrap_or(false),
            };
            send_waiting(shared, seq, observe);
        }
        "disconnectIntersection" => {
            if let Some(observer) =
                args.get("observer").and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok())
            {
                shared.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&observer);
                send_view(shared, ToView::Disconnect { observer });
            }
            ok(json!({}));
        }
        "previewImage" => {
            let urls = strings("urls");
            if urls.is_empty() {
                return fail("parameter error: parameter.urls should be a non-empty Array of String");
            }
            let current = match args.get("current") {
                Some(Value::Number(n)) => n.as_u64().and_then(|i| urls.get(i as usize)).cloned(),
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            }
            .unwrap_or_else(|| urls[0].clone());
            send_view(shared, ToView::PreviewImage { urls, current });
            ok(json!({}));
        }
        "loadFontFace" => {
            // The view loads the font (fonts are the document's, so components see it too);
            // a font from the network must come from an origin the host allows.
            let source = text("source");
            let url = source
                .trim()
                .strip_prefix("url(")
                .and_then(|s| s.strip_suffix(')'))
                .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\''))
                .unwrap_or_default()
                .to_string();
            if text("family").is_empty() || url.is_empty() {
                return fail("parameter error: family and source (url(\"…\")) are needed");
            }
            if url.contains("://") {
                let verdict = match &shared.api() {
                    Some(api) => api.check_origin(&url),
                    None => Err("no network access".into()),
                };
                if let Err(e) = verdict {
                    return fail(&e);
                }
            }
            send_waiting(
                shared,
                seq,
                ToView::LoadFontFace { seq, family: text("family"), url, desc: args.get("desc").cloned() },
            );
        }
        "audioContext" => {
            send_waiting(shared, seq, ToView::Audio { seq, set: None });
        }
        "audioControl" => {
            // Only an audio context the app made may be driven.
            let Some(audio) = id("audio") else {
                return fail("no such audio");
            };
            let (action, control_args) = (text("action"), list("args"));
            let mut waiting = shared.waiting.lock().unwrap_or_else(|p| p.into_inner());
            let Some(ToView::Audio { set, .. }) = waiting.get_mut(&audio) else {
                drop(waiting);
                return fail("no such audio");
            };
            match (action.as_str(), control_args.first()) {
                // What is set is kept with the context, so a view that connects later (the
                // app made it in onLoad) sets it up the same.
                ("set", Some(Value::Object(changes))) => set.get_or_insert_default().extend(changes.clone()),
                ("destroy", _) => {
                    waiting.remove(&audio);
                }
                _ => {}
            }
            drop(waiting);
            send_view(shared, ToView::AudioControl { audio, action, args: control_args });
            ok(json!({}));
        }
        "videoControl" => {
            let page = id("page").or_else(|| top_page(shared));
            send_view(
                shared,
                ToView::VideoControl {
                    page,
                    root: id("root"),
                    id: text("id"),
                    action: text("action"),
                    args: list("args"),
                },
            );
            ok(json!({}));
        }
        "pageScrollTo" => {
            let selector = args.get("selector").and_then(Value::as_str);
            let top = args.get("scrollTop").and_then(Value::as_f64);
            if selector.is_none() && top.is_none() {
                return fail("scrollTop or selector is required");
            }
            let page = top_page(shared);
            send_view(
                shared,
                ToView::PageScrollTo {
                    page,
                    scroll_top: top,
                    selector: selector.map(str::to_string),
                    offset_top: args.get("offsetTop").and_then(Value::as_f64).unwrap_or(0.0),
                    duration: args.get("duration").and_then(Value::as_u64).unwrap_or(300),
                },
            );
            ok(json!({}));
        }
        "setTabBarBadge" | "removeTabBarBadge" | "showTabBarRedDot" | "hideTabBarRedDot"
        | "setTabBarItem" | "setTabBarStyle" | "showTabBar" | "hideTabBar" => {
            match change_tab_bar(shared, name, args) {
                Ok(()) => ok(json!({})),
                Err(reason) => fail(&reason),
            }
        }
        "stopPullDownRefresh" => {
            send_view(shared, ToView::StopPullDownRefresh);
            ok(json!({}));
        }
        "showShareMenu" | "hideShareMenu" | "updateShareMenu" => {
            // Kept with the page's mirror, so a view that connects later shows the same menu.
            let Some(page) = id("page") else { return fail("no page is shown") };
            let menu = args.get("menu").cloned().unwrap_or_else(|| json!({}));
            let mut pages = shared.pages.lock().unwrap_or_else(|p| p.into_inner());
            let Some((_, mirror)) = pages.iter_mut().find(|(p, _)| *p == page) else {
                return fail("the page is closed");
            };
            mirror.share_menu = Some(menu.clone());
            drop(pages);
            send_view(shared, ToView::ShareMenu { page, menu });
            ok(json!({}));
        }
        "shareResult" => {
            let Some(page) = id("page") else { return fail("no such page") };
            let optional = |key: &str| args.get(key).and_then(Value::as_str).map(str::to_string);
            send_view(
                shared,
                ToView::ShareResult {
                    page,
                    kind: text("kind"),
                    title: optional("title"),
                    path: optional("path"),
                    query: optional("query"),
                    image_url: optional("imageUrl"),
                    refused: optional("refused"),
                },
            );
            ok(json!({}));
        }
        _ => fail("not supported"),
    }
}

/// The page the views show: the top of the stack.
fn top_page(shared: &Shared) -> Option<u32> {
    shared.stack.lock().unwrap_or_else(|p| p.into_inner()).last().copied()
}

/// Merges `change` into the shown page's window and tells the views.
fn change_top_window(shared: &Shared, change: Map<String, Value>) {
    let top_id = top_page(shared);
    let mut pages = shared.pages.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((id, top)) = pages.iter_mut().find(|(id, _)| Some(*id) == top_id) {
        if let Some(w) = top.window.as_object_mut() {
            w.extend(change.clone());
        }
        if let Value::Object(window) = shared.themed(Value::Object(change)) {
            send_view(shared, ToView::Window { page: *id, window });
        }
    }
}

/// Carries out one of the tab bar APIs on the kept tab bar, as the platform checks them:
/// only while a tab page is shown, and only for an item that exists.
fn change_tab_bar(shared: &Shared, name: &str, args: &Value) -> Result<(), String> {
    let top_route = {
        let top_id = top_page(shared);
        let pages = shared.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages.iter().find(|(id, _)| Some(*id) == top_id).map(|(_, p)| p.route.clone())
    };
    let mut bar = shared.tab_bar.lock().unwrap_or_else(|p| p.into_inner());
    let on_tab = bar["list"].as_array().is_some_and(|list| {
        list.iter().any(|item| Some(item["pagePath"].as_str().unwrap_or("")) == top_route.as_deref())
    });
    if !on_tab {
        return Err("not TabBar page".into());
    }
    let string = |key: &str| args.get(key).and_then(Value::as_str).map(str::to_string);
    let item = |bar: &mut Value| -> Result<usize, String> {
        let count = bar["list"].as_array().map_or(0, Vec::len);
        match args.get("index").and_then(Value::as_u64) {
            Some(i) if (i as usize) < count => Ok(i as usize),
            Some(i) => Err(format!("tabbar item not found: index {i} is out of range (0 to {})", count - 1)),
            None => Err("parameter error: parameter.index should be Number".into()),
        }
    };
    match name {
        "setTabBarBadge" => {
            let i = item(&mut bar)?;
            let text = string("text").ok_or("parameter error: parameter.text should be String")?;
            // The platform shows at most four characters and an ellipsis past them.
            let shown: String =
                if text.chars().count() > 4 { text.chars().take(3).chain(['…']).collect() } else { text };
            bar["list"][i]["badge"] = json!(shown);
            bar["list"][i]["redDot"] = json!(false);
        }
        "removeTabBarBadge" => {
            let i = item(&mut bar)?;
            if let Some(o) = bar["list"][i].as_object_mut() {
                o.remove("badge");
            }
        }
        "showTabBarRedDot" | "hideTabBarRedDot" => {
            let i = item(&mut bar)?;
            bar["list"][i]["redDot"] = json!(name == "showTabBarRedDot");
            if name == "showTabBarRedDot"
                && let Some(o) = bar["list"][i].as_object_mut()
            {
                o.remove("badge");
            }
        }
        "setTabBarItem" => {
            let i = item(&mut bar)?;
            for key in ["text", "iconPath", "selectedIconPath"] {
                if let Some(v) = string(key) {
                    if key != "text"
                        && !shared
                            .running()
                            .is_some_and(|r| r.package.files.contains(v.trim_start_matches('/')))
                    {
                        return Err(format!("{key} `{v}` is not a file in the package"));
                    }
                    bar["list"][i][key] = json!(v.trim_start_matches('/'));
                }
            }
        }
        "setTabBarStyle" => {
            for key in ["color", "selectedColor", "backgroundColor", "borderStyle"] {
                if let Some(v) = string(key) {
                    bar[key] = json!(v);
                }
            }
        }
        _ => bar["hidden"] = json!(name == "hideTabBar"),
    }
    send_view(shared, ToView::TabBar { tab_bar: shared.themed(bar.clone()) });
    Ok(())
}
