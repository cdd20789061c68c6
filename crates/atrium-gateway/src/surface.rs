//! `/mcp`, the agent's endpoint: Atrium's workspace tools beside its servers' tools, each named
//! `{server-slug}__{tool}` (Atrium's own names win a clash), a server tool's call forwarded to the server's live
//! session as it came (its progress back to the caller, a cancellation on to the server), its answer as the
//! server wrote it; a tool's MCP Apps view URI is namespaced so the view is read through `/mcp`. Beside the
//! tools, resources (`resources`: the artifacts, the servers' resources) and the servers' prompts (`prompts`).
//! When what the agent's servers offer changes, the session hears `tools/list_changed`, and
//! `resources/list_changed` and `prompts/list_changed` when a server offering those comes or goes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use atrium_api::{AgentServerAccess, AgentView, ApiResult, AuditStatus, CatalogList};
use serde_json::{Map, Value, json};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use crate::rpc::{self, INTERNAL_ERROR, INVALID_PARAMS, METHOD_NOT_FOUND};
use crate::sessions::Session;
use crate::{Shared, pages, progress, prompts, resource_uris, resources, server_requests, tool_names, workspace_tools};

/// The answer to `initialize` on `/mcp`.
pub(crate) fn initialize(id: &Value, protocol: &str) -> Value {
    rpc::result(
        id,
        json!({
            "protocolVersion": protocol,
            "capabilities": {
                "tools": {"listChanged": true},
                "resources": {"subscribe": true, "listChanged": true},
                "prompts": {"listChanged": true},
            },
            "serverInfo": {"name": "atrium", "title": "Atrium", "version": env!("CARGO_PKG_VERSION")},
            "instructions": "Atrium's workspaces and the person's MCP servers. Call whoami first: it says which workspaces you may see and what you may do. Server tools and prompts are named {server}__{name}. Artifacts are resources, atrium://artifacts/<id>; a server's resources are under atrium://servers/<server>/.",
        }),
    )
}

/// Every tool the agent may call now: Atrium's (by its scopes), then each of its servers' (by their allowlists);
/// built once per reading of the agent's catalog (see `agent_catalogs`).
pub(crate) async fn tools(shared: &Shared, agent: &AgentView) -> Arc<Vec<Value>> {
    shared.catalogs.tools(&shared.atrium, agent, |servers| async move { build_tools(shared, agent, servers) }).await
}

/// The whole answer to `tools/list` on `/mcp` as JSON text, around the agent's tools as written once per reading
/// of its catalog (the same list as [`tools`]).
pub(crate) async fn tools_list_answer(shared: &Shared, agent: &AgentView, id: &Value) -> String {
    let tools = shared
        .catalogs
        .tools_text(&shared.atrium, agent, |servers| async move { build_tools(shared, agent, servers) })
        .await;
    format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{"tools":{tools}}}}}"#)
}

fn build_tools(shared: &Shared, agent: &AgentView, servers: ApiResult<Arc<Vec<AgentServerAccess>>>) -> Vec<Value> {
    let mut tools = workspace_tools::list(agent);
    let servers = match servers {
        Ok(servers) => servers,
        Err(err) => {
            tracing::warn!(%err, "could not read the agent's servers");
            return tools;
        }
    };
    for server in servers.iter() {
        for tool in shared.atrium.gateway_server_tools(&server.server_id) {
            if !server.allows(&tool.name) {
                continue;
            }
            let name = format!("{}__{}", server.slug, tool.name);
            if workspace_tools::is_own(&name) {
                continue;
            }
            let mut entry = Map::new();
            entry.insert("name".into(), Value::String(name));
            if let Some(title) = tool.title {
                entry.insert("title".into(), Value::String(title));
            }
            if let Some(description) = tool.description {
                entry.insert("description".into(), Value::String(description));
            }
            entry.insert("inputSchema".into(), tool.input_schema);
            for (key, value) in
                [("outputSchema", tool.output_schema), ("annotations", tool.annotations), ("_meta", tool.meta)]
            {
                if let Some(mut value) = value {
                    if key == "_meta" {
                        resource_uris::rewrite_tool_meta(&server.slug, &mut value);
                    }
                    entry.insert(key.into(), value);
                }
            }
            tools.push(Value::Object(entry));
        }
    }
    tools
}

/// Re-reads the agent's tools whenever what servers offer may have changed, and tells the session when the names
/// differ from what it last had; tells it of resources and prompts when a server offering them comes or goes, or
/// says its own list of them changed. Ends with the session.
pub(crate) fn watch_lists(shared: Arc<Shared>, session: Arc<Session>, agent: AgentView) {
    let mut changes = shared.atrium.catalog_changes();
    let mut lists = shared.atrium.server_list_changes();
    tokio::spawn(async move {
        let names = |tools: Arc<Vec<Value>>| -> BTreeSet<String> {
            tools.iter().filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_owned)).collect()
        };
        let mut known = names(tools(&shared, &agent).await);
        let mut offering = offering(&shared, &agent).await;
        loop {
            tokio::select! {
                () = session.cancel.cancelled() => return,
                changed = changes.changed() => if changed.is_err() { return },
                listed = lists.recv() => {
                    let (resources, prompts) = match listed {
                        Ok((server, list)) => {
                            let ours = offered_by(&server, &offering);
                            (ours && list == CatalogList::Resources, ours && list == CatalogList::Prompts)
                        }
                        // Fell behind: any list may have changed.
                        Err(RecvError::Lagged(_)) => (true, true),
                        Err(RecvError::Closed) => return,
                    };
                    for (name, changed) in [("resources", resources), ("prompts", prompts)] {
                        if changed {
                            session.notify(rpc::notification(&format!("notifications/{name}/list_changed"), None));
                        }
                    }
                    continue;
                }
            }
            let now = names(tools(&shared, &agent).await);
            if now != known {
                known = now;
                session.notify(rpc::notification("notifications/tools/list_changed", None));
            }
            let now = self::offering(&shared, &agent).await;
            for (list, (before, after)) in ["resources", "prompts"].iter().zip(offering.iter().zip(&now)) {
                if before != after {
                    session.notify(rpc::notification(&format!("notifications/{list}/list_changed"), None));
                }
            }
            offering = now;
        }
    });
}

/// The agent's servers that offer resources now, and those that offer prompts (by id): when either set changes,
/// so did the lists. (A server's own list_changed while it runs is not followed here.)
async fn offering(shared: &Shared, agent: &AgentView) -> [BTreeSet<String>; 2] {
    let servers = pages::servers(shared, agent).await;
    ["resources", "prompts"].map(|capability| {
        servers.iter().filter(|s| pages::declares(shared, s, capability)).map(|s| s.server_id.clone()).collect()
    })
}

/// Whether `server` is among those the agent gets that offer resources or prompts.
fn offered_by(server: &str, offering: &[BTreeSet<String>; 2]) -> bool {
    offering.iter().any(|ids| ids.contains(server))
}

/// A notification from the client: a cancellation goes on to the server the request went to.
pub(crate) async fn notification(shared: &Shared, session: &Session, agent: &AgentView, method: &str, message: &Value) {
    if method != "notifications/cancelled" {
        return;
    }
    let Some(named) = message.pointer("/params/requestId").map(Value::to_string) else { return };
    let server = session.in_flight.lock().unwrap_or_else(|p| p.into_inner()).get(&named).cloned();
    if let Some(server) = server
        && let Err(err) =
            shared.atrium.gateway_forward(&server, message, agent, &session.id, shared.call_limit, None).await
    {
        tracing::debug!(%err, "a cancellation did not reach its server");
    }
}

/// A request from the client.
pub(crate) async fn request(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    agent: &AgentView,
    message: &Value,
    progress: Option<mpsc::UnboundedSender<Value>>,
) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
    match method {
        "ping" => rpc::result(&id, json!({})),
        "tools/list" => rpc::result(&id, json!({"tools": *tools(shared, agent).await})),
        "tools/call" => call(shared, session, agent, &id, message, progress).await,
        "resources/list" => resources::list(shared, session, agent, message).await,
        "resources/templates/list" => resources::templates(shared, session, agent, message).await,
        "resources/read" => resources::read(shared, session, agent, message).await,
        "resources/subscribe" => resources::subscribe(shared, session, agent, message, true).await,
        "resources/unsubscribe" => resources::subscribe(shared, session, agent, message, false).await,
        "prompts/list" => prompts::list(shared, session, agent, message).await,
        "prompts/get" => prompts::get(shared, session, agent, message).await,
        other => rpc::error(&id, METHOD_NOT_FOUND, format!("Method not found: {other}")),
    }
}

async fn call(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    agent: &AgentView,
    id: &Value,
    message: &Value,
    progress: Option<mpsc::UnboundedSender<Value>>,
) -> Value {
    let name = message.pointer("/params/name").and_then(Value::as_str).unwrap_or_default();
    let arguments = message.pointer("/params/arguments").and_then(Value::as_object).cloned().unwrap_or_default();
    if workspace_tools::is_own(name) {
        let started = Instant::now();
        let caller = workspace_tools::Caller { session_id: &session.id, request_id: id };
        let outcome = workspace_tools::call(&shared.atrium, agent, name, &arguments, &caller).await;
        let (result, status, code) = match outcome.result {
            Ok(structured) => (
                json!({"content": [{"type": "text", "text": structured.to_string()}], "structuredContent": structured,
                    "isError": false}),
                AuditStatus::Ok,
                None,
            ),
            Err(refusal) => {
                (json!({"content": [{"type": "text", "text": refusal}], "isError": true}), AuditStatus::ToolError, None)
            }
        };
        shared
            .atrium
            .gateway_record_own_call(
                agent,
                name,
                outcome.workspace_id,
                &Value::Object(arguments),
                &result,
                status,
                code,
                started.elapsed(),
            )
            .await;
        return rpc::result(id, result);
    }
    let servers = match shared.catalogs.servers(&shared.atrium, agent).await {
        Ok(servers) => servers.as_ref().clone(),
        Err(err) => return rpc::error(id, INTERNAL_ERROR, err.message),
    };
    let (server, tool) = match tool_names::resolve(shared, servers, name) {
        Ok(found) => found,
        Err(unknown) => return rpc::error(id, INVALID_PARAMS, unknown),
    };
    let tool = tool.as_str();
    if !server.allows(tool) {
        let reason = format!("{tool} is not among the tools this agent may call on {}.", server.title);
        shared.atrium.gateway_record_denied(&server.server_id, agent, tool, Value::Object(arguments), &reason).await;
        return rpc::error(id, INVALID_PARAMS, reason);
    }
    if let Err(err) = shared.atrium.gateway_server_live(&server.server_id).await {
        return rpc::error(id, INTERNAL_ERROR, err.message);
    }
    let mut forwarded = message.clone();
    forwarded["params"]["name"] = Value::String(tool.to_owned());
    let client = progress;
    let token = client.as_ref().and_then(|_| progress::swap(session, &mut forwarded));
    let answer =
        server_requests::forward(shared, session, agent, &server.server_id, id, &forwarded, client, token).await;
    match answer {
        Ok(Some(answer)) => answer,
        Ok(None) => rpc::error(id, INTERNAL_ERROR, "The server gave no answer."),
        Err(err) => rpc::error(id, INTERNAL_ERROR, err.message),
    }
}
