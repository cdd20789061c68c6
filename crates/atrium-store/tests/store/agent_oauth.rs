use atrium_store::{NewAgentRecord, NewOAuthToken, OAuthClientRecord, OAuthTokenKind};

use crate::common::Fixture;

fn token(hash: &str, kind: OAuthTokenKind, expires: &str) -> NewOAuthToken {
    NewOAuthToken { token_hash: hash.into(), kind, expires_time: expires.into() }
}

#[tokio::test]
async fn an_oauth_agents_tokens_rotate_once_and_go_with_rotation_and_removal() {
    let fx = Fixture::new().await;
    let client = OAuthClientRecord {
        client_id: "c1".into(),
        client_name: "Cursor".into(),
        redirect_uris: r#"["http://127.0.0.1:5000/cb"]"#.into(),
        metadata: r#"{"client_name":"Cursor","x-extra":1}"#.into(),
        created_time: "2026-01-01T00:00:00.000Z".into(),
    };
    fx.store.oauth_client_insert(&client).await.expect("client");
    assert_eq!(fx.store.oauth_client_get("c1").await.expect("get"), Some(client.clone()));
    let agent = fx
        .store
        .agent_insert(&NewAgentRecord {
            id: "a1".into(),
            name: "Cursor".into(),
            token_hash: "x".into(),
            workspaces: vec![],
            scopes: vec!["read".into()],
            servers: vec![],
            oauth_client_id: Some("c1".into()),
        })
        .await
        .expect("agent");
    assert_eq!(agent.oauth_client_id.as_deref(), Some("c1"));
    assert_eq!(fx.store.agent_of_client("c1").await.expect("of client").map(|a| a.id), Some("a1".to_owned()));
    assert_eq!(fx.store.agent_of_client("c2").await.expect("of client"), None);
    let later = "2999-01-01T00:00:00.000Z";
    let past = "2000-01-01T00:00:00.000Z";
    let pair = [token("acc1", OAuthTokenKind::Access, later), token("ref1", OAuthTokenKind::Refresh, later)];
    assert!(fx.store.oauth_tokens_issue("a1", None, &pair).await.expect("issue"));
    fx.store.oauth_tokens_issue("a1", None, &[token("old", OAuthTokenKind::Access, past)]).await.expect("expired");
    let access = fx.store.oauth_tokens_of("a1", OAuthTokenKind::Access).await.expect("of");
    assert_eq!(
        access.iter().map(|t| t.token_hash.as_str()).collect::<Vec<_>>(),
        ["acc1"],
        "the expired one is not offered"
    );

    // A refresh token is exchanged once: the second exchange stores nothing.
    let next = [token("acc2", OAuthTokenKind::Access, later), token("ref2", OAuthTokenKind::Refresh, later)];
    assert!(fx.store.oauth_tokens_issue("a1", Some("ref1"), &next).await.expect("exchange"));
    let again = [token("acc3", OAuthTokenKind::Access, later)];
    assert!(!fx.store.oauth_tokens_issue("a1", Some("ref1"), &again).await.expect("exchange again"));
    let access = fx.store.oauth_tokens_of("a1", OAuthTokenKind::Access).await.expect("of");
    assert_eq!(access.len(), 2, "acc1 and acc2, not acc3");

    assert!(fx.store.oauth_token_delete("a1", "acc1").await.expect("revoke"));
    assert!(!fx.store.oauth_token_delete("a1", "acc1").await.expect("revoke again"));
    fx.store.agent_set_token_hash("a1", "y").await.expect("rotate");
    assert!(fx.store.oauth_tokens_of("a1", OAuthTokenKind::Refresh).await.expect("of").is_empty(), "rotation empties");

    fx.store.oauth_tokens_issue("a1", None, &pair).await.expect("issue");
    // Approved again: new grants, the same agent and its tokens.
    let regrant = NewAgentRecord {
        id: "a1".into(),
        name: "Cursor (work)".into(),
        token_hash: String::new(),
        workspaces: vec!["w".into()],
        scopes: vec!["read".into(), "write".into()],
        servers: vec![],
        oauth_client_id: None,
    };
    let updated = fx.store.agent_update_grants("a1", &regrant).await.expect("regrant");
    assert_eq!((updated.name.as_str(), updated.scopes.len()), ("Cursor (work)", 2));
    assert_eq!(updated.oauth_client_id.as_deref(), Some("c1"), "still the client's");
    assert_eq!(fx.store.oauth_tokens_of("a1", OAuthTokenKind::Access).await.expect("of").len(), 1);
    assert!(fx.store.agent_delete("a1").await.expect("remove"));
    assert!(fx.store.oauth_tokens_of("a1", OAuthTokenKind::Access).await.expect("of").is_empty(), "removal cascades");
    // The client stays while it is young; pruning forgets a client no agent was made for.
    assert_eq!(fx.store.oauth_clients_prune("2026-06-01T00:00:00.000Z").await.expect("prune"), 1);
    assert_eq!(fx.store.oauth_client_count().await.expect("count"), 0);
}
