//! A forwarded request's progress: the client's progress token is replaced by one unique to the gateway before the
//! request goes to the server (servers route progress by token, and two clients may pick the same one), and put
//! back on every progress notification on the way to the client.

use serde_json::Value;
use tokio::sync::mpsc;

use crate::sessions::Session;

/// Gives `message` a fresh progress token when it carries one, and returns the client's own.
pub(crate) fn swap(session: &Session, message: &mut Value) -> Option<Value> {
    let original = message.pointer("/params/_meta/progressToken").filter(|t| !t.is_null())?.clone();
    message["params"]["_meta"]["progressToken"] = Value::String(session.fresh_token());
    Some(original)
}

/// Puts the client's own progress token back on a progress notification.
pub(crate) fn restore(note: &mut Value, original: &Value) {
    if let Some(params) = note.get_mut("params").and_then(Value::as_object_mut) {
        params.insert("progressToken".into(), original.clone());
    }
}

/// Gives `message` a fresh progress token when it carries one and the client can take progress (`client`), and
/// returns the route the server's progress takes to the client, with the client's own token back in place.
pub(crate) fn reroute(
    session: &Session,
    message: &mut Value,
    client: Option<mpsc::UnboundedSender<Value>>,
) -> Option<mpsc::UnboundedSender<Value>> {
    let client = client?;
    let original = swap(session, message)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<Value>();
    // Ends when the forwarding drops its sender (the request ended) or the client is gone.
    tokio::spawn(async move {
        while let Some(mut note) = rx.recv().await {
            if note.get("method").and_then(Value::as_str) != Some("notifications/progress") {
                continue;
            }
            restore(&mut note, &original);
            if client.send(note).is_err() {
                return;
            }
        }
    });
    Some(tx)
}
