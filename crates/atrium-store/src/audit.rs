//! The audit log: one row per tool call. Rows are only ever appended; callers cap and redact what they pass in.

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, QueryBuilder, Sqlite};

use crate::{Result, Store};

/// Where a tool call came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AuditOrigin {
    /// A person, from the app's tool runner.
    Ui,
    /// A person, from `atrium-cli`.
    Cli,
    /// An MCP Apps view, through the host.
    Viewer,
    /// The platform, through the Desktop Host Relay.
    Relay,
    /// A local gateway client.
    Gateway,
    /// A lifecycle hook (`on_create`, `on_open`, `extract_text`, `summarize`).
    Lifecycle,
}

impl AuditOrigin {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOrigin::Ui => "ui",
            AuditOrigin::Cli => "cli",
            AuditOrigin::Viewer => "viewer",
            AuditOrigin::Relay => "relay",
            AuditOrigin::Gateway => "gateway",
            AuditOrigin::Lifecycle => "lifecycle",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "cli" => AuditOrigin::Cli,
            "viewer" => AuditOrigin::Viewer,
            "relay" => AuditOrigin::Relay,
            "gateway" => AuditOrigin::Gateway,
            "lifecycle" => AuditOrigin::Lifecycle,
            _ => AuditOrigin::Ui,
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AuditStatus {
    /// The tool returned a result.
    Ok,
    /// The tool returned a result flagged `isError`.
    ToolError,
    /// The call failed (see `error_code`).
    Failed,
    /// The caller cancelled it.
    Cancelled,
    /// Refused before reaching the server (not in `allowed_tools`, server not connected, …).
    Denied,
}

impl AuditStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditStatus::Ok => "ok",
            AuditStatus::ToolError => "tool_error",
            AuditStatus::Failed => "failed",
            AuditStatus::Cancelled => "cancelled",
            AuditStatus::Denied => "denied",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "ok" => AuditStatus::Ok,
            "tool_error" => AuditStatus::ToolError,
            "cancelled" => AuditStatus::Cancelled,
            "denied" => AuditStatus::Denied,
            _ => AuditStatus::Failed,
        }
    }
}

/// One recorded tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditEntry {
    /// Id (UUID).
    pub id: String,
    /// When the call started, ISO-8601 UTC.
    pub time: String,
    /// Who made it.
    pub origin: AuditOrigin,
    /// The workspace of the server, when known.
    pub workspace_id: Option<String>,
    /// The server registration's id.
    pub server_id: String,
    /// The server's title at the time of the call.
    pub server_title: String,
    /// The tool's name on its server.
    pub tool: String,
    /// The arguments as JSON text, redacted and capped at 4096 bytes.
    pub arguments: String,
    /// The result (or error) as JSON text, redacted and capped at 4096 bytes.
    pub result: String,
    /// How it ended.
    pub status: AuditStatus,
    /// The error code, when it failed.
    pub error_code: Option<String>,
    /// How long it took.
    pub duration_ms: u32,
    /// The agent that made the call, for calls through the gateway.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// That agent's name at the time of the call.
    #[serde(default)]
    pub agent_name: Option<String>,
}

/// Which audit rows to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditFilter {
    /// Only calls to this server.
    #[serde(default)]
    pub server_id: Option<String>,
    /// Only calls in this workspace.
    #[serde(default)]
    pub workspace_id: Option<String>,
    /// Only calls from this origin.
    #[serde(default)]
    pub origin: Option<AuditOrigin>,
    /// Only calls that ended this way.
    #[serde(default)]
    pub status: Option<AuditStatus>,
    /// Only calls whose tool name contains this text.
    #[serde(default)]
    pub tool: Option<String>,
    /// Only calls by this agent (its id).
    #[serde(default)]
    pub agent_id: Option<String>,
    /// Only rows older than this id (the last row of the previous page).
    #[serde(default)]
    pub before: Option<String>,
    /// At most this many rows (default 100, at most 1,000).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(FromRow)]
struct AuditRow {
    id: String,
    time: String,
    origin: String,
    workspace_id: Option<String>,
    server_id: String,
    server_title: String,
    tool: String,
    arguments: String,
    result: String,
    status: String,
    error_code: Option<String>,
    duration_ms: i64,
    agent_id: Option<String>,
    agent_name: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        AuditEntry {
            id: row.id,
            time: row.time,
            origin: AuditOrigin::parse(&row.origin),
            workspace_id: row.workspace_id,
            server_id: row.server_id,
            server_title: row.server_title,
            tool: row.tool,
            arguments: row.arguments,
            result: row.result,
            status: AuditStatus::parse(&row.status),
            error_code: row.error_code,
            duration_ms: u32::try_from(row.duration_ms).unwrap_or(u32::MAX),
            agent_id: row.agent_id,
            agent_name: row.agent_name,
        }
    }
}

impl Store {
    /// Appends audit rows in one transaction (the recorder batches calls that finish close together).
    pub async fn audit_append(&self, entries: &[AuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        // One multi-row INSERT per 256 rows (14 bound values each, well under SQLite's variable limit).
        for chunk in entries.chunks(256) {
            let mut q = QueryBuilder::<Sqlite>::new(
                "INSERT INTO audit_log (id, time, origin, workspace_id, server_id, server_title, tool, arguments,
                    result, status, error_code, duration_ms, agent_id, agent_name) ",
            );
            q.push_values(chunk, |mut row, e| {
                row.push_bind(&e.id)
                    .push_bind(&e.time)
                    .push_bind(e.origin.as_str())
                    .push_bind(&e.workspace_id)
                    .push_bind(&e.server_id)
                    .push_bind(&e.server_title)
                    .push_bind(&e.tool)
                    .push_bind(&e.arguments)
                    .push_bind(&e.result)
                    .push_bind(e.status.as_str())
                    .push_bind(&e.error_code)
                    .push_bind(i64::from(e.duration_ms))
                    .push_bind(&e.agent_id)
                    .push_bind(&e.agent_name);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lists audit rows matching `filter`, newest first.
    pub async fn audit_list(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT id, time, origin, workspace_id, server_id, server_title, tool, arguments, result, status,
                error_code, duration_ms, agent_id, agent_name FROM audit_log WHERE 1 = 1",
        );
        if let Some(server) = &filter.server_id {
            q.push(" AND server_id = ").push_bind(server.clone());
        }
        if let Some(workspace) = &filter.workspace_id {
            q.push(" AND workspace_id = ").push_bind(workspace.clone());
        }
        if let Some(agent) = &filter.agent_id {
            q.push(" AND agent_id = ").push_bind(agent.clone());
        }
        if let Some(origin) = filter.origin {
            q.push(" AND origin = ").push_bind(origin.as_str());
        }
        if let Some(status) = filter.status {
            q.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(tool) = filter.tool.as_deref().filter(|t| !t.trim().is_empty()) {
            q.push(" AND instr(lower(tool), ").push_bind(tool.trim().to_lowercase()).push(") > 0");
        }
        if let Some(before) = &filter.before {
            q.push(" AND seq < (SELECT seq FROM audit_log WHERE id = ").push_bind(before.clone()).push(")");
        }
        let limit = filter.limit.unwrap_or(100).clamp(1, 1000);
        q.push(" ORDER BY seq DESC LIMIT ").push_bind(i64::from(limit));
        let rows: Vec<AuditRow> = q.build_query_as().fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }
}
