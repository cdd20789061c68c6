//! `atrium platform …`, `atrium sync` and `atrium relay`: the Agience platform without a window.

use std::io::Read;

use atrium_api::{AccountStatus, Atrium, RelayReason, Resolution, SignInRequest};

use crate::failure::{Failure, invalid};
use crate::output::{Printer, print_json};
use crate::pick::{resolve_server, resolve_workspace};
use crate::platform_args::{Keep, PlatformCommand};

fn secret_from_stdin(what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| invalid(format!("cannot read the {what} from stdin: {e}")))?;
    let text = text.trim_end_matches(['\n', '\r']).to_owned();
    if text.is_empty() {
        return Err(Failure::Api(invalid(format!("no {what} on stdin"))));
    }
    Ok(text)
}

pub async fn platform(atrium: &Atrium, out: &Printer, command: &PlatformCommand) -> Result<(), Failure> {
    match command {
        PlatformCommand::SignIn { address, user, api_key_stdin, provider } => {
            let request = match (user, api_key_stdin) {
                (Some(user), _) => {
                    SignInRequest::Password { identifier: user.clone(), password: secret_from_stdin("password")? }
                }
                (None, true) => SignInRequest::ApiKey { key: secret_from_stdin("API key")? },
                (None, false) => SignInRequest::Browser { provider: provider.clone() },
            };
            let info = atrium.platform_sign_in(address.address(), request).await?;
            if out.json() {
                print_json(&info);
            } else {
                say!("signed in to {} as {}", info.urls.origin, info.user.name);
                if info.urls.chorus.is_none() {
                    say!("{}", RelayReason::NoChorus.explain());
                }
            }
        }
        PlatformCommand::Check { address } => {
            let report = atrium.platform_check(address.address()).await?;
            if out.json() {
                print_json(&report);
            } else {
                crate::platform_report::print_report(&report);
            }
            if report.urls().is_err() {
                return Err(Failure::Quiet(atrium_api::ErrorCode::PlatformUnavailable.exit_code()));
            }
        }
        PlatformCommand::SignOut => {
            atrium.platform_sign_out().await?;
            if !out.json() {
                say!("signed out");
            }
        }
        PlatformCommand::Status => {
            let view = atrium.platform_status().await?;
            if out.json() {
                print_json(&view);
            } else {
                match &view.account {
                    AccountStatus::SignedIn { account } => {
                        say!("signed in to {} as {} ({:?})", account.urls.origin, account.user.name, account.method)
                    }
                    AccountStatus::SignedOut { reason, .. } => {
                        say!("signed out{}", reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default())
                    }
                }
                for ws in &view.workspaces {
                    say!(
                        "{}  {:?}  pending {}  conflicts {}{}",
                        ws.workspace_id,
                        ws.state,
                        ws.pending,
                        ws.conflicts,
                        ws.message.as_ref().map(|m| format!("  ({m})")).unwrap_or_default()
                    );
                }
                crate::platform_report::print_relay(&view.relay);
            }
        }
        PlatformCommand::Workspaces => {
            let list = atrium.platform_workspaces().await?;
            if out.json() {
                print_json(&list);
            } else {
                for w in list {
                    let linked = w.linked_workspace_id.map(|id| format!("  linked to {id}")).unwrap_or_default();
                    say!("{}  {}{linked}", w.remote.id, w.remote.name);
                }
            }
        }
        PlatformCommand::Publish { workspace } => {
            let ws = resolve_workspace(atrium, workspace).await?;
            let link = atrium.workspace_publish(ws.id).await?;
            if out.json() { print_json(&link) } else { say!("published as {}", link.remote_id) }
        }
        PlatformCommand::Link { remote_id } => {
            let ws = atrium.workspace_link_remote(remote_id.clone()).await?;
            out.workspace(&ws);
        }
        PlatformCommand::Unlink { workspace } => {
            let ws = resolve_workspace(atrium, workspace).await?;
            atrium.workspace_unlink(ws.id).await?;
        }
        PlatformCommand::Conflicts => {
            let conflicts = atrium.sync_conflicts(None).await?;
            if out.json() {
                print_json(&conflicts);
            } else {
                for c in conflicts {
                    say!("{}  {:?}  {}", c.artifact_id, c.kind, c.detected_time);
                }
            }
        }
        PlatformCommand::Resolve { artifact_id, keep } => {
            let resolution = match keep {
                Keep::Local => Resolution::KeepLocal,
                Keep::Remote => Resolution::KeepRemote,
                Keep::Both => Resolution::KeepBoth,
            };
            atrium.sync_resolve(artifact_id.clone(), resolution).await?;
        }
        PlatformCommand::PublishServer { server } => {
            let server_id = resolve_server(atrium, server).await?.id;
            let view = atrium.server_publish(server_id).await?;
            if out.json() {
                print_json(&view);
            } else {
                say!("{} is published: the platform can call it through the relay once sync has run", view.title);
            }
        }
        PlatformCommand::Roots { folders } => {
            let roots = atrium.relay_set_roots(folders.clone()).await?;
            if out.json() { print_json(&roots) } else { roots.iter().for_each(|r| say!("{r}")) }
        }
    }
    Ok(())
}

/// `atrium sync`: one sync of every linked workspace (or one), or (`--watch`) the live loop until Ctrl-C.
pub async fn sync(atrium: &Atrium, out: &Printer, workspace: &Option<String>, watch: bool) -> Result<(), Failure> {
    if watch {
        let quit = atrium_api::QuitSignals::install();
        atrium.platform_start(false);
        quit.recv().await;
        return Ok(());
    }
    let workspace_id = match workspace {
        Some(reference) => Some(resolve_workspace(atrium, reference).await?.id),
        None => None,
    };
    let statuses = atrium.sync_now(workspace_id).await?;
    if out.json() {
        print_json(&statuses);
    } else {
        for ws in statuses {
            say!("{}  {:?}  pending {}  conflicts {}", ws.workspace_id, ws.state, ws.pending, ws.conflicts);
        }
    }
    Ok(())
}

/// `atrium relay`: sync and the Desktop Host Relay, headless, with the same store and keychain, until Ctrl-C.
/// Every change of the relay's state is printed, with why it is not connected and what to do.
pub async fn relay(atrium: &Atrium) -> Result<(), Failure> {
    let quit = atrium_api::QuitSignals::install();
    let mut status = atrium.platform_relay().watch();
    atrium.platform_start(true);
    eprintln!("relay starting; Ctrl-C stops it");
    let mut last = None;
    let quit = quit.recv();
    tokio::pin!(quit);
    loop {
        let now = status.borrow_and_update().clone();
        // The retry countdown and request counters change often; the state and the reason are what to tell.
        let shown = (now.state, now.reason.clone());
        if last.as_ref() != Some(&shown) {
            crate::platform_report::print_relay_to_stderr(&now);
            last = Some(shown);
        }
        tokio::select! {
            _ = &mut quit => return Ok(()),
            changed = status.changed() => if changed.is_err() { return Ok(()) },
        }
    }
}
