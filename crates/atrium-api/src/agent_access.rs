//! What an agent reaches through the gateway, decided in one place: which workspaces it sees, which servers it gets
//! (seed 002's rule), each server's slug within its set, the tools it may call there, and the calls themselves,
//! forwarded through the same connection manager as the window's (supervision, `allowed_tools`, masking, audit)
//! with the agent named in the audit row.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use atrium_mcp::{AgentStamp, SERVER_CONTENT_TYPE, ToolInfo};
use atrium_store::{AuditEntry, AuditOrigin, AuditStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::agents::{AgentScope, AgentView};
use crate::servers::server_slug;
use crate::{ApiResult, Atrium};

/// A server as one agent gets it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AgentServerAccess {
    /// The server registration's id.
    pub server_id: String,
    /// Its title.
    pub title: String,
    /// Its slug within this agent's set: the title's slug, `-2`, `-3` … added in order of id when two collide.
    pub slug: String,
    /// Only these tools (on top of the registration's `allowed_tools`); `None`: all of them.
    pub tools: Option<Vec<String>>,
}

impl AgentServerAccess {
    /// Whether the agent may call `tool` here (the registration's `allowed_tools` is the connection manager's).
    pub fn allows(&self, tool: &str) -> bool {
        self.tools.as_ref().is_none_or(|tools| tools.iter().any(|t| t == tool))
    }
}

impl AgentView {
    /// Whether the agent may see the workspace `id`.
    pub fn sees_workspace(&self, id: &str) -> bool {
        self.workspaces.is_empty() || self.workspaces.iter().any(|w| w == id)
    }

    /// Whether the agent holds `scope`.
    pub fn has(&self, scope: AgentScope) -> bool {
        self.scopes.contains(&scope)
    }

    /// How its audit rows name it.
    pub fn stamp(&self) -> AgentStamp {
        AgentStamp { id: self.id.clone(), name: self.name.clone() }
    }
}

/// Slugs unique within one set: the first (by id) keeps the plain slug, the next get `-2`, `-3`, ….
fn unique_slugs(mut servers: Vec<(String, String, Option<Vec<String>>)>) -> Vec<AgentServerAccess> {
    servers.sort_by(|a, b| a.0.cmp(&b.0));
    let mut taken: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(servers.len());
    for (server_id, title, tools) in servers {
        let base = server_slug(&title);
        let mut slug = base.clone();
        let mut n = 2;
        while !taken.insert(slug.clone()) {
            slug = format!("{base}-{n}");
            n += 1;
        }
        out.push(AgentServerAccess { server_id, title, slug, tools });
    }
    out
}

impl Atrium {
    /// The servers `agent` gets. Seed 002's rule: an agent that names servers gets exactly those; one that names
    /// none gets every server no agent names (all of them while no agent names any) — within its workspaces when
    /// it is limited to some.
    pub async fn agent_servers(&self, agent: &AgentView) -> ApiResult<Vec<AgentServerAccess>> {
        let registered = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await?;
        let chosen: Vec<(String, String, Option<Vec<String>>)> = if agent.servers.is_empty() {
            let named: HashSet<String> = self
                .store
                .agent_list()
                .await?
                .into_iter()
                .flat_map(|a| a.servers.into_iter().map(|s| s.server_id))
                .collect();
            registered
                .into_iter()
                .filter(|a| !named.contains(&a.id) && agent.sees_workspace(&a.workspace_id))
                .map(|a| (a.id, a.title, None))
                .collect()
        } else {
            let titles: HashMap<String, String> = registered.into_iter().map(|a| (a.id, a.title)).collect();
            agent
                .servers
                .iter()
                .filter_map(|s| titles.get(&s.server_id).map(|t| (s.server_id.clone(), t.clone(), s.tools.clone())))
                .collect()
        };
        Ok(unique_slugs(chosen))
    }

    /// The servers the agent `id_or_name` gets, with their slugs and tool allowlists (see [`Atrium::agent_servers`]).
    pub async fn agent_server_set(&self, id_or_name: String) -> ApiResult<Vec<AgentServerAccess>> {
        let agent = self.agent_get(id_or_name).await?;
        self.agent_servers(&agent).await
    }

    /// Creates an artifact for an agent: like the person's command, except that nothing it writes is approved to run
    /// (a registration written so would wait for the person; the gateway refuses those types anyway).
    pub async fn agent_artifact_create(&self, input: atrium_store::NewArtifact) -> ApiResult<atrium_store::Artifact> {
        // `View` is the API's author for "not the person": its writes are never approvals.
        self.create_artifact_as(input, crate::Author::View).await
    }

    /// Changes an artifact for an agent (never an approval, as [`Atrium::agent_artifact_create`]).
    pub async fn agent_artifact_update(
        &self,
        id: String,
        patch: atrium_store::ArtifactPatch,
    ) -> ApiResult<atrium_store::Artifact> {
        self.update_artifact_as(id, patch, crate::Author::View).await
    }

    /// A server's tools as its live session last listed them (after `allowed_tools`); none when it is not
    /// connected.
    pub fn gateway_server_tools(&self, server_id: &str) -> Vec<ToolInfo> {
        self.servers.tools(server_id).unwrap_or_default()
    }

    /// Makes sure a server the gateway needs has a session (a headless gateway connects servers on first use).
    pub async fn gateway_server_live(&self, server_id: &str) -> ApiResult<()> {
        self.live_server(server_id).await.map(|_| ())
    }

    /// The server's `initialize` result, as it sent it where the transport saw it.
    pub fn gateway_initialize_result(&self, server_id: &str) -> ApiResult<Value> {
        Ok(self.servers.initialize_result(server_id)?)
    }

    /// A counter that moves whenever what servers offer may have changed (see `ServerSet::catalog_changes`).
    pub fn catalog_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.servers.catalog_changes()
    }

    /// Each server's own list changes from now on (`notifications/<list>/list_changed`), with its id.
    pub fn server_list_changes(&self) -> tokio::sync::broadcast::Receiver<(String, atrium_mcp::CatalogList)> {
        self.servers.list_changes()
    }

    /// Each server's `notifications/resources/updated` from now on: its id and the resource's URI.
    pub fn server_resource_updates(&self) -> tokio::sync::broadcast::Receiver<(String, String)> {
        self.servers.resource_updates()
    }

    /// Forwards one JSON-RPC message from `agent` to a server as it came and returns the server's answer as it
    /// wrote it (see `ServerSet::forward`): audited with origin `gateway` and the agent. `scope` keeps one
    /// session's request ids apart from another's.
    pub async fn gateway_forward(
        &self,
        server_id: &str,
        message: &Value,
        agent: &AgentView,
        scope: &str,
        limit: Duration,
        progress: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
    ) -> ApiResult<Option<Value>> {
        let stamp = agent.stamp();
        Ok(self
            .servers
            .forward_as(server_id, message, AuditOrigin::Gateway, Some(&stamp), scope, limit, progress)
            .await?)
    }

    /// [`Atrium::gateway_forward`] for a caller that answers the server's own requests (sampling, elicitation,
    /// roots): those tied to this request, and its log lines, go to `related`; a response from the caller goes to
    /// the server as it is (see `ServerSet::forward_routed`).
    #[allow(clippy::too_many_arguments)] // gateway_forward's, plus where the server's own requests go.
    pub async fn gateway_forward_routed(
        &self,
        server_id: &str,
        message: &Value,
        agent: &AgentView,
        scope: &str,
        limit: Duration,
        progress: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
        related: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
    ) -> ApiResult<Option<Value>> {
        let stamp = agent.stamp();
        Ok(self
            .servers
            .forward_routed(server_id, message, AuditOrigin::Gateway, Some(&stamp), scope, limit, progress, related)
            .await?)
    }

    /// Records a call the gateway refused before it reached the server (a tool outside the agent's allowlist).
    pub async fn gateway_record_denied(
        &self,
        server_id: &str,
        agent: &AgentView,
        tool: &str,
        arguments: Value,
        reason: &str,
    ) {
        let record = atrium_mcp::RequestRecord {
            server_id: server_id.to_owned(),
            origin: AuditOrigin::Gateway,
            name: tool.to_owned(),
            arguments,
            outcome: Err(atrium_mcp::Failure::new(atrium_mcp::FailureCode::PolicyDenied, reason)),
            duration_ms: 0,
        };
        if let Err(err) = self.servers.record_request_as(record, Some(&agent.stamp())).await {
            tracing::warn!(%err, "a refused gateway call went unrecorded");
        }
    }

    /// Records a call of one of Atrium's own workspace tools by `agent` (arguments and result redacted and
    /// capped at 4 KB, as every audit row).
    #[allow(clippy::too_many_arguments)] // One audit row's independent facts.
    pub async fn gateway_record_own_call(
        &self,
        agent: &AgentView,
        tool: &str,
        workspace_id: Option<String>,
        arguments: &Value,
        result: &Value,
        status: AuditStatus,
        error_code: Option<String>,
        took: Duration,
    ) {
        let started = chrono::Utc::now() - chrono::Duration::milliseconds(took.as_millis().try_into().unwrap_or(0));
        let entry = AuditEntry {
            id: uuid::Uuid::now_v7().to_string(),
            time: started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            origin: AuditOrigin::Gateway,
            workspace_id,
            server_id: GATEWAY_SERVER_ID.to_owned(),
            server_title: GATEWAY_SERVER_TITLE.to_owned(),
            tool: tool.to_owned(),
            arguments: atrium_mcp::audit_text(arguments),
            result: atrium_mcp::audit_text(result),
            status,
            error_code,
            duration_ms: u32::try_from(took.as_millis()).unwrap_or(u32::MAX),
            agent_id: Some(agent.id.clone()),
            agent_name: Some(agent.name.clone()),
        };
        if let Err(err) = self.store.audit_append(&[entry]).await {
            tracing::warn!(%err, "a workspace tool call went unrecorded");
        }
    }
}

/// The server id audit rows of Atrium's own workspace tools carry.
pub const GATEWAY_SERVER_ID: &str = "atrium";
/// Their server title.
pub const GATEWAY_SERVER_TITLE: &str = "Atrium (workspace tools)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_slugs_are_settled_by_id() {
        let set = unique_slugs(vec![
            ("b".into(), "Everything".into(), None),
            ("a".into(), "everything!".into(), None),
            ("c".into(), "Everything".into(), Some(vec!["echo".into()])),
        ]);
        let slugs: Vec<(&str, &str)> = set.iter().map(|s| (s.server_id.as_str(), s.slug.as_str())).collect();
        assert_eq!(slugs, [("a", "everything"), ("b", "everything-2"), ("c", "everything-3")]);
        assert!(set[2].allows("echo") && !set[2].allows("add") && set[0].allows("add"));
    }
}
