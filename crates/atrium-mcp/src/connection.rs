//! Opening one MCP session over the registration's transport, within its connect timeout.

use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::service::{ClientInitializeError, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::{StreamableHttpClientTransportConfig, StreamableHttpError};
use tokio::io::AsyncBufReadExt;

use crate::authorized_http::{AuthorizedHttp, HttpRawSender};
use crate::credentials::Credentials;
use crate::discovery::{self, error_chain, root_cause};
use crate::error::{Failure, FailureCode};
use crate::handler::{AtriumClient, SessionContext};
use crate::launch::{self, Launch, LaunchContext};
use crate::process_groups::{ProcessGroup, ProcessGroups};
use crate::raw::RawSide;
use crate::registration::{Registration, Transport};
use crate::sse::LegacySse;

/// A running session.
pub(crate) type Session = RunningService<RoleClient, AtriumClient>;

/// Whether the session runs a local process (its end is a crash) or talks HTTP (its end is a lost connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    Local,
    Remote,
}

impl Reach {
    pub(crate) fn of(registration: &Registration) -> Self {
        match registration.transport {
            Transport::Stdio { .. } | Transport::Github { .. } => Reach::Local,
            Transport::Http { .. } | Transport::Sse { .. } => Reach::Remote,
        }
    }
}

/// The HTTP client, made on first use: building it loads the system's root certificates (megabytes of memory),
/// which an Atrium with only local servers never needs.
#[derive(Default)]
pub(crate) struct LazyHttp(std::sync::OnceLock<reqwest::Client>);

impl LazyHttp {
    pub(crate) fn get(&self) -> &reqwest::Client {
        self.0.get_or_init(|| {
            reqwest::Client::builder()
                .user_agent(concat!("atrium/", env!("CARGO_PKG_VERSION")))
                .redirect(reqwest::redirect::Policy::limited(5))
                .build()
                .unwrap_or_default()
        })
    }
}

/// What opening a session needs from the manager.
pub(crate) struct Host<'a> {
    pub(crate) http: &'a LazyHttp,
    pub(crate) launch: LaunchContext<'a>,
    pub(crate) groups: &'a Arc<ProcessGroups>,
    /// For a server installed from a repository: how to run it, once installed.
    pub(crate) installed: Option<Launch>,
    /// The server's credentials.
    pub(crate) credentials: &'a Arc<Credentials>,
}

/// An open session, and for a local server its process group (dropping it kills what is left of the process).
pub(crate) struct Opened {
    pub(crate) session: Session,
    pub(crate) process: Option<ProcessGroup>,
    /// Requests forwarded for others, answered exactly as the server wrote them.
    pub(crate) raw: Arc<RawSide>,
}

/// Connects and initializes, all within the registration's connect timeout.
#[tracing::instrument(skip_all, fields(server = %cx.server_id))]
pub(crate) async fn open(
    registration: &Registration,
    cx: Arc<SessionContext>,
    host: &Host<'_>,
) -> Result<Opened, Failure> {
    let limit = registration.timeouts.connect();
    match tokio::time::timeout(limit, open_unbounded(registration, cx.clone(), host)).await {
        Ok(result) => result,
        Err(_) => Err(Failure::new(
            FailureCode::Timeout,
            format!(
                "The server did not finish starting within {} s. Check that it speaks MCP on this transport, or raise \
                 timeouts.connect_ms.",
                limit.as_secs_f32()
            ),
        )),
    }
}

async fn open_unbounded(
    registration: &Registration,
    cx: Arc<SessionContext>,
    host: &Host<'_>,
) -> Result<Opened, Failure> {
    let client = AtriumClient { cx: cx.clone() };
    let http = host.http;
    let raw = Arc::new(RawSide::default());
    match &registration.transport {
        Transport::Stdio { command, args, cwd, env } => {
            let launch = launch::prepare(command, args, cwd.as_deref(), env, &host.launch).await?;
            run_local(client, &launch, cx, host, raw).await
        }
        Transport::Http { well_known, url } => {
            let (endpoint, discovered) = match (well_known, url) {
                (Some(doc), _) => {
                    (discovery::resolve_endpoint(http.get(), doc, registration.timeouts.connect()).await?, true)
                }
                (None, Some(url)) => (url.clone(), false),
                (None, None) => return Err(Failure::new(FailureCode::ConfigError, "The registration names no URL.")),
            };
            host.credentials.prepare(Some(&endpoint)).await?;
            let config = StreamableHttpClientTransportConfig::with_uri(endpoint.clone());
            let authorized = AuthorizedHttp::new(http.get().clone(), host.credentials.clone());
            raw.connect(Box::new(HttpRawSender { http: authorized.clone(), raw: Arc::downgrade(&raw) }));
            let transport = StreamableHttpClientTransport::with_client(authorized, config);
            let session = client
                .serve(transport)
                .await
                .map_err(|err| init_failure(err, Some(&endpoint), discovered, Reach::Remote, &cx, host.credentials))?;
            Ok(Opened { session, process: None, raw })
        }
        Transport::Sse { url } => {
            host.credentials.prepare(Some(url)).await?;
            let mut headers = reqwest::header::HeaderMap::new();
            // The legacy transport takes its headers once: a token renewed later is used on the next connection.
            if let Some((name, value, _)) = host.credentials.header().await? {
                headers.insert(name, value);
            }
            let transport =
                LegacySse::connect(http.get().clone(), url, headers, registration.timeouts.connect(), raw.clone())
                    .await?;
            let session = client
                .serve(transport)
                .await
                .map_err(|err| init_failure(err, Some(url), false, Reach::Remote, &cx, host.credentials))?;
            Ok(Opened { session, process: None, raw })
        }
        Transport::Github { owner_repo, env, .. } => match &host.installed {
            Some(installed) => {
                // Inside its sandbox it gets only the variables its registration names (secrets read now).
                let (env, secrets) = launch::resolve_env(env, host.launch.keychain).await?;
                let launch = Launch { env, secrets, ..installed.clone() };
                run_local(client, &launch, cx, host, raw).await
            }
            None => Err(Failure::new(FailureCode::ConfigError, format!("{owner_repo} is not installed yet."))),
        },
    }
}

/// Spawns an allowed, resolved program and runs `initialize` over its stdio. Its stderr goes to the server's log,
/// with the secrets it was started with masked.
async fn run_local(
    client: AtriumClient,
    launch: &Launch,
    cx: Arc<SessionContext>,
    host: &Host<'_>,
    raw: Arc<RawSide>,
) -> Result<Opened, Failure> {
    cx.log.mask().learn_all(&launch.secrets);
    let (transport, stderr, process) = launch::spawn(launch, host.groups, raw.clone())?;
    if let Some(stderr) = stderr {
        let cx = cx.clone();
        tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                cx.log.push(&cx.events, &cx.server_id, "stderr", None, line);
            }
        });
    }
    match client.serve(transport).await {
        Ok(session) => Ok(Opened { session, process: Some(process), raw }),
        Err(err) => {
            // Its last words explain the failure: give the stderr reader a moment to pass them on.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            Err(init_failure(err, None, false, Reach::Local, &cx, host.credentials))
        }
    }
}

/// What the streamable HTTP transport reported, if that is what failed (rmcp keeps it behind a boxed error
/// that is not linked as a `source`).
fn http_error(err: &ClientInitializeError) -> Option<&StreamableHttpError<reqwest::Error>> {
    match err {
        ClientInitializeError::TransportError { error, .. } => error.error.downcast_ref(),
        _ => None,
    }
}

/// Classifies a failed `initialize` from what the transport reported.
fn init_failure(
    err: ClientInitializeError,
    endpoint: Option<&str>,
    discovered: bool,
    reach: Reach,
    cx: &SessionContext,
    credentials: &Credentials,
) -> Failure {
    let place = endpoint.map(crate::discovery::shown_url).unwrap_or_else(|| "the server".to_owned());
    match http_error(&err) {
        Some(StreamableHttpError::AuthRequired(_) | StreamableHttpError::InsufficientScope(_)) => {
            let message = match credentials.view().state {
                crate::AuthState::LoginRequired { reason } => reason,
                crate::AuthState::Denied { message } => message,
                _ => format!("{place} wants credentials: add them to the registration's auth."),
            };
            return Failure::new(FailureCode::AuthError, message);
        }
        Some(StreamableHttpError::Client(e)) if e.is_timeout() => {
            return Failure::new(FailureCode::Timeout, format!("{place} did not answer in time."));
        }
        Some(StreamableHttpError::Client(e)) if e.is_connect() || e.is_request() => {
            return Failure::new(
                FailureCode::ConnectionError,
                format!("Could not reach {place}: {}. Is the server running, and is the address right?", root_cause(e)),
            );
        }
        Some(other) if discovered => {
            return Failure::new(
                FailureCode::ConfigError,
                format!("The discovery document points at {place}, which does not answer MCP ({other})."),
            );
        }
        Some(other) => {
            return Failure::new(FailureCode::ProtocolError, format!("{place} does not answer MCP: {other}."));
        }
        None => {}
    }
    let text = error_chain(&err);
    match (&err, reach) {
        (ClientInitializeError::ConnectionClosed(_) | ClientInitializeError::TransportError { .. }, Reach::Local) => {
            let tail = cx.log.stderr_tail(1).pop().map(|l| format!(" Its last words: {l}")).unwrap_or_default();
            Failure::new(FailureCode::Crashed, format!("The server process ended before it finished starting.{tail}"))
        }
        (ClientInitializeError::ConnectionClosed(_) | ClientInitializeError::TransportError { .. }, Reach::Remote) => {
            // The root cause only: transport errors repeat the whole URL, query and all.
            Failure::new(
                FailureCode::ConnectionError,
                format!("The connection to {place} failed: {}.", root_cause(&err)),
            )
        }
        _ => Failure::new(FailureCode::ProtocolError, format!("{place} did not complete the MCP handshake: {text}.")),
    }
}
