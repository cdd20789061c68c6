//! Authentication against a real OAuth-protected MCP server (the Python SDK's authorization server): an Authorizer
//! end to end, MCP sign-in with dynamic registration, a refresh that fails, one token exchange under load, and
//! where the tokens live (the keychain) and do not (the store, the logs, IPC payloads).

use std::time::Duration;

use atrium_api::{AuthState, AuthorizerConfig, NewAuthorizer, SecretInput, ServerStatus, ToolCall};
use atrium_secrets::{Keychain, SecretId};
use serde_json::{Value, json};

use crate::peers::{Fixture, Peer, as_json, oauth_server};

async fn stats(peer: &Peer) -> Value {
    reqwest::get(format!("{}/test/stats", peer.base)).await.expect("stats").json().await.expect("stats json")
}

async fn control(peer: &Peer, what: &str) {
    let response = reqwest::Client::new().post(format!("{}/test/{what}", peer.base)).send().await.expect("control");
    assert!(response.status().is_success(), "{what}: {}", response.status());
}

async fn whoami(fx: &Fixture, server_id: &str) -> atrium_api::CallOutcome {
    let call = ToolCall { server_id: server_id.to_owned(), tool: "whoami".into(), arguments: None, call_id: None };
    fx.atrium.tool_call(call).await.expect("call")
}

fn keychain(fx: &Fixture) -> Keychain {
    Keychain::new(atrium_api::AtriumPaths::at(fx.home()).keychain_namespace())
}

/// Every file of the home (store, WAL, logs) as bytes: a token must be in none of them.
fn home_contains(fx: &Fixture, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![fx.home().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

async fn authorizer(fx: &Fixture, peer: &Peer, token_url: &str) -> atrium_api::AuthorizerView {
    fx.atrium
        .secret_set(SecretInput {
            id: "test-authorizer.secret".into(),
            value: "atrium-authorizer-secret".into(),
            description: None,
        })
        .await
        .expect("secret");
    fx.atrium
        .authorizer_create(NewAuthorizer {
            workspace_id: fx.workspace.clone(),
            title: "Test provider".into(),
            config: AuthorizerConfig {
                provider: "test".into(),
                auth_url: format!("{}/authorize", peer.base),
                token_url: token_url.to_owned(),
                revoke_url: Some(format!("{}/revoke", peer.base)),
                scopes: vec!["mcp:read".into()],
                client_id: "atrium-authorizer".into(),
                pkce: true,
                secret_id: Some("test-authorizer.secret".into()),
                token_auth_method: None,
            },
        })
        .await
        .expect("authorizer")
}

#[tokio::test]
async fn an_authorizer_connects_servers_and_its_tokens_live_only_in_the_keychain() {
    let peer = oauth_server();
    let fx = Fixture::new().await;
    let auth = authorizer(&fx, &peer, &format!("{}/token", peer.base)).await;
    assert!(!auth.connected);
    let server = fx
        .register("Protected", json!({"transport": {"type": "http", "url": format!("{}/mcp", peer.base)}, "auth": {"type": "oauth2", "authorizer_id": auth.id}}))
        .await;
    // Without a connection the server says what it needs: a sign-in, not a raw 401.
    let status =
        fx.status_when(&server.id, "waiting for a sign-in", |s| matches!(s, ServerStatus::NeedsLogin { .. })).await;
    assert!(matches!(status, ServerStatus::NeedsLogin { ref message } if message.contains("sign in")), "{status:?}");

    let connected = fx.atrium.authorizer_connect(auth.id.clone()).await.expect("connected");
    assert!(connected.connected);
    assert_eq!(connected.used_by, vec!["Protected".to_owned()]);
    fx.ready(&server.id).await;
    let outcome = whoami(&fx, &server.id).await;
    let text = serde_json::to_string(&outcome.result).expect("json");
    assert!(text.contains("atrium-authorizer"), "the token was issued to the Authorizer's client: {text}");
    let state = fx.atrium.server_state(server.id.clone()).await.expect("state");
    assert!(matches!(state.auth.state, AuthState::SignedIn { expires_at: Some(_), .. }), "{:?}", state.auth);

    // The grant is in the keychain, and its token nowhere else: not in the store, the logs, or what the UI gets.
    let key = SecretId::parse(&format!("oauth.authorizer.{}", auth.id)).expect("id");
    let stored = keychain(&fx).get(&key).expect("grant in the keychain");
    let grant: Value = serde_json::from_str(stored.expose()).expect("grant json");
    let token = grant["tokens"]["access_token"].as_str().expect("token").to_owned();
    let refresh = grant["tokens"]["refresh_token"].as_str().expect("refresh token").to_owned();
    for secret in [&token, &refresh, &"atrium-authorizer-secret".to_owned()] {
        assert_eq!(home_contains(&fx, secret), Vec::<String>::new(), "a secret reached the home's files");
    }
    let ipc = serde_json::to_string(&(
        fx.atrium.server_list(None).await.expect("list"),
        fx.atrium.authorizer_list(None).await.expect("authorizers"),
        fx.atrium.server_state(server.id.clone()).await.expect("state"),
    ))
    .expect("json");
    assert!(!ipc.contains(&token) && !ipc.contains(&refresh), "a token reached an IPC payload");

    // Disconnecting revokes at the provider and forgets the grant; the server goes back to needing a sign-in.
    let before = stats(&peer).await["revocations"].as_u64().unwrap_or(0);
    assert!(fx.atrium.authorizer_disconnect(auth.id.clone()).await.expect("disconnect"), "revoked");
    assert!(stats(&peer).await["revocations"].as_u64().unwrap_or(0) > before);
    assert!(!keychain(&fx).is_set(&key).expect("keychain"));
    fx.status_when(&server.id, "back to needing a sign-in", |s| matches!(s, ServerStatus::NeedsLogin { .. })).await;
}

/// Signs in to the fixture by MCP authorization (discovery + dynamic registration) and waits for `ready`.
async fn signed_in(fx: &Fixture, peer: &Peer) -> String {
    let server =
        fx.register("MCP sign-in", json!({"transport": {"type": "http", "url": format!("{}/mcp", peer.base)}})).await;
    fx.status_when(&server.id, "asking for a sign-in", |s| matches!(s, ServerStatus::NeedsLogin { .. })).await;
    let auth = fx.atrium.server_sign_in(server.id.clone()).await.expect("signed in");
    assert!(matches!(auth.state, AuthState::SignedIn { .. }), "{auth:?}");
    fx.ready(&server.id).await;
    assert_eq!(stats(peer).await["registrations"], json!(1), "Atrium registered itself (DCR)");
    server.id
}

#[tokio::test]
async fn two_calls_at_expiry_cause_one_token_exchange() {
    let peer = oauth_server();
    let fx = Fixture::new().await;
    let id = signed_in(&fx, &peer).await;
    assert_eq!(whoami(&fx, &id).await.status, atrium_api::AuditStatus::Ok);
    control(&peer, "expire-all").await;
    let before = stats(&peer).await["refreshes"].as_u64().expect("refreshes");
    let (a, b) = tokio::join!(whoami(&fx, &id), whoami(&fx, &id));
    assert_eq!((a.status, b.status), (atrium_api::AuditStatus::Ok, atrium_api::AuditStatus::Ok), "{a:?} {b:?}");
    assert_eq!(stats(&peer).await["refreshes"].as_u64().expect("refreshes") - before, 1, "one exchange for both");
}

#[tokio::test]
async fn a_refresh_that_fails_sends_the_server_back_to_login_required_and_keeps_it() {
    let peer = oauth_server();
    let fx = Fixture::new().await;
    let id = signed_in(&fx, &peer).await;
    let key = SecretId::parse(&format!("oauth.server.{id}")).expect("id");
    assert!(keychain(&fx).is_set(&key).expect("keychain"));
    control(&peer, "fail-refresh").await;
    control(&peer, "expire-all").await;
    let outcome = whoami(&fx, &id).await;
    let error = outcome.error.expect("the call failed");
    assert_eq!(error.code, atrium_api::FailureCode::AuthError, "{error:?}");
    assert!(error.message.contains("Sign in again"), "{}", error.message);
    let state = fx.atrium.server_state(id.clone()).await.expect("state");
    assert!(matches!(state.auth.state, AuthState::LoginRequired { .. }), "{:?}", state.auth);
    assert!(!keychain(&fx).is_set(&key).expect("keychain"), "the dead grant is gone");
    // The registration is untouched, and signing in again brings it back.
    let view = fx.atrium.server_get(id.clone()).await.expect("still registered");
    assert_eq!(as_json(&view.registration)["transport"]["url"], json!(format!("{}/mcp", peer.base)));
    control(&peer, "heal-refresh").await;
    fx.atrium.server_sign_in(id.clone()).await.expect("signed in again");
    fx.ready(&id).await;
    assert_eq!(whoami(&fx, &id).await.status, atrium_api::AuditStatus::Ok);
}

#[tokio::test]
async fn a_token_endpoint_that_answers_html_ends_the_connect_with_a_clear_error_and_no_token() {
    let peer = oauth_server();
    let fx = Fixture::new().await;
    let auth = authorizer(&fx, &peer, &format!("{}/test/html-token", peer.base)).await;
    let err = fx.atrium.authorizer_connect(auth.id.clone()).await.expect_err("refused");
    assert!(err.message.contains("did not answer JSON"), "{}", err.message);
    assert!(err.message.contains("/test/html-token"), "names the endpoint: {}", err.message);
    let key = SecretId::parse(&format!("oauth.authorizer.{}", auth.id)).expect("id");
    assert!(!keychain(&fx).is_set(&key).expect("keychain"));
    let listed = fx.atrium.authorizer_list(None).await.expect("list");
    assert!(!listed[0].connected);
    tokio::time::sleep(Duration::from_millis(10)).await;
}

#[tokio::test]
async fn a_static_header_value_moves_to_the_keychain() {
    let fx = Fixture::new().await;
    let server = fx
        .register(
            "Static",
            json!({"transport": {"type": "http", "url": "http://127.0.0.1:9/mcp"}, "enabled": false,
                   "auth": {"type": "static", "header": "X-Api-Key", "value": "dev-only-value-123"}}),
        )
        .await;
    let auth = &as_json(&server.registration)["auth"];
    assert!(auth.get("value").is_none(), "the value left the registration: {auth}");
    let secret_id = auth["secret_id"].as_str().expect("secret id");
    let stored = keychain(&fx).get(&SecretId::parse(secret_id).expect("id")).expect("in the keychain");
    assert_eq!(stored.expose(), "dev-only-value-123");
    assert_eq!(home_contains(&fx, "dev-only-value-123"), Vec::<String>::new());
}
