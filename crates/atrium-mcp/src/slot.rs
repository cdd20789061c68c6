//! One registered server inside the connection manager: its spec, status, session (when live) and log. A slot
//! owns its locks and never holds one across an await.

use std::sync::{Arc, Mutex};

use rmcp::Peer;
use rmcp::service::RoleClient;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::connection::Reach;
use crate::credentials::Credentials;
use crate::error::{Failure, FailureCode};
use crate::handler::ProgressRoutes;
use crate::model::ToolInfo;
use crate::server_log::ServerLog;
use crate::server_records::{ServerSpec, ServerState};
use crate::status::ServerStatus;

/// The live side of a connected server.
pub(crate) struct Live {
    pub(crate) peer: Peer<RoleClient>,
    pub(crate) reach: Reach,
    /// Cancelled when a request finds the connection gone; the supervisor then reconnects.
    pub(crate) lost: CancellationToken,
    pub(crate) tools: Mutex<Vec<ToolInfo>>,
    /// The same tools' definitions exactly as the server listed them, for those who hand them on (views).
    pub(crate) definitions: Mutex<Vec<serde_json::Value>>,
    pub(crate) server_info: Option<String>,
    /// A local server's process (and process group) id.
    pub(crate) pid: Option<u32>,
    /// The server's credentials (to tell an auth refusal from a lost connection).
    pub(crate) credentials: Arc<Credentials>,
    /// Requests forwarded for others (the relay), answered exactly as the server wrote them.
    pub(crate) raw: Arc<crate::raw::RawSide>,
}

impl Live {
    /// The tools as read and as listed, replacing what was known.
    pub(crate) fn set_tools(&self, (tools, definitions): (Vec<ToolInfo>, Vec<serde_json::Value>)) {
        *self.tools.lock().unwrap_or_else(|p| p.into_inner()) = tools;
        *self.definitions.lock().unwrap_or_else(|p| p.into_inner()) = definitions;
    }
}

/// One registered server: its spec, status, session and log. Owns its locks; none is held across an await.
pub(crate) struct Slot {
    /// How to reach it; a change means a new slot (and a new session).
    pub(crate) spec: ServerSpec,
    /// Title and workspace as they are now: renaming or moving a server does not reconnect it.
    pub(crate) label: Mutex<(String, Option<String>)>,
    pub(crate) status: Mutex<ServerStatus>,
    pub(crate) live: Mutex<Option<Arc<Live>>>,
    pub(crate) log: Arc<ServerLog>,
    /// The status everyone waiting for the server watches; it outlives the slot (a refresh or an edit makes a new
    /// slot), like the log does.
    pub(crate) status_watch: Arc<watch::Sender<ServerStatus>>,
    pub(crate) progress: Arc<ProgressRoutes>,
    pub(crate) stop: CancellationToken,
    pub(crate) supervisor: Mutex<Option<JoinHandle<()>>>,
    /// Its credentials; they outlive reconnects (a sign-in is not lost when the connection is).
    pub(crate) credentials: Arc<Credentials>,
}

impl Slot {
    pub(crate) fn live(&self) -> Option<Arc<Live>> {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    pub(crate) fn set_live(&self, live: Option<Arc<Live>>) {
        *self.live.lock().unwrap_or_else(|p| p.into_inner()) = live;
    }
    pub(crate) fn status(&self) -> ServerStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    /// Whether its supervisor is still at work (not stopped, not given up).
    pub(crate) fn is_running(&self) -> bool {
        !self.stop.is_cancelled()
            && self.supervisor.lock().unwrap_or_else(|p| p.into_inner()).as_ref().is_some_and(|t| !t.is_finished())
    }
    pub(crate) fn title(&self) -> String {
        self.label.lock().unwrap_or_else(|p| p.into_inner()).0.clone()
    }
    pub(crate) fn workspace_id(&self) -> Option<String> {
        self.label.lock().unwrap_or_else(|p| p.into_inner()).1.clone()
    }
}

pub(crate) fn state_of(slot: &Slot) -> ServerState {
    let live = slot.live();
    let tool_count = live
        .as_ref()
        .map(|l| {
            l.tools
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .filter(|t| slot.spec.registration.allows(&t.name))
                .count()
        })
        .unwrap_or(0);
    ServerState {
        server_id: slot.spec.id.clone(),
        status: slot.status(),
        tool_count: u32::try_from(tool_count).unwrap_or(u32::MAX),
        pid: live.as_ref().and_then(|l| l.pid),
        server_info: live.and_then(|l| l.server_info.clone()),
        auth: slot.credentials.view(),
    }
}

pub(crate) fn not_connected(slot: &Slot) -> Failure {
    let why = match slot.status() {
        ServerStatus::Stopped if !slot.spec.registration.enabled => "it is disabled: enable it first".to_owned(),
        ServerStatus::Stopped => "it is stopped".to_owned(),
        ServerStatus::Starting => "it is still starting: try again in a moment".to_owned(),
        ServerStatus::Installing { step, .. } => format!("it is being installed ({step}): try again when it is ready"),
        ServerStatus::Degraded { message, .. } => format!("it lost its connection ({message}) and is reconnecting"),
        ServerStatus::Failed { message, .. } => format!("it failed: {message}"),
        ServerStatus::NeedsLogin { .. } => "it needs you to sign in first".to_owned(),
        ServerStatus::NeedsApproval { .. } => "it waits for your approval of what it would run".to_owned(),
        ServerStatus::Ready => "it just disconnected".to_owned(),
    };
    Failure::new(FailureCode::NotConnected, format!("{} is not connected: {why}.", slot.title()))
}

/// Whether a status is on its way somewhere (starting, installing, reconnecting), so a caller should wait.
pub(crate) fn transitional(status: &ServerStatus) -> bool {
    matches!(status, ServerStatus::Starting | ServerStatus::Installing { .. } | ServerStatus::Degraded { .. })
}
