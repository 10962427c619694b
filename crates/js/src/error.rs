//! Why an engine could not be made, as a type an embedder can match on; its text is the
//! message a person reads.

use std::fmt;

/// Why [`Engine::new`](crate::Engine::new) made no engine.
///
/// ```
/// use capsule_js::EngineError;
/// let e = EngineError::HeapTooSmall { heap: 16 * 1024, message: None };
/// assert_eq!(e.to_string(), "heap limit 16384 bytes is too small to start an engine (at least 64 KiB)");
/// let e = EngineError::FrameworkLoad("Error: out of memory".into());
/// assert_eq!(String::from(e), "the framework failed to load: Error: out of memory");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineError {
    /// The heap budget (`heap` bytes) ran out before the engine was ready. `message` is what
    /// failed for want of memory (QuickJS's runtime, the context, the framework), `None` when
    /// the budget was refused before QuickJS was asked (below [`MIN_HEAP`](crate::MIN_HEAP)).
    HeapTooSmall { heap: usize, message: Option<String> },
    /// QuickJS could not make the runtime, its context or the framework's native functions,
    /// for another reason than the heap budget.
    Start(String),
    /// The framework script did not evaluate (the exception, with its stack).
    FrameworkLoad(String),
    /// The framework's install function threw (the exception, with its stack).
    FrameworkStart(String),
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EngineError::HeapTooSmall { message: Some(message), .. } => f.write_str(message),
            EngineError::HeapTooSmall { heap, message: None } => write!(
                f,
                "heap limit {} is too small to start an engine (at least {} KiB)",
                crate::mib(*heap),
                crate::MIN_HEAP / 1024
            ),
            EngineError::Start(message) => f.write_str(message),
            EngineError::FrameworkLoad(message) => write!(f, "the framework failed to load: {message}"),
            EngineError::FrameworkStart(message) => write!(f, "the framework failed to start: {message}"),
        }
    }
}

impl std::error::Error for EngineError {}

/// For hosts that still carry errors as text (the runtime's `Instance::new`).
impl From<EngineError> for String {
    fn from(e: EngineError) -> String {
        e.to_string()
    }
}
