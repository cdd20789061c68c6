//! Atrium as the MCP server for the person's agents (DESIGN §5b): one loopback endpoint with the workspace tools
//! and the agent's servers' tools (`/mcp`), each server also passed through on its own (`/mcp/servers/<id or
//! slug>`), over MCP's streamable HTTP on 127.0.0.1 only. A front door over `atrium-api`, beside the window and the
//! terminal: no business rules of its own — workspace tools call the API, server tools go through the same
//! connection manager (supervision, auth, `allowed_tools`, masking, audit).
#![deny(missing_docs)]

mod agent_catalogs;
mod artifact_resources;
mod error;
mod host;
mod http;
mod oauth;
mod pages;
mod passthrough;
mod progress;
mod prompts;
mod resource_uris;
mod resources;
mod rpc;
mod server_requests;
mod server_subscriptions;
mod sessions;
mod stdio;
mod surface;
mod tool_names;
mod workspace_tools;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use atrium_api::{Atrium, AtriumPaths};
use axum::Router;
use axum::routing::{any, get, post};
use tokio_util::sync::CancellationToken;

pub use error::GatewayError;
pub use host::GatewayHost;
pub use stdio::serve_stdio;

/// The port the gateway listens on unless told otherwise (`--port`, `ATRIUM_GATEWAY_PORT`, the setting).
pub const DEFAULT_PORT: u16 = atrium_api::GATEWAY_DEFAULT_PORT;
/// The environment variable that sets the port.
pub const PORT_ENV: &str = "ATRIUM_GATEWAY_PORT";
/// How long stopping waits for open requests before it drops them.
const STOP_BOUND: Duration = Duration::from_secs(3);

/// How the gateway runs.
#[derive(Debug, Clone)]
pub struct GatewayOptions {
    /// The port on 127.0.0.1 (0: any free one).
    pub port: u16,
    /// The largest request body, in bytes.
    pub body_limit: usize,
    /// Calls one agent may have in flight at once.
    pub calls_per_agent: usize,
    /// How long a forwarded request may take.
    pub call_limit: Duration,
    /// Whether a person can answer OAuth clients' consent requests here: the desktop app's window. Without it
    /// (`atrium gateway`, `atrium mcp`) the authorization page says to open the app instead.
    pub consent: bool,
}

impl Default for GatewayOptions {
    fn default() -> Self {
        GatewayOptions {
            port: DEFAULT_PORT,
            body_limit: 4 * 1024 * 1024,
            calls_per_agent: 32,
            call_limit: Duration::from_secs(300),
            consent: false,
        }
    }
}

impl GatewayOptions {
    /// The defaults, with the port from `ATRIUM_GATEWAY_PORT` when it is set.
    pub fn from_env() -> Self {
        GatewayOptions { port: Self::port_from_env().unwrap_or(DEFAULT_PORT), ..GatewayOptions::default() }
    }

    /// The port `ATRIUM_GATEWAY_PORT` names, if it is set to one.
    pub fn port_from_env() -> Option<u16> {
        std::env::var(PORT_ENV).ok().and_then(|p| p.trim().parse().ok())
    }
}

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) atrium: Atrium,
    pub(crate) port: u16,
    pub(crate) sessions: sessions::Sessions,
    pub(crate) limits: sessions::CallLimits,
    pub(crate) cancel: CancellationToken,
    /// The key `atrium mcp` bridges with (from the run file only this user can read).
    pub(crate) bridge_key: String,
    pub(crate) body_limit: usize,
    pub(crate) call_limit: Duration,
    /// Whether consent requests reach a window (see [`GatewayOptions::consent`]).
    pub(crate) consent: bool,
    /// How many sessions follow each server resource (the server is asked once).
    pub(crate) followers: server_subscriptions::Followers,
    /// What each agent is offered, worked out once for all its requests (see `agent_catalogs`).
    pub(crate) catalogs: agent_catalogs::AgentCatalogs,
}

impl Shared {
    pub(crate) fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// Equal bytes, compared without stopping at the first difference.
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Where a running gateway says where it listens, for `atrium mcp` (in `ATRIUM_HOME/run/`, only this user's).
pub fn run_file(paths: &AtriumPaths) -> PathBuf {
    paths.run_dir().join("gateway.json")
}

/// A running gateway. Stop it with [`Gateway::stop`]; dropping it stops it too, without waiting.
pub struct Gateway {
    addr: SocketAddr,
    cancel: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
    run_file: PathBuf,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Gateway {
    /// Listens on 127.0.0.1 and serves until stopped. A port already taken is [`GatewayError::PortTaken`].
    pub async fn start(atrium: Atrium, paths: &AtriumPaths, options: GatewayOptions) -> Result<Gateway, GatewayError> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port)).await.map_err(|source| {
            if source.kind() == std::io::ErrorKind::AddrInUse {
                GatewayError::PortTaken { port: options.port }
            } else {
                GatewayError::Bind { port: options.port, source }
            }
        })?;
        let addr = listener.local_addr().map_err(|source| GatewayError::Bind { port: options.port, source })?;
        let cancel = CancellationToken::new();
        let shared = Arc::new(Shared {
            atrium,
            port: addr.port(),
            sessions: sessions::Sessions::default(),
            limits: sessions::CallLimits::new(options.calls_per_agent),
            cancel: cancel.clone(),
            bridge_key: sessions::random_id() + &sessions::random_id(),
            body_limit: options.body_limit,
            call_limit: options.call_limit,
            consent: options.consent,
            followers: server_subscriptions::Followers::default(),
            catalogs: agent_catalogs::AgentCatalogs::default(),
        });
        let run_file = run_file(paths);
        write_run_file(&run_file, &shared)?;
        let app = Router::new()
            .route("/mcp", any(http::agent_endpoint))
            .route("/mcp/servers/{key}", any(http::server_endpoint))
            .route("/.well-known/oauth-protected-resource", get(http::resource_metadata))
            .route("/.well-known/oauth-protected-resource/mcp", get(http::resource_metadata))
            .route("/.well-known/oauth-authorization-server", get(oauth::metadata))
            .route("/register", post(oauth::register))
            .route("/authorize", get(oauth::authorize))
            .route("/authorize/status/{poll}", get(oauth::status))
            .route("/token", post(oauth::token))
            .route("/revoke", post(oauth::revoke))
            .fallback(http::not_found)
            .with_state(shared.clone());
        let stopping = cancel.clone();
        let sweeper = shared.clone();
        let task = tokio::spawn(async move {
            // Idle sessions go every minute, until the gateway stops.
            let sweep = async {
                let mut tick = tokio::time::interval(Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    sweeper.sessions.sweep();
                }
            };
            let serve = axum::serve(listener, app).with_graceful_shutdown(stopping.clone().cancelled_owned());
            tokio::select! {
                served = serve => if let Err(err) = served { tracing::error!(%err, "the gateway stopped") },
                () = sweep => {}
            }
        });
        tracing::info!(%addr, "gateway listening");
        Ok(Gateway { addr, cancel, task: Some(task), run_file, shared })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The agents' endpoint, `http://127.0.0.1:<port>/mcp`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.addr.port())
    }

    /// How many sessions are open.
    pub fn session_count(&self) -> usize {
        self.shared.sessions.len()
    }

    /// Stops listening, ends every session and its streams, and waits at most a few seconds for requests still
    /// being answered.
    pub async fn stop(mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(STOP_BOUND, task).await.is_err() {
                abort.abort();
            }
        }
        remove_run_file(&self.run_file, &self.shared.bridge_key);
        tracing::info!("gateway stopped");
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.cancel.cancel();
        if let Some(task) = self.task.take() {
            task.abort();
            remove_run_file(&self.run_file, &self.shared.bridge_key);
        }
    }
}

/// What a running gateway tells `atrium mcp`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RunInfo {
    /// The agents' endpoint.
    pub url: String,
    /// The gateway's process.
    pub pid: u32,
    /// The key a bridge presents (with the agent it speaks for).
    pub bridge_key: String,
}

/// Removes the run file if it is still this gateway's (another one of this home may have started since and written
/// its own: `atrium mcp` must keep finding that one).
fn remove_run_file(path: &std::path::Path, bridge_key: &str) {
    let ours = std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<RunInfo>(&text).ok())
        .is_some_and(|info| same(info.bridge_key.as_bytes(), bridge_key.as_bytes()));
    if ours {
        let _ = std::fs::remove_file(path);
    }
}

fn write_run_file(path: &std::path::Path, shared: &Shared) -> Result<(), GatewayError> {
    let info = RunInfo {
        url: format!("{}/mcp", shared.origin()),
        pid: std::process::id(),
        bridge_key: shared.bridge_key.clone(),
    };
    let failed = |source| GatewayError::RunFile { path: path.to_owned(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let mut file = std::fs::OpenOptions::new();
    file.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        file.mode(0o600);
    }
    let mut file = file.open(path).map_err(failed)?;
    std::io::Write::write_all(&mut file, serde_json::to_string(&info).unwrap_or_default().as_bytes()).map_err(failed)
}
