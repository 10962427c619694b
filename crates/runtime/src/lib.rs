//! `capsule-runtime` ties an instance together: a [`capsule_js::Engine`], a page stack whose
//! pages each hold their data and rendered tree, timers and navigation, driven only through
//! [`Input`] and [`Output`] messages ([`Instance`]), and the logic threads that run many
//! instances ([`Pool`]).
//!
//! It owns: lifecycle order, `setData` → patches, event propagation, navigation rules, the
//! message protocol. It must not: touch the file system or network (the package is in
//! memory; host capabilities come with the bridge), or know how a view draws.

mod components;
mod events;
pub mod held;
pub mod instance;
pub mod message;
mod movable;
pub mod pool;

pub use capsule_js::Limits;
pub use instance::Instance;
pub use message::{Input, Output, Query};
pub use pool::{InstanceHandle, InstanceSender, Pool, PoolConfig};
