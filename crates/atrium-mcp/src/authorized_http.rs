//! rmcp's streamable HTTP client with the server's credentials on every request: the header is fetched afresh
//! each time (so a token renewed mid-session is used at once), and a 401/403 is shown to the credentials, which
//! may renew the token or sign in again before the request is retried.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use reqwest::header::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_client::{
    AuthRequiredError, SseError, StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
};
use sse_stream::Sse;

use serde_json::Value;

use crate::credentials::{Credentials, Verdict};
use crate::discovery::root_cause;
use crate::error::{Failure, FailureCode};
use crate::raw::{RawSender, RawSide};

/// The header naming the protocol revision of the session (sent on every request after `initialize`).
const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");

/// At most this many tries per request: the first, a retry after a renewal, and one after a sign-in.
const MAX_TRIES: u32 = 4;

type Headers = HashMap<HeaderName, HeaderValue>;
type HttpResult<T> = Result<T, StreamableHttpError<reqwest::Error>>;

/// The streamable HTTP client of one server.
#[derive(Clone)]
pub(crate) struct AuthorizedHttp {
    pub(crate) inner: reqwest::Client,
    pub(crate) credentials: Arc<Credentials>,
    /// The session as rmcp runs it (its id and protocol version), for raw requests on the same session.
    pub(crate) session: Arc<Mutex<HttpSession>>,
}

/// What a raw request needs to join rmcp's session.
#[derive(Debug, Default)]
pub(crate) struct HttpSession {
    endpoint: Option<Arc<str>>,
    id: Option<Arc<str>>,
    protocol_version: Option<HeaderValue>,
}

impl AuthorizedHttp {
    /// A client for one server's session.
    pub(crate) fn new(inner: reqwest::Client, credentials: Arc<Credentials>) -> Self {
        AuthorizedHttp { inner, credentials, session: Arc::default() }
    }

    /// Notes what rmcp sends with each request, so raw requests can join its session.
    fn note_session(&self, uri: &Arc<str>, session_id: &Option<Arc<str>>, custom: &Headers) {
        let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
        session.endpoint = Some(uri.clone());
        if session_id.is_some() {
            session.id = session_id.clone();
        }
        if let Some(version) = custom.get(&PROTOCOL_VERSION) {
            session.protocol_version = Some(version.clone());
        }
    }

    /// A raw JSON-RPC message on rmcp's session: the answer when the server sent it in reply (JSON, or the matching
    /// message of an event stream, whose other messages go to `raw`), `None` for an accepted notification.
    async fn post_raw(&self, message: Value, raw: &RawSide) -> Result<Option<Value>, Failure> {
        let (endpoint, id, version) = {
            let session = self.session.lock().unwrap_or_else(|p| p.into_inner());
            (session.endpoint.clone(), session.id.clone(), session.protocol_version.clone())
        };
        let endpoint =
            endpoint.ok_or_else(|| Failure::new(FailureCode::NotConnected, "The session is not open yet."))?;
        let mut custom = Headers::new();
        if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id).ok()) {
            custom.insert(HeaderName::from_static("mcp-session-id"), value);
        }
        if let Some(version) = version {
            custom.insert(PROTOCOL_VERSION, version);
        }
        let lost = |e: reqwest::Error| {
            Failure::new(
                FailureCode::ConnectionError,
                format!("The request did not reach the server: {}.", root_cause(&e)),
            )
        };
        let renewal_failed =
            || Failure::new(FailureCode::AuthError, "The server's credentials could not be renewed: sign in again.");
        // A 401 or 403 is shown to the credentials, as rmcp's own requests are (a renewal, a step-up sign-in).
        let mut tries = 0;
        let response = loop {
            tries += 1;
            let (headers, token) = self.headers(&custom).await.map_err(|_| renewal_failed())?;
            let mut request = self
                .inner
                .post(endpoint.as_ref())
                .header(reqwest::header::ACCEPT, "application/json, text/event-stream")
                .header(reqwest::header::CONTENT_TYPE, "application/json");
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let response = request.body(message.to_string()).send().await.map_err(lost)?;
            let forbidden = response.status() == reqwest::StatusCode::FORBIDDEN;
            if !(forbidden || response.status() == reqwest::StatusCode::UNAUTHORIZED) || tries >= MAX_TRIES {
                break response;
            }
            let challenge = response
                .headers()
                .get(reqwest::header::WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            match self.credentials.refused(token.as_deref(), &challenge, forbidden).await {
                Verdict::Retry => continue,
                Verdict::GiveUp => return Err(renewal_failed()),
            }
        };
        let status = response.status();
        if status == reqwest::StatusCode::ACCEPTED || status == reqwest::StatusCode::NO_CONTENT {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(Failure::new(FailureCode::ConnectionError, format!("The server answered HTTP {status}.")));
        }
        let is_events = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/event-stream"));
        let wanted = message.get("id").cloned();
        if !is_events {
            let body = response.bytes().await.map_err(lost)?;
            let value: Value = serde_json::from_slice(&body).map_err(|e| {
                Failure::new(FailureCode::ProtocolError, format!("The server's answer is not JSON: {e}."))
            })?;
            return Ok(Some(value));
        }
        // An event stream: the other messages (progress, …) go where every server message goes; it ends with ours.
        let mut events = sse_stream::SseStream::from_bytes_stream(response.bytes_stream());
        while let Some(event) = events.next().await {
            let Ok(event) = event else { break };
            let Some(data) = event.data else { continue };
            let Ok(value) = serde_json::from_str::<Value>(&data) else { continue };
            if wanted.is_some() && value.get("id") == wanted.as_ref() && value.get("method").is_none() {
                return Ok(Some(value));
            }
            let left = match wanted.as_ref().and_then(Value::as_str) {
                Some(id) => raw.on_stream_of(id, value),
                None => raw.incoming(value),
            };
            // A request of the server's that nobody here takes (rmcp never sees this stream) is answered at once,
            // so the server is never left waiting on it.
            if let Some(answer) = left.as_ref().and_then(unanswerable) {
                let http = self.clone();
                let endpoint = endpoint.clone();
                let custom = custom.clone();
                tokio::spawn(async move {
                    let Ok((headers, _)) = http.headers(&custom).await else { return };
                    let mut request =
                        http.inner.post(endpoint.as_ref()).header(reqwest::header::CONTENT_TYPE, "application/json");
                    for (name, value) in headers {
                        request = request.header(name, value);
                    }
                    let _ = request.body(answer.to_string()).send().await;
                });
            }
        }
        Err(Failure::new(FailureCode::ConnectionError, "The server ended its answer before answering."))
    }
}

/// The answer to a request the server sent on a raw request's event stream with no caller to take it: a ping is
/// answered, anything else refused (JSON-RPC "method not found", with why).
fn unanswerable(message: &Value) -> Option<Value> {
    let method = message.get("method").and_then(Value::as_str)?;
    let id = message.get("id").filter(|id| !id.is_null())?;
    if method == "ping" {
        return Some(serde_json::json!({"jsonrpc": "2.0", "id": id, "result": {}}));
    }
    Some(serde_json::json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601,
        "message": format!("{method} cannot be answered here: nobody is asking on this request's behalf.")}}))
}

/// Raw messages posted on rmcp's session.
pub(crate) struct HttpRawSender {
    pub(crate) http: AuthorizedHttp,
    pub(crate) raw: std::sync::Weak<RawSide>,
}

impl RawSender for HttpRawSender {
    fn send(&self, message: Value) -> BoxFuture<'_, Result<Option<Value>, Failure>> {
        Box::pin(async move {
            let raw =
                self.raw.upgrade().ok_or_else(|| Failure::new(FailureCode::NotConnected, "The session has ended."))?;
            self.http.post_raw(message, &raw).await
        })
    }
}

impl AuthorizedHttp {
    /// The request's headers with the credentials' header added; the bearer token sent, if any.
    async fn headers(&self, custom: &Headers) -> HttpResult<(Headers, Option<String>)> {
        let mut headers = custom.clone();
        match self.credentials.header().await {
            Ok(Some((name, value, token))) => {
                headers.insert(name, value);
                Ok((headers, token))
            }
            Ok(None) => Ok((headers, None)),
            // Renewing failed: the credentials' state says why; the transport sees an auth failure.
            Err(failure) => Err(StreamableHttpError::AuthRequired(AuthRequiredError::new(format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                failure.message.replace('"', "'")
            )))),
        }
    }

    /// Runs `send` with the credentials, retrying while the credentials say a retry can succeed.
    async fn with_credentials<T, F, Fut>(&self, custom: &Headers, mut send: F) -> HttpResult<T>
    where
        F: FnMut(Headers) -> Fut,
        Fut: Future<Output = HttpResult<T>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            let (headers, token) = self.headers(custom).await?;
            let (challenge, forbidden) = match send(headers).await {
                Err(StreamableHttpError::AuthRequired(e)) if tries < MAX_TRIES => (e.www_authenticate_header, false),
                Err(StreamableHttpError::InsufficientScope(e)) if tries < MAX_TRIES => {
                    (e.www_authenticate_header, true)
                }
                other => return other,
            };
            match self.credentials.refused(token.as_deref(), &challenge, forbidden).await {
                Verdict::Retry => continue,
                Verdict::GiveUp if forbidden => {
                    return Err(StreamableHttpError::InsufficientScope(
                        rmcp::transport::streamable_http_client::InsufficientScopeError::new(challenge, None),
                    ));
                }
                Verdict::GiveUp => return Err(StreamableHttpError::AuthRequired(AuthRequiredError::new(challenge))),
            }
        }
    }
}

impl StreamableHttpClient for AuthorizedHttp {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: Headers,
    ) -> HttpResult<StreamableHttpPostResponse> {
        self.note_session(&uri, &session_id, &custom_headers);
        self.with_credentials(&custom_headers, |headers| {
            self.inner.post_message(uri.clone(), message.clone(), session_id.clone(), None, headers)
        })
        .await
    }

    async fn post_message_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: Headers,
        max_sse_event_size: usize,
    ) -> HttpResult<StreamableHttpPostResponse> {
        self.note_session(&uri, &session_id, &custom_headers);
        self.with_credentials(&custom_headers, |headers| {
            self.inner.post_message_with_max_sse_event_size(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                None,
                headers,
                max_sse_event_size,
            )
        })
        .await
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        _auth_header: Option<String>,
        custom_headers: Headers,
    ) -> HttpResult<()> {
        // Closing a session is best effort: no renewal, no sign-in.
        let (headers, _) = self.headers(&custom_headers).await?;
        self.inner.delete_session(uri, session_id, None, headers).await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _auth_header: Option<String>,
        custom_headers: Headers,
    ) -> HttpResult<BoxStream<'static, Result<Sse, SseError>>> {
        self.with_credentials(&custom_headers, |headers| {
            self.inner.get_stream(uri.clone(), session_id.clone(), last_event_id.clone(), None, headers)
        })
        .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _auth_header: Option<String>,
        custom_headers: Headers,
        max_sse_event_size: usize,
    ) -> HttpResult<BoxStream<'static, Result<Sse, SseError>>> {
        self.with_credentials(&custom_headers, |headers| {
            self.inner.get_stream_with_max_sse_event_size(
                uri.clone(),
                session_id.clone(),
                last_event_id.clone(),
                None,
                headers,
                max_sse_event_size,
            )
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::unanswerable;
    use serde_json::json;

    #[test]
    fn a_request_nobody_takes_is_answered_at_once_and_nothing_else_is() {
        let ask = json!({"jsonrpc": "2.0", "id": 7, "method": "elicitation/create", "params": {"message": "Who?"}});
        let answer = unanswerable(&ask).expect("an answer");
        assert_eq!((answer["id"].clone(), answer["error"]["code"].clone()), (json!(7), json!(-32601)));
        assert!(answer["error"]["message"].as_str().is_some_and(|m| m.starts_with("elicitation/create")));
        let ping = unanswerable(&json!({"jsonrpc": "2.0", "id": "p", "method": "ping"})).expect("pong");
        assert_eq!(ping, json!({"jsonrpc": "2.0", "id": "p", "result": {}}));
        assert_eq!(unanswerable(&json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {}})), None);
        assert_eq!(unanswerable(&json!({"jsonrpc": "2.0", "id": 1, "result": {}})), None);
    }
}
