//! Chorus's relay sessions: the open Desktop Host Relay sockets by user, and the `mcp_request` →
//! `mcp_response` pairing that the gateway and `PlatformDouble::relay_request` wait on.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use super::model::RelayFailure;
use super::util::lock;

/// Requests in flight on one session, by envelope id.
type Pending = Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>;

struct Session {
    id: u64,
    tx: mpsc::UnboundedSender<String>,
    pending: Pending,
}

/// One open session as its socket loop holds it: what to send out, and where answers go.
pub(crate) struct SessionHandle {
    pub id: u64,
    pub user_id: String,
    /// Envelopes to send to the desktop.
    pub outbox: mpsc::UnboundedReceiver<String>,
    pending: Pending,
}

impl SessionHandle {
    /// Hands an `mcp_response` to its waiter; anything else (other types, unknown or late ids) is ignored.
    pub(crate) fn resolve(&self, text: &str) {
        let Ok(envelope) = serde_json::from_str::<Value>(text) else { return };
        if envelope.get("type").and_then(Value::as_str) != Some("mcp_response") {
            return;
        }
        let Some(id) = envelope.get("id").and_then(Value::as_str) else { return };
        if let Some(waiter) = lock(&self.pending).remove(id) {
            let _ = waiter.send(envelope);
        }
    }
}

/// Open relay sessions by user (newest last).
#[derive(Default)]
pub(crate) struct RelayHub {
    sessions: Mutex<HashMap<String, Vec<Session>>>,
    next_id: AtomicU64,
}

impl RelayHub {
    pub(crate) fn count(&self) -> usize {
        lock(&self.sessions).values().map(Vec::len).sum()
    }

    /// Opens a session for the user; it becomes the one requests go to.
    pub(crate) fn open(&self, user_id: &str) -> SessionHandle {
        let (tx, outbox) = mpsc::unbounded_channel::<String>();
        let pending: Pending = Arc::default();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let session = Session { id, tx, pending: pending.clone() };
        lock(&self.sessions).entry(user_id.to_owned()).or_default().push(session);
        SessionHandle { id, user_id: user_id.to_owned(), outbox, pending }
    }

    /// Closes a session: it leaves the hub, and every request in flight on it fails at once.
    pub(crate) fn close(&self, handle: &SessionHandle) {
        let mut sessions = lock(&self.sessions);
        if let Some(list) = sessions.get_mut(&handle.user_id) {
            list.retain(|s| s.id != handle.id);
            if list.is_empty() {
                sessions.remove(&handle.user_id);
            }
        }
        drop(sessions);
        // Dropping the senders wakes every waiter with an error.
        lock(&handle.pending).clear();
    }

    /// Sends an `mcp_request` carrying `payload` to the user's newest session and waits for the `mcp_response`
    /// with the same envelope id.
    pub(crate) async fn request(
        &self,
        user_id: &str,
        payload: Value,
        timeout: Duration,
    ) -> Result<Value, RelayFailure> {
        let request_id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        let pending = {
            let sessions = lock(&self.sessions);
            let session = sessions.get(user_id).and_then(|s| s.last()).ok_or(RelayFailure::NoSession)?;
            let envelope = json!({
                "type": "mcp_request", "v": 1, "id": request_id,
                "ts": chrono::Utc::now().timestamp(), "payload": payload,
            });
            lock(&session.pending).insert(request_id.clone(), tx);
            if session.tx.send(envelope.to_string()).is_err() {
                lock(&session.pending).remove(&request_id);
                return Err(RelayFailure::Disconnected);
            }
            session.pending.clone()
        };
        let result = match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(envelope)) => Ok(envelope),
            // The session went away: its pending senders were dropped.
            Ok(Err(_)) => Err(RelayFailure::Disconnected),
            Err(_) => Err(RelayFailure::Timeout),
        };
        lock(&pending).remove(&request_id);
        result
    }
}
