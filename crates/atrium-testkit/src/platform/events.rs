//! Mantle's `/events` WebSocket: auth at the upgrade, then the socket's loop between the client and the bus.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt as _, StreamExt as _};
use tokio::sync::mpsc;

use super::http::bearer;
use super::state::{Shared, bump};

/// `GET /events` (WebSocket): auth by header or `?access_token=` (an access JWT or an `agc_` key). Anything else
/// is refused with HTTP 403 before the upgrade: Mantle closes the socket before accepting it, which Starlette
/// answers with 403.
pub(crate) async fn events_ws(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let token = bearer(&headers).map(str::to_owned).or_else(|| query.get("access_token").cloned());
    let Some(user) = token.as_deref().and_then(|t| shared.resolve_bearer(t)) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    match ws {
        Ok(ws) => ws.on_upgrade(move |socket| run(shared, socket, user.id)),
        Err(rejection) => rejection.into_response(),
    }
}

async fn run(shared: Arc<Shared>, socket: WebSocket, user_id: String) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = shared.events.register(user_id, tx);
    bump(&shared.counters.events_sockets);
    let mut drops = shared.faults.drop_signal();
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            () = shared.shutdown.cancelled() => {
                let frame = CloseFrame { code: 1001, reason: "server shutting down".into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
            // An abrupt drop: the socket goes away with no close frame.
            _ = drops.changed() => break,
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if let Some(reply) = shared.events.handle(id, text.as_str())
                        && sink.send(Message::Text(reply.to_string().into())).await.is_err()
                    {
                        break;
                    }
                }
                Some(Ok(Message::Binary(_) | Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
            },
            out = rx.recv() => {
                // Only events come through here; replies above go out at once. Events wait the injected latency.
                let Some(text) = out else { break };
                let latency = shared.faults.latency_ms();
                if latency > 0 {
                    tokio::time::sleep(Duration::from_millis(latency)).await;
                }
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
        }
    }
    shared.events.unregister(id);
    let _ = shared.counters.events_sockets.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
}
