//! The host's side: starts a worker process for an instance and makes it look like any
//! other instance ([`InstanceHandle`]): inputs are queued to a writer thread (a worker that
//! stops reading never blocks the host, and what waits for it is weighed against its host
//! budget), and a reader thread checks every frame the worker sends — its length first,
//! then that it is an [`Output`] — before the instance's outlet or handle sees it.
//!
//! A worker that exits, is killed, or sends a frame that is not an output is ended (killed
//! and reaped), and its handle hears `Terminated` with the reason, as for an instance that
//! ran out of a budget: `worker exited: signal 9`, `worker sent an invalid frame: …`.

// Starting the worker needs the channel at a known descriptor number in the child, set up
// between fork and exec; and a worker is waited for without reaping it (`waitid` with
// `WNOWAIT`) so that no other thread can signal a recycled process id.
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};

use capsule_package::Package;
use capsule_runtime::{
    Input, InstanceHandle, InstanceSender, Outlet, Output, Remote, Spawn, next_instance_id,
};

use crate::confine::Report;
use crate::frame::{self, FrameError};
use crate::worker::{ADDRESS_SPACE_FLAG, CHANNEL_FD, PROTOCOL, Ready, Start, WORKER_FLAG};

/// The program a host starts as its workers: one whose `main` calls
/// [`crate::run_worker_if_requested`] first (the `capsule` binary does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerProgram {
    pub path: PathBuf,
}

impl WorkerProgram {
    pub fn new(path: impl Into<PathBuf>) -> WorkerProgram {
        WorkerProgram { path: path.into() }
    }

    /// This process's own program, for a host whose `main` starts with
    /// [`crate::run_worker_if_requested`]: `/proc/self/exe`, which is the program this
    /// process runs even when its file was since replaced or removed (a rebuild).
    pub fn current() -> WorkerProgram {
        WorkerProgram::new("/proc/self/exe")
    }
}

/// Address space a worker may map beyond its heap and host budgets and its package: the
/// program and its libraries, three thread stacks, the allocator's slack.
pub const ADDRESS_SPACE_MARGIN: u64 = 384 * 1024 * 1024;

/// The engine's built-in scripts compiled once in this process, for every worker (none if
/// they could not be: each worker then compiles its own).
fn builtins() -> &'static [capsule_js::PreparedBuiltin] {
    static BUILTINS: OnceLock<Vec<capsule_js::PreparedBuiltin>> = OnceLock::new();
    BUILTINS.get_or_init(|| capsule_js::prepared_builtins().unwrap_or_default())
}

/// How each running worker confined itself, by instance id, until it ends.
fn reports() -> &'static Mutex<HashMap<u64, (u32, Report)>> {
    static REPORTS: OnceLock<Mutex<HashMap<u64, (u32, Report)>>> = OnceLock::new();
    REPORTS.get_or_init(Default::default)
}

/// The process id of the worker running instance `id`, and how it confined itself; `None`
/// before it said so, after it ended, or for an instance that is not in a worker.
pub fn confinement(id: u64) -> Option<(u32, Report)> {
    reports().lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned()
}

/// Starts `spawn`'s instance in a worker process running `program`. The handle works as one
/// from [`capsule_runtime::Pool::spawn_with`]; should the worker not start, it hears why
/// (`the instance could not start: …`).
pub fn spawn(program: &WorkerProgram, spawn: Spawn) -> InstanceHandle {
    let Spawn { package, limits, apis, outlet, .. } = spawn;
    let id = next_instance_id();
    let (to_handle, from_instance) = channel();
    let (inputs, queued_inputs) = channel();
    let files_bytes: u64 = package.files.iter().map(|(_, b)| b.len() as u64).sum();
    let address_space = (limits.heap as u64)
        .saturating_add(limits.host as u64)
        .saturating_add(files_bytes.saturating_mul(2))
        .saturating_add(ADDRESS_SPACE_MARGIN);
    let started = start_process(program, address_space);
    let link = Arc::new(Link {
        inputs: Mutex::new(Some(inputs)),
        queued: AtomicUsize::new(0),
        budget: limits.host,
        pid: started.as_ref().map_or(0, |(child, _)| child.id()),
        reaped: Mutex::new(started.is_err()),
        ended: Mutex::new(None),
        closed: AtomicBool::new(false),
        breach: Mutex::new(None),
        backlog: Mutex::new(Default::default()),
        hidden: Mutex::new(None),
    });
    let remote: Arc<dyn Remote> = link.clone();
    let handle = InstanceHandle::remote(id, remote, from_instance);
    let out = Deliver { sender: handle.sender(), outlet, to_handle, link: link.clone() };
    match started {
        Err(e) => {
            out.terminated(format!(
                "the instance could not start: the worker {}: {e}",
                program.path.display()
            ));
        }
        Ok((child, stream)) => {
            // Waiting for a frame is endless; waiting inside one is not.
            let _ = stream.set_read_timeout(Some(FRAME_STALL));
            let stream = Arc::new(stream);
            let start = Start {
                version: PROTOCOL,
                package: package.sent(),
                files: package.files.iter().count(),
                builtins: builtins().len(),
                limits: limits.clone(),
                apis: apis.list().clone(),
            };
            let writing = stream.clone();
            let written = link.clone();
            let wrote = std::thread::Builder::new()
                .name(format!("capsule-worker-in-{id}"))
                .spawn(move || write_loop(&writing, start, &package, queued_inputs, &written));
            let reading = link.clone();
            let read = wrote.and_then(|_| {
                std::thread::Builder::new()
                    .name(format!("capsule-worker-out-{id}"))
                    .stack_size(READER_STACK)
                    .spawn(move || read_loop(id, &stream, child, &reading, out))
            });
            if let Err(e) = read {
                // Out of threads: the worker goes; the handle hears nothing more than that.
                link.kill();
                eprintln!("capsule: cannot watch a worker: {e}");
            }
        }
    }
    handle
}

/// Starts `program` as a worker with the channel as its descriptor 3, and nothing else: the
/// process alone, before any instance ([`spawn`] does the rest). Its arguments say the
/// address-space limit it is to set on itself.
pub fn start_process(program: &WorkerProgram, address_space: u64) -> io::Result<(Child, UnixStream)> {
    let (host_end, worker_end) = UnixStream::pair()?;
    let fd = worker_end.as_raw_fd();
    let mut command = Command::new(&program.path);
    command
        .arg(WORKER_FLAG)
        .arg(ADDRESS_SPACE_FLAG)
        .arg(address_space.to_string())
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // The local time zone is the one thing of the host's environment a script sees.
    if let Some(tz) = std::env::var_os("TZ") {
        command.env("TZ", tz);
    }
    // SAFETY: between fork and exec only async-signal-safe calls (dup2, fcntl) on the
    // descriptor this process holds open for the child.
    unsafe {
        command.pre_exec(move || {
            if fd == CHANNEL_FD {
                // Already in place: keep it open across exec.
                let flags = libc::fcntl(fd, libc::F_GETFD);
                if flags < 0 || libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0 {
                    return Err(io::Error::last_os_error());
                }
            } else if libc::dup2(fd, CHANNEL_FD) < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command.spawn()?;
    drop(worker_end);
    Ok((child, host_end))
}

/// The host's link to one worker: where its inputs are queued, and how it is ended.
struct Link {
    /// Taken when the handle goes.
    inputs: Mutex<Option<Sender<Input>>>,
    /// Bytes of inputs queued and not yet written to the worker.
    queued: AtomicUsize,
    budget: usize,
    pid: u32,
    /// The process was reaped: its id may belong to another process now.
    reaped: Mutex<bool>,
    /// Why the host ended it, when it did.
    ended: Mutex<Option<String>>,
    closed: AtomicBool,
    /// A budget of the host side the instance went past.
    breach: Mutex<Option<String>>,
    /// Since when its host hid it (the worker applies the background policy itself).
    hidden: Mutex<Option<std::time::Instant>>,
    /// The sizes of the outputs on the handle not taken yet, in order, and their sum: a
    /// worker that sends faster than its host takes ends past the host budget.
    backlog: Mutex<(std::collections::VecDeque<usize>, usize)>,
}

impl Link {
    fn kill(&self) {
        let reaped = self.reaped.lock().unwrap_or_else(|p| p.into_inner());
        if !*reaped {
            // SAFETY: the process is not reaped (the lock holds that), so the id is still
            // the worker's.
            unsafe { libc::kill(self.pid as libc::pid_t, libc::SIGKILL) };
        }
    }

    /// Whether the worker has exited (it is not reaped yet).
    fn exited(&self, block: bool) -> bool {
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let flags = libc::WEXITED | libc::WNOWAIT | if block { 0 } else { libc::WNOHANG };
        loop {
            // SAFETY: `info` is a valid siginfo_t to write; WNOWAIT leaves the process
            // unreaped, so its id stays the worker's until `reaped` is set.
            let r = unsafe { libc::waitid(libc::P_PID, self.pid as libc::id_t, &mut info, flags) };
            if r == 0 {
                // SAFETY: waitid filled `info` (si_pid is 0 when WNOHANG found nothing).
                return unsafe { info.si_pid() } != 0;
            }
            if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return true;
            }
        }
    }

    /// Reaps the worker: at once if `kill` says so, otherwise after it had a moment to exit
    /// on its own (it exits when its channel closes), so that its own exit status is what
    /// is reported.
    fn reap(&self, mut child: Child, kill: bool) -> Option<std::process::ExitStatus> {
        if !kill {
            let deadline = std::time::Instant::now() + EXIT_GRACE;
            while !self.exited(false) && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        self.kill();
        self.exited(true);
        *self.reaped.lock().unwrap_or_else(|p| p.into_inner()) = true;
        child.wait().ok()
    }
}

/// How long a worker may stop inside a frame it began before it is ended: a sound worker
/// writes each frame whole while the host reads, so only a broken one waits this long.
pub const FRAME_STALL: std::time::Duration = std::time::Duration::from_secs(10);

/// How long a worker whose channel closed may take to exit before it is killed.
const EXIT_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

impl Remote for Link {
    fn send(&self, input: Input) {
        match input {
            Input::Hide => {
                let mut hidden = self.hidden.lock().unwrap_or_else(|p| p.into_inner());
                *hidden = hidden.or(Some(std::time::Instant::now()));
            }
            Input::Show => *self.hidden.lock().unwrap_or_else(|p| p.into_inner()) = None,
            _ => {}
        }
        let weight = input.weight();
        let inputs = self.inputs.lock().unwrap_or_else(|p| p.into_inner());
        let Some(inputs) = inputs.as_ref() else { return };
        let queued = self.queued.fetch_add(weight, Ordering::Relaxed) + weight;
        if queued > self.budget && weight > capsule_runtime::held::FIXED {
            let mib = self.budget / (1024 * 1024);
            *self.breach.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(format!("host limit {mib} MiB exceeded: inputs waiting for the worker"));
            self.kill();
            return;
        }
        let _ = inputs.send(input);
    }

    fn end(&self, reason: &str) {
        *self.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some(reason.to_string());
        self.kill();
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        self.inputs.lock().unwrap_or_else(|p| p.into_inner()).take();
        self.kill();
    }

    /// The worker process's resident memory and CPU, read from /proc (the host may read its
    /// child's); its heap is the worker's to tell.
    fn vitals(&self) -> Option<capsule_runtime::Vitals> {
        let reaped = self.reaped.lock().unwrap_or_else(|p| p.into_inner());
        if *reaped {
            return None;
        }
        let statm = std::fs::read_to_string(format!("/proc/{}/statm", self.pid)).ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).ok()?;
        drop(reaped);
        let hidden = *self.hidden.lock().unwrap_or_else(|p| p.into_inner());
        let page = 4096u64;
        let rss = statm.split_whitespace().nth(1)?.parse::<u64>().ok()? * page;
        // Fields after the command name (in parentheses, which may hold spaces): utime and
        // stime are the 12th and 13th, in clock ticks of 10 ms.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(capsule_runtime::Vitals {
            heap: None,
            cpu: std::time::Duration::from_millis(ticks * 10),
            rss: Some(rss),
            state: if hidden.is_some() {
                capsule_runtime::VitalState::Background
            } else {
                capsule_runtime::VitalState::Shown
            },
            background_for: hidden.map(|since| since.elapsed()),
        })
    }

    fn received(&self, _output: &Output) {
        let mut backlog = self.backlog.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(size) = backlog.0.pop_front() {
            backlog.1 -= size;
        }
    }
}

impl Link {
    /// Counts an output put on the handle, `size` bytes as it came; past the host budget the
    /// worker goes (the reason is kept for the handle).
    fn queued_output(&self, size: usize) -> bool {
        let mut backlog = self.backlog.lock().unwrap_or_else(|p| p.into_inner());
        backlog.0.push_back(size);
        backlog.1 += size;
        if backlog.1 <= self.budget {
            return true;
        }
        let mib = self.budget / (1024 * 1024);
        *self.breach.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(format!("host limit {mib} MiB exceeded: outputs waiting for the host"));
        false
    }
}

fn write_loop(stream: &UnixStream, start: Start, package: &Package, inputs: Receiver<Input>, link: &Link) {
    let Ok(start) = serde_json::to_vec(&start) else { return };
    if frame::write(stream, &start).is_err() {
        return;
    }
    for (path, bytes) in package.files.iter() {
        if frame::write(stream, &frame::file_payload(path, bytes)).is_err() {
            return;
        }
    }
    for (label, bytes) in builtins() {
        if frame::write(stream, &frame::file_payload(label, bytes)).is_err() {
            return;
        }
    }
    for input in inputs {
        link.queued.fetch_sub(input.weight(), Ordering::Relaxed);
        let Ok(bytes) = serde_json::to_vec(&input) else { continue };
        if frame::write(stream, &bytes).is_err() {
            return;
        }
    }
}

/// Where the worker's outputs go: through the instance's outlet (which may take them, as the
/// bridge takes API calls), then to the handle.
struct Deliver {
    sender: InstanceSender,
    outlet: Option<Arc<dyn Outlet>>,
    to_handle: Sender<Output>,
    link: Arc<Link>,
}

impl Deliver {
    /// Delivers an output that came as `size` bytes; `false` when the handle's backlog went
    /// past the host budget with it.
    fn send(&self, output: Output, size: usize) -> bool {
        let passed = match &self.outlet {
            None => Some(output),
            Some(outlet) => {
                let outlet = outlet.clone();
                let sender = &self.sender;
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || outlet.output(sender, output)))
                    .unwrap_or(None)
            }
        };
        match passed {
            Some(output) => {
                let within = self.link.queued_output(size);
                let _ = self.to_handle.send(output);
                within
            }
            None => true,
        }
    }

    /// Straight to the handle (what the outlet does not see).
    fn to_handle(&self, output: Output) {
        self.link.queued_output(0);
        let _ = self.to_handle.send(output);
    }

    /// The instance is over: `Terminated` through the outlet (a host counts it there), then
    /// `Done` to the handle.
    fn terminated(&self, reason: String) {
        self.send(Output::Terminated { reason }, 0);
        self.to_handle(Output::Done);
    }
}

/// JSON nesting a sound worker's output stays within: a page's tree is at most
/// `MAX_PAGE_DEPTH` deep, two JSON levels per tree level in a snapshot, and a few around it.
const MAX_OUTPUT_DEPTH: usize = 2 * capsule_template::render::MAX_PAGE_DEPTH + 64;

/// The native stack of the thread reading a worker: decoding an output recurses once per
/// JSON level, up to [`MAX_OUTPUT_DEPTH`].
const READER_STACK: usize = 32 * 1024 * 1024;

/// An output from a frame's bytes, its depth checked before the parser recurses into it.
fn decode_output(bytes: &[u8]) -> Result<Output, String> {
    let depth = frame::json_depth(bytes);
    if depth > MAX_OUTPUT_DEPTH {
        return Err(format!("nested {depth} levels deep, past {MAX_OUTPUT_DEPTH}"));
    }
    frame::decode(bytes).map_err(|e| e.to_string())
}

fn read_loop(id: u64, stream: &UnixStream, child: Child, link: &Link, out: Deliver) {
    let mut problem = None;
    match frame::read(stream) {
        Ok(Some(bytes)) => match serde_json::from_slice::<Ready>(&bytes) {
            Ok(Ready { version: PROTOCOL, confinement: Ok(report) }) => {
                reports().lock().unwrap_or_else(|p| p.into_inner()).insert(id, (link.pid, report));
            }
            Ok(Ready { version: PROTOCOL, confinement: Err(e) }) => {
                problem =
                    Some(format!("the instance could not start: the worker could not confine itself: {e}"))
            }
            Ok(Ready { version, .. }) => {
                problem = Some(format!(
                    "the instance could not start: the worker speaks protocol {version}, this host {PROTOCOL}"
                ))
            }
            Err(e) => problem = Some(format!("worker sent an invalid frame: {e}")),
        },
        Ok(None) | Err(FrameError::Io(_)) => {}
        Err(e) => problem = Some(format!("worker sent an invalid frame: {e}")),
    }
    let mut terminated = false;
    while problem.is_none() {
        match frame::read(stream) {
            Ok(Some(bytes)) => match decode_output(&bytes) {
                Ok(output) => {
                    let done = matches!(output, Output::Done);
                    terminated |= matches!(output, Output::Terminated { .. });
                    if !out.send(output, bytes.len()) {
                        problem = link.breach.lock().unwrap_or_else(|p| p.into_inner()).clone();
                        break;
                    }
                    // The instance ended itself and said all it had to say.
                    if terminated && done {
                        break;
                    }
                }
                Err(e) => problem = Some(format!("worker sent an invalid frame: {e}")),
            },
            Ok(None) | Err(FrameError::Io(_)) => break,
            Err(e) => problem = Some(format!("worker sent an invalid frame: {e}")),
        }
    }
    let _ = stream.shutdown(std::net::Shutdown::Both);
    // A worker that broke the protocol goes at once; one whose channel just closed (it
    // exited, or its instance ended) is given a moment to exit with its own status.
    let status = link.reap(child, problem.is_some());
    reports().lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    if terminated || link.closed.load(Ordering::Relaxed) {
        return;
    }
    let breach = link.breach.lock().unwrap_or_else(|p| p.into_inner()).take();
    let ended = link.ended.lock().unwrap_or_else(|p| p.into_inner()).take();
    let reason = if let Some(ended) = ended {
        ended
    } else if let Some(breach) = breach {
        breach
    } else if let Some(problem) = problem {
        problem
    } else {
        match status {
            Some(s) if s.signal().is_some() => format!("worker exited: signal {}", s.signal().unwrap_or(0)),
            Some(s) => format!("worker exited: code {}", s.code().unwrap_or(-1)),
            None => "worker exited".to_string(),
        }
    };
    out.terminated(reason);
}
