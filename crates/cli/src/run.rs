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
    // A package that does not load (its app.json broken, a page's files missing) still opens
    // the simulator when a saved change can fix it: its problems over an empty phone.
    let package = match capsule_package::Package::load(path, options) {
        Ok(package) => {
            crate::print_diagnostics(&package.warnings, color);
            Ok(package)
        }
        Err(error) => {
            crate::print_diagnostics(&error.diagnostics, color);
            if !watch || !path.is_dir() {
                eprintln!("{}: {}", path.display(), crate::summary(&error.diagnostics));
                return Ok(ExitCode::FAILURE);
            }
            Err(error.diagnostics)
        }
    };
    let prompter = std::sync::Arc::new(capsule_host::ViewPrompter::default());
    let host = bridge.host(
        capsule_host::bridge_device(&device),
        Some(prompter.clone()),
        capsule_runtime::Limits::default(),
    )?;
    let host = std::sync::Arc::new(host);
    // Templates and scripts with errors still open the simulator, the errors over the page
    // (as a later change with errors shows them) until a saved change fixes them.
    let (app, problems) = match package {
        Ok(package) => {
            let (program, mut problems) = capsule_template::compile_package(&package);
            problems.extend(capsule_js::syntax_errors(&package).0);
            crate::print_diagnostics(&problems, color);
            let app = host.app(package, program);
            problems.extend(app.style_warnings().errors().cloned());
            (Some(app), problems)
        }
        Err(problems) => (None, problems),
    };
    let problems =
        capsule_package::Diagnostics(problems.errors().filter(|d| !d.page_only).cloned().collect());
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
        let setup_device = device.name;
        let setup = capsule_host::SimulatorOptions { port, device, prompter: Some(prompter) };
        let simulator = match app {
            Some(app) => capsule_host::Simulator::start(host, app, setup, shutdown).await,
            None => {
                let text = capsule_host::watch::render(&problems);
                capsule_host::Simulator::start_without_app(host, &text, setup, shutdown).await
            }
        }
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
        // Hot reload: a saved change rebuilds and relaunches the app on the same page. The
        // watcher knows the folder before anything is printed, so a change made after seeing
        // the URL or the problems is never missed.
        let simulator = std::sync::Arc::new(simulator);
        let _watcher = watch.then(|| {
            let (dir, options) = (path.to_path_buf(), options.clone());
            capsule_host::watch::watch_reporting(simulator.clone(), dir, options, WATCH_EVERY, report)
        });
        // The URL alone on stdout's first line, for scripts; the rest is for the person.
        println!("{}", simulator.url());
        eprintln!("capsule run: {} on {}", path.display(), setup_device);
        eprintln!("  open this in a browser: {}", simulator.url());
        if watch {
            eprintln!("  saved changes reload the app; Ctrl-C stops");
        } else {
            eprintln!("  Ctrl-C stops");
        }
        if !problems.is_empty() {
            simulator.show_problems(&capsule_host::watch::render(&problems));
            report_problems(&problems);
        }
        wait_for_signal().await;
        eprintln!("stopping");
        let _ = stop_tx.send(());
        drop(simulator);
        Ok(ExitCode::SUCCESS)
    })
}

/// Tells the terminal what a saved change came to: one line each, the overlay has the rest.
fn report(event: capsule_host::watch::Event) {
    use capsule_host::watch::Event;
    match event {
        Event::Reloaded => eprintln!("reloaded"),
        Event::Problems(problems) => report_problems(&problems),
        Event::Failed(reason) => eprintln!("{reason}"),
    }
}

fn report_problems(problems: &capsule_package::Diagnostics) {
    let n = problems.errors().count();
    let noun = if n == 1 { "error" } else { "errors" };
    eprintln!("build failed, {n} {noun} (shown over the page until a saved change fixes them):");
    for line in capsule_host::watch::short(problems) {
        eprintln!("  {line}");
    }
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
