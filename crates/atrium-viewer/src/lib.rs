//! Atrium's MCP Apps host. A view is untrusted HTML from a server; this crate is everything between it and
//! Atrium that is not the webview:
//!
//! - [`csp`] builds the view's Content-Security-Policy from its `_meta.ui.csp`, refusing every source that is not
//!   a plain origin;
//! - [`resource`] checks a `ui://` resource (URI, MIME type, one item) and merges its `_meta.ui`;
//! - [`origin`] is a server's own loopback origin, where its views are served (their storage is theirs);
//! - [`proxy`] is the loopback server of the sandbox-proxy page (one-use tokens, Host and peer checks, CSP header);
//! - [`session`] is [`ViewerSession`], the view's JSON-RPC peer: handshake, buffering, policy, teardown;
//! - [`styles`] is the theme variables views get;
//! - [`types`] reads content-type definitions and the rules that tie a type to its view.
#![deny(missing_docs)]

pub mod backend;
mod conversation;
pub mod csp;
mod in_flight;
mod link;
mod loopback;
pub mod origin;
pub mod proxy;
mod requests;
pub mod resource;
pub mod rpc;
pub mod session;
pub mod setup;
pub mod styles;
mod task;
pub mod types;

pub use backend::{BoxFuture, Refusal, ViewBackend};
pub use csp::{CspDomains, ViewCsp};
pub use loopback::Reporter;
pub use origin::ViewOrigin;
pub use proxy::ProxyServer;
pub use resource::{MimeRule, UiResource, VIEW_MIME, ViewPermissions, Visibility, tool_view_uri};
pub use rpc::RpcError;
pub use session::{Reply, ViewerSession};
pub use setup::{
    Events, Progress, ServerList, ToolAccess, ToolOutcome, ViewNotes, ViewPayload, ViewSetup, ViewerEvent,
};
pub use types::{FolderType, TypeDefinition, TypeUi};

/// What can go wrong in the viewer host.
#[derive(Debug, thiserror::Error)]
pub enum ViewerError {
    /// A `ui://` resource is not a view Atrium can show.
    #[error("{uri} is not a valid view: {reason}")]
    InvalidView {
        /// The resource.
        uri: String,
        /// Why.
        reason: String,
    },
    /// A `type.json` could not be read.
    #[error("invalid content type definition: {0}")]
    InvalidType(String),
    /// The sandbox-proxy server could not start.
    #[error("cannot start the view server: {0}")]
    Proxy(#[source] std::io::Error),
}
