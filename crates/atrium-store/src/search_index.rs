//! The full-text index: an FTS5 table in a file of its own beside the store's, brought up to date off the write
//! path (migration 7 explains the queue).
//!
//! The index file has one connection, which also reads the store's file (attached read-only in spirit, as `src`):
//! every pass and every search goes through it, one at a time. A pass takes the index file's write lock first,
//! then reads the queue and the artifacts from `src` (so its view of them is never older than an earlier pass's),
//! indexes up to [`BATCH`] entries in one transaction and records the last entry it indexed there too. The store's
//! own write lock is never taken by a pass, so indexing runs beside the writes. Entries already indexed are then
//! removed from the queue. A pass starts [`GATHER`] after a commit; a search first indexes everything queued
//! before it started, so it always sees every committed write.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use crate::{Result, Store, StoreError};

/// Queue entries indexed per transaction: many artifacts to a transaction make one large index segment where one
/// per write would make many small ones to merge, which is most of what indexing costs.
const BATCH: i64 = 5_000;
/// How long a background pass waits after the commit that scheduled it, so that writes arriving in a stream are
/// indexed together. Searching never waits for it.
const GATHER: Duration = Duration::from_millis(100);
/// The index file's layout; another value in an existing file means it is rebuilt.
const FORMAT: i64 = 1;
/// How long the index connection waits for another process's pass.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS index_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    format        INTEGER NOT NULL,
    -- The last queue entry whose artifact is indexed as it was then (or later).
    indexed_upto  INTEGER NOT NULL,
    -- 1 while a rebuild has emptied the index but not yet queued every artifact again.
    rebuilding    INTEGER NOT NULL
);
";

/// Contentless (`content = ''`): an entry is removed without the text it was made from, which an edit has
/// already replaced. Search reads text from the store, never from the index.
const FTS: &str = "
DROP TABLE IF EXISTS artifacts_fts;
CREATE VIRTUAL TABLE artifacts_fts USING fts5(
    title, content, extracted,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Buffer up to 8 MiB of terms before writing a segment (a pass of 5,000 artifacts fits), merge in larger steps.
INSERT INTO artifacts_fts (artifacts_fts, rank) VALUES ('hashsize', 8388608);
INSERT INTO artifacts_fts (artifacts_fts, rank) VALUES ('automerge', 8);
";

/// The index of one store.
#[derive(Debug)]
pub(crate) struct SearchIndex {
    /// The index file.
    path: PathBuf,
    /// The one connection; `None` once the store closed.
    conn: Mutex<Option<SqliteConnection>>,
    /// The last queue entry this process knows to be indexed (another process's pass may be further).
    indexed_upto: AtomicI64,
    /// A background pass is scheduled and has not started yet.
    scheduled: AtomicBool,
    /// The store closed: no more passes.
    closed: AtomicBool,
}

/// The index file of the store at `store`: `atrium.db` → `atrium.db-search` (beside SQLite's `-wal`, `-shm`).
fn index_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_owned();
    name.push("-search");
    store.with_file_name(name)
}

fn closed() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

impl SearchIndex {
    /// Opens (creating if needed) the index file of the store at `store` and attaches the store to it.
    pub(crate) async fn open(store: &Path) -> Result<Self> {
        let path = index_path(store);
        let conn = match connect(&path, store).await {
            Ok(conn) => conn,
            Err(err) => {
                // Derived data: a file that cannot be opened is replaced (and rebuilt from the store).
                tracing::warn!(%err, path = %path.display(), "the search index cannot be opened; it is rebuilt");
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
                connect(&path, store).await?
            }
        };
        Ok(SearchIndex {
            path,
            conn: Mutex::new(Some(conn)),
            indexed_upto: AtomicI64::new(0),
            scheduled: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        })
    }

    /// The index file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The connection, for a pass or a search (one at a time).
    pub(crate) async fn lock(&self) -> Result<MappedMutexGuard<'_, SqliteConnection>> {
        MutexGuard::try_map(self.conn.lock().await, Option::as_mut).map_err(|_| closed())
    }
}

/// Runs `BEGIN` (deferred: the first write takes the index file's lock alone; `IMMEDIATE` would take the attached
/// store's too), then ends the transaction the way `result` says.
async fn begin(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("BEGIN").execute(&mut *conn).await?;
    Ok(())
}

async fn end<T>(conn: &mut SqliteConnection, result: Result<T>) -> Result<T> {
    match result {
        Ok(value) => match sqlx::query("COMMIT").execute(&mut *conn).await {
            Ok(_) => Ok(value),
            Err(err) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(err.into())
            }
        },
        Err(err) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(err)
        }
    }
}

async fn connect(path: &Path, store: &Path) -> Result<SqliteConnection> {
    let mut conn = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // An index commit must outlive a power cut once the store's queue entries are removed on its strength.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .pragma("cache_size", "-16384")
        .pragma("temp_store", "memory")
        .connect()
        .await?;
    sqlx::raw_sql(SCHEMA).execute(&mut conn).await?;
    sqlx::query("ATTACH DATABASE ? AS src").bind(store.to_string_lossy().into_owned()).execute(&mut conn).await?;
    Ok(conn)
}

impl Store {
    /// Makes the index consistent with the store, rebuilding it when it is new, of another format, or out of step
    /// with the store (a store file restored from a copy, a power cut that lost the store's last commits).
    pub(crate) async fn check_search_index(&self) -> Result<()> {
        let mut conn = self.search.lock().await?;
        begin(&mut conn).await?;
        let checked = check_state(&mut conn).await;
        let state = end(&mut conn, checked).await?;
        let issued = match state {
            State::Current { upto } => {
                self.search.indexed_upto.fetch_max(upto, Ordering::AcqRel);
                return Ok(());
            }
            State::Emptied { issued } => issued,
        };
        drop(conn);
        // Every artifact again, as one that may be in the index (whatever an earlier entry queued for it said).
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM search_queue WHERE id <= ?").bind(issued).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO search_queue (seq, replaces) SELECT seq, 1 FROM artifacts ORDER BY seq")
            .execute(&mut *tx)
            .await?;
        tx.commit_quietly().await?;
        let mut conn = self.search.lock().await?;
        sqlx::query("UPDATE index_state SET rebuilding = 0 WHERE id = 1").execute(&mut *conn).await?;
        self.search.indexed_upto.fetch_max(issued, Ordering::AcqRel);
        Ok(())
    }

    /// Schedules a background pass over the queue, [`GATHER`] from now (at most one waits at a time). Called after
    /// every commit.
    pub(crate) fn index_soon(&self) {
        if self.search.closed.load(Ordering::Acquire) || self.search.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.search.scheduled.store(false, Ordering::Release);
            return;
        };
        let store = self.clone();
        runtime.spawn(async move {
            tokio::time::sleep(GATHER).await;
            // Cleared before the pass: a commit landing during it schedules the next one.
            store.search.scheduled.store(false, Ordering::Release);
            let result = match store.search.lock().await {
                Ok(mut conn) => store.index_queued(&mut conn, None).await,
                Err(err) => Err(err),
            };
            if let Err(err) = result
                && !store.search.closed.load(Ordering::Acquire)
            {
                tracing::warn!(%err, "cannot index queued artifacts; searching will try again");
            }
        });
    }

    /// Indexes every queued artifact, so that a search sees every write committed before this call. Returns how
    /// many queue entries were indexed.
    pub async fn flush_index(&self) -> Result<u64> {
        let mut conn = self.search.lock().await?;
        self.flush_on(&mut conn).await
    }

    /// [`Store::flush_index`] on the held connection (a search holds it for its query too).
    pub(crate) async fn flush_on(&self, conn: &mut SqliteConnection) -> Result<u64> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT max(id) FROM src.search_queue").fetch_one(&mut *conn).await?;
        match last {
            Some(last) if last > self.search.indexed_upto.load(Ordering::Acquire) => {
                self.index_queued(conn, Some(last)).await
            }
            _ => Ok(0),
        }
    }

    /// How many queue entries wait to be indexed.
    pub async fn index_backlog(&self) -> Result<u64> {
        let upto = self.search.indexed_upto.load(Ordering::Acquire);
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM search_queue WHERE id > ?")
            .bind(upto)
            .fetch_one(self.pool())
            .await?;
        Ok(u64::try_from(count).unwrap_or_default())
    }

    /// Indexes queued entries batch by batch, up to entry `upto` (everything when `None`), then removes the
    /// indexed entries from the queue.
    async fn index_queued(&self, conn: &mut SqliteConnection, upto: Option<i64>) -> Result<u64> {
        let mut done = 0;
        loop {
            let indexed = index_batch(conn, upto.unwrap_or(i64::MAX)).await?;
            self.search.indexed_upto.fetch_max(indexed.upto, Ordering::AcqRel);
            done += indexed.entries;
            if indexed.entries == 0 {
                break;
            }
        }
        if done > 0 {
            // On the strength of the index's commit (synchronous, so it survives a power cut).
            let upto = self.search.indexed_upto.load(Ordering::Acquire);
            let mut tx = self.begin_write().await?;
            sqlx::query("DELETE FROM search_queue WHERE id <= ?").bind(upto).execute(&mut *tx).await?;
            tx.commit_quietly().await?;
        }
        Ok(done)
    }

    /// Stops scheduling passes, indexes what is left and closes the index file.
    pub(crate) async fn close_search_index(&self) {
        self.search.closed.store(true, Ordering::Release);
        let mut guard = self.search.conn.lock().await;
        if let Some(conn) = guard.as_mut()
            && let Err(err) = self.index_queued(conn, None).await
        {
            tracing::warn!(%err, "closing with artifacts still queued for the index; the next start indexes them");
        }
        if let Some(conn) = guard.take()
            && let Err(err) = sqlx::Connection::close(conn).await
        {
            tracing::warn!(%err, "cannot close the search index");
        }
    }
}

/// Where the index stands when the store opens.
enum State {
    /// In step with the store, indexed up to this queue entry.
    Current { upto: i64 },
    /// Emptied for a rebuild: every artifact must be queued again, past the store's last issued entry.
    Emptied { issued: i64 },
}

/// Inside the opening transaction: is the index in step with the store? If not, empties it.
async fn check_state(conn: &mut SqliteConnection) -> Result<State> {
    sqlx::query("INSERT OR IGNORE INTO index_state (id, format, indexed_upto, rebuilding) VALUES (1, 0, 0, 1)")
        .execute(&mut *conn)
        .await?;
    let (format, upto, rebuilding): (i64, i64, i64) =
        sqlx::query_as("SELECT format, indexed_upto, rebuilding FROM index_state WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let issued: i64 =
        sqlx::query_scalar("SELECT coalesce((SELECT seq FROM src.sqlite_sequence WHERE name = 'search_queue'), 0)")
            .fetch_one(&mut *conn)
            .await?;
    // Ahead of the store: the store lost commits the index saw (restored from a copy, or a power cut).
    if format == FORMAT && rebuilding == 0 && upto <= issued {
        return Ok(State::Current { upto });
    }
    tracing::info!(format, upto, issued, "rebuilding the search index");
    sqlx::raw_sql(FTS).execute(&mut *conn).await?;
    sqlx::query("UPDATE index_state SET format = ?, indexed_upto = ?, rebuilding = 1 WHERE id = 1")
        .bind(FORMAT)
        .bind(issued)
        .execute(&mut *conn)
        .await?;
    Ok(State::Emptied { issued })
}

/// What one pass transaction did.
struct Indexed {
    entries: u64,
    /// The index's `indexed_upto` after it.
    upto: i64,
}

/// One transaction: indexes up to [`BATCH`] entries past the index's `indexed_upto` (none past `limit`), as the
/// artifacts are now, and moves `indexed_upto` past them.
async fn index_batch(conn: &mut SqliteConnection, limit: i64) -> Result<Indexed> {
    begin(conn).await?;
    let result = index_batch_in(conn, limit).await;
    end(conn, result).await
}

async fn index_batch_in(conn: &mut SqliteConnection, limit: i64) -> Result<Indexed> {
    // A write first: the index file's lock is held before the store is read, so this pass sees everything an
    // earlier pass (of any process) saw.
    sqlx::query("UPDATE index_state SET indexed_upto = indexed_upto WHERE id = 1").execute(&mut *conn).await?;
    let from: i64 =
        sqlx::query_scalar("SELECT indexed_upto FROM index_state WHERE id = 1").fetch_one(&mut *conn).await?;
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT max(id) FROM (SELECT id FROM src.search_queue WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3)",
    )
    .bind(from)
    .bind(limit)
    .bind(BATCH)
    .fetch_one(&mut *conn)
    .await?;
    let Some(last) = last else { return Ok(Indexed { entries: 0, upto: from }) };
    // An artifact whose first entry here is an edit or a delete may have an entry from an earlier pass: it goes
    // first. (One whose first entry is its creation has none, and removing nothing still costs a little.)
    sqlx::query(
        "DELETE FROM artifacts_fts WHERE rowid IN (
            SELECT seq FROM (
                SELECT seq, replaces, min(id) FROM src.search_queue WHERE id > ?1 AND id <= ?2 GROUP BY seq)
            WHERE replaces = 1)",
    )
    .bind(from)
    .bind(last)
    .execute(&mut *conn)
    .await?;
    // Each artifact still there is indexed once, as it is now, however many writes it had.
    sqlx::query(
        "INSERT INTO artifacts_fts (rowid, title, content, extracted)
         SELECT seq, title, content, extracted FROM src.artifacts
         WHERE seq IN (SELECT seq FROM src.search_queue WHERE id > ?1 AND id <= ?2)",
    )
    .bind(from)
    .bind(last)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE index_state SET indexed_upto = ? WHERE id = 1").bind(last).execute(&mut *conn).await?;
    let entries: i64 = sqlx::query_scalar("SELECT count(*) FROM src.search_queue WHERE id > ?1 AND id <= ?2")
        .bind(from)
        .bind(last)
        .fetch_one(&mut *conn)
        .await?;
    Ok(Indexed { entries: u64::try_from(entries).unwrap_or_default(), upto: last })
}
