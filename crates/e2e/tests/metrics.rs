//! `GET /metrics` as a Prometheus server reads it: parsed by the Prometheus project's own
//! Python client (`prometheus-client` from PyPI, installed into a virtual environment under
//! the build's scratch folder the first time), with the figures of a running app checked.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use capsule_host::{Host, HostConfig, Simulator, SimulatorOptions, device};
use capsule_package::{LoadOptions, Package};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(60);
const PROMETHEUS_CLIENT: &str = "prometheus-client==0.26.0";

/// A Python with `prometheus_client`, made once per build folder.
fn python() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("prometheus-venv");
    let python = venv.join("bin/python");
    let ready = |python: &PathBuf| {
        Command::new(python)
            .args(["-c", "import prometheus_client.openmetrics.parser"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ready(&python) {
        let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status().expect("python3");
        assert!(made.success(), "python3 -m venv {}", venv.display());
        let pip = venv.join("bin/pip");
        let installed =
            Command::new(&pip).args(["install", "--quiet", PROMETHEUS_CLIENT]).status().expect("pip");
        assert!(installed.success(), "pip install {PROMETHEUS_CLIENT}");
    }
    python
}

/// The samples of a scrape as the client parses them: `[{name, labels, value}]`.
fn parse(text: &str) -> Vec<Value> {
    let script = "import sys, json\n\
        from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse\n\
        out = [{'name': s.name, 'labels': s.labels, 'value': s.value}\n\
               for f in parse(sys.stdin.read()) for s in f.samples]\n\
        print(json.dumps(out))";
    let mut child = Command::new(python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the parser refused:\n{}\n{text}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

fn sample(samples: &[Value], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| s["name"] == name && labels.iter().all(|(k, v)| s["labels"][k] == *v))
        .and_then(|s| s["value"].as_f64())
}

async fn scrape(sim: &Simulator) -> String {
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = client.get(format!("http://127.0.0.1:{}/metrics", sim.addr.port())).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"),
        "{:?}",
        response.headers()
    );
    response.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_as_prometheus_reads_them_and_count_what_the_app_does() {
    let dir = std::env::temp_dir().join(format!("capsule-e2e-metrics-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("app/pages/a")).unwrap();
    std::fs::write(dir.join("app/app.json"), r#"{"pages": ["pages/a/a"]}"#).unwrap();
    std::fs::write(dir.join("app/project.config.json"), r#"{"appid": "wx-metrics"}"#).unwrap();
    std::fs::write(dir.join("app/app.js"), "App({})").unwrap();
    std::fs::write(dir.join("app/pages/a/a.wxml"), "<view>{{n}}</view>").unwrap();
    // A server on 127.0.0.1 that answers one request with five bytes.
    let server = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = server.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut conn, _)) = server.accept() {
            let mut seen = Vec::new();
            let mut buf = [0u8; 1024];
            // The request's head and its 3-byte body.
            while !seen.ends_with(b"abc") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&buf[..n]),
                }
            }
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
        }
    });
    std::fs::write(
        dir.join("app/pages/a/a.js"),
        format!(
            "Page({{ data: {{ n: 0 }}, onLoad() {{ wx.setStorageSync('k', 'v'.repeat(3000)); \
               wx.request({{ url: 'http://127.0.0.1:{port}/x', method: 'POST', data: 'abc', dataType: 'text', \
                 complete: () => this.setData({{ n: 1 }}) }}) }} }})"
        ),
    )
    .unwrap();
    let host = std::sync::Arc::new(
        Host::new(HostConfig { data_dir: dir.join("data"), ..HostConfig::default() }).unwrap(),
    );
    // Before any app: every state is there, at zero.
    let empty = parse(&host.metrics_text());
    for state in ["shown", "background", "suspended"] {
        assert_eq!(sample(&empty, "capsule_instances", &[("state", state)]), Some(0.0), "{state}");
    }
    let package = Package::load(dir.join("app"), &LoadOptions::default()).unwrap();
    let (program, _) = capsule_template::compile_package(&package);
    let app = host.app(package, program);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let setup = SimulatorOptions { port: 0, device: device("iphone-se").unwrap(), prompter: None };
    let sim = Simulator::start(host, app, setup, async move {
        let _ = stopped.await;
    })
    .await
    .unwrap();
    // The app's first page sets its data once its timer fires: its patches are counted.
    let deadline = Instant::now() + WAIT;
    let samples = loop {
        let samples = parse(&scrape(&sim).await);
        if sample(&samples, "capsule_patches_total", &[("app", "wx-metrics")]) >= Some(1.0) {
            break samples;
        }
        assert!(Instant::now() < deadline, "no patches counted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(sample(&samples, "capsule_instances", &[("state", "shown")]), Some(1.0));
    assert!(sample(&samples, "capsule_instance_heap_bytes", &[("app", "wx-metrics")]) > Some(100_000.0));
    assert!(sample(&samples, "capsule_instance_cpu_seconds_total", &[("app", "wx-metrics")]).is_some());
    assert_eq!(
        sample(
            &samples,
            "capsule_api_calls_total",
            &[("app", "wx-metrics"), ("api", "setStorage"), ("result", "ok")]
        ),
        Some(1.0),
        "{samples:#?}"
    );
    let calls = |api: &str| {
        sample(&samples, "capsule_api_calls_total", &[("app", "wx-metrics"), ("api", api), ("result", "ok")])
    };
    assert_eq!(calls("request"), Some(1.0), "{samples:#?}");
    let bytes = |direction: &str| {
        sample(&samples, "capsule_network_bytes_total", &[("app", "wx-metrics"), ("direction", direction)])
    };
    assert_eq!((bytes("sent"), bytes("received")), (Some(3.0), Some(5.0)), "{samples:#?}");
    assert!(
        sample(&samples, "capsule_storage_bytes", &[("app", "wx-metrics")]) >= Some(3000.0),
        "{samples:#?}"
    );
    // A reload ends the running instance: its end is counted by cause.
    sim.reload(
        sim.host().app(
            Package::load(dir.join("app"), &LoadOptions::default()).unwrap(),
            capsule_template::compile_package(
                &Package::load(dir.join("app"), &LoadOptions::default()).unwrap(),
            )
            .0,
        ),
    )
    .unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let samples = parse(&scrape(&sim).await);
        let ended = sample(
            &samples,
            "capsule_terminations_total",
            &[("app", "wx-metrics"), ("reason", "ended_by_host")],
        );
        // One scrape reads the live instances before it writes the counters, so the ending
        // may be counted in the scrape that still saw the old instance live: the next one
        // does not.
        if ended == Some(1.0) && sample(&samples, "capsule_instances", &[("state", "shown")]) == Some(1.0) {
            break;
        }
        assert!(Instant::now() < deadline, "the ending was not counted: {samples:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    let _ = std::fs::remove_dir_all(&dir);
}
