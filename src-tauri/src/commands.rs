//! The command registry. Each line names an `Atrium` method; the macro generates a Tauri command that forwards to
//! it and registers it for both the invoke handler and the TypeScript bindings, so the two cannot drift.

use atrium_api::{AccessLinkList, ArtifactListQuery, ArtifactPage, Review};
use atrium_api::{
    AccountInfo, ApiError, AppEvent, Artifact, ArtifactDraft, ArtifactPatch, ArtifactSummary, AuditEntry, AuditFilter,
    AuthorizerConfig, AuthorizerView, CallOutcome, CatalogTool, ConnectionReport, ConnectionTest, ContentTypeInfo,
    ElicitationAnswer, FieldProblem, ImportPreview, ImportReport, ImportRequest, ImportSource, LocalSettings, LogLine,
    NewArtifact, NewAuthorizer, NewServer, NewWorkspace, PlatformAddress, PlatformView, PromptInfo, PromptResult,
    Registration, RelayStatus, RemoteWorkspaceView, Resolution, ResourceCatalog, ResourceContent, Revision,
    RevisionSummary, SearchHit, SearchQuery, SecretInput, SecretView, ServerAuth, ServerExport, ServerPatch,
    ServerState, ServerView, SignInRequest, StartupStatus, SyncConflict, SyncLink, ToolCall, ToolInfo, ViewNotes,
    ViewerChoice, ViewerChoices, ViewerEnvironment, ViewerOpening, Workspace, WorkspaceSync,
};
use atrium_api::{AgentServerAccess, AgentToken, AgentView, ConsentAnswer, ConsentRequest, NewAgent};
use atrium_api::{ClientApp, ClientConnected, ClientConnection, ClientDisconnected};
use serde_json::{Map, Value};
use tauri::{Manager, State};

use crate::shell::Shell;

macro_rules! registry {
    ($( $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty; )*) => {
        $(
            #[tauri::command]
            #[specta::specta]
            async fn $name(shell: State<'_, Shell>, $( $arg: $ty ),*) -> Result<$ret, ApiError> {
                shell.atrium().await?.$name($( $arg ),*).await
            }
        )*

        /// Every command with its types, for the invoke handler and for exporting bindings.
        pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
            tauri_specta::Builder::<tauri::Wry>::new()
                .commands(tauri_specta::collect_commands![
                    startup_status,
                    ui_ready,
                    crate::gateway::gateway_status,
                    crate::gateway::gateway_set_port,
                    crate::close_guard::window_guard_close,
                    crate::close_guard::window_close,
                    $( $name ),*
                ])
                // Not a command: the payload of the `atrium://event` window event, exported for the UI's listener.
                .typ::<AppEvent>()
        }
    };
}

registry! {
    workspace_list() -> Vec<Workspace>;
    workspace_create(input: NewWorkspace) -> Workspace;
    workspace_rename(id: String, title: String) -> Workspace;
    workspace_describe(id: String, description: String) -> Workspace;
    workspace_delete(id: String) -> ();
    artifact_list(workspace_id: String) -> Vec<ArtifactSummary>;
    artifact_page(query: ArtifactListQuery) -> ArtifactPage;
    artifact_get(id: String) -> Artifact;
    artifact_create(input: NewArtifact) -> Artifact;
    artifact_update(id: String, patch: ArtifactPatch) -> Artifact;
    artifact_duplicate(id: String) -> Artifact;
    artifact_delete(id: String) -> ();
    artifact_history(id: String) -> Vec<RevisionSummary>;
    artifact_revision(id: String, version: u32) -> Revision;
    artifact_restore(id: String, version: u32) -> Artifact;
    artifact_reviews(id: String) -> Vec<Review>;
    access_links(artifact_id: String) -> AccessLinkList;
    artifact_validate(draft: ArtifactDraft) -> Vec<FieldProblem>;
    search(query: SearchQuery) -> Vec<SearchHit>;
    content_types() -> Vec<ContentTypeInfo>;
    server_list(workspace_id: Option<String>) -> Vec<ServerView>;
    server_get(id: String) -> ServerView;
    server_validate(registration: Value) -> Vec<FieldProblem>;
    server_create(input: NewServer) -> ServerView;
    server_update(id: String, patch: ServerPatch) -> ServerView;
    server_set_enabled(id: String, enabled: bool) -> ServerView;
    server_approve(id: String, fingerprint: String) -> ServerView;
    server_remove(id: String) -> ();
    server_test(registration: Registration) -> ConnectionTest;
    server_test_registered(id: String) -> ConnectionTest;
    server_refresh(id: String) -> ServerState;
    server_state(id: String) -> ServerState;
    server_tools(id: String) -> Vec<ToolInfo>;
    server_resources(id: String) -> ResourceCatalog;
    resource_read(id: String, uri: String) -> Vec<ResourceContent>;
    server_prompts(id: String) -> Vec<PromptInfo>;
    prompt_get(id: String, name: String, args: Map<String, Value>) -> PromptResult;
    server_log(id: String) -> Vec<LogLine>;
    server_start(id: String) -> ServerState;
    server_stop(id: String) -> ServerState;
    server_restart(id: String) -> ServerState;
    server_sign_in(id: String) -> ServerAuth;
    server_sign_in_cancel(id: String) -> bool;
    server_sign_out(id: String) -> bool;
    authorizer_list(workspace_id: Option<String>) -> Vec<AuthorizerView>;
    authorizer_create(input: NewAuthorizer) -> AuthorizerView;
    authorizer_update(id: String, expected_version: u32, title: Option<String>, config: Option<AuthorizerConfig>) -> AuthorizerView;
    authorizer_delete(id: String) -> ();
    authorizer_connect(id: String) -> AuthorizerView;
    authorizer_disconnect(id: String) -> bool;
    authorizer_connect_cancel(id: String) -> bool;
    platform_status() -> PlatformView;
    platform_check(address: PlatformAddress) -> ConnectionReport;
    platform_sign_in(address: PlatformAddress, request: SignInRequest) -> AccountInfo;
    platform_sign_in_cancel() -> bool;
    platform_sign_out() -> ();
    platform_workspaces() -> Vec<RemoteWorkspaceView>;
    workspace_publish(workspace_id: String) -> SyncLink;
    workspace_link_remote(remote_id: String) -> Workspace;
    workspace_unlink(workspace_id: String) -> ();
    sync_now(workspace_id: Option<String>) -> Vec<WorkspaceSync>;
    sync_conflicts(workspace_id: Option<String>) -> Vec<SyncConflict>;
    sync_resolve(artifact_id: String, resolution: Resolution) -> ();
    relay_pause() -> RelayStatus;
    relay_resume() -> RelayStatus;
    relay_set_roots(roots: Vec<String>) -> Vec<String>;
    server_publish(server_id: String) -> ServerView;
    server_unpublish(server_id: String) -> ServerView;
    secret_list() -> Vec<SecretView>;
    secret_set(input: SecretInput) -> SecretView;
    secret_delete(id: String) -> ();
    local_settings() -> LocalSettings;
    local_settings_set_commands(commands: Vec<String>) -> LocalSettings;
    import_preview(source: ImportSource) -> ImportPreview;
    import_apply(request: ImportRequest) -> ImportReport;
    server_export(id: String) -> ServerExport;
    tool_catalog() -> Vec<CatalogTool>;
    viewer_open_artifact(artifact_id: String, environment: ViewerEnvironment) -> ViewerOpening;
    viewer_open_tool(server_id: String, tool: String, args: Map<String, Value>, environment: ViewerEnvironment) -> ViewerOpening;
    viewer_preview_tool(server_id: String, tool: String, environment: ViewerEnvironment) -> ViewerOpening;
    viewer_tool_input_partial(view_id: String, args: Map<String, Value>) -> ();
    viewer_run_tool(view_id: String, args: Map<String, Value>) -> String;
    viewer_post(view_id: String, message: String) -> Option<Value>;
    viewer_close(view_id: String) -> bool;
    viewer_notes(view_id: String) -> ViewNotes;
    viewer_set_theme(theme: String) -> ();
    viewer_answer_link(request_id: String, open: bool) -> bool;
    link_open(url: String) -> ();
    viewer_choices(content_type: String) -> ViewerChoices;
    viewer_choose(content_type: String, choice: Option<ViewerChoice>) -> ViewerChoices;
    tool_call(call: ToolCall) -> CallOutcome;
    tool_cancel(call_id: String) -> bool;
    elicitation_answer(id: String, answer: ElicitationAnswer) -> bool;
    audit_list(filter: AuditFilter) -> Vec<AuditEntry>;
    agent_list() -> Vec<AgentView>;
    agent_get(id_or_name: String) -> AgentView;
    agent_create(input: NewAgent) -> AgentToken;
    agent_rotate(id_or_name: String) -> AgentToken;
    agent_remove(id_or_name: String) -> ();
    agent_server_set(id_or_name: String) -> Vec<AgentServerAccess>;
    agent_consent_pending() -> Vec<ConsentRequest>;
    agent_consent_answer(id: String, answer: ConsentAnswer) -> Option<AgentView>;
    client_connection(agent: String, client: ClientApp, path: Option<String>) -> ClientConnection;
    client_connect(agent: String, client: ClientApp, path: Option<String>) -> ClientConnected;
    client_disconnect(client: ClientApp, path: Option<String>) -> ClientDisconnected;
}

/// Whether the store opened; the UI calls this first and explains a failure instead of showing its screens.
#[tauri::command]
#[specta::specta]
async fn startup_status(app: tauri::AppHandle) -> StartupStatus {
    // An owned handle, not `State`: an async command that borrows must answer a `Result`, and this one does not.
    app.state::<Shell>().status().await.clone()
}

/// The UI has rendered its first screen with data: the app is interactive.
#[tauri::command]
#[specta::specta]
fn ui_ready(shell: State<'_, Shell>) {
    shell.mark_interactive();
}
