//! Recording every tool call (DESIGN §3): arguments and results redacted and capped, written in batches off the
//! call's path so the audit never slows a call down.

use std::time::Duration;

use atrium_secrets::Sensitive;
use atrium_store::{AuditEntry, Store};

use crate::secret_mask::mask_text;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The most bytes of arguments, and of result, an audit row keeps.
pub const AUDIT_CAP_BYTES: usize = 4096;

/// How long the writer waits for more rows before committing a batch.
const BATCH_WINDOW: Duration = Duration::from_millis(50);

/// Object keys whose values never reach the audit log.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace(['-', '_'], "");
    ["password", "passwd", "secret", "token", "apikey", "authorization", "cookie", "credential", "privatekey"]
        .iter()
        .any(|s| key.contains(s))
}

/// Replaces the values of secret-looking keys, at any depth.
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v =
                        if is_secret_key(k) && !v.is_null() { Value::String("[redacted]".into()) } else { redact(v) };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// Compact JSON of `value`, redacted, at most [`AUDIT_CAP_BYTES`] bytes (cut at a character boundary and marked).
/// A value under a secret-looking key is masked wherever else it appears in `value` too: a result that carries a
/// token often repeats it inside a URL or in a text copy of itself (an invite's `claim_token` and `claim_url`).
pub fn audit_text(value: &Value) -> String {
    let mut secrets = Vec::new();
    secret_values(value, &mut secrets);
    cap(mask_text(redact(value).to_string(), &secrets))
}

/// Values this short under a secret-looking key (`"k"`, `"x"`) would mask ordinary text; tokens are longer.
const SHORTEST_ECHOED: usize = 8;

/// The string values under secret-looking keys, at any depth.
fn secret_values(value: &Value, out: &mut Vec<Sensitive<String>>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match item {
                    Value::String(s) if is_secret_key(key) && s.len() >= SHORTEST_ECHOED => {
                        out.push(Sensitive::new(s.clone()));
                    }
                    _ if is_secret_key(key) => {}
                    _ => secret_values(item, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| secret_values(item, out)),
        _ => {}
    }
}

/// The same, with the given secret values masked (before the cut, so no part of one survives).
fn audit_text_masked(value: &Value, secrets: &[Sensitive<String>]) -> String {
    cap(mask_text(redact(value).to_string(), secrets))
}

fn cap(text: String) -> String {
    if text.len() <= AUDIT_CAP_BYTES {
        return text;
    }
    let marker = format!("…[{} bytes cut]", text.len());
    let mut end = AUDIT_CAP_BYTES - marker.len();
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{marker}", &text[..end])
}

/// A finished call as the call path hands it over: the arguments and result are still values, rendered (redacted
/// and capped) by the writer task, so the call itself pays only for a channel send.
#[derive(Debug)]
pub(crate) struct PendingAudit {
    /// The row, with `time`, `arguments` and `result` left empty.
    pub(crate) entry: AuditEntry,
    pub(crate) started: chrono::DateTime<chrono::Utc>,
    pub(crate) arguments: Value,
    pub(crate) result: AuditedResult,
    /// The secret values the server was given: masked wherever they appear.
    pub(crate) secrets: Vec<Sensitive<String>>,
}

/// What a call returned, for the audit row.
#[derive(Debug)]
pub(crate) enum AuditedResult {
    /// The tool's result.
    Tool(crate::model::ToolResult),
    /// Why it failed.
    Failure(crate::error::Failure),
}

impl PendingAudit {
    fn render(self) -> AuditEntry {
        AuditEntry {
            time: self.started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            arguments: audit_text_masked(&self.arguments, &self.secrets),
            result: audit_text_masked(
                &match &self.result {
                    AuditedResult::Tool(result) => serde_json::to_value(result).unwrap_or_default(),
                    AuditedResult::Failure(failure) => serde_json::to_value(failure).unwrap_or_default(),
                },
                &self.secrets,
            ),
            ..self.entry
        }
    }
}

/// Writes audit rows in the background, batching those that arrive together.
#[derive(Debug)]
pub(crate) struct AuditRecorder {
    tx: std::sync::Mutex<Option<mpsc::Sender<PendingAudit>>>,
    writer: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl AuditRecorder {
    pub(crate) fn start(store: Store, events: crate::events::Events) -> Self {
        let (tx, mut rx) = mpsc::channel::<PendingAudit>(4096);
        let writer = tokio::spawn(async move {
            let mut batch = Vec::with_capacity(256);
            let mut rows = Vec::with_capacity(256);
            while rx.recv_many(&mut batch, 256).await > 0 {
                // Gather what else finishes within a short window without being woken for each row: one
                // transaction and one wake-up for many calls keep the audit's cost off busy servers.
                tokio::time::sleep(BATCH_WINDOW).await;
                while batch.len() < 1024 {
                    match rx.try_recv() {
                        Ok(pending) => batch.push(pending),
                        Err(_) => break,
                    }
                }
                rows.extend(batch.drain(..).map(PendingAudit::render));
                match store.audit_append(&rows).await {
                    Ok(()) => {
                        let mut servers: Vec<&str> = rows.iter().map(|r| r.server_id.as_str()).collect();
                        servers.sort_unstable();
                        servers.dedup();
                        for server in servers {
                            events.audit_recorded(server);
                        }
                    }
                    Err(err) => tracing::error!(%err, rows = rows.len(), "could not write audit rows"),
                }
                rows.clear();
            }
        });
        AuditRecorder { tx: std::sync::Mutex::new(Some(tx)), writer: std::sync::Mutex::new(Some(writer)) }
    }

    pub(crate) async fn record(&self, entry: PendingAudit) {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match tx {
            Some(tx) if tx.send(entry).await.is_ok() => {}
            _ => tracing::warn!("audit recorder is closed; a call went unrecorded"),
        }
    }

    /// Writes what is queued and stops, within `limit`.
    pub(crate) async fn flush_and_stop(&self, limit: Duration) {
        // Dropping the last sender lets the writer drain what is queued and end.
        drop(self.tx.lock().unwrap_or_else(|p| p.into_inner()).take());
        let writer = self.writer.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(writer) = writer
            && tokio::time::timeout(limit, writer).await.is_err()
        {
            tracing::warn!("audit writer did not finish in time");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let v = json!({"name": "x", "api_key": "k", "nested": [{"Authorization": "Bearer t", "ok": 1}], "token": null});
        assert_eq!(
            redact(&v),
            json!({"name": "x", "api_key": "[redacted]", "nested": [{"Authorization": "[redacted]", "ok": 1}], "token": null})
        );
    }

    #[test]
    fn a_secret_value_is_masked_where_the_record_repeats_it() {
        let token = "agc_Zm9vYmFyYmF6cXV4";
        let link = json!({"claim_token": token, "claim_url": format!("http://o/invite/{token}"), "name": "k"});
        let result =
            json!({"content": [{"type": "text", "text": link.to_string()}], "structuredContent": {"link": link}});
        let text = audit_text(&result);
        assert!(!text.contains("Zm9vYmFyYmF6cXV4"), "{text}");
        assert!(text.contains("http://o/invite/[secret]") && text.contains("[redacted]"), "{text}");
        // A short value under a secret key is redacted there but not hunted elsewhere.
        assert_eq!(audit_text(&json!({"token": "k", "kind": "kin"})), r#"{"kind":"kin","token":"[redacted]"}"#);
    }

    #[test]
    fn long_text_is_capped_at_a_character_boundary() {
        let text = audit_text(&json!({"text": "é".repeat(5000)}));
        assert!(text.len() <= AUDIT_CAP_BYTES, "{}", text.len());
        assert!(text.ends_with("bytes cut]"));
        let short = audit_text(&json!({"a": 1}));
        assert_eq!(short, r#"{"a":1}"#);
    }
}
