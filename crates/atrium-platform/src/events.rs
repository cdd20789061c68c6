//! Mantle's `/events` WebSocket: live artifact changes for the linked containers. It has no cursor and no
//! replay, so after every (re)connect the caller lists the containers again.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::{PlatformError, Result};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A change the feed reported.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedEvent {
    /// Created or updated: the artifact as the platform now has it.
    Upserted {
        /// Which subscription (the local workspace id).
        subscription: String,
        /// The artifact.
        artifact: Value,
    },
    /// Deleted.
    Deleted {
        /// Which subscription (the local workspace id).
        subscription: String,
        /// The deleted artifact's id.
        artifact_id: String,
    },
    /// Something else (acks, pongs, other event names).
    Other,
}

/// One open `/events` connection.
pub struct EventFeed {
    socket: Socket,
}

/// Builds a WebSocket request with the bearer and Atrium's client header.
pub(crate) fn ws_request(url: &str, bearer: &str) -> Result<tokio_tungstenite::tungstenite::http::Request<()>> {
    let bad = |reason: String| PlatformError::BadUrl { url: url.to_owned(), reason };
    let mut request = url.into_client_request().map_err(|e| bad(e.to_string()))?;
    let headers = request.headers_mut();
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!("Bearer {bearer}"))
            .map_err(|_| bad("the token is not a header value".into()))?,
    );
    headers.insert(
        "x-agience-client",
        HeaderValue::from_str(&format!("desktop-host/atrium-{}", env!("CARGO_PKG_VERSION")))
            .map_err(|_| bad("bad version".into()))?,
    );
    Ok(request)
}

impl EventFeed {
    /// Connects with `bearer`.
    pub async fn connect(url: &str, bearer: &str) -> Result<Self> {
        let request = ws_request(url, bearer)?;
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .map_err(|e| PlatformError::Unreachable { url: url.to_owned(), reason: e.to_string() })?;
        Ok(EventFeed { socket })
    }

    /// Subscribes to one container's events under the local workspace id.
    pub async fn subscribe(&mut self, workspace_id: &str, container_id: &str) -> Result<()> {
        let op = json!({"op": "subscribe", "id": workspace_id, "filter": {"container_id": container_id, "event_names": ["artifact.*"]}});
        self.send(op).await
    }

    /// Pings at the WebSocket level (the platform's JSON ping is optional; its pong is not relied on).
    pub async fn ping(&mut self) -> Result<()> {
        self.socket
            .send(Message::Ping(Vec::new().into()))
            .await
            .map_err(|e| PlatformError::Unreachable { url: "/events".into(), reason: e.to_string() })
    }

    async fn send(&mut self, value: Value) -> Result<()> {
        self.socket
            .send(Message::Text(value.to_string().into()))
            .await
            .map_err(|e| PlatformError::Unreachable { url: "/events".into(), reason: e.to_string() })
    }

    /// The next event; `Err` when the connection ended (a 4401 close means the token was refused).
    pub async fn next(&mut self) -> Result<FeedEvent> {
        loop {
            let message = self.socket.next().await;
            let message = match message {
                Some(Ok(m)) => m,
                Some(Err(e)) => {
                    return Err(PlatformError::Unreachable { url: "/events".into(), reason: e.to_string() });
                }
                None => return Err(PlatformError::Unreachable { url: "/events".into(), reason: "closed".into() }),
            };
            match message {
                Message::Text(text) => return Ok(parse_event(&text)),
                Message::Close(frame) => {
                    if frame.as_ref().is_some_and(|f| u16::from(f.code) == 4401) {
                        return Err(PlatformError::SignedOut);
                    }
                    return Err(PlatformError::Unreachable { url: "/events".into(), reason: "closed".into() });
                }
                _ => {}
            }
        }
    }

    /// Closes the connection politely.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// Reads one frame; anything unexpected is [`FeedEvent::Other`] (a garbage frame must not end the feed).
pub fn parse_event(text: &str) -> FeedEvent {
    let Ok(value) = serde_json::from_str::<Value>(text) else { return FeedEvent::Other };
    let subscription = value.get("sub_id").and_then(Value::as_str).unwrap_or_default().to_owned();
    let payload = value.get("payload").cloned().unwrap_or(Value::Null);
    match value.get("event").and_then(Value::as_str) {
        Some("artifact.created" | "artifact.updated") => match payload.get("artifact") {
            Some(artifact) if artifact.is_object() => FeedEvent::Upserted { subscription, artifact: artifact.clone() },
            _ => FeedEvent::Other,
        },
        Some("artifact.deleted") => match payload.get("artifact_id").and_then(Value::as_str) {
            Some(id) => FeedEvent::Deleted { subscription, artifact_id: id.to_owned() },
            None => FeedEvent::Other,
        },
        _ => FeedEvent::Other,
    }
}
