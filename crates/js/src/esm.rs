//! ES module syntax in package files, mixed with CommonJS as the platform's tools allow (they
//! compile every file to CommonJS with Babel). A file with module syntax is evaluated as an ES
//! module whose imports resolve inside the package like `require` does, and which has a
//! `require` of its own and, when it uses them, the `module` / `exports` of its `require`
//! record. Three kinds of file can be imported:
//!
//! - a file with `export` is an ES module; `require` of it gives its exports as Babel's output
//!   does (a getter per export, `__esModule`);
//! - a CommonJS file (no module syntax) is run through `require` when the importing graph is
//!   linked, and stands as a module built from the keys its `module.exports` has then: the
//!   default export is `module.exports` (its `default` when `__esModule` is set, as Babel's
//!   interop reads it), and every key is a named export, so `import * as lib` of a minified
//!   UMD bundle has the functions its factory assigned;
//! - a file that imports but exports through `module.exports` / `exports.x` is a body module
//!   (its own name, so its errors point at it) behind a facade (`<path>?commonjs`) that
//!   imports the body first, then exports `module.exports` the same way.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use capsule_package::Package;
use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::Declared;
use rquickjs::{Ctx, Exception, Function, Module, Object, Value};

use crate::modules;

/// The prefix of an import specifier that names a mixed file's body, not its facade.
const BODY: &str = "capsule-body:";
/// The suffix of a mixed file's facade module name.
const FACADE: &str = "?commonjs";

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

/// Whether `source` has an `export` declaration (an ES module's own exports).
fn has_exports(source: &str) -> bool {
    static PATTERN: std::sync::OnceLock<regex_lite::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex_lite::Regex::new(
            r#"(?m)^[ \t]*export(?:[ \t]+(?:default|const|let|var|function|class|async)\b|[ \t]*[{*])"#,
        )
        .expect("valid")
    });
    re.is_match(source)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Json,
    CommonJs,
    /// `import`s, exports through `module.exports`.
    Mixed,
    Module,
}

fn kind(path: &str, source: &str) -> Kind {
    if path.ends_with(".json") {
        Kind::Json
    } else if !is_module(source) {
        Kind::CommonJs
    } else if has_exports(source) {
        Kind::Module
    } else {
        Kind::Mixed
    }
}

/// A named import seen in an ES module file, kept to check it against a CommonJS file's keys
/// and to say where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Wanted {
    importer: String,
    line: usize,
    name: String,
}

/// What the resolver and the loader share: the named imports seen so far, by the package
/// path they import from.
#[derive(Default)]
pub struct Imports {
    wanted: RefCell<HashMap<String, Vec<Wanted>>>,
}

impl Imports {
    /// A located message for QuickJS's `Could not find export 'x' in module 'm'`, which names
    /// neither the importing file nor its line; `None` when `message` is another error.
    pub fn locate_missing_export(&self, message: &str) -> Option<String> {
        let rest = message.split("Could not find export '").nth(1)?;
        let (name, rest) = rest.split_once("' in module '")?;
        let module = rest.split('\'').next()?;
        let module = module.strip_suffix(FACADE).unwrap_or(module);
        let wanted = self.wanted.borrow();
        let w = wanted.get(module)?.iter().find(|w| w.name == name)?;
        Some(format!("{}:{}: `{name}` is not exported by {module}", w.importer, w.line))
    }
}

/// The specifier `Module::import` takes for the file `path` itself (for a mixed file, its
/// body rather than its facade).
pub fn body_specifier(path: &str) -> String {
    format!("{BODY}/{path}")
}

/// The resolver and loader for a package's modules, sharing what they learn.
pub fn loader(package: Arc<Package>, imports: Rc<Imports>) -> (PackageResolver, PackageLoader) {
    (PackageResolver(package.clone()), PackageLoader { package, imports })
}

pub struct PackageResolver(Arc<Package>);

impl Resolver for PackageResolver {
    fn resolve<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        let (body, spec) = match name.strip_prefix(BODY) {
            Some(spec) => (true, spec),
            None => (false, name),
        };
        let base = base.strip_suffix(FACADE).unwrap_or(base);
        let files = &self.0.files;
        let path =
            modules::resolve(files, base, spec).map_err(|e| Exception::throw_message(ctx, &e.to_string()))?;
        let mixed = files.text(&path).is_some_and(|s| kind(&path, s) == Kind::Mixed);
        Ok(if mixed && !body { format!("{path}{FACADE}") } else { path })
    }
}

pub struct PackageLoader {
    package: Arc<Package>,
    imports: Rc<Imports>,
}

impl Loader for PackageLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        let path = name.strip_suffix(FACADE).unwrap_or(name);
        let Some(source) = self.package.files.text(path) else {
            return Err(Exception::throw_message(ctx, &format!("cannot read `{path}`")));
        };
        let quoted = serde_json::to_string(path).unwrap_or_default();
        let code = match kind(path, source) {
            Kind::Json => {
                format!("export default JSON.parse({});", serde_json::to_string(source).unwrap_or_default())
            }
            Kind::CommonJs => self.commonjs_facade(ctx, path, source)?,
            Kind::Mixed if name.ends_with(FACADE) => {
                let body = serde_json::to_string(&body_specifier(path)).unwrap_or_default();
                let mut names = exported_names(source);
                for w in self.imports.wanted.borrow().get(path).into_iter().flatten() {
                    if !names.contains(&w.name) {
                        names.push(w.name.clone());
                    }
                }
                format!("import {body};\n{}", facade(&quoted, &names))
            }
            kind => {
                self.note_imports(path, source);
                // On the first line, so line numbers stay as written; columns on that line are
                // put back when an error is reported (`first_line_columns`).
                let prelude = bindings(path, source, kind == Kind::Module);
                note_first_line_shift(ctx, path, prelude.len())?;
                format!("{prelude}{source}")
            }
        };
        Module::declare(ctx.clone(), name, code)
    }
}

impl PackageLoader {
    /// Records the named imports of the ES module file `path`.
    fn note_imports(&self, path: &str, source: &str) {
        let mut wanted = self.imports.wanted.borrow_mut();
        for (line, names, spec) in named_imports(source) {
            let Ok(target) = modules::resolve(&self.package.files, path, &spec) else { continue };
            let list = wanted.entry(target).or_default();
            for name in names {
                let w = Wanted { importer: path.to_string(), line, name };
                if !list.contains(&w) {
                    list.push(w);
                }
            }
        }
    }

    /// The module standing for the CommonJS file `path`: the file runs now, through
    /// `require`'s cache, so that its module can export the keys `module.exports` really has
    /// (a minified factory's renamed `exports` hides them from any reading of the source).
    /// In a cycle the file may still be running; the names it visibly assigns are exported
    /// too.
    fn commonjs_facade<'js>(&self, ctx: &Ctx<'js>, path: &str, source: &str) -> rquickjs::Result<String> {
        let hooks: Object = ctx.globals().get("__capsule")?;
        let load: Function = hooks.get("load")?;
        let exports: Value = load.call((path,))?;
        let mut have: Vec<String> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        if let Some(o) = exports.as_object() {
            have = o.keys::<String>().collect::<rquickjs::Result<_>>()?;
            names.clone_from(&have);
            // Babel's flag is not enumerable; `import * as` keeps it, as Babel's interop does.
            if o.contains_key("__esModule")? && !names.iter().any(|n| n == "__esModule") {
                names.push("__esModule".to_string());
            }
        }
        for n in exported_names(source) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        if let Some(w) = self
            .imports
            .wanted
            .borrow()
            .get(path)
            .into_iter()
            .flatten()
            .find(|w| w.name != "default" && !names.contains(&w.name))
        {
            let shown: Vec<&str> = have.iter().map(String::as_str).filter(|n| is_identifier(n)).collect();
            let has = if shown.is_empty() { "no keys".to_string() } else { shown.join(", ") };
            return Err(Exception::throw_syntax(
                ctx,
                &format!(
                    "{}:{}: `{}` is not exported by {path}, a CommonJS file whose module.exports has {has}",
                    w.importer, w.line, w.name
                ),
            ));
        }
        Ok(facade(&serde_json::to_string(path).unwrap_or_default(), &names))
    }
}

/// Where the engine keeps, per module file, how many bytes its prelude adds before the source
/// on line 1.
const SHIFTS: &str = "__capsuleFirstLineShift";

fn note_first_line_shift(ctx: &Ctx<'_>, path: &str, shift: usize) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    let shifts: Object = match globals.get::<_, Option<Object>>(SHIFTS)? {
        Some(o) => o,
        None => {
            let o = Object::new(ctx.clone())?;
            globals.prop(SHIFTS, rquickjs::object::Property::from(o.clone()))?;
            o
        }
    };
    shifts.set(path, shift)
}

/// `stack` with every `path:1:col` of an ES module file put back to the column in the file
/// as written (QuickJS counts its prelude, which sits on line 1 too).
pub fn first_line_columns(ctx: &Ctx<'_>, stack: String) -> String {
    let Ok(Some(shifts)) = ctx.globals().get::<_, Option<Object>>(SHIFTS) else { return stack };
    let mut out = stack;
    for (path, shift) in shifts.props::<String, usize>().flatten() {
        let at = format!("{path}:1:");
        if !out.contains(&at) {
            continue;
        }
        let mut fixed = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(&at) {
            let after = &rest[i + at.len()..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            // Only a whole name, so `a/pages/x.js` is not taken for `pages/x.js`. A frame of
            // running code (`at f (path:1:col)`) has QuickJS's column from 0 on line 1; a
            // compile error's place (`at path:1:col`) is counted from 1, as on other lines.
            let shift = match i.checked_sub(1).map(|b| rest.as_bytes()[b]) {
                Some(b'(') => Some(shift.saturating_sub(1)),
                Some(b' ' | b'\n') | None => Some(shift),
                Some(_) => None,
            };
            fixed.push_str(&rest[..i + at.len()]);
            match (after[..digits].parse::<usize>(), shift) {
                (Ok(col), Some(shift)) if col > shift => fixed.push_str(&(col - shift).to_string()),
                _ => fixed.push_str(&after[..digits]),
            }
            rest = &after[digits..];
        }
        fixed.push_str(rest);
        out = fixed;
    }
    out
}

/// The first-line prelude of an ES module file: its `require`, and the `module` / `exports`
/// of its `require` record when the file uses them and does not declare its own. A file with
/// exports hands its namespace to the record (so `require` of it, even in a cycle, sees live
/// exports).
fn bindings(path: &str, source: &str, exports: bool) -> String {
    let quoted = serde_json::to_string(path).unwrap_or_default();
    let mut out = String::new();
    let mut namespace = "undefined".to_string();
    if exports {
        let own = serde_json::to_string(&format!("/{path}")).unwrap_or_default();
        out += &format!("import * as __capsuleSelf from {own};");
        namespace = "__capsuleSelf".to_string();
    }
    out += &format!("const __capsuleModule = globalThis.__capsule.moduleOf({quoted}, {namespace});");
    if !declares(source, "require") {
        out += &format!("const require = globalThis.__capsule.requireFrom({quoted});");
    }
    if uses(source, "module") && !declares(source, "module") {
        out += "const module = __capsuleModule;";
    }
    if uses(source, "exports") && !declares(source, "exports") {
        out += "const exports = __capsuleModule.exports;";
    }
    out
}

/// Whether `source` reads the free name `name` as an object (`module.exports`, `exports.x`,
/// `exports[k]`).
fn uses(source: &str, name: &str) -> bool {
    regex_lite::Regex::new(&format!(r"(?:^|[^.\w$]){name}\s*[.\[]")).expect("valid").is_match(source)
}

/// Whether `source` declares `name` itself, at any level (a guess that errs towards not
/// binding it: a second declaration would be a syntax error).
fn declares(source: &str, name: &str) -> bool {
    regex_lite::Regex::new(&format!(
        r"(?:\b(?:var|let|const|function|class|import)\s+|\bas\s+|[{{,]\s*){name}\s*(?:[=,;}}(]|\bfrom\b|$)"
    ))
    .expect("valid")
    .is_match(source)
}

/// The named imports of an ES module file: line, names, specifier.
fn named_imports(source: &str) -> Vec<(usize, Vec<String>, String)> {
    static PATTERN: std::sync::OnceLock<regex_lite::Regex> = std::sync::OnceLock::new();
    let re = PATTERN.get_or_init(|| {
        regex_lite::Regex::new(
            r#"(?m)^[ \t]*import\s+(?:[\w$]+\s*,\s*)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]"#,
        )
        .expect("valid")
    });
    re.captures_iter(source)
        .map(|c| {
            let whole = c.get(0).expect("match");
            let line = source[..whole.start()].matches('\n').count() + 1;
            let names =
                c[1].split(',').filter_map(|n| n.split_whitespace().next()).map(str::to_string).collect();
            (line, names, c[2].to_string())
        })
        .collect()
}

/// Whether `name` can follow `export { x as …` and a `.` (an IdentifierName).
fn is_identifier(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// A module exporting what `require(path)` gives: the default as Babel's interop reads it,
/// and `names`.
fn facade(quoted: &str, names: &[String]) -> String {
    let mut out = format!(
        "const m = globalThis.__capsule.load({quoted});\n\
         export default m && m.__esModule ? m.default : m;\n"
    );
    let names: Vec<&String> = names.iter().filter(|n| is_identifier(n) && n.as_str() != "default").collect();
    for (i, n) in names.iter().enumerate() {
        out += &format!(
            "const e{i} = m == null ? undefined : m[{}];\n",
            serde_json::to_string(n).unwrap_or_default()
        );
    }
    if !names.is_empty() {
        let list: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("e{i} as {n}")).collect();
        out += &format!("export {{ {} }};\n", list.join(", "));
    }
    out
}

/// Names a CommonJS file visibly exports: `exports.x =`, `module.exports.x =`, and the
/// keys of `module.exports = { … }`.
fn exported_names(source: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        if is_identifier(n) && n != "default" && !names.iter().any(|x| x == n) {
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

    #[test]
    fn classifies_files() {
        assert_eq!(kind("a.json", "{}"), Kind::Json);
        assert_eq!(kind("a.js", "exports.a = 1"), Kind::CommonJs);
        assert_eq!(kind("a.js", "import b from './b'\nmodule.exports = b"), Kind::Mixed);
        assert_eq!(kind("a.js", "import b from './b'\nexport default b"), Kind::Module);
    }

    #[test]
    fn binds_commonjs_names_only_where_used_and_not_declared() {
        assert!(uses("module.exports = 1", "module"));
        assert!(uses("x;exports['a'] = 1", "exports"));
        assert!(!uses("module.exports = 1", "exports"));
        assert!(!uses("a.module.x", "module"));
        assert!(declares("const module = {}", "module"));
        assert!(declares("import require from './r'", "require"));
        assert!(declares("import { a as exports } from './r'", "exports"));
        assert!(!declares("module.exports = { a: require('./a') }", "require"));
        let prelude = bindings("u/a.js", "export const a = require('./b');", true);
        assert_eq!(
            prelude,
            "import * as __capsuleSelf from \"/u/a.js\";\
             const __capsuleModule = globalThis.__capsule.moduleOf(\"u/a.js\", __capsuleSelf);\
             const require = globalThis.__capsule.requireFrom(\"u/a.js\");"
        );
        assert!(!prelude.contains('\n'), "the prelude keeps line numbers");
    }

    #[test]
    fn finds_named_imports_with_their_lines() {
        let src = "// x\nimport a, { b, c as d } from './x';\n  import {\n e,\n} from \"/y\"\nimport * as z from './z'";
        assert_eq!(
            named_imports(src),
            [
                (2, vec!["b".to_string(), "c".to_string()], "./x".to_string()),
                (3, vec!["e".to_string()], "/y".to_string())
            ]
        );
    }

    #[test]
    fn a_facade_exports_every_key_under_any_identifier_name() {
        let code =
            facade("\"l.js\"", &["add".into(), "if".into(), "m".into(), "default".into(), "a-b".into()]);
        assert_eq!(
            code,
            "const m = globalThis.__capsule.load(\"l.js\");\n\
             export default m && m.__esModule ? m.default : m;\n\
             const e0 = m == null ? undefined : m[\"add\"];\n\
             const e1 = m == null ? undefined : m[\"if\"];\n\
             const e2 = m == null ? undefined : m[\"m\"];\n\
             export { e0 as add, e1 as if, e2 as m };\n"
        );
    }
}
