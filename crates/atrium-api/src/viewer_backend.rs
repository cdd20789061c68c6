//! What one view's requests reach ([`ServerViewBackend`]): its own server's tools, resources and prompts (audited
//! with origin `viewer`), the viewed artifact's workspace for `update_artifact` / `create_artifact` (as Agience's
//! host does; never a server registration or an authorizer), and the person for links.

use std::time::{Duration, Instant};

use atrium_mcp::{Failure, FailureCode, RequestRecord, ToolCall, ToolResult};
use atrium_store::{Artifact, ArtifactPatch, ArtifactState, AuditOrigin, NewArtifact};
use atrium_viewer::{BoxFuture, Refusal, RpcError, ViewBackend};
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

use crate::servers::server_slug;
use crate::view_wire::artifact_json;
use crate::{AppEvent, Atrium, SERVER_CONTENT_TYPE};

/// How long a link confirmation may stay unanswered before it counts as declined.
const LINK_ANSWER_WAIT: Duration = Duration::from_secs(300);
/// Content types a view may never create or change: they name command lines or credentials.
const PROTECTED_TYPES: &[&str] = &[SERVER_CONTENT_TYPE, "application/vnd.agience.authorizer+json"];

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
pub(crate) struct ServerViewBackend {
    pub(crate) atrium: Atrium,
    pub(crate) view_id: String,
    pub(crate) server_id: String,
    pub(crate) artifact: Option<Artifact>,
}

/// A call that did not complete: a policy refusal is `-32000` (reported as such), anything else an internal error.
fn failure_error(failure: &Failure) -> RpcError {
    match failure.code {
        FailureCode::PolicyDenied => RpcError::refused(failure.message.clone()),
        _ => RpcError::new(atrium_viewer::rpc::INTERNAL_ERROR, failure.message.clone()),
    }
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
            // The server's progress on this call reaches the view while it runs.
            let _progress = self.atrium.viewers.watch_call(&call_id, &self.view_id);
            let call = ToolCall {
                server_id: self.server_id.clone(),
                tool: name,
                arguments: Some(arguments),
                call_id: Some(call_id),
            };
            // The result goes to the view exactly as the server wrote it (masked).
            let outcome = self
                .atrium
                .servers
                .call_tool_verbatim(call, AuditOrigin::Viewer)
                .await
                .map_err(|e| RpcError::refused(e.to_string()))?;
            match (outcome.result, outcome.error) {
                (Some(result), _) => Ok(result),
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
            if !matches!(
                method.as_str(),
                "resources/read" | "resources/list" | "resources/templates/list" | "prompts/list"
            ) {
                return Err(RpcError::new(atrium_viewer::rpc::METHOD_NOT_FOUND, format!("Method not found: {method}")));
            }
            let started = Instant::now();
            let uri = params.get("uri").and_then(Value::as_str).unwrap_or_default().to_owned();
            if method == "resources/read"
                && let Some(owner) = self.other_servers_resource(&uri).await
            {
                let reason = format!("{uri} belongs to another server ({owner})");
                let refused = Err(Failure::new(FailureCode::PolicyDenied, reason.clone()));
                self.audit("resources/read", json!({"uri": uri}), refused, started).await;
                return Err(RpcError::refused(reason));
            }
            let answer = self.forward_as_is(&method, params).await;
            if method == "resources/read" {
                let audited = match &answer {
                    Ok(result) => Ok(ToolResult {
                        content: Vec::new(),
                        structured_content: Some(
                            json!({"contents": result.get("contents").and_then(Value::as_array).map_or(0, Vec::len)}),
                        ),
                        is_error: false,
                    }),
                    Err(e) => Err(Failure::new(FailureCode::ServerError, e.message.clone())),
                };
                self.audit("resources/read", json!({"uri": uri}), audited, started).await;
            }
            answer
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
    /// Sends the view's request to its server as it came and gives back the server's `result` as the server wrote
    /// it (masked), or its error. Its request ids are the view's own, kept apart from other callers'.
    async fn forward_as_is(&self, method: &str, params: Map<String, Value>) -> Result<Value, RpcError> {
        let servers = &self.atrium.servers;
        // Server failures are not policy refusals (-32000): they are reported as internal errors.
        let failed = |message: String| RpcError::new(atrium_viewer::rpc::INTERNAL_ERROR, message);
        let limit = servers.request_limit(&self.server_id).map_err(|e| failed(e.to_string()))?;
        let id = uuid::Uuid::now_v7().to_string();
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let scope = format!("view:{}", self.view_id);
        let answer = servers
            .forward(&self.server_id, &message, AuditOrigin::Viewer, &scope, limit, None)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let Some(mut answer) = answer else { return Err(failed("the server sent no answer".into())) };
        if let Some(result) = answer.get_mut("result").map(Value::take) {
            return Ok(result);
        }
        let code = answer.pointer("/error/code").and_then(Value::as_i64).unwrap_or(atrium_viewer::rpc::INTERNAL_ERROR);
        let message = answer.pointer("/error/message").and_then(Value::as_str).unwrap_or("the server refused");
        // A server's own error is never mistaken for Atrium's policy refusal.
        let code = if code == atrium_viewer::rpc::REFUSED { atrium_viewer::rpc::INTERNAL_ERROR } else { code };
        Err(RpcError::new(code, message))
    }

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
