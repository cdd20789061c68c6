//! Where the relay stands and why, in this process and as a record other processes read (`atrium relay` in a
//! terminal, the window, `atrium platform status`), so every one of them tells the same truth.

use std::time::Duration;

use atrium_store::Store;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The local setting holding the status of the process serving the relay.
const SHARED_SETTING: &str = "relay.status";
/// How often a running relay rewrites its record, so readers can tell a live one from a process that died.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(20);
/// A record older than this is from a process that is gone.
const STALE_AFTER: Duration = Duration::from_secs(65);

/// Where the relay connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum RelayState {
    /// Not started.
    Off,
    /// Paused by the person.
    Paused,
    /// Connecting.
    Connecting,
    /// Connected: the platform can reach the published servers.
    Connected,
    /// Not connected; retrying after a pause.
    Offline,
    /// Needs a sign-in (with the browser or a password: an API key cannot carry the relay).
    SignedOut,
    /// Cannot connect until something is configured (see the reason).
    Unavailable,
}

/// Why the relay is not connected, as a fact the window and the CLI each put in their own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RelayReason {
    /// The person paused it.
    Paused,
    /// Nobody is signed in (or the session ended).
    SignedOut,
    /// Signed in with an API key, which Chorus does not accept.
    ApiKey,
    /// Discovery did not find Chorus: sign in again giving its URL.
    NoChorus,
    /// Chorus refused the connection (HTTP 401/403) even with a freshly refreshed token.
    Refused {
        /// The status at the upgrade.
        status: u16,
    },
    /// Something other than Chorus answered at the relay URL (a web page: the install does not route `/relay`).
    NotTheRelay {
        /// The relay URL.
        url: String,
        /// The status it answered.
        status: u16,
    },
    /// The relay URL did not answer.
    Unreachable {
        /// The relay URL.
        url: String,
        /// What the network said.
        error: String,
    },
    /// An open connection dropped or the platform closed it.
    Dropped {
        /// What happened.
        error: String,
    },
}

impl RelayReason {
    /// The reason in a sentence that says what to do.
    pub fn explain(&self) -> String {
        match self {
            RelayReason::Paused => "Paused: the platform cannot reach your local servers until you resume.".into(),
            RelayReason::SignedOut => "Not signed in to the platform: sign in to turn the relay on.".into(),
            RelayReason::ApiKey => "Signed in with an API key, which the relay does not accept: sign in with the \
                                    browser or a password."
                .into(),
            RelayReason::NoChorus => "Atrium did not find the platform's Chorus service: sign in again and give \
                                      Chorus's URL (the relay answers at <url>/relay/v1/connect)."
                .into(),
            RelayReason::Refused { status } => format!(
                "The platform refused the relay connection (HTTP {status}) with a fresh token: sign out and in \
                 again; if it persists, the platform does not accept this account's tokens."
            ),
            RelayReason::NotTheRelay { url, status } => format!(
                "{url} answered HTTP {status} (a web page), not the relay: the platform's front does not route \
                 /relay to Chorus. Ask its administrator to, or sign in again giving Chorus's own URL."
            ),
            RelayReason::Unreachable { url, error } => format!("The relay at {url} cannot be reached: {error}"),
            RelayReason::Dropped { error } => format!("The relay connection dropped: {error}"),
        }
    }
}

/// The relay's status, for the badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RelayStatus {
    /// Where it stands.
    pub state: RelayState,
    /// Why it is not connected.
    pub reason: Option<RelayReason>,
    /// The reason in words that say what to do.
    pub message: Option<String>,
    /// Requests answered since the relay started.
    pub requests_served: u32,
    /// When the last one came.
    pub last_request_at: Option<String>,
    /// When the next connection attempt starts, when offline.
    pub retry_in_ms: Option<u32>,
    /// The process serving the relay, when it is not this one (`atrium relay` in a terminal, or the window).
    pub served_by: Option<u32>,
}

impl RelayStatus {
    /// Not started, for no reason worth telling.
    pub fn off() -> Self {
        RelayStatus {
            state: RelayState::Off,
            reason: None,
            message: None,
            requests_served: 0,
            last_request_at: None,
            retry_in_ms: None,
            served_by: None,
        }
    }
}

/// Writes this process's relay status for the others.
pub(crate) async fn publish(store: &Store, status: &RelayStatus) {
    let record = json!({
        "pid": std::process::id(),
        "written_ms": chrono::Utc::now().timestamp_millis(),
        "status": status,
    });
    if let Err(e) = store.set_setting(SHARED_SETTING, &record).await {
        tracing::debug!(error = %e, "cannot share the relay status");
    }
}

/// The relay status another live process published, if one is serving the relay.
pub async fn shared(store: &Store) -> Option<RelayStatus> {
    let record = store.setting(SHARED_SETTING).await.ok()??;
    let pid = u32::try_from(record.get("pid")?.as_u64()?).ok()?;
    if pid == std::process::id() {
        return None;
    }
    let written = record.get("written_ms")?.as_i64()?;
    let age = chrono::Utc::now().timestamp_millis().saturating_sub(written);
    if age > i64::try_from(STALE_AFTER.as_millis()).unwrap_or(i64::MAX) || !process_exists(pid) {
        return None;
    }
    let mut status: RelayStatus = serde_json::from_value(record.get("status")?.clone()).ok()?;
    if status.state == RelayState::Off {
        return None;
    }
    status.served_by = Some(pid);
    Some(status)
}

/// Whether a process is running (Linux answers at once; elsewhere the heartbeat's age decides).
fn process_exists(pid: u32) -> bool {
    if cfg!(target_os = "linux") { std::path::Path::new(&format!("/proc/{pid}")).exists() } else { true }
}
