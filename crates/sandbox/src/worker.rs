//! The worker's side: a process started by its host with the channel as descriptor 3,
//! which confines itself, then runs one instance on a logic thread of its own, reading
//! [`Input`]s from the channel and writing every [`Output`] back.
//!
//! What crosses, in order. From the host: a [`Start`] frame, then one frame per package
//! file ([`crate::frame::file_payload`]), then inputs, each a JSON frame. From the worker: a
//! [`Ready`] frame once it is confined, then outputs, each a JSON frame. The worker exits
//! when the host closes the channel.

// The channel is a descriptor the host hands over by number; taking it is the one unsafe
// step here.
#![allow(unsafe_code)]

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};

use capsule_package::{Files, Package, Sent};
use capsule_runtime::{ApiSurface, Input, InstanceSender, Outlet, Output, Pool, PoolConfig, Spawn};
use serde::{Deserialize, Serialize};

use crate::confine::{self, Report};
use crate::frame;

/// The first argument that makes a program a worker ([`run_worker_if_requested`]).
pub const WORKER_FLAG: &str = "--capsule-worker";
/// The argument before the address-space limit, in bytes.
pub const ADDRESS_SPACE_FLAG: &str = "--address-space";
/// The channel's descriptor number in the worker.
pub const CHANNEL_FD: i32 = 3;

/// What the host sends first.
#[derive(Serialize, Deserialize)]
pub struct Start {
    /// The protocol's version: host and worker are the same program, so a mismatch is a
    /// worker program that is not the host's.
    pub version: u32,
    pub package: Sent,
    /// How many file frames follow.
    pub files: usize,
    /// How many frames of the engine's built-in scripts' bytecode follow the files, each
    /// labelled as [`capsule_js::prepared_builtins`] labels it: the worker takes those of its
    /// own build instead of compiling them.
    pub builtins: usize,
    pub limits: capsule_js::Limits,
    /// The APIs `wx` offers (the bridge's surface).
    pub apis: serde_json::Value,
}

/// What the worker says first: how it is confined, or why it could not be.
#[derive(Serialize, Deserialize)]
pub struct Ready {
    pub version: u32,
    pub confinement: Result<Report, String>,
}

pub const PROTOCOL: u32 = 1;

/// Turns this process into a worker when its host started it as one (its first argument is
/// [`WORKER_FLAG`]): it then never returns. Call it first thing in `main` of the program a
/// host names as its worker (the `capsule` binary does); otherwise it returns at once.
pub fn run_worker_if_requested() {
    let mut args = std::env::args_os().skip(1);
    if args.next().is_none_or(|a| a != WORKER_FLAG) {
        return;
    }
    let mut address_space = None;
    while let Some(arg) = args.next() {
        if arg == ADDRESS_SPACE_FLAG {
            address_space = args.next().and_then(|v| v.to_str().and_then(|v| v.parse().ok()));
        }
    }
    std::process::exit(run(address_space));
}

/// The channel, shared by the thread reading it and the instance's outlet writing to it.
fn channel() -> Arc<UnixStream> {
    // SAFETY: the host started this process with its end of a socket pair as descriptor 3
    // (`WORKER_FLAG` says so) and nothing else in the process uses that number.
    Arc::new(UnixStream::from(unsafe { OwnedFd::from_raw_fd(CHANNEL_FD) }))
}

fn send_json(to: &UnixStream, value: &impl Serialize) -> io::Result<()> {
    let bytes = serde_json::to_vec(value).map_err(io::Error::other)?;
    frame::write(to, &bytes)
}

fn run(address_space: Option<u64>) -> i32 {
    let stream = channel();
    let confined = confine::restrict_process(CHANNEL_FD, address_space);
    // The bytecode cache is the process's memory: the worker cannot read or write files.
    capsule_js::bytecode::configure(capsule_js::bytecode::CacheMode::Memory);
    // Every thread the worker has, made before the filter forbids more: one logic thread
    // (and its watchdog, which never adds one: there is one instance).
    let pool = Pool::with_config(PoolConfig { threads: 1, max_threads: 1, ..PoolConfig::default() });
    let confined = confined.and_then(|mut report| confine::lock_down(&mut report).map(|()| report));
    let failed = confined.is_err();
    if send_json(&stream, &Ready { version: PROTOCOL, confinement: confined }).is_err() || failed {
        return 1;
    }
    let Some(spawn) = start(&stream) else { return 1 };
    let handle = pool.spawn_with(spawn);
    loop {
        match frame::read(&*stream) {
            // As deep as what the host accepted from this worker (a value stored for the app
            // comes back as deep as it went in); the host's own frames need no other check.
            Ok(Some(bytes)) => match frame::decode::<Input>(&bytes) {
                Ok(input) => handle.send(input),
                Err(_) => return 2,
            },
            // The host closed the channel: the instance is over.
            Ok(None) | Err(_) => return 0,
        }
    }
}

/// Reads the start frame and the package's files, and makes the instance's spawn; `None`
/// when the host's frames are not what it sends (the worker then exits).
fn start(stream: &Arc<UnixStream>) -> Option<Spawn> {
    let start: Start = serde_json::from_slice(&frame::read(&**stream).ok()??).ok()?;
    if start.version != PROTOCOL {
        return None;
    }
    let mut files = Files::default();
    for _ in 0..start.files {
        let payload = frame::read(&**stream).ok()??;
        let (path, bytes) = frame::parse_file(&payload)?;
        files.insert(path, bytes.to_vec());
    }
    let mut builtins = Vec::with_capacity(start.builtins.min(64));
    for _ in 0..start.builtins {
        let payload = frame::read(&**stream).ok()??;
        let (label, bytes) = frame::parse_file(&payload)?;
        builtins.push((label, bytes.to_vec()));
    }
    capsule_js::adopt_builtins(builtins);
    let writer = Arc::new(Writer(Mutex::new(stream.clone())));
    let package = match Package::from_sent(start.package, files) {
        Ok(package) => Arc::new(package),
        Err(e) => {
            writer.say(Output::Terminated { reason: format!("the instance could not start: {e}") });
            writer.say(Output::Done);
            return None;
        }
    };
    let (program, _) = capsule_template::compile_package(&package);
    let mut spawn = Spawn::new(package, Arc::new(program), start.limits);
    spawn.apis = ApiSurface::new(&start.apis);
    spawn.outlet = Some(writer);
    Some(spawn)
}

/// The instance's outlet: every output, as it leaves, becomes a frame to the host.
struct Writer(Mutex<Arc<UnixStream>>);

impl Writer {
    fn say(&self, output: Output) {
        let stream = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if send_json(&stream, &output).is_err() {
            // The host is gone: so is the reason to run.
            std::process::exit(0);
        }
    }
}

impl Outlet for Writer {
    fn output(&self, _from: &InstanceSender, output: Output) -> Option<Output> {
        self.say(output);
        None
    }
}
