//! ES module syntax in package files. Modern projects ship `import` / `export`; the platform's
//! tools accept both that and CommonJS, and mix them. A file with module syntax is evaluated
//! as an ES module whose imports resolve inside the package like `require` does; a CommonJS
//! file imported from one is seen as a module whose default export is its `module.exports`,
//! with the names it visibly assigns (`exports.x = …`, `module.exports = { x, … }`) as named
//! exports too.

use std::sync::Arc;

use capsule_package::Package;
use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::Declared;
use rquickjs::{Ctx, Exception, Module};

use crate::modules;

/// Whether `source` uses module syntax: a line that starts with an `import` or `export`
/// declaration. (QuickJS's own detector takes `module.exports` for module syntax.)
pub fn is_module(source: &str) -> bool {
    static PATTERN: std::sync::OnceLock<regex_lite::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex_lite::Regex::new(
            r#"(?m)^[ \t]*(?:import[ \t]*(?:[\w$*{][^(;]*?from[ \t]*['"]|['"])|export[ \t]+(?:default|const|let|var|function|class|async)\b|export[ \t]*[{*])"#,
        )
        .expect("valid")
    });
    re.is_match(source)
}

pub struct PackageResolver(pub Arc<Package>);

impl Resolver for PackageResolver {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        modules::resolve(&self.0.files, base, name).map_err(|e| Exception::throw_message(ctx, &e.to_string()))
    }
}

pub struct PackageLoader(pub Arc<Package>);

impl Loader for PackageLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        let Some(source) = self.0.files.text(name) else {
            return Err(Exception::throw_message(ctx, &format!("cannot read `{name}`")));
        };
        let path = serde_json::to_string(name).unwrap_or_default();
        let code = if name.ends_with(".json") {
            format!("export default JSON.parse({});", serde_json::to_string(source).unwrap_or_default())
        } else if is_module(source) {
            // The platform's tools let module files call `require` too; the binding sits on
            // the first line so line numbers stay as written.
            format!("const require = globalThis.__capsule.requireFrom({path});{source}")
        } else {
            commonjs_facade(&path, source)
        };
        Module::declare(ctx.clone(), name, code)
    }
}

/// A module standing for a CommonJS file: it loads the file through `require`'s cache.
fn commonjs_facade(path: &str, source: &str) -> String {
    let mut out = format!("const m = globalThis.__capsule.load({path});\nexport default m;\n");
    let names = exported_names(source);
    if !names.is_empty() {
        let list: Vec<String> = names.iter().map(|n| format!("{n} = m.{n}")).collect();
        out += &format!("export const {};\n", list.join(", "));
    }
    out
}

/// Names a CommonJS file visibly exports: `exports.x =`, `module.exports.x =`, and the
/// keys of `module.exports = { … }`.
fn exported_names(source: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        let ok = !n.is_empty()
            && n.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
            && n.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            && !["default", "m", "let", "const", "var", "function", "class", "new", "delete"].contains(&n);
        if ok && !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    };
    let assign = regex_lite::Regex::new(r"(?:^|[^.\w$])(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=[^=]")
        .expect("valid");
    for c in assign.captures_iter(source) {
        add(&c[1]);
    }
    let object = regex_lite::Regex::new(r"module\.exports\s*=\s*\{").expect("valid");
    if let Some(m) = object.find(source) {
        let body = &source[m.end()..];
        let mut depth = 0usize;
        let mut key = String::new();
        let mut at_key = true;
        for c in body.chars() {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' if depth == 0 => break,
                '}' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    add(key.trim());
                    key.clear();
                    at_key = true;
                    continue;
                }
                ':' if depth == 0 => at_key = false,
                _ => {}
            }
            if at_key && depth == 0 && !"{}()[]".contains(c) {
                key.push(c);
            }
        }
        // A method `name() {…}` leaves `name(` in the key; a last key has no comma after it.
        let last = key.trim().split('(').next().unwrap_or("").trim().to_string();
        add(&last);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_module_syntax() {
        assert!(is_module("import a from './a'\nexport default 1"));
        assert!(is_module("import { a, b } from \"./a\""));
        assert!(is_module("import './side-effect'"));
        assert!(is_module("const x = 1\nexport const y = 2"));
        assert!(is_module("export { x as y }"));
        assert!(!is_module("const a = require('./a'); module.exports = a"));
        assert!(!is_module("exports.x = 1; // export default"));
        assert!(!is_module("import('./lazy').then(m => m)"));
        assert!(!is_module("const important = 1"));
    }

    #[test]
    fn finds_commonjs_export_names() {
        let src = "exports.alpha = 1; module.exports.beta = 2; if (exports.alpha == 1) {}\n\
                   module.exports = { gamma, delta: 4, nested: { no: 1 }, fn(a, b) { return 1 } }";
        assert_eq!(exported_names(src), ["alpha", "beta", "gamma", "delta", "nested", "fn"]);
    }
}
