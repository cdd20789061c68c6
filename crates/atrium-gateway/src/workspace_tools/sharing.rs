//! Sharing: links that give others access to an artifact or one of its revisions. On a workspace linked to the
//! Agience platform these are the platform's grants and invites; elsewhere a tool error says to publish first.
//! What the platform answers reaches the agent as it came (inside `link` / `links`).

use atrium_api::{AgentScope, AgentView, Atrium, LinkAccess, NewAccessLink};
use serde_json::{Map, Value, json};

use super::{PERSON_ONLY_TYPES, ToolDef, number, refusal, schema, string, visible};

fn link_options() -> Value {
    json!({
        "artifact_id": {"type": "string"},
        "access": {"type": "string", "enum": ["read", "write"],
            "description": "read (the default) lets the holder read it; write lets them change it too."},
        "expires_at": {"type": "string", "description": "When the link stops working (ISO 8601, e.g. 2030-01-31T00:00:00Z)."},
        "max_uses": {"type": "integer", "minimum": 1,
            "description": "How many people may claim it; the platform makes it 1 when left out."},
        "name": {"type": "string", "description": "A label for the link."}
    })
}

pub(super) const TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "create_share_link",
        scope: AgentScope::Share,
        description: "Make a link that gives access to an artifact as it goes on changing (its workspace must be on the Agience platform). Returns the URL a person opens (url) and the platform's link as it came.",
        schema: || schema(link_options(), &["artifact_id"]),
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "create_revision_link",
        scope: AgentScope::Share,
        description: "Make a link that gives access to one revision of an artifact: the revision that is on the Agience platform now (see list_revisions). Returns the URL a person opens (url) and the platform's link as it came. follows_later_changes is true when the platform keeps that revision as the artifact itself (its first version, or a draft), so the link opens later changes too; only a committed revision under a version id of its own stays fixed.",
        schema: || {
            let mut options = link_options();
            options["version"] = json!({"type": "integer", "minimum": 1});
            schema(options, &["artifact_id", "version"])
        },
        read_only: false,
        destructive: false,
    },
    ToolDef {
        name: "list_access_links",
        scope: AgentScope::Share,
        description: "The platform's access links and grants on an artifact (links) and on its revision there (revision_links), revoked ones included (state says so), as the platform sent them.",
        schema: || schema(json!({"artifact_id": {"type": "string"}}), &["artifact_id"]),
        read_only: true,
        destructive: false,
    },
    ToolDef {
        name: "revoke_access_link",
        scope: AgentScope::Share,
        description: "Revoke an access link of an artifact (link_id is its id from list_access_links or the create tools); it stops working and stays listed as revoked.",
        schema: || {
            schema(
                json!({"artifact_id": {"type": "string"}, "link_id": {"type": "string"}}),
                &["artifact_id", "link_id"],
            )
        },
        read_only: false,
        destructive: true,
    },
];

fn access(args: &Map<String, Value>) -> Result<LinkAccess, String> {
    match args.get("access").and_then(Value::as_str) {
        None | Some("read") => Ok(LinkAccess::Read),
        Some("write") => Ok(LinkAccess::Write),
        Some(other) => Err(format!("access is read or write, not {other}.")),
    }
}

fn optional_text(args: &Map<String, Value>, key: &str) -> Option<String> {
    args.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Runs the tool `name` of this family (its scope already checked).
pub(super) async fn run(
    atrium: &Atrium,
    agent: &AgentView,
    name: &str,
    args: &Map<String, Value>,
    workspace: &mut Option<String>,
) -> Result<Value, String> {
    let artifact = visible(atrium, agent, string(args, "artifact_id")?).await?;
    *workspace = Some(artifact.workspace_id.clone());
    match name {
        "create_share_link" | "create_revision_link" => {
            // Registrations, Authorizers and workspaces make things run or hold sign-ins: only the person shares them.
            if PERSON_ONLY_TYPES.contains(&artifact.content_type.as_str()) {
                return Err(format!(
                    "{} is a {}: only the person shares those, in Atrium.",
                    artifact.title, artifact.content_type
                ));
            }
            let version = if name == "create_revision_link" {
                Some(number(args, "version")?.ok_or("version is required.")?)
            } else {
                None
            };
            let link = NewAccessLink {
                artifact_id: artifact.id.clone(),
                access: access(args)?,
                version,
                expires_at: optional_text(args, "expires_at"),
                max_uses: number(args, "max_uses")?,
                name: optional_text(args, "name"),
            };
            let made = atrium.access_link_create(link).await.map_err(refusal)?;
            Ok(json!({
                "artifact_id": made.artifact_id, "version": made.version, "resource_id": made.resource_id,
                "follows_later_changes": made.follows_later_changes,
                "url": made.grant.get("claim_url"), "link_id": made.grant.get("id"), "link": made.grant,
            }))
        }
        "list_access_links" => {
            let list = atrium.access_links(artifact.id.clone()).await.map_err(refusal)?;
            serde_json::to_value(list).map_err(|e| e.to_string())
        }
        "revoke_access_link" => {
            let link_id = string(args, "link_id")?;
            let revoked = atrium.access_link_revoke(artifact.id.clone(), link_id.to_owned()).await.map_err(refusal)?;
            Ok(json!({"artifact_id": artifact.id, "revoked": revoked}))
        }
        other => Err(format!("There is no tool {other}.")),
    }
}
