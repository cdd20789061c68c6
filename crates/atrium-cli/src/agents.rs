//! `atrium agent add|list|show|remove|rotate|connect|disconnect`: the agents that reach Atrium's gateway, and the
//! apps' configurations that launch them. A token is printed once, when
//! an agent is made or its token rotated; Atrium keeps only its hash. Agents made by approving an OAuth client in
//! the window are listed beside them (`OAuth · <client>`); rotating one signs it out.

use atrium_api::{AgentScope, AgentServer, AgentToken, AgentView, Atrium, NewAgent};

use crate::agent_args::AgentCommand;
use crate::failure::{Failure, invalid};
use crate::output::{Printer, print_json};
use crate::pick::{resolve_server, resolve_workspace};
use crate::prompt::confirm;

pub(crate) async fn agent(atrium: &Atrium, out: &Printer, command: &AgentCommand) -> Result<(), Failure> {
    match command {
        AgentCommand::Add { name, workspaces, servers, scopes } => {
            let mut input = NewAgent { name: name.clone(), ..NewAgent::default() };
            for reference in workspaces {
                input.workspaces.push(resolve_workspace(atrium, reference).await?.id);
            }
            for given in servers {
                // `Everything=echo,add`: the server, then the only tools the agent may call there.
                let (reference, tools) = match given.split_once('=') {
                    Some((server, tools)) => {
                        let tools: Vec<String> =
                            tools.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
                        (server, Some(tools))
                    }
                    None => (given.as_str(), None),
                };
                let server_id = resolve_server(atrium, reference).await?.id;
                input.servers.push(AgentServer { server_id, tools });
            }
            for scope in scopes {
                let parsed = AgentScope::parse(scope.trim())
                    .ok_or_else(|| invalid(format!("no scope \"{scope}\": use read, write, share or admin")))?;
                input.scopes.push(parsed);
            }
            let made = atrium.agent_create(input).await?;
            token(out, &made, "made");
        }
        AgentCommand::List => {
            let agents = atrium.agent_list().await?;
            if out.json() {
                print_json(&agents);
            } else if agents.is_empty() {
                say!("no agents: `atrium agent add NAME` makes one");
            } else {
                for agent in agents {
                    let used = agent.last_used_time.as_deref().unwrap_or("never used");
                    let kind = agent.oauth.as_ref().map(|o| format!("  OAuth · {}", o.client_name)).unwrap_or_default();
                    say!("{}  {}  [{}]{kind}  {used}", agent.id, agent.name, scopes(&agent));
                }
            }
        }
        AgentCommand::Show { agent } => {
            let agent = atrium.agent_get(agent.clone()).await?;
            let servers = atrium.agent_servers(&agent).await?;
            if out.json() {
                print_json(&serde_json::json!({"agent": agent, "servers": servers}));
            } else {
                say!("{}  {}", agent.id, agent.name);
                say!("scopes      {}", scopes(&agent));
                if agent.workspaces.is_empty() {
                    say!("workspaces  all");
                } else {
                    say!("workspaces  {}", agent.workspaces.join(", "));
                }
                if let Some(oauth) = &agent.oauth {
                    say!("signs in    with OAuth, as {} (client {})", oauth.client_name, oauth.client_id);
                }
                say!("made        {} (token {})", agent.created_time, agent.rotated_time);
                say!("last used   {}", agent.last_used_time.as_deref().unwrap_or("never"));
                if servers.is_empty() {
                    say!("servers     none");
                }
                for server in servers {
                    let tools = server.tools.map(|t| t.join(", ")).unwrap_or_else(|| "all tools".into());
                    say!("server      {}__…  {} ({})  {tools}", server.slug, server.title, server.server_id);
                }
            }
        }
        AgentCommand::Connect { agent, client, config, dry_run } => {
            let client = atrium_api::ClientApp::from(*client);
            if *dry_run {
                let plan = atrium.client_connection(agent.clone(), client, config.clone()).await?;
                if out.json() {
                    print_json(&plan);
                } else {
                    if plan.foreign_entry {
                        say!("{} has a server named “atrium” that is not Atrium's: it would be refused", plan.path);
                    }
                    say!(
                        "would write into {} ({}):",
                        plan.path,
                        if plan.exists { "it is there" } else { "a new file" }
                    );
                    say!("{}", plan.entry);
                }
                return Ok(());
            }
            let done = atrium.client_connect(agent.clone(), client, config.clone()).await?;
            if out.json() {
                print_json(&done);
            } else {
                let what = match done.change {
                    atrium_api::EntryChange::Added => "added to",
                    atrium_api::EntryChange::Replaced => "updated in",
                    atrium_api::EntryChange::Unchanged => "already in",
                };
                say!("Atrium {what} {} for {}; restart {} to use it", done.path, agent, client.label());
                if let Some(backup) = done.backup {
                    say!("the file as it was: {backup}");
                }
            }
        }
        AgentCommand::Disconnect { client, config } => {
            let client = atrium_api::ClientApp::from(*client);
            let done = atrium.client_disconnect(client, config.clone()).await?;
            if out.json() {
                print_json(&done);
            } else if !done.removed {
                say!("{} has no Atrium entry: nothing changed", done.path);
            } else if done.restored {
                say!("{} is back as it was before Atrium wrote it", done.path);
            } else {
                say!("Atrium's entry removed from {} (the rest left as it is)", done.path);
            }
        }
        AgentCommand::Remove { agent, yes } => {
            let found = atrium.agent_get(agent.clone()).await?;
            confirm(&format!("Remove the agent {}? Its token stops working at once.", found.name), *yes)?;
            atrium.agent_remove(found.id.clone()).await?;
            if out.json() {
                print_json(&serde_json::json!({"removed": found.id}));
            } else {
                say!("removed {}", found.name);
            }
        }
        AgentCommand::Rotate { agent } => {
            let rotated = atrium.agent_rotate(agent.clone()).await?;
            token(out, &rotated, "has a new token");
        }
    }
    Ok(())
}

fn scopes(agent: &AgentView) -> String {
    agent.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// The token, the one time it is shown.
fn token(out: &Printer, token: &AgentToken, what: &str) {
    if out.json() {
        print_json(token);
    } else {
        say!("{} {what} ({}). Its token, shown this once:", token.name, token.id);
        say!("{}", token.token);
    }
}
