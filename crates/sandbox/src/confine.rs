//! What a worker does to itself before any package code runs, in two steps:
//!
//! 1. [`restrict_process`], on the main thread before any other thread exists (Landlock
//!    restricts the calling thread and those it starts later): reads what libc would read
//!    lazily from files (the local time zone), closes every descriptor but the channel, sets
//!    the resource limits, `no_new_privs`, non-dumpable, and a Landlock ruleset that handles
//!    every file-system, network and scope right and grants none.
//! 2. [`lock_down`], once the worker's threads are running: a seccomp allow-list on every
//!    thread of the process (`TSYNC`). What is not on the list fails with `EPERM`:
//!    `execve`, `fork`, `clone` (so no process and no thread — `RLIMIT_NPROC` does nothing for
//!    root, so this is what forbids them), `socket`, `open` of any path, `ptrace`, `kill` of
//!    another process. `clone3` fails with `ENOSYS` (seccomp cannot read its flags; libc
//!    then falls back to `clone`, which is refused). Memory cannot be made executable
//!    (QuickJS has no JIT).

// The calls here are libc's and the kernel's; each block says why its arguments are sound.
#![allow(unsafe_code)]

use std::collections::BTreeMap;
use std::os::fd::RawFd;

use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
};
use serde::{Deserialize, Serialize};

unsafe extern "C" {
    /// libc's: reads the local time zone (`TZ`, or `/etc/localtime`) for `localtime_r`,
    /// which QuickJS's `Date` calls.
    fn tzset();
}

/// What the worker did to itself, as it tells its host.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Landlock's status: `fully enforced`, `partially enforced (…)` or `not enforced (…)`:
    /// best effort with what the kernel offers.
    pub landlock: String,
    /// The seccomp allow-list is on every thread.
    pub seccomp: bool,
    pub no_new_privs: bool,
    /// `RLIMIT_AS`, in bytes (0: none set).
    pub address_space: u64,
}

/// Step 1 (see the module): everything but the system-call filter. `channel` stays open;
/// `address_space` bounds the process's virtual memory when given.
pub fn restrict_process(channel: RawFd, address_space: Option<u64>) -> Result<Report, String> {
    // SAFETY: tzset reads TZ and the zone file once and keeps them; it takes no arguments.
    unsafe { tzset() };
    // One arena: glibc otherwise reserves 64 MiB of address space per thread's arena, which
    // the address-space limit would have to leave room for.
    // SAFETY: mallopt takes a parameter number and a value; no thread allocates yet.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) };
    close_all_but(channel)?;
    let mut report = Report::default();
    limit(libc::RLIMIT_NOFILE, channel as u64 + 1)?;
    limit(libc::RLIMIT_NPROC, 0)?;
    limit(libc::RLIMIT_FSIZE, 0)?;
    limit(libc::RLIMIT_CORE, 0)?;
    limit(libc::RLIMIT_MEMLOCK, 0)?;
    if let Some(bytes) = address_space {
        limit(libc::RLIMIT_AS, bytes)?;
        report.address_space = bytes;
    }
    // SAFETY: prctl with integer arguments only.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(format!("no_new_privs: {}", std::io::Error::last_os_error()));
        }
        // Other processes of the same user cannot attach to it or read its memory.
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    report.no_new_privs = true;
    report.landlock = landlock_nothing()?;
    Ok(report)
}

/// Step 2 (see the module): the seccomp allow-list on every thread of the process.
pub fn lock_down(report: &mut Report) -> Result<(), String> {
    let (allow, clone3) = filters()?;
    // The allow-list goes last: installing a filter takes calls it refuses. The kernel runs
    // both on every call and the stricter answer wins, so `clone3` gets ENOSYS (the
    // allow-list lets it through) and whatever is not on the list EPERM.
    seccompiler::apply_filter_all_threads(&clone3).map_err(|e| format!("seccomp: {e}"))?;
    seccompiler::apply_filter_all_threads(&allow).map_err(|e| format!("seccomp: {e}"))?;
    report.seccomp = true;
    Ok(())
}

fn limit(resource: libc::__rlimit_resource_t, value: u64) -> Result<(), String> {
    let lim = libc::rlimit { rlim_cur: value as libc::rlim_t, rlim_max: value as libc::rlim_t };
    // SAFETY: `lim` is a valid rlimit for the call to read.
    if unsafe { libc::setrlimit(resource, &lim) } != 0 {
        return Err(format!("setrlimit({resource}): {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

fn close_all_but(keep: RawFd) -> Result<(), String> {
    let keep = u32::try_from(keep).map_err(|_| "a negative channel descriptor".to_string())?;
    // SAFETY: close_range takes two descriptor numbers and flags; closing descriptors this
    // process does not use any more is what it is for (nothing in Rust holds them: the
    // worker opened none, and standard streams are only written through their numbers).
    unsafe {
        if keep > 0 && libc::syscall(libc::SYS_close_range, 0u32, keep - 1, 0u32) != 0 {
            return Err(format!("close_range: {}", std::io::Error::last_os_error()));
        }
        if libc::syscall(libc::SYS_close_range, keep + 1, u32::MAX, 0u32) != 0 {
            return Err(format!("close_range: {}", std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

/// A Landlock ruleset handling every right the kernel knows and granting none: no file can
/// be opened, read, written or executed, no TCP port bound or reached, no signal sent and no
/// abstract socket reached outside the worker.
fn landlock_nothing() -> Result<String, String> {
    use landlock::{ABI, Access, AccessFs, AccessNet, RulesetAttr, RulesetStatus, Scope};
    let newest = ABI::V10;
    let status = landlock::Ruleset::default()
        .handle_access(AccessFs::from_all(newest))
        .and_then(|r| r.handle_access(AccessNet::from_all(newest)))
        .and_then(|r| r.scope(Scope::from_all(newest)))
        .and_then(|r| r.create())
        .and_then(|r| r.restrict_self())
        .map_err(|e| format!("landlock: {e}"))?;
    Ok(match status.ruleset {
        RulesetStatus::FullyEnforced => "fully enforced".into(),
        RulesetStatus::PartiallyEnforced => format!("partially enforced ({:?})", status.landlock),
        RulesetStatus::NotEnforced => format!("not enforced ({:?})", status.landlock),
    })
}

#[cfg(target_arch = "x86_64")]
const ARCH: seccompiler::TargetArch = seccompiler::TargetArch::x86_64;
#[cfg(target_arch = "aarch64")]
const ARCH: seccompiler::TargetArch = seccompiler::TargetArch::aarch64;

/// The system calls a worker makes once it runs: the channel, memory, threads waiting on
/// each other, time, signals to itself, exit.
const ALLOWED: &[libc::c_long] = &[
    libc::SYS_read,
    libc::SYS_write,
    libc::SYS_readv,
    libc::SYS_writev,
    libc::SYS_recvfrom,
    libc::SYS_sendto,
    libc::SYS_recvmsg,
    libc::SYS_sendmsg,
    libc::SYS_close,
    libc::SYS_fstat,
    libc::SYS_lseek,
    libc::SYS_munmap,
    libc::SYS_mremap,
    libc::SYS_madvise,
    libc::SYS_brk,
    libc::SYS_futex,
    libc::SYS_sched_yield,
    libc::SYS_nanosleep,
    libc::SYS_clock_nanosleep,
    libc::SYS_clock_gettime,
    libc::SYS_clock_getres,
    libc::SYS_gettimeofday,
    libc::SYS_getrusage,
    libc::SYS_getpid,
    libc::SYS_gettid,
    libc::SYS_getrandom,
    libc::SYS_rt_sigaction,
    libc::SYS_rt_sigprocmask,
    libc::SYS_rt_sigreturn,
    libc::SYS_sigaltstack,
    libc::SYS_restart_syscall,
    // What a thread started just before the filter still does as it starts running: glibc
    // aborts the process when it cannot register them.
    libc::SYS_rseq,
    libc::SYS_set_robust_list,
    libc::SYS_exit,
    libc::SYS_exit_group,
    // Let through here and refused with ENOSYS by the second filter.
    libc::SYS_clone3,
];

#[cfg(target_arch = "x86_64")]
const ALLOWED_HERE: &[libc::c_long] = &[libc::SYS_time, libc::SYS_newfstatat];
#[cfg(target_arch = "aarch64")]
const ALLOWED_HERE: &[libc::c_long] = &[libc::SYS_newfstatat];

fn filters() -> Result<(BpfProgram, BpfProgram), String> {
    let err = |e: seccompiler::BackendError| format!("seccomp: {e}");
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> =
        ALLOWED.iter().chain(ALLOWED_HERE).map(|n| (*n, Vec::new())).collect();
    // Memory, but never executable.
    let not_exec = || {
        SeccompCondition::new(2, SeccompCmpArgLen::Qword, SeccompCmpOp::MaskedEq(libc::PROT_EXEC as u64), 0)
            .and_then(|c| SeccompRule::new(vec![c]))
    };
    rules.insert(libc::SYS_mmap, vec![not_exec().map_err(err)?]);
    rules.insert(libc::SYS_mprotect, vec![not_exec().map_err(err)?]);
    // Signals only to its own threads (abort, a panic's raise).
    let own = SeccompCondition::new(0, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, std::process::id() as u64)
        .and_then(|c| SeccompRule::new(vec![c]))
        .map_err(err)?;
    rules.insert(libc::SYS_tgkill, vec![own]);
    // Asking a descriptor's flags (Rust checks a descriptor it closes so), never setting them.
    let asks = |cmd: libc::c_int| {
        SeccompCondition::new(1, SeccompCmpArgLen::Dword, SeccompCmpOp::Eq, cmd as u64)
            .and_then(|c| SeccompRule::new(vec![c]))
            .map_err(err)
    };
    rules.insert(libc::SYS_fcntl, vec![asks(libc::F_GETFD)?, asks(libc::F_GETFL)?]);
    let allow =
        SeccompFilter::new(rules, SeccompAction::Errno(libc::EPERM as u32), SeccompAction::Allow, ARCH)
            .map_err(err)?;
    let clone3 = SeccompFilter::new(
        [(libc::SYS_clone3, Vec::new())].into_iter().collect(),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        ARCH,
    )
    .map_err(err)?;
    let compile = |f: SeccompFilter| BpfProgram::try_from(f).map_err(err);
    Ok((compile(allow)?, compile(clone3)?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_filters_compile_for_this_machine() {
        let (allow, clone3) = super::filters().unwrap();
        assert!(allow.len() > 40 && !clone3.is_empty());
    }
}
