//! What sync needs from the store. Every decision that compares the two sides (is this artifact edited here? is
//! the platform's version newer than the base of that edit?) is taken inside the write transaction that acts on
//! it, so an edit made while a sync runs is never overwritten: it either wins the race and turns the incoming
//! change into a conflict, or it comes after and is pushed.

use serde_json::Value;
use sqlx::{FromRow, SqliteConnection};

use crate::clock::now;
use crate::sync_apply::{LocalRow, apply_chunk, insert_remote, overwrite_with_remote, record_conflict};
use crate::sync_model::{
    ApplyReport, ConflictKind, OutboxEntry, OutboxOp, RemoteVersion, Resolution, SyncConflict, SyncLink,
};
use crate::{Artifact, Entity, Result, Store, StoreError};

/// Remote versions applied per transaction: big enough to make bulk pulls fast, small enough to keep the write
/// lock short so the person's own edits never wait long.
pub const APPLY_CHUNK: usize = 500;
/// Rows read at a time when looking for synced artifacts a listing no longer has.
const ROOTS_PAGE: i64 = 5_000;

#[derive(FromRow)]
struct OutboxRow {
    artifact_id: String,
    workspace_id: String,
    op: String,
    remote_id: Option<String>,
    base_modified: Option<String>,
    create_sent: i64,
    attempts: i64,
}

#[derive(FromRow)]
struct ConflictRow {
    artifact_id: String,
    workspace_id: String,
    kind: String,
    remote: Option<String>,
    local: Option<String>,
    detected_time: String,
}

const SELECT_CONFLICT: &str =
    "SELECT artifact_id, workspace_id, kind, remote, local, detected_time FROM sync_conflicts";

impl TryFrom<ConflictRow> for SyncConflict {
    type Error = StoreError;
    fn try_from(r: ConflictRow) -> Result<Self> {
        let corrupt =
            |message: String| StoreError::Corrupt { entity: Entity::Conflict, id: r.artifact_id.clone(), message };
        let parse = |text: &Option<String>| -> Result<Option<Value>> {
            text.as_deref().map(serde_json::from_str).transpose().map_err(|e| corrupt(format!("not JSON: {e}")))
        };
        Ok(SyncConflict {
            kind: ConflictKind::parse(&r.kind).ok_or_else(|| corrupt(format!("unknown kind {:?}", r.kind)))?,
            remote: parse(&r.remote)?,
            local: parse(&r.local)?,
            artifact_id: r.artifact_id,
            workspace_id: r.workspace_id,
            detected_time: r.detected_time,
        })
    }
}

fn conflict_not_found(id: &str) -> StoreError {
    StoreError::NotFound { entity: Entity::Conflict, id: id.to_owned() }
}

impl Store {
    /// Every linked workspace.
    pub async fn sync_links(&self) -> Result<Vec<SyncLink>> {
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT workspace_id, remote_id, linked_time, last_pull FROM sync_workspaces ORDER BY linked_time",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(workspace_id, remote_id, linked_time, last_pull)| SyncLink {
                workspace_id,
                remote_id,
                linked_time,
                last_pull,
            })
            .collect())
    }

    /// Links a workspace to a platform container; its artifacts not yet on the platform are queued for it.
    /// Linking again to the same container changes nothing.
    #[tracing::instrument(skip_all, fields(workspace = %workspace_id))]
    pub async fn link_workspace(&self, workspace_id: &str, remote_id: &str) -> Result<SyncLink> {
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM workspaces WHERE id = ?")
            .bind(workspace_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound { entity: Entity::Workspace, id: workspace_id.to_owned() });
        }
        let time = now();
        sqlx::query(
            "INSERT INTO sync_workspaces (workspace_id, remote_id, linked_time) VALUES (?, ?, ?)
             ON CONFLICT (workspace_id) DO UPDATE SET remote_id = excluded.remote_id",
        )
        .bind(workspace_id)
        .bind(remote_id)
        .bind(&time)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE workspaces SET remote_id = ? WHERE id = ?")
            .bind(remote_id)
            .bind(workspace_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sync_outbox (artifact_id, workspace_id, op, queued_time)
             SELECT id, workspace_id, 'upsert', ? FROM artifacts
             WHERE workspace_id = ? AND (synced_version IS NULL OR synced_version <> version)
             ON CONFLICT (artifact_id) DO NOTHING",
        )
        .bind(&time)
        .bind(workspace_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(remote = %remote_id, "workspace linked");
        self.sync_links()
            .await?
            .into_iter()
            .find(|l| l.workspace_id == workspace_id)
            .ok_or_else(|| StoreError::NotFound { entity: Entity::Workspace, id: workspace_id.to_owned() })
    }

    /// Unlinks a workspace: its local copy stays as it is, nothing more is sent or received, pending changes and
    /// conflicts are forgotten.
    pub async fn unlink_workspace(&self, workspace_id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for sql in [
            "DELETE FROM sync_workspaces WHERE workspace_id = ?",
            "DELETE FROM sync_outbox WHERE workspace_id = ?",
            "DELETE FROM sync_conflicts WHERE workspace_id = ?",
            "UPDATE workspaces SET remote_id = NULL WHERE id = ?",
        ] {
            sqlx::query(sql).bind(workspace_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Records that a full listing of a linked workspace was applied.
    pub async fn mark_pulled(&self, workspace_id: &str) -> Result<()> {
        sqlx::query("UPDATE sync_workspaces SET last_pull = ? WHERE workspace_id = ?")
            .bind(now())
            .bind(workspace_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Applies platform versions to a linked workspace, [`APPLY_CHUNK`] per transaction: new ones are inserted,
    /// ones not edited here are brought up to date, ones edited here since their base become conflicts.
    #[tracing::instrument(skip_all, fields(workspace = %workspace_id, count = remotes.len()))]
    pub async fn apply_remote(&self, workspace_id: &str, remotes: &[RemoteVersion]) -> Result<ApplyReport> {
        let mut report = ApplyReport::default();
        for chunk in remotes.chunks(APPLY_CHUNK) {
            let mut tx = self.begin_write().await?;
            apply_chunk(&mut tx, workspace_id, chunk, &mut report).await?;
            tx.commit().await?;
        }
        Ok(report)
    }

    /// Applies deletions made on the platform: an artifact not edited here is deleted here too (its history goes
    /// with it, as with a local delete); one edited here becomes a conflict.
    pub async fn apply_remote_deletes(&self, workspace_id: &str, root_ids: &[String]) -> Result<ApplyReport> {
        let mut report = ApplyReport::default();
        for chunk in root_ids.chunks(APPLY_CHUNK) {
            let mut tx = self.begin_write().await?;
            for root_id in chunk {
                let local: Option<LocalRow> = sqlx::query_as(
                    "SELECT id, version, synced_version, remote_modified FROM artifacts
                     WHERE (root_id = ?1 OR remote_id = ?1) AND +workspace_id = ?2",
                )
                .bind(root_id)
                .bind(workspace_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(local) = local else {
                    // Deleted on both sides: nothing left to send.
                    sqlx::query("DELETE FROM sync_outbox WHERE op = 'delete' AND remote_id = ? AND workspace_id = ?")
                        .bind(root_id)
                        .bind(workspace_id)
                        .execute(&mut *tx)
                        .await?;
                    continue;
                };
                if local.dirty() {
                    record_conflict(&mut tx, &local.id, workspace_id, ConflictKind::EditedHereDeletedThere, None, None)
                        .await?;
                    report.conflicts += 1;
                } else {
                    sqlx::query("DELETE FROM artifacts WHERE id = ?").bind(&local.id).execute(&mut *tx).await?;
                    // The delete trigger queued it for the platform, which already has it gone.
                    sqlx::query("DELETE FROM sync_outbox WHERE artifact_id = ?")
                        .bind(&local.id)
                        .execute(&mut *tx)
                        .await?;
                    report.deleted += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(report)
    }

    /// The root ids of a linked workspace's synced artifacts that `seen` does not know: what a complete listing of
    /// the platform no longer has (deleted there, or no longer readable). Archived artifacts are left out: the
    /// platform hides them. Read [`ROOTS_PAGE`] rows at a time, so only the missing ones are ever held.
    pub async fn synced_roots_missing(&self, workspace_id: &str, seen: impl Fn(&str) -> bool) -> Result<Vec<String>> {
        let mut missing = Vec::new();
        let mut after = 0i64;
        loop {
            // `+workspace_id`: each page continues along the table from the last row, instead of reading the whole
            // workspace through an index on it and sorting it again for every page.
            let rows: Vec<(i64, String)> = sqlx::query_as(
                "SELECT seq, root_id FROM artifacts WHERE +workspace_id = ? AND root_id IS NOT NULL
                 AND remote_modified IS NOT NULL AND state <> 'archived' AND seq > ? ORDER BY seq LIMIT ?",
            )
            .bind(workspace_id)
            .bind(after)
            .bind(ROOTS_PAGE)
            .fetch_all(self.pool())
            .await?;
            let Some((last, _)) = rows.last() else { return Ok(missing) };
            after = *last;
            missing.extend(rows.into_iter().map(|(_, root)| root).filter(|root| !seen(root)));
        }
    }

    /// Outbox entries due now, oldest first, leaving out artifacts in conflict.
    pub async fn outbox_due(&self, workspace_id: &str, limit: u32) -> Result<Vec<OutboxEntry>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT artifact_id, workspace_id, op, remote_id, base_modified, create_sent, attempts FROM sync_outbox o
             WHERE workspace_id = ? AND next_attempt <= ?
               AND NOT EXISTS (SELECT 1 FROM sync_conflicts c WHERE c.artifact_id = o.artifact_id)
             ORDER BY queued_time LIMIT ?",
        )
        .bind(workspace_id)
        .bind(now())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxEntry {
                op: if r.op == "delete" { OutboxOp::Delete } else { OutboxOp::Upsert },
                artifact_id: r.artifact_id,
                workspace_id: r.workspace_id,
                remote_id: r.remote_id,
                base_modified: r.base_modified,
                create_sent: r.create_sent != 0,
                attempts: u32::try_from(r.attempts).unwrap_or(u32::MAX),
            })
            .collect())
    }

    /// How many changes of a workspace wait to be sent (conflicted ones included).
    pub async fn outbox_count(&self, workspace_id: &str) -> Result<u32> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_outbox WHERE workspace_id = ?")
            .bind(workspace_id)
            .fetch_one(self.pool())
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The local version of an artifact that the platform holds now (last pushed or pulled), if any.
    pub async fn synced_version(&self, id: &str) -> Result<Option<u32>> {
        let version: Option<Option<i64>> = sqlx::query_scalar("SELECT synced_version FROM artifacts WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(version.flatten().and_then(|v| u32::try_from(v).ok()))
    }

    /// The local fields and sync base of an artifact about to be sent: `(artifact, base modified_time)`.
    pub async fn artifact_for_push(&self, id: &str) -> Result<Option<(Artifact, Option<String>)>> {
        let base: Option<Option<String>> = sqlx::query_scalar("SELECT remote_modified FROM artifacts WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let Some(base) = base else { return Ok(None) };
        Ok(Some((self.get_artifact(id).await?, base)))
    }

    /// After a complete listing: creates that were in doubt and were not found there never arrived, so they are
    /// sent again.
    pub async fn clear_creates_in_doubt(&self, workspace_id: &str) -> Result<()> {
        sqlx::query("UPDATE sync_outbox SET create_sent = 0 WHERE workspace_id = ?")
            .bind(workspace_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Notes, before sending a create, that it is on its way: if its answer is lost, the next attempt looks for
    /// it on the platform first.
    pub async fn mark_create_sent(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE sync_outbox SET create_sent = 1 WHERE artifact_id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Records that version `pushed_version` of an artifact is on the platform as `remote` (its identity and
    /// `modified_time`). The outbox entry goes unless the artifact changed again meanwhile.
    pub async fn mark_pushed(&self, id: &str, pushed_version: u32, remote: &RemoteVersion) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE artifacts SET root_id = ?, remote_id = ?, remote_modified = ?, synced_version = ? WHERE id = ?",
        )
        .bind(&remote.root_id)
        .bind(&remote.remote_id)
        .bind(&remote.modified_time)
        .bind(i64::from(pushed_version))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM sync_outbox WHERE artifact_id = ?1 AND op = 'upsert'
               AND EXISTS (SELECT 1 FROM artifacts WHERE id = ?1 AND version = ?2)",
        )
        .bind(id)
        .bind(i64::from(pushed_version))
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE sync_outbox SET create_sent = 0 WHERE artifact_id = ?").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drops a sent outbox entry (a delete carried out, or an upsert of an artifact deleted since).
    pub async fn outbox_done(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sync_outbox WHERE artifact_id = ?").bind(id).execute(self.pool()).await?;
        Ok(())
    }

    /// Records a failed attempt; the entry is tried again at `next_attempt` (ISO-8601 UTC).
    pub async fn outbox_failed(&self, id: &str, error: &str, next_attempt: &str) -> Result<()> {
        sqlx::query(
            "UPDATE sync_outbox SET attempts = attempts + 1, last_error = ?, next_attempt = ? WHERE artifact_id = ?",
        )
        .bind(error)
        .bind(next_attempt)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records a conflict found while sending: the platform's side changed (or went) since the local base.
    pub async fn conflict_on_push(&self, entry: &OutboxEntry, remote: Option<&Value>) -> Result<()> {
        let kind = match (entry.op, remote) {
            (OutboxOp::Upsert, Some(_)) => ConflictKind::BothEdited,
            (OutboxOp::Upsert, None) => ConflictKind::EditedHereDeletedThere,
            (OutboxOp::Delete, _) => ConflictKind::DeletedHereEditedThere,
        };
        let mut tx = self.begin_write().await?;
        record_conflict(&mut tx, &entry.artifact_id, &entry.workspace_id, kind, remote, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Open conflicts, of one workspace or all, oldest first.
    pub async fn conflicts(&self, workspace_id: Option<&str>) -> Result<Vec<SyncConflict>> {
        let rows: Vec<ConflictRow> =
            sqlx::query_as(&format!("{SELECT_CONFLICT} WHERE ?1 IS NULL OR workspace_id = ?1 ORDER BY detected_time"))
                .bind(workspace_id)
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(SyncConflict::try_from).collect()
    }

    /// One open conflict.
    pub async fn conflict(&self, artifact_id: &str) -> Result<SyncConflict> {
        let row: Option<ConflictRow> = sqlx::query_as(&format!("{SELECT_CONFLICT} WHERE artifact_id = ?"))
            .bind(artifact_id)
            .fetch_optional(self.pool())
            .await?;
        row.ok_or_else(|| conflict_not_found(artifact_id))?.try_into()
    }

    /// How many conflicts a workspace has open.
    pub async fn conflict_count(&self, workspace_id: &str) -> Result<u32> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_conflicts WHERE workspace_id = ?")
            .bind(workspace_id)
            .fetch_one(self.pool())
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Settles a conflict. `remote` is the platform's side as a [`RemoteVersion`] (from the conflict's JSON);
    /// required unless it was deleted there. Nothing is lost: a local version that loses stays in the history,
    /// or (keep both) becomes a new artifact.
    #[tracing::instrument(skip_all, fields(artifact = %artifact_id, ?resolution))]
    pub async fn resolve_conflict(
        &self,
        artifact_id: &str,
        resolution: Resolution,
        remote: Option<&RemoteVersion>,
    ) -> Result<()> {
        let conflict = self.conflict(artifact_id).await?;
        let workspace_id = conflict.workspace_id.clone();
        let mut tx = self.begin_write().await?;
        match (conflict.kind, resolution) {
            (ConflictKind::BothEdited, Resolution::KeepLocal) => {
                // The local edit is now based on what the platform has: it is sent as an update.
                let base = remote.map(|r| r.modified_time.clone());
                sqlx::query("UPDATE artifacts SET remote_modified = coalesce(?, remote_modified) WHERE id = ?")
                    .bind(base)
                    .bind(artifact_id)
                    .execute(&mut *tx)
                    .await?;
                queue_upsert(&mut tx, artifact_id, &workspace_id).await?;
            }
            (ConflictKind::BothEdited | ConflictKind::EditedHereDeletedThere, Resolution::KeepBoth) => {
                copy_as_new(&mut tx, artifact_id).await?;
                take_remote(&mut tx, artifact_id, &workspace_id, remote).await?;
            }
            (ConflictKind::BothEdited | ConflictKind::EditedHereDeletedThere, Resolution::KeepRemote) => {
                take_remote(&mut tx, artifact_id, &workspace_id, remote).await?;
            }
            (ConflictKind::EditedHereDeletedThere, Resolution::KeepLocal) => {
                // Gone there: it goes back as a new artifact.
                sqlx::query(
                    "UPDATE artifacts SET root_id = NULL, remote_id = NULL, remote_modified = NULL,
                        synced_version = NULL WHERE id = ?",
                )
                .bind(artifact_id)
                .execute(&mut *tx)
                .await?;
                queue_upsert(&mut tx, artifact_id, &workspace_id).await?;
            }
            (ConflictKind::DeletedHereEditedThere, Resolution::KeepLocal) => {
                // The delete goes ahead, now based on the version seen.
                let base = remote.map(|r| r.modified_time.clone());
                sqlx::query("UPDATE sync_outbox SET base_modified = coalesce(?, base_modified) WHERE artifact_id = ?")
                    .bind(base)
                    .bind(artifact_id)
                    .execute(&mut *tx)
                    .await?;
            }
            (ConflictKind::DeletedHereEditedThere, Resolution::KeepRemote | Resolution::KeepBoth) => {
                sqlx::query("DELETE FROM sync_outbox WHERE artifact_id = ?")
                    .bind(artifact_id)
                    .execute(&mut *tx)
                    .await?;
                if let Some(remote) = remote {
                    insert_remote(&mut tx, &workspace_id, remote).await?;
                }
            }
        }
        sqlx::query("DELETE FROM sync_conflicts WHERE artifact_id = ?").bind(artifact_id).execute(&mut *tx).await?;
        tx.commit().await?;
        tracing::info!("sync conflict resolved");
        Ok(())
    }
}

async fn queue_upsert(conn: &mut SqliteConnection, artifact_id: &str, workspace_id: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_outbox (artifact_id, workspace_id, op, queued_time) VALUES (?, ?, 'upsert', ?)
         ON CONFLICT (artifact_id) DO UPDATE SET op = 'upsert', attempts = 0, next_attempt = '', last_error = NULL",
    )
    .bind(artifact_id)
    .bind(workspace_id)
    .bind(now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The local side of a conflict, kept as a new artifact (not yet on the platform, so it is queued as a create).
async fn copy_as_new(conn: &mut SqliteConnection, artifact_id: &str) -> Result<()> {
    let time = now();
    sqlx::query(
        "INSERT INTO artifacts (id, workspace_id, content_type, title, title_key, context, content, size_bytes, state,
            version, created_time, created_by, modified_time, modified_by)
         SELECT ?, workspace_id, content_type, title, title_key, context, content, size_bytes, state, 1, ?,
            modified_by, ?, modified_by
         FROM artifacts WHERE id = ?",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&time)
    .bind(&time)
    .bind(artifact_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn take_remote(
    conn: &mut SqliteConnection,
    artifact_id: &str,
    workspace_id: &str,
    remote: Option<&RemoteVersion>,
) -> Result<()> {
    match remote {
        Some(remote) => overwrite_with_remote(conn, artifact_id, remote).await,
        None => {
            // Deleted there: deleted here too, without sending the delete back.
            sqlx::query("DELETE FROM artifacts WHERE id = ? AND workspace_id = ?")
                .bind(artifact_id)
                .bind(workspace_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("DELETE FROM sync_outbox WHERE artifact_id = ?").bind(artifact_id).execute(&mut *conn).await?;
            Ok(())
        }
    }
}
