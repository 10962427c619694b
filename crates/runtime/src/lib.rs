//! `capsule-runtime` ties an instance together: a [`capsule_js::Engine`], a page stack whose
//! pages each hold their data and rendered tree, timers and navigation, driven only through
//! [`Input`] and [`Output`] messages ([`Instance`]), and the logic threads that run many
//! instances ([`Pool`]).
//!
//! It owns: lifecycle order, `setData` → patches, event propagation, navigation rules, the
//! message protocol. It must not: touch the file system or network (the package is in
//! memory; everything else is asked for with an [`Output::ApiCall`] the host answers), know any
//! provider of APIs, or know how a view draws.

mod components;
mod events;
pub mod held;
pub mod instance;
pub mod message;
mod movable;
pub mod pool;
pub mod port;

pub use capsule_js::Limits;
pub use events::{Offset, Pointer, Touch};
pub use instance::Instance;
pub use message::{Input, Output, Query, SYNC_CEILING};
pub use pool::{
    InstanceHandle, InstanceSender, Pool, PoolConfig, Remote, Spawn, VitalState, Vitals, next_instance_id,
};
pub use port::{ApiSurface, Outlet};
