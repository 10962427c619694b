//! `capsule-compile` compiles what WeChat's developer tools compile when
//! `project.config.json` lists them in `setting.useCompilerPlugins`: TypeScript to JavaScript
//! (types stripped, ES module syntax kept for the engine's module loader) with oxc, and Sass
//! (`.scss` / `.sass`) to WXSS with grass. It is the [`SourceCompiler`] a host gives
//! `capsule-package`'s loader ([`LoadOptions::compiler`](capsule_package::LoadOptions)).
//!
//! It owns: the compilers, source maps back to the `.ts` lines, and the cache of compiled
//! TypeScript (by content, in memory and in a folder beside the bytecode cache). It must not:
//! read anything but the package files it is given, or run code. Less has no maintained Rust
//! implementation, so it is not here: [`Compiler::supports`] says no, and the loader warns.
//! The features `typescript` and `sass` (both on by default) choose the compilers built in.
//!
//! ```
//! # #[cfg(feature = "typescript")] {
//! use capsule_compile::Compiler;
//! use capsule_package::Files;
//! use capsule_package::plugins::{Plugin, SourceCompiler};
//! let mut files = Files::default();
//! files.insert("util.ts", b"export const twice = (n: number): number => n * 2;\n".to_vec());
//! let compiled = Compiler::in_memory().compile(Plugin::TypeScript, "util.ts", &files).unwrap();
//! assert_eq!(compiled.code, "export const twice = (n) => n * 2;\n");
//! # }
//! ```

mod cache;
#[cfg(feature = "sass")]
mod sass;
#[cfg(feature = "typescript")]
mod typescript;

use std::sync::Arc;

use capsule_package::Files;
use capsule_package::plugins::{CompileError, Compiled, Plugin, SourceCompiler};

pub use cache::{Cache, CacheMode};
#[cfg(feature = "sass")]
pub use sass::compile_sass;
#[cfg(feature = "typescript")]
pub use typescript::compile_typescript;

/// The compiler plugins capsule has, with a cache for compiled TypeScript.
#[derive(Debug)]
pub struct Compiler {
    cache: Cache,
}

impl Compiler {
    pub fn new(cache: Cache) -> Compiler {
        Compiler { cache }
    }

    /// A compiler whose cache lives as long as it does.
    pub fn in_memory() -> Compiler {
        Compiler::new(Cache::new(CacheMode::Memory))
    }

    /// As [`LoadOptions::compiler`](capsule_package::LoadOptions) takes it.
    pub fn shared(self) -> Arc<dyn SourceCompiler> {
        Arc::new(self)
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }
}

impl SourceCompiler for Compiler {
    fn supports(&self, plugin: Plugin) -> bool {
        match plugin {
            Plugin::TypeScript => cfg!(feature = "typescript"),
            Plugin::Sass => cfg!(feature = "sass"),
            Plugin::Less => false,
        }
    }

    fn compile(&self, plugin: Plugin, path: &str, files: &Files) -> Result<Compiled, CompileError> {
        let missing = || CompileError {
            file: path.to_string(),
            span: None,
            message: format!("this build of capsule has no {} compiler", plugin.name()),
        };
        match plugin {
            #[cfg(feature = "typescript")]
            Plugin::TypeScript => {
                let source = files.text(path).ok_or_else(|| CompileError {
                    file: path.to_string(),
                    span: None,
                    message: "not UTF-8 text".to_string(),
                })?;
                self.cache.get_or_compile(path, source, || compile_typescript(path, source))
            }
            #[cfg(feature = "sass")]
            Plugin::Sass => compile_sass(path, files),
            _ => {
                let _ = files;
                Err(missing())
            }
        }
    }
}
