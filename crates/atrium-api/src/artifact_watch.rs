//! Artifact writes as a stream any front door can follow (the gateway tells an agent that subscribed to an
//! artifact when it changes), whatever sink the window's events go to: the sink Atrium is opened with is wrapped,
//! so every artifact event — the window's, the terminal's, an agent's, a view's, sync's — is also broadcast here,
//! and a deletion (which the window learns otherwise) is announced beside them.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::events::{AppEvent, EventSink};
use crate::{ApiResult, Atrium};

/// How many notices a slow follower may fall behind before it misses some (it is told it lagged).
const BACKLOG: usize = 256;

/// One change to the artifacts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactNotice {
    /// One artifact was created or changed.
    Changed {
        /// Its workspace.
        workspace_id: String,
        /// The artifact.
        artifact_id: String,
        /// Whether this write created it.
        created: bool,
    },
    /// One artifact was deleted.
    Removed {
        /// Its workspace.
        workspace_id: String,
        /// The artifact.
        artifact_id: String,
    },
    /// Any of a workspace's artifacts may have been added, changed or removed (sync, a bulk import, the
    /// workspace's deletion).
    Many {
        /// The workspace.
        workspace_id: String,
    },
}

/// The sink that passes every event on and broadcasts the artifact ones.
pub(crate) struct Tee {
    inner: Arc<dyn EventSink>,
    tx: broadcast::Sender<ArtifactNotice>,
}

impl EventSink for Tee {
    fn emit(&self, event: AppEvent) {
        let notice = match &event {
            AppEvent::ArtifactChanged { workspace_id, artifact_id, created, .. } => Some(ArtifactNotice::Changed {
                workspace_id: workspace_id.clone(),
                artifact_id: artifact_id.clone(),
                created: *created,
            }),
            AppEvent::ArtifactsChanged { workspace_id } => {
                Some(ArtifactNotice::Many { workspace_id: workspace_id.clone() })
            }
            _ => None,
        };
        if let Some(notice) = notice {
            // Nobody following is the usual case; that is no error.
            let _ = self.tx.send(notice);
        }
        self.inner.emit(event);
    }
}

/// Wraps `events`; the sender is where deletions are announced too.
pub(crate) fn wrap(events: Arc<dyn EventSink>) -> (Arc<dyn EventSink>, broadcast::Sender<ArtifactNotice>) {
    let (tx, _) = broadcast::channel(BACKLOG);
    (Arc::new(Tee { inner: events, tx: tx.clone() }), tx)
}

impl Atrium {
    /// Every artifact write from now on, whoever made it (see [`ArtifactNotice`]).
    pub fn artifact_changes(&self) -> broadcast::Receiver<ArtifactNotice> {
        self.artifact_notices.subscribe()
    }

    /// Announces that an artifact is about to be deleted, when anyone follows: its workspace is read first, since
    /// afterwards it is gone.
    pub(crate) async fn announce_removal(&self, id: &str) -> ApiResult<Option<ArtifactNotice>> {
        if self.artifact_notices.receiver_count() == 0 {
            return Ok(None);
        }
        let artifact = self.store.get_artifact(id).await?;
        Ok(Some(ArtifactNotice::Removed { workspace_id: artifact.workspace_id, artifact_id: artifact.id }))
    }

    /// Sends a notice made by [`Atrium::announce_removal`] once the deletion happened.
    pub(crate) fn announce(&self, notice: Option<ArtifactNotice>) {
        if let Some(notice) = notice {
            let _ = self.artifact_notices.send(notice);
        }
    }
}
