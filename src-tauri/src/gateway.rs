//! The gateway the app serves for the person's agents while it runs (see `atrium_gateway::GatewayHost`): the
//! window reads its status and moves it to another port. Not in the command registry: these reach the shell's
//! host, not `Atrium`.

use atrium_api::{ApiError, ErrorCode, GatewayStatus};
use tauri::State;

use crate::shell::Shell;

async fn host(shell: &Shell) -> Result<&atrium_gateway::GatewayHost, ApiError> {
    shell
        .gateway()
        .await
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "Atrium is not open, so neither is its gateway."))
}

/// Whether the gateway listens, where, or why it does not (a port already taken, said plainly).
#[tauri::command]
#[specta::specta]
pub async fn gateway_status(shell: State<'_, Shell>) -> Result<GatewayStatus, ApiError> {
    Ok(host(&shell).await?.status())
}

/// Keeps `port` as the gateway's port (1024–65535) and listens there now.
#[tauri::command]
#[specta::specta]
pub async fn gateway_set_port(shell: State<'_, Shell>, port: u16) -> Result<GatewayStatus, ApiError> {
    host(&shell).await?.set_port(port).await
}
