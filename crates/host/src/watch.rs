//! Hot reload: the package folder is watched (by polling: no platform file-event API to
//! depend on), and each change is built — loaded, its templates and styles compiled. A build
//! without errors replaces the running app ([`Simulator::reload`]); one with errors shows
//! them over the page with `file:line:col` and the source line ([`Simulator::show_problems`]),
//! and the app keeps running until a change fixes them.

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
    let package = Package::load(dir, options).map_err(|e| render(&e.diagnostics))?;
    let (program, template_problems) = capsule_template::compile_package(&package);
    if template_problems.stops_the_app() {
        // Both kinds of problem are shown at once; styles compile again only on this path.
        let (_, style_problems) = capsule_style::compile_package(&package);
        let styles = if style_problems.has_errors() {
            format!("\n{}", render(&style_problems))
        } else {
            String::new()
        };
        return Err(format!("{}{styles}", render(&template_problems)));
    }
    let app = host.app(package, program);
    if app.style_warnings().has_errors() {
        return Err(render(app.style_warnings()));
    }
    Ok(app)
}

fn render(diags: &Diagnostics) -> String {
    diags.errors().map(|d| d.render(false)).collect::<Vec<_>>().join("\n")
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
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = stop.clone();
    let _ = std::thread::Builder::new().name("capsule-watch".into()).spawn(move || {
        let mut built = fingerprint(&dir);
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
            match build(simulator.host(), &dir, &options) {
                Ok(app) => {
                    if let Err(e) = simulator.reload(app) {
                        simulator.show_problems(&format!("cannot restart the app: {e}"));
                    }
                }
                Err(problems) => simulator.show_problems(&problems),
            }
        }
    });
    Watcher { stop }
}
