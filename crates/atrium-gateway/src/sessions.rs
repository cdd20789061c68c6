//! MCP sessions (`Mcp-Session-Id`): made by `initialize`, bound to the agent that made them and to one endpoint,
//! ended by `DELETE`, by the agent's removal (its next request is refused), by an hour without use, or when the
//! gateway stops. Each has its own cancellation token (its list_changed watcher and its open stream end with it)
//! and knows which server each of its forwarded requests went to, so a cancellation reaches that server.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

/// A session unused this long is dropped.
pub(crate) const IDLE_LIMIT: Duration = Duration::from_secs(3600);

/// Which endpoint a session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `/mcp`: the workspace tools and the agent's servers' tools.
    Agent,
    /// `/mcp/servers/<id>`: one server passed through.
    Server(String),
}

/// A resource at a server: the server's id and its own URI.
pub(crate) type ServerResource = (String, String);

/// One client session.
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) agent_id: String,
    pub(crate) endpoint: Endpoint,
    pub(crate) cancel: CancellationToken,
    /// The standalone event stream (`GET`), while the client holds one open.
    pub(crate) stream: Mutex<Option<mpsc::UnboundedSender<Value>>>,
    /// Forwarded requests still waiting: the client's id (as JSON text) → the server it went to.
    pub(crate) in_flight: Mutex<HashMap<String, String>>,
    /// The client's capabilities, as its `initialize` declared them (which of the server's own requests it takes).
    pub(crate) capabilities: Value,
    /// The server's own requests sent on to the client and not answered yet: the id the client was given → the
    /// server and the id the server gave.
    pub(crate) asked: Mutex<HashMap<String, (String, Value)>>,
    /// The artifacts the session subscribed to (`/mcp` only): the artifact's id → its workspace.
    pub(crate) subscriptions: Mutex<HashMap<String, String>>,
    /// The servers' resources the session subscribed to (`/mcp` only): the server and its URI → the URI shown.
    pub(crate) server_subscriptions: Mutex<HashMap<ServerResource, String>>,
    last_seen: Mutex<Instant>,
    next: AtomicU64,
}

impl Session {
    /// Marks the session used now.
    pub(crate) fn touch(&self) {
        *self.last_seen.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }

    /// A progress token no other session's request uses (servers route progress by token, and two clients may
    /// both pick `0`).
    pub(crate) fn fresh_token(&self) -> String {
        format!("atrium-gw-{}-{}", self.id, self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// The artifacts it follows, with their workspaces.
    pub(crate) fn subscribed(&self) -> Vec<(String, String)> {
        let subscriptions = self.subscriptions.lock().unwrap_or_else(|p| p.into_inner());
        subscriptions.iter().map(|(a, w)| (a.clone(), w.clone())).collect()
    }

    /// Sends a notification on the session's standalone stream, if one is open.
    pub(crate) fn notify(&self, message: Value) -> bool {
        let stream = self.stream.lock().unwrap_or_else(|p| p.into_inner());
        stream.as_ref().is_some_and(|tx| tx.send(message).is_ok())
    }
}

/// Every live session.
#[derive(Default)]
pub(crate) struct Sessions {
    map: Mutex<HashMap<String, Arc<Session>>>,
}

/// An unguessable id (128 random bits).
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No system randomness: a v4 UUID still comes from a seeded generator, never a counter.
        return uuid::Uuid::new_v4().simple().to_string();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Sessions {
    /// Makes a session for `agent_id` on `endpoint`, its cancellation a child of `parent`.
    pub(crate) fn open(
        &self,
        agent_id: &str,
        endpoint: Endpoint,
        capabilities: Value,
        parent: &CancellationToken,
    ) -> Arc<Session> {
        let session = Arc::new(Session {
            id: random_id(),
            agent_id: agent_id.to_owned(),
            endpoint,
            cancel: parent.child_token(),
            stream: Mutex::new(None),
            in_flight: Mutex::new(HashMap::new()),
            capabilities,
            asked: Mutex::new(HashMap::new()),
            subscriptions: Mutex::new(HashMap::new()),
            server_subscriptions: Mutex::new(HashMap::new()),
            last_seen: Mutex::new(Instant::now()),
            next: AtomicU64::new(0),
        });
        self.map.lock().unwrap_or_else(|p| p.into_inner()).insert(session.id.clone(), session.clone());
        session
    }

    /// The session `id` if it exists and belongs to `agent_id` on `endpoint` (anything else is "no such session",
    /// so one agent learns nothing of another's).
    pub(crate) fn find(&self, id: &str, agent_id: &str, endpoint: &Endpoint) -> Option<Arc<Session>> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id).filter(|s| s.agent_id == agent_id && &s.endpoint == endpoint).cloned()
    }

    /// Ends a session; `false` when there was none.
    pub(crate) fn close(&self, id: &str) -> bool {
        let removed = self.map.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
        removed.map(|s| s.cancel.cancel()).is_some()
    }

    /// Drops the sessions unused for [`IDLE_LIMIT`].
    pub(crate) fn sweep(&self) {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, s| {
            let idle = now.duration_since(*s.last_seen.lock().unwrap_or_else(|p| p.into_inner())) > IDLE_LIMIT;
            if idle {
                s.cancel.cancel();
            }
            !idle
        });
    }

    /// How many sessions are open.
    pub(crate) fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// Calls in flight per agent: at most `per_agent` each, so one agent cannot take every slot of a server's queue
/// or of the store's writer from the others.
pub(crate) struct CallLimits {
    per_agent: usize,
    map: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl CallLimits {
    pub(crate) fn new(per_agent: usize) -> Self {
        CallLimits { per_agent: per_agent.max(1), map: Mutex::new(HashMap::new()) }
    }

    /// The limit.
    pub(crate) fn per_agent(&self) -> usize {
        self.per_agent
    }

    /// A slot for one call of `agent_id`, or `None` when all of its slots are taken.
    pub(crate) fn try_take(&self, agent_id: &str) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let semaphore = self
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(agent_id.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_agent)))
            .clone();
        semaphore.try_acquire_owned().ok()
    }
}
