//! Arguments of `atrium platform …`.

use clap::{Subcommand, ValueEnum};

/// Where the platform is.
#[derive(Debug, clap::Args)]
pub struct AddressArgs {
    /// The platform's address (the one you open in the browser), or Origin's own URL.
    pub url: String,
    /// Mantle's URL, when it is not found from the address (e.g. `https://agience.example.com/api`).
    #[arg(long)]
    pub mantle_url: Option<String>,
    /// Chorus's URL (where `/relay/v1/connect` answers), when it is not found from the address.
    #[arg(long)]
    pub chorus_url: Option<String>,
}

impl AddressArgs {
    /// As the API takes it.
    pub fn address(&self) -> atrium_api::PlatformAddress {
        atrium_api::PlatformAddress {
            url: self.url.clone(),
            mantle_url: self.mantle_url.clone(),
            chorus_url: self.chorus_url.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// Sign in: with the browser (default), a password (read from stdin) or an API key (read from stdin).
    SignIn {
        #[command(flatten)]
        address: AddressArgs,
        /// Username or email: sign in with a password read from stdin.
        #[arg(long, conflicts_with = "api_key_stdin")]
        user: Option<String>,
        /// Read an agc_… API key from stdin (workspaces only; the relay needs a user sign-in).
        #[arg(long)]
        api_key_stdin: bool,
        /// The identity provider for the browser sign-in (`google`, `entra`, …; `platform check` lists them).
        #[arg(long, conflicts_with_all = ["user", "api_key_stdin"])]
        provider: Option<String>,
    },
    /// Find the platform's services at an address and say what each answered, and how people sign in there.
    Check {
        #[command(flatten)]
        address: AddressArgs,
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
