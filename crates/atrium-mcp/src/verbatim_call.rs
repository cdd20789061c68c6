//! A tool call whose result comes back exactly as the server wrote it, for callers that hand it on to someone who
//! reads MCP themselves (a view): it travels over the session's raw side, so no field rmcp's models do not know is
//! dropped and no absent field becomes `null`. Everything else is [`ServerSet::call_tool`]'s: `allowed_tools`, the
//! time limit that restarts on progress (and waits while a person answers an elicitation), cancellation by call id,
//! the progress reported as the call's, secrets masked, one audit row.

use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_store::{AuditOrigin, AuditStatus};
use rmcp::model::{NumberOrString, ProgressToken};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::{Failure, FailureCode, McpError};
use crate::inner::Inner;
use crate::model::ToolResult;
use crate::raw::RawSide;
use crate::requests::{CallStop, RouteGuard, await_call, guarded_call, masked_failure, observe};
use crate::server_records::{RequestRecord, ToolCall};
use crate::servers::ServerSet;
use crate::slot::{Live, Slot};

/// How a verbatim call ended.
#[derive(Debug, Clone, PartialEq)]
pub struct VerbatimOutcome {
    /// The call's id (for [`ServerSet::cancel_call`]).
    pub call_id: String,
    /// `ok`, `tool_error`, `failed`, `cancelled` or `denied`, as audited.
    pub status: AuditStatus,
    /// The `result` object of the server's answer, as it wrote it (secrets masked); `None` when it did not answer
    /// with one.
    pub result: Option<Value>,
    /// Why there is no result.
    pub error: Option<Failure>,
}

/// Tells the server to stop a raw request its caller no longer waits for (cancelled, timed out, or the caller's
/// future dropped), unless it was answered.
struct Unanswered {
    raw: Arc<RawSide>,
    id: String,
    reason: &'static str,
    answered: bool,
}

impl Drop for Unanswered {
    fn drop(&mut self) {
        if self.answered {
            return;
        }
        let (raw, id, reason) = (self.raw.clone(), self.id.clone(), self.reason);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let params = json!({"requestId": id, "reason": reason});
                let _ =
                    tokio::time::timeout(Duration::from_secs(1), raw.notify("notifications/cancelled", Some(&params)))
                        .await;
            });
        }
    }
}

/// Sends `tools/call` over the raw side and waits for the server's answer object.
async fn run(
    inner: &Inner,
    slot: &Slot,
    live: &Live,
    call: &ToolCall,
    call_id: &str,
    cancel: CancellationToken,
) -> Result<Value, Failure> {
    let raw_id = live.raw.next_id();
    // Progress comes through the session's handler like any call's: reported with the call's id, and each one
    // restarts the time limit.
    let token = ProgressToken(NumberOrString::String(raw_id.clone().into()));
    let (nudge, mut nudges) = mpsc::channel(8);
    slot.progress.add(token.clone(), call_id.to_owned(), nudge);
    let _route = RouteGuard { routes: &slot.progress, token };
    let mut params = json!({"name": call.tool, "_meta": {"progressToken": raw_id}});
    if let Some(arguments) = &call.arguments {
        params["arguments"] = Value::Object(arguments.clone());
    }
    let mut unanswered = Unanswered { raw: live.raw.clone(), id: raw_id.clone(), reason: "cancelled", answered: false };
    // The raw side's own limit is not the call's (which restarts on progress): it only bounds a lost answer.
    let answer = live.raw.request_with_id(raw_id, "tools/call", Some(&params), Duration::MAX, None);
    let limit = slot.spec.registration.timeouts.call();
    match await_call(inner, limit, answer, &mut nudges, &cancel).await {
        Ok(answer) => {
            unanswered.answered = true;
            answer.map_err(|f| observe(live, f))
        }
        Err(CallStop::TimedOut) => {
            unanswered.reason = "timed out";
            Err(Failure::new(
                FailureCode::Timeout,
                format!("No answer within {} s (and no progress). The request was cancelled.", limit.as_secs_f32()),
            ))
        }
        Err(CallStop::Cancelled) => {
            unanswered.reason = "cancelled by the user";
            Err(Failure::new(FailureCode::Cancelled, "Cancelled."))
        }
    }
}

impl ServerSet {
    /// [`ServerSet::call_tool`], with the server's result exactly as it wrote it (masked). Every outcome is a value;
    /// only an unknown server is an error.
    #[tracing::instrument(skip(self, call), fields(server = %call.server_id, tool = %call.tool, ?origin))]
    pub async fn call_tool_verbatim(&self, call: ToolCall, origin: AuditOrigin) -> Result<VerbatimOutcome, McpError> {
        let slot = self.slot(&call.server_id)?;
        let call_id = call.call_id.clone().unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let started_at = chrono::Utc::now();
        let started = Instant::now();
        let answer = guarded_call(&self.inner, &slot, &call, &call_id, async |live, cancel| {
            run(&self.inner, &slot, &live, &call, &call_id, cancel).await
        })
        .await;
        let duration_ms = u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX);
        let mask = slot.log.mask();
        let answer = answer.map(|a| mask.value(a)).map_err(|f| masked_failure(mask, f));
        // The result as the server wrote it goes to the caller; the audit row reads it as a tool result.
        let (result, audited) = match answer {
            Ok(mut answer) => match answer.get_mut("result").map(Value::take) {
                Some(result) => {
                    let read = serde_json::from_value::<ToolResult>(result.clone()).map_err(|e| {
                        Failure::new(
                            FailureCode::ProtocolError,
                            format!("The server's answer is not a tool result: {e}."),
                        )
                    });
                    (Some(result), read)
                }
                None => {
                    let reason = answer.pointer("/error/message").and_then(Value::as_str).unwrap_or("no reason given");
                    (None, Err(Failure::new(FailureCode::ServerError, format!("The server refused: {reason}."))))
                }
            },
            Err(failure) => (None, Err(failure)),
        };
        let status = match &audited {
            Ok(r) if r.is_error => AuditStatus::ToolError,
            Ok(_) => AuditStatus::Ok,
            Err(f) if f.code == FailureCode::Cancelled => AuditStatus::Cancelled,
            Err(f) if matches!(f.code, FailureCode::PolicyDenied | FailureCode::NotConnected) => AuditStatus::Denied,
            Err(_) => AuditStatus::Failed,
        };
        let error = match (&result, &audited) {
            (None, Err(f)) => Some(f.clone()),
            _ => None,
        };
        let record = RequestRecord {
            server_id: slot.spec.id.clone(),
            origin,
            name: call.tool,
            arguments: Value::Object(call.arguments.unwrap_or_default()),
            outcome: audited,
            duration_ms,
        };
        self.audit(&slot, record, status, started_at, None).await;
        Ok(VerbatimOutcome { call_id, status, result, error })
    }
}

impl ServerSet {
    /// How long one request to server `id` may take: its registration's call timeout.
    pub fn request_limit(&self, id: &str) -> Result<Duration, McpError> {
        Ok(self.slot(id)?.spec.registration.timeouts.call())
    }
}
