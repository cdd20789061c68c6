//! Opening views: an artifact in the view its type's server ships, a tool's input and result in the tool's view
//! (run at once, or previewed while its arguments are written); the owning server's `on_open` runs first.

use std::sync::Arc;
use std::time::Instant;

use atrium_mcp::{ServerStatus, ToolCall};
use atrium_store::{Artifact, AuditOrigin};
use atrium_viewer::resource::ReadContent;
use atrium_viewer::{MimeRule, ToolOutcome, UiResource, ViewPayload, ViewSetup, ViewerEvent, ViewerSession};
use serde_json::{Map, Value, json};

use crate::content_registry::{ServerView, ViewerChoice};
use crate::view_wire::artifact_json;
use crate::viewer::{OpenView, OpenedView, ViewerEnvironment, ViewerOpening, tool_access};
use crate::viewer_backend::ServerViewBackend;
use crate::viewer_origins::APP_ORIGINS;
use crate::{ApiError, ApiResult, AppEvent, Atrium, ErrorCode};

fn unavailable(view: &ServerView, message: impl Into<String>) -> ViewerOpening {
    ViewerOpening::Unavailable {
        server_id: view.server_id.clone(),
        server_title: view.server_title.clone(),
        message: message.into(),
    }
}

/// What to open for a tool: its view and its definition.
struct ToolView {
    view: ServerView,
    definition: Value,
    workspace: Option<String>,
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
        // A type's view found by the Agience rule may be shaped as the guide shows it (no MIME type).
        self.open_view(&view, payload, environment, context, Some(artifact), MimeRule::TypeView, None).await
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
        let target = self.tool_view(&server_id, &tool).await?;
        let payload = ViewPayload::Tool { tool: target.definition, arguments: Some(arguments.clone()) };
        let context = json!({"workspaceId": target.workspace});
        let opening =
            self.open_view(&target.view, payload, environment, context, None, MimeRule::Strict, Some(&tool)).await?;
        let ViewerOpening::Opened { mut view } = opening else { return Ok(opening) };
        let session = self.viewers.view(&view.view_id)?.session;
        view.call_id = Some(self.run_in_view(session, server_id, tool, arguments));
        Ok(ViewerOpening::Opened { view })
    }

    /// Opens a tool's view before running it: the arguments the person is writing reach it as
    /// `tool-input-partial` ([`Atrium::viewer_tool_input_partial`]) until [`Atrium::viewer_run_tool`] runs it.
    #[tracing::instrument(skip(self, environment))]
    pub async fn viewer_preview_tool(
        &self,
        server_id: String,
        tool: String,
        environment: ViewerEnvironment,
    ) -> ApiResult<ViewerOpening> {
        let target = self.tool_view(&server_id, &tool).await?;
        let payload = ViewPayload::Tool { tool: target.definition, arguments: None };
        let context = json!({"workspaceId": target.workspace});
        self.open_view(&target.view, payload, environment, context, None, MimeRule::Strict, Some(&tool)).await
    }

    /// The arguments as they are being written, for a previewed tool's view.
    pub async fn viewer_tool_input_partial(&self, view_id: String, arguments: Map<String, Value>) -> ApiResult<()> {
        self.viewers.view(&view_id)?.session.tool_input_partial(arguments);
        Ok(())
    }

    /// Runs the tool a previewed view shows, with these final arguments; the call's id (for `tool_cancel`).
    pub async fn viewer_run_tool(&self, view_id: String, arguments: Map<String, Value>) -> ApiResult<String> {
        let view = self.viewers.view(&view_id)?;
        let tool = view.tool.ok_or_else(|| ApiError::new(ErrorCode::InvalidInput, "this view shows no tool"))?;
        view.session.tool_input(arguments.clone());
        Ok(self.run_in_view(view.session, view.server_id, tool, arguments))
    }

    /// Calls the tool (as the person's call) and hands the view its result or why it did not complete.
    fn run_in_view(
        &self,
        session: ViewerSession,
        server_id: String,
        tool: String,
        arguments: Map<String, Value>,
    ) -> String {
        let call_id = uuid::Uuid::now_v7().to_string();
        let atrium = self.clone();
        let call = ToolCall { server_id, tool, arguments: Some(arguments), call_id: Some(call_id.clone()) };
        tokio::spawn(async move {
            // The view gets the result exactly as the server wrote it (masked).
            let outcome = match atrium.servers.call_tool_verbatim(call, AuditOrigin::Ui).await {
                Ok(outcome) => match (outcome.result, outcome.error) {
                    (Some(result), _) => ToolOutcome::Result(result),
                    (None, Some(failure)) => ToolOutcome::Cancelled(failure.message),
                    (None, None) => ToolOutcome::Cancelled("the call returned nothing".into()),
                },
                Err(err) => ToolOutcome::Cancelled(err.to_string()),
            };
            session.tool_finished(outcome);
        });
        call_id
    }

    async fn tool_view(&self, server_id: &str, tool: &str) -> ApiResult<ToolView> {
        let info = self
            .servers
            .tools(server_id)?
            .into_iter()
            .find(|t| t.name == tool)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("{tool} is not a tool of this server")))?;
        let uri = atrium_viewer::tool_view_uri(info.meta.as_ref()).ok_or_else(|| {
            ApiError::new(ErrorCode::InvalidInput, format!("{tool} has no view (no _meta.ui.resourceUri)"))
        })?;
        // The registration gives the view its title and workspace (it is gone only if removed meanwhile).
        let registration = self.store.get_artifact(server_id).await.ok();
        let title = registration.as_ref().map(|a| a.title.clone()).unwrap_or_default();
        let workspace = registration.map(|a| a.workspace_id);
        let listing_meta = self
            .servers
            .resources(server_id)
            .await
            .ok()
            .and_then(|c| c.resources.into_iter().find(|r| r.uri == uri))
            .and_then(|r| r.meta);
        let view = ServerView { server_id: server_id.to_owned(), server_title: title, uri, listing_meta };
        // The definition the view is given is the server's own.
        let definition = self
            .servers
            .tool_definitions(server_id)?
            .into_iter()
            .find(|d| d.get("name").and_then(Value::as_str) == Some(tool))
            .unwrap_or_else(|| serde_json::to_value(&info).unwrap_or_default());
        Ok(ToolView { view, definition, workspace })
    }

    #[allow(clippy::too_many_arguments)] // each is one fact about the view; a struct would only rename them
    async fn open_view(
        &self,
        view: &ServerView,
        payload: ViewPayload,
        environment: ViewerEnvironment,
        agience: Value,
        artifact: Option<Artifact>,
        rule: MimeRule,
        tool: Option<&str>,
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
        let resource = match UiResource::from_read(&view.uri, &contents, view.listing_meta.as_ref(), rule) {
            Ok(resource) => resource,
            Err(err) => return Ok(unavailable(view, err.to_string())),
        };
        if let Some(note) = &resource.mime_note {
            tracing::warn!(server = %view.server_id, "{note}");
            let _ = self.servers.note(&view.server_id, note.clone());
        }
        let proxy = self.viewers.origins.proxy().await?;
        let origin = self.viewers.origins.for_server(&self.store, &view.server_id).await?;
        if let Some(note) = origin.note {
            let _ = self.servers.note(&view.server_id, note);
        }
        let hosts: Vec<String> = APP_ORIGINS.iter().map(|s| (*s).to_owned()).collect();
        let mut ancestors = vec![proxy.origin()];
        ancestors.extend(hosts.iter().cloned());
        let csp = atrium_viewer::csp::build(&resource.csp, &ancestors);
        if !csp.rejected.is_empty() {
            tracing::warn!(uri = %view.uri, rejected = ?csp.rejected, "view CSP domains refused");
        }
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
            csp: csp.granted,
            permissions: resource.permissions.clone(),
            host_context,
            tools: tool_access(self.servers.tool_definitions(&view.server_id).unwrap_or_default()),
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
        // What the view's policy blocks is reported to the listener and shown with the view's other refusals.
        let (events, id) = (self.options.events.clone(), view_id.clone());
        let (report_uri, report_token) = origin.origin.report_to(Arc::new(move |report| {
            let refusal = atrium_viewer::csp::violation(&report);
            tracing::info!(view = %id, target = ?refusal.target, reason = %refusal.reason, "view policy violation");
            events.emit(AppEvent::Viewer { view_id: id.clone(), event: ViewerEvent::Refused { refusal } });
        }));
        let open = OpenView {
            session,
            server_id: view.server_id.clone(),
            tool: tool.map(str::to_owned),
            servers: self.servers.clone(),
            reports: (origin.origin.clone(), report_token),
        };
        self.viewers.insert(view_id.clone(), open);
        let allow = resource.permissions.allow_attribute();
        let view_url = origin.origin.mint(resource.html, format!("{}; report-uri {report_uri}", csp.header));
        tracing::info!(view = %view_id, uri = %view.uri, ms = started.elapsed().as_millis() as u64, "view opened");
        Ok(ViewerOpening::Opened {
            view: OpenedView {
                view_id,
                url: proxy.mint(&view_url, &allow, &hosts),
                origin: proxy.origin(),
                allow,
                server_id: view.server_id.clone(),
                server_title: view.server_title.clone(),
                resource_uri: view.uri.clone(),
                prefers_border: resource.prefers_border,
                csp_rejected: csp.rejected,
                call_id: None,
            },
        })
    }
}
