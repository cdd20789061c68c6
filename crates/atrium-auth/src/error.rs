//! What can go wrong while authorizing, each with what to do next.

/// An authorization step failed. Messages name the endpoint (without its query) and say what to do; they never
/// contain a token, a code or a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The endpoint could not be reached.
    #[error("Could not reach {url}: {reason}.")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// Why (connection refused, timeout, …).
        reason: String,
    },
    /// The endpoint answered with an unexpected HTTP status.
    #[error("{url} answered HTTP {status}.")]
    Status {
        /// The endpoint.
        url: String,
        /// The status.
        status: u16,
    },
    /// The endpoint answered something that is not JSON (an HTML page, usually a wrong URL).
    #[error("{url} did not answer JSON (it sent {content_type}). Check that this is the right OAuth endpoint.")]
    NotJson {
        /// The endpoint.
        url: String,
        /// What it sent instead.
        content_type: String,
    },
    /// The endpoint's JSON is not the document it should be.
    #[error("{url} sent a document Atrium cannot use: {reason}.")]
    Malformed {
        /// The endpoint.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A token, registration or revocation request was answered with a redirect, which is never followed.
    #[error("{url} tried to redirect a token request; Atrium never follows redirects there. Check the token URL.")]
    Redirected {
        /// The endpoint.
        url: String,
    },
    /// The authorization server refused a token request (RFC 6749 §5.2).
    #[error("The authorization server refused: {error}{}.", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// The OAuth error code (`invalid_grant`, `invalid_client`, …).
        error: String,
        /// Its description, if any.
        description: Option<String>,
    },
    /// The authorization server's metadata names another issuer than the one it was fetched for.
    #[error("The authorization server metadata names the issuer {found}, not {expected}; Atrium does not trust it.")]
    IssuerMismatch {
        /// The issuer Atrium asked for.
        expected: String,
        /// The issuer the document names.
        found: String,
    },
    /// The protected-resource metadata is for another resource than the server Atrium connects to.
    #[error("The server's protected-resource metadata is for {found}, not {expected}; Atrium does not trust it.")]
    ResourceMismatch {
        /// The server's URL.
        expected: String,
        /// The resource the document names.
        found: String,
    },
    /// The authorization server does not support PKCE with S256.
    #[error("The authorization server at {issuer} does not support PKCE (S256), which Atrium requires.")]
    NoPkce {
        /// The issuer.
        issuer: String,
    },
    /// No way to identify Atrium to the authorization server.
    #[error(
        "The authorization server at {issuer} offers neither dynamic registration nor client metadata documents: \
         set a client id for it."
    )]
    NoClient {
        /// The issuer.
        issuer: String,
    },
    /// The browser came back with another `state` than the one sent: possibly a forged redirect.
    #[error("The sign-in answer did not match the request (wrong state); nothing was stored. Try signing in again.")]
    StateMismatch,
    /// The person (or the authorization server) denied the authorization.
    #[error("Sign-in was denied: {error}{}.", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Denied {
        /// The OAuth error code (`access_denied`, …).
        error: String,
        /// Its description, if any.
        description: Option<String>,
    },
    /// No answer came back to the loopback redirect in time.
    #[error("No sign-in answer arrived within {seconds} s. Finish signing in in the browser, or try again.")]
    CallbackTimeout {
        /// How long Atrium waited.
        seconds: u64,
    },
    /// The sign-in was cancelled.
    #[error("The sign-in was cancelled.")]
    Cancelled,
    /// The browser could not be opened.
    #[error("Could not open the browser: {0}.")]
    Browser(String),
    /// The loopback listener could not be started.
    #[error("Could not listen for the sign-in answer on 127.0.0.1: {0}.")]
    Listener(String),
    /// The configuration is unusable (a URL that is not one, a missing field).
    #[error("{0}")]
    Config(String),
}

impl AuthError {
    /// A stable code for scripts and badges.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Unreachable { .. } => "unreachable",
            AuthError::Status { .. } => "http_status",
            AuthError::NotJson { .. } => "not_json",
            AuthError::Malformed { .. } => "malformed",
            AuthError::Redirected { .. } => "redirected",
            AuthError::Refused { .. } => "refused",
            AuthError::IssuerMismatch { .. } => "issuer_mismatch",
            AuthError::ResourceMismatch { .. } => "resource_mismatch",
            AuthError::NoPkce { .. } => "no_pkce",
            AuthError::NoClient { .. } => "no_client",
            AuthError::StateMismatch => "state_mismatch",
            AuthError::Denied { .. } => "denied",
            AuthError::CallbackTimeout { .. } => "callback_timeout",
            AuthError::Cancelled => "cancelled",
            AuthError::Browser(_) => "browser",
            AuthError::Listener(_) => "listener",
            AuthError::Config(_) => "config",
        }
    }

    /// Whether the stored grant is no longer any good (the refresh token was refused): sign in again.
    pub fn grant_is_dead(&self) -> bool {
        matches!(self, AuthError::Refused { error, .. } if error == "invalid_grant" || error == "invalid_client" || error == "unauthorized_client")
    }
}

/// An URL as it may be shown: without query or fragment (they can carry codes or tokens).
pub(crate) fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            let _ = u.set_password(None);
            let _ = u.set_username("");
            u.to_string()
        }
        Err(_) => "an invalid URL".to_owned(),
    }
}
