//! The native stack limit follows the thread a call runs on.
//!
//! QuickJS measures its stack limit from a "stack top" it records; rquickjs refreshes that
//! record on every entry into the engine only under its `parallel` feature. An instance may
//! run its callbacks on different logic threads (the pool moves an idle instance to a free
//! thread), so the engine refreshes the record itself at every entry from the host — not
//! on calls the script makes back into the engine from a native, which keeps one callback's
//! whole native stack under the one limit.

// The one call here is not in rquickjs's safe API.
#![allow(unsafe_code)]

use rquickjs::Ctx;

/// Records the current stack pointer as the top of the stack the limit is measured from.
pub(crate) fn enter(ctx: &Ctx<'_>) {
    let raw = ctx.as_raw().as_ptr();
    // SAFETY: `raw` is the live context `ctx` borrows, so its runtime is live too, and the
    // caller holds the runtime (inside `Context::with`) on this thread; JS_UpdateStackTop only
    // reads the current stack pointer and writes the runtime's two stack fields.
    unsafe { rquickjs::qjs::JS_UpdateStackTop(rquickjs::qjs::JS_GetRuntime(raw)) }
}
