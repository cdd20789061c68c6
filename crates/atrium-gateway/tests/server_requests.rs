//! A server's own requests through `/mcp/servers/<slug>`: the conformance fixture (a real MCP server over
//! streamable HTTP) elicits while a tool call runs, and the official TypeScript SDK client that made the call
//! answers it through Atrium. Two clients at once each get their own form and their own answer back; a client
//! that did not declare elicitation gets the server refused at once instead of a call that hangs; the server's
//! log lines during a call reach the client that made it; the same through `/mcp`, where the server's tools are
//! namespaced among the agent's.

use std::process::Stdio;
use std::time::{Duration, Instant};

use atrium_api::{AgentScope, Atrium, AtriumPaths, NewAgent, NewServer, NewWorkspace, OpenOptions, ServerStatus};
use atrium_gateway::{Gateway, GatewayOptions};
use serde_json::{Value, json};

mod support;
use support::{node, peer, repo};

/// Kills the fixture server when the test ends, however it ends.
struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_ready(atrium: &Atrium, id: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state = atrium.server_state(id.to_owned()).await.expect("state");
        match state.status {
            ServerStatus::Ready => return,
            ServerStatus::Failed { .. } => panic!("server failed: {:?}", state.status),
            _ if Instant::now() > deadline => panic!("server not ready in 30 s: {:?}", state.status),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn elicit_client(url: &str, token: &str, name: &str, declare: bool) -> Value {
    elicit_with(url, token, name, declare, "test_elicitation").await
}

async fn elicit_with(url: &str, token: &str, name: &str, declare: bool, tool: &str) -> Value {
    let declare = if declare { "yes" } else { "no" };
    let run = tokio::process::Command::new(node())
        .args([peer("elicit_client.mjs"), url.into(), token.into(), name.into(), declare.into(), tool.into()])
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), run).await.expect("the client hung").expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
        panic!("the client printed no JSON: {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_elicitation_reaches_the_calling_client_and_its_answer_the_server() {
    let home = tempfile::tempdir().expect("temp dir");
    let paths = AtriumPaths::at(home.path());
    let options = OpenOptions { connect_servers: true, ..OpenOptions::default() };
    let atrium = Atrium::open_with(paths.clone(), options).await.expect("open");
    let workspace =
        atrium.workspace_create(NewWorkspace { title: "Forms".into(), description: None }).await.expect("workspace").id;
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let _fixture = Child(
        std::process::Command::new(node())
            .current_dir(repo().join("tests/peers"))
            .args([peer("conformance_server.mjs"), port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the conformance fixture"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the fixture did not listen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let registration = atrium_api::parse_registration(
        &json!({"transport": {"type": "http", "url": format!("http://127.0.0.1:{port}/mcp")}}),
    )
    .expect("registration");
    let server = atrium
        .server_create(NewServer { workspace_id: workspace, title: "Form Fixture".into(), registration })
        .await
        .expect("register");
    wait_ready(&atrium, &server.id).await;
    let gateway = Gateway::start(atrium.clone(), &paths, GatewayOptions { port: 0, ..GatewayOptions::default() })
        .await
        .expect("gateway");
    let agent = |name: &str| NewAgent {
        name: name.into(),
        workspaces: vec![],
        scopes: vec![AgentScope::Read, AgentScope::Write],
        servers: vec![],
    };
    let claude = atrium.agent_create(agent("Claude")).await.expect("agent");
    let cursor = atrium.agent_create(agent("Cursor")).await.expect("agent");
    let url = format!("{}/servers/form-fixture", gateway.url());

    // Two agents at once: each is asked its own question and its own answer reaches the server.
    let (ada, bob) =
        tokio::join!(elicit_client(&url, &claude.token, "ada", true), elicit_client(&url, &cursor.token, "bob", true));
    for (out, name) in [(&ada, "ada"), (&bob, "bob")] {
        assert_eq!(out["asked"].as_array().map(Vec::len), Some(1), "{name}: {out}");
        assert_eq!(out["asked"][0]["message"], format!("Who are you, {name}?"), "{out}");
        assert_eq!(out["asked"][0]["requestedSchema"]["required"], json!(["response"]), "{out}");
        assert_eq!(
            out["elicited"],
            format!("User response: action=accept, content={{\"response\":\"{name}\"}}"),
            "{name}: {out}"
        );
        // The server's log lines during the call reach the client that made it, in order.
        assert_eq!(
            out["logs"],
            json!(["Tool execution started", "Tool processing data", "Tool execution completed"]),
            "{out}"
        );
        assert_eq!(out["logged"], "Tool with logging executed successfully");
    }

    // A client that did not declare elicitation: the server is refused at once, the call ends with the reason.
    let started = Instant::now();
    let plain = elicit_client(&url, &claude.token, "eve", false).await;
    assert!(plain["asked"].as_array().is_some_and(Vec::is_empty), "{plain}");
    let refused = plain["refused"].as_str().unwrap_or_default();
    assert!(refused.contains("did not declare the elicitation capability"), "{plain}");
    assert!(started.elapsed() < Duration::from_secs(20), "the refusal took {:?}", started.elapsed());

    // The same through /mcp, the server's tools namespaced among the agent's.
    let aggregated = elicit_with(&gateway.url(), &cursor.token, "cy", true, "form-fixture__test_elicitation").await;
    assert_eq!(aggregated["asked"][0]["message"], "Who are you, cy?", "{aggregated}");
    assert_eq!(aggregated["elicited"], "User response: action=accept, content={\"response\":\"cy\"}", "{aggregated}");
    assert_eq!(aggregated["logs"].as_array().map(Vec::len), Some(3), "{aggregated}");
    gateway.stop().await;
}

/// The same over a stdio server: server-everything's `trigger-elicitation-request` asks its form while the agent's
/// call is the only one forwarded to it, so the form is that agent's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stdio_servers_elicitation_reaches_the_calling_client() {
    let home = tempfile::tempdir().expect("temp dir");
    let paths = AtriumPaths::at(home.path());
    let options = OpenOptions { connect_servers: true, ..OpenOptions::default() };
    let atrium = Atrium::open_with(paths.clone(), options).await.expect("open");
    atrium.local_settings_set_commands(vec![node()]).await.expect("allow node");
    let workspace =
        atrium.workspace_create(NewWorkspace { title: "Forms".into(), description: None }).await.expect("workspace").id;
    let everything = peer("node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    let registration = atrium_api::parse_registration(
        &json!({"transport": {"type": "stdio", "command": node(), "args": [everything, "stdio"]}}),
    )
    .expect("registration");
    let server = atrium
        .server_create(NewServer { workspace_id: workspace, title: "Everything".into(), registration })
        .await
        .expect("register");
    wait_ready(&atrium, &server.id).await;
    let gateway = Gateway::start(atrium.clone(), &paths, GatewayOptions { port: 0, ..GatewayOptions::default() })
        .await
        .expect("gateway");
    let agent = NewAgent {
        name: "Claude".into(),
        workspaces: vec![],
        scopes: vec![AgentScope::Read, AgentScope::Write],
        servers: vec![],
    };
    let claude = atrium.agent_create(agent).await.expect("agent");
    let url = format!("{}/servers/everything", gateway.url());
    let out = elicit_with(&url, &claude.token, "ada", true, "trigger-elicitation-request").await;
    assert_eq!(out["asked"].as_array().map(Vec::len), Some(1), "{out}");
    assert_eq!(out["asked"][0]["requestedSchema"]["required"], json!(["name"]), "{out}");
    assert!(out["elicited"].as_str().is_some_and(|t| t.contains("- Name: ada")), "{out}");
    gateway.stop().await;
}
