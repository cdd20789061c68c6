use atrium_store::{ArtifactPatch, ArtifactState, StoreError};
use serde_json::json;

use crate::common::{Fixture, note};

#[tokio::test]
async fn every_write_keeps_a_revision_and_restore_adds_one() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    let created = fx.store.create_artifact(note(&ws, "Plan", "first")).await.expect("create");
    assert_eq!(created.version, 1);
    assert_eq!(created.context, json!({}));

    let second = fx
        .store
        .update_artifact(&created.id, ArtifactPatch { content: Some("second".into()), ..Default::default() })
        .await
        .expect("update");
    assert_eq!((second.version, second.content.as_str()), (2, "second"));

    let history = fx.store.artifact_history(&created.id).await.expect("history");
    assert_eq!(history.iter().map(|r| r.version).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(fx.store.artifact_revision(&created.id, 1).await.expect("v1").content, "first");

    let restored = fx.store.restore_revision(&created.id, 1).await.expect("restore");
    assert_eq!((restored.version, restored.content.as_str()), (3, "first"));
    assert_eq!(fx.store.artifact_history(&created.id).await.expect("history").len(), 3);
}

#[tokio::test]
async fn saving_unchanged_fields_is_not_a_new_version() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    let a = fx.store.create_artifact(note(&ws, "Plan", "same")).await.expect("create");
    let again = fx
        .store
        .update_artifact(&a.id, ArtifactPatch { content: Some("same".into()), ..Default::default() })
        .await
        .expect("update");
    assert_eq!(again.version, 1);
}

#[tokio::test]
async fn a_stale_edit_is_refused_instead_of_overwriting() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    let a = fx.store.create_artifact(note(&ws, "Plan", "v1")).await.expect("create");
    let edit = |content: &str| ArtifactPatch {
        expected_version: Some(1),
        content: Some(content.into()),
        ..Default::default()
    };
    fx.store.update_artifact(&a.id, edit("from window A")).await.expect("first edit wins");
    let err = fx.store.update_artifact(&a.id, edit("from window B")).await.expect_err("second is stale");
    assert!(matches!(err, StoreError::VersionConflict { expected: 1, actual: 2, .. }), "{err:?}");
    assert_eq!(fx.store.get_artifact(&a.id).await.expect("get").content, "from window A");
}

#[tokio::test]
async fn workspaces_are_listed_renamed_counted_and_deleted_with_their_artifacts() {
    let fx = Fixture::new().await;
    let b = fx.workspace("beta").await;
    let a = fx.workspace("Alpha").await;
    let listed: Vec<String> = fx.store.list_workspaces().await.expect("list").into_iter().map(|w| w.title).collect();
    assert_eq!(listed, ["Alpha", "beta"], "sorted by title, case-insensitively");

    let renamed = fx.store.rename_workspace(&b.id, "  Gamma ").await.expect("rename");
    assert_eq!((renamed.title.as_str(), renamed.version), ("Gamma", 2));

    let doomed = fx.store.create_artifact(note(&a, "Doomed", "bye")).await.expect("create");
    fx.store.create_artifact(note(&a, "Also doomed", "bye")).await.expect("create");
    assert_eq!(fx.store.get_workspace(&a.id).await.expect("get").artifact_count, 2);

    fx.store.delete_workspace(&a.id).await.expect("delete");
    assert!(matches!(fx.store.get_artifact(&doomed.id).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(fx.store.artifact_history(&doomed.id).await, Err(StoreError::NotFound { .. })));
    assert!(
        fx.store
            .search(&atrium_store::SearchQuery { text: "doomed".into(), ..Default::default() })
            .await
            .expect("search")
            .is_empty()
    );
    assert!(matches!(fx.store.delete_workspace(&a.id).await, Err(StoreError::NotFound { .. })));
}

#[tokio::test]
async fn a_workspace_description_is_set_trimmed_cleared_and_checked() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    assert_eq!(ws.description, "");

    let described =
        fx.store.describe_workspace(&ws.id, "  Recipes we cook\nand the ones we mean to.  ").await.expect("describe");
    assert_eq!((described.description.as_str(), described.version), ("Recipes we cook\nand the ones we mean to.", 2));
    assert_eq!(described.title, "Notes", "the title stays");
    assert_eq!(fx.store.get_workspace(&ws.id).await.expect("get").description, described.description);

    let cleared = fx.store.describe_workspace(&ws.id, "   ").await.expect("empty is allowed");
    assert_eq!((cleared.description.as_str(), cleared.version), ("", 3));

    let long = "x".repeat(atrium_store::validate::MAX_DESCRIPTION_CHARS + 1);
    for refused in [long.as_str(), "bell \u{7}"] {
        match fx.store.describe_workspace(&ws.id, refused).await {
            Err(StoreError::Invalid(problems)) => assert_eq!(problems[0].field, "description", "{problems:?}"),
            other => panic!("{refused:.20} was not refused: {other:?}"),
        }
    }
    assert_eq!(fx.store.get_workspace(&ws.id).await.expect("get").version, 3, "a refused one changes nothing");
    assert!(matches!(
        fx.store.describe_workspace("0190b6a3-0000-7000-8000-000000000000", "x").await,
        Err(StoreError::NotFound { .. })
    ));
    let bad_create = atrium_store::NewWorkspace { title: "T".into(), description: Some(long.clone()) };
    assert!(matches!(fx.store.create_workspace(bad_create).await, Err(StoreError::Invalid(_))));
}

#[tokio::test]
async fn duplicate_and_delete() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    let mut new = note(&ws, "Recipe", "{\"name\": \"bread\"}");
    new.content_type = "application/vnd.my-org.recipe+json".into();
    new.context = Some(json!({"tags": ["food"]}));
    new.state = Some(ArtifactState::Committed);
    let a = fx.store.create_artifact(new).await.expect("create");

    let copy = fx.store.duplicate_artifact(&a.id).await.expect("duplicate");
    assert_ne!(copy.id, a.id);
    assert_eq!(copy.title, "Recipe (copy)");
    assert_eq!(
        (copy.content.as_str(), copy.context.clone(), copy.state),
        (a.content.as_str(), a.context.clone(), ArtifactState::Draft)
    );
    assert_eq!(fx.store.list_artifacts(&ws.id).await.expect("list").len(), 2);

    fx.store.delete_artifact(&a.id).await.expect("delete");
    let left: Vec<String> = fx.store.list_artifacts(&ws.id).await.expect("list").into_iter().map(|s| s.id).collect();
    assert_eq!(left, [copy.id]);
}

#[tokio::test]
async fn bulk_creation_is_all_or_nothing() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Bulk").await;
    let many: Vec<_> = (0..1200).map(|i| note(&ws, &format!("n{i}"), "x")).collect();
    assert_eq!(fx.store.create_artifacts(many).await.expect("bulk"), 1200);
    assert_eq!(
        fx.store.artifact_history(&fx.store.list_artifacts(&ws.id).await.expect("list")[0].id).await.expect("h").len(),
        1
    );

    let mut with_a_bad_one: Vec<_> = (0..10).map(|i| note(&ws, &format!("m{i}"), "x")).collect();
    with_a_bad_one[7].title = String::new();
    assert!(matches!(fx.store.create_artifacts(with_a_bad_one).await, Err(StoreError::Invalid(_))));
    assert_eq!(fx.store.list_artifacts(&ws.id).await.expect("list").len(), 1200);
}

#[tokio::test]
async fn data_survives_closing_and_reopening() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Kept").await;
    let a = fx.store.create_artifact(note(&ws, "Kept note", "still here")).await.expect("create");
    fx.store.close().await;
    let reopened = atrium_store::Store::open(&fx.paths()).await.expect("reopen");
    assert_eq!(reopened.get_artifact(&a.id).await.expect("get").content, "still here");
    assert_eq!(reopened.integrity_check().await.expect("check"), "ok");
}
