//! Summaries of artifacts by the server that owns their type: the guide's `summarize` lifecycle tool ("artifact
//! used as LLM context"), called when an agent reads an artifact as context (`read_artifact` with `summarize`).

use atrium_store::Artifact;
use serde::Serialize;

use crate::Atrium;
use crate::lifecycle::{Lifecycle, result_text};

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
    /// lifecycle call, the server connected first when it is not yet).
    pub async fn artifact_summarize(&self, artifact: &Artifact) -> SummaryOutcome {
        match self.call_lifecycle("summarize", artifact, true).await {
            Lifecycle::NotOffered => SummaryOutcome::NoSummarizer { content_type: artifact.content_type.clone() },
            Lifecycle::Answered { server_id, result } if !result.is_error => {
                SummaryOutcome::Summarized { server_id, text: result_text(&result) }
            }
            Lifecycle::Answered { server_id, result } => {
                SummaryOutcome::Failed { server_id, message: result_text(&result) }
            }
            Lifecycle::Failed { server_id, message } => SummaryOutcome::Failed { server_id, message },
        }
    }
}
