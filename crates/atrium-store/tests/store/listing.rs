//! Paged listings: the order and filters apply to the whole workspace, pages are slices of one listing at any
//! offset, and a listing with deleted artifacts is replaced by a fresh one.

use atrium_store::{ArtifactListQuery, ArtifactPatch, ArtifactSort, StoreError, Workspace};

use crate::common::{Fixture, note};

fn query(ws: &Workspace) -> ArtifactListQuery {
    ArtifactListQuery { workspace_id: ws.id.clone(), ..Default::default() }
}

fn titles(page: &atrium_store::ArtifactPage) -> Vec<&str> {
    page.rows.iter().map(|r| r.title.as_str()).collect()
}

#[tokio::test]
async fn pages_cover_the_whole_workspace_in_order_at_any_offset() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Big").await;
    let news = (0..250).map(|i| note(&ws, &format!("Note {i:03}"), "body")).collect();
    fx.store.create_artifacts(news).await.expect("bulk");

    let first =
        fx.store.list_page(&ArtifactListQuery { sort: ArtifactSort::Title, limit: Some(100), ..query(&ws) }).await;
    let first = first.expect("first page");
    assert_eq!((first.total, first.offset, first.rows.len()), (250, 0, 100));
    assert_eq!(first.rows[0].title, "Note 000");
    assert_eq!(first.types.as_ref().map(|t| t[0].count), Some(250), "a new listing carries the type counts");

    let last = fx
        .store
        .list_page(&ArtifactListQuery {
            sort: ArtifactSort::Title,
            listing: Some(first.listing.clone()),
            offset: Some(200),
            limit: Some(100),
            ..query(&ws)
        })
        .await
        .expect("last page");
    assert_eq!(last.listing, first.listing, "the same listing serves later pages");
    assert!(last.types.is_none());
    assert_eq!((last.offset, last.rows.len()), (200, 50));
    assert_eq!(last.rows.last().map(|r| r.title.as_str()), Some("Note 249"));
    assert_eq!(last.rows[0].size_bytes, 4, "sizes come from the stored column");

    let around = fx
        .store
        .list_page(&ArtifactListQuery {
            sort: ArtifactSort::Title,
            around: Some(last.rows[10].id.clone()),
            limit: Some(100),
            ..query(&ws)
        })
        .await
        .expect("around");
    assert_eq!((around.position, around.offset), (Some(210), 200), "the page holding an artifact, and where it is");
}

#[tokio::test]
async fn sorting_and_filtering_fold_case_and_accents_over_the_whole_workspace() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Mixed").await;
    let other = fx.workspace("Other").await;
    let json =
        |title: &str| atrium_store::NewArtifact { content_type: "application/json".into(), ..note(&ws, title, "{}") };
    fx.store.create_artifact(note(&ws, "Café menu", "")).await.expect("a");
    fx.store.create_artifact(note(&ws, "banana bread", "")).await.expect("b");
    fx.store.create_artifact(json("Apple data")).await.expect("c");
    fx.store.create_artifact(note(&other, "Cafe elsewhere", "")).await.expect("d");

    let by_title = fx.store.list_page(&ArtifactListQuery { sort: ArtifactSort::Title, ..query(&ws) }).await.expect("t");
    assert_eq!(titles(&by_title), ["Apple data", "banana bread", "Café menu"], "case ignored");
    let by_type = fx.store.list_page(&ArtifactListQuery { sort: ArtifactSort::Type, ..query(&ws) }).await.expect("y");
    assert_eq!(titles(&by_type), ["Apple data", "banana bread", "Café menu"]);
    let counts: Vec<(String, u32)> =
        by_type.types.expect("types").into_iter().map(|t| (t.content_type, t.count)).collect();
    assert_eq!(counts, [("application/json".to_owned(), 1), ("text/markdown".to_owned(), 2)]);

    let cafe = fx.store.list_page(&ArtifactListQuery { filter: Some("CAFE".into()), ..query(&ws) }).await.expect("f");
    assert_eq!(titles(&cafe), ["Café menu"], "accents and case folded; other workspaces left out");
    let words =
        fx.store.list_page(&ArtifactListQuery { filter: Some("bread ban".into()), ..query(&ws) }).await.expect("w");
    assert_eq!(titles(&words), ["banana bread"], "every word, anywhere in the title");
    let typed = fx
        .store
        .list_page(&ArtifactListQuery {
            content_type: Some("text/markdown".into()),
            sort: ArtifactSort::Title,
            ..query(&ws)
        })
        .await
        .expect("typed");
    assert_eq!(titles(&typed), ["banana bread", "Café menu"]);

    // Most recently modified first: an edit moves an artifact to the top.
    let apple = by_title.rows[0].id.clone();
    fx.store
        .update_artifact(&apple, ArtifactPatch { content: Some("[1]".into()), ..Default::default() })
        .await
        .expect("edit");
    let recent = fx.store.list_page(&query(&ws)).await.expect("recent");
    assert_eq!(recent.rows[0].id, apple);
    // A renamed title sorts under its new name.
    fx.store
        .update_artifact(&apple, ArtifactPatch { title: Some("Zucchini".into()), ..Default::default() })
        .await
        .expect("rename");
    let renamed = fx.store.list_page(&ArtifactListQuery { sort: ArtifactSort::Title, ..query(&ws) }).await.expect("r");
    assert_eq!(titles(&renamed), ["banana bread", "Café menu", "Zucchini"]);
}

#[tokio::test]
async fn a_listing_with_deleted_artifacts_is_replaced_and_unknown_workspaces_are_refused() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Shrinking").await;
    let news = (0..5).map(|i| note(&ws, &format!("n{i}"), "")).collect();
    fx.store.create_artifacts(news).await.expect("bulk");
    let page = fx.store.list_page(&query(&ws)).await.expect("page");
    fx.store.delete_artifact(&page.rows[0].id).await.expect("delete");

    let again = fx.store.list_page(&ArtifactListQuery { listing: Some(page.listing.clone()), ..query(&ws) }).await;
    let again = again.expect("again");
    assert_ne!(again.listing, page.listing, "a fresh listing");
    assert_eq!((again.total, again.rows.len()), (4, 4));
    assert!(again.types.is_some());

    let missing = ArtifactListQuery { workspace_id: uuid_like(), ..Default::default() };
    assert!(matches!(fx.store.list_page(&missing).await, Err(StoreError::NotFound { .. })));
}

fn uuid_like() -> String {
    "00000000-0000-7000-8000-000000000000".into()
}

#[tokio::test]
async fn titles_written_before_schema_7_are_folded_when_the_store_opens() {
    use sqlx::Connection;
    let fx = Fixture::new().await;
    let ws = fx.workspace("Old").await;
    fx.store.create_artifact(note(&ws, "Ébauche", "")).await.expect("a");
    fx.store.create_artifact(note(&ws, "draft", "")).await.expect("b");
    fx.store.close().await;
    // As the migration leaves rows written before it: no folded title yet.
    let url = format!("sqlite://{}", fx.paths().database().display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("connect");
    sqlx::query("UPDATE artifacts SET title_key = NULL").execute(&mut conn).await.expect("unfold");
    conn.close().await.expect("close");

    let store = atrium_store::Store::open(&fx.paths()).await.expect("reopen");
    let page = store.list_page(&ArtifactListQuery { sort: ArtifactSort::Title, ..query(&ws) }).await.expect("page");
    assert_eq!(titles(&page), ["draft", "Ébauche"], "É sorts as e");
    let found = store.list_page(&ArtifactListQuery { filter: Some("ebau".into()), ..query(&ws) }).await.expect("f");
    assert_eq!(titles(&found), ["Ébauche"]);
}
