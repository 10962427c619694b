//! What the browser tests share: the simulator started as `capsule run` starts it, and a
//! plain page server beside it.

use capsule_host::{Simulator, device};
use capsule_package::{LoadOptions, Package};
use capsule_runtime::Limits;

/// Starts a simulator on the package in `dir` with a bridge of its own (data under a folder
/// named after `data`), in development, as `capsule run` is by default: pages on 127.0.0.1
/// are reachable. It runs until the sender is dropped or used.
pub async fn start(dir: &std::path::Path, data: &str) -> (Simulator, tokio::sync::oneshot::Sender<()>) {
    let package = Package::load(dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let (program, diags) = capsule_template::compile_package(&package);
    assert!(!diags.has_errors(), "{diags}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let prompter = std::sync::Arc::new(capsule_host::ViewPrompter::default());
    let options = capsule_bridge::Options {
        prompter: Some(prompter.clone()),
        data_dir: std::env::temp_dir().join(format!("capsule-e2e-data-{data}-{}", std::process::id())),
        dev: true,
        ..Default::default()
    };
    let service = capsule_bridge::service::Service::start(capsule_bridge::Bridge::new(options));
    let api: std::sync::Arc<dyn capsule_bridge::service::ApiHost> =
        service.client(capsule_bridge::App::of(&package.manifest));
    let sim = Simulator::start(
        package,
        program,
        0,
        device("iphone-se").unwrap(),
        Limits::default(),
        Some(api),
        Some(prompter),
        async move {
            let _ = stopped.await;
        },
    )
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
