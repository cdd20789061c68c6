//! Origin's grants: the token endpoint (authorization code with PKCE, refresh without rotation, client
//! credentials refused), password login, userinfo and personal API keys. Error shapes follow Origin's code:
//! `HTTPException` → `{"detail": ...}`; only the client-credentials path answers `{"error": ...}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::error::{ApiError, ApiResult, json_response, ok};
use super::http::{caller, json_body, str_field};
use super::model::DoubleUser;
use super::openapi;
use super::state::{CODE_TTL, Shared};
use super::util::lock;

fn bad(detail: &str) -> ApiError {
    ApiError::detail(StatusCode::BAD_REQUEST, detail)
}

/// `POST /auth/token` (form-urlencoded).
pub(crate) async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let as_json = Value::Object(form.iter().map(|(k, v)| (k.clone(), json!(v))).collect());
    openapi::validate_request_body("POST", "/auth/token", &as_json).map_err(ApiError::validation)?;
    let field = |k: &str| form.get(k).map(String::as_str).filter(|v| !v.is_empty());
    match field("grant_type").unwrap_or_default() {
        "authorization_code" => {
            let (Some(code), Some(redirect_uri), Some(client_id), Some(verifier)) =
                (field("code"), field("redirect_uri"), field("client_id"), field("code_verifier"))
            else {
                return Err(bad(
                    "Missing one or more required parameters: code, redirect_uri, client_id, code_verifier",
                ));
            };
            code_grant(&shared, code, redirect_uri, client_id, verifier)
        }
        "refresh_token" => {
            let token = field("refresh_token").ok_or_else(|| bad("Missing required parameter: refresh_token"))?;
            let rec = shared.verify_refresh(token).ok_or_else(|| bad("Invalid refresh token"))?;
            let mut claims = rec.claims.clone();
            if let Some(obj) = claims.as_object_mut() {
                for k in ["exp", "iat", "token_type", "iss"] {
                    obj.remove(k);
                }
            }
            let (access, _) = shared.mint_claims(&rec.user_id, &mut claims, false);
            shared.count_grant("refresh_token");
            ok(&json!({
                "access_token": access, "token_type": "bearer",
                "expires_in": shared.access_ttl.load(std::sync::atomic::Ordering::Relaxed),
                "scope": "read write",
            }))
        }
        "client_credentials" => {
            let status = if field("client_id").is_some() && field("client_secret").is_some() {
                (
                    StatusCode::UNAUTHORIZED,
                    json!({"error": "invalid_client", "error_description": "Unknown or inactive client_id"}),
                )
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    json!({"error": "invalid_request", "error_description": "client_id and client_secret are required"}),
                )
            };
            Err(ApiError::new(status.0, status.1))
        }
        _ => Err(bad(
            "Unsupported grant_type. Only 'authorization_code', 'refresh_token', and 'client_credentials' are supported.",
        )),
    }
}

fn code_grant(shared: &Shared, code: &str, redirect_uri: &str, client_id: &str, verifier: &str) -> ApiResult {
    let mut codes = lock(&shared.codes);
    let entry = codes.get(code).cloned().ok_or_else(|| bad("Invalid or expired authorization code"))?;
    if entry.client_id != client_id {
        return Err(bad("Invalid client_id"));
    }
    if entry.redirect_uri != redirect_uri {
        return Err(bad("Invalid redirect_uri"));
    }
    if entry.issued.elapsed() > CODE_TTL {
        codes.remove(code);
        return Err(bad("Authorization code expired"));
    }
    if let Some((challenge, method)) = &entry.challenge {
        let computed = if method == "S256" {
            URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
        } else {
            verifier.to_owned()
        };
        // A wrong verifier leaves the code usable, as Origin does; only success consumes it.
        if computed != *challenge {
            return Err(bad("Invalid code_verifier"));
        }
    }
    codes.remove(code);
    drop(codes);
    let user = shared.user_by_id(&entry.user_id).ok_or_else(|| bad("Invalid or expired authorization code"))?;
    shared.count_grant("authorization_code");
    ok(&token_pair(shared, &user, client_id, &entry.scope))
}

fn token_pair(shared: &Shared, user: &DoubleUser, client_id: &str, scope: &str) -> Value {
    let (access, _) = shared.mint(user, client_id, false);
    let (refresh, _) = shared.mint(user, client_id, true);
    json!({
        "access_token": access, "token_type": "bearer",
        "expires_in": shared.access_ttl.load(std::sync::atomic::Ordering::Relaxed),
        "refresh_token": refresh, "scope": scope,
    })
}

/// `POST /auth/password/login` `{identifier, password}` (identifier: username, or email if it has an `@`).
///
/// FastAPI validates the body before the handler runs, so a bad body is a 422 even when passwords are off.
pub(crate) async fn password_login(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = json_body("POST", "/auth/password/login", &body)?;
    if !shared.options.password_enabled {
        return Err(ApiError::detail(StatusCode::NOT_FOUND, "Password auth is disabled"));
    }
    let identifier = str_field(&body, "identifier").unwrap_or_default().trim().to_owned();
    let password = str_field(&body, "password").unwrap_or_default();
    if identifier.is_empty() || password.is_empty() {
        return Err(bad("Username and password are required"));
    }
    let user = lock(&shared.users)
        .iter()
        .find(|u| {
            if identifier.contains('@') { u.email.eq_ignore_ascii_case(&identifier) } else { u.username == identifier }
        })
        .cloned();
    let user = user
        .filter(|u| u.password == password)
        .ok_or_else(|| ApiError::detail(StatusCode::UNAUTHORIZED, "Invalid username or password"))?;
    shared.count_grant("password");
    ok(&token_pair(&shared, &user, "agience-client", "read write"))
}

/// `GET /auth/userinfo`.
pub(crate) async fn userinfo(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    let user = caller(&shared, &headers)?;
    ok(&json!({
        "id": user.id, "google_id": "", "oidc_provider": "", "oidc_subject": "",
        "email": user.email, "name": user.username, "username": user.username, "picture": null,
        "preferences": {}, "has_password": true, "created_time": null, "modified_time": null,
        "roles": [], "platform_user_id": "00000000-0000-0000-0000-000000000000",
    }))
}

/// `POST /auth/keys` (user JWT) → 201 `APIKeyCreateResponse` with the raw `agc_` key shown once.
pub(crate) async fn create_key(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> ApiResult {
    let user = caller(&shared, &headers)?;
    let body = json_body("POST", "/auth/keys", &body)?;
    let key = shared.mint_api_key(&user.id);
    let (_, now) = shared.clock.tick();
    let opt = |k: &str| body.get(k).cloned().unwrap_or(Value::Null);
    let scopes = body
        .get("scopes")
        .filter(|s| !s.is_null())
        .cloned()
        .unwrap_or_else(|| json!(["resource:*:read", "resource:*:search", "resource:*:list", "resource:*:invoke"]));
    let filters = body
        .get("resource_filters")
        .filter(|s| !s.is_null())
        .cloned()
        .unwrap_or_else(|| json!({"workspaces": "*", "collections": "*"}));
    let out = json!({
        "id": uuid::Uuid::new_v4().to_string(), "user_id": user.id, "name": opt("name"),
        "client_id": opt("client_id"), "host_id": opt("host_id"), "server_id": opt("server_id"),
        "agent_id": opt("agent_id"), "display_label": opt("display_label"),
        "issued_by_user_id": user.id, "created_from_client_id": null,
        "scopes": scopes, "resource_filters": filters, "created_time": now, "modified_time": null,
        "expires_at": opt("expires_at"), "last_used_at": null, "is_active": true, "key": key,
    });
    Ok(json_response(StatusCode::CREATED, &out))
}
