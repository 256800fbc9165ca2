//! Where a document's bytes live: in the database (table `document_contents`) or in a directory. One
//! interface for both; each document row names the store that holds its bytes, so reads follow the row.
//!
//! Order of writes, so that a crash never leaves metadata pointing at nothing:
//! - upload: the bytes first (a directory file is written, synced and renamed into place), then the row
//!   commits; if the transaction fails, the file is removed again;
//! - deletion and erasure: the row is deleted first (database bytes go with it, `ON DELETE CASCADE`), the
//!   file after the commit. A crash in between leaves an orphan file, which [`DocumentStore::sweep`] removes.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use diesel::prelude::*;

use crate::config::DocumentStoreLocation;
use crate::db::DbConnection;
use crate::db::schema::{document_contents as dc, documents as d};
use crate::error::{Error, Result};

diesel::define_sql_function! {
    /// SQL `substr` over bytes, 1-based: the same on SQLite (BLOB) and PostgreSQL (bytea, whose `substr`
    /// takes 32-bit integers: documents are at most 1 GiB).
    fn substr(x: diesel::sql_types::Binary, start: diesel::sql_types::Integer, count: diesel::sql_types::Integer) -> diesel::sql_types::Binary;
}

/// The value of `documents.storage` for each store.
pub const IN_DATABASE: &str = "database";
pub const IN_DIRECTORY: &str = "directory";

#[derive(Debug, Clone)]
pub struct DocumentStore {
    /// None: new uploads go to the database and directory-held files cannot be read.
    directory: Option<PathBuf>,
}

impl DocumentStore {
    /// Opens the configured store, creating the directory if it is one.
    pub fn open(location: &DocumentStoreLocation) -> Result<Self> {
        match location {
            DocumentStoreLocation::Database => Ok(DocumentStore { directory: None }),
            DocumentStoreLocation::Directory(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| Error::internal("document directory", e))?;
                Ok(DocumentStore { directory: Some(dir.clone()) })
            }
        }
    }

    /// The `storage` value of new uploads.
    pub fn storage(&self) -> &'static str {
        if self.directory.is_some() { IN_DIRECTORY } else { IN_DATABASE }
    }

    /// Stores the bytes of a document whose row was just inserted in the caller's open transaction.
    pub fn put(&self, conn: &mut DbConnection, id: &str, bytes: &[u8]) -> Result<()> {
        match &self.directory {
            None => {
                diesel::insert_into(dc::table)
                    .values((dc::document_id.eq(id), dc::content.eq(bytes)))
                    .execute(conn)?;
                Ok(())
            }
            Some(dir) => write_file(dir, id, bytes).map_err(|e| Error::internal("document write", e)),
        }
    }

    /// Up to `len` bytes of the document from `offset`, from the store its row names.
    pub fn read(
        &self,
        conn: &mut DbConnection,
        storage: &str,
        id: &str,
        offset: u64,
        len: usize,
    ) -> Result<Vec<u8>> {
        match storage {
            IN_DATABASE => {
                let start = i32::try_from(offset + 1).map_err(|e| Error::internal("document offset", e))?;
                let len = i32::try_from(len).map_err(|e| Error::internal("document chunk", e))?;
                Ok(dc::table
                    .filter(dc::document_id.eq(id))
                    .select(substr(dc::content, start, len))
                    .first::<Vec<u8>>(conn)?)
            }
            IN_DIRECTORY => {
                let dir = self.directory.as_ref().ok_or_else(|| {
                    Error::Unavailable("documents held in a directory, but no directory is configured".into())
                })?;
                read_file(dir, id, offset, len).map_err(|e| Error::internal("document read", e))
            }
            other => Err(Error::internal("document storage", other)),
        }
    }

    /// Removes the files of documents whose rows are gone (after the deleting transaction committed).
    /// Database-held bytes went with their rows already. A failure is logged and left to [`Self::sweep`].
    pub fn remove_files(&self, ids: &[String]) {
        let Some(dir) = &self.directory else { return };
        for id in ids {
            match std::fs::remove_file(file_path(dir, id)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    log::warn!("could not remove a deleted document's file ({e}); the sweep will retry")
                }
            }
        }
    }

    /// Removes files that no document row names: left by a crash between a deletion and its file's removal,
    /// or by an upload whose transaction never committed. Returns how many it removed.
    pub fn sweep(&self, conn: &mut DbConnection) -> Result<usize> {
        let Some(dir) = &self.directory else { return Ok(0) };
        let mut removed = 0;
        let io = |e: std::io::Error| Error::internal("document sweep", e);
        for shard in std::fs::read_dir(dir).map_err(io)? {
            let shard = shard.map_err(io)?.path();
            if !shard.is_dir() {
                continue;
            }
            let files: Vec<(String, PathBuf)> = std::fs::read_dir(&shard)
                .map_err(io)?
                .filter_map(|f| f.ok().map(|f| f.path()))
                .filter_map(|p| Some((p.file_name()?.to_str()?.to_string(), p)))
                .collect();
            for chunk in files.chunks(500) {
                let names: Vec<&str> = chunk.iter().map(|(n, _)| n.as_str()).collect();
                let known: Vec<String> = d::table.filter(d::id.eq_any(&names)).select(d::id).load(conn)?;
                for (name, path) in chunk {
                    // A ".part" file younger than a minute may be an upload still being written.
                    let in_flight = name.ends_with(".part")
                        && std::fs::metadata(path)
                            .and_then(|m| m.modified())
                            .ok()
                            .and_then(|t| t.elapsed().ok())
                            .is_none_or(|age| age < std::time::Duration::from_secs(60));
                    if !known.contains(name) && !in_flight {
                        std::fs::remove_file(path).map_err(io)?;
                        removed += 1;
                    }
                }
            }
        }
        Ok(removed)
    }
}

/// `<dir>/<last two characters of the id>/<id>`: ids are time-ordered, so their ends spread the files.
fn file_path(dir: &Path, id: &str) -> PathBuf {
    let shard = id.get(id.len().saturating_sub(2)..).unwrap_or("00");
    dir.join(shard).join(id)
}

/// Written to a temporary name, synced, then renamed: a reader never sees half a file.
fn write_file(dir: &Path, id: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = file_path(dir, id);
    let shard = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(shard)?;
    let partial = path.with_extension("part");
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&partial, &path)?;
    // The rename itself must survive a crash once the row that names the file commits.
    std::fs::File::open(shard)?.sync_all()
}

fn read_file(dir: &Path, id: &str, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut file = std::fs::File::open(file_path(dir, id))?;
    file.seek(SeekFrom::Start(offset))?;
    let mut buf = Vec::with_capacity(len);
    file.take(len as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_spread_by_the_end_of_their_id() {
        let p = file_path(Path::new("/d"), "0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a50");
        assert_eq!(p, Path::new("/d/50/0195f6a2-7c1e-7d41-9a51-3b0c2f1e9a50"));
    }

    #[test]
    fn a_file_reads_back_in_pieces() {
        let dir = tempfile::tempdir().unwrap();
        let bytes: Vec<u8> = (0..=255).cycle().take(10_000).collect();
        write_file(dir.path(), "abc-12", &bytes).unwrap();
        let mut read = Vec::new();
        let mut offset = 0;
        loop {
            let chunk = read_file(dir.path(), "abc-12", offset, 4096).unwrap();
            if chunk.is_empty() {
                break;
            }
            offset += chunk.len() as u64;
            read.extend(chunk);
        }
        assert_eq!(read, bytes);
        assert!(!file_path(dir.path(), "abc-12").with_extension("part").exists());
    }
}
