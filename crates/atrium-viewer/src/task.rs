//! The task behind a [`crate::ViewerSession`]: it takes what reaches the conversation one input at a time, hands
//! the view's requests to [`crate::requests`] and its notifications to the conversation, runs the grace period for
//! views that never say `initialized`, and ends the conversation after the teardown (answered or not).

use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use crate::conversation::{Conversation, Inbound, Phase};
use crate::in_flight::{InFlight, Responder};
use crate::rpc::{self, Incoming};
use crate::setup::ViewPayload;

/// How long a view that never sends `ui/notifications/initialized` waits for its data after `ui/initialize`.
pub const INITIALIZED_GRACE: Duration = Duration::from_millis(250);
/// How long closing waits for the view to answer `ui/resource-teardown`.
pub const TEARDOWN_WAIT: Duration = Duration::from_millis(500);

impl Conversation {
    pub(crate) async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Inbound>) {
        let grace = tokio::time::sleep(Duration::MAX);
        tokio::pin!(grace);
        let mut teardown_deadline: Option<tokio::time::Instant> = None;
        loop {
            let deadline = async {
                match teardown_deadline {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = self.cancel.cancelled() => break,
                () = &mut grace, if self.state == Phase::AwaitingInitialized => {
                    tracing::debug!(view = %self.setup.view_id, "no initialized notification: sending the data anyway");
                    self.become_ready();
                }
                () = deadline => {
                    if let Some((_, done)) = self.teardown.take() { let _ = done.send(false); }
                    break;
                }
                input = inbox.recv() => {
                    let Some(input) = input else { break };
                    let before = self.state;
                    if let Some(done) = self.input(input) {
                        // A teardown that cannot be sent (the view never initialized) ends the conversation now.
                        let _ = done.send(false);
                        break;
                    }
                    if before != Phase::AwaitingInitialized && self.state == Phase::AwaitingInitialized {
                        grace.as_mut().reset(tokio::time::Instant::now() + INITIALIZED_GRACE);
                    }
                    if self.teardown.is_some() && teardown_deadline.is_none() {
                        teardown_deadline = Some(tokio::time::Instant::now() + TEARDOWN_WAIT);
                    } else if self.teardown.is_none() && teardown_deadline.is_some() {
                        break; // the view answered the teardown
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

    /// Handles one input; a teardown that cannot be sent is handed back to be answered `false`.
    fn input(&mut self, input: Inbound) -> Option<oneshot::Sender<bool>> {
        match input {
            Inbound::FromView(text, reply) => self.handle_message(&text, reply),
            Inbound::ToolInputPartial(arguments) => self.partial_input(arguments),
            Inbound::ToolInput(arguments) => {
                if let ViewPayload::Tool { arguments: slot @ None, .. } = &mut self.setup.payload {
                    *slot = Some(arguments);
                    if self.state == Phase::Ready {
                        self.send_input();
                        self.send_result();
                    }
                }
            }
            Inbound::ToolOutcome(outcome) => {
                self.tool_outcome = Some(outcome);
                if self.state == Phase::Ready {
                    self.send_result();
                }
            }
            Inbound::HostContext(changes) => self.host_context_changed(changes),
            Inbound::Progress(call_id, progress) => self.progress(&call_id, progress),
            Inbound::ListChanged(list, tools) => self.list_changed(list, tools),
            Inbound::Teardown(done) => {
                if !matches!(self.state, Phase::AwaitingInitialized | Phase::Ready) {
                    return Some(done);
                }
                let id = format!("atrium:{}", self.next_host_id);
                self.next_host_id += 1;
                self.post(rpc::request(json!(id), "ui/resource-teardown", json!({})));
                self.teardown = Some((id, done));
            }
        }
        None
    }

    fn handle_message(&mut self, text: &str, reply: oneshot::Sender<Value>) {
        match rpc::parse(text) {
            Err(rejected) => {
                self.refuse("(message)", None, rejected.reason);
                if let Some(answer) = rejected.reply {
                    Responder::new(Value::Null, reply, self.events.clone()).deliver(answer);
                }
            }
            Ok(Incoming::Notification { method, params }) => self.notification(&method, params),
            Ok(Incoming::Request { id, method, params }) => {
                let responder = Responder::new(id, reply, self.events.clone());
                self.request(responder, method, params);
            }
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
}
