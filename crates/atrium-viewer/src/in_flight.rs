//! A view's request between its arrival and its answer: the [`Responder`] that carries the answer back (exactly
//! once), and the [`InFlight`] record of work still running off the conversation's task.

use serde_json::Value;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::rpc::{self, RpcError};
use crate::setup::{Events, ViewerEvent};

/// Most requests a view may have in flight at once.
pub const MAX_IN_FLIGHT: usize = 32;

/// Where one request's answer goes: back to the relay that is waiting for it (the window's command returns it),
/// or, if the relay stopped waiting, to the window as a `Post` event. Dropped unanswered only when the view
/// cancelled the request (no answer is due then).
pub(crate) struct Responder {
    pub(crate) id: Value,
    reply: Option<oneshot::Sender<Value>>,
    events: Events,
}

impl Responder {
    pub(crate) fn new(id: Value, reply: oneshot::Sender<Value>, events: Events) -> Self {
        Responder { id, reply: Some(reply), events }
    }

    /// Answers with a result or an error.
    pub(crate) fn answer(self, result: Result<Value, RpcError>) {
        let message = match result {
            Ok(result) => rpc::result_response(self.id.clone(), result),
            Err(error) => rpc::error_response(self.id.clone(), &error),
        };
        self.deliver(message);
    }

    /// Sends a complete answer message.
    pub(crate) fn deliver(mut self, message: Value) {
        let unsent = match self.reply.take() {
            Some(reply) => reply.send(message).err(),
            None => Some(message),
        };
        if let Some(message) = unsent {
            (self.events)(ViewerEvent::Post { message });
        }
    }
}

/// A request still running off the conversation's task.
pub(crate) struct InFlight {
    pub(crate) cancel: CancellationToken,
    pub(crate) call_id: Option<String>,
    /// The view's `_meta.progressToken`, when it asked for progress.
    pub(crate) progress_token: Option<Value>,
}
