//! Hot reload ends the running instance whatever state it is in: a reload after an app was
//! ended inside a microtask, or while it loops, leaves the simulator serving (once, an ended
//! instance's teardown aborted the whole process at the next reload).

use std::time::Duration;

use capsule_host::{Host, HostConfig, Isolation, Simulator, SimulatorOptions, WorkerProgram, device};
use capsule_package::{LoadOptions, Package};
use capsule_runtime::Limits;

fn build(dir: &std::path::Path, on_load: &str) -> (Package, capsule_template::Program) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("pages/a")).unwrap();
    std::fs::write(dir.join("app.json"), r#"{"pages": ["pages/a/a"]}"#).unwrap();
    std::fs::write(dir.join("app.js"), "App({})").unwrap();
    std::fs::write(dir.join("pages/a/a.wxml"), "<view>{{n}}</view>").unwrap();
    std::fs::write(
        dir.join("pages/a/a.js"),
        format!("Page({{ data: {{ n: 1 }}, onLoad() {{ {on_load} }} }})"),
    )
    .unwrap();
    let package = Package::load(dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let (program, diags) = capsule_template::compile_package(&package);
    assert!(!diags.has_errors(), "{diags}");
    (package, program)
}

/// Waits until the developer console shows a line containing `text` (60 s at most).
async fn console_shows(sim: &Simulator, text: &str) -> bool {
    let port = sim.addr.port();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        let body = client
            .get(format!("http://127.0.0.1:{port}/capsule-dev/console"))
            .header(capsule_host::SECRET_HEADER, sim.secret())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let lines: serde_json::Value = serde_json::from_str(&body).unwrap();
        if lines["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|l| l["text"].as_str().is_some_and(|t| t.contains(text)))
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

async fn page_status(sim: &Simulator) -> u16 {
    let port = sim.addr.port();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    client.get(format!("http://127.0.0.1:{port}/")).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloading_after_any_ending_keeps_the_simulator_serving() {
    let dir = std::env::temp_dir().join(format!("capsule-e2e-reload-{}", std::process::id()));
    let hostile = [
        // Ended by the CPU budget inside a microtask, with a rejection recorded.
        "Promise.resolve().then(function () { throw 1 }); Promise.resolve().then(function () { while (true) {} })",
        // Still looping when the reload comes.
        "setTimeout(() => { for (;;) {} }, 0)",
        // Alive with pending jobs, timers and an unhandled rejection.
        "setInterval(() => {}, 5); new Promise(() => {}); Promise.reject(new Error('x'))",
    ];
    let (package, program) = build(&dir, hostile[0]);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let limits = Limits { callback_cpu: Duration::from_millis(50), ..Limits::default() };
    let config = HostConfig { data_dir: dir.join("data"), limits, ..HostConfig::default() };
    let host = std::sync::Arc::new(Host::new(config).unwrap());
    let app = host.app(package, program);
    let setup = SimulatorOptions { port: 0, device: device("iphone-se").unwrap(), prompter: None };
    let sim = Simulator::start(host, app, setup, async move {
        let _ = stopped.await;
    })
    .await
    .unwrap();
    assert!(console_shows(&sim, "terminated: CPU time limit 50 ms exceeded").await);
    for round in 1..12 {
        let on_load = format!("console.log('round {round}'); {}", hostile[round % hostile.len()]);
        let (package, program) = build(&dir, &on_load);
        sim.reload(sim.host().app(package, program)).unwrap();
        // The new app got as far as its trouble before the next reload ends it.
        assert!(console_shows(&sim, &format!("round {round}")).await, "round {round}");
        assert_eq!(page_status(&sim).await, 200, "round {round}");
    }
    // Every replaced instance is freed (its pump lets go of it within a second or so): the
    // JS heaps of this process come down to about one app's.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while capsule_js::Engine::heap_in_process() > 4 * 1024 * 1024 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        capsule_js::Engine::heap_in_process() <= 4 * 1024 * 1024,
        "{} bytes",
        capsule_js::Engine::heap_in_process()
    );
    assert_eq!(page_status(&sim).await, 200);
    let _ = stop.send(());
}

/// Starts a simulator on the package in `dir` as it is, its data in a folder of the test's.
async fn serve(
    dir: &std::path::Path,
    name: &str,
) -> (std::sync::Arc<Simulator>, tokio::sync::oneshot::Sender<()>) {
    let package = Package::load(dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let (program, _) = capsule_template::compile_package(&package);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let data_dir = std::env::temp_dir().join(format!("capsule-e2e-data-{name}-{}", std::process::id()));
    let config = HostConfig { data_dir, ..HostConfig::default() };
    let host = std::sync::Arc::new(Host::new(config).unwrap());
    let app = host.app(package, program);
    let setup = SimulatorOptions { port: 0, device: device("iphone-se").unwrap(), prompter: None };
    let sim = Simulator::start(host, app, setup, async move {
        let _ = stopped.await;
    })
    .await
    .unwrap();
    (std::sync::Arc::new(sim), stop)
}

const WAIT: Duration = Duration::from_secs(60);

/// A simulator of `package` on a host made as `config` says, and the way to stop it.
async fn simulate(
    config: HostConfig,
    package: Package,
    program: capsule_template::Program,
) -> (Simulator, tokio::sync::oneshot::Sender<()>) {
    let host = std::sync::Arc::new(Host::new(config).unwrap());
    let app = host.app(package, program);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let setup = SimulatorOptions { port: 0, device: device("iphone-se").unwrap(), prompter: None };
    let sim = Simulator::start(host, app, setup, async move {
        let _ = stopped.await;
    })
    .await
    .unwrap();
    (sim, stop)
}
const OVERLAY_SHOWN: &str = "document.getElementById('capsule-overlay').className === 'show'";
const OVERLAY_TEXT: &str = "document.querySelector('#capsule-overlay pre').textContent";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tag_left_open_or_a_script_syntax_error_shows_over_the_page_even_to_a_late_view() {
    let dir = std::env::temp_dir().join(format!("capsule-e2e-reload-errors-{}", std::process::id()));
    build(&dir, "");
    let (sim, stop) = serve(&dir, "reload-errors").await;
    let _watcher = capsule_host::watch::watch(
        sim.clone(),
        dir.clone(),
        LoadOptions::default(),
        Duration::from_millis(100),
    );
    let mut b = capsule_e2e::Browser::launch(480, 860).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for("(document.querySelector('wx-page wx-view') || {}).textContent === '1'", WAIT).await.unwrap();

    // A tag left open is an error, as the platform's compiler makes it: the overlay says where.
    std::fs::write(dir.join("pages/a/a.wxml"), "<view>{{n}}\n<view>open</view>").unwrap();
    b.wait_for(OVERLAY_SHOWN, WAIT).await.unwrap();
    let shown = b.eval(OVERLAY_TEXT).await.unwrap();
    assert!(shown.as_str().unwrap_or_default().contains("pages/a/a.wxml:1:2"), "{shown}");
    assert!(shown.as_str().unwrap_or_default().contains("<view> is not closed"), "{shown}");

    // Fixed, then a script that does not parse: its place, not its page's failure at run time.
    std::fs::write(dir.join("pages/a/a.wxml"), "<view>{{n}}</view>").unwrap();
    b.wait_for("document.getElementById('capsule-overlay').className === ''", WAIT).await.unwrap();
    std::fs::write(dir.join("pages/a/a.js"), "Page({ data: { n: } })").unwrap();
    b.wait_for(&format!("{OVERLAY_SHOWN} && {OVERLAY_TEXT}.includes('SyntaxError')"), WAIT).await.unwrap();
    let shown = b.eval(OVERLAY_TEXT).await.unwrap();
    assert!(shown.as_str().unwrap_or_default().contains("pages/a/a.js:1:19"), "{shown}");

    // A view that connects now sees the same problems.
    let mut late = capsule_e2e::Browser::launch(480, 860).await.unwrap();
    late.goto(&sim.url()).await.unwrap();
    late.wait_for(&format!("{OVERLAY_SHOWN} && {OVERLAY_TEXT}.includes('pages/a/a.js:1:19')"), WAIT)
        .await
        .unwrap();
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_w3c_app_runs_and_its_pages_say_their_templates_are_not_rendered_yet() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/w3c-hello");
    let (sim, stop) = serve(&dir, "w3c").await;
    let mut b = capsule_e2e::Browser::launch(480, 860).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    let notice = "(document.querySelector('wx-page .capsule-notice') || {}).textContent || ''";
    b.wait_for(&format!("{notice}.startsWith('W3C page templates are not rendered yet')"), WAIT)
        .await
        .unwrap();
    // Not an error: the app runs, and no error overlay covers the page.
    assert_eq!(b.eval("document.getElementById('capsule-overlay').className").await.unwrap(), "");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_that_does_not_load_shows_its_problems_then_runs_once_fixed() {
    let dir = std::env::temp_dir().join(format!("capsule-e2e-reload-unloadable-{}", std::process::id()));
    build(&dir, "");
    std::fs::write(dir.join("app.json"), r#"{"pages": ["pages/a/a"],"#).unwrap();
    let data_dir = std::env::temp_dir().join(format!("capsule-e2e-data-unloadable-{}", std::process::id()));
    let host = std::sync::Arc::new(Host::new(HostConfig { data_dir, ..HostConfig::default() }).unwrap());
    let problems = match capsule_host::watch::build(&host, &dir, &LoadOptions::default()) {
        Ok(_) => panic!("a broken app.json loads"),
        Err(problems) => problems,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let setup = SimulatorOptions { port: 0, device: device("iphone-se").unwrap(), prompter: None };
    let sim = Simulator::start_without_app(host, &problems, setup, async move {
        let _ = stopped.await;
    })
    .await
    .unwrap();
    let sim = std::sync::Arc::new(sim);
    let _watcher = capsule_host::watch::watch(
        sim.clone(),
        dir.clone(),
        LoadOptions::default(),
        Duration::from_millis(100),
    );
    // An empty phone, the problem over it, with its place in app.json.
    let mut b = capsule_e2e::Browser::launch(480, 860).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for(&format!("{OVERLAY_SHOWN} && {OVERLAY_TEXT}.includes('app.json:1:')"), WAIT).await.unwrap();
    assert_eq!(b.eval("document.querySelectorAll('wx-page').length").await.unwrap(), 0);
    // The simulator serves with no app.
    assert_eq!(page_status(&sim).await, 200);

    std::fs::write(dir.join("app.json"), r#"{"pages": ["pages/a/a"]}"#).unwrap();
    b.wait_for("(document.querySelector('wx-page wx-view') || {}).textContent === '1'", WAIT).await.unwrap();
    assert_eq!(b.eval("document.getElementById('capsule-overlay').className").await.unwrap(), "");
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_that_ends_shows_why_and_relaunches_in_place() {
    for (name, isolation) in [("in-process", Isolation::InProcess), ("worker", Isolation::Process)] {
        let dir = std::env::temp_dir().join(format!("capsule-e2e-relaunch-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pages/a")).unwrap();
        std::fs::write(dir.join("app.json"), r#"{"pages": ["pages/a/a"]}"#).unwrap();
        std::fs::write(dir.join("app.js"), "App({})").unwrap();
        std::fs::write(
            dir.join("pages/a/a.wxml"),
            "<view id=\"n\" bindtap=\"add\">{{n}}</view><view id=\"spin\" bindtap=\"spin\">spin</view>",
        )
        .unwrap();
        std::fs::write(
            dir.join("pages/a/a.js"),
            "Page({ data: { n: 1 }, add() { this.setData({ n: this.data.n + 1 }) }, spin() { for (;;) {} } })",
        )
        .unwrap();
        let package = Package::load(&dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let (program, _) = capsule_template::compile_package(&package);
        let limits = Limits { callback_cpu: Duration::from_millis(200), ..Limits::default() };
        let config = HostConfig {
            data_dir: dir.join("data"),
            limits,
            isolation,
            worker: Some(WorkerProgram::new(env!("CARGO_BIN_EXE_e2e-worker"))),
            ..HostConfig::default()
        };
        let (sim, stop) = simulate(config, package, program).await;
        let mut b = capsule_e2e::Browser::launch(480, 860).await.unwrap();
        b.goto(&sim.url()).await.unwrap();
        let shows = |n: u32| format!("(document.querySelector('wx-page #n') || {{}}).textContent === '{n}'");
        b.wait_for(&shows(1), WAIT).await.unwrap();
        b.click("wx-page #n").await.unwrap();
        b.wait_for(&shows(2), WAIT).await.unwrap();
        // The app spins past its budget: why it ended shows over the page, with Relaunch.
        b.click("wx-page #spin").await.unwrap();
        let ended = "document.getElementById('capsule-overlay').className === 'show ended'";
        b.wait_for(&format!("{ended} && {OVERLAY_TEXT}.includes('CPU time limit 200 ms exceeded')"), WAIT)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Relaunched, it starts over on the page that was shown, and the overlay goes.
        b.click("#capsule-overlay .relaunch").await.unwrap();
        b.wait_for(
            &format!("{} && document.getElementById('capsule-overlay').className === ''", shows(1)),
            WAIT,
        )
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        b.click("wx-page #n").await.unwrap();
        b.wait_for(&shows(2), WAIT).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        let _ = stop.send(());
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_forges_a_patch_is_ended_and_the_simulator_goes_on() {
    use capsule_runtime::Output;
    use capsule_template::Patch;
    use capsule_template::tree::SnapshotNode;
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("capsule-e2e-forged-{}", std::process::id()));
    let (package, program) = build(&dir, "");
    // A "worker" that says it is confined, opens a page, then moves a node under itself:
    // applied as it is, the host's copy of the page would be a cycle, and walking it (for a
    // view that connects) would never end.
    let node = |id: u32, children: Vec<SnapshotNode>| SnapshotNode {
        id,
        tag: Some("view".into()),
        text: None,
        attrs: Vec::new(),
        listeners: Vec::new(),
        children,
    };
    let frames: Vec<Vec<u8>> = vec![
        br#"{"version":1,"confinement":{"Ok":{"landlock":"x","seccomp":true,"no_new_privs":true,"address_space":0}}}"#
            .to_vec(),
        serde_json::to_vec(&Output::PageOpened {
            page: 1,
            route: "pages/a/a".into(),
            query: Default::default(),
            snapshot: Patch::Snapshot { tree: node(1, vec![node(2, vec![node(3, Vec::new())])]) },
        })
        .unwrap(),
        serde_json::to_vec(&Output::Patches { page: 1, patches: vec![Patch::Move { id: 2, parent: 3, before: None }] })
            .unwrap(),
    ];
    let mut bytes = Vec::new();
    for f in frames {
        bytes.extend_from_slice(&(f.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&f);
    }
    std::fs::write(dir.join("frames"), bytes).unwrap();
    let script = dir.join("worker.sh");
    std::fs::write(
        &script,
        format!("#!/bin/sh\n/bin/cat {} >&3\nexec /bin/cat <&3 >/dev/null\n", dir.join("frames").display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = HostConfig {
        data_dir: dir.join("data"),
        isolation: Isolation::Process,
        worker: Some(WorkerProgram::new(&script)),
        ..HostConfig::default()
    };
    let (sim, stop) = simulate(config, package, program).await;
    assert!(
        console_shows(
            &sim,
            "terminated: the host's copy of the page refused a patch: node 2 would be placed inside itself"
        )
        .await
    );
    // The page a view gets is the copy from before the forged patch.
    assert_eq!(page_status(&sim).await, 200);
    let mut b = capsule_e2e::Browser::launch(480, 860).await.unwrap();
    b.goto(&sim.url()).await.unwrap();
    b.wait_for(&format!("{ENDED} && document.querySelectorAll('wx-page wx-view').length === 2"), WAIT)
        .await
        .unwrap();
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}

const ENDED: &str = "document.getElementById('capsule-overlay').className === 'show ended'";
