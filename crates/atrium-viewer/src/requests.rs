//! A view's requests: each is answered exactly once, with its result or a JSON-RPC error — through the
//! [`Responder`] that carries it back to whoever relayed the request.

use std::future::Future;

use serde_json::{Map, Value, json};

use crate::backend::Refusal;
use crate::conversation::{Conversation, Phase};
use crate::in_flight::{InFlight, MAX_IN_FLIGHT, Responder};
use crate::link::check_link;
use crate::rpc::{self, RpcError};
use crate::setup::{ToolAccess, ViewPayload, ViewerEvent};

/// The MCP Apps protocol revision Atrium speaks.
pub const PROTOCOL_VERSION: &str = "2026-01-26";

/// How many `ui/message`s are kept per view.
const KEPT_MESSAGES: usize = 50;
const HOST_MODES: [&str; 2] = ["inline", "fullscreen"];

/// What to name in a report if a request is refused.
struct Report {
    method: String,
    target: Option<String>,
}

impl Conversation {
    pub(crate) fn request(&mut self, responder: Responder, method: String, params: Map<String, Value>) {
        tracing::debug!(view = %self.setup.view_id, method, "view request");
        match method.as_str() {
            "ping" => return responder.answer(Ok(json!({}))),
            "ui/initialize" => return responder.answer(Ok(self.initialize(&params))),
            _ => {}
        }
        if matches!(self.state, Phase::AwaitingProxy | Phase::AwaitingInitialize) {
            self.refuse(&method, None, "the view sent a request before ui/initialize");
            return responder.answer(Err(RpcError::refused("send ui/initialize first")));
        }
        match method.as_str() {
            "tools/call" => self.tools_call(responder, params),
            "tools/list" => {
                let tools: Vec<Value> = self.app_tools().map(|t| t.definition.clone()).collect();
                responder.answer(Ok(json!({"tools": tools})));
            }
            "resources/read" | "resources/list" | "resources/templates/list" | "prompts/list" => {
                if method == "resources/read" && params.get("uri").and_then(Value::as_str).is_none() {
                    return responder.answer(Err(RpcError::invalid_params("resources/read needs a uri")));
                }
                let backend = self.backend.clone();
                let target = params.get("uri").and_then(Value::as_str).map(str::to_owned);
                let report = Report { method: method.clone(), target };
                self.spawn(responder, None, None, report, async move { backend.forward(&method, params).await });
            }
            "ui/open-link" => {
                let url = params.get("url").and_then(Value::as_str).unwrap_or_default().to_owned();
                match check_link(&url) {
                    Err(reason) => {
                        self.refuse("ui/open-link", Some(&url), reason.clone());
                        responder.answer(Err(RpcError::refused(reason)));
                    }
                    Ok(url) => {
                        let backend = self.backend.clone();
                        let report = Report { method: "ui/open-link".into(), target: Some(url.clone()) };
                        self.spawn(responder, None, None, report, async move {
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
                    _ => return responder.answer(Err(RpcError::invalid_params("ui/message needs content blocks"))),
                };
                {
                    let mut notes = self.notes.lock().unwrap_or_else(|p| p.into_inner());
                    notes.messages.push(content.clone());
                    let excess = notes.messages.len().saturating_sub(KEPT_MESSAGES);
                    notes.messages.drain(..excess);
                }
                (self.events)(ViewerEvent::Message { content });
                responder.answer(Ok(json!({})));
            }
            "ui/update-model-context" => {
                let context = Value::Object(params);
                let empty = context.as_object().is_none_or(|m| m.values().all(|v| v.is_null() || v == &json!([])));
                self.notes.lock().unwrap_or_else(|p| p.into_inner()).model_context = (!empty).then(|| context.clone());
                (self.events)(ViewerEvent::ModelContext { context });
                responder.answer(Ok(json!({})));
            }
            "ui/request-display-mode" => {
                let mode = self.display_mode(&params);
                responder.answer(Ok(json!({"mode": mode})));
            }
            "ui/resource-teardown" => {
                responder.answer(Err(RpcError::new(rpc::METHOD_NOT_FOUND, "only the host sends ui/resource-teardown")))
            }
            other => {
                tracing::debug!(view = %self.setup.view_id, method = other, "unknown view method");
                responder.answer(Err(RpcError::new(rpc::METHOD_NOT_FOUND, format!("Method not found: {other}"))));
            }
        }
    }

    /// Switches to the asked mode when both the host and the app have it; answers the mode that is now current.
    fn display_mode(&mut self, params: &Map<String, Value>) -> String {
        let asked = params.get("mode").and_then(Value::as_str).unwrap_or_default();
        let app_allows = self.app_modes.as_ref().is_none_or(|modes| modes.iter().any(|m| m == asked));
        let current = self.notes.lock().unwrap_or_else(|p| p.into_inner()).display_mode.clone();
        let mode = if HOST_MODES.contains(&asked) && app_allows { asked.to_owned() } else { current.clone() };
        if mode != current {
            self.notes.lock().unwrap_or_else(|p| p.into_inner()).display_mode = mode.clone();
            (self.events)(ViewerEvent::DisplayMode { mode: mode.clone() });
            if self.state == Phase::Ready {
                self.post(rpc::notification("ui/notifications/host-context-changed", json!({"displayMode": mode})));
            }
        }
        mode
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
                // The server's list changes reach open views.
                "serverTools": {"listChanged": true},
                "serverResources": {"listChanged": true},
                "logging": {},
                "sandbox": {"permissions": self.setup.permissions.to_wire(), "csp": self.setup.csp},
                "updateModelContext": {"text": {}, "structuredContent": {}},
                "message": {"text": {}},
            },
            "hostContext": context,
        })
    }

    fn app_tools(&self) -> impl Iterator<Item = &ToolAccess> {
        self.setup.tools.iter().filter(|t| t.app)
    }

    fn tools_call(&mut self, responder: Responder, params: Map<String, Value>) {
        let Some(name) = params.get("name").and_then(Value::as_str).map(str::to_owned) else {
            return responder.answer(Err(RpcError::invalid_params("tools/call needs a tool name")));
        };
        let arguments = match params.get("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(arguments)) => arguments.clone(),
            Some(_) => return responder.answer(Err(RpcError::invalid_params("arguments must be an object"))),
        };
        let progress_token = params.get("_meta").and_then(|m| m.get("progressToken")).cloned();
        // Artifact views: the host answers update_artifact/create_artifact itself, against the local store.
        if self.backend.answers_tool(&name) {
            let backend = self.backend.clone();
            let report = Report { method: "tools/call".into(), target: Some(name.clone()) };
            return self.spawn(responder, None, None, report, async move { backend.host_tool(name, arguments).await });
        }
        let refusal = match self.setup.tools.iter().find(|t| t.name == name) {
            None => Some("the view's server offers no such tool to views (unknown, or outside allowed_tools)"),
            Some(tool) if !tool.app => Some("the tool is for the model only (its visibility excludes app)"),
            Some(_) => None,
        };
        if let Some(reason) = refusal {
            self.refuse("tools/call", Some(&name), reason);
            return responder.answer(Err(RpcError::refused(format!("{name}: {reason}"))));
        }
        let call_id = uuid::Uuid::now_v7().to_string();
        let backend = self.backend.clone();
        let call = call_id.clone();
        let report = Report { method: "tools/call".into(), target: Some(name.clone()) };
        self.spawn(responder, Some(call_id), progress_token, report, async move {
            backend.call_tool(name, arguments, call).await
        });
    }

    /// Runs a request's work off the conversation task and answers it, unless the view cancelled it. A policy
    /// refusal (`-32000`) from the backend (which has audited it) is reported to the window too.
    fn spawn<F>(
        &mut self,
        responder: Responder,
        call_id: Option<String>,
        progress_token: Option<Value>,
        report: Report,
        work: F,
    ) where
        F: Future<Output = Result<Value, RpcError>> + Send + 'static,
    {
        let key = responder.id.to_string();
        let cancel = self.cancel.child_token();
        {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            let refused = if in_flight.contains_key(&key) {
                Some("a request with this id is still running")
            } else if in_flight.len() >= MAX_IN_FLIGHT {
                Some("too many requests in flight")
            } else {
                in_flight.insert(key.clone(), InFlight { cancel: cancel.clone(), call_id, progress_token });
                None
            };
            drop(in_flight);
            if let Some(reason) = refused {
                self.refuse("(request)", None, reason);
                return responder.answer(Err(RpcError::refused(reason)));
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
                        responder.answer(result);
                    }
                }
            }
        });
    }
}
