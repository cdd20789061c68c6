//! Arguments of `atrium authorizer …`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum AuthorizerCommand {
    /// List Authorizers (OAuth apps servers sign in through), whether each is connected, and who uses it.
    List {
        /// Only this workspace (id or exact title).
        #[arg(long, short)]
        workspace: Option<String>,
    },
    /// Show an Authorizer's configuration.
    Show {
        /// The Authorizer (id or exact title).
        authorizer: String,
    },
    /// Create an Authorizer. A confidential app's client secret is read from stdin (`--client-secret-stdin`),
    /// never taken as an argument.
    Create {
        /// The workspace (id or exact title).
        workspace: String,
        /// Its title.
        #[arg(long, short)]
        title: String,
        #[command(flatten)]
        config: AuthorizerConfigArgs,
    },
    /// Change an Authorizer's title or configuration; only what is given changes. Its connection is kept.
    Update {
        /// The Authorizer (id or exact title).
        authorizer: String,
        /// A new title.
        #[arg(long, short)]
        title: Option<String>,
        #[command(flatten)]
        config: AuthorizerConfigArgs,
        /// Refuse the change (exit 75) unless the Authorizer is still at this version.
        #[arg(long, value_name = "VERSION")]
        expect_version: Option<u32>,
    },
    /// Delete an Authorizer and its connection (refused while servers sign in through it).
    Delete {
        /// The Authorizer (id or exact title).
        authorizer: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Connect it in the browser (the address is printed too): every server that uses it signs in with it.
    /// Ctrl+C cancels.
    Connect {
        /// The Authorizer (id or exact title).
        authorizer: String,
    },
    /// Disconnect it: revoke its tokens where the provider supports it, and forget them.
    Disconnect {
        /// The Authorizer (id or exact title).
        authorizer: String,
    },
}

/// An Authorizer's configuration, field by field (or all of it with `--config`).
#[derive(Debug, Args)]
pub struct AuthorizerConfigArgs {
    /// The provider's name (`github`, `google`, …); guessed from the authorization URL when not given.
    #[arg(long)]
    pub provider: Option<String>,
    /// The authorization endpoint.
    #[arg(long, value_name = "URL")]
    pub auth_url: Option<String>,
    /// The token endpoint.
    #[arg(long, value_name = "URL")]
    pub token_url: Option<String>,
    /// The revocation endpoint, if the provider has one (lets `disconnect` revoke the tokens).
    #[arg(long, value_name = "URL")]
    pub revoke_url: Option<String>,
    /// A scope to ask for (repeat the flag; replaces the list).
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    /// The OAuth app's client id.
    #[arg(long)]
    pub client_id: Option<String>,
    /// The keychain secret holding the client secret (see `atrium secret`).
    #[arg(long, value_name = "SECRET_ID")]
    pub secret_id: Option<String>,
    /// Read the client secret from stdin and keep it in the keychain (under --secret-id, the one the Authorizer
    /// already names, or `authorizer.<title>.client-secret`).
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// How the client authenticates at the token endpoint.
    #[arg(long, value_name = "METHOD", value_parser = ["client_secret_post", "client_secret_basic"])]
    pub token_auth_method: Option<String>,
    /// The whole configuration as JSON (the `config` that `--json` prints); the other flags change it.
    #[arg(long, value_name = "JSON", conflicts_with = "config_file")]
    pub config: Option<String>,
    /// The whole configuration from a JSON file.
    #[arg(long, value_name = "PATH")]
    pub config_file: Option<PathBuf>,
}
