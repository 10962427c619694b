//! Compiling sheets from files built in memory.

#![allow(dead_code)]

use capsule_package::{Diagnostics, Files};
use capsule_style::{Scope, Sheet, SheetKind, compile_file};

/// The files `(path, text)`, in memory.
pub fn files(list: &[(&str, &str)]) -> Files {
    let mut files = Files::default();
    for (path, text) in list {
        files.insert(*path, text.as_bytes().to_vec());
    }
    files
}

/// Compiles `path` among `list`.
pub fn compile(list: &[(&str, &str)], path: &str, kind: SheetKind) -> (Sheet, Diagnostics) {
    let mut diags = Diagnostics::default();
    let sheet = compile_file(&files(list), path, kind, &mut diags);
    (sheet, diags)
}

/// Each diagnostic as `file:line:col: severity: message`, with its hint on the next line.
pub fn lines(diags: &Diagnostics) -> String {
    diags
        .iter()
        .map(|d| match &d.hint {
            Some(hint) => format!("{d}\n  hint: {hint}\n"),
            None => format!("{d}\n"),
        })
        .collect()
}

/// The CSS of one page sheet `p.wxss` holding `text`, for the page `p`, followed by its
/// diagnostics.
pub fn page_css(text: &str) -> String {
    let (sheet, diags) = compile(&[("p.wxss", text)], "p.wxss", SheetKind::Page);
    format!("{}{}", sheet.to_css(Scope::Page("p")), lines(&diags))
}

/// The CSS of one app sheet `app.wxss` holding `text`, followed by its diagnostics.
pub fn global_css(text: &str) -> String {
    let (sheet, diags) = compile(&[("app.wxss", text)], "app.wxss", SheetKind::App);
    format!("{}{}", sheet.to_css(Scope::Global), lines(&diags))
}

/// The diagnostics of compiling `text` as `c.wxss` of `kind`.
pub fn diagnostics(text: &str, kind: SheetKind) -> String {
    let (_, diags) = compile(&[("c.wxss", text)], "c.wxss", kind);
    lines(&diags)
}
