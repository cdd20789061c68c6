//! [`ViewerSession`]: Atrium's side of one view's JSON-RPC conversation (MCP Apps `2026-01-26`).
//!
//! The webview only relays; this task is the view's peer. It answers the sandbox proxy with the view's HTML, answers
//! `ui/initialize`, holds the tool input and result until the view says `initialized` (or a short grace period
//! passes, for views that never say it, as Agience's host does), routes the view's requests through the policy
//! (its own server only, tools visible to apps only) to a [`ViewBackend`], and on close sends
//! `ui/resource-teardown` and waits briefly for the answer.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::csp::CspDomains;
use crate::resource::ViewPermissions;
use crate::rpc::{self, Incoming, RpcError};

/// The MCP Apps protocol revision Atrium speaks.
pub const PROTOCOL_VERSION: &str = "2026-01-26";
/// How long a view that never sends `ui/notifications/initialized` waits for its data after `ui/initialize`.
pub const INITIALIZED_GRACE: Duration = Duration::from_millis(250);
/// How long closing waits for the view to answer `ui/resource-teardown`.
pub const TEARDOWN_WAIT: Duration = Duration::from_millis(500);
/// Most requests a view may have in flight at once.
pub const MAX_IN_FLIGHT: usize = 32;
/// How many `ui/message`s are kept per view.
const KEPT_MESSAGES: usize = 50;

/// A boxed future, so backends can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a view's requests reach: its own server, the local store, the person. Implemented over Atrium's services.
pub trait ViewBackend: Send + Sync + 'static {
    /// Calls a tool on the view's server (the session has already checked it is the view's to call). The result is
    /// a `CallToolResult`; `call_id` lets [`ViewBackend::cancel_call`] stop it.
    fn call_tool(
        &self,
        name: String,
        arguments: Map<String, Value>,
        call_id: String,
    ) -> BoxFuture<'_, Result<Value, RpcError>>;
    /// Cancels a call started with `call_id`.
    fn cancel_call(&self, call_id: &str);
    /// Forwards a read-only request to the view's server: `resources/read`, `resources/list`,
    /// `resources/templates/list` or `prompts/list`. A policy refusal (`-32000`) is audited by the backend and
    /// reported to the window by the session.
    fn forward(&self, method: &str, params: Map<String, Value>) -> BoxFuture<'_, Result<Value, RpcError>>;
    /// Whether the host itself answers this tool: `update_artifact` / `create_artifact` in a view that shows an
    /// artifact (as Agience's host does). Otherwise the call goes to the server like any other.
    fn answers_tool(&self, name: &str) -> bool;
    /// Answers a tool [`ViewBackend::answers_tool`] claimed, against the local store.
    fn host_tool(&self, name: String, arguments: Map<String, Value>) -> BoxFuture<'_, Result<Value, RpcError>>;
    /// Asks the person whether to open an http(s) link and opens it in the browser; `true` when it was opened.
    fn open_link(&self, url: String) -> BoxFuture<'_, bool>;
    /// Records something the session refused (the audit log).
    fn refused(&self, refusal: &Refusal);
    /// A log line from the view.
    fn log(&self, level: &str, data: &Value);
}

/// Something a view attempted that was not allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Refusal {
    /// The method, or `(message)` for one that could not be read.
    pub method: String,
    /// The tool or URI concerned, when there is one.
    pub target: Option<String>,
    /// Why, in words for a person.
    pub reason: String,
}

/// What the session tells the app window about a view (besides the messages for the view itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ViewerEvent {
    /// A JSON-RPC message to post to the view's proxy frame.
    Post {
        /// The message.
        message: Value,
    },
    /// The view finished its handshake and has its data.
    Ready,
    /// The view asks for a size (px); with flexible dimensions the frame follows.
    Resize {
        /// Width, when given.
        width: Option<f64>,
        /// Height, when given.
        height: Option<f64>,
    },
    /// The view switched display mode (`inline` or `fullscreen`).
    DisplayMode {
        /// The new mode.
        mode: String,
    },
    /// The view sent a message for the conversation (`ui/message`).
    Message {
        /// Its content blocks.
        content: Value,
    },
    /// The view updated what it wants the model to know (`ui/update-model-context`).
    ModelContext {
        /// The new context (`{content?, structuredContent?}`).
        context: Value,
    },
    /// The view asks to be closed.
    CloseRequested,
    /// The view tried something it may not do; it was refused.
    Refused {
        /// What and why.
        refusal: Refusal,
    },
}

/// A tool as the view policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolAccess {
    /// The tool's name on the view's server.
    pub name: String,
    /// Whether views may call it (`_meta.ui.visibility` includes `app`, the default).
    pub app: bool,
    /// Whether the model may see it.
    pub model: bool,
    /// The tool as the server lists it (`{name, description, inputSchema, …}`), for the view's `tools/list`.
    pub definition: Value,
}

/// What a view shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewPayload {
    /// An artifact: `tool-result.content[0].text` carries it as JSON.
    Artifact {
        /// The artifact as the view receives it.
        artifact: Value,
    },
    /// A tool's input and (when it arrives) result.
    Tool {
        /// The tool (`{name, description, inputSchema, …}`), for `hostContext.toolInfo`.
        tool: Value,
        /// Its arguments.
        arguments: Map<String, Value>,
    },
}

/// Everything a session needs at start.
#[derive(Debug, Clone)]
pub struct ViewSetup {
    /// The view's id (also the id the app window uses).
    pub view_id: String,
    /// The view's HTML.
    pub html: String,
    /// The domains actually granted.
    pub csp: CspDomains,
    /// The permissions granted.
    pub permissions: ViewPermissions,
    /// `hostContext` (theme, locale, time zone, styles, `platform: "desktop"`, display modes, …).
    pub host_context: Map<String, Value>,
    /// The view's server's tools.
    pub tools: Vec<ToolAccess>,
    /// What it shows.
    pub payload: ViewPayload,
    /// Atrium's name and version for `hostInfo`.
    pub host_version: String,
}

/// The outcome of a tool run shown in a view.
#[derive(Debug, Clone, PartialEq)]
pub enum ToolOutcome {
    /// The `CallToolResult`.
    Result(Value),
    /// The call did not complete.
    Cancelled(String),
}

/// What a view has said that the host keeps (for the window or a later turn).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ViewNotes {
    /// Its `ui/message`s, oldest first (the last 50).
    pub messages: Vec<Value>,
    /// Its latest `ui/update-model-context` (none after an empty one).
    pub model_context: Option<Value>,
    /// Its display mode.
    pub display_mode: String,
}

enum Input {
    FromView(String),
    ToolOutcome(ToolOutcome),
    HostContext(Map<String, Value>),
    Teardown(oneshot::Sender<bool>),
}

/// One live view. Cheap to clone; the conversation runs on its own task until [`ViewerSession::close`] or drop of
/// every clone.
#[derive(Clone)]
pub struct ViewerSession {
    view_id: String,
    input: mpsc::UnboundedSender<Input>,
    notes: Arc<Mutex<ViewNotes>>,
    cancel: CancellationToken,
    _guard: Arc<tokio_util::sync::DropGuard>,
}

impl std::fmt::Debug for ViewerSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewerSession").field("view_id", &self.view_id).finish_non_exhaustive()
    }
}

impl ViewerSession {
    /// Starts a session; `events` receives what the window must do (post, resize, …). Must be called inside a
    /// tokio runtime.
    pub fn start(
        setup: ViewSetup,
        backend: Arc<dyn ViewBackend>,
        events: Arc<dyn Fn(ViewerEvent) + Send + Sync>,
    ) -> Self {
        let (input, inbox) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let notes = Arc::new(Mutex::new(ViewNotes { display_mode: "inline".into(), ..ViewNotes::default() }));
        let view_id = setup.view_id.clone();
        let conversation = Conversation {
            setup,
            backend,
            events,
            notes: notes.clone(),
            state: Phase::AwaitingProxy,
            app_modes: None,
            tool_outcome: None,
            input_sent: false,
            result_sent: false,
            in_flight: Arc::new(Mutex::new(HashMap::new())),
            next_host_id: 1,
            teardown: None,
            cancel: cancel.clone(),
        };
        tokio::spawn(conversation.run(inbox));
        let guard = Arc::new(cancel.clone().drop_guard());
        ViewerSession { view_id, input, notes, cancel, _guard: guard }
    }

    /// The view's id.
    pub fn view_id(&self) -> &str {
        &self.view_id
    }

    /// A message from the view, as the relay received it (JSON text).
    pub fn receive(&self, message: String) {
        let _ = self.input.send(Input::FromView(message));
    }

    /// The tool run the view shows has finished.
    pub fn tool_finished(&self, outcome: ToolOutcome) {
        let _ = self.input.send(Input::ToolOutcome(outcome));
    }

    /// The host context changed (theme, size…): the view gets the changed fields.
    pub fn update_host_context(&self, changes: Map<String, Value>) {
        let _ = self.input.send(Input::HostContext(changes));
    }

    /// What the view has said so far.
    pub fn notes(&self) -> ViewNotes {
        self.notes.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sends `ui/resource-teardown`, waits up to [`TEARDOWN_WAIT`] for the answer, then stops the conversation and
    /// cancels whatever the view still had running. `true` when the view answered.
    pub async fn close(&self) -> bool {
        let (tx, rx) = oneshot::channel();
        if self.input.send(Input::Teardown(tx)).is_err() {
            return false;
        }
        let answered = tokio::time::timeout(TEARDOWN_WAIT + Duration::from_millis(100), rx).await;
        self.cancel.cancel();
        matches!(answered, Ok(Ok(true)))
    }

    /// Whether the conversation has ended.
    pub fn is_closed(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the proxy's `sandbox-proxy-ready`.
    AwaitingProxy,
    /// The HTML is out; waiting for `ui/initialize`.
    AwaitingInitialize,
    /// `ui/initialize` answered; waiting for `initialized` (or the grace period).
    AwaitingInitialized,
    /// Data delivered; the interactive phase.
    Ready,
}

/// What to name in a report if a request is refused.
struct Report {
    method: String,
    target: Option<String>,
}

struct InFlight {
    cancel: CancellationToken,
    call_id: Option<String>,
}

struct Conversation {
    setup: ViewSetup,
    backend: Arc<dyn ViewBackend>,
    events: Arc<dyn Fn(ViewerEvent) + Send + Sync>,
    notes: Arc<Mutex<ViewNotes>>,
    state: Phase,
    app_modes: Option<Vec<String>>,
    tool_outcome: Option<ToolOutcome>,
    input_sent: bool,
    result_sent: bool,
    in_flight: Arc<Mutex<HashMap<String, InFlight>>>,
    next_host_id: u64,
    teardown: Option<(String, oneshot::Sender<bool>)>,
    cancel: CancellationToken,
}

const HOST_MODES: [&str; 2] = ["inline", "fullscreen"];

impl Conversation {
    async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Input>) {
        let grace = tokio::time::sleep(Duration::MAX);
        tokio::pin!(grace);
        let mut teardown_deadline: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                () = self.cancel.cancelled() => break,
                () = &mut grace, if self.state == Phase::AwaitingInitialized => {
                    tracing::debug!(view = %self.setup.view_id, "no initialized notification: sending the data anyway");
                    self.become_ready();
                }
                () = async { if let Some(at) = teardown_deadline { tokio::time::sleep_until(at).await } else { std::future::pending().await } } => {
                    if let Some((_, done)) = self.teardown.take() { let _ = done.send(false); }
                    break;
                }
                input = inbox.recv() => {
                    let Some(input) = input else { break };
                    match input {
                        Input::FromView(text) => {
                            let before = self.state;
                            self.handle_message(&text);
                            if before != Phase::AwaitingInitialized && self.state == Phase::AwaitingInitialized {
                                grace.as_mut().reset(tokio::time::Instant::now() + INITIALIZED_GRACE);
                            }
                            if self.teardown.is_none() && teardown_deadline.is_some() {
                                break;
                            }
                        }
                        Input::ToolOutcome(outcome) => {
                            self.tool_outcome = Some(outcome);
                            if self.state == Phase::Ready { self.send_result(); }
                        }
                        Input::HostContext(changes) => self.host_context_changed(changes),
                        Input::Teardown(done) => {
                            if matches!(self.state, Phase::AwaitingInitialized | Phase::Ready) {
                                let id = format!("atrium:{}", self.next_host_id);
                                self.next_host_id += 1;
                                self.post(rpc::request(json!(id), "ui/resource-teardown", json!({})));
                                self.teardown = Some((id, done));
                                teardown_deadline = Some(tokio::time::Instant::now() + TEARDOWN_WAIT);
                            } else {
                                let _ = done.send(false);
                                break;
                            }
                        }
                    }
                }
            }
        }
        // Whatever the view still had running is abandoned with it.
        let in_flight: Vec<InFlight> =
            self.in_flight.lock().unwrap_or_else(|p| p.into_inner()).drain().map(|(_, f)| f).collect();
        for flight in in_flight {
            flight.cancel.cancel();
            if let Some(call_id) = flight.call_id {
                self.backend.cancel_call(&call_id);
            }
        }
        self.cancel.cancel();
    }

    fn post(&self, message: Value) {
        (self.events)(ViewerEvent::Post { message });
    }

    fn refuse(&self, method: &str, target: Option<&str>, reason: impl Into<String>) {
        let refusal = Refusal { method: method.to_owned(), target: target.map(str::to_owned), reason: reason.into() };
        tracing::warn!(view = %self.setup.view_id, method, target, reason = %refusal.reason, "view request refused");
        self.backend.refused(&refusal);
        (self.events)(ViewerEvent::Refused { refusal });
    }

    fn handle_message(&mut self, text: &str) {
        match rpc::parse(text) {
            Err(rejected) => {
                self.refuse("(message)", None, rejected.reason);
                if let Some(reply) = rejected.reply {
                    self.post(reply);
                }
            }
            Ok(Incoming::Notification { method, params }) => self.notification(&method, params),
            Ok(Incoming::Request { id, method, params }) => self.request(id, method, params),
            Ok(Incoming::Response { id, outcome }) => {
                if let Some((expected, _)) = &self.teardown
                    && id == json!(expected)
                    && let Some((_, done)) = self.teardown.take()
                {
                    let _ = done.send(outcome.is_ok());
                }
            }
        }
    }

    fn notification(&mut self, method: &str, params: Map<String, Value>) {
        match method {
            "ui/notifications/sandbox-proxy-ready" if self.state == Phase::AwaitingProxy => {
                self.state = Phase::AwaitingInitialize;
                self.post(rpc::notification(
                    "ui/notifications/sandbox-resource-ready",
                    json!({
                        "html": self.setup.html,
                        "csp": self.setup.csp,
                        "permissions": self.setup.permissions.to_wire(),
                    }),
                ));
            }
            "ui/notifications/initialized" if self.state == Phase::AwaitingInitialized => self.become_ready(),
            "ui/notifications/size-changed" => {
                let dimension = |key: &str| {
                    params.get(key).and_then(Value::as_f64).filter(|v| v.is_finite() && (0.0..=100_000.0).contains(v))
                };
                let (width, height) = (dimension("width"), dimension("height"));
                if width.is_some() || height.is_some() {
                    (self.events)(ViewerEvent::Resize { width, height });
                }
            }
            "notifications/message" | "ui/log" => {
                let level = params.get("level").and_then(Value::as_str).unwrap_or("info");
                self.backend.log(level, params.get("data").unwrap_or(&Value::Null));
            }
            "notifications/cancelled" => {
                let key = params.get("requestId").map(Value::to_string).unwrap_or_default();
                let flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
                if let Some(flight) = flight {
                    flight.cancel.cancel();
                    if let Some(call_id) = flight.call_id {
                        self.backend.cancel_call(&call_id);
                    }
                }
            }
            "ui/notifications/request-teardown" => (self.events)(ViewerEvent::CloseRequested),
            // A view has no business speaking for the proxy; anything else is ignored, as notifications may be.
            m if m.starts_with("ui/notifications/sandbox-") => {
                self.refuse(m, None, "views may not send the sandbox proxy's notifications");
            }
            _ => {}
        }
    }

    fn request(&mut self, id: Value, method: String, params: Map<String, Value>) {
        tracing::debug!(view = %self.setup.view_id, method, "view request");
        let answer = |this: &Self, result: Result<Value, RpcError>| {
            this.post(match result {
                Ok(result) => rpc::result_response(id.clone(), result),
                Err(error) => rpc::error_response(id.clone(), &error),
            });
        };
        match method.as_str() {
            "ping" => return answer(self, Ok(json!({}))),
            "ui/initialize" => {
                let result = self.initialize(&params);
                return answer(self, Ok(result));
            }
            _ => {}
        }
        if matches!(self.state, Phase::AwaitingProxy | Phase::AwaitingInitialize) {
            self.refuse(&method, None, "the view sent a request before ui/initialize");
            return answer(self, Err(RpcError::refused("send ui/initialize first")));
        }
        match method.as_str() {
            "tools/call" => self.tools_call(id, params),
            "tools/list" => {
                let tools: Vec<Value> = self.app_tools().map(|t| t.definition.clone()).collect();
                answer(self, Ok(json!({"tools": tools})));
            }
            "resources/read" | "resources/list" | "resources/templates/list" | "prompts/list" => {
                if method == "resources/read" && params.get("uri").and_then(Value::as_str).is_none() {
                    return answer(self, Err(RpcError::invalid_params("resources/read needs a uri")));
                }
                let backend = self.backend.clone();
                let target = params.get("uri").and_then(Value::as_str).map(str::to_owned);
                let report = Report { method: method.clone(), target };
                self.spawn(id, None, report, async move { backend.forward(&method, params).await });
            }
            "ui/open-link" => {
                let url = params.get("url").and_then(Value::as_str).unwrap_or_default().to_owned();
                match check_link(&url) {
                    Err(reason) => {
                        self.refuse("ui/open-link", Some(&url), reason.clone());
                        answer(self, Err(RpcError::refused(reason)));
                    }
                    Ok(url) => {
                        let backend = self.backend.clone();
                        let report = Report { method: "ui/open-link".into(), target: Some(url.clone()) };
                        self.spawn(id, None, report, async move {
                            let opened = backend.open_link(url).await;
                            Ok(if opened { json!({}) } else { json!({"isError": true}) })
                        });
                    }
                }
            }
            "ui/message" => {
                let content = match params.get("content") {
                    Some(Value::Array(blocks)) => Value::Array(blocks.clone()),
                    Some(Value::Object(block)) => Value::Array(vec![Value::Object(block.clone())]),
                    _ => return answer(self, Err(RpcError::invalid_params("ui/message needs content blocks"))),
                };
                {
                    let mut notes = self.notes.lock().unwrap_or_else(|p| p.into_inner());
                    notes.messages.push(content.clone());
                    let excess = notes.messages.len().saturating_sub(KEPT_MESSAGES);
                    notes.messages.drain(..excess);
                }
                (self.events)(ViewerEvent::Message { content });
                answer(self, Ok(json!({})));
            }
            "ui/update-model-context" => {
                let context = Value::Object(params);
                let empty = context.as_object().is_none_or(|m| m.values().all(|v| v.is_null() || v == &json!([])));
                self.notes.lock().unwrap_or_else(|p| p.into_inner()).model_context = (!empty).then(|| context.clone());
                (self.events)(ViewerEvent::ModelContext { context });
                answer(self, Ok(json!({})));
            }
            "ui/request-display-mode" => {
                let asked = params.get("mode").and_then(Value::as_str).unwrap_or_default();
                let app_allows = self.app_modes.as_ref().is_none_or(|modes| modes.iter().any(|m| m == asked));
                let current = self.notes.lock().unwrap_or_else(|p| p.into_inner()).display_mode.clone();
                let mode = if HOST_MODES.contains(&asked) && app_allows { asked.to_owned() } else { current.clone() };
                if mode != current {
                    self.notes.lock().unwrap_or_else(|p| p.into_inner()).display_mode = mode.clone();
                    (self.events)(ViewerEvent::DisplayMode { mode: mode.clone() });
                    if self.state == Phase::Ready {
                        self.post(rpc::notification(
                            "ui/notifications/host-context-changed",
                            json!({"displayMode": mode}),
                        ));
                    }
                }
                answer(self, Ok(json!({"mode": mode})));
            }
            "ui/resource-teardown" => {
                answer(self, Err(RpcError::new(rpc::METHOD_NOT_FOUND, "only the host sends ui/resource-teardown")))
            }
            other => {
                tracing::debug!(view = %self.setup.view_id, method = other, "unknown view method");
                answer(self, Err(RpcError::new(rpc::METHOD_NOT_FOUND, format!("Method not found: {other}"))));
            }
        }
    }

    fn initialize(&mut self, params: &Map<String, Value>) -> Value {
        // Both shapes are accepted: the seed's bare {protocolVersion} and the full {appInfo, appCapabilities, …}.
        self.app_modes = params
            .get("appCapabilities")
            .and_then(|c| c.get("availableDisplayModes"))
            .and_then(Value::as_array)
            .map(|modes| modes.iter().filter_map(Value::as_str).map(str::to_owned).collect());
        if matches!(self.state, Phase::AwaitingProxy | Phase::AwaitingInitialize) {
            self.state = Phase::AwaitingInitialized;
        }
        let mut context = self.setup.host_context.clone();
        context.insert("displayMode".into(), json!(self.notes.lock().unwrap_or_else(|p| p.into_inner()).display_mode));
        context.insert("availableDisplayModes".into(), json!(HOST_MODES));
        context.insert("platform".into(), json!("desktop"));
        if let ViewPayload::Tool { tool, .. } = &self.setup.payload {
            context.insert("toolInfo".into(), json!({"tool": tool}));
        }
        json!({
            "protocolVersion": PROTOCOL_VERSION,
            "hostInfo": {"name": "atrium", "version": self.setup.host_version},
            "hostCapabilities": {
                "openLinks": {},
                "serverTools": {},
                "serverResources": {},
                "logging": {},
                "sandbox": {"permissions": self.setup.permissions.to_wire(), "csp": self.setup.csp},
                "updateModelContext": {"text": {}, "structuredContent": {}},
                "message": {"text": {}},
            },
            "hostContext": context,
        })
    }

    fn become_ready(&mut self) {
        self.state = Phase::Ready;
        if !self.input_sent {
            self.input_sent = true;
            let arguments = match &self.setup.payload {
                ViewPayload::Artifact { artifact } => {
                    json!({"artifact_id": artifact.get("id").cloned().unwrap_or(Value::Null)})
                }
                ViewPayload::Tool { arguments, .. } => Value::Object(arguments.clone()),
            };
            self.post(rpc::notification("ui/notifications/tool-input", json!({"arguments": arguments})));
        }
        if let ViewPayload::Artifact { artifact } = &self.setup.payload {
            let text = artifact.to_string();
            self.tool_outcome = Some(ToolOutcome::Result(json!({"content": [{"type": "text", "text": text}]})));
        }
        self.send_result();
        (self.events)(ViewerEvent::Ready);
    }

    fn send_result(&mut self) {
        if self.result_sent {
            return;
        }
        let message = match self.tool_outcome.take() {
            None => return,
            Some(ToolOutcome::Result(mut result)) => {
                // Always a content array, even an empty one (views that expect it break otherwise).
                if let Some(map) = result.as_object_mut() {
                    map.entry("content").or_insert_with(|| json!([]));
                }
                rpc::notification("ui/notifications/tool-result", result)
            }
            Some(ToolOutcome::Cancelled(reason)) => {
                rpc::notification("ui/notifications/tool-cancelled", json!({"reason": reason}))
            }
        };
        self.result_sent = true;
        self.post(message);
    }

    fn host_context_changed(&mut self, changes: Map<String, Value>) {
        for (key, value) in &changes {
            self.setup.host_context.insert(key.clone(), value.clone());
        }
        if self.state == Phase::Ready && !changes.is_empty() {
            self.post(rpc::notification("ui/notifications/host-context-changed", Value::Object(changes)));
        }
    }

    fn app_tools(&self) -> impl Iterator<Item = &ToolAccess> {
        self.setup.tools.iter().filter(|t| t.app)
    }

    fn tools_call(&mut self, id: Value, params: Map<String, Value>) {
        let Some(name) = params.get("name").and_then(Value::as_str).map(str::to_owned) else {
            self.post(rpc::error_response(id, &RpcError::invalid_params("tools/call needs a tool name")));
            return;
        };
        let arguments = match params.get("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(arguments)) => arguments.clone(),
            Some(_) => {
                self.post(rpc::error_response(id, &RpcError::invalid_params("arguments must be an object")));
                return;
            }
        };
        // Artifact views: the host answers update_artifact/create_artifact itself, against the local store.
        if self.backend.answers_tool(&name) {
            let backend = self.backend.clone();
            let report = Report { method: "tools/call".into(), target: Some(name.clone()) };
            return self.spawn(id, None, report, async move { backend.host_tool(name, arguments).await });
        }
        let refusal = match self.setup.tools.iter().find(|t| t.name == name) {
            None => Some("the view's server offers no such tool to views (unknown, or outside allowed_tools)"),
            Some(tool) if !tool.app => Some("the tool is for the model only (its visibility excludes app)"),
            Some(_) => None,
        };
        if let Some(reason) = refusal {
            self.refuse("tools/call", Some(&name), reason);
            self.post(rpc::error_response(id, &RpcError::refused(format!("{name}: {reason}"))));
            return;
        }
        let call_id = uuid::Uuid::now_v7().to_string();
        let backend = self.backend.clone();
        let call = call_id.clone();
        let report = Report { method: "tools/call".into(), target: Some(name.clone()) };
        self.spawn(id, Some(call_id), report, async move { backend.call_tool(name, arguments, call).await });
    }

    /// Runs a request's work off the conversation task and posts its answer, unless the view cancelled it. A
    /// policy refusal (`-32000`) from the backend (which has audited it) is reported to the window too.
    fn spawn<F>(&mut self, id: Value, call_id: Option<String>, report: Report, work: F)
    where
        F: Future<Output = Result<Value, RpcError>> + Send + 'static,
    {
        let key = id.to_string();
        let cancel = self.cancel.child_token();
        {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            let refused = if in_flight.contains_key(&key) {
                Some("a request with this id is still running")
            } else if in_flight.len() >= MAX_IN_FLIGHT {
                Some("too many requests in flight")
            } else {
                in_flight.insert(key.clone(), InFlight { cancel: cancel.clone(), call_id });
                None
            };
            drop(in_flight);
            if let Some(reason) = refused {
                self.refuse("(request)", None, reason);
                self.post(rpc::error_response(id, &RpcError::refused(reason)));
                return;
            }
        }
        let events = self.events.clone();
        let in_flight = self.in_flight.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = cancel.cancelled() => {}
                result = work => {
                    let still_wanted = in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&key).is_some();
                    if let Err(e) = &result
                        && e.code == rpc::REFUSED
                    {
                        let refusal = Refusal { method: report.method, target: report.target, reason: e.message.clone() };
                        events(ViewerEvent::Refused { refusal });
                    }
                    if still_wanted {
                        let message = match result {
                            Ok(result) => rpc::result_response(id, result),
                            Err(error) => rpc::error_response(id, &error),
                        };
                        events(ViewerEvent::Post { message });
                    }
                }
            }
        });
    }
}

/// An `ui/open-link` URL, if it is one Atrium will offer to open: absolute http or https, no credentials.
pub fn check_link(url: &str) -> Result<String, String> {
    let parsed = url::Url::parse(url).map_err(|_| format!("{url:?} is not an absolute URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("only http and https links open, not {}:", parsed.scheme()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("links with credentials do not open".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("the link has no host".into());
    }
    Ok(parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_web_links_open() {
        assert_eq!(check_link("https://example.com/a?b=1").as_deref(), Ok("https://example.com/a?b=1"));
        assert!(check_link("http://example.com").is_ok());
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<b>x</b>",
            "tauri://localhost/index.html",
            "https://user:pw@example.com/",
            "/relative",
            "",
        ] {
            assert!(check_link(bad).is_err(), "{bad} must be refused");
        }
    }
}
