//! `/.well-known/mcp.json`: the discovery document an HTTP server publishes (seed Part 1). Atrium reads
//! `endpoints.streamable_http` and resolves it against the document's own URL.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Failure, FailureCode};

/// The largest discovery document Atrium reads; anything bigger is not a discovery document.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// Fetches the discovery document at `well_known` and returns the streamable HTTP endpoint it names.
#[tracing::instrument(skip(http, well_known), fields(url = %shown_url(well_known)))]
pub async fn resolve_endpoint(http: &reqwest::Client, well_known: &str, timeout: Duration) -> Result<String, Failure> {
    let shown = shown_url(well_known);
    let base = url::Url::parse(well_known)
        .map_err(|err| Failure::new(FailureCode::ConfigError, format!("{shown} is not a URL: {err}.")))?;
    let response = http
        .get(base.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(timeout)
        .send()
        .await
        .map_err(|err| request_failure(&shown, &err))?;
    let status = response.status();
    if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
        return Err(Failure::new(
            FailureCode::AuthError,
            format!("{shown} refused the request ({status}): check the server's credentials."),
        ));
    }
    if !status.is_success() {
        return Err(Failure::new(
            FailureCode::ConfigError,
            format!(
                "There is no discovery document at {shown} ({status}). Check the address, or register the MCP \
                 endpoint directly with \"url\"."
            ),
        ));
    }
    let body = response.bytes().await.map_err(|err| request_failure(&shown, &err))?;
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(Failure::new(
            FailureCode::ConfigError,
            format!("{shown} sent {} KiB: that is not a discovery document.", body.len() / 1024),
        ));
    }
    endpoint_from_document(&base, &body)
}

/// Reads `endpoints.streamable_http` out of a discovery document fetched from `base`.
pub fn endpoint_from_document(base: &url::Url, body: &[u8]) -> Result<String, Failure> {
    let shown = shown_url(base.as_str());
    let document: Value = serde_json::from_slice(body).map_err(|err| {
        Failure::new(
            FailureCode::ConfigError,
            format!("The discovery document at {shown} is not JSON ({err}). It should look like {{\"endpoints\": {{\"streamable_http\": \"/mcp\"}}}}."),
        )
    })?;
    let endpoint = document
        .get("endpoints")
        .and_then(|e| e.get("streamable_http"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or_else(|| {
            Failure::new(
                FailureCode::ConfigError,
                format!("The discovery document at {shown} names no endpoints.streamable_http."),
            )
        })?;
    let resolved = base.join(endpoint).map_err(|err| {
        Failure::new(
            FailureCode::ConfigError,
            format!("The discovery document's endpoint \"{endpoint}\" is not a URL: {err}."),
        )
    })?;
    if !matches!(resolved.scheme(), "http" | "https") {
        return Err(Failure::new(
            FailureCode::ConfigError,
            format!("The discovery document's endpoint {resolved} is not an http(s) address."),
        ));
    }
    Ok(resolved.to_string())
}

/// Maps a failed HTTP request to a failure code (`shown` is the address as [`shown_url`] prints it).
pub(crate) fn request_failure(shown: &str, err: &reqwest::Error) -> Failure {
    if err.is_timeout() {
        Failure::new(FailureCode::Timeout, format!("{shown} did not answer in time."))
    } else {
        // The root cause ("Connection refused") and not reqwest's own text, which repeats the whole URL.
        Failure::new(FailureCode::ConnectionError, format!("Could not reach {shown}: {}.", root_cause(err)))
    }
}

/// An address as messages and logs show it: without user, password, query or fragment, where people put
/// tokens (`https://user:pw@host/mcp?key=…` → `https://host/mcp?…`).
pub fn shown_url(address: &str) -> String {
    match url::Url::parse(address) {
        Ok(mut url) => {
            let had_query = url.query().is_some();
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            if had_query { format!("{url}?…") } else { url.to_string() }
        }
        Err(_) => "the address".to_owned(),
    }
}

/// The innermost cause of an error: the words that say what actually happened ("Connection refused").
pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// An error with its causes, joined, for messages.
pub(crate) fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> url::Url {
        url::Url::parse("http://127.0.0.1:8100/.well-known/mcp.json").expect("url")
    }

    #[test]
    fn relative_and_absolute_endpoints_resolve() {
        let doc = br#"{"name":"x","endpoints":{"streamable_http":"/mcp"}}"#;
        assert_eq!(endpoint_from_document(&base(), doc).ok().as_deref(), Some("http://127.0.0.1:8100/mcp"));
        let doc = br#"{"endpoints":{"streamable_http":"https://other.example/v1/mcp"}}"#;
        assert_eq!(endpoint_from_document(&base(), doc).ok().as_deref(), Some("https://other.example/v1/mcp"));
    }

    #[test]
    fn shown_addresses_carry_no_credentials() {
        assert_eq!(shown_url("https://me:pw@example.com/mcp?api_key=k#x"), "https://example.com/mcp?…");
        assert_eq!(shown_url("http://127.0.0.1:9/mcp"), "http://127.0.0.1:9/mcp");
        assert_eq!(shown_url("not a url"), "the address");
        let doc = br#"{"endpoints":{}}"#;
        let base = url::Url::parse("https://u:secret@h/.well-known/mcp.json?token=t").expect("url");
        let message = endpoint_from_document(&base, doc).err().map(|f| f.message).unwrap_or_default();
        assert!(!message.contains("secret") && !message.contains("token=t"), "{message}");
    }

    #[test]
    fn broken_documents_are_config_errors() {
        for doc in [
            &b"<html>"[..],
            b"{}",
            br#"{"endpoints":{"streamable_http":""}}"#,
            br#"{"endpoints":{"streamable_http":"ftp://x/"}}"#,
        ] {
            let err = endpoint_from_document(&base(), doc).err().map(|f| f.code);
            assert_eq!(err, Some(FailureCode::ConfigError), "{}", String::from_utf8_lossy(doc));
        }
    }
}
