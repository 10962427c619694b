//! Hostile and broken zips: each is refused with its own error, and nothing panics.

mod support;

use std::io::{Cursor, Write};

use capsule_package::{Limits, LoadOptions, Package};
use support::{MINIMAL, TempDir};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// A zip of `files`, each written with `options`.
fn zip_of(files: &[(&str, &[u8])], options: SimpleFileOptions) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn minimal_plus(extra: &[(&str, &[u8])]) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> =
        MINIMAL.iter().map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())).collect();
    files.extend(extra.iter().map(|(p, c)| (p.to_string(), c.to_vec())));
    files
}

fn zip_files(files: &[(String, Vec<u8>)], options: SimpleFileOptions) -> Vec<u8> {
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, c)| (p.as_str(), c.as_slice())).collect();
    zip_of(&refs, options)
}

/// Replaces every occurrence of `from` with `to` (same length), in local headers and the
/// central directory alike: how names the zip writer refuses to write get into a test zip.
fn patch(mut bytes: Vec<u8>, from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut found = 0;
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
            found += 1;
            i += from.len();
        } else {
            i += 1;
        }
    }
    assert!(found > 0, "pattern not found");
    bytes
}

fn load_zip(bytes: &[u8], options: &LoadOptions) -> Result<Package, String> {
    let dir = TempDir::new();
    dir.write_bytes("app.zip", bytes);
    Package::load(dir.path().join("app.zip"), options)
        .map_err(|e| e.diagnostics.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("\n"))
}

fn error_of(bytes: &[u8]) -> String {
    load_zip(bytes, &LoadOptions::default()).map(|_| ()).expect_err("the zip must be refused")
}

#[test]
fn a_good_zip_loads_like_its_folder() {
    let bytes = zip_files(&minimal_plus(&[]), deflated());
    let package = load_zip(&bytes, &LoadOptions::default()).unwrap();
    assert_eq!(package.manifest.entry_page, "pages/index/index");
    assert_eq!(package.files.len(), 4);
}

#[test]
fn zip_slip_is_refused() {
    let bytes = zip_files(&minimal_plus(&[("xx/evil.js", b"x")]), stored());
    let bytes = patch(bytes, b"xx/evil.js", b"../evil.js");
    assert_eq!(error_of(&bytes), "zip entry `../evil.js` has a `..` component that leaves the package");

    let bytes = zip_files(&minimal_plus(&[("a/b/xx/xx/evil.js", b"x")]), stored());
    let bytes = patch(bytes, b"a/b/xx/xx/evil.js", b"a/b/../../../e.js");
    assert_eq!(
        error_of(&bytes),
        "zip entry `a/b/../../../e.js` has a `..` component that leaves the package"
    );
}

#[test]
fn absolute_paths_are_refused() {
    let bytes = zip_files(&minimal_plus(&[("xetc/passwd", b"x")]), stored());
    let bytes = patch(bytes, b"xetc/passwd", b"/etc/passwd");
    assert_eq!(error_of(&bytes), "zip entry `/etc/passwd` is an absolute path");

    let bytes = zip_files(&minimal_plus(&[("xC/evil.js", b"x")]), stored());
    let bytes = patch(bytes, b"xC/evil.js", b"C:/evil.js");
    assert_eq!(error_of(&bytes), "zip entry `C:/evil.js` is an absolute path (a drive letter)");
}

#[test]
fn symlinks_are_refused() {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, contents) in MINIMAL {
        zip.start_file(*name, deflated()).unwrap();
        zip.write_all(contents.as_bytes()).unwrap();
    }
    zip.add_symlink("pages/secret.js", "/etc/passwd", deflated()).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert_eq!(
        error_of(&bytes),
        "zip entry `pages/secret.js` is a symbolic link; packages may not contain links"
    );
}

#[test]
fn duplicate_names_are_refused() {
    let bytes = zip_files(&minimal_plus(&[("app.jx", b"evil()")]), stored());
    let bytes = patch(bytes, b"app.jx", b"app.js");
    assert_eq!(error_of(&bytes), "the zip holds `app.js` more than once");

    // Different names that land on the same path once normalised.
    let bytes = zip_files(&minimal_plus(&[("./app.js", b"evil()")]), stored());
    assert_eq!(error_of(&bytes), "zip entry `./app.js` names `app.js`, which another entry already names");
}

#[test]
fn too_many_entries_are_refused() {
    let mut files = minimal_plus(&[]);
    for i in 0..10_000 {
        files.push((format!("f/{i}.txt"), Vec::new()));
    }
    let bytes = zip_files(&files, stored());
    assert_eq!(error_of(&bytes), "the zip has 10004 entries, more than the limit of 10000");

    // The limit is configurable, and exactly at it is fine.
    let options = LoadOptions {
        limits: Limits { max_entries: 10_004, ..Limits::default() },
        upload: false,
        ..LoadOptions::default()
    };
    assert!(load_zip(&bytes, &options).is_ok());
}

#[test]
fn compression_bombs_are_refused() {
    let zeros = vec![0u8; 1024 * 1024];
    let bytes = zip_files(&minimal_plus(&[("images/bomb.bin", &zeros)]), deflated());
    let error = error_of(&bytes);
    assert!(error.starts_with("zip entry `images/bomb.bin` inflates from "), "{error}");
    assert!(error.ends_with("to 1 MiB, a compression ratio over 100:1 (a zip bomb?)"), "{error}");
}

#[test]
fn an_entry_larger_than_its_header_says_is_refused() {
    // A stored entry whose declared size is patched down: inflation stops at the declared
    // size and the mismatch is reported.
    let payload = b"0123456789abcdef0123456789abcdef";
    let bytes = zip_files(&minimal_plus(&[("data.bin", payload)]), stored());
    let size_field = (payload.len() as u32).to_le_bytes();
    let mut crc_and_sizes = crc32(payload).to_le_bytes().to_vec();
    crc_and_sizes.extend_from_slice(&size_field);
    crc_and_sizes.extend_from_slice(&size_field);
    let mut lied = crc32(payload).to_le_bytes().to_vec();
    lied.extend_from_slice(&size_field);
    lied.extend_from_slice(&4u32.to_le_bytes());
    let bytes = patch(bytes, &crc_and_sizes, &lied);
    assert_eq!(
        error_of(&bytes),
        "cannot read: inflates past the 4 bytes its header declares; the zip is corrupt or hostile"
    );
}

#[test]
fn oversized_packages_name_the_biggest_file() {
    let big = vec![7u8; 300 * 1024];
    let small = vec![1u8; 100 * 1024];
    let bytes = zip_files(&minimal_plus(&[("images/big.png", &big), ("images/small.png", &small)]), stored());
    let options = LoadOptions {
        limits: Limits { main_package_size: 256 * 1024, ..Limits::default() },
        upload: true,
        ..LoadOptions::default()
    };
    let error = load_zip(&bytes, &options).map(|_| ()).unwrap_err();
    assert!(error.starts_with("the main package is 400."), "{error}");
    assert!(
        error.ends_with("KiB, over the limit of 256 KiB; the biggest file is `images/big.png` (300 KiB)"),
        "{error}"
    );

    let options = LoadOptions {
        limits: Limits { total_size: 256 * 1024, ..Limits::default() },
        upload: true,
        ..LoadOptions::default()
    };
    let error = load_zip(&bytes, &options).map(|_| ()).unwrap_err();
    assert!(error.starts_with("the package is 400."), "{error}");
    assert!(
        error.ends_with("KiB, over the limit of 256 KiB; the biggest file is `images/big.png` (300 KiB)"),
        "{error}"
    );
    // What Capsule reads at all is refused before the zip is opened, whatever it is for.
    let options = LoadOptions {
        limits: Limits { max_read: 200 * 1024, ..Limits::default() },
        upload: false,
        ..LoadOptions::default()
    };
    let error = load_zip(&bytes, &options).map(|_| ()).unwrap_err();
    assert!(error.starts_with("the zip file is 400."), "{error}");
    assert!(error.ends_with("KiB, more than the 200 KiB Capsule reads of a package"), "{error}");
}

#[test]
fn garbage_is_not_a_zip() {
    assert!(error_of(b"PK\x03\x04 definitely not a zip").starts_with("not a readable zip file"));
    assert!(error_of(b"").starts_with("not a readable zip file"));
}

#[test]
fn truncated_zips_fail_cleanly() {
    let bytes = zip_files(&minimal_plus(&[]), deflated());
    for cut in [10, bytes.len() / 2, bytes.len() - 10] {
        let result = load_zip(&bytes[..cut], &LoadOptions::default());
        assert!(result.is_err(), "cut at {cut}");
    }
}

/// CRC-32 (IEEE), bit by bit: only for building test zips.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn names_that_decode_alike_are_refused() {
    // `é.js` flagged UTF-8, and `\x82.js` unflagged, which CP437 decodes to `é.js` too.
    let bytes = zip_files(&minimal_plus(&[("é.js", b"a"), ("Q.js", b"b")]), stored());
    let bytes = patch(bytes, b"Q.js", b"\x82.js");
    let error = error_of(&bytes);
    assert!(error.contains("two entries claim the same name"), "{error}");
}

#[test]
fn a_device_is_not_a_package() {
    let error = Package::load("/dev/zero", &LoadOptions::default()).map(|_| ()).unwrap_err();
    assert_eq!(error.diagnostics.0[0].message, "not a folder or a regular file");
}
