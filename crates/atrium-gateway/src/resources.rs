//! Resources on `/mcp`: the artifacts of the workspaces the agent sees (with its `read` scope) as
//! `atrium://artifacts/<id>`, then its servers' resources and templates behind their namespaced URIs (see
//! `resource_uris`). A read of an artifact is its content with its content type; a read of a server's resource
//! is asked of the server with its own URI and answered as the server wrote it, the URIs of its contents put back
//! to the ones `/mcp` shows. An artifact the agent may not see is not found, as one that does not exist.
//! A session subscribed to an artifact hears `notifications/resources/updated` when anyone writes it (the window,
//! the terminal, an agent, a view, sync), and `notifications/resources/list_changed` when artifacts come or go in
//! its workspaces.

use std::sync::Arc;
use std::time::Instant;

use atrium_api::{AgentScope, AgentView, ArtifactNotice, AuditStatus, ErrorCode};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::pages::{self, Lister, Rename, Source};
use crate::resource_uris::{self, Named};
use crate::rpc::{self, INTERNAL_ERROR, RESOURCE_NOT_FOUND};
use crate::sessions::Session;
use crate::{Shared, server_requests, server_subscriptions};

/// The workspaces whose artifacts the agent reads (none without the `read` scope).
async fn readable_workspaces(shared: &Shared, agent: &AgentView) -> Vec<String> {
    if !agent.has(AgentScope::Read) {
        return Vec::new();
    }
    match shared.atrium.workspace_list().await {
        Ok(all) => all.into_iter().map(|w| w.id).filter(|id| agent.sees_workspace(id)).collect(),
        Err(err) => {
            tracing::warn!(%err, "could not read the workspaces");
            Vec::new()
        }
    }
}

/// `resources/list`.
pub(crate) async fn list(shared: &Arc<Shared>, session: &Arc<Session>, agent: &AgentView, message: &Value) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let lister = Lister {
        shared,
        session,
        agent,
        id: &id,
        method: "resources/list",
        key: "resources",
        capability: "resources",
        rename: Rename::Uri("uri"),
    };
    let mut sources: Vec<Source> =
        readable_workspaces(shared, agent).await.into_iter().map(Source::Workspace).collect();
    sources.extend(pages::servers(shared, agent).await.into_iter().map(Source::Server));
    let cursor = message.pointer("/params/cursor").and_then(Value::as_str);
    lister.answer(lister.collect(&sources, cursor).await)
}

/// `resources/templates/list`: Atrium's own (any artifact by id, with the `read` scope), then the servers'.
pub(crate) async fn templates(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    agent: &AgentView,
    message: &Value,
) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let lister = Lister {
        shared,
        session,
        agent,
        id: &id,
        method: "resources/templates/list",
        key: "resourceTemplates",
        capability: "resources",
        rename: Rename::Uri("uriTemplate"),
    };
    let sources: Vec<Source> = pages::servers(shared, agent).await.into_iter().map(Source::Server).collect();
    let cursor = message.pointer("/params/cursor").and_then(Value::as_str);
    let own = cursor.is_none() && agent.has(AgentScope::Read);
    let page = lister.collect(&sources, cursor).await.map(|(entries, next)| {
        let mut all = Vec::with_capacity(entries.len() + 1);
        if own {
            all.push(json!({"uriTemplate": resource_uris::ARTIFACT_TEMPLATE, "name": "artifact",
                "title": "An Atrium artifact", "description": "One artifact of a workspace you see, by its id."}));
        }
        all.extend(entries);
        (all, next)
    });
    lister.answer(page)
}

fn not_found(id: &Value, uri: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": RESOURCE_NOT_FOUND, "message": "Resource not found",
        "data": {"uri": uri}}})
}

/// `resources/read`.
pub(crate) async fn read(shared: &Arc<Shared>, session: &Arc<Session>, agent: &AgentView, message: &Value) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let uri = message.pointer("/params/uri").and_then(Value::as_str).unwrap_or_default();
    match resource_uris::named(uri) {
        Named::Artifact(artifact) => read_artifact(shared, agent, &id, uri, artifact).await,
        Named::Server { slug, uri: original } => {
            let Some(server) = pages::servers(shared, agent).await.into_iter().find(|s| s.slug == slug) else {
                return read_unnamed(shared, session, agent, &id, message, uri).await;
            };
            if let Err(err) = shared.atrium.gateway_server_live(&server.server_id).await {
                return rpc::error(&id, INTERNAL_ERROR, err.message);
            }
            let mut forwarded = message.clone();
            forwarded["params"]["uri"] = Value::String(original);
            let answer =
                server_requests::forward(shared, session, agent, &server.server_id, &id, &forwarded, None, None).await;
            match answer {
                Ok(Some(mut answer)) => {
                    if let Some(result) = answer.get_mut("result") {
                        resource_uris::rewrite_contents(&server.slug, result);
                    }
                    answer
                }
                Ok(None) => rpc::error(&id, INTERNAL_ERROR, "The server gave no answer."),
                Err(err) => rpc::error(&id, INTERNAL_ERROR, err.message),
            }
        }
        Named::Unknown => read_unnamed(shared, session, agent, &id, message, uri).await,
    }
}

/// A read of a URI as a server wrote it (a resource link in a tool's result, or a view asking for its own
/// `ui://` resource through the host): asked of each of the agent's servers that offer resources, in order, the
/// first answer that is not an error passed on as it came. Atrium's own URIs are never a server's.
async fn read_unnamed(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    agent: &AgentView,
    id: &Value,
    message: &Value,
    uri: &str,
) -> Value {
    if uri.starts_with("atrium:") {
        return not_found(id, uri);
    }
    for server in pages::servers(shared, agent).await {
        if !pages::declares(shared, &server, "resources") {
            continue;
        }
        let answer = server_requests::forward(shared, session, agent, &server.server_id, id, message, None, None).await;
        if let Ok(Some(answer)) = answer
            && answer.get("result").is_some()
        {
            return answer;
        }
    }
    not_found(id, uri)
}

/// An artifact's content, audited as `read_artifact` is (what an agent read is in the log either way); one it may
/// not see is not found, and unaudited, as one that does not exist.
async fn read_artifact(shared: &Shared, agent: &AgentView, id: &Value, uri: &str, artifact: &str) -> Value {
    let started = Instant::now();
    if !agent.has(AgentScope::Read) {
        return not_found(id, uri);
    }
    let artifact = match shared.atrium.artifact_get(artifact.to_owned()).await {
        Ok(a) if agent.sees_workspace(&a.workspace_id) => a,
        Ok(_) => return not_found(id, uri),
        Err(err) if err.code == ErrorCode::NotFound => return not_found(id, uri),
        Err(err) => return rpc::error(id, INTERNAL_ERROR, err.message),
    };
    let result = json!({"contents": [{
        "uri": uri,
        "mimeType": artifact.content_type,
        "text": artifact.content,
        "_meta": {"atrium/workspaceId": artifact.workspace_id, "atrium/title": artifact.title,
            "atrium/version": artifact.version, "atrium/context": artifact.context,
            "atrium/modified": artifact.modified_time},
    }]});
    let (arguments, workspace) = (json!({"uri": uri}), Some(artifact.workspace_id));
    shared
        .atrium
        .gateway_record_own_call(
            agent,
            "resources/read",
            workspace,
            &arguments,
            &result,
            AuditStatus::Ok,
            None,
            started.elapsed(),
        )
        .await;
    rpc::result(id, result)
}

/// `resources/subscribe` and `resources/unsubscribe`: of an artifact here, of a server's resource at the server
/// (see `server_subscriptions`).
pub(crate) async fn subscribe(
    shared: &Shared,
    session: &Session,
    agent: &AgentView,
    message: &Value,
    on: bool,
) -> Value {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let uri = message.pointer("/params/uri").and_then(Value::as_str).unwrap_or_default();
    let artifact = match resource_uris::named(uri) {
        Named::Artifact(artifact) => artifact,
        Named::Server { slug, uri: original } => {
            let Some(server) = pages::servers(shared, agent).await.into_iter().find(|s| s.slug == slug) else {
                return not_found(&id, uri);
            };
            return server_subscriptions::subscribe(shared, session, agent, &id, &server, original, uri, on).await;
        }
        Named::Unknown => return not_found(&id, uri),
    };
    let mut subscriptions = session.subscriptions.lock().unwrap_or_else(|p| p.into_inner());
    if !on {
        subscriptions.remove(artifact);
        return rpc::result(&id, json!({}));
    }
    drop(subscriptions);
    // Only what the agent may read can be followed.
    let workspace = match shared.atrium.artifact_get(artifact.to_owned()).await {
        Ok(a) if agent.has(AgentScope::Read) && agent.sees_workspace(&a.workspace_id) => a.workspace_id,
        Ok(_) => return not_found(&id, uri),
        Err(err) if err.code == ErrorCode::NotFound => return not_found(&id, uri),
        Err(err) => return rpc::error(&id, INTERNAL_ERROR, err.message),
    };
    session.subscriptions.lock().unwrap_or_else(|p| p.into_inner()).insert(artifact.to_owned(), workspace);
    rpc::result(&id, json!({}))
}

/// Tells the session of writes to the artifacts it follows, and of artifacts coming and going in the workspaces
/// it reads. Ends with the session.
pub(crate) fn watch(shared: &Shared, session: Arc<Session>, agent: AgentView) {
    let mut notices = shared.atrium.artifact_changes();
    tokio::spawn(async move {
        let reads = agent.has(AgentScope::Read);
        loop {
            let notice = tokio::select! {
                () = session.cancel.cancelled() => return,
                notice = notices.recv() => notice,
            };
            let notice = match notice {
                Ok(notice) => notice,
                // Fell behind: anything may have changed.
                Err(RecvError::Lagged(_)) => {
                    let all: Vec<String> = session.subscribed().into_iter().map(|(a, _)| a).collect();
                    updated(&session, all);
                    listed(&session, reads);
                    continue;
                }
                Err(RecvError::Closed) => return,
            };
            let (workspace, artifact, listing) = match &notice {
                ArtifactNotice::Changed { workspace_id, artifact_id, created } => {
                    (workspace_id, Some(artifact_id), *created)
                }
                ArtifactNotice::Removed { workspace_id, artifact_id } => (workspace_id, Some(artifact_id), true),
                ArtifactNotice::Many { workspace_id } => (workspace_id, None, true),
            };
            if !agent.sees_workspace(workspace) {
                continue;
            }
            let followed: Vec<String> = session
                .subscribed()
                .into_iter()
                .filter(|(a, w)| artifact.map_or(w == workspace, |artifact| a == artifact))
                .map(|(a, _)| a)
                .collect();
            updated(&session, followed);
            if listing {
                listed(&session, reads);
            }
        }
    });
}

fn updated(session: &Session, artifacts: Vec<String>) {
    for artifact in artifacts {
        let uri = resource_uris::artifact(&artifact);
        session.notify(rpc::notification("notifications/resources/updated", Some(json!({"uri": uri}))));
    }
}

fn listed(session: &Session, reads: bool) {
    if reads {
        session.notify(rpc::notification("notifications/resources/list_changed", None));
    }
}
