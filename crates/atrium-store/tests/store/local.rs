use serde_json::json;

use crate::common::Fixture;

#[tokio::test]
async fn secret_records_keep_ids_and_descriptions_and_survive_a_reopen() {
    let fx = Fixture::new().await;
    let first = fx.store.secret_record_upsert("github.token", Some("GitHub PAT")).await.expect("add");
    assert_eq!(first.description, "GitHub PAT");
    // Replacing the value without a new description keeps the old one and moves `updated_at` only.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let replaced = fx.store.secret_record_upsert("github.token", None).await.expect("replace");
    assert_eq!(replaced.description, "GitHub PAT");
    assert_eq!(replaced.created_at, first.created_at);
    assert!(replaced.updated_at > first.updated_at, "{} vs {}", replaced.updated_at, first.updated_at);
    fx.store.secret_record_upsert("a.first", Some("")).await.expect("add");
    fx.store.close().await;

    let store = atrium_store::Store::open(&fx.paths()).await.expect("reopen");
    let ids: Vec<String> = store.secret_records().await.expect("list").into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["a.first", "github.token"]);
    assert!(store.secret_record_delete("a.first").await.expect("delete"));
    assert!(!store.secret_record_delete("a.first").await.expect("delete again"));
    assert_eq!(store.secret_records().await.expect("list").len(), 1);
}

#[tokio::test]
async fn settings_round_trip_and_unset_keys_are_none() {
    let fx = Fixture::new().await;
    assert_eq!(fx.store.setting("stdio.allowed_commands").await.expect("read"), None);
    fx.store.set_setting("stdio.allowed_commands", &json!(["docker"])).await.expect("set");
    fx.store.set_setting("stdio.allowed_commands", &json!(["docker", "/opt/bin/srv"])).await.expect("replace");
    assert_eq!(
        fx.store.setting("stdio.allowed_commands").await.expect("read"),
        Some(json!(["docker", "/opt/bin/srv"]))
    );
}
