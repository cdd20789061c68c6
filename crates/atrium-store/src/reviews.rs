//! Reviews of artifacts: an agent's verdict on one version of an artifact, with an optional comment. Local records,
//! never synced, deleted with their artifact.

use serde::{Deserialize, Serialize};
use sqlx::FromRow;

use crate::clock::now;
use crate::error::Entity;
use crate::model::FieldProblem;
use crate::{Result, Store, StoreError};

/// The longest comment a review keeps, in characters.
pub const REVIEW_COMMENT_MAX: usize = 10_000;

/// What a review says about the version it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReviewVerdict {
    /// Good as it is.
    Approved,
    /// Needs changes before it is good; the comment says which.
    ChangesRequested,
    /// A remark, no verdict.
    Commented,
}

impl ReviewVerdict {
    /// The name stored and sent (`approved`, `changes_requested`, `commented`).
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewVerdict::Approved => "approved",
            ReviewVerdict::ChangesRequested => "changes_requested",
            ReviewVerdict::Commented => "commented",
        }
    }

    /// The verdict named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        [ReviewVerdict::Approved, ReviewVerdict::ChangesRequested, ReviewVerdict::Commented]
            .into_iter()
            .find(|v| v.as_str() == name)
    }
}

/// A stored review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Review {
    /// Id (UUID v7: ordered by time).
    pub id: String,
    /// The artifact reviewed.
    pub artifact_id: String,
    /// The version the reviewer read.
    pub version: u32,
    /// What it says.
    pub verdict: ReviewVerdict,
    /// Why (may be empty).
    pub comment: String,
    /// The agent that reviewed, while it exists.
    pub reviewer_id: Option<String>,
    /// The reviewer's name when it reviewed.
    pub reviewer_name: String,
    /// When (RFC 3339, UTC).
    pub created_time: String,
}

/// A review to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    /// The artifact reviewed.
    pub artifact_id: String,
    /// The version read: `None` for the current one.
    pub version: Option<u32>,
    /// What it says.
    pub verdict: ReviewVerdict,
    /// Why (trimmed; at most [`REVIEW_COMMENT_MAX`] characters).
    pub comment: String,
    /// The reviewing agent's id.
    pub reviewer_id: Option<String>,
    /// The reviewer's name.
    pub reviewer_name: String,
}

#[derive(FromRow)]
struct ReviewRow {
    id: String,
    artifact_id: String,
    version: i64,
    verdict: String,
    comment: String,
    reviewer_id: Option<String>,
    reviewer_name: String,
    created_time: String,
}

impl TryFrom<ReviewRow> for Review {
    type Error = StoreError;
    fn try_from(row: ReviewRow) -> Result<Self> {
        let verdict = ReviewVerdict::parse(&row.verdict).ok_or_else(|| StoreError::Corrupt {
            entity: Entity::Artifact,
            id: row.artifact_id.clone(),
            message: format!("a review with the verdict {:?}", row.verdict),
        })?;
        Ok(Review {
            version: u32::try_from(row.version).unwrap_or(0),
            id: row.id,
            artifact_id: row.artifact_id,
            verdict,
            comment: row.comment,
            reviewer_id: row.reviewer_id,
            reviewer_name: row.reviewer_name,
            created_time: row.created_time,
        })
    }
}

fn problem(field: &str, message: String) -> StoreError {
    StoreError::Invalid(vec![FieldProblem { field: field.into(), message, position: None }])
}

impl Store {
    /// Keeps a review of an artifact's version (its current one when none is named). A version the artifact never
    /// had, or a comment over [`REVIEW_COMMENT_MAX`] characters, is refused before anything is written.
    pub async fn review_add(&self, review: &NewReview) -> Result<Review> {
        let comment = review.comment.trim();
        if comment.chars().count() > REVIEW_COMMENT_MAX {
            return Err(problem(
                "comment",
                format!("A review's comment holds at most {REVIEW_COMMENT_MAX} characters."),
            ));
        }
        if review.verdict == ReviewVerdict::Commented && comment.is_empty() {
            return Err(problem("comment", "A comment needs some text.".into()));
        }
        let mut tx = self.begin_write().await?;
        let current: Option<(i64,)> = sqlx::query_as("SELECT version FROM artifacts WHERE id = ?1")
            .bind(&review.artifact_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((current,)) = current else {
            return Err(StoreError::NotFound { entity: Entity::Artifact, id: review.artifact_id.clone() });
        };
        let version = review.version.map_or(current, i64::from);
        if version < 1 || version > current {
            return Err(problem("version", format!("The artifact has versions 1 to {current}, not {version}.")));
        }
        let row: ReviewRow = sqlx::query_as(
            "INSERT INTO artifact_reviews (id, artifact_id, version, verdict, comment, reviewer_id, reviewer_name,
                                           created_time)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING *",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&review.artifact_id)
        .bind(version)
        .bind(review.verdict.as_str())
        .bind(comment)
        .bind(&review.reviewer_id)
        .bind(&review.reviewer_name)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit_quietly().await?;
        row.try_into()
    }

    /// An artifact's reviews, newest first.
    pub async fn review_list(&self, artifact_id: &str) -> Result<Vec<Review>> {
        let rows: Vec<ReviewRow> =
            sqlx::query_as("SELECT * FROM artifact_reviews WHERE artifact_id = ?1 ORDER BY created_time DESC, id DESC")
                .bind(artifact_id)
                .fetch_all(self.pool())
                .await?;
        rows.into_iter().map(Review::try_from).collect()
    }
}
