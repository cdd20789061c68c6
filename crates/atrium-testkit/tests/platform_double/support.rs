//! Shared helpers: an OpenAPI-checking HTTP client, WebSocket helpers and the imports every module uses.

pub(crate) use std::time::{Duration, Instant};

pub(crate) use atrium_testkit::platform::{
    DoubleLayout, DoubleOptions, DoubleProvider, INLINE_LIMIT, PlatformDouble, ROUTES, RelayFailure, RouteKind,
    Service, openapi_document, validate_request_body,
};
pub(crate) use base64::Engine as _;
pub(crate) use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
pub(crate) use futures::{SinkExt as _, StreamExt as _};
pub(crate) use reqwest::{Method, StatusCode};
pub(crate) use serde_json::{Value, json};
pub(crate) use sha2::{Digest as _, Sha256};
pub(crate) use tokio::net::TcpStream;
pub(crate) use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
pub(crate) use tokio_tungstenite::tungstenite::http::HeaderValue;
pub(crate) use tokio_tungstenite::tungstenite::{self, Message};
pub(crate) use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub(crate) const WORKSPACE_CT: &str = "application/vnd.agience.workspace+json";

/// A client of the double that checks every JSON body it sends against the platform's OpenAPI schema. Origin's
/// paths (`/auth/…`, `/setup/…`, `/.well-known/…`) go to the platform URL, as a client is given it; every other
/// path is Mantle's and goes to Mantle's own listener.
pub(crate) struct Client {
    pub(crate) http: reqwest::Client,
    /// The platform URL (the front in the front layout), where Origin answers.
    pub(crate) origin: String,
    /// Mantle's own listener.
    pub(crate) mantle: String,
    pub(crate) token: Option<String>,
}

impl Client {
    pub(crate) fn new(double: &PlatformDouble) -> Client {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Client { http, origin: double.url(), mantle: double.mantle_url(), token: None }
    }

    /// The base URL that serves a path.
    pub(crate) fn base_for(&self, path: &str) -> &str {
        let origin = ["/auth/", "/setup/", "/.well-known/"].iter().any(|p| path.starts_with(p));
        if origin { &self.origin } else { &self.mantle }
    }

    pub(crate) fn with_token(double: &PlatformDouble, token: &str) -> Client {
        Client { token: Some(token.to_owned()), ..Client::new(double) }
    }

    /// Sends a request; `template` names the OpenAPI operation whose request schema `body` must satisfy.
    pub(crate) async fn send(
        &self,
        method: Method,
        template: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        if let Some(body) = &body {
            let checked = validate_request_body(method.as_str(), template, body);
            assert!(checked.is_ok(), "test body for {method} {template} breaks the OpenAPI schema: {checked:?}");
        }
        self.raw(method, path, body.map(|b| b.to_string())).await
    }

    /// Sends a raw body (for deliberately invalid requests).
    pub(crate) async fn raw(&self, method: Method, path: &str, body: Option<String>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base_for(path)));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body);
        }
        let resp = req.send().await.expect("send");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub(crate) async fn get(&self, template: &str, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, template, path, None).await
    }

    pub(crate) async fn form(&self, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
        let as_json = Value::Object(pairs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect());
        assert!(validate_request_body("POST", "/auth/token", &as_json).is_ok(), "token form breaks the schema");
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let resp = self
            .http
            .post(format!("{}/auth/token", self.origin))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("token");
        let status = resp.status();
        (status, resp.json().await.expect("token json"))
    }

    pub(crate) async fn login(&self, identifier: &str, password: &str) -> (StatusCode, Value) {
        let body = json!({ "identifier": identifier, "password": password });
        self.send(Method::POST, "/auth/password/login", "/auth/password/login", Some(body)).await
    }

    pub(crate) async fn create_workspace(&self, name: &str) -> Value {
        let body = json!({ "name": name, "content_type": WORKSPACE_CT });
        let (status, ws) = self.send(Method::POST, "/artifacts", "/artifacts", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{ws}");
        ws
    }

    pub(crate) async fn create_child(&self, container: &str, title: &str, content: &str) -> Value {
        let context = json!({ "title": title }).to_string();
        let body = json!({ "container_id": container, "context": context, "content": content, "content_type": "text/markdown" });
        let (status, child) = self.send(Method::POST, "/artifacts", "/artifacts", Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{child}");
        child
    }

    pub(crate) async fn patch(&self, id: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, "/artifacts/{artifact_id}", &format!("/artifacts/{id}"), Some(body)).await
    }
}

pub(crate) async fn ada(double: &PlatformDouble) -> Client {
    let (status, tokens) = Client::new(double).login("ada", "correct-horse-battery").await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    Client::with_token(double, tokens["access_token"].as_str().expect("access_token"))
}

pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A WebSocket URL: `base` (a listener's URL) with `ws://` and the path.
pub(crate) fn ws_url(base: &str, path: &str) -> String {
    format!("{}{path}", base.replacen("http://", "ws://", 1))
}

/// What a WebSocket upgrade was answered with, when it was not accepted: (status, content type).
pub(crate) async fn refused_upgrade(url: &str, bearer: Option<&str>) -> (StatusCode, String) {
    match ws_connect(url, bearer).await {
        Err(tungstenite::Error::Http(resp)) => {
            let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            (StatusCode::from_u16(resp.status().as_u16()).expect("status"), ct)
        }
        Err(other) => panic!("{url}: expected an HTTP answer to the upgrade, got {other}"),
        Ok(_) => panic!("{url}: the upgrade was accepted"),
    }
}

/// A plain GET: (status, content type, body).
pub(crate) async fn fetch(url: &str) -> (StatusCode, String, String) {
    let resp = reqwest::get(url).await.expect("get");
    let status = resp.status();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, ct, resp.text().await.expect("body"))
}

pub(crate) async fn ws_connect(url: &str, bearer: Option<&str>) -> Result<Ws, tungstenite::Error> {
    let mut req = url.into_client_request()?;
    if let Some(token) = bearer {
        req.headers_mut().insert("authorization", HeaderValue::from_str(&format!("Bearer {token}")).expect("header"));
    }
    tokio_tungstenite::connect_async(req).await.map(|(ws, _)| ws)
}

/// The next text frame as JSON (pings skipped); panics after 5 s.
pub(crate) async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("a frame in time");
        match msg.expect("socket open").expect("frame") {
            Message::Text(text) => return serde_json::from_str(text.as_str()).expect("json frame"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

pub(crate) async fn send_json(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.expect("ws send");
}

/// Whether the socket ends (close frame, EOF or error) within the time.
pub(crate) async fn ends_within(ws: &mut Ws, limit: Duration) -> bool {
    tokio::time::timeout(limit, async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .is_ok()
}
