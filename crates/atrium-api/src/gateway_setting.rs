//! Where the gateway (Atrium as the MCP server for the person's agents) listens: a port on 127.0.0.1, kept in
//! this home's local settings (never synced) with a default, and what the window is told about the gateway the
//! app runs.

use serde::{Deserialize, Serialize};

use crate::{ApiError, ApiResult, Atrium, ErrorCode};

/// The port the gateway listens on unless the setting (or `ATRIUM_GATEWAY_PORT`, or `--port`) says otherwise.
pub const GATEWAY_DEFAULT_PORT: u16 = 7477;
/// The local setting that holds the port.
const PORT_KEY: &str = "gateway.port";
/// Ports below this need privileges a desktop app does not have.
const LOWEST_PORT: u16 = 1024;

/// The gateway the app runs, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum GatewayStatus {
    /// Not listening: not started yet (the app starts it once its first screen is up), or stopped.
    Stopped {
        /// The port it will listen on.
        port: u16,
    },
    /// Listening; agents reach it at `url`.
    Running {
        /// The port it listens on.
        port: u16,
        /// The agents' endpoint, `http://127.0.0.1:<port>/mcp`.
        url: String,
    },
    /// It could not listen.
    Failed {
        /// The port it tried.
        port: u16,
        /// Whether something else listens there already (another Atrium, another program).
        port_taken: bool,
        /// What went wrong, said for a person.
        message: String,
    },
}

impl Atrium {
    /// The gateway's port from the local settings, or the default.
    pub async fn gateway_port(&self) -> ApiResult<u16> {
        let stored = self.store.setting(PORT_KEY).await?;
        Ok(stored.and_then(|v| v.as_u64()).and_then(|p| u16::try_from(p).ok()).unwrap_or(GATEWAY_DEFAULT_PORT))
    }

    /// Keeps `port` as the gateway's port (1024–65535). The running gateway moves there only when its host says so.
    pub async fn gateway_port_set(&self, port: u16) -> ApiResult<u16> {
        if port < LOWEST_PORT {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!("Port {port} needs administrator rights: choose one from {LOWEST_PORT} to 65535."),
            ));
        }
        self.store.set_setting(PORT_KEY, &serde_json::json!(port)).await?;
        Ok(port)
    }
}
