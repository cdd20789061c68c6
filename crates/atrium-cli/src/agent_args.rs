//! `atrium agent …`: the agents that reach Atrium's gateway, and their tokens.

use clap::Subcommand;

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
}
