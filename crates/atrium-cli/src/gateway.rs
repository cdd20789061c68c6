//! `atrium gateway [--port N]`: Atrium's MCP gateway for the person's agents, headless, until Ctrl+C or SIGTERM
//! (then it stops listening, ends its sessions and stops the servers it started).
//! `atrium mcp [--agent NAME]`: the same endpoint over stdio, until stdin ends, Ctrl+C or SIGTERM.

use atrium_api::{ApiError, Atrium, AtriumPaths, ErrorCode};
use atrium_gateway::{Gateway, GatewayError, GatewayOptions};

use crate::failure::Failure;
use crate::output::{Printer, print_json};

/// A gateway failure as the CLI reports it: a taken port is a usage problem the person fixes with --port.
pub(crate) fn gateway_error(err: GatewayError) -> ApiError {
    match err {
        GatewayError::Api(err) => err,
        err @ GatewayError::PortTaken { .. } => ApiError::new(ErrorCode::InvalidInput, err.to_string()),
        err => ApiError::new(ErrorCode::Internal, err.to_string()),
    }
}

pub(crate) async fn gateway(
    atrium: &Atrium,
    paths: &AtriumPaths,
    out: &Printer,
    port: Option<u16>,
    save: bool,
) -> Result<(), Failure> {
    if let (Some(port), true) = (port, save) {
        atrium.gateway_port_set(port).await?;
    }
    let quit = atrium_api::QuitSignals::install();
    // --port, else ATRIUM_GATEWAY_PORT, else the setting the window keeps (the default until it is changed).
    let port = match port.or_else(GatewayOptions::port_from_env) {
        Some(port) => port,
        None => atrium.gateway_port().await?,
    };
    let options = GatewayOptions { port, ..GatewayOptions::default() };
    let gateway = Gateway::start(atrium.clone(), paths, options).await.map_err(gateway_error)?;
    // The agents' servers are kept connected, as in the app.
    atrium.connect_all().await?;
    if out.json() {
        print_json(&serde_json::json!({"url": gateway.url()}));
    } else {
        say!("Atrium's gateway: {}  (agents: `atrium agent add NAME`; Ctrl+C stops it)", gateway.url());
    }
    quit.recv().await;
    gateway.stop().await;
    Ok(())
}

/// `atrium mcp [--agent NAME]`: the gateway's `/mcp` over stdio, for agents that launch their servers.
pub(crate) async fn mcp(atrium: &Atrium, paths: &AtriumPaths, agent: Option<&str>) -> Result<(), Failure> {
    let agent = match agent {
        Some(name) => atrium.agent_get(name.to_owned()).await?,
        None => {
            let mut agents = atrium.agent_list().await?;
            if agents.len() != 1 {
                let names: Vec<String> = agents.iter().map(|a| a.name.clone()).collect();
                return Err(Failure::Api(crate::failure::invalid(format!(
                    "name the agent with --agent (there are {}: {})",
                    agents.len(),
                    if names.is_empty() { "make one with `atrium agent add NAME`".into() } else { names.join(", ") }
                ))));
            }
            agents.remove(0)
        }
    };
    // SIGTERM from the agent that launched it (or Ctrl+C) ends it as cleanly as the end of stdin does.
    let quit = tokio_util::sync::CancellationToken::new();
    let signals = atrium_api::QuitSignals::install();
    let on_signal = quit.clone();
    let watcher = tokio::spawn(async move {
        signals.recv().await;
        on_signal.cancel();
    });
    let served = atrium_gateway::serve_stdio(atrium.clone(), paths, agent, quit).await;
    watcher.abort();
    served.map_err(gateway_error)?;
    Ok(())
}
