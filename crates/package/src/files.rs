//! The packed files of a loaded package, in memory, by package path.

use std::collections::BTreeMap;
use std::sync::Arc;

/// The files of a package, relative to its mini-program root, `/`-separated.
///
/// ```
/// use capsule_package::Files;
/// let mut files = Files::default();
/// files.insert("pages/index/index.js", b"Page({})".to_vec());
/// assert!(files.contains("pages/index/index.js"));
/// assert!(files.has_dir("pages/index"));
/// assert!(!files.has_dir("pages/ind"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Files {
    map: BTreeMap<String, Arc<[u8]>>,
}

impl Files {
    pub fn insert(&mut self, path: impl Into<String>, bytes: Vec<u8>) {
        self.map.insert(path.into(), bytes.into());
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.map.get(path).map(|b| &b[..])
    }

    /// The file as text, when it is valid UTF-8.
    pub fn text(&self, path: &str) -> Option<&str> {
        std::str::from_utf8(self.get(path)?).ok()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.map.contains_key(path)
    }

    /// Whether any file lies under the folder `dir`.
    pub fn has_dir(&self, dir: &str) -> bool {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.map.range(prefix.clone()..).next().is_some_and(|(path, _)| path.starts_with(&prefix))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.map.iter().map(|(p, b)| (p.as_str(), &b[..]))
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub fn total_size(&self) -> u64 {
        self.map.values().map(|b| b.len() as u64).sum()
    }
}
