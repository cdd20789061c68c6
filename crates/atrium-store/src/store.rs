use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::listing::Listings;
use crate::search_index::SearchIndex;
use crate::{AtriumPaths, Result, StoreError, migrate};

/// How long a writer waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The local store. Cheap to clone: clones share one connection pool, which owns all synchronization.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: Arc<Path>,
    actor: Arc<str>,
    /// Taken by every write transaction of this process, so its writers queue in order instead of meeting
    /// SQLite's busy handler (which sleeps up to 100 ms between tries). Other processes still meet it.
    write_gate: Arc<Mutex<()>>,
    pub(crate) search: Arc<SearchIndex>,
    pub(crate) listings: Arc<Listings>,
}

/// A write transaction (`BEGIN IMMEDIATE`) holding this process's write gate until it ends.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    _gate: OwnedMutexGuard<()>,
    store: Store,
}

impl WriteTx {
    /// Commits, then has the index catch up with whatever the transaction queued for it.
    pub(crate) async fn commit(self) -> Result<()> {
        let store = self.store.clone();
        self.commit_quietly().await?;
        store.index_soon();
        Ok(())
    }

    /// Commits without scheduling the indexer (the indexer's own transactions).
    pub(crate) async fn commit_quietly(self) -> Result<()> {
        Ok(self.tx.commit().await?)
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

impl Store {
    /// Opens (creating if missing) the database of an Atrium home and brings its schema up to date.
    ///
    /// A file that is not a database, or was written by a newer Atrium, is refused and left exactly as it was.
    #[tracing::instrument(skip_all, fields(home = %paths.home().display()))]
    pub async fn open(paths: &AtriumPaths) -> Result<Self> {
        paths.ensure()?;
        Self::open_file(&paths.database()).await
    }

    /// Opens the database at an explicit file path.
    pub async fn open_file(path: &Path) -> Result<Self> {
        let open_error = |source| StoreError::Open { path: path.to_owned(), source };
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(open_error)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            // A larger page cache keeps the FTS index's hot pages in memory during bulk writes and searches.
            .pragma("cache_size", "-32768")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .acquire_timeout(BUSY_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(open_error)?;
        let mut conn = pool.acquire().await.map_err(open_error)?;
        // A file that is not a database only fails on first read; surface that as an open error.
        sqlx::query("SELECT count(*) FROM sqlite_schema").execute(&mut *conn).await.map_err(open_error)?;
        migrate::run(&mut conn, path).await?;
        drop(conn);
        let search = SearchIndex::open(path).await?;
        let store = Self {
            pool,
            path: Arc::from(path),
            actor: Arc::from("local"),
            write_gate: Arc::default(),
            search: Arc::new(search),
            listings: Arc::default(),
        };
        store.check_search_index().await?;
        store.fill_title_keys().await?;
        // What an earlier run queued and did not index (it crashed, or was cut short on exit) is indexed now.
        store.index_soon();
        tracing::debug!(path = %path.display(), "store opened");
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> PathBuf {
        self.path.to_path_buf()
    }

    /// The search index's file, beside the database file (derived data: rebuilt from the database when missing).
    pub fn search_index_path(&self) -> PathBuf {
        self.search.path().to_path_buf()
    }

    /// Who writes recorded in `created_by`/`modified_by` are attributed to (`local` until someone signs in).
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Runs SQLite's integrity check; `ok` when the file is sound.
    pub async fn integrity_check(&self) -> Result<String> {
        Ok(sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&self.pool).await?)
    }

    /// Indexes what is still queued, then closes every connection, checkpointing the WAL. Later calls fail.
    pub async fn close(&self) {
        self.close_search_index().await;
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts a write transaction that holds the write lock from the start, so a read-then-write never fails
    /// half-way with SQLITE_BUSY when another process writes in between.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        let gate = self.write_gate.clone().lock_owned().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _gate: gate, store: self.clone() })
    }
}
