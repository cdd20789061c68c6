//! Injected faults (failures, malformed bodies, latency, dropped sockets, expired tokens) and the middleware
//! that applies them and counts requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::watch;

use super::http::json_response;
use super::routes::{RouteKind, route_kind};
use super::state::{Shared, bump};

/// Faults to inject into the double. All methods take `&self`; the double reads them on every request.
pub struct Faults {
    fail_next: AtomicU32,
    malformed_next: AtomicU32,
    latency_ms: AtomicU64,
    token_epoch: AtomicU64,
    injected: AtomicU64,
    drops: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            fail_next: AtomicU32::new(0),
            malformed_next: AtomicU32::new(0),
            latency_ms: AtomicU64::new(0),
            token_epoch: AtomicU64::new(0),
            injected: AtomicU64::new(0),
            drops: watch::Sender::new(0),
        }
    }
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("fail_next", &self.fail_next.load(Ordering::Relaxed))
            .field("malformed_next", &self.malformed_next.load(Ordering::Relaxed))
            .field("latency_ms", &self.latency_ms.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Takes one from a counter if it is above zero.
fn take(counter: &AtomicU32) -> bool {
    counter.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok()
}

impl Faults {
    /// The next `n` Origin/Mantle REST requests answer 500 `{"detail":"Internal Server Error"}`.
    pub fn fail_next(&self, n: u32) {
        self.fail_next.store(n, Ordering::Relaxed);
    }

    /// The next `n` JSON REST responses are cut off half-way (still 200 and `application/json`).
    pub fn malformed_next(&self, n: u32) {
        self.malformed_next.store(n, Ordering::Relaxed);
    }

    /// Every REST request and every `/events` event waits this long first.
    pub fn set_latency(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Closes every open `/events` and relay socket now, abruptly (no close frame).
    pub fn drop_sockets(&self) {
        self.drops.send_modify(|n| *n += 1);
    }

    /// Every access token issued so far is rejected from now on; refresh tokens and API keys still work.
    pub fn expire_tokens(&self) {
        self.token_epoch.fetch_add(1, Ordering::Relaxed);
    }

    /// Clears pending failures, malformed bodies and latency (expired tokens stay expired).
    pub fn reset(&self) {
        self.fail_next.store(0, Ordering::Relaxed);
        self.malformed_next.store(0, Ordering::Relaxed);
        self.latency_ms.store(0, Ordering::Relaxed);
    }

    pub(crate) fn latency_ms(&self) -> u64 {
        self.latency_ms.load(Ordering::Relaxed)
    }

    pub(crate) fn token_epoch(&self) -> u64 {
        self.token_epoch.load(Ordering::Relaxed)
    }

    pub(crate) fn injected(&self) -> u64 {
        self.injected.load(Ordering::Relaxed)
    }

    /// A receiver that changes when `drop_sockets` is called (sockets opened later ignore earlier drops).
    pub(crate) fn drop_signal(&self) -> watch::Receiver<u64> {
        let mut rx = self.drops.subscribe();
        rx.mark_unchanged();
        rx
    }
}

/// Counts requests and applies latency, failures and truncation by the route's kind.
pub(crate) async fn layer(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let kind = request.extensions().get::<MatchedPath>().map_or(RouteKind::Platform, |p| route_kind(p.as_str()));
    if kind == RouteKind::Control {
        return next.run(request).await;
    }
    bump(&shared.counters.requests);
    if kind == RouteKind::WebSocket {
        return next.run(request).await;
    }
    let faults = &shared.faults;
    let latency = faults.latency_ms();
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if kind != RouteKind::Platform {
        return next.run(request).await;
    }
    if take(&faults.fail_next) {
        bump(&faults.injected);
        return json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "detail": "Internal Server Error" }));
    }
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json || !take(&faults.malformed_next) {
        return response;
    }
    bump(&faults.injected);
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    (parts, Body::from(cut)).into_response()
}
