use std::io::Read;

use atrium_api::{
    ApiResult, ArtifactDraft, ArtifactPatch, Atrium, AtriumPaths, ErrorCode, NewArtifact, NewWorkspace, OpenOptions,
    SearchQuery,
};

use atrium_api::control::ControlOp;

use crate::args::{ArtifactCommand, Cli, Command, ContentSource, ContextSource, WorkspaceCommand};
use crate::artifact_pages::{self, ListRequest};
use crate::failure::{Failure, invalid};
use crate::output::Printer;
use crate::pick::resolve_workspace;
use crate::prompt::confirm;
use crate::server_args::ServerCommand;

fn read_content(source: &ContentSource) -> ApiResult<Option<String>> {
    if let Some(content) = &source.content {
        return Ok(Some(content.clone()));
    }
    if let Some(path) = &source.file {
        return std::fs::read_to_string(path)
            .map(Some)
            .map_err(|err| invalid(format!("cannot read {}: {err}", path.display())));
    }
    if source.stdin {
        let mut content = String::new();
        std::io::stdin().read_to_string(&mut content).map_err(|err| invalid(format!("cannot read stdin: {err}")))?;
        return Ok(Some(content));
    }
    Ok(None)
}

/// `--context` or `--context-file`, when given: a JSON object (the store names the field when it is not one).
fn read_context(source: &ContextSource) -> ApiResult<Option<serde_json::Value>> {
    let (text, what) = match (&source.context, &source.context_file) {
        (Some(text), _) => (text.clone(), "--context".to_owned()),
        (None, Some(path)) => (
            std::fs::read_to_string(path).map_err(|err| invalid(format!("cannot read {}: {err}", path.display())))?,
            path.display().to_string(),
        ),
        (None, None) => return Ok(None),
    };
    serde_json::from_str(&text).map(Some).map_err(|err| invalid(format!("{what} is not JSON: {err}")))
}

pub fn elicitation_policy(cli: &Cli) -> atrium_api::ElicitationPolicy {
    match &cli.command {
        Command::Server(ServerCommand::Call { accept_defaults: true, .. }) => {
            atrium_api::ElicitationPolicy::AcceptDefaults
        }
        _ => atrium_api::ElicitationPolicy::Decline,
    }
}

pub async fn run(paths: AtriumPaths, cli: &Cli) -> Result<(), Failure> {
    if let Command::ConformanceClient { url } = &cli.command {
        return crate::conformance::run(paths, url).await;
    }
    let options = OpenOptions {
        elicitation: elicitation_policy(cli),
        watchdog: true,
        browser: Some(std::sync::Arc::new(crate::browser::TerminalBrowser)),
        ..OpenOptions::default()
    };
    let atrium = Atrium::open_with(paths.clone(), options).await?;
    let out = Printer::new(cli.json);
    let result = dispatch(&atrium, &paths, &out, &cli.command).await;
    atrium.close().await;
    result
}

async fn dispatch(atrium: &Atrium, paths: &AtriumPaths, out: &Printer, command: &Command) -> Result<(), Failure> {
    match command {
        Command::Info => out.info(&atrium.app_info().await?),
        Command::Search { text, workspace, limit } => {
            let workspace_id = match workspace {
                Some(reference) => Some(resolve_workspace(atrium, reference).await?.id),
                None => None,
            };
            let query = SearchQuery { text: text.join(" "), workspace_id, limit: Some(*limit) };
            out.hits(&atrium.search(query).await?)
        }
        Command::Workspace(command) => workspace(atrium, out, command).await?,
        Command::Artifact(command) => artifact(atrium, out, command).await?,
        Command::Server(ServerCommand::Start { servers, all }) => {
            crate::local::start(atrium, out, servers, *all).await?
        }
        Command::Server(ServerCommand::Stop { server }) => {
            crate::local::control(atrium, paths, out, ControlOp::Stop, server).await?
        }
        Command::Server(ServerCommand::Restart { server }) => {
            crate::local::control(atrium, paths, out, ControlOp::Restart, server).await?
        }
        Command::Server(ServerCommand::Approve { server, fingerprint, yes }) => {
            crate::local::approve(atrium, paths, out, server, fingerprint.as_deref(), *yes).await?
        }
        Command::Server(ServerCommand::Logs { server, lines, follow }) => {
            crate::local::logs(atrium, paths, server, *lines, *follow).await?
        }
        Command::Server(command) => crate::servers::server(atrium, out, command).await?,
        Command::Secret(command) => crate::local::secret(atrium, out, command).await?,
        Command::Import { path, workspace, dry_run } => {
            crate::local::import(atrium, out, path, workspace, *dry_run).await?
        }
        Command::Audit(args) => crate::servers::audit(atrium, out, args).await?,
        Command::Authorizer(command) => crate::authorizers::authorizer(atrium, out, command).await?,
        Command::Allowlist(command) => crate::local::allowlist(atrium, out, command).await?,
        Command::Viewer(command) => crate::viewers::viewer(atrium, out, command).await?,
        Command::ContentTypes => crate::viewers::content_types(atrium, out).await?,
        Command::ConformanceClient { .. } => {}
        Command::Platform(command) => crate::platform::platform(atrium, out, command).await?,
        Command::Sync { workspace, watch } => crate::platform::sync(atrium, out, workspace, *watch).await?,
        Command::Relay => crate::platform::relay(atrium).await?,
        Command::Share(command) => crate::share::share(atrium, out, command).await?,
        Command::Agent(command) => crate::agents::agent(atrium, out, command).await?,
        Command::Gateway { port, save } => crate::gateway::gateway(atrium, paths, out, *port, *save).await?,
        Command::Mcp { agent } => crate::gateway::mcp(atrium, paths, agent.as_deref()).await?,
    }
    Ok(())
}

async fn workspace(atrium: &Atrium, out: &Printer, command: &WorkspaceCommand) -> Result<(), Failure> {
    match command {
        WorkspaceCommand::List => out.workspaces(&atrium.workspace_list().await?),
        WorkspaceCommand::Create { title, description } => {
            let input = NewWorkspace { title: title.clone(), description: description.clone() };
            out.workspace(&atrium.workspace_create(input).await?)
        }
        WorkspaceCommand::Rename { workspace, title } => {
            let ws = resolve_workspace(atrium, workspace).await?;
            out.workspace(&atrium.workspace_rename(ws.id, title.clone()).await?)
        }
        WorkspaceCommand::Describe { workspace, description } => {
            let ws = resolve_workspace(atrium, workspace).await?;
            out.workspace(&atrium.workspace_describe(ws.id, description.clone()).await?)
        }
        WorkspaceCommand::Delete { workspace, yes } => {
            let ws = resolve_workspace(atrium, workspace).await?;
            confirm(&format!("Delete workspace \"{}\" and its {} artifacts?", ws.title, ws.artifact_count), *yes)?;
            atrium.workspace_delete(ws.id.clone()).await?;
            out.deleted("workspace", &ws.id);
        }
    }
    Ok(())
}

async fn artifact(atrium: &Atrium, out: &Printer, command: &ArtifactCommand) -> Result<(), Failure> {
    match command {
        ArtifactCommand::List { workspace, sort, filter, content_type, offset, limit } => {
            let ws = resolve_workspace(atrium, workspace).await?;
            let (filter, content_type) = (filter.clone(), content_type.clone());
            let request = ListRequest { sort: *sort, filter, content_type, offset: *offset, limit: *limit };
            artifact_pages::list(atrium, out, ws, request).await?;
        }
        ArtifactCommand::Import { workspace, file } => {
            let ws = resolve_workspace(atrium, workspace).await?;
            artifact_pages::import(atrium, out, &ws, file).await?;
        }
        ArtifactCommand::Show { id, version: Some(version), .. } => {
            out.revision(&atrium.artifact_revision(id.clone(), *version).await?)
        }
        ArtifactCommand::Show { id, version: None, content_only } => {
            let artifact = atrium.artifact_get(id.clone()).await?;
            if *content_only { out.raw(&artifact.content) } else { out.artifact(&artifact) }
        }
        ArtifactCommand::Create { workspace, title, content_type, source, context, state } => {
            let ws = resolve_workspace(atrium, workspace).await?;
            let input = NewArtifact {
                workspace_id: ws.id,
                title: title.clone(),
                content_type: content_type.clone(),
                content: read_content(source)?,
                context: read_context(context)?,
                state: state.map(Into::into),
            };
            out.artifact(&atrium.artifact_create(input).await?)
        }
        ArtifactCommand::Edit { id, title, content_type, source, context, state, expect_version } => {
            let patch = ArtifactPatch {
                expected_version: *expect_version,
                title: title.clone(),
                content_type: content_type.clone(),
                content: read_content(source)?,
                context: read_context(context)?,
                state: state.map(Into::into),
            };
            if patch.is_empty() {
                return Err(invalid(
                    "nothing to change: give --title, --type, --content/--file/--stdin, --context/--context-file or \
                     --state",
                )
                .into());
            }
            out.artifact(&atrium.artifact_update(id.clone(), patch).await?)
        }
        ArtifactCommand::Validate { title, content_type, source } => {
            let draft = ArtifactDraft {
                title: title.clone(),
                content_type: content_type.clone(),
                content: read_content(source)?.unwrap_or_default(),
            };
            let problems = atrium.artifact_validate(draft).await?;
            if out.json() {
                crate::output::print_json(&problems);
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
        ArtifactCommand::Duplicate { id } => out.artifact(&atrium.artifact_duplicate(id.clone()).await?),
        ArtifactCommand::Delete { id, yes } => {
            let artifact = atrium.artifact_get(id.clone()).await?;
            confirm(&format!("Delete \"{}\" and its {} versions?", artifact.title, artifact.version), *yes)?;
            atrium.artifact_delete(id.clone()).await?;
            out.deleted("artifact", id);
        }
        ArtifactCommand::History { id } => out.history(&atrium.artifact_history(id.clone()).await?),
        ArtifactCommand::Restore { id, version } => out.artifact(&atrium.artifact_restore(id.clone(), *version).await?),
    }
    Ok(())
}
