//! Prompts on `/mcp`: the agent's servers' prompts, each named `{server-slug}__{prompt}` as their tools are,
//! listed as the servers wrote them (only the name namespaced) and got from the server's live session with the
//! server's own name, its answer as it wrote it.

use std::sync::Arc;

use atrium_api::AgentView;
use serde_json::Value;

use crate::pages::{self, Lister, Rename, Source};
use crate::rpc::{self, INTERNAL_ERROR, INVALID_PARAMS};
use crate::sessions::Session;
use crate::{Shared, server_requests};

/// `prompts/list`.
pub(crate) async fn list(shared: &Arc<Shared>, session: &Arc<Session>, agent: &AgentView, message: &Value) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let lister = Lister {
        shared,
        session,
        agent,
        id: &id,
        method: "prompts/list",
        key: "prompts",
        capability: "prompts",
        rename: Rename::Name,
    };
    let sources: Vec<Source> = pages::servers(shared, agent).await.into_iter().map(Source::Server).collect();
    let cursor = message.pointer("/params/cursor").and_then(Value::as_str);
    lister.answer(lister.collect(&sources, cursor).await)
}

/// `prompts/get`.
pub(crate) async fn get(shared: &Arc<Shared>, session: &Arc<Session>, agent: &AgentView, message: &Value) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let name = message.pointer("/params/name").and_then(Value::as_str).unwrap_or_default();
    let unknown = || rpc::error(&id, INVALID_PARAMS, format!("Unknown prompt: {name}"));
    let Some((slug, prompt)) = name.split_once("__").filter(|(s, p)| !s.is_empty() && !p.is_empty()) else {
        return unknown();
    };
    let Some(server) = pages::servers(shared, agent).await.into_iter().find(|s| s.slug == slug) else {
        return unknown();
    };
    if let Err(err) = shared.atrium.gateway_server_live(&server.server_id).await {
        return rpc::error(&id, INTERNAL_ERROR, err.message);
    }
    let mut forwarded = message.clone();
    forwarded["params"]["name"] = Value::String(prompt.to_owned());
    match server_requests::forward(shared, session, agent, &server.server_id, &id, &forwarded, None, None).await {
        Ok(Some(answer)) => answer,
        Ok(None) => rpc::error(&id, INTERNAL_ERROR, "The server gave no answer."),
        Err(err) => rpc::error(&id, INTERNAL_ERROR, err.message),
    }
}
