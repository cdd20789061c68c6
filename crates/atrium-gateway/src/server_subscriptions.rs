//! Subscriptions to a server's resources through `/mcp`: the agent subscribes to the namespaced URI, Atrium
//! subscribes at the server with the server's own URI, and each `notifications/resources/updated` the server sends
//! reaches every session that follows that resource, under the URI it subscribed to. Atrium has one session with
//! each server for all agents, so the server is asked once per resource: the first session to follow it subscribes,
//! the last one to stop (unsubscribing, or ending) unsubscribes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrium_api::{AgentServerAccess, AgentView};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::Shared;
use crate::pages;
use crate::rpc::{self, INTERNAL_ERROR, METHOD_NOT_FOUND};
use crate::sessions::{ServerResource as Key, Session};

/// How many sessions follow each server resource.
#[derive(Default)]
pub(crate) struct Followers {
    counts: Mutex<HashMap<Key, usize>>,
}

impl Followers {
    /// Counts one more follower; `true` for the first.
    fn take(&self, key: &Key) -> bool {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let count = counts.entry(key.clone()).or_default();
        *count += 1;
        *count == 1
    }

    /// Counts one fewer; `true` for the last.
    fn release(&self, key: &Key) -> bool {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let Some(count) = counts.get_mut(key) else { return false };
        *count = count.saturating_sub(1);
        if *count > 0 {
            return false;
        }
        counts.remove(key);
        true
    }
}

/// Asks the server to (un)subscribe `uri`; the server's answer.
async fn ask(shared: &Shared, session: &Session, agent: &AgentView, server: &str, method: &str, uri: &str) -> Value {
    let id = Value::String(session.fresh_token());
    let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": {"uri": uri}});
    match shared.atrium.gateway_forward(server, &message, agent, &session.id, shared.call_limit, None).await {
        Ok(Some(answer)) => answer,
        Ok(None) => rpc::error(&id, INTERNAL_ERROR, "The server gave no answer."),
        Err(err) => rpc::error(&id, INTERNAL_ERROR, err.message),
    }
}

/// `resources/subscribe` (`on`) or `resources/unsubscribe` of the server's resource `uri` (shown as `shown`).
#[allow(clippy::too_many_arguments)] // The request's facts, each independent.
pub(crate) async fn subscribe(
    shared: &Shared,
    session: &Session,
    agent: &AgentView,
    id: &Value,
    server: &AgentServerAccess,
    uri: String,
    shown: &str,
    on: bool,
) -> Value {
    let key: Key = (server.server_id.clone(), uri);
    if !on {
        let followed = session.server_subscriptions.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
        if followed.is_some() && shared.followers.release(&key) {
            let answer = ask(shared, session, agent, &key.0, "resources/unsubscribe", &key.1).await;
            if let Some(error) = answer.get("error") {
                tracing::debug!(%error, "a server refused an unsubscription");
            }
        }
        return rpc::result(id, json!({}));
    }
    if let Err(err) = shared.atrium.gateway_server_live(&key.0).await {
        return rpc::error(id, INTERNAL_ERROR, err.message);
    }
    if !pages::declares(shared, server, "resources/subscribe") {
        return rpc::error(id, METHOD_NOT_FOUND, format!("{} does not offer resource subscriptions.", server.title));
    }
    let fresh = session
        .server_subscriptions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key.clone(), shown.to_owned())
        .is_none();
    if fresh && shared.followers.take(&key) {
        let answer = ask(shared, session, agent, &key.0, "resources/subscribe", &key.1).await;
        if let Some(error) = answer.get("error") {
            shared.followers.release(&key);
            session.server_subscriptions.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
            return json!({"jsonrpc": "2.0", "id": id, "error": error});
        }
    }
    rpc::result(id, json!({}))
}

/// The URI the session follows the server's resource `key` under, if it does.
fn followed(session: &Session, key: &Key) -> Option<String> {
    session.server_subscriptions.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned()
}

/// Tells the session of each update of a server resource it follows; once the session ends, it follows nothing
/// any more (the server is told where it was the last follower).
pub(crate) fn watch(shared: Arc<Shared>, session: Arc<Session>, agent: AgentView) {
    let mut updates = shared.atrium.server_resource_updates();
    tokio::spawn(async move {
        loop {
            let update = tokio::select! {
                () = session.cancel.cancelled() => break,
                update = updates.recv() => update,
            };
            let shown: Vec<String> = match update {
                Ok(key) => followed(&session, &key).into_iter().collect(),
                // Fell behind: any of them may have changed.
                Err(RecvError::Lagged(_)) => {
                    let all = session.server_subscriptions.lock().unwrap_or_else(|p| p.into_inner());
                    all.values().cloned().collect()
                }
                Err(RecvError::Closed) => break,
            };
            for uri in shown {
                session.notify(rpc::notification("notifications/resources/updated", Some(json!({"uri": uri}))));
            }
        }
        // Bounded: a server that went away with the gateway answers nothing.
        let _ = tokio::time::timeout(FORGET_BOUND, forget(&shared, &session, &agent)).await;
    });
}

/// How long a session's end waits for its servers to hear it unsubscribed.
const FORGET_BOUND: Duration = Duration::from_secs(5);

async fn forget(shared: &Shared, session: &Session, agent: &AgentView) {
    let keys: Vec<Key> =
        session.server_subscriptions.lock().unwrap_or_else(|p| p.into_inner()).drain().map(|(k, _)| k).collect();
    for key in keys {
        if shared.followers.release(&key) {
            let _ = ask(shared, session, agent, &key.0, "resources/unsubscribe", &key.1).await;
        }
    }
}
