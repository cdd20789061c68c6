//! The gateway as the desktop app runs it: started once the window shows its first screen (so it costs start-up
//! nothing), moved when the person picks another port, stopped on every way out. What the window is told is a
//! [`GatewayStatus`]; a port already taken is a status the window says plainly, not an error the app dies of.

use std::sync::Mutex;

use atrium_api::{ApiResult, Atrium, AtriumPaths, GatewayStatus};

use crate::{Gateway, GatewayError, GatewayOptions};

/// One gateway at a time for one app: start, move and stop are taken in turn; the status is read without waiting.
pub struct GatewayHost {
    atrium: Atrium,
    paths: AtriumPaths,
    /// The running gateway; held across start and stop so that those never interleave.
    running: tokio::sync::Mutex<Running>,
    /// What the window is told (a copy, so reading it never waits for a stop in progress).
    status: Mutex<GatewayStatus>,
}

#[derive(Default)]
struct Running {
    gateway: Option<Gateway>,
    /// Stopped for good: the app is on its way out, nothing starts again.
    closed: bool,
}

impl std::fmt::Debug for GatewayHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayHost").field("status", &self.status()).finish_non_exhaustive()
    }
}

impl GatewayHost {
    /// A host for `atrium`'s gateway; nothing listens until [`GatewayHost::start`].
    pub fn new(atrium: Atrium, paths: AtriumPaths) -> Self {
        let port = GatewayOptions::port_from_env().unwrap_or(atrium_api::GATEWAY_DEFAULT_PORT);
        GatewayHost {
            atrium,
            paths,
            running: tokio::sync::Mutex::new(Running::default()),
            status: Mutex::new(GatewayStatus::Stopped { port }),
        }
    }

    /// What the window shows.
    pub fn status(&self) -> GatewayStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or(GatewayStatus::Stopped { port: 0 })
    }

    fn set_status(&self, status: GatewayStatus) -> GatewayStatus {
        if let Ok(mut current) = self.status.lock() {
            *current = status.clone();
        }
        status
    }

    /// The port to listen on: `ATRIUM_GATEWAY_PORT` when set (tests, a second app on one machine), else the
    /// setting, else the default.
    async fn port(&self) -> ApiResult<u16> {
        match GatewayOptions::port_from_env() {
            Some(port) => Ok(port),
            None => self.atrium.gateway_port().await,
        }
    }

    /// Starts listening (nothing happens when it listens already, or the host was stopped for good).
    pub async fn start(&self) -> GatewayStatus {
        let port = match self.port().await {
            Ok(port) => port,
            Err(err) => {
                let message = format!("Atrium could not read the gateway's port: {}", err.message);
                return self.set_status(GatewayStatus::Failed { port: 0, port_taken: false, message });
            }
        };
        self.start_on(port).await
    }

    async fn start_on(&self, port: u16) -> GatewayStatus {
        let mut running = self.running.lock().await;
        if running.closed || running.gateway.is_some() {
            return self.status();
        }
        // The desktop app's window answers OAuth consent requests.
        let options = GatewayOptions { port, consent: true, ..GatewayOptions::default() };
        match Gateway::start(self.atrium.clone(), &self.paths, options).await {
            Ok(gateway) => {
                let status = GatewayStatus::Running { port: gateway.addr().port(), url: gateway.url() };
                running.gateway = Some(gateway);
                self.set_status(status)
            }
            Err(err) => {
                tracing::warn!(%err, "the gateway could not start");
                let port_taken = matches!(err, GatewayError::PortTaken { .. });
                let message = match err {
                    GatewayError::PortTaken { port } => format!(
                        "Port {port} is taken: another Atrium or another program listens there. Choose another port \
                         for the gateway, or stop what uses it."
                    ),
                    err => err.to_string(),
                };
                self.set_status(GatewayStatus::Failed { port, port_taken, message })
            }
        }
    }

    /// Keeps `port` as the gateway's port and, unless the app is stopping, listens there instead — the person's
    /// choice, over `ATRIUM_GATEWAY_PORT` too (a port taken is said in the status; the setting is kept, so the next
    /// start tries it again).
    pub async fn set_port(&self, port: u16) -> ApiResult<GatewayStatus> {
        self.atrium.gateway_port_set(port).await?;
        {
            let mut running = self.running.lock().await;
            if running.closed {
                return Ok(self.status());
            }
            if let Some(gateway) = running.gateway.take() {
                gateway.stop().await;
            }
            self.set_status(GatewayStatus::Stopped { port });
        }
        Ok(self.start_on(port).await)
    }

    /// Stops listening for good (the app is quitting): open sessions end, requests still being answered get a
    /// few seconds (see [`Gateway::stop`]), the run file goes.
    pub async fn stop(&self) {
        let mut running = self.running.lock().await;
        running.closed = true;
        if let Some(gateway) = running.gateway.take() {
            let port = gateway.addr().port();
            gateway.stop().await;
            self.set_status(GatewayStatus::Stopped { port });
        }
    }
}
