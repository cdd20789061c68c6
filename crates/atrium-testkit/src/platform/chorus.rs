//! Chorus: its discovery document (`/.well-known/mcp`), the Desktop Host Relay WebSocket (`/relay/v1/connect`)
//! and the universal gateway `/{uuid}/mcp`, which forwards calls to `kind: relay` MCP-server artifacts over the
//! caller's relay session as `mcp_request` envelopes and rebuilds the HTTP response from the `mcp_response`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};

use super::error::{ApiResult, json_response, ok};
use super::http::bearer;
use super::model::RelayFailure;
use super::state::{Shared, unverified_sub};
use super::util::lock;

/// `GET /.well-known/mcp`: what Chorus says about itself. The double serves no personas.
pub(crate) async fn well_known_mcp() -> ApiResult {
    ok(&json!({
        "service": "chorus",
        "transport": "streamable-http",
        "discovery": { "personas": [], "uuid_routing_enabled": true },
    }))
}

/// `GET /relay/v1/connect`: a user access JWT is required; anything else is refused with HTTP 403 before the
/// upgrade (Starlette's answer to a close before accept). The double then sends nothing of its own.
pub(crate) async fn relay_connect(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let user = bearer(&headers).filter(|t| !t.starts_with("agc_")).and_then(|t| shared.verify_access(t));
    let Some(user) = user else {
        return StatusCode::FORBIDDEN.into_response();
    };
    match ws {
        Ok(ws) => ws.on_upgrade(move |socket| run(shared, socket, user.id)),
        Err(rejection) => rejection.into_response(),
    }
}

async fn run(shared: Arc<Shared>, socket: WebSocket, user_id: String) {
    let mut session = shared.relay.open(&user_id);
    let mut drops = shared.faults.drop_signal();
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            () = shared.shutdown.cancelled() => {
                let frame = CloseFrame { code: 1001, reason: "server shutting down".into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
            _ = drops.changed() => break,
            out = session.outbox.recv() => {
                let Some(text) = out else { break };
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => session.resolve(text.as_str()),
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    shared.relay.close(&session);
}

fn error(status: StatusCode, message: String) -> Response {
    json_response(status, &json!({ "error": message }))
}

/// `/{uuid}/mcp` (any method): resolve the artifact (any user's), switch on `context.mcp_server.kind`.
pub(crate) async fn gateway(
    State(shared): State<Arc<Shared>>,
    Path(server_id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_uuid = server_id.len() == 36 && uuid::Uuid::try_parse(&server_id).is_ok();
    let artifact = is_uuid.then(|| lock(&shared.store).find(&server_id).map(|r| r.context.clone())).flatten();
    let Some(context) = artifact else {
        return error(StatusCode::NOT_FOUND, "Unknown server_id".into());
    };
    let context: Value = serde_json::from_str(&context).unwrap_or(Value::Null);
    let mcp_server = context.get("mcp_server").filter(|v| v.is_object()).cloned().unwrap_or_else(|| json!({}));
    let kind = mcp_server.get("kind").and_then(Value::as_str).unwrap_or_default().to_owned();
    if kind != "relay" {
        // Python's repr: 'external' is not served by the double, '' for a missing kind.
        return error(StatusCode::BAD_GATEWAY, format!("Unknown mcp-server kind: '{kind}'"));
    }
    let Some(user_id) = bearer(&headers).and_then(unverified_sub) else {
        return error(StatusCode::UNAUTHORIZED, "Relay dispatch requires an authenticated user".into());
    };
    let path = uri.path_and_query().map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let mut forwarded = serde_json::Map::new();
    for (name, value) in &headers {
        forwarded.insert(name.as_str().to_owned(), json!(String::from_utf8_lossy(value.as_bytes())));
    }
    let timeout = shared.relay_timeout();
    let payload = json!({
        "server_id": server_id, "mcp_server": mcp_server, "method": method.as_str(), "path": path,
        "headers": forwarded, "body": STANDARD.encode(&body),
        "deadline_ms": u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
    });
    let envelope = match shared.relay.request(&user_id, payload, timeout).await {
        Ok(envelope) => envelope,
        Err(RelayFailure::NoSession) => {
            return error(StatusCode::BAD_GATEWAY, "No active relay session for this user".into());
        }
        Err(RelayFailure::Timeout) => return error(StatusCode::GATEWAY_TIMEOUT, "Relay request timed out".into()),
        Err(RelayFailure::Disconnected) => {
            return error(StatusCode::BAD_GATEWAY, "Relay forward failed: Relay session disconnected".into());
        }
    };
    let payload = envelope.get("payload").cloned().unwrap_or(Value::Null);
    if !payload.get("ok").and_then(Value::as_bool).unwrap_or(false) {
        let message = payload
            .pointer("/error/message")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .unwrap_or("Relay desktop returned error envelope");
        return error(StatusCode::BAD_GATEWAY, format!("Relay forward failed: {message}"));
    }
    let status = payload.get("status").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok()).unwrap_or(200);
    let body = match payload.get("body").and_then(Value::as_str).filter(|b| !b.is_empty()) {
        None => Vec::new(),
        Some(b64) => match STANDARD.decode(b64) {
            Ok(bytes) => bytes,
            Err(e) => return error(StatusCode::BAD_GATEWAY, format!("Relay forward failed: {e}")),
        },
    };
    let mut response = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    for (name, value) in payload.get("headers").and_then(Value::as_object).into_iter().flatten() {
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "transfer-encoding" | "connection" | "content-length") {
            continue;
        }
        let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(lower.as_bytes()), HeaderValue::from_str(&text)) {
            response.headers_mut().insert(n, v);
        }
    }
    response
}
