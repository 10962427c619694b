//! The runtime's boundary is messages: an instance runs with APIs a host provides, and no
//! bridge at all. API calls leave as `Output::ApiCall`, answers come back as
//! `Input::ApiReply` (and `Input::ApiEvent` before them), whether the host answers in an
//! outlet on the logic thread or by reading the handle like any other output.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use capsule_runtime::{ApiSurface, Input, InstanceHandle, InstanceSender, Limits, Output, Pool, Spawn};
use common::{WAIT, app, logs, package};
use serde_json::{Value, json};

fn surface() -> ApiSurface {
    let api = |name: &str, sync: bool| json!({"name": name, "sync": sync, "plain": false, "positional": ["currency"], "returns": "balance", "group": null});
    ApiSurface::new(&json!([api("getBalance", true), api("watchPrice", false), api("silent", true)]))
}

fn spawn(pool: &Pool, script: &str, outlet: Option<Arc<dyn capsule_runtime::Outlet>>) -> InstanceHandle {
    let files = app(&[("pages/a/a.js", script)]);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    let mut spawn = Spawn::new(package, program, Limits::default());
    spawn.apis = surface();
    spawn.outlet = outlet;
    pool.spawn_with(spawn)
}

/// Collects outputs until a console line equal to `last`, or `WAIT`.
fn until(handle: &InstanceHandle, mut out: Vec<Output>, last: &str) -> Vec<String> {
    let deadline = Instant::now() + WAIT;
    while !logs(&out).iter().any(|l| l == last) && Instant::now() < deadline {
        if let Some(o) = handle.recv(Duration::from_millis(100)) {
            out.push(o);
        }
    }
    script_lines(&out)
}

/// The page's own console lines (the test app's `App` logs its lifecycle too).
fn script_lines(out: &[Output]) -> Vec<String> {
    logs(out).into_iter().filter(|l| !l.starts_with("App.")).collect()
}

const SCRIPT: &str = "Page({ onLoad() {\n\
      console.log('sync ' + wx.getBalanceSync('CNY'));\n\
      wx.watchPrice({ item: 7, success: r => { console.log('async ' + r.errMsg + ' ' + r.price); console.log('end') } });\n\
      wx.onPriceTick && wx.onPriceTick(() => {});\n\
    } })";

#[test]
fn a_host_provided_outlet_answers_sync_and_async_calls_without_a_bridge() {
    let pool = Pool::new(1);
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let outlet = move |from: &InstanceSender, output: Output| match output {
        Output::ApiCall { call, name, args, sync } => {
            counted.fetch_add(1, Ordering::Relaxed);
            let result = match (name.as_str(), sync) {
                ("getBalance", true) => {
                    json!({"errMsg": "getBalance:ok", "balance": if args["currency"] == "CNY" { 42 } else { 0 }})
                }
                ("watchPrice", false) => {
                    // Answered later, from another thread, as a provider would.
                    let from = from.clone();
                    let item = args["item"].as_u64().unwrap_or(0);
                    std::thread::spawn(move || {
                        from.send(Input::ApiReply {
                            call,
                            result: json!({"errMsg": "watchPrice:ok", "price": item * 10}),
                        })
                    });
                    return None;
                }
                _ => json!({"errMsg": format!("{name}:fail not supported")}),
            };
            from.send(Input::ApiReply { call, result });
            None
        }
        other => Some(other),
    };
    let handle = spawn(&pool, SCRIPT, Some(Arc::new(outlet)));
    let out = handle.request(Input::Launch { path: None }, WAIT);
    // The calls never reach the handle: the outlet took them.
    assert!(!out.iter().any(|o| matches!(o, Output::ApiCall { .. })), "{out:?}");
    let lines = until(&handle, out, "end");
    assert_eq!(lines, ["sync 42", "async watchPrice:ok 70", "end"], "{lines:?}");
    assert_eq!(calls.load(Ordering::Relaxed), 2);
}

#[test]
fn without_an_outlet_calls_are_outputs_the_host_answers_as_messages() {
    let pool = Pool::new(1);
    let handle = spawn(&pool, SCRIPT, None);
    handle.send(Input::Launch { path: None });
    // The host reads the handle, as a worker's host would read its channel, and answers.
    let deadline = Instant::now() + WAIT;
    let mut out = Vec::new();
    let mut seen = Vec::new();
    while !logs(&out).iter().any(|l| l == "end") && Instant::now() < deadline {
        let Some(o) = handle.recv(Duration::from_millis(100)) else { continue };
        if let Output::ApiCall { call, name, sync, args } = &o {
            seen.push((name.clone(), *sync));
            // The call serialises as the worker transport will carry it.
            let text = serde_json::to_string(&o).unwrap();
            assert_eq!(serde_json::from_str::<Output>(&text).unwrap(), o);
            let result = if *sync {
                json!({"errMsg": "getBalance:ok", "balance": 5})
            } else {
                json!({"errMsg": "watchPrice:ok", "price": args["item"].as_u64().unwrap() + 1})
            };
            // An event first, then the answer.
            if !*sync {
                handle.send(Input::ApiEvent { call: *call, name: "progress".into(), data: json!({}) });
            }
            handle.send(Input::ApiReply { call: *call, result });
            continue;
        }
        out.push(o);
    }
    assert_eq!(seen, [("getBalance".to_string(), true), ("watchPrice".to_string(), false)]);
    assert_eq!(script_lines(&out), ["sync 5", "async watchPrice:ok 8", "end"]);
}

#[test]
fn a_sync_call_nobody_answers_fails_after_the_ceiling_and_a_late_answer_is_dropped() {
    let pool = Pool::new(1);
    let script = "Page({ onLoad() {\n\
          try { wx.silentSync() } catch (e) { console.log(e.message) }\n\
          console.log('again ' + wx.getBalanceSync('CNY'));\n\
        } })";
    let late: Arc<std::sync::Mutex<Option<(InstanceSender, u32)>>> = Arc::default();
    let keep = late.clone();
    let outlet = move |from: &InstanceSender, output: Output| match output {
        Output::ApiCall { call, name, .. } if name == "silent" => {
            *keep.lock().unwrap() = Some((from.clone(), call));
            None
        }
        Output::ApiCall { call, .. } => {
            // The answer to the call the script gave up on comes now, before this one's.
            if let Some((from, old)) = keep.lock().unwrap().take() {
                from.send(Input::ApiReply {
                    call: old,
                    result: json!({"errMsg": "silent:ok", "balance": -1}),
                });
            }
            from.send(Input::ApiReply { call, result: json!({"errMsg": "getBalance:ok", "balance": 9}) });
            None
        }
        other => Some(other),
    };
    let handle = spawn(&pool, script, Some(Arc::new(outlet)));
    let out = handle.request(Input::Launch { path: None }, WAIT);
    assert_eq!(script_lines(&out), ["silentSync:fail timeout", "again 9"], "{out:?}");
}

#[test]
fn ending_an_instance_wakes_a_script_waiting_on_a_sync_call() {
    let pool = Pool::new(1);
    let script = "Page({ onLoad() { for (;;) { try { wx.silentSync() } catch (e) {} } } })";
    let parked = Arc::new(AtomicUsize::new(0));
    let seen = parked.clone();
    let outlet = move |_: &InstanceSender, output: Output| match output {
        Output::ApiCall { .. } => {
            seen.fetch_add(1, Ordering::Relaxed);
            None
        }
        other => Some(other),
    };
    let limits = Limits { callback_cpu: Duration::from_secs(600), ..Limits::default() };
    let files = app(&[("pages/a/a.js", script)]);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    let mut spawn = Spawn::new(package, program, limits);
    spawn.apis = surface();
    spawn.outlet = Some(Arc::new(outlet));
    let handle = pool.spawn_with(spawn);
    handle.send(Input::Launch { path: None });
    let deadline = Instant::now() + WAIT;
    while parked.load(Ordering::Relaxed) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    handle.sender().end();
    let mut reason = None;
    while let Some(o) = handle.recv(WAIT) {
        if let Output::Terminated { reason: r } = o {
            reason = Some(r);
            break;
        }
    }
    assert_eq!(reason.as_deref(), Some("ended by the host"));
}

#[test]
fn an_api_call_serialises_with_its_fields() {
    let call = Output::ApiCall {
        call: 3,
        name: "request".into(),
        args: json!({"url": "https://a.example"}),
        sync: false,
    };
    let text: Value = serde_json::to_value(&call).unwrap();
    assert_eq!(
        text,
        json!({"type": "apiCall", "call": 3, "name": "request", "args": {"url": "https://a.example"}, "sync": false})
    );
    let reply: Input =
        serde_json::from_value(json!({"type": "apiReply", "call": 3, "result": {"errMsg": "request:ok"}}))
            .unwrap();
    assert_eq!(reply, Input::ApiReply { call: 3, result: json!({"errMsg": "request:ok"}) });
}

#[test]
fn the_surfaces_apis_are_on_wx_for_in_keys_and_can_i_use_though_made_when_read() {
    let pool = Pool::new(1);
    let script = "Page({ onLoad() {\n\
          const keys = Object.keys(wx);\n\
          console.log(['getBalance', 'getBalanceSync', 'watchPrice', 'silentSync', 'navigateTo'].map(k => keys.includes(k)).join(' '));\n\
          console.log(('watchPriceSync' in wx) + ' ' + ('silent' in wx) + ' ' + wx.canIUse('getBalanceSync') + ' ' + wx.canIUse('nope'));\n\
          console.log(typeof wx.silent + ' ' + (wx.silent === wx.silent) + ' ' + Object.getOwnPropertyDescriptor(wx, 'getBalance').enumerable);\n\
          wx.silent = 1;\n\
          console.log(wx.silent + ' ' + typeof wx.nope + ' ' + typeof wx.getLocation);\n\
          console.log('end');\n\
        } })";
    let handle = spawn(&pool, script, None);
    handle.send(Input::Launch { path: None });
    let lines = until(&handle, Vec::new(), "end");
    assert_eq!(
        lines,
        [
            "true true true true true",
            "false true true false",
            "function true true",
            // A script's own value stays; a platform API the host lacks fails as unsupported.
            "1 undefined function",
            "end"
        ]
    );
}
