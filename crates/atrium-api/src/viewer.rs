//! Views (MCP Apps) as the window sees them: what opening one gives it, the live views of one Atrium and the
//! commands that relay each view's conversation. The policy lives in `atrium-viewer`'s session and in
//! [`crate::viewer_backend::ServerViewBackend`]; opening is in [`crate::viewer_open`]; the window only mounts the
//! proxy URL and relays messages both ways.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atrium_mcp::{CallProgress, CatalogList, ServerSet};
use atrium_viewer::{Progress, ServerList, ToolAccess, ViewNotes, ViewOrigin, ViewerSession, Visibility};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

use crate::viewer_origins::ViewOrigins;
use crate::{ApiError, ApiResult, Atrium, ErrorCode};

/// What the window knows of its surroundings, for `hostContext`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ViewerEnvironment {
    /// `light` or `dark`.
    pub theme: String,
    /// BCP 47, e.g. `en-GB`.
    pub locale: String,
    /// IANA, e.g. `Europe/London`.
    pub time_zone: String,
}

/// A view ready to mount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct OpenedView {
    /// The view's id, for `viewer_post` / `viewer_close`.
    pub view_id: String,
    /// The one-use URL of its sandbox-proxy page.
    pub url: String,
    /// The proxy's origin: messages from the frame are accepted only from it.
    pub origin: String,
    /// The iframe `allow` attribute (granted permissions), often empty.
    pub allow: String,
    /// The server whose view it is.
    pub server_id: String,
    /// That server's title.
    pub server_title: String,
    /// The `ui://` resource.
    pub resource_uri: String,
    /// Whether the view wants the host's border (`None`: the host decides).
    pub prefers_border: Option<bool>,
    /// Declared CSP domains that were refused as invalid.
    pub csp_rejected: Vec<String>,
    /// For a tool view: the call's id (for `tool_cancel`), once the tool runs.
    pub call_id: Option<String>,
}

/// What opening an artifact or a tool result came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ViewerOpening {
    /// The server's view is ready to mount.
    Opened {
        /// The view.
        view: OpenedView,
    },
    /// No server ships a view for this (or the user chose the built-in one): show it with Atrium's own renderer.
    BuiltIn {
        /// The type.
        content_type: String,
    },
    /// A server has a view for it but it cannot be shown now.
    Unavailable {
        /// The server.
        server_id: String,
        /// Its title.
        server_title: String,
        /// What is wrong and what to do.
        message: String,
    },
}

/// One open view.
#[derive(Clone)]
pub(crate) struct OpenView {
    pub(crate) session: ViewerSession,
    pub(crate) server_id: String,
    /// The tool it shows, for a tool view.
    pub(crate) tool: Option<String>,
    /// Where its server's tools are read when they change.
    pub(crate) servers: ServerSet,
    /// Its server's origin and the token its policy's violation reports come under (forgotten when it closes).
    pub(crate) reports: (ViewOrigin, String),
}

impl OpenView {
    async fn close(&self) -> bool {
        let answered = self.session.close().await;
        self.reports.0.forget_reports(&self.reports.1);
        answered
    }
}

/// The live views of one Atrium.
#[derive(Clone, Default)]
pub(crate) struct Viewers {
    pub(crate) origins: ViewOrigins,
    views: Arc<Mutex<HashMap<String, OpenView>>>,
    pub(crate) links: Arc<Mutex<HashMap<String, oneshot::Sender<bool>>>>,
    /// Calls views made that are still running, by call id: the view that made each.
    calls: Arc<Mutex<HashMap<String, String>>>,
}

impl std::fmt::Debug for Viewers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewers").finish_non_exhaustive()
    }
}

/// Forgets a view's call when it ends, however it ends.
pub(crate) struct CallWatch {
    calls: Arc<Mutex<HashMap<String, String>>>,
    call_id: String,
}

impl Drop for CallWatch {
    fn drop(&mut self) {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.call_id);
    }
}

impl Viewers {
    pub(crate) fn view(&self, view_id: &str) -> ApiResult<OpenView> {
        self.views
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(view_id)
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no open view {view_id}")))
    }

    pub(crate) fn insert(&self, view_id: String, view: OpenView) {
        self.views.lock().unwrap_or_else(|p| p.into_inner()).insert(view_id, view);
    }

    fn all(&self) -> Vec<OpenView> {
        self.views.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }

    /// Notes a call a view made, until the returned guard drops.
    pub(crate) fn watch_call(&self, call_id: &str, view_id: &str) -> CallWatch {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).insert(call_id.to_owned(), view_id.to_owned());
        CallWatch { calls: self.calls.clone(), call_id: call_id.to_owned() }
    }

    /// A server's progress on a call: to the view that made it, if one did.
    pub(crate) fn progress(&self, progress: &CallProgress) {
        let view_id = self.calls.lock().unwrap_or_else(|p| p.into_inner()).get(&progress.call_id).cloned();
        let Some(view) = view_id.and_then(|id| self.view(&id).ok()) else { return };
        view.session.call_progress(
            progress.call_id.clone(),
            Progress { progress: progress.progress, total: progress.total, message: progress.message.clone() },
        );
    }

    /// One of a server's lists changed: each of its open views is told (with the new tools, for its policy).
    pub(crate) fn list_changed(&self, server_id: &str, list: CatalogList) {
        for view in self.all().into_iter().filter(|v| v.server_id == server_id) {
            let (list, tools) = match list {
                CatalogList::Tools => {
                    (ServerList::Tools, Some(tool_access(view.servers.tool_definitions(server_id).unwrap_or_default())))
                }
                CatalogList::Resources => (ServerList::Resources, None),
                CatalogList::Prompts => (ServerList::Prompts, None),
            };
            view.session.list_changed(list, tools);
        }
    }

    /// Closes every open view (each gets `ui/resource-teardown`, bounded).
    pub(crate) async fn close_views(&self) {
        let views: Vec<OpenView> =
            self.views.lock().unwrap_or_else(|p| p.into_inner()).drain().map(|(_, v)| v).collect();
        futures::future::join_all(views.iter().map(OpenView::close)).await;
    }

    /// Closes every view (bounded), and stops the loopback listeners.
    pub(crate) async fn close_all(&self) {
        self.close_views().await;
        self.origins.shutdown();
    }
}

/// How views see a server's tools: who may call each, and its definition for `tools/list` as the server listed it.
pub(crate) fn tool_access(definitions: Vec<Value>) -> Vec<ToolAccess> {
    definitions
        .into_iter()
        .filter_map(|definition| {
            let name = definition.get("name").and_then(Value::as_str)?.to_owned();
            let visibility = Visibility::of(definition.get("_meta"));
            Some(ToolAccess { definition, name, app: visibility.app, model: visibility.model })
        })
        .collect()
}

impl Atrium {
    /// Whether `url` is a page the app window may load in a frame: a view's sandbox proxy, a view on its server's
    /// origin (`about:blank` is the frame before either). Everything else stays refused by the navigation lock.
    pub fn is_view_frame_url(&self, url: &str) -> bool {
        self.viewers.origins.serves(url)
    }

    /// A message from a view's frame (the JSON text of its `postMessage` data). For a request, the answer (its
    /// result or a JSON-RPC error) as soon as it is ready, for the window to post back to the view; nothing for a
    /// notification or a request the view cancelled.
    pub async fn viewer_post(&self, view_id: String, message: String) -> ApiResult<Option<Value>> {
        let reply = self.viewers.view(&view_id)?.session.receive(message);
        Ok(reply.await)
    }

    /// Closes a view: `ui/resource-teardown`, a short wait, then everything it had running is cancelled. `true`
    /// when the view answered the teardown.
    pub async fn viewer_close(&self, view_id: String) -> ApiResult<bool> {
        // Still reachable while it closes: the view's answer to the teardown comes through `viewer_post`.
        let Ok(view) = self.viewers.view(&view_id) else { return Ok(false) };
        let answered = view.close().await;
        self.viewers.views.lock().unwrap_or_else(|p| p.into_inner()).remove(&view_id);
        Ok(answered)
    }

    /// Closes every open view: the window that showed them is gone (it reloaded, say).
    pub async fn viewer_close_all(&self) {
        self.viewers.close_views().await;
    }

    /// What a view has said (its `ui/message`s, model context, display mode).
    pub async fn viewer_notes(&self, view_id: String) -> ApiResult<ViewNotes> {
        Ok(self.viewers.view(&view_id)?.session.notes())
    }

    /// The app's theme changed: every open view is told.
    pub async fn viewer_set_theme(&self, theme: String) -> ApiResult<()> {
        let theme = if theme == "dark" { "dark" } else { "light" };
        for view in self.viewers.all() {
            let mut changes = Map::new();
            changes.insert("theme".into(), json!(theme));
            view.session.update_host_context(changes);
        }
        Ok(())
    }

    /// The person's answer to a view's request to open a link.
    pub async fn viewer_answer_link(&self, request_id: String, open: bool) -> ApiResult<bool> {
        let waiting = self.viewers.links.lock().unwrap_or_else(|p| p.into_inner()).remove(&request_id);
        Ok(waiting.map(|tx| tx.send(open).is_ok()).unwrap_or(false))
    }
}
