//! Atrium's OAuth 2 client, free of any UI.
//!
//! - [`flow`]: the authorization code grant with PKCE S256 and a loopback redirect on `127.0.0.1` (bound before the
//!   URL is minted, `state` checked, a timeout, a friendly page in the browser), opened by a [`Browser`].
//! - [`token`]: the token endpoint (code exchange, refresh, client credentials) and revocation, through the `oauth2`
//!   crate over Atrium's own HTTP client: token requests never follow redirects, answers are capped at 1 MB and
//!   checked to be the JSON they should be. Clients authenticate with HTTP Basic, the form, or a private key
//!   (`private_key_jwt`, RFC 7523).
//! - [`discovery`]: MCP authorization discovery: protected-resource metadata (RFC 9728), authorization-server
//!   metadata (RFC 8414 / OpenID, with the 2025-03-26 fallbacks), and scope selection.
//! - [`endpoints`]: where an authorization server answers, discovered or given by hand.
//! - [`client`]: which client identity to use: pre-registered, a client ID metadata document, or dynamic
//!   registration (RFC 7591).
//! - [`TokenCell`]: the current token, refreshed 60 s before it expires, one exchange at a time.
//!
//! Tokens and client secrets are [`Sensitive`] values: nothing here logs or serializes them by accident. Where
//! they are stored is the caller's business (Atrium keeps them in the OS keychain).

#![deny(missing_docs)]

mod assertion;
mod cell;
pub mod client;
pub mod discovery;
pub mod endpoints;
mod error;
pub mod flow;
pub mod grant;
mod http;
mod loopback;
pub mod token;

pub use assertion::SigningAlg;
pub use atrium_secrets::Sensitive;
pub use cell::TokenCell;
pub use client::{ClientAuthMethod, OAuthClient};
pub use discovery::BearerChallenge;
pub use endpoints::{Endpoints, TokenEndpoint};
pub use error::AuthError;
pub use flow::{Browser, CALLBACK_TIMEOUT, HeadlessBrowser, open_and_wait};
pub use grant::{Grant, SignIn};
pub use http::OAuthHttp;
pub use loopback::{CallbackListener, Verdict};
pub use token::TokenSet;
