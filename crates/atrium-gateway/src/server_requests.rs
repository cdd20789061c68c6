//! The server's own requests (sampling, elicitation, roots) and its log lines during a forwarded request, on their
//! way to the client that made the request, and the client's answers on their way back. A request the client
//! gets carries an id of the gateway's own (two clients' answers never meet, and a client never sees another's
//! id); its answer goes back to the server under the server's id. A request the client cannot take (it did not
//! declare the capability, or it has no stream to hear it on) is answered here with an error, so the server never
//! waits for it.

use std::sync::Arc;

use atrium_api::AgentView;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::rpc::{self, METHOD_NOT_FOUND};
use crate::sessions::Session;
use crate::{Shared, progress};

/// The capability a server request needs the client to have declared, `None` for a method no client capability
/// covers.
fn capability(method: &str) -> Option<&'static str> {
    match method {
        "sampling/createMessage" => Some("sampling"),
        "elicitation/create" => Some("elicitation"),
        "roots/list" => Some("roots"),
        _ => None,
    }
}

/// Forwards `forwarded` (the client's request `id`, its progress token already swapped for the gateway's) to
/// `server` for the agent's session: the server's progress, log lines and own requests with it go to `client` (or
/// are refused, see [`route`]), the request counts as in flight meanwhile, and whatever the server said before its
/// answer has reached the client when this returns.
#[allow(clippy::too_many_arguments)] // Who asks, where it goes, and where what comes back goes: all independent.
pub(crate) async fn forward(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    agent: &AgentView,
    server: &str,
    id: &Value,
    forwarded: &Value,
    client: Option<mpsc::UnboundedSender<Value>>,
    progress_token: Option<Value>,
) -> atrium_api::ApiResult<Option<Value>> {
    let wants_progress = progress_token.is_some();
    let (related, route) = route(shared, session, agent, server, client, progress_token);
    let key = id.to_string();
    session.in_flight.lock().unwrap_or_else(|p| p.into_inner()).insert(key.clone(), server.to_owned());
    let answer = shared
        .atrium
        .gateway_forward_routed(
            server,
            forwarded,
            agent,
            &session.id,
            shared.call_limit,
            wants_progress.then(|| related.clone()),
            Some(related),
        )
        .await;
    let _ = route.await;
    session.in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
    answer
}

/// The route of the server's messages tied to one forwarded request: the returned sender takes them, and each goes
/// to `client` (the request's event stream, when the client has one) in the order the server sent them, progress
/// with the client's own token (`progress_token`) back in place. The task ends once the forwarding has dropped
/// every sender and all went on; await it before the answer, so nothing the server said first comes after.
pub(crate) fn route(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    agent: &AgentView,
    server: &str,
    client: Option<mpsc::UnboundedSender<Value>>,
    progress_token: Option<Value>,
) -> (mpsc::UnboundedSender<Value>, JoinHandle<()>) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    let (shared, session, agent, server) = (shared.clone(), session.clone(), agent.clone(), server.to_owned());
    // Ends when the forwarding drops its sender (the request ended).
    let task = tokio::spawn(async move {
        // The ids this request's client was given: those it never answered are forgotten when the request ends.
        let mut given = Vec::new();
        while let Some(mut message) = rx.recv().await {
            let method = message.get("method").and_then(Value::as_str).unwrap_or_default().to_owned();
            let server_id = message.get("id").filter(|id| !id.is_null()).cloned();
            let Some(server_id) = server_id else {
                // A notification: progress carries the client's token back, a cancellation of one of the server's
                // requests names the id the client was given; the rest (log lines) goes as it came.
                if method == "notifications/progress" {
                    let Some(original) = &progress_token else { continue };
                    progress::restore(&mut message, original);
                }
                if method == "notifications/cancelled" {
                    let named = message.pointer("/params/requestId").cloned();
                    let asked = session.asked.lock().unwrap_or_else(|p| p.into_inner());
                    let ours = given.iter().find(|o| asked.get(*o).is_some_and(|(_, id)| Some(id) == named.as_ref()));
                    let Some(ours) = ours.cloned() else { continue };
                    drop(asked);
                    message["params"]["requestId"] = Value::String(ours);
                }
                if let Some(client) = &client {
                    let _ = client.send(message);
                }
                continue;
            };
            let declared =
                capability(&method).is_some_and(|c| session.capabilities.get(c).is_some_and(|v| !v.is_null()));
            let refusal = match (&client, declared) {
                (Some(client), true) => {
                    let ours = session.fresh_token();
                    message["id"] = Value::String(ours.clone());
                    session
                        .asked
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(ours.clone(), (server.clone(), server_id.clone()));
                    if client.send(message).is_ok() {
                        given.push(ours);
                        continue;
                    }
                    session.asked.lock().unwrap_or_else(|p| p.into_inner()).remove(&ours);
                    format!("The client is no longer listening for {method}.")
                }
                (None, true) => format!("The client has no event stream open to receive {method} on."),
                (_, false) => match capability(&method) {
                    Some(c) => format!("The client did not declare the {c} capability."),
                    None => format!("The client does not take {method} through Atrium."),
                },
            };
            let answer = rpc::error(&server_id, METHOD_NOT_FOUND, refusal);
            if let Err(err) = shared
                .atrium
                .gateway_forward_routed(&server, &answer, &agent, &session.id, shared.call_limit, None, None)
                .await
            {
                tracing::debug!(%err, method, "a refusal did not reach the server");
            }
        }
        let mut asked = session.asked.lock().unwrap_or_else(|p| p.into_inner());
        for ours in given {
            asked.remove(&ours);
        }
    });
    (tx, task)
}

/// A response the client POSTed: the answer to one of the server's requests it was given, sent to that server
/// under the server's own id. `false` when it answers nothing the gateway asked this session.
pub(crate) async fn answer(shared: &Shared, session: &Session, agent: &AgentView, message: &Value) -> bool {
    let Some(ours) = message.get("id").and_then(Value::as_str) else { return false };
    let asked = session.asked.lock().unwrap_or_else(|p| p.into_inner()).remove(ours);
    let Some((server, server_id)) = asked else { return false };
    let mut answer = message.clone();
    answer["id"] = server_id;
    if let Err(err) =
        shared.atrium.gateway_forward_routed(&server, &answer, agent, &session.id, shared.call_limit, None, None).await
    {
        tracing::debug!(%err, "an answer did not reach the server");
    }
    true
}
