//! Origin: OIDC discovery, the authorization-code + PKCE flow (the double plays the upstream IdP and approves at
//! once), the token endpoint, password login, userinfo and personal API keys. Error shapes follow Origin's code:
//! `HTTPException` → `{"detail": ...}`; only the client-credentials path answers `{"error": ...}`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::http::{ApiError, ApiResult, caller, json_body, json_response, ok, str_field};
use super::openapi;
use super::state::{Shared, lock, random_token};

/// Codes (and their PKCE state) live this long, like Origin's in-memory cache.
const CODE_TTL: Duration = Duration::from_secs(600);

/// A pending authorization code.
#[derive(Clone, Debug)]
pub(crate) struct AuthCode {
    user_id: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    challenge: Option<(String, String)>,
    issued: Instant,
}

/// `GET /.well-known/openid-configuration`, plus the double's two non-standard hints `mantle_uri` and
/// `chorus_uri` (the real Origin does not send them; here all three services share one base).
pub(crate) async fn openid_configuration(State(shared): State<Arc<Shared>>) -> ApiResult {
    let base = &shared.base;
    ok(&json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/auth/authorize"),
        "token_endpoint": format!("{base}/auth/token"),
        "userinfo_endpoint": format!("{base}/auth/userinfo"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "scopes_supported": ["read", "write", "openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "mantle_uri": base,
        "chorus_uri": base,
    }))
}

/// `GET /auth/providers`.
pub(crate) async fn providers() -> ApiResult {
    ok(&json!({
        "providers": [{ "name": "double", "label": "Double IdP", "type": "oidc" }],
        "password": true,
        "otp": false,
    }))
}

/// `is_client_redirect_allowed`: http(s) only; the Origin base, two tool sites, any loopback http URI, and
/// (because this Origin is local) `http://localhost:3000-8999`.
fn redirect_allowed(base: &str, uri: &str) -> bool {
    let Ok(parsed) = url::Url::parse(uri) else { return false };
    if !matches!(parsed.scheme(), "http" | "https") {
        return false;
    }
    let origin = parsed.origin().ascii_serialization();
    if origin == base || origin == "https://vscode.dev" || origin == "https://oauth.pstmn.io" {
        return true;
    }
    let host = parsed.host_str().unwrap_or_default();
    if parsed.scheme() == "http" && (host == "127.0.0.1" || host == "localhost") {
        return true;
    }
    host == "localhost" && parsed.port().is_some_and(|p| (3000..9000).contains(&p))
}

/// `GET /auth/authorize`: validates like Origin, then approves at once as the default user (or `login_hint`).
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult {
    let missing: Vec<Value> = ["response_type", "client_id", "redirect_uri"]
        .iter()
        .filter(|k| !q.contains_key(**k))
        .map(|k| json!({"type": "missing", "loc": ["query", k], "msg": "Field required", "input": null}))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::validation(missing));
    }
    let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
    if get("response_type") != Some("code") {
        return Err(ApiError::detail(StatusCode::BAD_REQUEST, "Unsupported response_type. Only 'code' is supported."));
    }
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    if !redirect_allowed(&shared.base, &redirect_uri) {
        return Err(ApiError::detail(StatusCode::FORBIDDEN, "Invalid redirect_uri"));
    }
    let method = get("code_challenge_method").unwrap_or("S256").to_owned();
    let challenge = match get("code_challenge") {
        Some(c) => {
            if method != "S256" && method != "plain" {
                return Err(ApiError::detail(StatusCode::BAD_REQUEST, "Unsupported code_challenge_method."));
            }
            if !(43..=128).contains(&c.chars().count()) {
                return Err(ApiError::detail(
                    StatusCode::BAD_REQUEST,
                    "code_challenge must be between 43 and 128 characters",
                ));
            }
            Some((c.to_owned(), method))
        }
        None => None,
    };
    if let Some(provider) = get("provider").filter(|p| *p != "double") {
        return Err(ApiError::detail(StatusCode::BAD_REQUEST, format!("Unknown or unconfigured provider: {provider}")));
    }
    let user = match get("login_hint") {
        Some(hint) => lock(&shared.users).iter().find(|u| u.username == hint || u.email == hint).cloned(),
        None => Some(shared.default_user()),
    };
    let mut target =
        url::Url::parse(&redirect_uri).map_err(|_| ApiError::detail(StatusCode::FORBIDDEN, "Invalid redirect_uri"))?;
    let Some(user) = user else {
        // The IdP refused: Origin redirects back with an OAuth error.
        let mut pairs = target.query_pairs_mut();
        pairs.append_pair("error", "access_denied").append_pair("error_description", "User not allowed");
        if let Some(state) = get("state") {
            pairs.append_pair("state", state);
        }
        drop(pairs);
        return Ok(redirect(target.as_str()));
    };
    let code = random_token(32);
    let entry = AuthCode {
        user_id: user.id,
        client_id: q.get("client_id").cloned().unwrap_or_default(),
        redirect_uri,
        scope: get("scope").unwrap_or("read").to_owned(),
        challenge,
        issued: Instant::now(),
    };
    {
        let mut codes = lock(&shared.codes);
        codes.retain(|_, c| c.issued.elapsed() < CODE_TTL);
        codes.insert(code.clone(), entry);
    }
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = get("state") {
        target.query_pairs_mut().append_pair("state", state);
    }
    Ok(redirect(target.as_str()))
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response()
}

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

fn token_pair(shared: &Shared, user: &super::DoubleUser, client_id: &str, scope: &str) -> Value {
    let (access, _) = shared.mint(user, client_id, false);
    let (refresh, _) = shared.mint(user, client_id, true);
    json!({
        "access_token": access, "token_type": "bearer",
        "expires_in": shared.access_ttl.load(std::sync::atomic::Ordering::Relaxed),
        "refresh_token": refresh, "scope": scope,
    })
}

/// `POST /auth/password/login` `{identifier, password}` (identifier: username, or email if it has an `@`).
pub(crate) async fn password_login(State(shared): State<Arc<Shared>>, body: Bytes) -> ApiResult {
    let body = json_body("POST", "/auth/password/login", &body)?;
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

#[cfg(test)]
mod tests {
    use super::redirect_allowed;

    #[test]
    fn redirect_rules() {
        let base = "http://127.0.0.1:9";
        assert!(redirect_allowed(base, "http://127.0.0.1:54321/callback"));
        assert!(redirect_allowed(base, "http://localhost:1/cb"));
        assert!(redirect_allowed(base, "https://vscode.dev/redirect"));
        assert!(!redirect_allowed(base, "agience://callback"));
        assert!(!redirect_allowed(base, "https://evil.example/cb"));
        assert!(!redirect_allowed(base, "https://127.0.0.1:5/cb"));
    }
}
