//! Idempotent writes: `publish_artifact` and `add_revision` run once per idempotency key, and a retry with the same
//! key gets the first call's result instead of a second artifact or revision. Without a key, the call's own
//! identity is one — its session, its JSON-RPC id and its arguments — so a client that resends a request it never
//! heard the answer to (a dropped connection, a timeout) writes once. The session is part of it because JSON-RPC
//! ids restart with every connection: without it, one connection's request 3 would be answered with another's.

use std::future::Future;

use atrium_api::{AgentView, Atrium, IdempotentStart};
use serde_json::{Map, Value, json};

/// The longest idempotency key taken.
const KEY_MAX: usize = 200;

/// The `idempotency_key` argument's schema.
pub(super) fn key_schema() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": KEY_MAX,
        "description": "Optional. A retry with the same key and arguments returns the first call's result instead of writing again; without one, resending the same request (same JSON-RPC id, same session) is safe."})
}

/// Who sent a call: its session and its JSON-RPC id.
pub(crate) struct Caller<'a> {
    /// The MCP session.
    pub(crate) session_id: &'a str,
    /// The request's JSON-RPC id.
    pub(crate) request_id: &'a Value,
}

/// Runs `write` once for its key: a retry gets the kept result, a key still running or used for other arguments
/// is a refusal the agent can act on. A write that fails lets its key go, so a retry runs again.
pub(super) async fn once(
    atrium: &Atrium,
    agent: &AgentView,
    tool: &str,
    args: &Map<String, Value>,
    caller: &Caller<'_>,
    write: impl Future<Output = Result<Value, String>>,
) -> Result<Value, String> {
    let arguments = Value::Object(args.clone());
    let key = match args.get("idempotency_key") {
        None | Some(Value::Null) => format!("rpc {} {}", caller.session_id, caller.request_id),
        Some(Value::String(key)) if !key.is_empty() && key.chars().count() <= KEY_MAX => format!("key {key}"),
        Some(_) => return Err(format!("idempotency_key is a string of 1 to {KEY_MAX} characters.")),
    };
    let start = atrium.agent_idempotent_begin(agent, tool, &key, &arguments).await.map_err(|e| e.message)?;
    match start {
        IdempotentStart::Run => {}
        IdempotentStart::Done(kept) => {
            tracing::debug!(tool, "answered a retry with the first call's result");
            return serde_json::from_str(&kept).map_err(|e| format!("The kept result is unreadable: {e}"));
        }
        IdempotentStart::Running => {
            return Err(format!("A {tool} call with this idempotency key is still running: retry in a moment."));
        }
        IdempotentStart::OtherRequest => {
            return Err(format!(
                "This idempotency_key was used for a {tool} call with other arguments: use a new key for a new request."
            ));
        }
    }
    let result = write.await;
    let kept = result.as_ref().ok().map(Value::to_string);
    if let Err(err) = atrium.agent_idempotent_finish(agent, tool, &key, kept.as_deref()).await {
        tracing::warn!(%err.message, tool, "could not keep an idempotent call's result");
    }
    result
}
