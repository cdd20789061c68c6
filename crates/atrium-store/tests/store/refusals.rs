//! Bad input and bad files: a typed error, and nothing already stored changes.

use atrium_store::{ArtifactPatch, AtriumPaths, NewArtifact, SCHEMA_VERSION, Store, StoreError};

use crate::common::{Fixture, note};

fn fields(err: &StoreError) -> Vec<String> {
    match err {
        StoreError::Invalid(problems) => problems.iter().map(|p| p.field.clone()).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn invalid_edits_are_refused_and_change_nothing() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Data").await;
    let mut new = note(&ws, "Config", "{\"a\": 1}");
    new.content_type = "application/json".into();
    let a = fx.store.create_artifact(new).await.expect("create");
    let before = (fx.store.get_artifact(&a.id).await.expect("get"), fx.store.artifact_history(&a.id).await.expect("h"));

    let bad_patches = [
        (ArtifactPatch { title: Some("   ".into()), ..Default::default() }, vec!["title"]),
        (ArtifactPatch { content_type: Some("not a type".into()), ..Default::default() }, vec!["content_type"]),
        (ArtifactPatch { content: Some("{\"a\": }".into()), ..Default::default() }, vec!["content"]),
        (ArtifactPatch { context: Some(serde_json::json!("a string")), ..Default::default() }, vec!["context"]),
        (
            ArtifactPatch { title: Some(String::new()), content: Some("[".into()), ..Default::default() },
            vec!["title", "content"],
        ),
    ];
    for (patch, expected) in bad_patches {
        let err = fx.store.update_artifact(&a.id, patch).await.expect_err("refused");
        assert_eq!(fields(&err), expected);
    }
    let after = (fx.store.get_artifact(&a.id).await.expect("get"), fx.store.artifact_history(&a.id).await.expect("h"));
    assert_eq!(before, after);
}

#[tokio::test]
async fn changing_the_type_to_json_requires_json_content() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Data").await;
    let a = fx.store.create_artifact(note(&ws, "Prose", "not json")).await.expect("create");
    let err = fx
        .store
        .update_artifact(&a.id, ArtifactPatch { content_type: Some("application/json".into()), ..Default::default() })
        .await
        .expect_err("refused");
    assert_eq!(fields(&err), ["content"]);
}

#[tokio::test]
async fn invalid_new_artifacts_and_unknown_ids_are_refused() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Data").await;
    let err = fx.store.create_artifact(NewArtifact { workspace_id: ws.id.clone(), ..Default::default() }).await;
    assert_eq!(fields(&err.expect_err("refused")), ["title", "content_type"]);

    let missing = "0190f1f2-0000-7000-8000-000000000000";
    let err =
        fx.store.create_artifact(note(&atrium_store::Workspace { id: missing.into(), ..ws.clone() }, "t", "c")).await;
    assert!(matches!(err, Err(StoreError::NotFound { entity: atrium_store::Entity::Workspace, .. })), "{err:?}");
    assert!(matches!(fx.store.get_artifact("garbage").await, Err(StoreError::Invalid(_))));
    assert!(matches!(fx.store.get_artifact(missing).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(fx.store.artifact_revision(missing, 1).await, Err(StoreError::NotFound { .. })));
    assert!(fx.store.list_artifacts(&ws.id).await.expect("list").is_empty());
}

#[tokio::test]
async fn a_database_from_a_newer_atrium_is_refused_and_left_alone() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Future").await;
    sqlx_exec(&fx, &format!("INSERT INTO schema_migrations VALUES ({}, 'future', 'x', 'now')", SCHEMA_VERSION + 1))
        .await;
    fx.store.close().await;

    let err = Store::open(&fx.paths()).await.expect_err("too new");
    assert!(
        matches!(err, StoreError::DatabaseTooNew { found, supported, .. } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{err:?}"
    );
    assert!(err.to_string().contains("update Atrium"), "{err}");

    // The refusal wrote nothing: remove the future row by hand and the data is all there.
    sqlx_exec_at(&fx.paths(), &format!("DELETE FROM schema_migrations WHERE version = {}", SCHEMA_VERSION + 1)).await;
    let store = Store::open(&fx.paths()).await.expect("open");
    assert_eq!(store.get_workspace(&ws.id).await.expect("still there").title, "Future");
}

#[tokio::test]
async fn an_edited_migration_is_detected() {
    let fx = Fixture::new().await;
    sqlx_exec(&fx, "UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1").await;
    fx.store.close().await;
    let err = Store::open(&fx.paths()).await.expect_err("tampered");
    assert!(matches!(err, StoreError::MigrationChanged { version: 1, .. }), "{err:?}");
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_reported_not_replaced() {
    let dir = tempfile::tempdir().expect("dir");
    let paths = AtriumPaths::at(dir.path());
    let garbage = b"this is my thesis, not a database\n".repeat(200);
    std::fs::write(paths.database(), &garbage).expect("write");
    let err = Store::open(&paths).await.expect_err("not a database");
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains(&paths.database().display().to_string()), "names the file: {err}");
    assert_eq!(std::fs::read(paths.database()).expect("read"), garbage, "left exactly as it was");
}

async fn sqlx_exec(fx: &Fixture, sql: &str) {
    sqlx_exec_at(&fx.paths(), sql).await;
}

/// Writes through a raw connection, bypassing the store, to simulate other programs.
async fn sqlx_exec_at(paths: &AtriumPaths, sql: &str) {
    use sqlx::Connection;
    let url = format!("sqlite://{}", paths.database().display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("raw connect");
    sqlx::raw_sql(sql).execute(&mut conn).await.expect("raw exec");
    conn.close().await.expect("close");
}
