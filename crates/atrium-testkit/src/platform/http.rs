//! What the handlers read from a request: the bearer and its user, the base URL it arrived on, and JSON bodies
//! validated against the platform's OpenAPI document.

use axum::http::{HeaderMap, header};
use serde_json::{Value, json};

use super::error::ApiError;
use super::model::DoubleUser;
use super::openapi;
use super::state::Shared;

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// The caller of a Mantle (or Origin user) route: an access JWT or an `agc_` key, else 401.
pub(crate) fn caller(shared: &Shared, headers: &HeaderMap) -> Result<DoubleUser, ApiError> {
    let token = bearer(headers).ok_or_else(|| ApiError::unauthorized("Not authenticated"))?;
    shared.resolve_bearer(token).ok_or_else(|| ApiError::unauthorized("Invalid or expired token"))
}

/// The base URL a request arrived on, like Starlette's `request.base_url`: from its `Host` header (the front
/// passes the client's on, as Caddy does), so the front URL through the front and a service's own URL directly.
/// A request without one (HTTP/1.0) gets `fallback`.
pub(crate) fn request_base(headers: &HeaderMap, fallback: &str) -> String {
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| !h.is_empty()) {
        Some(host) => format!("http://{host}"),
        None => fallback.to_owned(),
    }
}

/// Parses a JSON request body and validates it against the route's OpenAPI request schema (422 like FastAPI).
pub(crate) fn json_body(method: &str, template: &str, bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::validation(vec![
            json!({"type": "missing", "loc": ["body"], "msg": "Field required", "input": null}),
        ]));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::validation(vec![json!({
            "type": "json_invalid", "loc": ["body", e.column()], "msg": "JSON decode error",
            "input": {}, "ctx": {"error": e.to_string()},
        })])
    })?;
    openapi::validate_request_body(method, template, &value).map_err(ApiError::validation)?;
    Ok(value)
}

/// A string field of a JSON object.
pub(crate) fn str_field<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}
