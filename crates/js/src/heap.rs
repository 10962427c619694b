//! The heap budget: an allocator that counts what QuickJS holds and refuses to go past the
//! limit. QuickJS turns a refused allocation into a catchable `out of memory` error, so the
//! refusal is also recorded, and the engine terminates the instance at its next interrupt
//! check even when the script caught the error and carried on.

// The allocator trait is unsafe by nature (raw pointers handed to C); everything here
// delegates to rquickjs's own Rust allocator and only adds the counting.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rquickjs::allocator::{Allocator, RustAllocator};

/// Bytes every engine of this process holds together: an engine freed with its runtime gives
/// all of its bytes back, so this returns to where it was once the engines made since are
/// gone (a runtime QuickJS could not free would stay counted).
static IN_PROCESS: AtomicUsize = AtomicUsize::new(0);

pub fn in_process() -> usize {
    IN_PROCESS.load(Ordering::Relaxed)
}

/// What the counting allocator shares with the engine.
#[derive(Debug, Default)]
pub struct HeapMeter {
    pub used: Cell<usize>,
    pub peak: Cell<usize>,
    pub limit: Cell<usize>,
    /// Set when an allocation was refused.
    pub exceeded: Cell<bool>,
}

pub struct CountingAllocator {
    inner: RustAllocator,
    meter: Rc<HeapMeter>,
}

impl CountingAllocator {
    pub fn new(meter: Rc<HeapMeter>) -> CountingAllocator {
        CountingAllocator { inner: RustAllocator, meter }
    }

    fn admit(&self, more: usize) -> bool {
        let m = &self.meter;
        let after = m.used.get().saturating_add(more);
        if after > m.limit.get() {
            m.exceeded.set(true);
            return false;
        }
        true
    }

    fn grew(&self, more: usize) {
        let m = &self.meter;
        m.used.set(m.used.get() + more);
        m.peak.set(m.peak.get().max(m.used.get()));
        IN_PROCESS.fetch_add(more, Ordering::Relaxed);
    }
}

unsafe impl Allocator for CountingAllocator {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        if !self.admit(size) {
            return std::ptr::null_mut();
        }
        let ptr = self.inner.alloc(size);
        if !ptr.is_null() {
            // SAFETY: `ptr` was just allocated by the inner allocator.
            self.grew(unsafe { RustAllocator::usable_size(ptr) });
        }
        ptr
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        if !self.admit(count.saturating_mul(size)) {
            return std::ptr::null_mut();
        }
        let ptr = self.inner.calloc(count, size);
        if !ptr.is_null() {
            // SAFETY: `ptr` was just allocated by the inner allocator.
            self.grew(unsafe { RustAllocator::usable_size(ptr) });
        }
        ptr
    }

    unsafe fn dealloc(&mut self, ptr: *mut u8) {
        // SAFETY: the caller guarantees `ptr` came from this allocator.
        let size = unsafe { RustAllocator::usable_size(ptr) };
        self.meter.used.set(self.meter.used.get().saturating_sub(size));
        IN_PROCESS.fetch_sub(size, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { self.inner.dealloc(ptr) }
    }

    unsafe fn realloc(&mut self, ptr: *mut u8, new_size: usize) -> *mut u8 {
        // SAFETY: the caller guarantees `ptr` came from this allocator.
        let old = unsafe { RustAllocator::usable_size(ptr) };
        if new_size > old && !self.admit(new_size - old) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above.
        let new = unsafe { self.inner.realloc(ptr, new_size) };
        if !new.is_null() {
            // SAFETY: `new` was just returned by the inner allocator.
            let size = unsafe { RustAllocator::usable_size(new) };
            self.meter.used.set(self.meter.used.get().saturating_sub(old));
            IN_PROCESS.fetch_sub(old, Ordering::Relaxed);
            self.grew(size);
        }
        new
    }

    unsafe fn usable_size(ptr: *mut u8) -> usize {
        // SAFETY: the caller guarantees `ptr` came from this allocator.
        unsafe { RustAllocator::usable_size(ptr) }
    }
}

/// QuickJS's own count of what the runtime of `context` holds.
pub(crate) fn usage(context: &rquickjs::Context) -> rquickjs::qjs::JSMemoryUsage {
    let raw = context.as_raw().as_ptr();
    let mut usage = std::mem::MaybeUninit::<rquickjs::qjs::JSMemoryUsage>::uninit();
    // SAFETY: `raw` is a live context (the caller holds it), so its runtime is live, and an
    // engine is used on one thread at a time; JS_ComputeMemoryUsage only reads the runtime and
    // fills every field of the struct.
    unsafe {
        rquickjs::qjs::JS_ComputeMemoryUsage(rquickjs::qjs::JS_GetRuntime(raw), usage.as_mut_ptr());
        usage.assume_init()
    }
}
