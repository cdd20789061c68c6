//! The records sync keeps beside the artifacts: links to platform containers, the outbox and the conflicts.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ArtifactState;

/// A local workspace linked to a platform container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncLink {
    /// The local workspace.
    pub workspace_id: String,
    /// The platform container's root id.
    pub remote_id: String,
    /// When it was linked.
    pub linked_time: String,
    /// When the last full listing was applied.
    pub last_pull: Option<String>,
}

/// What an outbox entry sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxOp {
    /// Create the artifact on the platform, or update it there.
    Upsert,
    /// Delete it there.
    Delete,
}

/// One local change waiting to reach the platform.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// The local artifact (for a delete: the id it had).
    pub artifact_id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// What to send.
    pub op: OutboxOp,
    /// For a delete: the platform root id.
    pub remote_id: Option<String>,
    /// For a delete: the platform `modified_time` the delete was based on.
    pub base_modified: Option<String>,
    /// A create was sent before and its answer never recorded.
    pub create_sent: bool,
    /// Failed attempts so far.
    pub attempts: u32,
}

/// A platform artifact's version as sync applies it locally.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteVersion {
    /// The platform's stable identity.
    pub root_id: String,
    /// The platform id of this version.
    pub remote_id: String,
    /// The platform's `modified_time`: the base of later local edits.
    pub modified_time: String,
    /// The local artifact this came from, when Atrium created it (found in its context): lets a create whose
    /// answer was lost be recognised instead of duplicated.
    pub local_hint: Option<String>,
    /// Title.
    pub title: String,
    /// MIME type.
    pub content_type: String,
    /// Metadata (without the keys the mapping owns).
    pub context: Value,
    /// Body.
    pub content: String,
    /// Lifecycle state.
    pub state: ArtifactState,
    /// Who created it on the platform.
    pub created_by: String,
    /// When.
    pub created_time: String,
    /// Who last changed it.
    pub modified_by: String,
    /// The platform's JSON, kept with a conflict so the person can see the other side.
    pub raw: Value,
}

/// What applying a batch of remote versions did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ApplyReport {
    /// New local artifacts.
    pub inserted: u32,
    /// Local artifacts brought up to date.
    pub updated: u32,
    /// Local artifacts deleted because the platform deleted them.
    pub deleted: u32,
    /// Changes left for the person to settle.
    pub conflicts: u32,
    /// Versions already held.
    pub unchanged: u32,
}

impl ApplyReport {
    /// Adds another report's counts.
    pub fn add(&mut self, other: ApplyReport) {
        self.inserted += other.inserted;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.conflicts += other.conflicts;
        self.unchanged += other.unchanged;
    }
}

/// How the two sides of a conflict differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Edited here and on the platform since the last sync.
    BothEdited,
    /// Edited here, deleted on the platform.
    EditedHereDeletedThere,
    /// Deleted here, edited on the platform.
    DeletedHereEditedThere,
}

impl ConflictKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ConflictKind::BothEdited => "both_edited",
            ConflictKind::EditedHereDeletedThere => "edited_here_deleted_there",
            ConflictKind::DeletedHereEditedThere => "deleted_here_edited_there",
        }
    }

    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "both_edited" => Some(ConflictKind::BothEdited),
            "edited_here_deleted_there" => Some(ConflictKind::EditedHereDeletedThere),
            "deleted_here_edited_there" => Some(ConflictKind::DeletedHereEditedThere),
            _ => None,
        }
    }
}

/// A change on both sides, waiting for the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncConflict {
    /// The local artifact (for a local delete: the id it had).
    pub artifact_id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// How the sides differ.
    pub kind: ConflictKind,
    /// The platform's side (its artifact JSON, `context` parsed); absent when deleted there.
    pub remote: Option<Value>,
    /// This side, when deleted here: the artifact as it was.
    pub local: Option<Value>,
    /// When it was seen.
    pub detected_time: String,
}

/// How the person settles a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// This side wins: it is sent to the platform (a local delete is carried out there).
    KeepLocal,
    /// The platform's side wins: it becomes the local version (the local edit stays in the history).
    KeepRemote,
    /// Both stay: the local edit becomes a new artifact, the original takes the platform's side.
    KeepBoth,
}
