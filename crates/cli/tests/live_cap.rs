//! A host's cap on live instances (`HostConfig::max_instances`), in each place an instance
//! can run (the host's threads, a worker process of its own — this package's `capsule`
//! binary): launching one more than the cap ends the app longest in the background, with the
//! reason; none is ended while every app is shown.

use std::time::{Duration, Instant};

use capsule_host::{Host, HostConfig, Isolation, LaunchOptions, WorkerProgram};
use capsule_package::LoadOptions;
use capsule_runtime::{Input, InstanceHandle, Output, Query};

const WAIT: Duration = Duration::from_secs(60);

fn alive(h: &InstanceHandle) -> bool {
    h.request(Input::Query { query: Query::Data }, WAIT).iter().any(|o| matches!(o, Output::Answer { .. }))
}

fn ended(h: &InstanceHandle) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        assert!(Instant::now() < deadline, "never ended");
        if let Some(Output::Terminated { reason }) = h.recv(Duration::from_millis(50)) {
            return reason;
        }
    }
}

fn cap(isolation: Isolation) {
    let dir = std::env::temp_dir().join(format!("capsule-live-cap-{isolation:?}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app/pages/a")).unwrap();
    std::fs::write(dir.join("app/app.json"), r#"{"pages": ["pages/a/a"]}"#).unwrap();
    std::fs::write(dir.join("app/app.js"), "App({})").unwrap();
    std::fs::write(dir.join("app/pages/a/a.wxml"), "<view>{{n}}</view>").unwrap();
    std::fs::write(dir.join("app/pages/a/a.js"), "Page({ data: { n: 1 } })").unwrap();
    let host = Host::new(HostConfig {
        data_dir: dir.join("data"),
        isolation,
        worker: Some(WorkerProgram::new(env!("CARGO_BIN_EXE_capsule"))),
        max_instances: Some(3),
        ..HostConfig::default()
    })
    .unwrap();
    let app = host.load(dir.join("app"), &LoadOptions::default()).unwrap();
    let launch = || {
        let h = host.launch(&app, LaunchOptions::default());
        h.until_done(WAIT);
        h
    };
    let (a, b, c) = (launch(), launch(), launch());
    // Hidden first, a is the one longest in the background; b was hidden after it.
    a.request(Input::Hide, WAIT);
    b.request(Input::Hide, WAIT);
    let d = launch();
    assert_eq!(ended(&a), "ended to make room: 3 apps at most, the one longest in the background goes first");
    for h in [&b, &c, &d] {
        assert!(alive(h), "{isolation:?}");
    }
    // Every app shown: one more still starts, and none is ended for it.
    b.request(Input::Show, WAIT);
    let e = launch();
    for h in [&b, &c, &d, &e] {
        assert!(alive(h), "{isolation:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn past_the_cap_the_app_longest_in_the_background_goes_on_the_hosts_threads() {
    cap(Isolation::InProcess);
}

#[test]
fn past_the_cap_the_app_longest_in_the_background_goes_in_worker_processes() {
    cap(Isolation::Process);
}
