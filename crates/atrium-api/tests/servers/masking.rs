//! Every secret Atrium sends a server is masked in whatever comes back, whatever the transport: a sloppy server
//! (`echo_headers` on the Python peers) returns the headers of each request, and neither the API key, the static
//! header, nor the OAuth bearer reaches a result (text or structured), an audit row, a log line or any file of the
//! home — also when the value holds characters JSON escapes. (The CLI's output: `atrium-cli`'s tests.)

use atrium_api::{
    AuditFilter, AuthorizerConfig, CallOutcome, NewAuthorizer, SecretInput, ServerStatus, ServerView, ToolCall,
};
use atrium_secrets::{Keychain, SecretId};
use serde_json::{Value, json};

use crate::peers::{Fixture, fastmcp, oauth_server};

/// Every file under `dir` holding `needle`.
fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
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

async fn echo(fx: &Fixture, server: &ServerView) -> CallOutcome {
    fx.ready(&server.id).await;
    let call = ToolCall { server_id: server.id.clone(), tool: "echo_headers".into(), arguments: None, call_id: None };
    let outcome = fx.atrium.tool_call(call).await.expect("call");
    assert_eq!(outcome.error, None, "{outcome:?}");
    outcome
}

fn assert_masked(outcome: &CallOutcome, header: &str, secret: &str) {
    let text = serde_json::to_string(outcome).expect("json");
    assert!(!text.contains(secret), "the secret came back: {text}");
    let result = outcome.result.as_ref().expect("result");
    let structured = result.structured_content.as_ref().expect("structured content");
    assert_eq!(structured[header], Value::String("[secret]".into()), "{structured}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_sent_as_headers_or_tokens_never_come_back() {
    let peer = fastmcp(None);
    let fx = Fixture::new().await;
    // Quotes and a backslash: JSON spells them differently, and so must the masking.
    let api_key = r#"ak-"quoted"\value-4412"#;
    let static_value = "static-header-value-8093";
    fx.atrium
        .secret_set(SecretInput { id: "echo.key".into(), value: api_key.into(), description: None })
        .await
        .expect("secret");
    let url = format!("{}/mcp", peer.base);
    let keyed = fx
        .register(
            "Keyed",
            json!({"transport": {"type": "http", "url": url}, "auth": {"type": "api_key", "secret_id": "echo.key", "header": "X-Api-Key"}}),
        )
        .await;
    let with_static = fx
        .register(
            "Static",
            json!({"transport": {"type": "http", "url": url}, "auth": {"type": "static", "header": "X-Dev-Token", "value": static_value}}),
        )
        .await;
    assert_masked(&echo(&fx, &keyed).await, "x-api-key", api_key);
    assert_masked(&echo(&fx, &with_static).await, "x-dev-token", static_value);

    // OAuth: an Authorizer's bearer token.
    let oauth = oauth_server();
    fx.atrium
        .secret_set(SecretInput {
            id: "echo-authorizer.secret".into(),
            value: "atrium-authorizer-secret".into(),
            description: None,
        })
        .await
        .expect("secret");
    let authorizer = fx
        .atrium
        .authorizer_create(NewAuthorizer {
            workspace_id: fx.workspace.clone(),
            title: "Echo provider".into(),
            config: AuthorizerConfig {
                provider: "test".into(),
                auth_url: format!("{}/authorize", oauth.base),
                token_url: format!("{}/token", oauth.base),
                revoke_url: None,
                scopes: vec!["mcp:read".into()],
                client_id: "atrium-authorizer".into(),
                pkce: true,
                secret_id: Some("echo-authorizer.secret".into()),
                token_auth_method: None,
            },
        })
        .await
        .expect("authorizer");
    let protected = fx
        .register(
            "Protected",
            json!({"transport": {"type": "http", "url": format!("{}/mcp", oauth.base)}, "auth": {"type": "oauth2", "authorizer_id": authorizer.id}}),
        )
        .await;
    fx.status_when(&protected.id, "waiting for a sign-in", |s| matches!(s, ServerStatus::NeedsLogin { .. })).await;
    fx.atrium.authorizer_connect(authorizer.id.clone()).await.expect("connect");
    let outcome = echo(&fx, &protected).await;
    let keychain = Keychain::new(atrium_api::AtriumPaths::at(fx.home()).keychain_namespace());
    let grant: Value = serde_json::from_str(
        keychain
            .get(&SecretId::parse(&format!("oauth.authorizer.{}", authorizer.id)).expect("id"))
            .expect("grant")
            .expose(),
    )
    .expect("grant json");
    let token = grant["tokens"]["access_token"].as_str().expect("token").to_owned();
    let text = serde_json::to_string(&outcome).expect("json");
    assert!(!text.contains(&token), "the bearer came back: {text}");
    assert_eq!(
        outcome.result.as_ref().and_then(|r| r.structured_content.clone()).expect("structured")["authorization"],
        "Bearer [secret]"
    );

    // The audit rows, the logs, the store: nothing, in any spelling.
    let rows = fx.audit_rows(&AuditFilter::default(), 3).await;
    let audit = serde_json::to_string(&rows).expect("json");
    let escaped = serde_json::to_string(api_key).expect("json");
    for secret in [api_key, &escaped[1..escaped.len() - 1], static_value, &token] {
        assert!(!audit.contains(secret), "{secret} in the audit log: {audit}");
    }
    fx.atrium.close().await;
    for secret in [api_key, &escaped[1..escaped.len() - 1], static_value, &token, "4412"] {
        assert_eq!(files_holding(fx.home(), secret), Vec::<String>::new(), "{secret} reached the home's files");
    }
}
