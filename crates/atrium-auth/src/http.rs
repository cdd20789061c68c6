//! The HTTP side of OAuth: metadata fetches, and token/registration/revocation posts that never follow redirects.

use std::time::Duration;

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

    /// POSTs a form to a token-like endpoint, with HTTP Basic client authentication when `basic` is given. A JSON
    /// OAuth error answer becomes [`AuthError::Refused`].
    pub(crate) async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Result<Value, AuthError> {
        let mut request = self.post.post(url).header(reqwest::header::ACCEPT, "application/json").form(form);
        if let Some((id, secret)) = basic {
            // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined.
            let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
            let secret: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            request = request.basic_auth(id, Some(secret));
        }
        let response = request.send().await.map_err(|e| unreachable(url, &e))?;
        answer(url, response).await
    }

    /// POSTs a JSON body (dynamic client registration).
    pub(crate) async fn post_json(&self, url: &str, body: &Value) -> Result<Value, AuthError> {
        let response = self
            .post
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(body)
            .send()
            .await
            .map_err(|e| unreachable(url, &e))?;
        answer(url, response).await
    }
}

/// The JSON of a token-like answer: success, an OAuth error, or a clear complaint.
async fn answer(url: &str, response: reqwest::Response) -> Result<Value, AuthError> {
    let status = response.status();
    if status.is_redirection() {
        return Err(AuthError::Redirected { url: shown(url) });
    }
    if status.is_success() {
        return read_json(url, response).await;
    }
    // RFC 6749 §5.2: errors are JSON with an `error` code; anything else is reported by its status.
    match read_json(url, response).await {
        Ok(body) => match body.get("error").and_then(Value::as_str) {
            Some(error) => Err(AuthError::Refused {
                error: error.chars().take(100).collect(),
                description: body
                    .get("error_description")
                    .and_then(Value::as_str)
                    .map(|d| d.chars().take(300).collect()),
            }),
            None => Err(AuthError::Status { url: shown(url), status: status.as_u16() }),
        },
        Err(_) => Err(AuthError::Status { url: shown(url), status: status.as_u16() }),
    }
}

async fn read_json(url: &str, mut response: reqwest::Response) -> Result<Value, AuthError> {
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("nothing")
        .to_owned();
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(AuthError::NotJson { url: shown(url), content_type: content_type.chars().take(80).collect() });
    }
    if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(AuthError::Malformed { url: shown(url), reason: "it is larger than 1 MB".into() });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(url, &e))? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BODY {
            return Err(AuthError::Malformed { url: shown(url), reason: "it is larger than 1 MB".into() });
        }
    }
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
