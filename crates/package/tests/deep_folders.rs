//! Folders nested far deeper than any package: the walk is linear in the entries it sees and
//! stops at the documented depth with an error at the folder where it stopped.

mod support;

use capsule_package::source::{MAX_DEPTH, Source};
use capsule_package::{Diagnostics, Limits};
use support::{MINIMAL, TempDir, load};

/// Makes `levels` folders named `d`, one inside the next, under `root`, with a file in each
/// tenth; returns the deepest folder's package path.
fn nest(root: &std::path::Path, levels: usize) -> String {
    let mut path = root.to_path_buf();
    let mut rel = Vec::new();
    for level in 0..levels {
        path.push("d");
        rel.push("d");
        std::fs::create_dir(&path).expect("create a nested folder");
        if level % 10 == 0 {
            std::fs::write(path.join("f.txt"), b"x").expect("write a file");
        }
    }
    rel.join("/")
}

#[test]
fn a_folder_1500_levels_deep_stops_at_the_depth_cap_with_a_located_error() {
    let dir = TempDir::new();
    dir.write(MINIMAL);
    nest(dir.path(), 1500);
    let mut diags = Diagnostics::default();
    let listed = Source::open(dir.path(), &Limits::default(), &mut diags);
    let (_, entries) = listed.expect("the folder itself opens");
    let errors: Vec<_> = diags.errors().collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let shown = errors[0].to_string();
    let at = vec!["d"; MAX_DEPTH - 1].join("/");
    assert!(shown.contains(&at), "located at the folder where the walk stopped: {shown}");
    assert!(shown.contains(&format!("{MAX_DEPTH}")), "{shown}");
    // Nothing below the cap was listed; everything above it was.
    assert!(entries.iter().all(|e| e.path.split('/').count() <= MAX_DEPTH));
    let nested = entries.iter().filter(|e| e.path.starts_with("d/")).count();
    assert_eq!(nested, (MAX_DEPTH - 2) / 10 + 1, "files at levels 1, 11, 21, … below the cap");
    assert!(load(dir.path()).is_err(), "a package with the error does not load");
}

#[test]
fn a_folder_just_under_the_cap_loads() {
    let dir = TempDir::new();
    dir.write(MINIMAL);
    // Files in the deepest folder have MAX_DEPTH parts.
    let deepest = nest(dir.path(), MAX_DEPTH - 1);
    std::fs::write(dir.path().join(&deepest).join("last.txt"), b"y").unwrap();
    let package = load(dir.path()).unwrap_or_else(|d| panic!("{d:?}"));
    let _ = package;
    let mut diags = Diagnostics::default();
    let (_, entries) = Source::open(dir.path(), &Limits::default(), &mut diags).unwrap();
    assert!(!diags.has_errors(), "{diags:?}");
    assert!(entries.iter().any(|e| e.path == format!("{deepest}/last.txt")));
}

#[test]
fn a_link_back_up_a_deep_tree_is_walked_once() {
    let dir = TempDir::new();
    dir.write(MINIMAL);
    let deepest = nest(dir.path(), 40);
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("d"), dir.path().join(&deepest).join("up")).unwrap();
    let mut diags = Diagnostics::default();
    let (_, entries) = Source::open(dir.path(), &Limits::default(), &mut diags).unwrap();
    assert!(!diags.has_errors(), "{diags:?}");
    assert_eq!(entries.iter().filter(|e| e.path.ends_with("f.txt")).count(), 4);
}

#[test]
fn a_zip_entry_deeper_than_the_cap_is_refused() {
    use std::io::Write;
    let deep = format!("{}/f.txt", vec!["d"; MAX_DEPTH].join("/"));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in MINIMAL.iter().copied().chain([(deep.as_str(), "x")]) {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let dir = TempDir::new();
    let path = dir.path().join("deep.zip");
    std::fs::write(&path, bytes).unwrap();
    let errors = load(&path).unwrap_err();
    let shown: Vec<String> = errors.errors().map(ToString::to_string).collect();
    assert!(shown.iter().any(|e| e.contains("levels")), "{shown:?}");
}
