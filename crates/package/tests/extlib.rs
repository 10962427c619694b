//! Extended libraries (`useExtendedLib`) mounted into a package from a provider: found by
//! `usingComponents` as the platform finds them, never packed, never counted in the sizes.

mod support;

use std::sync::Arc;

use capsule_package::extlib::{ExtendedLib, ExtendedLibs, Unavailable};
use capsule_package::{ComponentRef, Files, LoadOptions, Package};
use support::{MINIMAL, TempDir, lines};

/// A provider holding one small weui-like library.
#[derive(Debug)]
struct Weui;

impl ExtendedLibs for Weui {
    fn get(&self, name: &str) -> Result<Arc<ExtendedLib>, Unavailable> {
        assert_eq!(name, "weui");
        let mut files = Files::default();
        let component = [
            ("dialog/dialog.json", r#"{"component": true, "usingComponents": {"mp-mask": "../mask/mask"}}"#),
            ("dialog/dialog.js", "require('../_commons/0.js'); Component({})"),
            ("dialog/dialog.wxml", "<view class=\"weui-dialog\"><mp-mask/><slot/></view>"),
            ("mask/mask.json", r#"{"component": true}"#),
            ("mask/mask.js", "Component({})"),
            ("mask/mask.wxml", "<view class=\"weui-mask\"/>"),
            ("_commons/0.js", "module.exports = 1"),
        ];
        for (path, text) in component {
            files.insert(path, text.as_bytes().to_vec());
        }
        Ok(Arc::new(ExtendedLib {
            name: name.into(),
            npm: "weui-miniprogram".into(),
            version: "9.9.9".into(),
            files,
        }))
    }
}

fn app_using_weui() -> TempDir {
    let dir = TempDir::new();
    dir.write(MINIMAL).write(&[
        ("app.json", r#"{"pages": ["pages/index/index"], "useExtendedLib": {"weui": true}}"#),
        ("pages/index/index.json", r#"{"usingComponents": {"mp-dialog": "weui-miniprogram/dialog/dialog"}}"#),
    ]);
    dir
}

fn options() -> LoadOptions {
    LoadOptions { extended_libs: Some(Arc::new(Weui)), ..LoadOptions::default() }
}

#[test]
fn a_component_of_the_library_resolves_and_its_own_paths_with_it() {
    let dir = app_using_weui();
    let package = Package::load(dir.path(), &options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(package.warnings.is_empty(), "{}", lines(&package.warnings));
    let page = package.manifest.page("pages/index/index").unwrap();
    assert_eq!(
        page.config.using_components["mp-dialog"],
        ComponentRef::Package("miniprogram_npm/weui-miniprogram/dialog/dialog".into())
    );
    let paths: Vec<_> = package.manifest.components.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        ["miniprogram_npm/weui-miniprogram/dialog/dialog", "miniprogram_npm/weui-miniprogram/mask/mask"]
    );
    assert!(package.files.contains("miniprogram_npm/weui-miniprogram/_commons/0.js"));
    assert_eq!(package.extended_libs[0].version, "9.9.9");
}

#[test]
fn the_library_is_neither_counted_nor_packed() {
    let dir = app_using_weui();
    let with = Package::load(dir.path(), &options()).unwrap();
    let own_total: u64 = with.own_files().map(|(_, b)| b.len() as u64).sum();
    assert_eq!(with.sizes.total, own_total);
    assert_eq!(with.own_files().count(), with.files.len() - 7);

    let zip = dir.path().join("out.zip");
    let report = capsule_package::pack(&with, &zip, |_, _| {}).unwrap();
    assert_eq!(report.files, with.own_files().count());
    // The zip loads back with the library mounted again, and holds none of it itself.
    let again = Package::load(&zip, &options()).unwrap();
    assert_eq!(again.files, with.files);
    let bare = Package::load(&zip, &LoadOptions::default()).unwrap_err();
    assert!(!bare.diagnostics.iter().any(|d| d.file.starts_with("miniprogram_npm")), "{bare}");
}

#[test]
fn without_a_provider_the_app_does_not_load_and_says_why() {
    let dir = app_using_weui();
    let error = Package::load(dir.path(), &LoadOptions::default()).unwrap_err();
    let text = lines(&error.diagnostics);
    assert!(
        text.starts_with(
            "app.json:1:61: error: the extended library `weui` (weui-miniprogram) is not available: \
             this host provides no extended libraries"
        ),
        "{text}"
    );
}
