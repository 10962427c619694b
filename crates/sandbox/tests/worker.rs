//! Worker processes: what a confined worker cannot do (seen from inside by the probe and
//! from outside through /proc), that an app behaves the same in a worker as in the host's
//! own threads, and that a worker which dies, is killed or lies on its channel is ended with
//! the reason while the host and a neighbour go on. Deadlines only catch hangs.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, InstanceHandle, InstanceSender, Limits, Output, Pool, Query, Spawn};
use capsule_sandbox::{WorkerProgram, frame};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "capsule-sandbox-{}-{name}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn package(files: &[(&str, &str)]) -> Arc<Package> {
    let dir = scratch("app");
    for (path, text) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    let package = Package::load(&dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    Arc::new(package)
}

/// A counter page that logs its lifecycle, keeps a timer, reads a sync API and the time zone.
fn counter() -> Arc<Package> {
    package(&[
        ("app.json", r#"{"pages": ["pages/index/index", "pages/two/two"]}"#),
        ("app.js", "App({ onLaunch() { console.log('launch') }, onShow() { console.log('app show') } })"),
        (
            "pages/index/index.js",
            "Page({ data: { n: 0, rows: [] }, \
               onLoad(q) { console.log('load ' + JSON.stringify(q)); \
                 console.log('zone ' + new Date(0).getTimezoneOffset()); \
                 setTimeout(() => this.setData({ rows: [1, 2, 3] }), 1) }, \
               onShow() { console.log('show') }, \
               add() { this.setData({ n: this.data.n + 1 }); \
                 console.log('stored ' + JSON.stringify(wx.getStorageSync('k'))) }, \
               go() { wx.navigateTo({ url: '/pages/two/two?x=1' }) } })",
        ),
        (
            "pages/index/index.wxml",
            "<view id=\"add\" bindtap=\"add\">{{n}}</view><view id=\"go\" bindtap=\"go\">go</view>\
             <view wx:for=\"{{rows}}\">{{item}}</view>",
        ),
        ("pages/two/two.js", "Page({ onLoad(q) { console.log('two ' + q.x) } })"),
        ("pages/two/two.wxml", "<text>two</text>"),
    ])
}

fn test_worker() -> WorkerProgram {
    WorkerProgram::new(env!("CARGO_BIN_EXE_sandbox-test-worker"))
}

/// Answers every API call at once, as a bridge would: `getStorage` with `{data: 42}`.
fn answering() -> Arc<dyn capsule_runtime::Outlet> {
    Arc::new(|from: &InstanceSender, output: Output| match output {
        Output::ApiCall { call, name, .. } => {
            from.send(Input::ApiReply { call, result: json!({"errMsg": format!("{name}:ok"), "data": 42}) });
            None
        }
        other => Some(other),
    })
}

fn spawn_of(package: &Arc<Package>, limits: Limits) -> Spawn {
    let (program, _) = capsule_template::compile_package(package);
    let mut spawn = Spawn::new(package.clone(), Arc::new(program), limits);
    spawn.apis = capsule_runtime::ApiSurface::new(
        &json!([{"name": "getStorage", "sync": true, "positional": ["key"], "returns": "data"}
        ]),
    );
    spawn.outlet = Some(answering());
    spawn
}

fn find(handle: &InstanceHandle, selector: &str) -> (u32, u32) {
    let found = answer(handle, Query::Find { selector: selector.into() });
    (found["page"].as_u64().expect("found") as u32, found["node"].as_u64().expect("found") as u32)
}

fn answer(handle: &InstanceHandle, query: Query) -> Value {
    handle
        .request(Input::Query { query }, WAIT)
        .into_iter()
        .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
        .expect("an answer")
}

fn tap(handle: &InstanceHandle, selector: &str) -> Vec<Output> {
    let (page, node) = find(handle, selector);
    handle.request(
        Input::Event { page, node, event: "tap".into(), detail: json!({}), pointer: Default::default() },
        WAIT,
    )
}

/// Outputs as comparable text (JSON), with what may differ between runs taken out: nothing.
fn text(outputs: &[Output]) -> Vec<String> {
    outputs.iter().map(|o| serde_json::to_string(o).unwrap()).collect()
}

/// Waits until the page shows the timer's rows, collecting what came meanwhile.
fn until_rows(handle: &InstanceHandle) -> Vec<Output> {
    let deadline = Instant::now() + WAIT;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let data = answer(handle, Query::Data);
        if data["rows"].as_array().is_some_and(|r| r.len() == 3) {
            return seen;
        }
        seen.extend(handle.drain(Duration::from_millis(20)));
    }
    panic!("the timer's rows never came");
}

/// One scripted session: launch, the timer, two taps (one with a sync API call), a
/// navigation, queries of the page's data and HTML.
fn session(handle: &InstanceHandle) -> Vec<String> {
    let mut all = text(&handle.until_done(WAIT));
    until_rows(handle);
    all.push(answer(handle, Query::Html).to_string());
    all.extend(text(&tap(handle, "#add")));
    all.extend(text(&tap(handle, "#add")));
    all.push(answer(handle, Query::Data).to_string());
    all.extend(text(&tap(handle, "#go")));
    all.push(answer(handle, Query::Html).to_string());
    all
}

#[test]
fn an_app_behaves_the_same_in_a_worker_as_in_the_hosts_threads() {
    let package = counter();
    let pool = Pool::new(1);
    let here = pool.spawn_with(spawn_of(&package, Limits::default()));
    here.send(Input::Launch { path: Some("pages/index/index?a=1".into()) });
    let there = capsule_sandbox::spawn(&test_worker(), spawn_of(&package, Limits::default()));
    there.send(Input::Launch { path: Some("pages/index/index?a=1".into()) });
    let (here, there) = (session(&here), session(&there));
    assert!(here.iter().any(|o| o.contains("stored 42")), "{here:#?}");
    assert!(here.iter().any(|o| o.contains("two 1")), "{here:#?}");
    assert_eq!(here, there);
}

#[test]
fn a_page_as_deep_as_a_page_may_be_renders_the_same_in_a_worker() {
    // Deeper than serde_json's default limit of 128 levels: the host reads it all the same.
    let wxml = format!("{}{{{{n}}}}{}", "<view>".repeat(190), "</view>".repeat(190));
    let package = package(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("app.js", "App({})"),
        (
            "pages/index/index.js",
            "Page({ data: { n: 7, deep: null }, \
               onLoad() { let d = {}; for (let i = 0; i < 400; i++) d = { d }; this.setData({ deep: d }) } })",
        ),
        ("pages/index/index.wxml", wxml.as_str()),
    ]);
    let pool = Pool::new(1);
    let here = pool.spawn_with(spawn_of(&package, Limits::default()));
    let there = capsule_sandbox::spawn(&test_worker(), spawn_of(&package, Limits::default()));
    let mut seen = Vec::new();
    for h in [&here, &there] {
        h.send(Input::Launch { path: None });
        let opened = h.until_done(WAIT);
        assert!(opened.iter().any(|o| matches!(o, Output::PageOpened { .. })), "{opened:?}");
        seen.push((answer(h, Query::Html), answer(h, Query::Data)));
    }
    assert!(seen[0].0.to_string().contains('7'));
    assert_eq!(seen[0], seen[1]);
}

#[test]
fn a_worker_keeps_the_local_time_zone_it_cannot_read_any_more() {
    // The zone file is read before Landlock shuts every file away.
    let zone = |spawned: &InstanceHandle| {
        spawned
            .until_done(WAIT)
            .into_iter()
            .find_map(|o| match o {
                Output::Log { text, .. } if text.starts_with("zone ") => Some(text),
                _ => None,
            })
            .expect("the zone line")
    };
    // SAFETY of the test: no other thread of this test reads TZ while it is set.
    let package = counter();
    let h = capsule_sandbox::spawn(&worker_with_zone("Asia/Shanghai"), spawn_of(&package, Limits::default()));
    h.send(Input::Launch { path: None });
    assert_eq!(zone(&h), "zone -480");
}

/// The test worker, started through a shell that sets TZ (the host passes its own TZ on;
/// this test does not change its own environment).
fn worker_with_zone(zone: &str) -> WorkerProgram {
    let dir = scratch("zone");
    let script = dir.join("worker.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nTZ=:{zone} exec {} \"$@\"\n", env!("CARGO_BIN_EXE_sandbox-test-worker")),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    WorkerProgram::new(script)
}

fn status_field(pid: u32, task: &str, field: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/task/{task}/status")).unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix(field).map(|v| v.trim().to_string())).unwrap_or_default()
}

/// The names in a folder of /proc.
fn names(path: String) -> Vec<String> {
    std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Checks from outside that every thread of `pid` is filtered and has no new privileges,
/// and that it holds no descriptor but its channel; gives how many threads it has.
fn confined_from_outside(pid: u32) -> usize {
    let tasks = names(format!("/proc/{pid}/task"));
    for task in &tasks {
        assert_eq!(status_field(pid, task, "Seccomp:"), "2", "task {task}");
        assert_eq!(status_field(pid, task, "NoNewPrivs:"), "1", "task {task}");
    }
    assert_eq!(names(format!("/proc/{pid}/fd")), ["3"]);
    tasks.len()
}

#[test]
fn a_confined_process_can_do_nothing_but_compute_and_talk_on_its_channel() {
    let (mut child, stream) = capsule_sandbox::parent::start_process(
        &WorkerProgram::new(env!("CARGO_BIN_EXE_sandbox-probe")),
        1 << 30,
    )
    .expect("start the probe");
    let report = frame::read(&stream).expect("a frame").expect("the probe's report");
    let tried: BTreeMap<String, String> =
        serde_json::from_slice(&report).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&report)));
    // Seen from outside while it waits.
    confined_from_outside(child.id());
    drop(stream);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");

    let expect = [
        ("open a file", "EPERM"),
        ("open a file from an earlier thread", "EPERM"),
        ("create a file", "EPERM"),
        ("list a folder", "EPERM"),
        ("create a socket", "EPERM"),
        ("create a socket pair", "EPERM"),
        ("fork", "EPERM"),
        ("clone3", "ENOSYS"),
        ("execve", "EPERM"),
        ("ptrace", "EPERM"),
        ("signal another process", "EPERM"),
        ("map executable memory", "EPERM"),
        ("allocate 8 MiB", "done"),
        ("reserve 2 GiB", "refused"),
    ];
    for (what, outcome) in expect {
        assert_eq!(tried.get(what).map(String::as_str), Some(outcome), "{what}: {tried:#?}");
    }
    assert_ne!(tried.get("start a thread").map(String::as_str), Some("done"), "{tried:#?}");
    // Best effort with the kernel's Landlock: where it is enforced, it alone refuses files.
    let landlock = tried.get("landlock").cloned().unwrap_or_default();
    if landlock.contains("enforced") && !landlock.starts_with("not") {
        assert_eq!(
            tried.get("open a file under Landlock alone").map(String::as_str),
            Some("EACCES"),
            "{tried:#?}"
        );
    } else {
        assert!(landlock.starts_with("not enforced"), "{tried:#?}");
    }
}

#[test]
fn a_worker_says_how_it_is_confined() {
    let h = capsule_sandbox::spawn(&test_worker(), spawn_of(&counter(), Limits::default()));
    h.send(Input::Launch { path: None });
    let opened = h.until_done(WAIT);
    assert!(opened.iter().any(|o| matches!(o, Output::PageOpened { .. })), "{opened:?}");
    let (pid, report) = capsule_sandbox::confinement(h.id()).expect("a running worker's report");
    assert!(report.seccomp && report.no_new_privs, "{report:?}");
    assert!(!report.landlock.is_empty());
    assert!(report.address_space > Limits::default().heap as u64, "{report:?}");
    // Every thread (main, logic, watchdog) is filtered and has no new privileges.
    assert!(confined_from_outside(pid) >= 3);
    drop(h);
}

/// Waits for the handle's `Terminated`, returning its reason.
fn ended(handle: &InstanceHandle) -> String {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if let Some(Output::Terminated { reason }) = handle.recv(Duration::from_millis(100)) {
            return reason;
        }
    }
    panic!("the instance never ended");
}

fn neighbour_answers(neighbour: &InstanceHandle) {
    let outputs = tap(neighbour, "#add");
    assert!(outputs.iter().any(|o| matches!(o, Output::Patches { .. })), "{outputs:?}");
}

#[test]
fn a_killed_worker_is_reported_and_its_neighbour_goes_on() {
    let package = counter();
    let victim = capsule_sandbox::spawn(&test_worker(), spawn_of(&package, Limits::default()));
    victim.send(Input::Launch { path: None });
    victim.until_done(WAIT);
    let neighbour = capsule_sandbox::spawn(&test_worker(), spawn_of(&package, Limits::default()));
    neighbour.send(Input::Launch { path: None });
    neighbour.until_done(WAIT);
    let (pid, _) = capsule_sandbox::confinement(victim.id()).expect("running");
    // SAFETY of the test: `pid` is the victim's worker, not yet reaped (its host reaps it).
    std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    assert_eq!(ended(&victim), "worker exited: signal 9");
    assert!(capsule_sandbox::confinement(victim.id()).is_none());
    neighbour_answers(&neighbour);
}

#[test]
fn ending_a_worker_is_ending_the_instance() {
    let h = capsule_sandbox::spawn(&test_worker(), spawn_of(&counter(), Limits::default()));
    h.send(Input::Launch { path: None });
    h.until_done(WAIT);
    h.sender().end();
    assert_eq!(ended(&h), "ended by the host");
}

#[test]
fn budgets_end_the_instance_inside_its_worker_with_the_same_reasons() {
    let package = package(&[
        ("app.json", r#"{"pages": ["pages/index/index"]}"#),
        ("app.js", "App({})"),
        (
            "pages/index/index.js",
            "Page({ spin() { for (;;) {} }, grow() { const a = []; for (;;) a.push('x'.repeat(1000) + a.length) } })",
        ),
        (
            "pages/index/index.wxml",
            "<view id=\"spin\" bindtap=\"spin\">s</view><view id=\"grow\" bindtap=\"grow\">g</view>",
        ),
    ]);
    let limits = Limits { callback_cpu: Duration::from_millis(300), heap: 16 << 20, ..Limits::default() };
    for (selector, reason) in [("#spin", "CPU time limit"), ("#grow", "heap limit")] {
        let h = capsule_sandbox::spawn(&test_worker(), spawn_of(&package, limits.clone()));
        h.send(Input::Launch { path: None });
        h.until_done(WAIT);
        let outputs = tap(&h, selector);
        let said = outputs
            .iter()
            .find_map(|o| if let Output::Terminated { reason } = o { Some(reason.clone()) } else { None })
            .unwrap_or_else(|| panic!("{selector}: {outputs:?}"));
        assert!(said.starts_with(reason), "{selector}: {said}");
    }
}

/// A worker program that is a shell script writing `bytes` to its channel.
fn lying_worker(bytes: &[u8]) -> WorkerProgram {
    let dir = scratch("liar");
    let data = dir.join("frames");
    std::fs::write(&data, bytes).unwrap();
    let script = dir.join("worker.sh");
    // It then reads whatever the host sends until the host closes the channel.
    std::fs::write(
        &script,
        format!("#!/bin/sh\n/bin/cat {} >&3\nexec /bin/cat <&3 >/dev/null\n", data.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    WorkerProgram::new(script)
}

fn framed(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    frame::write(&mut out, payload).unwrap();
    out
}

#[test]
fn a_worker_that_lies_on_its_channel_is_ended_and_the_host_goes_on() {
    let ready = framed(
        br#"{"version":1,"confinement":{"Ok":{"landlock":"x","seccomp":true,"no_new_privs":true,"address_space":0}}}"#,
    );
    let package = counter();
    let neighbour = capsule_sandbox::spawn(&test_worker(), spawn_of(&package, Limits::default()));
    neighbour.send(Input::Launch { path: None });
    neighbour.until_done(WAIT);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"garbage".to_vec(), "worker sent an invalid frame: "),
        (framed(b"not json"), "worker sent an invalid frame: "),
        ([ready.clone(), framed(br#"{"kind":"nonsense"}"#)].concat(), "worker sent an invalid frame: "),
        (
            [ready.clone(), u32::MAX.to_le_bytes().to_vec()].concat(),
            "worker sent an invalid frame: a frame of",
        ),
        // Begun and never finished: ended once it stalls for FRAME_STALL.
        (
            [ready.clone(), vec![5, 0, 0, 0, b'{']].concat(),
            "worker sent an invalid frame: it stopped inside a frame",
        ),
        (
            framed(br#"{"version":7,"confinement":{"Err":"x"}}"#),
            "the instance could not start: the worker speaks",
        ),
        // Nested past any page's tree: refused before a parser recurses into it.
        (
            [ready.clone(), framed(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).as_bytes())]
                .concat(),
            "worker sent an invalid frame: nested 100000 levels deep",
        ),
        (
            framed(br#"{"version":1,"confinement":{"Err":"no seccomp"}}"#),
            "the instance could not start: the worker could not confine itself: no seccomp",
        ),
    ];
    for (bytes, reason) in cases {
        let h = capsule_sandbox::spawn(&lying_worker(&bytes), spawn_of(&package, Limits::default()));
        h.send(Input::Launch { path: None });
        let said = ended(&h);
        assert!(said.starts_with(reason), "{said:?} for {:?}", String::from_utf8_lossy(&bytes));
    }
    // Outputs faster than the host takes them: past the host budget, the worker goes.
    let log = serde_json::to_vec(&Output::Log {
        level: "log".into(),
        text: "x".repeat(10_000),
        source: String::new(),
    })
    .unwrap();
    let flood: Vec<u8> =
        [ready.clone()].into_iter().chain((0..300).map(|_| framed(&log))).flatten().collect();
    // Nothing is taken off the handle until the outlet saw the end go by.
    let (ended_tx, ended_rx) = std::sync::mpsc::channel();
    let mut spawn = spawn_of(&package, Limits { host: 1024 * 1024, ..Limits::default() });
    let ended_tx = std::sync::Mutex::new(ended_tx);
    spawn.outlet = Some(Arc::new(move |_: &InstanceSender, output: Output| {
        if matches!(output, Output::Terminated { .. }) {
            let _ = ended_tx.lock().unwrap().send(());
        }
        Some(output)
    }));
    let h = capsule_sandbox::spawn(&lying_worker(&flood), spawn);
    ended_rx.recv_timeout(WAIT).expect("the flooding worker was ended");
    assert_eq!(ended(&h), "host limit 1 MiB exceeded: outputs waiting for the host");
    // A program that is not there.
    let h = capsule_sandbox::spawn(
        &WorkerProgram::new("/nonexistent/capsule"),
        spawn_of(&package, Limits::default()),
    );
    assert!(ended(&h).starts_with("the instance could not start: the worker /nonexistent/capsule: "));
    neighbour_answers(&neighbour);
}
