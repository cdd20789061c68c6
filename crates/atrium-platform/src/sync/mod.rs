//! Two-way sync of linked workspaces.
//!
//! The platform has no change cursor: a sync lists the container ([`pull`]), then sends the outbox ([`push`]).
//! The live loop ([`Sync::start`]) holds one `/events` socket with a subscription per linked workspace, applies
//! what it reports, lists everything again after every reconnect, and sends local edits as they come. One
//! engine lock serialises pulls, pushes and event handling, so an event about Atrium's own write is only read
//! after that write was recorded (it then changes nothing).

mod pull;
mod push;
mod seen;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrium_store::{NewWorkspace, Resolution, Store, SyncConflict, SyncLink, Workspace};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::account::Account;
use crate::events::{EventFeed, FeedEvent};
use crate::mantle::Mantle;
use crate::wire::{self, RemoteWorkspace};
use crate::{PlatformError, Result};

pub use crate::backoff::retry_delay;
pub use pull::PullReport;
pub use push::PushReport;

/// How often the live loop looks for local edits to send (edits also wake it at once through [`Sync::wake`]).
const PUSH_TICK: Duration = Duration::from_secs(2);
/// WebSocket ping interval, so a dead connection is noticed.
const PING_EVERY: Duration = Duration::from_secs(25);
/// How long [`Sync::stop`] waits for the loop.
const STOP_WAIT: Duration = Duration::from_secs(3);

/// Which half of a sync is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Receiving the platform's artifacts (`done`/`total` in bytes).
    Pulling,
    /// Sending local changes (`done`/`total` in changes).
    Pushing,
}

/// Progress of a sync, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncProgress {
    /// The local workspace.
    pub workspace_id: String,
    /// Which half.
    pub phase: SyncPhase,
    /// How far.
    pub done: u32,
    /// Out of.
    pub total: u32,
}

/// Where a linked workspace's sync stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Up to date as far as Atrium knows.
    Idle,
    /// A sync is running.
    Syncing,
    /// The platform cannot be reached; edits wait in the outbox and go when it is back.
    Offline,
    /// Nobody is signed in (or the session ended).
    SignedOut,
    /// The last sync failed for a reason that needs the person (see the message).
    Failed,
}

/// A linked workspace's sync status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct WorkspaceSync {
    /// The local workspace.
    pub workspace_id: String,
    /// The platform container.
    pub remote_id: String,
    /// Where it stands.
    pub state: SyncState,
    /// Local changes not yet on the platform.
    pub pending: u32,
    /// Conflicts waiting for the person.
    pub conflicts: u32,
    /// When the last full listing was applied.
    pub last_pull: Option<String>,
    /// What went wrong, in words that say what to do.
    pub message: Option<String>,
}

/// Where sync reports what it does (the app forwards these to the window).
pub trait SyncReporter: Send + std::marker::Sync {
    /// Progress of a running sync.
    fn progress(&self, progress: &SyncProgress);
    /// A workspace's status changed.
    fn status(&self, status: &WorkspaceSync);
    /// Artifacts of a workspace changed (lists need a refresh).
    fn artifacts_changed(&self, workspace_id: &str);
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoReporter;

impl SyncReporter for NoReporter {
    fn progress(&self, _: &SyncProgress) {}
    fn status(&self, _: &WorkspaceSync) {}
    fn artifacts_changed(&self, _: &str) {}
}

struct Inner {
    store: Store,
    mantle: Mantle,
    reporter: Arc<dyn SyncReporter>,
    /// Serialises pulls, pushes and event handling (see the module docs). Held across I/O by design: it guards
    /// the order of operations, not data.
    engine: tokio::sync::Mutex<()>,
    states: Mutex<HashMap<String, (SyncState, Option<String>)>>,
    wake: tokio::sync::Notify,
    cancel: CancellationToken,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// The sync service of one Atrium home. Cheap to clone.
#[derive(Clone)]
pub struct Sync {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Sync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sync(…)")
    }
}

/// What one sync of a workspace did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// The pull.
    pub pulled: PullReport,
    /// The push.
    pub pushed: PushReport,
}

impl Sync {
    /// Sync for `account`'s platform, reporting to `reporter`.
    pub fn new(account: Account, reporter: Arc<dyn SyncReporter>) -> Self {
        Sync {
            inner: Arc::new(Inner {
                store: account.store().clone(),
                mantle: Mantle::new(account),
                reporter,
                engine: tokio::sync::Mutex::new(()),
                states: Mutex::default(),
                wake: tokio::sync::Notify::new(),
                cancel: CancellationToken::new(),
                task: Mutex::new(None),
            }),
        }
    }

    /// The REST client sync uses.
    pub fn mantle(&self) -> &Mantle {
        &self.inner.mantle
    }

    /// The platform's workspaces this account can read.
    pub async fn remote_workspaces(&self) -> Result<Vec<RemoteWorkspace>> {
        self.inner.mantle.workspaces().await
    }

    /// Puts a local workspace on the platform: creates a platform workspace of the same name and links them;
    /// every artifact is queued to be sent.
    pub async fn publish_workspace(&self, workspace_id: &str) -> Result<SyncLink> {
        let workspace = self.inner.store.get_workspace(workspace_id).await?;
        if let Some(link) = self.link_of(workspace_id).await? {
            return Ok(link);
        }
        let remote = self.inner.mantle.create_workspace(&workspace.title, &workspace.description).await?;
        let link = self.inner.store.link_workspace(workspace_id, &remote.id).await?;
        self.wake();
        Ok(link)
    }

    /// Brings a platform workspace here: a local workspace linked to it (the one already linked, if any). Its
    /// artifacts arrive with the next sync.
    pub async fn link_remote(&self, remote_id: &str) -> Result<Workspace> {
        if let Some(link) = self.inner.store.sync_links().await?.into_iter().find(|l| l.remote_id == remote_id) {
            return Ok(self.inner.store.get_workspace(&link.workspace_id).await?);
        }
        let remote = self
            .remote_workspaces()
            .await?
            .into_iter()
            .find(|w| w.id == remote_id)
            .ok_or_else(|| PlatformError::NotFound("workspace".into()))?;
        let title: String = remote.name.chars().take(atrium_store::validate::MAX_TITLE_CHARS).collect();
        // The platform's description is whatever its writer put there: kept to what a local one may hold rather
        // than refusing the whole workspace over it.
        let description: String = remote
            .description
            .chars()
            .filter(|c| atrium_store::validate::description_char(*c))
            .take(atrium_store::validate::MAX_DESCRIPTION_CHARS)
            .collect();
        let workspace =
            self.inner.store.create_workspace(NewWorkspace { title, description: Some(description) }).await?;
        self.inner.store.link_workspace(&workspace.id, remote_id).await?;
        self.wake();
        Ok(self.inner.store.get_workspace(&workspace.id).await?)
    }

    /// Stops syncing a workspace; both copies stay as they are.
    pub async fn unlink(&self, workspace_id: &str) -> Result<()> {
        let _engine = self.inner.engine.lock().await;
        self.inner.store.unlink_workspace(workspace_id).await?;
        self.forget_state(workspace_id);
        self.wake();
        Ok(())
    }

    async fn link_of(&self, workspace_id: &str) -> Result<Option<SyncLink>> {
        Ok(self.inner.store.sync_links().await?.into_iter().find(|l| l.workspace_id == workspace_id))
    }

    /// Syncs one linked workspace now: pull, then push (and, when a create was in doubt, pull and push again).
    #[tracing::instrument(skip(self))]
    pub async fn sync_workspace(&self, workspace_id: &str) -> Result<SyncReport> {
        let link = self.link_of(workspace_id).await?.ok_or_else(|| PlatformError::NotFound("link".into()))?;
        let _engine = self.inner.engine.lock().await;
        self.run_link(&link).await
    }

    /// Syncs every linked workspace now, one after the other. The first failure that would stop them all (the
    /// platform unreachable, signed out) is returned; others are in each workspace's status.
    pub async fn sync_all(&self) -> Result<Vec<(String, SyncReport)>> {
        let mut reports = Vec::new();
        for link in self.inner.store.sync_links().await? {
            let _engine = self.inner.engine.lock().await;
            match self.run_link(&link).await {
                Ok(report) => reports.push((link.workspace_id.clone(), report)),
                Err(e) if stops_everything(&e) => return Err(e),
                Err(_) => {}
            }
        }
        Ok(reports)
    }

    /// Pull then push one link; the caller holds the engine lock. Records the outcome in the status.
    async fn run_link(&self, link: &SyncLink) -> Result<SyncReport> {
        self.set_state(&link.workspace_id, SyncState::Syncing, None).await;
        let result = self.pull_then_push(link).await;
        match &result {
            Ok(_) => self.set_state(&link.workspace_id, SyncState::Idle, None).await,
            Err(e) => self.set_failure(&link.workspace_id, e).await,
        }
        self.inner.reporter.artifacts_changed(&link.workspace_id);
        result
    }

    async fn pull_then_push(&self, link: &SyncLink) -> Result<SyncReport> {
        let reporter = self.inner.reporter.clone();
        let progress = move |p: SyncProgress| reporter.progress(&p);
        let mut report =
            SyncReport { pulled: pull::pull(&self.inner.mantle, link, &progress).await?, ..Default::default() };
        report.pushed = push::push(&self.inner.mantle, link, &progress).await?;
        if report.pushed.needs_pull {
            // A create's answer was lost: the listing recognises it (by the local id in its context) or proves
            // it never arrived; then the rest goes.
            let again = pull::pull(&self.inner.mantle, link, &progress).await?;
            report.pulled.applied.add(again.applied);
            self.inner.store.clear_creates_in_doubt(&link.workspace_id).await?;
            let pushed = push::push(&self.inner.mantle, link, &progress).await?;
            report.pushed.sent += pushed.sent;
            report.pushed.conflicts += pushed.conflicts;
            report.pushed.failed += pushed.failed;
        }
        Ok(report)
    }

    /// Sends one linked workspace's due changes now, without listing it first.
    pub async fn push_workspace(&self, workspace_id: &str) -> Result<PushReport> {
        let link = self.link_of(workspace_id).await?.ok_or_else(|| PlatformError::NotFound("link".into()))?;
        let _engine = self.inner.engine.lock().await;
        let reporter = self.inner.reporter.clone();
        let progress = move |p: SyncProgress| reporter.progress(&p);
        push::push(&self.inner.mantle, &link, &progress).await
    }

    /// Sends due outbox entries of every link (no listing).
    async fn push_due(&self) -> Result<()> {
        for link in self.inner.store.sync_links().await? {
            if self.inner.store.outbox_due(&link.workspace_id, 1).await?.is_empty() {
                continue;
            }
            let engine = self.inner.engine.lock().await;
            let reporter = self.inner.reporter.clone();
            let progress = move |p: SyncProgress| reporter.progress(&p);
            match push::push(&self.inner.mantle, &link, &progress).await {
                Ok(report) if report.needs_pull => {
                    drop(engine);
                    self.sync_workspace(&link.workspace_id).await?;
                }
                Ok(_) => self.publish_status(&link.workspace_id).await,
                Err(e) => {
                    self.set_failure(&link.workspace_id, &e).await;
                    if stops_everything(&e) {
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies one event from the feed.
    async fn apply_event(&self, links: &[SyncLink], event: FeedEvent) -> Result<()> {
        let (workspace_id, result) = match event {
            FeedEvent::Other => return Ok(()),
            FeedEvent::Upserted { subscription, artifact } => {
                let Some(link) = links.iter().find(|l| l.workspace_id == subscription) else { return Ok(()) };
                let in_container = artifact.get("collection_id").and_then(serde_json::Value::as_str);
                if in_container.is_some_and(|c| c != link.remote_id) {
                    return Ok(());
                }
                let version = match wire::remote_version(&artifact) {
                    Ok(v) => v,
                    Err(e) => {
                        tracing::warn!(error = %e, "ignored an unreadable event");
                        return Ok(());
                    }
                };
                let _engine = self.inner.engine.lock().await;
                let mut pending = vec![version];
                (subscription, pull::apply(&self.inner.mantle, &link.workspace_id, &mut pending).await)
            }
            FeedEvent::Deleted { subscription, artifact_id } => {
                if !links.iter().any(|l| l.workspace_id == subscription) {
                    return Ok(());
                }
                let _engine = self.inner.engine.lock().await;
                let result = self.inner.store.apply_remote_deletes(&subscription, &[artifact_id]).await;
                (subscription, result.map_err(PlatformError::from))
            }
        };
        let report = result?;
        if report != atrium_store::ApplyReport::default() {
            self.inner.reporter.artifacts_changed(&workspace_id);
            self.publish_status(&workspace_id).await;
        }
        Ok(())
    }

    /// Every linked workspace's status.
    pub async fn statuses(&self) -> Result<Vec<WorkspaceSync>> {
        let mut statuses = Vec::new();
        for link in self.inner.store.sync_links().await? {
            statuses.push(self.status_of(&link).await?);
        }
        Ok(statuses)
    }

    async fn status_of(&self, link: &SyncLink) -> Result<WorkspaceSync> {
        let (state, message) = self
            .inner
            .states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&link.workspace_id)
            .cloned()
            .unwrap_or_else(|| {
                if self.inner.mantle.account().info().is_some() {
                    (SyncState::Idle, None)
                } else {
                    (SyncState::SignedOut, Some("Sign in to the platform to sync.".into()))
                }
            });
        Ok(WorkspaceSync {
            workspace_id: link.workspace_id.clone(),
            remote_id: link.remote_id.clone(),
            state,
            pending: self.inner.store.outbox_count(&link.workspace_id).await?,
            conflicts: self.inner.store.conflict_count(&link.workspace_id).await?,
            last_pull: link.last_pull.clone(),
            message,
        })
    }

    async fn publish_status(&self, workspace_id: &str) {
        if let Ok(Some(link)) = self.link_of(workspace_id).await
            && let Ok(status) = self.status_of(&link).await
        {
            self.inner.reporter.status(&status);
        }
    }

    async fn set_state(&self, workspace_id: &str, state: SyncState, message: Option<String>) {
        self.inner.states.lock().unwrap_or_else(|p| p.into_inner()).insert(workspace_id.to_owned(), (state, message));
        self.publish_status(workspace_id).await;
    }

    async fn set_failure(&self, workspace_id: &str, error: &PlatformError) {
        let state = match error {
            PlatformError::SignedOut | PlatformError::NeedsUserToken(_) => SyncState::SignedOut,
            e if e.is_transient() => SyncState::Offline,
            _ => SyncState::Failed,
        };
        tracing::warn!(workspace = %workspace_id, code = error.code(), error = %error, "sync did not complete");
        self.set_state(workspace_id, state, Some(error.to_string())).await;
    }

    fn forget_state(&self, workspace_id: &str) {
        self.inner.states.lock().unwrap_or_else(|p| p.into_inner()).remove(workspace_id);
    }

    /// Open conflicts (of one workspace, or all).
    pub async fn conflicts(&self, workspace_id: Option<&str>) -> Result<Vec<SyncConflict>> {
        Ok(self.inner.store.conflicts(workspace_id).await?)
    }

    /// Settles a conflict as the person chose, then sends the result.
    pub async fn resolve(&self, artifact_id: &str, resolution: Resolution) -> Result<()> {
        let conflict = self.inner.store.conflict(artifact_id).await?;
        let remote = match &conflict.remote {
            Some(raw) => {
                let mut version = wire::remote_version(raw)?;
                if wire::content_elided(raw) {
                    version.content = self.inner.mantle.content(&version.remote_id).await.unwrap_or_default();
                }
                Some(version)
            }
            None => None,
        };
        {
            let _engine = self.inner.engine.lock().await;
            self.inner.store.resolve_conflict(artifact_id, resolution, remote.as_ref()).await?;
        }
        self.inner.reporter.artifacts_changed(&conflict.workspace_id);
        self.publish_status(&conflict.workspace_id).await;
        self.wake();
        Ok(())
    }

    /// Tells the live loop that something changed (a local edit, a new link).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Starts the live loop (once; later calls do nothing).
    pub fn start(&self) {
        let mut task = self.inner.task.lock().unwrap_or_else(|p| p.into_inner());
        if task.is_some() || self.inner.cancel.is_cancelled() {
            return;
        }
        let sync = self.clone();
        *task = Some(tokio::spawn(async move { sync.run().await }));
    }

    /// Stops the live loop, waiting a bounded time for it.
    pub async fn stop(&self) {
        self.inner.cancel.cancel();
        let task = self.inner.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let abort = task.abort_handle();
            if tokio::time::timeout(STOP_WAIT, task).await.is_err() {
                abort.abort();
            }
        }
    }

    async fn run(&self) {
        let cancel = self.inner.cancel.clone();
        let mut account = self.inner.mantle.account().changes();
        let mut failures = 0u32;
        while !cancel.is_cancelled() {
            let links = self.inner.store.sync_links().await.unwrap_or_default();
            if self.inner.mantle.account().info().is_none() || links.is_empty() {
                for link in &links {
                    self.set_state(
                        &link.workspace_id,
                        SyncState::SignedOut,
                        Some("Sign in to the platform to sync.".into()),
                    )
                    .await;
                }
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = account.changed() => {}
                    _ = self.inner.wake.notified() => {}
                }
                continue;
            }
            match self.session(&links, &mut account).await {
                Ok(()) => failures = 0,
                Err(e) => {
                    for link in &links {
                        self.set_failure(&link.workspace_id, &e).await;
                    }
                    failures += 1;
                    let delay = crate::backoff::reconnect_delay(failures);
                    tracing::info!(delay_ms = delay.as_millis() as u64, "sync will reconnect");
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = tokio::time::sleep(delay) => {}
                        _ = account.changed() => {}
                    }
                }
            }
        }
    }

    /// One connection of the live loop: subscribe, list everything, then follow events and send edits until the
    /// socket ends, the links or the account change, or the loop is cancelled.
    async fn session(&self, links: &[SyncLink], account: &mut tokio::sync::watch::Receiver<u64>) -> Result<()> {
        let urls = self.inner.mantle.account().info().ok_or(PlatformError::SignedOut)?.urls;
        let bearer = self.inner.mantle.account().bearer().await?;
        let mut feed = match EventFeed::connect(&urls.events_ws(), bearer.expose()).await {
            Ok(feed) => feed,
            Err(e) => {
                // A refused upgrade may be an expired token: the next attempt refreshes.
                self.inner.mantle.account().reject(bearer.expose());
                return Err(e);
            }
        };
        for link in links {
            feed.subscribe(&link.workspace_id, &link.remote_id).await?;
        }
        for link in links {
            let _engine = self.inner.engine.lock().await;
            match self.run_link(link).await {
                Err(e) if stops_everything(&e) => return Err(e),
                _ => {}
            }
        }
        let cancel = self.inner.cancel.clone();
        let mut tick = tokio::time::interval(PUSH_TICK);
        let mut ping = tokio::time::interval(PING_EVERY);
        enum Step {
            Event(Result<FeedEvent>),
            Push,
            Ping,
            Relink,
            Stop,
        }
        loop {
            let step = tokio::select! {
                _ = cancel.cancelled() => Step::Stop,
                _ = account.changed() => Step::Relink,
                event = feed.next() => Step::Event(event),
                _ = self.inner.wake.notified() => Step::Push,
                _ = tick.tick() => Step::Push,
                _ = ping.tick() => Step::Ping,
            };
            match step {
                Step::Stop | Step::Relink => {
                    feed.close().await;
                    return Ok(());
                }
                Step::Event(Ok(event)) => {
                    if let Err(e) = self.apply_event(links, event).await {
                        tracing::warn!(error = %e, "an event could not be applied; the next listing catches up");
                    }
                }
                Step::Event(Err(e)) => return Err(e),
                Step::Ping => feed.ping().await?,
                Step::Push => {
                    let current = self.inner.store.sync_links().await?;
                    let pairs = |ls: &[SyncLink]| -> Vec<(String, String)> {
                        ls.iter().map(|l| (l.workspace_id.clone(), l.remote_id.clone())).collect()
                    };
                    if pairs(&current) != pairs(links) {
                        feed.close().await;
                        return Ok(());
                    }
                    self.push_due().await?;
                }
            }
        }
    }
}

pub(crate) fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn stops_everything(e: &PlatformError) -> bool {
    matches!(e, PlatformError::Unreachable { .. } | PlatformError::SignedOut)
}
