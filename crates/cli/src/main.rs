//! The `capsule` command: check, inspect and pack mini-program packages.
//!
//! Exit codes are a contract with scripts: 0 when the command did its job, 1 when the package
//! has errors or the output could not be written, 2 when the command line itself is wrong.

mod compiler;
mod exec;
mod extlib;
mod info;
mod profile;
mod render;
mod run;
mod sweep;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use capsule_js::bytecode::CacheMode;
use capsule_package::{Diagnostics, Dialect, Limits, LoadOptions, Package, format_size};
use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "capsule", version, about = "A mini-program container: check, inspect and pack packages")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a package (a folder, .zip or .ma) and print its problems like a compiler.
    /// Exits 1 when there is any error.
    Check {
        package: PathBuf,
        /// Print the diagnostics as JSON on stdout instead.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print a package's normalised manifest.
    Info {
        package: PathBuf,
        /// Print it as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print a page's first frame as HTML: text escaped, nothing added between nodes. No
    /// lifecycle callback runs.
    Render {
        package: PathBuf,
        /// The page's route, e.g. pages/index/index.
        page: String,
        /// A JSON file whose object replaces the page's initial data.
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Run a mini-program in the simulator: serves it on 127.0.0.1 and prints the URL to
    /// open. Stops on Ctrl-C or SIGTERM.
    Run {
        package: PathBuf,
        /// The port to listen on [default: any free port].
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The device the phone frame shows: iphone-se, iphone-15, iphone-15-pro-max, pixel-7, galaxy-s20.
        #[arg(long, default_value = "iphone-se")]
        device: String,
        /// Do not reload the app when its files change (hot reload is on by default).
        #[arg(long)]
        no_watch: bool,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        bridge: BridgeArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Run a mini-program headless: launch it, apply steps, print the current page.
    ///
    /// Exit status: 0 when the instance is still alive after the steps; 1 when the package
    /// has errors or a step could not be applied; 3 when the instance was terminated.
    Exec {
        package: PathBuf,
        /// The page to open, with a query: 'pages/x/x?a=1' [default: the entry page].
        #[arg(long)]
        page: Option<String>,
        /// A step, applied in order: `tap SELECTOR`, `swipe SELECTOR DX DY` (one finger moved
        /// by DX, DY pixels), `input SELECTOR TEXT`, `wait MS`, `navigate URL`, `back`,
        /// `share [timeline]` (the capsule button's share menu: the page's onShareAppMessage /
        /// onShareTimeline), `hide` / `show` (the app to the background and back; after 5 s
        /// in the background its timers and callbacks wait until it is shown). SELECTOR is
        /// `#id`, `.class` or a tag name.
        #[arg(long = "step", value_name = "STEP")]
        steps: Vec<String>,
        /// How modals and action sheets are answered without a person: the confirm button
        /// (an action sheet's first item) or cancel.
        #[arg(long, value_enum, default_value_t = exec::Modal::Cancel)]
        modal: exec::Modal,
        /// What to print at the end.
        #[arg(long, value_enum, default_value_t = exec::Print::Html)]
        print: exec::Print,
        /// CPU time one callback may take, in milliseconds.
        #[arg(long, value_name = "MS", default_value_t = 5000)]
        cpu_limit: u64,
        /// JS heap the instance may use (e.g. 64MiB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
        heap_limit: u64,
        /// What the host may hold for the instance besides its heap: its pages' data, one
        /// callback's outputs, inputs waiting for the script (e.g. 64MiB).
        #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
        host_limit: u64,
        /// Nodes a page's tree may hold, its components' included.
        #[arg(long, value_name = "N", default_value_t = capsule_template::render::MAX_PAGE_NODES)]
        node_limit: usize,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        bridge: BridgeArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// What an app costs a phone's battery: runs it headless (its page and steps, as `exec`),
    /// then as long in the foreground and in the background (suspended there after 5 s, as
    /// on the platform), and reports cold start, heap, CPU a minute in each, timer wake-ups,
    /// setData rate and size, network requests and sensor samples, with advice.
    ///
    /// Exit status: 0 when it ran; 1 when the package has errors or a step could not be
    /// applied; 3 when the instance was terminated.
    Profile {
        package: PathBuf,
        /// The page to open, with a query: 'pages/x/x?a=1' [default: the entry page].
        #[arg(long)]
        page: Option<String>,
        /// A step before measuring, as `exec` takes them.
        #[arg(long = "step", value_name = "STEP")]
        steps: Vec<String>,
        /// Seconds in the foreground, and as many in the background.
        #[arg(long, value_name = "N", default_value_t = 10.0)]
        seconds: f64,
        /// Print one JSON object (keys in the README).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        output: OutputArgs,
        #[command(flatten)]
        bridge: BridgeArgs,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        cache: CacheArgs,
    },
    /// Check a package and write it as a deterministic zip (same files, same bytes).
    Pack {
        package: PathBuf,
        /// Where to write the zip [default: <folder name>.zip, or .ma for a W3C MiniApp].
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        color: OutputArgs,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Put an extended library (`useExtendedLib`, e.g. weui) into Capsule's cache: the pinned
    /// version fetched from the npm registry, or a tarball or folder you have (--from).
    /// `check`, `run` and `exec` fetch it themselves the first time, except with --production.
    FetchExtlib(extlib::FetchArgs),
    /// Open every page of every app under a folder, headless, each on an instance of its own,
    /// and say which open cleanly, which report errors and which fail (a compatibility sweep).
    Sweep {
        /// A folder holding apps (each found by its project.config.json, app.json or
        /// manifest.json), or one app.
        dir: PathBuf,
        /// Print the pages and the summary as JSON on stdout.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
}

#[derive(Args)]
struct OutputArgs {
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl OutputArgs {
    fn color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Isolate {
    InProcess,
    Process,
}

#[derive(Args)]
struct BridgeArgs {
    /// Where each app's storage lives [default: the user data folder, ~/.local/share/capsule].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Grant a scope in advance (e.g. scope.userLocation); repeatable.
    #[arg(long = "grant", value_name = "SCOPE")]
    grant: Vec<String>,
    /// Deny a scope in advance; repeatable. An unanswered prompt is a denial.
    #[arg(long = "deny", value_name = "SCOPE")]
    deny: Vec<String>,
    /// The host policy (TOML): per-scope allow / deny / prompt, network domains, per-app rules.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Production mode: only the policy's https origins, no 127.0.0.1 (development is the
    /// default); instances run in worker processes unless --isolate says otherwise.
    #[arg(long)]
    production: bool,
    /// Where the mini-program runs: `process`, a hardened worker process of its own
    /// (seccomp, Landlock, no files, no sockets; the default under --production), or
    /// `in-process`, on Capsule's own threads (the default in development).
    #[arg(long, value_enum, value_name = "WHERE")]
    isolate: Option<Isolate>,
    /// Without a simulator: the file `chooseImage` / `chooseMedia` get, as if a person chose
    /// it; repeatable.
    #[arg(long = "choose", value_name = "FILE")]
    choose: Vec<PathBuf>,
    /// Without a simulator: the text `scanCode` reads.
    #[arg(long, value_name = "TEXT")]
    scan: Option<String>,
}

impl BridgeArgs {
    /// The host these flags describe: its data folder, grants, policy and mode, the device
    /// the system-info APIs describe, and who answers a person's questions (headless: the
    /// `--choose` / `--scan` answers).
    fn host_config(
        &self,
        device: capsule_bridge::Device,
        prompter: Option<std::sync::Arc<dyn capsule_bridge::Prompter>>,
    ) -> anyhow::Result<capsule_host::HostConfig> {
        let mut answers = std::collections::HashMap::new();
        for scope in &self.grant {
            answers.insert(scope.clone(), true);
        }
        for scope in &self.deny {
            answers.insert(scope.clone(), false);
        }
        for f in &self.choose {
            if !f.is_file() {
                anyhow::bail!("--choose {}: no such file", f.display());
            }
        }
        // Headless, device requests are answered from the flags (or cancelled).
        let prompter = prompter.or_else(|| {
            let headless =
                capsule_bridge::device::Headless { files: self.choose.clone(), scan: self.scan.clone() };
            Some(std::sync::Arc::new(headless) as std::sync::Arc<dyn capsule_bridge::Prompter>)
        });
        let policy = match &self.policy {
            Some(file) => Some(
                std::fs::read_to_string(file)
                    .map_err(|e| anyhow::anyhow!("cannot read the policy {}: {e}", file.display()))?,
            ),
            None => None,
        };
        Ok(capsule_host::HostConfig {
            data_dir: self.data_dir.clone().unwrap_or_else(capsule_host::embed::default_data_dir),
            policy,
            production: self.production,
            prompter,
            answers,
            device,
            isolation: match self.isolate {
                Some(Isolate::Process) => capsule_host::Isolation::Process,
                Some(Isolate::InProcess) => capsule_host::Isolation::InProcess,
                None if self.production => capsule_host::Isolation::Process,
                None => capsule_host::Isolation::InProcess,
            },
            ..Default::default()
        })
    }

    /// The host these flags describe (see [`BridgeArgs::host_config`]); a wrong policy names
    /// its file.
    fn host(
        &self,
        device: capsule_bridge::Device,
        prompter: Option<std::sync::Arc<dyn capsule_bridge::Prompter>>,
        limits: capsule_runtime::Limits,
    ) -> anyhow::Result<capsule_host::Host> {
        let mut config = self.host_config(device, prompter)?;
        config.limits = limits;
        // Headless runs need one logic thread, as before.
        config.threads = capsule_runtime::PoolConfig { threads: 1, ..Default::default() };
        capsule_host::Host::new(config).map_err(|e| match (e, &self.policy) {
            (capsule_host::HostError::Policy(e), Some(file)) => {
                anyhow::anyhow!("the policy {}: {e}", file.display())
            }
            (e, _) => anyhow::anyhow!("{e}"),
        })
    }
}

/// Where the commands that run scripts keep their compiled bytecode.
#[derive(Args)]
struct CacheArgs {
    /// Where compiled scripts are kept across runs: a folder, `memory` (this run only) or `off`
    /// (compile every time). Takes the values of the CAPSULE_BYTECODE_CACHE environment
    /// variable, and wins over it [default: $CAPSULE_BYTECODE_CACHE, else
    /// $XDG_CACHE_HOME/capsule/bytecode or ~/.cache/capsule/bytecode].
    #[arg(long, value_name = "DIR", value_parser = parse_cache_mode)]
    bytecode_cache: Option<CacheMode>,
}

impl CacheArgs {
    /// Sets the process's cache before any engine starts; without the flag, the engine reads
    /// CAPSULE_BYTECODE_CACHE itself.
    fn apply(&self) {
        if let Some(mode) = &self.bytecode_cache {
            capsule_js::bytecode::configure(mode.clone());
        }
    }
}

fn parse_cache_mode(text: &str) -> Result<CacheMode, String> {
    CacheMode::parse(text).ok_or_else(|| "give a folder, `memory` or `off`".to_string())
}

#[derive(Args)]
struct LimitArgs {
    /// Size limit of the main package (e.g. 2MiB, 512KiB, 1048576): the platform's limit for
    /// upload, so over it `check`, `run` and `exec` warn and `pack` and `--production` refuse.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    main_limit: Option<u64>,
    /// Size limit of each subpackage.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    subpackage_limit: Option<u64>,
    /// Size limit of the whole package.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    total_limit: Option<u64>,
}

impl LimitArgs {
    fn options(&self) -> LoadOptions {
        let defaults = Limits::default();
        LoadOptions {
            limits: Limits {
                main_package_size: self.main_limit.unwrap_or(defaults.main_package_size),
                subpackage_size: self.subpackage_limit.unwrap_or(defaults.subpackage_size),
                total_size: self.total_limit.unwrap_or(defaults.total_size),
                ..defaults
            },
            upload: false,
            extended_libs: Some(extlib::provider(true)),
            compiler: compiler::source_compiler(),
        }
    }

    /// As [`LimitArgs::options`], checked as the platform checks an upload: the size limits
    /// and the values its tools refuse are errors (`pack`, `--production`).
    fn upload_options(&self) -> LoadOptions {
        LoadOptions { upload: true, ..self.options() }
    }

    /// For a command that runs the package: for upload under `--production`, which never
    /// fetches an extended library.
    fn run_options(&self, production: bool) -> LoadOptions {
        if production {
            LoadOptions { extended_libs: Some(extlib::provider(false)), ..self.upload_options() }
        } else {
            self.options()
        }
    }
}

/// `2MiB`, `2M`, `512KiB`, `512k`, `1048576`.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| format!("`{text}` is not a size such as 2MiB or 512KiB"))?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("unknown size unit `{other}`; use B, KiB, MiB or GiB")),
    };
    Ok((number * scale) as u64)
}

fn main() -> ExitCode {
    // Started by a host as its worker: be one, and nothing else.
    capsule_host::run_worker_if_requested();
    let cli = Cli::parse();
    if let Command::Run { cache, .. } | Command::Exec { cache, .. } | Command::Profile { cache, .. } =
        &cli.command
    {
        cache.apply();
    }
    let result = match &cli.command {
        Command::Check { package, json, output, limits } => {
            check(package, *json, output.color(), &limits.options())
        }
        Command::Info { package, json, output, limits } => {
            info::run(package, *json, output.color(), &limits.options())
        }
        Command::Render { package, page, data, output, limits } => {
            render::run(package, page, data.as_deref(), output.color(), &limits.options())
        }
        Command::Run { package, port, device, no_watch, output, bridge, limits, .. } => run::run(
            package,
            *port,
            device,
            !*no_watch,
            bridge,
            output.color(),
            &limits.run_options(bridge.production),
        ),
        Command::Exec {
            package,
            page,
            steps,
            print,
            modal,
            cpu_limit,
            heap_limit,
            host_limit,
            node_limit,
            output,
            bridge,
            limits,
            ..
        } => {
            let budget = capsule_runtime::Limits {
                callback_cpu: std::time::Duration::from_millis(*cpu_limit),
                heap: usize::try_from(*heap_limit).unwrap_or(usize::MAX),
                host: usize::try_from(*host_limit).unwrap_or(usize::MAX),
                nodes: *node_limit,
                ..capsule_runtime::Limits::default()
            };
            exec::run(
                package,
                page.as_deref(),
                steps,
                *print,
                *modal,
                budget,
                bridge,
                output.color(),
                &limits.run_options(bridge.production),
            )
        }
        Command::Profile { package, page, steps, seconds, json, output, bridge, limits, .. } => profile::run(
            package,
            page.as_deref(),
            steps,
            *seconds,
            *json,
            bridge,
            output.color(),
            &limits.run_options(bridge.production),
        ),
        Command::FetchExtlib(args) => extlib::run(args),
        Command::Sweep { dir, json, limits } => sweep::run(dir, *json, &limits.options()),
        Command::Pack { package, output, color, limits } => {
            pack(package, output.as_deref(), color.color(), &limits.upload_options())
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Prints diagnostics to stderr, as a compiler does.
fn print_diagnostics(diags: &Diagnostics, color: bool) {
    let mut err = std::io::stderr().lock();
    for d in diags.iter() {
        let _ = writeln!(err, "{}", d.render(color));
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

fn summary(diags: &Diagnostics) -> String {
    format!("{}, {}", plural(diags.errors().count(), "error"), plural(diags.warnings().count(), "warning"))
}

fn check(path: &Path, json: bool, color: bool, options: &LoadOptions) -> anyhow::Result<ExitCode> {
    let loaded = Package::load(path, options);
    let mut all = match &loaded {
        Ok(package) => package.warnings.clone(),
        Err(error) => error.diagnostics.clone(),
    };
    if let Ok(package) = &loaded {
        all.extend(compile_diagnostics(package).0);
    }
    let loaded = match loaded {
        Ok(package) if !all.has_errors() => Ok(package),
        Ok(_) => Err(()),
        Err(_) => Err(()),
    };
    let diags = &all;
    if json {
        let report = serde_json::json!({
            "package": path.display().to_string(),
            "ok": loaded.is_ok(),
            "diagnostics": diags,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_diagnostics(diags, color);
        match &loaded {
            Ok(package) => println!(
                "{}: ok ({}, {}, {} in {}; {})",
                path.display(),
                plural(package.manifest.pages.len(), "page"),
                plural(package.manifest.components.len(), "component"),
                format_size(package.sizes.total),
                plural(package.sizes.files, "file"),
                summary(diags)
            ),
            Err(_) => eprintln!("{}: {}", path.display(), summary(diags)),
        }
    }
    Ok(if loaded.is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Everything the compilers say about a loaded package: templates, styles, then scripts
/// (compiled, not run: their syntax errors).
fn compile_diagnostics(package: &Package) -> Diagnostics {
    let (_, mut diags) = capsule_template::compile_package(package);
    diags.extend(capsule_style::compile_package(package).1.0);
    diags.extend(capsule_js::syntax_errors(package).0);
    diags
}

/// Compiles the templates to run them, printing their problems; `None` when one stops the app
/// (an error that is only its page's does not: that page hears it when it opens).
fn compile_reporting(package: &Package, path: &Path, color: bool) -> Option<capsule_template::Program> {
    let (program, diags) = capsule_template::compile_package(package);
    print_diagnostics(&diags, color);
    if diags.stops_the_app() {
        eprintln!("{}: {}", path.display(), summary(&diags));
        return None;
    }
    Some(program)
}

/// Loads a package, printing its warnings; on errors prints them all and gives `None`.
fn load_reporting(path: &Path, color: bool, options: &LoadOptions) -> Option<Package> {
    match Package::load(path, options) {
        Ok(package) => {
            print_diagnostics(&package.warnings, color);
            Some(package)
        }
        Err(error) => {
            print_diagnostics(&error.diagnostics, color);
            eprintln!("{}: {}", path.display(), summary(&error.diagnostics));
            None
        }
    }
}

fn pack(path: &Path, output: Option<&Path>, color: bool, options: &LoadOptions) -> anyhow::Result<ExitCode> {
    let Some(package) = load_reporting(path, color, options) else { return Ok(ExitCode::FAILURE) };
    let output = match output {
        Some(o) => o.to_path_buf(),
        None => {
            let stem =
                package.location.file_stem().map_or("package".into(), |s| s.to_string_lossy().into_owned());
            let ext = if package.manifest.dialect == Dialect::W3c { "ma" } else { "zip" };
            PathBuf::from(format!("{stem}.{ext}"))
        }
    };
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(package.sizes.total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    // Small packages pack in an instant; a bar would only flicker.
    if package.sizes.total < 512 * 1024 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {binary_bytes}/{binary_total_bytes}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message("packing");
    let report = capsule_package::pack(&package, &output, |done, _| bar.set_position(done))
        .with_context(|| format!("cannot write {}", output.display()))?;
    bar.finish_and_clear();
    println!(
        "packed {} ({}) into {} ({})",
        plural(report.files, "file"),
        format_size(report.input_bytes),
        output.display(),
        format_size(report.output_bytes)
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("2MiB"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("1.5 KiB"), Ok(1536));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("big").is_err());
        assert!(parse_size("3 parsecs").unwrap_err().contains("unknown size unit"));
    }
}
