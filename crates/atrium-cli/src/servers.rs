//! `atrium server …` and `atrium audit`: the same operations as the app's Servers and Audit screens.

use atrium_api::{
    ApiResult, Atrium, AuditEntry, AuditFilter, AuditOrigin, AuditStatus, CallOutcome, ConnectionTest, ContentItem,
    ErrorCode, NewServer, ServerApprovalState, ToolCall,
};
use serde_json::{Map, Value, json};

use crate::failure::Failure;
use crate::output::{Printer, print_json};
use crate::pick::{resolve_server, resolve_workspace};
use crate::prompt::confirm;
use crate::server_args::{AuditArgs, ServerCommand};
use crate::server_input::{invalid, oauth2, parse_json, registration_from, set_timeouts};
use crate::server_report::{approval_mark, describe_status, out_server};

/// A call id of this process's own, so the call can be cancelled.
fn new_call_id() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("cli-{}-{nanos}", std::process::id())
}
/// Connects every enabled server that may run here (one waiting for review stays off), as the app does when it
/// starts; one that fails is left out of what servers contribute, as in the app.
pub(crate) async fn connect_enabled(atrium: &Atrium) -> Result<(), Failure> {
    let servers = atrium.server_list(None).await?;
    let connecting = servers
        .into_iter()
        .filter(|s| s.enabled && !matches!(s.approval, ServerApprovalState::Required { .. }))
        .map(|s| atrium.server_tools(s.id));
    // A server that cannot connect is in Atrium's log (and on stderr with -v); it just offers nothing here.
    let _ = futures::future::join_all(connecting).await;
    Ok(())
}

/// `NAME=VALUE` pairs; a value that parses as JSON is taken as JSON (`n=3`, `flag=true`), else as text.
fn pairs(items: &[String], json_values: bool) -> ApiResult<Map<String, Value>> {
    let mut map = Map::new();
    for item in items {
        let (name, value) = item.split_once('=').ok_or_else(|| invalid(format!("\"{item}\" is not NAME=VALUE")))?;
        let value = if json_values {
            serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.to_owned()))
        } else {
            Value::String(value.to_owned())
        };
        map.insert(name.to_owned(), value);
    }
    Ok(map)
}

pub async fn server(atrium: &Atrium, out: &Printer, command: &ServerCommand) -> Result<(), Failure> {
    match command {
        ServerCommand::Add {
            workspace,
            title,
            target,
            allowed_tools,
            connect_timeout,
            call_timeout,
            disabled,
            authorizer,
        } => {
            let mut registration = registration_from(target)?;
            if let Some(object) = registration.as_object_mut() {
                if !allowed_tools.is_empty() {
                    object.insert("allowed_tools".into(), json!(allowed_tools));
                }
                set_timeouts(object, *connect_timeout, *call_timeout);
                if *disabled {
                    object.insert("enabled".into(), Value::Bool(false));
                }
                if let Some(reference) = authorizer {
                    object.insert("auth".into(), oauth2(atrium, reference).await?);
                }
            }
            let workspace_id = resolve_workspace(atrium, workspace).await?.id;
            let registration = atrium_api::parse_registration(&registration)?;
            let view = atrium.server_create(NewServer { workspace_id, title: title.clone(), registration }).await?;
            out_server(out, &view);
        }
        ServerCommand::Update { .. } => crate::server_update::update(atrium, out, command).await?,
        ServerCommand::Validate { registration, registration_file } => {
            let value = match (registration, registration_file) {
                (Some(text), _) => parse_json(text, "--registration")?,
                (None, Some(path)) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|err| invalid(format!("cannot read {}: {err}", path.display())))?;
                    parse_json(&text, &path.display().to_string())?
                }
                (None, None) => return Err(invalid("give --registration or --registration-file").into()),
            };
            let problems = atrium.server_validate(value).await?;
            if out.json() {
                print_json(&problems);
            } else if problems.is_empty() {
                say!("valid");
            } else {
                for p in &problems {
                    say!("{}: {}", p.field, p.message);
                }
            }
            if !problems.is_empty() {
                return Err(Failure::Quiet(ErrorCode::InvalidInput.exit_code()));
            }
        }
        ServerCommand::Export { server, output } => {
            let view = resolve_server(atrium, server).await?;
            let export = atrium.server_export(view.id).await?;
            if let Some(path) = output {
                std::fs::write(path, format!("{}\n", export.text))
                    .map_err(|err| invalid(format!("cannot write {}: {err}", path.display())))?;
            }
            if out.json() {
                print_json(&export);
            } else if let Some(path) = output {
                say!("wrote {}", path.display());
            } else {
                say!("{}", export.text);
            }
            for omitted in &export.omitted {
                eprintln!("left out (secret): {omitted}");
            }
        }
        ServerCommand::Unpublish { server } => {
            let view = resolve_server(atrium, server).await?;
            let artifact = atrium.server_unpublish(view.id).await?;
            if out.json() {
                print_json(&artifact);
            } else {
                say!("{}: no longer offered to the platform", view.title);
            }
        }
        ServerCommand::Catalog => {
            connect_enabled(atrium).await?;
            let catalog = atrium.tool_catalog().await?;
            if out.json() {
                print_json(&catalog);
            } else if catalog.is_empty() {
                say!("no tools: no enabled server is connected");
            } else {
                for entry in &catalog {
                    let description = entry.tool.description.as_deref().unwrap_or("").lines().next().unwrap_or("");
                    say!("{:<40}  {description}", entry.flat_name);
                }
            }
        }
        ServerCommand::List { workspace } => {
            let workspace_id = match workspace {
                Some(reference) => Some(resolve_workspace(atrium, reference).await?.id),
                None => None,
            };
            let servers = atrium.server_list(workspace_id).await?;
            if out.json() {
                print_json(&servers);
            } else if servers.is_empty() {
                say!("no servers: add one with `atrium server add WORKSPACE --title T --url URL`");
            } else {
                for s in &servers {
                    let enabled = if s.enabled { "" } else { "  (disabled)" };
                    let review = approval_mark(&s.approval).map(|m| format!("  [{m}]")).unwrap_or_default();
                    say!("{}  {:<24}  {:<6}  {}{enabled}{review}", s.id, s.title, s.transport, s.target);
                }
            }
        }
        ServerCommand::Show { server } => out_server(out, &resolve_server(atrium, server).await?),
        ServerCommand::Test { server, registration } => {
            let report = match (server, registration) {
                (_, Some(text)) => {
                    let registration = atrium_api::parse_registration(&parse_json(text, "--registration")?)?;
                    atrium.server_test(registration).await?
                }
                (Some(reference), None) => {
                    atrium.server_test_registered(resolve_server(atrium, reference).await?.id).await?
                }
                (None, None) => return Err(invalid("give a server or --registration").into()),
            };
            out_test(out, &report);
            if !report.success {
                return Err(Failure::Quiet(69));
            }
        }
        ServerCommand::SignIn { server } => {
            let id = resolve_server(atrium, server).await?.id;
            eprintln!("Finish signing in in your browser (5 minutes at most; Ctrl+C cancels)…");
            let signing_in = atrium.server_sign_in(id.clone());
            let cancel = async || atrium.server_sign_in_cancel(id.clone()).await;
            let Some(auth) = crate::interrupt::cancel_on_quit(signing_in, cancel).await? else {
                return Err(Failure::Cancelled);
            };
            let auth = auth?;
            if out.json() {
                print_json(&auth);
            } else {
                say!("signed in");
            }
        }
        ServerCommand::SignOut { server } => {
            let id = resolve_server(atrium, server).await?.id;
            let revoked = atrium.server_sign_out(id).await?;
            say!("{}", if revoked { "signed out (tokens revoked)" } else { "signed out" });
        }
        ServerCommand::Refresh { server } => {
            let id = resolve_server(atrium, server).await?.id;
            let state = atrium.server_refresh(id).await?;
            if out.json() {
                print_json(&state);
            } else {
                say!("{}", describe_status(&state.status));
            }
        }
        ServerCommand::Tools { server } => {
            let id = resolve_server(atrium, server).await?.id;
            let tools = atrium.server_tools(id).await?;
            if out.json() {
                print_json(&tools);
            } else {
                for tool in &tools {
                    let description = tool.description.as_deref().unwrap_or("").lines().next().unwrap_or("");
                    say!("{:<28}  {description}", tool.name);
                }
            }
        }
        ServerCommand::Call { server, tool, args, arg, .. } => {
            let arguments = match args {
                Some(text) => match parse_json(text, "--args")? {
                    Value::Object(map) => map,
                    _ => return Err(invalid("--args must be a JSON object").into()),
                },
                None => pairs(arg, true)?,
            };
            let server_id = resolve_server(atrium, server).await?.id;
            let call_id = new_call_id();
            let call =
                ToolCall { server_id, tool: tool.clone(), arguments: Some(arguments), call_id: Some(call_id.clone()) };
            // Ctrl+C or SIGTERM: the server is told to stop (MCP's cancellation) and the call ends, audited, as
            // cancelled.
            let calling = atrium.tool_call_from(call, AuditOrigin::Cli);
            let cancel = async || atrium.tool_cancel(call_id.clone()).await;
            let Some(outcome) = crate::interrupt::cancel_on_quit(calling, cancel).await? else {
                return Err(Failure::Cancelled);
            };
            let outcome = outcome?;
            out_outcome(out, &outcome);
            match outcome.status {
                AuditStatus::Ok => {}
                AuditStatus::Cancelled => return Err(Failure::Cancelled),
                AuditStatus::ToolError => return Err(Failure::Quiet(1)),
                AuditStatus::Failed | AuditStatus::Denied => return Err(Failure::Quiet(69)),
            }
        }
        ServerCommand::Resources { server } => {
            let id = resolve_server(atrium, server).await?.id;
            let catalog = atrium.server_resources(id).await?;
            if out.json() {
                print_json(&catalog);
            } else {
                for r in &catalog.resources {
                    say!("{:<40}  {:<24}  {}", r.uri, r.name, r.mime_type.as_deref().unwrap_or(""));
                }
                for t in &catalog.templates {
                    say!("{:<40}  {:<24}  (template)", t.uri_template, t.name);
                }
            }
        }
        ServerCommand::Read { server, uri } => {
            let id = resolve_server(atrium, server).await?.id;
            let contents = atrium.resource_read(id, uri.clone()).await?;
            if out.json() {
                print_json(&contents);
            } else {
                for c in &contents {
                    match (&c.text, &c.blob) {
                        (Some(text), _) => say!("{text}"),
                        (None, Some(blob)) => {
                            say!("[{} base64 bytes of {}]", blob.len(), c.mime_type.as_deref().unwrap_or("data"))
                        }
                        (None, None) => say!("[empty]"),
                    }
                }
            }
        }
        ServerCommand::Prompts { server, get, arg } => {
            let id = resolve_server(atrium, server).await?.id;
            match get {
                None => {
                    let prompts = atrium.server_prompts(id).await?;
                    if out.json() {
                        print_json(&prompts);
                    } else {
                        for p in &prompts {
                            let args: Vec<String> = p
                                .arguments
                                .iter()
                                .map(|a| if a.required { a.name.clone() } else { format!("[{}]", a.name) })
                                .collect();
                            say!("{:<24}  {}  {}", p.name, args.join(" "), p.description.as_deref().unwrap_or(""));
                        }
                    }
                }
                Some(name) => {
                    let result = atrium.prompt_get(id, name.clone(), pairs(arg, false)?).await?;
                    if out.json() {
                        print_json(&result);
                    } else {
                        for m in &result.messages {
                            say!("{}: {}", m.role, content_text(&m.content));
                        }
                    }
                }
            }
        }
        ServerCommand::Enable { server } | ServerCommand::Disable { server } => {
            let enable = matches!(command, ServerCommand::Enable { .. });
            let id = resolve_server(atrium, server).await?.id;
            out_server(out, &atrium.server_set_enabled(id, enable).await?);
        }
        ServerCommand::Remove { server, yes } => {
            let view = resolve_server(atrium, server).await?;
            confirm(&format!("Remove the server \"{}\"?", view.title), *yes)?;
            atrium.server_remove(view.id.clone()).await?;
            out.deleted("server", &view.id);
        }
        // Local-process commands are dispatched to `crate::local` before this match.
        ServerCommand::Start { .. }
        | ServerCommand::Stop { .. }
        | ServerCommand::Restart { .. }
        | ServerCommand::Approve { .. }
        | ServerCommand::Logs { .. } => {}
    }
    Ok(())
}

pub async fn audit(atrium: &Atrium, out: &Printer, args: &AuditArgs) -> Result<(), Failure> {
    let server_id = match &args.server {
        Some(reference) => Some(resolve_server(atrium, reference).await?.id),
        None => None,
    };
    let workspace_id = match &args.workspace {
        Some(reference) => Some(resolve_workspace(atrium, reference).await?.id),
        None => None,
    };
    let filter = AuditFilter {
        server_id,
        workspace_id,
        origin: args.origin,
        status: args.status,
        tool: args.tool.clone(),
        agent_id: None,
        before: None,
        limit: Some(args.limit),
    };
    let rows = atrium.audit_list(filter).await?;
    if out.json() {
        print_json(&rows);
    } else if rows.is_empty() {
        say!("no calls recorded");
    } else {
        for row in &rows {
            say!("{}", audit_line(row));
        }
    }
    Ok(())
}

fn audit_line(row: &AuditEntry) -> String {
    let status = serde_json::to_value(row.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let origin = row.origin.as_str();
    let code = row.error_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
    format!(
        "{}  {origin:<9} {:<20} {:<24} {status}{code}  {} ms",
        row.time, row.server_title, row.tool, row.duration_ms
    )
}

fn out_test(out: &Printer, report: &ConnectionTest) {
    if out.json() {
        return print_json(report);
    }
    if report.success {
        let info = report.server_info.as_deref().unwrap_or("the server");
        say!("connected to {info} in {} ms: {} tools", report.duration_ms, report.tool_count);
        for tool in &report.tools {
            say!("  {tool}");
        }
    } else {
        let code = report.error_code.map(|c| c.as_str()).unwrap_or("error");
        say!("failed ({code}) after {} ms: {}", report.duration_ms, report.error.as_deref().unwrap_or(""));
    }
}

fn content_text(item: &ContentItem) -> String {
    match item {
        ContentItem::Text { text } => text.clone(),
        ContentItem::Image { mime_type, data } => format!("[image {mime_type}, {} base64 bytes]", data.len()),
        ContentItem::Audio { mime_type, data } => format!("[audio {mime_type}, {} base64 bytes]", data.len()),
        ContentItem::Resource { resource } => match &resource.text {
            Some(text) => format!("[resource {}]\n{text}", resource.uri),
            None => format!("[resource {}]", resource.uri),
        },
        ContentItem::ResourceLink { uri, .. } => format!("[link {uri}]"),
    }
}

fn out_outcome(out: &Printer, outcome: &CallOutcome) {
    if out.json() {
        return print_json(outcome);
    }
    if let Some(result) = &outcome.result {
        for item in &result.content {
            say!("{}", content_text(item));
        }
        if let Some(structured) = &result.structured_content {
            say!("{}", serde_json::to_string_pretty(structured).unwrap_or_default());
        }
        if result.is_error {
            eprintln!("the tool reported an error ({} ms)", outcome.duration_ms);
        }
    }
    // A cancelled call is said once, as the command ends.
    if let Some(error) = &outcome.error
        && outcome.status != AuditStatus::Cancelled
    {
        eprintln!("error ({}): {}", error.code.as_str(), error.message);
    }
}
