//! The HTTP side of OAuth: metadata fetches and registration posts (Atrium's own), and the HTTP client the `oauth2`
//! crate sends token and revocation requests through. Token-like requests never follow redirects and every answer
//! is capped at 1 MB before it is read whole.

use std::time::Duration;

use futures::future::BoxFuture;
use oauth2::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::error::{AuthError, shown};

/// Metadata documents and token answers are small; anything bigger is refused before it is read whole.
const MAX_BODY: usize = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(30);

/// The HTTP clients of the OAuth flows. Cheap to clone.
#[derive(Clone)]
pub struct OAuthHttp {
    /// For metadata documents (a few redirects are fine there).
    fetch: reqwest::Client,
    /// For token, registration and revocation requests: redirects are never followed (DESIGN §6.5).
    post: reqwest::Client,
}

impl std::fmt::Debug for OAuthHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OAuthHttp")
    }
}

impl Default for OAuthHttp {
    fn default() -> Self {
        Self::new()
    }
}

/// A metadata fetch: the document, or the status that says it is not there.
pub(crate) enum Fetched {
    Document(Value),
    Missing(u16),
}

impl OAuthHttp {
    /// New clients.
    pub fn new() -> Self {
        let build = |redirects: reqwest::redirect::Policy| {
            reqwest::Client::builder()
                .user_agent(concat!("atrium/", env!("CARGO_PKG_VERSION")))
                .redirect(redirects)
                .timeout(TIMEOUT)
                .build()
                .unwrap_or_default()
        };
        OAuthHttp {
            fetch: build(reqwest::redirect::Policy::limited(3)),
            post: build(reqwest::redirect::Policy::none()),
        }
    }

    /// The client that follows no redirects (the headless browser uses it to walk the authorization redirects).
    pub(crate) fn no_redirects(&self) -> &reqwest::Client {
        &self.post
    }

    /// GETs a JSON document; a 4xx/5xx answer is `Missing` (discovery then tries the next place).
    pub(crate) async fn get_json(&self, url: &str) -> Result<Fetched, AuthError> {
        let response = self
            .fetch
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unreachable(url, &e))?;
        let status = response.status();
        if !status.is_success() {
            return Ok(Fetched::Missing(status.as_u16()));
        }
        Ok(Fetched::Document(read_json(url, response).await?))
    }

    /// POSTs a JSON body (dynamic client registration). A JSON OAuth error answer becomes
    /// [`AuthError::Refused`].
    pub(crate) async fn post_json(&self, url: &str, body: &Value) -> Result<Value, AuthError> {
        let response = self
            .post
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(body)
            .send()
            .await
            .map_err(|e| unreachable(url, &e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(AuthError::Redirected { url: shown(url) });
        }
        if status.is_success() {
            return read_json(url, response).await;
        }
        let status = status.as_u16();
        match read_json(url, response).await {
            Ok(body) => match oauth_error(&body) {
                Some(refused) => Err(refused),
                None => Err(AuthError::Status { url: shown(url), status }),
            },
            Err(_) => Err(AuthError::Status { url: shown(url), status }),
        }
    }
}

/// The HTTP client `oauth2` sends token and revocation requests with: Atrium's client that follows no redirects.
/// What the crate cannot say with the endpoint's name (a redirect, an HTML page, an oversized or non-OAuth
/// answer, an unreachable host) is said here as the [`AuthError`] it is; OAuth error answers (RFC 6749 §5.2) and
/// token answers go on to the crate.
pub(crate) struct Transport {
    /// Owned (a clone shares the connection pool): a transport that borrowed would tie `oauth2`'s futures to two
    /// lifetimes, and the compiler could no longer see that they are `Send`.
    http: OAuthHttp,
    /// Where to send the request instead of its own URI (see [`Transport::sending_to`]).
    target: Option<url::Url>,
}

impl Transport {
    /// Sends each request where it says.
    pub(crate) fn new(http: &OAuthHttp) -> Self {
        Transport { http: http.clone(), target: None }
    }

    /// Sends each request to `target` whatever its own URI. Only for a revocation endpoint on a loopback host
    /// over plain http: `oauth2` builds revocation requests for https URLs only (RFC 7009 §2), while Atrium takes
    /// http on loopback hosts for every endpoint (OAuth 2.1 §1.5, a provider running on this machine).
    pub(crate) fn sending_to(http: &OAuthHttp, target: url::Url) -> Self {
        Transport { http: http.clone(), target: Some(target) }
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, AuthError> {
        let url = match &self.target {
            Some(target) => target.to_string(),
            None => request.uri().to_string(),
        };
        let (parts, body) = request.into_parts();
        let response = self
            .http
            .post
            .request(parts.method, &url)
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|e| unreachable(&url, &e))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(AuthError::Redirected { url: shown(&url) });
        }
        let content_type = content_type(&response);
        let json = is_json(&content_type);
        if status.is_success() && !json {
            return Err(AuthError::NotJson { url: shown(&url), content_type: content_type.chars().take(80).collect() });
        }
        let mut headers = response.headers().clone();
        if json {
            // `oauth2` takes only `application/json`; a `+json` type is JSON too, and Atrium always took it.
            headers
                .insert(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_static("application/json"));
        }
        let body = read_capped(&url, response).await?;
        let status = if status.is_success() {
            // RFC 6749 answers 200; `oauth2` reads nothing else as success, and some servers answer 201 or 204.
            oauth2::http::StatusCode::OK
        } else {
            // RFC 6749 §5.2: errors are JSON with an `error` code; anything else is reported by its status.
            let oauth_error = json
                && serde_json::from_slice::<Value>(&body).is_ok_and(|v| v.get("error").is_some_and(Value::is_string));
            if !oauth_error {
                return Err(AuthError::Status { url: shown(&url), status: status.as_u16() });
            }
            status
        };
        let mut answer = HttpResponse::new(body);
        *answer.status_mut() = status;
        *answer.headers_mut() = headers;
        Ok(answer)
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for Transport {
    type Error = AuthError;
    type Future = BoxFuture<'c, Result<HttpResponse, AuthError>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// An OAuth error answer (RFC 6749 §5.2) as [`AuthError::Refused`], its text capped.
pub(crate) fn refused(error: &str, description: Option<&str>) -> AuthError {
    AuthError::Refused {
        error: error.chars().take(100).collect(),
        description: description.map(|d| d.chars().take(300).collect()),
    }
}

fn oauth_error(body: &Value) -> Option<AuthError> {
    let error = body.get("error").and_then(Value::as_str)?;
    Some(refused(error, body.get("error_description").and_then(Value::as_str)))
}

fn content_type(response: &reqwest::Response) -> String {
    response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("nothing").to_owned()
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// The body, refused beyond [`MAX_BODY`] before it is read whole.
async fn read_capped(url: &str, mut response: reqwest::Response) -> Result<Vec<u8>, AuthError> {
    let too_large = || AuthError::Malformed { url: shown(url), reason: "it is larger than 1 MB".into() };
    if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(url, &e))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BODY {
            return Err(too_large());
        }
    }
    Ok(body)
}

async fn read_json(url: &str, response: reqwest::Response) -> Result<Value, AuthError> {
    let content_type = content_type(&response);
    if !is_json(&content_type) {
        return Err(AuthError::NotJson { url: shown(url), content_type: content_type.chars().take(80).collect() });
    }
    let body = read_capped(url, response).await?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| AuthError::Malformed { url: shown(url), reason: format!("it is not valid JSON ({e})") })?;
    if !value.is_object() {
        return Err(AuthError::Malformed { url: shown(url), reason: "it is not a JSON object".into() });
    }
    Ok(value)
}

fn unreachable(url: &str, err: &reqwest::Error) -> AuthError {
    let reason = if err.is_timeout() {
        "no answer in time".to_owned()
    } else if err.is_connect() {
        "the connection was refused or failed".to_owned()
    } else {
        // Without the URL reqwest would repeat (its query can hold a code).
        let mut source: &dyn std::error::Error = err;
        while let Some(next) = source.source() {
            source = next;
        }
        source.to_string()
    };
    AuthError::Unreachable { url: shown(url), reason }
}
