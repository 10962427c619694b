//! The hostile suite: each case is a small package under `examples/hostile/` (or, when it
//! is too big to keep, one written here) that attacks the host the way an untrusted
//! mini-program would. Each runs in a real `capsule` process; the test checks that the process
//! survived (a clean exit code, never a signal, 101 or 134), the code and reason it gave, and
//! the peak of its resident memory. Deadlines are generous (60 s) and only catch hangs; no
//! timing is asserted.
//!
//! Attacks that need more than one process can show live beside what they attack:
//! `crates/e2e/tests/doors.rs` (another web page, DNS rebinding, the host's own ports),
//! `crates/bridge/tests/containment.rs` (floods, prompts that never end, quotas),
//! `crates/runtime/tests/containment.rs` (neighbours, the host's buffers, panics) and
//! `crates/runtime/tests/teardown.rs` (1,000 endings by each path).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a run of `capsule` left behind.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// The most resident memory the process had (VmHWM), in bytes.
    peak: u64,
}

const HANG: Duration = Duration::from_secs(60);

/// Resident memory is read from /proc while the process runs; VmHWM only grows, so the last
/// reading before it ends is its peak but for the final moments.
fn peak_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn capsule(args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_capsule"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("CAPSULE_BYTECODE_CACHE", "memory")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run capsule");
    // Both pipes are drained on threads of their own, so a chatty process never blocks.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(p) = peak_of(child.id()) {
            peak = peak.max(p);
        }
        if let Some(status) = child.try_wait().expect("wait for capsule") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            panic!("capsule {args:?} hung for {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    use std::os::unix::process::ExitStatusExt;
    assert!(status.signal().is_none(), "capsule {args:?} died of signal {:?}", status.signal());
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&out.join().expect("stdout")).into_owned(),
        stderr: String::from_utf8_lossy(&err.join().expect("stderr")).into_owned(),
        peak,
    }
}

fn case(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hostile").join(name).display().to_string()
}

const MIB: u64 = 1024 * 1024;
/// A debug build with a 64 MiB heap and a 64 MiB host budget stays well under this.
const PEAK: u64 = 400 * MIB;

/// Runs `capsule ARGS` and checks the exit code, that stderr holds one of `reasons` (`|`
/// between alternatives, when whichever budget runs out first is fine), and the peak memory.
fn expect(args: &[&str], code: i32, reasons: &str) -> Run {
    let run = capsule(args);
    assert_eq!(run.code, Some(code), "capsule {args:?}\nstdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(
        reasons.split('|').any(|r| run.stderr.contains(r)),
        "capsule {args:?}: expected `{reasons}` on stderr:\n{}",
        run.stderr
    );
    assert!(run.peak < PEAK, "capsule {args:?} reached {} MiB", run.peak / MIB);
    run
}

/// `capsule exec` on a case. Unless `extra` sets one, the CPU budget per callback is 20 s, far
/// more than any case needs on a loaded machine, so that only the limit a case is about can
/// end it; the cases about the CPU budget set a short one.
fn exec(name: &str, extra: &[&str], code: i32, reasons: &str) -> Run {
    let path = case(name);
    let mut args = vec!["exec", path.as_str()];
    if !extra.contains(&"--cpu-limit") {
        args.extend(["--cpu-limit", "20000"]);
    }
    args.extend_from_slice(extra);
    expect(&args, code, reasons)
}

const TERMINATED: i32 = 3;

#[test]
fn a_limit_breached_inside_a_microtask_ends_the_instance_not_the_host() {
    exec(
        "microtask-breach",
        &["--cpu-limit", "1000"],
        TERMINATED,
        "the instance was terminated: CPU time limit 1000 ms exceeded",
    );
}

#[test]
fn a_microtask_loop_is_ended_by_the_cpu_budget() {
    exec(
        "microtask-loop",
        &["--cpu-limit", "1000"],
        TERMINATED,
        "the instance was terminated: CPU time limit 1000 ms exceeded",
    );
}

#[test]
fn a_flood_of_rejections_is_ended_by_a_budget() {
    exec(
        "rejection-flood",
        &["--cpu-limit", "1000"],
        TERMINATED,
        "heap limit 64 MiB exceeded|CPU time limit 1000 ms exceeded",
    );
}

#[test]
fn thrown_values_that_are_not_errors_are_reported() {
    let run = exec("thrown-values", &[], 0, "[error] Uncaught {\"not\":\"an error\"}");
    assert!(run.stderr.contains("Uncaught (in promise)"), "{}", run.stderr);
}

#[test]
fn a_heap_bomb_that_catches_the_error_is_still_ended() {
    exec("heap-bomb-caught", &[], TERMINATED, "the instance was terminated: heap limit 64 MiB exceeded");
}

#[test]
fn deep_recursion_is_an_ordinary_error_in_the_script() {
    let run = exec("deep-recursion", &["--print", "data"], 0, "");
    assert!(run.stdout.contains("\"depth\":\"deep\""), "{}", run.stdout);
}

#[test]
fn modules_reentered_at_the_stack_limit_do_not_overflow_the_host() {
    exec("module-reentry", &[], 0, "");
}

#[test]
fn a_nested_list_over_a_string_stops_at_the_node_limit() {
    exec("nested-list-of-a-string", &[], TERMINATED, "render limit: 100000 nodes");
}

#[test]
fn console_lines_of_one_callback_stop_at_the_host_budget() {
    exec(
        "console-flood",
        &["--cpu-limit", "60000"],
        TERMINATED,
        "host limit 64 MiB exceeded: outputs of one callback (patches, console lines)",
    );
}

#[test]
fn data_deleted_from_the_script_still_counts_on_the_host() {
    exec("data-hoard", &["--step", "wait 3000"], TERMINATED, "host limit 64 MiB exceeded: page data");
}

#[test]
fn patches_of_one_callback_stop_at_a_budget() {
    // A release build reaches the host budget; a debug build may spend its CPU first.
    exec(
        "patch-flood",
        &["--cpu-limit", "20000"],
        TERMINATED,
        "host limit 64 MiB exceeded: outputs of one callback|CPU time limit 20000 ms exceeded",
    );
}

#[test]
fn timers_are_capped() {
    exec("timer-flood", &[], 0, "timers refused after 10000");
}

#[test]
fn code_from_strings_is_refused() {
    let run = exec("code-from-strings", &[], 0, "refused");
    assert!(!run.stderr.contains("ran code from a string"), "{}", run.stderr);
}

#[test]
fn data_nested_past_the_stack_is_refused_in_the_script() {
    exec("deep-data", &[], 0, "refused: Maximum call stack size exceeded");
}

#[test]
fn a_storage_key_of_5_mib_is_refused() {
    exec(
        "storage-huge-key",
        &["--data-dir", &scratch("storage").display().to_string()],
        0,
        "setStorageSync:fail exceed storage key max length 4KB",
    );
}

#[test]
fn a_template_that_calls_itself_twice_is_refused_at_check_time() {
    let path = case("self-calling-template");
    let run = expect(&["check", &path], 1, "pages/a/a.wxml:1:");
    assert!(run.stderr.contains("error"), "{}", run.stderr);
}

#[test]
fn files_that_include_the_next_twice_are_refused_at_check_time() {
    let path = case("include-bomb");
    expect(&["check", &path], 1, "pages/a/");
}

/// A scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("capsule-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).expect("scratch folder");
    path
}

/// A one-page package with `wxml` as its page, written to a scratch folder.
fn page(name: &str, wxml: &str, js: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("pages/a")).expect("folder");
    std::fs::write(dir.join("app.json"), r#"{"pages": ["pages/a/a"]}"#).expect("write");
    std::fs::write(dir.join("app.js"), "App({})").expect("write");
    std::fs::write(dir.join("pages/a/a.wxml"), wxml).expect("write");
    std::fs::write(dir.join("pages/a/a.js"), js).expect("write");
    dir
}

#[test]
fn operator_chains_of_30000_terms_check_render_and_run() {
    let data = "Page({ data: { a: { a: 1 } } })";
    let chains = [
        ("sum", format!("{{{{{}1}}}}", "1+".repeat(29_999)), "30000"),
        ("concat", format!("{{{{{}'x'}}}}", "'x'+".repeat(29_999)), "xxxxxxxxxx"),
        ("and", format!("{{{{{}a}}}}", "a&&".repeat(29_999)), ""),
        ("member", format!("{{{{a{}}}}}", ".a".repeat(29_999)), ""),
    ];
    for (name, expression, shown) in chains {
        let dir = page(&format!("chain-{name}"), &format!("<view>{expression}</view>"), data);
        let path = dir.display().to_string();
        let run = expect(&["check", &path], 0, "");
        assert!(!run.stderr.contains("error"), "{name}: {}", run.stderr);
        let run = expect(&["render", &path, "pages/a/a"], 0, "");
        assert!(run.stdout.contains(shown), "{name}: {}", &run.stdout[..run.stdout.len().min(300)]);
        expect(&["exec", &path], 0, "");
    }
}

#[test]
fn a_rendered_first_frame_stops_at_the_node_limit() {
    let dir = page(
        "render-limit",
        r#"<view wx:for="{{100000}}"><text wx:for="{{100000}}">.</text></view>"#,
        "Page({})",
    );
    let path = dir.display().to_string();
    expect(&["render", &path, "pages/a/a"], 1, "render limit: 100000 nodes");
}

#[test]
fn scanning_floods_of_braces_and_angle_brackets_is_linear() {
    // Each took over a minute when the scanner was quadratic.
    let braces = format!("<view class=\"{}\"></view>", "{{".repeat(200_000));
    let angles = "<".repeat(400_000);
    for (name, wxml) in [("braces", braces), ("angles", angles)] {
        let dir = page(&format!("scan-{name}"), &wxml, "Page({})");
        let path = dir.display().to_string();
        let run = capsule(&["check", &path]);
        assert!(matches!(run.code, Some(0 | 1)), "{name}: {:?} {}", run.code, run.stderr);
        assert!(run.peak < PEAK, "{name}: {} MiB", run.peak / MIB);
    }
}

#[test]
fn the_budgets_are_the_command_line_s_to_set() {
    exec("nested-list-of-a-string", &["--node-limit", "1000"], TERMINATED, "render limit: 1000 nodes");
    exec(
        "console-flood",
        &["--host-limit", "1MiB", "--cpu-limit", "60000"],
        TERMINATED,
        "host limit 1 MiB exceeded: outputs of one callback",
    );
}

#[test]
fn text_repeated_past_the_page_s_bytes_stops_at_the_render_limit() {
    exec("repeated-big-text", &[], TERMINATED, "render limit: 64 MiB of text and attributes");
}
