//! Ctrl+C (or SIGTERM, SIGHUP) while a command waits on something that can be cancelled where it runs: a tool
//! call (the server is told, with MCP's `notifications/cancelled`), a sign-in waiting for the browser.

use std::time::Duration;

use atrium_api::{ApiResult, QuitSignals};

/// Runs `work`, listening for the quit signals from before it starts. On one, `cancel` stops it where it runs
/// (asked again every 50 ms until it reached something: a call can be cancelled once it was sent), and `work` ends
/// as that cancellation ends it. `None`: a second signal came while waiting for that, and the command stops
/// waiting.
pub(crate) async fn cancel_on_quit<T>(
    work: impl Future<Output = T>,
    cancel: impl AsyncFn() -> ApiResult<bool>,
) -> ApiResult<Option<T>> {
    let quit = QuitSignals::install();
    tokio::pin!(work);
    tokio::select! {
        done = &mut work => return Ok(Some(done)),
        () = quit.recv() => {}
    }
    eprintln!("cancelling… (Ctrl+C again to stop waiting)");
    let again = QuitSignals::install().recv();
    tokio::pin!(again);
    let mut reached = false;
    loop {
        if !reached {
            reached = cancel().await?;
        }
        tokio::select! {
            done = &mut work => return Ok(Some(done)),
            () = &mut again => return Ok(None),
            () = tokio::time::sleep(Duration::from_millis(50)), if !reached => {}
        }
    }
}
