//! Server registrations and everything done with them: stored as `mcp-server+json` artifacts (the registration in
//! `context`, mirrored as pretty JSON in `content` so the artifact reads well anywhere), kept live by the
//! connection manager, and called with every call audited.

use atrium_mcp::{
    CallOutcome, ConnectionTest, ElicitationAnswer, LogLine, PromptInfo, PromptResult, Registration, ResourceCatalog,
    ResourceContent, SERVER_CONTENT_TYPE, ServerSpec, ServerState, ServerStatus, ToolCall, ToolInfo, registration,
};
use atrium_store::{
    Artifact, ArtifactPatch, AuditEntry, AuditFilter, AuditOrigin, FieldProblem, NewArtifact, ServerApproval,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::approvals::{ServerApprovalState, approval_state};
use crate::{ApiError, ApiResult, Atrium, ErrorCode, ErrorDetails};

/// A registered server, for lists and forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ServerView {
    /// The registration artifact's id.
    pub id: String,
    /// Its workspace.
    pub workspace_id: String,
    /// Its title.
    pub title: String,
    /// The artifact's version (pass it back when saving).
    pub version: u32,
    /// The registration as stored (a JSON object), for the form's JSON mode.
    pub registration: Value,
    /// What is wrong with the stored registration, when it came from elsewhere and is not valid.
    pub problems: Vec<FieldProblem>,
    /// `http`, `sse`, `stdio` or `github`.
    pub transport: String,
    /// Where it is (URL or command line).
    pub target: String,
    /// Whether Atrium keeps it connected.
    pub enabled: bool,
    /// Whether the person approved what it runs on this computer (or uses of its credentials).
    pub approval: ServerApprovalState,
    /// Its live state.
    pub state: ServerState,
}

/// A new server registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct NewServer {
    /// The workspace to register it in.
    pub workspace_id: String,
    /// Its title.
    pub title: String,
    /// The registration (DESIGN §2): `{"transport": {...}, "allowed_tools": [...], ...}`.
    pub registration: Value,
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
    pub registration: Option<Value>,
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

fn invalid(problems: Vec<FieldProblem>) -> ApiError {
    let message = problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join(" ");
    ApiError { code: ErrorCode::InvalidInput, message, details: Some(ErrorDetails::Fields { problems }) }
}

fn parse_registration(value: &Value) -> ApiResult<Registration> {
    registration::parse(value).map_err(invalid)
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

fn transport_name(registration: &Registration) -> &'static str {
    match registration.transport {
        atrium_mcp::Transport::Http { .. } => "http",
        atrium_mcp::Transport::Sse { .. } => "sse",
        atrium_mcp::Transport::Stdio { .. } => "stdio",
        atrium_mcp::Transport::Github { .. } => "github",
    }
}

/// The registration stored in a server artifact: its context when that has a transport, else its content.
pub(crate) fn stored_registration(artifact: &Artifact) -> Value {
    if artifact.context.get("transport").is_some() {
        return artifact.context.clone();
    }
    serde_json::from_str(&artifact.content).unwrap_or_else(|_| artifact.context.clone())
}

fn spec_of(artifact: &Artifact) -> Option<ServerSpec> {
    let registration = registration::parse(&stored_registration(artifact)).ok()?;
    Some(ServerSpec {
        id: artifact.id.clone(),
        workspace_id: Some(artifact.workspace_id.clone()),
        title: artifact.title.clone(),
        registration,
    })
}

/// The artifact fields a registration is stored in.
pub(crate) fn registration_fields(registration: &Registration) -> (String, Value) {
    let context = registration.to_context();
    let content = serde_json::to_string_pretty(&context).unwrap_or_default();
    (content, context)
}

/// For artifacts written through the generic editor: a server registration's content is checked as a registration
/// and mirrored into its context, so the two never disagree.
pub(crate) fn mirror_registration(content_type: &str, content: Option<&str>) -> ApiResult<Option<(String, Value)>> {
    if content_type != SERVER_CONTENT_TYPE {
        return Ok(None);
    }
    let Some(content) = content else { return Ok(None) };
    let value: Value = match serde_json::from_str(content) {
        Ok(value) => value,
        // Not JSON: the store's own validation reports it with its position.
        Err(_) => return Ok(None),
    };
    let registration = registration::parse(&value).map_err(|problems| {
        invalid(
            problems
                .into_iter()
                .map(|p| FieldProblem {
                    field: "content".into(),
                    message: format!("{}: {}", p.field, p.message),
                    position: None,
                })
                .collect(),
        )
    })?;
    Ok(Some((content.to_owned(), registration.to_context())))
}

fn invalid_registration(artifact: &Artifact) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, format!("{} has an invalid registration: fix it first.", artifact.title))
}

impl Atrium {
    fn view(&self, artifact: &Artifact, approval: Option<&ServerApproval>) -> ServerView {
        let stored = stored_registration(artifact);
        let parsed = registration::parse(&stored);
        let approval = match &parsed {
            Ok(reg) => approval_state(artifact, reg, approval),
            Err(_) => ServerApprovalState::NotNeeded,
        };
        let state = self.servers.state(&artifact.id).unwrap_or(ServerState {
            server_id: artifact.id.clone(),
            status: ServerStatus::Stopped,
            tool_count: 0,
            server_info: None,
            pid: None,
            auth: atrium_mcp::ServerAuth {
                kind: atrium_mcp::AuthKind::None,
                state: atrium_mcp::AuthState::NotNeeded,
                can_sign_in: false,
            },
        });
        let (transport, target, enabled, problems) = match &parsed {
            Ok(reg) => (transport_name(reg).to_owned(), reg.target(), reg.enabled, Vec::new()),
            Err(problems) => (String::new(), String::new(), false, problems.clone()),
        };
        ServerView {
            id: artifact.id.clone(),
            workspace_id: artifact.workspace_id.clone(),
            title: artifact.title.clone(),
            version: artifact.version,
            registration: stored,
            problems,
            transport,
            target,
            enabled,
            approval,
            state,
        }
    }

    /// A server's view with its approval read from the store.
    async fn view_of(&self, artifact: &Artifact) -> ApiResult<ServerView> {
        let approval = self.store.server_approval(&artifact.id).await?;
        Ok(self.view(artifact, approval.as_ref()))
    }

    /// Starts keeping every enabled server of the store connected (the desktop app does this at start).
    pub async fn connect_all(&self) -> ApiResult<()> {
        for artifact in self.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await? {
            if let Some(spec) = spec_of(&artifact) {
                self.servers.upsert(spec);
            }
        }
        Ok(())
    }

    /// Brings the connection manager in line with a server artifact that was just written.
    pub(crate) fn sync_server(&self, artifact: &Artifact) {
        apply_registration(&self.servers, artifact, self.options.connect_servers);
    }

    /// Makes sure a server has a session (the CLI connects on demand) and is past `starting`.
    pub(crate) async fn live_server(&self, id: &str) -> ApiResult<()> {
        make_live(&self.store, &self.servers, id).await.map(|_| ())
    }
}

/// Brings the connection manager in line with a server artifact as it is stored now: a changed registration
/// reconnects (and is checked against the person's approval again), an invalid or retyped one disconnects.
/// `connect`: keep every enabled server connected (the desktop app); otherwise only servers already loaded follow.
pub(crate) fn apply_registration(servers: &atrium_mcp::ServerSet, artifact: &Artifact, connect: bool) {
    if artifact.content_type != SERVER_CONTENT_TYPE {
        // Retyped away from a registration (or never one): nothing may stay connected under its id.
        servers.remove(&artifact.id);
        return;
    }
    match spec_of(artifact) {
        Some(spec) if connect || servers.state(&spec.id).is_ok() => servers.upsert(spec),
        Some(_) => {}
        None => servers.remove(&artifact.id),
    }
}

/// After sync changed a workspace: its server registrations as they are now reach the connection manager, and
/// those deleted there disconnect. What the platform changed is never run without the person's approval: the
/// connection manager checks it at every start.
pub(crate) async fn reconcile_servers(
    store: &atrium_store::Store,
    servers: &atrium_mcp::ServerSet,
    workspace_id: &str,
    connect: bool,
) -> ApiResult<()> {
    let artifacts = store.artifacts_of_type(SERVER_CONTENT_TYPE, Some(workspace_id)).await?;
    for artifact in &artifacts {
        apply_registration(servers, artifact, connect);
    }
    for id in servers.ids() {
        let gone = matches!(store.get_artifact(&id).await, Err(atrium_store::StoreError::NotFound { .. }));
        if gone {
            servers.remove(&id);
        }
    }
    Ok(())
}

/// Registers a server with the connection manager if it is not yet (from its stored registration), and waits
/// until it is past `starting`; returns its state.
pub(crate) async fn make_live(
    store: &atrium_store::Store,
    servers: &atrium_mcp::ServerSet,
    id: &str,
) -> ApiResult<ServerState> {
    match servers.state(id) {
        // Known and settled: nothing to read or wait for (this is every tool call's path).
        Ok(state) if !matches!(state.status, ServerStatus::Starting | ServerStatus::Installing { .. }) => {
            return Ok(state);
        }
        Ok(_) => {}
        Err(_) => {
            let artifact = server_artifact(store, id).await?;
            let spec = spec_of(&artifact).ok_or_else(|| invalid_registration(&artifact))?;
            servers.upsert(spec);
        }
    }
    Ok(servers.wait_settled(id).await?)
}

async fn server_artifact(store: &atrium_store::Store, id: &str) -> ApiResult<Artifact> {
    let artifact = store.get_artifact(id).await?;
    if artifact.content_type != SERVER_CONTENT_TYPE {
        return Err(ApiError::new(ErrorCode::NotFound, format!("{} is not a server registration.", artifact.title)));
    }
    Ok(artifact)
}

impl Atrium {
    pub(crate) async fn server_artifact(&self, id: &str) -> ApiResult<Artifact> {
        server_artifact(&self.store, id).await
    }

    /// The servers registered in a workspace (or in all of them), with their live state.
    pub async fn server_list(&self, workspace_id: Option<String>) -> ApiResult<Vec<ServerView>> {
        let artifacts = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, workspace_id.as_deref()).await?;
        let approvals: std::collections::HashMap<String, ServerApproval> =
            self.store.server_approvals().await?.into_iter().map(|a| (a.server_id.clone(), a)).collect();
        Ok(artifacts.iter().map(|a| self.view(a, approvals.get(&a.id))).collect())
    }

    /// One server.
    pub async fn server_get(&self, id: String) -> ApiResult<ServerView> {
        self.view_of(&self.server_artifact(&id).await?).await
    }

    /// What is wrong with a registration as typed; empty when it is valid.
    pub async fn server_validate(&self, registration: Value) -> ApiResult<Vec<FieldProblem>> {
        Ok(registration::parse(&registration).err().unwrap_or_default())
    }

    /// Registers a server (and connects it when enabled).
    pub async fn server_create(&self, input: NewServer) -> ApiResult<ServerView> {
        parse_registration(&input.registration)?;
        let secured = self.secure_registration(input.registration, &input.title).await?;
        let registration = parse_registration(&secured)?;
        let (content, context) = registration_fields(&registration);
        let artifact = self
            .store
            .create_artifact(NewArtifact {
                workspace_id: input.workspace_id,
                title: input.title,
                content_type: SERVER_CONTENT_TYPE.to_owned(),
                content: Some(content),
                context: Some(context),
                state: None,
            })
            .await?;
        tracing::info!(server = %artifact.id, transport = transport_name(&registration), "server registered");
        self.approve_as_written(&artifact).await?;
        self.sync_server(&artifact);
        self.view_of(&artifact).await
    }

    /// Changes a server's title or registration (reconnecting it when the registration changed). The person wrote
    /// the registration: what it runs is approved.
    pub async fn server_update(&self, id: String, patch: ServerPatch) -> ApiResult<ServerView> {
        let approve = patch.registration.is_some();
        self.write_server(id, patch, approve).await
    }

    async fn write_server(&self, id: String, patch: ServerPatch, approve: bool) -> ApiResult<ServerView> {
        self.server_artifact(&id).await?;
        let fields = match patch.registration {
            Some(value) => {
                parse_registration(&value)?;
                let title = patch.title.clone().unwrap_or_else(|| "a server".to_owned());
                let secured = self.secure_registration(value, &title).await?;
                Some(registration_fields(&parse_registration(&secured)?))
            }
            None => None,
        };
        let (content, context) = fields.unzip();
        let artifact = self
            .store
            .update_artifact(
                &id,
                ArtifactPatch {
                    expected_version: Some(patch.expected_version),
                    title: patch.title,
                    content,
                    context,
                    ..ArtifactPatch::default()
                },
            )
            .await?;
        if approve {
            self.approve_as_written(&artifact).await?;
        }
        self.sync_server(&artifact);
        self.view_of(&artifact).await
    }

    /// Enables or disables a server (a disabled one is disconnected and refuses calls). Enabling approves nothing:
    /// a server that waits for review keeps waiting.
    pub async fn server_set_enabled(&self, id: String, enabled: bool) -> ApiResult<ServerView> {
        let artifact = self.server_artifact(&id).await?;
        let mut value = stored_registration(&artifact);
        if let Some(object) = value.as_object_mut() {
            object.insert("enabled".into(), Value::Bool(enabled));
        }
        let patch = ServerPatch { expected_version: artifact.version, title: None, registration: Some(value) };
        self.write_server(id, patch, false).await
    }

    /// Unregisters a server: disconnects it and deletes its artifact (its audit rows stay).
    pub async fn server_remove(&self, id: String) -> ApiResult<()> {
        self.server_artifact(&id).await?;
        self.servers.remove(&id);
        Ok(self.store.delete_artifact(&id).await?)
    }

    /// Connects to a registration on the side and lists its tools; the live session is untouched.
    pub async fn server_test(&self, registration: Value) -> ApiResult<ConnectionTest> {
        let registration = parse_registration(&registration)?;
        Ok(self.servers.test_connection(&registration).await)
    }

    /// Tests a registered server on the side, like [`Atrium::server_test`]; one that waits for the person's
    /// approval is not started (the test says so, `policy_denied`).
    pub async fn server_test_registered(&self, id: String) -> ApiResult<ConnectionTest> {
        let view = self.view_of(&self.server_artifact(&id).await?).await?;
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
        Ok(self.servers.test_connection(&parse_registration(&view.registration)?).await)
    }

    /// Reconnects a server and re-reads what it offers.
    pub async fn server_refresh(&self, id: String) -> ApiResult<ServerState> {
        let artifact = self.server_artifact(&id).await?;
        match self.servers.state(&id) {
            Ok(_) => self.servers.refresh(&id)?,
            Err(_) => {
                if let Some(spec) = spec_of(&artifact) {
                    self.servers.upsert(spec);
                }
            }
        }
        Ok(self.servers.wait_settled(&id).await?)
    }

    /// Starts a stopped or failed server (a disabled one too: `enabled` says only whether it starts with Atrium)
    /// and waits until it is ready or has failed.
    pub async fn server_start(&self, id: String) -> ApiResult<ServerState> {
        let artifact = self.server_artifact(&id).await?;
        if self.servers.state(&id).is_err() {
            let spec = spec_of(&artifact).ok_or_else(|| invalid_registration(&artifact))?;
            self.servers.upsert(spec);
        }
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
        Ok(self.view(&self.server_artifact(&id).await?, None).state)
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
