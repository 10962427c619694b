//! The hostile suite beside a neighbour: every case of `examples/hostile/` that runs is
//! launched on a host next to a well-behaved app, in each place an instance can run (the
//! host's logic threads, then a worker process of its own — this package's `capsule`
//! binary). A case that must be ended is ended with its reason; whatever the case does, the
//! neighbour answers a tap while it runs and after. Deadlines only catch hangs.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use capsule_host::{Host, HostConfig, Isolation, LaunchOptions, WorkerProgram};
use capsule_package::LoadOptions;
use capsule_runtime::{Input, InstanceHandle, Limits, Output, Query};

const WAIT: Duration = Duration::from_secs(120);

/// The cases that run (the others are refused by `check`), the CPU budget per callback each
/// gets, and the reasons one of which must end it (`None`: it runs on, contained).
const CASES: &[(&str, u64, Option<&str>)] = &[
    ("microtask-breach", 1000, Some("CPU time limit 1000 ms exceeded")),
    ("microtask-loop", 1000, Some("CPU time limit 1000 ms exceeded")),
    ("rejection-flood", 1000, Some("heap limit 64 MiB exceeded|CPU time limit 1000 ms exceeded")),
    ("heap-bomb-caught", 5000, Some("heap limit 64 MiB exceeded")),
    ("nested-list-of-a-string", 5000, Some("render limit: 100000 nodes")),
    (
        "console-flood",
        5000,
        Some("host limit 64 MiB exceeded: outputs of one callback|CPU time limit 5000 ms exceeded"),
    ),
    ("data-hoard", 5000, Some("host limit 64 MiB exceeded: page data")),
    (
        "patch-flood",
        5000,
        Some("host limit 64 MiB exceeded: outputs of one callback|CPU time limit 5000 ms exceeded"),
    ),
    ("repeated-big-text", 5000, Some("render limit: 64 MiB of text and attributes")),
    ("thrown-values", 5000, None),
    ("deep-recursion", 5000, None),
    ("module-reentry", 5000, None),
    ("timer-flood", 5000, None),
    ("code-from-strings", 5000, None),
    ("deep-data", 5000, None),
    ("storage-huge-key", 5000, None),
];

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capsule-hostile-neighbours-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The neighbour: a tap reads storage through the bridge and sets data.
fn benign(dir: &Path) -> PathBuf {
    let root = dir.join("benign");
    std::fs::create_dir_all(root.join("pages/a")).unwrap();
    std::fs::write(root.join("app.json"), r#"{"pages": ["pages/a/a"]}"#).unwrap();
    std::fs::write(root.join("project.config.json"), r#"{"appid": "benign-neighbour"}"#).unwrap();
    std::fs::write(root.join("app.js"), "App({})").unwrap();
    std::fs::write(root.join("pages/a/a.wxml"), "<view id=\"tap\" bindtap=\"tap\">{{n}} {{v}}</view>")
        .unwrap();
    std::fs::write(
        root.join("pages/a/a.js"),
        "Page({ data: { n: 0 }, onLoad() { wx.setStorageSync('v', 1) }, \
           tap() { this.setData({ n: this.data.n + 1, v: wx.getStorageSync('v') }) } })",
    )
    .unwrap();
    root
}

fn tap(me: &InstanceHandle) {
    let found = me
        .request(Input::Query { query: Query::Find { selector: "#tap".into() } }, WAIT)
        .into_iter()
        .find_map(|o| if let Output::Answer { value } = o { Some(value) } else { None })
        .expect("the neighbour's page answers");
    let (page, node) = (found["page"].as_u64().unwrap() as u32, found["node"].as_u64().unwrap() as u32);
    let out = me.request(
        Input::Event {
            page,
            node,
            event: "tap".into(),
            detail: serde_json::json!({}),
            pointer: Default::default(),
        },
        WAIT,
    );
    assert!(out.iter().any(|o| matches!(o, Output::Patches { .. })), "the neighbour's tap: {out:?}");
}

fn run_all(isolation: Isolation) {
    let dir = scratch(&format!("{isolation:?}"));
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hostile");
    for (i, (name, cpu_ms, reasons)) in CASES.iter().enumerate() {
        let limits = Limits { callback_cpu: Duration::from_millis(*cpu_ms), ..Limits::default() };
        let host = Host::new(HostConfig {
            data_dir: dir.join(format!("data-{i}")),
            limits,
            isolation,
            worker: Some(WorkerProgram::new(env!("CARGO_BIN_EXE_capsule"))),
            ..HostConfig::default()
        })
        .unwrap();
        let me =
            host.launch(&host.load(benign(&dir), &LoadOptions::default()).unwrap(), LaunchOptions::default());
        me.until_done(WAIT);
        let hostile =
            host.load(examples.join(name), &LoadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let other = host.launch(&hostile, LaunchOptions::default());
        let deadline = Instant::now() + WAIT;
        let mut ended = None;
        let mut taps = 0;
        // The neighbour answers while the case runs, until the case is ended (or, for a case
        // that runs on, for a few taps).
        while ended.is_none() && Instant::now() < deadline && (reasons.is_some() || taps < 5) {
            tap(&me);
            taps += 1;
            while let Some(o) = other.recv(Duration::ZERO) {
                if let Output::Terminated { reason } = o {
                    ended = Some(reason);
                }
            }
        }
        match (reasons, &ended) {
            (Some(reasons), Some(reason)) => {
                assert!(
                    reasons.split('|').any(|r| reason.contains(r)),
                    "{name} ({isolation:?}): ended with {reason}"
                )
            }
            (Some(_), None) => panic!("{name} ({isolation:?}) was not ended"),
            (None, Some(reason)) => panic!("{name} ({isolation:?}) was ended: {reason}"),
            (None, None) => {}
        }
        tap(&me);
        drop(other);
        drop(me);
        drop(host);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_case_is_contained_beside_a_neighbour_on_the_hosts_threads() {
    run_all(Isolation::InProcess);
}

#[test]
fn every_case_is_contained_beside_a_neighbour_in_worker_processes() {
    run_all(Isolation::Process);
}
