//! Origin's front door: OIDC discovery, the sign-in providers, the setup status and the authorization
//! endpoint (the double plays the upstream IdP and approves at once). Error shapes follow Origin's code:
//! `HTTPException` → `{"detail": ...}`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult, ok};
use super::http::request_base;
use super::state::{AuthCode, CODE_TTL, Shared};
use super::util::{lock, random_token};

/// `GET /.well-known/openid-configuration`: the twelve fields the real Origin sends, built on the base URL the
/// request arrived on (`request.base_url`), so the front URL through the front and Origin's own directly. The
/// non-standard `mantle_uri` and `chorus_uri` are added only when the double was asked to advertise them.
pub(crate) async fn openid_configuration(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> ApiResult {
    let base = request_base(&headers, shared.urls.platform());
    let mut doc = json!({
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
    });
    if shared.options.advertise_service_urls
        && let Some(obj) = doc.as_object_mut()
    {
        obj.insert("mantle_uri".into(), json!(shared.urls.mantle_hint()));
        obj.insert("chorus_uri".into(), json!(shared.urls.chorus_hint()));
    }
    ok(&doc)
}

/// `GET /auth/providers`: the configured providers sorted by label, whether passwords work, and no OTP.
pub(crate) async fn providers(State(shared): State<Arc<Shared>>) -> ApiResult {
    let mut providers = shared.options.providers.clone();
    providers.sort_by(|a, b| a.label.cmp(&b.label));
    let listed: Vec<Value> =
        providers.iter().map(|p| json!({ "name": p.name, "label": p.label, "type": "oidc" })).collect();
    ok(&json!({ "providers": listed, "password": shared.options.password_enabled, "otp": false }))
}

/// `GET /setup/status`: an install that is set up and ready.
pub(crate) async fn setup_status() -> ApiResult {
    ok(&json!({ "needs_setup": false, "ready": true, "version": "origin", "env_defaults": {} }))
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

/// `GET /auth/authorize`: validates like Origin, then, standing in for the named provider, approves at once as
/// the default user (or `login_hint`) and redirects back with a code.
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
    if !redirect_allowed(shared.urls.platform(), &redirect_uri) {
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
    // Origin's `provider` query parameter defaults to google; a provider that is not configured is refused.
    let provider = q.get("provider").map_or("google", String::as_str);
    if !shared.options.providers.iter().any(|p| p.name == provider) {
        return Err(ApiError::detail(StatusCode::BAD_REQUEST, format!("Unknown or unconfigured provider: {provider}")));
    }
    // The double has no upstream IdP: the provider "approves" at once, and the test can see which was named.
    shared.count_authorize(provider);
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
