//! WXSS: compile a stylesheet (with up to two more files it may `@import`) as an app, page
//! and component sheet, and write each out as CSS for the whole document and for one page.
//!
//! Input: `app.wxss \0 a.wxss \0 b.wxss` (raw bytes: a file that is not UTF-8 is part of the
//! input space).
#![no_main]

use capsule_fuzz::on_small_stack;
use capsule_package::{Diagnostics, Files};
use capsule_style::{Scope, SheetKind, compile_file};
use libfuzzer_sys::fuzz_target;

fn run(data: &[u8]) {
    let mut files = Files::default();
    for (name, bytes) in ["app.wxss", "a.wxss", "sub/b.wxss"].iter().zip(data.splitn(3, |&b| b == 0)) {
        files.insert(*name, bytes.to_vec());
    }
    for kind in [SheetKind::App, SheetKind::Page, SheetKind::Component] {
        let mut diags = Diagnostics::default();
        let sheet = compile_file(&files, "app.wxss", kind, &mut diags);
        let _ = sheet.to_css(Scope::Global);
        let _ = sheet.to_css(Scope::Page("pages/index/index"));
        for d in diags.iter() {
            let _ = d.to_string();
            let _ = d.render(false);
        }
    }
}

fuzz_target!(|data: &[u8]| on_small_stack(data, run));
