use std::path::PathBuf;

use atrium_api::ArtifactState;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::artifact_pages::SortArg;

/// Atrium from the command line: the same store and operations as the desktop app.
#[derive(Debug, Parser)]
#[command(name = "atrium", version, about, long_about = None)]
pub struct Cli {
    /// The Atrium home directory (default: $ATRIUM_HOME, else the platform data directory).
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Print results (and errors, on stderr) as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    /// Also log to stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, list, rename, describe and delete workspaces.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Create, show, edit and delete artifacts, and browse their history.
    #[command(subcommand)]
    Artifact(ArtifactCommand),
    /// Full-text search over every workspace.
    Search {
        /// The words to look for; the last one also matches as a prefix.
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
        /// Only this workspace (id or exact title).
        #[arg(long, short)]
        workspace: Option<String>,
        /// At most this many results.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Register MCP servers, see their state, and run their tools, resources and prompts.
    #[command(subcommand)]
    Server(crate::server_args::ServerCommand),
    /// Secrets in the OS keychain, for server environments and headers.
    #[command(subcommand)]
    Secret(crate::server_args::SecretCommand),
    /// OAuth Authorizers servers sign in through: create, connect in the browser, disconnect.
    #[command(subcommand)]
    Authorizer(crate::authorizer_args::AuthorizerCommand),
    /// Which commands local (stdio) servers may run, beyond the built-in ones.
    #[command(subcommand)]
    Allowlist(AllowlistCommand),
    /// Which MCP App viewer opens each content type.
    #[command(subcommand)]
    Viewer(ViewerCommand),
    /// The content types Atrium knows: the built-in ones, then those its servers declare (connects them first).
    ContentTypes,
    /// Import servers from a Claude Desktop, VS Code, Cursor or .mcp.json configuration file.
    Import {
        /// The configuration file.
        path: std::path::PathBuf,
        /// The workspace to put them in (id or exact title).
        #[arg(long, short)]
        workspace: String,
        /// Only show what would be created.
        #[arg(long)]
        dry_run: bool,
    },
    /// The log of tool calls, newest first.
    Audit(crate::server_args::AuditArgs),
    /// Drive Atrium's MCP client against a conformance test server at URL (reads MCP_CONFORMANCE_SCENARIO).
    ConformanceClient {
        /// The MCP endpoint of the conformance test server.
        url: String,
    },
    /// Sign in to an Agience platform, link workspaces, settle conflicts, publish servers for the relay.
    #[command(subcommand)]
    Platform(crate::platform_args::PlatformCommand),
    /// Sync linked workspaces with the platform now (or keep syncing with --watch).
    Sync {
        /// Only this workspace (id or exact title).
        #[arg(long, short)]
        workspace: Option<String>,
        /// Keep running: follow the platform's changes and send local ones until Ctrl-C.
        #[arg(long)]
        watch: bool,
    },
    /// Run the Desktop Host Relay (and sync) headless until Ctrl-C.
    Relay,
    /// Access links to an artifact on the platform: make, list, revoke.
    #[command(subcommand)]
    Share(crate::share_args::ShareCommand),
    /// The agents that reach Atrium's gateway: add, list, show, remove, rotate their tokens.
    #[command(subcommand)]
    Agent(crate::agent_args::AgentCommand),
    /// Serve Atrium's MCP gateway for agents on 127.0.0.1 until Ctrl-C (the workspace tools and their servers).
    Gateway {
        /// The port (default: $ATRIUM_GATEWAY_PORT, else the setting the window keeps, else 7477).
        #[arg(long)]
        port: Option<u16>,
        /// Keep --port as the gateway's port setting (the desktop app listens there too).
        #[arg(long, requires = "port")]
        save: bool,
    },
    /// The gateway's MCP endpoint over stdio, for agents that launch their servers (bridges to a running gateway).
    Mcp {
        /// The agent it speaks for (id or name); may be left out when there is only one.
        #[arg(long)]
        agent: Option<String>,
    },
    /// Where Atrium keeps its files.
    Info,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// List workspaces.
    List,
    /// Create a workspace.
    Create {
        /// Its title.
        title: String,
        /// A description.
        #[arg(long, short)]
        description: Option<String>,
    },
    /// Rename a workspace.
    Rename {
        /// The workspace (id or exact title).
        workspace: String,
        /// The new title.
        title: String,
    },
    /// Set a workspace's description ("" clears it).
    Describe {
        /// The workspace (id or exact title).
        workspace: String,
        /// The new description (plain text).
        description: String,
    },
    /// Delete a workspace with all its artifacts.
    Delete {
        /// The workspace (id or exact title).
        workspace: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
}

/// Where new content comes from.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct ContentSource {
    /// The content itself.
    #[arg(long, short)]
    pub content: Option<String>,
    /// Read the content from a file.
    #[arg(long, short, value_name = "PATH")]
    pub file: Option<PathBuf>,
    /// Read the content from standard input.
    #[arg(long)]
    pub stdin: bool,
}

/// Where an artifact's context (its JSON object of metadata) comes from.
#[derive(Debug, Args)]
#[group(multiple = false)]
pub struct ContextSource {
    /// The context, a JSON object.
    #[arg(long, value_name = "JSON")]
    pub context: Option<String>,
    /// Read the context from a JSON file.
    #[arg(long, value_name = "PATH")]
    pub context_file: Option<PathBuf>,
}

/// The states an artifact can be in.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StateArg {
    Draft,
    Committed,
    Archived,
}

impl From<StateArg> for ArtifactState {
    fn from(value: StateArg) -> Self {
        match value {
            StateArg::Draft => ArtifactState::Draft,
            StateArg::Committed => ArtifactState::Committed,
            StateArg::Archived => ArtifactState::Archived,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ArtifactCommand {
    /// List the artifacts of a workspace (all of them, read a page at a time, unless --limit).
    List {
        /// The workspace (id or exact title).
        workspace: String,
        /// The order.
        #[arg(long, value_enum, default_value = "modified")]
        sort: SortArg,
        /// Only artifacts whose title contains every word of this (case and accents ignored).
        #[arg(long)]
        filter: Option<String>,
        /// Only artifacts of this content type.
        #[arg(long = "type", value_name = "CONTENT_TYPE")]
        content_type: Option<String>,
        /// Skip this many first.
        #[arg(long, default_value_t = 0)]
        offset: u32,
        /// At most this many.
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Create many artifacts from JSON lines, one artifact each: {"title", "content_type" (text/markdown when
    /// absent), "content", "context", "state"} (server registrations excepted: `server add`).
    Import {
        /// The workspace (id or exact title).
        workspace: String,
        /// The file; `-` reads stdin.
        file: String,
    },
    /// Show an artifact (or one of its versions).
    Show {
        /// The artifact id.
        id: String,
        /// A past version instead of the current one.
        #[arg(long)]
        version: Option<u32>,
        /// Print only the content.
        #[arg(long, conflicts_with = "version")]
        content_only: bool,
    },
    /// Create an artifact.
    Create {
        /// The workspace (id or exact title).
        workspace: String,
        /// Its title.
        #[arg(long, short)]
        title: String,
        /// Its MIME content type.
        #[arg(long = "type", short = 'T', default_value = "text/markdown")]
        content_type: String,
        #[command(flatten)]
        source: ContentSource,
        #[command(flatten)]
        context: ContextSource,
        /// Its state.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
    },
    /// Change an artifact; only the given fields change.
    Edit {
        /// The artifact id.
        id: String,
        /// A new title.
        #[arg(long, short)]
        title: Option<String>,
        /// A new MIME content type.
        #[arg(long = "type", short = 'T')]
        content_type: Option<String>,
        #[command(flatten)]
        source: ContentSource,
        #[command(flatten)]
        context: ContextSource,
        /// A new state.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        /// Refuse the edit (exit 75) unless the artifact is still at this version.
        #[arg(long, value_name = "VERSION")]
        expect_version: Option<u32>,
    },
    /// Check a draft by the store's rules without saving it; exits 65 when it would be refused.
    Validate {
        /// Its title.
        #[arg(long, short)]
        title: String,
        /// Its MIME content type.
        #[arg(long = "type", short = 'T', default_value = "text/markdown")]
        content_type: String,
        #[command(flatten)]
        source: ContentSource,
    },
    /// Copy an artifact into a new draft.
    Duplicate {
        /// The artifact id.
        id: String,
    },
    /// Delete an artifact and its history.
    Delete {
        /// The artifact id.
        id: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// List every version of an artifact.
    History {
        /// The artifact id.
        id: String,
    },
    /// Make an older version current again (as a new version).
    Restore {
        /// The artifact id.
        id: String,
        /// The version to restore.
        version: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum AllowlistCommand {
    /// The commands local servers may run: the built-in ones and the ones you added.
    Show,
    /// Allow more commands: a name (looked up on the search path) or an exact absolute path. A running app or
    /// `server start` reads the list when it starts.
    Add {
        /// The commands.
        #[arg(required = true)]
        commands: Vec<String>,
    },
    /// Stop allowing commands you added.
    Remove {
        /// The commands.
        #[arg(required = true)]
        commands: Vec<String>,
    },
    /// Replace the commands you added (none: only the built-in ones).
    Set {
        /// The commands.
        commands: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ViewerCommand {
    /// The viewers that can show a content type (servers' views, then Built-in) and which one is used; connects
    /// the enabled servers first.
    List {
        /// The MIME content type.
        content_type: String,
    },
    /// Open a content type with this viewer: `built-in`, or a server (id or exact title) that has a view for it.
    Choose {
        /// The MIME content type.
        content_type: String,
        /// `built-in`, or the server.
        viewer: String,
    },
    /// Go back to the default viewer for a content type (the first one `viewer list` shows).
    Reset {
        /// The MIME content type.
        content_type: String,
    },
}
