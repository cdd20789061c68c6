//! What Atrium reports as it happens (server status, logs, progress, elicitation), for the window or a terminal.

use std::sync::Arc;

use atrium_mcp::{CallProgress, CatalogList, ElicitationRequest, LogLine, ServerEvents, ServerStatus};
use serde::{Deserialize, Serialize};

/// Something that happened; the desktop shell emits each as the `atrium://event` window event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppEvent {
    /// A server's status changed.
    ServerStatus {
        /// The server.
        server_id: String,
        /// Its new status.
        status: ServerStatus,
    },
    /// A server's authentication changed (signed in, refreshing, login required, …).
    ServerAuth {
        /// The server.
        server_id: String,
        /// Where its authentication stands.
        auth: atrium_mcp::ServerAuth,
    },
    /// A server logged a line.
    ServerLog {
        /// The server.
        server_id: String,
        /// The line.
        line: LogLine,
    },
    /// A running tool call reported progress.
    CallProgress {
        /// The server.
        server_id: String,
        /// The progress.
        progress: CallProgress,
    },
    /// A server asks for input; answer with `elicitation_answer`.
    ElicitationRequested {
        /// The request.
        request: ElicitationRequest,
    },
    /// An elicitation was answered or withdrawn.
    ElicitationClosed {
        /// Its id.
        id: String,
    },
    /// A server's tools, resources or prompts changed.
    CatalogChanged {
        /// The server.
        server_id: String,
    },
    /// Tool calls to a server were written to the audit log.
    AuditRecorded {
        /// The server called.
        server_id: String,
    },
    /// Something for an open view's frame: a message to post, a resize, a refusal to show…
    Viewer {
        /// The view.
        view_id: String,
        /// What happened.
        event: atrium_viewer::ViewerEvent,
    },
    /// A view asks to open a link; answer with `viewer_answer_link`.
    ViewerLinkRequest {
        /// The view.
        view_id: String,
        /// The request, for the answer.
        request_id: String,
        /// The http(s) URL.
        url: String,
    },
    /// A sync is running: how far it got.
    SyncProgress {
        /// The progress.
        progress: atrium_platform::SyncProgress,
    },
    /// A linked workspace's sync status changed.
    SyncStatus {
        /// The status.
        status: atrium_platform::WorkspaceSync,
    },
    /// One artifact was created or changed: an editor showing it reloads it (unless it has unsaved edits), lists
    /// refresh. Emitted for every write through the API, whoever made it.
    ArtifactChanged {
        /// Its workspace.
        workspace_id: String,
        /// The artifact.
        artifact_id: String,
        /// Its version after the write.
        version: u32,
        /// Whether it was created by this write.
        created: bool,
        /// Who wrote it.
        by: ChangedBy,
    },
    /// An agent reviewed an artifact: a window showing it reloads its reviews.
    ArtifactReviewed {
        /// Its workspace.
        workspace_id: String,
        /// The artifact.
        artifact_id: String,
        /// The new review.
        review_id: String,
    },
    /// Sync changed a workspace's artifacts (lists need a refresh).
    ArtifactsChanged {
        /// The workspace.
        workspace_id: String,
    },
    /// The relay's status changed.
    RelayStatus {
        /// The status.
        status: atrium_platform::RelayStatus,
    },
    /// An OAuth client asks for an agent; answer with `agent_consent_answer`.
    AgentConsentRequested {
        /// The request.
        request: crate::ConsentRequest,
    },
    /// A consent request was answered or expired.
    AgentConsentClosed {
        /// Its id.
        id: String,
    },
}

/// Who changed an artifact (sync and the gateway will say so too when they report single artifacts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ChangedBy {
    /// The person, through the window or the terminal.
    Person,
    /// A server's view (`update_artifact` / `create_artifact`).
    View,
}

/// Where events go.
pub trait EventSink: Send + Sync + 'static {
    /// Delivers one event; must not block.
    fn emit(&self, event: AppEvent);
}

/// Events nobody listens to.
#[derive(Debug, Default)]
pub struct NoSink;
impl EventSink for NoSink {
    fn emit(&self, _event: AppEvent) {}
}

/// Adapts an [`EventSink`] to the connection manager's callbacks.
/// Also forgets what a server declared (types, views) whenever its status or catalog changes.
pub(crate) struct SinkEvents {
    pub(crate) sink: Arc<dyn EventSink>,
    pub(crate) types: crate::content_registry::TypeCache,
    /// Open views hear of their server's progress and list changes.
    pub(crate) viewers: crate::viewer::Viewers,
}

impl ServerEvents for SinkEvents {
    fn status_changed(&self, server_id: &str, status: &ServerStatus) {
        self.types.forget(server_id);
        self.sink.emit(AppEvent::ServerStatus { server_id: server_id.to_owned(), status: status.clone() });
    }
    fn auth_changed(&self, server_id: &str, auth: &atrium_mcp::ServerAuth) {
        self.sink.emit(AppEvent::ServerAuth { server_id: server_id.to_owned(), auth: auth.clone() });
    }
    fn log(&self, server_id: &str, line: &LogLine) {
        self.sink.emit(AppEvent::ServerLog { server_id: server_id.to_owned(), line: line.clone() });
    }
    fn progress(&self, server_id: &str, progress: &CallProgress) {
        self.viewers.progress(progress);
        self.sink.emit(AppEvent::CallProgress { server_id: server_id.to_owned(), progress: progress.clone() });
    }
    fn elicitation_requested(&self, request: &ElicitationRequest) {
        self.sink.emit(AppEvent::ElicitationRequested { request: request.clone() });
    }
    fn elicitation_closed(&self, id: &str) {
        self.sink.emit(AppEvent::ElicitationClosed { id: id.to_owned() });
    }
    fn catalog_changed(&self, server_id: &str) {
        self.types.forget(server_id);
        self.sink.emit(AppEvent::CatalogChanged { server_id: server_id.to_owned() });
    }
    fn list_changed(&self, server_id: &str, list: CatalogList) {
        self.viewers.list_changed(server_id, list);
    }
    fn audit_recorded(&self, server_id: &str) {
        self.sink.emit(AppEvent::AuditRecorded { server_id: server_id.to_owned() });
    }
}
