//! A registered server as lists, forms and the CLI show it: the typed registration (or what is wrong with the stored
//! one), whether its effects here are approved, and its live state.

use atrium_mcp::{AuthKind, AuthState, Registration, ServerAuth, ServerState, ServerStatus, registration};
use atrium_store::{Artifact, FieldProblem, ServerApproval};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::approval_state::{ServerApprovalState, approval_state};
use crate::{ApiResult, Atrium};

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
    /// The registration, when the stored one is valid.
    pub registration: Option<Registration>,
    /// The stored registration as it is, only when it is not valid (it came from elsewhere): for the person to
    /// fix in the form's JSON mode.
    pub invalid_registration: Option<Value>,
    /// What is wrong with the stored registration, when it is not valid.
    pub problems: Vec<FieldProblem>,
    /// `http`, `sse`, `stdio` or `github`; empty when invalid.
    pub transport: String,
    /// Where it is (URL or command line).
    pub target: String,
    /// Whether Atrium keeps it connected.
    pub enabled: bool,
    /// Whether it is published for the platform's relay (its registration carries `mcp_server.kind: "relay"`).
    pub published: bool,
    /// Whether the person approved what it runs on this computer (or uses of its credentials).
    pub approval: ServerApprovalState,
    /// Its live state.
    pub state: ServerState,
}

impl Atrium {
    /// A server's view, its approval given (lists read every approval at once).
    pub(crate) fn server_view(&self, artifact: &Artifact, approval: Option<&ServerApproval>) -> ServerView {
        let stored = registration::stored(artifact);
        let (registration, invalid_registration, problems) = match registration::parse(&stored) {
            Ok(registration) => (Some(registration), None, Vec::new()),
            Err(problems) => (None, Some(stored), problems),
        };
        let state = self.servers.state(&artifact.id).unwrap_or(ServerState {
            server_id: artifact.id.clone(),
            status: ServerStatus::Stopped,
            tool_count: 0,
            server_info: None,
            pid: None,
            auth: ServerAuth { kind: AuthKind::None, state: AuthState::NotNeeded, can_sign_in: false },
        });
        ServerView {
            id: artifact.id.clone(),
            workspace_id: artifact.workspace_id.clone(),
            title: artifact.title.clone(),
            version: artifact.version,
            approval: registration
                .as_ref()
                .map(|r| approval_state(artifact, r, approval))
                .unwrap_or(ServerApprovalState::NotNeeded),
            transport: registration.as_ref().map(|r| r.transport_name().to_owned()).unwrap_or_default(),
            target: registration.as_ref().map(Registration::target).unwrap_or_default(),
            enabled: registration.as_ref().is_some_and(|r| r.enabled),
            published: artifact.context.pointer("/mcp_server/kind").and_then(serde_json::Value::as_str)
                == Some("relay"),
            registration,
            invalid_registration,
            problems,
            state,
        }
    }

    /// A server's view with its approval read from the store.
    pub(crate) async fn server_view_of(&self, artifact: &Artifact) -> ApiResult<ServerView> {
        let approval = self.store.server_approval(&artifact.id).await?;
        Ok(self.server_view(artifact, approval.as_ref()))
    }
}
