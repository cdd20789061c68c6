//! What can go wrong starting or running the gateway.

/// The gateway's own failures; everything below it (the store, the servers) is an `ApiError`.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Another program (or another Atrium) listens on the port already.
    #[error(
        "port {port} on 127.0.0.1 is taken (another Atrium's gateway, or another program): choose another with --port, or stop what uses it"
    )]
    PortTaken {
        /// The port asked for.
        port: u16,
    },
    /// The listener could not be made for another reason.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The run file (where `atrium mcp` finds a running gateway) could not be written.
    #[error("cannot write {path}: {source}")]
    RunFile {
        /// The file.
        path: std::path::PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The API refused (the store, a server).
    #[error(transparent)]
    Api(#[from] atrium_api::ApiError),
}
