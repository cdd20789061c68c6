//! Atrium's local store: one SQLite file (WAL) holding workspaces, artifacts, their full revision history and a
//! full-text index over titles and content, the audit log of tool calls, and what belongs to this machine only
//! (the secrets index and local settings).
//!
//! Every write is validated before it touches the database, runs in a single `BEGIN IMMEDIATE` transaction and
//! bumps the artifact's version; triggers keep the revision history and queue the artifact for the FTS5 index in
//! that same transaction, so no code path can write an artifact without keeping its previous versions or leave
//! it out of search (the index itself catches up in the background, and before every search).
#![deny(missing_docs)]

mod agent_oauth;
mod agents;
mod artifacts;
mod audit;
mod clock;
mod error;
mod fold;
mod highlight;
mod idempotent_calls;
mod list_model;
mod listing;
mod local;
mod migrate;
mod model;
pub mod paths;
mod reviews;
mod search;
mod search_index;
mod store;
mod sync;
mod sync_apply;
mod sync_model;
pub mod validate;
mod workspaces;

pub use agent_oauth::{NewOAuthToken, OAuthClientRecord, OAuthTokenKind, OAuthTokenRecord};
pub use agents::{AgentRecord, AgentServer, NewAgentRecord};
pub use audit::{AuditEntry, AuditFilter, AuditOrigin, AuditStatus};
pub use error::{Entity, StoreError};
pub use idempotent_calls::IdempotentStart;
pub use list_model::{ArtifactListQuery, ArtifactPage, ArtifactSort, TypeCount};
pub use local::{SecretRecord, ServerApproval};
pub use migrate::{MIGRATIONS, Migration, SCHEMA_VERSION};
pub use model::{
    Artifact, ArtifactPatch, ArtifactState, ArtifactSummary, FieldProblem, NewArtifact, NewWorkspace, Revision,
    RevisionSummary, SearchHit, SearchQuery, TextPosition, TextSpan, Workspace,
};
pub use paths::AtriumPaths;
pub use reviews::{NewReview, REVIEW_COMMENT_MAX, Review, ReviewVerdict};
pub use store::Store;
pub use sync::APPLY_CHUNK;
pub use sync_model::{
    ApplyReport, ConflictKind, OutboxEntry, OutboxOp, RemoteVersion, Resolution, SyncConflict, SyncLink,
};

/// The result type of every store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
