//! Origin's resource grants (`/auth/grants*`, `grants_router.py` over `grant_service.py`): invites (share links)
//! and direct grants on an artifact, listed by resource, read, revoked and claimed. Response shapes are
//! `_grant_response`; an invite's answer adds `claim_token` (`agc_` + 43 url-safe characters, stored only as its
//! SHA-256) and `claim_url` (`{AUTHORITY_ISSUER}/invite/{token}`, the web app's claim page).
//!
//! As on the platform: an invite needs share or admin on the resource, listing needs admin, an invite's granter
//! may revoke it (anyone else needs admin); `max_claims` left out means 1, and the first claim of a one-claim
//! invite revokes it; the role comes from `role`, else from the flags when they match a preset exactly, else
//! `viewer` (so read+update alone is a viewer invite); `expires_at` is stored but not checked at claim; a
//! revoked grant stays listed with `state: "revoked"`; ids that are not UUIDs are a 500. `invite-context` (no
//! sign-in) and `invite-details` say what a live token opens.
//! Difference: Origin checks its own grant rows only; here the owner of a container holds admin on it and on
//! every version of every artifact in it (Mantle's creator grant, which Origin does not see), and a claim does
//! not widen what Mantle lets the claimer read.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::error::{ApiError, ApiResult, json_response, ok};
use super::http::{caller, json_body, str_field};
use super::state::{GrantRow, Shared};
use super::util::{iso_from_micros, lock, random_bytes};

/// The CRUDEASIO flags, in `_grant_response` order.
const FLAGS: [&str; 9] = [
    "can_create",
    "can_read",
    "can_update",
    "can_delete",
    "can_evict",
    "can_invoke",
    "can_add",
    "can_share",
    "can_admin",
];

/// `grant_service.ROLE_PRESETS`: the flags each role turns on (all others off).
const ROLES: [(&str, &[&str]); 4] = [
    ("viewer", &["can_read"]),
    ("editor", &["can_create", "can_read", "can_update", "can_delete", "can_evict"]),
    (
        "collaborator",
        &["can_create", "can_read", "can_update", "can_delete", "can_evict", "can_invoke", "can_add", "can_share"],
    ),
    ("admin", &FLAGS),
];

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// `secrets.token_urlsafe(32)` behind the `agc_` prefix.
fn claim_token() -> String {
    use base64::Engine as _;
    format!("agc_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32)))
}

/// A UUID as Python's `str(uuid.UUID(value))` gives it, else the 500 an uncaught `ValueError` is.
fn uuid_of(value: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(value).map(|u| u.to_string()).map_err(|_| internal())
}

fn internal() -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, json!("Internal Server Error"))
}

/// `datetime.fromisoformat(s.replace("Z", "+00:00"))`, stored in a `timestamptz` and read back as UTC.
fn parse_expiry(text: &str) -> Result<String, ApiError> {
    let normalized = text.replace('Z', "+00:00");
    let micros = chrono::DateTime::parse_from_rfc3339(&normalized)
        .map(|t| t.timestamp_micros())
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(&normalized, "%Y-%m-%dT%H:%M:%S%.f")
                .map(|t| t.and_utc().timestamp_micros())
        })
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(&normalized, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp_micros())
        })
        .map_err(|_| ApiError::detail(StatusCode::BAD_REQUEST, format!("Invalid isoformat string: '{text}'")))?;
    Ok(iso_from_micros(micros))
}

/// Whether `user_id` holds admin on `resource_id`: a granted row with `can_admin`, or (the double's stand-in for
/// the creator grant) ownership of the artifact's container.
fn is_admin(shared: &Shared, user_id: &str, resource_id: &str) -> bool {
    owns(shared, user_id, resource_id) || holds(shared, user_id, resource_id, &["can_admin"])
}

fn can_share(shared: &Shared, user_id: &str, resource_id: &str) -> bool {
    owns(shared, user_id, resource_id) || holds(shared, user_id, resource_id, &["can_share", "can_admin"])
}

fn owns(shared: &Shared, user_id: &str, resource_id: &str) -> bool {
    let store = lock(&shared.store);
    store.find(resource_id).is_some_and(|row| store.readable(user_id, row))
}

fn holds(shared: &Shared, user_id: &str, resource_id: &str, flags: &[&str]) -> bool {
    lock(&shared.access_grants).iter().any(|g| {
        g["grantee_id"] == user_id
            && g["resource_id"] == resource_id
            && g["state"] == "active"
            && flags.iter().any(|f| g[*f] == true)
    })
}

fn require_admin(shared: &Shared, user_id: &str, resource_id: &str) -> Result<(), ApiError> {
    if is_admin(shared, user_id, resource_id) {
        return Ok(());
    }
    Err(ApiError::detail(StatusCode::FORBIDDEN, "Only an admin grant on the resource can manage grants"))
}

fn opt_str(body: &Value, key: &str) -> Value {
    body.get(key).filter(|v| v.is_string()).cloned().unwrap_or(Value::Null)
}

fn flag(body: &Value, key: &str) -> bool {
    // `CreateGrantRequest` defaults: can_read true, every other flag false.
    body.get(key).and_then(Value::as_bool).unwrap_or(key == "can_read")
}

/// `_role_from_bits`: the preset whose enabled flags are exactly those asked for (can_evict is not in the request).
fn role_from_bits(body: &Value) -> Option<&'static str> {
    let asked: Vec<&str> = FLAGS.iter().copied().filter(|f| *f != "can_evict" && flag(body, f)).collect();
    ROLES
        .iter()
        .find(|(_, on)| on.iter().copied().filter(|f| *f != "can_evict").eq(asked.iter().copied()))
        .map(|(n, _)| *n)
}

/// A new row with `_grant_response`'s fields, in its order.
fn new_row(shared: &Shared, fields: &[(&str, Value)]) -> GrantRow {
    let (_, now) = shared.clock.tick();
    let mut row = Map::new();
    let keys = [
        "id",
        "resource_id",
        "grantee_type",
        "grantee_id",
        "granted_by",
        "effect",
        "can_create",
        "can_read",
        "can_update",
        "can_delete",
        "can_evict",
        "can_invoke",
        "can_add",
        "can_share",
        "can_admin",
        "requires_identity",
        "read_requires_identity",
        "write_requires_identity",
        "invoke_requires_identity",
        "target_entity",
        "target_entity_type",
        "max_claims",
        "claims_count",
        "state",
        "name",
        "notes",
        "granted_at",
        "expires_at",
        "accepted_by",
        "accepted_at",
        "revoked_by",
        "revoked_at",
        "created_time",
        "modified_time",
    ];
    for key in keys {
        let value = match key {
            "id" => json!(uuid::Uuid::new_v4().to_string()),
            "effect" => json!("allow"),
            "requires_identity" => json!(false),
            "claims_count" => json!(0),
            "state" => json!("active"),
            "granted_at" | "created_time" | "modified_time" => json!(now),
            k if FLAGS.contains(&k) => json!(false),
            _ => Value::Null,
        };
        row.insert(key.to_owned(), value);
    }
    for (key, value) in fields {
        row.insert((*key).to_owned(), value.clone());
    }
    row
}

/// `POST /auth/grants` → 201: an invite (`grantee_type: "invite"`) with its claim token and URL, or a direct grant.
pub(crate) async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let body = json_body("POST", "/auth/grants", &body)?;
    let resource_id = uuid_of(str_field(&body, "resource_id").unwrap_or_default())?;
    let grantee_type = str_field(&body, "grantee_type").unwrap_or("user").to_owned();
    let invite = grantee_type == "invite";
    if invite && !can_share(&shared, &user.id, &resource_id) {
        return Err(ApiError::detail(StatusCode::FORBIDDEN, "You need share or admin permission on this resource"));
    }
    if !invite {
        require_admin(&shared, &user.id, &resource_id)?;
    }
    // An invite's bad expiry is caught (400); a direct grant's is not (500).
    let expires_at = match str_field(&body, "expires_at").filter(|s| !s.is_empty()) {
        Some(text) => json!(parse_expiry(text).map_err(|e| if invite { e } else { internal() })?),
        None => Value::Null,
    };
    let common = |extra: &mut Vec<(&str, Value)>| {
        extra.extend([
            ("resource_id", json!(resource_id)),
            ("granted_by", json!(user.id)),
            ("name", opt_str(&body, "name")),
            ("notes", opt_str(&body, "notes")),
            ("expires_at", expires_at.clone()),
        ]);
    };
    if invite {
        let email = (str_field(&body, "target_entity_type").unwrap_or_default().eq_ignore_ascii_case("email"))
            .then(|| str_field(&body, "target_entity"))
            .flatten()
            .filter(|e| !e.is_empty())
            .map(str::to_lowercase);
        let role =
            str_field(&body, "role").filter(|r| !r.is_empty()).or_else(|| role_from_bits(&body)).unwrap_or("viewer");
        let Some((_, on)) = ROLES.iter().find(|(name, _)| *name == role) else {
            return Err(ApiError::detail(
                StatusCode::BAD_REQUEST,
                format!("Unknown role '{role}'; valid roles: ['admin', 'collaborator', 'editor', 'viewer']"),
            ));
        };
        let token = claim_token();
        let mut fields: Vec<(&str, Value)> = FLAGS.iter().map(|f| (*f, json!(on.contains(f)))).collect();
        fields.extend([
            ("grantee_type", json!("invite")),
            ("grantee_id", json!(sha256_hex(&token))),
            ("requires_identity", json!(email.is_some())),
            ("target_entity", json!(email)),
            ("target_entity_type", if email.is_some() { json!("email") } else { Value::Null }),
            ("max_claims", body.get("max_claims").filter(|m| m.is_i64()).cloned().unwrap_or(json!(1))),
        ]);
        common(&mut fields);
        let row = new_row(&shared, &fields);
        lock(&shared.access_grants).push(row.clone());
        let mut out = row;
        out.insert("claim_token".into(), json!(token));
        out.insert("claim_url".into(), json!(format!("{}/invite/{token}", shared.urls.platform())));
        return Ok(json_response(StatusCode::CREATED, &out));
    }
    let mut fields: Vec<(&str, Value)> =
        FLAGS.iter().filter(|f| **f != "can_evict").map(|f| (*f, json!(flag(&body, f)))).collect();
    fields.extend([
        ("grantee_type", json!(grantee_type)),
        ("grantee_id", json!(str_field(&body, "grantee_id").unwrap_or_default())),
        ("requires_identity", json!(body.get("requires_identity").and_then(Value::as_bool).unwrap_or(false))),
        ("target_entity", opt_str(&body, "target_entity")),
        ("target_entity_type", opt_str(&body, "target_entity_type")),
        ("max_claims", body.get("max_claims").filter(|m| m.is_i64()).cloned().unwrap_or(Value::Null)),
        ("state", json!(str_field(&body, "state").unwrap_or("active"))),
    ]);
    common(&mut fields);
    let row = new_row(&shared, &fields);
    lock(&shared.access_grants).push(row.clone());
    Ok(json_response(StatusCode::CREATED, &row))
}

/// `GET /auth/grants?resource_id=…`: every grant on the resource, revoked ones included, oldest first (admin only).
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let Some(resource) = q.get("resource_id") else {
        return Err(ApiError::validation(vec![
            json!({"type": "missing", "loc": ["query", "resource_id"], "msg": "Field required", "input": null}),
        ]));
    };
    let resource_id = uuid_of(resource)?;
    require_admin(&shared, &user.id, &resource_id)?;
    let rows: Vec<GrantRow> =
        lock(&shared.access_grants).iter().filter(|g| g["resource_id"] == resource_id.as_str()).cloned().collect();
    ok(&rows)
}

fn find(shared: &Shared, id: &str) -> Result<GrantRow, ApiError> {
    let id = uuid_of(id)?;
    lock(&shared.access_grants)
        .iter()
        .find(|g| g["id"] == id.as_str())
        .cloned()
        .ok_or_else(|| ApiError::detail(StatusCode::NOT_FOUND, "Grant not found"))
}

/// `GET /auth/grants/{grant_id}`: for its grantee, its granter or an admin of the resource; 404 to anyone else.
pub(crate) async fn read(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let grant = find(&shared, &id)?;
    let resource = grant["resource_id"].as_str().unwrap_or_default();
    if grant["grantee_id"] != user.id.as_str()
        && grant["granted_by"] != user.id.as_str()
        && !is_admin(&shared, &user.id, resource)
    {
        return Err(ApiError::detail(StatusCode::NOT_FOUND, "Grant not found"));
    }
    ok(&grant)
}

/// `DELETE /auth/grants/{grant_id}`: marks it revoked (the row stays); `{id, state: "revoked"}`.
pub(crate) async fn revoke(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<String>) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let grant = find(&shared, &id)?;
    let own_invite = grant["granted_by"] == user.id.as_str() && grant["grantee_type"] == "invite";
    if !own_invite {
        require_admin(&shared, &user.id, grant["resource_id"].as_str().unwrap_or_default())?;
    }
    let (_, now) = shared.clock.tick();
    let gid = grant["id"].clone();
    if let Some(row) = lock(&shared.access_grants).iter_mut().find(|g| g["id"] == gid) {
        row.insert("state".into(), json!("revoked"));
        row.insert("revoked_by".into(), json!(user.id));
        row.insert("revoked_at".into(), json!(now));
        row.insert("modified_time".into(), json!(now));
    }
    ok(&json!({"id": id, "state": "revoked"}))
}

/// `POST /auth/grants/claim {token}` → 201: the caller's own grant copied from an active invite; the invite counts
/// the claim, and one with `max_claims: 1` is revoked by it. 404 unknown or inactive, 410 used up, 403 someone
/// else's addressed invite.
pub(crate) async fn claim(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let body = json_body("POST", "/auth/grants/claim", &body)?;
    let hash = sha256_hex(str_field(&body, "token").unwrap_or_default());
    let (_, now) = shared.clock.tick();
    let mut grants = lock(&shared.access_grants);
    let Some(invite) =
        grants.iter_mut().find(|g| g["grantee_type"] == "invite" && g["grantee_id"] == hash && g["state"] == "active")
    else {
        return Err(ApiError::detail(StatusCode::NOT_FOUND, "Invite not found or expired"));
    };
    if invite["target_entity_type"] == "email" && invite["target_entity"] != user.email.to_lowercase().as_str() {
        return Err(ApiError::detail(StatusCode::FORBIDDEN, "You are not the intended recipient of this invite"));
    }
    let count = invite["claims_count"].as_i64().unwrap_or(0);
    if invite["max_claims"].as_i64().is_some_and(|max| count >= max) {
        return Err(ApiError::detail(StatusCode::GONE, "Invite has reached its claim limit"));
    }
    invite.insert("claims_count".into(), json!(count + 1));
    invite.insert("modified_time".into(), json!(now));
    if invite["max_claims"] == 1 {
        invite.insert("state".into(), json!("revoked"));
        invite.insert("revoked_at".into(), json!(now));
        invite.insert("revoked_by".into(), json!(user.id));
    }
    let mut fields: Vec<(&str, Value)> = FLAGS.iter().map(|f| (*f, invite[*f].clone())).collect();
    fields.extend([
        ("resource_id", invite["resource_id"].clone()),
        ("grantee_type", json!("user")),
        ("grantee_id", json!(user.id)),
        ("granted_by", invite["granted_by"].clone()),
        ("requires_identity", json!(true)),
        ("name", invite["name"].clone()),
        ("notes", json!(format!("Claimed from invite {}", invite["id"].as_str().unwrap_or_default()))),
        ("expires_at", invite["expires_at"].clone()),
    ]);
    let row = new_row(&shared, &fields);
    grants.push(row.clone());
    drop(grants);
    Ok(json_response(StatusCode::CREATED, &row))
}

/// The active invite a raw token names, if any (`_lookup_active_invite`).
fn active_invite(shared: &Shared, token: &str) -> Option<GrantRow> {
    let hash = sha256_hex(token);
    lock(&shared.access_grants)
        .iter()
        .find(|g| g["grantee_type"] == "invite" && g["grantee_id"] == hash && g["state"] == "active")
        .cloned()
}

fn token_query(q: &std::collections::HashMap<String, String>) -> Result<String, ApiError> {
    q.get("token").cloned().ok_or_else(|| {
        ApiError::validation(vec![
            json!({"type": "missing", "loc": ["query", "token"], "msg": "Field required", "input": null}),
        ])
    })
}

/// `GET /auth/grants/invite-context?token=…` (no sign-in): whether the invite is live and addressed.
pub(crate) async fn invite_context(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let invite = active_invite(&shared, &token_query(&q)?)
        .ok_or_else(|| ApiError::detail(StatusCode::NOT_FOUND, "Invite not found or expired"))?;
    ok(&json!({"valid": true, "has_target": !invite["target_entity"].is_null(),
        "target_type": invite["target_entity_type"]}))
}

/// `GET /auth/grants/invite-details?token=…`: what the invite opens, for the person it is addressed to.
pub(crate) async fn invite_details(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let invite = active_invite(&shared, &token_query(&q)?)
        .ok_or_else(|| ApiError::detail(StatusCode::NOT_FOUND, "Invite not found or expired"))?;
    if invite["target_entity_type"] == "email" && invite["target_entity"] != user.email.to_lowercase().as_str() {
        return ok(&json!({"valid": true, "identity_mismatch": true}));
    }
    ok(&json!({"valid": true, "resource_id": invite["resource_id"], "granted_by": invite["granted_by"],
        "name": invite["name"]}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_come_from_exact_flag_sets() {
        assert_eq!(role_from_bits(&json!({})), Some("viewer"));
        assert_eq!(role_from_bits(&json!({"can_update": true})), None);
        let editor = json!({"can_create": true, "can_update": true, "can_delete": true});
        assert_eq!(role_from_bits(&editor), Some("editor"));
    }

    #[test]
    fn expiry_is_read_like_fromisoformat() {
        assert_eq!(parse_expiry("2030-01-02T03:04:05Z").ok().as_deref(), Some("2030-01-02T03:04:05+00:00"));
        assert_eq!(parse_expiry("2030-01-02").ok().as_deref(), Some("2030-01-02T00:00:00+00:00"));
        assert!(parse_expiry("next tuesday").is_err());
    }
}
