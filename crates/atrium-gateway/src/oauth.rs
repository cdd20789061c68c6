//! The gateway's OAuth endpoints (MCP authorization for agents that only do OAuth), carried over HTTP on the
//! loopback origin; what they decide is the API's (`oauth_*`, `agent_consent_*`):
//!
//! - `/.well-known/oauth-authorization-server` — RFC 8414 metadata (the protected-resource metadata names this
//!   origin as its authorization server);
//! - `POST /register` — RFC 7591 dynamic registration of public clients;
//! - `GET /authorize` — opened in the agent's browser. It approves nothing: the request goes to Atrium's window as
//!   a consent dialog, and the page only says "waiting for approval in Atrium", polling `GET /authorize/status/<id>`
//!   (an unguessable id only this page knows) until the person answers, then following the redirect (with the code,
//!   or `error=access_denied`). A gateway without a window (`atrium gateway`, `atrium mcp`) has nobody to ask: its
//!   page says so plainly and asks nothing — open the Atrium app, which serves the same address, and connect again.
//! - `POST /token` — the code with its PKCE verifier, or a refresh token, for tokens (`Cache-Control: no-store`);
//! - `POST /revoke` — RFC 7009.
//!
//! Every endpoint checks Host and Origin like `/mcp` (a web page that rebinds its name to 127.0.0.1, or posts from
//! another origin, is refused); the page cannot be framed and runs only its own script.

use std::sync::Arc;

use atrium_api::{AuthorizeOutcome, AuthorizeQuery, ConsentStatus, OAuthErrorCode, OAuthRefusal};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::http::check_origin;

fn json_answer(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
    // Token responses (and everything next to them) are never cached (RFC 6749 §5.1).
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn refusal(refusal: &OAuthRefusal) -> Response {
    let status = StatusCode::from_u16(refusal.error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    json_answer(status, &refusal.body())
}

fn failed(err: &atrium_api::ApiError) -> Response {
    tracing::error!(%err, "an OAuth request failed");
    json_answer(
        StatusCode::INTERNAL_SERVER_ERROR,
        &json!({"error": "server_error", "error_description": "Atrium could not answer: see its log."}),
    )
}

/// Form or query parameters into `T`; a parameter given twice is refused (RFC 6749 §3.1, §3.2).
fn params<T: DeserializeOwned>(text: &[u8]) -> Result<T, OAuthRefusal> {
    let mut fields = Map::new();
    for (key, value) in url::form_urlencoded::parse(text) {
        if fields.insert(key.clone().into_owned(), Value::String(value.into_owned())).is_some() {
            return Err(invalid_request(format!("The parameter {key} is given twice.")));
        }
    }
    serde_json::from_value(Value::Object(fields)).map_err(|e| invalid_request(e.to_string()))
}

fn invalid_request(why: String) -> OAuthRefusal {
    OAuthRefusal::new(OAuthErrorCode::InvalidRequest, why)
}

/// A form body: it must say it is one.
fn form<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, OAuthRefusal> {
    let kind = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !kind.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded") {
        return Err(invalid_request("The body must be application/x-www-form-urlencoded.".into()));
    }
    params(body)
}

/// RFC 8414 metadata.
pub(crate) async fn metadata(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Err(refused) = check_origin(&shared, &headers) {
        return refused;
    }
    let mut response = json_answer(StatusCode::OK, &shared.atrium.oauth_metadata(&shared.origin()));
    response.headers_mut().remove(header::PRAGMA);
    response
}

/// `POST /register`.
pub(crate) async fn register(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = check_origin(&shared, &headers) {
        return refused;
    }
    match shared.atrium.oauth_register(&body).await {
        Ok(Ok(client)) => json_answer(StatusCode::CREATED, &client),
        Ok(Err(refused)) => refusal(&refused),
        Err(err) => failed(&err),
    }
}

/// `POST /token`.
pub(crate) async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = check_origin(&shared, &headers) {
        return refused;
    }
    let request = match form(&headers, &body) {
        Ok(request) => request,
        Err(refused) => return refusal(&refused),
    };
    match shared.atrium.oauth_token(request, &shared.origin()).await {
        Ok(Ok(tokens)) => json_answer(StatusCode::OK, &tokens),
        Ok(Err(refused)) => refusal(&refused),
        Err(err) => failed(&err),
    }
}

/// `POST /revoke`: 200 whether or not the token was known (RFC 7009 §2.2).
pub(crate) async fn revoke(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(refused) = check_origin(&shared, &headers) {
        return refused;
    }
    let request = match form(&headers, &body) {
        Ok(request) => request,
        Err(refused) => return refusal(&refused),
    };
    match shared.atrium.oauth_revoke(request).await {
        Ok(()) => json_answer(StatusCode::OK, &json!({})),
        Err(err) => failed(&err),
    }
}

/// `GET /authorize`: checks the request and puts it before the person; the page waits for their answer.
pub(crate) async fn authorize(State(shared): State<Arc<Shared>>, headers: HeaderMap, uri: Uri) -> Response {
    if let Err(refused) = check_origin(&shared, &headers) {
        return refused;
    }
    if !shared.consent {
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Open Atrium to approve",
            "<p>An app asks to connect to Atrium. Approving happens only in Atrium's window, and this gateway runs \
             without one (<code>atrium gateway</code> or <code>atrium mcp</code>).</p><p>Stop it, open the Atrium \
             app — it serves the same address — and connect the app again.</p>",
            None,
        );
    }
    let query: AuthorizeQuery = match params(uri.query().unwrap_or_default().as_bytes()) {
        Ok(query) => query,
        Err(refused) => return refused_page(&refused),
    };
    match shared.atrium.oauth_authorize(query, &shared.origin()).await {
        Ok(AuthorizeOutcome::Waiting { poll, client_name }) => page(
            StatusCode::OK,
            "Waiting for approval in Atrium",
            &format!(
                "<p><strong>{}</strong> asks to use your workspaces through Atrium.</p><p id=\"status\">Approve or \
                 refuse it in Atrium's window. This page goes on by itself once you have answered.</p>",
                escape(&client_name)
            ),
            Some(&poll),
        ),
        Ok(AuthorizeOutcome::Refused(refused)) => refused_page(&refused),
        Ok(AuthorizeOutcome::Redirect(url)) => redirect(&url),
        Err(err) => {
            tracing::error!(%err, "an authorization request failed");
            page(StatusCode::INTERNAL_SERVER_ERROR, "Atrium could not answer", "<p>See Atrium's log.</p>", None)
        }
    }
}

/// `GET /authorize/status/<poll>`: where the request stands, for the waiting page.
pub(crate) async fn status(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(poll): Path<String>,
) -> Response {
    if let Err(refused) = check_origin(&shared, &headers) {
        return refused;
    }
    match shared.atrium.oauth_consent_status(&poll) {
        ConsentStatus::Waiting => json_answer(StatusCode::OK, &json!({"state": "waiting"})),
        ConsentStatus::Redirect(url) => json_answer(StatusCode::OK, &json!({"state": "answered", "redirect": url})),
        ConsentStatus::Unknown => json_answer(StatusCode::NOT_FOUND, &json!({"state": "unknown"})),
    }
}

fn redirect(url: &str) -> Response {
    match HeaderValue::from_str(url) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "bad redirect").into_response(),
    }
}

fn refused_page(refused: &OAuthRefusal) -> Response {
    let status = StatusCode::from_u16(refused.error.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
    page(
        status,
        "Atrium refused this request",
        &format!(
            "<p>{}</p><p class=\"faint\">OAuth error: <code>{}</code></p>",
            escape(&refused.description),
            refused.error.as_str()
        ),
        None,
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The page the agent's browser shows; with `poll`, it asks every second whether the person answered and then
/// follows the redirect. Its script runs by nonce only; it cannot be framed.
fn page(status: StatusCode, title: &str, body: &str, poll: Option<&str>) -> Response {
    let nonce = crate::sessions::random_id();
    let script = match poll {
        Some(poll) => format!(
            r#"<script nonce="{nonce}">
const status = document.getElementById("status");
async function ask() {{
  try {{
    const answer = await fetch("/authorize/status/{poll}", {{ cache: "no-store" }});
    const body = await answer.json();
    if (body.state === "answered") {{
      status.textContent = body.redirect.includes("error=access_denied")
        ? "Refused in Atrium. You can close this tab."
        : "Approved in Atrium. Handing you back to the app; you can close this tab.";
      window.location.replace(body.redirect);
      return;
    }}
    if (body.state === "unknown") {{
      status.textContent = "This request expired: connect the app again.";
      return;
    }}
  }} catch (e) {{
    status.textContent = "Atrium's gateway stopped answering. Is Atrium still running?";
  }}
  setTimeout(ask, 1000);
}}
setTimeout(ask, 500);
</script>"#,
            poll = escape(poll),
        ),
        None => String::new(),
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} — Atrium</title>\
         <style nonce=\"{nonce}\">body{{font:15px/1.5 system-ui,sans-serif;max-width:34em;margin:4em auto;padding:0 1em;\
         color:#222}}h1{{font-size:1.3em}}.faint{{color:#777;font-size:.9em}}</style></head>\
         <body><h1>{title}</h1>{body}{script}</body></html>",
        title = escape(title),
    );
    let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    let csp = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    );
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}
