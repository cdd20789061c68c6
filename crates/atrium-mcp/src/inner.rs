//! What every part of the connection manager shares: the slots, the store, the machine's side (keychain, policy,
//! installs, sandbox), the audit writer, the process groups; and the two ways a slot reports (its status, Atrium's
//! own lines in its log).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use atrium_store::Store;
use tokio_util::sync::CancellationToken;

use crate::audit::AuditRecorder;
use crate::connection::LazyHttp;
use crate::credentials::CredentialHost;
use crate::events::{Elicitations, Events};
use crate::policy::CommandPolicy;
use crate::process_groups::ProcessGroups;
use crate::sandbox::SandboxSetup;
use crate::server_log::LogFiles;
use crate::server_records::ServerSetOptions;
use crate::slot::Slot;
use crate::status::ServerStatus;

/// The machine side of the manager. The policy can change while servers run; each start reads it afresh.
pub(crate) struct LocalHost {
    pub(crate) keychain: Option<atrium_secrets::Keychain>,
    pub(crate) policy: Mutex<CommandPolicy>,
    pub(crate) installs: std::path::PathBuf,
    pub(crate) sandbox: SandboxSetup,
}

impl LocalHost {
    /// The install directory of one server.
    pub(crate) fn installs_for(&self, server_id: &str) -> std::path::PathBuf {
        self.installs.join(crate::server_log::log_file_name(server_id).trim_end_matches(".log"))
    }

    pub(crate) fn policy(&self) -> CommandPolicy {
        self.policy.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

pub(crate) struct Inner {
    /// The store: audit rows, Authorizers, and the person's approvals of what servers run.
    pub(crate) store: Store,
    pub(crate) slots: Mutex<HashMap<String, Arc<Slot>>>,
    /// Requests forwarded for others, by the caller's id (to pass a cancellation on).
    pub(crate) in_flight: crate::in_flight::InFlight,
    pub(crate) calls: Mutex<HashMap<String, CancellationToken>>,
    pub(crate) events: Events,
    /// Moves whenever what servers offer may have changed (see `catalog_watch.rs`).
    pub(crate) catalog: tokio::sync::watch::Sender<u64>,
    /// Each server's own list changes and resource updates (see `catalog_watch.rs`).
    pub(crate) follow: crate::catalog_watch::Followed,
    pub(crate) http: LazyHttp,
    pub(crate) audit: AuditRecorder,
    pub(crate) elicitations: Arc<Elicitations>,
    pub(crate) options: ServerSetOptions,
    pub(crate) local: LocalHost,
    pub(crate) groups: Arc<ProcessGroups>,
    pub(crate) log_files: Option<LogFiles>,
    pub(crate) credential_host: CredentialHost,
}

impl Drop for Inner {
    /// The last safety net: no process of a server outlives its manager.
    fn drop(&mut self) {
        self.groups.kill_all();
    }
}

pub(crate) fn set_status(inner: &Inner, slot: &Slot, status: ServerStatus) {
    *slot.status.lock().unwrap_or_else(|p| p.into_inner()) = status.clone();
    // A slot being replaced (refresh, edit) winds down after its successor started: its last words must not
    // overwrite the successor's status in the window.
    let current = inner
        .slots
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&slot.spec.id)
        .is_some_and(|s| std::ptr::eq(Arc::as_ptr(s), slot));
    if current {
        slot.status_watch.send_replace(status.clone());
        inner.events.status_changed(&slot.spec.id, &status);
    }
}

/// Atrium's own line in the server's log (connected, lost, reconnecting …), also in Atrium's log file.
/// The messages name addresses and codes, never credentials.
pub(crate) fn note(inner: &Inner, slot: &Slot, message: String) {
    tracing::info!(server = %slot.spec.id, "{message}");
    slot.log.push(&inner.events, &slot.spec.id, "atrium", None, message);
}
