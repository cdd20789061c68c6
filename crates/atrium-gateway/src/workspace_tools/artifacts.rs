//! The artifact tools (seed 001's surface, seed 003's artifact tools, adapted): the workspaces an agent may see,
//! their artifacts, revisions, search, and — with `write` — publishing, revising, retitling and deleting.

use atrium_api::{AgentScope, AgentView, Artifact, ArtifactPatch, Atrium, NewArtifact, SearchQuery, SummaryOutcome};
use serde_json::{Map, Value, json};

use super::{
    PERSON_ONLY_TYPES, ToolDef, idempotency, number, refusal, schema, string, visible, visible_workspaces, writable,
};

/// The page size of `list_artifacts` when none is asked, and the most it gives.
const PAGE: usize = 50;
const MAX_PAGE: usize = 200;

pub(super) const TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "whoami",
        scope: AgentScope::Read,
        description: "Who you are to Atrium: your agent name, scopes, the workspaces you may see and your servers.",
        schema: || schema(json!({}), &[]),
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "list_workspaces",
        scope: AgentScope::Read,
        description: "The workspaces you may see, with how many artifacts each holds.",
        schema: || schema(json!({}), &[]),
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "list_artifacts",
        scope: AgentScope::Read,
        description: "The artifacts of a workspace, most recently changed first, a page at a time (pass next_cursor back as cursor). Optionally only one content type.",
        schema: || {
            schema(
                json!({"workspace_id": {"type": "string"}, "content_type": {"type": "string"},
                    "cursor": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}}),
                &["workspace_id"],
            )
        },
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "search_artifacts",
        scope: AgentScope::Read,
        description: "Full-text search over the artifacts of the workspaces you may see (or of one).",
        schema: || {
            schema(
                json!({"query": {"type": "string"}, "workspace_id": {"type": "string"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 100}}),
                &["query"],
            )
        },
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "read_artifact",
        scope: AgentScope::Read,
        description: "An artifact's content, context and version; an older revision when you give its version. With summarize: true, also a summary from the server that owns its type (its summarize tool), or a note that none offers one.",
        schema: || {
            schema(
                json!({"artifact_id": {"type": "string"}, "version": {"type": "integer", "minimum": 1},
                    "summarize": {"type": "boolean"}}),
                &["artifact_id"],
            )
        },
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "list_revisions",
        scope: AgentScope::Read,
        description: "Every revision of an artifact, newest first.",
        schema: || schema(json!({"artifact_id": {"type": "string"}}), &["artifact_id"]),
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "publish_artifact",
        scope: AgentScope::Write,
        description: "Create a text artifact in a workspace (Markdown unless you give another content type).",
        schema: || {
            schema(
                json!({"workspace_id": {"type": "string"}, "title": {"type": "string"}, "content": {"type": "string"},
                    "content_type": {"type": "string"}, "context": {"type": "object"},
                    "idempotency_key": idempotency::key_schema()}),
                &["workspace_id", "title", "content"],
            )
        },
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "add_revision",
        scope: AgentScope::Write,
        description: "Replace an artifact's content (a new revision). expected_version is the version you read: if it changed since, nothing is written and the error names the current version.",
        schema: || {
            schema(
                json!({"artifact_id": {"type": "string"}, "content": {"type": "string"},
                    "expected_version": {"type": "integer", "minimum": 1}, "title": {"type": "string"},
                    "context": {"type": "object"}, "idempotency_key": idempotency::key_schema()}),
                &["artifact_id", "content", "expected_version"],
            )
        },
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "update_display_metadata",
        scope: AgentScope::Write,
        description: "Change an artifact's title.",
        schema: || {
            schema(
                json!({"artifact_id": {"type": "string"}, "title": {"type": "string"},
                    "expected_version": {"type": "integer", "minimum": 1}}),
                &["artifact_id", "title"],
            )
        },
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "delete_artifact",
        scope: AgentScope::Write,
        description: "Delete an artifact and its revisions.",
        schema: || schema(json!({"artifact_id": {"type": "string"}}), &["artifact_id"]),
        read_only: false,
        destructive: true,
    },
];

fn artifact_view(a: &Artifact) -> Value {
    json!({"artifact_id": a.id, "workspace_id": a.workspace_id, "title": a.title, "content_type": a.content_type,
        "version": a.version, "state": a.state, "context": a.context, "content": a.content,
        "modified_time": a.modified_time, "modified_by": a.modified_by})
}

/// What the owning server's `summarize` said, or why there is no summary.
async fn summary(atrium: &Atrium, artifact: &Artifact) -> Value {
    match atrium.artifact_summarize(artifact).await {
        SummaryOutcome::Summarized { server_id, text } => json!({"text": text, "server_id": server_id}),
        SummaryOutcome::NoSummarizer { content_type } => json!({"text": null,
            "note": format!("No server connected here offers summarize for {content_type}.")}),
        SummaryOutcome::Failed { server_id, message } => json!({"text": null, "server_id": server_id,
            "note": format!("The owning server's summarize failed: {message}")}),
    }
}

/// Runs the artifact tool `name` (its scope already checked).
pub(super) async fn run(
    atrium: &Atrium,
    agent: &AgentView,
    name: &str,
    args: &Map<String, Value>,
    workspace: &mut Option<String>,
) -> Result<Value, String> {
    match name {
        "whoami" => {
            let servers = atrium.agent_servers(agent).await.map_err(refusal)?;
            let workspaces = visible_workspaces(atrium, agent).await?;
            Ok(json!({
                "agent": {"id": agent.id, "name": agent.name},
                "scopes": agent.scopes,
                "workspaces": workspaces.iter().map(|w| json!({"id": w.id, "title": w.title})).collect::<Vec<_>>(),
                "servers": servers.iter().map(|s| json!({"slug": s.slug, "title": s.title, "server_id": s.server_id}))
                    .collect::<Vec<_>>(),
            }))
        }
        "list_workspaces" => {
            let workspaces = visible_workspaces(atrium, agent).await?;
            Ok(json!({"workspaces": workspaces.iter().map(|w| json!({"id": w.id, "title": w.title,
                "description": w.description, "artifact_count": w.artifact_count})).collect::<Vec<_>>()}))
        }
        "list_artifacts" => {
            let ws = string(args, "workspace_id")?;
            if !agent.sees_workspace(ws) {
                return Err(format!("There is no workspace {ws}."));
            }
            *workspace = Some(ws.to_owned());
            let limit = number(args, "limit")?.map_or(PAGE, |n| (n as usize).clamp(1, MAX_PAGE));
            let offset: usize = match args.get("cursor").and_then(Value::as_str) {
                Some(c) => c.parse().map_err(|_| "cursor is not one this tool gave.".to_owned())?,
                None => 0,
            };
            let content_type = args.get("content_type").and_then(Value::as_str);
            let all = atrium.artifact_list(ws.to_owned()).await.map_err(refusal)?;
            let matching: Vec<_> = all.iter().filter(|a| content_type.is_none_or(|t| a.content_type == t)).collect();
            let page: Vec<Value> = matching
                .iter()
                .skip(offset)
                .take(limit)
                .map(|a| {
                    json!({"artifact_id": a.id, "title": a.title, "content_type": a.content_type, "version": a.version,
                    "state": a.state, "size_bytes": a.size_bytes, "modified_time": a.modified_time})
                })
                .collect();
            let next = (offset + page.len() < matching.len()).then(|| (offset + page.len()).to_string());
            Ok(json!({"artifacts": page, "next_cursor": next, "total": matching.len()}))
        }
        "search_artifacts" => {
            let query = string(args, "query")?;
            let ws = args.get("workspace_id").and_then(Value::as_str);
            if let Some(ws) = ws {
                if !agent.sees_workspace(ws) {
                    return Err(format!("There is no workspace {ws}."));
                }
                *workspace = Some(ws.to_owned());
            }
            let limit = number(args, "limit")?.unwrap_or(20).clamp(1, 100);
            // Asked wide, then cut to what the agent sees, so a narrow agent still gets a full page.
            let hits = atrium
                .search(SearchQuery {
                    text: query.to_owned(),
                    workspace_id: ws.map(str::to_owned),
                    limit: Some(limit * 4),
                })
                .await
                .map_err(refusal)?;
            let hits: Vec<Value> = hits
                .into_iter()
                .filter(|h| agent.sees_workspace(&h.workspace_id))
                .take(limit as usize)
                .map(|h| {
                    let snippet: String = h.snippet_spans.iter().map(|s| s.text.as_str()).collect();
                    json!({"artifact_id": h.artifact_id, "workspace_id": h.workspace_id, "title": h.title,
                        "content_type": h.content_type, "modified_time": h.modified_time, "snippet": snippet})
                })
                .collect();
            Ok(json!({"hits": hits}))
        }
        "read_artifact" => {
            let artifact = visible(atrium, agent, string(args, "artifact_id")?).await?;
            *workspace = Some(artifact.workspace_id.clone());
            match number(args, "version")? {
                Some(version) if version != artifact.version => {
                    let r = atrium.artifact_revision(artifact.id.clone(), version).await.map_err(refusal)?;
                    Ok(json!({"artifact_id": r.artifact_id, "workspace_id": artifact.workspace_id, "title": r.title,
                        "content_type": r.content_type, "version": r.version, "current_version": artifact.version,
                        "state": r.state, "context": r.context, "content": r.content, "modified_time": r.modified_time,
                        "modified_by": r.modified_by}))
                }
                _ => {
                    let mut view = artifact_view(&artifact);
                    if args.get("summarize").and_then(Value::as_bool) == Some(true) {
                        view["summary"] = summary(atrium, &artifact).await;
                    }
                    Ok(view)
                }
            }
        }
        "list_revisions" => {
            let artifact = visible(atrium, agent, string(args, "artifact_id")?).await?;
            *workspace = Some(artifact.workspace_id.clone());
            let revisions = atrium.artifact_history(artifact.id.clone()).await.map_err(refusal)?;
            Ok(json!({"revisions": revisions.iter().map(|r| json!({"version": r.version, "title": r.title,
                "content_type": r.content_type, "state": r.state, "size_bytes": r.size_bytes,
                "modified_time": r.modified_time, "modified_by": r.modified_by})).collect::<Vec<_>>()}))
        }
        "publish_artifact" => {
            let ws = string(args, "workspace_id")?;
            if !agent.sees_workspace(ws) {
                return Err(format!("There is no workspace {ws}."));
            }
            *workspace = Some(ws.to_owned());
            let content_type = args.get("content_type").and_then(Value::as_str).unwrap_or("text/markdown");
            if PERSON_ONLY_TYPES.contains(&content_type) {
                return Err(format!("Only the person creates {content_type} artifacts, in Atrium."));
            }
            let input = NewArtifact {
                workspace_id: ws.to_owned(),
                title: string(args, "title")?.to_owned(),
                content_type: content_type.to_owned(),
                content: Some(string(args, "content")?.to_owned()),
                context: args.get("context").cloned(),
                state: None,
            };
            let made = atrium.agent_artifact_create(input).await.map_err(refusal)?;
            Ok(json!({"artifact_id": made.id, "workspace_id": made.workspace_id, "version": made.version,
                "title": made.title}))
        }
        "add_revision" | "update_display_metadata" => {
            let artifact = visible(atrium, agent, string(args, "artifact_id")?).await?;
            *workspace = Some(artifact.workspace_id.clone());
            writable(&artifact)?;
            let mut patch = ArtifactPatch {
                expected_version: number(args, "expected_version")?,
                title: args.get("title").and_then(Value::as_str).map(str::to_owned),
                ..ArtifactPatch::default()
            };
            if name == "add_revision" {
                patch.content = Some(string(args, "content")?.to_owned());
                patch.context = args.get("context").cloned();
                if patch.expected_version.is_none() {
                    return Err("expected_version is required.".into());
                }
            } else {
                string(args, "title")?;
            }
            let updated = atrium.agent_artifact_update(artifact.id.clone(), patch).await.map_err(refusal)?;
            Ok(json!({"artifact_id": updated.id, "version": updated.version, "title": updated.title}))
        }
        "delete_artifact" => {
            let artifact = visible(atrium, agent, string(args, "artifact_id")?).await?;
            *workspace = Some(artifact.workspace_id.clone());
            writable(&artifact)?;
            atrium.artifact_delete(artifact.id.clone()).await.map_err(refusal)?;
            Ok(json!({"deleted": artifact.id}))
        }
        other => Err(format!("There is no tool {other}.")),
    }
}
