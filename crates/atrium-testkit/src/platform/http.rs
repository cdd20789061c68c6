//! Response and request helpers shared by the handlers: FastAPI-shaped errors, bearer auth, validated bodies.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

use super::DoubleUser;
use super::openapi;
use super::state::Shared;

/// An error response: a status and a JSON body (`{"detail": ...}` for FastAPI routes, `{"error": ...}` elsewhere).
#[derive(Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    /// FastAPI's OAuth2 scheme adds `WWW-Authenticate: Bearer` to its 401s.
    pub www_authenticate: bool,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, body: Value) -> ApiError {
        ApiError { status, body, www_authenticate: false }
    }

    /// FastAPI's `HTTPException(status, detail)`.
    pub(crate) fn detail(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError::new(status, json!({ "detail": detail.into() }))
    }

    /// Mantle answers "no access" and "not found" alike.
    pub(crate) fn not_found() -> ApiError {
        ApiError::detail(StatusCode::NOT_FOUND, "Not found")
    }

    pub(crate) fn unauthorized(detail: &str) -> ApiError {
        ApiError { www_authenticate: true, ..ApiError::detail(StatusCode::UNAUTHORIZED, detail) }
    }

    /// A FastAPI request-validation failure.
    pub(crate) fn validation(errors: Vec<Value>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, json!({ "detail": errors }))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = json_response(self.status, &self.body);
        if self.www_authenticate {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// Result type of the handlers.
pub(crate) type ApiResult = Result<Response, ApiError>;

/// A JSON response serialized in one pass (listings of 50k children go through here).
pub(crate) fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"null".to_vec());
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], bytes).into_response()
}

/// 200 with a JSON body.
pub(crate) fn ok<T: Serialize + ?Sized>(body: &T) -> ApiResult {
    Ok(json_response(StatusCode::OK, body))
}

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
