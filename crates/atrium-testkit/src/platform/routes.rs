//! The one route table: it builds the router, drives the fault layer and is what the OpenAPI test reads.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{MethodFilter, MethodRouter, any, on};
use serde_json::json;

use super::http::json_response;
use super::state::Shared;
use super::{chorus, control, events, faults, mantle, origin};

/// What a route is, which decides how faults apply to it and whether the OpenAPI document must list it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteKind {
    /// An Origin or Mantle REST route; it must exist in the platform's OpenAPI document.
    Platform,
    /// A WebSocket endpoint (`/events`, `/relay/v1/connect`).
    WebSocket,
    /// Chorus's universal MCP gateway (`/{server_id}/mcp`, any method).
    Gateway,
    /// The single-use content links that stand in for presigned S3 URLs.
    Content,
    /// The double's own control surface under `/_double/` (not part of the platform).
    Control,
}

/// One served route: method, path template (OpenAPI syntax) and kind.
#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    /// HTTP method; `*` for any.
    pub method: &'static str,
    /// Path template, e.g. `/artifacts/{artifact_id}`.
    pub path: &'static str,
    /// What the route is.
    pub kind: RouteKind,
    handler: H,
}

#[derive(Clone, Copy, Debug)]
enum H {
    OpenId,
    Providers,
    Authorize,
    Token,
    PasswordLogin,
    UserInfo,
    CreateKey,
    Visible,
    Create,
    Batch,
    Read,
    Update,
    Delete,
    Children,
    ContentUrl,
    Events,
    Relay,
    Gateway,
    Content,
    Faults,
    Stats,
    Seed,
    Edit,
    RemoteDelete,
}

const fn r(method: &'static str, path: &'static str, kind: RouteKind, handler: H) -> RouteSpec {
    RouteSpec { method, path, kind, handler }
}

use RouteKind::{Content, Control, Gateway, Platform, WebSocket};

/// Every route the double serves.
pub const ROUTES: &[RouteSpec] = &[
    r("GET", "/.well-known/openid-configuration", Platform, H::OpenId),
    r("GET", "/auth/providers", Platform, H::Providers),
    r("GET", "/auth/authorize", Platform, H::Authorize),
    r("POST", "/auth/token", Platform, H::Token),
    r("POST", "/auth/password/login", Platform, H::PasswordLogin),
    r("GET", "/auth/userinfo", Platform, H::UserInfo),
    r("POST", "/auth/keys", Platform, H::CreateKey),
    r("GET", "/artifacts/visible", Platform, H::Visible),
    r("POST", "/artifacts", Platform, H::Create),
    r("POST", "/artifacts/batch", Platform, H::Batch),
    r("GET", "/artifacts/{artifact_id}", Platform, H::Read),
    r("PATCH", "/artifacts/{artifact_id}", Platform, H::Update),
    r("DELETE", "/artifacts/{artifact_id}", Platform, H::Delete),
    r("GET", "/artifacts/{artifact_id}/children", Platform, H::Children),
    r("GET", "/artifacts/{artifact_id}/content-url", Platform, H::ContentUrl),
    r("GET", "/events", WebSocket, H::Events),
    r("GET", "/relay/v1/connect", WebSocket, H::Relay),
    r("*", "/{server_id}/mcp", Gateway, H::Gateway),
    r("GET", "/_content/{token}", Content, H::Content),
    r("POST", "/_double/faults", Control, H::Faults),
    r("GET", "/_double/stats", Control, H::Stats),
    r("POST", "/_double/seed", Control, H::Seed),
    r("POST", "/_double/edit", Control, H::Edit),
    r("POST", "/_double/delete", Control, H::RemoteDelete),
];

/// The kind of a matched path template (unknown templates count as platform routes).
pub(crate) fn route_kind(template: &str) -> RouteKind {
    ROUTES.iter().find(|spec| spec.path == template).map_or(Platform, |spec| spec.kind)
}

fn filter(method: &str) -> MethodFilter {
    match method {
        "POST" => MethodFilter::POST,
        "PATCH" => MethodFilter::PATCH,
        "DELETE" => MethodFilter::DELETE,
        "PUT" => MethodFilter::PUT,
        _ => MethodFilter::GET,
    }
}

fn method_router(spec: &RouteSpec) -> MethodRouter<Arc<Shared>> {
    let f = filter(spec.method);
    match spec.handler {
        H::OpenId => on(f, origin::openid_configuration),
        H::Providers => on(f, origin::providers),
        H::Authorize => on(f, origin::authorize),
        H::Token => on(f, origin::token),
        H::PasswordLogin => on(f, origin::password_login),
        H::UserInfo => on(f, origin::userinfo),
        H::CreateKey => on(f, origin::create_key),
        H::Visible => on(f, mantle::visible),
        H::Create => on(f, mantle::create),
        H::Batch => on(f, mantle::batch),
        H::Read => on(f, mantle::read),
        H::Update => on(f, mantle::update),
        H::Delete => on(f, mantle::delete),
        H::Children => on(f, mantle::children),
        H::ContentUrl => on(f, mantle::content_url),
        H::Events => on(f, events::events_ws),
        H::Relay => on(f, chorus::relay_connect),
        H::Gateway => any(chorus::gateway),
        H::Content => on(f, mantle::content),
        H::Faults => on(f, control::faults),
        H::Stats => on(f, control::stats),
        H::Seed => on(f, control::seed),
        H::Edit => on(f, control::edit),
        H::RemoteDelete => on(f, control::delete),
    }
}

/// The whole app: the table's routes, FastAPI-shaped 404/405, the fault layer and a generous body limit.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut router = Router::new();
    for spec in ROUTES {
        router = router.route(spec.path, method_router(spec));
    }
    router
        .fallback(|| async { json_response(StatusCode::NOT_FOUND, &json!({ "detail": "Not Found" })) })
        .method_not_allowed_fallback(|| async {
            json_response(StatusCode::METHOD_NOT_ALLOWED, &json!({ "detail": "Method Not Allowed" }))
        })
        .layer(axum::middleware::from_fn_with_state(shared.clone(), faults::layer))
        .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
        .with_state(shared)
}
