//! Forwarding a client's JSON-RPC message to a server as it came, and its answer back as the server wrote it: the
//! relay's cloud callers (and, later, the agents' gateway) reach a local server through Atrium without Atrium's or
//! rmcp's models in the way. Atrium's rules still hold on the way: `allowed_tools` hides and refuses every other
//! tool, a tool call is audited with its origin, secrets the server was given are masked in what it answers, and a
//! caller's cancellation reaches the request it names.

use std::time::{Duration, Instant};

use atrium_store::AuditOrigin;
use serde_json::{Value, json};

use crate::error::{Failure, FailureCode, McpError};
use crate::model::ToolResult;
use crate::server_records::{AgentStamp, RequestRecord};
use crate::servers::ServerSet;

/// JSON-RPC's code for invalid params: a tool the registration does not allow is refused with it.
const INVALID_PARAMS: i64 = -32602;

/// Who forwards (the relay, an agent's session): a caller's request ids are its own, so cancellations are matched
/// within one caller.
pub type CallerScope<'a> = &'a str;

/// The id of a JSON-RPC message, as text (for the in-flight table).
fn id_key(id: &Value) -> String {
    id.to_string()
}

impl ServerSet {
    /// The server's `initialize` result: exactly as it sent it where the transport saw it (stdio, legacy SSE), else
    /// as the session decoded it (streamable HTTP).
    pub fn initialize_result(&self, id: &str) -> Result<Value, McpError> {
        let (_, live) = self.connected(id)?;
        if let Some(raw) = live.raw.initialize_result() {
            return Ok(raw.clone());
        }
        Ok(live.peer.peer_info().and_then(|info| serde_json::to_value(info.as_ref()).ok()).unwrap_or(Value::Null))
    }

    /// Forwards one JSON-RPC message from `caller` (`scope` keeps its request ids apart from other callers'),
    /// within `limit`. A request's answer is the server's own response object with the caller's id put back; a
    /// notification has none. The server's progress on the request (when the caller gave a progress token) goes
    /// to `progress` as it came, masked like the answer. `initialize` is the caller's business (see
    /// [`ServerSet::initialize_result`]).
    pub async fn forward(
        &self,
        id: &str,
        message: &Value,
        origin: AuditOrigin,
        scope: CallerScope<'_>,
        limit: Duration,
        progress: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
    ) -> Result<Option<Value>, McpError> {
        self.forward_as(id, message, origin, None, scope, limit, progress).await
    }

    /// [`ServerSet::forward`] for an agent: its tool calls' audit rows name it.
    #[allow(clippy::too_many_arguments)] // The caller's identity, its scope and its limits are all independent.
    pub async fn forward_as(
        &self,
        id: &str,
        message: &Value,
        origin: AuditOrigin,
        agent: Option<&AgentStamp>,
        scope: CallerScope<'_>,
        limit: Duration,
        progress: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
    ) -> Result<Option<Value>, McpError> {
        self.forward_routed(id, message, origin, agent, scope, limit, progress, None).await
    }

    /// [`ServerSet::forward_as`] for a caller that answers the server's own requests: the server's requests and
    /// log lines tied to this request go to `related` (masked, ids as the server wrote them), and a response the
    /// caller sends (`message` without a method) goes to the server as it is — the caller puts the server's id
    /// back first.
    #[allow(clippy::too_many_arguments)] // As forward_as, plus where the server's own requests go.
    pub async fn forward_routed(
        &self,
        id: &str,
        message: &Value,
        origin: AuditOrigin,
        agent: Option<&AgentStamp>,
        scope: CallerScope<'_>,
        limit: Duration,
        progress: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
        related: Option<tokio::sync::mpsc::UnboundedSender<Value>>,
    ) -> Result<Option<Value>, McpError> {
        let (slot, live) = self.connected(id)?;
        if message.get("method").is_none() && message.get("id").is_some() {
            // A caller's answer to the server's own request.
            live.raw.send_as_is(message.clone()).await?;
            return Ok(None);
        }
        let method = message.get("method").and_then(Value::as_str).unwrap_or_default();
        let params = message.get("params");
        let Some(caller_id) = message.get("id").filter(|id| !id.is_null()).cloned() else {
            // A notification. A cancellation names the caller's request id: the server knows it by another.
            let mut params = params.cloned();
            let mut cancelled = None;
            if method == "notifications/cancelled"
                && let Some(p) = params.as_mut()
                && let Some(named) = p.get("requestId").map(id_key)
                && let Some(raw_id) = self.inner.in_flight.raw_id(&(scope.to_owned(), named))
            {
                p["requestId"] = Value::String(raw_id.clone());
                cancelled = Some(raw_id);
            }
            live.raw.notify(method, params.as_ref()).await?;
            if let Some(raw_id) = cancelled {
                live.raw.cancelled(&raw_id);
            }
            return Ok(None);
        };
        let tool = (method == "tools/call").then(|| params.and_then(|p| p.get("name")).and_then(Value::as_str));
        if let Some(tool) = tool {
            let name = tool.unwrap_or_default().to_owned();
            if !slot.spec.registration.allows(&name) {
                let refused =
                    Failure::new(FailureCode::PolicyDenied, format!("{name} is not in this server's allowed_tools."));
                self.audit_forwarded(id, origin, agent, &name, params, Err(refused.clone()), Duration::ZERO).await;
                return Ok(Some(json!({"jsonrpc": "2.0", "id": caller_id,
                    "error": {"code": INVALID_PARAMS, "message": refused.message}})));
            }
        }
        let raw_id = live.raw.next_id();
        let key: crate::in_flight::InFlightKey = (scope.to_owned(), id_key(&caller_id));
        self.inner.in_flight.begin(key.clone(), raw_id.clone());
        let started = Instant::now();
        // The progress and the server's own requests pass through the mask, as the answer does.
        let masked = |caller: tokio::sync::mpsc::UnboundedSender<Value>| {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
            let mask = slot.log.mask().clone();
            tokio::spawn(async move {
                while let Some(note) = rx.recv().await {
                    if caller.send(mask.value(note)).is_err() {
                        return;
                    }
                }
            });
            tx
        };
        let progress = progress.map(masked);
        let related = related.map(masked);
        let answered = live.raw.request_routed(raw_id, method, params, limit, progress, related).await;
        self.inner.in_flight.end(&key);
        let mut answer = match answered {
            Ok(answer) => answer,
            Err(failure) => {
                let failure = crate::requests::observe(&live, failure);
                if let Some(tool) = tool {
                    let name = tool.unwrap_or_default().to_owned();
                    self.audit_forwarded(id, origin, agent, &name, params, Err(failure.clone()), started.elapsed())
                        .await;
                }
                return Err(McpError::Failed(failure));
            }
        };
        answer["id"] = caller_id;
        // What the registration hides stays hidden here too.
        if method == "tools/list"
            && let Some(tools) = answer.pointer_mut("/result/tools").and_then(Value::as_array_mut)
        {
            tools.retain(|t| t.get("name").and_then(Value::as_str).is_some_and(|n| slot.spec.registration.allows(n)));
        }
        let answer = slot.log.mask().value(answer);
        if let Some(tool) = tool {
            let outcome = match (answer.get("result"), answer.get("error")) {
                (Some(result), _) => serde_json::from_value::<ToolResult>(result.clone()).map_err(|e| {
                    Failure::new(FailureCode::ProtocolError, format!("The server's answer is not a tool result: {e}."))
                }),
                (None, error) => Err(Failure::new(
                    FailureCode::ServerError,
                    format!(
                        "The server refused: {}.",
                        error.and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("no reason given")
                    ),
                )),
            };
            let name = tool.unwrap_or_default().to_owned();
            self.audit_forwarded(id, origin, agent, &name, params, outcome, started.elapsed()).await;
        }
        Ok(Some(answer))
    }

    #[allow(clippy::too_many_arguments)] // One row's independent facts.
    async fn audit_forwarded(
        &self,
        id: &str,
        origin: AuditOrigin,
        agent: Option<&AgentStamp>,
        tool: &str,
        params: Option<&Value>,
        outcome: Result<ToolResult, Failure>,
        took: Duration,
    ) {
        let record = RequestRecord {
            server_id: id.to_owned(),
            origin,
            name: tool.to_owned(),
            arguments: params.and_then(|p| p.get("arguments")).cloned().unwrap_or(Value::Object(Default::default())),
            outcome,
            duration_ms: u32::try_from(took.as_millis()).unwrap_or(u32::MAX),
        };
        if let Err(err) = self.record_request_as(record, agent).await {
            tracing::warn!(%err, "a forwarded call went unrecorded");
        }
    }
}
