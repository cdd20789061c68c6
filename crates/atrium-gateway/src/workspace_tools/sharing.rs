//! Sharing: links that give others access to an artifact or one of its revisions. On a workspace linked to the
//! Agience platform these are the platform's grants and invites; elsewhere a tool error says to publish first.

use atrium_api::{AgentView, Atrium};
use serde_json::{Map, Value};

use super::ToolDef;

pub(super) const TOOLS: &[ToolDef] = &[];

/// Runs the tool `name` of this family (its scope already checked).
pub(super) async fn run(
    _atrium: &Atrium,
    _agent: &AgentView,
    name: &str,
    _args: &Map<String, Value>,
    _workspace: &mut Option<String>,
) -> Result<Value, String> {
    Err(format!("There is no tool {name}."))
}
