//! An in-process double of the Agience platform: Origin (sign-in), Mantle (artifacts, `/events`) and Chorus (the
//! Desktop Host Relay and the `/{uuid}/mcp` gateway), in memory, on loopback listeners laid out the way the
//! platform is deployed.
//!
//! Layouts ([`DoubleLayout`]). Origin, Mantle and Chorus each always have a listener of their own, serving their
//! routes at their own paths with no prefix ([`PlatformDouble::origin_url`], [`PlatformDouble::mantle_url`],
//! [`PlatformDouble::chorus_url`]); all share one state, so a user, token, artifact or relay session is the same
//! whichever listener a request reaches.
//! - `Front { relay_routed }` adds the one URL that shipped home and plain installs give (Caddy before the
//!   services): `/auth/*`, `/setup/*` and every other `/.well-known/*` → Origin, path kept; `/api/*` → Mantle with
//!   `/api` stripped (`/api/` is Mantle's `/`, `/api/events` its WebSocket; bare `/api` is not matched);
//!   `/.well-known/mcp*` → Chorus; everything else → the web app, which answers `index.html` (200 `text/html`) to
//!   any GET — a relay upgrade on `/relay/v1/connect` and the gateway `/{uuid}/mcp` included. With
//!   `relay_routed`, `/relay/*` → Chorus, as on a self-hosted install that follows Atrium's README.
//! - `Separate` is the dev compose: three ports, nothing in front; [`PlatformDouble::url`] is Origin's.
//!
//! Faithful to the wire shapes in the platform contract (`agience-contract.md` §0–§5, read from the platform's
//! code) and to the platform's OpenAPI document, which ships here as a fixture ([`openapi_json`]). Tokens are
//! JWT-shaped but verified by lookup, not by signature. Access control is simple: a user reads the containers
//! they created and those containers' children; everything else is 404, as on the platform.
//!
//! Beyond the platform, the double has fault injection ([`Faults`]), a concurrent second client
//! ([`Remote`]), counters ([`DoubleStats`]) and a control surface under `/_double/` on every listener.
//!
//! Platform behaviour kept on purpose (clients must cope with it):
//! - the OpenID configuration names only Origin's endpoints, on the base URL the request arrived on; where Mantle
//!   and Chorus are is for the client to find out (unless [`DoubleOptions::advertise_service_urls`]);
//! - `/auth/authorize` without `provider` means `google`, and an unconfigured provider is a 400;
//! - a new workspace has `context: ""` (not JSON), no `modified_by`, and ignores `description` on create;
//! - reading by root id returns the exact row first, i.e. the first version while it exists; deleting by root
//!   id deletes only that row; a draft made by editing a committed version loses the top-level `content_type`;
//! - token-endpoint errors are `{"detail": ...}` with 400 (only client credentials answer `{"error": ...}`);
//! - `/events` and the relay refuse a bad bearer with HTTP 403 at the upgrade;
//! - the gateway forwards every method (GET and DELETE too) to the relay; the desktop answers them.
//!
//! Differences: there is no upstream IdP (a configured provider approves at once as the default user, or as
//! `login_hint`) and no `/.well-known/jwks.json` (tokens are checked by lookup); a user reads only containers
//! they created (grants do not widen Mantle's reads); Origin's `/auth/grants` (invites, listing, revoking,
//! claiming) follows the platform's code, except that a container's owner holds admin on it and its artifacts
//! (see `access_grants.rs`); a `context` that is not JSON-object text is a 422 on create and update; `/events`
//! answers `{"error": ...}` to non-JSON frames instead of dropping the socket; refresh tokens are not accepted as
//! bearers anywhere; content links point at Mantle's listener instead of an object store; Chorus
//! serves no personas; the web app is a one-line `index.html`.

mod access_grants;
mod bus;
mod chorus;
mod control;
mod error;
mod events;
mod fault_layer;
mod faults;
mod grants;
mod http;
mod mantle;
mod model;
mod openapi;
mod ops;
mod options;
mod origin;
mod relay;
mod remote;
mod routes;
mod state;
mod store;
mod table;
mod urls;
mod util;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::Faults;
pub use model::{DoubleStats, DoubleUser, RelayFailure};
pub use openapi::{openapi_document, openapi_json, request_body_schema, validate_request_body};
pub use options::{DoubleLayout, DoubleOptions, DoubleProvider};
pub use remote::Remote;
pub use store::INLINE_LIMIT;
pub use table::{ROUTES, RouteKind, RouteSpec, Service};

use routes::Listener;
use state::Shared;
use urls::Urls;
use util::lock;

/// A running platform double. [`PlatformDouble::shutdown`] stops it; dropping the handle does not.
pub struct PlatformDouble {
    shared: Arc<Shared>,
    addr: SocketAddr,
    servers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for PlatformDouble {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformDouble").field("url", &self.url()).field("layout", &self.layout()).finish()
    }
}

fn url_of(listener: &TcpListener) -> std::io::Result<String> {
    Ok(format!("http://{}", listener.local_addr()?))
}

impl PlatformDouble {
    /// Starts the double on `127.0.0.1`, ephemeral ports, with the default options: the front layout with
    /// `/relay/*` routed. That is the self-hosted install Atrium's README describes, and the layout where one URL
    /// reaches all three services, which is what most tests want; the shipped front (relay not routed) and the
    /// separate layout are a [`PlatformDouble::start_with`] away.
    pub async fn start() -> std::io::Result<PlatformDouble> {
        PlatformDouble::start_with(DoubleOptions::default()).await
    }

    /// Starts the double with these options on `127.0.0.1`.
    pub async fn start_with(options: DoubleOptions) -> std::io::Result<PlatformDouble> {
        let addr = SocketAddr::from(([127, 0, 0, 1], options.port.unwrap_or(0)));
        PlatformDouble::start_at(options, addr).await
    }

    /// Starts the double with the default options, its front listener on the given address (port 0 for an
    /// ephemeral one); Origin, Mantle and Chorus take ephemeral loopback ports.
    pub async fn start_on(addr: SocketAddr) -> std::io::Result<PlatformDouble> {
        PlatformDouble::start_at(DoubleOptions::default(), addr).await
    }

    /// Binds every listener first (the URLs go into the shared state), then serves them all.
    async fn start_at(options: DoubleOptions, addr: SocketAddr) -> std::io::Result<PlatformDouble> {
        let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
        // The address asked for is the front's, or Origin's where there is no front.
        let primary = TcpListener::bind(addr).await?;
        let addr = primary.local_addr()?;
        let (front, origin) = match options.layout {
            DoubleLayout::Front { .. } => (Some(primary), TcpListener::bind(loopback).await?),
            DoubleLayout::Separate => (None, primary),
        };
        let mantle = TcpListener::bind(loopback).await?;
        let chorus = TcpListener::bind(loopback).await?;
        let urls = Urls {
            layout: options.layout,
            front: front.as_ref().map(url_of).transpose()?,
            origin: url_of(&origin)?,
            mantle: url_of(&mantle)?,
            chorus: url_of(&chorus)?,
        };
        let shared = Arc::new(Shared::new(urls, options));
        let mut listeners = vec![
            (origin, Listener::Own(Service::Origin)),
            (mantle, Listener::Own(Service::Mantle)),
            (chorus, Listener::Own(Service::Chorus)),
        ];
        if let (Some(front), DoubleLayout::Front { relay_routed }) = (front, shared.options.layout) {
            listeners.push((front, Listener::Front { relay_routed }));
        }
        let servers = listeners
            .into_iter()
            .map(|(listener, which)| {
                let app = routes::router(shared.clone(), which);
                let stop = shared.shutdown.clone();
                tokio::spawn(async move {
                    let serve =
                        axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await });
                    let _ = serve.await;
                })
            })
            .collect();
        Ok(PlatformDouble { shared, addr, servers })
    }

    /// The platform's URL as a client is given it, e.g. `http://127.0.0.1:40123` (no trailing slash): the front
    /// in the front layout, Origin's own URL in the separate one. Also tokens' `iss` and `aud`.
    pub fn url(&self) -> String {
        self.shared.urls.platform().to_owned()
    }

    /// Origin's own listener (sign-in routes at their own paths).
    pub fn origin_url(&self) -> String {
        self.shared.urls.origin.clone()
    }

    /// Mantle's own listener (`/artifacts/…`, `/events`, `/_content/…`, no `/api` prefix).
    pub fn mantle_url(&self) -> String {
        self.shared.urls.mantle.clone()
    }

    /// Chorus's own listener (`/relay/v1/connect`, `/{uuid}/mcp`, `/.well-known/mcp`).
    pub fn chorus_url(&self) -> String {
        self.shared.urls.chorus.clone()
    }

    /// The front listener, in the front layout.
    pub fn front_url(&self) -> Option<String> {
        self.shared.urls.front.clone()
    }

    /// The layout the double imitates.
    pub fn layout(&self) -> DoubleLayout {
        self.shared.options.layout
    }

    /// The address of [`PlatformDouble::url`]'s listener.
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

    /// Origin's grants on a resource (an artifact's id), revoked ones included, oldest first: what
    /// `GET /auth/grants?resource_id=…` answers its admin.
    pub fn grants_on(&self, resource_id: &str) -> Vec<serde_json::Value> {
        lock(&self.shared.access_grants)
            .iter()
            .filter(|g| g.get("resource_id").and_then(serde_json::Value::as_str) == Some(resource_id))
            .map(|g| serde_json::Value::Object(g.clone()))
            .collect()
    }

    /// Sets the lifetime of access tokens issued from now on (default 43200 s).
    pub fn set_access_ttl(&self, secs: u64) {
        self.shared.access_ttl.store(secs, Ordering::Relaxed);
    }

    /// Ends every session: all issued access and refresh tokens stop working (a refresh token's 30 days ran out,
    /// or an administrator signed everyone out). API keys still work.
    pub fn end_sessions(&self) {
        lock(&self.shared.tokens).clear();
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

    /// Stops every listener and closes every socket, within about two seconds.
    pub async fn shutdown(mut self) {
        self.shared.shutdown.cancel();
        let all = futures::future::join_all(self.servers.iter_mut());
        if tokio::time::timeout(Duration::from_millis(1500), all).await.is_err() {
            for server in &self.servers {
                server.abort();
            }
            let _ =
                tokio::time::timeout(Duration::from_millis(300), futures::future::join_all(self.servers.iter_mut()))
                    .await;
        }
    }
}
