//! Reviews: an agent's verdict on an artifact (approved, changes requested, commented), kept with the artifact and
//! shown in the window.

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
