//! `atrium share …`: access links (the platform's invites) on an artifact, from the terminal.

use atrium_api::{Atrium, LinkAccess, NewAccessLink};
use serde_json::Value;

use crate::failure::Failure;
use crate::output::{Printer, print_json};
use crate::share_args::ShareCommand;

fn field<'a>(grant: &'a Value, key: &str) -> &'a str {
    grant.get(key).and_then(Value::as_str).unwrap_or("-")
}

/// One grant as a line: id, state, what it gives, who it is for, claims, expiry, name.
fn line(grant: &Value) -> String {
    let gives = if grant.get("can_update") == Some(&Value::Bool(true)) { "write" } else { "read" };
    let claims = match (grant.get("claims_count").and_then(Value::as_u64), grant.get("max_claims")) {
        (Some(n), Some(Value::Number(max))) => format!("{n}/{max} claimed"),
        (Some(n), _) => format!("{n} claimed"),
        _ => String::new(),
    };
    let expires = grant.get("expires_at").and_then(Value::as_str).map(|e| format!("until {e}")).unwrap_or_default();
    let name = grant.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
    let parts = [
        field(grant, "id").to_owned(),
        field(grant, "state").to_owned(),
        gives.to_owned(),
        field(grant, "grantee_type").to_owned(),
        claims,
        expires,
        name,
    ];
    parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("  ")
}

pub async fn share(atrium: &Atrium, out: &Printer, command: &ShareCommand) -> Result<(), Failure> {
    match command {
        ShareCommand::Link { artifact, write, version, expires, max_uses, name } => {
            let link = NewAccessLink {
                artifact_id: artifact.clone(),
                access: if *write { LinkAccess::Write } else { LinkAccess::Read },
                version: *version,
                expires_at: expires.clone(),
                max_uses: *max_uses,
                name: name.clone(),
            };
            let made = atrium.access_link_create(link).await?;
            if out.json() {
                print_json(&made);
            } else {
                say!("{}", field(&made.grant, "claim_url"));
                say!("link {} on {}", field(&made.grant, "id"), made.resource_id);
                if made.version.is_some() && made.follows_later_changes {
                    say!("the platform keeps this revision as the artifact itself: the link opens later changes too");
                }
            }
        }
        ShareCommand::List { artifact } => {
            let list = atrium.access_links(artifact.clone()).await?;
            if out.json() {
                print_json(&list);
            } else {
                list.links.iter().for_each(|g| say!("{}", line(g)));
                if let Some(version) = list.revision_version {
                    list.revision_links.iter().for_each(|g| say!("{}  (revision {version})", line(g)));
                }
            }
        }
        ShareCommand::Revoke { artifact, link } => {
            let revoked = atrium.access_link_revoke(artifact.clone(), link.clone()).await?;
            if out.json() { print_json(&revoked) } else { say!("revoked {link}") }
        }
    }
    Ok(())
}
