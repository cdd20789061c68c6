//! [`ViewerSession`]: Atrium's side of one view's JSON-RPC conversation (MCP Apps `2026-01-26`).
//!
//! The webview only relays; the session's task is the view's peer. It answers `ui/initialize`, holds the tool input
//! and result until the view says `initialized` (or a short grace period passes, for views that never say it, as
//! Agience's host does), routes the view's requests through the policy (its own server only, tools visible to apps
//! only) to a [`ViewBackend`], relays the server's progress and list changes to the view, and on close sends
//! `ui/resource-teardown` and waits briefly for the answer. Every request gets an answer: its result or a JSON-RPC
//! error, handed back to whoever relayed the request ([`ViewerSession::receive`]) so it can post it at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::backend::ViewBackend;
use crate::conversation::{Conversation, Inbound};
pub use crate::in_flight::MAX_IN_FLIGHT;
pub use crate::link::check_link;
pub use crate::requests::PROTOCOL_VERSION;
use crate::setup::{Events, Progress, ServerList, ToolAccess, ToolOutcome, ViewNotes, ViewSetup};
pub use crate::task::{INITIALIZED_GRACE, TEARDOWN_WAIT};

/// The answer to one relayed message: the JSON-RPC response to a request (always one: a result or an error), or
/// `None` for a notification, a response, or a request the view cancelled. Dropping it is fine: the answer then
/// goes to the window as a [`ViewerEvent::Post`] like every other message for the view.
#[derive(Debug)]
pub struct Reply(oneshot::Receiver<Value>);

impl Future for Reply {
    type Output = Option<Value>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(Result::ok)
    }
}

/// One live view. Cheap to clone; the conversation runs on its own task until [`ViewerSession::close`] or drop of
/// every clone.
#[derive(Clone)]
pub struct ViewerSession {
    view_id: String,
    input: mpsc::UnboundedSender<Inbound>,
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
    pub fn start(setup: ViewSetup, backend: Arc<dyn ViewBackend>, events: Events) -> Self {
        let (input, inbox) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let notes = Arc::new(Mutex::new(ViewNotes { display_mode: "inline".into(), ..ViewNotes::default() }));
        let view_id = setup.view_id.clone();
        let conversation = Conversation::new(setup, backend, events, notes.clone(), cancel.clone());
        tokio::spawn(conversation.run(inbox));
        let guard = Arc::new(cancel.clone().drop_guard());
        ViewerSession { view_id, input, notes, cancel, _guard: guard }
    }

    /// The view's id.
    pub fn view_id(&self) -> &str {
        &self.view_id
    }

    /// A message from the view, as the relay received it (JSON text). Await the [`Reply`] to get the answer to a
    /// request as soon as it is ready, or drop it to have the answer posted as an event.
    pub fn receive(&self, message: String) -> Reply {
        let (tx, rx) = oneshot::channel();
        let _ = self.input.send(Inbound::FromView(message, tx));
        Reply(rx)
    }

    /// Arguments being written for the tool the view shows (a preview): sent as `ui/notifications/tool-input-partial`
    /// until the final input; ignored once it is sent.
    pub fn tool_input_partial(&self, arguments: Map<String, Value>) {
        let _ = self.input.send(Inbound::ToolInputPartial(arguments));
    }

    /// The final arguments of the tool the view shows (a preview that runs now): sent once as `tool-input`.
    pub fn tool_input(&self, arguments: Map<String, Value>) {
        let _ = self.input.send(Inbound::ToolInput(arguments));
    }

    /// The tool run the view shows has finished.
    pub fn tool_finished(&self, outcome: ToolOutcome) {
        let _ = self.input.send(Inbound::ToolOutcome(outcome));
    }

    /// The host context changed (theme, size…): the view gets the changed fields.
    pub fn update_host_context(&self, changes: Map<String, Value>) {
        let _ = self.input.send(Inbound::HostContext(changes));
    }

    /// The server reported progress on a call the view made (`call_id` as given to [`ViewBackend::call_tool`]): a
    /// view that asked for progress (`_meta.progressToken`) gets `notifications/progress`.
    pub fn call_progress(&self, call_id: String, progress: Progress) {
        let _ = self.input.send(Inbound::Progress(call_id, progress));
    }

    /// One of the server's lists changed: the view is told (`notifications/<list>/list_changed`); for tools, `tools`
    /// is the new list the policy checks against.
    pub fn list_changed(&self, list: ServerList, tools: Option<Vec<ToolAccess>>) {
        let _ = self.input.send(Inbound::ListChanged(list, tools));
    }

    /// What the view has said so far.
    pub fn notes(&self) -> ViewNotes {
        self.notes.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sends `ui/resource-teardown`, waits up to [`TEARDOWN_WAIT`] for the answer, then stops the conversation and
    /// cancels whatever the view still had running. `true` when the view answered.
    pub async fn close(&self) -> bool {
        let (tx, rx) = oneshot::channel();
        if self.input.send(Inbound::Teardown(tx)).is_err() {
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
