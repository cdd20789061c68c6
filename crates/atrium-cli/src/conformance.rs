//! `atrium conformance-client URL`: drives Atrium's own MCP client (the connection manager, not a bare SDK client)
//! the way the official client conformance suite expects. The suite starts a test server, runs this command with
//! the server's URL and names the scenario in `MCP_CONFORMANCE_SCENARIO`; it grades what the server saw.

use std::time::Duration;

use atrium_api::{
    ApiError, AtriumPaths, AuditOrigin, AuditStatus, ElicitationPolicy, ErrorCode, NewServer, NewWorkspace,
    OpenOptions, ToolCall, ToolInfo,
};
use serde_json::{Map, Value, json};

use crate::run::Failure;

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
    let options = OpenOptions { elicitation: ElicitationPolicy::AcceptDefaults, ..OpenOptions::default() };
    let atrium = atrium_api::Atrium::open_with(AtriumPaths::at(home.path()), options).await?;
    let result = drive(&atrium, &scenario, url).await;
    atrium.close().await;
    result
}

async fn drive(atrium: &atrium_api::Atrium, scenario: &str, url: &str) -> Result<(), Failure> {
    eprintln!("scenario {scenario:?} against {url}");
    let workspace = atrium.workspace_create(NewWorkspace { title: "conformance".into(), description: None }).await?;
    let server = atrium
        .server_create(NewServer {
            workspace_id: workspace.id,
            title: format!("conformance {scenario}"),
            registration: json!({"transport": {"type": "http", "url": url}, "timeouts": {"connect_ms": 10000, "call_ms": 20000}}),
        })
        .await?;
    let tools = atrium.server_tools(server.id.clone()).await?;
    eprintln!("connected: {} tools", tools.len());
    let mut failed = false;
    for (tool, arguments) in calls_for(scenario, &tools) {
        let call =
            ToolCall { server_id: server.id.clone(), tool: tool.clone(), arguments: Some(arguments), call_id: None };
        let outcome = atrium.tool_call_from(call, AuditOrigin::Cli).await?;
        eprintln!("{tool}: {:?} in {} ms", outcome.status, outcome.duration_ms);
        if let Some(result) = &outcome.result {
            println!("{}", serde_json::to_string(result).unwrap_or_default());
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
