//! What the handlers answer: JSON responses and FastAPI-shaped errors.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};

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
