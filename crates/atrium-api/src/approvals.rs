//! The person's approval of what server registrations do on this machine (DESIGN §6.2). A registration the person
//! writes here (the server form, `atrium server add`, the artifact editor, an import they previewed and confirmed)
//! is approved by that act. One that arrives any other way — synced from the platform, above all — waits, marked
//! "from the platform — review" with what it would run, until they approve it (`server_approve`, the window's
//! Review button, `atrium server approve`). Approvals are local, never synced, and bound to the exact transport and
//! auth: a later change from anywhere asks again.

use atrium_mcp::{LocalEffects, Registration, SERVER_CONTENT_TYPE, registration};
use atrium_store::{Artifact, ServerApproval};
use serde::{Deserialize, Serialize};

use crate::servers::{ServerView, stored_registration};
use crate::{ApiError, ApiResult, Atrium, ErrorCode};

/// The local setting that says the registrations written before approvals existed were approved once.
const SEEDED_SETTING: &str = "servers.approvals_seeded";

/// Why a registration waits for the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalReason {
    /// It came from the platform (or another member of a shared workspace) and was never approved here.
    FromPlatform,
    /// It was approved here, and what it runs has changed since.
    Changed,
    /// It was never approved here (written by an older Atrium, or by a view or an agent).
    NotReviewed,
}

/// Whether a registration may do what it does on this machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ServerApprovalState {
    /// It starts nothing here and sends none of this machine's credentials.
    NotNeeded,
    /// The person approved it as it is.
    Approved {
        /// When.
        approved_time: String,
    },
    /// It waits for the person: what it would do, and why it asks.
    Required {
        /// Why it asks.
        reason: ApprovalReason,
        /// What it would run and which credentials it would use; approve with its `fingerprint`.
        effects: LocalEffects,
    },
}

/// The approval state of a stored registration.
pub(crate) fn approval_state(
    artifact: &Artifact,
    registration: &Registration,
    approval: Option<&ServerApproval>,
) -> ServerApprovalState {
    let Some(effects) = registration.local_effects() else { return ServerApprovalState::NotNeeded };
    match approval {
        Some(approval) if approval.fingerprint == effects.fingerprint => {
            ServerApprovalState::Approved { approved_time: approval.approved_time.clone() }
        }
        Some(_) => ServerApprovalState::Required { reason: ApprovalReason::Changed, effects },
        None if artifact.root_id.is_some() => {
            ServerApprovalState::Required { reason: ApprovalReason::FromPlatform, effects }
        }
        None => ServerApprovalState::Required { reason: ApprovalReason::NotReviewed, effects },
    }
}

impl Atrium {
    /// Approves what a server registration does on this machine, exactly as the person reviewed it: `fingerprint`
    /// is the one they were shown (`approval.effects.fingerprint`). A registration that changed since is refused
    /// with `version_conflict`, and nothing is approved. An enabled server starts.
    pub async fn server_approve(&self, id: String, fingerprint: String) -> ApiResult<ServerView> {
        let artifact = self.server_artifact(&id).await?;
        let registration = registration::parse(&stored_registration(&artifact)).map_err(|_| {
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
        let Ok(registration) = registration::parse(&stored_registration(artifact)) else { return Ok(()) };
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
