//! The Agience platform in the command surface: signing in, linking workspaces, sync status and conflicts, the
//! relay and publishing local servers to it.

use std::path::PathBuf;
use std::sync::Arc;

use atrium_platform::wire::RemoteWorkspace;
use atrium_platform::{
    Account, AccountInfo, AccountStatus, ConnectionReport, PlatformAddress, PlatformError, PlatformService, Relay,
    RelayOptions, RelayReporter, RelayStatus, SignInRequest, Sync, SyncProgress, SyncReporter, WorkspaceSync,
};
use atrium_store::{Resolution, SyncConflict, SyncLink, Workspace};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use crate::events::{AppEvent, EventSink};
use crate::{ApiError, ApiResult, Atrium, ErrorCode, ErrorDetails, PlatformFailure};

/// The local setting listing the folders the relay's file tools may read.
const ROOTS_SETTING: &str = "relay.allowed_roots";
/// The local setting holding this machine's relay device id.
const DEVICE_SETTING: &str = "relay.device_id";

impl From<PlatformError> for ApiError {
    fn from(error: PlatformError) -> Self {
        let message = error.to_string();
        let platform = |code, reason| ApiError {
            code,
            message: message.clone(),
            details: Some(ErrorDetails::Platform { reason }),
        };
        match error {
            PlatformError::Store(e) => e.into(),
            PlatformError::Auth(e) => e.into(),
            PlatformError::BadUrl { .. } => platform(ErrorCode::InvalidInput, PlatformFailure::BadUrl),
            PlatformError::ServiceNotFound { service, .. } => platform(
                ErrorCode::PlatformUnavailable,
                match service {
                    PlatformService::Mantle => PlatformFailure::MantleNotFound,
                    // Chorus is never required to sign in; Origin is the address itself.
                    PlatformService::Origin | PlatformService::Chorus => PlatformFailure::OriginNotFound,
                },
            ),
            PlatformError::Refused(_) => platform(ErrorCode::InvalidInput, PlatformFailure::BadCredentials),
            PlatformError::UnknownProvider { .. } => {
                platform(ErrorCode::InvalidInput, PlatformFailure::UnknownProvider)
            }
            PlatformError::NeedsUserToken(_) => platform(ErrorCode::InvalidInput, PlatformFailure::NeedsUserToken),
            PlatformError::SignedOut => ApiError::new(ErrorCode::SignedOut, message),
            PlatformError::NotFound(_) => ApiError::new(ErrorCode::NotFound, message),
            PlatformError::Keychain(_) => ApiError::new(ErrorCode::KeychainUnavailable, message),
            PlatformError::Unreachable { .. } => ApiError::new(ErrorCode::PlatformUnavailable, message),
            PlatformError::Cancelled => ApiError {
                code: ErrorCode::Cancelled,
                message,
                details: Some(ErrorDetails::SignIn { reason: crate::SignInFailure::Cancelled }),
            },
            PlatformError::Status { .. } | PlatformError::Malformed { .. } => {
                ApiError::new(ErrorCode::PlatformFailed, message)
            }
        }
    }
}

/// Everything the Platform screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct PlatformView {
    /// Signed in or not.
    pub account: AccountStatus,
    /// Each linked workspace's sync.
    pub workspaces: Vec<WorkspaceSync>,
    /// The relay.
    pub relay: RelayStatus,
    /// The folders the relay's file tools may read.
    pub allowed_roots: Vec<String>,
}

/// A platform workspace, and the local one linked to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct RemoteWorkspaceView {
    /// The platform workspace.
    pub remote: RemoteWorkspace,
    /// The local workspace linked to it, if any.
    pub linked_workspace_id: Option<String>,
}

/// Forwards sync and relay reports to the window, and what sync changed to the connection manager.
pub(crate) struct PlatformEvents {
    sink: Arc<dyn EventSink>,
    store: atrium_store::Store,
    servers: atrium_mcp::ServerSet,
    /// Whether every enabled server is kept connected (the desktop app).
    connect: bool,
}

impl SyncReporter for PlatformEvents {
    fn progress(&self, progress: &SyncProgress) {
        self.sink.emit(AppEvent::SyncProgress { progress: progress.clone() });
    }
    fn status(&self, status: &WorkspaceSync) {
        self.sink.emit(AppEvent::SyncStatus { status: status.clone() });
    }
    fn artifacts_changed(&self, workspace_id: &str) {
        self.sink.emit(AppEvent::ArtifactsChanged { workspace_id: workspace_id.to_owned() });
        // A registration the platform changed stops and waits for the person's approval again; one it deleted
        // disconnects.
        let (store, servers, connect, workspace) =
            (self.store.clone(), self.servers.clone(), self.connect, workspace_id.to_owned());
        tokio::spawn(async move {
            if let Err(err) = crate::registrations::reconcile_servers(&store, &servers, &workspace, connect).await {
                tracing::warn!(%err, "cannot apply synced server registrations");
            }
        });
    }
}

impl RelayReporter for PlatformEvents {
    fn status(&self, status: &RelayStatus) {
        self.sink.emit(AppEvent::RelayStatus { status: status.clone() });
    }
}

/// The platform services of one home.
#[derive(Clone, Debug)]
pub(crate) struct PlatformServices {
    pub(crate) account: Account,
    pub(crate) sync: Sync,
    pub(crate) relay: Relay,
    pub(crate) sign_in: Arc<std::sync::Mutex<Option<CancellationToken>>>,
}

impl PlatformServices {
    pub(crate) async fn open(
        store: &atrium_store::Store,
        keychain: atrium_secrets::Keychain,
        servers: atrium_mcp::ServerSet,
        events: Arc<dyn EventSink>,
        connect: bool,
    ) -> ApiResult<Self> {
        let account = Account::load(store.clone(), Some(keychain)).await?;
        let reporter =
            Arc::new(PlatformEvents { sink: events, store: store.clone(), servers: servers.clone(), connect });
        let sync = Sync::new(account.clone(), reporter.clone());
        let options = RelayOptions {
            device_id: device_id(store).await?,
            display_name: host_name(),
            allowed_roots: allowed_roots(store).await?,
        };
        let relay = Relay::new(account.clone(), servers, options, reporter);
        Ok(PlatformServices { account, sync, relay, sign_in: Arc::default() })
    }
}

async fn device_id(store: &atrium_store::Store) -> ApiResult<String> {
    if let Some(Value::String(id)) = store.setting(DEVICE_SETTING).await? {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    store.set_setting(DEVICE_SETTING, &json!(id)).await?;
    Ok(id)
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .map(|h| format!("Atrium on {h}"))
        .unwrap_or_else(|| "Atrium".into())
}

async fn allowed_roots(store: &atrium_store::Store) -> ApiResult<Vec<PathBuf>> {
    Ok(store
        .setting(ROOTS_SETTING)
        .await?
        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
        .unwrap_or_default()
        .into_iter()
        .map(PathBuf::from)
        .collect())
}

impl Atrium {
    /// Signed in or not, the linked workspaces' sync and the relay.
    pub async fn platform_status(&self) -> ApiResult<PlatformView> {
        Ok(PlatformView {
            account: self.platform.account.status(),
            workspaces: self.platform.sync.statuses().await?,
            relay: self.relay_status().await,
            allowed_roots: allowed_roots(&self.store).await?.iter().map(|p| p.display().to_string()).collect(),
        })
    }

    /// The relay as this process serves it, or as another process (`atrium relay`, the window) reports it.
    async fn relay_status(&self) -> RelayStatus {
        let own = self.platform.relay.status();
        if own.state != atrium_platform::RelayState::Off {
            return own;
        }
        atrium_platform::relay::status::shared(&self.store).await.unwrap_or(own)
    }

    /// Finds the platform's services at `address` and says what each answered, and how people sign in there.
    pub async fn platform_check(&self, address: PlatformAddress) -> ApiResult<ConnectionReport> {
        Ok(atrium_platform::discovery::check(&atrium_platform::http_client(), &address).await?)
    }

    /// Signs in to the platform at `address` (its front URL, or Origin's; Mantle's and Chorus's when discovery
    /// cannot find them).
    pub async fn platform_sign_in(&self, address: PlatformAddress, request: SignInRequest) -> ApiResult<AccountInfo> {
        let report = atrium_platform::discovery::check(&atrium_platform::http_client(), &address).await?;
        let urls = report.urls()?;
        let cancel = CancellationToken::new();
        if let Some(previous) = self.platform.sign_in.lock().unwrap_or_else(|p| p.into_inner()).replace(cancel.clone())
        {
            previous.cancel();
        }
        let browser = self.browser();
        let result = self.platform.account.sign_in(urls, request, browser.as_ref(), &cancel).await;
        self.platform.sync.wake();
        Ok(result?)
    }

    /// Stops a browser sign-in that is waiting for the platform's answer.
    pub async fn platform_sign_in_cancel(&self) -> ApiResult<bool> {
        let token = self.platform.sign_in.lock().unwrap_or_else(|p| p.into_inner()).take();
        Ok(token.map(|t| t.cancel()).is_some())
    }

    /// Signs out; linked workspaces keep their local copies and their pending changes.
    pub async fn platform_sign_out(&self) -> ApiResult<()> {
        Ok(self.platform.account.sign_out().await?)
    }

    /// The platform's workspaces this account can read, with the local workspace linked to each.
    pub async fn platform_workspaces(&self) -> ApiResult<Vec<RemoteWorkspaceView>> {
        let links = self.store.sync_links().await?;
        Ok(self
            .platform
            .sync
            .remote_workspaces()
            .await?
            .into_iter()
            .map(|remote| RemoteWorkspaceView {
                linked_workspace_id: links.iter().find(|l| l.remote_id == remote.id).map(|l| l.workspace_id.clone()),
                remote,
            })
            .collect())
    }

    /// Puts a local workspace on the platform and keeps the two in sync.
    pub async fn workspace_publish(&self, workspace_id: String) -> ApiResult<SyncLink> {
        Ok(self.platform.sync.publish_workspace(&workspace_id).await?)
    }

    /// Brings a platform workspace here and keeps the two in sync.
    pub async fn workspace_link_remote(&self, remote_id: String) -> ApiResult<Workspace> {
        Ok(self.platform.sync.link_remote(&remote_id).await?)
    }

    /// Stops syncing a workspace; both copies stay.
    pub async fn workspace_unlink(&self, workspace_id: String) -> ApiResult<()> {
        Ok(self.platform.sync.unlink(&workspace_id).await?)
    }

    /// Syncs one linked workspace (or all) now.
    pub async fn sync_now(&self, workspace_id: Option<String>) -> ApiResult<Vec<WorkspaceSync>> {
        match workspace_id {
            Some(id) => {
                self.platform.sync.sync_workspace(&id).await?;
            }
            None => {
                self.platform.sync.sync_all().await?;
            }
        }
        self.platform.sync.statuses().await.map_err(Into::into)
    }

    /// Open sync conflicts (of one workspace, or all).
    pub async fn sync_conflicts(&self, workspace_id: Option<String>) -> ApiResult<Vec<SyncConflict>> {
        Ok(self.platform.sync.conflicts(workspace_id.as_deref()).await?)
    }

    /// Settles a conflict as the person chose.
    pub async fn sync_resolve(&self, artifact_id: String, resolution: Resolution) -> ApiResult<()> {
        Ok(self.platform.sync.resolve(&artifact_id, resolution).await?)
    }

    /// Pauses the relay: the platform cannot reach local servers until it resumes.
    pub async fn relay_pause(&self) -> ApiResult<RelayStatus> {
        self.platform.relay.pause();
        Ok(self.platform.relay.status())
    }

    /// Resumes the relay.
    pub async fn relay_resume(&self) -> ApiResult<RelayStatus> {
        self.platform.relay.start();
        self.platform.relay.resume();
        Ok(self.platform.relay.status())
    }

    /// Sets the folders the relay's file tools may read (each must exist).
    pub async fn relay_set_roots(&self, roots: Vec<String>) -> ApiResult<Vec<String>> {
        let mut checked = Vec::new();
        for root in roots.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
            let path = std::fs::canonicalize(root).map_err(|_| {
                ApiError::new(ErrorCode::InvalidInput, format!("{root} is not a folder on this computer."))
            })?;
            if !path.is_dir() {
                return Err(ApiError::new(ErrorCode::InvalidInput, format!("{root} is not a folder.")));
            }
            checked.push(path);
        }
        let text: Vec<String> = checked.iter().map(|p| p.display().to_string()).collect();
        self.store.set_setting(ROOTS_SETTING, &json!(text)).await?;
        self.platform.relay.set_allowed_roots(checked);
        Ok(text)
    }

    /// Publishes a local server to the platform for the relay: its registration gets
    /// `mcp_server {kind: "relay", local_server_id, name}`, and sync creates it on the platform in its
    /// workspace's container (so the workspace must be linked).
    pub async fn server_publish(&self, server_id: String) -> ApiResult<crate::ServerView> {
        let artifact = self.server_artifact(&server_id).await?;
        let linked = self.store.sync_links().await?.into_iter().any(|l| l.workspace_id == artifact.workspace_id);
        if !linked {
            let workspace = self.store.get_workspace(&artifact.workspace_id).await?;
            return Err(ApiError {
                code: ErrorCode::InvalidInput,
                message: format!(
                    "Put the workspace \"{}\" on the platform first (Platform → Publish workspace); the server's \
                     registration travels with it.",
                    workspace.title
                ),
                details: Some(ErrorDetails::Platform { reason: PlatformFailure::WorkspaceNotPublished }),
            });
        }
        let mut context = artifact.context.clone();
        let name = crate::servers::server_slug(&artifact.title);
        context["mcp_server"] = json!({"kind": "relay", "local_server_id": artifact.id, "name": name});
        let patch = atrium_store::ArtifactPatch { context: Some(context), ..Default::default() };
        let updated = self.store.update_artifact(&server_id, patch).await?;
        self.platform.sync.wake();
        self.server_view_of(&updated).await
    }

    /// Stops offering a local server to the platform (its platform artifact stays, the relay refuses it).
    pub async fn server_unpublish(&self, server_id: String) -> ApiResult<crate::ServerView> {
        let artifact = self.server_artifact(&server_id).await?;
        let mut context = artifact.context.clone();
        if let Some(map) = context.as_object_mut() {
            map.remove("mcp_server");
        }
        let patch = atrium_store::ArtifactPatch { context: Some(context), ..Default::default() };
        let updated = self.store.update_artifact(&server_id, patch).await?;
        self.platform.sync.wake();
        self.server_view_of(&updated).await
    }

    /// Starts the live sync loop and the relay (the desktop app does at open; `atrium relay` does).
    pub fn platform_start(&self, relay: bool) {
        self.platform.sync.start();
        if relay {
            self.platform.relay.start();
        }
    }

    /// The sync service (for the CLI and tests).
    pub fn platform_sync(&self) -> &Sync {
        &self.platform.sync
    }

    /// The relay service (for the CLI and tests).
    pub fn platform_relay(&self) -> &Relay {
        &self.platform.relay
    }
}
