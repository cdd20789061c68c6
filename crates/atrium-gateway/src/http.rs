//! MCP's streamable HTTP transport, server side, on 127.0.0.1: every request's Host and Origin checked (DNS
//! rebinding), its bearer token checked against the agents — an agent's own token or an OAuth access token (401
//! naming the resource metadata otherwise, which names this origin as the authorization server), its body
//! capped; sessions per the spec (`initialize` makes one, `Mcp-Session-Id` names it, `DELETE` ends it, an unknown
//! one is 404); answers as JSON, or as an event stream when a request's progress, or a passed-through server's
//! own requests and log lines, travel ahead of its answer; a client's responses to those go back to the server;
//! `GET` opens the session's stream for the gateway's own notifications (`list_changed`, `resources/updated`).

// A refusal is the response itself, made once for a request that goes no further: boxing it would gain nothing.
#![allow(clippy::result_large_err)]

use std::convert::Infallible;
use std::sync::Arc;

use atrium_api::AgentView;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::rpc::{self, Kind};
use crate::sessions::{Endpoint, Session};
use crate::{Shared, passthrough, resources, server_requests, server_subscriptions, surface};

/// The session header.
const SESSION: &str = "mcp-session-id";
/// The protocol revision header (2025-06-18 and later).
const PROTOCOL: &str = "mcp-protocol-version";
/// The agent a bridge (`atrium mcp`) speaks for; honoured only with the bridge's key.
pub(crate) const BRIDGE_AGENT: &str = "x-atrium-agent";

fn json_response(status: StatusCode, body: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A refusal outside JSON-RPC (no request to answer yet): a JSON-RPC error without id, as the SDKs expect.
fn refused(status: StatusCode, code: i64, message: impl Into<String>) -> Response {
    json_response(status, &rpc::error(&Value::Null, code, message))
}

/// `/mcp`.
pub(crate) async fn agent_endpoint(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    serve(shared, None, request).await
}

/// `/mcp/servers/<id or slug>`.
pub(crate) async fn server_endpoint(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    request: Request,
) -> Response {
    serve(shared, Some(key), request).await
}

/// RFC 9728 protected-resource metadata: what the 401's `WWW-Authenticate` points to.
pub(crate) async fn resource_metadata(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refusal) = check_origin(&shared, &headers) {
        return refusal;
    }
    json_response(
        StatusCode::OK,
        &json!({
            "resource": format!("{}/mcp", shared.origin()),
            "resource_name": "Atrium",
            // Atrium is its own authorization server, on this origin (see `oauth`).
            "authorization_servers": [shared.origin()],
            "bearer_methods_supported": ["header"],
            "scopes_supported": ["read", "write", "share", "admin"],
        }),
    )
}

/// Whatever else: not here.
pub(crate) async fn not_found(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refusal) = check_origin(&shared, &headers) {
        return refusal;
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// The Host must be this listener's loopback address and an Origin, when a browser sends one, this origin: a web
/// page that rebinds its own name to 127.0.0.1 gets neither right.
pub(crate) fn check_origin(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    let port = shared.port;
    let hosts = [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(refused(
            StatusCode::FORBIDDEN,
            rpc::INVALID_REQUEST,
            format!("Host {host:?} is not this gateway."),
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        if !hosts.iter().any(|h| origin.eq_ignore_ascii_case(&format!("http://{h}"))) {
            return Err(refused(
                StatusCode::FORBIDDEN,
                rpc::INVALID_REQUEST,
                format!("Origin {origin:?} may not use this gateway."),
            ));
        }
    }
    Ok(())
}

/// The scopes an OAuth client asks for by default (MCP's scope selection takes the challenge's `scope` first, then
/// every scope the metadata lists): what an agent usually needs — `share` and `admin` only when the person ticks them
/// in the consent dialog.
const DEFAULT_SCOPE: &str = "read write";

fn unauthorized(shared: &Shared, why: &str) -> Response {
    let challenge = format!(
        "Bearer error=\"invalid_token\", error_description=\"{why}\", resource_metadata=\"{}/.well-known/oauth-protected-resource\", scope=\"{DEFAULT_SCOPE}\"",
        shared.origin()
    );
    let mut response = json_response(
        StatusCode::UNAUTHORIZED,
        &json!({"error": "invalid_token", "error_description": format!("{why} Sign in with OAuth (the resource metadata names the authorization server), or make an agent with `atrium agent add NAME` and send its token as Authorization: Bearer <token>.")}),
    );
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// The agent the request's bearer token belongs to.
async fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<AgentView, Response> {
    let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
    else {
        return Err(unauthorized(shared, "No bearer token."));
    };
    // `atrium mcp` bridging for an agent: the key only this user can read, from the gateway's run file.
    if let Some(agent) = headers.get(BRIDGE_AGENT).and_then(|v| v.to_str().ok()) {
        if !crate::same(token.as_bytes(), shared.bridge_key.as_bytes()) {
            return Err(unauthorized(shared, "The bridge key is not this gateway's."));
        }
        return shared.atrium.agent_get(agent.to_owned()).await.map_err(|_| unauthorized(shared, "No such agent."));
    }
    match shared.atrium.agent_authenticate(token).await {
        Ok(Some(agent)) => Ok(agent),
        Ok(None) => Err(unauthorized(shared, "The token is not an agent's (wrong, rotated or revoked).")),
        Err(err) => {
            tracing::error!(%err, "could not check a token");
            Err(refused(StatusCode::INTERNAL_SERVER_ERROR, rpc::INTERNAL_ERROR, "Atrium could not check the token."))
        }
    }
}

async fn serve(shared: Arc<Shared>, key: Option<String>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(refusal) = check_origin(&shared, &parts.headers) {
        return refusal;
    }
    let agent = match authenticate(&shared, &parts.headers).await {
        Ok(agent) => agent,
        Err(refusal) => return refusal,
    };
    let endpoint = match key {
        None => Endpoint::Agent,
        Some(key) => match passthrough::resolve(&shared, &agent, &key).await {
            Some(server) => Endpoint::Server(server.server_id),
            // Whether the server exists or not, this agent does not get it.
            None => {
                return refused(
                    StatusCode::NOT_FOUND,
                    rpc::INVALID_REQUEST,
                    format!("No server {key} for this agent."),
                );
            }
        },
    };
    match parts.method {
        Method::POST => post(shared, agent, endpoint, &parts.headers, body).await,
        Method::GET => open_stream(shared, agent, endpoint, &parts.headers),
        Method::DELETE => {
            let Some(session) = session_of(&shared, &agent, &endpoint, &parts.headers) else {
                return missing_session(&parts.headers);
            };
            shared.sessions.close(&session.id);
            StatusCode::OK.into_response()
        }
        _ => (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, POST, DELETE")]).into_response(),
    }
}

fn session_of(shared: &Shared, agent: &AgentView, endpoint: &Endpoint, headers: &HeaderMap) -> Option<Arc<Session>> {
    let id = headers.get(SESSION).and_then(|v| v.to_str().ok())?;
    let session = shared.sessions.find(id, &agent.id, endpoint)?;
    session.touch();
    Some(session)
}

/// 400 without a session id, 404 for one the gateway does not have (the client then starts a new session).
fn missing_session(headers: &HeaderMap) -> Response {
    if headers.get(SESSION).is_none() {
        refused(StatusCode::BAD_REQUEST, rpc::INVALID_REQUEST, "Mcp-Session-Id is missing: initialize first.")
    } else {
        refused(StatusCode::NOT_FOUND, rpc::INVALID_REQUEST, "No such session (it ended): initialize again.")
    }
}

fn accepts_events(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).iter().any(|v| v.to_str().is_ok_and(|v| v.contains("text/event-stream")))
}

#[tracing::instrument(skip_all, fields(agent = %agent.name))]
async fn post(shared: Arc<Shared>, agent: AgentView, endpoint: Endpoint, headers: &HeaderMap, body: Body) -> Response {
    let bytes: Bytes = match axum::body::to_bytes(body, shared.body_limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                rpc::INVALID_REQUEST,
                format!("The request body is over the gateway's limit of {} bytes.", shared.body_limit),
            );
        }
    };
    let message: Value = match serde_json::from_slice(&bytes) {
        Ok(message) => message,
        Err(err) => return refused(StatusCode::BAD_REQUEST, rpc::PARSE_ERROR, format!("The body is not JSON: {err}.")),
    };
    if message.is_array() {
        return refused(
            StatusCode::BAD_REQUEST,
            rpc::INVALID_REQUEST,
            "JSON-RPC batches are not supported: send one message per request.",
        );
    }
    if let Kind::Request(id, "initialize") = rpc::kind(&message) {
        let asked = message.pointer("/params/protocolVersion").and_then(Value::as_str);
        let protocol = rpc::negotiate(asked);
        let answer = match &endpoint {
            Endpoint::Agent => surface::initialize(id, protocol),
            Endpoint::Server(server) => passthrough::initialize(&shared.atrium, server, id, asked).await,
        };
        if answer.get("error").is_some() {
            return json_response(StatusCode::OK, &answer);
        }
        let capabilities = message.pointer("/params/capabilities").cloned().unwrap_or(Value::Null);
        let session = shared.sessions.open(&agent.id, endpoint.clone(), capabilities, &shared.cancel);
        if endpoint == Endpoint::Agent {
            surface::watch_lists(shared.clone(), session.clone(), agent.clone());
            resources::watch(&shared, session.clone(), agent.clone());
            server_subscriptions::watch(shared.clone(), session.clone(), agent);
        }
        tracing::info!(session = %session.id, "session opened");
        let mut response = json_response(StatusCode::OK, &answer);
        if let Ok(value) = HeaderValue::from_str(&session.id) {
            response.headers_mut().insert(SESSION, value);
        }
        return response;
    }
    let Some(session) = session_of(&shared, &agent, &endpoint, headers) else { return missing_session(headers) };
    if let Some(version) = headers.get(PROTOCOL).and_then(|v| v.to_str().ok())
        && !rpc::PROTOCOL_VERSIONS.contains(&version)
    {
        return refused(
            StatusCode::BAD_REQUEST,
            rpc::INVALID_REQUEST,
            format!("Unsupported MCP-Protocol-Version {version}."),
        );
    }
    match rpc::kind(&message) {
        Kind::Invalid => refused(StatusCode::BAD_REQUEST, rpc::INVALID_REQUEST, "Not a JSON-RPC 2.0 message."),
        Kind::Response => {
            // The answer to a server's own request, on its way back to the server.
            if !server_requests::answer(&shared, &session, &agent, &message).await {
                tracing::debug!("a response that answers nothing asked");
            }
            StatusCode::ACCEPTED.into_response()
        }
        Kind::Notification(method) => {
            let method = method.to_owned();
            match &endpoint {
                Endpoint::Agent => surface::notification(&shared, &session, &agent, &method, &message).await,
                Endpoint::Server(server) => {
                    passthrough::notification(&shared, &session, &agent, server, &method, &message).await
                }
            }
            StatusCode::ACCEPTED.into_response()
        }
        Kind::Request(id, "tools/list") if endpoint == Endpoint::Agent => {
            // Answered from the agent's catalog as written once: a thousand tools are not copied per list.
            let answer = surface::tools_list_answer(&shared, &agent, id).await;
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], answer).into_response()
        }
        Kind::Request(id, _) => {
            let id = id.clone();
            let wants_progress = message.pointer("/params/_meta/progressToken").is_some_and(|t| !t.is_null());
            let permit = if message.get("method").and_then(Value::as_str) == Some("tools/call") {
                match shared.limits.try_take(&agent.id) {
                    Some(permit) => Some(permit),
                    None => {
                        let text = format!(
                            "This agent has {} calls in flight, the most it may have: wait for one to finish.",
                            shared.limits.per_agent()
                        );
                        return json_response(StatusCode::OK, &rpc::error(&id, rpc::OVERLOADED, text));
                    }
                }
            } else {
                None
            };
            if wants_progress && accepts_events(headers) {
                // The progress goes ahead of the answer on one event stream.
                let (tx, rx) = mpsc::unbounded_channel::<Value>();
                let task_tx = tx.clone();
                tokio::spawn(async move {
                    let answer = dispatch(&shared, &session, &agent, &endpoint, &message, Some(task_tx.clone())).await;
                    drop(permit);
                    let _ = task_tx.send(answer);
                });
                drop(tx);
                return event_stream(rx, None, None);
            }
            if accepts_events(headers) {
                // The server may log or ask the client something before it answers: then the answer comes on an
                // event stream after those; else as JSON.
                let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
                let task_tx = tx.clone();
                tokio::spawn(async move {
                    let answer = dispatch(&shared, &session, &agent, &endpoint, &message, Some(task_tx.clone())).await;
                    drop(permit);
                    let _ = task_tx.send(answer);
                });
                drop(tx);
                let Some(first) = rx.recv().await else {
                    return json_response(StatusCode::OK, &rpc::error(&id, rpc::INTERNAL_ERROR, "No answer."));
                };
                if first.get("method").is_none() && first.get("id") == Some(&id) {
                    return json_response(StatusCode::OK, &first);
                }
                return event_stream(rx, None, Some(first));
            }
            let answer = dispatch(&shared, &session, &agent, &endpoint, &message, None).await;
            drop(permit);
            json_response(StatusCode::OK, &answer)
        }
    }
}

async fn dispatch(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    agent: &AgentView,
    endpoint: &Endpoint,
    message: &Value,
    progress: Option<mpsc::UnboundedSender<Value>>,
) -> Value {
    match endpoint {
        Endpoint::Agent => surface::request(shared, session, agent, message, progress).await,
        Endpoint::Server(server) => passthrough::request(shared, session, agent, server, message, progress).await,
    }
}

/// `GET`: the session's own stream, for notifications outside any request.
fn open_stream(shared: Arc<Shared>, agent: AgentView, endpoint: Endpoint, headers: &HeaderMap) -> Response {
    if !accepts_events(headers) {
        return refused(StatusCode::NOT_ACCEPTABLE, rpc::INVALID_REQUEST, "GET needs Accept: text/event-stream.");
    }
    let Some(session) = session_of(&shared, &agent, &endpoint, headers) else { return missing_session(headers) };
    let (tx, rx) = mpsc::unbounded_channel();
    // A newer stream replaces an older one (a client that reconnects).
    *session.stream.lock().unwrap_or_else(|p| p.into_inner()) = Some(tx);
    event_stream(rx, Some(session.cancel.clone()), None)
}

/// An event stream of `first` then `rx`'s messages, ending when every sender is gone (or `until` is cancelled).
fn event_stream(
    rx: mpsc::UnboundedReceiver<Value>,
    until: Option<tokio_util::sync::CancellationToken>,
    first: Option<Value>,
) -> Response {
    let until = until.unwrap_or_default();
    let stream = futures::stream::unfold((rx, until, first), |(mut rx, until, first)| async move {
        let next = match first {
            Some(first) => first,
            None => tokio::select! {
                message = rx.recv() => message,
                () = until.cancelled() => None,
            }?,
        };
        let event = format!("event: message\ndata: {next}\n\n");
        Some((Ok::<_, Infallible>(event), (rx, until, None)))
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}
