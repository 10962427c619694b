//! Hot reload: the package folder is watched (by polling: no platform file-event API to
//! depend on), and each change is built — loaded, its templates and styles compiled. A build
//! without errors replaces the running app ([`Simulator::reload`]); one with errors (a WXML
//! tag left open, a script's syntax error, …) shows them over the page with `file:line:col`
//! and the source line ([`Simulator::show_problems`]), and the app keeps running until a
//! change fixes them. What each change came to is also told to the caller ([`Event`]).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::{App, Host, Simulator};
use capsule_package::{Diagnostics, LoadOptions, Package};

/// Stops watching when dropped.
pub struct Watcher {
    stop: Arc<AtomicBool>,
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// What a change built to on `host`: the app (its templates and styles compiled once, here),
/// or the problems to show.
pub fn build(host: &Host, dir: &Path, options: &LoadOptions) -> Result<App, String> {
    build_checked(host, dir, options).map_err(|problems| render(&problems))
}

/// [`build`], its problems as diagnostics: the load's, or every template, style and script
/// error at once (scripts compiled without running: a syntax error stops the build as the
/// platform's compiler stops it, rather than failing only when its page opens).
pub fn build_checked(host: &Host, dir: &Path, options: &LoadOptions) -> Result<App, Diagnostics> {
    let package = Package::load(dir, options).map_err(|e| errors(&e.diagnostics))?;
    let (program, template_problems) = capsule_template::compile_package(&package);
    let script_problems = capsule_js::syntax_errors(&package);
    if template_problems.stops_the_app() || script_problems.has_errors() {
        // Every kind of problem is shown at once; styles compile again only on this path.
        let (_, style_problems) = capsule_style::compile_package(&package);
        let mut all = errors(&template_problems);
        all.extend(errors(&style_problems).0);
        all.extend(script_problems.0);
        return Err(all);
    }
    let app = host.app(package, program);
    if app.style_warnings().has_errors() {
        return Err(errors(app.style_warnings()));
    }
    Ok(app)
}

/// The errors among `diags`.
fn errors(diags: &Diagnostics) -> Diagnostics {
    Diagnostics(diags.errors().cloned().collect())
}

/// Problems as the overlay shows them: each with its excerpt and caret.
pub fn render(diags: &Diagnostics) -> String {
    diags.errors().map(|d| d.render(false)).collect::<Vec<_>>().join("\n")
}

/// Problems as a terminal line each: `file:line:col: message`.
pub fn short(diags: &Diagnostics) -> Vec<String> {
    diags.errors().map(|d| format!("{}: {}", d.position(), d.message)).collect()
}

/// What a watched change came to, for whoever tells the person (`capsule run`'s terminal).
#[derive(Debug)]
pub enum Event {
    /// The change built and the app restarted on the page that was shown.
    Reloaded,
    /// The change did not build: these problems show over the page, the old app runs on.
    Problems(Diagnostics),
    /// The change built but the app could not be restarted (the reason).
    Failed(String),
}

/// A fingerprint of what a package folder holds: every file's path, size and time, skipping
/// what a package never includes (dot folders, `node_modules`).
fn fingerprint(dir: &Path) -> u64 {
    let mut entries = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&d) else { continue };
        for e in read.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "node_modules" {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                entries.push((e.path(), meta.len(), meta.modified().ok()));
            }
        }
    }
    entries.sort();
    let mut h = DefaultHasher::new();
    entries.hash(&mut h);
    h.finish()
}

/// Watches `dir`, checking every `every`; a change is built once the folder has stopped
/// changing for one more check (an editor's save is often several writes).
pub fn watch(simulator: Arc<Simulator>, dir: PathBuf, options: LoadOptions, every: Duration) -> Watcher {
    watch_reporting(simulator, dir, options, every, |_| {})
}

/// [`watch`], telling `report` what each change came to.
pub fn watch_reporting(
    simulator: Arc<Simulator>,
    dir: PathBuf,
    options: LoadOptions,
    every: Duration,
    report: impl Fn(Event) + Send + 'static,
) -> Watcher {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    // Taken before this returns: a change saved after the caller goes on is always seen.
    let mut built = fingerprint(&dir);
    let _ = std::thread::Builder::new().name("capsule-watch".into()).spawn(move || {
        let mut seen = built;
        while !stopped.load(Ordering::Relaxed) {
            std::thread::sleep(every);
            let now = fingerprint(&dir);
            if now != seen {
                seen = now;
                continue;
            }
            if now == built {
                continue;
            }
            built = now;
            match build_checked(simulator.host(), &dir, &options) {
                Ok(app) => match simulator.reload(app) {
                    Ok(()) => report(Event::Reloaded),
                    Err(e) => {
                        let reason = format!("cannot restart the app: {e}");
                        simulator.show_problems(&reason);
                        report(Event::Failed(reason));
                    }
                },
                Err(problems) => {
                    simulator.show_problems(&render(&problems));
                    report(Event::Problems(problems));
                }
            }
        }
    });
    Watcher { stop }
}
