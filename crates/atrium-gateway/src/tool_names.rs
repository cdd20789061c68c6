//! Which of the agent's servers a tool name on `/mcp` calls: `{slug}__{tool}`, as `tools/list` shows it, or a bare
//! name exactly one of its servers offers — an MCP Apps view calls its own server's tools by the names that server
//! gave them, and the host that renders it passes the call on to Atrium as it came.

use atrium_api::AgentServerAccess;

use crate::Shared;

/// The server and the tool's own name there, or why there is none.
pub(crate) fn resolve(
    shared: &Shared,
    mut servers: Vec<AgentServerAccess>,
    name: &str,
) -> Result<(AgentServerAccess, String), String> {
    let namespaced = name.split_once("__").filter(|(s, t)| !s.is_empty() && !t.is_empty());
    if let Some((slug, tool)) = namespaced
        && let Some(at) = servers.iter().position(|s| s.slug == slug)
    {
        return Ok((servers.swap_remove(at), tool.to_owned()));
    }
    let offers =
        |s: &AgentServerAccess| shared.atrium.gateway_server_tools(&s.server_id).iter().any(|t| t.name == name);
    let mut offering: Vec<AgentServerAccess> = servers.into_iter().filter(offers).collect();
    match offering.len() {
        1 => Ok((offering.remove(0), name.to_owned())),
        0 => Err(format!("Unknown tool: {name}")),
        _ => {
            let names: Vec<String> = offering.iter().map(|s| format!("{}__{name}", s.slug)).collect();
            Err(format!("Unknown tool: {name} (several servers offer it: call one of {}).", names.join(", ")))
        }
    }
}
