//! One view's conversation as the host holds it: its phase, what it was set up with, the requests it has
//! running, and everything the host sends it and when (the handshake's data, partial input, progress, list
//! changes). What drives it is in [`crate::task`]; its requests are answered in [`crate::requests`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::backend::{Refusal, ViewBackend};
use crate::in_flight::InFlight;
use crate::rpc;
use crate::setup::{
    Events, Progress, ServerList, ToolAccess, ToolOutcome, ViewNotes, ViewPayload, ViewSetup, ViewerEvent,
};

/// What reaches a conversation: the view's messages (each with the way back for its answer) and what the host
/// has to tell it.
pub(crate) enum Inbound {
    FromView(String, oneshot::Sender<Value>),
    ToolInputPartial(Map<String, Value>),
    ToolInput(Map<String, Value>),
    ToolOutcome(ToolOutcome),
    HostContext(Map<String, Value>),
    Progress(String, Progress),
    ListChanged(ServerList, Option<Vec<ToolAccess>>),
    Teardown(oneshot::Sender<bool>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting for the proxy's `sandbox-proxy-ready`.
    AwaitingProxy,
    /// The proxy mounted the view; waiting for `ui/initialize`.
    AwaitingInitialize,
    /// `ui/initialize` answered; waiting for `initialized` (or the grace period).
    AwaitingInitialized,
    /// Data delivered; the interactive phase.
    Ready,
}

pub(crate) struct Conversation {
    pub(crate) setup: ViewSetup,
    pub(crate) backend: Arc<dyn ViewBackend>,
    pub(crate) events: Events,
    pub(crate) notes: Arc<Mutex<ViewNotes>>,
    pub(crate) state: Phase,
    pub(crate) app_modes: Option<Vec<String>>,
    pub(crate) tool_outcome: Option<ToolOutcome>,
    /// The latest arguments of a preview, not sent yet (the view was not ready).
    pub(crate) partial: Option<Map<String, Value>>,
    input_sent: bool,
    result_sent: bool,
    pub(crate) in_flight: Arc<Mutex<HashMap<String, InFlight>>>,
    pub(crate) next_host_id: u64,
    pub(crate) teardown: Option<(String, oneshot::Sender<bool>)>,
    pub(crate) cancel: CancellationToken,
}

impl Conversation {
    pub(crate) fn new(
        setup: ViewSetup,
        backend: Arc<dyn ViewBackend>,
        events: Events,
        notes: Arc<Mutex<ViewNotes>>,
        cancel: CancellationToken,
    ) -> Self {
        Conversation {
            setup,
            backend,
            events,
            notes,
            state: Phase::AwaitingProxy,
            app_modes: None,
            tool_outcome: None,
            partial: None,
            input_sent: false,
            result_sent: false,
            in_flight: Arc::default(),
            next_host_id: 1,
            teardown: None,
            cancel,
        }
    }

    pub(crate) fn post(&self, message: Value) {
        (self.events)(ViewerEvent::Post { message });
    }

    pub(crate) fn refuse(&self, method: &str, target: Option<&str>, reason: impl Into<String>) {
        let refusal = Refusal { method: method.to_owned(), target: target.map(str::to_owned), reason: reason.into() };
        tracing::warn!(view = %self.setup.view_id, method, target, reason = %refusal.reason, "view request refused");
        self.backend.refused(&refusal);
        (self.events)(ViewerEvent::Refused { refusal });
    }

    pub(crate) fn notification(&mut self, method: &str, params: Map<String, Value>) {
        match method {
            "ui/notifications/sandbox-proxy-ready" if self.state == Phase::AwaitingProxy => {
                // The proxy page was minted with its view's URL and mounts it itself: nothing to send it.
                self.state = Phase::AwaitingInitialize;
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

    pub(crate) fn become_ready(&mut self) {
        self.state = Phase::Ready;
        self.send_input();
        if let ViewPayload::Artifact { artifact } = &self.setup.payload {
            let text = artifact.to_string();
            self.tool_outcome = Some(ToolOutcome::Result(json!({"content": [{"type": "text", "text": text}]})));
        }
        self.send_result();
        (self.events)(ViewerEvent::Ready);
    }

    /// `tool-input`, once, when the arguments are final; until then the latest partial ones.
    pub(crate) fn send_input(&mut self) {
        if self.input_sent {
            return;
        }
        let arguments = match &self.setup.payload {
            ViewPayload::Artifact { artifact } => {
                json!({"artifact_id": artifact.get("id").cloned().unwrap_or(Value::Null)})
            }
            ViewPayload::Tool { arguments: Some(arguments), .. } => Value::Object(arguments.clone()),
            ViewPayload::Tool { arguments: None, .. } => {
                if let Some(partial) = self.partial.take() {
                    self.post(rpc::notification("ui/notifications/tool-input-partial", json!({"arguments": partial})));
                }
                return;
            }
        };
        self.input_sent = true;
        self.partial = None;
        self.post(rpc::notification("ui/notifications/tool-input", json!({"arguments": arguments})));
    }

    pub(crate) fn partial_input(&mut self, arguments: Map<String, Value>) {
        // The spec: partial input only before the final one, and nothing before `initialized`.
        let previewing = matches!(self.setup.payload, ViewPayload::Tool { arguments: None, .. });
        if !previewing || self.input_sent {
            return;
        }
        if self.state == Phase::Ready {
            self.post(rpc::notification("ui/notifications/tool-input-partial", json!({"arguments": arguments})));
        } else {
            self.partial = Some(arguments);
        }
    }

    pub(crate) fn send_result(&mut self) {
        // Never a result before the input it answers.
        if self.result_sent || !self.input_sent {
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

    pub(crate) fn host_context_changed(&mut self, changes: Map<String, Value>) {
        for (key, value) in &changes {
            self.setup.host_context.insert(key.clone(), value.clone());
        }
        if self.state == Phase::Ready && !changes.is_empty() {
            self.post(rpc::notification("ui/notifications/host-context-changed", Value::Object(changes)));
        }
    }

    pub(crate) fn progress(&self, call_id: &str, progress: Progress) {
        let token = {
            let in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            in_flight.values().find(|f| f.call_id.as_deref() == Some(call_id)).and_then(|f| f.progress_token.clone())
        };
        // Only to a view that asked (its request carried `_meta.progressToken`), and only once it is ready.
        let Some(token) = token.filter(|_| self.state == Phase::Ready) else { return };
        let mut params = Map::new();
        params.insert("progressToken".into(), token);
        params.insert("progress".into(), json!(progress.progress));
        if let Some(total) = progress.total {
            params.insert("total".into(), json!(total));
        }
        if let Some(message) = progress.message {
            params.insert("message".into(), json!(message));
        }
        self.post(rpc::notification("notifications/progress", Value::Object(params)));
    }

    pub(crate) fn list_changed(&mut self, list: ServerList, tools: Option<Vec<ToolAccess>>) {
        if let Some(tools) = tools {
            self.setup.tools = tools;
        }
        if self.state == Phase::Ready {
            self.post(rpc::notification(list.notification(), json!({})));
        }
    }
}
