//! The routers of the double's listeners, built from the route table: each service's own listener serves its
//! routes at their own paths; the front listener composes them the way the shipped Caddy front does.

use std::borrow::Cow;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, any, on};
use serde_json::json;

use super::error::json_response;
use super::state::Shared;
use super::table::{Handler, ROUTES, RouteSpec, Service};
use super::{access_grants, chorus, control, events, fault_layer, grants, mantle, origin};

/// Which listener a router is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Listener {
    /// A service's own listener (Origin, Mantle or Chorus), with no prefixes.
    Own(Service),
    /// The front of the front layout.
    Front {
        /// Whether `/relay/*` reaches Chorus (a self-host that followed Atrium's README) or the web app.
        relay_routed: bool,
    },
}

/// The web app's `index.html`, which the front serves for every path it routes to no service.
const SPA_INDEX: &str =
    "<!doctype html><html><head><title>Agience</title></head><body><div id=\"app\"></div></body></html>";

/// Where a route is mounted on a listener, if at all. The front follows the shipped Caddyfile: Origin's
/// `/auth/*`, `/setup/*` and `/.well-known/*` with their paths kept, `handle_path /api/*` to Mantle (so Mantle's
/// `/` is `/api/` there), `/.well-known/mcp*` to Chorus, `/relay/*` to Chorus only when routed; Chorus's gateway
/// is not routed. The control surface is everywhere, for standalone use.
fn mount(spec: &RouteSpec, listener: Listener) -> Option<Cow<'static, str>> {
    let path = spec.path;
    match (listener, spec.service) {
        (_, Service::Double) => Some(Cow::Borrowed(path)),
        (Listener::Own(own), service) => (own == service).then_some(Cow::Borrowed(path)),
        (Listener::Front { .. }, Service::Origin) => Some(Cow::Borrowed(path)),
        (Listener::Front { .. }, Service::Mantle) => Some(Cow::Owned(format!("/api{path}"))),
        (Listener::Front { relay_routed }, Service::Chorus) => {
            let routed = path.starts_with("/.well-known/mcp") || (relay_routed && path.starts_with("/relay/"));
            routed.then_some(Cow::Borrowed(path))
        }
    }
}

/// The front's path prefixes that reach a service: a path under one that no route matches gets that service's
/// 404, not the web app.
fn front_prefixes(relay_routed: bool) -> Vec<&'static str> {
    let mut prefixes = vec!["/auth/", "/setup/", "/.well-known/", "/api/"];
    if relay_routed {
        prefixes.push("/relay/");
    }
    prefixes
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

fn handler(spec: &RouteSpec) -> MethodRouter<Arc<Shared>> {
    let f = filter(spec.method);
    match spec.handler {
        Handler::OpenId => on(f, origin::openid_configuration),
        Handler::Providers => on(f, origin::providers),
        Handler::SetupStatus => on(f, origin::setup_status),
        Handler::Authorize => on(f, origin::authorize),
        Handler::Token => on(f, grants::token),
        Handler::PasswordLogin => on(f, grants::password_login),
        Handler::UserInfo => on(f, grants::userinfo),
        Handler::CreateKey => on(f, grants::create_key),
        Handler::CreateGrant => on(f, access_grants::create),
        Handler::ListGrants => on(f, access_grants::list),
        Handler::ReadGrant => on(f, access_grants::read),
        Handler::RevokeGrant => on(f, access_grants::revoke),
        Handler::ClaimInvite => on(f, access_grants::claim),
        Handler::InviteContext => on(f, access_grants::invite_context),
        Handler::InviteDetails => on(f, access_grants::invite_details),
        Handler::MantleRoot => on(f, mantle::root),
        Handler::Visible => on(f, mantle::visible),
        Handler::Create => on(f, mantle::create),
        Handler::Batch => on(f, mantle::batch),
        Handler::Read => on(f, mantle::read),
        Handler::Update => on(f, mantle::update),
        Handler::Delete => on(f, mantle::delete),
        Handler::Children => on(f, mantle::children),
        Handler::ContentUrl => on(f, mantle::content_url),
        Handler::Events => on(f, events::events_ws),
        Handler::Content => on(f, mantle::content),
        Handler::ChorusDiscovery => on(f, chorus::well_known_mcp),
        Handler::Relay => on(f, chorus::relay_connect),
        Handler::Gateway => any(chorus::gateway),
        Handler::Faults => on(f, control::faults),
        Handler::Stats => on(f, control::stats),
        Handler::Seed => on(f, control::seed),
        Handler::Edit => on(f, control::edit),
        Handler::RemoteDelete => on(f, control::delete),
    }
}

async fn not_found() -> Response {
    json_response(StatusCode::NOT_FOUND, &json!({ "detail": "Not Found" }))
}

/// The web app behind the front (nginx serving a single-page app): `index.html` for any GET or HEAD, a
/// WebSocket upgrade included; nginx's static handler refuses other methods with 405.
async fn spa(method: Method) -> Response {
    let html = HeaderValue::from_static("text/html");
    if method == Method::GET || method == Method::HEAD {
        return (StatusCode::OK, [(header::CONTENT_TYPE, html)], SPA_INDEX).into_response();
    }
    let body = "<html><head><title>405 Not Allowed</title></head><body><center><h1>405 Not Allowed</h1></center>\
                <hr><center>nginx</center></body></html>";
    (StatusCode::METHOD_NOT_ALLOWED, [(header::CONTENT_TYPE, html)], body).into_response()
}

/// A listener's router: its routes (each behind the fault layer, which knows the route's kind), FastAPI-shaped
/// 404/405 (the web app for unrouted paths at the front) and a generous body limit.
pub(crate) fn router(shared: Arc<Shared>, listener: Listener) -> Router {
    let mut router = Router::new();
    for spec in ROUTES {
        if let Some(path) = mount(spec, listener) {
            let layer = axum::middleware::from_fn_with_state((shared.clone(), spec.kind), fault_layer::layer);
            router = router.route(&path, handler(spec).layer(layer));
        }
    }
    router = match listener {
        Listener::Own(_) => router.fallback(not_found),
        Listener::Front { relay_routed } => {
            for prefix in front_prefixes(relay_routed) {
                router = router.route(&format!("{prefix}{{*rest}}"), any(not_found));
            }
            router.fallback(spa)
        }
    };
    router
        .method_not_allowed_fallback(|| async {
            json_response(StatusCode::METHOD_NOT_ALLOWED, &json!({ "detail": "Method Not Allowed" }))
        })
        .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
        .with_state(shared)
}
