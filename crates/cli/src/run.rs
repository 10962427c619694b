//! `capsule run`: the simulator in a browser.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use capsule_package::LoadOptions;

pub fn run(
    path: &Path,
    port: u16,
    device: &str,
    watch: bool,
    bridge: &crate::BridgeArgs,
    color: bool,
    options: &LoadOptions,
) -> anyhow::Result<ExitCode> {
    let Some(device) = capsule_host::device(device) else {
        let names: Vec<_> = capsule_host::DEVICES.iter().map(|d| d.name).collect();
        bail!("unknown device `{device}`; devices are: {}", names.join(", "));
    };
    let Some(package) = crate::load_reporting(path, color, options) else { return Ok(ExitCode::FAILURE) };
    let Some(program) = crate::compile_reporting(&package, path, color) else { return Ok(ExitCode::FAILURE) };
    let prompter = std::sync::Arc::new(capsule_host::ViewPrompter::default());
    let host = bridge.host(
        capsule_host::bridge_device(&device),
        Some(prompter.clone()),
        capsule_runtime::Limits::default(),
    )?;
    let host = std::sync::Arc::new(host);
    let app = host.app(package, program);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stop_rx.await;
        };
        let setup = capsule_host::SimulatorOptions { port, device, prompter: Some(prompter) };
        let simulator = capsule_host::Simulator::start(host, app, setup, shutdown)
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
        println!("{}", simulator.url());
        // Hot reload: a saved change rebuilds and relaunches the app on the same page.
        let simulator = std::sync::Arc::new(simulator);
        let _watcher = watch.then(|| {
            capsule_host::watch::watch(simulator.clone(), path.to_path_buf(), options.clone(), WATCH_EVERY)
        });
        wait_for_signal().await;
        eprintln!("stopping");
        let _ = stop_tx.send(());
        drop(simulator);
        Ok(ExitCode::SUCCESS)
    })
}

/// How often the package folder is checked for changes.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_millis(300);

/// Ctrl-C (SIGINT) or SIGTERM.
async fn wait_for_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
