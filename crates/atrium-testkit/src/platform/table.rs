//! The one route table: every route the double serves, which service it belongs to and what kind it is. The
//! routers are built from it (`routes.rs`), the fault layer goes by its kinds, and the OpenAPI test reads it.

/// What a route is, which decides how faults apply to it and whether the OpenAPI document must list it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteKind {
    /// An Origin or Mantle REST route; it must exist in the platform's OpenAPI document.
    Platform,
    /// A real discovery route that the platform's OpenAPI document leaves out (Mantle's `/`, Chorus's
    /// `/.well-known/mcp`). Latency applies to it; injected failures do not.
    Discovery,
    /// A WebSocket endpoint (`/events`, `/relay/v1/connect`).
    WebSocket,
    /// Chorus's universal MCP gateway (`/{server_id}/mcp`, any method).
    Gateway,
    /// The single-use content links that stand in for presigned S3 URLs.
    Content,
    /// The double's own control surface under `/_double/` (not part of the platform).
    Control,
}

/// Which service answers a route. Each has a listener of its own, where its routes live at their own paths;
/// the front layout composes them (see `DoubleLayout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// Sign-in: discovery, authorization, tokens, keys, setup.
    Origin,
    /// Artifacts and `/events`.
    Mantle,
    /// The relay and the MCP gateway.
    Chorus,
    /// The double's control surface, served on every listener.
    Double,
}

/// One served route: method, path template (OpenAPI syntax, as on the service's own listener), service and kind.
#[derive(Clone, Copy, Debug)]
pub struct RouteSpec {
    /// HTTP method; `*` for any.
    pub method: &'static str,
    /// Path template on the service's own listener, e.g. `/artifacts/{artifact_id}`.
    pub path: &'static str,
    /// The service that answers it.
    pub service: Service,
    /// What the route is.
    pub kind: RouteKind,
    pub(crate) handler: Handler,
}

/// Names the handler of a route; `routes.rs` maps each to its function.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Handler {
    OpenId,
    Providers,
    SetupStatus,
    Authorize,
    Token,
    PasswordLogin,
    UserInfo,
    CreateKey,
    CreateGrant,
    ListGrants,
    ReadGrant,
    RevokeGrant,
    ClaimInvite,
    InviteContext,
    InviteDetails,
    MantleRoot,
    Visible,
    Create,
    Batch,
    Read,
    Update,
    Delete,
    Children,
    ContentUrl,
    Events,
    Content,
    ChorusDiscovery,
    Relay,
    Gateway,
    Faults,
    Stats,
    Seed,
    Edit,
    RemoteDelete,
}

const fn r(method: &'static str, path: &'static str, service: Service, kind: RouteKind, handler: Handler) -> RouteSpec {
    RouteSpec { method, path, service, kind, handler }
}

use RouteKind::{Content, Control, Discovery, Gateway, Platform, WebSocket};
use Service::{Chorus, Double, Mantle, Origin};

/// Every route the double serves.
pub const ROUTES: &[RouteSpec] = &[
    r("GET", "/.well-known/openid-configuration", Origin, Platform, Handler::OpenId),
    r("GET", "/auth/providers", Origin, Platform, Handler::Providers),
    r("GET", "/auth/authorize", Origin, Platform, Handler::Authorize),
    r("POST", "/auth/token", Origin, Platform, Handler::Token),
    r("POST", "/auth/password/login", Origin, Platform, Handler::PasswordLogin),
    r("GET", "/auth/userinfo", Origin, Platform, Handler::UserInfo),
    r("POST", "/auth/keys", Origin, Platform, Handler::CreateKey),
    r("POST", "/auth/grants", Origin, Platform, Handler::CreateGrant),
    r("GET", "/auth/grants", Origin, Platform, Handler::ListGrants),
    r("POST", "/auth/grants/claim", Origin, Platform, Handler::ClaimInvite),
    r("GET", "/auth/grants/invite-context", Origin, Platform, Handler::InviteContext),
    r("GET", "/auth/grants/invite-details", Origin, Platform, Handler::InviteDetails),
    r("GET", "/auth/grants/{grant_id}", Origin, Platform, Handler::ReadGrant),
    r("DELETE", "/auth/grants/{grant_id}", Origin, Platform, Handler::RevokeGrant),
    r("GET", "/setup/status", Origin, Platform, Handler::SetupStatus),
    r("GET", "/", Mantle, Discovery, Handler::MantleRoot),
    r("GET", "/artifacts/visible", Mantle, Platform, Handler::Visible),
    r("POST", "/artifacts", Mantle, Platform, Handler::Create),
    r("POST", "/artifacts/batch", Mantle, Platform, Handler::Batch),
    r("GET", "/artifacts/{artifact_id}", Mantle, Platform, Handler::Read),
    r("PATCH", "/artifacts/{artifact_id}", Mantle, Platform, Handler::Update),
    r("DELETE", "/artifacts/{artifact_id}", Mantle, Platform, Handler::Delete),
    r("GET", "/artifacts/{artifact_id}/children", Mantle, Platform, Handler::Children),
    r("GET", "/artifacts/{artifact_id}/content-url", Mantle, Platform, Handler::ContentUrl),
    r("GET", "/events", Mantle, WebSocket, Handler::Events),
    r("GET", "/_content/{token}", Mantle, Content, Handler::Content),
    r("GET", "/.well-known/mcp", Chorus, Discovery, Handler::ChorusDiscovery),
    r("GET", "/relay/v1/connect", Chorus, WebSocket, Handler::Relay),
    r("*", "/{server_id}/mcp", Chorus, Gateway, Handler::Gateway),
    r("POST", "/_double/faults", Double, Control, Handler::Faults),
    r("GET", "/_double/stats", Double, Control, Handler::Stats),
    r("POST", "/_double/seed", Double, Control, Handler::Seed),
    r("POST", "/_double/edit", Double, Control, Handler::Edit),
    r("POST", "/_double/delete", Double, Control, Handler::RemoteDelete),
];
