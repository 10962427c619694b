//! An instance moves between logic threads as a whole, between callbacks.
//!
//! An [`Instance`] is `!Send` because it is built of `Rc`s and `RefCell`s (its engine's
//! runtime, the natives the script calls, the counting allocator's meter), and because
//! rquickjs's runtime is `!Send` without its `parallel` feature (which would put a lock on every
//! call into the engine). None of those is ever shared outside the instance: every `Rc` clone
//! lives inside it (in its fields, or in closures the JS heap of its own runtime owns), no
//! thread-local state is involved (QuickJS keeps everything in its runtime; rquickjs and the
//! crates here use no thread-locals), and rquickjs refreshes QuickJS's stack top on every
//! entry into the engine, so the native stack limit follows the thread a call runs on. The
//! instance is therefore an island: moving the whole island to another thread while no code
//! of it runs is sound, which is all the scheduler in `pool.rs` does — it takes an instance
//! out of its slot under the pool's lock, runs one input on one thread, and puts it back.

// The one `unsafe` of this crate: asserting the island argument above to the compiler.
#![allow(unsafe_code)]

use crate::instance::Instance;

/// An instance that may cross threads while nothing of it runs.
pub(crate) struct Movable(pub(crate) Box<Instance>);

// SAFETY: see the module comment — everything reachable from the instance is owned by it,
// nothing of it is shared with code outside, and it is only ever used by one thread at a time
// (the pool hands it out under a lock and takes it back before another thread can have it).
unsafe impl Send for Movable {}
