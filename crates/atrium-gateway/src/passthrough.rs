//! `/mcp/servers/<id or slug>`: one of the agent's servers, passed through. `initialize` is answered with the
//! server's own result (the session to the server is Atrium's, already made); every other message goes to the
//! server's live session as it came and its answer comes back as the server wrote it — no field dropped, none
//! added as null — with the agent's tool allowlist applied on the way (hidden from `tools/list`, refused on
//! `tools/call`), the registration's `allowed_tools` and secret masking applied by the connection manager, and
//! every tool call audited with origin `gateway` and the agent.

use std::collections::HashSet;
use std::sync::Arc;

use atrium_api::{AgentServerAccess, AgentView, Atrium};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::rpc::{self, INTERNAL_ERROR, INVALID_PARAMS};
use crate::sessions::Session;
use crate::{Shared, progress, server_requests};

/// The agent's server named by `key` (its id, or its slug within the agent's set).
pub(crate) async fn resolve(shared: &Shared, agent: &AgentView, key: &str) -> Option<AgentServerAccess> {
    let servers = shared.catalogs.servers(&shared.atrium, agent).await.ok()?;
    let by_id = servers.iter().position(|s| s.server_id == key);
    let at = by_id.or_else(|| servers.iter().position(|s| s.slug == key))?;
    servers.get(at).cloned()
}

/// The answer to `initialize`: the server's own result; the protocol revision is the client's when Atrium speaks
/// it (Atrium's session to the server already agreed its own).
pub(crate) async fn initialize(atrium: &Atrium, server: &str, id: &Value, asked: Option<&str>) -> Value {
    if let Err(err) = atrium.gateway_server_live(server).await {
        return rpc::error(id, INTERNAL_ERROR, err.message);
    }
    match atrium.gateway_initialize_result(server) {
        Ok(mut result) => {
            if let Some(asked) = asked.filter(|a| rpc::PROTOCOL_VERSIONS.contains(a)) {
                result["protocolVersion"] = Value::String(asked.to_owned());
            }
            rpc::result(id, result)
        }
        Err(err) => rpc::error(id, INTERNAL_ERROR, err.message),
    }
}

/// A notification: passed on (a cancellation reaches the request it names); `initialized` stays here, the
/// server's session was initialized by Atrium.
pub(crate) async fn notification(
    shared: &Shared,
    session: &Session,
    agent: &AgentView,
    server: &str,
    method: &str,
    message: &Value,
) {
    if method == "notifications/initialized" {
        return;
    }
    if let Err(err) = shared.atrium.gateway_forward(server, message, agent, &session.id, shared.call_limit, None).await
    {
        tracing::debug!(%err, method, "a notification did not reach its server");
    }
}

/// A request: forwarded as it came, the answer as the server wrote it. `progress` is the client's event stream
/// for this request, when it has one: the server's progress, log lines and own requests go there.
pub(crate) async fn request(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    agent: &AgentView,
    server: &str,
    message: &Value,
    progress: Option<mpsc::UnboundedSender<Value>>,
) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
    let Some(access) = resolve(shared, agent, server).await else {
        return rpc::error(&id, INVALID_PARAMS, "This server is no longer among the agent's.");
    };
    if method == "tools/call" {
        let tool = message.pointer("/params/name").and_then(Value::as_str).unwrap_or_default();
        if !access.allows(tool) {
            let reason = format!("{tool} is not among the tools this agent may call on {}.", access.title);
            let arguments = message.pointer("/params/arguments").cloned().unwrap_or(Value::Object(Default::default()));
            shared.atrium.gateway_record_denied(server, agent, tool, arguments, &reason).await;
            return rpc::error(&id, INVALID_PARAMS, reason);
        }
    }
    let mut forwarded = message.clone();
    let client = progress;
    let token = client.as_ref().and_then(|_| progress::swap(session, &mut forwarded));
    let answer = server_requests::forward(shared, session, agent, server, &id, &forwarded, client, token).await;
    let mut answer = match answer {
        Ok(Some(answer)) => answer,
        Ok(None) => return rpc::error(&id, INTERNAL_ERROR, "The server gave no answer."),
        Err(err) => return rpc::error(&id, INTERNAL_ERROR, err.message),
    };
    // The agent's allowlist hides the rest, as the registration's does.
    if method == "tools/list"
        && let Some(only) = &access.tools
        && let Some(tools) = answer.pointer_mut("/result/tools").and_then(Value::as_array_mut)
    {
        let only: HashSet<&str> = only.iter().map(String::as_str).collect();
        tools.retain(|t| t.get("name").and_then(Value::as_str).is_some_and(|n| only.contains(n)));
    }
    answer
}
