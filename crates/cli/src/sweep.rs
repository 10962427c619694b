//! `capsule sweep DIR`: the compatibility sweep. Every app found under a folder is loaded as
//! `run` loads it, and every page of it is launched on its own headless instance (the same
//! host `exec` uses); each page is then *clean* (it opened and said no error), *errors* (it
//! opened, but the console or an uncaught error reported some) or *failed* (it did not open:
//! the app did not load, or the instance ended). A summary follows: how much of what was
//! found runs cleanly, which is the figure to move.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use capsule_package::{LoadOptions, Package};
use capsule_runtime::{Input, Output, Query};
use serde_json::{Value, json};

/// How long one page may take to open and settle.
const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

/// Folders deep the search for apps goes below the folder given.
const MAX_DEPTH: usize = 6;

/// What became of one page.
#[derive(Debug, PartialEq)]
enum Verdict {
    Clean,
    Errors(Vec<String>),
    Failed(String),
}

/// Folders that hold an app: `project.config.json`, `app.json` or a W3C `manifest.json`. A
/// folder that holds one is not searched further (its `miniprogramRoot` is the app's).
fn find_apps(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((folder, depth)) = stack.pop() {
        let is_app =
            ["project.config.json", "app.json", "manifest.json"].iter().any(|f| folder.join(f).is_file());
        if is_app {
            found.push(folder);
            continue;
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        let mut children: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                !name.starts_with('.') && name != "node_modules" && name != "miniprogram_npm"
            })
            .map(|e| e.path())
            .collect();
        children.sort();
        stack.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
    }
    found
}

pub fn run(dir: &Path, json_out: bool, options: &LoadOptions) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let apps = find_apps(dir);
    if apps.is_empty() {
        eprintln!(
            "error: no app under {} (no project.config.json, app.json or manifest.json)",
            dir.display()
        );
        return Ok(ExitCode::FAILURE);
    }
    let data = std::env::temp_dir().join(format!("capsule-sweep-{}", std::process::id()));
    let host = capsule_host::Host::new(capsule_host::HostConfig {
        data_dir: data.clone(),
        // Headless: nobody answers a prompt; a device request is a cancel.
        prompter: Some(std::sync::Arc::new(capsule_bridge::device::Headless::default())
            as std::sync::Arc<dyn capsule_bridge::Prompter>),
        ..capsule_host::HostConfig::default()
    })?;
    let mut rows = Vec::new();
    for app_dir in &apps {
        let shown = app_dir.strip_prefix(dir).unwrap_or(app_dir).display().to_string();
        let shown = if shown.is_empty() { ".".to_string() } else { shown };
        let package = match Package::load(app_dir, options) {
            Ok(p) => p,
            Err(e) => {
                let first =
                    e.diagnostics.errors().next().map_or_else(|| "no reason".into(), |d| d.to_string());
                rows.push((
                    shown,
                    "(the app)".to_string(),
                    Verdict::Failed(format!("does not load: {first}")),
                ));
                continue;
            }
        };
        let (program, diags) = capsule_template::compile_package(&package);
        if diags.stops_the_app() {
            let first = diags.errors().next().map_or_else(String::new, ToString::to_string);
            rows.push((
                shown,
                "(the app)".to_string(),
                Verdict::Failed(format!("templates do not compile: {first}")),
            ));
            continue;
        }
        let routes: Vec<String> = package.manifest.pages.iter().map(|p| p.route.clone()).collect();
        let app = host.app(package, program);
        for route in routes {
            let verdict = open(&host, &app, &route);
            rows.push((shown.clone(), route, verdict));
        }
    }
    let took = started.elapsed();
    let _ = std::fs::remove_dir_all(&data);
    report(&rows, apps.len(), took, json_out);
    Ok(ExitCode::SUCCESS)
}

/// Launches `route` on an instance of its own and waits for it to settle (its launch done and
/// no API call left unanswered).
fn open(host: &capsule_host::Host, app: &capsule_host::App, route: &str) -> Verdict {
    let handle =
        host.launch(app, capsule_host::LaunchOptions { page: Some(route.to_string()), ..Default::default() });
    let deadline = Instant::now() + PAGE_TIMEOUT;
    let mut outputs = handle.until_done(PAGE_TIMEOUT);
    // Settled: no API call waits for an answer (what an answer caused is then in).
    while Instant::now() < deadline {
        let answer = handle.request(Input::Query { query: Query::Metrics }, PAGE_TIMEOUT);
        let pending = answer.iter().find_map(|o| match o {
            Output::Answer { value } => value["pendingApis"].as_u64(),
            _ => None,
        });
        outputs.extend(answer.into_iter().filter(|o| !matches!(o, Output::Answer { .. })));
        if pending.unwrap_or(0) == 0 {
            break;
        }
        outputs.extend(handle.drain(Duration::from_millis(20)));
    }
    let mut opened = false;
    let mut errors = Vec::new();
    for o in &outputs {
        match o {
            Output::PageOpened { .. } => opened = true,
            Output::Terminated { reason } => return Verdict::Failed(format!("ended: {reason}")),
            Output::Error { message, .. } => errors.push(message.clone()),
            Output::Log { level, text, .. } if level == "error" => errors.push(text.clone()),
            _ => {}
        }
    }
    if !opened {
        return Verdict::Failed(errors.first().cloned().unwrap_or_else(|| "the page did not open".into()));
    }
    if errors.is_empty() { Verdict::Clean } else { Verdict::Errors(errors) }
}

fn report(rows: &[(String, String, Verdict)], apps: usize, took: Duration, json_out: bool) {
    let count = |f: fn(&Verdict) -> bool| rows.iter().filter(|(_, _, v)| f(v)).count();
    let clean = count(|v| matches!(v, Verdict::Clean));
    let with_errors = count(|v| matches!(v, Verdict::Errors(_)));
    let failed = count(|v| matches!(v, Verdict::Failed(_)));
    if json_out {
        let pages: Vec<Value> = rows
            .iter()
            .map(|(app, page, v)| match v {
                Verdict::Clean => json!({"app": app, "page": page, "result": "clean"}),
                Verdict::Errors(e) => json!({"app": app, "page": page, "result": "errors", "errors": e}),
                Verdict::Failed(reason) => {
                    json!({"app": app, "page": page, "result": "failed", "reason": reason})
                }
            })
            .collect();
        let summary = json!({"apps": apps, "pages": rows.len(), "clean": clean, "errors": with_errors,
                             "failed": failed, "seconds": took.as_secs_f64()});
        println!("{}", json!({"pages": pages, "summary": summary}));
        return;
    }
    for (app, page, v) in rows {
        match v {
            Verdict::Clean => println!("{app}  {page}  clean"),
            Verdict::Errors(e) => println!("{app}  {page}  errors ({}): {}", e.len(), first_line(&e[0])),
            Verdict::Failed(reason) => println!("{app}  {page}  failed: {}", first_line(reason)),
        }
    }
    let percent = |n: usize| if rows.is_empty() { 0.0 } else { 100.0 * n as f64 / rows.len() as f64 };
    println!(
        "{apps} apps, {} pages: {clean} clean ({:.0}%), {with_errors} with errors, {failed} failed; {:.2} s",
        rows.len(),
        percent(clean),
        took.as_secs_f64()
    );
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_are_found_once_and_their_insides_are_not_searched() {
        let dir = std::env::temp_dir().join(format!("capsule-sweep-find-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in [
            ("a/project.config.json", "{}"),
            ("a/miniprogram/app.json", "{}"),
            ("group/b/app.json", "{}"),
            ("group/node_modules/c/app.json", "{}"),
            ("group/.hidden/d/app.json", "{}"),
        ] {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let found: Vec<_> =
            find_apps(&dir).iter().map(|p| p.strip_prefix(&dir).unwrap().to_path_buf()).collect();
        assert_eq!(found, [PathBuf::from("a"), PathBuf::from("group/b")]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
