//! A workspace's artifacts a page at a time (lists that stay fast at 100k), and many written at once (an import).

use atrium_store::{ArtifactListQuery, ArtifactPage, FieldProblem, NewArtifact, StoreError};

use crate::{ApiResult, AppEvent, Atrium, SERVER_CONTENT_TYPE};

/// The most artifacts one [`Atrium::artifact_create_many`] call writes (one transaction each).
pub const CREATE_MANY_MAX: usize = 10_000;

impl Atrium {
    /// One page of a workspace's artifacts, ordered and filtered over the whole workspace: pass the page's
    /// `listing` back to read more pages of the same order.
    pub async fn artifact_page(&self, query: ArtifactListQuery) -> ApiResult<ArtifactPage> {
        Ok(self.store.list_page(&query).await?)
    }

    /// Creates up to [`CREATE_MANY_MAX`] artifacts in one transaction (all or none) and returns how many. Plain
    /// content only: a server registration, which runs and is approved, goes through `artifact_create`.
    pub async fn artifact_create_many(&self, artifacts: Vec<NewArtifact>) -> ApiResult<u64> {
        let refuse = |field: &str, message: String| {
            StoreError::Invalid(vec![FieldProblem { field: field.into(), message, position: None }])
        };
        if artifacts.len() > CREATE_MANY_MAX {
            let message = format!("at most {CREATE_MANY_MAX} artifacts at once, not {}", artifacts.len());
            return Err(refuse("artifacts", message).into());
        }
        if let Some(server) = artifacts.iter().find(|a| a.content_type == SERVER_CONTENT_TYPE) {
            let message = format!("\"{}\" is a server registration: create it on its own", server.title);
            return Err(refuse("content_type", message).into());
        }
        let mut workspaces: Vec<String> = artifacts.iter().map(|a| a.workspace_id.clone()).collect();
        workspaces.sort();
        workspaces.dedup();
        let created = self.store.create_artifacts(artifacts).await?;
        for workspace_id in workspaces {
            self.options.events.emit(AppEvent::ArtifactsChanged { workspace_id });
        }
        self.platform.sync.wake();
        Ok(created)
    }
}
