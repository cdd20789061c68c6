//! A forwarded request's progress: the client's progress token is replaced by one unique to the gateway before the
//! request goes to the server (servers route progress by token, and two clients may pick the same one), and put
//! back on every progress notification on the way to the client (see `server_requests::route`).

use serde_json::Value;

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
