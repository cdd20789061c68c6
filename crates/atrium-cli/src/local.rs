//! `atrium server start|stop|restart|logs`, `atrium secret …`, `atrium allowlist …` and `atrium import`: local
//! servers from a terminal.

use std::io::{BufRead, Read, Seek};
use std::time::Duration;

use atrium_api::control::{self, ControlOp};
use atrium_api::{
    ApiError, Atrium, AtriumPaths, ErrorCode, ImportRequest, ImportSource, SecretInput, ServerApprovalState,
    ServerStatus,
};
use tokio_util::sync::CancellationToken;

use crate::args::AllowlistCommand;
use crate::failure::Failure;
use crate::output::{Printer, print_json};
use crate::pick::{pick_by_id_or_title, resolve_server, resolve_workspace};
use crate::prompt::confirm;
use crate::server_args::SecretCommand;

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

/// Runs servers in the foreground until asked to quit; their status and log lines go to stderr.
pub async fn start(atrium: &Atrium, out: &Printer, servers: &[String], all: bool) -> Result<(), Failure> {
    // Before anything starts: a signal while servers are starting is a clean quit too.
    let quit = atrium_api::QuitSignals::install();
    let views = atrium.server_list(None).await?;
    let chosen: Vec<_> = if all {
        views.into_iter().filter(|v| v.enabled).collect()
    } else {
        let mut chosen = Vec::new();
        for reference in servers {
            chosen.push(pick_by_id_or_title(&views, reference, "server", |v| &v.id, |v| &v.title)?);
        }
        chosen
    };
    if chosen.is_empty() {
        return Err(Failure::Api(invalid("No enabled server to start: register one with `atrium server add`.")));
    }
    let stop = CancellationToken::new();
    let serving = control::serve(atrium.clone(), stop.clone()).await;
    for view in &chosen {
        let state = atrium.server_start(view.id.clone()).await?;
        if out.json() {
            // One compact line per server, so a script can read them as they come.
            say!("{}", serde_json::json!({"server": view.title, "id": view.id, "state": state}));
        } else {
            let pid = state.pid.map(|p| format!(" (pid {p})")).unwrap_or_default();
            eprintln!("{}: {}{pid}", view.title, crate::server_report::describe_status(&state.status));
        }
    }
    if serving {
        eprintln!(
            "running {} server(s); Ctrl+C stops them (`atrium server stop|restart` work from another terminal)",
            chosen.len()
        );
    }
    quit.recv().await;
    stop.cancel();
    eprintln!("stopping…");
    Ok(())
}

/// Stops or restarts a server in the running Atrium of this home.
pub async fn control(
    atrium: &Atrium,
    paths: &AtriumPaths,
    out: &Printer,
    op: ControlOp,
    server: &str,
) -> Result<(), Failure> {
    let views = atrium.server_list(None).await?;
    let view = pick_by_id_or_title(&views, server, "server", |v| &v.id, |v| &v.title)?;
    match control::request(paths, op, &view.id).await? {
        Some(state) if out.json() => print_json(&state),
        Some(state) => say!("{}: {}", view.title, crate::server_report::describe_status(&state.status)),
        None if op == ControlOp::Stop => {
            // Nothing runs it, so it is stopped already: say so, succeed.
            if out.json() {
                print_json(&serde_json::json!({"server_id": view.id, "status": ServerStatus::Stopped}));
            } else {
                say!("{}: not running (no Atrium of this home is running)", view.title);
            }
        }
        None => {
            return Err(Failure::Api(ApiError::new(
                ErrorCode::ServerUnavailable,
                "No Atrium of this home is running: open the app, or run `atrium server start` to run servers.",
            )));
        }
    }
    Ok(())
}

/// `atrium server approve`: shows what the registration would do here, asks (unless `--yes` or a fingerprint the
/// script reviewed), approves it, and has a running Atrium of this home start it.
pub async fn approve(
    atrium: &Atrium,
    paths: &AtriumPaths,
    out: &Printer,
    server: &str,
    fingerprint: Option<&str>,
    yes: bool,
) -> Result<(), Failure> {
    let view = resolve_server(atrium, server).await?;
    let effects = match &view.approval {
        ServerApprovalState::Required { effects, .. } => effects.clone(),
        ServerApprovalState::Approved { .. } => {
            if !out.json() {
                say!("{}: already approved as it is", view.title);
            }
            return Ok(());
        }
        ServerApprovalState::NotNeeded => {
            return Err(Failure::Api(invalid(format!(
                "{} starts nothing on this computer and uses none of its credentials: there is nothing to approve.",
                view.title
            ))));
        }
    };
    if let Some(wanted) = fingerprint
        && wanted != effects.fingerprint
    {
        return Err(Failure::Api(ApiError::new(
            ErrorCode::VersionConflict,
            format!("{} changed since that fingerprint was read: review it again.", view.title),
        )));
    }
    eprintln!("{} would:", view.title);
    for line in crate::server_report::describe_effects(&effects) {
        eprintln!("  {line}");
    }
    confirm(&format!("Approve \"{}\" to do this on this computer?", view.title), yes || fingerprint.is_some())?;
    let approved = atrium.server_approve(view.id.clone(), effects.fingerprint).await?;
    // The app (or `atrium server start`) of this home starts it now, if it runs it.
    if let Ok(Some(state)) = control::request(paths, ControlOp::Restart, &view.id).await {
        eprintln!("{}: {}", view.title, crate::server_report::describe_status(&state.status));
    }
    if out.json() {
        print_json(&approved);
    } else {
        say!("{}: approved", view.title);
    }
    Ok(())
}

/// Prints the last lines of a server's log file, and follows it.
pub async fn logs(
    atrium: &Atrium,
    paths: &AtriumPaths,
    server: &str,
    lines: usize,
    follow: bool,
) -> Result<(), Failure> {
    let views = atrium.server_list(None).await?;
    let view = pick_by_id_or_title(&views, server, "server", |v| &v.id, |v| &v.title)?;
    let path = paths.server_logs().join(atrium_api::server_log_file_name(&view.id));
    let mut file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(_) if !follow => {
            eprintln!("{} has no log yet: it has not run on this machine.", view.title);
            return Ok(());
        }
        Err(_) => loop {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Ok(file) = std::fs::File::open(&path) {
                break file;
            }
        },
    };
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    let all: Vec<&str> = text.lines().collect();
    for line in &all[all.len().saturating_sub(lines)..] {
        say!("{line}");
    }
    if !follow {
        return Ok(());
    }
    let mut position = file.stream_position().unwrap_or_default();
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(250)) => {}
            () = atrium_api::quit_requested() => return Ok(()),
        }
        let Ok(mut file) = std::fs::File::open(&path) else { continue };
        let size = file.metadata().map(|m| m.len()).unwrap_or_default();
        // Rotated: start at the top of the new file.
        if size < position {
            position = 0;
        }
        if file.seek(std::io::SeekFrom::Start(position)).is_err() {
            continue;
        }
        let mut reader = std::io::BufReader::new(file);
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            say_raw!("{line}");
            position += line.len() as u64;
            line.clear();
        }
    }
}

pub async fn secret(atrium: &Atrium, out: &Printer, command: &SecretCommand) -> Result<(), Failure> {
    match command {
        SecretCommand::Set { id, description } => {
            let mut value = String::new();
            std::io::stdin().read_to_string(&mut value).map_err(|e| invalid(format!("cannot read stdin: {e}")))?;
            // One trailing newline is the shell's (`echo`, a heredoc), not the secret's.
            let value =
                value.strip_suffix('\n').map(|v| v.strip_suffix('\r').unwrap_or(v)).unwrap_or(&value).to_owned();
            let view =
                atrium.secret_set(SecretInput { id: id.clone(), description: description.clone(), value }).await?;
            if out.json() {
                print_json(&view);
            } else {
                say!("{} is set in the keychain", view.id);
            }
        }
        SecretCommand::List => {
            let secrets = atrium.secret_list().await?;
            if out.json() {
                print_json(&secrets);
            } else if secrets.is_empty() {
                say!("No secrets. Add one with: atrium secret set ID < value-file");
            } else {
                for s in secrets {
                    let state = if s.is_set { "set" } else { "NOT SET" };
                    let used = if s.used_by.is_empty() {
                        String::new()
                    } else {
                        format!("  used by {}", s.used_by.join(", "))
                    };
                    say!("{}\t{state}\t{}{used}", s.id, s.description);
                }
            }
        }
        SecretCommand::Delete { id, yes } => {
            confirm(&format!("Delete the secret {id} from the keychain?"), *yes)?;
            atrium.secret_delete(id.clone()).await?;
            out.deleted("secret", id);
        }
    }
    Ok(())
}

/// `atrium allowlist …`: the app's Secrets → Local servers.
pub async fn allowlist(atrium: &Atrium, out: &Printer, command: &AllowlistCommand) -> Result<(), Failure> {
    let settings = match command {
        AllowlistCommand::Show => atrium.local_settings().await?,
        AllowlistCommand::Add { commands } => {
            let mut extra = atrium.local_settings().await?.extra_commands;
            extra.extend(commands.iter().cloned());
            atrium.local_settings_set_commands(extra).await?
        }
        AllowlistCommand::Remove { commands } => {
            let current = atrium.local_settings().await?;
            for command in commands {
                if current.default_commands.contains(command) {
                    return Err(Failure::Api(invalid(format!("{command} is built in: it cannot be removed"))));
                }
                if !current.extra_commands.contains(command) {
                    return Err(Failure::Api(ApiError::new(
                        ErrorCode::NotFound,
                        format!("{command} is not among the commands you added"),
                    )));
                }
            }
            let kept = current.extra_commands.into_iter().filter(|c| !commands.contains(c)).collect();
            atrium.local_settings_set_commands(kept).await?
        }
        AllowlistCommand::Set { commands } => atrium.local_settings_set_commands(commands.clone()).await?,
    };
    if out.json() {
        print_json(&settings);
    } else {
        say!("built in  {}", settings.default_commands.join(", "));
        let added =
            if settings.extra_commands.is_empty() { "(none)".to_owned() } else { settings.extra_commands.join(", ") };
        say!("added     {added}");
    }
    Ok(())
}

pub async fn import(
    atrium: &Atrium,
    out: &Printer,
    path: &std::path::Path,
    workspace: &str,
    dry_run: bool,
) -> Result<(), Failure> {
    let workspace = resolve_workspace(atrium, workspace).await?;
    let source = || ImportSource { path: Some(path.display().to_string()), text: None };
    let preview = atrium.import_preview(source()).await?;
    if dry_run {
        if out.json() {
            print_json(&preview);
        } else {
            say!("{} ({} servers)", preview.format_label, preview.servers.len());
            for s in &preview.servers {
                let problem = s.problem.as_ref().map(|p| format!("  SKIPPED: {p}")).unwrap_or_default();
                say!("  {} [{}] {}{problem}", s.name, s.transport, s.target);
                if let Some(refusal) = &s.refusal {
                    say!("    WILL NOT START: {refusal}");
                }
                for secret in &s.secrets {
                    say!("    {} -> keychain {}", secret.source, secret.secret_id);
                }
                for warning in &s.warnings {
                    say!("    note: {warning}");
                }
            }
        }
        return Ok(());
    }
    let report = atrium
        .import_apply(ImportRequest {
            workspace_id: workspace.id,
            source: source(),
            names: None,
            input_values: Default::default(),
        })
        .await?;
    if out.json() {
        print_json(&report);
    } else {
        for view in &report.created {
            say!("created {} ({})", view.title, view.target);
            let planned = preview.servers.iter().find(|s| s.name == view.title);
            if let Some(refusal) = planned.and_then(|s| s.refusal.as_ref()) {
                eprintln!("  it will not start: {refusal}");
            }
        }
        for id in &report.secrets_stored {
            say!("secret {id} stored in the keychain");
        }
        for id in &report.secrets_missing {
            say!("secret {id} has no value yet: atrium secret set {id} < value-file");
        }
        for skipped in &report.skipped {
            say!("skipped {skipped}");
        }
    }
    Ok(())
}
