//! The JSON a view is given of an artifact, the way views read it (MCP results reach it as their server wrote them).

use atrium_store::Artifact;
use serde_json::{Value, json};

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
