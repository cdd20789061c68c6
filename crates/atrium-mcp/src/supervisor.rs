//! One task per running server: connect, watch, and when the session ends by itself, start again with
//! exponential backoff — local processes after a crash, HTTP servers after a lost connection. A local server that
//! keeps failing ends in `failed` with its last stderr lines. Stopping a local server closes its stdin, then sends
//! SIGTERM to its process group, then SIGKILL, each after a grace period.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::ClientRequest;
use rmcp::service::ServiceError;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::connection::{self, Host, Reach};
use crate::error::{Failure, FailureCode};
use crate::events::CatalogList;
use crate::group_signals::Signal;
use crate::handler::SessionContext;
use crate::inner::{Inner, note, set_status};
use crate::install::{self, INSTALL_STEPS};
use crate::launch::LaunchContext;
use crate::model::ToolInfo;
use crate::process_groups::ProcessGroup;
use crate::registration::Transport;
use crate::requests::{observe, protocol_failure, request_failure, server_info};
use crate::slot::{Live, Slot};
use crate::status::ServerStatus;

/// How often an idle remote session is pinged, so a server that went away is noticed and reconnected.
const KEEPALIVE: Duration = Duration::from_secs(20);
/// How long a stopping local server gets after its stdin closed, before SIGTERM; then before SIGKILL.
const STDIN_GRACE: Duration = Duration::from_secs(1);
const TERM_GRACE: Duration = Duration::from_secs(2);
/// How long a stopping remote session gets to close.
pub(crate) const STOP_GRACE: Duration = Duration::from_secs(3);
/// The longest a stop can take, all graces included.
pub(crate) const STOP_BOUND: Duration = Duration::from_secs(4);

/// How one session ended.
enum Ended {
    /// Atrium stopped it.
    Stopped,
    /// It ended by itself after `lasted`.
    Lost { failure: Failure, lasted: Duration },
    /// It never opened.
    NotOpened(Failure),
    /// It may not start: the person has not approved what it would run.
    NotApproved(String),
}

/// Keeps one server running until it is stopped, or until a local server is given up.
pub(crate) async fn supervise(inner: Arc<Inner>, slot: Arc<Slot>) {
    let registration = slot.spec.registration.clone();
    let reach = Reach::of(&registration);
    let restart = inner.options.restart;
    let mut backoff = restart.first_delay;
    let mut failures: u32 = 0;
    loop {
        set_status(&inner, &slot, ServerStatus::Starting);
        let ended = run_once(&inner, &slot, reach).await;
        let failure = match ended {
            Ended::Stopped => break,
            Ended::NotApproved(message) => {
                set_status(&inner, &slot, ServerStatus::NeedsApproval { message });
                break;
            }
            Ended::NotOpened(failure) => failure,
            Ended::Lost { failure, lasted } => {
                if lasted >= restart.stable_after {
                    backoff = restart.first_delay;
                    failures = 0;
                }
                failure
            }
        };
        failures += 1;
        // A server that wants a sign-in waits for one: retrying would only be refused again.
        if failure.code == FailureCode::AuthError
            && let Some(reason) = slot.credentials.needs_login()
        {
            set_status(&inner, &slot, ServerStatus::NeedsLogin { message: reason });
            break;
        }
        let retry = match reach {
            Reach::Local => {
                matches!(failure.code, FailureCode::Crashed | FailureCode::Timeout | FailureCode::ProtocolError)
                    && failures < restart.give_up_after
            }
            Reach::Remote => {
                inner.options.reconnect
                    && matches!(
                        failure.code,
                        FailureCode::ConnectionError | FailureCode::Timeout | FailureCode::ProtocolError
                    )
            }
        };
        if !retry {
            let failure = if reach == Reach::Local && failures >= restart.give_up_after && failures > 1 {
                note(&inner, &slot, format!("gave up after {failures} failed starts in a row"));
                Failure::new(
                    failure.code,
                    format!(
                        "{} It failed {failures} times in a row; Atrium stopped retrying: fix the cause and start it again.",
                        failure.message
                    ),
                )
            } else {
                failure
            };
            set_status(&inner, &slot, ServerStatus::failed(&failure, slot.log.stderr_tail(20)));
            break;
        }
        let wait_ms = u32::try_from(backoff.as_millis()).unwrap_or(u32::MAX);
        set_status(
            &inner,
            &slot,
            ServerStatus::Degraded {
                code: failure.code,
                message: failure.message.clone(),
                attempt: failures,
                retry_in_ms: wait_ms,
            },
        );
        let verb = if reach == Reach::Local { "restarting" } else { "reconnecting" };
        note(&inner, &slot, format!("{verb} in {:.1} s (attempt {})", backoff.as_secs_f32(), failures + 1));
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = slot.stop.cancelled() => break,
        }
        backoff = (backoff * 2).min(restart.max_delay);
    }
    if slot.stop.is_cancelled() {
        set_status(&inner, &slot, ServerStatus::Stopped);
    }
}

/// Whether the person approved what this registration would do here (DESIGN §6.2); read afresh at every start, so
/// an approval withdrawn or a registration changed since is honoured by the next restart too.
async fn approval_refusal(inner: &Inner, slot: &Slot) -> Option<String> {
    let effects = slot.spec.registration.local_effects()?;
    let approved = match inner.store.server_approval(&slot.spec.id).await {
        Ok(approval) => approval.is_some_and(|a| a.fingerprint == effects.fingerprint),
        Err(err) => {
            tracing::warn!(server = %slot.spec.id, %err, "cannot read the server's approval: not starting it");
            false
        }
    };
    if approved {
        return None;
    }
    let what = match (&effects.runs, &effects.sends_to) {
        (Some(runs), _) => format!("It would run {runs}"),
        (None, Some(url)) => format!("It would send this computer's credentials to {url}"),
        (None, None) => "It would use this computer's credentials".to_owned(),
    };
    Some(format!("{what}. Nothing runs until you review and approve it on this computer."))
}

/// One session, from connecting to its end.
async fn run_once(inner: &Arc<Inner>, slot: &Arc<Slot>, reach: Reach) -> Ended {
    if let Some(message) = approval_refusal(inner, slot).await {
        note(inner, slot, "not started: waiting for your approval".to_owned());
        return Ended::NotApproved(message);
    }
    let registration = &slot.spec.registration;
    let (tools_changed, mut tools_changes) = mpsc::channel(1);
    let cx = Arc::new(SessionContext {
        server_id: slot.spec.id.clone(),
        server_title: slot.title(),
        events: inner.events.clone(),
        log: slot.log.clone(),
        progress: slot.progress.clone(),
        elicitations: inner.elicitations.clone(),
        policy: inner.options.elicitation,
        tools_changed: Some(tools_changed),
    });
    let policy = inner.local.policy();
    let installed = match &registration.transport {
        Transport::Github { owner_repo, git_ref, .. } => {
            let progress = |step: &str, done: u32| {
                set_status(inner, slot, ServerStatus::Installing { step: step.to_owned(), done, total: INSTALL_STEPS });
            };
            let output = |line: String| slot.log.push(&inner.events, &slot.spec.id, "install", None, line);
            let own = inner.local.installs_for(&slot.spec.id);
            let place = install::InstallPlace { own: &own, sandbox: &inner.local.sandbox, policy: &policy };
            let installing = install::ensure(owner_repo, git_ref.as_deref(), &place, &progress, &output);
            let done = tokio::select! {
                done = installing => done,
                () = slot.stop.cancelled() => return Ended::Stopped,
            };
            match done {
                Ok(launch) => Some(launch),
                Err(failure) => {
                    note(inner, slot, format!("could not install: {}", failure.message));
                    return Ended::NotOpened(failure);
                }
            }
        }
        _ => None,
    };
    let host = Host {
        http: &inner.http,
        launch: LaunchContext { policy: &policy, keychain: inner.local.keychain.as_ref() },
        groups: &inner.groups,
        installed,
        credentials: &slot.credentials,
    };
    let opened = tokio::select! {
        opened = connection::open(registration, cx, &host) => opened,
        () = slot.stop.cancelled() => return Ended::Stopped,
    };
    let opened = match opened {
        Ok(opened) => opened,
        Err(failure) => {
            note(inner, slot, format!("could not start: {}", failure.message));
            return Ended::NotOpened(failure);
        }
    };
    let session = opened.session;
    let process = opened.process;
    let connected_at = Instant::now();
    let live = Arc::new(Live {
        peer: session.peer().clone(),
        reach,
        lost: CancellationToken::new(),
        tools: Mutex::new(Vec::new()),
        definitions: Mutex::new(Vec::new()),
        server_info: server_info(session.peer()),
        pid: process.as_ref().map(ProcessGroup::pid),
        credentials: slot.credentials.clone(),
        raw: opened.raw,
    });
    match list_tools(slot, &live).await {
        Ok(listed) => live.set_tools(listed),
        Err(f) => note(inner, slot, format!("could not list tools: {}", f.message)),
    }
    slot.set_live(Some(live.clone()));
    set_status(inner, slot, ServerStatus::Ready);
    let pid = live.pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
    note(inner, slot, format!("connected to {}{pid}", live.server_info.as_deref().unwrap_or("the server")));
    let stop_session = session.cancellation_token();
    let ended = session.waiting();
    tokio::pin!(ended);
    let mut keepalive = tokio::time::interval_at(tokio::time::Instant::now() + KEEPALIVE, KEEPALIVE);
    let stopped = loop {
        tokio::select! {
            _ = &mut ended => break false,
            () = live.lost.cancelled() => {
                stop_session.cancel();
                let _ = tokio::time::timeout(STOP_GRACE, &mut ended).await;
                break false;
            }
            _ = keepalive.tick(), if reach == Reach::Remote => {
                if let Err(failure) = ping(&live, registration.timeouts.call().min(STOP_GRACE)).await {
                    note(inner, slot, format!("keep-alive failed: {}", failure.message));
                    live.lost.cancel();
                }
            }
            Some(()) = tools_changes.recv() => match list_tools(slot, &live).await {
                Ok(listed) => {
                    live.set_tools(listed);
                    inner.events.list_changed(&slot.spec.id, CatalogList::Tools);
                }
                Err(f) => note(inner, slot, format!("could not re-list tools: {}", f.message)),
            },
            () = slot.stop.cancelled() => {
                // Closing the session closes the process's stdin; a server that does not leave gets SIGTERM, then
                // SIGKILL — sent to its whole process group, so what it spawned goes too.
                stop_session.cancel();
                if tokio::time::timeout(if process.is_some() { STDIN_GRACE } else { STOP_GRACE }, &mut ended).await.is_err()
                    && let Some(process) = &process
                {
                    process.signal(Signal::Term);
                    if tokio::time::timeout(TERM_GRACE, &mut ended).await.is_err() {
                        note(inner, slot, "did not stop after SIGTERM: killed".to_owned());
                        process.signal(Signal::Kill);
                        let _ = tokio::time::timeout(Duration::from_millis(500), &mut ended).await;
                    }
                }
                break true;
            }
        }
    };
    slot.set_live(None);
    // Whatever the server left running in its group (a crashed npx's node, say) goes with it.
    drop(process);
    if stopped {
        note(inner, slot, "stopped".to_owned());
        return Ended::Stopped;
    }
    let failure = match reach {
        Reach::Local => {
            let tail = slot.log.stderr_tail(1).pop().map(|l| format!(" Its last words: {l}")).unwrap_or_default();
            Failure::new(FailureCode::Crashed, format!("The server process exited.{tail}"))
        }
        Reach::Remote => Failure::new(FailureCode::ConnectionError, "The connection to the server was lost."),
    };
    note(inner, slot, failure.message.clone());
    Ended::Lost { failure, lasted: connected_at.elapsed() }
}

/// Lists the server's tools, every page, over the session's raw side: each definition is kept exactly as the server
/// wrote it beside Atrium's reading of it.
pub(crate) async fn list_tools(slot: &Slot, live: &Live) -> Result<(Vec<ToolInfo>, Vec<Value>), Failure> {
    let limit = slot.spec.registration.timeouts.call();
    let has_tools = live.peer.peer_info().is_none_or(|info| {
        serde_json::to_value(info.as_ref())
            .ok()
            .and_then(|v| v.get("capabilities").map(|c| c.get("tools").is_some()))
            .unwrap_or(true)
    });
    if !has_tools {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut definitions = Vec::new();
    let mut cursor: Option<Value> = None;
    for _ in 0..MAX_TOOL_PAGES {
        let params = cursor.take().map(|cursor| json!({"cursor": cursor}));
        let mut answer = live
            .raw
            .request_with_id(live.raw.next_id(), "tools/list", params.as_ref(), limit, None)
            .await
            .map_err(|f| observe(live, f))?;
        let Some(mut result) = answer.get_mut("result").map(Value::take) else {
            let reason = answer.pointer("/error/message").and_then(Value::as_str).unwrap_or("no reason given");
            return Err(Failure::new(FailureCode::ServerError, format!("The server refused: {reason}.")));
        };
        match result.get_mut("tools").map(Value::take) {
            Some(Value::Array(tools)) => definitions.extend(tools),
            _ => return Err(Failure::new(FailureCode::ProtocolError, "The server's tool list has no tools array.")),
        }
        cursor = result.get("nextCursor").filter(|c| !c.is_null()).cloned();
        if cursor.is_none() {
            break;
        }
    }
    let tools = definitions
        .iter()
        .map(|d| serde_json::from_value::<ToolInfo>(d.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(protocol_failure)?;
    Ok((tools, definitions))
}

/// Most pages of tools read from one server (a server whose cursor never ends stops there).
const MAX_TOOL_PAGES: usize = 100;

/// Pings a session; a failure means the connection is gone.
async fn ping(live: &Live, limit: Duration) -> Result<(), Failure> {
    let request: ClientRequest = serde_json::from_value(serde_json::json!({"method": "ping"}))
        .map_err(|e| Failure::new(FailureCode::ProtocolError, e.to_string()))?;
    match tokio::time::timeout(limit, live.peer.send_request(request)).await {
        Ok(Ok(_)) => Ok(()),
        // A server that does not implement ping is still there.
        Ok(Err(ServiceError::McpError(_))) => Ok(()),
        Ok(Err(err)) => Err(request_failure(err, live.reach)),
        Err(_) => Err(Failure::new(FailureCode::Timeout, "no answer to ping")),
    }
}
