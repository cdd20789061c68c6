//! `atrium viewer …` and `atrium content-types`: which MCP App viewer opens each content type, and the types
//! Atrium knows. Servers contribute both only while connected, so these connect the enabled servers first, as the
//! app does when it starts.

use atrium_api::{Atrium, ViewerChoice, ViewerChoices};

use crate::args::ViewerCommand;
use crate::failure::{Failure, invalid};
use crate::output::{Printer, print_json};
use crate::pick::resolve_server;
use crate::servers::connect_enabled;

fn is_built_in(viewer: &str) -> bool {
    matches!(viewer.to_ascii_lowercase().as_str(), "built-in" | "builtin" | "built_in")
}

fn choice_name(choice: &ViewerChoice) -> &str {
    match choice {
        ViewerChoice::BuiltIn => "built-in",
        ViewerChoice::Server { server_id } => server_id,
    }
}

pub async fn viewer(atrium: &Atrium, out: &Printer, command: &ViewerCommand) -> Result<(), Failure> {
    let choices = match command {
        ViewerCommand::List { content_type } => {
            connect_enabled(atrium).await?;
            atrium.viewer_choices(content_type.clone()).await?
        }
        ViewerCommand::Choose { content_type, viewer } => {
            let server = if is_built_in(viewer) { None } else { Some(resolve_server(atrium, viewer).await?) };
            connect_enabled(atrium).await?;
            let choice = match server {
                None => ViewerChoice::BuiltIn,
                Some(server) => {
                    let choice = ViewerChoice::Server { server_id: server.id };
                    let offered = atrium.viewer_choices(content_type.clone()).await?;
                    if !offered.candidates.iter().any(|c| c.choice == choice) {
                        let names: Vec<&str> = offered.candidates.iter().map(|c| c.label.as_str()).collect();
                        return Err(invalid(format!(
                            "{} has no view for {} (while it is connected); the viewers for it: {}",
                            server.title,
                            offered.content_type,
                            names.join(", ")
                        ))
                        .into());
                    }
                    choice
                }
            };
            atrium.viewer_choose(content_type.clone(), Some(choice)).await?
        }
        ViewerCommand::Reset { content_type } => {
            connect_enabled(atrium).await?;
            atrium.viewer_choose(content_type.clone(), None).await?
        }
    };
    out_choices(out, &choices);
    Ok(())
}

fn out_choices(out: &Printer, choices: &ViewerChoices) {
    if out.json() {
        return print_json(choices);
    }
    say!("{}", choices.content_type);
    let in_use = match &choices.chosen {
        Some(chosen) => choices.candidates.iter().find(|c| &c.choice == chosen),
        None => choices.candidates.first(),
    };
    for candidate in &choices.candidates {
        let mark = if in_use.is_some_and(|c| c.choice == candidate.choice) { "*" } else { " " };
        let uri = candidate.resource_uri.as_deref().unwrap_or("");
        let line = format!("{mark} {:<24}  {:<36}  {uri}", candidate.label, choice_name(&candidate.choice));
        say!("{}", line.trim_end());
    }
    match (&choices.chosen, in_use) {
        (None, _) => say!("(* the default: no choice made)"),
        (Some(chosen), None) => {
            say!("chosen: {} (not available now: the default is used)", choice_name(chosen))
        }
        (Some(_), Some(_)) => say!("(* your choice; `atrium viewer reset` goes back to the default)"),
    }
}

/// `atrium content-types`.
pub async fn content_types(atrium: &Atrium, out: &Printer) -> Result<(), Failure> {
    connect_enabled(atrium).await?;
    let types = atrium.content_types().await?;
    if out.json() {
        print_json(&types);
    } else {
        for t in &types {
            let from = t.server_id.as_deref().map(|id| format!("  (from server {id})")).unwrap_or_default();
            say!("{:<44}  {}{from}", t.mime, t.label);
        }
    }
    Ok(())
}
