//! `capsule-sandbox` runs each mini-program instance in its own hardened OS process — a
//! worker — speaking the runtime's [`capsule_runtime::Input`] / [`capsule_runtime::Output`]
//! messages over a socket pair, so that a bug in the engine or in Capsule's native code
//! reached by a hostile script is a bug in a process that can do nothing.
//!
//! It owns: starting workers ([`spawn`], the host's side, [`parent`]), the worker's side
//! ([`run_worker_if_requested`], [`worker`]), what a worker does to itself before any
//! package code runs ([`confine`]: closed descriptors, resource limits, `no_new_privs`,
//! Landlock, seccomp), and the channel's frames ([`frame`]). It must not: give a worker
//! anything but its channel, or trust a byte the worker sends before it is checked.
//!
//! The worker is the host's own program started again ([`WorkerProgram::current`]) or
//! another the host names; either calls [`run_worker_if_requested`] first thing in `main`.

pub mod confine;
pub mod frame;
pub mod parent;
pub mod worker;

pub use confine::Report;
pub use parent::{ADDRESS_SPACE_MARGIN, WorkerProgram, confinement, spawn};
pub use worker::run_worker_if_requested;
