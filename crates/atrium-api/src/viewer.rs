//! Opening artifacts and tool results in the views their servers ship (MCP Apps), and relaying each view's
//! conversation. The policy lives in `atrium-viewer`'s session and in [`ServerViewBackend`]; the window only
//! mounts the proxy URL and relays messages both ways.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_mcp::{Failure, FailureCode, RequestRecord, ServerStatus, ToolCall, ToolInfo, ToolResult};
use atrium_store::{Artifact, ArtifactPatch, ArtifactState, AuditOrigin, NewArtifact};
use atrium_viewer::resource::ReadContent;
use atrium_viewer::session::ViewSetup;
use atrium_viewer::{
    BoxFuture, ProxyServer, Refusal, RpcError, ToolAccess, ToolOutcome, UiResource, ViewBackend, ViewNotes,
    ViewPayload, ViewerSession, Visibility,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

use crate::content_registry::{ServerView, ViewerChoice};
use crate::servers::server_slug;
use crate::{ApiError, ApiResult, AppEvent, Atrium, ErrorCode, SERVER_CONTENT_TYPE};

/// Origins allowed to embed the sandbox proxy: the app's own pages on every platform.
const FRAME_ANCESTORS: &[&str] = &["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"];
/// How long a link confirmation may stay unanswered before it counts as declined.
const LINK_ANSWER_WAIT: Duration = Duration::from_secs(300);
/// Content types a view may never create or change: they name command lines or credentials.
const PROTECTED_TYPES: &[&str] = &[SERVER_CONTENT_TYPE, "application/vnd.agience.authorizer+json"];

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
    /// For a tool view: the call's id (for `tool_cancel`).
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

/// The live views of one Atrium.
#[derive(Clone, Default)]
pub(crate) struct Viewers {
    proxy: Arc<tokio::sync::OnceCell<ProxyServer>>,
    sessions: Arc<Mutex<HashMap<String, ViewerSession>>>,
    links: Arc<Mutex<HashMap<String, oneshot::Sender<bool>>>>,
}

impl std::fmt::Debug for Viewers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewers").finish_non_exhaustive()
    }
}

impl Viewers {
    fn session(&self, view_id: &str) -> ApiResult<ViewerSession> {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(view_id)
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no open view {view_id}")))
    }

    /// Closes every view (bounded), and stops the proxy server.
    pub(crate) async fn close_all(&self) {
        let sessions: Vec<ViewerSession> =
            self.sessions.lock().unwrap_or_else(|p| p.into_inner()).drain().map(|(_, s)| s).collect();
        futures::future::join_all(sessions.iter().map(ViewerSession::close)).await;
        if let Some(proxy) = self.proxy.get() {
            proxy.shutdown();
        }
    }
}

/// The artifact as a view receives it: a superset of both conventions (`id` and Agience's `artifact_id`).
fn artifact_json(artifact: &Artifact) -> Value {
    json!({
        "id": artifact.id,
        "artifact_id": artifact.id,
        "root_id": artifact.root_id,
        "workspace_id": artifact.workspace_id,
        "title": artifact.title,
        "content_type": artifact.content_type,
        "context": artifact.context,
        "content": artifact.content,
        "state": artifact.state,
        "version": artifact.version,
    })
}

fn unavailable(view: &ServerView, message: impl Into<String>) -> ViewerOpening {
    ViewerOpening::Unavailable {
        server_id: view.server_id.clone(),
        server_title: view.server_title.clone(),
        message: message.into(),
    }
}

impl Atrium {
    /// Opens an artifact in its server's view: the user's choice for its type, else the first server view along
    /// its type's fallback chain, else the built-in renderer. The owning server's `on_open` runs first.
    #[tracing::instrument(skip(self, environment))]
    pub async fn viewer_open_artifact(
        &self,
        artifact_id: String,
        environment: ViewerEnvironment,
    ) -> ApiResult<ViewerOpening> {
        let artifact = self.store.get_artifact(&artifact_id).await?;
        let built_in = || ViewerOpening::BuiltIn { content_type: artifact.content_type.clone() };
        let views = self.server_views(&artifact.content_type, Some(&artifact.workspace_id)).await?;
        let view = match self.chosen_viewer(&artifact.content_type).await? {
            Some(ViewerChoice::BuiltIn) => return Ok(built_in()),
            Some(ViewerChoice::Server { server_id }) => {
                views.iter().find(|v| v.server_id == server_id).or(views.first())
            }
            None => views.first(),
        };
        let Some(view) = view.cloned() else { return Ok(built_in()) };
        if !matches!(self.servers.state(&view.server_id).map(|s| s.status), Ok(ServerStatus::Ready)) {
            return Ok(unavailable(&view, "The server is not running. Start it from Servers, then open this again."));
        }
        self.run_lifecycle("on_open", &artifact).await;
        let artifact = self.store.get_artifact(&artifact_id).await?; // on_open may have changed it
        let payload = ViewPayload::Artifact { artifact: artifact_json(&artifact) };
        let context = json!({"workspaceId": artifact.workspace_id, "artifactId": artifact.id});
        self.open_view(&view, payload, environment, context, Some(artifact)).await
    }

    /// Runs a tool whose `_meta.ui.resourceUri` names a view and shows its input and result in that view. The call
    /// is audited as the person's (origin `ui`); its id is in the returned view for `tool_cancel`.
    #[tracing::instrument(skip(self, arguments, environment))]
    pub async fn viewer_open_tool(
        &self,
        server_id: String,
        tool: String,
        arguments: Map<String, Value>,
        environment: ViewerEnvironment,
    ) -> ApiResult<ViewerOpening> {
        let info = self
            .servers
            .tools(&server_id)?
            .into_iter()
            .find(|t| t.name == tool)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("{tool} is not a tool of this server")))?;
        let uri = atrium_viewer::tool_view_uri(info.meta.as_ref()).ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidInput, format!("{tool} has no view (no _meta.ui.resourceUri)"))
        })?;
        // The registration gives the view its title and workspace (it is gone only if removed meanwhile).
        let registration = self.store.get_artifact(&server_id).await.ok();
        let title = registration.as_ref().map(|a| a.title.clone()).unwrap_or_default();
        let workspace = registration.map(|a| a.workspace_id);
        let listing_meta = self
            .servers
            .resources(&server_id)
            .await
            .ok()
            .and_then(|c| c.resources.into_iter().find(|r| r.uri == uri))
            .and_then(|r| r.meta);
        let view = ServerView { server_id: server_id.clone(), server_title: title, uri, listing_meta };
        let definition = wire(&info);
        let payload = ViewPayload::Tool { tool: definition, arguments: arguments.clone() };
        let opening = self.open_view(&view, payload, environment, json!({"workspaceId": workspace}), None).await?;
        let ViewerOpening::Opened { mut view } = opening else { return Ok(opening) };
        let call_id = uuid::Uuid::now_v7().to_string();
        view.call_id = Some(call_id.clone());
        let session = self.viewers.session(&view.view_id)?;
        let atrium = self.clone();
        let call = ToolCall { server_id, tool, arguments: Some(arguments), call_id: Some(call_id) };
        tokio::spawn(async move {
            let outcome = match atrium.servers.call_tool(call, AuditOrigin::Ui).await {
                Ok(outcome) => match (outcome.result, outcome.error) {
                    (Some(result), _) => ToolOutcome::Result(wire(result)),
                    (None, Some(failure)) => ToolOutcome::Cancelled(failure.message),
                    (None, None) => ToolOutcome::Cancelled("the call returned nothing".into()),
                },
                Err(err) => ToolOutcome::Cancelled(err.to_string()),
            };
            session.tool_finished(outcome);
        });
        Ok(ViewerOpening::Opened { view })
    }

    async fn open_view(
        &self,
        view: &ServerView,
        payload: ViewPayload,
        environment: ViewerEnvironment,
        agience: Value,
        artifact: Option<Artifact>,
    ) -> ApiResult<ViewerOpening> {
        let started = Instant::now();
        let contents = match self.servers.read_resource(&view.server_id, &view.uri).await {
            Ok(contents) => contents,
            Err(err) => {
                return Ok(unavailable(view, format!("The server could not send its view {}: {err}", view.uri)));
            }
        };
        let contents: Vec<ReadContent> = contents
            .into_iter()
            .map(|c| ReadContent { uri: c.uri, mime_type: c.mime_type, text: c.text, blob: c.blob, meta: c.meta })
            .collect();
        let resource = match UiResource::from_read(&view.uri, &contents, view.listing_meta.as_ref()) {
            Ok(resource) => resource,
            Err(err) => return Ok(unavailable(view, err.to_string())),
        };
        let proxy = self
            .viewers
            .proxy
            .get_or_try_init(ProxyServer::start)
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        let ancestors: Vec<String> = FRAME_ANCESTORS.iter().map(|s| (*s).to_owned()).collect();
        let csp = atrium_viewer::csp::build(&resource.csp, &ancestors);
        if !csp.rejected.is_empty() {
            tracing::warn!(uri = %view.uri, rejected = ?csp.rejected, "view CSP domains refused");
        }
        let tools: Vec<ToolAccess> = self
            .servers
            .tools(&view.server_id)
            .unwrap_or_default()
            .into_iter()
            .map(|t: ToolInfo| {
                let visibility = Visibility::of(t.meta.as_ref());
                ToolAccess { definition: wire(&t), name: t.name, app: visibility.app, model: visibility.model }
            })
            .collect();
        let view_id = uuid::Uuid::now_v7().to_string();
        let mut host_context = Map::new();
        host_context.insert("theme".into(), json!(if environment.theme == "dark" { "dark" } else { "light" }));
        if !environment.locale.is_empty() {
            host_context.insert("locale".into(), json!(environment.locale));
        }
        if !environment.time_zone.is_empty() {
            host_context.insert("timeZone".into(), json!(environment.time_zone));
        }
        host_context.insert("styles".into(), atrium_viewer::styles::host_styles());
        host_context.insert("agience".into(), agience);
        let setup = ViewSetup {
            view_id: view_id.clone(),
            html: resource.html,
            csp: csp.granted,
            permissions: resource.permissions.clone(),
            host_context,
            tools,
            payload,
            host_version: env!("CARGO_PKG_VERSION").to_owned(),
        };
        let backend = Arc::new(ServerViewBackend {
            atrium: self.clone(),
            view_id: view_id.clone(),
            server_id: view.server_id.clone(),
            artifact,
        });
        let events = self.options.events.clone();
        let id = view_id.clone();
        let session = ViewerSession::start(
            setup,
            backend,
            Arc::new(move |event| events.emit(AppEvent::Viewer { view_id: id.clone(), event })),
        );
        self.viewers.sessions.lock().unwrap_or_else(|p| p.into_inner()).insert(view_id.clone(), session);
        tracing::info!(view = %view_id, uri = %view.uri, ms = started.elapsed().as_millis() as u64, "view opened");
        Ok(ViewerOpening::Opened {
            view: OpenedView {
                view_id,
                url: proxy.mint(csp.header),
                origin: proxy.origin(),
                allow: resource.permissions.allow_attribute(),
                server_id: view.server_id.clone(),
                server_title: view.server_title.clone(),
                resource_uri: view.uri.clone(),
                prefers_border: resource.prefers_border,
                csp_rejected: csp.rejected,
                call_id: None,
            },
        })
    }

    /// Whether `url` is a page the app window may load in a frame: a view's sandbox proxy (`about:srcdoc` and
    /// `about:blank` are the frames inside it). Everything else stays refused by the window's navigation lock.
    pub fn is_view_frame_url(&self, url: &str) -> bool {
        if matches!(url, "about:srcdoc" | "about:blank") {
            return true;
        }
        self.viewers.proxy.get().is_some_and(|proxy| url.starts_with(&format!("{}/v/", proxy.origin())))
    }

    /// A message from a view's frame (the JSON text of its `postMessage` data).
    pub async fn viewer_post(&self, view_id: String, message: String) -> ApiResult<()> {
        self.viewers.session(&view_id)?.receive(message);
        Ok(())
    }

    /// Closes a view: `ui/resource-teardown`, a short wait, then everything it had running is cancelled. `true`
    /// when the view answered the teardown.
    pub async fn viewer_close(&self, view_id: String) -> ApiResult<bool> {
        // Still reachable while it closes: the view's answer to the teardown comes through `viewer_post`.
        let session = self.viewers.sessions.lock().unwrap_or_else(|p| p.into_inner()).get(&view_id).cloned();
        let Some(session) = session else { return Ok(false) };
        let answered = session.close().await;
        self.viewers.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&view_id);
        Ok(answered)
    }

    /// What a view has said (its `ui/message`s, model context, display mode).
    pub async fn viewer_notes(&self, view_id: String) -> ApiResult<ViewNotes> {
        Ok(self.viewers.session(&view_id)?.notes())
    }

    /// The app's theme changed: every open view is told.
    pub async fn viewer_set_theme(&self, theme: String) -> ApiResult<()> {
        let theme = if theme == "dark" { "dark" } else { "light" };
        let sessions: Vec<ViewerSession> =
            self.viewers.sessions.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect();
        for session in sessions {
            let mut changes = Map::new();
            changes.insert("theme".into(), json!(theme));
            session.update_host_context(changes);
        }
        Ok(())
    }

    /// The person's answer to a view's request to open a link.
    pub async fn viewer_answer_link(&self, request_id: String, open: bool) -> ApiResult<bool> {
        let waiting = self.viewers.links.lock().unwrap_or_else(|p| p.into_inner()).remove(&request_id);
        Ok(waiting.map(|tx| tx.send(open).is_ok()).unwrap_or(false))
    }

    /// Runs a lifecycle tool (`on_create`, `on_open`, `extract_text`, `summarize`) of the server that owns the
    /// artifact's type, when it has one; its arguments are picked by the tool's input schema. `None` when there is
    /// no such tool (skipped silently) or the call did not succeed.
    pub(crate) async fn run_lifecycle(&self, tool: &str, artifact: &Artifact) -> Option<ToolResult> {
        let (server_id, owner) = self.type_owner(&artifact.content_type, &artifact.workspace_id).await?;
        if !owner.tools.iter().any(|t| t == tool) {
            return None;
        }
        let info = self.servers.tools(&server_id).ok()?.into_iter().find(|t| t.name == tool)?;
        let arguments = lifecycle_arguments(&info, artifact);
        let call = ToolCall { server_id, tool: tool.to_owned(), arguments: Some(arguments), call_id: None };
        let outcome = self.servers.call_tool(call, AuditOrigin::Lifecycle).await.ok()?;
        outcome.result.filter(|r| !r.is_error)
    }
}

/// The arguments a lifecycle tool asks for, from `{artifact_id, workspace_id, artifact, content, context,
/// content_type}` (a schema without properties gets `artifact_id` and `workspace_id`).
fn lifecycle_arguments(tool: &ToolInfo, artifact: &Artifact) -> Map<String, Value> {
    let available = [
        ("artifact_id", json!(artifact.id)),
        ("workspace_id", json!(artifact.workspace_id)),
        ("artifact", artifact_json(artifact)),
        ("content", json!(artifact.content)),
        ("context", artifact.context.clone()),
        ("content_type", json!(artifact.content_type)),
    ];
    let properties = tool.input_schema.get("properties").and_then(Value::as_object);
    available
        .into_iter()
        .filter(|(name, _)| match properties {
            Some(properties) => properties.contains_key(*name),
            None => matches!(*name, "artifact_id" | "workspace_id"),
        })
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

/// Writes an audit row (origin `viewer`) for a view's request to `server_id`.
async fn audit_view_request(
    atrium: &Atrium,
    server_id: &str,
    name: &str,
    arguments: Value,
    outcome: Result<ToolResult, Failure>,
    started: Instant,
) {
    let record = RequestRecord {
        server_id: server_id.to_owned(),
        origin: AuditOrigin::Viewer,
        name: name.to_owned(),
        arguments,
        outcome,
        duration_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
    };
    if let Err(err) = atrium.servers.record_request(record).await {
        tracing::warn!(%err, "cannot audit a view request");
    }
}

/// What one view's requests reach: its own server, the viewed artifact's workspace, the person.
struct ServerViewBackend {
    atrium: Atrium,
    view_id: String,
    server_id: String,
    artifact: Option<Artifact>,
}

/// A call that did not complete: a policy refusal is `-32000` (reported as such), anything else an internal error.
fn failure_error(failure: &Failure) -> RpcError {
    match failure.code {
        FailureCode::PolicyDenied => RpcError::refused(failure.message.clone()),
        _ => RpcError::new(atrium_viewer::rpc::INTERNAL_ERROR, failure.message.clone()),
    }
}

/// A result as MCP puts it on the wire: optional fields absent rather than `null` (views validate results with
/// schemas in which `structuredContent: null` is an error, and drop the message).
fn wire(value: impl Serialize) -> Value {
    fn strip(value: Value) -> Value {
        match value {
            Value::Object(map) => {
                Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip(v))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(strip).collect()),
            other => other,
        }
    }
    strip(serde_json::to_value(value).unwrap_or(Value::Null))
}

fn text_result(text: impl Into<String>) -> Value {
    json!({"content": [{"type": "text", "text": text.into()}]})
}

impl ServerViewBackend {
    async fn audit(&self, name: &str, arguments: Value, outcome: Result<ToolResult, Failure>, started: Instant) {
        audit_view_request(&self.atrium, &self.server_id, name, arguments, outcome, started).await;
    }

    /// `update_artifact {id?, patch}`: an artifact of the viewed artifact's workspace, never a protected type.
    async fn update_artifact(&self, viewed: &Artifact, arguments: &Map<String, Value>) -> Result<Value, RpcError> {
        let id =
            arguments.get("id").or_else(|| arguments.get("artifact_id")).and_then(Value::as_str).unwrap_or(&viewed.id);
        let target = self.atrium.store.get_artifact(id).await.map_err(|e| RpcError::refused(e.to_string()))?;
        if target.workspace_id != viewed.workspace_id {
            return Err(RpcError::refused("views may only change artifacts of their own workspace"));
        }
        if PROTECTED_TYPES.contains(&atrium_viewer::types::normalize_mime(&target.content_type).as_str()) {
            return Err(RpcError::refused("views may not change server registrations or authorizers"));
        }
        let patch = arguments.get("patch").and_then(Value::as_object).cloned().unwrap_or_default();
        let text = |key: &str| -> Result<Option<String>, RpcError> {
            match patch.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) if key == "content" => Ok(Some(other.to_string())),
                Some(_) => Err(RpcError::invalid_params(format!("patch.{key} must be a string"))),
            }
        };
        // Agience's views send context as a JSON string; an object is accepted too.
        let context = match patch.get("context") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(
                serde_json::from_str::<Value>(s).map_err(|_| RpcError::invalid_params("patch.context is not JSON"))?,
            ),
            Some(other) => Some(other.clone()),
        };
        let state = match text("state")? {
            None => None,
            Some(s) => Some(
                serde_json::from_value::<ArtifactState>(json!(s))
                    .map_err(|_| RpcError::invalid_params("unknown state"))?,
            ),
        };
        if patch.contains_key("content_type") {
            return Err(RpcError::refused("views may not change an artifact's type"));
        }
        let patch = ArtifactPatch {
            title: text("title")?,
            content: text("content")?,
            context,
            state,
            ..ArtifactPatch::default()
        };
        let updated = self
            .atrium
            .update_artifact_as(target.id, patch, crate::Author::View)
            .await
            .map_err(|e| RpcError::refused(e.message))?;
        tracing::info!(view = %self.view_id, artifact = %updated.id, version = updated.version, "view updated an artifact");
        Ok(text_result("OK"))
    }

    /// `create_artifact {title, content_type?, content?, context?}` in the viewed artifact's workspace.
    async fn create_artifact(&self, viewed: &Artifact, arguments: &Map<String, Value>) -> Result<Value, RpcError> {
        let string = |key: &str| arguments.get(key).and_then(Value::as_str).map(str::to_owned);
        let content_type = string("content_type").unwrap_or_else(|| viewed.content_type.clone());
        if PROTECTED_TYPES.contains(&atrium_viewer::types::normalize_mime(&content_type).as_str()) {
            return Err(RpcError::refused("views may not create server registrations or authorizers"));
        }
        let context = match arguments.get("context") {
            Some(Value::String(s)) => serde_json::from_str(s).ok(),
            Some(Value::Object(o)) => Some(Value::Object(o.clone())),
            _ => None,
        };
        let content = match arguments.get("content") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let input = NewArtifact {
            workspace_id: viewed.workspace_id.clone(),
            title: string("title").unwrap_or_else(|| "Untitled".into()),
            content_type,
            content,
            context,
            state: None,
        };
        let created = self
            .atrium
            .create_artifact_as(input, crate::Author::View)
            .await
            .map_err(|e| RpcError::refused(e.message))?;
        Ok(text_result(artifact_json(&created).to_string()))
    }
}

impl ViewBackend for ServerViewBackend {
    fn call_tool(
        &self,
        name: String,
        arguments: Map<String, Value>,
        call_id: String,
    ) -> BoxFuture<'_, Result<Value, RpcError>> {
        Box::pin(async move {
            let call = ToolCall {
                server_id: self.server_id.clone(),
                tool: name,
                arguments: Some(arguments),
                call_id: Some(call_id),
            };
            let outcome = self
                .atrium
                .servers
                .call_tool(call, AuditOrigin::Viewer)
                .await
                .map_err(|e| RpcError::refused(e.to_string()))?;
            match (outcome.result, outcome.error) {
                (Some(result), _) => Ok(wire(result)),
                (None, Some(failure)) => Err(failure_error(&failure)),
                (None, None) => Err(RpcError::new(atrium_viewer::rpc::INTERNAL_ERROR, "no result")),
            }
        })
    }

    fn cancel_call(&self, call_id: &str) {
        self.atrium.servers.cancel_call(call_id);
    }

    fn forward(&self, method: &str, params: Map<String, Value>) -> BoxFuture<'_, Result<Value, RpcError>> {
        let method = method.to_owned();
        Box::pin(async move {
            let servers = &self.atrium.servers;
            // Server failures are not policy refusals (-32000): they are reported as internal errors.
            let failed = |e: atrium_mcp::McpError| RpcError::new(atrium_viewer::rpc::INTERNAL_ERROR, e.to_string());
            match method.as_str() {
                "resources/read" => {
                    let uri = params.get("uri").and_then(Value::as_str).unwrap_or_default().to_owned();
                    let started = Instant::now();
                    let arguments = json!({"uri": uri});
                    if let Some(owner) = self.other_servers_resource(&uri).await {
                        let reason = format!("{uri} belongs to another server ({owner})");
                        self.audit(
                            "resources/read",
                            arguments,
                            Err(Failure::new(FailureCode::PolicyDenied, reason.clone())),
                            started,
                        )
                        .await;
                        return Err(RpcError::refused(reason));
                    }
                    let result = servers.read_resource(&self.server_id, &uri).await;
                    let audited = match &result {
                        Ok(contents) => Ok(ToolResult {
                            content: Vec::new(),
                            structured_content: Some(json!({"contents": contents.len()})),
                            is_error: false,
                        }),
                        Err(atrium_mcp::McpError::Failed(f)) => Err(f.clone()),
                        Err(e) => Err(Failure::new(FailureCode::ProtocolError, e.to_string())),
                    };
                    self.audit("resources/read", arguments, audited, started).await;
                    Ok(json!({"contents": wire(result.map_err(failed)?)}))
                }
                "resources/list" => {
                    Ok(json!({"resources": wire(servers.resources(&self.server_id).await.map_err(failed)?.resources)}))
                }
                "resources/templates/list" => Ok(
                    json!({"resourceTemplates": wire(servers.resources(&self.server_id).await.map_err(failed)?.templates)}),
                ),
                "prompts/list" => Ok(json!({"prompts": wire(servers.prompts(&self.server_id).await.map_err(failed)?)})),
                other => Err(RpcError::new(atrium_viewer::rpc::METHOD_NOT_FOUND, format!("Method not found: {other}"))),
            }
        })
    }

    fn answers_tool(&self, name: &str) -> bool {
        self.artifact.is_some() && matches!(name, "update_artifact" | "create_artifact")
    }

    fn host_tool(&self, name: String, arguments: Map<String, Value>) -> BoxFuture<'_, Result<Value, RpcError>> {
        Box::pin(async move {
            let started = Instant::now();
            let Some(viewed) = &self.artifact else { return Err(RpcError::refused("this view shows no artifact")) };
            let result = match name.as_str() {
                "update_artifact" => self.update_artifact(viewed, &arguments).await,
                _ => self.create_artifact(viewed, &arguments).await,
            };
            let audited = match &result {
                Ok(value) => serde_json::from_value::<ToolResult>(value.clone())
                    .map_err(|e| Failure::new(FailureCode::ProtocolError, e.to_string())),
                Err(e) if e.code == atrium_viewer::rpc::REFUSED => {
                    Err(Failure::new(FailureCode::PolicyDenied, e.message.clone()))
                }
                Err(e) => Err(Failure::new(FailureCode::ProtocolError, e.message.clone())),
            };
            self.audit(&name, Value::Object(arguments), audited, started).await;
            result
        })
    }

    fn open_link(&self, url: String) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            let request_id = uuid::Uuid::now_v7().to_string();
            let (tx, rx) = oneshot::channel();
            self.atrium.viewers.links.lock().unwrap_or_else(|p| p.into_inner()).insert(request_id.clone(), tx);
            self.atrium.options.events.emit(AppEvent::ViewerLinkRequest {
                view_id: self.view_id.clone(),
                request_id: request_id.clone(),
                url: url.clone(),
            });
            let allowed = matches!(tokio::time::timeout(LINK_ANSWER_WAIT, rx).await, Ok(Ok(true)));
            self.atrium.viewers.links.lock().unwrap_or_else(|p| p.into_inner()).remove(&request_id);
            if !allowed {
                return false;
            }
            match crate::links::open_in_browser(&url) {
                Ok(()) => true,
                Err(err) => {
                    tracing::warn!(%err, "cannot start the browser");
                    false
                }
            }
        })
    }

    fn refused(&self, refusal: &Refusal) {
        let (atrium, server_id, refusal) = (self.atrium.clone(), self.server_id.clone(), refusal.clone());
        let arguments = json!({"target": refusal.target, "view": self.view_id});
        tokio::spawn(async move {
            let failure = Failure::new(FailureCode::PolicyDenied, refusal.reason);
            audit_view_request(&atrium, &server_id, &refusal.method, arguments, Err(failure), Instant::now()).await;
        });
    }

    fn log(&self, level: &str, data: &Value) {
        let text = match data {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        tracing::info!(view = %self.view_id, server = %self.server_id, level, "view log: {}", text.chars().take(2000).collect::<String>());
    }
}

impl ServerViewBackend {
    /// The title of another registered server that `uri` belongs to: one that lists it as a view, or whose slug is
    /// its `ui://` host part. A view reads only its own server's resources.
    async fn other_servers_resource(&self, uri: &str) -> Option<String> {
        let host = uri.strip_prefix("ui://")?.split('/').next()?.to_ascii_lowercase();
        let servers = self.atrium.store.artifacts_of_type(SERVER_CONTENT_TYPE, None).await.ok()?;
        for server in servers.iter().filter(|s| s.id != self.server_id) {
            let lists_it = match self.atrium.server_types(&server.id).await {
                Some(found) => found.views.iter().any(|v| v.uri == uri),
                None => false,
            };
            if lists_it || server_slug(&server.title) == host {
                return Some(server.title.clone());
            }
        }
        None
    }
}
