//! Reviews: an agent's verdict on an artifact (approved, changes requested, commented), kept with the artifact and
//! shown in the window beside its history. Reviewing needs only `read`: it changes nothing the artifact holds.

use atrium_api::{AgentScope, AgentView, Atrium, ReviewVerdict};
use serde_json::{Map, Value, json};

use super::{ToolDef, number, refusal, schema, string, visible};

pub(super) const TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "review_artifact",
        scope: AgentScope::Read,
        description: "Give your review of an artifact: approved, changes_requested (say which in comment) or commented. It is kept with the artifact and the person sees it in Atrium. version is the one you read (the current one if omitted).",
        schema: || {
            schema(
                json!({"artifact_id": {"type": "string"},
                    "verdict": {"type": "string", "enum": ["approved", "changes_requested", "commented"]},
                    "comment": {"type": "string", "maxLength": atrium_api::REVIEW_COMMENT_MAX},
                    "version": {"type": "integer", "minimum": 1}}),
                &["artifact_id", "verdict"],
            )
        },
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "list_reviews",
        scope: AgentScope::Read,
        description: "The reviews of an artifact, newest first, with the version each one read.",
        schema: || schema(json!({"artifact_id": {"type": "string"}}), &["artifact_id"]),
        read_only: true,
        destructive: false,
    },
];

/// Runs the review tool `name` (its scope already checked).
pub(super) async fn run(
    atrium: &Atrium,
    agent: &AgentView,
    name: &str,
    args: &Map<String, Value>,
    workspace: &mut Option<String>,
) -> Result<Value, String> {
    let artifact = visible(atrium, agent, string(args, "artifact_id")?).await?;
    *workspace = Some(artifact.workspace_id.clone());
    if name == "list_reviews" {
        let reviews = atrium.artifact_reviews(artifact.id.clone()).await.map_err(refusal)?;
        return Ok(json!({"artifact_id": artifact.id, "current_version": artifact.version, "reviews": reviews}));
    }
    let verdict = string(args, "verdict")?;
    let verdict = ReviewVerdict::parse(verdict)
        .ok_or_else(|| format!("verdict is approved, changes_requested or commented, not {verdict}."))?;
    let comment = args.get("comment").and_then(Value::as_str).unwrap_or_default().to_owned();
    let version = number(args, "version")?;
    let review =
        atrium.agent_review_artifact(agent, artifact.id.clone(), version, verdict, comment).await.map_err(refusal)?;
    Ok(json!({"review_id": review.id, "artifact_id": review.artifact_id, "version": review.version,
        "verdict": review.verdict, "current_version": artifact.version}))
}
