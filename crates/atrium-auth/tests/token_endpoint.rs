//! The token endpoint and revocation over real HTTP on 127.0.0.1, through the `oauth2` crate and Atrium's own HTTP
//! client: the client authentication the server supports (a server that takes only `client_secret_post`, like the
//! Agience platform; `private_key_jwt` checked with the public key), refresh, revocation, and bad answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atrium_auth::discovery::token_endpoint_metadata;
use atrium_auth::token::{self, TokenKind};
use atrium_auth::{AuthError, ClientAuthMethod, OAuthClient, OAuthHttp, Sensitive, SigningAlg, TokenEndpoint};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};

const CLIENT_ID: &str = "svc-client";
const SECRET: &str = "s3cret-value";

/// A JSON answer (axum here is built without its `json` feature).
fn json_body(status: StatusCode, value: Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

fn refuse(status: StatusCode, error: &str, description: &str) -> Response {
    json_body(status, json!({"error": error, "error_description": description}))
}

/// A token request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    path: &'static str,
    form: HashMap<String, String>,
    authorization: Option<String>,
}

#[derive(Clone)]
struct Shared {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// The public half of the client's key, for `/jwt/token`.
    public_key: Vec<u8>,
}

impl Shared {
    fn record(&self, path: &'static str, headers: &HeaderMap, body: &str) -> Seen {
        let seen = Seen {
            path,
            form: url::form_urlencoded::parse(body.as_bytes()).into_owned().collect(),
            authorization: headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned),
        };
        self.seen.lock().expect("lock").push(seen.clone());
        seen
    }

    fn seen(&self, path: &str) -> Vec<Seen> {
        self.seen.lock().expect("lock").iter().filter(|s| s.path == path).cloned().collect()
    }
}

/// `/auth/token` as the Agience platform's Origin has it: the client authenticates in the form only
/// (`client_secret_post`; `none` for public clients), so HTTP Basic is refused with `invalid_client`. Refresh
/// tokens are not rotated.
async fn post_only_token(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let seen = shared.record("/auth/token", &headers, &body);
    let form = |key: &str| seen.form.get(key).map(String::as_str);
    match form("grant_type") {
        Some("client_credentials") => {
            if form("client_id") != Some(CLIENT_ID) || form("client_secret") != Some(SECRET) {
                return refuse(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "client_id and client_secret go in the form",
                );
            }
            json_body(
                StatusCode::OK,
                json!({"access_token": "cc-token", "token_type": "bearer", "expires_in": 3600, "scope": form("scope")}),
            )
        }
        Some("refresh_token") if form("refresh_token") == Some("refresh-1") => {
            json_body(StatusCode::OK, json!({"access_token": "renewed", "token_type": "Bearer", "expires_in": 60}))
        }
        Some("refresh_token") => refuse(StatusCode::BAD_REQUEST, "invalid_grant", "the refresh token is unknown"),
        _ => refuse(StatusCode::BAD_REQUEST, "unsupported_grant_type", "no"),
    }
}

/// A token endpoint that takes only `private_key_jwt`: the assertion must verify with the client's public key, be
/// for this server's issuer and about the client.
async fn jwt_token(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let seen = shared.record("/jwt/token", &headers, &body);
    let form = |key: &str| seen.form.get(key).map(String::as_str);
    if form("client_assertion_type") != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        || form("client_secret").is_some()
        || seen.authorization.is_some()
    {
        return refuse(StatusCode::UNAUTHORIZED, "invalid_client", "private_key_jwt only");
    }
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[shared.base.as_str()]);
    validation.set_issuer(&[CLIENT_ID]);
    validation.set_required_spec_claims(&["iss", "sub", "aud", "exp", "jti"]);
    let key = jsonwebtoken::DecodingKey::from_ec_der(&shared.public_key);
    match jsonwebtoken::decode::<Value>(form("client_assertion").unwrap_or_default(), &key, &validation) {
        Ok(data) if data.claims["sub"] == CLIENT_ID => {
            json_body(StatusCode::OK, json!({"access_token": "jwt-token", "token_type": "Bearer", "expires_in": 300}))
        }
        Ok(_) => refuse(StatusCode::UNAUTHORIZED, "invalid_client", "the assertion is about someone else"),
        Err(e) => refuse(StatusCode::UNAUTHORIZED, "invalid_client", &format!("the assertion does not verify: {e}")),
    }
}

async fn revoke(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    shared.record("/revoke", &headers, &body);
    // RFC 7009: an empty 200.
    StatusCode::OK.into_response()
}

struct Server {
    base: String,
    shared: Shared,
    key_pem: Sensitive<String>,
}

async fn serve() -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("a key");
    let der = pair.to_pkcs8v1().expect("pkcs8");
    let text = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let lines: Vec<&str> = text.as_bytes().chunks(64).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    let key_pem =
        Sensitive::new(format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", lines.join("\n")));
    let shared = Shared { base: base.clone(), seen: Arc::default(), public_key: pair.public_key().as_ref().to_vec() };
    let app = axum::Router::new()
        // No RFC 8414 document: the OpenID configuration is where this server's metadata is (as on Origin).
        .route(
            "/.well-known/openid-configuration",
            get(|State(shared): State<Shared>| async move {
                let base = &shared.base;
                json_body(
                    StatusCode::OK,
                    json!({
                        "issuer": base,
                        "authorization_endpoint": format!("{base}/auth/authorize"),
                        "token_endpoint": format!("{base}/auth/token"),
                        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
                        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
                    }),
                )
            }),
        )
        .route("/auth/token", post(post_only_token))
        .route("/jwt/token", post(jwt_token))
        .route("/revoke", post(revoke))
        .route(
            "/moved/token",
            post(|| async { (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, "/auth/token")]).into_response() }),
        )
        .route(
            "/huge/token",
            post(|| async {
                let padding = "x".repeat(2 * 1024 * 1024);
                json_body(StatusCode::OK, json!({"access_token": "t", "token_type": "Bearer", "padding": padding}))
            }),
        )
        .route(
            "/broken/token",
            post(|| async {
                (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/plain")], "Internal Server Error")
            }),
        )
        .with_state(shared.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Server { base, shared, key_pem }
}

fn secret() -> Sensitive<String> {
    Sensitive::new(SECRET.to_owned())
}

#[tokio::test]
async fn client_credentials_at_a_post_only_token_endpoint_use_the_method_its_metadata_lists() {
    let server = serve().await;
    let http = OAuthHttp::new();
    let token_url = format!("{}/auth/token", server.base);
    // The token URL was given by hand: its authorization server's metadata is found at its origin.
    let endpoint = token_endpoint_metadata(&http, &token_url).await.expect("read").expect("found");
    assert_eq!(endpoint.issuer.as_deref(), Some(server.base.as_str()));
    assert_eq!(endpoint.auth_methods, ["none", "client_secret_post"]);
    let client = OAuthClient::machine(CLIENT_ID, secret(), None, None, &endpoint.auth_methods).expect("a client");
    assert_eq!(client.auth_method, ClientAuthMethod::ClientSecretPost);
    let before = token::now();
    let tokens = token::client_credentials(&http, &endpoint, &client, Some("read write"), None).await.expect("a token");
    assert_eq!(tokens.access_token.expose(), "cc-token");
    assert_eq!(tokens.scope.as_deref(), Some("read write"));
    let expires_at = tokens.expires_at.expect("an expiry");
    assert!((before + 3600..=token::now() + 3600).contains(&expires_at), "absolute expiry: {expires_at}");
    let sent = server.shared.seen("/auth/token");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].authorization, None, "no HTTP Basic");
    assert_eq!(sent[0].form.get("client_secret").map(String::as_str), Some(SECRET));
    assert_eq!(sent[0].form.get("scope").map(String::as_str), Some("read write"));

    // The same credential by HTTP Basic (what Atrium used to send) is refused, and the refusal is the server's.
    let basic = OAuthClient::machine(CLIENT_ID, secret(), Some(ClientAuthMethod::ClientSecretBasic), None, &[])
        .expect("a client");
    let err = token::client_credentials(&http, &endpoint, &basic, None, None).await.expect_err("Basic is refused");
    assert_eq!(
        err,
        AuthError::Refused {
            error: "invalid_client".into(),
            description: Some("client_id and client_secret go in the form".into())
        }
    );
    assert!(err.grant_is_dead());
    let sent = server.shared.seen("/auth/token");
    assert!(sent[1].authorization.as_deref().is_some_and(|a| a.starts_with("Basic ")));
    assert!(!err.to_string().contains(SECRET), "{err}");
}

#[tokio::test]
async fn a_private_key_signs_an_assertion_the_server_verifies_with_the_public_key() {
    let server = serve().await;
    let http = OAuthHttp::new();
    let endpoint = TokenEndpoint {
        url: format!("{}/jwt/token", server.base),
        issuer: Some(server.base.clone()),
        auth_methods: vec!["private_key_jwt".into()],
    };
    let client =
        OAuthClient::machine(CLIENT_ID, server.key_pem.clone(), None, None, &endpoint.auth_methods).expect("a client");
    assert_eq!(client.auth_method, ClientAuthMethod::PrivateKeyJwt { alg: None });
    let tokens = token::client_credentials(&http, &endpoint, &client, None, Some("https://mcp.example/mcp"))
        .await
        .expect("the assertion verifies");
    assert_eq!(tokens.access_token.expose(), "jwt-token");
    let sent = &server.shared.seen("/jwt/token")[0];
    assert_eq!(sent.form.get("client_id").map(String::as_str), Some(CLIENT_ID));
    assert_eq!(sent.form.get("resource").map(String::as_str), Some("https://mcp.example/mcp"));
    // The key itself never travels.
    let key_line = server.key_pem.expose().lines().nth(1).unwrap_or("-").to_owned();
    assert!(sent.form.values().all(|v| !v.contains("PRIVATE KEY") && !v.contains(&key_line)));

    // Signed for another audience (the token URL, when the issuer is unknown), the server refuses it.
    let unknown_issuer = TokenEndpoint { issuer: None, ..endpoint.clone() };
    let err = token::client_credentials(&http, &unknown_issuer, &client, None, None).await.expect_err("wrong aud");
    assert!(matches!(&err, AuthError::Refused { error, .. } if error == "invalid_client"), "{err:?}");
    // An algorithm that does not fit the key is said before anything is sent.
    let mismatched =
        OAuthClient::machine(CLIENT_ID, server.key_pem.clone(), None, Some(SigningAlg::Rs256), &[]).expect("a client");
    let sent_before = server.shared.seen("/jwt/token").len();
    let err = token::client_credentials(&http, &endpoint, &mismatched, None, None).await.expect_err("RS256 on EC");
    assert_eq!(err.code(), "config");
    assert!(!err.to_string().contains("BEGIN"), "{err}");
    assert_eq!(server.shared.seen("/jwt/token").len(), sent_before);
}

#[tokio::test]
async fn a_refresh_without_a_new_refresh_token_keeps_the_old_one_and_a_refused_one_is_dead() {
    let server = serve().await;
    let http = OAuthHttp::new();
    let token_url = format!("{}/auth/token", server.base);
    let client = OAuthClient::public("desktop-host");
    let old = Sensitive::new("refresh-1".to_owned());
    let tokens = token::refresh(&http, &token_url, &client, &old, None).await.expect("renewed");
    assert_eq!(tokens.access_token.expose(), "renewed");
    assert_eq!(tokens.refresh_token.as_ref().map(|t| t.expose().as_str()), Some("refresh-1"));
    let sent = &server.shared.seen("/auth/token")[0];
    assert_eq!(sent.form.get("client_id").map(String::as_str), Some("desktop-host"));
    let stale = Sensitive::new("refresh-0".to_owned());
    let err = token::refresh(&http, &token_url, &client, &stale, None).await.expect_err("refused");
    assert!(err.grant_is_dead(), "{err:?}");
    assert!(!err.to_string().contains("refresh-0"), "{err}");
}

#[tokio::test]
async fn bad_token_endpoints_end_in_clear_errors_naming_the_endpoint() {
    let server = serve().await;
    let http = OAuthHttp::new();
    let client = OAuthClient::machine(CLIENT_ID, secret(), Some(ClientAuthMethod::ClientSecretPost), None, &[])
        .expect("a client");
    let at = |path: &str| TokenEndpoint::bare(format!("{}{path}", server.base));

    // A redirect is never followed: the secret does not go to wherever it points.
    let err = token::client_credentials(&http, &at("/moved/token"), &client, None, None).await.expect_err("moved");
    assert_eq!(err, AuthError::Redirected { url: format!("{}/moved/token", server.base) });
    assert!(server.shared.seen("/auth/token").is_empty(), "the redirect was not followed");

    let err = token::client_credentials(&http, &at("/huge/token"), &client, None, None).await.expect_err("huge");
    assert!(matches!(&err, AuthError::Malformed { reason, .. } if reason.contains("1 MB")), "{err:?}");

    let err = token::client_credentials(&http, &at("/broken/token"), &client, None, None).await.expect_err("500");
    assert_eq!(err, AuthError::Status { url: format!("{}/broken/token", server.base), status: 500 });

    // Not a token endpoint at all: the server's own 404 page is not taken for an answer.
    let err = token::client_credentials(&http, &at("/nothing?code=abc"), &client, None, None).await.expect_err("404");
    assert_eq!(err, AuthError::Status { url: format!("{}/nothing", server.base), status: 404 });
    assert!(!err.to_string().contains(SECRET) && !err.to_string().contains("abc"), "{err}");
}

#[tokio::test]
async fn revocation_on_a_loopback_endpoint_sends_the_token_and_its_hint() {
    let server = serve().await;
    let http = OAuthHttp::new();
    let client = OAuthClient::machine(CLIENT_ID, secret(), Some(ClientAuthMethod::ClientSecretBasic), None, &[])
        .expect("a client");
    let url = format!("{}/revoke", server.base);
    let token = Sensitive::new("refresh-9".to_owned());
    token::revoke(&http, &url, &client, &token, TokenKind::Refresh).await.expect("revoked");
    let sent = &server.shared.seen("/revoke")[0];
    assert_eq!(sent.form.get("token").map(String::as_str), Some("refresh-9"));
    assert_eq!(sent.form.get("token_type_hint").map(String::as_str), Some("refresh_token"));
    assert!(sent.authorization.as_deref().is_some_and(|a| a.starts_with("Basic ")));
    // Plain http anywhere but this machine is refused before anything is sent.
    let err = token::revoke(&http, "http://example.com/revoke", &client, &token, TokenKind::Access)
        .await
        .expect_err("insecure");
    assert_eq!(err.code(), "config");
}
