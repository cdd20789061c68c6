use atrium_store::{ArtifactPatch, SearchQuery, TextSpan};

use crate::common::{Fixture, note};

fn query(text: &str) -> SearchQuery {
    SearchQuery { text: text.into(), ..Default::default() }
}

fn hit_words(spans: &[TextSpan]) -> Vec<String> {
    spans.iter().filter(|s| s.hit).map(|s| s.text.to_lowercase()).collect()
}

#[tokio::test]
async fn finds_titles_and_content_across_workspaces_with_highlights() {
    let fx = Fixture::new().await;
    let home = fx.workspace("Home").await;
    let work = fx.workspace("Work").await;
    fx.store
        .create_artifact(note(&home, "Sourdough starter", "Feed the starter with rye flour daily."))
        .await
        .expect("a");
    fx.store.create_artifact(note(&work, "Quarterly plan", "Ship the sourdough-themed demo.")).await.expect("b");
    fx.store.create_artifact(note(&work, "Unrelated", "Nothing to see.")).await.expect("c");

    let hits = fx.store.search(&query("sourdough")).await.expect("search");
    assert_eq!(hits.len(), 2);
    let titles: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
    assert!(titles.contains(&"Sourdough starter") && titles.contains(&"Quarterly plan"), "{titles:?}");
    let starter = hits.iter().find(|h| h.title == "Sourdough starter").expect("starter");
    assert_eq!(starter.workspace_title, "Home");
    assert_eq!(hit_words(&starter.title_spans), ["sourdough"]);
    let plan = hits.iter().find(|h| h.title == "Quarterly plan").expect("plan");
    assert_eq!(hit_words(&plan.snippet_spans), ["sourdough"]);

    let only_work =
        fx.store.search(&SearchQuery { workspace_id: Some(work.id.clone()), ..query("sourdough") }).await.expect("s");
    assert_eq!(only_work.len(), 1);
    assert_eq!(fx.store.search(&query("rye flo")).await.expect("prefix").len(), 1, "last word matches as a prefix");
    assert!(fx.store.search(&query("sourdough nothing")).await.expect("and").is_empty(), "all words are required");
}

#[tokio::test]
async fn the_index_follows_edits_and_deletes() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    let a = fx.store.create_artifact(note(&ws, "Draft", "alpha")).await.expect("create");
    fx.store
        .update_artifact(&a.id, ArtifactPatch { content: Some("omega".into()), ..Default::default() })
        .await
        .expect("edit");
    assert!(fx.store.search(&query("alpha")).await.expect("s").is_empty());
    assert_eq!(fx.store.search(&query("omega")).await.expect("s").len(), 1);
    fx.store.restore_revision(&a.id, 1).await.expect("restore");
    assert_eq!(fx.store.search(&query("alpha")).await.expect("s").len(), 1);
    fx.store.delete_artifact(&a.id).await.expect("delete");
    assert!(fx.store.search(&query("alpha")).await.expect("s").is_empty());
}

#[tokio::test]
async fn query_syntax_in_user_text_is_plain_text() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    fx.store.create_artifact(note(&ws, "Operators", "cats OR dogs NEAR(birds) \"quoted\" col:umn")).await.expect("a");
    for text in ["\"", "OR", "NEAR(", "col:umn", "*", "-", "AND NOT", "\"quoted"] {
        let result = fx.store.search(&query(text)).await;
        assert!(result.is_ok(), "{text:?} must not be a query error: {result:?}");
    }
    assert_eq!(fx.store.search(&query("OR dogs")).await.expect("s").len(), 1);
}
