//! For the sandbox's tests: a process started as a worker is (the channel as descriptor 3,
//! the same arguments) that confines itself with the worker's own two steps, then tries each
//! thing a worker must not be able to do and reports what happened as one JSON frame on its
//! channel: `{"open a file": "EPERM", …}` (`"done"` for what succeeded). It then waits for
//! the host to close the channel, so the test can look at it from outside meanwhile.

#![allow(unsafe_code)]

use std::collections::BTreeMap;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use capsule_sandbox::{confine, frame};

fn outcome<T>(r: io::Result<T>) -> String {
    match r {
        Ok(_) => "done".into(),
        Err(e) => match e.raw_os_error() {
            Some(libc::EPERM) => "EPERM".into(),
            Some(libc::EACCES) => "EACCES".into(),
            Some(libc::ENOSYS) => "ENOSYS".into(),
            _ => format!("{e}"),
        },
    }
}

fn errno_of(r: libc::c_long) -> io::Result<libc::c_long> {
    if r < 0 { Err(io::Error::last_os_error()) } else { Ok(r) }
}

fn main() {
    let mut args = std::env::args().skip(1);
    assert_eq!(args.next().as_deref(), Some("--capsule-worker"));
    let address_space = args.nth(1).and_then(|v| v.parse().ok());
    // SAFETY: the host put the channel at descriptor 3.
    let stream = UnixStream::from(unsafe { OwnedFd::from_raw_fd(3) });
    let mut report = match confine::restrict_process(3, address_space) {
        Ok(r) => r,
        Err(e) => {
            let _ = frame::write(&stream, format!("{{\"error\": {e:?}}}").as_bytes());
            return;
        }
    };
    // Landlock alone, before the system-call filter: the kernel refuses the path itself.
    let under_landlock = outcome(std::fs::read("/etc/hostname"));
    // A thread made before the filter, as the worker's logic thread is: it is filtered too.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let earlier = std::thread::spawn(move || {
        let _ = rx.recv();
        outcome(std::fs::read("/etc/hostname"))
    });
    if let Err(e) = confine::lock_down(&mut report) {
        let _ = frame::write(&stream, format!("{{\"error\": {e:?}}}").as_bytes());
        return;
    }
    let mut tried = BTreeMap::new();
    tried.insert("landlock", report.landlock.clone());
    tried.insert("open a file under Landlock alone", under_landlock);
    tried.insert("open a file", outcome(std::fs::read("/etc/hostname")));
    tried.insert("create a file", outcome(std::fs::write("/tmp/capsule-probe-was-here", b"x")));
    tried.insert("list a folder", outcome(std::fs::read_dir("/")));
    tried.insert("create a socket", outcome(std::net::UdpSocket::bind("127.0.0.1:0")));
    tried.insert("create a socket pair", outcome(UnixStream::pair()));
    tried.insert("start a thread", outcome(std::thread::Builder::new().spawn(|| {})));
    // SAFETY: raw system calls with integer arguments; a success would be reported.
    unsafe {
        tried.insert("fork", outcome(errno_of(libc::fork() as libc::c_long)));
        tried.insert("clone3", outcome(errno_of(libc::syscall(libc::SYS_clone3, 0usize, 0usize))));
        let path = c"/bin/true".as_ptr();
        let argv = [path, std::ptr::null()];
        let envp = [std::ptr::null()];
        tried.insert(
            "execve",
            outcome(errno_of(libc::execve(path, argv.as_ptr(), envp.as_ptr()) as libc::c_long)),
        );
        tried.insert("ptrace", outcome(errno_of(libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0))));
        tried.insert("signal another process", outcome(errno_of(libc::kill(1, 0) as libc::c_long)));
        let exec = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_EXEC,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        tried.insert(
            "map executable memory",
            outcome(if exec == libc::MAP_FAILED { Err(io::Error::last_os_error()) } else { Ok(()) }),
        );
    }
    let _ = tx.send(());
    tried.insert("open a file from an earlier thread", earlier.join().unwrap_or_else(|_| "panicked".into()));
    // What it may still do: allocate, and talk on its channel.
    let memory = vec![7u8; 8 << 20];
    tried.insert(
        "allocate 8 MiB",
        if memory.iter().all(|b| *b == 7) { "done".into() } else { "wrong".into() },
    );
    // Past the address-space limit the host set (1 GiB in the test): refused, not granted.
    let mut past: Vec<u8> = Vec::new();
    tried.insert(
        "reserve 2 GiB",
        if past.try_reserve_exact(2 << 30).is_ok() { "done".into() } else { "refused".into() },
    );
    let text = serde_json::to_vec(&tried).unwrap_or_default();
    let _ = frame::write(&stream, &text);
    // Wait for the host to close the channel.
    let _ = frame::read(&stream);
}
