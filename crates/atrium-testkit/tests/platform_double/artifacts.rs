//! Mantle artifacts: the sync flow, access control, large content, validation and bulk seeding.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_flow_login_list_create_patch_commit_delete() {
    let double = PlatformDouble::start().await.expect("start");
    let api = ada(&double).await;

    let workspaces = "/artifacts/visible?content_type=application%2Fvnd.agience.workspace%2Bjson";
    let (status, list) = api.get("/artifacts/visible", workspaces).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([]), "a new user starts with no workspaces");

    let ws = api.create_workspace("Notes").await;
    assert_eq!(ws["collection_id"], "");
    assert_eq!(ws["id"], ws["root_id"]);
    assert_eq!(ws["name"], "Notes");
    let ws_id = id(&ws);
    let (_, list) = api.get("/artifacts/visible", workspaces).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    // An unencoded `+` reads as a space, as on the platform: the filter then matches nothing.
    let (_, list) = api.get("/artifacts/visible", &format!("/artifacts/visible?content_type={WORKSPACE_CT}")).await;
    assert_eq!(list, json!([]));

    let child = api.create_child(&ws_id, "First", "hello").await;
    let context: Value =
        serde_json::from_str(child["context"].as_str().expect("context is a JSON string")).expect("ctx");
    assert_eq!(context["title"], "First");
    assert_eq!(context["content_type"], "text/markdown", "content_type is merged into the context");
    assert!(context["content_key"].is_string());
    assert_eq!(child["collection_id"], ws_id.as_str());
    assert_eq!(child["state"], "draft");
    assert_eq!(child["id"], child["root_id"]);
    assert!(child["created_time"].as_str().expect("time").ends_with("+00:00"));
    let child_id = id(&child);

    let (status, children) =
        api.get("/artifacts/{artifact_id}/children", &format!("/artifacts/{ws_id}/children")).await;
    assert_eq!(status, StatusCode::OK);
    let entry = &children[0];
    assert!(entry["context"].is_string());
    assert!(entry["order_key"].is_string());
    assert_eq!(entry["has_committed_version"], false);
    assert_eq!(entry["relationship"], Value::Null);
    assert_eq!(entry["content"], "hello");

    let (status, read) = api.get("/artifacts/{artifact_id}", &format!("/artifacts/{ws_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((read["has_children"].clone(), read["child_count"].clone()), (json!(true), json!(1)));

    // Last write wins, and every write moves modified_time forward.
    let before = child["modified_time"].as_str().expect("mtime").to_owned();
    let (status, first) = api.patch(&child_id, json!({ "content": "from REST" })).await;
    assert_eq!(status, StatusCode::OK);
    let after = first["modified_time"].as_str().expect("mtime").to_owned();
    assert!(after > before, "{after} should be after {before}");
    double.remote().update(&child_id, None, Some("from the other client")).expect("remote edit");
    let (_, second) = api.patch(&child_id, json!({ "content": "REST again" })).await;
    assert!(second["modified_time"].as_str() > Some(after.as_str()));
    let (_, read) = api.get("/artifacts/{artifact_id}", &format!("/artifacts/{child_id}")).await;
    assert_eq!(read["content"], "REST again");

    // Committing flips in place; editing a committed version makes a new draft row with the same root.
    let (_, committed) = api.patch(&child_id, json!({ "state": "committed" })).await;
    assert_eq!((committed["state"].clone(), committed["id"].clone()), (json!("committed"), json!(child_id)));
    let (_, draft) = api.patch(&child_id, json!({ "content": "after commit" })).await;
    assert_ne!(draft["id"], json!(child_id));
    assert_eq!(draft["root_id"], json!(child_id));
    assert_eq!(draft["state"], "draft");
    // The first version's id is the root id, and Mantle looks the exact key up first: reading by root
    // still returns the committed version while it exists; the draft is read by its own id.
    let (_, by_root) = api.get("/artifacts/{artifact_id}", &format!("/artifacts/{child_id}")).await;
    assert_eq!((by_root["state"].clone(), by_root["content"].clone()), (json!("committed"), json!("REST again")));
    let (_, by_id) = api.get("/artifacts/{artifact_id}", &format!("/artifacts/{}", id(&draft))).await;
    assert_eq!(by_id["content"], "after commit");
    let (_, children) = api.get("/artifacts/{artifact_id}/children", &format!("/artifacts/{ws_id}/children")).await;
    assert_eq!(children[0]["id"], draft["id"]);
    assert_eq!(children[0]["has_committed_version"], true);

    let (_, batch) = api
        .send(
            Method::POST,
            "/artifacts/batch",
            "/artifacts/batch",
            Some(json!({ "artifact_ids": [child_id, "nope", id(&draft)] })),
        )
        .await;
    assert_eq!(batch["artifacts"].as_array().map(Vec::len), Some(2));

    // Deleting the draft leaves the committed version; deleting that removes the artifact.
    let draft_id = id(&draft);
    let (status, deleted) =
        api.send(Method::DELETE, "/artifacts/{artifact_id}", &format!("/artifacts/{draft_id}"), None).await;
    assert_eq!((status, deleted), (StatusCode::OK, json!({ "id": draft_id, "deleted": true })));
    let (_, children) = api.get("/artifacts/{artifact_id}/children", &format!("/artifacts/{ws_id}/children")).await;
    assert_eq!(children[0]["id"], json!(child_id));
    api.send(Method::DELETE, "/artifacts/{artifact_id}", &format!("/artifacts/{child_id}"), None).await;
    let (status, _) = api.get("/artifacts/{artifact_id}", &format!("/artifacts/{child_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, children) = api.get("/artifacts/{artifact_id}/children", &format!("/artifacts/{ws_id}/children")).await;
    assert_eq!(children, json!([]));

    let (status, body) =
        api.send(Method::DELETE, "/artifacts/{artifact_id}", &format!("/artifacts/{ws_id}"), None).await;
    assert_eq!(
        (status, body),
        (StatusCode::INTERNAL_SERVER_ERROR, json!({ "detail": "Artifact missing collection_id" }))
    );
    let stats = double.stats();
    assert_eq!((stats.creates, stats.deletes, stats.token_grants), (2, 2, 1));
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_users_artifacts_are_404() {
    let double = PlatformDouble::start().await.expect("start");
    let api = ada(&double).await;
    let ws = id(&api.create_workspace("Private").await);
    let child = id(&api.create_child(&ws, "Secret", "s").await);
    let bob_user = double.add_user("bob", "bob-password-123");
    let bob = Client::with_token(&double, &double.access_token(&bob_user));
    for path in [format!("/artifacts/{ws}"), format!("/artifacts/{child}"), format!("/artifacts/{ws}/children")] {
        let (status, _) = bob.raw(Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, _) = bob.patch(&child, json!({ "content": "mine now" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, batch) =
        bob.send(Method::POST, "/artifacts/batch", "/artifacts/batch", Some(json!({ "artifact_ids": [child] }))).await;
    assert_eq!(batch, json!({ "artifacts": [] }));
    let (_, visible) = bob.get("/artifacts/visible", "/artifacts/visible").await;
    assert_eq!(visible, json!([]));
    // An API key acts as its owner.
    let keyed = Client::with_token(&double, &double.api_key(&double.user()));
    let (status, _) = keyed.get("/artifacts/{artifact_id}", &format!("/artifacts/{child}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = Client::new(&double).raw(Method::GET, "/artifacts/visible", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_content_is_cleared_inline_and_its_content_url_works_once() {
    let double = PlatformDouble::start().await.expect("start");
    let api = ada(&double).await;
    let ws = id(&api.create_workspace("Big").await);
    let big = "b".repeat(INLINE_LIMIT + 1);
    let exact = "e".repeat(INLINE_LIMIT);
    let big_child = api.create_child(&ws, "Big", &big).await;
    assert_eq!(big_child["content"], "", "over 128 KB is cleared inline");
    let exact_child = api.create_child(&ws, "Exact", &exact).await;
    assert_eq!(exact_child["content"].as_str().map(str::len), Some(INLINE_LIMIT), "128 KB stays inline");
    let (_, children) = api.get("/artifacts/{artifact_id}/children", &format!("/artifacts/{ws}/children")).await;
    assert_eq!(children[0]["content"], "");

    let big_id = id(&big_child);
    let (status, link) =
        api.get("/artifacts/{artifact_id}/content-url", &format!("/artifacts/{big_id}/content-url")).await;
    assert_eq!(status, StatusCode::OK);
    let url = link["url"].as_str().expect("url").to_owned();
    let plain = reqwest::Client::new();
    let first = plain.get(&url).send().await.expect("fetch");
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.text().await.expect("text"), big);
    let again = plain.get(&url).send().await.expect("refetch");
    assert_eq!(again.status(), StatusCode::FORBIDDEN, "a content link is single use");
    assert_eq!(double.stats().content_url_fetches, 1);
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_bodies_are_422_like_fastapi() {
    let double = PlatformDouble::start().await.expect("start");
    let api = ada(&double).await;
    let ws = id(&api.create_workspace("V").await);
    let child = id(&api.create_child(&ws, "C", "c").await);
    let (status, body) =
        api.raw(Method::PATCH, &format!("/artifacts/{child}"), Some(r#"{"context": 42}"#.into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["detail"][0]["loc"], json!(["body", "context"]));
    assert_eq!(body["detail"][0]["type"], "string_type");
    let (status, _) = api.raw(Method::PATCH, &format!("/artifacts/{child}"), Some("{not json".into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_context = json!({ "container_id": ws, "context": "[1, 2]" }).to_string();
    assert_eq!(api.raw(Method::POST, "/artifacts", Some(bad_context)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = api.raw(Method::POST, "/artifacts/batch", Some("{}".into())).await;
    assert_eq!((status, body["detail"][0]["type"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("missing")));
    let (status, _) =
        Client::new(&double).raw(Method::POST, "/auth/password/login", Some(r#"{"identifier":"ada"}"#.into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_thousand_seeded_are_listed_in_order() {
    // How fast the double seeds is the sync benchmark's concern, not a test's.
    let double = PlatformDouble::start().await.expect("start");
    let remote = double.remote();
    let ws = id(&remote.create_workspace("Bench"));
    remote.seed(&ws, 50_000, 200);
    let api = ada(&double).await;
    let (status, children) = api.get("/artifacts/{artifact_id}/children", &format!("/artifacts/{ws}/children")).await;
    assert_eq!(status, StatusCode::OK);
    let children = children.as_array().expect("array");
    assert_eq!(children.len(), 50_000);
    let keys: Vec<&str> = children.iter().filter_map(|c| c["order_key"].as_str()).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted by order_key");
    assert_eq!(children[49_999]["content"].as_str().map(str::len), Some(200));
    double.shutdown().await;
}
