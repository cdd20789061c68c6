//! The records the store keeps, shaped after the Agience platform's artifacts so that sync is a mapping.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A workspace: a named collection of artifacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Workspace {
    /// Local id (UUID).
    pub id: String,
    /// Shown in the sidebar.
    pub title: String,
    /// Free text.
    pub description: String,
    /// The platform id once synced.
    pub remote_id: Option<String>,
    /// Bumped on every write.
    pub version: u32,
    /// How many artifacts it holds.
    pub artifact_count: u32,
    /// ISO-8601 UTC.
    pub created_time: String,
    /// Who created it.
    pub created_by: String,
    /// ISO-8601 UTC.
    pub modified_time: String,
    /// Who last changed it.
    pub modified_by: String,
}

/// What a new workspace needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewWorkspace {
    /// Its title (1–200 characters).
    pub title: String,
    /// Optional free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// The lifecycle state of an artifact, as on the platform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ArtifactState {
    /// Being worked on.
    #[default]
    Draft,
    /// Published.
    Committed,
    /// Kept but hidden from everyday lists.
    Archived,
}

impl ArtifactState {
    /// The value stored in SQLite.
    pub fn as_str(self) -> &'static str {
        match self {
            ArtifactState::Draft => "draft",
            ArtifactState::Committed => "committed",
            ArtifactState::Archived => "archived",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "draft" => Some(ArtifactState::Draft),
            "committed" => Some(ArtifactState::Committed),
            "archived" => Some(ArtifactState::Archived),
            _ => None,
        }
    }
}

/// An artifact with all its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Artifact {
    /// Local id (UUID).
    pub id: String,
    /// The owning workspace.
    pub workspace_id: String,
    /// Stable platform identity once synced.
    pub root_id: Option<String>,
    /// Platform id once synced.
    pub remote_id: Option<String>,
    /// MIME type, e.g. `text/markdown`.
    pub content_type: String,
    /// Shown in lists.
    pub title: String,
    /// A JSON object of metadata.
    pub context: Value,
    /// The body.
    pub content: String,
    /// Lifecycle state.
    pub state: ArtifactState,
    /// Bumped on every write; each version is kept as a revision.
    pub version: u32,
    /// ISO-8601 UTC.
    pub created_time: String,
    /// Who created it.
    pub created_by: String,
    /// ISO-8601 UTC.
    pub modified_time: String,
    /// Who last changed it.
    pub modified_by: String,
}

/// An artifact without its body, for lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArtifactSummary {
    /// Local id.
    pub id: String,
    /// The owning workspace.
    pub workspace_id: String,
    /// Shown in lists.
    pub title: String,
    /// MIME type.
    pub content_type: String,
    /// Lifecycle state.
    pub state: ArtifactState,
    /// Current version.
    pub version: u32,
    /// Size of the content in bytes.
    pub size_bytes: u32,
    /// ISO-8601 UTC.
    pub created_time: String,
    /// ISO-8601 UTC.
    pub modified_time: String,
}

/// What a new artifact needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewArtifact {
    /// The workspace to create it in.
    pub workspace_id: String,
    /// Its title (1–200 characters).
    pub title: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its body; empty when absent.
    #[serde(default)]
    pub content: Option<String>,
    /// A JSON object of metadata; `{}` when absent.
    #[serde(default)]
    pub context: Option<Value>,
    /// Draft when absent.
    #[serde(default)]
    pub state: Option<ArtifactState>,
}

/// A change to an artifact: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArtifactPatch {
    /// When set, the write is refused unless the artifact is still at this version (no lost updates).
    #[serde(default)]
    pub expected_version: Option<u32>,
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New MIME type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// New body.
    #[serde(default)]
    pub content: Option<String>,
    /// New metadata object.
    #[serde(default)]
    pub context: Option<Value>,
    /// New state.
    #[serde(default)]
    pub state: Option<ArtifactState>,
}

impl ArtifactPatch {
    /// True when the patch would change nothing.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.content_type.is_none()
            && self.content.is_none()
            && self.context.is_none()
            && self.state.is_none()
    }
}

/// One stored version of an artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Revision {
    /// The artifact.
    pub artifact_id: String,
    /// Which version this is.
    pub version: u32,
    /// MIME type at that version.
    pub content_type: String,
    /// Title at that version.
    pub title: String,
    /// Metadata at that version.
    pub context: Value,
    /// Body at that version.
    pub content: String,
    /// State at that version.
    pub state: ArtifactState,
    /// When this version was written.
    pub modified_time: String,
    /// Who wrote it.
    pub modified_by: String,
}

/// A revision without its body, for the history list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RevisionSummary {
    /// The artifact.
    pub artifact_id: String,
    /// Which version this is.
    pub version: u32,
    /// Title at that version.
    pub title: String,
    /// MIME type at that version.
    pub content_type: String,
    /// State at that version.
    pub state: ArtifactState,
    /// Size of the body in bytes.
    pub size_bytes: u32,
    /// When this version was written.
    pub modified_time: String,
    /// Who wrote it.
    pub modified_by: String,
}

/// A full-text query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchQuery {
    /// What the user typed; words are matched in any order, the last one as a prefix.
    pub text: String,
    /// Only this workspace when set; all workspaces otherwise.
    #[serde(default)]
    pub workspace_id: Option<String>,
    /// At most this many hits (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A run of text, marked when it matched the query; rendering never needs HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TextSpan {
    /// The text.
    pub text: String,
    /// Whether it matched.
    pub hit: bool,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchHit {
    /// The artifact found.
    pub artifact_id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// Its workspace's title.
    pub workspace_title: String,
    /// Its title.
    pub title: String,
    /// Its MIME type.
    pub content_type: String,
    /// ISO-8601 UTC.
    pub modified_time: String,
    /// The title with matches marked.
    pub title_spans: Vec<TextSpan>,
    /// A short excerpt of the content around the matches.
    pub snippet_spans: Vec<TextSpan>,
}

/// Why a field was refused, in words that say what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldProblem {
    /// The field (`title`, `content_type`, `content`, `context`, …).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// Where in the field's text the problem is, when it is at one place (invalid JSON).
    #[serde(default)]
    pub position: Option<TextPosition>,
}

/// A place in a text: 1-based line and column, the column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TextPosition {
    /// The line, from 1.
    pub line: u32,
    /// The character on that line, from 1.
    pub column: u32,
}
