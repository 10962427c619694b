//! Hot reload ends the running instance whatever state it is in: a reload after an app was
//! ended inside a microtask, or while it loops, leaves the simulator serving (once, an ended
//! instance's teardown aborted the whole process at the next reload).

use std::time::Duration;

use capsule_host::{Host, HostConfig, Simulator, SimulatorOptions, device};
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
