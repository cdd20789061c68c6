//! Reviews of artifacts: agents give them through the gateway's `review_artifact`, the window shows them beside
//! the artifact's history.

use atrium_store::{NewReview, Review, ReviewVerdict};

use crate::agents::AgentView;
use crate::events::AppEvent;
use crate::{ApiResult, Atrium};

impl Atrium {
    /// An artifact's reviews, newest first.
    pub async fn artifact_reviews(&self, id: String) -> ApiResult<Vec<Review>> {
        Ok(self.store.review_list(&id).await?)
    }

    /// Keeps `agent`'s review of an artifact's version (its current one when `version` is `None`) and tells the
    /// window. Whether the agent may see the artifact is the caller's check (the gateway's).
    pub async fn agent_review_artifact(
        &self,
        agent: &AgentView,
        artifact_id: String,
        version: Option<u32>,
        verdict: ReviewVerdict,
        comment: String,
    ) -> ApiResult<Review> {
        let review = self
            .store
            .review_add(&NewReview {
                artifact_id,
                version,
                verdict,
                comment,
                reviewer_id: Some(agent.id.clone()),
                reviewer_name: agent.name.clone(),
            })
            .await?;
        let workspace_id = self.store.get_artifact(&review.artifact_id).await?.workspace_id;
        self.options.events.emit(AppEvent::ArtifactReviewed {
            workspace_id,
            artifact_id: review.artifact_id.clone(),
            review_id: review.id.clone(),
        });
        Ok(review)
    }
}
