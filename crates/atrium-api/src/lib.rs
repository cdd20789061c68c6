//! The one command surface of Atrium. [`Atrium`] composes the services (today the store) and exposes every
//! operation the desktop UI and the CLI call, with types that export to TypeScript through specta. Nothing here
//! knows about Tauri: the shell only forwards to these methods.
#![deny(missing_docs)]

mod content_types;
mod error;
pub mod logging;

use atrium_store::{Store, validate};
use serde::{Deserialize, Serialize};

pub use atrium_store::AtriumPaths;
pub use atrium_store::{
    Artifact, ArtifactPatch, ArtifactState, ArtifactSummary, FieldProblem, NewArtifact, NewWorkspace, Revision,
    RevisionSummary, SCHEMA_VERSION, SearchHit, SearchQuery, TextSpan, Workspace,
};
pub use content_types::ContentTypeInfo;
pub use error::{ApiError, ErrorCode, ErrorDetails};

/// The result of every API call.
pub type ApiResult<T> = Result<T, ApiError>;

/// Where this Atrium keeps its files, and which build it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AppInfo {
    /// The Atrium version.
    pub version: String,
    /// The home directory (`ATRIUM_HOME`).
    pub data_dir: String,
    /// The SQLite file.
    pub database_path: String,
    /// The directory of log files.
    pub log_dir: String,
    /// The store's schema version.
    pub schema_version: u32,
}

/// Whether the app could open its store; the UI shows an explanation instead of its screens when it could not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StartupStatus {
    /// Everything is open.
    Ready {
        /// Paths and version.
        info: AppInfo,
    },
    /// The store could not be opened or migrated; nothing was changed or replaced.
    Failed {
        /// What went wrong.
        error: ApiError,
        /// The home directory that was tried.
        data_dir: String,
    },
}

/// An artifact as a form holds it, for validation as the user types.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ArtifactDraft {
    /// The title typed so far.
    pub title: String,
    /// The content type typed so far.
    pub content_type: String,
    /// The content typed so far.
    pub content: String,
}

/// Atrium: the services of one home directory, composed.
#[derive(Clone, Debug)]
pub struct Atrium {
    paths: AtriumPaths,
    store: Store,
}

impl Atrium {
    /// Opens the Atrium at `paths`: creates the home if needed, opens and migrates the store.
    pub async fn open(paths: AtriumPaths) -> ApiResult<Self> {
        let store = Store::open(&paths).await?;
        Ok(Self { paths, store })
    }

    /// Closes the store cleanly.
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Paths and version.
    pub async fn app_info(&self) -> ApiResult<AppInfo> {
        Ok(app_info(&self.paths))
    }

    /// Every workspace, by title.
    pub async fn workspace_list(&self) -> ApiResult<Vec<Workspace>> {
        Ok(self.store.list_workspaces().await?)
    }

    /// Creates a workspace.
    pub async fn workspace_create(&self, input: NewWorkspace) -> ApiResult<Workspace> {
        Ok(self.store.create_workspace(input).await?)
    }

    /// Renames a workspace.
    pub async fn workspace_rename(&self, id: String, title: String) -> ApiResult<Workspace> {
        Ok(self.store.rename_workspace(&id, &title).await?)
    }

    /// Deletes a workspace with all its artifacts.
    pub async fn workspace_delete(&self, id: String) -> ApiResult<()> {
        Ok(self.store.delete_workspace(&id).await?)
    }

    /// The artifacts of a workspace, most recently modified first.
    pub async fn artifact_list(&self, workspace_id: String) -> ApiResult<Vec<ArtifactSummary>> {
        Ok(self.store.list_artifacts(&workspace_id).await?)
    }

    /// One artifact.
    pub async fn artifact_get(&self, id: String) -> ApiResult<Artifact> {
        Ok(self.store.get_artifact(&id).await?)
    }

    /// Creates an artifact.
    pub async fn artifact_create(&self, input: NewArtifact) -> ApiResult<Artifact> {
        Ok(self.store.create_artifact(input).await?)
    }

    /// Changes an artifact; a new version is kept when anything changed.
    pub async fn artifact_update(&self, id: String, patch: ArtifactPatch) -> ApiResult<Artifact> {
        Ok(self.store.update_artifact(&id, patch).await?)
    }

    /// Copies an artifact into a new draft.
    pub async fn artifact_duplicate(&self, id: String) -> ApiResult<Artifact> {
        Ok(self.store.duplicate_artifact(&id).await?)
    }

    /// Deletes an artifact and its history.
    pub async fn artifact_delete(&self, id: String) -> ApiResult<()> {
        Ok(self.store.delete_artifact(&id).await?)
    }

    /// Every version of an artifact, newest first.
    pub async fn artifact_history(&self, id: String) -> ApiResult<Vec<RevisionSummary>> {
        Ok(self.store.artifact_history(&id).await?)
    }

    /// One version of an artifact.
    pub async fn artifact_revision(&self, id: String, version: u32) -> ApiResult<Revision> {
        Ok(self.store.artifact_revision(&id, version).await?)
    }

    /// Makes an older version current again (as a new version).
    pub async fn artifact_restore(&self, id: String, version: u32) -> ApiResult<Artifact> {
        Ok(self.store.restore_revision(&id, version).await?)
    }

    /// What a draft would be refused for, by the store's own rules; empty when it is acceptable.
    pub async fn artifact_validate(&self, draft: ArtifactDraft) -> ApiResult<Vec<FieldProblem>> {
        Ok(validate::artifact_draft(&draft.title, &draft.content_type, &draft.content))
    }

    /// Full-text search over titles and content.
    pub async fn search(&self, query: SearchQuery) -> ApiResult<Vec<SearchHit>> {
        Ok(self.store.search(&query).await?)
    }

    /// The content types Atrium knows, with their labels, icons and colours.
    pub async fn content_types(&self) -> ApiResult<Vec<ContentTypeInfo>> {
        Ok(content_types::built_in())
    }
}

/// Paths and version for a home, available even when the store could not be opened.
pub fn app_info(paths: &AtriumPaths) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: paths.home().display().to_string(),
        database_path: paths.database().display().to_string(),
        log_dir: paths.logs().display().to_string(),
        schema_version: u32::try_from(SCHEMA_VERSION).unwrap_or(u32::MAX),
    }
}

/// Opens Atrium, turning a failure into the status the UI explains instead of its screens.
pub async fn start(paths: AtriumPaths) -> (Option<Atrium>, StartupStatus) {
    match Atrium::open(paths.clone()).await {
        Ok(atrium) => (Some(atrium), StartupStatus::Ready { info: app_info(&paths) }),
        Err(error) => {
            tracing::error!(code = ?error.code, "store unavailable: {}", error.message);
            (None, StartupStatus::Failed { error, data_dir: paths.home().display().to_string() })
        }
    }
}
