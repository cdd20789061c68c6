//! `atrium share …`: access links to an artifact on the Agience platform.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ShareCommand {
    /// Make a link that gives access to an artifact (its workspace must be on the platform); prints the URL a
    /// person opens.
    Link {
        /// The artifact id.
        artifact: String,
        /// Let the holder change it too (read only otherwise).
        #[arg(long)]
        write: bool,
        /// Only this revision (the one sync put on the platform).
        #[arg(long)]
        version: Option<u32>,
        /// When it stops working (ISO 8601).
        #[arg(long)]
        expires: Option<String>,
        /// How many people may claim it (the platform makes it 1).
        #[arg(long)]
        max_uses: Option<u32>,
        /// A label for it.
        #[arg(long)]
        name: Option<String>,
    },
    /// The platform's links and grants on an artifact, revoked ones included.
    List {
        /// The artifact id.
        artifact: String,
    },
    /// Revoke one of an artifact's links.
    Revoke {
        /// The artifact id.
        artifact: String,
        /// The link's id (from `share list`).
        link: String,
    },
}
