//! A minimal MCP server over streamable HTTP on 127.0.0.1, in process: `tools/call` of any of its tools answers
//! at once with the arguments it was given, as JSON (not an event stream). Benchmarks compare a call straight to it
//! with the same call through Atrium's gateway; load tests check that every answer is the caller's own.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// A running echo server; stops when dropped.
pub struct HttpEcho {
    /// Its MCP endpoint (`http://127.0.0.1:<port>/mcp`).
    pub url: String,
    stop: CancellationToken,
}

impl Drop for HttpEcho {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

#[derive(Clone)]
struct Tools {
    name: String,
    count: usize,
}

impl HttpEcho {
    /// Serves an echo server named `name` with `tools` tools (`echo`, then `tool_1` … `tool_{n-1}`).
    pub async fn start(name: &str, tools: usize) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}/mcp", listener.local_addr()?);
        let app = Router::new()
            .route("/mcp", post(answer).delete(|| async { StatusCode::OK }))
            .with_state(Tools { name: name.to_owned(), count: tools.max(1) });
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(stopped.cancelled_owned()).await;
        });
        Ok(HttpEcho { url, stop })
    }
}

fn tool_name(i: usize) -> String {
    if i == 0 { "echo".to_owned() } else { format!("tool_{i}") }
}

async fn answer(State(tools): State<Tools>, _headers: HeaderMap, body: Bytes) -> Response {
    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "not JSON").into_response();
    };
    let Some(id) = message.get("id").cloned() else { return StatusCode::ACCEPTED.into_response() };
    let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
    let result = match method {
        "initialize" => json!({
            "protocolVersion": message.pointer("/params/protocolVersion").cloned().unwrap_or(json!("2025-06-18")),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": tools.name, "version": "1"},
        }),
        "ping" => json!({}),
        "tools/list" => json!({"tools": (0..tools.count).map(|i| json!({
            "name": tool_name(i),
            "description": "Answers with its arguments.",
            "inputSchema": {"type": "object", "properties": {"message": {"type": "string"}}},
        })).collect::<Vec<_>>()}),
        "tools/call" => {
            let arguments = message.pointer("/params/arguments").cloned().unwrap_or(json!({}));
            json!({"content": [{"type": "text", "text": arguments.to_string()}], "structuredContent": arguments,
                "isError": false})
        }
        other => {
            let error =
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": format!("no {other}")}});
            return json_response(&error);
        }
    };
    json_response(&json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

fn json_response(value: &Value) -> Response {
    let mut response = value.to_string().into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response
}
