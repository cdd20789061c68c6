//! Applying platform versions to a linked workspace, inside the caller's write transaction: each version is found
//! locally (by its root id, or by the local id of a create whose answer was lost) and inserted, brought up to date
//! or turned into a conflict. A chunk is read and written in a few statements, not three per artifact: each
//! statement is a hand-over to SQLite's own thread and back, and those hand-overs were most of a big pull's time.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use sqlx::{FromRow, SqliteConnection};

use crate::Result;
use crate::clock::now;
use crate::fold::title_key;
use crate::sync_model::{ApplyReport, ConflictKind, RemoteVersion};

/// New artifacts inserted per statement (18 values a row, far below SQLite's limit of 32,766 bound values).
const INSERT_ROWS: usize = 100;

#[derive(FromRow)]
pub(crate) struct LocalRow {
    pub(crate) id: String,
    version: i64,
    synced_version: Option<i64>,
    remote_modified: Option<String>,
}

impl LocalRow {
    pub(crate) fn dirty(&self) -> bool {
        self.synced_version != Some(self.version)
    }
}

async fn find_local(
    conn: &mut SqliteConnection,
    workspace_id: &str,
    remote: &RemoteVersion,
) -> Result<Option<LocalRow>> {
    // `+workspace_id`: found by its root id's index. Without the plus, SQLite picks an index on the workspace
    // (artifacts_type) and reads every artifact of it for each one pulled: a pull of 50k took minutes.
    let row: Option<LocalRow> = sqlx::query_as(
        "SELECT id, version, synced_version, remote_modified FROM artifacts WHERE root_id = ? AND +workspace_id = ?",
    )
    .bind(&remote.root_id)
    .bind(workspace_id)
    .fetch_optional(&mut *conn)
    .await?;
    if row.is_some() {
        return Ok(row);
    }
    let Some(hint) = &remote.local_hint else { return Ok(None) };
    Ok(sqlx::query_as(
        "SELECT id, version, synced_version, remote_modified FROM artifacts
         WHERE id = ? AND workspace_id = ? AND root_id IS NULL",
    )
    .bind(hint)
    .bind(workspace_id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub(crate) async fn record_conflict(
    conn: &mut SqliteConnection,
    artifact_id: &str,
    workspace_id: &str,
    kind: ConflictKind,
    remote: Option<&Value>,
    local: Option<&Value>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_conflicts (artifact_id, workspace_id, kind, remote, local, detected_time)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (artifact_id) DO UPDATE SET kind = excluded.kind, remote = excluded.remote,
             local = coalesce(excluded.local, sync_conflicts.local), detected_time = excluded.detected_time",
    )
    .bind(artifact_id)
    .bind(workspace_id)
    .bind(kind.as_str())
    .bind(remote.map(Value::to_string))
    .bind(local.map(Value::to_string))
    .bind(now())
    .execute(&mut *conn)
    .await?;
    tracing::info!(artifact = %artifact_id, kind = kind.as_str(), "sync conflict recorded");
    Ok(())
}

/// Writes a remote version over a local artifact as a new synced version (the trigger keeps the old one).
pub(crate) async fn overwrite_with_remote(conn: &mut SqliteConnection, id: &str, remote: &RemoteVersion) -> Result<()> {
    sqlx::query(
        "UPDATE artifacts SET title = ?, title_key = ?, content_type = ?, context = ?, content = ?, size_bytes = ?,
            state = ?, version = version + 1, synced_version = version + 1, modified_time = ?, modified_by = ?,
            root_id = ?, remote_id = ?, remote_modified = ?
         WHERE id = ?",
    )
    .bind(&remote.title)
    .bind(title_key(&remote.title))
    .bind(&remote.content_type)
    .bind(remote.context.to_string())
    .bind(&remote.content)
    .bind(remote.content.len() as i64)
    .bind(remote.state.as_str())
    .bind(&remote.modified_time)
    .bind(&remote.modified_by)
    .bind(&remote.root_id)
    .bind(&remote.remote_id)
    .bind(&remote.modified_time)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM sync_outbox WHERE artifact_id = ?").bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Inserts a new artifact from a remote version (the one-row case of [`insert_remotes`]).
pub(crate) async fn insert_remote(
    conn: &mut SqliteConnection,
    workspace_id: &str,
    remote: &RemoteVersion,
) -> Result<()> {
    insert_remotes(conn, workspace_id, &mut vec![remote]).await
}

async fn apply_one(
    conn: &mut SqliteConnection,
    workspace_id: &str,
    remote: &RemoteVersion,
    report: &mut ApplyReport,
) -> Result<()> {
    let Some(local) = find_local(conn, workspace_id, remote).await? else {
        // Deleted here and not yet deleted there: the pending delete decides (and sees any remote edit).
        let tombstone: Option<String> = sqlx::query_scalar(
            "SELECT artifact_id FROM sync_outbox WHERE workspace_id = ? AND op = 'delete' AND remote_id = ?",
        )
        .bind(workspace_id)
        .bind(&remote.root_id)
        .fetch_optional(&mut *conn)
        .await?;
        if tombstone.is_some() {
            report.unchanged += 1;
        } else {
            insert_remote(conn, workspace_id, remote).await?;
            report.inserted += 1;
        }
        return Ok(());
    };
    apply_to_local(conn, workspace_id, &local, remote, report).await
}

/// Applies a remote version to the local artifact it was found to be.
async fn apply_to_local(
    conn: &mut SqliteConnection,
    workspace_id: &str,
    local: &LocalRow,
    remote: &RemoteVersion,
    report: &mut ApplyReport,
) -> Result<()> {
    let adopting = local.remote_modified.is_none();
    if local.remote_modified.as_deref() == Some(remote.modified_time.as_str()) {
        report.unchanged += 1;
        return Ok(());
    }
    if !local.dirty() {
        overwrite_with_remote(conn, &local.id, remote).await?;
        sqlx::query("DELETE FROM sync_conflicts WHERE artifact_id = ?").bind(&local.id).execute(&mut *conn).await?;
        report.updated += 1;
    } else if adopting {
        // Atrium's own create, whose answer was lost: link it; the local state is sent again as an update.
        sqlx::query(
            "UPDATE artifacts SET root_id = ?, remote_id = ?, remote_modified = ? WHERE id = ? AND root_id IS NULL",
        )
        .bind(&remote.root_id)
        .bind(&remote.remote_id)
        .bind(&remote.modified_time)
        .bind(&local.id)
        .execute(&mut *conn)
        .await?;
        sqlx::query("UPDATE sync_outbox SET create_sent = 0 WHERE artifact_id = ?")
            .bind(&local.id)
            .execute(&mut *conn)
            .await?;
        report.unchanged += 1;
    } else {
        record_conflict(conn, &local.id, workspace_id, ConflictKind::BothEdited, Some(&remote.raw), None).await?;
        report.conflicts += 1;
    }
    Ok(())
}

/// Applies one chunk of remote versions, in order. The local rows and pending deletes of the whole chunk are read
/// in one query each and its new artifacts inserted [`INSERT_ROWS`] to a statement; a version found here, one
/// that may be a lost create, or a second version of a root already met in the chunk takes the one-by-one path
/// (after the inserts before it are written, so it sees them).
pub(crate) async fn apply_chunk(
    conn: &mut SqliteConnection,
    workspace_id: &str,
    chunk: &[RemoteVersion],
    report: &mut ApplyReport,
) -> Result<()> {
    let roots = Value::from(chunk.iter().map(|r| r.root_id.as_str()).collect::<Vec<_>>()).to_string();
    // `+workspace_id`: found by the root ids' index, as in `find_local`.
    let rows: Vec<(String, LocalRow)> = sqlx::query_as::<_, (String, String, i64, Option<i64>, Option<String>)>(
        "SELECT root_id, id, version, synced_version, remote_modified FROM artifacts
         WHERE root_id IN (SELECT value FROM json_each(?1)) AND root_id IS NOT NULL AND +workspace_id = ?2
         ORDER BY seq",
    )
    .bind(&roots)
    .bind(workspace_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(root, id, version, synced_version, remote_modified)| {
        (root, LocalRow { id, version, synced_version, remote_modified })
    })
    .collect();
    let mut locals: HashMap<String, LocalRow> = HashMap::with_capacity(rows.len());
    for (root, row) in rows {
        // The first of several, as `find_local` takes it.
        locals.entry(root).or_insert(row);
    }
    let tombstones: HashSet<String> = sqlx::query_scalar(
        "SELECT remote_id FROM sync_outbox
         WHERE workspace_id = ?1 AND op = 'delete' AND remote_id IN (SELECT value FROM json_each(?2))",
    )
    .bind(workspace_id)
    .bind(&roots)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut met: HashSet<&str> = HashSet::with_capacity(chunk.len());
    let mut fresh: Vec<&RemoteVersion> = Vec::with_capacity(INSERT_ROWS);
    for remote in chunk {
        if !met.insert(remote.root_id.as_str()) {
            // Its root was written earlier in this chunk: what was read before is out of date.
            insert_remotes(conn, workspace_id, &mut fresh).await?;
            apply_one(conn, workspace_id, remote, report).await?;
        } else if let Some(local) = locals.get(&remote.root_id) {
            apply_to_local(conn, workspace_id, local, remote, report).await?;
        } else if remote.local_hint.is_some() {
            apply_one(conn, workspace_id, remote, report).await?;
        } else if tombstones.contains(&remote.root_id) {
            report.unchanged += 1;
        } else {
            fresh.push(remote);
            report.inserted += 1;
            if fresh.len() == INSERT_ROWS {
                insert_remotes(conn, workspace_id, &mut fresh).await?;
            }
        }
    }
    insert_remotes(conn, workspace_id, &mut fresh).await
}

/// Inserts new artifacts from remote versions in one statement (as [`insert_remote`] does each), emptying `fresh`.
async fn insert_remotes(
    conn: &mut SqliteConnection,
    workspace_id: &str,
    fresh: &mut Vec<&RemoteVersion>,
) -> Result<()> {
    if fresh.is_empty() {
        return Ok(());
    }
    let row = "(?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)";
    let sql = format!(
        "INSERT INTO artifacts (id, workspace_id, root_id, remote_id, remote_modified, synced_version, content_type,
            title, title_key, context, content, size_bytes, state, version, created_time, created_by, modified_time,
            modified_by)
         VALUES {}",
        vec![row; fresh.len()].join(", ")
    );
    let mut query = sqlx::query(&sql);
    for remote in fresh.iter() {
        query = query
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(workspace_id)
            .bind(&remote.root_id)
            .bind(&remote.remote_id)
            .bind(&remote.modified_time)
            .bind(&remote.content_type)
            .bind(&remote.title)
            .bind(title_key(&remote.title))
            .bind(remote.context.to_string())
            .bind(&remote.content)
            .bind(remote.content.len() as i64)
            .bind(remote.state.as_str())
            .bind(&remote.created_time)
            .bind(&remote.created_by)
            .bind(&remote.modified_time)
            .bind(&remote.modified_by);
    }
    query.execute(&mut *conn).await?;
    fresh.clear();
    Ok(())
}
