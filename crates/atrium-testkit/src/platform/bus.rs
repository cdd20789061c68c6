//! Mantle's event bus behind `/events`: subscriptions with filters (fnmatch globs for event names) and the
//! fan-out of artifact events to the sockets whose user may see them. No replay, as on the platform.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::util::{epoch_secs, lock};

/// One bus event: what subscribers see (`name`, `payload`) and what filters and the ACL look at.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub name: &'static str,
    pub payload: Value,
    pub container_id: String,
    pub artifact_id: String,
    pub content_type: Option<String>,
    pub actor_id: String,
    /// Readers of the container are exactly its owner in the double.
    pub container_owner: String,
}

/// A subscription filter; an absent field matches anything, `event_names` are fnmatch globs.
#[derive(Clone, Debug, Default)]
struct Filter {
    container_id: Option<String>,
    artifact_id: Option<String>,
    content_type: Option<String>,
    event_names: Option<Vec<String>>,
}

impl Filter {
    fn parse(raw: Option<&Value>) -> Filter {
        let field =
            |k: &str| raw.and_then(|r| r.get(k)).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned);
        let event_names = raw
            .and_then(|r| r.get("event_names"))
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).map(str::to_owned).collect());
        Filter {
            container_id: field("container_id"),
            artifact_id: field("artifact_id"),
            content_type: field("content_type"),
            event_names,
        }
    }

    fn matches(&self, ev: &Event) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| Some(w) == have);
        eq(&self.container_id, Some(&ev.container_id))
            && eq(&self.artifact_id, Some(&ev.artifact_id))
            && eq(&self.content_type, ev.content_type.as_deref())
            && self
                .event_names
                .as_ref()
                .is_none_or(|names| names.is_empty() || names.iter().any(|p| glob(p.as_bytes(), ev.name.as_bytes())))
    }
}

/// fnmatch-style `*` and `?` matching (case-sensitive, like `fnmatchcase`).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match (pattern.first(), text.first()) {
        (None, None) => true,
        (Some(b'*'), _) => glob(&pattern[1..], text) || (!text.is_empty() && glob(pattern, &text[1..])),
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &text[1..]),
        (Some(p), Some(t)) if p == t => glob(&pattern[1..], &text[1..]),
        _ => false,
    }
}

struct Socket {
    user_id: String,
    subs: HashMap<String, Filter>,
    tx: mpsc::UnboundedSender<String>,
}

/// Open `/events` sockets and their subscriptions.
#[derive(Default)]
pub(crate) struct EventsHub {
    sockets: Mutex<HashMap<u64, Socket>>,
    next_id: AtomicU64,
}

impl EventsHub {
    /// Fans an event out to every matching subscription of every socket whose user may see it.
    pub(crate) fn emit(&self, ev: Event) {
        let ts = epoch_secs();
        let event_id = uuid::Uuid::new_v4().simple().to_string();
        let sockets = lock(&self.sockets);
        for socket in sockets.values() {
            if socket.user_id != ev.actor_id && socket.user_id != ev.container_owner {
                continue;
            }
            for (sub_id, filter) in &socket.subs {
                if filter.matches(&ev) {
                    let msg = json!({
                        "event": ev.name, "payload": ev.payload, "sub_id": sub_id, "ts": ts, "event_id": event_id,
                    });
                    let _ = socket.tx.send(msg.to_string());
                }
            }
        }
    }

    pub(crate) fn register(&self, user_id: String, tx: mpsc::UnboundedSender<String>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lock(&self.sockets).insert(id, Socket { user_id, subs: HashMap::new(), tx });
        id
    }

    pub(crate) fn unregister(&self, id: u64) {
        lock(&self.sockets).remove(&id);
    }

    /// Handles one client message; the reply to send, if any.
    pub(crate) fn handle(&self, socket_id: u64, text: &str) -> Option<Value> {
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            return Some(json!({ "error": "invalid JSON" }));
        };
        // The platform skips any message that is not a JSON object.
        let obj = message.as_object()?;
        let op = obj.get("op");
        let id = match obj.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let mut sockets = lock(&self.sockets);
        let socket = sockets.get_mut(&socket_id)?;
        match op.and_then(Value::as_str) {
            Some("ping") => Some(json!({ "pong": true })),
            Some("subscribe") if id.is_empty() => Some(json!({ "error": "subscribe requires id" })),
            Some("subscribe") if socket.subs.contains_key(&id) => {
                Some(json!({ "error": format!("sub {id} already exists") }))
            }
            Some("subscribe") => {
                socket.subs.insert(id.clone(), Filter::parse(obj.get("filter")));
                Some(json!({ "ack": id }))
            }
            Some("unsubscribe") => {
                socket.subs.remove(&id);
                Some(json!({ "unack": id }))
            }
            _ => {
                // Python's repr of the op: 'x' for a string, None when absent.
                let shown = match op {
                    Some(Value::String(s)) => format!("'{s}'"),
                    None | Some(Value::Null) => "None".to_owned(),
                    Some(other) => other.to_string(),
                };
                Some(json!({ "error": format!("unknown op {shown}") }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs() {
        assert!(glob(b"artifact.*", b"artifact.updated"));
        assert!(glob(b"artifact.invoke.*", b"artifact.invoke.started"));
        assert!(!glob(b"artifact.invoke.*", b"artifact.updated"));
        assert!(glob(b"artifact.?pdated", b"artifact.updated"));
    }
}
