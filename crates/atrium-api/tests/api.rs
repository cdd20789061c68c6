//! The API edge: errors become one `ApiError` with stable codes and structured details.

use atrium_api::{
    ApiError, ArtifactDraft, ArtifactPatch, Atrium, AtriumPaths, ErrorCode, ErrorDetails, NewArtifact, NewWorkspace,
    StartupStatus,
};

async fn open() -> (tempfile::TempDir, Atrium) {
    let dir = tempfile::tempdir().expect("dir");
    let atrium = Atrium::open(AtriumPaths::at(dir.path())).await.expect("open");
    (dir, atrium)
}

#[tokio::test]
async fn refusals_carry_a_code_and_the_fields_to_fix() {
    let (_dir, atrium) = open().await;
    let ws = atrium.workspace_create(NewWorkspace { title: "W".into(), description: None }).await.expect("ws");
    let err = atrium
        .artifact_create(NewArtifact {
            workspace_id: ws.id,
            title: "".into(),
            content_type: "application/json".into(),
            content: Some("{".into()),
            ..Default::default()
        })
        .await
        .expect_err("invalid");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let Some(ErrorDetails::Fields { problems }) = &err.details else { panic!("no field details: {err:?}") };
    assert_eq!(problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(), ["title", "content"]);

    let json = serde_json::to_value(&err).expect("json");
    assert_eq!(json["code"], "invalid_input");
    assert_eq!(json["details"]["kind"], "fields");
    assert_eq!(json["details"]["problems"][0]["field"], "title");
}

#[tokio::test]
async fn a_workspace_description_is_set_and_a_bad_one_names_its_field() {
    let (_dir, atrium) = open().await;
    let ws = atrium.workspace_create(NewWorkspace { title: "W".into(), description: None }).await.expect("ws");
    let described = atrium.workspace_describe(ws.id.clone(), " What we cook ".into()).await.expect("describe");
    assert_eq!(described.description, "What we cook");
    assert_eq!(atrium.workspace_list().await.expect("list")[0].description, "What we cook");

    let err = atrium.workspace_describe(ws.id.clone(), "a\u{0}b".into()).await.expect_err("control character");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let Some(ErrorDetails::Fields { problems }) = &err.details else { panic!("no field details: {err:?}") };
    assert_eq!(problems[0].field, "description");
    let missing = atrium.workspace_describe("0190f1f2-0000-7000-8000-000000000000".into(), "x".into()).await;
    assert_eq!(missing.expect_err("missing").code, ErrorCode::NotFound);
}

#[tokio::test]
async fn conflicts_and_missing_records_have_their_own_codes() {
    let (_dir, atrium) = open().await;
    let ws = atrium.workspace_create(NewWorkspace { title: "W".into(), description: None }).await.expect("ws");
    let a = atrium
        .artifact_create(NewArtifact {
            workspace_id: ws.id,
            title: "T".into(),
            content_type: "text/plain".into(),
            ..Default::default()
        })
        .await
        .expect("create");
    let stale = || ArtifactPatch {
        expected_version: Some(1),
        content: Some(format!("{:?}", std::time::Instant::now())),
        ..Default::default()
    };
    atrium.artifact_update(a.id.clone(), stale()).await.expect("first");
    let err = atrium.artifact_update(a.id.clone(), stale()).await.expect_err("stale");
    assert_eq!(err.code, ErrorCode::VersionConflict);
    assert_eq!(err.details, Some(ErrorDetails::VersionConflict { expected: 1, actual: 2 }));

    let missing = atrium.artifact_get("0190f1f2-0000-7000-8000-000000000000".into()).await.expect_err("missing");
    assert_eq!(missing.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn drafts_are_validated_by_the_store_rules() {
    let (_dir, atrium) = open().await;
    let draft =
        |ct: &str, content: &str| ArtifactDraft { title: "T".into(), content_type: ct.into(), content: content.into() };
    assert!(atrium.artifact_validate(draft("application/json", "{\"a\": 1}")).await.expect("ok").is_empty());
    let problems = atrium.artifact_validate(draft("application/json", "{\"a\": }")).await.expect("ok");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("line 1, column"), "{}", problems[0].message);
}

#[tokio::test]
async fn an_unopenable_store_becomes_a_failed_startup_status() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("atrium.db"), b"not a database at all, no, no".repeat(100)).expect("write");
    let (atrium, status) = atrium_api::start(AtriumPaths::at(dir.path()), Default::default()).await;
    assert!(atrium.is_none());
    let StartupStatus::Failed { error, data_dir } = status else { panic!("expected failure") };
    assert_eq!(error.code, ErrorCode::DatabaseUnavailable);
    assert!(matches!(error.details, Some(ErrorDetails::Path { ref path }) if path.ends_with("atrium.db")));
    assert_eq!(data_dir, dir.path().display().to_string());
    let _: &ApiError = &error;
}

#[tokio::test]
async fn built_in_content_types_know_which_are_json() {
    let (_dir, atrium) = open().await;
    let types = atrium.content_types().await.expect("types");
    let json: Vec<&str> = types.iter().filter(|t| t.json).map(|t| t.mime.as_str()).collect();
    assert!(json.contains(&"application/json") && json.contains(&"application/vnd.agience.mcp-server+json"));
    assert!(!json.contains(&"text/markdown"));
}
