//! What the browser tests share: the simulator started as `capsule run` starts it, and a
//! plain page server beside it.

use capsule_host::{Host, HostConfig, Simulator, SimulatorOptions, device};
use capsule_package::{LoadOptions, Package};

/// Starts a simulator on the package in `dir` on a host of its own (data under a folder
/// named after `data`), in development, as `capsule run` is by default: pages on 127.0.0.1
/// are reachable. It goes through the embedding API as `capsule run` does. It runs until the sender is dropped or used.
pub async fn start(dir: &std::path::Path, data: &str) -> (Simulator, tokio::sync::oneshot::Sender<()>) {
    let package = Package::load(dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let (program, diags) = capsule_template::compile_package(&package);
    assert!(!diags.has_errors(), "{diags}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let prompter = std::sync::Arc::new(capsule_host::ViewPrompter::default());
    let device = device("iphone-se").unwrap();
    let config = HostConfig {
        prompter: Some(prompter.clone()),
        data_dir: std::env::temp_dir().join(format!("capsule-e2e-data-{data}-{}", std::process::id())),
        device: capsule_host::bridge_device(&device),
        ..HostConfig::default()
    };
    let host = std::sync::Arc::new(Host::new(config).unwrap());
    let app = host.app(package, program);
    let setup = SimulatorOptions { port: 0, device, prompter: Some(prompter) };
    let sim = Simulator::start(host, app, setup, async move {
        let _ = stopped.await;
    })
    .await
    .unwrap();
    (sim, stop)
}

/// Serves `html` to every request on a free 127.0.0.1 port until the task is aborted or the
/// test ends. Returns its origin.
pub async fn serve_html(html: &'static str) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{html}",
                html.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
        }
    });
    (origin, task)
}
