//! `atrium conformance-client URL`: drives Atrium's own MCP client (the connection manager, not a bare SDK client)
//! the way the official client conformance suite expects. The suite starts a test server, runs this command with
//! the server's URL and names the scenario in `MCP_CONFORMANCE_SCENARIO`; it grades what the server saw.

use std::sync::Arc;
use std::time::Duration;

use atrium_api::{
    ApiError, AtriumPaths, AuditOrigin, AuditStatus, AuthSetup, ElicitationPolicy, ErrorCode, HeadlessBrowser,
    NewServer, NewWorkspace, OpenOptions, ToolCall, ToolInfo,
};
use serde_json::{Map, Value, json};

use crate::failure::Failure;

/// The tool calls a scenario needs once connected.
fn calls_for(scenario: &str, tools: &[ToolInfo]) -> Vec<(String, Map<String, Value>)> {
    let object = |v: Value| v.as_object().cloned().unwrap_or_default();
    match scenario {
        "initialize" => Vec::new(),
        "tools_call" => vec![("add_numbers".into(), object(json!({"a": 5, "b": 3})))],
        "elicitation-sep1034-client-defaults" => vec![("test_client_elicitation_defaults".into(), Map::new())],
        // Anything else (sse-retry, …): call each tool the server offers, with placeholder arguments.
        _ => tools.iter().map(|t| (t.name.clone(), placeholder_arguments(&t.input_schema))).collect(),
    }
}

/// Arguments that satisfy a flat schema: defaults where given, else a simple value of the right type.
fn placeholder_arguments(schema: &Value) -> Map<String, Value> {
    let mut arguments = Map::new();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties.iter().filter(|(name, _)| required.contains(&name.as_str())) {
            let value = property.get("default").cloned().unwrap_or_else(|| {
                match property.get("type").and_then(Value::as_str) {
                    Some("number" | "integer") => json!(1),
                    Some("boolean") => json!(true),
                    Some("array") => json!([]),
                    Some("object") => json!({}),
                    _ => json!("test"),
                }
            });
            arguments.insert(name.clone(), value);
        }
    }
    arguments
}

pub async fn run(_paths: AtriumPaths, url: &str) -> Result<(), Failure> {
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    // A throwaway home: the conformance run must not leave servers in anyone's store.
    let home = tempfile::tempdir().map_err(|e| ApiError::new(ErrorCode::Internal, format!("no temp dir: {e}")))?;
    // Sign-ins complete without a person: the headless browser follows the authorization server's redirects to
    // Atrium's real loopback listener. The client metadata document is the one the suite's servers expect.
    let auth = AuthSetup {
        automatic_sign_in: Some(Arc::new(HeadlessBrowser::new())),
        client_metadata_url: Some(SUITE_CLIENT_METADATA_URL.to_owned()),
    };
    let options = OpenOptions { elicitation: ElicitationPolicy::AcceptDefaults, auth, ..OpenOptions::default() };
    let atrium = atrium_api::Atrium::open_with(AtriumPaths::at(home.path()), options).await?;
    let result = drive(&atrium, &scenario, url).await;
    // The throwaway home's keychain namespace is its own: leave nothing in it.
    if let Ok(secrets) = atrium.secret_list().await {
        for secret in secrets {
            let _ = atrium.secret_delete(secret.id).await;
        }
    }
    atrium.close().await;
    result
}

/// The client ID metadata document URL the suite's authorization servers accept (`auth/basic-cimd`). A release
/// would offer its own published document; Atrium has none yet, so outside the suite it uses registration.
const SUITE_CLIENT_METADATA_URL: &str = "https://conformance-test.local/client-metadata.json";

/// The registration's `auth` for a scenario: pre-registered credentials from the suite's context become a keychain
/// secret (client credentials — with a client secret, or a private key for `private_key_jwt` — or MCP
/// authorization with a pre-registered client); otherwise none, and the server's 401 starts MCP authorization.
/// The method is left to what the authorization server's metadata lists, as for a person who does not name one.
async fn auth_for(atrium: &atrium_api::Atrium, scenario: &str) -> Result<Option<Value>, Failure> {
    let context: Value = match std::env::var("MCP_CONFORMANCE_CONTEXT") {
        Ok(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
        Err(_) => return Ok(None),
    };
    let Some(client_id) = context.get("client_id").and_then(Value::as_str) else { return Ok(None) };
    let mut auth = if scenario.starts_with("auth/client-credentials") {
        json!({"type": "client_credentials", "client_id": client_id})
    } else {
        json!({"type": "mcp_oauth", "client_id": client_id})
    };
    let credential = match (context.get("client_secret"), context.get("private_key_pem")) {
        (Some(Value::String(secret)), _) => Some(("conformance.client-secret", secret)),
        (_, Some(Value::String(key))) => Some(("conformance.client-key", key)),
        _ => None,
    };
    if let Some((id, value)) = credential {
        atrium
            .secret_set(atrium_api::SecretInput { id: id.to_owned(), value: value.clone(), description: None })
            .await?;
        auth["secret_id"] = json!(id);
    }
    if let Some(alg) = context.get("signing_algorithm").and_then(Value::as_str) {
        auth["signing_alg"] = json!(alg);
    }
    Ok(Some(auth))
}

async fn drive(atrium: &atrium_api::Atrium, scenario: &str, url: &str) -> Result<(), Failure> {
    eprintln!("scenario {scenario:?} against {url}");
    let workspace = atrium.workspace_create(NewWorkspace { title: "conformance".into(), description: None }).await?;
    let mut registration =
        json!({"transport": {"type": "http", "url": url}, "timeouts": {"connect_ms": 10000, "call_ms": 20000}});
    if let Some(auth) = auth_for(atrium, scenario).await? {
        registration["auth"] = auth;
    }
    let server = atrium
        .server_create(NewServer {
            workspace_id: workspace.id,
            title: format!("conformance {scenario}"),
            registration: atrium_api::parse_registration(&registration)?,
        })
        .await?;
    let tools = atrium.server_tools(server.id.clone()).await?;
    eprintln!("connected: {} tools", tools.len());
    let calls = calls_for(scenario, &tools);
    if !calls.is_empty() {
        // rmcp opens the session's standalone GET stream in the background once initialized. The suite's servers
        // count on it being open when a call starts: sse-retry grades the first GET after the call's stream opened
        // as the reconnection (a merely late one is "-50 ms early"), and the elicitation scenario's server asks on
        // that stream (asked before it is open, the question is lost and the call hangs). The calls wait for it.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mut failed = false;
    for (tool, arguments) in calls {
        let call =
            ToolCall { server_id: server.id.clone(), tool: tool.clone(), arguments: Some(arguments), call_id: None };
        let outcome = atrium.tool_call_from(call, AuditOrigin::Cli).await?;
        eprintln!("{tool}: {:?} in {} ms", outcome.status, outcome.duration_ms);
        if let Some(result) = &outcome.result {
            say!("{}", serde_json::to_string(result).unwrap_or_default());
        }
        if let Some(error) = &outcome.error {
            eprintln!("  {} {}", error.code.as_str(), error.message);
        }
        failed |= outcome.status != AuditStatus::Ok;
    }
    // Let the last notifications (cancellations, session DELETE) reach the server before it is graded.
    tokio::time::sleep(Duration::from_millis(100)).await;
    if failed { Err(Failure::Quiet(1)) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_arguments_follow_the_schema() {
        let schema = json!({"type": "object", "required": ["a", "s", "d"], "properties": {
            "a": {"type": "number"}, "s": {"type": "string"}, "d": {"type": "string", "default": "x"}, "o": {"type": "string"}}});
        assert_eq!(Value::Object(placeholder_arguments(&schema)), json!({"a": 1, "s": "test", "d": "x"}));
    }
}
