//! The double's own control surface under `/_double/` (no auth, on every listener), for the standalone mode:
//! faults, stats, seeding and concurrent remote edits. Not part of the platform.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, ok};
use super::http::str_field;
use super::remote::Remote;
use super::state::Shared;

fn body_object(bytes: &[u8]) -> Result<Value, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(ApiError::detail(StatusCode::UNPROCESSABLE_ENTITY, "expected a JSON object")),
    }
}

/// `POST /_double/faults {fail_next?, malformed_next?, latency_ms?, drop_sockets?, expire_tokens?, reset?}` → 204.
pub(crate) async fn faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Result<Response, ApiError> {
    let body = body_object(&body)?;
    let faults = &shared.faults;
    let flag = |k: &str| body.get(k).and_then(Value::as_bool).unwrap_or(false);
    let count = |k: &str| body.get(k).and_then(Value::as_u64).map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    // Reset first, so one call can reset and then set new faults.
    if flag("reset") {
        faults.reset();
    }
    if let Some(n) = count("fail_next") {
        faults.fail_next(n);
    }
    if let Some(n) = count("malformed_next") {
        faults.malformed_next(n);
    }
    if let Some(ms) = body.get("latency_ms").and_then(Value::as_u64) {
        faults.set_latency(ms);
    }
    if flag("drop_sockets") {
        faults.drop_sockets();
    }
    if flag("expire_tokens") {
        faults.expire_tokens();
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /_double/stats` → the counters.
pub(crate) async fn stats(State(shared): State<Arc<Shared>>) -> ApiResult {
    ok(&shared.stats())
}

/// `POST /_double/seed {container_id?, workspace_name?, count, content_bytes?}` → `{container_id}`.
pub(crate) async fn seed(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let remote = Remote { shared: shared.clone() };
    let container_id = match str_field(&body, "container_id") {
        Some(id) => {
            remote.get(id).ok_or_else(ApiError::not_found)?;
            id.to_owned()
        }
        None => {
            let name = str_field(&body, "workspace_name").unwrap_or("Seeded workspace");
            str_field(&remote.create_workspace(name), "id").unwrap_or_default().to_owned()
        }
    };
    let count = body.get("count").and_then(Value::as_u64).unwrap_or(0);
    let bytes = body.get("content_bytes").and_then(Value::as_u64).unwrap_or(64);
    remote.seed(&container_id, usize::try_from(count).unwrap_or(0), usize::try_from(bytes).unwrap_or(0));
    ok(&json!({ "container_id": container_id }))
}

/// `POST /_double/edit {id, title?, content?}`: a concurrent edit by another client of the default user.
pub(crate) async fn edit(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let id = str_field(&body, "id").unwrap_or_default();
    let remote = Remote { shared };
    let updated = remote.update(id, str_field(&body, "title"), str_field(&body, "content"));
    ok(&updated.ok_or_else(ApiError::not_found)?)
}

/// `POST /_double/delete {id}` → `{"id", "deleted"}`.
pub(crate) async fn delete(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = body_object(&body)?;
    let id = str_field(&body, "id").unwrap_or_default();
    let deleted = Remote { shared }.delete(id);
    ok(&json!({ "id": id, "deleted": deleted }))
}
