//! The loopback redirect (RFC 8252 §7.3): a listener on `127.0.0.1`, bound before the authorization URL is minted,
//! that takes exactly one answer at `/callback`, checks its `state` (and `iss`, RFC 9207), and shows the person a
//! page saying what happened.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::error::AuthError;

/// What the listener expects, and where the one answer goes.
struct Expecting {
    port: u16,
    state: Mutex<Option<(String, Option<String>)>>,
    answer: Mutex<Option<oneshot::Sender<Result<String, AuthError>>>>,
}

/// A bound loopback redirect listener. Dropping it stops it.
pub struct CallbackListener {
    port: u16,
    expecting: Arc<Expecting>,
    answer: oneshot::Receiver<Result<String, AuthError>>,
    stop: CancellationToken,
}

impl std::fmt::Debug for CallbackListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CallbackListener(127.0.0.1:{})", self.port)
    }
}

impl Drop for CallbackListener {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl CallbackListener {
    /// Binds `127.0.0.1`, on `preferred_port` when it is free (a registered redirect URI names its port), else on
    /// any free port.
    pub async fn bind(preferred_port: Option<u16>) -> Result<Self, AuthError> {
        let preferred = match preferred_port {
            Some(port) => tokio::net::TcpListener::bind(("127.0.0.1", port)).await.ok(),
            None => None,
        };
        let listener = match preferred {
            Some(listener) => listener,
            None => {
                tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| AuthError::Listener(e.to_string()))?
            }
        };
        let port = listener.local_addr().map_err(|e| AuthError::Listener(e.to_string()))?.port();
        let (sender, answer) = oneshot::channel();
        let expecting = Arc::new(Expecting { port, state: Mutex::new(None), answer: Mutex::new(Some(sender)) });
        let stop = CancellationToken::new();
        let app = axum::Router::new().route("/callback", axum::routing::get(callback)).with_state(expecting.clone());
        let until = stop.clone();
        tokio::spawn(async move {
            let served = axum::serve(listener, app).with_graceful_shutdown(until.cancelled_owned()).await;
            if let Err(err) = served {
                tracing::warn!("the sign-in listener stopped: {err}");
            }
        });
        Ok(CallbackListener { port, expecting, answer, stop })
    }

    /// The redirect URI to register and send.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Arms the listener for one flow: the `state` it must see, and the issuer an `iss` parameter must name.
    pub(crate) fn expect(&self, state: &str, issuer: Option<&str>) {
        if let Ok(mut slot) = self.expecting.state.lock() {
            *slot = Some((state.to_owned(), issuer.map(str::to_owned)));
        }
    }

    /// Waits for the answer: the authorization code, or why there is none.
    pub(crate) async fn wait(mut self, limit: Duration, cancel: &CancellationToken) -> Result<String, AuthError> {
        let outcome = tokio::select! {
            answer = &mut self.answer => answer.unwrap_or(Err(AuthError::Cancelled)),
            () = tokio::time::sleep(limit) => Err(AuthError::CallbackTimeout { seconds: limit.as_secs() }),
            () = cancel.cancelled() => Err(AuthError::Cancelled),
        };
        // Let the page reach the browser before the listener goes.
        tokio::time::sleep(Duration::from_millis(50)).await;
        outcome
    }
}

async fn callback(
    State(expecting): State<Arc<Expecting>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    // DNS rebinding: only the address the redirect URI names (or localhost on the same port) is served.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if host != format!("127.0.0.1:{}", expecting.port) && host != format!("localhost:{}", expecting.port) {
        return (StatusCode::MISDIRECTED_REQUEST, "wrong host").into_response();
    }
    let outcome = judge(&expecting, &query);
    let Some(outcome) = outcome else {
        return page(StatusCode::BAD_REQUEST, "Nothing to do here", "This address only takes the answer of a sign-in.");
    };
    let sender = expecting.answer.lock().ok().and_then(|mut s| s.take());
    let Some(sender) = sender else {
        return page(
            StatusCode::CONFLICT,
            "Already done",
            "This sign-in has already been answered. You can close this tab.",
        );
    };
    let response = match &outcome {
        Ok(_) => page(StatusCode::OK, "You are signed in", "You can close this tab and return to Atrium."),
        Err(err) => {
            page(StatusCode::BAD_REQUEST, "Sign-in did not complete", &format!("{err} Return to Atrium to try again."))
        }
    };
    let _ = sender.send(outcome);
    response
}

/// The flow's outcome from the redirect's parameters; `None` for a request that is no answer at all.
fn judge(expecting: &Expecting, query: &HashMap<String, String>) -> Option<Result<String, AuthError>> {
    let code = query.get("code");
    let error = query.get("error");
    if code.is_none() && error.is_none() {
        return None;
    }
    let armed = expecting.state.lock().ok().and_then(|s| s.clone());
    let Some((state, issuer)) = armed else { return Some(Err(AuthError::StateMismatch)) };
    // The state is compared first: an answer that does not carry it is not an answer to this flow.
    if query.get("state").map(String::as_str) != Some(state.as_str()) {
        return Some(Err(AuthError::StateMismatch));
    }
    if let (Some(iss), Some(expected)) = (query.get("iss"), issuer)
        && iss.trim_end_matches('/') != expected.trim_end_matches('/')
    {
        return Some(Err(AuthError::IssuerMismatch { expected, found: iss.chars().take(200).collect() }));
    }
    if let Some(error) = error {
        return Some(Err(AuthError::Denied {
            error: error.chars().take(100).collect(),
            description: query.get("error_description").map(|d| d.chars().take(300).collect()),
        }));
    }
    code.filter(|c| !c.is_empty()).map(|c| Ok(c.clone()))
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let ok = status == StatusCode::OK;
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Atrium: {title}</title>\
         <meta name=\"viewport\" content=\"width=device-width\"><style>\
         body{{font:16px/1.5 system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0;\
         background:#f6f7f9;color:#1d2330}}main{{background:#fff;padding:2rem 2.5rem;border-radius:12px;\
         box-shadow:0 2px 12px #0001;max-width:28rem}}h1{{font-size:1.25rem;margin:0 0 .5rem;color:{color}}}\
         @media(prefers-color-scheme:dark){{body{{background:#15181e;color:#e4e7ee}}main{{background:#1e222a}}}}\
         </style></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>",
        title = escape(title),
        text = escape(text),
        color = if ok { "#1f7a4d" } else { "#b3261e" },
    );
    let mut response = (status, Html(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    response
}
