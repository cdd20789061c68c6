//! JSON-RPC 2.0 shapes the gateway answers with.

use serde_json::{Value, json};

/// Invalid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// Not a JSON-RPC request.
pub const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// Bad parameters (an unknown tool among them, as the MCP SDKs answer).
pub const INVALID_PARAMS: i64 = -32602;
/// Something failed on Atrium's side or on the server's way.
pub const INTERNAL_ERROR: i64 = -32603;
/// No such resource (MCP's code), also for one the agent may not see.
pub const RESOURCE_NOT_FOUND: i64 = -32002;
/// Refused for now: the agent has too many calls in flight.
pub const OVERLOADED: i64 = -32000;

/// The protocol revisions the gateway speaks, newest first; a client asking for another gets the newest.
pub const PROTOCOL_VERSIONS: [&str; 3] = ["2025-11-25", "2025-06-18", "2025-03-26"];

/// The revision to answer a client that asked for `asked`.
pub fn negotiate(asked: Option<&str>) -> &'static str {
    PROTOCOL_VERSIONS.iter().find(|v| Some(**v) == asked).copied().unwrap_or(PROTOCOL_VERSIONS[0])
}

/// An error response.
pub fn error(id: &Value, code: i64, message: impl Into<String>) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message.into()}})
}

/// A result response.
pub fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// A notification.
pub fn notification(method: &str, params: Option<Value>) -> Value {
    let mut message = json!({"jsonrpc": "2.0", "method": method});
    if let Some(params) = params {
        message["params"] = params;
    }
    message
}

/// What kind of message a value is.
pub enum Kind<'a> {
    /// A request: id and method.
    Request(&'a Value, &'a str),
    /// A notification: method.
    Notification(&'a str),
    /// A response (to a request the gateway passed on from a server).
    Response,
    /// Not JSON-RPC.
    Invalid,
}

/// Classifies one message.
pub fn kind(message: &Value) -> Kind<'_> {
    if message.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Kind::Invalid;
    }
    let id = message.get("id").filter(|id| id.is_string() || id.is_number());
    match (id, message.get("method").and_then(Value::as_str)) {
        (Some(id), Some(method)) => Kind::Request(id, method),
        (None, Some(method)) if message.get("id").is_none() => Kind::Notification(method),
        (Some(_), None) if message.get("result").is_some() || message.get("error").is_some() => Kind::Response,
        _ => Kind::Invalid,
    }
}
