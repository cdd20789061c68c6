//! The plain values the double hands to tests: its users, its counters and why a relay request failed.

use std::collections::BTreeMap;

/// A user of the double.
#[derive(Clone, Debug)]
pub struct DoubleUser {
    /// The user's id (a UUID; the `sub` of their tokens).
    pub id: String,
    /// Login name.
    pub username: String,
    /// Password for `POST /auth/password/login`.
    pub password: String,
    /// Email (also accepted as the login identifier).
    pub email: String,
}

/// Why `PlatformDouble::relay_request` got no `mcp_response`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayFailure {
    /// The user has no open relay session.
    NoSession,
    /// No response with the request's id arrived in time.
    Timeout,
    /// The session closed while the request was in flight.
    Disconnected,
}

impl std::fmt::Display for RelayFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RelayFailure::NoSession => "no active relay session for this user",
            RelayFailure::Timeout => "relay request timed out",
            RelayFailure::Disconnected => "relay session disconnected",
        })
    }
}

impl std::error::Error for RelayFailure {}

/// The double's counters (also served at `GET /_double/stats`).
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DoubleStats {
    /// Requests served, the control surface excluded.
    pub requests: u64,
    /// Successful authorization-code grants and password logins (each issues a refresh token).
    pub token_grants: u64,
    /// Successful `refresh_token` grants.
    pub refreshes: u64,
    /// Artifacts created (workspaces and children; seeding excluded).
    pub creates: u64,
    /// Successful `PATCH`es (and remote updates).
    pub updates: u64,
    /// Successful deletes.
    pub deletes: u64,
    /// `POST /artifacts/batch` calls.
    pub batch_fetches: u64,
    /// `GET /artifacts/{id}/children` calls.
    pub children_listings: u64,
    /// `GET /artifacts/{id}/content-url` calls.
    pub content_url_fetches: u64,
    /// `/events` sockets open now.
    pub events_sockets: u64,
    /// Failures and malformed bodies injected so far.
    pub faults_injected: u64,
    /// Successful grants by kind: `authorization_code`, `refresh_token`, `password`.
    pub grants_by_type: BTreeMap<String, u64>,
    /// `GET /auth/authorize` requests that went on to a sign-in provider, by the provider's name (the
    /// `provider` parameter, `google` when the client named none), so a test can see which one a client chose.
    pub authorize_providers: BTreeMap<String, u64>,
}
