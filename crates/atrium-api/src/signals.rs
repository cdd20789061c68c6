//! Quitting by signal: SIGTERM (a session ending, `kill`, a service manager) and SIGINT (Ctrl+C) both mean "shut
//! down cleanly", so servers are stopped and no child process outlives Atrium.

/// Resolves when the process is asked to quit.
pub async fn quit_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
                    _ = int.recv() => tracing::info!("SIGINT: shutting down"),
                }
            }
            _ => {
                tracing::warn!("cannot listen for SIGTERM; only Ctrl+C stops Atrium cleanly");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
