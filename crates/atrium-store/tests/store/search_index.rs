//! The full-text index in its own file, brought up to date off the write path: found at once by search, indexed
//! in the background without one, rebuilt when its file is lost or is ahead of the store's.

use std::time::{Duration, Instant};

use atrium_store::{SearchQuery, Store};

use crate::common::{Fixture, note};

fn query(text: &str) -> SearchQuery {
    SearchQuery { text: text.into(), ..Default::default() }
}

async fn titles(store: &Store, text: &str) -> Vec<String> {
    let mut titles: Vec<String> =
        store.search(&query(text)).await.expect("search").into_iter().map(|h| h.title).collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn writes_are_indexed_in_the_background_without_a_search() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    fx.store.create_artifact(note(&ws, "Background", "quietly indexed")).await.expect("create");
    // A generous deadline: this checks that a pass runs on its own, not how fast (that is the benchmark's).
    let deadline = Instant::now() + Duration::from_secs(20);
    while fx.store.index_backlog().await.expect("backlog") > 0 {
        assert!(Instant::now() < deadline, "nothing indexed the queued artifact");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(titles(&fx.store, "quietly").await, ["Background"]);
}

#[tokio::test]
async fn a_lost_index_file_is_rebuilt_from_the_store() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    fx.store.create_artifact(note(&ws, "Kept", "lighthouse keeper")).await.expect("a");
    let gone = fx.store.create_artifact(note(&ws, "Gone", "lighthouse ruins")).await.expect("b");
    fx.store.delete_artifact(&gone.id).await.expect("delete");
    let index = fx.store.search_index_path();
    fx.store.close().await;
    std::fs::remove_file(&index).expect("remove the index file");

    let store = Store::open(&fx.paths()).await.expect("reopen");
    assert_eq!(titles(&store, "lighthouse").await, ["Kept"]);
    // Not an index that a rebuild left with a hole: later writes are found beside the rebuilt ones.
    store.create_artifact(note(&ws, "Later", "lighthouse lamp")).await.expect("c");
    assert_eq!(titles(&store, "lighthouse").await, ["Kept", "Later"]);
}

#[tokio::test]
async fn an_index_ahead_of_its_store_is_rebuilt_and_finds_no_lost_artifact() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Notes").await;
    fx.store.create_artifact(note(&ws, "Before", "harbour before the copy")).await.expect("a");
    fx.store.close().await;
    // The store as a backup holds it (whole: what the WAL holds too); the index file stays where it is.
    let db = fx.paths().database();
    let backup = fx.dir.path().join("backup.db");
    {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.expect("connect");
        sqlx::query("VACUUM INTO ?").bind(backup.display().to_string()).execute(&mut conn).await.expect("backup");
        conn.close().await.expect("close");
    }

    let store = Store::open(&fx.paths()).await.expect("reopen");
    store.create_artifact(note(&ws, "After", "harbour after the copy")).await.expect("b");
    assert_eq!(titles(&store, "harbour").await, ["After", "Before"]);
    store.close().await;
    // The store goes back to the backup (as after restoring it): the index has seen a write the store lost.
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    std::fs::copy(&backup, &db).expect("restore");

    let store = Store::open(&fx.paths()).await.expect("reopen after restore");
    assert_eq!(titles(&store, "harbour").await, ["Before"], "no hit for an artifact the store does not hold");
    store.create_artifact(note(&ws, "Again", "harbour again")).await.expect("c");
    assert_eq!(titles(&store, "harbour").await, ["Again", "Before"]);
    // "Again" may reuse the lost artifact's row number: the words of "After" must not lead to it.
    assert!(titles(&store, "after").await.is_empty(), "no stale entry of a lost artifact");
}

#[tokio::test]
async fn a_search_sees_what_another_store_on_the_file_committed() {
    let fx = Fixture::new().await;
    let ws = fx.workspace("Shared").await;
    // A second store on the same file, as the CLI beside the app: its own connections, its own index connection.
    let other = Store::open(&fx.paths()).await.expect("second store");
    for i in 0..30 {
        other.create_artifact(note(&ws, &format!("From the other {i}"), "written elsewhere")).await.expect("write");
        let found = fx.store.search(&query(&format!("other {i}"))).await.expect("search");
        assert!(found.iter().any(|h| h.title == format!("From the other {i}")), "write {i} is found at once");
    }
    // And both ways, with the indexes of both stores working on one file.
    fx.store.create_artifact(note(&ws, "From the first", "written here")).await.expect("write");
    assert_eq!(titles(&other, "written here").await, ["From the first"]);
    assert_eq!(other.search(&query("elsewhere")).await.expect("search").len(), 30);
    other.close().await;
    assert_eq!(fx.store.integrity_check().await.expect("check"), "ok");
}
