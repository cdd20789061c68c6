//! The admin surface (seed 002) as tools, for agents with the `admin` scope: the person's server registrations
//! listed, added, changed, removed, tested and refreshed — an added or changed server runs only once the person
//! approves it in Atrium.

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
