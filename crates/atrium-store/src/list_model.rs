//! The paged view of a workspace's artifacts that lists show: a query (order, filters) and one page of it.

use serde::{Deserialize, Serialize};

use crate::ArtifactSummary;

/// How a workspace's artifacts are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ArtifactSort {
    /// Most recently modified first.
    #[default]
    Modified,
    /// By title, A to Z (case and accents ignored).
    Title,
    /// By content type, then title.
    Type,
}

/// Which of a workspace's artifacts to list, in what order, and which page of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArtifactListQuery {
    /// The workspace.
    pub workspace_id: String,
    /// The order (most recently modified first when absent).
    #[serde(default)]
    pub sort: ArtifactSort,
    /// Only artifacts whose title contains every word of this (case and accents ignored).
    #[serde(default)]
    pub filter: Option<String>,
    /// Only artifacts of this content type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The listing an earlier page came from, to read another page of the same order. Pages of one listing are
    /// consistent with each other; a listing that is no longer kept, or that no longer matches the query, is
    /// replaced by a fresh one (the page says which).
    #[serde(default)]
    pub listing: Option<String>,
    /// The first row to return (0 when absent).
    #[serde(default)]
    pub offset: Option<u32>,
    /// How many rows (100 when absent, at most 1,000).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Instead of `offset`: the page that holds this artifact.
    #[serde(default)]
    pub around: Option<String>,
}

/// How many artifacts of one content type a workspace holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TypeCount {
    /// The content type.
    pub content_type: String,
    /// How many.
    pub count: u32,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArtifactPage {
    /// The listing this page belongs to: pass it back to read more of the same order.
    pub listing: String,
    /// How many artifacts the listing holds (all pages).
    pub total: u32,
    /// The position of the first row in the listing.
    pub offset: u32,
    /// The rows.
    pub rows: Vec<ArtifactSummary>,
    /// Where the artifact asked for with `around` is, when it is in the listing.
    pub position: Option<u32>,
    /// The content types of the whole workspace, with counts (the type filter's choices): on a new listing only.
    pub types: Option<Vec<TypeCount>>,
}
