//! Origin: authorization code + PKCE, sign-in providers, password login (and off), refresh without rotation,
//! expired tokens.

use crate::support::*;

fn pkce() -> (String, String) {
    let verifier = "v".repeat(20) + &uuid::Uuid::new_v4().simple().to_string();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

async fn authorize(api: &Client, redirect: &str, challenge: &str, extra: &str) -> (StatusCode, String) {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("response_type", "code"),
            ("client_id", "desktop-host"),
            ("redirect_uri", redirect),
            ("scope", "read write"),
            ("state", "st-1"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ])
        .finish();
    let resp = api.http.get(format!("{}/auth/authorize?{q}{extra}", api.origin)).send().await.expect("authorize");
    let status = resp.status();
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    if location.is_empty() {
        return (status, resp.text().await.unwrap_or_default());
    }
    (status, location)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_code_with_pkce() {
    let double = PlatformDouble::start().await.expect("start");
    let api = Client::new(&double);
    let (_, discovery) = api.get("/.well-known/openid-configuration", "/.well-known/openid-configuration").await;
    assert_eq!(discovery["issuer"], double.url().as_str());
    assert_eq!(discovery["token_endpoint"], format!("{}/auth/token", double.url()));
    assert_eq!(discovery["code_challenge_methods_supported"], json!(["S256", "plain"]));

    let redirect = "http://127.0.0.1:53123/callback";
    let (verifier, challenge) = pkce();
    let (status, location) = authorize(&api, redirect, &challenge, "").await;
    assert_eq!(status, StatusCode::FOUND);
    let location = url::Url::parse(&location).expect("location");
    assert!(location.as_str().starts_with(redirect));
    let params: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(params.get("state").map(String::as_str), Some("st-1"));
    let code = params.get("code").expect("code").clone();
    assert_eq!(code.len(), 32);

    let grant = |verifier: String| {
        let code = code.clone();
        let api = &api;
        async move {
            api.form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", redirect),
                ("client_id", "desktop-host"),
                ("code_verifier", &verifier),
            ])
            .await
        }
    };
    let (status, body) = grant("wrong-verifier-wrong-verifier-wrong-verifier".into()).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({ "detail": "Invalid code_verifier" })));
    let (status, tokens) = grant(verifier.clone()).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["expires_in"], 43200);
    assert_eq!(tokens["scope"], "read write");
    let access = tokens["access_token"].as_str().expect("access");
    assert_eq!(access.split('.').count(), 3);
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(access.split('.').nth(1).expect("claims")).expect("b64"))
            .expect("claims json");
    assert_eq!(claims["client_id"], "desktop-host");
    assert_eq!(claims["aud"], double.url().as_str());
    assert_eq!(claims["sub"], double.user().id.as_str());
    assert!(tokens["refresh_token"].is_string());
    let (status, body) = grant(verifier).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({ "detail": "Invalid or expired authorization code" })));

    let (status, body) = authorize(&api, "https://evil.example/cb", &challenge, "").await;
    assert_eq!((status, body.as_str()), (StatusCode::FORBIDDEN, r#"{"detail":"Invalid redirect_uri"}"#));
    let (status, _) = authorize(&api, "agience://callback", &challenge, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = authorize(&api, redirect, "too-short", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, body) =
        api.form(&[("grant_type", "client_credentials"), ("client_id", "x"), ("client_secret", "y")]).await;
    assert_eq!((status, body["error"].clone()), (StatusCode::UNAUTHORIZED, json!("invalid_client")));
    let (status, _) = api.form(&[("grant_type", "password")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_has_no_rotation_and_outlives_expired_access_tokens() {
    let double = PlatformDouble::start().await.expect("start");
    let anon = Client::new(&double);
    let (status, body) = anon.login("ada", "wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (_, tokens) = anon.login("ada@example.org", "correct-horse-battery").await;
    assert_eq!(tokens["scope"], "read write");
    let api = Client::with_token(&double, tokens["access_token"].as_str().expect("access"));
    let (_, info) = api.get("/auth/userinfo", "/auth/userinfo").await;
    assert_eq!((info["username"].clone(), info["id"].clone()), (json!("ada"), json!(double.user().id)));
    let (status, key) = api.send(Method::POST, "/auth/keys", "/auth/keys", Some(json!({ "name": "desktop" }))).await;
    assert_eq!(status, StatusCode::CREATED);
    let key = key["key"].as_str().expect("key");
    assert!(
        key.starts_with("agc_")
            && key.len() == 36
            && key[4..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );

    double.faults().expire_tokens();
    let (status, _) = api.get("/artifacts/visible", "/artifacts/visible").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "expired access token");
    let refresh = tokens["refresh_token"].as_str().expect("refresh");
    let (status, renewed) = anon.form(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert!(renewed.get("refresh_token").is_none(), "no rotation: {renewed}");
    let fresh = Client::with_token(&double, renewed["access_token"].as_str().expect("access"));
    let (status, _) = fresh.get("/artifacts/visible", "/artifacts/visible").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = anon.form(&[("grant_type", "refresh_token"), ("refresh_token", "nope")]).await;
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({ "detail": "Invalid refresh token" })));

    double.set_access_ttl(1);
    let short = Client::with_token(&double, &double.access_token(&double.user()));
    assert_eq!(short.get("/artifacts/visible", "/artifacts/visible").await.0, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(short.get("/artifacts/visible", "/artifacts/visible").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(double.stats().refreshes, 1);
    double.shutdown().await;
}

/// An authorization request as a desktop client makes it, plus `extra` query text: (status, location or body).
async fn authorize_with(double: &PlatformDouble, extra: &str) -> (StatusCode, String) {
    let api = Client::new(double);
    let (_, challenge) = pkce();
    authorize(&api, "http://127.0.0.1:53123/callback", &challenge, extra).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn providers_are_listed_and_authorize_defaults_to_google() {
    let double = PlatformDouble::start().await.expect("start");
    let api = Client::new(&double);
    let (status, providers) = api.get("/auth/providers", "/auth/providers").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        providers,
        json!({
            "providers": [
                { "name": "google", "label": "Google", "type": "oidc" },
                { "name": "entra", "label": "Microsoft", "type": "oidc" },
            ],
            "password": true,
            "otp": false,
        })
    );
    // No provider named: Origin's default, google.
    let (status, location) = authorize_with(&double, "").await;
    assert_eq!(status, StatusCode::FOUND, "{location}");
    assert!(location.contains("code="), "{location}");
    let (status, _) = authorize_with(&double, "&provider=entra").await;
    assert_eq!(status, StatusCode::FOUND);
    let (status, body) = authorize_with(&double, "&provider=github").await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&body).expect("json")),
        (StatusCode::BAD_REQUEST, json!({ "detail": "Unknown or unconfigured provider: github" }))
    );
    // The checks before the provider's still come first.
    let (status, _) = authorize(&api, "https://evil.example/cb", &pkce().1, "&provider=github").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let used = double.stats().authorize_providers;
    assert_eq!(used, [("entra".to_owned(), 1), ("google".to_owned(), 1)].into_iter().collect());
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_install_without_google_or_passwords() {
    let options = DoubleOptions {
        providers: vec![DoubleProvider::new("entra", "Microsoft"), DoubleProvider::new("apple", "Apple")],
        password_enabled: false,
        ..DoubleOptions::default()
    };
    let double = PlatformDouble::start_with(options).await.expect("start");
    let api = Client::new(&double);
    let (_, providers) = api.get("/auth/providers", "/auth/providers").await;
    let names: Vec<&str> =
        providers["providers"].as_array().expect("list").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["apple", "entra"], "sorted by label");
    assert_eq!((providers["password"].clone(), providers["otp"].clone()), (json!(false), json!(false)));

    // A client that names no provider gets Origin's default, which this install does not have.
    let (status, body) = authorize_with(&double, "").await;
    assert_eq!(
        (status, serde_json::from_str::<Value>(&body).expect("json")),
        (StatusCode::BAD_REQUEST, json!({ "detail": "Unknown or unconfigured provider: google" }))
    );
    let (status, _) = authorize_with(&double, "&provider=entra").await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(double.stats().authorize_providers.get("entra"), Some(&1));
    assert_eq!(double.stats().authorize_providers.get("google"), None);

    let (status, body) = api.login("ada", "correct-horse-battery").await;
    assert_eq!((status, body), (StatusCode::NOT_FOUND, json!({ "detail": "Password auth is disabled" })));
    // FastAPI validates the body before the handler looks at the setting.
    let (status, _) = api.raw(Method::POST, "/auth/password/login", Some(r#"{"identifier":"ada"}"#.into())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(double.stats().token_grants, 0);
    double.shutdown().await;
}
