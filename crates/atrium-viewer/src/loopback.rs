//! A loopback listener that serves one-use pages: the building block of the sandbox proxy's origin and of each
//! server's view origin.
//!
//! It binds `127.0.0.1` and serves one thing: a page minted for one frame at `/v/<token>`, where each token is
//! unguessable (244 random bits), accepted once and only for a short while, with the Content-Security-Policy minted
//! with it as a header. Requests from a non-loopback peer, with a `Host` other than the listener's own address (DNS
//! rebinding), for any other path, or with a used or unknown token get a bare 403/404/421 and nothing else. To Tauri
//! these origins are remote, so it grants them no command.
//!
//! It also takes the Content-Security-Policy violation reports of the pages it served (`POST /r/<token>`, the
//! policy's `report-uri`): small, counted, and handed to whoever minted the page, so what a view's policy blocked is
//! seen rather than guessed.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio_util::sync::CancellationToken;

/// How long a minted URL stays usable if nobody loads it.
pub const TOKEN_TTL: Duration = Duration::from_secs(60);
/// The path every page is served under (`/v/<token>`).
pub const PAGE_PATH: &str = "/v/";
/// Most pages waiting to be loaded at once (a page nobody loads is dropped after [`TOKEN_TTL`] anyway).
const MAX_PENDING: usize = 256;
/// The path violation reports are posted to (`/r/<token>`).
const REPORT_PATH: &str = "/r/";
/// Most reports taken per page: a view in a loop of violations says so fifty times, not forever.
const MAX_REPORTS: u32 = 50;
/// The largest report read.
const MAX_REPORT_BYTES: usize = 16 * 1024;

/// Receives the violation reports of one page (the `csp-report` object of each).
pub type Reporter = Arc<dyn Fn(serde_json::Value) + Send + Sync>;

struct Reports {
    reporter: Reporter,
    taken: u32,
}

struct Page {
    body: String,
    csp: String,
    minted: Instant,
}

type Pages = Arc<Mutex<HashMap<String, Page>>>;
type Reporters = Arc<Mutex<HashMap<String, Reports>>>;

#[derive(Clone)]
struct ServerState {
    pages: Pages,
    reporters: Reporters,
    authority: String,
}

/// A running loopback listener; stops when [`Loopback::shutdown`] is called or the last clone is dropped.
#[derive(Clone)]
pub(crate) struct Loopback {
    addr: SocketAddr,
    pages: Pages,
    reporters: Reporters,
    cancel: CancellationToken,
    _guard: Arc<tokio_util::sync::DropGuard>,
}

impl std::fmt::Debug for Loopback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loopback").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Loopback {
    /// Binds `127.0.0.1:<port>` (0: any free port) and starts serving. Must be called inside a tokio runtime.
    pub(crate) async fn bind(port: u16) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let pages: Pages = Arc::default();
        let reporters: Reporters = Arc::default();
        let state = ServerState { pages: pages.clone(), reporters: reporters.clone(), authority: addr.to_string() };
        let app = axum::Router::new()
            .route("/v/{token}", get(serve_page))
            .route("/r/{token}", post(take_report).layer(DefaultBodyLimit::max(MAX_REPORT_BYTES)))
            .fallback(|| async { StatusCode::NOT_FOUND })
            .with_state(state);
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(err) = served {
                tracing::warn!(%err, "view listener stopped");
            }
        });
        let guard = Arc::new(cancel.clone().drop_guard());
        Ok(Loopback { addr, pages, reporters, cancel, _guard: guard })
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Mints a one-use URL for `body`, served with `csp` as its Content-Security-Policy.
    pub(crate) fn mint(&self, body: String, csp: String) -> String {
        let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        pages.retain(|_, p| p.minted.elapsed() < TOKEN_TTL);
        if pages.len() >= MAX_PENDING {
            // The oldest goes: a page nobody loaded for a while is the one least likely to be wanted.
            if let Some(oldest) = pages.iter().min_by_key(|(_, p)| p.minted).map(|(k, _)| k.clone()) {
                pages.remove(&oldest);
            }
        }
        pages.insert(token.clone(), Page { body, csp, minted: Instant::now() });
        format!("{}{PAGE_PATH}{token}", self.origin())
    }

    /// A `report-uri` for violation reports, which go to `reporter` until [`Loopback::forget_reports`].
    pub(crate) fn report_to(&self, reporter: Reporter) -> (String, String) {
        let token = uuid::Uuid::new_v4().simple().to_string();
        self.reporters.lock().unwrap_or_else(|p| p.into_inner()).insert(token.clone(), Reports { reporter, taken: 0 });
        (format!("{}{REPORT_PATH}{token}", self.origin()), token)
    }

    /// Stops taking the reports of a page (its view closed).
    pub(crate) fn forget_reports(&self, token: &str) {
        self.reporters.lock().unwrap_or_else(|p| p.into_inner()).remove(token);
    }

    /// How many minted URLs have not been used yet.
    pub(crate) fn pending(&self) -> usize {
        self.pages.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether `url` is a page of this listener (used or not).
    pub(crate) fn serves(&self, url: &str) -> bool {
        url.strip_prefix(&self.origin()).is_some_and(|rest| rest.starts_with(PAGE_PATH))
    }

    /// Stops serving (in-flight responses finish).
    pub(crate) fn shutdown(&self) {
        self.cancel.cancel();
    }
}

async fn take_report(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !peer.ip().is_loopback() || host != Some(state.authority.as_str()) {
        return StatusCode::FORBIDDEN;
    }
    let reporter = {
        let mut reporters = state.reporters.lock().unwrap_or_else(|p| p.into_inner());
        match reporters.get_mut(&token) {
            Some(reports) if reports.taken < MAX_REPORTS => {
                reports.taken += 1;
                Some(reports.reporter.clone())
            }
            _ => None,
        }
    };
    // `{"csp-report": {…}}` (report-uri) or the Reporting API's `[{"body": {…}}]`: the report itself either way.
    if let (Some(reporter), Ok(report)) = (reporter, serde_json::from_slice::<serde_json::Value>(&body)) {
        let inner = report.get("csp-report").cloned().or_else(|| report.get(0).and_then(|r| r.get("body")).cloned());
        reporter(inner.unwrap_or(report));
    }
    StatusCode::NO_CONTENT
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
    let page = state.pages.lock().unwrap_or_else(|p| p.into_inner()).remove(&token);
    let Some(page) = page.filter(|p| p.minted.elapsed() < TOKEN_TTL) else {
        tracing::warn!(listener = %state.authority, "unknown, expired or reused view token refused");
        return StatusCode::FORBIDDEN.into_response();
    };
    let Ok(csp) = HeaderValue::from_str(&page.csp) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut response = page.body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
