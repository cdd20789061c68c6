//! The Agience guide's lifecycle tools (`on_create`, `on_open`, `extract_text`, `summarize`): run on the server
//! that owns an artifact's type, when it offers them, with the arguments each one's input schema asks for, audited
//! as lifecycle calls. The hooks around saving and opening skip a tool that is not there or fails, silently; an
//! agent's `summarize` says which it was (see `summaries`).

use atrium_mcp::{ContentItem, ToolCall, ToolInfo, ToolResult};
use atrium_store::{Artifact, AuditOrigin};
use serde_json::{Map, Value, json};

use crate::Atrium;
use crate::view_wire::artifact_json;

/// How a lifecycle call went.
pub(crate) enum Lifecycle {
    /// No connected server owns the type with that tool.
    NotOffered,
    /// The owning server answered (perhaps with a tool error: see `is_error`).
    Answered {
        /// The server.
        server_id: String,
        /// Its result.
        result: ToolResult,
    },
    /// The call did not reach an answer.
    Failed {
        /// The server.
        server_id: String,
        /// Why.
        message: String,
    },
}

impl Atrium {
    /// Calls the lifecycle tool `tool` for `artifact` on the server that owns its type. With `connect`, a server
    /// not connected yet is connected first (an agent asked and waits); without, only a live one is asked.
    pub(crate) async fn call_lifecycle(&self, tool: &str, artifact: &Artifact, connect: bool) -> Lifecycle {
        let Some((server_id, owner)) = self.type_owner(&artifact.content_type, &artifact.workspace_id).await else {
            return Lifecycle::NotOffered;
        };
        if !owner.tools.iter().any(|t| t == tool) {
            return Lifecycle::NotOffered;
        }
        if connect && let Err(err) = self.live_server(&server_id).await {
            return Lifecycle::Failed { server_id, message: err.message };
        }
        let Some(info) = self.servers.tools(&server_id).ok().and_then(|t| t.into_iter().find(|t| t.name == tool))
        else {
            return Lifecycle::NotOffered;
        };
        let arguments = lifecycle_arguments(&info, artifact);
        let call =
            ToolCall { server_id: server_id.clone(), tool: tool.to_owned(), arguments: Some(arguments), call_id: None };
        match self.servers.call_tool(call, AuditOrigin::Lifecycle).await {
            Ok(outcome) => match (outcome.result, outcome.error) {
                (Some(result), _) => Lifecycle::Answered { server_id, result },
                (None, Some(failure)) => Lifecycle::Failed { server_id, message: failure.message },
                (None, None) => Lifecycle::Failed { server_id, message: "The server gave no answer.".into() },
            },
            Err(err) => Lifecycle::Failed { server_id, message: err.to_string() },
        }
    }

    /// Runs a lifecycle hook of a live owning server; `None` when there is no such tool (skipped silently) or the
    /// call did not succeed.
    pub(crate) async fn run_lifecycle(&self, tool: &str, artifact: &Artifact) -> Option<ToolResult> {
        match self.call_lifecycle(tool, artifact, false).await {
            Lifecycle::Answered { result, .. } if !result.is_error => Some(result),
            _ => None,
        }
    }
}

/// The text of a tool result (its text items, a line each).
pub(crate) fn result_text(result: &ToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|item| match item {
            ContentItem::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The arguments a lifecycle tool asks for, from `{artifact_id, workspace_id, artifact, content, context,
/// content_type}` (a schema without properties gets `artifact_id` and `workspace_id`).
fn lifecycle_arguments(tool: &ToolInfo, artifact: &Artifact) -> Map<String, Value> {
    let available = [
        ("artifact_id", json!(artifact.id)),
        ("workspace_id", json!(artifact.workspace_id)),
        ("artifact", artifact_json(artifact)),
        ("content", json!(artifact.content)),
        ("context", artifact.context.clone()),
        ("content_type", json!(artifact.content_type)),
    ];
    let properties = tool.input_schema.get("properties").and_then(Value::as_object);
    available
        .into_iter()
        .filter(|(name, _)| match properties {
            Some(properties) => properties.contains_key(*name),
            None => matches!(*name, "artifact_id" | "workspace_id"),
        })
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}
