// Servers still send `notifications/message` (SEP-2577 deprecates it in rmcp); the issue asks for a log view of them.
#![allow(deprecated)]
//! Atrium's side of each MCP session: answers the server's requests (elicitation) and routes its notifications
//! (progress to the running call, log messages to the server's log, list changes to the catalog).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rmcp::ClientHandler;
use rmcp::model::{
    ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, ErrorData, Implementation,
    LoggingMessageNotificationParam, ProgressNotificationParam, ProgressToken, ProtocolVersion,
    ResourceUpdatedNotificationParam,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient};
use tokio::sync::mpsc;

use crate::events::{
    CatalogList, ElicitationAction, ElicitationPolicy, ElicitationRequest, Elicitations, Events, WaitingGuard,
    apply_defaults,
};
use crate::model::CallProgress;
use crate::server_log::ServerLog;

/// Where progress for a running call goes: the caller's id, and a nudge that keeps its timeout from firing.
#[derive(Debug, Default)]
pub(crate) struct ProgressRoutes {
    routes: Mutex<HashMap<ProgressToken, (String, mpsc::Sender<()>)>>,
}

impl ProgressRoutes {
    pub(crate) fn add(&self, token: ProgressToken, call_id: String, nudge: mpsc::Sender<()>) {
        self.routes.lock().unwrap_or_else(|p| p.into_inner()).insert(token, (call_id, nudge));
    }
    pub(crate) fn remove(&self, token: &ProgressToken) {
        self.routes.lock().unwrap_or_else(|p| p.into_inner()).remove(token);
    }
    fn route(&self, token: &ProgressToken) -> Option<(String, mpsc::Sender<()>)> {
        self.routes.lock().unwrap_or_else(|p| p.into_inner()).get(token).cloned()
    }
}

/// Everything a session's handler shares with the connection manager.
pub(crate) struct SessionContext {
    pub(crate) server_id: String,
    pub(crate) server_title: String,
    pub(crate) events: Events,
    pub(crate) log: Arc<ServerLog>,
    pub(crate) progress: Arc<ProgressRoutes>,
    pub(crate) elicitations: Arc<Elicitations>,
    pub(crate) policy: ElicitationPolicy,
    /// Nudged when the server says its tools changed, so the catalog is re-read.
    pub(crate) tools_changed: Option<mpsc::Sender<()>>,
}

/// The rmcp client handler of one session.
pub(crate) struct AtriumClient {
    pub(crate) cx: Arc<SessionContext>,
}

/// What Atrium announces in `initialize`: form elicitation, MCP Apps views, nothing it cannot honour, and the newest released
/// protocol revision (rmcp offers a draft one that released servers and the conformance suite refuse).
pub(crate) fn client_config() -> ClientConfig {
    let capabilities: ClientCapabilities = serde_json::from_value(serde_json::json!({
        "elicitation": {"form": {}},
        // MCP Apps: servers register their `ui://` views only for hosts that can show them.
        "extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": [crate::MCP_APP_MIME]}},
    }))
    .unwrap_or_default();
    ClientConfig::new(capabilities, Implementation::new("atrium", env!("CARGO_PKG_VERSION")))
        .with_protocol_version(ProtocolVersion::V_2025_11_25)
}

impl ClientHandler for AtriumClient {
    fn get_info(&self) -> ClientConfig {
        client_config()
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let ElicitRequestParams::FormElicitationParams { message, requested_schema, .. } = request else {
            return Ok(ElicitResult::new(rmcp::model::ElicitationAction::Decline));
        };
        let cx = &self.cx;
        // What the window shows is masked of the server's secrets, like everything else it says.
        let schema = cx.log.mask().value(serde_json::to_value(&requested_schema).unwrap_or_default());
        let message = cx.log.mask().text(message);
        let answer = match cx.policy {
            ElicitationPolicy::Decline => {
                crate::events::ElicitationAnswer { action: ElicitationAction::Decline, content: None }
            }
            ElicitationPolicy::AcceptDefaults => {
                crate::events::ElicitationAnswer { action: ElicitationAction::Accept, content: None }
            }
            ElicitationPolicy::Ask => {
                let (id, rx) = cx.elicitations.open();
                let _waiting = WaitingGuard::new(cx.elicitations.waiting());
                cx.events.elicitation_requested(&ElicitationRequest {
                    id: id.clone(),
                    server_id: cx.server_id.clone(),
                    server_title: cx.server_title.clone(),
                    message,
                    requested_schema: schema.clone(),
                });
                // If the session ends first, the request future is dropped here and the form is withdrawn.
                let closer = CloseOnDrop { cx, id: &id };
                let cancelled = crate::events::ElicitationAnswer { action: ElicitationAction::Cancel, content: None };
                // The server may give up first (it cancels its request): then the form is withdrawn too.
                let answer = tokio::select! {
                    answer = rx => answer.unwrap_or(cancelled),
                    () = context.ct.cancelled() => cancelled,
                };
                drop(closer);
                answer
            }
        };
        Ok(match answer.action {
            ElicitationAction::Accept => ElicitResult::new(rmcp::model::ElicitationAction::Accept)
                .with_content(serde_json::Value::Object(apply_defaults(&schema, answer.content))),
            ElicitationAction::Decline => ElicitResult::new(rmcp::model::ElicitationAction::Decline),
            ElicitationAction::Cancel => ElicitResult::new(rmcp::model::ElicitationAction::Cancel),
        })
    }

    async fn on_progress(&self, params: ProgressNotificationParam, _context: NotificationContext<RoleClient>) {
        if let Some((call_id, nudge)) = self.cx.progress.route(&params.progress_token) {
            let _ = nudge.try_send(());
            self.cx.events.progress(
                &self.cx.server_id,
                &CallProgress {
                    call_id,
                    progress: params.progress,
                    total: params.total,
                    message: params.message.map(|m| self.cx.log.mask().text(m)),
                },
            );
        }
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let level = serde_json::to_value(params.level).ok().and_then(|v| v.as_str().map(str::to_owned));
        let message = match params.data {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        };
        self.cx.log.push(
            &self.cx.events,
            &self.cx.server_id,
            level.as_deref().unwrap_or("info"),
            params.logger,
            message,
        );
    }

    async fn on_tool_list_changed(&self, _context: NotificationContext<RoleClient>) {
        if let Some(nudge) = &self.cx.tools_changed {
            let _ = nudge.try_send(());
        }
        self.cx.events.catalog_changed(&self.cx.server_id);
    }

    async fn on_resource_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.cx.events.catalog_changed(&self.cx.server_id);
        self.cx.events.list_changed(&self.cx.server_id, CatalogList::Resources);
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.cx.events.resource_updated(&self.cx.server_id, &params.uri);
    }

    async fn on_prompt_list_changed(&self, _context: NotificationContext<RoleClient>) {
        self.cx.events.catalog_changed(&self.cx.server_id);
        self.cx.events.list_changed(&self.cx.server_id, CatalogList::Prompts);
    }
}

struct CloseOnDrop<'a> {
    cx: &'a SessionContext,
    id: &'a str,
}
impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.cx.elicitations.forget(self.id);
        self.cx.events.elicitation_closed(self.id);
    }
}
