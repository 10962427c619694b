//! What an app causes the host to hold counts against its own budget, and a busy app does not
//! hold up its neighbours on the same logic threads.

mod common;

use std::sync::Arc;
use std::time::Duration;

use capsule_package::Package;
use capsule_runtime::{ApiSurface, Input, InstanceSender, Limits, Output, Pool, PoolConfig, Query, Spawn};
use capsule_template::Program;
use common::{WAIT, app, logs, package, terminated};
use serde_json::json;

fn small_host() -> Limits {
    Limits { host: 8 * 1024 * 1024, callback_cpu: Duration::from_secs(20), ..Limits::default() }
}

fn launch(
    pool: &Pool,
    files: &[(String, String)],
    limits: Limits,
) -> (capsule_runtime::InstanceHandle, Vec<Output>) {
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    let handle = pool.spawn(package, program, limits);
    let out = handle.request(Input::Launch { path: None }, WAIT);
    (handle, out)
}

#[test]
fn console_lines_of_one_callback_count_against_the_host_budget() {
    let pool = Pool::new(1);
    let files = app(&[(
        "pages/a/a.js",
        "Page({ onLoad() { const s = 'x'.repeat(16000); for (;;) console.log(s) } })",
    )]);
    let (_h, out) = launch(&pool, &files, small_host());
    assert_eq!(
        terminated(&out).as_deref(),
        Some("host limit 8 MiB exceeded: outputs of one callback (patches, console lines)")
    );
    let kept: usize = logs(&out).iter().map(String::len).sum();
    assert!(kept <= 8 * 1024 * 1024, "{kept} bytes of console kept");
}

#[test]
fn data_deleted_from_this_data_still_counts_on_the_host() {
    // The script keeps its own heap small; the host's copy of the page data grows.
    let pool = Pool::new(1);
    let files = app(&[(
        "pages/a/a.js",
        "Page({ onLoad() { const big = 'y'.repeat(1 << 19); \
           for (let i = 0; ; i++) { this.setData({ ['k' + i]: big }); delete this.data['k' + i] } } })",
    )]);
    let (_h, out) = launch(&pool, &files, small_host());
    assert_eq!(terminated(&out).as_deref(), Some("host limit 8 MiB exceeded: page data"));
}

#[test]
fn replacing_rendered_data_again_and_again_is_not_a_breach() {
    // Each tap renders half a MiB: the estimate of the data grows by as much each time, and
    // once it neared the budget the patches were refused as if the data were all still held.
    let pool = Pool::new(1);
    let files = app(&[
        ("pages/a/a.wxml", "<view id=\"go\" bindtap=\"go\">{{big}}</view>"),
        (
            "pages/a/a.js",
            "Page({ data: { big: '' }, n: 0, go() { this.n++; this.setData({ big: 'z'.repeat(1 << 19) + this.n }); console.log('tap ' + this.n) } })",
        ),
    ]);
    let (h, out) = launch(&pool, &files, small_host());
    assert_eq!(terminated(&out), None);
    let found = h.request(Input::Query { query: Query::Find { selector: "#go".into() } }, WAIT);
    let at =
        found.iter().find_map(|o| if let Output::Answer { value } = o { Some(value.clone()) } else { None });
    let at = at.expect("found");
    for n in 1..=40 {
        let out = h.request(
            Input::Event {
                page: at["page"].as_u64().unwrap() as u32,
                node: at["node"].as_u64().unwrap() as u32,
                event: "tap".into(),
                detail: json!({}),
                pointer: Default::default(),
            },
            WAIT,
        );
        assert_eq!(terminated(&out), None, "tap {n}");
        assert!(logs(&out).contains(&format!("tap {n}")), "tap {n}: {:?}", logs(&out));
        assert!(out.iter().any(|o| matches!(o, Output::Patches { .. })), "tap {n} renders");
    }
}

#[test]
fn replacing_data_in_place_is_not_a_breach() {
    // The estimate grows with every setData; the exact weight does not.
    let pool = Pool::new(1);
    let files = app(&[(
        "pages/a/a.js",
        "Page({ onLoad() { const big = 'z'.repeat(1 << 19); \
           for (let i = 0; i < 40; i++) this.setData({ big: big + i }); console.log('kept') } })",
    )]);
    let (h, out) = launch(&pool, &files, small_host());
    assert_eq!(terminated(&out), None);
    assert!(logs(&out).contains(&"kept".to_string()));
    let metrics = h.request(Input::Query { query: Query::Metrics }, WAIT);
    let figures = metrics
        .iter()
        .find_map(|o| if let Output::Answer { value } = o { Some(value.clone()) } else { None });
    let figures = figures.expect("metrics");
    let data = figures["hostData"].as_u64().expect("hostData");
    assert!((1 << 19..=8 << 20).contains(&data), "{figures}");
}

#[test]
fn patches_of_one_callback_count_against_the_host_budget() {
    let pool = Pool::new(1);
    let files = app(&[
        ("pages/a/a.wxml", "<view wx:for=\"{{rows}}\">{{item}}</view>"),
        (
            "pages/a/a.js",
            "Page({ data: { rows: [] }, onReady() { const s = 'p'.repeat(100000); \
               for (let i = 0; ; i++) this.setData({ rows: [s + i, s, s, s, s, s, s, s] }) } })",
        ),
    ]);
    let (_h, out) = launch(&pool, &files, small_host());
    let reason = terminated(&out);
    assert_eq!(
        reason.as_deref(),
        Some("host limit 8 MiB exceeded: outputs of one callback (patches, console lines)")
    );
}

#[test]
fn inputs_waiting_for_a_busy_script_count_against_the_host_budget() {
    let pool = Pool::new(1);
    let files =
        app(&[("pages/a/a.js", "Page({ onShow() { if (this.shown) wx.holdSync(); this.shown = true } })")]);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    // The one sync API keeps the script in its callback until the test has sent the answers:
    // no clock decides whether they pile up.
    let (go, held) = std::sync::mpsc::channel::<()>();
    let held = std::sync::Mutex::new(held);
    let h = with_api(&pool, package, program, small_host(), "hold", move |_| {
        let _ = held.lock().unwrap().recv_timeout(WAIT);
        json!({"errMsg": "holdSync:ok"})
    });
    let out = h.request(Input::Launch { path: None }, WAIT);
    assert_eq!(terminated(&out), None);
    // Answers pile up behind the busy callback: 9 MiB of them is past the budget.
    h.send(Input::Show);
    let chunk = "m".repeat(512 * 1024);
    for seq in 0..18 {
        h.send(Input::ApiEvent { call: 1000 + seq, name: "message".into(), data: json!({ "data": chunk }) });
    }
    go.send(()).unwrap();
    let mut reason = None;
    while let Ok(o) = h.recv_timeout(WAIT) {
        if let Output::Terminated { reason: r } = o {
            reason = Some(r);
            break;
        }
    }
    assert_eq!(reason.as_deref(), Some("host limit 8 MiB exceeded: inputs waiting for the script"));
}

#[test]
fn a_spinning_app_does_not_hold_up_its_neighbour_even_on_one_thread() {
    // One logic thread: the watchdog starts another when it has been busy for a slice.
    let pool = Pool::with_config(PoolConfig { threads: 1, max_threads: 4, slice: Duration::from_millis(20) });
    let spin = app(&[("pages/a/a.js", "Page({ onLoad() { for (;;) {} } })")]);
    let refs: Vec<(&str, &str)> = spin.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    // It would spin for a minute: only the host ends it.
    let spinning =
        pool.spawn(package, program, Limits { callback_cpu: Duration::from_secs(60), ..Limits::default() });
    spinning.send(Input::Launch { path: None });
    let quiet = app(&[]);
    for _ in 0..3 {
        let (_h, out) = launch(&pool, &quiet, Limits::default());
        assert!(logs(&out).contains(&"a.onReady".to_string()), "{out:?}");
    }
    assert!(pool.threads() >= 2);
    // The spinning app is still in its first callback; dropping it ends it there.
    assert!(spinning.recv(Duration::ZERO).is_none_or(|o| !matches!(o, Output::Done)));
    drop(spinning);
}

#[test]
fn dropping_an_instance_in_a_long_callback_ends_it_at_once() {
    // One thread and no extra: the next instance runs only once the spinning one is gone.
    let pool = Pool::with_config(PoolConfig { threads: 1, max_threads: 1, slice: Duration::from_millis(20) });
    let spin = app(&[("pages/a/a.js", "Page({ onLoad() { for (;;) {} } })")]);
    let refs: Vec<(&str, &str)> = spin.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    let spinning =
        pool.spawn(package, program, Limits { callback_cpu: Duration::from_secs(600), ..Limits::default() });
    spinning.send(Input::Launch { path: None });
    drop(spinning);
    // The pool's one thread is free again long before the 600 s budget.
    let quiet = app(&[]);
    let (_h, out) = launch(&pool, &quiet, Limits::default());
    assert!(logs(&out).contains(&"a.onReady".to_string()));
}

/// A CPU budget (wall time) no loaded machine comes near, for tests about other limits.
fn patient() -> Limits {
    Limits { callback_cpu: Duration::from_secs(60), ..Limits::default() }
}

/// `<view wx:for="{{s}}"><text wx:for="{{s}}">.</text></view>` over a 3,000-character string
/// would be nine million nodes.
fn nested_lists(script: &str) -> Vec<(String, String)> {
    app(&[
        ("pages/a/a.wxml", "<view wx:for=\"{{s}}\"><text wx:for=\"{{s}}\">.</text></view>"),
        ("pages/a/a.js", script),
    ])
}

#[test]
fn a_render_past_the_node_limit_ends_the_instance() {
    let pool = Pool::new(1);
    // From the first frame, and from a later setData.
    for script in [
        "Page({ data: { s: 'x'.repeat(3000) } })",
        "Page({ data: { s: '' }, onReady() { this.setData({ s: 'x'.repeat(3000) }) } })",
    ] {
        let (_h, out) = launch(&pool, &nested_lists(script), patient());
        assert_eq!(terminated(&out).as_deref(), Some("render limit: 100000 nodes"), "{script}");
    }
    // The limit is the host's to set.
    let small = Limits { nodes: 500, ..patient() };
    let (_h, out) = launch(&pool, &nested_lists("Page({ data: { s: 'x'.repeat(30) } })"), small.clone());
    assert_eq!(terminated(&out).as_deref(), Some("render limit: 500 nodes"));
    let (_h, out) = launch(&pool, &nested_lists("Page({ data: { s: 'x'.repeat(10) } })"), small);
    assert_eq!(terminated(&out), None);
}

#[test]
fn render_time_counts_against_the_callback_budget() {
    let pool = Pool::new(1);
    let limits = Limits { nodes: usize::MAX, callback_cpu: Duration::from_millis(50), ..Limits::default() };
    let script = "Page({ data: { s: '' }, onReady() { this.setData({ s: 'x'.repeat(3000) }) } })";
    let (_h, out) = launch(&pool, &nested_lists(script), limits);
    assert_eq!(terminated(&out).as_deref(), Some("CPU time limit 50 ms exceeded"));
}

/// An instance offering one API, `name`, whose calls `answer` answers on the logic thread.
fn with_api(
    pool: &Pool,
    package: Arc<Package>,
    program: Arc<Program>,
    limits: Limits,
    name: &str,
    answer: impl Fn(&str) -> serde_json::Value + Send + Sync + 'static,
) -> capsule_runtime::InstanceHandle {
    let mut spawn = Spawn::new(package, program, limits);
    spawn.apis = ApiSurface::new(
        &json!([{"name": name, "sync": true, "plain": false, "positional": [], "returns": null, "group": null}]),
    );
    let outlet = move |from: &InstanceSender, output: Output| match output {
        Output::ApiCall { call, name, .. } => {
            from.send(Input::ApiReply { call, result: answer(&name) });
            None
        }
        other => Some(other),
    };
    spawn.outlet = Some(Arc::new(outlet));
    pool.spawn_with(spawn)
}

#[test]
fn a_panic_in_host_code_ends_that_instance_only() {
    let pool = Pool::with_config(PoolConfig { threads: 1, max_threads: 1, slice: Duration::from_millis(20) });
    let files = app(&[("pages/a/a.js", "Page({ onLoad() { console.log('calling'); wx.boomSync() } })")]);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    for _ in 0..3 {
        // A bug in host code reached from a script: the one API panics.
        let handle = with_api(&pool, package.clone(), program.clone(), Limits::default(), "boom", |_| {
            panic!("boom in the host")
        });
        let out = handle.request(Input::Launch { path: None }, WAIT);
        assert!(logs(&out).contains(&"calling".to_string()), "{out:?}");
        assert_eq!(terminated(&out).as_deref(), Some("internal error in the host: boom in the host"));
        // The instance is gone; asking it is answered by nobody, quickly.
        assert!(handle.request(Input::Query { query: Query::Stack }, Duration::from_secs(1)).is_empty());
    }
    // The one logic thread survived each panic and serves a new instance.
    let (_h, out) = launch(&pool, &app(&[]), Limits::default());
    assert!(logs(&out).contains(&"a.onReady".to_string()));
}

#[test]
fn a_host_ends_an_instance_through_any_sender() {
    let pool = Pool::with_config(PoolConfig { threads: 1, max_threads: 1, slice: Duration::from_millis(20) });
    // Between callbacks, and in the middle of a long one.
    for script in ["Page({})", "Page({ onReady() { setTimeout(() => { for (;;) {} }, 0) } })"] {
        let (h, out) = launch(
            &pool,
            &app(&[("pages/a/a.js", script)]),
            Limits { callback_cpu: Duration::from_secs(600), ..Limits::default() },
        );
        assert_eq!(terminated(&out), None);
        h.sender().end();
        let mut reason = None;
        while let Ok(o) = h.recv_timeout(WAIT) {
            if let Output::Terminated { reason: r } = o {
                reason = Some(r);
                break;
            }
        }
        assert_eq!(reason.as_deref(), Some("ended by the host"), "{script}");
    }
}

#[test]
fn time_blocked_in_sync_calls_counts_against_the_callback_budget() {
    // The budget is the thread's CPU time, which a script waiting on the host barely uses: the
    // wait counts too, or a loop of slow sync calls would hold its thread for ever.
    let pool = Pool::new(1);
    let files = app(&[("pages/a/a.js", "Page({ onLoad() { for (;;) wx.slowSync() } })")]);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (package, program) = package(&refs);
    let limits = Limits { callback_cpu: Duration::from_millis(300), ..Limits::default() };
    // The one sync API answers slowly, as a busy host would.
    let handle = with_api(&pool, package, program, limits, "slow", |_| {
        std::thread::sleep(Duration::from_millis(20));
        json!({"errMsg": "slowSync:ok"})
    });
    let out = handle.request(Input::Launch { path: None }, WAIT);
    assert_eq!(terminated(&out).as_deref(), Some("CPU time limit 300 ms exceeded"));
}
