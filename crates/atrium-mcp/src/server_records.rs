//! The connection manager's public records: a server as the manager runs it (its spec), how the manager behaves,
//! what local servers need from this machine, a tool call and how it ended, a server's state and what a test
//! connection found.

use std::time::Duration;

use atrium_store::{AuditOrigin, AuditStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Failure, FailureCode};
use crate::events::ElicitationPolicy;
use crate::model::ToolResult;
use crate::process_groups::CrashCleanup;
use crate::registration::Registration;
use crate::sandbox::SandboxSetup;
use crate::status::ServerStatus;

/// A request to a server worth an audit row that [`ServerSet::call_tool`] did not make (see
/// [`ServerSet::record_request`]).
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// The server the request was for.
    pub server_id: String,
    /// Who asked.
    pub origin: AuditOrigin,
    /// The tool, or the MCP method (`resources/read`) for other requests.
    pub name: String,
    /// Its arguments or parameters.
    pub arguments: Value,
    /// What came of it: a result, or why it failed or was refused.
    pub outcome: Result<ToolResult, Failure>,
    /// How long it took.
    pub duration_ms: u32,
}

/// The agent a request came from (through the gateway), as its audit row names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentStamp {
    /// The agent's id.
    pub id: String,
    /// Its name now.
    pub name: String,
}

/// A registered server as the manager needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerSpec {
    /// The registration artifact's id.
    pub id: String,
    /// Its workspace.
    pub workspace_id: Option<String>,
    /// Its title.
    pub title: String,
    /// How to reach it.
    pub registration: Registration,
}

impl ServerSpec {
    /// A server registration artifact as the manager runs it; what is wrong with its registration otherwise.
    pub fn from_artifact(artifact: &atrium_store::Artifact) -> Result<Self, Vec<atrium_store::FieldProblem>> {
        let registration = crate::registration::parse(&crate::registration::stored(artifact))?;
        Ok(ServerSpec {
            id: artifact.id.clone(),
            workspace_id: Some(artifact.workspace_id.clone()),
            title: artifact.title.clone(),
            registration,
        })
    }
}

/// A tool call to make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ToolCall {
    /// The server.
    pub server_id: String,
    /// The tool's name on that server.
    pub tool: String,
    /// Its arguments.
    #[serde(default)]
    pub arguments: Option<Map<String, Value>>,
    /// The caller's id for this call, to cancel it and to match progress; one is made up when absent.
    #[serde(default)]
    pub call_id: Option<String>,
}

/// How a call ended: always a value, never an error, so the caller can show it and the audit log records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CallOutcome {
    /// The call's id.
    pub call_id: String,
    /// `ok`, `tool_error`, `failed`, `cancelled` or `denied`.
    pub status: AuditStatus,
    /// The tool's result, when it returned one.
    pub result: Option<ToolResult>,
    /// Why it failed, when it did.
    pub error: Option<Failure>,
    /// How long it took.
    pub duration_ms: u32,
}

/// What *test connection* found, without touching the live session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectionTest {
    /// Whether it connected and listed its tools.
    pub success: bool,
    /// How many tools it offers (after `allowed_tools`).
    pub tool_count: u32,
    /// Their names.
    pub tools: Vec<String>,
    /// What went wrong.
    pub error: Option<String>,
    /// Its code.
    pub error_code: Option<FailureCode>,
    /// The server's name and version, from `initialize`.
    pub server_info: Option<String>,
    /// How long it took.
    pub duration_ms: u32,
}

/// A server's state for lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServerState {
    /// The server.
    pub server_id: String,
    /// Its status.
    pub status: ServerStatus,
    /// Tools visible (after `allowed_tools`), when connected.
    pub tool_count: u32,
    /// The server's name and version, when connected.
    pub server_info: Option<String>,
    /// The process id of a running local server (also its process group).
    pub pid: Option<u32>,
    /// How it authenticates and where that stands.
    pub auth: crate::ServerAuth,
}

/// How the manager behaves.
#[derive(Debug, Clone, Copy)]
pub struct ServerSetOptions {
    /// How elicitation requests are answered.
    pub elicitation: ElicitationPolicy,
    /// Whether lost HTTP connections are retried with backoff.
    pub reconnect: bool,
    /// When crashed local servers and lost remote ones are started again.
    pub restart: RestartPolicy,
}

impl Default for ServerSetOptions {
    fn default() -> Self {
        ServerSetOptions { elicitation: ElicitationPolicy::Ask, reconnect: true, restart: RestartPolicy::default() }
    }
}

/// What local servers need from this machine. The default has no keychain, no log files and only the default
/// allowlist.
#[derive(Debug, Clone, Default)]
pub struct LocalSetup {
    /// Where `{secret_id}` environment values are read.
    pub keychain: Option<atrium_secrets::Keychain>,
    /// The directory of the servers' rotating log files.
    pub log_dir: Option<std::path::PathBuf>,
    /// Commands allowed beyond the defaults (from local settings).
    pub allowed_commands: Vec<String>,
    /// Where servers from git repositories are cloned and installed (a temporary directory when absent).
    pub installs: Option<std::path::PathBuf>,
    /// How sign-ins happen.
    pub auth: crate::AuthSetup,
    /// The watchdog and the record that stop servers after Atrium itself crashed.
    pub crash_cleanup: CrashCleanup,
    /// What the sandbox of servers from repositories hides.
    pub sandbox: SandboxSetup,
}

/// When to start a server again after its session ended by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestartPolicy {
    /// The first wait (then doubling).
    pub first_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
    /// A session that lasted this long resets the backoff (and the count of failures).
    pub stable_after: Duration,
    /// A local server that fails this many times in a row is given up (`failed`). Remote servers are retried for
    /// as long as they are enabled: the network comes back.
    pub give_up_after: u32,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            stable_after: Duration::from_secs(300),
            give_up_after: 5,
        }
    }
}
