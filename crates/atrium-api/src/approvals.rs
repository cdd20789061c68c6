//! The person's approval of what server registrations do on this machine (DESIGN §6.2). A registration the person
//! writes here (the server form, `atrium server add`, the artifact editor, an import they previewed and confirmed)
//! is approved by that act. One that arrives any other way — synced from the platform, above all — waits, marked
//! "from the platform — review" with what it would run, until they approve it (`server_approve`, the window's
//! Review button, `atrium server approve`). Approvals are local, never synced, and bound to the exact transport and
//! auth: a later change from anywhere asks again.

use atrium_mcp::{SERVER_CONTENT_TYPE, registration};
use atrium_store::Artifact;

use crate::server_view::ServerView;
use crate::{ApiError, ApiResult, Atrium, ErrorCode};

/// The local setting that says the registrations written before approvals existed were approved once.
const SEEDED_SETTING: &str = "servers.approvals_seeded";

impl Atrium {
    /// Approves what a server registration does on this machine, exactly as the person reviewed it: `fingerprint`
    /// is the one they were shown (`approval.effects.fingerprint`). A registration that changed since is refused
    /// with `version_conflict`, and nothing is approved. An enabled server starts.
    pub async fn server_approve(&self, id: String, fingerprint: String) -> ApiResult<ServerView> {
        let artifact = self.server_artifact(&id).await?;
        let registration = registration::parse(&registration::stored(&artifact)).map_err(|_| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("{} has an invalid registration: fix it first.", artifact.title),
            )
        })?;
        let Some(effects) = registration.local_effects() else {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{} starts nothing on this computer and uses none of its credentials: there is nothing to approve.",
                    artifact.title
                ),
            ));
        };
        if effects.fingerprint != fingerprint {
            return Err(ApiError::new(
                ErrorCode::VersionConflict,
                format!(
                    "{} changed since you reviewed it: review what it runs now, then approve again.",
                    artifact.title
                ),
            ));
        }
        self.store.approve_server(&id, &fingerprint).await?;
        tracing::info!(server = %id, "the person approved what the server runs");
        // A server that waited for the approval starts now (another Atrium of this home is told by the caller,
        // through the control socket).
        if self.servers.state(&id).is_ok() {
            self.servers.refresh(&id)?;
        } else {
            self.sync_server(&artifact);
        }
        self.server_get(id).await
    }

    /// Records that the person wrote this registration here, which approves what it does now.
    pub(crate) async fn approve_as_written(&self, artifact: &Artifact) -> ApiResult<()> {
        if artifact.content_type != SERVER_CONTENT_TYPE {
            return Ok(());
        }
        let Ok(registration) = registration::parse(&registration::stored(artifact)) else { return Ok(()) };
        if let Some(effects) = registration.local_effects() {
            self.store.approve_server(&artifact.id, &effects.fingerprint).await?;
        }
        Ok(())
    }

    /// Once, on the first start of an Atrium with approvals: the registrations written on this machine before
    /// (never synced from anywhere) are approved as they are, so upgrading stops nothing the person set up. Those
    /// that came from the platform are not.
    pub(crate) async fn seed_approvals(&self) -> ApiResult<()> {
        if self.store.setting(SEEDED_SETTING).await?.is_some() {
            return Ok(());
        }
        for artifact in self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await? {
            if artifact.root_id.is_none() {
                self.approve_as_written(&artifact).await?;
            }
        }
        self.store.set_setting(SEEDED_SETTING, &serde_json::Value::Bool(true)).await?;
        Ok(())
    }
}
