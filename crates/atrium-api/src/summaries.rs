//! Summaries of artifacts by the server that owns their type: the guide's `summarize` lifecycle tool ("artifact
//! used as LLM context"), called when an agent reads an artifact as context (`read_artifact` with `summarize`).

use atrium_mcp::{ContentItem, ToolCall};
use atrium_store::{Artifact, AuditOrigin};
use serde::Serialize;

use crate::Atrium;

/// What asking for an artifact's summary came to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SummaryOutcome {
    /// The owning server summarized it.
    Summarized {
        /// The server that did.
        server_id: String,
        /// The summary (the text of its answer).
        text: String,
    },
    /// No connected server owns the type with a `summarize` tool.
    NoSummarizer {
        /// The artifact's type.
        content_type: String,
    },
    /// The owning server's `summarize` failed or answered with an error.
    Failed {
        /// The server.
        server_id: String,
        /// What went wrong, as it said.
        message: String,
    },
}

impl Atrium {
    /// Asks the server that owns `artifact`'s type for a summary through its `summarize` tool (audited as a
    /// lifecycle call), its arguments picked by the tool's schema like every lifecycle tool's.
    pub async fn artifact_summarize(&self, artifact: &Artifact) -> SummaryOutcome {
        let none = || SummaryOutcome::NoSummarizer { content_type: artifact.content_type.clone() };
        let Some((server_id, owner)) = self.type_owner(&artifact.content_type, &artifact.workspace_id).await else {
            return none();
        };
        if !owner.tools.iter().any(|t| t == "summarize") {
            return none();
        }
        let failed = |message: String| SummaryOutcome::Failed { server_id: server_id.clone(), message };
        if let Err(err) = self.live_server(&server_id).await {
            return failed(err.message);
        }
        let Some(info) =
            self.servers.tools(&server_id).ok().and_then(|t| t.into_iter().find(|t| t.name == "summarize"))
        else {
            return none();
        };
        let arguments = crate::viewer_open::lifecycle_arguments(&info, artifact);
        let call = ToolCall {
            server_id: server_id.clone(),
            tool: "summarize".into(),
            arguments: Some(arguments),
            call_id: None,
        };
        let outcome = match self.servers.call_tool(call, AuditOrigin::Lifecycle).await {
            Ok(outcome) => outcome,
            Err(err) => return failed(err.to_string()),
        };
        let text = |result: &atrium_mcp::ToolResult| {
            result
                .content
                .iter()
                .filter_map(|item| match item {
                    ContentItem::Text { text } => Some(text.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        match (outcome.result, outcome.error) {
            (Some(result), _) if !result.is_error => SummaryOutcome::Summarized { server_id, text: text(&result) },
            (Some(result), _) => failed(text(&result)),
            (None, Some(failure)) => failed(failure.message),
            (None, None) => failed("The server gave no answer.".into()),
        }
    }
}
