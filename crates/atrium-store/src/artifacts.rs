use serde_json::Value;
use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};

use crate::clock::now;
use crate::fold::title_key;
use crate::validate::{self, Problems};
use crate::{
    Artifact, ArtifactPatch, ArtifactState, ArtifactSummary, Entity, NewArtifact, Result, Revision, RevisionSummary,
    Store, StoreError,
};

/// Rows per multi-row INSERT in bulk writes: 13 bound values each stays far below SQLite's variable limit.
const BULK_CHUNK: usize = 500;

#[derive(FromRow)]
struct ArtifactRow {
    id: String,
    workspace_id: String,
    root_id: Option<String>,
    remote_id: Option<String>,
    content_type: String,
    title: String,
    context: String,
    content: String,
    state: String,
    version: i64,
    created_time: String,
    created_by: String,
    modified_time: String,
    modified_by: String,
}

#[derive(FromRow)]
pub(crate) struct SummaryRow {
    id: String,
    workspace_id: String,
    title: String,
    content_type: String,
    state: String,
    version: i64,
    size_bytes: i64,
    created_time: String,
    modified_time: String,
}

#[derive(FromRow)]
struct RevisionRow {
    artifact_id: String,
    version: i64,
    content_type: String,
    title: String,
    context: String,
    content: String,
    state: String,
    modified_time: String,
    modified_by: String,
}

#[derive(FromRow)]
struct RevisionSummaryRow {
    artifact_id: String,
    version: i64,
    title: String,
    content_type: String,
    state: String,
    size_bytes: i64,
    modified_time: String,
    modified_by: String,
}

fn corrupt(entity: Entity, id: &str, message: impl Into<String>) -> StoreError {
    StoreError::Corrupt { entity, id: id.to_owned(), message: message.into() }
}

fn parse_state(entity: Entity, id: &str, state: &str) -> Result<ArtifactState> {
    ArtifactState::parse(state).ok_or_else(|| corrupt(entity, id, format!("unknown state {state:?}")))
}

fn parse_context(entity: Entity, id: &str, context: &str) -> Result<Value> {
    serde_json::from_str(context).map_err(|e| corrupt(entity, id, format!("context is not JSON: {e}")))
}

fn to_u32(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl TryFrom<ArtifactRow> for Artifact {
    type Error = StoreError;
    fn try_from(row: ArtifactRow) -> Result<Self> {
        Ok(Artifact {
            state: parse_state(Entity::Artifact, &row.id, &row.state)?,
            context: parse_context(Entity::Artifact, &row.id, &row.context)?,
            version: to_u32(row.version),
            id: row.id,
            workspace_id: row.workspace_id,
            root_id: row.root_id,
            remote_id: row.remote_id,
            content_type: row.content_type,
            title: row.title,
            content: row.content,
            created_time: row.created_time,
            created_by: row.created_by,
            modified_time: row.modified_time,
            modified_by: row.modified_by,
        })
    }
}

impl TryFrom<SummaryRow> for ArtifactSummary {
    type Error = StoreError;
    fn try_from(row: SummaryRow) -> Result<Self> {
        Ok(ArtifactSummary {
            state: parse_state(Entity::Artifact, &row.id, &row.state)?,
            version: to_u32(row.version),
            size_bytes: to_u32(row.size_bytes),
            id: row.id,
            workspace_id: row.workspace_id,
            title: row.title,
            content_type: row.content_type,
            created_time: row.created_time,
            modified_time: row.modified_time,
        })
    }
}

impl TryFrom<RevisionRow> for Revision {
    type Error = StoreError;
    fn try_from(row: RevisionRow) -> Result<Self> {
        Ok(Revision {
            state: parse_state(Entity::Revision, &row.artifact_id, &row.state)?,
            context: parse_context(Entity::Revision, &row.artifact_id, &row.context)?,
            version: to_u32(row.version),
            artifact_id: row.artifact_id,
            content_type: row.content_type,
            title: row.title,
            content: row.content,
            modified_time: row.modified_time,
            modified_by: row.modified_by,
        })
    }
}

impl TryFrom<RevisionSummaryRow> for RevisionSummary {
    type Error = StoreError;
    fn try_from(row: RevisionSummaryRow) -> Result<Self> {
        Ok(RevisionSummary {
            state: parse_state(Entity::Revision, &row.artifact_id, &row.state)?,
            version: to_u32(row.version),
            size_bytes: to_u32(row.size_bytes),
            artifact_id: row.artifact_id,
            title: row.title,
            content_type: row.content_type,
            modified_time: row.modified_time,
            modified_by: row.modified_by,
        })
    }
}

/// The editable fields of an artifact after validation.
#[derive(Debug, Clone, PartialEq)]
struct Fields {
    title: String,
    content_type: String,
    context: Value,
    content: String,
    state: ArtifactState,
}

impl Fields {
    /// Validates a complete set of fields, reporting every problem at once.
    fn validate(
        title: &str,
        content_type: &str,
        context: Value,
        content: String,
        state: ArtifactState,
    ) -> Result<Self> {
        let mut problems = Problems::default();
        let title = problems.check(validate::title("title", title));
        let content_type = problems.check(validate::content_type(content_type));
        if let Some(ct) = &content_type {
            problems.check(validate::content(ct, &content));
        }
        problems.check(validate::context(&context));
        problems.into_result().map_err(StoreError::Invalid)?;
        Ok(Fields {
            title: title.unwrap_or_default(),
            content_type: content_type.unwrap_or_default(),
            context,
            content,
            state,
        })
    }

    fn from_new(new: NewArtifact) -> Result<Self> {
        let mut problems = Problems::default();
        problems.check(validate::id("workspace_id", &new.workspace_id));
        problems.into_result().map_err(StoreError::Invalid)?;
        Fields::validate(
            &new.title,
            &new.content_type,
            new.context.unwrap_or_else(|| Value::Object(Default::default())),
            new.content.unwrap_or_default(),
            new.state.unwrap_or_default(),
        )
    }
}

const SELECT_ARTIFACT: &str = "SELECT id, workspace_id, root_id, remote_id, content_type, title, context, content,
    state, version, created_time, created_by, modified_time, modified_by FROM artifacts";

fn artifact_not_found(id: &str) -> StoreError {
    StoreError::NotFound { entity: Entity::Artifact, id: id.to_owned() }
}

fn check_id(field: &str, id: &str) -> Result<()> {
    validate::id(field, id).map_err(|p| StoreError::Invalid(vec![p]))
}

async fn fetch_artifact(conn: &mut SqliteConnection, id: &str) -> Result<Artifact> {
    let row: Option<ArtifactRow> =
        sqlx::query_as(&format!("{SELECT_ARTIFACT} WHERE id = ?")).bind(id).fetch_optional(&mut *conn).await?;
    row.ok_or_else(|| artifact_not_found(id))?.try_into()
}

async fn ensure_workspace(conn: &mut SqliteConnection, workspace_id: &str) -> Result<()> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM workspaces WHERE id = ?")
        .bind(workspace_id)
        .fetch_optional(&mut *conn)
        .await?;
    exists.map(|_| ()).ok_or_else(|| StoreError::NotFound { entity: Entity::Workspace, id: workspace_id.to_owned() })
}

impl Store {
    /// The artifacts of a workspace, most recently modified first, without their bodies. All of them at once: a
    /// list on screen reads pages instead ([`Store::list_page`]).
    pub async fn list_artifacts(&self, workspace_id: &str) -> Result<Vec<ArtifactSummary>> {
        check_id("workspace_id", workspace_id)?;
        let mut conn = self.pool().acquire().await?;
        ensure_workspace(&mut conn, workspace_id).await?;
        let rows: Vec<SummaryRow> = sqlx::query_as(
            "SELECT id, workspace_id, title, content_type, state, version, size_bytes, created_time, modified_time
             FROM artifacts WHERE workspace_id = ? ORDER BY modified_time DESC, seq DESC",
        )
        .bind(workspace_id)
        .fetch_all(&mut *conn)
        .await?;
        rows.into_iter().map(ArtifactSummary::try_from).collect()
    }

    /// Every artifact of one content type, in any workspace (or in one), oldest first: server registrations,
    /// authorizers and other artifacts the host acts on.
    pub async fn artifacts_of_type(&self, content_type: &str, workspace_id: Option<&str>) -> Result<Vec<Artifact>> {
        let mut q = QueryBuilder::<Sqlite>::new(SELECT_ARTIFACT);
        q.push(" WHERE content_type = ").push_bind(content_type.to_owned());
        if let Some(workspace_id) = workspace_id {
            q.push(" AND workspace_id = ").push_bind(workspace_id.to_owned());
        }
        q.push(" ORDER BY seq");
        let rows: Vec<ArtifactRow> = q.build_query_as().fetch_all(self.pool()).await?;
        rows.into_iter().map(Artifact::try_from).collect()
    }

    /// One artifact with all its fields.
    pub async fn get_artifact(&self, id: &str) -> Result<Artifact> {
        check_id("id", id)?;
        let mut conn = self.pool().acquire().await?;
        fetch_artifact(&mut conn, id).await
    }

    /// Creates an artifact at version 1.
    #[tracing::instrument(skip_all, fields(workspace = %new.workspace_id))]
    pub async fn create_artifact(&self, new: NewArtifact) -> Result<Artifact> {
        let workspace_id = new.workspace_id.clone();
        let fields = Fields::from_new(new)?;
        let mut tx = self.begin_write().await?;
        ensure_workspace(&mut tx, &workspace_id).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let time = now();
        insert_rows(&mut tx, &workspace_id, &[(id.clone(), fields)], &time, self.actor()).await?;
        let artifact = fetch_artifact(&mut tx, &id).await?;
        tx.commit().await?;
        tracing::info!(artifact = %id, "artifact created");
        Ok(artifact)
    }

    /// Creates many artifacts in one transaction: all or none. Returns how many were created.
    ///
    /// Every input is validated before anything is written; the first invalid one refuses the whole batch.
    #[tracing::instrument(skip_all, fields(count = news.len()))]
    pub async fn create_artifacts(&self, news: Vec<NewArtifact>) -> Result<u64> {
        let mut by_workspace: std::collections::BTreeMap<String, Vec<(String, Fields)>> = Default::default();
        for new in news {
            let workspace_id = new.workspace_id.clone();
            let fields = Fields::from_new(new)?;
            by_workspace.entry(workspace_id).or_default().push((uuid::Uuid::now_v7().to_string(), fields));
        }
        let time = now();
        let mut created = 0;
        let mut tx = self.begin_write().await?;
        for (workspace_id, rows) in &by_workspace {
            ensure_workspace(&mut tx, workspace_id).await?;
            for chunk in rows.chunks(BULK_CHUNK) {
                created += insert_rows(&mut tx, workspace_id, chunk, &time, self.actor()).await?;
            }
        }
        tx.commit().await?;
        Ok(created)
    }

    /// Sets the text a content type's server extracted from an artifact (searched with its title and content),
    /// provided the artifact is still at `version`: text extracted from an older version is dropped (`false`).
    /// Writes no revision; the artifact's version does not change.
    #[tracing::instrument(skip_all, fields(artifact = %id))]
    pub async fn set_extracted_text(&self, id: &str, version: u32, text: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let changed =
            sqlx::query("UPDATE artifacts SET extracted = ?1 WHERE id = ?2 AND version = ?3 AND extracted <> ?1")
                .bind(text)
                .bind(id)
                .bind(i64::from(version))
                .execute(&mut *tx)
                .await?
                .rows_affected();
        tx.commit().await?;
        Ok(changed > 0)
    }

    /// Applies a patch, writing a new version (and revision) when anything changes.
    ///
    /// With `expected_version` set, a concurrent edit is reported as [`StoreError::VersionConflict`] instead of
    /// being overwritten.
    #[tracing::instrument(skip_all, fields(artifact = %id))]
    pub async fn update_artifact(&self, id: &str, patch: ArtifactPatch) -> Result<Artifact> {
        check_id("id", id)?;
        let mut tx = self.begin_write().await?;
        let current = fetch_artifact(&mut tx, id).await?;
        if let Some(expected) = patch.expected_version
            && expected != current.version
        {
            return Err(StoreError::VersionConflict {
                entity: Entity::Artifact,
                id: id.to_owned(),
                expected,
                actual: current.version,
            });
        }
        let fields = Fields::validate(
            patch.title.as_deref().unwrap_or(&current.title),
            patch.content_type.as_deref().unwrap_or(&current.content_type),
            patch.context.unwrap_or_else(|| current.context.clone()),
            patch.content.unwrap_or_else(|| current.content.clone()),
            patch.state.unwrap_or(current.state),
        )?;
        let unchanged = Fields {
            title: current.title.clone(),
            content_type: current.content_type.clone(),
            context: current.context.clone(),
            content: current.content.clone(),
            state: current.state,
        };
        if fields == unchanged {
            // Saving what is already stored is not a new version.
            return Ok(current);
        }
        write_fields(&mut tx, id, &fields, self.actor()).await?;
        let artifact = fetch_artifact(&mut tx, id).await?;
        tx.commit().await?;
        tracing::info!(version = artifact.version, "artifact updated");
        Ok(artifact)
    }

    /// Creates a copy of an artifact (a new draft titled "… (copy)") in the same workspace.
    pub async fn duplicate_artifact(&self, id: &str) -> Result<Artifact> {
        let source = self.get_artifact(id).await?;
        let suffix = " (copy)";
        let max = validate::MAX_TITLE_CHARS - suffix.len();
        let base: String = source.title.chars().take(max).collect();
        self.create_artifact(NewArtifact {
            workspace_id: source.workspace_id,
            title: format!("{base}{suffix}"),
            content_type: source.content_type,
            content: Some(source.content),
            context: Some(source.context),
            state: Some(ArtifactState::Draft),
        })
        .await
    }

    /// Deletes an artifact and its history.
    #[tracing::instrument(skip_all, fields(artifact = %id))]
    pub async fn delete_artifact(&self, id: &str) -> Result<()> {
        check_id("id", id)?;
        let deleted =
            sqlx::query("DELETE FROM artifacts WHERE id = ?").bind(id).execute(self.pool()).await?.rows_affected();
        if deleted == 0 {
            return Err(artifact_not_found(id));
        }
        self.index_soon();
        tracing::info!("artifact deleted");
        Ok(())
    }

    /// Every version of an artifact, the current one first.
    pub async fn artifact_history(&self, id: &str) -> Result<Vec<RevisionSummary>> {
        check_id("id", id)?;
        let rows: Vec<RevisionSummaryRow> = sqlx::query_as(
            "SELECT id AS artifact_id, version, title, content_type, state, size_bytes, modified_time, modified_by
             FROM artifacts WHERE id = ?1
             UNION ALL
             SELECT artifact_id, version, title, content_type, state,
                    length(CAST(content AS BLOB)) AS size_bytes, modified_time, modified_by
             FROM artifact_revisions WHERE artifact_id = ?1
             ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        if rows.is_empty() {
            return Err(artifact_not_found(id));
        }
        rows.into_iter().map(RevisionSummary::try_from).collect()
    }

    /// One version of an artifact, current or previous.
    pub async fn artifact_revision(&self, id: &str, version: u32) -> Result<Revision> {
        check_id("id", id)?;
        let row: Option<RevisionRow> = sqlx::query_as(
            "SELECT id AS artifact_id, version, content_type, title, context, content, state, modified_time, modified_by
             FROM artifacts WHERE id = ?1 AND version = ?2
             UNION ALL
             SELECT artifact_id, version, content_type, title, context, content, state, modified_time, modified_by
             FROM artifact_revisions WHERE artifact_id = ?1 AND version = ?2",
        )
        .bind(id)
        .bind(i64::from(version))
        .fetch_optional(self.pool())
        .await?;
        row.ok_or_else(|| StoreError::NotFound { entity: Entity::Revision, id: format!("{id}@{version}") })?.try_into()
    }

    /// Makes an older version current again, as a new version: nothing in the history is lost.
    #[tracing::instrument(skip_all, fields(artifact = %id, version))]
    pub async fn restore_revision(&self, id: &str, version: u32) -> Result<Artifact> {
        let revision = self.artifact_revision(id, version).await?;
        self.update_artifact(
            id,
            ArtifactPatch {
                expected_version: None,
                title: Some(revision.title),
                content_type: Some(revision.content_type),
                content: Some(revision.content),
                context: Some(revision.context),
                state: Some(revision.state),
            },
        )
        .await
    }
}

async fn insert_rows(
    conn: &mut SqliteConnection,
    workspace_id: &str,
    rows: &[(String, Fields)],
    time: &str,
    actor: &str,
) -> Result<u64> {
    let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO artifacts (id, workspace_id, content_type, title, title_key, context, content, size_bytes, state,
         version, created_time, created_by, modified_time, modified_by) ",
    );
    insert.push_values(rows, |mut row, (id, fields)| {
        row.push_bind(id)
            .push_bind(workspace_id)
            .push_bind(&fields.content_type)
            .push_bind(&fields.title)
            .push_bind(title_key(&fields.title))
            .push_bind(fields.context.to_string())
            .push_bind(&fields.content)
            .push_bind(fields.content.len() as i64)
            .push_bind(fields.state.as_str())
            .push("1")
            .push_bind(time)
            .push_bind(actor)
            .push_bind(time)
            .push_bind(actor);
    });
    Ok(insert.build().execute(&mut *conn).await?.rows_affected())
}

async fn write_fields(conn: &mut SqliteConnection, id: &str, fields: &Fields, actor: &str) -> Result<()> {
    sqlx::query(
        "UPDATE artifacts SET title = ?, title_key = ?, content_type = ?, context = ?, content = ?, size_bytes = ?,
            state = ?, version = version + 1, modified_time = ?, modified_by = ?
         WHERE id = ?",
    )
    .bind(&fields.title)
    .bind(title_key(&fields.title))
    .bind(&fields.content_type)
    .bind(fields.context.to_string())
    .bind(&fields.content)
    .bind(fields.content.len() as i64)
    .bind(fields.state.as_str())
    .bind(now())
    .bind(actor)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
