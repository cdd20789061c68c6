//! The one command surface of Atrium. [`Atrium`] composes the services (the store and the MCP connection manager) and exposes every
//! operation the desktop UI and the CLI call, with types that export to TypeScript through specta. Nothing here
//! knows about Tauri: the shell only forwards to these methods.
#![deny(missing_docs)]

mod access_links;
mod agent_access;
mod agent_consent;
mod agent_tokens;
mod agents;
mod approval_state;
mod approvals;
mod artifact_pages;
mod artifact_watch;
mod auth;
mod client_configs;
mod content_registry;
mod content_types;
pub mod control;
mod error;
mod events;
mod gateway_setting;
mod idempotent_calls;
mod import;
mod lifecycle;
mod links;
pub mod logging;
pub mod navigation;
mod oauth_rules;
mod oauth_server;
mod platform;
mod registrations;
mod reviews;
mod secrets;
mod server_view;
mod servers;
mod signals;
mod summaries;
mod view_wire;
mod viewer;
mod viewer_backend;
mod viewer_open;
mod viewer_origins;

use std::sync::Arc;

use atrium_mcp::{CrashCleanup, LocalSetup, RestartPolicy, SandboxSetup, ServerSet, ServerSetOptions};
use atrium_secrets::Keychain;
use atrium_store::{Store, validate};
use serde::{Deserialize, Serialize};

pub use access_links::{AccessLink, AccessLinkList, LinkAccess, NewAccessLink};
pub use agent_access::{AgentServerAccess, GATEWAY_SERVER_ID, GATEWAY_SERVER_TITLE};
pub use agent_consent::{AuthorizeOutcome, AuthorizeQuery, ConsentAnswer, ConsentRequest, ConsentStatus};
pub use agents::{AgentOAuth, AgentScope, AgentToken, AgentView, NewAgent};
pub use approval_state::{ApprovalReason, ServerApprovalState};
pub use artifact_pages::CREATE_MANY_MAX;
pub use artifact_watch::ArtifactNotice;
pub use atrium_auth::{AuthError, Browser, HeadlessBrowser};
pub use atrium_mcp::CatalogList;
pub use atrium_mcp::config_edit::EntryChange;
pub use atrium_mcp::import::{ConfigFormat, ConfigInput};
pub use atrium_mcp::log_file_name as server_log_file_name;
pub use atrium_mcp::{Auth, EnvValue, LocalEffects, Registration, Timeouts, TokenAuthMethod, Transport};
pub use atrium_mcp::{AuthKind, AuthSetup, AuthState, ServerAuth, run_watchdog_if_asked};
pub use atrium_mcp::{
    CallOutcome, CallProgress, ConnectionTest, ContentItem, ElicitationAction, ElicitationAnswer, ElicitationPolicy,
    ElicitationRequest, Failure, FailureCode, LogLine, PromptArgumentInfo, PromptInfo, PromptMessage, PromptResult,
    ResourceCatalog, ResourceContent, ResourceInfo, ResourceTemplateInfo, RestartPolicy as ServerRestartPolicy,
    SERVER_CONTENT_TYPE, ServerState, ServerStatus, ToolCall, ToolInfo, ToolResult,
};
pub use atrium_platform::discovery::{FoundBy, Probe, ProbeAnswer, ServiceCheck, ServiceNote};
pub use atrium_platform::wire::RemoteWorkspace;
pub use atrium_platform::{
    AccountInfo, AccountStatus, ConnectionReport, PlatformAddress, PlatformService, PlatformUrls, PlatformUser,
    RelayReason, RelayState, RelayStatus, SignInMethod, SignInOptions, SignInProvider, SignInRequest, SyncPhase,
    SyncProgress, SyncState, WorkspaceSync,
};
pub use atrium_store::AtriumPaths;
pub use atrium_store::{AgentServer, AuditEntry, AuditFilter, AuditOrigin, AuditStatus};
pub use atrium_store::{
    Artifact, ArtifactPatch, ArtifactState, ArtifactSummary, FieldProblem, NewArtifact, NewWorkspace, Revision,
    RevisionSummary, SCHEMA_VERSION, SearchHit, SearchQuery, TextSpan, Workspace,
};
pub use atrium_store::{ArtifactListQuery, ArtifactPage, ArtifactSort, TypeCount};
pub use atrium_store::{ConflictKind, Resolution, SyncConflict, SyncLink};
pub use atrium_store::{IdempotentStart, REVIEW_COMMENT_MAX, Review, ReviewVerdict};
pub use atrium_viewer::{Refusal as ViewerRefusal, ViewNotes, ViewerEvent};
pub use auth::{AuthorizerConfig, AuthorizerView, NewAuthorizer, SystemBrowser};
pub use client_configs::{ClientApp, ClientConnected, ClientConnection, ClientDisconnected};
pub use content_registry::{ViewerCandidate, ViewerChoice, ViewerChoices};
pub use content_types::ContentTypeInfo;
pub use error::{ApiError, ErrorCode, ErrorDetails, PlatformFailure, SignInFailure};
pub use events::{AppEvent, ChangedBy, EventSink, NoSink};
pub use gateway_setting::{GATEWAY_DEFAULT_PORT, GatewayStatus};
pub use import::{
    ImportPreview, ImportReport, ImportRequest, ImportSource, PlannedSecret, PlannedServer, ServerExport,
};
pub use oauth_rules::{OAuthErrorCode, OAuthRefusal};
pub use oauth_server::{ACCESS_LIFETIME, RevokeRequest, TokenRequest};
pub use platform::{PlatformView, RemoteWorkspaceView};
pub use registrations::parse_registration;
pub use secrets::{LocalSettings, SecretInput, SecretView};
pub use server_view::ServerView;
pub use servers::{CatalogTool, NewServer, ServerPatch, server_slug};
pub use signals::{QuitSignals, quit_requested};
pub use summaries::SummaryOutcome;
pub use viewer::{OpenedView, ViewerEnvironment, ViewerOpening};

/// The result of every API call.
pub type ApiResult<T> = Result<T, ApiError>;

/// Where this Atrium keeps its files, and which build it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AppInfo {
    /// The Atrium version.
    pub version: String,
    /// The home directory (`ATRIUM_HOME`).
    pub data_dir: String,
    /// The SQLite file.
    pub database_path: String,
    /// The directory of log files.
    pub log_dir: String,
    /// The store's schema version.
    pub schema_version: u32,
}

/// Whether the app could open its store; the UI shows an explanation instead of its screens when it could not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StartupStatus {
    /// Everything is open.
    Ready {
        /// Paths and version.
        info: AppInfo,
    },
    /// The store could not be opened or migrated; nothing was changed or replaced.
    Failed {
        /// What went wrong.
        error: ApiError,
        /// The home directory that was tried.
        data_dir: String,
    },
}

/// An artifact as a form holds it, for validation as the user types.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ArtifactDraft {
    /// The title typed so far.
    pub title: String,
    /// The content type typed so far.
    pub content_type: String,
    /// The content typed so far.
    pub content: String,
}

/// How an [`Atrium`] runs its servers.
#[derive(Clone)]
pub struct OpenOptions {
    /// Where server status, logs, progress and elicitations are reported.
    pub events: Arc<dyn EventSink>,
    /// How elicitation requests are answered.
    pub elicitation: ElicitationPolicy,
    /// Connect every enabled server at open and keep it connected (the desktop app); otherwise a server connects
    /// when first used (the CLI).
    pub connect_servers: bool,
    /// When crashed or lost servers are started again.
    pub restart: RestartPolicy,
    /// Where sign-in pages open (`None`: the system browser).
    pub browser: Option<Arc<dyn atrium_auth::Browser>>,
    /// Automatic sign-in (conformance runs) and Atrium's client metadata document.
    pub auth: AuthSetup,
    /// This binary calls [`run_watchdog_if_asked`] first thing, so it can be started again as the watchdog that
    /// stops its servers if it dies without a word (kill -9). Test binaries, which cannot, leave it off.
    pub watchdog: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            events: Arc::new(NoSink),
            elicitation: ElicitationPolicy::Decline,
            connect_servers: false,
            restart: RestartPolicy::default(),
            browser: None,
            auth: AuthSetup::default(),
            watchdog: false,
        }
    }
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("elicitation", &self.elicitation)
            .field("connect_servers", &self.connect_servers)
            .finish_non_exhaustive()
    }
}

/// Who writes through the API: what the person writes here is approved by that act; what a view (or, later, an
/// agent) writes never is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Author {
    /// The person, through the window or the terminal.
    Person,
    /// A server's view (MCP Apps), through the host's `update_artifact` / `create_artifact`.
    View,
}

/// Atrium: the services of one home directory, composed.
#[derive(Clone, Debug)]
pub struct Atrium {
    paths: AtriumPaths,
    store: Store,
    servers: ServerSet,
    keychain: Keychain,
    options: OpenOptions,
    viewers: viewer::Viewers,
    types: content_registry::TypeCache,
    sign_ins: Arc<auth::SignIns>,
    platform: platform::PlatformServices,
    /// OAuth clients' requests waiting for the person, and the codes waiting to be redeemed.
    consents: Arc<agent_consent::Consents>,
    /// Where artifact writes are broadcast (see [`Atrium::artifact_changes`]).
    artifact_notices: tokio::sync::broadcast::Sender<ArtifactNotice>,
}

impl Atrium {
    /// Opens the Atrium at `paths` for headless use: servers connect when first used, elicitations are declined.
    pub async fn open(paths: AtriumPaths) -> ApiResult<Self> {
        Self::open_with(paths, OpenOptions::default()).await
    }

    /// Opens the Atrium at `paths`: creates the home if needed, opens and migrates the store, and (when the
    /// options say so) connects every enabled server. Must be called inside a tokio runtime.
    pub async fn open_with(paths: AtriumPaths, mut options: OpenOptions) -> ApiResult<Self> {
        let (events, artifact_notices) = artifact_watch::wrap(options.events.clone());
        options.events = events;
        let store = Store::open(&paths).await?;
        let keychain = Keychain::new(paths.keychain_namespace());
        let local = LocalSetup {
            keychain: Some(keychain.clone()),
            log_dir: Some(paths.server_logs()),
            allowed_commands: secrets::extra_commands(&store).await?,
            installs: Some(paths.server_installs()),
            auth: options.auth.clone(),
            crash_cleanup: CrashCleanup {
                watchdog: options.watchdog.then(watchdog_program).flatten(),
                records: Some(paths.run_dir().join("process-groups")),
            },
            // Servers from repositories see neither the person's files nor Atrium's.
            sandbox: {
                let mut sandbox = SandboxSetup::default();
                sandbox.hidden.push(paths.home().to_owned());
                sandbox
            },
        };
        let types = content_registry::TypeCache::default();
        let viewers = viewer::Viewers::default();
        let sink = events::SinkEvents { sink: options.events.clone(), types: types.clone(), viewers: viewers.clone() };
        let servers = ServerSet::with_local(
            store.clone(),
            Arc::new(sink),
            ServerSetOptions { elicitation: options.elicitation, reconnect: true, restart: options.restart },
            local,
        );
        let platform = platform::PlatformServices::open(
            &store,
            keychain.clone(),
            servers.clone(),
            options.events.clone(),
            options.connect_servers,
        )
        .await?;
        let atrium = Self {
            platform,
            paths,
            store,
            servers,
            keychain,
            options,
            viewers,
            types,
            sign_ins: Arc::default(),
            consents: Arc::default(),
            artifact_notices,
        };
        atrium.seed_approvals().await?;
        if atrium.options.connect_servers {
            atrium.connect_all().await?;
            // The desktop app keeps linked workspaces in sync and serves the relay while it runs.
            atrium.platform_start(true);
        }
        Ok(atrium)
    }

    /// Disconnects every server (bounded), writes the pending audit rows and closes the store.
    pub async fn close(&self) {
        self.viewers.close_all().await;
        self.platform.relay.stop().await;
        self.platform.sync.stop().await;
        self.servers.shutdown().await;
        self.store.close().await;
    }

    /// Paths and version.
    pub async fn app_info(&self) -> ApiResult<AppInfo> {
        Ok(app_info(&self.paths))
    }

    /// Every workspace, by title.
    pub async fn workspace_list(&self) -> ApiResult<Vec<Workspace>> {
        Ok(self.store.list_workspaces().await?)
    }

    /// Creates a workspace.
    pub async fn workspace_create(&self, input: NewWorkspace) -> ApiResult<Workspace> {
        Ok(self.store.create_workspace(input).await?)
    }

    /// Renames a workspace.
    pub async fn workspace_rename(&self, id: String, title: String) -> ApiResult<Workspace> {
        Ok(self.store.rename_workspace(&id, &title).await?)
    }

    /// Sets a workspace's description (plain text; empty clears it). Like a rename it stays local: sync carries a
    /// linked workspace's artifacts, not its own name or description.
    pub async fn workspace_describe(&self, id: String, description: String) -> ApiResult<Workspace> {
        Ok(self.store.describe_workspace(&id, &description).await?)
    }

    /// Deletes a workspace with all its artifacts.
    pub async fn workspace_delete(&self, id: String) -> ApiResult<()> {
        let servers = self.store.artifacts_of_type(SERVER_CONTENT_TYPE, Some(&id)).await?;
        self.store.delete_workspace(&id).await?;
        self.announce(Some(ArtifactNotice::Many { workspace_id: id.clone() }));
        for server in servers {
            self.servers.remove(&server.id);
        }
        Ok(())
    }

    /// The artifacts of a workspace, most recently modified first.
    pub async fn artifact_list(&self, workspace_id: String) -> ApiResult<Vec<ArtifactSummary>> {
        Ok(self.store.list_artifacts(&workspace_id).await?)
    }

    /// One artifact.
    pub async fn artifact_get(&self, id: String) -> ApiResult<Artifact> {
        Ok(registrations::presented(self.store.get_artifact(&id).await?))
    }

    /// Creates an artifact (the person's command: a server registration they write is approved).
    pub async fn artifact_create(&self, input: NewArtifact) -> ApiResult<Artifact> {
        self.create_artifact_as(input, Author::Person).await
    }

    /// Creates an artifact on behalf of `author`.
    pub(crate) async fn create_artifact_as(&self, mut input: NewArtifact, author: Author) -> ApiResult<Artifact> {
        let written = self
            .registration_written(&input.content_type, input.content.as_deref(), input.context.as_ref(), &input.title)
            .await?;
        if let Some((content, context)) = written {
            (input.content, input.context) = (Some(content), Some(context));
        }
        let artifact = self.store.create_artifact(input).await?;
        if author == Author::Person {
            self.approve_as_written(&artifact).await?;
        }
        self.written(&artifact);
        self.changed(&artifact, true, author);
        self.after_save(&artifact, true);
        Ok(registrations::presented(artifact))
    }

    /// Changes an artifact; a new version is kept when anything changed (the person's command: a server
    /// registration they write is approved).
    pub async fn artifact_update(&self, id: String, patch: ArtifactPatch) -> ApiResult<Artifact> {
        self.update_artifact_as(id, patch, Author::Person).await
    }

    /// Changes an artifact on behalf of `author`.
    pub(crate) async fn update_artifact_as(
        &self,
        id: String,
        mut patch: ArtifactPatch,
        author: Author,
    ) -> ApiResult<Artifact> {
        let mut wrote_registration = false;
        if patch.content.is_some() || patch.context.is_some() {
            let current = self.store.get_artifact(&id).await?;
            let content_type = patch.content_type.clone().unwrap_or(current.content_type);
            let title = patch.title.clone().unwrap_or(current.title);
            let written = self
                .registration_written(&content_type, patch.content.as_deref(), patch.context.as_ref(), &title)
                .await?;
            if let Some((content, context)) = written {
                (patch.content, patch.context) = (Some(content), Some(context));
                wrote_registration = true;
            }
        }
        let artifact = self.store.update_artifact(&id, patch).await?;
        if wrote_registration && author == Author::Person {
            self.approve_as_written(&artifact).await?;
        }
        self.written(&artifact);
        self.changed(&artifact, false, author);
        self.after_save(&artifact, false);
        Ok(registrations::presented(artifact))
    }

    /// Copies an artifact into a new draft.
    pub async fn artifact_duplicate(&self, id: String) -> ApiResult<Artifact> {
        let artifact = self.store.duplicate_artifact(&id).await?;
        self.written(&artifact);
        Ok(registrations::presented(artifact))
    }

    /// Deletes an artifact and its history (a server registration is disconnected first).
    pub async fn artifact_delete(&self, id: String) -> ApiResult<()> {
        self.servers.remove(&id);
        let removal = self.announce_removal(&id).await?;
        self.store.delete_artifact(&id).await?;
        self.announce(removal);
        self.platform.sync.wake();
        Ok(())
    }

    /// Every version of an artifact, newest first.
    pub async fn artifact_history(&self, id: String) -> ApiResult<Vec<RevisionSummary>> {
        Ok(self.store.artifact_history(&id).await?)
    }

    /// One version of an artifact.
    pub async fn artifact_revision(&self, id: String, version: u32) -> ApiResult<Revision> {
        Ok(registrations::presented_revision(self.store.artifact_revision(&id, version).await?))
    }

    /// Makes an older version current again (as a new version).
    pub async fn artifact_restore(&self, id: String, version: u32) -> ApiResult<Artifact> {
        let artifact = self.store.restore_revision(&id, version).await?;
        self.written(&artifact);
        self.changed(&artifact, false, Author::Person);
        Ok(registrations::presented(artifact))
    }

    /// What a draft would be refused for, by the store's own rules; empty when it is acceptable.
    pub async fn artifact_validate(&self, draft: ArtifactDraft) -> ApiResult<Vec<FieldProblem>> {
        Ok(validate::artifact_draft(&draft.title, &draft.content_type, &draft.content))
    }

    /// Full-text search over titles and content.
    pub async fn search(&self, query: SearchQuery) -> ApiResult<Vec<SearchHit>> {
        Ok(self.store.search(&query).await?)
    }

    /// The content types Atrium knows, with their labels, icons and colours: the built-in ones, then those the
    /// connected servers declare.
    pub async fn content_types(&self) -> ApiResult<Vec<ContentTypeInfo>> {
        let mut types = content_types::built_in();
        for declared in self.discovered_content_types().await? {
            if !types.iter().any(|t| t.mime == declared.mime) {
                types.push(declared);
            }
        }
        Ok(types)
    }

    /// Tells the window (and whoever listens) that an artifact was written.
    fn changed(&self, artifact: &Artifact, created: bool, author: Author) {
        self.options.events.emit(AppEvent::ArtifactChanged {
            workspace_id: artifact.workspace_id.clone(),
            artifact_id: artifact.id.clone(),
            version: artifact.version,
            created,
            by: match author {
                Author::Person => events::ChangedBy::Person,
                Author::View => events::ChangedBy::View,
            },
        });
    }

    /// After a save, in the background: the owning server's `on_create` (for a new artifact), then its
    /// `extract_text`, whose text is indexed for search.
    fn after_save(&self, artifact: &Artifact, created: bool) {
        if artifact.content_type == SERVER_CONTENT_TYPE {
            return;
        }
        let (atrium, artifact) = (self.clone(), artifact.clone());
        tokio::spawn(async move {
            if created {
                atrium.run_lifecycle("on_create", &artifact).await;
            }
            let Some(result) = atrium.run_lifecycle("extract_text", &artifact).await else { return };
            let text = lifecycle::result_text(&result);
            match atrium.store.set_extracted_text(&artifact.id, artifact.version, &text).await {
                Ok(_) => {}
                Err(err) => tracing::warn!(artifact = %artifact.id, %err, "cannot index extracted text"),
            }
        });
    }
}

/// This very program, to start again as the watchdog (on Linux through `/proc/self/exe`, which still works after
/// an upgrade replaced the file).
fn watchdog_program() -> Option<std::path::PathBuf> {
    if cfg!(target_os = "linux") {
        return Some("/proc/self/exe".into());
    }
    std::env::current_exe().ok()
}

/// Paths and version for a home, available even when the store could not be opened.
pub fn app_info(paths: &AtriumPaths) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: paths.home().display().to_string(),
        database_path: paths.database().display().to_string(),
        log_dir: paths.logs().display().to_string(),
        schema_version: u32::try_from(SCHEMA_VERSION).unwrap_or(u32::MAX),
    }
}

/// Opens Atrium, turning a failure into the status the UI explains instead of its screens.
pub async fn start(paths: AtriumPaths, options: OpenOptions) -> (Option<Atrium>, StartupStatus) {
    match Atrium::open_with(paths.clone(), options).await {
        Ok(atrium) => (Some(atrium), StartupStatus::Ready { info: app_info(&paths) }),
        Err(error) => {
            tracing::error!(code = ?error.code, "store unavailable: {}", error.message);
            (None, StartupStatus::Failed { error, data_dir: paths.home().display().to_string() })
        }
    }
}
