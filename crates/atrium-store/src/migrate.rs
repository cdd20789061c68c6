//! Embedded, append-only migrations, applied under one `BEGIN IMMEDIATE` transaction so that several processes
//! opening the same file at once serialize on SQLite's write lock instead of racing (sqlx's own migrator runs
//! each step separately and two first starts can both try to create the same table).

use std::path::Path;

use sha2::{Digest, Sha256};
use sqlx::{Connection, SqliteConnection};

use crate::{Result, StoreError};

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number; strictly increasing.
    pub version: i64,
    /// A short name.
    pub name: &'static str,
    /// The SQL it runs.
    pub sql: &'static str,
}

/// Every migration this binary carries, in order. Append only: never edit or remove a shipped entry.
pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "init", sql: include_str!("../migrations/0001_init.sql") },
    Migration { version: 2, name: "audit", sql: include_str!("../migrations/0002_audit.sql") },
    Migration { version: 3, name: "local", sql: include_str!("../migrations/0003_local.sql") },
    Migration { version: 4, name: "extracted_text", sql: include_str!("../migrations/0004_extracted_text.sql") },
    Migration { version: 5, name: "sync", sql: include_str!("../migrations/0005_sync.sql") },
    Migration { version: 6, name: "approvals", sql: include_str!("../migrations/0006_approvals.sql") },
    Migration {
        version: 7,
        name: "lists_and_index_queue",
        sql: include_str!("../migrations/0007_lists_and_index_queue.sql"),
    },
    Migration { version: 8, name: "agents", sql: include_str!("../migrations/0008_agents.sql") },
    Migration { version: 9, name: "agent_oauth", sql: include_str!("../migrations/0009_agent_oauth.sql") },
    Migration { version: 10, name: "reviews", sql: include_str!("../migrations/0010_reviews.sql") },
    Migration { version: 11, name: "idempotent_calls", sql: include_str!("../migrations/0011_idempotent_calls.sql") },
];

/// The newest schema this binary understands.
pub const SCHEMA_VERSION: i64 = 11;

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Brings the database at `path` up to [`SCHEMA_VERSION`], or refuses it without changing anything.
pub(crate) async fn run(conn: &mut SqliteConnection, path: &Path) -> Result<()> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_time TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM schema_migrations ORDER BY version").fetch_all(&mut *tx).await?;

    if let Some(&(found, _)) = applied.last()
        && found > SCHEMA_VERSION
    {
        return Err(StoreError::DatabaseTooNew { path: path.to_owned(), found, supported: SCHEMA_VERSION });
    }
    for (version, stored) in &applied {
        let known = MIGRATIONS.iter().find(|m| m.version == *version);
        if known.is_none_or(|m| checksum(m.sql) != *stored) {
            return Err(StoreError::MigrationChanged { path: path.to_owned(), version: *version });
        }
    }
    for migration in MIGRATIONS.iter().filter(|m| applied.iter().all(|(v, _)| *v != m.version)) {
        tracing::info!(version = migration.version, name = migration.name, "applying migration");
        sqlx::raw_sql(migration.sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum, applied_time) VALUES (?, ?, ?, ?)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(checksum(migration.sql))
            .bind(crate::clock::now())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_and_end_at_the_schema_version() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        let expected: Vec<i64> = (1..=MIGRATIONS.len() as i64).collect();
        assert_eq!(versions, expected);
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(SCHEMA_VERSION));
    }
}
