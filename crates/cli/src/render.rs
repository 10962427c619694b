//! `capsule render`: a page's first frame as HTML, for authors and for tests.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use capsule_package::LoadOptions;
use capsule_template::expr::NoWxs;

/// Components rendered at most, so a component that contains itself ends.
const MAX_COMPONENTS: usize = 10_000;

pub fn run(
    path: &Path,
    page: &str,
    data: Option<&Path>,
    color: bool,
    options: &LoadOptions,
) -> anyhow::Result<ExitCode> {
    let data = match data {
        Some(file) => {
            let text =
                std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
            let value: serde_json::Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not valid JSON", file.display()))?;
            if !value.is_object() {
                bail!("{} must hold a JSON object (the page's data)", file.display());
            }
            value
        }
        // The page's own `data` comes from its script once scripts run; until then, nothing.
        None => serde_json::json!({}),
    };
    let Some(package) = crate::load_reporting(path, color, options) else { return Ok(ExitCode::FAILURE) };
    let route = page.trim_start_matches('/').trim_end_matches(".wxml");
    if package.manifest.page(route).is_none() {
        let pages: Vec<_> = package.manifest.pages.iter().map(|p| p.route.as_str()).collect();
        bail!("`{route}` is not a page of this package; its pages are: {}", pages.join(", "));
    }
    let (program, diags) = capsule_template::compile_package(&package);
    crate::print_diagnostics(&diags, color);
    if diags.has_errors() {
        eprintln!("{}: {}", path.display(), crate::summary(&diags));
        return Ok(ExitCode::FAILURE);
    }
    let Some(&file) = program.by_path.get(&format!("{route}.wxml")) else {
        bail!("`{route}` has no compiled template");
    };
    // The page's node limit holds here as in a running app: a page past it is an error, not
    // gigabytes of HTML.
    let budget = capsule_template::Budget::default();
    let mut rendered = match capsule_template::render_budgeted(&program, file, &data, &NoWxs, &budget) {
        Ok(rendered) => rendered,
        Err(e) => bail!("{route}: {e}"),
    };
    // Without scripts, a component shows its properties as its data.
    if let Err(e) = rendered.mount_with_properties_budgeted(&program, &NoWxs, MAX_COMPONENTS, &budget) {
        bail!("{route}: {e}");
    }
    println!("{}", rendered.tree.to_html());
    Ok(ExitCode::SUCCESS)
}
