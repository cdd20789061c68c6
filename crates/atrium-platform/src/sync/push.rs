//! Pushing a linked workspace's outbox. The platform has no optimistic concurrency, so before writing, Atrium
//! reads the platform's current versions (one batch request per 200) and compares each with the base of the
//! local edit: a newer one there is a conflict, never overwritten.

use std::collections::HashMap;
use std::time::Duration;

use atrium_store::{Artifact, OutboxEntry, OutboxOp, SyncLink};
use serde_json::Value;

use super::{SyncPhase, SyncProgress, clamp};
use crate::backoff::retry_delay;
use crate::mantle::Mantle;
use crate::wire;
use crate::{PlatformError, Result};

/// Outbox entries read per round.
const ROUND: u32 = 200;

/// What a push did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Creates, updates and deletes the platform took.
    pub sent: u32,
    /// Changes that turned out to conflict.
    pub conflicts: u32,
    /// Changes that failed and wait for their retry.
    pub failed: u32,
    /// A create was in doubt: the caller lists the container (which recognises it) before pushing again.
    pub needs_pull: bool,
}

fn at(delay: Duration) -> String {
    let when = chrono::Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
    when.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Sends what the outbox of `link` holds. Stops at the first network failure (the platform is unreachable:
/// everything would fail the same way) and returns it.
pub(crate) async fn push(
    mantle: &Mantle,
    link: &SyncLink,
    progress: &(dyn Fn(SyncProgress) + Send + std::marker::Sync),
) -> Result<PushReport> {
    let store = mantle.account().store().clone();
    let mut report = PushReport::default();
    let total = u64::from(store.outbox_count(&link.workspace_id).await?);
    let mut done = 0u64;
    loop {
        let entries = store.outbox_due(&link.workspace_id, ROUND).await?;
        if entries.is_empty() {
            break;
        }
        if entries.iter().any(|e| e.create_sent) {
            report.needs_pull = true;
            return Ok(report);
        }
        // Each upsert's artifact is read once per round: for the platform's current versions and for sending.
        let mut local = HashMap::new();
        for entry in entries.iter().filter(|e| e.op == OutboxOp::Upsert) {
            local.insert(entry.artifact_id.clone(), store.artifact_for_push(&entry.artifact_id).await?);
        }
        let current = current_versions(mantle, &entries, &local).await?;
        let mut progressed = false;
        for entry in &entries {
            let this = local.remove(&entry.artifact_id).flatten();
            match send(mantle, link, entry, this, &current).await {
                Ok(Sent::Done) => {
                    report.sent += 1;
                    progressed = true;
                }
                Ok(Sent::Conflict) => {
                    report.conflicts += 1;
                    progressed = true;
                }
                Err(e) => {
                    report.failed += 1;
                    let attempts = entry.attempts + 1;
                    store.outbox_failed(&entry.artifact_id, &e.to_string(), &at(retry_delay(attempts))).await?;
                    if matches!(e, PlatformError::Unreachable { .. } | PlatformError::SignedOut) {
                        return Err(e);
                    }
                    tracing::warn!(artifact = %entry.artifact_id, error = %e, "a change could not be sent; retrying later");
                }
            }
            done += 1;
            progress(SyncProgress {
                workspace_id: link.workspace_id.clone(),
                phase: SyncPhase::Pushing,
                done: clamp(done),
                total: clamp(total.max(done)),
            });
        }
        if !progressed {
            break;
        }
    }
    Ok(report)
}

/// A local artifact about to be sent, with the platform `modified_time` its edit is based on (`None`: deleted since).
type Local = Option<(Artifact, Option<String>)>;

/// The platform's current version of every entry that has a platform identity, by root id.
async fn current_versions(
    mantle: &Mantle,
    entries: &[OutboxEntry],
    local: &HashMap<String, Local>,
) -> Result<HashMap<String, Value>> {
    let roots: Vec<String> = entries
        .iter()
        .filter_map(|entry| match entry.op {
            OutboxOp::Delete => entry.remote_id.clone(),
            OutboxOp::Upsert => local.get(&entry.artifact_id)?.as_ref()?.0.root_id.clone(),
        })
        .collect();
    if roots.is_empty() {
        return Ok(HashMap::new());
    }
    let found = mantle.batch(&roots).await?;
    Ok(found
        .into_iter()
        .filter_map(|raw| {
            let root = raw.get("root_id").or_else(|| raw.get("id")).and_then(Value::as_str)?.to_owned();
            Some((root, raw))
        })
        .collect())
}

enum Sent {
    Done,
    Conflict,
}

async fn send(
    mantle: &Mantle,
    link: &SyncLink,
    entry: &OutboxEntry,
    local: Local,
    current: &HashMap<String, Value>,
) -> Result<Sent> {
    let store = mantle.account().store();
    match entry.op {
        OutboxOp::Delete => {
            let Some(root) = entry.remote_id.as_deref() else {
                store.outbox_done(&entry.artifact_id).await?;
                return Ok(Sent::Done);
            };
            match current.get(root) {
                // Already gone there.
                None => {}
                Some(raw) if modified(raw) != entry.base_modified.as_deref() => {
                    store.conflict_on_push(entry, Some(&shown(raw)?)).await?;
                    return Ok(Sent::Conflict);
                }
                Some(_) => mantle.delete(root).await?,
            }
            store.outbox_done(&entry.artifact_id).await?;
            Ok(Sent::Done)
        }
        OutboxOp::Upsert => {
            let Some((artifact, base)) = local else {
                store.outbox_done(&entry.artifact_id).await?;
                return Ok(Sent::Done);
            };
            let answer = match artifact.root_id.as_deref() {
                None => {
                    store.mark_create_sent(&artifact.id).await?;
                    mantle.create(&link.remote_id, &artifact).await?
                }
                Some(root) => match current.get(root) {
                    None => {
                        store.conflict_on_push(entry, None).await?;
                        return Ok(Sent::Conflict);
                    }
                    Some(raw) if modified(raw) != base.as_deref() => {
                        store.conflict_on_push(entry, Some(&shown(raw)?)).await?;
                        return Ok(Sent::Conflict);
                    }
                    Some(_) => match mantle.update(root, &artifact).await {
                        Err(PlatformError::NotFound(_)) => {
                            store.conflict_on_push(entry, None).await?;
                            return Ok(Sent::Conflict);
                        }
                        other => other?,
                    },
                },
            };
            let remote = wire::remote_version(&answer)?;
            store.mark_pushed(&artifact.id, artifact.version, &remote).await?;
            Ok(Sent::Done)
        }
    }
}

fn modified(raw: &Value) -> Option<&str> {
    raw.get("modified_time").and_then(Value::as_str)
}

/// The platform's side as a conflict keeps it (context parsed).
fn shown(raw: &Value) -> Result<Value> {
    Ok(wire::remote_version(raw)?.raw)
}
