//! The linkage store: SQLite in WAL mode with `synchronous=FULL`, so a
//! write the service acknowledged survives `kill -9` and power loss (the
//! answer is sent only after the transaction's commit returned).
//!
//! What is kept in clear: ids (projects, parties, uploads, runs), counts,
//! times and usage counters. Everything encoded (chunk payloads, run results)
//! is sealed (see `seal`) before it reaches SQLite, and a chunk's fingerprint
//! for idempotency is keyed: the file alone holds no token and no CLK in any
//! form. A meta row sealed at creation tells a wrong store key at start-up.

use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::seal::{aad, Sealer};

/// What the store could not do: never shown to a client, logged as a code.
#[derive(Debug)]
pub struct StoreError;

impl From<rusqlite::Error> for StoreError {
    fn from(_: rusqlite::Error) -> Self {
        StoreError
    }
}

type Result<T> = std::result::Result<T, StoreError>;

/// The SQLite connection, one writer at a time.
pub struct Store {
    conn: Mutex<Connection>,
}

/// An upload's stored chunks.
#[derive(Debug, Clone)]
pub struct UploadInfo {
    /// `(index, records)` in index order.
    pub chunks: Vec<(u64, u64)>,
    /// Records of the committed upload (when committed).
    pub committed: Option<u64>,
    /// Chunk count it was committed with.
    pub committed_chunks: Option<u64>,
}

/// A chunk to store.
pub struct NewChunk<'a> {
    pub project: &'a str,
    pub party: &'a str,
    pub upload: &'a str,
    pub index: u64,
    pub records: u64,
    pub fingerprint: [u8; 32],
    pub sealed: Vec<u8>,
    /// The party's limits: most records in one upload, new records per day.
    pub max_records: u64,
    pub records_per_day: u64,
    pub day: u64,
}

/// What storing a chunk did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutChunk {
    /// Stored and committed to disk.
    Stored,
    /// The same content was already stored at this index (nothing counted).
    Duplicate {
        records: u64,
    },
    /// Other content is stored at this index.
    Conflict,
    /// The upload is committed: no new chunk.
    Committed,
    UnknownUpload,
    /// The upload would exceed the party's `maxRecords`.
    TooManyRecords,
    /// Today's `recordsPerDay` would be exceeded.
    Quota,
}

/// What committing an upload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commit {
    Committed {
        records: u64,
    },
    /// Committed before with another chunk count.
    CommittedOther,
    Incomplete,
    UnknownUpload,
}

/// A stored run (both views sealed).
pub struct RunRow {
    pub id: String,
    pub project: String,
    pub party: String,
    pub partner_upload: String,
    pub directory_upload: String,
    pub created: u64,
    pub rows: u64,
    pub linked: u64,
    pub partner_view: Vec<u8>,
    pub directory_view: Vec<u8>,
}

/// A run in a listing.
pub struct RunMeta {
    pub id: String,
    pub party: String,
    pub created: u64,
    pub linked: u64,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, project TEXT NOT NULL, party TEXT NOT NULL,
    created INTEGER NOT NULL, chunks INTEGER, records INTEGER, committed INTEGER);
CREATE TABLE IF NOT EXISTS chunks (
    upload TEXT NOT NULL REFERENCES uploads(id), idx INTEGER NOT NULL,
    records INTEGER NOT NULL, fingerprint BLOB NOT NULL, sealed BLOB NOT NULL,
    PRIMARY KEY (upload, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS active (
    project TEXT NOT NULL, party TEXT NOT NULL, upload TEXT NOT NULL REFERENCES uploads(id),
    PRIMARY KEY (project, party));
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, project TEXT NOT NULL, party TEXT NOT NULL,
    partner_upload TEXT NOT NULL, directory_upload TEXT NOT NULL, created INTEGER NOT NULL,
    rows INTEGER NOT NULL, linked INTEGER NOT NULL,
    partner_view BLOB NOT NULL, directory_view BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_project ON runs (project, created);
CREATE TABLE IF NOT EXISTS usage (
    project TEXT NOT NULL, party TEXT NOT NULL, day INTEGER NOT NULL,
    records INTEGER NOT NULL DEFAULT 0, runs INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project, party, day)) WITHOUT ROWID;
";

const KEY_CHECK: &[u8] = b"pseudolink linkage store v1";

fn i(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    /// Opens (creating if needed) the database at `path` (`:memory:` for
    /// none) and checks that `sealer`'s key is the one it was made with.
    pub fn open(path: &str, sealer: &Sealer) -> std::result::Result<Store, String> {
        let err = |e: rusqlite::Error| format!("--linkage-db {path}: {e}");
        if path != ":memory:" {
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("--linkage-db: {e}"))?;
                }
            }
        }
        let conn = Connection::open(path).map_err(err)?;
        // WAL: readers do not block the writer; FULL: every commit is synced
        // (the WAL file is fsynced at each commit), so an acknowledged write
        // survives a crash.
        let _mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(err)?;
        conn.execute_batch(
            "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        )
        .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let check_aad = aad("meta", &["keyCheck"]);
        let existing: Option<Vec<u8>> = conn
            .query_row("SELECT value FROM meta WHERE name = 'keyCheck'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        match existing {
            Some(sealed) => {
                let ok = sealer
                    .open(&sealed, &check_aad)
                    .is_ok_and(|p| p.as_slice() == KEY_CHECK);
                if !ok {
                    return Err(format!(
                        "--linkage-db {path}: the store key does not open this store \
                         (another storeKeyFile?)"
                    ));
                }
            }
            None => {
                let sealed = sealer
                    .seal(KEY_CHECK, &check_aad)
                    .map_err(|_| "cannot seal the key check".to_owned())?;
                conn.execute(
                    "INSERT INTO meta (name, value) VALUES ('keyCheck', ?1)",
                    params![sealed],
                )
                .map_err(err)?;
            }
        }
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (an open
        // transaction is rolled back when its guard drops).
        match self.conn.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    pub fn create_upload(&self, project: &str, party: &str, id: &str, now: u64) -> Result<()> {
        self.lock().execute(
            "INSERT INTO uploads (id, project, party, created) VALUES (?1, ?2, ?3, ?4)",
            params![id, project, party, i(now)],
        )?;
        Ok(())
    }

    /// The upload if it is `party`'s in `project`.
    pub fn upload(&self, project: &str, party: &str, id: &str) -> Result<Option<UploadInfo>> {
        let conn = self.lock();
        upload_in(&conn, project, party, id)
    }

    pub fn put_chunk(&self, c: &NewChunk<'_>) -> Result<PutChunk> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(info) = upload_in(&tx, c.project, c.party, c.upload)? else {
            return Ok(PutChunk::UnknownUpload);
        };
        let stored: Option<(Vec<u8>, i64)> = tx
            .query_row(
                "SELECT fingerprint, records FROM chunks WHERE upload = ?1 AND idx = ?2",
                params![c.upload, i(c.index)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((fp, records)) = stored {
            let same = bool::from(subtle::ConstantTimeEq::ct_eq(
                fp.as_slice(),
                c.fingerprint.as_slice(),
            ));
            return Ok(if same {
                PutChunk::Duplicate {
                    records: u(records),
                }
            } else {
                PutChunk::Conflict
            });
        }
        if info.committed.is_some() {
            return Ok(PutChunk::Committed);
        }
        let total: u64 = info.chunks.iter().map(|(_, n)| n).sum();
        if total.saturating_add(c.records) > c.max_records {
            return Ok(PutChunk::TooManyRecords);
        }
        let (today, _) = usage_in(&tx, c.project, c.party, c.day)?;
        if today.saturating_add(c.records) > c.records_per_day {
            return Ok(PutChunk::Quota);
        }
        tx.execute(
            "INSERT INTO chunks (upload, idx, records, fingerprint, sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![c.upload, i(c.index), i(c.records), c.fingerprint.as_slice(), c.sealed],
        )?;
        tx.execute(
            "INSERT INTO usage (project, party, day, records) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (project, party, day) DO UPDATE SET records = records + excluded.records",
            params![c.project, c.party, i(c.day), i(c.records)],
        )?;
        tx.commit()?;
        Ok(PutChunk::Stored)
    }

    /// Commits `upload` with chunks `0..chunks` and makes it the party's
    /// active dataset.
    pub fn commit(&self, project: &str, party: &str, upload: &str, chunks: u64) -> Result<Commit> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(info) = upload_in(&tx, project, party, upload)? else {
            return Ok(Commit::UnknownUpload);
        };
        if let (Some(records), Some(n)) = (info.committed, info.committed_chunks) {
            return Ok(if n == chunks {
                Commit::Committed { records }
            } else {
                Commit::CommittedOther
            });
        }
        // Indices are unique, so exactly 0..chunks means: that many, the
        // largest chunks - 1.
        let contiguous = chunks > 0
            && info.chunks.len() as u64 == chunks
            && info.chunks.last().map(|(idx, _)| *idx) == Some(chunks - 1);
        if !contiguous {
            return Ok(Commit::Incomplete);
        }
        let records: u64 = info.chunks.iter().map(|(_, n)| n).sum();
        tx.execute(
            "UPDATE uploads SET chunks = ?1, records = ?2, committed = 1 WHERE id = ?3",
            params![i(chunks), i(records), upload],
        )?;
        tx.execute(
            "INSERT INTO active (project, party, upload) VALUES (?1, ?2, ?3)
             ON CONFLICT (project, party) DO UPDATE SET upload = excluded.upload",
            params![project, party, upload],
        )?;
        tx.commit()?;
        Ok(Commit::Committed { records })
    }

    /// The party's active (last committed) upload.
    pub fn active(&self, project: &str, party: &str) -> Result<Option<String>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT upload FROM active WHERE project = ?1 AND party = ?2",
                params![project, party],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// An upload's sealed chunks, in index order.
    pub fn sealed_chunks(&self, upload: &str) -> Result<Vec<(u64, Vec<u8>)>> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare("SELECT idx, sealed FROM chunks WHERE upload = ?1 ORDER BY idx")?;
        let rows = stmt
            .query_map(params![upload], |r| Ok((u(r.get(0)?), r.get(1)?)))?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// `(recordsToday, runsToday)`.
    pub fn usage(&self, project: &str, party: &str, day: u64) -> Result<(u64, u64)> {
        usage_in(&self.lock(), project, party, day)
    }

    /// Counts one run against `runs_per_day`, or says no (counting nothing).
    pub fn charge_run(
        &self,
        project: &str,
        party: &str,
        day: u64,
        runs_per_day: u64,
    ) -> Result<bool> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (_, runs) = usage_in(&tx, project, party, day)?;
        if runs >= runs_per_day {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO usage (project, party, day, runs) VALUES (?1, ?2, ?3, 1)
             ON CONFLICT (project, party, day) DO UPDATE SET runs = runs + 1",
            params![project, party, i(day)],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Gives back a run charged for a job that failed before it was stored.
    pub fn refund_run(&self, project: &str, party: &str, day: u64) -> Result<()> {
        self.lock().execute(
            "UPDATE usage SET runs = MAX(runs - 1, 0) WHERE project = ?1 AND party = ?2 AND day = ?3",
            params![project, party, i(day)],
        )?;
        Ok(())
    }

    pub fn insert_run(&self, r: &RunRow) -> Result<()> {
        self.lock().execute(
            "INSERT INTO runs (id, project, party, partner_upload, directory_upload, created,
                               rows, linked, partner_view, directory_view)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                r.id,
                r.project,
                r.party,
                r.partner_upload,
                r.directory_upload,
                i(r.created),
                i(r.rows),
                i(r.linked),
                r.partner_view,
                r.directory_view
            ],
        )?;
        Ok(())
    }

    pub fn run(&self, project: &str, id: &str) -> Result<Option<RunRow>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT id, project, party, partner_upload, directory_upload, created, rows,
                        linked, partner_view, directory_view
                 FROM runs WHERE project = ?1 AND id = ?2",
                params![project, id],
                |r| {
                    Ok(RunRow {
                        id: r.get(0)?,
                        project: r.get(1)?,
                        party: r.get(2)?,
                        partner_upload: r.get(3)?,
                        directory_upload: r.get(4)?,
                        created: u(r.get(5)?),
                        rows: u(r.get(6)?),
                        linked: u(r.get(7)?),
                        partner_view: r.get(8)?,
                        directory_view: r.get(9)?,
                    })
                },
            )
            .optional()?)
    }

    /// Runs of `project`, oldest first; `party`: only that partner's.
    pub fn runs(&self, project: &str, party: Option<&str>) -> Result<Vec<RunMeta>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, party, created, linked FROM runs
             WHERE project = ?1 AND (?2 IS NULL OR party = ?2) ORDER BY created, rowid",
        )?;
        let rows = stmt
            .query_map(params![project, party], |r| {
                Ok(RunMeta {
                    id: r.get(0)?,
                    party: r.get(1)?,
                    created: u(r.get(2)?),
                    linked: u(r.get(3)?),
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

fn upload_in(
    conn: &Connection,
    project: &str,
    party: &str,
    id: &str,
) -> Result<Option<UploadInfo>> {
    let head: Option<(Option<i64>, Option<i64>)> = conn
        .query_row(
            "SELECT chunks, records FROM uploads WHERE id = ?1 AND project = ?2 AND party = ?3",
            params![id, project, party],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((chunks, records)) = head else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT idx, records FROM chunks WHERE upload = ?1 ORDER BY idx")?;
    let list = stmt
        .query_map(params![id], |r| Ok((u(r.get(0)?), u(r.get(1)?))))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Some(UploadInfo {
        chunks: list,
        committed: records.map(u),
        committed_chunks: chunks.map(u),
    }))
}

fn usage_in(conn: &Connection, project: &str, party: &str, day: u64) -> Result<(u64, u64)> {
    Ok(conn
        .query_row(
            "SELECT records, runs FROM usage WHERE project = ?1 AND party = ?2 AND day = ?3",
            params![project, party, i(day)],
            |r| Ok((u(r.get(0)?), u(r.get(1)?))),
        )
        .optional()?
        .unwrap_or((0, 0)))
}
