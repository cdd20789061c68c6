//! The platform's artifact shape and its mapping to local artifacts. The platform keeps the title inside
//! `context` and sends `context` as a JSON-encoded string; locally the title is a column and `context` an object.

use atrium_store::{Artifact, ArtifactState, RemoteVersion};
use serde_json::{Map, Value, json};

use crate::{PlatformError, Result};

/// The content type of a platform workspace.
pub const WORKSPACE_TYPE: &str = "application/vnd.agience.workspace+json";

/// The context key under which Atrium records which local artifact a platform artifact was created from, so a
/// create whose answer was lost is recognised on the next listing instead of being sent twice.
pub const LOCAL_ID_KEY: &str = "atrium_local_id";

/// Context keys the mapping owns (they are columns locally).
const MAPPED_KEYS: [&str; 3] = ["title", "content_type", LOCAL_ID_KEY];

/// Content above this many bytes is not sent inline by the platform: it comes through `content-url`.
pub const INLINE_CONTENT_LIMIT: usize = 128 * 1024;

fn malformed(reason: impl Into<String>) -> PlatformError {
    PlatformError::Malformed { what: "an artifact".into(), reason: reason.into() }
}

fn text(raw: &Value, key: &str) -> Option<String> {
    raw.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Parses the `context` field: a JSON string holding an object (an object is accepted too; absent is empty).
pub fn parse_context(raw: &Value) -> Result<Map<String, Value>> {
    match raw.get("context") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Map::new()),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(malformed("its context is not a JSON object")),
            Err(e) => Err(malformed(format!("its context is not JSON: {e}"))),
        },
        Some(Value::Object(map)) => Ok(map.clone()),
        Some(_) => Err(malformed("its context is neither a string nor an object")),
    }
}

/// A platform artifact (as listed, fetched or sent in an event) as a version to apply locally.
pub fn remote_version(raw: &Value) -> Result<RemoteVersion> {
    let id = text(raw, "id").filter(|s| !s.is_empty()).ok_or_else(|| malformed("it has no id"))?;
    let root_id = text(raw, "root_id").filter(|s| !s.is_empty()).unwrap_or_else(|| id.clone());
    let modified_time = text(raw, "modified_time")
        .or_else(|| text(raw, "created_time"))
        .ok_or_else(|| malformed("it has no modified_time"))?;
    let mut context = parse_context(raw)?;
    let title = context
        .get("title")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| text(raw, "name"))
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| "Untitled".to_owned());
    let content_type = text(raw, "content_type")
        .or_else(|| context.get("content_type").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| "text/plain".to_owned());
    let local_hint = context.get(LOCAL_ID_KEY).and_then(Value::as_str).map(str::to_owned);
    for key in MAPPED_KEYS {
        context.remove(key);
    }
    let state = text(raw, "state").and_then(|s| ArtifactState::parse(&s)).unwrap_or_default();
    let mut shown = raw.clone();
    if let Some(obj) = shown.as_object_mut() {
        // The person sees the platform's context as an object, not as escaped text.
        obj.insert("context".into(), Value::Object(parse_context(raw)?));
    }
    Ok(RemoteVersion {
        remote_id: id,
        root_id,
        created_time: text(raw, "created_time").unwrap_or_else(|| modified_time.clone()),
        created_by: text(raw, "created_by").unwrap_or_else(|| "platform".into()),
        modified_by: text(raw, "modified_by").unwrap_or_else(|| "platform".into()),
        modified_time,
        local_hint,
        title,
        content_type,
        context: Value::Object(context),
        content: text(raw, "content").unwrap_or_default(),
        state,
        raw: shown,
    })
}

/// The `context` string sent for a local artifact: its context plus the title and content type; on a create,
/// also the local id (see [`LOCAL_ID_KEY`]).
pub fn context_for(artifact: &Artifact, on_create: bool) -> String {
    let mut context = artifact.context.as_object().cloned().unwrap_or_default();
    context.insert("title".into(), json!(artifact.title));
    context.insert("content_type".into(), json!(artifact.content_type));
    if on_create {
        context.insert(LOCAL_ID_KEY.into(), json!(artifact.id));
    }
    Value::Object(context).to_string()
}

/// Whether the platform artifact needs its content fetched through `content-url`: the platform clears large
/// content inline, and an empty inline body cannot tell "cleared" from "empty", so an empty one is fetched.
pub fn content_elided(raw: &Value) -> bool {
    raw.get("content").and_then(Value::as_str).is_none_or(str::is_empty)
}

/// A platform workspace, as listed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemoteWorkspace {
    /// Its root id (stable).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// When it last changed.
    pub modified_time: String,
}

/// Reads a listed workspace.
pub fn remote_workspace(raw: &Value) -> Result<RemoteWorkspace> {
    let id = text(raw, "root_id").or_else(|| text(raw, "id")).ok_or_else(|| malformed("a workspace has no id"))?;
    let context = parse_context(raw).unwrap_or_default();
    let name = text(raw, "name")
        .or_else(|| context.get("title").and_then(Value::as_str).map(str::to_owned))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Untitled workspace".into());
    Ok(RemoteWorkspace {
        id,
        name,
        description: text(raw, "description").unwrap_or_default(),
        modified_time: text(raw, "modified_time").unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_string_is_parsed_and_the_title_lifted_out() {
        let raw = json!({"id": "v2", "root_id": "r1", "collection_id": "ws", "modified_time": "2026-11-21T10:00:00.000001+00:00",
            "content_type": "text/markdown", "content": "# Hi", "state": "committed",
            "context": "{\"title\":\"Notes\",\"tags\":[\"a\"],\"content_type\":\"text/markdown\",\"atrium_local_id\":\"L1\"}"});
        let v = remote_version(&raw).expect("parses");
        assert_eq!((v.root_id.as_str(), v.remote_id.as_str(), v.title.as_str()), ("r1", "v2", "Notes"));
        assert_eq!(v.context, json!({"tags": ["a"]}));
        assert_eq!(v.local_hint.as_deref(), Some("L1"));
        assert_eq!(v.state, ArtifactState::Committed);
        assert_eq!(v.raw["context"]["title"], "Notes");
    }

    #[test]
    fn broken_context_is_a_typed_error() {
        for context in [json!("{not json"), json!("[1,2]"), json!(42)] {
            let raw = json!({"id": "a", "modified_time": "t", "context": context});
            assert!(matches!(remote_version(&raw), Err(PlatformError::Malformed { .. })));
        }
        assert!(matches!(remote_version(&json!({"modified_time": "t"})), Err(PlatformError::Malformed { .. })));
    }
}
