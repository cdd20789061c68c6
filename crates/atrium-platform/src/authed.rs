//! One authenticated platform request: a fresh bearer on every send, a 401 renews it and the request goes once
//! more, and every failure is a typed [`PlatformError`] (signed out, unreachable, not found, a status).

use serde_json::Value;

use crate::account::Account;
use crate::{PlatformError, Result};

/// Sends a request built by `build` (given the client and `base`) with the account's bearer; on 401 the token is
/// renewed and the request sent once more. 404 is [`PlatformError::NotFound`] naming `what`.
pub(crate) async fn send<F>(account: &Account, base: &str, what: &str, build: F) -> Result<reqwest::Response>
where
    F: Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
{
    let mut retried = false;
    loop {
        let bearer = account.bearer().await?;
        let response = build(account.http(), base)
            .bearer_auth(bearer.expose())
            .send()
            .await
            .map_err(|e| PlatformError::Unreachable { url: base.to_owned(), reason: without_url(&e) })?;
        let status = response.status().as_u16();
        match status {
            200..=299 => return Ok(response),
            401 if !retried => {
                account.reject(bearer.expose());
                retried = true;
            }
            404 => return Err(PlatformError::NotFound(what.to_owned())),
            _ => {
                let body = response.text().await.unwrap_or_default();
                return Err(PlatformError::from_status(status, what, &body));
            }
        }
    }
}

/// [`send`], then the answer's body as JSON (as it came: no model in between).
pub(crate) async fn json<F>(account: &Account, base: &str, what: &str, build: F) -> Result<Value>
where
    F: Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
{
    let response = send(account, base, what, build).await?;
    let text = response
        .text()
        .await
        .map_err(|e| PlatformError::Unreachable { url: what.to_owned(), reason: without_url(&e) })?;
    serde_json::from_str(&text).map_err(|e| PlatformError::Malformed { what: what.to_owned(), reason: e.to_string() })
}

/// A reqwest error's text without its URL (which could carry a presigned signature).
pub(crate) fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "…");
    }
    text
}

/// A path segment, percent-encoded.
pub(crate) fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
