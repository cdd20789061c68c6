//! Atrium's own tools on `/mcp`, in families: artifacts, reviews, sharing and the admin surface.
//! Every tool calls the same API methods as the window. Scopes decide what is listed and are checked again at call
//! time; an artifact outside the agent's workspaces is "not found", never "forbidden" (no hint that it exists).
//! What only the person may write — server registrations, Authorizers, workspaces themselves — no agent writes here.

mod admin;
mod artifacts;
mod idempotency;
mod reviews;
mod sharing;

use atrium_api::{AgentScope, AgentView, ApiError, Artifact, Atrium, ErrorCode, ErrorDetails};
use serde_json::{Map, Value, json};

pub(crate) use idempotency::Caller;

/// Content types an agent may neither create nor change: they make things run or hold sign-ins.
const PERSON_ONLY_TYPES: [&str; 3] = [
    "application/vnd.agience.mcp-server+json",
    "application/vnd.agience.authorizer+json",
    "application/vnd.agience.workspace+json",
];

/// One tool: its name, the scope it needs, its description and input schema, and its hints.
struct ToolDef {
    name: &'static str,
    scope: AgentScope,
    description: &'static str,
    schema: fn() -> Value,
    read_only: bool,
    destructive: bool,
}

/// Every family of tools, in the order `tools/list` gives them.
const FAMILIES: [&[ToolDef]; 4] = [artifacts::TOOLS, reviews::TOOLS, sharing::TOOLS, admin::TOOLS];

fn schema(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

fn find(name: &str) -> Option<&'static ToolDef> {
    FAMILIES.iter().flat_map(|family| family.iter()).find(|t| t.name == name)
}

fn in_family(family: &[ToolDef], name: &str) -> bool {
    family.iter().any(|t| t.name == name)
}

/// Whether `name` is one of Atrium's own tools (they win a clash with a server's flat name).
pub(crate) fn is_own(name: &str) -> bool {
    find(name).is_some()
}

/// The tools `agent`'s scopes allow, as `tools/list` entries.
pub(crate) fn list(agent: &AgentView) -> Vec<Value> {
    FAMILIES
        .iter()
        .flat_map(|family| family.iter())
        .filter(|t| agent.has(t.scope))
        .map(|t| {
            json!({"name": t.name, "description": t.description, "inputSchema": (t.schema)(),
                "annotations": {"readOnlyHint": t.read_only, "destructiveHint": t.destructive,
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

/// The tools that write once per idempotency key (see `idempotency`).
const IDEMPOTENT: [&str; 2] = ["publish_artifact", "add_revision"];

/// Runs `name` for `agent` (its scope checked again here, whatever was listed), sent by `caller`.
pub(crate) async fn call(
    atrium: &Atrium,
    agent: &AgentView,
    name: &str,
    args: &Map<String, Value>,
    caller: &Caller<'_>,
) -> Outcome {
    let mut workspace_id = None;
    let result = match find(name) {
        None => Err(format!("There is no tool {name}.")),
        Some(def) if !agent.has(def.scope) => {
            Err(format!("{name} needs the {} scope, which this agent does not have.", def.scope.as_str()))
        }
        Some(_) if in_family(reviews::TOOLS, name) => reviews::run(atrium, agent, name, args, &mut workspace_id).await,
        Some(_) if in_family(sharing::TOOLS, name) => sharing::run(atrium, agent, name, args, &mut workspace_id).await,
        Some(_) if in_family(admin::TOOLS, name) => admin::run(atrium, agent, name, args, &mut workspace_id).await,
        Some(_) if IDEMPOTENT.contains(&name) => {
            let write = artifacts::run(atrium, agent, name, args, &mut workspace_id);
            idempotency::once(atrium, agent, name, args, caller, write).await
        }
        Some(_) => artifacts::run(atrium, agent, name, args, &mut workspace_id).await,
    };
    Outcome { result, workspace_id }
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

async fn visible_workspaces(atrium: &Atrium, agent: &AgentView) -> Result<Vec<atrium_api::Workspace>, String> {
    let all = atrium.workspace_list().await.map_err(refusal)?;
    Ok(all.into_iter().filter(|w| agent.sees_workspace(&w.id)).collect())
}
