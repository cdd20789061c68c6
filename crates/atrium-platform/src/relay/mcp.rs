//! Answering one relayed JSON-RPC message as a full MCP server would (streamable HTTP, JSON responses):
//! `initialize` and `ping` here, notifications with an empty 202, tools, resources and prompts forwarded to the
//! local server's persistent, supervised session. Every tool call goes through the connection manager, so it
//! obeys `allowed_tools` and lands in the audit log with origin `relay`.

use std::time::Duration;

use atrium_mcp::ToolCall;
use atrium_store::AuditOrigin;
use serde_json::{Map, Value, json};

use super::RelayContext;
use super::envelope::{HttpAnswer, RelayErrorCode, RelayFailure};
use super::host_tools;

/// The protocol versions Atrium answers in; a client asking for another gets the newest.
const PROTOCOL_VERSIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// JSON-RPC error codes.
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const INTERNAL_ERROR: i64 = -32603;
/// The request's deadline passed before the local server answered.
const TIMED_OUT: i64 = -32001;

/// Which MCP surface a request is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A published local server.
    Server(String),
    /// The built-in host tools.
    Host,
}

/// Serves one decoded body (a message or a batch) for `target` within `deadline`.
pub async fn serve(
    ctx: &RelayContext,
    target: &Target,
    body: Value,
    deadline: Duration,
) -> Result<HttpAnswer, RelayFailure> {
    let messages = match body {
        Value::Array(items) if !items.is_empty() => items,
        Value::Array(_) => return Err(RelayFailure::new(RelayErrorCode::BadRequest, "An empty batch.")),
        single => vec![single],
    };
    let batch = messages.len() > 1;
    let mut answers = Vec::new();
    for message in messages {
        let method = message.get("method").and_then(Value::as_str).map(str::to_owned);
        let Some(method) = method else {
            return Err(RelayFailure::new(RelayErrorCode::BadRequest, "The JSON-RPC message has no method."));
        };
        let Some(id) = message.get("id").cloned().filter(|id| !id.is_null()) else {
            // A notification: nothing to answer (cancellations reach the call through its deadline).
            continue;
        };
        let params = message.get("params").and_then(Value::as_object).cloned().unwrap_or_default();
        let outcome = tokio::time::timeout(deadline, answer(ctx, target, &method, params)).await;
        let reply = match outcome {
            Ok(Ok(Ok(result))) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Ok(Ok(Err((code, message)))) => {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
            }
            Ok(Err(failure)) => return Err(failure),
            Err(_) => {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": TIMED_OUT, "message": "The desktop host's deadline passed before the local server answered."}})
            }
        };
        answers.push(reply);
    }
    if answers.is_empty() {
        return Ok(HttpAnswer { status: 202, body: Vec::new() });
    }
    let body = if batch { Value::Array(answers) } else { answers.remove(0) };
    Ok(HttpAnswer { status: 200, body: body.to_string().into_bytes() })
}

type Answer = Result<Result<Value, (i64, String)>, RelayFailure>;

async fn answer(ctx: &RelayContext, target: &Target, method: &str, params: Map<String, Value>) -> Answer {
    match target {
        Target::Host => host(ctx, method, params).await,
        Target::Server(id) => server(ctx, id, method, params).await,
    }
}

fn negotiated(params: &Map<String, Value>) -> &'static str {
    let asked = params.get("protocolVersion").and_then(Value::as_str).unwrap_or_default();
    PROTOCOL_VERSIONS.iter().find(|v| **v == asked).copied().unwrap_or(PROTOCOL_VERSIONS[0])
}

async fn host(ctx: &RelayContext, method: &str, params: Map<String, Value>) -> Answer {
    Ok(Ok(match method {
        "initialize" => json!({
            "protocolVersion": negotiated(&params),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "atrium-desktop-host", "version": env!("CARGO_PKG_VERSION")},
        }),
        "ping" => json!({}),
        "tools/list" => json!({"tools": host_tools::tool_list()}),
        "tools/call" => {
            let name = params.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            let args = params.get("arguments").and_then(Value::as_object).cloned().unwrap_or_default();
            let started = std::time::Instant::now();
            let outcome = host_tools::call(ctx, &name, &args).await?;
            ctx.audit_host_call(&name, &args, &outcome, started.elapsed()).await;
            match outcome {
                Ok(structured) => json!({
                    "content": [{"type": "text", "text": structured.to_string()}],
                    "structuredContent": structured,
                    "isError": false,
                }),
                Err(refusal) => json!({"content": [{"type": "text", "text": refusal.0}], "isError": true}),
            }
        }
        other if other.starts_with("resources/") || other.starts_with("prompts/") => {
            return Err(RelayFailure::new(
                RelayErrorCode::NotImplemented,
                format!("{other} is not offered by the desktop host."),
            ));
        }
        other => return Ok(Err((METHOD_NOT_FOUND, format!("Method not found: {other}")))),
    }))
}

async fn server(ctx: &RelayContext, id: &str, method: &str, params: Map<String, Value>) -> Answer {
    let servers = &ctx.servers;
    let failed = |e: atrium_mcp::McpError| Ok(Err((INTERNAL_ERROR, e.to_string())));
    let text = |key: &str| params.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(Ok(match method {
        "initialize" => {
            let info = servers.state(id).ok().and_then(|s| s.server_info).unwrap_or_else(|| id.to_owned());
            json!({
                "protocolVersion": negotiated(&params),
                "capabilities": {"tools": {"listChanged": false}, "resources": {}, "prompts": {}},
                "serverInfo": {"name": info, "version": env!("CARGO_PKG_VERSION")},
                "instructions": "Served by Atrium's Desktop Host Relay from the person's computer.",
            })
        }
        "ping" => json!({}),
        "tools/list" => match servers.tools(id) {
            Ok(tools) => json!({"tools": tools}),
            Err(e) => return failed(e),
        },
        "tools/call" => {
            let Some(tool) = text("name") else { return Ok(Err((INVALID_PARAMS, "tools/call needs a name.".into()))) };
            let arguments = params.get("arguments").and_then(Value::as_object).cloned();
            let call = ToolCall { server_id: id.to_owned(), tool, arguments, call_id: None };
            match servers.call_tool(call, AuditOrigin::Relay).await {
                Ok(outcome) => match (outcome.result, outcome.error) {
                    (Some(result), _) => serde_json::to_value(result).unwrap_or_default(),
                    (None, Some(failure)) if failure.code == atrium_mcp::FailureCode::PolicyDenied => {
                        return Ok(Err((INVALID_PARAMS, failure.message)));
                    }
                    (None, Some(failure)) => return Ok(Err((INTERNAL_ERROR, failure.message))),
                    (None, None) => return Ok(Err((INTERNAL_ERROR, "The call ended without a result.".into()))),
                },
                Err(e) => return failed(e),
            }
        }
        "resources/list" => match servers.resources(id).await {
            Ok(catalog) => json!({"resources": catalog.resources}),
            Err(e) => return failed(e),
        },
        "resources/templates/list" => match servers.resources(id).await {
            Ok(catalog) => json!({"resourceTemplates": catalog.templates}),
            Err(e) => return failed(e),
        },
        "resources/read" => {
            let Some(uri) = text("uri") else { return Ok(Err((INVALID_PARAMS, "resources/read needs a uri.".into()))) };
            match servers.read_resource(id, &uri).await {
                Ok(contents) => json!({"contents": contents}),
                Err(e) => return failed(e),
            }
        }
        "prompts/list" => match servers.prompts(id).await {
            Ok(prompts) => json!({"prompts": prompts}),
            Err(e) => return failed(e),
        },
        "prompts/get" => {
            let Some(name) = text("name") else { return Ok(Err((INVALID_PARAMS, "prompts/get needs a name.".into()))) };
            let arguments = params.get("arguments").and_then(Value::as_object).cloned().unwrap_or_default();
            match servers.get_prompt(id, &name, arguments).await {
                Ok(result) => serde_json::to_value(result).unwrap_or_default(),
                Err(e) => return failed(e),
            }
        }
        other => return Ok(Err((METHOD_NOT_FOUND, format!("Method not found: {other}")))),
    }))
}
