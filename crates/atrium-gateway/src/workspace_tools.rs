//! Atrium's own tools on `/mcp` (seed 001's surface, seed 003's artifact tools, adapted): the workspaces an agent
//! may see, their artifacts, revisions, search, and — with `write` — publishing, revising, retitling and deleting.
//! Every tool calls the same API methods as the window. Scopes decide what is listed and are checked again at call
//! time; an artifact outside the agent's workspaces is "not found", never "forbidden" (no hint that it exists).
//! What only the person may write — server registrations, Authorizers, workspaces themselves — no agent writes here.

use atrium_api::{
    AgentScope, AgentView, ApiError, Artifact, ArtifactPatch, Atrium, ErrorCode, ErrorDetails, NewArtifact, SearchQuery,
};
use serde_json::{Map, Value, json};

/// Content types an agent may neither create nor change: they make things run or hold sign-ins.
const PERSON_ONLY_TYPES: [&str; 3] = [
    "application/vnd.agience.mcp-server+json",
    "application/vnd.agience.authorizer+json",
    "application/vnd.agience.workspace+json",
];
/// The page size of `list_artifacts` when none is asked, and the most it gives.
const PAGE: usize = 50;
const MAX_PAGE: usize = 200;

/// One tool: its name, the scope it needs, its description and input schema.
struct ToolDef {
    name: &'static str,
    scope: AgentScope,
    description: &'static str,
    schema: fn() -> Value,
    read_only: bool,
}

fn schema(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

const TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "whoami",
        scope: AgentScope::Read,
        description: "Who you are to Atrium: your agent name, scopes, the workspaces you may see and your servers.",
        schema: || schema(json!({}), &[]),
        read_only: true,
    },
    ToolDef {
        name: "list_workspaces",
        scope: AgentScope::Read,
        description: "The workspaces you may see, with how many artifacts each holds.",
        schema: || schema(json!({}), &[]),
        read_only: true,
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
    },
    ToolDef {
        name: "read_artifact",
        scope: AgentScope::Read,
        description: "An artifact's content, context and version; an older revision when you give its version.",
        schema: || {
            schema(
                json!({"artifact_id": {"type": "string"}, "version": {"type": "integer", "minimum": 1}}),
                &["artifact_id"],
            )
        },
        read_only: true,
    },
    ToolDef {
        name: "list_revisions",
        scope: AgentScope::Read,
        description: "Every revision of an artifact, newest first.",
        schema: || schema(json!({"artifact_id": {"type": "string"}}), &["artifact_id"]),
        read_only: true,
    },
    ToolDef {
        name: "publish_artifact",
        scope: AgentScope::Write,
        description: "Create a text artifact in a workspace (Markdown unless you give another content type).",
        schema: || {
            schema(
                json!({"workspace_id": {"type": "string"}, "title": {"type": "string"}, "content": {"type": "string"},
                    "content_type": {"type": "string"}, "context": {"type": "object"}}),
                &["workspace_id", "title", "content"],
            )
        },
        read_only: false,
    },
    ToolDef {
        name: "add_revision",
        scope: AgentScope::Write,
        description: "Replace an artifact's content (a new revision). expected_version is the version you read: if it changed since, nothing is written and the error names the current version.",
        schema: || {
            schema(
                json!({"artifact_id": {"type": "string"}, "content": {"type": "string"},
                    "expected_version": {"type": "integer", "minimum": 1}, "title": {"type": "string"},
                    "context": {"type": "object"}}),
                &["artifact_id", "content", "expected_version"],
            )
        },
        read_only: false,
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
    },
    ToolDef {
        name: "delete_artifact",
        scope: AgentScope::Write,
        description: "Delete an artifact and its revisions.",
        schema: || schema(json!({"artifact_id": {"type": "string"}}), &["artifact_id"]),
        read_only: false,
    },
];

/// Whether `name` is one of Atrium's own tools (they win a clash with a server's flat name).
pub(crate) fn is_own(name: &str) -> bool {
    TOOLS.iter().any(|t| t.name == name)
}

/// The tools `agent`'s scopes allow, as `tools/list` entries.
pub(crate) fn list(agent: &AgentView) -> Vec<Value> {
    TOOLS
        .iter()
        .filter(|t| agent.has(t.scope))
        .map(|t| {
            json!({"name": t.name, "description": t.description, "inputSchema": (t.schema)(),
                "annotations": {"readOnlyHint": t.read_only, "destructiveHint": t.name == "delete_artifact",
                    "openWorldHint": false}})
        })
        .collect()
}

/// How a workspace tool call ended: its result, or a refusal the agent can act on (a tool error), and the
/// workspace it concerned (for the audit row).
pub(crate) struct Outcome {
    pub(crate) result: Result<Value, String>,
    pub(crate) workspace_id: Option<String>,
}

fn string<'a>(args: &'a Map<String, Value>, key: &str) -> Result<&'a str, String> {
    args.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).ok_or_else(|| format!("{key} is required."))
}

fn number(args: &Map<String, Value>, key: &str) -> Result<Option<u32>, String> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| format!("{key} must be a positive whole number.")),
    }
}

/// The message an agent sees for an API refusal; a version conflict names the current version.
fn refusal(err: ApiError) -> String {
    match (err.code, &err.details) {
        (ErrorCode::VersionConflict, Some(ErrorDetails::VersionConflict { expected, actual })) => format!(
            "The artifact is at version {actual}, not {expected}: it changed since you read it. Read it again (read_artifact) and retry with expected_version {actual}."
        ),
        _ => err.message,
    }
}

fn artifact_view(a: &Artifact) -> Value {
    json!({"artifact_id": a.id, "workspace_id": a.workspace_id, "title": a.title, "content_type": a.content_type,
        "version": a.version, "state": a.state, "context": a.context, "content": a.content,
        "modified_time": a.modified_time, "modified_by": a.modified_by})
}

/// Runs `name` for `agent` (its scope checked again here, whatever was listed).
pub(crate) async fn call(atrium: &Atrium, agent: &AgentView, name: &str, args: &Map<String, Value>) -> Outcome {
    let mut workspace_id = None;
    let result = run(atrium, agent, name, args, &mut workspace_id).await;
    Outcome { result, workspace_id }
}

/// An artifact the agent may see (else "not found", as for one that does not exist).
async fn visible(atrium: &Atrium, agent: &AgentView, id: &str) -> Result<Artifact, String> {
    match atrium.artifact_get(id.to_owned()).await {
        Ok(a) if agent.sees_workspace(&a.workspace_id) => Ok(a),
        Ok(_) => Err(format!("There is no artifact {id}.")),
        Err(err) if err.code == ErrorCode::NotFound => Err(format!("There is no artifact {id}.")),
        Err(err) => Err(err.message),
    }
}

fn writable(artifact: &Artifact) -> Result<(), String> {
    if PERSON_ONLY_TYPES.contains(&artifact.content_type.as_str()) {
        return Err(format!(
            "{} is a {}: only the person changes those, in Atrium.",
            artifact.title, artifact.content_type
        ));
    }
    Ok(())
}

async fn run(
    atrium: &Atrium,
    agent: &AgentView,
    name: &str,
    args: &Map<String, Value>,
    workspace: &mut Option<String>,
) -> Result<Value, String> {
    let Some(def) = TOOLS.iter().find(|t| t.name == name) else { return Err(format!("There is no tool {name}.")) };
    if !agent.has(def.scope) {
        return Err(format!("{name} needs the {} scope, which this agent does not have.", def.scope.as_str()));
    }
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
                _ => Ok(artifact_view(&artifact)),
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

async fn visible_workspaces(atrium: &Atrium, agent: &AgentView) -> Result<Vec<atrium_api::Workspace>, String> {
    let all = atrium.workspace_list().await.map_err(refusal)?;
    Ok(all.into_iter().filter(|w| agent.sees_workspace(&w.id)).collect())
}
