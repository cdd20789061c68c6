//! The loopback sandbox-proxy server: the outer iframe's origin.
//!
//! It binds `127.0.0.1` on a random port and serves one thing: the proxy page at `/v/<token>`, where each token is
//! unguessable (244 random bits), minted for one view, accepted once and only for a short while. The page carries
//! the view's CSP as a header. Requests from a non-loopback peer, with a `Host` other than the server's own
//! address (DNS rebinding), for any other path, or with a used or unknown token get a bare 404/421/403 and nothing
//! else. To Tauri this origin is remote, so it grants it no command.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_util::sync::CancellationToken;

use crate::ViewerError;

/// The proxy page every view is mounted from.
pub const PROXY_PAGE: &str = include_str!("../assets/proxy.html");

/// How long a minted URL stays usable if nobody loads it.
pub const TOKEN_TTL: Duration = Duration::from_secs(60);

struct Pending {
    csp: String,
    minted: Instant,
}

#[derive(Default)]
struct Tokens {
    pending: HashMap<String, Pending>,
}

#[derive(Clone)]
struct ServerState {
    tokens: Arc<Mutex<Tokens>>,
    authority: String,
}

/// A running proxy server; stops when [`ProxyServer::shutdown`] is called or the last clone is dropped.
#[derive(Clone)]
pub struct ProxyServer {
    addr: SocketAddr,
    tokens: Arc<Mutex<Tokens>>,
    cancel: CancellationToken,
    _guard: Arc<tokio_util::sync::DropGuard>,
}

impl std::fmt::Debug for ProxyServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyServer").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl ProxyServer {
    /// Binds `127.0.0.1:0` and starts serving. Must be called inside a tokio runtime.
    pub async fn start() -> Result<Self, ViewerError> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.map_err(ViewerError::Proxy)?;
        let addr = listener.local_addr().map_err(ViewerError::Proxy)?;
        let tokens = Arc::new(Mutex::new(Tokens::default()));
        let state = ServerState { tokens: tokens.clone(), authority: addr.to_string() };
        let app = axum::Router::new()
            .route("/v/{token}", get(serve_page))
            .fallback(|| async { StatusCode::NOT_FOUND })
            .with_state(state);
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(err) = served {
                tracing::warn!(%err, "sandbox proxy server stopped");
            }
        });
        tracing::debug!(%addr, "sandbox proxy listening");
        let guard = Arc::new(cancel.clone().drop_guard());
        Ok(ProxyServer { addr, tokens, cancel, _guard: guard })
    }

    /// The origin views are served from, e.g. `http://127.0.0.1:43117`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Mints a one-use URL for a proxy page that sends `csp` as its Content-Security-Policy.
    pub fn mint(&self, csp: String) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens.pending.retain(|_, p| p.minted.elapsed() < TOKEN_TTL);
        tokens.pending.insert(token.clone(), Pending { csp, minted: Instant::now() });
        format!("{}/v/{token}", self.origin())
    }

    /// How many minted URLs have not been used yet.
    pub fn pending(&self) -> usize {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).pending.len()
    }

    /// Stops serving (in-flight responses finish).
    pub fn shutdown(&self) {
        self.cancel.cancel();
    }
}

async fn serve_page(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !peer.ip().is_loopback() {
        return StatusCode::FORBIDDEN.into_response();
    }
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if host != Some(state.authority.as_str()) {
        return StatusCode::MISDIRECTED_REQUEST.into_response();
    }
    let pending = state.tokens.lock().unwrap_or_else(|p| p.into_inner()).pending.remove(&token);
    let Some(pending) = pending.filter(|p| p.minted.elapsed() < TOKEN_TTL) else {
        tracing::warn!("sandbox proxy: unknown, expired or reused token refused");
        return StatusCode::FORBIDDEN.into_response();
    };
    let Ok(csp) = HeaderValue::from_str(&pending.csp) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = PROXY_PAGE.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
