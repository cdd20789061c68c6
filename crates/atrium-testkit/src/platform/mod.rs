//! An in-process double of the Agience platform: Origin (auth), Mantle (artifacts, `/events`) and Chorus (the
//! Desktop Host Relay and the `/{uuid}/mcp` gateway), all served on one loopback base URL, in memory.
//!
//! Faithful to the wire shapes in the platform contract (`agience-contract.md` §0–§5, read from the platform's
//! code) and to the platform's OpenAPI document, which ships here as a fixture ([`openapi_json`]). Tokens are
//! JWT-shaped but verified by lookup, not by signature. Access control is simple: a user reads the containers
//! they created and those containers' children; everything else is 404, as on the platform.
//!
//! Beyond the platform, the double has fault injection ([`Faults`]), a concurrent second client
//! ([`Remote`]), counters ([`DoubleStats`]) and a control surface under `/_double/` for standalone use.
//!
//! Platform behaviour kept on purpose (clients must cope with it):
//! - a new workspace has `context: ""` (not JSON), no `modified_by`, and ignores `description` on create;
//! - reading by root id returns the exact row first, i.e. the first version while it exists; deleting by root
//!   id deletes only that row; a draft made by editing a committed version loses the top-level `content_type`;
//! - token-endpoint errors are `{"detail": ...}` with 400 (only client credentials answer `{"error": ...}`);
//! - the gateway forwards every method (GET and DELETE too) to the relay; the desktop answers them.
//!
//! Differences: there is no `/.well-known/jwks.json` (tokens are checked by lookup); discovery adds
//! `mantle_uri` and `chorus_uri`; a user reads only containers they created (no grants or sharing); a `context`
//! that is not JSON-object text is a 422 on create and update; `/events` answers `{"error": ...}` to non-JSON
//! frames instead of dropping the socket; refresh tokens are not accepted as bearers anywhere.

mod chorus;
mod control;
mod events;
mod faults;
mod http;
mod mantle;
mod openapi;
mod ops;
mod origin;
mod remote;
mod routes;
mod state;
mod store;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::task::JoinHandle;

pub use faults::Faults;
pub use openapi::{openapi_document, openapi_json, request_body_schema, validate_request_body};
pub use remote::Remote;
pub use routes::{ROUTES, RouteKind, RouteSpec};
pub use store::INLINE_LIMIT;

use state::{Shared, lock};

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

/// Why [`PlatformDouble::relay_request`] got no `mcp_response`.
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
}

/// A running platform double. [`PlatformDouble::shutdown`] stops it; dropping the handle does not.
pub struct PlatformDouble {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

impl std::fmt::Debug for PlatformDouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformDouble").field("url", &self.url()).finish()
    }
}

impl PlatformDouble {
    /// Starts the double on `127.0.0.1` with an ephemeral port.
    pub async fn start() -> std::io::Result<PlatformDouble> {
        PlatformDouble::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts the double on the given address (port 0 for an ephemeral one).
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<PlatformDouble> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(format!("http://{addr}")));
        let app = routes::router(shared.clone());
        let stop = shared.shutdown.clone();
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await });
            let _ = serve.await;
        });
        Ok(PlatformDouble { shared, addr, server })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). Origin, Mantle and Chorus all live here.
    pub fn url(&self) -> String {
        self.shared.base.clone()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Fault injection.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Another client of the default user, for concurrent remote edits.
    pub fn remote(&self) -> Remote {
        Remote { shared: self.shared.clone() }
    }

    /// The default user (`ada` / `correct-horse-battery` / `ada@example.org`).
    pub fn user(&self) -> DoubleUser {
        self.shared.default_user()
    }

    /// Adds a user (replacing one with the same username).
    pub fn add_user(&self, username: &str, password: &str) -> DoubleUser {
        let user = DoubleUser {
            id: uuid::Uuid::new_v4().to_string(),
            username: username.to_owned(),
            password: password.to_owned(),
            email: format!("{username}@example.org"),
        };
        let mut users = lock(&self.shared.users);
        users.retain(|u| u.username != username);
        users.push(user.clone());
        user
    }

    /// Mints an `agc_<32 lowercase hex>` API key for the user.
    pub fn api_key(&self, user: &DoubleUser) -> String {
        self.shared.mint_api_key(&user.id)
    }

    /// Mints a user access JWT, as password login would (client `agience-client`).
    pub fn access_token(&self, user: &DoubleUser) -> String {
        self.shared.mint(user, "agience-client", false).0
    }

    /// Sets the lifetime of access tokens issued from now on (default 43200 s).
    pub fn set_access_ttl(&self, secs: u64) {
        self.shared.access_ttl.store(secs, Ordering::Relaxed);
    }

    /// Sets how long the gateway waits for a relay response (default 30 s; also the envelope's `deadline_ms`).
    pub fn set_relay_timeout(&self, timeout: Duration) {
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        self.shared.relay_timeout_ms.store(ms, Ordering::Relaxed);
    }

    /// The counters.
    pub fn stats(&self) -> DoubleStats {
        self.shared.stats()
    }

    /// Relay sockets open now.
    pub fn relay_sessions(&self) -> usize {
        self.shared.relay.count()
    }

    /// Sends an `mcp_request` envelope carrying `payload` to the user's newest relay session and returns the
    /// whole `mcp_response` envelope with the same id (its `payload.ok` is not judged here).
    pub async fn relay_request(
        &self,
        user: &DoubleUser,
        payload: serde_json::Value,
        timeout: Duration,
    ) -> Result<serde_json::Value, RelayFailure> {
        self.shared.relay.request(&user.id, payload, timeout).await
    }

    /// Stops the server and closes every socket, within about two seconds.
    pub async fn shutdown(mut self) {
        self.shared.shutdown.cancel();
        if tokio::time::timeout(Duration::from_millis(1500), &mut self.server).await.is_err() {
            self.server.abort();
            let _ = tokio::time::timeout(Duration::from_millis(300), &mut self.server).await;
        }
    }
}
