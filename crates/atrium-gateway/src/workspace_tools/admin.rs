//! The admin surface (seed 002) as tools, for agents with the `admin` scope: the person's server registrations in
//! the workspaces the agent sees — listed, added, changed, removed, tested, refreshed, their tools read. What an
//! agent adds or changes that would run something here or use a credential waits for the person's approval in
//! the window (`agent_server_create` / `agent_server_update` approve nothing). No answer carries a secret value:
//! environment variables and headers are named, never shown, and the approval's details stay in the window.

use atrium_api::{
    AgentScope, AgentView, Atrium, NewServer, ServerApprovalState, ServerPatch, ServerView, Transport,
    parse_registration,
};
use serde_json::{Map, Value, json};

use super::{ToolDef, number, refusal, schema, string};

fn server_id() -> Value {
    json!({"server_id": {"type": "string"}})
}

pub(super) const TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "servers_list",
        scope: AgentScope::Admin,
        description: "The MCP servers registered in the workspaces you may see (or in one): transport, where it is, whether it is enabled, approved and connected. Secret values are never shown; environment variables are named only.",
        schema: || schema(json!({"workspace_id": {"type": "string"}}), &[]),
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "server_add",
        scope: AgentScope::Admin,
        description: "Register an MCP server in a workspace. registration is Atrium's registration object, e.g. {\"transport\": {\"type\": \"http\", \"url\": \"https://…/mcp\"}} or {\"transport\": {\"type\": \"stdio\", \"command\": \"npx\", \"args\": [\"-y\", \"pkg\"]}}. A server that would run a program here or use a stored credential waits until the person approves it in Atrium.",
        schema: || {
            schema(
                json!({"workspace_id": {"type": "string"}, "title": {"type": "string"}, "registration": {"type": "object"}}),
                &["workspace_id", "title", "registration"],
            )
        },
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "server_update",
        scope: AgentScope::Admin,
        description: "Change a server's title or registration. expected_version is the version servers_list gave. A changed registration that runs something or uses a credential waits for the person's approval again.",
        schema: || {
            schema(
                json!({"server_id": {"type": "string"}, "expected_version": {"type": "integer", "minimum": 1},
                    "title": {"type": "string"}, "registration": {"type": "object"}}),
                &["server_id", "expected_version"],
            )
        },
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "server_remove",
        scope: AgentScope::Admin,
        description: "Unregister a server: it is disconnected and its registration deleted (its audit stays).",
        schema: || schema(server_id(), &["server_id"]),
        read_only: false,
        destructive: true,
    },
    ToolDef {
        name: "server_test",
        scope: AgentScope::Admin,
        description: "Connect to a registered server on the side and list its tools, without touching its live connection.",
        schema: || schema(server_id(), &["server_id"]),
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "server_refresh",
        scope: AgentScope::Admin,
        description: "Reconnect a server and read what it offers again.",
        schema: || schema(server_id(), &["server_id"]),
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "server_tools",
        scope: AgentScope::Admin,
        description: "A connected server's tools (after its allowlist), with their input schemas.",
        schema: || schema(server_id(), &["server_id"]),
        read_only: true,
        destructive: false,
    },
];

/// A server as an agent sees it: no secret value, no approval details.
fn presented(view: &ServerView) -> Value {
    let registration = view.registration.as_ref();
    let env: Vec<&String> = match registration.map(|r| &r.transport) {
        Some(Transport::Stdio { env, .. } | Transport::Github { env, .. }) => env.keys().collect(),
        _ => Vec::new(),
    };
    let auth = registration
        .and_then(|r| r.auth.as_ref())
        .and_then(|auth| serde_json::to_value(auth).ok())
        .and_then(|auth| auth.get("type").cloned());
    let (approval, waits_because) = match &view.approval {
        ServerApprovalState::NotNeeded => ("not_needed", None),
        ServerApprovalState::Approved { .. } => ("approved", None),
        ServerApprovalState::Required { reason, .. } => ("waits_for_the_person", Some(reason)),
    };
    json!({"server_id": view.id, "workspace_id": view.workspace_id, "title": view.title, "version": view.version,
        "transport": view.transport, "target": view.target, "enabled": view.enabled,
        "env_names": env, "auth": auth, "allowed_tools": registration.and_then(|r| r.allowed_tools.clone()),
        "approval": approval, "approval_reason": waits_because, "status": view.state.status,
        "problems": view.problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>()})
}

/// A registered server in a workspace the agent sees (else "not found", as for none).
async fn visible_server(atrium: &Atrium, agent: &AgentView, id: &str) -> Result<ServerView, String> {
    match atrium.server_get(id.to_owned()).await {
        Ok(view) if agent.sees_workspace(&view.workspace_id) => Ok(view),
        _ => Err(format!("There is no server {id}.")),
    }
}

/// The `registration` argument, parsed; a refusal names each problem (`parse_registration`'s message does).
fn registration(args: &Map<String, Value>) -> Result<Option<atrium_api::Registration>, String> {
    match args.get("registration") {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            parse_registration(value).map(Some).map_err(|err| format!("The registration is not valid: {}", err.message))
        }
    }
}

/// Runs the admin tool `name` (its scope already checked).
pub(super) async fn run(
    atrium: &Atrium,
    agent: &AgentView,
    name: &str,
    args: &Map<String, Value>,
    workspace: &mut Option<String>,
) -> Result<Value, String> {
    if name == "servers_list" {
        let ws = args.get("workspace_id").and_then(Value::as_str);
        if let Some(ws) = ws {
            if !agent.sees_workspace(ws) {
                return Err(format!("There is no workspace {ws}."));
            }
            *workspace = Some(ws.to_owned());
        }
        let servers = atrium.server_list(ws.map(str::to_owned)).await.map_err(refusal)?;
        let seen: Vec<Value> =
            servers.iter().filter(|s| agent.sees_workspace(&s.workspace_id)).map(presented).collect();
        return Ok(json!({"servers": seen}));
    }
    if name == "server_add" {
        let ws = string(args, "workspace_id")?;
        if !agent.sees_workspace(ws) {
            return Err(format!("There is no workspace {ws}."));
        }
        *workspace = Some(ws.to_owned());
        let Some(registration) = registration(args)? else { return Err("registration is required.".into()) };
        let input = NewServer { workspace_id: ws.to_owned(), title: string(args, "title")?.to_owned(), registration };
        let view = atrium.agent_server_create(input).await.map_err(refusal)?;
        return Ok(presented(&view));
    }
    let server = visible_server(atrium, agent, string(args, "server_id")?).await?;
    *workspace = Some(server.workspace_id.clone());
    match name {
        "server_update" => {
            let Some(expected_version) = number(args, "expected_version")? else {
                return Err("expected_version is required.".into());
            };
            let patch = ServerPatch {
                expected_version,
                title: args.get("title").and_then(Value::as_str).map(str::to_owned),
                registration: registration(args)?,
            };
            let view = atrium.agent_server_update(server.id.clone(), patch).await.map_err(refusal)?;
            Ok(presented(&view))
        }
        "server_remove" => {
            atrium.server_remove(server.id.clone()).await.map_err(refusal)?;
            Ok(json!({"removed": server.id}))
        }
        "server_test" => {
            let test = atrium.server_test_registered(server.id.clone()).await.map_err(refusal)?;
            Ok(json!({"server_id": server.id, "success": test.success, "tools": test.tools, "error": test.error,
                "error_code": test.error_code, "server_info": test.server_info, "duration_ms": test.duration_ms}))
        }
        "server_refresh" => {
            let state = atrium.server_refresh(server.id.clone()).await.map_err(refusal)?;
            Ok(json!({"server_id": server.id, "status": state.status}))
        }
        "server_tools" => {
            let tools = atrium.server_tools(server.id.clone()).await.map_err(refusal)?;
            Ok(json!({"server_id": server.id, "tools": tools.iter().map(|t| json!({"name": t.name, "title": t.title,
                "description": t.description, "inputSchema": t.input_schema})).collect::<Vec<_>>()}))
        }
        other => Err(format!("There is no tool {other}.")),
    }
}
