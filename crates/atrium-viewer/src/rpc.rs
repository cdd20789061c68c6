//! JSON-RPC 2.0 as views speak it over `postMessage`: parsing with limits, and the error codes Atrium answers with.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The largest message a view may send (a message over it is refused unread).
pub const MAX_MESSAGE_BYTES: usize = 4 * 1024 * 1024;
/// The longest method name or string id accepted.
const MAX_NAME: usize = 256;

/// Invalid JSON.
pub const PARSE_ERROR: i64 = -32700;
/// Not a valid JSON-RPC request.
pub const INVALID_REQUEST: i64 = -32600;
/// No such method.
pub const METHOD_NOT_FOUND: i64 = -32601;
/// The parameters do not fit the method.
pub const INVALID_PARAMS: i64 = -32602;
/// Something failed inside the host.
pub const INTERNAL_ERROR: i64 = -32603;
/// Refused by policy or by the person (MCP Apps' convention).
pub const REFUSED: i64 = -32000;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RpcError {
    /// The JSON-RPC code.
    pub code: i64,
    /// What went wrong, for a developer.
    pub message: String,
    /// More, when useful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl RpcError {
    /// An error with a code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError { code, message: message.into(), data: None }
    }

    /// A policy refusal (`-32000`).
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(REFUSED, message)
    }

    /// Bad parameters (`-32602`).
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(INVALID_PARAMS, message)
    }
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// One message from a view.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A request to answer.
    Request {
        /// Its id (a string or an integer).
        id: Value,
        /// The method.
        method: String,
        /// Its parameters (an empty object when absent).
        params: Map<String, Value>,
    },
    /// A notification.
    Notification {
        /// The method.
        method: String,
        /// Its parameters.
        params: Map<String, Value>,
    },
    /// An answer to one of Atrium's requests.
    Response {
        /// The id Atrium used.
        id: Value,
        /// The result, or the error.
        outcome: Result<Value, Value>,
    },
}

/// Why a message was not accepted, and what (if anything) to answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The error to send back: `None` for messages JSON-RPC says to ignore (not `jsonrpc: "2.0"`).
    pub reply: Option<Value>,
    /// What was wrong, for the report.
    pub reason: String,
}

/// Parses one message as the relay passed it (the view's `postMessage` data, JSON-encoded).
pub fn parse(text: &str) -> Result<Incoming, Rejected> {
    if text.len() > MAX_MESSAGE_BYTES {
        return Err(Rejected {
            reply: Some(error_response(
                peek_id(text),
                &RpcError::new(INVALID_REQUEST, format!("message over {MAX_MESSAGE_BYTES} bytes")),
            )),
            reason: format!("a {}-byte message (the limit is {MAX_MESSAGE_BYTES})", text.len()),
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| Rejected {
        reply: Some(error_response(Value::Null, &RpcError::new(PARSE_ERROR, "not JSON"))),
        reason: format!("a message that is not JSON ({e})"),
    })?;
    let Value::Object(mut message) = value else {
        return Err(Rejected { reply: None, reason: "a message that is not a JSON-RPC object".into() });
    };
    if message.get("jsonrpc") != Some(&json!("2.0")) {
        return Err(Rejected { reply: None, reason: "a message without jsonrpc: \"2.0\"".into() });
    }
    let id = message.remove("id");
    let invalid = |id: Option<&Value>, why: &str| Rejected {
        reply: Some(error_response(id.cloned().unwrap_or(Value::Null), &RpcError::new(INVALID_REQUEST, why))),
        reason: format!("an invalid JSON-RPC message: {why}"),
    };
    if let Some(id) = &id
        && !valid_id(id)
    {
        return Err(invalid(None, "id must be a string or an integer"));
    }
    match message.remove("method") {
        Some(Value::String(method)) if !method.is_empty() && method.len() <= MAX_NAME => {
            let params = match message.remove("params") {
                None | Some(Value::Null) => Map::new(),
                Some(Value::Object(params)) => params,
                Some(_) => return Err(invalid(id.as_ref(), "params must be an object")),
            };
            Ok(match id {
                Some(id) => Incoming::Request { id, method, params },
                None => Incoming::Notification { method, params },
            })
        }
        Some(_) => Err(invalid(id.as_ref(), "method must be a non-empty string")),
        None => {
            let Some(id) = id else { return Err(invalid(None, "neither a request nor a response")) };
            match (message.remove("result"), message.remove("error")) {
                (Some(result), None) => Ok(Incoming::Response { id, outcome: Ok(result) }),
                (None, Some(error)) => Ok(Incoming::Response { id, outcome: Err(error) }),
                _ => Err(invalid(Some(&id), "a response needs exactly one of result and error")),
            }
        }
    }
}

/// The id of a message too big to accept, so its refusal answers the request that was sent: read without keeping
/// anything else (every other field is skipped unread), and only up to a bound past which not even that is done.
fn peek_id(text: &str) -> Value {
    #[derive(Deserialize)]
    struct IdOnly {
        #[serde(default)]
        id: Option<Value>,
    }
    const MAX_PEEK: usize = 16 * MAX_MESSAGE_BYTES;
    if text.len() > MAX_PEEK {
        return Value::Null;
    }
    serde_json::from_str::<IdOnly>(text).ok().and_then(|m| m.id).filter(valid_id).unwrap_or(Value::Null)
}

fn valid_id(id: &Value) -> bool {
    match id {
        Value::String(s) => s.len() <= MAX_NAME,
        Value::Number(n) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

/// `{jsonrpc, id, result}`.
pub fn result_response(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

/// `{jsonrpc, id, error}`.
pub fn error_response(id: Value, error: &RpcError) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": error})
}

/// `{jsonrpc, method, params}`.
pub fn notification(method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params})
}

/// `{jsonrpc, id, method, params}`.
pub fn request(id: Value, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_requests_notifications_and_responses() {
        let r = parse(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).expect("request");
        assert_eq!(r, Incoming::Request { id: json!(1), method: "ping".into(), params: Map::new() });
        let n = parse(r#"{"jsonrpc":"2.0","method":"ui/notifications/initialized","params":{}}"#).expect("n");
        assert!(matches!(n, Incoming::Notification { method, .. } if method == "ui/notifications/initialized"));
        let ok = parse(r#"{"jsonrpc":"2.0","id":"atrium:1","result":{}}"#).expect("response");
        assert_eq!(ok, Incoming::Response { id: json!("atrium:1"), outcome: Ok(json!({})) });
    }

    #[test]
    fn rejects_garbage_with_the_right_answer() {
        // Not JSON-RPC at all: ignored without an answer.
        for text in [r#"{"hello":1}"#, "[1,2]", r#""string""#, r#"{"jsonrpc":"1.0","id":1,"method":"x"}"#] {
            assert_eq!(parse(text).expect_err(text).reply, None, "{text}");
        }
        // JSON-RPC, but invalid: answered with -32600 (or -32700 for non-JSON).
        let cases = [
            ("{not json", PARSE_ERROR),
            (r#"{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"#, INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#, INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0","id":1,"method":7}"#, INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":[1]}"#, INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0","id":1}"#, INVALID_REQUEST),
            (r#"{"jsonrpc":"2.0"}"#, INVALID_REQUEST),
        ];
        for (text, code) in cases {
            let reply = parse(text).expect_err(text).reply.expect("answered");
            assert_eq!(reply["error"]["code"], json!(code), "{text}");
        }
        let huge = format!(r#"{{"jsonrpc":"2.0","method":"x","params":{{"s":"{}"}}}}"#, "a".repeat(MAX_MESSAGE_BYTES));
        let rejected = parse(&huge).expect_err("too big");
        assert_eq!(rejected.reply.expect("answered")["error"]["code"], json!(INVALID_REQUEST));
        // A request too big to accept is still answered, under its own id.
        let request = format!(
            r#"{{"jsonrpc":"2.0","method":"x","params":{{"s":"{}"}},"id":"big-1"}}"#,
            "a".repeat(MAX_MESSAGE_BYTES)
        );
        let reply = parse(&request).expect_err("too big").reply.expect("answered");
        assert_eq!((reply["id"].clone(), reply["error"]["code"].clone()), (json!("big-1"), json!(INVALID_REQUEST)));
    }
}
