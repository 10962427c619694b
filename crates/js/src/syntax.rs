//! Syntax checking without running: every script of a package compiled by QuickJS, as it
//! would be compiled to run, and each that does not compile reported at its `file:line:col`
//! with the excerpt and a caret, like a template error (`capsule check`, `capsule run`).

use capsule_package::{Diagnostic, Diagnostics, Package, Span};
use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::Declared;
use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, Module, Runtime};

use crate::{bytecode, esm, modules};

/// The syntax errors of every script the package holds itself (not an extended library it
/// mounts, nor the output of a compiler plugin, whose source's errors the load reported).
/// A file with ES module syntax is compiled as a module, any other as the body of the
/// CommonJS function it runs in (so a top-level `return` is fine, as on the platform).
pub fn syntax_errors(package: &Package) -> Diagnostics {
    let mut found = Diagnostics::default();
    let Ok(runtime) = Runtime::new() else { return found };
    // A hostile file is only compiled, but the parser still allocates: cap it.
    runtime.set_memory_limit(256 << 20);
    // QuickJS loads a module's imports as it compiles it; each is an empty stand-in here,
    // since only this file's syntax is in question (what it imports is checked on its own).
    runtime.set_loader(StandIn, StandIn);
    let Ok(context) = Context::full(&runtime) else { return found };
    context.with(|ctx| {
        for (path, bytes) in package.own_files() {
            if !path.ends_with(".js") || package.generated(path).is_some() {
                continue;
            }
            let Ok(source) = std::str::from_utf8(bytes) else { continue };
            if let Some(at) = source.find('\0') {
                let message = "the file contains a NUL character, which a script cannot hold";
                found.push(Diagnostic::error(path, message).at(source, Span::new(at, at + 1)));
                continue;
            }
            let compiled = if esm::is_module(source) {
                // After a line break of its own: QuickJS numbers line 1's columns from 0.
                bytecode::compile_only(&ctx, &format!("\n\n{source}"), path, -1, true).map(drop)
            } else {
                let body = modules::strip_hashbang(source);
                let wrapped = format!("(function ()\n{{\n{body}\n}})");
                bytecode::compile_only(&ctx, &wrapped, path, -1, false).map(drop)
            };
            match compiled.catch(&ctx) {
                Ok(()) => {}
                Err(CaughtError::Exception(e)) => {
                    // A SyntaxError, or what stopped the parser (too deep: a RangeError).
                    let name: String = e.get("name").unwrap_or_else(|_| "SyntaxError".into());
                    let message = format!("{name}: {}", e.message().unwrap_or_default());
                    let stack = e.stack().unwrap_or_default();
                    found.push(located(path, source, &message, &stack));
                }
                Err(e) => found.push(Diagnostic::error(path, e.to_string())),
            }
        }
    });
    found
}

/// Every import resolves to a distinct empty module.
struct StandIn;

impl Resolver for StandIn {
    fn resolve<'js>(
        &mut self,
        _: &Ctx<'js>,
        base: &str,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        Ok(format!("{base} → {name}"))
    }
}

impl Loader for StandIn {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        Module::declare(ctx.clone(), name, "")
    }
}

/// A diagnostic at the place QuickJS's stack names (`at path:line:col`); without one, the
/// file alone.
fn located(path: &str, source: &str, message: &str, stack: &str) -> Diagnostic {
    let text = message.to_string();
    let at = format!("{path}:");
    let position = stack.lines().find_map(|line| {
        let rest = &line[line.find(&at)? + at.len()..];
        let mut parts = rest.trim_end_matches(')').split(':');
        let line: usize = parts.next()?.parse().ok()?;
        let column: usize = parts.next()?.parse().ok()?;
        Some((line, column))
    });
    let Some((line, column)) = position else { return Diagnostic::error(path, text) };
    // QuickJS counts columns in bytes from the line's start.
    let line_start = if line <= 1 {
        0
    } else {
        source.match_indices('\n').nth(line - 2).map_or(source.len(), |(i, _)| i + 1)
    };
    let start = (line_start + column.saturating_sub(1)).min(source.len());
    Diagnostic::error(path, text).at(source, Span::new(start, start + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_come_from_the_stack() {
        let d = located("a.js", "x\nlet = ;", "SyntaxError: unexpected token", "    at a.js:2:5\n");
        assert_eq!(d.position(), "a.js:2:5");
        assert_eq!(d.message, "SyntaxError: unexpected token");
        let d = located("a.js", "x", "m", "    at other.js:1:1\n");
        assert_eq!(d.position(), "a.js");
    }
}
