//! Arguments of `atrium server …` and `atrium audit`.

use std::path::PathBuf;

use atrium_api::{AuditOrigin, AuditStatus};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Register a server in a workspace.
    Add {
        /// The workspace (id or exact title).
        workspace: String,
        /// Its title.
        #[arg(long, short)]
        title: String,
        #[command(flatten)]
        target: TargetArgs,
        /// Only these tools are visible and callable (repeat the flag).
        #[arg(long = "allow", value_name = "TOOL")]
        allowed_tools: Vec<String>,
        /// Connect timeout in milliseconds.
        #[arg(long, value_name = "MS")]
        connect_timeout: Option<u32>,
        /// Per-request timeout in milliseconds.
        #[arg(long, value_name = "MS")]
        call_timeout: Option<u32>,
        /// Register it disabled.
        #[arg(long)]
        disabled: bool,
        /// Sign in through this Authorizer (id or exact title; see `atrium authorizer`).
        #[arg(long, value_name = "AUTHORIZER")]
        authorizer: Option<String>,
    },
    /// Change a server's registration; only what is given changes (`--registration` replaces all of it). What you
    /// write is approved to run here, as in the app's form.
    Update {
        /// The server (id or exact title).
        server: String,
        /// A new title.
        #[arg(long, short)]
        title: Option<String>,
        #[command(flatten)]
        target: UpdateTargetArgs,
        /// Only these tools are visible and callable (repeat the flag; replaces the list).
        #[arg(long = "allow", value_name = "TOOL", conflicts_with = "allow_all")]
        allowed_tools: Vec<String>,
        /// Every tool is visible and callable again.
        #[arg(long)]
        allow_all: bool,
        /// Connect timeout in milliseconds.
        #[arg(long, value_name = "MS")]
        connect_timeout: Option<u32>,
        /// Per-request timeout in milliseconds.
        #[arg(long, value_name = "MS")]
        call_timeout: Option<u32>,
        /// Sign in through this Authorizer (id or exact title).
        #[arg(long, value_name = "AUTHORIZER", conflicts_with_all = ["auth", "no_auth"])]
        authorizer: Option<String>,
        /// The whole `auth` object as JSON (`{"type": "api_key", "header": …, "secret_id": …}`, …).
        #[arg(long, value_name = "JSON", conflicts_with = "no_auth")]
        auth: Option<String>,
        /// No authentication (or MCP authorization, when the server asks for it).
        #[arg(long)]
        no_auth: bool,
        /// Enable it.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Disable it.
        #[arg(long)]
        disable: bool,
        /// Refuse the change (exit 75) unless the registration is still at this version (`server show --json`).
        #[arg(long, value_name = "VERSION")]
        expect_version: Option<u32>,
        /// Do not ask before approving a registration that waits for review.
        #[arg(long, short)]
        yes: bool,
    },
    /// Check a registration without saving it; exits 65 and names the fields when it is not valid.
    Validate {
        /// The registration as JSON.
        #[arg(long, value_name = "JSON", required_unless_present = "registration_file")]
        registration: Option<String>,
        /// The registration from a JSON file.
        #[arg(long, value_name = "PATH", conflicts_with = "registration")]
        registration_file: Option<PathBuf>,
    },
    /// Print a server's registration as an `.mcp.json` file for other hosts; secret values are never in it.
    Export {
        /// The server (id or exact title).
        server: String,
        /// Write it to this file instead of stdout.
        #[arg(long, short, value_name = "PATH")]
        output: Option<PathBuf>,
    },
    /// Stop offering a server to the platform through the relay (undoes `atrium platform publish-server`).
    Unpublish {
        /// The server (id or exact title).
        server: String,
    },
    /// List registered servers.
    List {
        /// Only this workspace (id or exact title).
        #[arg(long, short)]
        workspace: Option<String>,
    },
    /// Show a server's registration.
    Show {
        /// The server (id or exact title).
        server: String,
    },
    /// Connect on the side and list the tools, without touching the registration.
    Test {
        /// A registered server (id or exact title); or give --registration.
        #[arg(required_unless_present = "registration")]
        server: Option<String>,
        /// A registration as JSON, tested without registering it.
        #[arg(long, conflicts_with = "server")]
        registration: Option<String>,
    },
    /// Sign in to the server in your browser (its Authorizer, or MCP authorization); tokens go to the keychain.
    SignIn {
        /// The server (id or exact title).
        server: String,
    },
    /// Sign out: revoke the server's tokens where supported and forget them.
    SignOut {
        /// The server (id or exact title).
        server: String,
    },
    /// Reconnect and re-read what the server offers.
    Refresh {
        /// The server (id or exact title).
        server: String,
    },
    /// List a server's tools.
    Tools {
        /// The server (id or exact title).
        server: String,
    },
    /// Every enabled server's tools in one list, with their flat `server__tool` names (connects them first).
    Catalog,
    /// Call a tool (the call is audited with origin `cli`). Ctrl+C or SIGTERM cancels it at the server (exit 1).
    Call {
        /// The server (id or exact title).
        server: String,
        /// The tool's name.
        tool: String,
        /// All arguments as a JSON object.
        #[arg(long, value_name = "JSON", conflicts_with = "arg")]
        args: Option<String>,
        /// One argument, NAME=VALUE (VALUE is parsed as JSON when it can be, else taken as text); repeat.
        #[arg(long, value_name = "NAME=VALUE")]
        arg: Vec<String>,
        /// Answer the server's questions (elicitation) with their defaults instead of declining.
        #[arg(long)]
        accept_defaults: bool,
    },
    /// List a server's resources and resource templates.
    Resources {
        /// The server (id or exact title).
        server: String,
    },
    /// Read a resource.
    Read {
        /// The server (id or exact title).
        server: String,
        /// The resource URI.
        uri: String,
    },
    /// List a server's prompts, or fill one in with --get.
    Prompts {
        /// The server (id or exact title).
        server: String,
        /// Fill in this prompt.
        #[arg(long, value_name = "NAME")]
        get: Option<String>,
        /// A prompt argument, NAME=VALUE; repeat.
        #[arg(long, value_name = "NAME=VALUE", requires = "get")]
        arg: Vec<String>,
    },
    /// Run servers here, in the foreground, supervised, until Ctrl+C or SIGTERM (then they are stopped cleanly).
    /// While it runs, `atrium server stop|restart` in another terminal act on it.
    Start {
        /// The servers (id or exact title).
        #[arg(required_unless_present = "all")]
        servers: Vec<String>,
        /// Every enabled server.
        #[arg(long, conflicts_with = "servers")]
        all: bool,
    },
    /// Stop a server in the running Atrium (the app, or `atrium server start`).
    Stop {
        /// The server (id or exact title).
        server: String,
    },
    /// Stop and start a server in the running Atrium.
    Restart {
        /// The server (id or exact title).
        server: String,
    },
    /// Show a server's log file (stderr, its log messages, Atrium's notes), or follow it.
    Logs {
        /// The server (id or exact title).
        server: String,
        /// The last N lines.
        #[arg(long, short = 'n', default_value_t = 100)]
        lines: usize,
        /// Keep printing new lines as they come.
        #[arg(long, short)]
        follow: bool,
    },
    /// Approve what a server registration runs on this computer (or which of its credentials it uses): one that
    /// came from the platform, or changed since it was approved, runs only after this. Shows what it approves.
    Approve {
        /// The server (id or exact title).
        server: String,
        /// Approve only if the registration still has this fingerprint (from `server show --json`), for scripts
        /// that reviewed it first.
        #[arg(long, value_name = "FINGERPRINT")]
        fingerprint: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Enable a server.
    Enable {
        /// The server (id or exact title).
        server: String,
    },
    /// Disable a server (it disconnects and refuses calls).
    Disable {
        /// The server (id or exact title).
        server: String,
    },
    /// Unregister a server (its audit rows stay).
    Remove {
        /// The server (id or exact title).
        server: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
}

/// How to reach a new server: exactly one.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct TargetArgs {
    /// A streamable HTTP endpoint.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// A discovery document (`…/.well-known/mcp.json`).
    #[arg(long, value_name = "URL")]
    pub well_known: Option<String>,
    /// A legacy SSE endpoint.
    #[arg(long, value_name = "URL")]
    pub sse: Option<String>,
    /// A local command and its arguments (after `--`), e.g. `--stdio -- npx -y @modelcontextprotocol/server-everything`.
    #[arg(long, num_args = 1.., value_name = "COMMAND", allow_hyphen_values = true)]
    pub stdio: Option<Vec<String>>,
    /// A whole registration as JSON.
    #[arg(long, value_name = "JSON")]
    pub registration: Option<String>,
    /// A whole registration from a JSON file.
    #[arg(long, value_name = "PATH")]
    pub registration_file: Option<PathBuf>,
}

/// A new way to reach a server being updated: at most one.
#[derive(Debug, Args)]
#[group(required = false, multiple = false)]
pub struct UpdateTargetArgs {
    /// A streamable HTTP endpoint.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// A discovery document (`…/.well-known/mcp.json`).
    #[arg(long, value_name = "URL")]
    pub well_known: Option<String>,
    /// A legacy SSE endpoint.
    #[arg(long, value_name = "URL")]
    pub sse: Option<String>,
    /// A local command and its arguments (after `--`).
    #[arg(long, num_args = 1.., value_name = "COMMAND", allow_hyphen_values = true)]
    pub stdio: Option<Vec<String>>,
    /// The whole registration as JSON (replaces it).
    #[arg(long, value_name = "JSON")]
    pub registration: Option<String>,
    /// The whole registration from a JSON file (replaces it).
    #[arg(long, value_name = "PATH")]
    pub registration_file: Option<PathBuf>,
}

impl UpdateTargetArgs {
    /// The same choice as a new server's, when one was made.
    pub fn target(&self) -> Option<TargetArgs> {
        let target = TargetArgs {
            url: self.url.clone(),
            well_known: self.well_known.clone(),
            sse: self.sse.clone(),
            stdio: self.stdio.clone(),
            registration: self.registration.clone(),
            registration_file: self.registration_file.clone(),
        };
        let given = target.url.is_some()
            || target.well_known.is_some()
            || target.sse.is_some()
            || target.stdio.is_some()
            || target.registration.is_some()
            || target.registration_file.is_some();
        given.then_some(target)
    }

    /// Whether it replaces the whole registration.
    pub fn replaces_all(&self) -> bool {
        self.registration.is_some() || self.registration_file.is_some()
    }
}

/// Parses a value by its serialized (snake_case) name, so the CLI accepts exactly what `--json` prints.
fn by_serde_name<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| format!("unknown value \"{text}\""))
}

/// Filters of `atrium audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only calls to this server (id or exact title).
    #[arg(long, short)]
    pub server: Option<String>,
    /// Only calls in this workspace (id or exact title).
    #[arg(long, short)]
    pub workspace: Option<String>,
    /// Only calls from this origin: ui, cli, viewer, relay, gateway, lifecycle.
    #[arg(long, value_parser = by_serde_name::<AuditOrigin>)]
    pub origin: Option<AuditOrigin>,
    /// Only calls that ended this way: ok, tool_error, failed, cancelled, denied.
    #[arg(long, value_parser = by_serde_name::<AuditStatus>)]
    pub status: Option<AuditStatus>,
    /// Only tools whose name contains this.
    #[arg(long)]
    pub tool: Option<String>,
    /// At most this many rows (newest first).
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store a secret in the OS keychain. The value is read from stdin (never an argument: arguments end up in
    /// shell history and process lists).
    Set {
        /// Its id (letters, digits, '.', '_', '-'), as registrations refer to it.
        id: String,
        /// What it is for.
        #[arg(long, short)]
        description: Option<String>,
    },
    /// List the secrets (never their values).
    List,
    /// Delete a secret from the keychain.
    Delete {
        /// Its id.
        id: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
}
