//! The Desktop Host Relay: one WebSocket to the platform's Chorus (`/relay/v1/connect`, the user's JWT), over
//! which the platform's cloud calls the person's published local servers without any inbound port.
//!
//! The platform sends no hello and answers no ping (see the reference); Atrium sends a `client_hello` anyway,
//! uses WebSocket pings for liveness, answers each `mcp_request` on its own task within its `deadline_ms`, and
//! reconnects with exponential backoff and jitter. A 403 at the upgrade means the token was refused: it is
//! refreshed once at once, then backoff. The forwarded `authorization` header is never logged.

pub mod envelope;
pub mod host_tools;
pub mod mcp;
pub mod status;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_mcp::{SERVER_CONTENT_TYPE, ServerSet};
use atrium_store::{AuditEntry, AuditOrigin, AuditStatus, Store};
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_util::sync::CancellationToken;

use crate::account::Account;
use crate::{PlatformError, Result};
use envelope::{HttpAnswer, RelayErrorCode, RelayFailure};
use mcp::Target;
pub use status::{RelayReason, RelayState, RelayStatus};

/// Default deadline of a request that names none (the platform's own timeout).
const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
/// The longest deadline honoured.
const MAX_DEADLINE: Duration = Duration::from_secs(300);
/// WebSocket ping interval.
const PING_EVERY: Duration = Duration::from_secs(25);
/// How long [`Relay::stop`] waits for the loop.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// How this desktop presents itself and what it shares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayOptions {
    /// A stable id of this machine's Atrium.
    pub device_id: String,
    /// Shown on the platform.
    pub display_name: String,
    /// The folders the built-in file tools may read (nothing when empty).
    pub allowed_roots: Vec<PathBuf>,
}

/// Where the relay reports its status.
pub trait RelayReporter: Send + Sync {
    /// The status changed.
    fn status(&self, status: &RelayStatus);
}

impl RelayReporter for crate::sync::NoReporter {
    fn status(&self, _: &RelayStatus) {}
}

/// What a request handler needs.
#[derive(Clone)]
pub struct RelayContext {
    servers: ServerSet,
    store: Store,
    options: RelayOptions,
    authority: String,
}

impl RelayContext {
    /// The published local servers: registrations whose context says `mcp_server.kind = "relay"`, as `(id, title)`.
    pub async fn published(&self) -> Result<Vec<(String, String)>> {
        Ok(self
            .store
            .artifacts_of_type(SERVER_CONTENT_TYPE, None)
            .await?
            .into_iter()
            .filter(|a| a.context.pointer("/mcp_server/kind").and_then(Value::as_str) == Some("relay"))
            .map(|a| (a.id, a.title))
            .collect())
    }

    async fn is_published(&self, id: &str) -> bool {
        self.published().await.is_ok_and(|p| p.iter().any(|(pid, _)| pid == id))
    }

    async fn audit_host_call(
        &self,
        tool: &str,
        args: &Map<String, Value>,
        outcome: &std::result::Result<Value, host_tools::ToolRefusal>,
        took: Duration,
    ) {
        let (status, result) = match outcome {
            Ok(v) => (AuditStatus::Ok, atrium_mcp::audit_text(v)),
            Err(r) => (AuditStatus::Denied, atrium_mcp::audit_text(&Value::String(r.0.clone()))),
        };
        let entry = AuditEntry {
            id: uuid::Uuid::now_v7().to_string(),
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            origin: AuditOrigin::Relay,
            workspace_id: None,
            server_id: "desktop-host".into(),
            server_title: "Desktop host (built-in)".into(),
            tool: tool.to_owned(),
            arguments: atrium_mcp::audit_text(&Value::Object(args.clone())),
            result,
            status,
            error_code: matches!(status, AuditStatus::Denied).then(|| "policy_denied".to_owned()),
            duration_ms: u32::try_from(took.as_millis()).unwrap_or(u32::MAX),
            agent_id: None,
            agent_name: None,
        };
        if let Err(e) = self.store.audit_append(&[entry]).await {
            tracing::warn!(error = %e, "could not audit a relayed host tool call");
        }
    }
}

struct Inner {
    account: Account,
    ctx: Mutex<RelayContext>,
    reporter: Arc<dyn RelayReporter>,
    /// The status; a watch, so the task that shares it with other processes sees every change.
    status: tokio::sync::watch::Sender<RelayStatus>,
    paused: tokio::sync::watch::Sender<bool>,
    cancel: CancellationToken,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// The relay service of one Atrium home. Cheap to clone.
#[derive(Clone)]
pub struct Relay {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay").field("status", &self.status()).finish()
    }
}

impl Relay {
    /// A relay for `account`, serving `servers`.
    pub fn new(account: Account, servers: ServerSet, options: RelayOptions, reporter: Arc<dyn RelayReporter>) -> Self {
        let store = account.store().clone();
        let (paused, _) = tokio::sync::watch::channel(false);
        Relay {
            inner: Arc::new(Inner {
                ctx: Mutex::new(RelayContext { servers, store, options, authority: String::new() }),
                account,
                reporter,
                status: tokio::sync::watch::channel(RelayStatus::off()).0,
                paused,
                cancel: CancellationToken::new(),
                task: Mutex::new(None),
            }),
        }
    }

    /// The current status.
    pub fn status(&self) -> RelayStatus {
        self.inner.status.borrow().clone()
    }

    /// Every status change, for a terminal that follows the relay.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<RelayStatus> {
        self.inner.status.subscribe()
    }

    /// Replaces the folders the built-in file tools may read.
    pub fn set_allowed_roots(&self, roots: Vec<PathBuf>) {
        self.inner.ctx.lock().unwrap_or_else(|p| p.into_inner()).options.allowed_roots = roots;
    }

    fn update(&self, change: impl FnOnce(&mut RelayStatus)) {
        self.inner.status.send_modify(change);
        let status = self.status();
        self.inner.reporter.status(&status);
    }

    fn set_state(&self, state: RelayState, reason: Option<RelayReason>, retry: Option<Duration>) {
        self.update(|s| {
            s.state = state;
            s.message = reason.as_ref().map(RelayReason::explain);
            s.reason = reason;
            s.retry_in_ms = retry.map(|d| u32::try_from(d.as_millis()).unwrap_or(u32::MAX));
        });
    }

    /// Keeps the shared record current: on every change, and on a heartbeat so readers can tell it is alive.
    async fn share_status(self) {
        let store = self.inner.account.store().clone();
        let mut changes = self.inner.status.subscribe();
        let cancel = self.inner.cancel.clone();
        loop {
            let current = changes.borrow_and_update().clone();
            status::publish(&store, &current).await;
            tokio::select! {
                _ = cancel.cancelled() => return,
                changed = changes.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep(status::HEARTBEAT) => {}
            }
        }
    }

    /// Starts the relay loop (once).
    pub fn start(&self) {
        let mut task = self.inner.task.lock().unwrap_or_else(|p| p.into_inner());
        if task.is_some() || self.inner.cancel.is_cancelled() {
            return;
        }
        let relay = self.clone();
        *task = Some(tokio::spawn(async move {
            let sharing = tokio::spawn(relay.clone().share_status());
            relay.run().await;
            let _ = sharing.await;
        }));
    }

    /// Pauses: the connection closes and stays closed until [`Relay::resume`].
    pub fn pause(&self) {
        self.inner.paused.send_replace(true);
    }

    /// Resumes after a pause.
    pub fn resume(&self) {
        self.inner.paused.send_replace(false);
    }

    /// Stops the loop, waiting a bounded time.
    pub async fn stop(&self) {
        self.inner.cancel.cancel();
        let task = self.inner.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        let was_running = task.is_some();
        if let Some(task) = task {
            let abort = task.abort_handle();
            if tokio::time::timeout(STOP_WAIT, task).await.is_err() {
                abort.abort();
            }
        }
        self.set_state(RelayState::Off, None, None);
        if was_running {
            // Others stop reading this process's status at once rather than when its heartbeat goes stale.
            let _ = tokio::time::timeout(STOP_WAIT, status::publish(self.inner.account.store(), &self.status())).await;
        }
    }

    async fn run(&self) {
        let cancel = self.inner.cancel.clone();
        let mut paused = self.inner.paused.subscribe();
        let mut account = self.inner.account.changes();
        let mut failures = 0u32;
        let mut refreshed = false;
        while !cancel.is_cancelled() {
            if *paused.borrow_and_update() {
                self.set_state(RelayState::Paused, Some(RelayReason::Paused), None);
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = paused.changed() => {}
                }
                continue;
            }
            let outcome = self.connect_and_serve(&cancel, &mut paused, &mut account).await;
            let wait = match outcome {
                Ok(()) => {
                    failures = 0;
                    refreshed = false;
                    continue;
                }
                Err(Failure::Waiting(state, reason)) => {
                    // Nothing changes until the person signs in again (or pauses).
                    self.set_state(state, Some(reason), None);
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = account.changed() => {}
                        _ = paused.changed() => {}
                    }
                    continue;
                }
                Err(Failure::Refused { token, .. }) if !refreshed => {
                    // The token may just have expired: refresh it and try again at once.
                    self.inner.account.reject(&token);
                    refreshed = true;
                    continue;
                }
                Err(Failure::Refused { status, .. }) => {
                    failures += 1;
                    (crate::backoff::reconnect_delay(failures), RelayReason::Refused { status })
                }
                Err(Failure::Retry(reason)) => {
                    failures += 1;
                    (crate::backoff::reconnect_delay(failures), reason)
                }
            };
            let (delay, reason) = wait;
            tracing::info!(reason = %reason.explain(), "relay not connected");
            self.set_state(RelayState::Offline, Some(reason), Some(delay));
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(delay) => {}
                _ = paused.changed() => {}
                _ = account.changed() => {}
            }
        }
    }

    async fn connect_and_serve(
        &self,
        cancel: &CancellationToken,
        paused: &mut tokio::sync::watch::Receiver<bool>,
        account: &mut tokio::sync::watch::Receiver<u64>,
    ) -> std::result::Result<(), Failure> {
        let signed_out = || Failure::Waiting(RelayState::SignedOut, RelayReason::SignedOut);
        let info = self.inner.account.info().ok_or_else(signed_out)?;
        let Some(url) = info.urls.relay_ws() else {
            return Err(Failure::Waiting(RelayState::Unavailable, RelayReason::NoChorus));
        };
        let token = match self.inner.account.user_token().await {
            Ok(token) => token,
            Err(PlatformError::SignedOut) => return Err(signed_out()),
            Err(PlatformError::NeedsUserToken(_)) => {
                return Err(Failure::Waiting(RelayState::SignedOut, RelayReason::ApiKey));
            }
            Err(e) => return Err(Failure::Retry(RelayReason::Unreachable { url: url.clone(), error: e.to_string() })),
        };
        self.set_state(RelayState::Connecting, None, None);
        let ctx = {
            let mut ctx = self.inner.ctx.lock().unwrap_or_else(|p| p.into_inner());
            ctx.authority = info.urls.origin.clone();
            ctx.clone()
        };
        let mut request = crate::events::ws_request(&url, token.expose())
            .map_err(|e| Failure::Retry(RelayReason::Unreachable { url: url.clone(), error: e.to_string() }))?;
        if let Ok(device) = HeaderValue::from_str(&ctx.options.device_id) {
            request.headers_mut().insert("x-device-id", device);
        }
        let socket = match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => socket,
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                return Err(match status {
                    401 | 403 => Failure::Refused { token: token.expose().clone(), status },
                    _ => Failure::Retry(RelayReason::NotTheRelay { url, status }),
                });
            }
            Err(e) => return Err(Failure::Retry(RelayReason::Unreachable { url, error: e.to_string() })),
        };
        tracing::info!("relay connected");
        self.set_state(RelayState::Connected, None, None);
        let (mut sink, mut stream) = socket.split();
        let hello = envelope::client_hello(&ctx.options.device_id, &ctx.options.display_name);
        let _ = sink.send(Message::Text(hello.to_string().into())).await;
        let (replies, mut outbox) = tokio::sync::mpsc::channel::<Value>(64);
        let mut handlers = JoinSet::new();
        let mut ping = tokio::time::interval(PING_EVERY);
        let ended = loop {
            tokio::select! {
                _ = cancel.cancelled() => break Ok(()),
                _ = paused.changed() => break Ok(()),
                _ = account.changed() => break Ok(()),
                Some(reply) = outbox.recv() => {
                    if let Err(e) = sink.send(Message::Text(reply.to_string().into())).await {
                        break Err(dropped(e));
                    }
                }
                _ = ping.tick() => {
                    if let Err(e) = sink.send(Message::Ping(Vec::new().into())).await {
                        break Err(dropped(e));
                    }
                }
                Some(_) = handlers.join_next(), if !handlers.is_empty() => {}
                message = stream.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        // A fresh context per request: shared folders changed mid-session apply at once.
                        let current = self.inner.ctx.lock().unwrap_or_else(|p| p.into_inner()).clone();
                        if let Some(work) = self.incoming(&current, &text) {
                            let replies = replies.clone();
                            handlers.spawn(async move {
                                let reply = work.await;
                                let _ = replies.send(reply).await;
                            });
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => break Err(dropped("the platform closed it")),
                    Some(Err(e)) => break Err(dropped(e)),
                    Some(Ok(_)) => {}
                },
            }
        };
        // In-flight requests die with the session: the platform already failed them on its side.
        handlers.abort_all();
        let _ = sink.send(Message::Close(None)).await;
        tracing::info!("relay disconnected");
        ended
    }

    /// Reads one message; returns the work that produces its reply, if it needs one.
    fn incoming(&self, ctx: &RelayContext, text: &str) -> Option<BoxFuture<'static, Value>> {
        let message: Value = serde_json::from_str(text).ok()?;
        let id = message.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let payload = message.get("payload").cloned().unwrap_or(Value::Null);
        match message.get("type").and_then(Value::as_str)? {
            "mcp_request" => {
                let relay = self.clone();
                let ctx = ctx.clone();
                Some(Box::pin(async move {
                    let outcome = relay.serve_request(&ctx, &payload).await;
                    envelope::response(&id, &outcome)
                }))
            }
            "ping" => Some(Box::pin(async move { envelope::pong(&id, &payload) })),
            "invoke_tool" => {
                let relay = self.clone();
                let ctx = ctx.clone();
                Some(Box::pin(async move { relay.legacy_invoke(&ctx, &id, &payload).await }))
            }
            _ => None,
        }
    }

    /// Serves one `mcp_request` payload.
    async fn serve_request(
        &self,
        ctx: &RelayContext,
        payload: &Value,
    ) -> std::result::Result<HttpAnswer, RelayFailure> {
        let started = Instant::now();
        let deadline = payload
            .get("deadline_ms")
            .and_then(Value::as_u64)
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_DEADLINE)
            .min(MAX_DEADLINE);
        let local = payload.pointer("/mcp_server/local_server_id").and_then(Value::as_str).map(str::to_owned);
        // The headers (with the caller's bearer) are never logged; only what identifies the request.
        let span = tracing::info_span!("relay_request", local_server = local.as_deref().unwrap_or("desktop-host"));
        let _guard = span.enter();
        self.update(|s| {
            s.requests_served = s.requests_served.saturating_add(1);
            s.last_request_at = Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        });
        drop(_guard);
        // Streamable HTTP's GET (a server-sent event stream) and DELETE (end of session) have nothing to serve
        // here: the relay carries whole JSON answers only.
        let method = payload.get("method").and_then(Value::as_str).unwrap_or("POST");
        if !method.eq_ignore_ascii_case("POST") {
            return Ok(HttpAnswer::empty(405));
        }
        let body = envelope::decode_body(payload)?;
        let target = match local {
            None => Target::Host,
            Some(id) => {
                if !ctx.is_published(&id).await {
                    return Err(RelayFailure::new(
                        RelayErrorCode::NotFound,
                        format!("No local server {id} is published on this desktop."),
                    ));
                }
                // The platform's call starts a published server that was stopped, as the host tools can; one that
                // waits for the person's approval or a sign-in stays so.
                let live = tokio::time::timeout(deadline, ctx.servers.ensure_started(&id)).await;
                match live {
                    Ok(Ok(state)) if state.status == atrium_mcp::ServerStatus::Ready => {}
                    Ok(Ok(state)) => {
                        return Err(RelayFailure::new(
                            RelayErrorCode::ExecutionError,
                            format!("The local server is not ready ({}).", state.status.state_name()),
                        ));
                    }
                    Ok(Err(err)) => return Err(RelayFailure::new(RelayErrorCode::ExecutionError, err.to_string())),
                    Err(_) => {
                        return Err(RelayFailure::new(
                            RelayErrorCode::ExecutionError,
                            "The local server did not start in time.",
                        ));
                    }
                }
                Target::Server(id)
            }
        };
        let left = deadline.saturating_sub(started.elapsed());
        let accepts_events = payload
            .pointer("/headers/accept")
            .and_then(Value::as_str)
            .is_some_and(|accept| accept.contains("text/event-stream"));
        mcp::serve(ctx, &target, body, left, accepts_events).await
    }

    /// The legacy `invoke_tool` path the reference host still answers.
    async fn legacy_invoke(&self, ctx: &RelayContext, id: &str, payload: &Value) -> Value {
        let request_id = payload.get("request_id").and_then(Value::as_str).unwrap_or(id).to_owned();
        let server = payload.get("server_id").and_then(Value::as_str).unwrap_or_default();
        let tool = payload.get("tool_name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let arguments = payload.get("arguments").cloned().unwrap_or_else(|| Value::Object(Map::new()));
        // Served like an `mcp_request` for the same target: a local server, or the built-in host tools.
        let mcp_server = match server.strip_prefix("local-mcp:") {
            Some(local) => serde_json::json!({"local_server_id": local}),
            None if server == "desktop-host" => serde_json::json!({}),
            None => {
                let failure = RelayFailure::new(RelayErrorCode::NotFound, format!("Unknown server {server}."));
                return envelope::tool_result(id, &request_id, Err(failure));
            }
        };
        let request = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}});
        let payload = serde_json::json!({"mcp_server": mcp_server, "body": base64_of(&request), "deadline_ms": payload.get("deadline_ms")});
        let outcome = self.serve_request(ctx, &payload).await.and_then(result_of);
        envelope::tool_result(id, &request_id, outcome)
    }
}

fn base64_of(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(value.to_string())
}

/// The JSON-RPC result inside an HTTP answer (a JSON-RPC error becomes an execution error).
fn result_of(answer: HttpAnswer) -> std::result::Result<Value, RelayFailure> {
    let value: Value = serde_json::from_slice(&answer.body)
        .map_err(|_| RelayFailure::new(RelayErrorCode::ExecutionError, "No result."))?;
    match (value.get("result"), value.pointer("/error/message").and_then(Value::as_str)) {
        (Some(result), _) => Ok(result.clone()),
        (None, Some(message)) => Err(RelayFailure::new(RelayErrorCode::ExecutionError, message)),
        (None, None) => Err(RelayFailure::new(RelayErrorCode::ExecutionError, "No result.")),
    }
}

/// Why a connection attempt or session ended.
enum Failure {
    /// Nothing to do until the account changes.
    Waiting(RelayState, RelayReason),
    /// 401/403 at the upgrade, with the token that was refused.
    Refused { token: String, status: u16 },
    /// Try again after a pause.
    Retry(RelayReason),
}

fn dropped(error: impl std::fmt::Display) -> Failure {
    Failure::Retry(RelayReason::Dropped { error: error.to_string() })
}
