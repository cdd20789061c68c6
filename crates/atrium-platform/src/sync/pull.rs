//! Pulling a linked workspace: the container's whole listing, streamed and applied in chunks; afterwards, what
//! the listing no longer has is treated as deleted there. A listing cut short applies what arrived and deletes
//! nothing.

use atrium_store::{ApplyReport, RemoteVersion, SyncLink};
use futures::StreamExt;
use serde_json::Value;

use super::seen::SeenRoots;
use super::{SyncPhase, SyncProgress, clamp};
use crate::json_stream::ArraySplitter;
use crate::mantle::Mantle;
use crate::wire;
use crate::{PlatformError, Result};

/// What a pull did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PullReport {
    /// What was applied.
    pub applied: ApplyReport,
    /// Items the platform sent that could not be read (skipped, their local copies kept).
    pub unreadable: u32,
}

/// Lists the container of `link` and applies it; `progress` is called as bytes arrive.
pub(crate) async fn pull(
    mantle: &Mantle,
    link: &SyncLink,
    progress: &(dyn Fn(SyncProgress) + Send + std::marker::Sync),
) -> Result<PullReport> {
    let store = mantle.account().store().clone();
    let response = mantle.children(&link.remote_id).await?;
    let total = response.content_length().unwrap_or(0);
    let mut body = response.bytes_stream();
    let mut splitter = ArraySplitter::default();
    let mut items = Vec::new();
    let mut pending: Vec<RemoteVersion> = Vec::with_capacity(atrium_store::APPLY_CHUNK);
    let mut seen = SeenRoots::default();
    let mut report = PullReport::default();
    let mut received: u64 = 0;
    let report_progress = |done: u64| {
        progress(SyncProgress {
            workspace_id: link.workspace_id.clone(),
            phase: SyncPhase::Pulling,
            done: clamp(done),
            total: clamp(total.max(done)),
        })
    };
    while let Some(chunk) = body.next().await {
        let chunk = chunk
            .map_err(|e| PlatformError::Unreachable { url: "the workspace listing".into(), reason: e.to_string() })?;
        received += chunk.len() as u64;
        splitter
            .push(&chunk, &mut items)
            .map_err(|e| PlatformError::Malformed { what: "the workspace listing".into(), reason: e.0 })?;
        for item in items.drain(..) {
            let raw: Value = match serde_json::from_slice(&item) {
                Ok(raw) => raw,
                Err(_) => {
                    report.unreadable += 1;
                    continue;
                }
            };
            match wire::remote_version(&raw) {
                Ok(version) => {
                    seen.insert(&version.root_id);
                    pending.push(version);
                }
                Err(e) => {
                    // Keep its local copy: it is still there, only unreadable.
                    for key in ["root_id", "id"] {
                        if let Some(id) = raw.get(key).and_then(Value::as_str) {
                            seen.insert(id);
                        }
                    }
                    tracing::warn!(error = %e, "skipped an unreadable artifact in the listing");
                    report.unreadable += 1;
                }
            }
            if pending.len() >= atrium_store::APPLY_CHUNK {
                report.applied.add(apply(mantle, &link.workspace_id, &mut pending).await?);
                report_progress(received);
            }
        }
    }
    report.applied.add(apply(mantle, &link.workspace_id, &mut pending).await?);
    if !splitter.finished() {
        return Err(PlatformError::Malformed {
            what: "the workspace listing".into(),
            reason: "it ended before the end of the array".into(),
        });
    }
    let missing = store.synced_roots_missing(&link.workspace_id, |root| seen.contains(root)).await?;
    if !missing.is_empty() {
        report.applied.add(store.apply_remote_deletes(&link.workspace_id, &missing).await?);
    }
    store.mark_pulled(&link.workspace_id).await?;
    report_progress(received);
    Ok(report)
}

/// Fetches out-of-line content where needed, then applies the versions.
pub(crate) async fn apply(
    mantle: &Mantle,
    workspace_id: &str,
    pending: &mut Vec<RemoteVersion>,
) -> Result<ApplyReport> {
    if pending.is_empty() {
        return Ok(ApplyReport::default());
    }
    for version in pending.iter_mut() {
        if wire::content_elided(&version.raw) {
            version.content = fetch_content(mantle, &version.remote_id).await?;
        }
    }
    // The conflict view shows the platform's side; its body may be large, so it is kept in the conflict only.
    let report = mantle.account().store().apply_remote(workspace_id, pending).await?;
    pending.clear();
    Ok(report)
}

async fn fetch_content(mantle: &Mantle, id: &str) -> Result<String> {
    match mantle.content(id).await {
        Ok(content) => Ok(content),
        // No out-of-line content: it really is empty.
        Err(PlatformError::NotFound(_)) => Ok(String::new()),
        Err(e) => Err(e),
    }
}
