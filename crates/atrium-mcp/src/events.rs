//! What the connection manager reports as it happens, and the elicitation broker that waits for a person's answer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use crate::model::{CallProgress, LogLine};
use crate::status::ServerStatus;

/// Receives what happens on servers; the desktop shell forwards it to the window, the CLI prints it.
pub trait ServerEvents: Send + Sync + 'static {
    /// A server's status changed.
    fn status_changed(&self, _server_id: &str, _status: &ServerStatus) {}
    /// A server logged a line (MCP `notifications/message`, stderr, or Atrium's own note).
    fn log(&self, _server_id: &str, _line: &LogLine) {}
    /// A running call reported progress.
    fn progress(&self, _server_id: &str, _progress: &CallProgress) {}
    /// A server asks the person for input; answer with [`crate::ServerSet::answer_elicitation`].
    fn elicitation_requested(&self, _request: &ElicitationRequest) {}
    /// An elicitation was answered or abandoned (the form can close).
    fn elicitation_closed(&self, _id: &str) {}
    /// A server's tools, resources or prompts changed.
    fn catalog_changed(&self, _server_id: &str) {}
    /// One of a server's lists changed (its `notifications/<list>/list_changed`); for tools, after the new list
    /// was read, so [`crate::ServerSet::tools`] has it.
    fn list_changed(&self, _server_id: &str, _list: CatalogList) {}
    /// A resource someone subscribed to at the server changed (its `notifications/resources/updated`).
    fn resource_updated(&self, _server_id: &str, _uri: &str) {}
    /// Calls to this server were written to the audit log (after the write, so a reader sees them).
    fn audit_recorded(&self, _server_id: &str) {}
    /// A server's authentication changed (signed in, refreshing, login required, …).
    fn auth_changed(&self, _server_id: &str, _auth: &crate::ServerAuth) {}
}

/// Which of a server's lists changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogList {
    /// Its tools.
    Tools,
    /// Its resources (and resource templates).
    Resources,
    /// Its prompts.
    Prompts,
}

/// Events nobody listens to.
#[derive(Debug, Default)]
pub struct NoEvents;
impl ServerEvents for NoEvents {}

/// A server's request for input (`elicitation/create`, form mode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ElicitationRequest {
    /// Id to answer with.
    pub id: String,
    /// The asking server.
    pub server_id: String,
    /// Its title.
    pub server_title: String,
    /// What the server asks.
    pub message: String,
    /// The JSON Schema of the answer (flat object of primitive properties, with defaults).
    pub requested_schema: Value,
}

/// What the person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ElicitationAction {
    /// Send the answer.
    Accept,
    /// Refuse to answer.
    Decline,
    /// Dismiss without deciding.
    Cancel,
}

/// An answer to an elicitation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ElicitationAnswer {
    /// The decision.
    pub action: ElicitationAction,
    /// The values, when accepted; fields left out take the schema's defaults.
    #[serde(default)]
    pub content: Option<Map<String, Value>>,
}

/// How elicitations are answered when they arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElicitationPolicy {
    /// Ask the person through [`ServerEvents::elicitation_requested`] and wait for the answer.
    Ask,
    /// Accept at once with the schema's defaults (headless use, the conformance driver).
    AcceptDefaults,
    /// Decline at once (headless use without a person).
    Decline,
}

/// Fills the fields the answer leaves out with the defaults of `schema` (SEP-1034).
pub fn apply_defaults(schema: &Value, content: Option<Map<String, Value>>) -> Map<String, Value> {
    let mut content = content.unwrap_or_default();
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if let Some(default) = property.get("default")
                && !content.contains_key(name)
            {
                content.insert(name.clone(), default.clone());
            }
        }
    }
    content
}

/// Pending elicitations. Owns its synchronization; never held across an await.
#[derive(Debug, Default)]
pub(crate) struct Elicitations {
    next: AtomicU64,
    pending: Mutex<HashMap<String, oneshot::Sender<ElicitationAnswer>>>,
    /// How many are waiting for a person; calls do not time out meanwhile.
    waiting: AtomicUsize,
}

impl Elicitations {
    pub(crate) fn open(&self) -> (String, oneshot::Receiver<ElicitationAnswer>) {
        let id = format!("elicitation-{}", self.next.fetch_add(1, Ordering::Relaxed) + 1);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone(), tx);
        (id, rx)
    }

    pub(crate) fn answer(&self, id: &str, answer: ElicitationAnswer) -> bool {
        let sender = self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
        sender.is_some_and(|tx| tx.send(answer).is_ok())
    }

    pub(crate) fn forget(&self, id: &str) {
        self.pending.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }

    pub(crate) fn waiting(&self) -> &AtomicUsize {
        &self.waiting
    }

    pub(crate) fn is_waiting(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) > 0
    }
}

/// Decrements the waiting count when an elicitation ends, however it ends.
pub(crate) struct WaitingGuard<'a>(pub(crate) &'a AtomicUsize);
impl<'a> WaitingGuard<'a> {
    pub(crate) fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        WaitingGuard(count)
    }
}
impl Drop for WaitingGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Shared handle to the events sink.
pub(crate) type Events = Arc<dyn ServerEvents>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_fill_only_missing_fields() {
        let schema = json!({"type": "object", "properties": {
            "name": {"type": "string", "default": "John Doe"},
            "age": {"type": "integer", "default": 30},
            "note": {"type": "string"}}});
        let given = json!({"age": 41}).as_object().cloned();
        assert_eq!(Value::Object(apply_defaults(&schema, given)), json!({"name": "John Doe", "age": 41}));
    }
}
