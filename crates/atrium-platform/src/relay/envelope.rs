//! The relay's wire format, as the platform's Chorus implements it: `{type, v, id, ts, payload}` both ways; an
//! `mcp_request` carries an HTTP-shaped JSON-RPC call (body in base64), the `mcp_response` answers with the same
//! envelope `id` and `ok` *inside* `payload`.

use base64::Engine;
use serde_json::{Value, json};

/// Why a request could not be served (the reference host's codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayErrorCode {
    /// Invalid base64, invalid JSON, or no method.
    BadRequest,
    /// No such local server (or not published), or no such built-in tool.
    NotFound,
    /// The local server failed.
    ExecutionError,
    /// The built-in surface does not offer it.
    NotImplemented,
}

impl RelayErrorCode {
    /// The code on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            RelayErrorCode::BadRequest => "BAD_REQUEST",
            RelayErrorCode::NotFound => "NOT_FOUND",
            RelayErrorCode::ExecutionError => "EXECUTION_ERROR",
            RelayErrorCode::NotImplemented => "NOT_IMPLEMENTED",
        }
    }
}

/// A failed request, answered as an error envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayFailure {
    /// The code.
    pub code: RelayErrorCode,
    /// What happened.
    pub message: String,
}

impl RelayFailure {
    /// A failure with `code`.
    pub fn new(code: RelayErrorCode, message: impl Into<String>) -> Self {
        RelayFailure { code, message: message.into() }
    }
}

/// An HTTP-shaped answer to one `mcp_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The status (200 with a body, 202 for notifications).
    pub status: u16,
    /// `application/json`, or `text/event-stream` when the server's progress goes along with the answer.
    pub content_type: &'static str,
    /// The body (empty for 202).
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// An answer without a body.
    pub fn empty(status: u16) -> Self {
        HttpAnswer { status, content_type: "application/json", body: Vec::new() }
    }
}

fn now_s() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The `mcp_response` envelope for `id`.
pub fn response(id: &str, outcome: &Result<HttpAnswer, RelayFailure>) -> Value {
    let payload = match outcome {
        Ok(answer) => json!({
            "ok": true,
            "status": answer.status,
            "headers": {"content-type": answer.content_type},
            "body": base64::engine::general_purpose::STANDARD.encode(&answer.body),
        }),
        Err(failure) => json!({
            "ok": false,
            "error": {"code": failure.code.as_str(), "message": failure.message, "details": {}},
        }),
    };
    json!({"type": "mcp_response", "v": 1, "id": id, "ts": now_s(), "payload": payload})
}

/// The `client_hello` Atrium sends after connecting. Today's platform ignores it; a future one may use it.
pub fn client_hello(device_id: &str, display_name: &str) -> Value {
    json!({"type": "client_hello", "v": 1, "id": uuid::Uuid::new_v4().to_string(), "ts": now_s(), "payload": {
        "device_id": device_id,
        "display_name": display_name,
        "client": format!("atrium/{}", env!("CARGO_PKG_VERSION")),
        "capabilities": {"mcp_request": true, "invoke_tool": true},
    }})
}

/// The answer to a legacy `ping`: a `pong` echoing the payload.
pub fn pong(id: &str, payload: &Value) -> Value {
    json!({"type": "pong", "v": 1, "id": id, "ts": now_s(), "payload": payload})
}

/// The answer to a legacy `invoke_tool`.
pub fn tool_result(id: &str, request_id: &str, outcome: Result<Value, RelayFailure>) -> Value {
    let payload = match outcome {
        Ok(result) => json!({"request_id": request_id, "ok": true, "result": result}),
        Err(f) => {
            json!({"request_id": request_id, "ok": false, "error": {"code": f.code.as_str(), "message": f.message}})
        }
    };
    json!({"type": "tool_result", "v": 1, "id": id, "ts": now_s(), "payload": payload})
}

/// Decodes an `mcp_request` body: base64 of one JSON-RPC message (or a batch).
pub fn decode_body(payload: &Value) -> Result<Value, RelayFailure> {
    let body = payload.get("body").and_then(Value::as_str).unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|_| RelayFailure::new(RelayErrorCode::BadRequest, "The request body is not valid base64."))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| RelayFailure::new(RelayErrorCode::BadRequest, "The request body is not valid JSON."))
}
