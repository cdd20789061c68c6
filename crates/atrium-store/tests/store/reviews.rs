//! Reviews: kept per version, newest first, refused when they name what is not there, gone with their artifact.

use atrium_store::{ArtifactPatch, NewReview, REVIEW_COMMENT_MAX, ReviewVerdict, StoreError};

use crate::common::{Fixture, note};

fn review(artifact_id: &str, version: Option<u32>, verdict: ReviewVerdict, comment: &str) -> NewReview {
    NewReview {
        artifact_id: artifact_id.to_owned(),
        version,
        verdict,
        comment: comment.to_owned(),
        reviewer_id: Some("agent-1".into()),
        reviewer_name: "Critic".into(),
    }
}

#[tokio::test]
async fn reviews_are_kept_per_version_newest_first_and_go_with_their_artifact() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Drafts").await;
    let a = fx.store.create_artifact(note(&ws, "Essay", "first")).await.expect("create");
    fx.store
        .update_artifact(&a.id, ArtifactPatch { content: Some("second".into()), ..Default::default() })
        .await
        .expect("revise");

    let on_first = fx
        .store
        .review_add(&review(&a.id, Some(1), ReviewVerdict::ChangesRequested, "  Too short.  "))
        .await
        .expect("ok");
    assert_eq!((on_first.version, on_first.comment.as_str()), (1, "Too short."));
    let on_current = fx.store.review_add(&review(&a.id, None, ReviewVerdict::Approved, "")).await.expect("ok");
    assert_eq!(on_current.version, 2, "no version named: the current one");

    let listed = fx.store.review_list(&a.id).await.expect("ok");
    assert_eq!(listed, vec![on_current, on_first]);

    fx.store.delete_artifact(&a.id).await.expect("delete");
    assert!(fx.store.review_list(&a.id).await.expect("ok").is_empty());
}

#[tokio::test]
async fn a_review_of_what_is_not_there_is_refused_and_nothing_is_kept() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Drafts").await;
    let a = fx.store.create_artifact(note(&ws, "Essay", "first")).await.expect("create");

    let field = |err: StoreError| match err {
        StoreError::Invalid(problems) => problems[0].field.clone(),
        other => panic!("expected a validation error, got {other:?}"),
    };
    let future = fx.store.review_add(&review(&a.id, Some(2), ReviewVerdict::Approved, "")).await.expect_err("refused");
    assert_eq!(field(future), "version");
    let long = "x".repeat(REVIEW_COMMENT_MAX + 1);
    let too_long =
        fx.store.review_add(&review(&a.id, None, ReviewVerdict::Commented, &long)).await.expect_err("refused");
    assert_eq!(field(too_long), "comment");
    let empty = fx.store.review_add(&review(&a.id, None, ReviewVerdict::Commented, "   ")).await.expect_err("refused");
    assert_eq!(field(empty), "comment");
    let missing =
        fx.store.review_add(&review("no-such", None, ReviewVerdict::Approved, "")).await.expect_err("refused");
    assert!(matches!(missing, StoreError::NotFound { .. }), "{missing:?}");

    assert!(fx.store.review_list(&a.id).await.expect("ok").is_empty());
}
