//! Requests to a live server: time limits, what a failure means (and whether the connection is gone), a tool
//! call with progress, cancellation and elicitation pauses, and masking what comes back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::Peer;
use rmcp::model::{CallToolRequest, CallToolRequestParams, ClientRequest, ServerResult};
use rmcp::service::{PeerRequestOptions, RoleClient, ServiceError};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::connection::Reach;
use crate::error::{Failure, FailureCode, McpError};
use crate::handler::ProgressRoutes;
use crate::inner::Inner;
use crate::model::ToolResult;
use crate::secret_mask::SecretMask;
use crate::server_records::ToolCall;
use crate::slot::{Live, Slot, not_connected};

pub(crate) fn server_info(peer: &Peer<RoleClient>) -> Option<String> {
    let info = serde_json::to_value(peer.peer_info()?.as_ref()).ok()?;
    let implementation = info.get("serverInfo")?;
    let name = implementation.get("name")?.as_str()?;
    let version = implementation.get("version").and_then(Value::as_str).unwrap_or("");
    Some(format!("{name} {version}").trim().to_owned())
}

pub(crate) async fn bounded<T>(
    limit: Duration,
    request: impl Future<Output = Result<T, ServiceError>>,
) -> Result<T, ServiceError> {
    tokio::time::timeout(limit, request).await.unwrap_or(Err(ServiceError::Timeout { timeout: limit }))
}

pub(crate) fn protocol_failure(err: serde_json::Error) -> Failure {
    Failure::new(FailureCode::ProtocolError, format!("The server's answer is not valid MCP: {err}."))
}

pub(crate) fn unsupported_round() -> McpError {
    McpError::Failed(Failure::new(
        FailureCode::ProtocolError,
        "The server asked for more input in a way (multi-round requests) Atrium does not support yet.",
    ))
}

pub(crate) fn request_failure(err: ServiceError, reach: Reach) -> Failure {
    match err {
        ServiceError::McpError(e) => {
            Failure::new(FailureCode::ServerError, format!("The server refused: {}.", e.message))
        }
        ServiceError::Timeout { timeout } => Failure::new(
            FailureCode::Timeout,
            format!("No answer within {} s (and no progress). The request was cancelled.", timeout.as_secs_f32()),
        ),
        ServiceError::TransportClosed if reach == Reach::Local => {
            Failure::new(FailureCode::Crashed, "The server process exited during the request.")
        }
        ServiceError::TransportClosed | ServiceError::TransportSend(_) => {
            Failure::new(FailureCode::ConnectionError, "The connection to the server was lost during the request.")
        }
        ServiceError::Cancelled { .. } => Failure::new(FailureCode::Cancelled, "The request was cancelled."),
        other => Failure::new(FailureCode::ProtocolError, format!("The server's answer is not valid MCP: {other}.")),
    }
}

/// Removes a running call from the cancellable set when it ends, however it ends.
pub(crate) struct CallRegistration<'a> {
    pub(crate) calls: &'a Mutex<HashMap<String, CancellationToken>>,
    pub(crate) call_id: &'a str,
}
impl Drop for CallRegistration<'_> {
    fn drop(&mut self) {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).remove(self.call_id);
    }
}

/// What every tool call passes before it reaches its server: the registration's `allowed_tools`, a connected
/// session, and the call registered for cancellation by its id (forgotten however the call ends, even if the
/// caller drops the future). `run` makes the call.
pub(crate) async fn guarded_call<T>(
    inner: &Inner,
    slot: &Slot,
    call: &ToolCall,
    call_id: &str,
    run: impl AsyncFnOnce(Arc<Live>, CancellationToken) -> Result<T, Failure>,
) -> Result<T, Failure> {
    if !slot.spec.registration.allows(&call.tool) {
        return Err(Failure::new(
            FailureCode::PolicyDenied,
            format!("{} is not in this server's allowed_tools.", call.tool),
        ));
    }
    let Some(live) = slot.live() else { return Err(not_connected(slot)) };
    let cancel = CancellationToken::new();
    inner.calls.lock().unwrap_or_else(|p| p.into_inner()).insert(call_id.to_owned(), cancel.clone());
    let _registered = CallRegistration { calls: &inner.calls, call_id };
    run(live, cancel).await
}

/// Removes a progress route when the call ends, however it ends.
pub(crate) struct RouteGuard<'a> {
    pub(crate) routes: &'a ProgressRoutes,
    pub(crate) token: rmcp::model::ProgressToken,
}
impl Drop for RouteGuard<'_> {
    fn drop(&mut self) {
        self.routes.remove(&self.token);
    }
}

pub(crate) async fn send_cancelled(peer: &Peer<RoleClient>, id: &rmcp::model::RequestId, reason: &str) {
    let notification = serde_json::from_value(serde_json::json!({
        "method": "notifications/cancelled",
        "params": {"requestId": id, "reason": reason},
    }));
    match notification {
        Ok(notification) => {
            let _ = tokio::time::timeout(Duration::from_secs(1), peer.send_notification(notification)).await;
        }
        Err(err) => tracing::error!(%err, "could not build notifications/cancelled"),
    }
}

/// Why a tool call stopped waiting for its answer.
pub(crate) enum CallStop {
    /// Its time limit passed with no progress (and no person answering an elicitation).
    TimedOut,
    /// It was cancelled.
    Cancelled,
}

/// Waits for a tool call's `answer` by the call's rules: `limit` restarts on every progress nudge and does not run
/// out while the server waits for a person's answer to an elicitation; `cancel` ends the wait.
pub(crate) async fn await_call<T>(
    inner: &Inner,
    limit: Duration,
    answer: impl Future<Output = T>,
    nudges: &mut mpsc::Receiver<()>,
    cancel: &CancellationToken,
) -> Result<T, CallStop> {
    tokio::pin!(answer);
    let deadline = tokio::time::sleep(limit);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            answer = &mut answer => return Ok(answer),
            Some(()) = nudges.recv() => deadline.as_mut().reset(tokio::time::Instant::now() + limit),
            () = &mut deadline => {
                if inner.elicitations.is_waiting() {
                    deadline.as_mut().reset(tokio::time::Instant::now() + limit);
                    continue;
                }
                return Err(CallStop::TimedOut);
            }
            () = cancel.cancelled() => return Err(CallStop::Cancelled),
        }
    }
}

/// Sends `tools/call` and waits for its answer: the call's time limit restarts on every progress notification and
/// does not run while the server waits for a person's answer to an elicitation; cancelling sends
/// `notifications/cancelled`.
pub(crate) async fn run_call(
    inner: &Inner,
    slot: &Slot,
    live: &Live,
    call: &ToolCall,
    call_id: &str,
    cancel: CancellationToken,
) -> Result<ToolResult, Failure> {
    let mut params = CallToolRequestParams::new(call.tool.clone());
    params.arguments = call.arguments.clone();
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
    let handle = live
        .peer
        .send_request_with_option(request, PeerRequestOptions::no_options())
        .await
        .map_err(|e| observe(live, request_failure(e, live.reach)))?;
    let (id, token, peer) = (handle.id.clone(), handle.progress_token.clone(), handle.peer.clone());
    let (nudge, mut nudges) = mpsc::channel(8);
    slot.progress.add(token.clone(), call_id.to_owned(), nudge);
    let _route = RouteGuard { routes: &slot.progress, token };

    let limit = slot.spec.registration.timeouts.call();
    let answer = match await_call(inner, limit, handle.await_response(), &mut nudges, &cancel).await {
        Ok(answer) => answer,
        Err(CallStop::TimedOut) => {
            send_cancelled(&peer, &id, "timed out").await;
            return Err(request_failure(ServiceError::Timeout { timeout: limit }, live.reach));
        }
        Err(CallStop::Cancelled) => {
            send_cancelled(&peer, &id, "cancelled by the user").await;
            return Err(Failure::new(FailureCode::Cancelled, "Cancelled."));
        }
    };
    match answer.map_err(|e| observe(live, request_failure(e, live.reach)))? {
        ServerResult::CallToolResult(result) => Ok(ToolResult::from(result)),
        _ => Err(Failure::new(
            FailureCode::ProtocolError,
            "The server answered tools/call with something that is not a tool result.",
        )),
    }
}

/// A request on `live` failed: when the failure says the connection is gone, have the supervisor reconnect.
pub(crate) fn observe(live: &Live, failure: Failure) -> Failure {
    // Refused credentials are not a lost connection: the request fails with what to do, the session stays.
    if let Some(reason) = live.credentials.needs_login() {
        return Failure::new(FailureCode::AuthError, reason);
    }
    if live.reach == Reach::Remote && failure.code == FailureCode::ConnectionError {
        live.lost.cancel();
    }
    failure
}

/// A failure whose message (which may quote the server) has the server's secrets masked.
pub(crate) fn masked_failure(mask: &SecretMask, failure: Failure) -> Failure {
    Failure { message: mask.text(failure.message), ..failure }
}

/// What a server answered, its secrets masked, whether it is a value or a failure.
pub(crate) fn masked<T: Serialize + serde::de::DeserializeOwned>(
    slot: &Slot,
    result: Result<T, McpError>,
) -> Result<T, McpError> {
    let mask = slot.log.mask();
    match result {
        Ok(value) => Ok(mask.value(value)),
        Err(McpError::Failed(failure)) => Err(McpError::Failed(masked_failure(mask, failure))),
        Err(other) => Err(other),
    }
}
