//! `capsule-style` compiles a mini-program's stylesheets — WXSS, and the CSS of W3C MiniApps —
//! into [`Sheet`]s: rules whose selectors, declarations and positions are kept, with `@import`s
//! inlined, `rpx` lengths held apart, and the platform's rules about selectors checked. It
//! writes each sheet out as CSS text for the web view ([`Sheet::to_css`]).
//!
//! It owns: parsing stylesheets with positions (through `cssparser`), resolving `@import`
//! inside the package (relative, absolute, extension left out, cycles), `rpx`, the mapping of
//! built-in component tags to the web view's elements (`view` → `wx-view`), confining a page's
//! rules to its root, and style diagnostics with `file:line:col`. It must not: run JavaScript,
//! read templates, or know about views beyond the CSS text it produces; it reads only the
//! package's [`Files`], never the file system.
//!
//! A syntax error is a warning, and the rule or declaration is skipped, as browsers and the
//! WeChat tools do. Only what loses a whole file is an error: an `@import` that leads nowhere,
//! round in a cycle, or past the import budgets ([`MAX_IMPORTS`], …), and a file that is not
//! UTF-8. No input makes the compiler panic, and its work is bounded by the input's size.
//!
//! ```
//! use capsule_package::{Diagnostics, Files};
//! use capsule_style::{Scope, SheetKind, compile_file};
//!
//! let mut files = Files::default();
//! files.insert("common.wxss", b".title { font-size: 32rpx }".to_vec());
//! files.insert("app.wxss", b"@import \"common\";\nview { padding: 0 20rpx }".to_vec());
//! let mut diags = Diagnostics::default();
//! let sheet = compile_file(&files, "app.wxss", SheetKind::App, &mut diags);
//! assert!(diags.is_empty());
//! assert_eq!(
//!     sheet.to_css(Scope::Global),
//!     ".title {font-size: calc(32 * var(--rpx))}\nwx-view {padding: 0 calc(20 * var(--rpx))}\n"
//! );
//! ```

#![warn(missing_docs)]

mod css;
mod import;
pub mod names;
mod parse;
mod report;
mod selector;
mod sheet;
mod tokens;

use std::collections::BTreeMap;

use capsule_package::{Diagnostics, Dialect, Files, Package};

pub use css::Scope;
pub use import::{MAX_IMPORT_DEPTH, MAX_IMPORTED_BYTES, MAX_IMPORTS};
pub use parse::MAX_NESTING;
pub use report::MAX_SHOWN as MAX_WARNINGS_PER_FILE;
pub use sheet::{
    AttributeMatcher, AttributeOperator, Combinator, Compound, ConditionalRule, Declaration, FontFaceRule,
    Keyframe, KeyframesRule, Origin, PseudoArgument, Rule, Selector, Sheet, SheetKind, SimpleSelector,
    StyleRule, Value, ValuePiece,
};

/// Compiles the stylesheet at `path` in `files`, inlining what it imports. Problems go into
/// `diags`; a sheet always comes back, with the rules that could be kept (none when the file
/// is missing or not UTF-8).
///
/// ```
/// use capsule_package::{Diagnostics, Files};
/// use capsule_style::{SheetKind, compile_file};
///
/// let mut files = Files::default();
/// files.insert("comp/card.wxss", b"#title { colr: red }".to_vec());
/// let mut diags = Diagnostics::default();
/// let sheet = compile_file(&files, "comp/card.wxss", SheetKind::Component, &mut diags);
/// assert_eq!(sheet.rules.len(), 1);
/// let messages: Vec<String> = diags.iter().map(ToString::to_string).collect();
/// assert_eq!(messages, [
///     "comp/card.wxss:1:1: warning: id selector `#title` is not allowed in component wxss",
///     "comp/card.wxss:1:10: warning: unknown property `colr`",
/// ]);
/// ```
pub fn compile_file(files: &Files, path: &str, kind: SheetKind, diags: &mut Diagnostics) -> Sheet {
    let mut compiler = import::Compiler::new(files);
    let sheet = compiler.compile(path, kind);
    for d in compiler.finish().0 {
        diags.push(d);
    }
    sheet
}

/// Every stylesheet of a package, compiled.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PackageStyles {
    /// `app.wxss` (W3C: `app.css`), when the package has one.
    pub app: Option<Sheet>,
    /// Each page's own sheet, by route; pages without one are absent.
    pub pages: BTreeMap<String, Sheet>,
    /// Each custom component's sheet, by component path; components without one are absent.
    pub components: BTreeMap<String, Sheet>,
}

/// Compiles every stylesheet of `package`: the app's, each page's (`<route>.wxss`, W3C
/// `<route>.css`) and each component's (`<path>.wxss`). A sheet that does not exist is simply
/// absent. A file imported by many sheets is parsed, and its problems reported, once.
///
/// ```no_run
/// use capsule_package::{LoadOptions, Package};
/// let package = Package::load("examples/todo", &LoadOptions::default()).expect("loads");
/// let (styles, diags) = capsule_style::compile_package(&package);
/// assert!(!diags.has_errors());
/// println!("{} page sheets", styles.pages.len());
/// ```
pub fn compile_package(package: &Package) -> (PackageStyles, Diagnostics) {
    let extension = match package.manifest.dialect {
        Dialect::WeChat => "wxss",
        Dialect::W3c => "css",
    };
    let files = &package.files;
    let mut compiler = import::Compiler::new(files);
    let mut styles = PackageStyles::default();
    let mut compile = |base: &str, kind: SheetKind| {
        let path = format!("{base}.{extension}");
        files.contains(&path).then(|| compiler.compile(&path, kind))
    };
    styles.app = compile("app", SheetKind::App);
    for page in &package.manifest.pages {
        if let Some(sheet) = compile(&page.route, SheetKind::Page) {
            styles.pages.insert(page.route.clone(), sheet);
        }
    }
    for component in &package.manifest.components {
        if let Some(sheet) = compile(&component.path, SheetKind::Component) {
            styles.components.insert(component.path.clone(), sheet);
        }
    }
    (styles, compiler.finish())
}
