//! `atrium agent …`: the agents that reach Atrium's gateway, and their tokens.

use clap::{Subcommand, ValueEnum};

/// An app whose MCP configuration Atrium writes itself into.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ClientArg {
    /// claude_desktop_config.json.
    ClaudeDesktop,
    /// ~/.claude.json, or a project's .mcp.json with --config.
    ClaudeCode,
    /// ~/.cursor/mcp.json, or a project's .cursor/mcp.json with --config.
    Cursor,
    /// VS Code's user mcp.json, or a project's .vscode/mcp.json with --config.
    Vscode,
}

impl From<ClientArg> for atrium_api::ClientApp {
    fn from(client: ClientArg) -> Self {
        match client {
            ClientArg::ClaudeDesktop => Self::ClaudeDesktop,
            ClientArg::ClaudeCode => Self::ClaudeCode,
            ClientArg::Cursor => Self::Cursor,
            ClientArg::Vscode => Self::VsCode,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Make an agent and print its token (shown this once; with --json: {id, name, token}).
    Add {
        /// Its name (unique).
        name: String,
        /// A workspace it may see (id or exact title); repeat for more. None: every workspace.
        #[arg(long = "workspace", short = 'w', value_name = "WORKSPACE")]
        workspaces: Vec<String>,
        /// A server it gets (id or exact title), optionally with the only tools it may call there:
        /// `Everything` or `Everything=echo,add`; repeat for more. None: every server no agent names.
        #[arg(long = "server", short = 's', value_name = "SERVER[=TOOL,…]")]
        servers: Vec<String>,
        /// What it may do: read, write, share, admin; repeat for more. None: read.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
    },
    /// List the agents, with when each last used its token.
    List,
    /// Show one agent: its workspaces, scopes and the servers it gets (with their slugs).
    Show {
        /// The agent (id or exact name).
        agent: String,
    },
    /// Remove an agent: its token stops working at once.
    Remove {
        /// The agent (id or exact name).
        agent: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Give an agent a new token (printed this once); the old one stops working at once.
    Rotate {
        /// The agent (id or exact name).
        agent: String,
    },
    /// Write Atrium into an app's MCP configuration so it launches `atrium mcp --agent AGENT` (a copy of the file as
    /// it was is kept beside it, as FILE.before-atrium; nothing else in the file changes; no token is written).
    Connect {
        /// The agent (id or exact name).
        agent: String,
        /// The app.
        #[arg(long, value_enum)]
        client: ClientArg,
        /// The configuration file, when not the app's usual one (a project's .mcp.json, .vscode/mcp.json…).
        #[arg(long, value_name = "FILE")]
        config: Option<String>,
        /// Only show the file and the entry that would be written.
        #[arg(long)]
        dry_run: bool,
    },
    /// Take Atrium out of an app's MCP configuration again: the file as it was when nothing else changed since,
    /// else only Atrium's entry removed.
    Disconnect {
        /// The app.
        #[arg(long, value_enum)]
        client: ClientArg,
        /// The configuration file, when not the app's usual one.
        #[arg(long, value_name = "FILE")]
        config: Option<String>,
    },
}
