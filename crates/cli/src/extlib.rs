//! `capsule fetch-extlib`, and the extended libraries every command that loads a package is
//! given: Capsule's cache (`capsule_host::extlib::Store`), filled from the registry the first
//! time an app asks for a library, except under `--production`, which never fetches.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use capsule_host::extlib::{DEFAULT_REGISTRY, FetchPolicy, Pin, REGISTRY_ENV, Store};
use capsule_package::extlib::ExtendedLibs;
use capsule_package::format_size;
use clap::Args;

#[derive(Args)]
pub struct FetchArgs {
    /// The library, as `useExtendedLib` names it.
    #[arg(default_value = "weui")]
    name: String,
    /// The npm registry to fetch from [default: $CAPSULE_NPM_REGISTRY, else the public one].
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
    /// Install from a tarball (checked against the pinned digest) or from the package's
    /// folder (taken as it is) instead of fetching.
    #[arg(long, value_name = "FOLDER_OR_TGZ")]
    from: Option<PathBuf>,
    /// Fetch again even when the cache holds it.
    #[arg(long)]
    force: bool,
}

/// The pinned libraries. A debug build (the tests') takes the weui digest from
/// CAPSULE_TEST_WEUI_INTEGRITY, so a test can serve a tarball of its own: the digest is still
/// checked, against that one; a release build has no such hook.
fn pins() -> Vec<Pin> {
    #[allow(unused_mut)]
    let mut pins = Pin::all();
    #[cfg(debug_assertions)]
    if let Ok(integrity) = std::env::var("CAPSULE_TEST_WEUI_INTEGRITY") {
        pins.iter_mut().filter(|p| p.name == "weui").for_each(|p| p.integrity = integrity.clone());
    }
    pins
}

fn registry(flag: Option<&str>) -> String {
    flag.map(str::to_string)
        .or_else(|| std::env::var(REGISTRY_ENV).ok().filter(|r| !r.is_empty()))
        .unwrap_or_else(|| DEFAULT_REGISTRY.to_string())
}

/// The cache as the loader's provider: fetching what is missing, or never (`--production`).
pub fn provider(fetch: bool) -> Arc<dyn ExtendedLibs> {
    let policy = if fetch {
        FetchPolicy::Registry(registry(None))
    } else {
        FetchPolicy::Never("--production never fetches".into())
    };
    let store = Store::new(Store::default_dir()).with_pins(pins()).with_policy(policy).on_fetch(Arc::new(
        |pin: &Pin, url: &str| {
            eprintln!("fetching {}@{} from {url} (once, into Capsule's cache)", pin.npm, pin.version);
        },
    ));
    Arc::new(store)
}

/// `capsule fetch-extlib`.
pub fn run(args: &FetchArgs) -> anyhow::Result<ExitCode> {
    let store = Store::new(Store::default_dir()).with_pins(pins());
    let pin = store.pin(&args.name)?.clone();
    if args.from.is_none() && !args.force && store.installed(&pin).ok().flatten().is_some() {
        println!("{}@{} is already in {}", pin.npm, pin.version, store.slot_dir(&pin).display());
        return Ok(ExitCode::SUCCESS);
    }
    let installed = match &args.from {
        Some(path) => store.install_from(&pin, path)?,
        None => {
            let registry = registry(args.registry.as_deref());
            eprintln!("fetching {}@{} from {}", pin.npm, pin.version, pin.tarball_url(&registry));
            store.fetch(&pin, &registry)?
        }
    };
    println!(
        "installed {}@{} ({} files, {}) into {}",
        pin.npm,
        installed.version,
        installed.files,
        format_size(installed.bytes),
        installed.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
