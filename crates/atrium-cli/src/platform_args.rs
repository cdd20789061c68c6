//! Arguments of `atrium platform …`.

use clap::{Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// Sign in: with the browser (default), a password (read from stdin) or an API key (read from stdin).
    SignIn {
        /// The platform (Origin, or one URL serving all of it).
        url: String,
        /// Username or email: sign in with a password read from stdin.
        #[arg(long, conflicts_with = "api_key_stdin")]
        user: Option<String>,
        /// Read an agc_… API key from stdin (workspaces only; the relay needs a user sign-in).
        #[arg(long)]
        api_key_stdin: bool,
    },
    /// Sign out (local copies and pending changes stay).
    SignOut,
    /// Who is signed in, each linked workspace's sync, the relay.
    Status,
    /// The platform's workspaces, and which local workspace each is linked to.
    Workspaces,
    /// Put a local workspace on the platform and keep them in sync.
    Publish {
        /// The workspace (id or exact title).
        workspace: String,
    },
    /// Bring a platform workspace here and keep them in sync.
    Link {
        /// The platform workspace id.
        remote_id: String,
    },
    /// Stop syncing a workspace (both copies stay).
    Unlink {
        /// The workspace (id or exact title).
        workspace: String,
    },
    /// Open sync conflicts.
    Conflicts,
    /// Settle a conflict.
    Resolve {
        /// The artifact in conflict.
        artifact_id: String,
        /// Which side wins.
        #[arg(value_enum)]
        keep: Keep,
    },
    /// Offer a local server to the platform through the relay (its workspace must be linked).
    PublishServer {
        /// The server (id or exact title).
        server: String,
    },
    /// Share folders with the platform's file tools (replaces the list; none to share nothing).
    Roots {
        /// The folders.
        folders: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Keep {
    /// This computer's version.
    Local,
    /// The platform's version.
    Remote,
    /// Both (the local version becomes a new artifact).
    Both,
}
