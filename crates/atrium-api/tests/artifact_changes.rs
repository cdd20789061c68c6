//! Artifact writes as a stream a front door follows (the gateway's subscriptions): a creation, an edit, a deletion
//! (announced though the window hears of it otherwise), a bulk import and a workspace's deletion, in order.

use atrium_api::{ArtifactNotice, ArtifactPatch, Atrium, AtriumPaths, NewArtifact, NewWorkspace};

#[tokio::test]
async fn every_kind_of_artifact_write_is_announced_to_followers() {
    let dir = tempfile::tempdir().expect("dir");
    let atrium = Atrium::open(AtriumPaths::at(dir.path())).await.expect("open");
    let ws = atrium.workspace_create(NewWorkspace { title: "W".into(), description: None }).await.expect("ws").id;
    let mut notices = atrium.artifact_changes();
    let new = |title: &str| NewArtifact {
        workspace_id: ws.clone(),
        title: title.into(),
        content_type: "text/plain".into(),
        content: Some("x".into()),
        ..NewArtifact::default()
    };
    let id = atrium.artifact_create(new("One")).await.expect("create").id;
    let patch = ArtifactPatch { content: Some("y".into()), ..ArtifactPatch::default() };
    atrium.artifact_update(id.clone(), patch).await.expect("update");
    atrium.artifact_delete(id.clone()).await.expect("delete");
    atrium.artifact_create_many(vec![new("Two"), new("Three")]).await.expect("many");
    atrium.workspace_delete(ws.clone()).await.expect("delete the workspace");

    let (workspace_id, artifact_id) = (ws.clone(), id.clone());
    let expected = [
        ArtifactNotice::Changed { workspace_id: ws.clone(), artifact_id: id.clone(), created: true },
        ArtifactNotice::Changed { workspace_id: ws.clone(), artifact_id: id.clone(), created: false },
        ArtifactNotice::Removed { workspace_id, artifact_id },
        ArtifactNotice::Many { workspace_id: ws.clone() },
        ArtifactNotice::Many { workspace_id: ws.clone() },
    ];
    for want in expected {
        assert_eq!(notices.try_recv().expect("a notice"), want);
    }
    assert!(notices.try_recv().is_err(), "nothing more");
}
