//! Atrium's MCP client side (DESIGN §3): server registrations, one live rmcp session per enabled server with status,
//! timeouts, progress, cancellation and reconnects, tool routing with `allowed_tools`, elicitation, and the audit
//! record of every tool call; local stdio servers under the command policy, in their own process groups, restarted
//! after a crash, with their secrets read from the keychain when they start.
#![deny(missing_docs)]

mod approval;
mod audit;
mod auth_state;
mod authorized_http;
mod catalog_watch;
pub mod config_edit;
mod connection;
mod credentials;
pub mod discovery;
mod error;
mod events;
mod forwarding;
mod group_record;
mod group_signals;
mod handler;
pub mod import;
mod in_flight;
mod inner;
pub mod install;
mod launch;
mod model;
pub mod policy;
mod process_groups;
mod raw;
pub mod registration;
mod requests;
mod sandbox;
mod secret_mask;
mod server_log;
mod server_records;
mod servers;
mod slot;
mod sse;
mod status;
mod stdio_transport;
mod supervisor;
mod verbatim_call;
mod watchdog;

/// The MIME type of an MCP Apps view (`ui://` resource), exactly as the spec requires it.
pub const MCP_APP_MIME: &str = "text/html;profile=mcp-app";

pub use approval::LocalEffects;
pub use audit::{AUDIT_CAP_BYTES, audit_text, redact};
pub use auth_state::{AuthKind, AuthState, ServerAuth};
pub use credentials::{AUTHORIZER_CONTENT_TYPE, AuthSetup, authorizer_config};
pub use error::{Failure, FailureCode, McpError};
pub use events::{
    CatalogList, ElicitationAction, ElicitationAnswer, ElicitationPolicy, ElicitationRequest, NoEvents, ServerEvents,
    apply_defaults,
};
pub use forwarding::CallerScope;
pub use model::{
    CallProgress, ContentItem, LogLine, PromptArgumentInfo, PromptInfo, PromptMessage, PromptResult, ResourceCatalog,
    ResourceContent, ResourceInfo, ResourceTemplateInfo, ToolInfo, ToolResult,
};
pub use process_groups::CrashCleanup;
pub use registration::{Auth, EnvValue, Registration, SERVER_CONTENT_TYPE, Timeouts, TokenAuthMethod, Transport};
pub use sandbox::SandboxSetup;
pub use server_log::log_file_name;
pub use server_records::{
    AgentStamp, CallOutcome, ConnectionTest, LocalSetup, RequestRecord, RestartPolicy, ServerSetOptions, ServerSpec,
    ServerState, ToolCall,
};
pub use servers::ServerSet;
pub use status::ServerStatus;
pub use verbatim_call::VerbatimOutcome;
pub use watchdog::{WATCHDOG_ARG, run_watchdog_if_asked};

/// The flat name of a tool where one list holds the tools of many servers (`{server}__{tool}`).
pub fn flat_tool_name(server: &str, tool: &str) -> String {
    format!("{server}__{tool}")
}

/// Splits a flat tool name at its first `__` into `(server, tool)`.
pub fn split_flat_tool_name(name: &str) -> Option<(&str, &str)> {
    name.split_once("__").filter(|(server, tool)| !server.is_empty() && !tool.is_empty())
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
