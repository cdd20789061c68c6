//! What a view's session needs from the rest of Atrium: the [`ViewBackend`] its requests reach, and the
//! [`Refusal`]s it reports.

use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::rpc::RpcError;

/// A boxed future, so backends can be trait objects.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a view's requests reach: its own server, the local store, the person. Implemented over Atrium's services.
pub trait ViewBackend: Send + Sync + 'static {
    /// Calls a tool on the view's server (the session has already checked it is the view's to call). The result is
    /// a `CallToolResult`; `call_id` lets [`ViewBackend::cancel_call`] stop it, and names the call in the progress
    /// the session is told about ([`crate::ViewerSession::call_progress`]).
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
