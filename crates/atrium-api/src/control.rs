//! The control socket: a running Atrium (the desktop app, or `atrium server start`) accepts start / stop /
//! restart requests for its servers from `atrium server stop|restart` in another process. A Unix socket in
//! `ATRIUM_HOME/run/`, in a directory only the owner can enter: no network listener, and nobody else on the machine
//! can connect.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::{ApiResult, Atrium, AtriumPaths, ServerState};

/// What another process asks of the running Atrium.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlOp {
    /// Start a server.
    Start,
    /// Stop a server.
    Stop,
    /// Stop and start a server.
    Restart,
}

#[derive(Debug, Serialize, Deserialize)]
struct Request {
    op: ControlOp,
    server_id: String,
}

/// The socket of a home.
pub fn socket_path(paths: &AtriumPaths) -> PathBuf {
    paths.run_dir().join("control.sock")
}

/// Serves control requests until `stop` is cancelled. Returns `false` (and serves nothing) when another Atrium of
/// this home already does, or the socket cannot be made.
#[cfg(unix)]
pub async fn serve(atrium: Atrium, stop: tokio_util::sync::CancellationToken) -> bool {
    use std::os::unix::fs::PermissionsExt;
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{UnixListener, UnixStream};

    let path = socket_path(&atrium.paths);
    let Some(dir) = path.parent() else { return false };
    if std::fs::create_dir_all(dir).is_err()
        || std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).is_err()
    {
        tracing::warn!("control socket off: cannot prepare {}", dir.display());
        return false;
    }
    if UnixStream::connect(&path).await.is_ok() {
        tracing::info!("another Atrium of this home answers control requests");
        return false;
    }
    let _ = std::fs::remove_file(&path);
    let listener = match UnixListener::bind(&path) {
        Ok(listener) => listener,
        Err(err) => {
            tracing::warn!(%err, "control socket off");
            return false;
        }
    };
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => continue,
                },
                () = stop.cancelled() => break,
            };
            let atrium = atrium.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut line = String::new();
                let mut reader = BufReader::new(read.take(64 * 1024));
                if reader.read_line(&mut line).await.is_err() {
                    return;
                }
                let answer: ApiResult<ServerState> = match serde_json::from_str::<Request>(&line) {
                    Ok(Request { op: ControlOp::Start, server_id }) => atrium.server_start(server_id).await,
                    Ok(Request { op: ControlOp::Stop, server_id }) => atrium.server_stop(server_id).await,
                    Ok(Request { op: ControlOp::Restart, server_id }) => atrium.server_restart(server_id).await,
                    Err(err) => Err(ApiError::new(ErrorCode::InvalidInput, format!("bad control request: {err}"))),
                };
                let mut text = serde_json::to_string(&answer).unwrap_or_default();
                text.push('\n');
                let _ = write.write_all(text.as_bytes()).await;
            });
        }
        let _ = std::fs::remove_file(&path);
    });
    true
}

/// Asks the running Atrium of `paths` to start, stop or restart a server. `None` when no Atrium of this home is
/// running (then nothing runs the server, and there is nothing to stop).
#[cfg(unix)]
pub async fn request(paths: &AtriumPaths, op: ControlOp, server_id: &str) -> ApiResult<Option<ServerState>> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let Ok(mut stream) = tokio::net::UnixStream::connect(socket_path(paths)).await else { return Ok(None) };
    let mut text = serde_json::to_string(&Request { op, server_id: server_id.to_owned() })
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    text.push('\n');
    let failed =
        |e: std::io::Error| ApiError::new(ErrorCode::Internal, format!("the running Atrium did not answer: {e}"));
    stream.write_all(text.as_bytes()).await.map_err(failed)?;
    let mut answer = String::new();
    let mut reader = BufReader::new(stream);
    let read = tokio::time::timeout(std::time::Duration::from_secs(60), reader.read_line(&mut answer));
    read.await
        .map_err(|_| ApiError::new(ErrorCode::Internal, "the running Atrium did not answer in time"))?
        .map_err(failed)?;
    let answer: Result<ServerState, ApiError> = serde_json::from_str(&answer)
        .map_err(|e| ApiError::new(ErrorCode::Internal, format!("the running Atrium answered nonsense: {e}")))?;
    answer.map(Some)
}

/// No control socket off Unix: every Atrium runs its own servers.
#[cfg(not(unix))]
pub async fn serve(_atrium: Atrium, _stop: tokio_util::sync::CancellationToken) -> bool {
    false
}

/// No control socket off Unix.
#[cfg(not(unix))]
pub async fn request(_paths: &AtriumPaths, _op: ControlOp, _server_id: &str) -> ApiResult<Option<ServerState>> {
    Ok(None)
}
