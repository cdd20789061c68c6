//! The legacy HTTP+SSE transport (protocol 2024-11-05), which rmcp no longer ships: a long-lived `GET` event stream
//! whose first `endpoint` event names the URL to `POST` each client message to; server messages arrive as
//! `message` events on the stream.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::future::BoxFuture;
use rmcp::RoleClient;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::discovery::{error_chain, request_failure, shown_url};
use crate::error::{Failure, FailureCode};
use crate::raw::{RawSender, RawSide};

/// Why sending over the legacy SSE transport failed.
#[derive(Debug, thiserror::Error)]
pub enum SseSendError {
    /// The POST failed.
    #[error("posting to the SSE endpoint failed: {0}")]
    Post(#[from] reqwest::Error),
    /// The server refused the message.
    #[error("the SSE endpoint answered {0}")]
    Status(reqwest::StatusCode),
}

/// An open legacy SSE connection.
pub struct LegacySse {
    http: reqwest::Client,
    post_url: url::Url,
    headers: reqwest::header::HeaderMap,
    incoming: mpsc::Receiver<RxJsonRpcMessage<RoleClient>>,
    reader: CancellationToken,
}

impl LegacySse {
    /// Opens the event stream at `url` and waits (up to `timeout`) for the server's `endpoint` event.
    pub async fn connect(
        http: reqwest::Client,
        url: &str,
        headers: reqwest::header::HeaderMap,
        timeout: Duration,
        raw: Arc<RawSide>,
    ) -> Result<Self, Failure> {
        let shown = shown_url(url);
        let base = url::Url::parse(url)
            .map_err(|err| Failure::new(FailureCode::ConfigError, format!("{shown} is not a URL: {err}.")))?;
        let response = tokio::time::timeout(
            timeout,
            http.get(base.clone()).headers(headers.clone()).header(reqwest::header::ACCEPT, "text/event-stream").send(),
        )
        .await
        .map_err(|_| Failure::new(FailureCode::Timeout, format!("{shown} did not answer in time.")))?
        .map_err(|err| request_failure(&shown, &err))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(Failure::new(FailureCode::AuthError, format!("{shown} refused the credentials ({status}).")));
        }
        if !status.is_success() {
            return Err(Failure::new(
                FailureCode::ConnectionError,
                format!("{shown} answered {status}: is this an SSE endpoint (usually …/sse)?"),
            ));
        }
        let mut events = sse_stream::SseStream::from_bytes_stream(response.bytes_stream());
        let post_url = tokio::time::timeout(timeout, async {
            while let Some(event) = events.next().await {
                let event = event.map_err(|err| {
                    Failure::new(
                        FailureCode::ConnectionError,
                        format!("The event stream broke: {}.", error_chain(&err)),
                    )
                })?;
                if event.event.as_deref() == Some("endpoint") {
                    let target = event.data.unwrap_or_default();
                    return base.join(target.trim()).map_err(|err| {
                        Failure::new(
                            FailureCode::ProtocolError,
                            format!("The server's endpoint \"{target}\" is not a URL: {err}."),
                        )
                    });
                }
            }
            Err(Failure::new(
                FailureCode::ProtocolError,
                format!("{shown} closed the stream before naming its endpoint."),
            ))
        })
        .await
        .map_err(|_| Failure::new(FailureCode::Timeout, format!("{shown} never sent its endpoint event.")))??;

        let (tx, incoming) = mpsc::channel(64);
        let raw_reader = raw.clone();
        let reader = CancellationToken::new();
        let stop = reader.clone();
        tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    _ = stop.cancelled() => break,
                    event = events.next() => event,
                };
                let Some(Ok(event)) = event else { break };
                if !matches!(event.event.as_deref(), None | Some("message")) {
                    continue;
                }
                let Some(data) = event.data else { continue };
                let Ok(value) = serde_json::from_str::<serde_json::Value>(&data) else {
                    tracing::warn!("ignoring an SSE message that is not JSON");
                    continue;
                };
                let Some(value) = raw.incoming(value) else { continue };
                match serde_json::from_value::<RxJsonRpcMessage<RoleClient>>(value) {
                    Ok(message) => {
                        if tx.send(message).await.is_err() {
                            break;
                        }
                    }
                    Err(err) => tracing::warn!(%err, "ignoring an SSE message that is not JSON-RPC"),
                }
            }
        });
        raw_reader.connect(Box::new(SsePoster {
            http: http.clone(),
            post_url: post_url.clone(),
            headers: headers.clone(),
        }));
        Ok(LegacySse { http, post_url, headers, incoming, reader })
    }
}

/// Raw messages posted to the legacy endpoint; their answers arrive on the event stream.
struct SsePoster {
    http: reqwest::Client,
    post_url: url::Url,
    headers: reqwest::header::HeaderMap,
}

impl RawSender for SsePoster {
    fn send(&self, message: serde_json::Value) -> BoxFuture<'_, Result<Option<serde_json::Value>, Failure>> {
        Box::pin(async move {
            let response = self
                .http
                .post(self.post_url.clone())
                .headers(self.headers.clone())
                .json(&message)
                .send()
                .await
                .map_err(|e| {
                    Failure::new(FailureCode::ConnectionError, format!("Posting failed: {}.", error_chain(&e)))
                })?;
            if response.status().is_success() {
                Ok(None)
            } else {
                Err(Failure::new(
                    FailureCode::ConnectionError,
                    format!("The SSE endpoint answered {}.", response.status()),
                ))
            }
        })
    }
}

impl Transport<RoleClient> for LegacySse {
    type Error = SseSendError;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let request = self.http.post(self.post_url.clone()).headers(self.headers.clone()).json(&item);
        async move {
            let response = request.send().await?;
            if response.status().is_success() { Ok(()) } else { Err(SseSendError::Status(response.status())) }
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleClient>>> + Send {
        self.incoming.recv()
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.reader.cancel();
        Ok(())
    }
}

impl Drop for LegacySse {
    fn drop(&mut self) {
        self.reader.cancel();
    }
}
