use sqlx::FromRow;

use crate::clock::now;
use crate::validate::{self, Problems};
use crate::{Entity, NewWorkspace, Result, Store, StoreError, Workspace};

#[derive(FromRow)]
struct WorkspaceRow {
    id: String,
    title: String,
    description: String,
    remote_id: Option<String>,
    version: i64,
    artifact_count: i64,
    created_time: String,
    created_by: String,
    modified_time: String,
    modified_by: String,
}

impl From<WorkspaceRow> for Workspace {
    fn from(row: WorkspaceRow) -> Self {
        Workspace {
            id: row.id,
            title: row.title,
            description: row.description,
            remote_id: row.remote_id,
            version: u32::try_from(row.version).unwrap_or(u32::MAX),
            artifact_count: u32::try_from(row.artifact_count).unwrap_or(u32::MAX),
            created_time: row.created_time,
            created_by: row.created_by,
            modified_time: row.modified_time,
            modified_by: row.modified_by,
        }
    }
}

const SELECT_WORKSPACE: &str = "SELECT w.id, w.title, w.description, w.remote_id, w.version,
        (SELECT count(*) FROM artifacts a WHERE a.workspace_id = w.id) AS artifact_count,
        w.created_time, w.created_by, w.modified_time, w.modified_by
    FROM workspaces w";

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound { entity: Entity::Workspace, id: id.to_owned() }
}

fn check_id(id: &str) -> Result<()> {
    validate::id("workspace_id", id).map_err(|p| StoreError::Invalid(vec![p]))
}

/// A workspace's own texts that are set one at a time.
#[derive(Debug, Clone, Copy)]
enum WorkspaceText {
    Title,
    Description,
}

impl Store {
    /// Every workspace, by title.
    pub async fn list_workspaces(&self) -> Result<Vec<Workspace>> {
        let rows: Vec<WorkspaceRow> =
            sqlx::query_as(&format!("{SELECT_WORKSPACE} ORDER BY w.title COLLATE NOCASE, w.created_time"))
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(Workspace::from).collect())
    }

    /// One workspace.
    pub async fn get_workspace(&self, id: &str) -> Result<Workspace> {
        check_id(id)?;
        let row: Option<WorkspaceRow> =
            sqlx::query_as(&format!("{SELECT_WORKSPACE} WHERE w.id = ?")).bind(id).fetch_optional(self.pool()).await?;
        row.map(Workspace::from).ok_or_else(|| not_found(id))
    }

    /// Creates a workspace.
    #[tracing::instrument(skip_all)]
    pub async fn create_workspace(&self, new: NewWorkspace) -> Result<Workspace> {
        let mut problems = Problems::default();
        let title = problems.check(validate::title("title", &new.title));
        let description =
            problems.check(validate::description("description", new.description.as_deref().unwrap_or("")));
        problems.into_result().map_err(StoreError::Invalid)?;
        let title = title.unwrap_or_default();
        let description = description.unwrap_or_default();
        let id = uuid::Uuid::now_v7().to_string();
        let time = now();
        sqlx::query(
            "INSERT INTO workspaces (id, title, description, version, created_time, created_by, modified_time, modified_by)
             VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&title)
        .bind(&description)
        .bind(&time)
        .bind(self.actor())
        .bind(&time)
        .bind(self.actor())
        .execute(self.pool())
        .await?;
        tracing::info!(workspace = %id, "workspace created");
        self.get_workspace(&id).await
    }

    /// Renames a workspace.
    #[tracing::instrument(skip_all, fields(workspace = %id))]
    pub async fn rename_workspace(&self, id: &str, title: &str) -> Result<Workspace> {
        check_id(id)?;
        let title = validate::title("title", title).map_err(|p| StoreError::Invalid(vec![p]))?;
        self.set_workspace_text(id, WorkspaceText::Title, &title).await
    }

    /// Sets a workspace's description (trimmed; empty clears it).
    #[tracing::instrument(skip_all, fields(workspace = %id))]
    pub async fn describe_workspace(&self, id: &str, description: &str) -> Result<Workspace> {
        check_id(id)?;
        let description =
            validate::description("description", description).map_err(|p| StoreError::Invalid(vec![p]))?;
        self.set_workspace_text(id, WorkspaceText::Description, &description).await
    }

    /// Sets one of a workspace's own texts (already checked), as a new version of the workspace.
    async fn set_workspace_text(&self, id: &str, field: WorkspaceText, value: &str) -> Result<Workspace> {
        let sql = match field {
            WorkspaceText::Title => {
                "UPDATE workspaces SET title = ?, version = version + 1, modified_time = ?, modified_by = ? WHERE id = ?"
            }
            WorkspaceText::Description => {
                "UPDATE workspaces SET description = ?, version = version + 1, modified_time = ?, modified_by = ? \
                 WHERE id = ?"
            }
        };
        let changed = sqlx::query(sql)
            .bind(value)
            .bind(now())
            .bind(self.actor())
            .bind(id)
            .execute(self.pool())
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(not_found(id));
        }
        self.get_workspace(id).await
    }

    /// Deletes a workspace with all its artifacts and their history.
    #[tracing::instrument(skip_all, fields(workspace = %id))]
    pub async fn delete_workspace(&self, id: &str) -> Result<()> {
        check_id(id)?;
        let mut tx = self.begin_write().await?;
        // A linked workspace is unlinked first: deleting the local copy deletes nothing on the platform (which
        // cannot delete containers anyway).
        for sql in [
            "DELETE FROM sync_workspaces WHERE workspace_id = ?",
            "DELETE FROM sync_outbox WHERE workspace_id = ?",
            "DELETE FROM sync_conflicts WHERE workspace_id = ?",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let deleted =
            sqlx::query("DELETE FROM workspaces WHERE id = ?").bind(id).execute(&mut *tx).await?.rows_affected();
        if deleted == 0 {
            return Err(not_found(id));
        }
        tx.commit().await?;
        tracing::info!("workspace deleted");
        Ok(())
    }
}
