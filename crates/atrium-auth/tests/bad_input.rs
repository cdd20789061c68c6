//! Bad answers from authorization servers, over real HTTP on 127.0.0.1: each ends in a clear error and no token.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use atrium_auth::client::ClientOptions;
use atrium_auth::discovery::{BearerChallenge, discover};
use atrium_auth::flow::{AuthorizationRequest, authorize};
use atrium_auth::grant::{SignIn, sign_in_to_server};
use atrium_auth::{AuthError, CallbackListener, Endpoints, HeadlessBrowser, OAuthClient, OAuthHttp};
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::json;
use tokio_util::sync::CancellationToken;

/// How the test authorization server misbehaves.
#[derive(Clone, Copy)]
enum Fault {
    /// `/authorize` redirects back with another `state`.
    WrongState,
    /// `/authorize` shows a page and never redirects.
    NoRedirect,
    /// `/token` answers an HTML page.
    HtmlToken,
    /// The metadata names another issuer.
    ForeignIssuer,
}

/// A JSON answer (axum here is built without its `json` feature).
fn json_body(value: serde_json::Value) -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

struct Server {
    base: String,
    token_requests: Arc<AtomicU32>,
}

async fn serve(fault: Fault) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://127.0.0.1:{}", listener.local_addr().expect("addr").port());
    let token_requests = Arc::new(AtomicU32::new(0));
    let state = (fault, base.clone(), token_requests.clone());
    type S = (Fault, String, Arc<AtomicU32>);
    let app = axum::Router::new()
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(|State((_, base, _)): State<S>| async move {
                json_body(json!({"resource": format!("{base}/mcp"), "authorization_servers": [base]}))
            }),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(|State((fault, base, _)): State<S>| async move {
                let issuer = if matches!(fault, Fault::ForeignIssuer) {
                    "https://evil.example.com".to_owned()
                } else {
                    base.clone()
                };
                json_body(json!({
                    "issuer": issuer,
                    "authorization_endpoint": format!("{base}/authorize"),
                    "token_endpoint": format!("{base}/token"),
                    "registration_endpoint": format!("{base}/register"),
                    "code_challenge_methods_supported": ["S256"],
                }))
            }),
        )
        .route(
            "/authorize",
            get(|State((fault, _, _)): State<S>, Query(q): Query<HashMap<String, String>>| async move {
                let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
                match fault {
                    Fault::NoRedirect => Html("<h1>Sign in</h1>").into_response(),
                    Fault::WrongState => Redirect::to(&format!("{redirect}?code=abc&state=forged")).into_response(),
                    _ => {
                        let state = q.get("state").cloned().unwrap_or_default();
                        Redirect::to(&format!("{redirect}?code=abc&state={state}")).into_response()
                    }
                }
            }),
        )
        .route(
            "/token",
            post(|State((fault, _, count)): State<S>| async move {
                count.fetch_add(1, Ordering::SeqCst);
                let response: Response = match fault {
                    Fault::HtmlToken => Html("<html><body>Welcome to our portal</body></html>").into_response(),
                    _ => json_body(json!({"access_token": "t", "token_type": "Bearer", "expires_in": 3600}))
                        .into_response(),
                };
                response
            }),
        )
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Server { base, token_requests }
}

async fn run_flow(server: &Server, limit: Duration) -> Result<atrium_auth::TokenSet, AuthError> {
    run_flow_until(server, limit, &CancellationToken::new()).await
}

async fn run_flow_until(
    server: &Server,
    limit: Duration,
    cancel: &CancellationToken,
) -> Result<atrium_auth::TokenSet, AuthError> {
    let http = OAuthHttp::new();
    let endpoints = Endpoints::explicit(&format!("{}/authorize", server.base), &format!("{}/token", server.base), None)
        .expect("endpoints");
    let client = OAuthClient::public("test-client");
    let listener = CallbackListener::bind(None).await.expect("listener");
    let request = AuthorizationRequest {
        endpoints: &endpoints,
        client: &client,
        scope: None,
        resource: None,
        check_issuer: false,
    };
    authorize(&http, request, listener, &HeadlessBrowser::new(), limit, cancel).await
}

#[tokio::test]
async fn a_redirect_with_a_wrong_state_is_ignored_and_never_exchanged() {
    // It is no answer to this sign-in: the flow keeps waiting for the real one (here, until its time is up).
    let server = serve(Fault::WrongState).await;
    let err = run_flow(&server, Duration::from_millis(1500)).await.expect_err("no answer");
    assert_eq!(err, AuthError::CallbackTimeout { seconds: 1 });
    assert_eq!(server.token_requests.load(Ordering::SeqCst), 0, "the forged code was never exchanged");
}

/// A browser on a machine where another local process got to the callback first: before the person's browser
/// follows the real redirect, a forged answer (another `state`, another code) reaches the listener.
struct RacedBrowser {
    forged_status: std::sync::Mutex<Option<u16>>,
}

impl atrium_auth::Browser for RacedBrowser {
    fn open<'a>(&'a self, url: &'a str) -> futures::future::BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            let parsed = url::Url::parse(url).expect("url");
            let redirect =
                parsed.query_pairs().find(|(k, _)| k == "redirect_uri").expect("redirect_uri").1.into_owned();
            let forged = reqwest::get(format!("{redirect}?code=stolen&state=forged")).await.expect("forged request");
            *self.forged_status.lock().expect("lock") = Some(forged.status().as_u16());
            HeadlessBrowser::new().open(url).await
        })
    }
}

#[tokio::test]
async fn a_forged_callback_during_a_sign_in_does_not_abort_it() {
    let http = OAuthHttp::new();
    // An authorization server that redirects with the flow's own state and issues a token (its metadata is not
    // read by the flow).
    let ok = serve(Fault::ForeignIssuer).await;
    let endpoints =
        Endpoints::explicit(&format!("{}/authorize", ok.base), &format!("{}/token", ok.base), None).expect("endpoints");
    let client = OAuthClient::public("test-client");
    let listener = CallbackListener::bind(None).await.expect("listener");
    let request = AuthorizationRequest {
        endpoints: &endpoints,
        client: &client,
        scope: None,
        resource: None,
        check_issuer: false,
    };
    let browser = RacedBrowser { forged_status: std::sync::Mutex::new(None) };
    let tokens = authorize(&http, request, listener, &browser, Duration::from_secs(10), &CancellationToken::new())
        .await
        .expect("the real answer still signs in");
    assert_eq!(tokens.access_token.expose(), "t");
    assert_eq!(*browser.forged_status.lock().expect("lock"), Some(400), "the forged answer was turned away");
    assert_eq!(ok.token_requests.load(Ordering::SeqCst), 1, "only the real code was exchanged");
}

#[tokio::test]
async fn a_callback_that_never_comes_times_out_clearly() {
    let server = serve(Fault::NoRedirect).await;
    let err = run_flow(&server, Duration::from_millis(800)).await.expect_err("timed out");
    assert_eq!(err, AuthError::CallbackTimeout { seconds: 0 });
    assert!(err.to_string().contains("No sign-in answer arrived"), "{err}");
    assert_eq!(server.token_requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_token_endpoint_that_answers_html_is_named_and_no_token_comes_back() {
    let server = serve(Fault::HtmlToken).await;
    let err = run_flow(&server, Duration::from_secs(10)).await.expect_err("not JSON");
    match &err {
        AuthError::NotJson { url, content_type } => {
            assert_eq!(url, &format!("{}/token", server.base));
            assert!(content_type.starts_with("text/html"), "{content_type}");
        }
        other => panic!("expected NotJson, got {other:?}"),
    }
    assert_eq!(server.token_requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn metadata_naming_a_foreign_issuer_is_not_trusted() {
    let server = serve(Fault::ForeignIssuer).await;
    let http = OAuthHttp::new();
    let url = format!("{}/mcp", server.base);
    let err = discover(&http, &url, &BearerChallenge::default()).await.expect_err("foreign issuer");
    assert_eq!(
        err,
        AuthError::IssuerMismatch { expected: server.base.clone(), found: "https://evil.example.com".into() }
    );
    // The whole sign-in stops there: nothing registered, nothing opened, no token.
    let sign_in = SignIn {
        http: &http,
        browser: &HeadlessBrowser::new(),
        limit: Duration::from_secs(5),
        cancel: &CancellationToken::new(),
    };
    let options = ClientOptions { client_name: "Atrium".into(), ..ClientOptions::default() };
    let err =
        sign_in_to_server(&sign_in, &url, &BearerChallenge::default(), &options, None).await.expect_err("refused");
    assert_eq!(err.code(), "issuer_mismatch");
    assert_eq!(server.token_requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_good_flow_returns_the_token_and_the_listener_serves_only_its_own_host() {
    let server = serve(Fault::ForeignIssuer).await; // the flow itself does not read metadata
    let tokens = run_flow(&server, Duration::from_secs(10)).await.expect("signed in");
    assert_eq!(tokens.access_token.expose(), "t");
    assert!(tokens.expires_at.is_some());
    // A rebinding attempt (another Host) is refused by the loopback listener.
    let listener = CallbackListener::bind(None).await.expect("listener");
    let response = reqwest::Client::new()
        .get(format!("{}?code=x&state=y", listener.redirect_uri()))
        .header("Host", "evil.example.com")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 421);
}

#[tokio::test]
async fn a_cancelled_sign_in_stops_waiting_at_once() {
    let server = serve(Fault::NoRedirect).await;
    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        canceller.cancel();
    });
    let started = std::time::Instant::now();
    let err = run_flow_until(&server, Duration::from_secs(60), &cancel).await.expect_err("cancelled");
    assert_eq!(err, AuthError::Cancelled);
    // At once: nowhere near the 60 s the flow would otherwise wait.
    assert!(started.elapsed() < Duration::from_secs(20), "{:?}", started.elapsed());
}
