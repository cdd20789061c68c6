//! A local server's stdio transport: newline-delimited JSON-RPC on the process's stdin and stdout (MCP's stdio
//! framing). Atrium reads each line itself, so the raw side of the session sees every message as the server wrote
//! it before rmcp decodes it (see `raw.rs`). Lines that are not JSON are skipped, as MCP clients do; a line longer
//! than [`MAX_LINE`] ends the session rather than Atrium's memory.

use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::RoleClient;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, ChildStdout};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::{Failure, FailureCode};
use crate::raw::{RawSender, RawSide};

/// The longest line a server may write (a resource of a few dozen MiB, base64, fits).
const MAX_LINE: usize = 128 * 1024 * 1024;

/// The transport rmcp runs the session on.
pub(crate) struct StdioTransport {
    incoming: mpsc::Receiver<RxJsonRpcMessage<RoleClient>>,
    lines: mpsc::UnboundedSender<String>,
    close: CancellationToken,
}

/// Sends raw messages as lines on the same stdin.
struct LineSender(mpsc::UnboundedSender<String>);

impl RawSender for LineSender {
    fn send(&self, message: Value) -> BoxFuture<'_, Result<Option<Value>, Failure>> {
        let sent = self
            .0
            .send(message.to_string())
            .map(|()| None)
            .map_err(|_| Failure::new(FailureCode::ConnectionError, "The server process is gone."));
        Box::pin(async move { sent })
    }
}

impl StdioTransport {
    /// Runs the transport over a process's pipes; raw requests go over the same pipes.
    pub(crate) fn start(stdin: ChildStdin, stdout: ChildStdout, raw: Arc<RawSide>) -> Self {
        let (lines, mut to_write) = mpsc::unbounded_channel::<String>();
        let close = CancellationToken::new();
        let closing = close.clone();
        tokio::spawn(async move {
            let mut stdin = stdin;
            loop {
                let line = tokio::select! {
                    () = closing.cancelled() => break,
                    line = to_write.recv() => line,
                };
                let Some(mut line) = line else { break };
                line.push('\n');
                if stdin.write_all(line.as_bytes()).await.is_err() || stdin.flush().await.is_err() {
                    break;
                }
            }
            // Dropping stdin is the end of input: the polite way to ask a stdio server to leave.
        });
        let (tx, incoming) = mpsc::channel(64);
        raw.connect(Box::new(LineSender(lines.clone())));
        tokio::spawn(read_lines(stdout, raw, tx));
        StdioTransport { incoming, lines, close }
    }
}

async fn read_lines(stdout: ChildStdout, raw: Arc<RawSide>, tx: mpsc::Sender<RxJsonRpcMessage<RoleClient>>) {
    let mut reader = BufReader::new(stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut reader).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) if line.len() > MAX_LINE => {
                tracing::warn!("a server wrote a line longer than {MAX_LINE} bytes: the session ends");
                break;
            }
            Ok(_) => {}
        }
        let Ok(value) = serde_json::from_slice::<Value>(&line) else {
            if !line.iter().all(u8::is_ascii_whitespace) {
                tracing::debug!("skipped a line that is not JSON");
            }
            continue;
        };
        let Some(value) = raw.incoming(value) else { continue };
        match serde_json::from_value::<RxJsonRpcMessage<RoleClient>>(value) {
            Ok(message) => {
                if tx.send(message).await.is_err() {
                    break;
                }
            }
            Err(err) => tracing::debug!(%err, "skipped a message that is not JSON-RPC"),
        }
    }
    raw.close();
}

impl Transport<RoleClient> for StdioTransport {
    type Error = std::io::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        let sent = serde_json::to_string(&item)
            .map_err(std::io::Error::other)
            .and_then(|line| self.lines.send(line).map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe)));
        async move { sent }
    }

    fn receive(&mut self) -> impl Future<Output = Option<RxJsonRpcMessage<RoleClient>>> + Send {
        self.incoming.recv()
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.close.cancel();
        Ok(())
    }
}

impl Drop for StdioTransport {
    fn drop(&mut self) {
        self.close.cancel();
    }
}
