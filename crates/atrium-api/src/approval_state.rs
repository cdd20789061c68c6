//! Whether the person approved what a server registration does on this machine: the states the window and the CLI
//! show (see `approvals.rs` for how approvals are given).

use atrium_mcp::{LocalEffects, Registration};
use atrium_store::{Artifact, ServerApproval};
use serde::{Deserialize, Serialize};

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
