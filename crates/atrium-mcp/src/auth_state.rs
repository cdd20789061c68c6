//! Where a server's authentication stands, as the UI shows it.

use serde::{Deserialize, Serialize};

/// How a server authenticates (its registration's `auth.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// Nothing configured; MCP authorization if the server asks for it.
    None,
    /// A literal header (development only).
    Static,
    /// An API key from the keychain.
    ApiKey,
    /// OAuth 2 through an Authorizer.
    #[serde(rename = "oauth2")]
    Oauth2,
    /// The client credentials grant.
    ClientCredentials,
    /// MCP authorization with a pre-registered client.
    McpOauth,
}

/// Where the credentials stand.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AuthState {
    /// No credentials are needed (so far).
    #[default]
    NotNeeded,
    /// A header is configured (static or API key).
    Configured,
    /// Signing in is possible but has not happened.
    SignedOut,
    /// Holding a token.
    SignedIn {
        /// When the access token expires (seconds since the epoch), if known.
        expires_at: Option<u32>,
        /// The scopes granted, if known.
        scope: Option<String>,
    },
    /// The token expired and is being renewed.
    Refreshing,
    /// The server wants a sign-in (or a new one, with more scopes).
    LoginRequired {
        /// Why, for the person.
        reason: String,
    },
    /// The credentials were refused, or signing in failed.
    Denied {
        /// What happened and what to do.
        message: String,
    },
}

/// A server's authentication, for lists and badges. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ServerAuth {
    /// The kind.
    pub kind: AuthKind,
    /// Where it stands.
    pub state: AuthState,
    /// Whether a person can sign in (OAuth kinds and servers that asked for MCP authorization).
    pub can_sign_in: bool,
}

impl AuthState {
    /// Signed in with these tokens.
    pub(crate) fn signed_in(tokens: &atrium_auth::TokenSet) -> Self {
        AuthState::SignedIn {
            expires_at: tokens.expires_at.and_then(|t| u32::try_from(t).ok()),
            scope: tokens.scope.clone(),
        }
    }
}
