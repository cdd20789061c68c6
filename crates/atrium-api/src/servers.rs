//! Server registrations and everything done with them: stored as `mcp-server+json` artifacts (the registration in
//! `context`, see `registrations.rs`), kept live by the connection manager, and called with every call audited.

use atrium_mcp::{
    CallOutcome, ConnectionTest, ElicitationAnswer, LogLine, PromptInfo, PromptResult, Registration, ResourceCatalog,
    ResourceContent, SERVER_CONTENT_TYPE, ServerState, ToolCall, ToolInfo, registration,
};
use atrium_store::{
    Artifact, ArtifactPatch, AuditEntry, AuditFilter, AuditOrigin, FieldProblem, NewArtifact, ServerApproval,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::approval_state::ServerApprovalState;
use crate::registrations::{apply_registration, canonical_context, invalid};
use crate::server_view::ServerView;
use crate::{ApiError, ApiResult, Atrium, ErrorCode};

/// A new server registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct NewServer {
    /// The workspace to register it in.
    pub workspace_id: String,
    /// Its title.
    pub title: String,
    /// The registration (DESIGN §2); check what a person types with `server_validate` first.
    pub registration: Registration,
}

/// A change to a server registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ServerPatch {
    /// The version the edit is based on.
    pub expected_version: u32,
    /// A new title.
    #[serde(default)]
    pub title: Option<String>,
    /// A new registration.
    #[serde(default)]
    pub registration: Option<Registration>,
}

/// One tool in the list of every server's tools, with its flat `{server}__{tool}` name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct CatalogTool {
    /// The server.
    pub server_id: String,
    /// Its title.
    pub server_title: String,
    /// `{server}__{tool}`, the server part a slug of its title.
    pub flat_name: String,
    /// The tool.
    pub tool: ToolInfo,
}

/// A server registration's slug for flat tool names: lowercase letters, digits and `-`.
pub fn server_slug(title: &str) -> String {
    let mut slug = String::new();
    for c in title.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() { "server".to_owned() } else { slug }
}

impl Atrium {
    /// Starts keeping every enabled server of the store connected (the desktop app does this at start).
    pub async fn connect_all(&self) -> ApiResult<()> {
        for artifact in self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await? {
            apply_registration(&self.servers, &artifact, true);
        }
        Ok(())
    }

    /// Brings the connection manager in line with a server artifact that was just written.
    pub(crate) fn sync_server(&self, artifact: &Artifact) {
        apply_registration(&self.servers, artifact, self.options.connect_servers);
    }

    /// After any write of an artifact here: its server registration (if it is one) goes live as written, and the
    /// sync loop wakes at once to send it (the write is already in the outbox, in the same transaction).
    pub(crate) fn written(&self, artifact: &Artifact) {
        self.sync_server(artifact);
        self.platform.sync.wake();
    }

    /// Makes sure a server has a session (the CLI connects on demand) and is past `starting`.
    pub(crate) async fn live_server(&self, id: &str) -> ApiResult<ServerState> {
        Ok(self.servers.ensure_live(id).await?)
    }
}

impl Atrium {
    /// A server registration artifact; anything else is not found.
    pub(crate) async fn server_artifact(&self, id: &str) -> ApiResult<Artifact> {
        let artifact = self.store.get_artifact(id).await?;
        if artifact.content_type != SERVER_CONTENT_TYPE {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("{} is not a server registration.", artifact.title),
            ));
        }
        Ok(artifact)
    }

    /// The servers registered in a workspace (or in all of them), with their live state.
    pub async fn server_list(&self, workspace_id: Option<String>) -> ApiResult<Vec<ServerView>> {
        let artifacts = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, workspace_id.as_deref()).await?;
        let approvals: std::collections::HashMap<String, ServerApproval> =
            self.store.server_approvals().await?.into_iter().map(|a| (a.server_id.clone(), a)).collect();
        Ok(artifacts.iter().map(|a| self.server_view(a, approvals.get(&a.id))).collect())
    }

    /// One server.
    pub async fn server_get(&self, id: String) -> ApiResult<ServerView> {
        self.server_view_of(&self.server_artifact(&id).await?).await
    }

    /// What is wrong with a registration as typed; empty when it is valid.
    pub async fn server_validate(&self, registration: Value) -> ApiResult<Vec<FieldProblem>> {
        Ok(registration::parse(&registration).err().unwrap_or_default())
    }

    /// Registers a server (and connects it when enabled). The person wrote it: what it runs is approved.
    pub async fn server_create(&self, input: NewServer) -> ApiResult<ServerView> {
        self.create_server(input, true).await
    }

    /// Registers a server for an agent (the gateway's `server_add`): like the person's, except that nothing it
    /// runs here or any credential it would use is approved — it waits for the person, in the window.
    pub async fn agent_server_create(&self, input: NewServer) -> ApiResult<ServerView> {
        self.create_server(input, false).await
    }

    /// Changes a server for an agent (the gateway's `server_update`): a registration changed so waits for the
    /// person again when it runs something or uses credentials.
    pub async fn agent_server_update(&self, id: String, patch: ServerPatch) -> ApiResult<ServerView> {
        self.write_server(id, patch, false).await
    }

    async fn create_server(&self, input: NewServer, approve: bool) -> ApiResult<ServerView> {
        let registration = self.secured(input.registration, &input.title).await?;
        let artifact = self
            .store
            .create_artifact(NewArtifact {
                workspace_id: input.workspace_id,
                title: input.title,
                content_type: SERVER_CONTENT_TYPE.to_owned(),
                content: Some(String::new()),
                context: Some(canonical_context(&registration)),
                state: None,
            })
            .await?;
        tracing::info!(server = %artifact.id, transport = registration.transport_name(), approve, "server registered");
        if approve {
            self.approve_as_written(&artifact).await?;
        }
        self.written(&artifact);
        self.server_view_of(&artifact).await
    }

    /// Changes a server's title or registration (reconnecting it when the registration changed). The person wrote
    /// the registration: what it runs is approved.
    pub async fn server_update(&self, id: String, patch: ServerPatch) -> ApiResult<ServerView> {
        let approve = patch.registration.is_some();
        self.write_server(id, patch, approve).await
    }

    async fn write_server(&self, id: String, patch: ServerPatch, approve: bool) -> ApiResult<ServerView> {
        let stored = self.server_artifact(&id).await?;
        let context = match patch.registration {
            Some(registration) => {
                let title = patch.title.as_deref().unwrap_or(&stored.title);
                Some(canonical_context(&self.secured(registration, title).await?))
            }
            None => None,
        };
        let artifact = self
            .store
            .update_artifact(
                &id,
                ArtifactPatch {
                    expected_version: Some(patch.expected_version),
                    title: patch.title,
                    // Stored once, in the context: an older Atrium's content mirror goes.
                    content: context.as_ref().map(|_| String::new()),
                    context,
                    ..ArtifactPatch::default()
                },
            )
            .await?;
        if approve {
            self.approve_as_written(&artifact).await?;
        }
        self.written(&artifact);
        self.server_view_of(&artifact).await
    }

    /// Enables or disables a server (a disabled one is disconnected and refuses calls). Enabling approves nothing:
    /// a server that waits for review keeps waiting.
    pub async fn server_set_enabled(&self, id: String, enabled: bool) -> ApiResult<ServerView> {
        let artifact = self.server_artifact(&id).await?;
        let mut registration = registration::parse(&registration::stored(&artifact)).map_err(invalid)?;
        registration.enabled = enabled;
        let patch = ServerPatch { expected_version: artifact.version, title: None, registration: Some(registration) };
        self.write_server(id, patch, false).await
    }

    /// Unregisters a server: disconnects it and deletes its artifact (its audit rows stay).
    pub async fn server_remove(&self, id: String) -> ApiResult<()> {
        self.server_artifact(&id).await?;
        self.servers.remove(&id);
        self.store.delete_artifact(&id).await?;
        self.platform.sync.wake();
        Ok(())
    }

    /// Connects to a registration on the side and lists its tools; the live session is untouched.
    pub async fn server_test(&self, registration: Registration) -> ApiResult<ConnectionTest> {
        Ok(self.servers.test_connection(&registration).await)
    }

    /// Tests a registered server on the side, like [`Atrium::server_test`]; one that waits for the person's
    /// approval is not started (the test says so, `policy_denied`).
    pub async fn server_test_registered(&self, id: String) -> ApiResult<ConnectionTest> {
        let view = self.server_view_of(&self.server_artifact(&id).await?).await?;
        let Some(registration) = view.registration else { return Err(invalid(view.problems)) };
        if let ServerApprovalState::Required { .. } = view.approval {
            return Ok(ConnectionTest {
                success: false,
                tool_count: 0,
                tools: Vec::new(),
                error: Some(format!(
                    "{} waits for your approval of what it runs: review it first (atrium server approve).",
                    view.title
                )),
                error_code: Some(atrium_mcp::FailureCode::PolicyDenied),
                server_info: None,
                duration_ms: 0,
            });
        }
        Ok(self.servers.test_connection(&registration).await)
    }

    /// Reconnects a server and re-reads what it offers.
    pub async fn server_refresh(&self, id: String) -> ApiResult<ServerState> {
        self.server_artifact(&id).await?;
        match self.servers.state(&id) {
            Ok(_) => self.servers.refresh(&id)?,
            Err(_) => return self.live_server(&id).await,
        }
        Ok(self.servers.wait_settled(&id).await?)
    }

    /// Starts a stopped or failed server (a disabled one too: `enabled` says only whether it starts with Atrium)
    /// and waits until it is ready or has failed.
    pub async fn server_start(&self, id: String) -> ApiResult<ServerState> {
        self.server_artifact(&id).await?;
        self.live_server(&id).await?;
        self.servers.start(&id)?;
        Ok(self.servers.wait_settled(&id).await?)
    }

    /// Stops a server: closes its stdin, then SIGTERM, then SIGKILL to its process group, each after a grace
    /// period. Returns once it is stopped.
    pub async fn server_stop(&self, id: String) -> ApiResult<ServerState> {
        self.server_artifact(&id).await?;
        if self.servers.state(&id).is_ok() {
            self.servers.stop(&id).await?;
        }
        self.server_state(id).await
    }

    /// Stops a server and starts it again, and waits until it is ready or has failed.
    pub async fn server_restart(&self, id: String) -> ApiResult<ServerState> {
        self.server_stop(id.clone()).await?;
        self.server_start(id).await
    }

    /// The live state of a server.
    pub async fn server_state(&self, id: String) -> ApiResult<ServerState> {
        Ok(self.server_view(&self.server_artifact(&id).await?, None).state)
    }

    /// A server's tools (only those in `allowed_tools`, when it is set).
    pub async fn server_tools(&self, id: String) -> ApiResult<Vec<ToolInfo>> {
        self.live_server(&id).await?;
        Ok(self.servers.tools(&id)?)
    }

    /// Every connected server's tools in one list, with flat `{server}__{tool}` names.
    pub async fn tool_catalog(&self) -> ApiResult<Vec<CatalogTool>> {
        let titles: std::collections::HashMap<String, String> = self
            .store
            .artifacts_of_type(SERVER_CONTENT_TYPE, None)
            .await?
            .into_iter()
            .map(|a| (a.id, a.title))
            .collect();
        Ok(self
            .servers
            .all_tools()
            .into_iter()
            .map(|(server_id, tool)| {
                let server_title = titles.get(&server_id).cloned().unwrap_or_default();
                CatalogTool {
                    flat_name: atrium_mcp::flat_tool_name(&server_slug(&server_title), &tool.name),
                    server_id,
                    server_title,
                    tool,
                }
            })
            .collect())
    }

    /// A server's resources and resource templates.
    pub async fn server_resources(&self, id: String) -> ApiResult<ResourceCatalog> {
        self.live_server(&id).await?;
        Ok(self.servers.resources(&id).await?)
    }

    /// Reads a resource.
    pub async fn resource_read(&self, id: String, uri: String) -> ApiResult<Vec<ResourceContent>> {
        self.live_server(&id).await?;
        Ok(self.servers.read_resource(&id, &uri).await?)
    }

    /// A server's prompts.
    pub async fn server_prompts(&self, id: String) -> ApiResult<Vec<PromptInfo>> {
        self.live_server(&id).await?;
        Ok(self.servers.prompts(&id).await?)
    }

    /// Fills in a prompt with its arguments.
    pub async fn prompt_get(&self, id: String, name: String, args: Map<String, Value>) -> ApiResult<PromptResult> {
        self.live_server(&id).await?;
        Ok(self.servers.get_prompt(&id, &name, args).await?)
    }

    /// A server's recent log lines.
    pub async fn server_log(&self, id: String) -> ApiResult<Vec<LogLine>> {
        self.server_artifact(&id).await?;
        Ok(self.servers.log(&id).unwrap_or_default())
    }

    /// Calls a tool from the app's tool runner (audited with origin `ui`).
    pub async fn tool_call(&self, call: ToolCall) -> ApiResult<CallOutcome> {
        self.tool_call_from(call, AuditOrigin::Ui).await
    }

    /// Calls a tool on behalf of `origin`; the outcome (even a failure) is a value and is audited.
    pub async fn tool_call_from(&self, call: ToolCall, origin: AuditOrigin) -> ApiResult<CallOutcome> {
        self.live_server(&call.server_id).await?;
        Ok(self.servers.call_tool(call, origin).await?)
    }

    /// Cancels a running call; `false` when it already ended.
    pub async fn tool_cancel(&self, call_id: String) -> ApiResult<bool> {
        Ok(self.servers.cancel_call(&call_id))
    }

    /// Answers a server's elicitation; `false` when it is no longer waiting.
    pub async fn elicitation_answer(&self, id: String, answer: ElicitationAnswer) -> ApiResult<bool> {
        Ok(self.servers.answer_elicitation(&id, answer))
    }

    /// The audit log, newest first.
    pub async fn audit_list(&self, filter: AuditFilter) -> ApiResult<Vec<AuditEntry>> {
        Ok(self.store.audit_list(&filter).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_for_flat_names() {
        assert_eq!(server_slug("Server Everything (stdio)"), "server-everything-stdio");
        assert_eq!(server_slug("  ??? "), "server");
        let flat = atrium_mcp::flat_tool_name(&server_slug("My Tools"), "get_weather");
        assert_eq!(flat, "my-tools__get_weather");
        assert_eq!(atrium_mcp::split_flat_tool_name(&flat), Some(("my-tools", "get_weather")));
    }
}
