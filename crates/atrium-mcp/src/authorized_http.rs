//! rmcp's streamable HTTP client with the server's credentials on every request: the header is fetched afresh
//! each time (so a token renewed mid-session is used at once), and a 401/403 is shown to the credentials, which
//! may renew the token or sign in again before the request is retried.

use std::collections::HashMap;
use std::sync::Arc;

use futures::stream::BoxStream;
use reqwest::header::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::transport::streamable_http_client::{
    AuthRequiredError, SseError, StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
};
use sse_stream::Sse;

use crate::credentials::{Credentials, Verdict};

/// At most this many tries per request: the first, a retry after a renewal, and one after a sign-in.
const MAX_TRIES: u32 = 4;

type Headers = HashMap<HeaderName, HeaderValue>;
type HttpResult<T> = Result<T, StreamableHttpError<reqwest::Error>>;

/// The streamable HTTP client of one server.
#[derive(Clone)]
pub(crate) struct AuthorizedHttp {
    pub(crate) inner: reqwest::Client,
    pub(crate) credentials: Arc<Credentials>,
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
