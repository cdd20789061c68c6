//! Why a server or a call failed: stable codes the UI shows as badges and scripts branch on.

use serde::{Deserialize, Serialize};

/// A stable failure code (DESIGN §3, plus the codes a single call can end with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FailureCode {
    /// The server could not be reached, or the connection dropped.
    ConnectionError,
    /// It did not answer in time.
    Timeout,
    /// It refused the credentials (401/403).
    AuthError,
    /// The registration or the discovery document is wrong.
    ConfigError,
    /// Local policy refused it (not allowed to run, tool not in `allowed_tools`).
    PolicyDenied,
    /// The server process exited.
    Crashed,
    /// The server sent something that is not valid MCP.
    ProtocolError,
    /// The server answered the request with a JSON-RPC error (unknown tool, invalid arguments, …).
    ServerError,
    /// The server is not connected (disabled, starting or failed).
    NotConnected,
    /// The caller cancelled the call.
    Cancelled,
}

impl FailureCode {
    /// The code as text (`connection_error`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCode::ConnectionError => "connection_error",
            FailureCode::Timeout => "timeout",
            FailureCode::AuthError => "auth_error",
            FailureCode::ConfigError => "config_error",
            FailureCode::PolicyDenied => "policy_denied",
            FailureCode::Crashed => "crashed",
            FailureCode::ProtocolError => "protocol_error",
            FailureCode::ServerError => "server_error",
            FailureCode::NotConnected => "not_connected",
            FailureCode::Cancelled => "cancelled",
        }
    }
}

/// A failure: its code and a sentence saying what happened and what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[error("{message}")]
pub struct Failure {
    /// The code.
    pub code: FailureCode,
    /// For a person.
    pub message: String,
}

impl Failure {
    /// A failure with a code and a message.
    pub fn new(code: FailureCode, message: impl Into<String>) -> Self {
        Failure { code, message: message.into() }
    }
}

/// The errors of this crate's operations.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    /// No server with that id is registered.
    #[error("no server {0} is registered")]
    UnknownServer(String),
    /// The server or the request failed.
    #[error(transparent)]
    Failed(#[from] Failure),
    /// Writing the audit log failed.
    #[error(transparent)]
    Store(#[from] atrium_store::StoreError),
    /// Signing in did not complete (the reason is typed: cancelled, denied, refused, …).
    #[error(transparent)]
    SignIn(#[from] atrium_auth::AuthError),
}
