//! Mantle's REST surface: its root document, and the artifact routes, which need
//! `Authorization: Bearer <access JWT | agc_ key>` and answer no-access and not-found alike with 404. Also the
//! single-use content links that stand in for presigned S3 URLs.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, json_response, ok};
use super::http::{caller, json_body, str_field};
use super::openapi::openapi_document;
use super::ops::{self, Patch};
use super::state::{Shared, bump};
use super::store::{WORKSPACE_CT, child_out};
use super::util::{lock, random_hex};

/// `GET /`: Mantle's root document (no auth). Its `version` is the platform's, as the OpenAPI fixture names it.
pub(crate) async fn root() -> ApiResult {
    let version = openapi_document().pointer("/info/version").and_then(Value::as_str).unwrap_or("0.0.0");
    ok(&json!({
        "status": "ok",
        "version": version,
        "server_time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false),
        "links": { "self": "/", "service-doc": "/docs", "service-desc": "/openapi.json" },
    }))
}

/// `GET /artifacts/visible?content_type=&action=`: every readable artifact as one array (no pagination).
pub(crate) async fn visible(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let store = lock(&shared.store);
    let rows = store.visible(&user.id, q.get("content_type").map(String::as_str).filter(|s| !s.is_empty()));
    let out: Vec<_> = rows.into_iter().map(|r| r.out()).collect();
    ok(&out)
}

/// `GET /artifacts/{id}` (version id or root id).
pub(crate) async fn read(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let user = caller(&shared, &headers)?;
    ok(&ops::read(&shared, &user.id, &id)?)
}

/// `GET /artifacts/{id}/children?content_type=`: current versions in `order_key` order, with edge fields.
pub(crate) async fn children(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let user = caller(&shared, &headers)?;
    bump(&shared.counters.children_listings);
    let store = lock(&shared.store);
    let container = store.find_readable(&user.id, &id).ok_or_else(ApiError::not_found)?;
    let wanted = q.get("content_type").map(String::as_str).filter(|s| !s.is_empty());
    let out: Vec<_> = store
        .children(&container.root_id)
        .into_iter()
        .filter(|(_, row, _)| wanted.is_none_or(|ct| row.content_type.as_deref() == Some(ct)))
        .map(|(key, row, committed)| child_out(key, row, committed))
        .collect();
    ok(&out)
}

/// Checks a `context` as the double's create path wants it: a string holding a JSON object (or empty).
fn context_arg(body: &Value) -> Result<String, ApiError> {
    let loc = json!(["body", "context"]);
    match body.get("context") {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) if s.is_empty() => Ok(String::new()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(_)) => Ok(s.clone()),
            _ => Err(ApiError::validation(vec![json!({
                "type": "value_error", "loc": loc, "input": s,
                "msg": "Value error, context must be a JSON-encoded object",
            })])),
        },
        Some(other) => Err(ApiError::validation(vec![json!({
            "type": "string_type", "loc": loc, "msg": "Input should be a valid string", "input": other,
        })])),
    }
}

fn optional_string(body: &Value, key: &str) -> Result<Option<String>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::validation(vec![json!({
            "type": "string_type", "loc": ["body", key], "msg": "Input should be a valid string", "input": other,
        })])),
    }
}

/// `POST /artifacts`: a workspace (`content_type` workspace+json, `name`) or a child (`container_id`, …).
pub(crate) async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let body = json_body("POST", "/artifacts", &body)?;
    let content_type = optional_string(&body, "content_type")?;
    if content_type.as_deref() == Some(WORKSPACE_CT) {
        let name = str_field(&body, "name").unwrap_or("New Workspace");
        return Ok(json_response(StatusCode::CREATED, &ops::create_workspace(&shared, &user.id, name)));
    }
    let Some(container_id) = optional_string(&body, "container_id")? else {
        return Err(ApiError::validation(vec![json!({
            "type": "missing", "loc": ["body", "container_id"], "msg": "Field required", "input": body,
        })]));
    };
    let context = context_arg(&body)?;
    let content = optional_string(&body, "content")?.unwrap_or_default();
    let value = ops::create_child(&shared, &user.id, &container_id, &context, &content, content_type.as_deref())?;
    Ok(json_response(StatusCode::CREATED, &value))
}

/// `PATCH /artifacts/{id}` (`UpdateArtifactRequest`): last write wins.
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let body = json_body("PATCH", "/artifacts/{artifact_id}", &body)?;
    let context = match body.get("context") {
        Some(Value::String(_)) => Some(context_arg(&body)?),
        _ => None,
    };
    let patch = Patch {
        context,
        content: optional_string(&body, "content")?,
        state: optional_string(&body, "state")?,
        content_type: optional_string(&body, "content_type")?,
        name: optional_string(&body, "name")?,
        description: optional_string(&body, "description")?,
    };
    ok(&ops::update(&shared, &user.id, &id, patch)?)
}

/// `DELETE /artifacts/{id}` → `{"id", "deleted": true}`; on a container the platform's 500.
pub(crate) async fn delete(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let user = caller(&shared, &headers)?;
    ok(&ops::delete(&shared, &user.id, &id)?)
}

/// `POST /artifacts/batch` `{artifact_ids}` → `{"artifacts": [...]}`, unreadable ids silently skipped.
pub(crate) async fn batch(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let body = json_body("POST", "/artifacts/batch", &body)?;
    bump(&shared.counters.batch_fetches);
    let store = lock(&shared.store);
    let ids = body.get("artifact_ids").and_then(Value::as_array).cloned().unwrap_or_default();
    let out: Vec<_> = ids
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|id| store.find_readable(&user.id, id))
        .map(|r| r.out())
        .collect();
    ok(&json!({ "artifacts": out }))
}

/// `GET /artifacts/{id}/content-url` → `{url}`: a single-use, unauthenticated link like a presigned S3 GET. It
/// is absolute and points at Mantle's own listener, as a presigned URL points at the store whatever way the
/// client reached Mantle.
pub(crate) async fn content_url(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult {
    let user = caller(&shared, &headers)?;
    bump(&shared.counters.content_url_fetches);
    let (content, media) = {
        let store = lock(&shared.store);
        let row = store.find_readable(&user.id, &id).ok_or_else(ApiError::not_found)?;
        let ctx: Value = serde_json::from_str(&row.context).unwrap_or(Value::Null);
        if ctx.get("content_key").and_then(Value::as_str).is_none() {
            return Err(ApiError::detail(StatusCode::NOT_FOUND, "No downloadable content for this artifact"));
        }
        let media = str_field(&ctx, "content_type").unwrap_or("text/plain").to_owned();
        (row.content.clone(), media)
    };
    let token = random_hex(24);
    lock(&shared.content_tokens).insert(token.clone(), (content, media));
    ok(&json!({ "url": format!("{}/_content/{token}", shared.urls.mantle) }))
}

/// `GET /_content/{token}`: the stored bytes, once per token (the stand-in for S3).
pub(crate) async fn content(State(shared): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    match lock(&shared.content_tokens).remove(&token) {
        Some((bytes, media)) => {
            let media = HeaderValue::from_str(&media).unwrap_or(HeaderValue::from_static("text/plain"));
            (StatusCode::OK, [(header::CONTENT_TYPE, media)], bytes.to_string()).into_response()
        }
        None => (StatusCode::FORBIDDEN, "AccessDenied: the link is invalid or was already used").into_response(),
    }
}
