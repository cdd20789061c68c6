//! Answering one relayed JSON-RPC message as a full MCP server would (streamable HTTP, JSON responses). For a
//! published local server, every message goes to its persistent, supervised session as it came, and the server's
//! answer comes back as it wrote it (no field added, dropped or set to null): `initialize` is answered with the
//! server's own result; notifications (a cancellation among them) are passed on and answered with an empty 202.
//! The connection manager applies `allowed_tools`, masks the server's secrets and audits each tool call with
//! origin `relay`. A caller that accepts an event stream and gave a progress token gets the server's progress
//! ahead of the answer, in one `text/event-stream` body (the relay carries whole answers, so it arrives with the
//! answer). Without a server, the built-in host tools answer.

use std::time::Duration;

use atrium_store::AuditOrigin;
use serde_json::{Map, Value, json};

use super::RelayContext;
use super::envelope::{HttpAnswer, RelayErrorCode, RelayFailure};
use super::host_tools;

/// The protocol versions Atrium answers in; a client asking for another gets the newest.
const PROTOCOL_VERSIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// JSON-RPC error codes.
const METHOD_NOT_FOUND: i64 = -32601;
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

/// Serves one decoded body (a message or a batch) for `target` within `deadline`; `accepts_events` when the
/// caller's `Accept` allows an event stream.
pub async fn serve(
    ctx: &RelayContext,
    target: &Target,
    body: Value,
    deadline: Duration,
    accepts_events: bool,
) -> Result<HttpAnswer, RelayFailure> {
    let messages = match body {
        Value::Array(items) if !items.is_empty() => items,
        Value::Array(_) => return Err(RelayFailure::new(RelayErrorCode::BadRequest, "An empty batch.")),
        single => vec![single],
    };
    let batch = messages.len() > 1;
    let mut answers = Vec::new();
    let (progress, mut progressed) = tokio::sync::mpsc::unbounded_channel();
    for message in messages {
        let Some(method) = message.get("method").and_then(Value::as_str).map(str::to_owned) else {
            return Err(RelayFailure::new(RelayErrorCode::BadRequest, "The JSON-RPC message has no method."));
        };
        let id = message.get("id").cloned().filter(|id| !id.is_null());
        let reply = match target {
            Target::Server(server) => {
                let progress = accepts_events.then(|| progress.clone());
                forward(ctx, server, &method, &message, deadline, progress).await
            }
            Target::Host => match id {
                // A notification: nothing to answer.
                None => None,
                Some(id) => {
                    let params = message.get("params").and_then(Value::as_object).cloned().unwrap_or_default();
                    Some(match tokio::time::timeout(deadline, host(ctx, &method, params)).await {
                        Ok(Ok(Ok(result))) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
                        Ok(Ok(Err((code, message)))) => error(&id, code, &message),
                        Ok(Err(failure)) => return Err(failure),
                        Err(_) => error(&id, TIMED_OUT, "The desktop host's deadline passed before it answered."),
                    })
                }
            },
        };
        answers.extend(reply);
    }
    // Every sender is gone once the requests ended (the masking on the way drains first): this ends promptly.
    drop(progress);
    let mut notes = Vec::new();
    while let Some(note) = progressed.recv().await {
        notes.push(note);
    }
    if answers.is_empty() {
        return Ok(HttpAnswer::empty(202));
    }
    if !notes.is_empty() {
        // One event per message, the progress first, then the answers, as a streamable-HTTP server would send.
        let body: String =
            notes.iter().chain(&answers).map(|message| format!("event: message\ndata: {message}\n\n")).collect();
        return Ok(HttpAnswer { status: 200, content_type: "text/event-stream", body: body.into_bytes() });
    }
    let body = if batch { Value::Array(answers) } else { answers.remove(0) };
    Ok(HttpAnswer { status: 200, content_type: "application/json", body: body.to_string().into_bytes() })
}

fn error(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// One message for a published local server: forwarded as it came; the answer, if it is a request.
async fn forward(
    ctx: &RelayContext,
    server: &str,
    method: &str,
    message: &Value,
    deadline: Duration,
    progress: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
) -> Option<Value> {
    let id = message.get("id").cloned().filter(|id| !id.is_null());
    if method == "initialize" {
        let id = id?;
        return Some(match ctx.servers.initialize_result(server) {
            Ok(mut result) => {
                // The server's own capabilities and identity; the revision is the caller's when Atrium speaks it
                // (the session to the server is Atrium's, already negotiated).
                let asked = message.pointer("/params/protocolVersion").and_then(Value::as_str).unwrap_or_default();
                if let Some(known) = PROTOCOL_VERSIONS.iter().find(|v| **v == asked) {
                    result["protocolVersion"] = json!(known);
                }
                json!({"jsonrpc": "2.0", "id": id, "result": result})
            }
            Err(err) => error(&id, INTERNAL_ERROR, &err.to_string()),
        });
    }
    match ctx.servers.forward(server, message, AuditOrigin::Relay, "relay", deadline, progress).await {
        Ok(answer) => answer,
        Err(err) => {
            let timed_out =
                matches!(&err, atrium_mcp::McpError::Failed(f) if f.code == atrium_mcp::FailureCode::Timeout);
            let code = if timed_out { TIMED_OUT } else { INTERNAL_ERROR };
            id.map(|id| error(&id, code, &err.to_string()))
        }
    }
}

type Answer = Result<Result<Value, (i64, String)>, RelayFailure>;

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
