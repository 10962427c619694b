//! `wx.setStorage` & co.: one redb database file per app (isolation by file), with the
//! platform's limits. redb commits are durable by default (the file is synced before a commit
//! returns), so a write that answered `ok` survives a crash; its copy-on-write pages mean a
//! crash mid-commit leaves the previous state, never a torn file.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

/// Bytes one key's value may take.
pub const MAX_VALUE: usize = 1024 * 1024;
/// Bytes a key may take (UTF-8). The platform documents no limit on keys; this one is ours,
/// generous for real keys (names, URLs used as cache keys) and far from the 5 MiB keys a
/// hostile app could otherwise store. Key bytes count against [`MAX_TOTAL`] too.
pub const MAX_KEY: usize = 4 * 1024;
/// Bytes an app's storage may take.
pub const MAX_TOTAL: usize = 10 * 1024 * 1024;

const TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("storage");
/// The bytes in use, kept beside the data in the same transactions (no scan per write).
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const SIZE: &str = "size";

/// One app's storage.
/// How long opening an app's database waits for another handle on it to close.
const OPEN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

pub struct Store {
    db: Database,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the app's database under `dir`.
    pub fn open(dir: &Path) -> Result<Store, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join("storage.redb");
        // A host made again on the same folder (an embedder restarting it) may find the
        // instance of the one before still letting go of the file: it waits a moment for it.
        let deadline = std::time::Instant::now() + OPEN_WAIT;
        let db = loop {
            match Database::create(&path) {
                Err(redb::DatabaseError::DatabaseAlreadyOpen) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => break other.map_err(|e| format!("cannot open {}: {e}", path.display()))?,
            }
        };
        let txn = db.begin_write().map_err(|e| e.to_string())?;
        {
            let table = txn.open_table(TABLE).map_err(|e| e.to_string())?;
            let mut meta = txn.open_table(META).map_err(|e| e.to_string())?;
            if meta.get(SIZE).map_err(|e| e.to_string())?.is_none() {
                let mut total = 0u64;
                for entry in table.iter().map_err(|e| e.to_string())? {
                    let (k, v) = entry.map_err(|e| e.to_string())?;
                    total += (k.value().len() + v.value().len()) as u64;
                }
                meta.insert(SIZE, total).map_err(|e| e.to_string())?;
            }
        }
        txn.commit().map_err(|e| e.to_string())?;
        Ok(Store { db, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes in use: keys and values.
    pub fn size(&self) -> Result<usize, String> {
        let txn = self.db.begin_read().map_err(|e| e.to_string())?;
        let meta = txn.open_table(META).map_err(|e| e.to_string())?;
        Ok(meta.get(SIZE).map_err(|e| e.to_string())?.map_or(0, |v| v.value() as usize))
    }

    /// Stores `value` under `key`, refusing what would pass the limits.
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        if key.len() > MAX_KEY {
            return Err("exceed storage key max length 4KB".into());
        }
        if value.len() > MAX_VALUE {
            return Err("exceed storage item max length 1MB".into());
        }
        let txn = self.db.begin_write().map_err(|e| e.to_string())?;
        {
            let mut table = txn.open_table(TABLE).map_err(|e| e.to_string())?;
            let mut meta = txn.open_table(META).map_err(|e| e.to_string())?;
            let old =
                table.get(key).map_err(|e| e.to_string())?.map(|v| key.len() + v.value().len()).unwrap_or(0);
            let total = meta.get(SIZE).map_err(|e| e.to_string())?.map_or(0, |v| v.value() as usize);
            let after = total - old.min(total) + key.len() + value.len();
            if after > MAX_TOTAL {
                return Err("exceed storage max size 10MB".into());
            }
            table.insert(key, value).map_err(|e| e.to_string())?;
            meta.insert(SIZE, after as u64).map_err(|e| e.to_string())?;
        }
        txn.commit().map_err(|e| e.to_string())
    }

    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        if key.len() > MAX_KEY {
            // No such key can have been stored.
            return Ok(None);
        }
        let txn = self.db.begin_read().map_err(|e| e.to_string())?;
        let table = txn.open_table(TABLE).map_err(|e| e.to_string())?;
        Ok(table.get(key).map_err(|e| e.to_string())?.map(|v| v.value().to_vec()))
    }

    pub fn remove(&self, key: &str) -> Result<(), String> {
        let txn = self.db.begin_write().map_err(|e| e.to_string())?;
        {
            let mut table = txn.open_table(TABLE).map_err(|e| e.to_string())?;
            let mut meta = txn.open_table(META).map_err(|e| e.to_string())?;
            let gone =
                table.remove(key).map_err(|e| e.to_string())?.map_or(0, |v| key.len() + v.value().len());
            let total = meta.get(SIZE).map_err(|e| e.to_string())?.map_or(0, |v| v.value() as usize);
            meta.insert(SIZE, total.saturating_sub(gone) as u64).map_err(|e| e.to_string())?;
        }
        txn.commit().map_err(|e| e.to_string())
    }

    pub fn clear(&self) -> Result<(), String> {
        let txn = self.db.begin_write().map_err(|e| e.to_string())?;
        txn.delete_table(TABLE).map_err(|e| e.to_string())?;
        txn.open_table(TABLE).map_err(|e| e.to_string())?;
        txn.open_table(META).map_err(|e| e.to_string())?.insert(SIZE, 0).map_err(|e| e.to_string())?;
        txn.commit().map_err(|e| e.to_string())
    }

    pub fn keys(&self) -> Result<Vec<String>, String> {
        let txn = self.db.begin_read().map_err(|e| e.to_string())?;
        let table = txn.open_table(TABLE).map_err(|e| e.to_string())?;
        let mut keys = Vec::with_capacity(table.len().unwrap_or(0) as usize);
        for entry in table.iter().map_err(|e| e.to_string())? {
            keys.push(entry.map_err(|e| e.to_string())?.0.value().to_string());
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_waits_for_the_handle_before_it_to_close_and_not_forever() {
        let dir = std::env::temp_dir().join(format!("capsule-store-reopen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Store::open(&dir).expect("opens");
        // A second handle while the first lives: refused once the wait is over.
        let refused = Store::open(&dir).err().expect("the file is held");
        assert!(refused.contains("cannot open") && refused.contains("storage.redb"), "{refused}");
        // One opening while the first is let go of gets the file.
        let opener = {
            let dir = dir.clone();
            std::thread::spawn(move || Store::open(&dir).map(|_| ()))
        };
        drop(first);
        assert_eq!(opener.join().expect("no panic"), Ok(()));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
