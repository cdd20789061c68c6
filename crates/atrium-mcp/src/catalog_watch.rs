//! A counter that moves whenever what a client of Atrium could see of the servers may have changed: a server's
//! status (it started, stopped, failed), its tools, resources or prompts. The agents' gateway watches it to tell
//! its clients `notifications/tools/list_changed`, whatever sink the events otherwise go to (the window, the
//! terminal), so no front door has to tee the other's events. Beside it, which server's list changed and which of
//! its resources was updated, for a front door that tells its clients of resources and prompts as well as tools.

use std::sync::Arc;

use tokio::sync::{broadcast, watch};

use crate::events::{CatalogList, ElicitationRequest, Events, ServerEvents};
use crate::model::{CallProgress, LogLine};
use crate::status::ServerStatus;

/// The sink that forwards every event and moves the counter on those that change what is offered.
struct Watched {
    inner: Events,
    tx: watch::Sender<u64>,
    follow: Followed,
}

/// What a front door follows beside the counter: each server's list changes and resource updates, with its id.
#[derive(Clone)]
pub(crate) struct Followed {
    pub(crate) lists: broadcast::Sender<(String, CatalogList)>,
    pub(crate) updates: broadcast::Sender<(String, String)>,
}

impl Watched {
    fn bump(&self) {
        self.tx.send_modify(|n| *n = n.wrapping_add(1));
    }
}

impl ServerEvents for Watched {
    fn status_changed(&self, server_id: &str, status: &ServerStatus) {
        self.inner.status_changed(server_id, status);
        self.bump();
    }
    fn log(&self, server_id: &str, line: &LogLine) {
        self.inner.log(server_id, line);
    }
    fn progress(&self, server_id: &str, progress: &CallProgress) {
        self.inner.progress(server_id, progress);
    }
    fn elicitation_requested(&self, request: &ElicitationRequest) {
        self.inner.elicitation_requested(request);
    }
    fn elicitation_closed(&self, id: &str) {
        self.inner.elicitation_closed(id);
    }
    fn catalog_changed(&self, server_id: &str) {
        self.inner.catalog_changed(server_id);
        self.bump();
    }
    fn list_changed(&self, server_id: &str, list: CatalogList) {
        self.inner.list_changed(server_id, list);
        // Nobody following is the usual case.
        let _ = self.follow.lists.send((server_id.to_owned(), list));
        self.bump();
    }
    fn resource_updated(&self, server_id: &str, uri: &str) {
        self.inner.resource_updated(server_id, uri);
        let _ = self.follow.updates.send((server_id.to_owned(), uri.to_owned()));
    }
    fn audit_recorded(&self, server_id: &str) {
        self.inner.audit_recorded(server_id);
    }
    fn auth_changed(&self, server_id: &str, auth: &crate::ServerAuth) {
        self.inner.auth_changed(server_id, auth);
    }
}

/// How many list changes or updates a slow follower may fall behind before it misses some.
const BACKLOG: usize = 64;

/// Wraps `events` so that the returned sender's counter moves with every change of what servers offer, and each
/// server's own list change and resource update is broadcast.
pub(crate) fn wrap(events: Events) -> (Events, watch::Sender<u64>, Followed) {
    let (tx, _) = watch::channel(0);
    let follow = Followed { lists: broadcast::channel(BACKLOG).0, updates: broadcast::channel(BACKLOG).0 };
    let watched = Watched { inner: events, tx: tx.clone(), follow: follow.clone() };
    (Arc::new(watched), tx, follow)
}
