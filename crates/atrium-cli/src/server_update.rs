//! `atrium server update`: the app's server form, from flags. What is not given stays as it is.

use atrium_api::{ApiError, Atrium, ErrorCode, ServerApprovalState, ServerPatch};
use serde_json::{Value, json};

use crate::failure::{Failure, invalid};
use crate::output::Printer;
use crate::pick::resolve_server;
use crate::prompt::confirm;
use crate::server_args::ServerCommand;
use crate::server_input::{oauth2, parse_json, registration_from, set_timeouts};
use crate::server_report::out_server;

pub async fn update(atrium: &Atrium, out: &Printer, command: &ServerCommand) -> Result<(), Failure> {
    let ServerCommand::Update {
        server,
        title,
        target,
        allowed_tools,
        allow_all,
        connect_timeout,
        call_timeout,
        authorizer,
        auth,
        no_auth,
        enable,
        disable,
        expect_version,
        yes,
    } = command
    else {
        return Ok(());
    };
    let view = resolve_server(atrium, server).await?;
    if let Some(expected) = expect_version
        && *expected != view.version
    {
        return Err(ApiError::new(
            ErrorCode::VersionConflict,
            format!(
                "{} changed since you read it (version {} now, not {expected}): read it again.",
                view.title, view.version
            ),
        )
        .into());
    }
    // The stored registration as JSON (as it is, when it is not valid: the flags may be what fixes it).
    let current = match (&view.registration, &view.invalid_registration) {
        (Some(registration), _) => serde_json::to_value(registration).map_err(|e| invalid(e.to_string()))?,
        (None, Some(stored)) => stored.clone(),
        (None, None) => json!({}),
    };
    let mut registration = current.clone();
    if let Some(new_target) = target.target() {
        let given = registration_from(&new_target)?;
        if target.replaces_all() {
            registration = given;
        } else if let Some(object) = registration.as_object_mut() {
            object.insert("transport".into(), given["transport"].clone());
        }
    }
    let object = registration.as_object_mut().ok_or_else(|| invalid("the registration must be a JSON object"))?;
    if !allowed_tools.is_empty() {
        object.insert("allowed_tools".into(), json!(allowed_tools));
    }
    if *allow_all {
        object.remove("allowed_tools");
    }
    set_timeouts(object, *connect_timeout, *call_timeout);
    if let Some(reference) = authorizer {
        object.insert("auth".into(), oauth2(atrium, reference).await?);
    }
    if let Some(text) = auth {
        object.insert("auth".into(), parse_json(text, "--auth")?);
    }
    if *no_auth {
        object.remove("auth");
    }
    if *enable || *disable {
        object.insert("enabled".into(), Value::Bool(*enable));
    }
    let title = title.clone().filter(|t| *t != view.title);
    if registration == current && title.is_none() {
        return Err(invalid(
            "nothing to change: give --title, --url/--well-known/--sse/--stdio/--registration, --allow, --allow-all, \
             a timeout, --authorizer/--auth/--no-auth, --enable or --disable",
        )
        .into());
    }

    // Only enabled changed: as `server enable|disable`, which approves nothing.
    let mut as_before = registration.clone();
    if let (Some(object), Some(enabled)) = (as_before.as_object_mut(), current.get("enabled")) {
        object.insert("enabled".into(), enabled.clone());
    }
    let version = expect_version.unwrap_or(view.version);
    if registration != current && as_before == current {
        let mut updated = view.clone();
        if title.is_some() {
            updated = atrium
                .server_update(view.id.clone(), ServerPatch { expected_version: version, title, registration: None })
                .await?;
        }
        let enabled = registration.get("enabled").and_then(Value::as_bool).unwrap_or(true);
        if enabled != updated.enabled {
            updated = atrium.server_set_enabled(view.id.clone(), enabled).await?;
        }
        out_server(out, &updated);
        return Ok(());
    }

    let parsed = if registration == current { None } else { Some(atrium_api::parse_registration(&registration)?) };
    // Saving a registration approves what it runs here, as the app's form does: for one that waits for review,
    // show what is being approved and ask first.
    if parsed.is_some()
        && let ServerApprovalState::Required { .. } = view.approval
    {
        eprintln!("{} waits for your review of what it runs here; saving approves this registration:", view.title);
        eprintln!("{}", serde_json::to_string_pretty(&registration).unwrap_or_default());
        confirm(&format!("Save \"{}\" and approve it to run on this computer?", view.title), *yes)?;
    }
    let patch = ServerPatch { expected_version: version, title, registration: parsed };
    out_server(out, &atrium.server_update(view.id.clone(), patch).await?);
    Ok(())
}
