//! The loopback redirect (RFC 8252 §7.3): a listener on `127.0.0.1`, bound before the authorization URL is minted,
//! that takes exactly one answer at `/callback`, checks its `state` (and `iss`, RFC 9207), and shows the person a
//! page saying what happened — once it happened: the page waits for the code exchange, so it never says "signed
//! in" for a sign-in the authorization server then refused.
//!
//! Any local process can reach the listener. A request whose `state` is not the flow's is answered and ignored: it
//! does not use up the one answer, so a stray or forged request cannot abort the person's sign-in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::error::AuthError;

/// How long the page waits for the flow to say how the sign-in ended before it sends the person back to Atrium.
const VERDICT_WAIT: Duration = Duration::from_secs(60);

/// The one answer: the code (or why there is none), and where the flow tells the page how it ended.
type Answer = (Result<String, AuthError>, oneshot::Sender<Result<(), String>>);

/// What the listener expects, and where the one answer goes.
struct Expecting {
    port: u16,
    state: Mutex<Option<(String, Option<String>)>>,
    answer: Mutex<Option<oneshot::Sender<Answer>>>,
}

/// A bound loopback redirect listener. Dropping it stops it.
pub struct CallbackListener {
    port: u16,
    expecting: Arc<Expecting>,
    answer: oneshot::Receiver<Answer>,
    stop: CancellationToken,
}

/// How the sign-in ended, for the page the person's browser is waiting on. Dropped without a word, the page sends
/// the person back to Atrium.
#[derive(Debug)]
pub struct Verdict(oneshot::Sender<Result<(), String>>);

impl Verdict {
    /// Shows the person the outcome: signed in, or why not (a message without secrets).
    pub fn tell(self, outcome: Result<(), String>) {
        let _ = self.0.send(outcome);
    }
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

    /// Waits for the answer: the authorization code and the [`Verdict`] to report the exchange's outcome on, or
    /// why there is no code (the page has said so already).
    pub async fn wait(&mut self, limit: Duration, cancel: &CancellationToken) -> Result<(String, Verdict), AuthError> {
        let answer = tokio::select! {
            answer = &mut self.answer => answer.map_err(|_| AuthError::Cancelled)?,
            () = tokio::time::sleep(limit) => return Err(AuthError::CallbackTimeout { seconds: limit.as_secs() }),
            () = cancel.cancelled() => return Err(AuthError::Cancelled),
        };
        match answer {
            (Ok(code), verdict) => Ok((code, Verdict(verdict))),
            (Err(err), verdict) => {
                let _ = verdict.send(Err(err.to_string()));
                // Let the page reach the browser before the listener goes.
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(err)
            }
        }
    }

    /// Reports the outcome on `verdict` and gives the page a moment to reach the browser before the listener goes.
    pub async fn finish(self, verdict: Verdict, outcome: Result<(), String>) {
        verdict.tell(outcome);
        tokio::time::sleep(Duration::from_millis(50)).await;
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
    let outcome = match judge(&expecting, &query) {
        Judged::NotAnAnswer => {
            return page(
                StatusCode::BAD_REQUEST,
                "Nothing to do here",
                "This address only takes the answer of a sign-in.",
            );
        }
        Judged::Foreign => {
            tracing::warn!("the sign-in listener ignored an answer that is not for this sign-in");
            return page(
                StatusCode::BAD_REQUEST,
                "Not this sign-in",
                "This answer does not belong to the sign-in Atrium is waiting for, so it was ignored. If you are \
                 signing in, finish in the tab Atrium opened.",
            );
        }
        Judged::Answer(outcome) => outcome,
    };
    let sender = expecting.answer.lock().ok().and_then(|mut s| s.take());
    let Some(sender) = sender else {
        return page(
            StatusCode::CONFLICT,
            "Already done",
            "This sign-in has already been answered. You can close this tab.",
        );
    };
    let (verdict, told) = oneshot::channel();
    if sender.send((outcome, verdict)).is_err() {
        return page(StatusCode::GONE, "Sign-in ended", "Atrium stopped waiting for this sign-in. Return to Atrium.");
    }
    match tokio::time::timeout(VERDICT_WAIT, told).await {
        Ok(Ok(Ok(()))) => page(StatusCode::OK, "You are signed in", "You can close this tab and return to Atrium."),
        Ok(Ok(Err(reason))) => page(
            StatusCode::BAD_REQUEST,
            "Sign-in did not complete",
            &format!("{reason} Return to Atrium to try again."),
        ),
        _ => page(StatusCode::ACCEPTED, "Almost done", "Return to Atrium to see whether the sign-in completed."),
    }
}

/// What a request to the callback is.
enum Judged {
    /// Neither a code nor an error.
    NotAnAnswer,
    /// An answer, but not to this flow (no flow armed, or another `state`): ignored.
    Foreign,
    /// This flow's answer: the code, or why there is none.
    Answer(Result<String, AuthError>),
}

fn judge(expecting: &Expecting, query: &HashMap<String, String>) -> Judged {
    let code = query.get("code");
    let error = query.get("error");
    if code.is_none() && error.is_none() {
        return Judged::NotAnAnswer;
    }
    let armed = expecting.state.lock().ok().and_then(|s| s.clone());
    let Some((state, issuer)) = armed else { return Judged::Foreign };
    // The state is compared first: an answer that does not carry it is not an answer to this flow.
    if query.get("state").map(String::as_str) != Some(state.as_str()) {
        return Judged::Foreign;
    }
    if let (Some(iss), Some(expected)) = (query.get("iss"), issuer)
        && iss.trim_end_matches('/') != expected.trim_end_matches('/')
    {
        return Judged::Answer(Err(AuthError::IssuerMismatch { expected, found: iss.chars().take(200).collect() }));
    }
    if let Some(error) = error {
        return Judged::Answer(Err(AuthError::Denied {
            error: error.chars().take(100).collect(),
            description: query.get("error_description").map(|d| d.chars().take(300).collect()),
        }));
    }
    match code.filter(|c| !c.is_empty()) {
        Some(code) => Judged::Answer(Ok(code.clone())),
        None => Judged::NotAnAnswer,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(url: String) -> (u16, String) {
        let response = reqwest::get(url).await.expect("answered");
        (response.status().as_u16(), response.text().await.unwrap_or_default())
    }

    #[tokio::test]
    async fn the_page_tells_how_the_exchange_ended_and_a_second_answer_is_refused() {
        let mut listener = CallbackListener::bind(None).await.expect("bind");
        listener.expect("the-state", None);
        let url = format!("{}?code=c1&state=the-state", listener.redirect_uri());
        // The first answer's page waits for the verdict; meanwhile a second valid answer is refused.
        let first = tokio::spawn(get(url.clone()));
        let (code, verdict) =
            listener.wait(Duration::from_secs(5), &CancellationToken::new()).await.expect("an answer");
        assert_eq!(code, "c1");
        let (status, _) = get(url).await;
        assert_eq!(status, 409);
        assert!(!first.is_finished(), "the page waits for the exchange");
        verdict.tell(Err("The authorization server refused the code.".into()));
        let (status, page) = first.await.expect("page");
        assert_eq!(status, 400);
        assert!(page.contains("did not complete") && page.contains("refused the code"), "{page}");
        assert!(!page.contains("You are signed in"), "{page}");
    }
}
