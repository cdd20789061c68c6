//! Isolation under load (issue 19): 50 agents × 20 concurrent calls over three servers through `/mcp`, each agent
//! given one of the servers. Every answer is the caller's own (no cross-talk), no agent reaches a server it was
//! not given, every call is audited exactly once under its agent, and a removed agent's token is refused on its
//! very next request.

use std::time::{Duration, Instant};

use atrium_api::{AgentScope, AgentServer, Atrium, AtriumPaths, AuditFilter, AuditOrigin, AuditStatus, NewAgent};
use atrium_api::{NewServer, NewWorkspace, OpenOptions, ServerStatus, parse_registration};
use atrium_gateway::{Gateway, GatewayOptions};
use atrium_testkit::HttpEcho;
use serde_json::{Value, json};

mod support;
use support::{Session, post};

const AGENTS: usize = 50;
const CALLS: usize = 20;

async fn ready(atrium: &Atrium, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !matches!(atrium.server_state(id.to_owned()).await.expect("state").status, ServerStatus::Ready) {
        assert!(Instant::now() < deadline, "server not ready in 30 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_agents_calling_at_once_get_their_own_answers_each_audited_once() {
    let home = tempfile::tempdir().expect("temp dir");
    let paths = AtriumPaths::at(home.path());
    let options = OpenOptions { connect_servers: true, ..OpenOptions::default() };
    let atrium = Atrium::open_with(paths.clone(), options).await.expect("open");
    let workspace =
        atrium.workspace_create(NewWorkspace { title: "Load".into(), description: None }).await.expect("ws").id;
    let gateway = Gateway::start(atrium.clone(), &paths, GatewayOptions { port: 0, ..GatewayOptions::default() })
        .await
        .expect("gateway");
    let url = gateway.url();

    let mut echoes = Vec::new();
    let mut servers = Vec::new();
    for name in ["alpha", "beta", "gamma"] {
        let echo = HttpEcho::start(name, 1).await.expect("echo");
        let registration = parse_registration(&json!({"transport": {"type": "http", "url": echo.url}})).expect("reg");
        let input = NewServer { workspace_id: workspace.clone(), title: name.into(), registration };
        let id = atrium.server_create(input).await.expect("server").id;
        ready(&atrium, &id).await;
        servers.push((name, id));
        echoes.push(echo);
    }
    let mut agents = Vec::new();
    for i in 0..AGENTS {
        let (slug, server_id) = &servers[i % servers.len()];
        let input = NewAgent {
            name: format!("agent-{i}"),
            workspaces: vec![],
            scopes: vec![AgentScope::Read],
            servers: vec![AgentServer { server_id: server_id.clone(), tools: None }],
        };
        let token = atrium.agent_create(input).await.expect("agent");
        agents.push((token, *slug, servers[(i + 1) % servers.len()].0));
    }

    let tasks: Vec<_> = agents
        .iter()
        .enumerate()
        .map(|(i, (token, slug, other))| {
            let (url, token, slug, other) = (url.clone(), token.token.clone(), *slug, *other);
            tokio::spawn(async move {
                let session = Session::open(&url, &token).await;
                let calls = (0..CALLS).map(|j| {
                    let session = &session;
                    async move {
                        let own = format!("agent {i} call {j}");
                        let answer =
                            session.call_with_id(j as u64, &format!("{slug}__echo"), json!({"message": own})).await;
                        assert_eq!(answer["id"], j, "{answer}");
                        assert_eq!(answer["result"]["structuredContent"]["message"], own.as_str(), "{answer}");
                    }
                });
                futures::future::join_all(calls).await;
                // A server this agent was not given is not there for it.
                let refused = session.call_with_id(99, &format!("{other}__echo"), json!({"message": "not mine"})).await;
                assert!(refused["error"]["message"].as_str().is_some_and(|m| m.contains("Unknown tool")), "{refused}");
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("agent's calls");
    }

    // Every call audited once, under its agent (the audit is written in batches: wait for the last).
    let deadline = Instant::now() + Duration::from_secs(10);
    for (token, slug, _) in &agents {
        loop {
            let filter = AuditFilter { agent_id: Some(token.id.clone()), limit: Some(1000), ..AuditFilter::default() };
            let rows = atrium.audit_list(filter).await.expect("audit");
            let ok = rows.iter().filter(|r| r.tool == "echo" && r.status == AuditStatus::Ok).count();
            if ok == CALLS || Instant::now() > deadline {
                assert_eq!(ok, CALLS, "{}'s calls audited", token.name);
                assert!(
                    rows.iter()
                        .all(|r| r.origin == AuditOrigin::Gateway
                            && r.agent_name.as_deref() == Some(token.name.as_str()))
                );
                assert!(rows.iter().filter(|r| r.tool == "echo").all(|r| r.server_title == *slug), "{}", token.name);
                let mut messages: Vec<String> = rows
                    .iter()
                    .filter(|r| r.tool == "echo")
                    .filter_map(|r| serde_json::from_str::<Value>(&r.arguments).ok())
                    .filter_map(|a| a["message"].as_str().map(str::to_owned))
                    .collect();
                messages.sort();
                messages.dedup();
                assert_eq!(messages.len(), CALLS, "each call once, with its own arguments");
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    // A removed agent is refused on its next request.
    let (gone, _, _) = &agents[7];
    atrium.agent_remove(gone.id.clone()).await.expect("remove");
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
        "capabilities": {}, "clientInfo": {"name": "load", "version": "1"}}});
    assert_eq!(post(&url, &gone.token, None, &init).await.status(), 401);
    drop(echoes);
}
