//! Why an engine could not start, as `EngineError` says it: the cause to match on, and the
//! message a person reads.

mod common;

use std::rc::Rc;
use std::sync::Arc;

use capsule_js::{Engine, EngineError, Limits, MIN_HEAP};
use capsule_package::Package;

/// One app for every test (they run at once; loading it once keeps them off each other's files).
fn package() -> Arc<Package> {
    static PACKAGE: std::sync::OnceLock<Arc<Package>> = std::sync::OnceLock::new();
    PACKAGE.get_or_init(load).clone()
}

fn load() -> Arc<Package> {
    common::package(&[])
}

/// `Engine::new` with a heap budget of `heap` bytes, on a logic thread's stack.
fn start(heap: usize) -> Result<(), EngineError> {
    let package = package();
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            Engine::new(package, Limits { heap, ..Limits::default() }, Rc::new(common::Recorder::default()))
                .map(drop)
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn a_heap_too_small_for_quickjs_is_refused_before_quickjs_is_asked() {
    // Below about 36 KiB QuickJS cannot make a runtime and rquickjs crashed the process.
    for heap in [0, 1, 16 * 1024, 32 * 1024, MIN_HEAP - 1] {
        assert_eq!(start(heap), Err(EngineError::HeapTooSmall { heap, message: None }), "{heap}");
    }
    assert_eq!(
        start(16 * 1024).unwrap_err().to_string(),
        "heap limit 16384 bytes is too small to start an engine (at least 64 KiB)"
    );
}

#[test]
fn a_heap_too_small_for_the_framework_says_what_ran_out() {
    for heap in [MIN_HEAP, 128 * 1024, 256 * 1024] {
        let e = start(heap).unwrap_err();
        let EngineError::HeapTooSmall { heap: h, message: Some(message) } = &e else {
            panic!("{heap}: {e:?}");
        };
        assert_eq!(*h, heap);
        assert!(!message.is_empty());
        // The text is what failed, as before the error had a type; hosts that still carry
        // text get the same.
        assert_eq!(&e.to_string(), message);
        assert_eq!(String::from(e.clone()), *message);
    }
    assert_eq!(start(16 * 1024 * 1024), Ok(()));
}

#[test]
fn every_small_heap_fails_cleanly_or_starts() {
    let mut started = None;
    for heap in (0..=2 * 1024 * 1024).step_by(16 * 1024) {
        match start(heap) {
            Ok(()) => {
                started.get_or_insert(heap);
            }
            Err(EngineError::HeapTooSmall { heap: h, .. }) => {
                assert_eq!(h, heap);
                assert!(started.is_none(), "{heap} failed after {started:?} started");
            }
            Err(e) => panic!("{heap}: {e:?}"),
        }
    }
    assert!(started.is_some(), "2 MiB is enough to start");
}

#[test]
fn framework_errors_read_as_before() {
    assert_eq!(
        EngineError::FrameworkLoad("SyntaxError: unexpected token".into()).to_string(),
        "the framework failed to load: SyntaxError: unexpected token"
    );
    assert_eq!(
        EngineError::FrameworkStart("TypeError: x is not a function".into()).to_string(),
        "the framework failed to start: TypeError: x is not a function"
    );
    assert_eq!(
        EngineError::Start("Allocation failed while creating object".into()).to_string(),
        "Allocation failed while creating object"
    );
    let boxed: Box<dyn std::error::Error> = Box::new(EngineError::Start("x".into()));
    assert_eq!(boxed.to_string(), "x");
}
