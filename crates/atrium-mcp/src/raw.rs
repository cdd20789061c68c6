//! The raw side of a live session: requests Atrium forwards for someone else (the relay's cloud callers, later the
//! agents' gateway) travel as JSON-RPC over the same supervised session, and their answers come back exactly as the
//! server wrote them — never decoded into Atrium's or rmcp's models, so no field is dropped, added, or set to null
//! on the way (rmcp's models know only the fields of the spec revision they were written for).
//!
//! Every transport hands each message it receives to [`RawSide::incoming`] first: answers to raw requests (their ids
//! are Atrium's own strings, `atrium-raw-<n>`, which rmcp never uses) stop there, and so do the server's own
//! requests and log lines that belong to a raw request's caller (who answers them); everything else continues to
//! rmcp.
//! The server's own `initialize` answer is kept as it came, for callers that need the server's exact capabilities.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use crate::error::{Failure, FailureCode};

/// The prefix of the ids raw requests carry.
const RAW_ID_PREFIX: &str = "atrium-raw-";
/// JSON-RPC's code for a request its caller cancelled (as the MCP SDKs use it).
const REQUEST_CANCELLED: i64 = -32800;

/// How a transport sends a raw message to the server. An answer that the transport receives in reply to this very
/// send (a streamable HTTP `POST` answered with JSON) is returned; others arrive through [`RawSide::incoming`].
pub(crate) trait RawSender: Send + Sync {
    /// Sends one JSON-RPC message.
    fn send(&self, message: Value) -> BoxFuture<'_, Result<Option<Value>, Failure>>;
}

/// One session's raw side.
#[derive(Default)]
pub(crate) struct RawSide {
    next: AtomicU64,
    pending: Mutex<HashMap<String, oneshot::Sender<Value>>>,
    /// Where the progress of raw requests goes, by their progress token (as JSON text).
    progress: Mutex<HashMap<String, mpsc::UnboundedSender<Value>>>,
    /// Where the server's own requests and notifications tied to a raw request go (its caller, who answers them),
    /// by the raw request's id.
    related: Mutex<HashMap<String, mpsc::UnboundedSender<Value>>>,
    initialize: OnceLock<Value>,
    sender: OnceLock<Box<dyn RawSender>>,
}

impl std::fmt::Debug for RawSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSide").field("initialized", &self.initialize.get().is_some()).finish_non_exhaustive()
    }
}

/// Removes a raw request's pending entry (and its progress route) however the request ends (answered, timed out,
/// dropped).
struct PendingGuard<'a> {
    side: &'a RawSide,
    id: String,
    progress_token: Option<String>,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        self.side.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
        self.side.related.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
        if let Some(token) = &self.progress_token {
            self.side.progress.lock().unwrap_or_else(|p| p.into_inner()).remove(token);
        }
    }
}

/// The progress token a request's params carry (`_meta.progressToken`), as JSON text.
fn progress_token(params: Option<&Value>) -> Option<String> {
    params.and_then(|p| p.pointer("/_meta/progressToken")).filter(|t| !t.is_null()).map(Value::to_string)
}

impl RawSide {
    /// Sets how raw messages reach the server (once, when the transport is made).
    pub(crate) fn connect(&self, sender: Box<dyn RawSender>) {
        let _ = self.sender.set(sender);
    }

    /// A message from the server, before rmcp sees it: `None` when it was the answer to a raw request (delivered to
    /// its caller), else the message, to pass on.
    pub(crate) fn incoming(&self, message: Value) -> Option<Value> {
        if let Some(id) = message.get("id").and_then(Value::as_str).filter(|id| id.starts_with(RAW_ID_PREFIX))
            && message.get("method").is_none()
        {
            let waiting = self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
            if let Some(waiting) = waiting {
                let _ = waiting.send(message);
            }
            return None;
        }
        // Progress of a raw request goes to its caller, as it came.
        if message.get("method").and_then(Value::as_str) == Some("notifications/progress")
            && let Some(token) = message.pointer("/params/progressToken").map(Value::to_string)
        {
            let route = self.progress.lock().unwrap_or_else(|p| p.into_inner()).get(&token).cloned();
            if let Some(route) = route {
                let _ = route.send(message);
                return None;
            }
        }
        // The server's own request or log line while exactly one raw request with a caller to answer it is in
        // flight (a stdio or SSE server says nothing else that ties them together): that caller's.
        if is_for_caller(&message) {
            let route = {
                let related = self.related.lock().unwrap_or_else(|p| p.into_inner());
                (related.len() == 1).then(|| related.values().next().cloned()).flatten()
            };
            if let Some(route) = route {
                let _ = route.send(message);
                return None;
            }
        }
        // The server's answer to `initialize`, as it came (the first answer that has its serverInfo).
        if self.initialize.get().is_none()
            && let Some(result) = message.get("result").filter(|r| r.get("serverInfo").is_some())
        {
            let _ = self.initialize.set(result.clone());
        }
        Some(message)
    }

    /// A message the server sent on the event stream that answers raw request `id` (streamable HTTP): the request's
    /// caller's when it takes them, else like any other message from the server.
    pub(crate) fn on_stream_of(&self, id: &str, message: Value) -> Option<Value> {
        let route = self.related.lock().unwrap_or_else(|p| p.into_inner()).get(id).cloned();
        match route {
            Some(route) => {
                let _ = route.send(message);
                None
            }
            None => self.incoming(message),
        }
    }

    /// The server's `initialize` result exactly as it sent it, once the session is initialized.
    pub(crate) fn initialize_result(&self) -> Option<&Value> {
        self.initialize.get()
    }

    fn sender(&self) -> Result<&dyn RawSender, Failure> {
        self.sender.get().map(|s| s.as_ref()).ok_or_else(|| {
            Failure::new(FailureCode::NotConnected, "The session cannot forward requests (it is not connected yet).")
        })
    }

    /// A fresh id for a raw request (one that rmcp never uses).
    pub(crate) fn next_id(&self) -> String {
        format!("{RAW_ID_PREFIX}{}", self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// Sends a request with an id from [`RawSide::next_id`] (named before it is answered, so it can be cancelled)
    /// and returns the server's whole response object (`{jsonrpc, id, result}` or `{…, error}`), its `id` being
    /// Atrium's own (the caller puts its id back); at most `limit` waiting. The server's progress notifications for
    /// the request's progress token go to `progress` as they come.
    pub(crate) async fn request_with_id(
        &self,
        id: String,
        method: &str,
        params: Option<&Value>,
        limit: Duration,
        progress: Option<mpsc::UnboundedSender<Value>>,
    ) -> Result<Value, Failure> {
        self.request_routed(id, method, params, limit, progress, None).await
    }

    /// [`RawSide::request_with_id`] for a caller that answers the server's own requests: those tied to this
    /// request, and its notifications with it (logging, progress), go to `related` as they came.
    pub(crate) async fn request_routed(
        &self,
        id: String,
        method: &str,
        params: Option<&Value>,
        limit: Duration,
        progress: Option<mpsc::UnboundedSender<Value>>,
        related: Option<mpsc::UnboundedSender<Value>>,
    ) -> Result<Value, Failure> {
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), tx);
        if let Some(related) = related {
            self.related.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), related);
        }
        let token = progress.and_then(|route| {
            let token = progress_token(params)?;
            self.progress.lock().unwrap_or_else(|p| p.into_inner()).insert(token.clone(), route);
            Some(token)
        });
        let _guard = PendingGuard { side: self, id: id.clone(), progress_token: token };
        let mut message = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if let Some(params) = params {
            message["params"] = params.clone();
        }
        let answered = async {
            if let Some(answer) = self.sender()?.send(message).await? {
                // A transport that gets the answer in reply to its send hands it back directly.
                return Ok(answer);
            }
            rx.await.map_err(|_| Failure::new(FailureCode::ConnectionError, "The connection ended before the answer."))
        };
        match tokio::time::timeout(limit, answered).await {
            Ok(answer) => answer,
            Err(_) => {
                // Tell the server to stop working on it.
                let cancelled = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
                    "params": {"requestId": id, "reason": "timed out"}});
                let _ = tokio::time::timeout(Duration::from_secs(1), self.notify_value(cancelled)).await;
                Err(Failure::new(
                    FailureCode::Timeout,
                    format!("No answer within {} s. The request was cancelled.", limit.as_secs_f32()),
                ))
            }
        }
    }

    /// Sends a message as it is (a caller's answer to the server's own request).
    pub(crate) async fn send_as_is(&self, message: Value) -> Result<(), Failure> {
        self.notify_value(message).await
    }

    /// Sends a notification.
    pub(crate) async fn notify(&self, method: &str, params: Option<&Value>) -> Result<(), Failure> {
        let mut message = json!({"jsonrpc": "2.0", "method": method});
        if let Some(params) = params {
            message["params"] = params.clone();
        }
        self.notify_value(message).await
    }

    async fn notify_value(&self, message: Value) -> Result<(), Failure> {
        self.sender()?.send(message).await.map(|_| ())
    }

    /// Ends a raw request its caller cancelled: the server was told and should not answer (MCP says it need not), so
    /// the caller's request is answered here, at once, with JSON-RPC's "request cancelled".
    pub(crate) fn cancelled(&self, id: &str) {
        let waiting = self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
        if let Some(waiting) = waiting {
            let _ = waiting.send(json!({"jsonrpc": "2.0", "id": id,
                "error": {"code": REQUEST_CANCELLED, "message": "The request was cancelled."}}));
        }
    }

    /// Fails every request still waiting (the connection is gone).
    pub(crate) fn close(&self) {
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.progress.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.related.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Whether a message from the server is for a forwarding caller to see: the server's own request (sampling,
/// elicitation, roots) or a log line.
fn is_for_caller(message: &Value) -> bool {
    match message.get("method").and_then(Value::as_str) {
        Some("notifications/message") => true,
        // rmcp answers a ping itself.
        Some("ping") => false,
        Some(method) => message.get("id").is_some_and(|id| !id.is_null()) && !method.starts_with("notifications/"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A sender that answers every request with what the test scripted, through `incoming`, as a stdio server would.
    struct Echo(Arc<RawSide>);
    impl RawSender for Echo {
        fn send(&self, message: Value) -> BoxFuture<'_, Result<Option<Value>, Failure>> {
            let side = self.0.clone();
            Box::pin(async move {
                if let Some(id) = message.get("id").cloned() {
                    let answer = json!({"jsonrpc": "2.0", "id": id, "result": {"tools": [{"name": "t",
                        "inputSchema": {"type": "object"}, "execution": {"taskSupport": "optional"}}]}});
                    tokio::spawn(async move { side.incoming(answer) });
                }
                Ok(None)
            })
        }
    }

    #[tokio::test]
    async fn answers_come_back_as_the_server_wrote_them() {
        let side = Arc::new(RawSide::default());
        side.connect(Box::new(Echo(side.clone())));
        let answer = side
            .request_with_id(side.next_id(), "tools/list", None, Duration::from_secs(5), None)
            .await
            .expect("answer");
        // A field rmcp's models do not know survives, and nothing was added.
        assert_eq!(answer["result"]["tools"][0]["execution"]["taskSupport"], "optional");
        assert_eq!(answer["result"]["tools"][0].as_object().map(|o| o.len()), Some(3));
        assert!(side.pending.lock().expect("lock").is_empty());
        // rmcp's own messages pass through, and the first initialize answer is kept.
        let init = json!({"jsonrpc": "2.0", "id": 0, "result": {"serverInfo": {"name": "s", "version": "1"}, "x": 1}});
        assert_eq!(side.incoming(init.clone()), Some(init));
        assert_eq!(side.initialize_result().and_then(|r| r.get("x")), Some(&json!(1)));
    }

    /// A sender that never answers: the request stays in flight.
    struct Silent;
    impl RawSender for Silent {
        fn send(&self, _: Value) -> BoxFuture<'_, Result<Option<Value>, Failure>> {
            Box::pin(async { Ok(None) })
        }
    }

    #[tokio::test]
    async fn the_servers_own_request_goes_to_the_one_caller_in_flight() {
        let side = Arc::new(RawSide::default());
        side.connect(Box::new(Silent));
        let ask = json!({"jsonrpc": "2.0", "id": 7, "method": "elicitation/create", "params": {"message": "?"}});
        // Nobody forwarding: rmcp gets it.
        assert_eq!(side.incoming(ask.clone()), Some(ask.clone()));
        let (tx, mut rx) = mpsc::unbounded_channel();
        let waiting = side.clone();
        let call = tokio::spawn(async move {
            waiting.request_routed(waiting.next_id(), "tools/call", None, Duration::from_secs(5), None, Some(tx)).await
        });
        while side.related.lock().expect("lock").is_empty() {
            tokio::task::yield_now().await;
        }
        assert_eq!(side.incoming(ask.clone()), None);
        assert_eq!(rx.recv().await, Some(ask));
        // rmcp answers pings; other notifications are rmcp's too.
        let ping = json!({"jsonrpc": "2.0", "id": 8, "method": "ping"});
        assert_eq!(side.incoming(ping.clone()), Some(ping));
        call.abort();
    }
}
