//! A server registration from command-line flags (`atrium server add|update`): the JSON a person would type,
//! checked by the API as the window's form is.

use atrium_api::{ApiError, ApiResult, Atrium, ErrorCode};
use serde_json::{Map, Value, json};

use crate::server_args::TargetArgs;

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

pub(crate) fn parse_json(text: &str, what: &str) -> ApiResult<Value> {
    serde_json::from_str(text).map_err(|err| invalid(format!("{what} is not JSON: {err}")))
}

pub(crate) fn registration_from(target: &TargetArgs) -> ApiResult<Value> {
    if let Some(url) = &target.url {
        return Ok(json!({"transport": {"type": "http", "url": url}}));
    }
    if let Some(url) = &target.well_known {
        return Ok(json!({"transport": {"type": "http", "well_known": url}}));
    }
    if let Some(url) = &target.sse {
        return Ok(json!({"transport": {"type": "sse", "url": url}}));
    }
    // `--stdio -- npx -y pkg`: clap keeps the `--` that separates the command from Atrium's own flags.
    let stdio = target.stdio.as_deref().map(|argv| argv.strip_prefix(&["--".to_owned()]).unwrap_or(argv));
    if let Some([command, args @ ..]) = stdio {
        return Ok(json!({"transport": {"type": "stdio", "command": command, "args": args}}));
    }
    if let Some(text) = &target.registration {
        return parse_json(text, "--registration");
    }
    if let Some(path) = &target.registration_file {
        let text =
            std::fs::read_to_string(path).map_err(|err| invalid(format!("cannot read {}: {err}", path.display())))?;
        return parse_json(&text, &path.display().to_string());
    }
    Err(invalid("say how to reach the server: --url, --well-known, --sse, --stdio or --registration"))
}

/// Timeouts given as flags, into a registration's JSON.
pub(crate) fn set_timeouts(object: &mut Map<String, Value>, connect_ms: Option<u32>, call_ms: Option<u32>) {
    if connect_ms.is_none() && call_ms.is_none() {
        return;
    }
    let timeouts = object.entry("timeouts").or_insert_with(|| json!({}));
    if let Some(ms) = connect_ms {
        timeouts["connect_ms"] = json!(ms);
    }
    if let Some(ms) = call_ms {
        timeouts["call_ms"] = json!(ms);
    }
}

/// The `auth` of a server that signs in through an Authorizer (id or exact title).
pub(crate) async fn oauth2(atrium: &Atrium, reference: &str) -> ApiResult<Value> {
    let authorizer = crate::pick::resolve_authorizer(atrium, reference).await?;
    Ok(json!({"type": "oauth2", "authorizer_id": authorizer.id}))
}
