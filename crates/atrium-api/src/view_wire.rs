//! The JSON a view is given: MCP results the way they go on the wire, and an artifact the way views read it.

use atrium_store::Artifact;
use serde::Serialize;
use serde_json::{Value, json};

/// A result as MCP puts it on the wire: optional fields absent rather than `null` (views validate results with
/// schemas in which `structuredContent: null` is an error, and drop the message).
pub(crate) fn wire(value: impl Serialize) -> Value {
    fn strip(value: Value) -> Value {
        match value {
            Value::Object(map) => {
                Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip(v))).collect())
            }
            Value::Array(items) => Value::Array(items.into_iter().map(strip).collect()),
            other => other,
        }
    }
    strip(serde_json::to_value(value).unwrap_or(Value::Null))
}

/// The artifact as a view receives it: a superset of both conventions (`id` and Agience's `artifact_id`).
pub(crate) fn artifact_json(artifact: &Artifact) -> Value {
    json!({
        "id": artifact.id,
        "artifact_id": artifact.id,
        "root_id": artifact.root_id,
        "workspace_id": artifact.workspace_id,
        "title": artifact.title,
        "content_type": artifact.content_type,
        "context": artifact.context,
        "content": artifact.content,
        "state": artifact.state,
        "version": artifact.version,
    })
}
