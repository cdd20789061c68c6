//! Applying platform versions a chunk at a time: what each one-by-one apply would have done, in order.

use atrium_store::{ApplyReport, ArtifactListQuery, ArtifactState, RemoteVersion, SearchQuery};
use serde_json::json;

use crate::common::Fixture;

fn version(root: &str, modified: &str, title: &str) -> RemoteVersion {
    RemoteVersion {
        root_id: root.into(),
        remote_id: format!("{root}-{modified}"),
        modified_time: modified.into(),
        local_hint: None,
        title: title.into(),
        content_type: "text/markdown".into(),
        context: json!({"kept": true}),
        content: format!("the body of {title}"),
        state: ArtifactState::Draft,
        created_by: "platform".into(),
        created_time: "2026-01-01T00:00:00Z".into(),
        modified_by: "platform".into(),
        raw: json!({"id": root}),
    }
}

#[tokio::test]
async fn a_chunk_inserts_updates_and_meets_the_same_root_twice_in_order() {
    let f = Fixture::new().await;
    let ws = f.workspace("Linked").await;
    let first: Vec<RemoteVersion> =
        (0..250).map(|i| version(&format!("root-{i}"), "2026-01-01T00:00:01Z", &format!("Note {i}"))).collect();
    let report = f.store.apply_remote(&ws.id, &first).await.expect("first pull");
    assert_eq!(report, ApplyReport { inserted: 250, ..Default::default() });

    // Unchanged, edited there, new, and a new root listed twice (the later version wins), in one chunk.
    let mut second = vec![
        version("root-0", "2026-01-01T00:00:01Z", "Note 0"),
        version("root-1", "2026-01-02T00:00:00Z", "Note 1, edited there"),
        version("root-new", "2026-01-02T00:00:00Z", "Twice, first"),
    ];
    second.extend((250..400).map(|i| version(&format!("root-{i}"), "2026-01-01T00:00:01Z", &format!("Note {i}"))));
    second.push(version("root-new", "2026-01-03T00:00:00Z", "Twice, second"));
    let report = f.store.apply_remote(&ws.id, &second).await.expect("second pull");
    assert_eq!(report, ApplyReport { inserted: 151, updated: 2, unchanged: 1, ..Default::default() });

    let query = ArtifactListQuery { workspace_id: ws.id.clone(), limit: Some(1000), ..Default::default() };
    let page = f.store.list_page(&query).await.expect("list");
    assert_eq!(page.total, 401, "each root once");
    let titles: Vec<&str> = page.rows.iter().map(|a| a.title.as_str()).collect();
    assert!(titles.contains(&"Twice, second") && !titles.contains(&"Twice, first"));
    assert!(titles.contains(&"Note 1, edited there") && titles.contains(&"Note 399"));

    // Inserted a hundred to a statement, each still searchable.
    let hits = f
        .store
        .search(&SearchQuery { text: "Note 399".into(), workspace_id: Some(ws.id.clone()), limit: None })
        .await
        .expect("search");
    assert!(hits.iter().any(|h| h.title == "Note 399"), "{hits:?}");
}
