//! The middleware on every route: counts requests and applies the injected latency, failures and truncated
//! bodies, by the route's kind.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::json_response;
use super::state::{Shared, bump};
use super::table::RouteKind;

/// The control surface is never counted nor faulted; sockets are counted only; latency applies to every other
/// route, failures and truncation only to the platform's documented REST routes.
pub(crate) async fn layer(
    State((shared, kind)): State<(Arc<Shared>, RouteKind)>,
    request: Request,
    next: Next,
) -> Response {
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
    if faults.take_failure() {
        return json_response(StatusCode::INTERNAL_SERVER_ERROR, &json!({ "detail": "Internal Server Error" }));
    }
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json || !faults.take_malformed() {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    (parts, Body::from(cut)).into_response()
}
