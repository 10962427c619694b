//! The compiler the commands give the package loader for `setting.useCompilerPlugins`: one per
//! process (so a hot reload finds what it compiled), keeping compiled TypeScript in a
//! `typescript` folder inside the bytecode cache's folder, or only in memory, or nowhere, as
//! `--bytecode-cache` / `CAPSULE_BYTECODE_CACHE` choose for bytecode.

use std::sync::Arc;

use capsule_package::plugins::SourceCompiler;

/// `None` in a build without the `compile` feature: the loader then warns that the listed
/// plugins' files are not compiled.
pub fn source_compiler() -> Option<Arc<dyn SourceCompiler>> {
    #[cfg(feature = "compile")]
    {
        use capsule_compile::{Cache, CacheMode, Compiler};
        use capsule_js::bytecode;
        use std::sync::OnceLock;
        static COMPILER: OnceLock<Arc<dyn SourceCompiler>> = OnceLock::new();
        let compiler = COMPILER.get_or_init(|| {
            let mode = match bytecode::Cache::process().mode() {
                bytecode::CacheMode::Off => CacheMode::Off,
                bytecode::CacheMode::Memory => CacheMode::Memory,
                bytecode::CacheMode::Disk(dir) => CacheMode::Disk(dir.join("typescript")),
            };
            Compiler::new(Cache::new(mode)).shared()
        });
        Some(compiler.clone())
    }
    #[cfg(not(feature = "compile"))]
    None
}
