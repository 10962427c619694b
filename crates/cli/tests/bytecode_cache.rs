//! `--bytecode-cache` on the commands that run scripts, and the environment variable it wins
//! over.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `capsule ARGS` with CAPSULE_BYTECODE_CACHE set to `env` (or unset), and a cache home of
/// the test's own, so no run writes to the user's cache folder.
fn capsule(args: &[&str], env: Option<&Path>, home: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_capsule"));
    command.args(args).env("XDG_CACHE_HOME", home).env_remove("CAPSULE_BYTECODE_CACHE");
    if let Some(dir) = env {
        command.env("CAPSULE_BYTECODE_CACHE", dir);
    }
    command.output().expect("run capsule")
}

fn todo() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/todo").display().to_string()
}

/// Empty folders for one test, removed after it.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!("capsule-cli-bytecode-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The bytecode files in `dir` (none when it does not exist).
fn cache_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries.filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().ends_with(".qjsbc")).count()
    })
}

fn exec(extra: &[&str], env: Option<&Path>, home: &Path) {
    let todo = todo();
    let mut args = vec!["exec", todo.as_str()];
    args.extend_from_slice(extra);
    let out = capsule(&args, env, home);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn exec_keeps_bytecode_in_the_folder_given() {
    let scratch = Scratch::new("flag");
    let (cache, home) = (scratch.dir("cache"), scratch.dir("home"));
    exec(&["--bytecode-cache", cache.to_str().unwrap()], None, &home);
    // The framework, app.js and the entry page's script at least.
    assert!(cache_files(&cache) >= 3, "{}", cache_files(&cache));
    assert_eq!(cache_files(&home.join("capsule/bytecode")), 0, "nothing in the default folder");
    // A second run reads them: the same files, none added.
    let before = cache_files(&cache);
    exec(&["--bytecode-cache", cache.to_str().unwrap()], None, &home);
    assert_eq!(cache_files(&cache), before);
}

#[test]
fn the_flag_wins_over_the_environment() {
    let scratch = Scratch::new("wins");
    let (flag, env, home) = (scratch.dir("flag"), scratch.dir("env"), scratch.dir("home"));
    exec(&["--bytecode-cache", flag.to_str().unwrap()], Some(&env), &home);
    assert!(cache_files(&flag) >= 3);
    assert_eq!(cache_files(&env), 0);
    for mode in ["off", "memory"] {
        let other = scratch.dir(mode);
        exec(&["--bytecode-cache", mode], Some(&other), &home);
        assert_eq!(cache_files(&other), 0, "{mode}");
        assert!(!home.join("capsule").exists(), "{mode}");
    }
    // Without the flag the environment decides, and without either the user cache folder.
    exec(&[], Some(&env), &home);
    assert!(cache_files(&env) >= 3);
    exec(&[], None, &home);
    assert!(cache_files(&home.join("capsule/bytecode")) >= 3);
}

#[test]
fn an_empty_setting_is_a_usage_error() {
    let scratch = Scratch::new("empty");
    let out = capsule(&["exec", &todo(), "--bytecode-cache", ""], None, &scratch.dir("home"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--bytecode-cache") && err.contains("give a folder, `memory` or `off`"), "{err}");
}

#[test]
fn help_names_the_flag_and_the_environment_variable() {
    let scratch = Scratch::new("help");
    for command in ["run", "exec"] {
        for help in ["-h", "--help"] {
            let out = capsule(&[command, help], None, &scratch.dir("home"));
            assert!(out.status.success());
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("--bytecode-cache <DIR>"), "{command} {help}: {text}");
            assert!(text.contains("CAPSULE_BYTECODE_CACHE"), "{command} {help}: {text}");
        }
    }
    // Commands that run no script do not take it.
    let out = capsule(&["check", "--help"], None, &scratch.dir("home"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("--bytecode-cache"));
}
