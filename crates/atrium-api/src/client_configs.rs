//! Connecting an agent the other way round from import: Atrium's own entry written into a client's MCP
//! configuration (Claude Desktop, Claude Code, Cursor, VS Code), so that client launches `atrium mcp --agent NAME`
//! and reaches the person's workspaces and servers through Atrium. The entry names no token (`atrium mcp` reads
//! this home's store as the person), so nothing secret is written. Only Atrium's entry changes: the file is edited
//! as text ([`atrium_mcp::config_edit`]), a copy of it as it was is kept beside it first, and disconnecting takes
//! exactly that entry out again — or puts the copy back when nothing else changed meanwhile. The file's contents
//! never leave this module (they may hold other servers' secrets): callers see paths and Atrium's entry only.

use std::path::{Path, PathBuf};

use atrium_mcp::config_edit::{self, EntryChange};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{ApiError, ApiResult, Atrium, ErrorCode};

/// The name of Atrium's entry in a client's servers.
pub const ENTRY_NAME: &str = "atrium";
/// What the copy of a configuration as it was before Atrium's write is called: the file's name with this added.
const BACKUP_SUFFIX: &str = ".before-atrium";

/// An app that launches MCP servers from a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ClientApp {
    /// `claude_desktop_config.json`.
    ClaudeDesktop,
    /// Claude Code: `~/.claude.json` (the user's servers) or a project's `.mcp.json`.
    ClaudeCode,
    /// Cursor: `~/.cursor/mcp.json` or a project's `.cursor/mcp.json`.
    Cursor,
    /// VS Code: the user's `mcp.json` or a project's `.vscode/mcp.json` (JSON with comments).
    VsCode,
}

impl ClientApp {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            ClientApp::ClaudeDesktop => "Claude Desktop",
            ClientApp::ClaudeCode => "Claude Code",
            ClientApp::Cursor => "Cursor",
            ClientApp::VsCode => "VS Code",
        }
    }

    /// The member of the file's object that holds its servers.
    fn servers_key(self) -> &'static str {
        match self {
            ClientApp::VsCode => "servers",
            _ => "mcpServers",
        }
    }

    /// Where the app keeps the user's servers on this machine.
    pub fn default_config(self) -> Option<PathBuf> {
        match self {
            ClientApp::ClaudeDesktop => dirs::config_dir().map(|d| d.join("Claude").join("claude_desktop_config.json")),
            ClientApp::ClaudeCode => dirs::home_dir().map(|d| d.join(".claude.json")),
            ClientApp::Cursor => dirs::home_dir().map(|d| d.join(".cursor").join("mcp.json")),
            ClientApp::VsCode => dirs::config_dir().map(|d| d.join("Code").join("User").join("mcp.json")),
        }
    }

    /// Atrium's entry for `agent`: the CLI at `program`, on this `home`.
    fn entry(self, program: &str, agent: &str, home: &Path) -> Value {
        let mut entry = json!({
            "command": program,
            "args": ["--home", home.display().to_string(), "mcp", "--agent", agent],
        });
        if self == ClientApp::VsCode {
            entry["type"] = json!("stdio");
        }
        entry
    }
}

/// Whether a client's configuration has Atrium's entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ClientConnection {
    /// The app.
    pub client: ClientApp,
    /// Its configuration file.
    pub path: String,
    /// The file is there.
    pub exists: bool,
    /// The agent Atrium's entry launches, when there is one.
    pub agent: Option<String>,
    /// The file has a server named `atrium` that is not Atrium's (it is never overwritten).
    pub foreign_entry: bool,
    /// What Atrium writes there for the agent asked about, as JSON (no secret in it).
    pub entry: String,
}

/// What connecting did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ClientConnected {
    /// The configuration file written.
    pub path: String,
    /// Added, replaced (the entry launched another agent, or an older path) or unchanged.
    pub change: EntryChange,
    /// The copy of the file as it was, when there was a file and it changed.
    pub backup: Option<String>,
}

/// What disconnecting did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ClientDisconnected {
    /// The configuration file.
    pub path: String,
    /// Atrium's entry was there and is gone.
    pub removed: bool,
    /// The file was put back exactly as it was before Atrium wrote it (nothing else had changed since).
    pub restored: bool,
}

fn backup_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(BACKUP_SUFFIX);
    path.with_file_name(name)
}

fn io_error(path: &Path, what: &str, e: &std::io::Error) -> ApiError {
    ApiError::new(ErrorCode::StorageError, format!("Could not {what} {}: {e}.", path.display()))
}

fn config_error(path: &Path, e: atrium_mcp::import::ConfigError) -> ApiError {
    let at = match (e.line, e.column) {
        (Some(line), Some(column)) => format!(" (line {line}, column {column})"),
        _ => String::new(),
    };
    ApiError::new(
        ErrorCode::InvalidInput,
        format!("{} cannot be edited: {}{at} Fix the file, or paste the entry by hand.", path.display(), e.message),
    )
}

/// The file's text, or `None` when it is not there.
fn read(path: &Path) -> ApiResult<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error(path, "read", &e)),
    }
}

/// Writes `text` to `path` whole or not at all (a file beside it, then a rename), keeping the file's permissions.
fn write(path: &Path, text: &str) -> ApiResult<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create", &e))?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".atrium-writing");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, text).map_err(|e| io_error(&temporary, "write", &e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temporary, meta.permissions());
    }
    std::fs::rename(&temporary, path).map_err(|e| io_error(path, "replace", &e))
}

/// The agent an entry launches, when it is Atrium's (`atrium [--home H] mcp --agent NAME`); `Err(())` for someone
/// else's.
fn launched_agent(entry: &Value) -> Result<String, ()> {
    let args: Vec<&str> =
        entry.get("args").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let program = entry.get("command").and_then(Value::as_str).unwrap_or_default();
    let is_atrium = Path::new(program).file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("atrium"));
    match args.as_slice() {
        ["--home", _, "mcp", "--agent", agent, ..] | ["mcp", "--agent", agent, ..] if is_atrium => {
            Ok((*agent).to_owned())
        }
        _ => Err(()),
    }
}

/// The servers object's `atrium` member as the file has it (comments allowed), if any.
fn current_entry(text: &str, client: ClientApp) -> Option<Value> {
    let config = atrium_mcp::import::parse_jsonc(text).ok()?;
    config.get(client.servers_key())?.get(ENTRY_NAME).cloned()
}

/// The CLI that serves `atrium mcp`: `ATRIUM_CLI` when set, else the `atrium` beside this program, else `atrium`
/// on the PATH.
fn cli_program() -> String {
    if let Some(cli) = std::env::var_os("ATRIUM_CLI").filter(|v| !v.is_empty()) {
        return cli.to_string_lossy().into_owned();
    }
    let beside = std::env::current_exe().ok().and_then(|exe| {
        let candidate = exe.with_file_name(if cfg!(windows) { "atrium.exe" } else { "atrium" });
        candidate.is_file().then_some(candidate)
    });
    beside.map_or_else(|| "atrium".to_owned(), |p| p.display().to_string())
}

impl Atrium {
    fn client_path(client: ClientApp, path: Option<String>) -> ApiResult<PathBuf> {
        match path.filter(|p| !p.trim().is_empty()) {
            Some(path) => Ok(PathBuf::from(path)),
            None => client.default_config().ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("No home directory to find {}'s configuration in.", client.label()),
                )
            }),
        }
    }

    /// Whether `client`'s configuration (its usual file, or `path`) launches Atrium, and the entry Atrium would write
    /// there for `agent`.
    pub async fn client_connection(
        &self,
        agent: String,
        client: ClientApp,
        path: Option<String>,
    ) -> ApiResult<ClientConnection> {
        let agent = self.agent_get(agent).await?;
        let path = Self::client_path(client, path)?;
        let text = read(&path)?;
        let current = text.as_deref().and_then(|t| current_entry(t, client));
        let entry = client.entry(&cli_program(), &agent.name, self.paths.home());
        Ok(ClientConnection {
            client,
            path: path.display().to_string(),
            exists: text.is_some(),
            agent: current.as_ref().and_then(|e| launched_agent(e).ok()),
            foreign_entry: current.as_ref().is_some_and(|e| launched_agent(e).is_err()),
            entry: serde_json::to_string_pretty(&json!({ ENTRY_NAME: entry })).unwrap_or_default(),
        })
    }

    /// Writes Atrium's entry for `agent` into `client`'s configuration (its usual file, or `path`), after keeping a
    /// copy of the file as it was. A server named `atrium` that is not Atrium's is left alone and refused.
    #[tracing::instrument(skip(self, path))]
    pub async fn client_connect(
        &self,
        agent: String,
        client: ClientApp,
        path: Option<String>,
    ) -> ApiResult<ClientConnected> {
        let agent = self.agent_get(agent).await?;
        let path = Self::client_path(client, path)?;
        let text = read(&path)?;
        let current = text.as_deref().and_then(|t| current_entry(t, client));
        if let Some(current) = &current
            && launched_agent(current).is_err()
        {
            return Err(ApiError::new(
                ErrorCode::VersionConflict,
                format!(
                    "{} already has a server named “{ENTRY_NAME}” that is not Atrium's; rename or remove it first.",
                    path.display()
                ),
            ));
        }
        let entry = client.entry(&cli_program(), &agent.name, self.paths.home());
        let before = text.clone().unwrap_or_default();
        let (after, change) = config_edit::set_entry(&before, client.servers_key(), ENTRY_NAME, &entry)
            .map_err(|e| config_error(&path, e))?;
        let copy = backup_of(&path);
        if change != EntryChange::Unchanged {
            // The copy is the file as it was before Atrium's entry came: written when the entry is added, kept when
            // the entry only changes (another agent), so disconnecting never brings an entry back.
            if current.is_none()
                && let Some(before) = &text
            {
                std::fs::write(&copy, before).map_err(|e| io_error(&copy, "keep a copy of the file as", &e))?;
            }
            write(&path, &after)?;
        }
        let backup = copy.exists().then(|| copy.display().to_string());
        tracing::info!(client = client.label(), path = %path.display(), ?change, "agent connected to a client");
        Ok(ClientConnected { path: path.display().to_string(), change, backup })
    }

    /// Takes Atrium's entry out of `client`'s configuration (its usual file, or `path`): the file goes back to the
    /// copy kept when Atrium wrote it if nothing else changed since, else only the entry is removed. A file Atrium
    /// made that holds nothing else is deleted.
    #[tracing::instrument(skip(self, path))]
    pub async fn client_disconnect(&self, client: ClientApp, path: Option<String>) -> ApiResult<ClientDisconnected> {
        let path = Self::client_path(client, path)?;
        let shown = path.display().to_string();
        let Some(text) = read(&path)? else {
            return Ok(ClientDisconnected { path: shown, removed: false, restored: false });
        };
        match current_entry(&text, client) {
            Some(entry) if launched_agent(&entry).is_ok() => {}
            _ => return Ok(ClientDisconnected { path: shown, removed: false, restored: false }),
        }
        let copy = backup_of(&path);
        if let Some(before) = read(&copy)?
            && let Some(current) = current_entry(&text, client)
            && config_edit::set_entry(&before, client.servers_key(), ENTRY_NAME, &current)
                .map(|(t, _)| t)
                .ok()
                .as_deref()
                == Some(text.as_str())
        {
            write(&path, &before)?;
            let _ = std::fs::remove_file(&copy);
            return Ok(ClientDisconnected { path: shown, removed: true, restored: true });
        }
        let Some(without) =
            config_edit::remove_entry(&text, client.servers_key(), ENTRY_NAME).map_err(|e| config_error(&path, e))?
        else {
            return Ok(ClientDisconnected { path: shown, removed: false, restored: false });
        };
        let empty = atrium_mcp::import::parse_jsonc(&without).ok().is_some_and(|v| v == json!({}));
        if empty && !copy.exists() {
            std::fs::remove_file(&path).map_err(|e| io_error(&path, "remove", &e))?;
        } else {
            write(&path, &without)?;
        }
        tracing::info!(client = client.label(), path = %shown, "agent disconnected from a client");
        Ok(ClientDisconnected { path: shown, removed: true, restored: false })
    }
}
