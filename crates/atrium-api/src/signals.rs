//! Quitting by signal: SIGTERM (a session ending, `kill`, a service manager), SIGINT (Ctrl+C) and SIGHUP (the
//! terminal closed, the person logging out) all mean "shut down cleanly", so servers are stopped and no child
//! process outlives Atrium.
//!
//! The handlers are installed by [`QuitSignals::install`], before anything is started: a signal that arrives while
//! servers are still starting is then a clean quit too, not the default action that ends the process on the spot.

/// The quit signals, listened for from the moment they are installed.
pub struct QuitSignals {
    #[cfg(unix)]
    streams: Option<[tokio::signal::unix::Signal; 3]>,
}

impl QuitSignals {
    /// Starts listening. Must be called inside a tokio runtime.
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = match (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
                signal(SignalKind::hangup()),
            ) {
                (Ok(term), Ok(int), Ok(hup)) => Some([term, int, hup]),
                _ => {
                    tracing::warn!("cannot listen for SIGTERM; only Ctrl+C stops Atrium cleanly");
                    None
                }
            };
            QuitSignals { streams }
        }
        #[cfg(not(unix))]
        QuitSignals {}
    }

    /// Resolves when the process is asked to quit.
    pub async fn recv(self) {
        #[cfg(unix)]
        if let Some([mut term, mut int, mut hup]) = self.streams {
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
                _ = int.recv() => tracing::info!("SIGINT: shutting down"),
                _ = hup.recv() => tracing::info!("SIGHUP: shutting down"),
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Resolves when the process is asked to quit (listening from the first poll; see [`QuitSignals::install`]).
pub async fn quit_requested() {
    QuitSignals::install().recv().await
}
