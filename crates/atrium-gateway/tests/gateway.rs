//! Atrium's gateway with real clients and real servers: the official TypeScript and Python SDK clients as agents
//! over `/mcp` (workspace tools end to end, server-everything's tools aggregated with progress and cancellation,
//! `tools/list_changed` when a server starts), one server passed through `/mcp/servers/<slug>` compared field by
//! field with the same requests sent to it directly, and the trust boundary: tokens (missing, wrong, rotated,
//! revoked), one agent's token never reaching another's workspaces or servers, DNS rebinding, oversized bodies.

use std::process::Stdio;
use std::time::{Duration, Instant};

use atrium_api::{
    AgentScope, AgentServer, AgentToken, AgentView, Atrium, AuditFilter, AuditOrigin, NewAgent, NewArtifact, NewServer,
    NewWorkspace, OpenOptions, ServerStatus,
};
use atrium_gateway::{Gateway, GatewayOptions};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

mod support;
use support::{Home, everything_js, node, peer, python};

struct Fixture {
    atrium: Atrium,
    gateway: Option<Gateway>,
    url: String,
    workspace: String,
    _home: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let options = OpenOptions { connect_servers: true, ..OpenOptions::default() };
        let gateway = GatewayOptions { body_limit: 64 * 1024, ..GatewayOptions::default() };
        let Home { atrium, gateway, url, workspace, dir } =
            Home::open(options, vec![node(), python()], "Recipes", gateway).await;
        Fixture { atrium, gateway: Some(gateway), url, workspace, _home: dir }
    }

    async fn agent(&self, name: &str, workspaces: Vec<String>, servers: Vec<AgentServer>) -> AgentToken {
        let input =
            NewAgent { name: name.into(), workspaces, scopes: vec![AgentScope::Read, AgentScope::Write], servers };
        self.atrium.agent_create(input).await.expect("agent")
    }

    async fn everything(&self, title: &str, workspace: &str) -> String {
        let registration = atrium_api::parse_registration(
            &json!({"transport": {"type": "stdio", "command": node(), "args": [everything_js(), "stdio"]}}),
        )
        .expect("registration");
        let server = self
            .atrium
            .server_create(NewServer { workspace_id: workspace.into(), title: title.into(), registration })
            .await
            .expect("register");
        self.ready(&server.id).await;
        server.id
    }

    async fn ready(&self, id: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.atrium.server_state(id.to_owned()).await.expect("state");
            match state.status {
                ServerStatus::Ready => return,
                ServerStatus::Failed { .. } => panic!("server failed: {:?}", state.status),
                _ if Instant::now() > deadline => panic!("server not ready in 30 s: {:?}", state.status),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

/// Runs a client script to its end; its JSON output.
async fn client(program: String, args: Vec<String>) -> Value {
    let output = tokio::process::Command::new(program).args(&args).output().await.expect("run the client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|_| {
        panic!("the client printed no JSON: {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr))
    })
}

async fn ts(url: &str, token: &str, scenario: &str, workspace: &str) -> Value {
    client(node(), vec![peer("gateway_client.mjs"), url.into(), token.into(), scenario.into(), workspace.into()]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_typescript_sdk_uses_the_workspace_tools_end_to_end() {
    let fx = Fixture::new().await;
    let agent = fx.agent("Claude", vec![fx.workspace.clone()], vec![]).await;
    let out = ts(&fx.url, &agent.token, "workspace", &fx.workspace).await;
    assert!(out.get("error").is_none(), "{out}");
    assert_eq!(out["protocol"], "2025-11-25");
    let tools: Vec<&str> = out["tools"].as_array().expect("tools").iter().filter_map(Value::as_str).collect();
    for tool in ["whoami", "list_workspaces", "list_artifacts", "search_artifacts", "read_artifact", "list_revisions"]
        .iter()
        .chain(&["publish_artifact", "add_revision", "update_display_metadata", "delete_artifact"])
    {
        assert!(tools.contains(tool), "{tool} missing from {tools:?}");
    }
    assert_eq!(out["whoami"]["agent"]["name"], "Claude");
    assert_eq!(out["workspaces"]["workspaces"][0]["id"], fx.workspace.as_str());
    assert_eq!(out["published"]["version"], 1);
    assert_eq!(out["read"]["content"], "first draft about saffron");
    assert_eq!(out["revised"]["version"], 2);
    // A stale expected_version writes nothing and names the current version.
    assert_eq!(out["stale"]["isError"], true, "{}", out["stale"]);
    assert!(out["stale"]["text"].as_str().is_some_and(|t| t.contains("at version 2")), "{}", out["stale"]);
    assert_eq!(out["old"]["content"], "first draft about saffron");
    assert_eq!(out["old"]["current_version"], 2);
    assert_eq!(out["revisions"]["revisions"].as_array().map(Vec::len), Some(2));
    assert_eq!(out["search"]["hits"][0]["title"], "Agent notes");
    assert_eq!(out["pages"], json!({"first": 2, "second": 2, "next": null, "total": 4, "plain": 3}));
    assert_eq!(out["retitled"]["title"], "Saffron notes");
    // What only the person writes, no agent writes.
    assert_eq!(out["registration"]["isError"], true);
    assert!(out["deleted"]["deleted"].is_string());
    assert_eq!(out["gone"]["isError"], true);

    // Every call is in the audit log, with origin gateway and the agent.
    let rows = fx
        .atrium
        .audit_list(AuditFilter { agent_id: Some(agent.id.clone()), limit: Some(1000), ..AuditFilter::default() })
        .await
        .expect("audit");
    assert!(rows.len() >= 18, "{} rows", rows.len());
    assert!(rows.iter().all(|r| r.origin == AuditOrigin::Gateway && r.agent_name.as_deref() == Some("Claude")));
    let stale = rows.iter().find(|r| r.tool == "add_revision" && r.status == atrium_api::AuditStatus::ToolError);
    assert!(stale.is_some_and(|r| r.workspace_id.as_deref() == Some(fx.workspace.as_str())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_tools_are_aggregated_with_progress_and_cancellation_for_both_sdks() {
    let fx = Fixture::new().await;
    let server = fx.everything("Everything", &fx.workspace).await;
    let agent = fx.agent("Cursor", vec![], vec![]).await;
    let out = ts(&fx.url, &agent.token, "aggregate", &fx.workspace).await;
    assert!(out.get("error").is_none(), "{out}");
    let tools: Vec<&str> = out["tools"].as_array().expect("tools").iter().filter_map(Value::as_str).collect();
    assert!(tools.contains(&"whoami") && tools.contains(&"everything__echo"), "{tools:?}");
    assert_eq!(out["echo"]["content"][0]["text"], "Echo: through Atrium");
    assert!(out["long"]["content"][0]["text"].as_str().is_some_and(|t| t.contains("completed")), "{}", out["long"]);
    let progress = out["progress"].as_array().expect("progress");
    assert!(progress.len() >= 3, "progress reached the client: {progress:?}");
    assert_eq!(progress.last().map(|p| &p["total"]), Some(&json!(4)));
    // The cancelled call ended long before its 20 s.
    assert!(out["cancelled"]["error"].is_string(), "{}", out["cancelled"]);
    assert!(out["cancelled"]["seconds"].as_f64().is_some_and(|s| s < 15.0), "{}", out["cancelled"]);
    assert_eq!(out["unknown"]["code"], -32602);

    let py =
        client(python(), vec![peer("gateway_client.py"), fx.url.clone(), agent.token.clone(), fx.workspace.clone()])
            .await;
    assert!(py.get("error").is_none(), "{py}");
    assert_eq!(py["protocol"], "2025-11-25");
    assert_eq!(py["whoami"]["agent"]["name"], "Cursor");
    assert_eq!(py["read"]["content"], "hello");
    // The same artifact as a resource, with its content type.
    let published = py["published"]["artifact_id"].as_str().expect("id");
    assert_eq!(py["resource"]["contents"][0]["uri"], format!("atrium://artifacts/{published}"));
    assert_eq!(py["resource"]["contents"][0]["text"], "hello");
    assert_eq!(py["resource"]["contents"][0]["mimeType"], "text/markdown", "{}", py["resource"]);
    assert_eq!(py["echo"]["content"][0]["text"], "Echo: python through Atrium");

    // The server's calls are audited once each, with the agent, under the server.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let filter =
        AuditFilter { server_id: Some(server.clone()), agent_id: Some(agent.id.clone()), ..Default::default() };
    let rows = fx.atrium.audit_list(filter).await.expect("audit");
    let echoes = rows.iter().filter(|r| r.tool == "echo").count();
    assert_eq!(echoes, 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.origin == AuditOrigin::Gateway));
    assert!(rows.iter().any(|r| r.tool == "trigger-long-running-operation" && r.status == atrium_api::AuditStatus::Ok));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connected_client_hears_list_changed_when_a_server_starts() {
    let fx = Fixture::new().await;
    let agent = fx.agent("Goose", vec![], vec![]).await;
    let mut child = tokio::process::Command::new(node())
        .args([
            peer("gateway_client.mjs"),
            fx.url.clone(),
            agent.token.clone(),
            "list_changed".into(),
            fx.workspace.clone(),
        ])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("client");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let ready = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await.expect("ready in time");
    assert_eq!(ready.ok().flatten().as_deref(), Some(r#"{"ready":true}"#));
    fx.everything("Everything", &fx.workspace).await;
    let last = tokio::time::timeout(Duration::from_secs(50), lines.next_line()).await.expect("the client ended");
    let out: Value = serde_json::from_str(&last.ok().flatten().unwrap_or_default()).expect("json");
    assert_eq!(out["changed"], true, "{out}");
    assert!(!out["before"].as_array().expect("before").iter().any(|t| t == "everything__echo"));
    assert!(out["after"].as_array().expect("after").iter().any(|t| t == "everything__echo"), "{out}");
    // Its prompts came with it, and the session heard so.
    assert_eq!(out["promptsChanged"], true, "{out}");
    assert!(out["prompts"].as_array().expect("prompts").iter().any(|p| p == "everything__simple-prompt"), "{out}");
}

/// What Atrium's own session to a server declares; the direct run declares the same to be comparable.
const ATRIUM_CAPABILITIES: &str = r#"{"elicitation":{"form":{}},"extensions":{"io.modelcontextprotocol/ui":{"mimeTypes":["text/html;profile=mcp-app"]}}}"#;

fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.keys().chain(y.keys()).find_map(|key| match (x.get(key), y.get(key)) {
                (Some(u), Some(v)) => first_difference(&format!("{path}.{key}"), u, v),
                (u, v) => Some(format!("{path}.{key}: direct {u:?}, through Atrium {v:?}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (u, v))| first_difference(&format!("{path}[{i}]"), u, v))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: direct {a}, through Atrium {b}")),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_server_passes_through_unchanged() {
    let fx = Fixture::new().await;
    // server-everything over streamable HTTP: the same process answers the direct run and Atrium's session.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let mut peer_process = std::process::Command::new(node())
        .arg(everything_js())
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server-everything");
    let direct = format!("http://127.0.0.1:{port}/mcp");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server-everything did not listen");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let registration =
        atrium_api::parse_registration(&json!({"transport": {"type": "http", "url": direct}})).expect("registration");
    let server = fx
        .atrium
        .server_create(NewServer { workspace_id: fx.workspace.clone(), title: "Everything HTTP".into(), registration })
        .await
        .expect("register");
    fx.ready(&server.id).await;
    let agent = fx.agent("VS Code", vec![], vec![]).await;
    let plan = json!([
        {"method": "tools/call", "params": {"name": "echo", "arguments": {"message": "faithful"}}},
        {"method": "tools/call", "params": {"name": "get-structured-content", "arguments": {"location": "New York"}}},
        {"method": "tools/call", "params": {"name": "get-annotated-message", "arguments": {"messageType": "error", "includeImage": true}}},
        {"method": "resources/read", "params": {"uri": "demo://resource/static/document/architecture.md"}},
        {"method": "prompts/get", "params": {"name": "simple-prompt"}}
    ]);
    let run = |url: String, bearer: Option<String>| {
        let plan = plan.to_string();
        async move {
            let mut command = tokio::process::Command::new(node());
            command
                .arg(peer("fidelity_client.mjs"))
                .arg(url)
                .arg(plan)
                .env("FIDELITY_CAPABILITIES", ATRIUM_CAPABILITIES);
            if let Some(bearer) = bearer {
                command.arg(bearer);
            }
            let output = command.output().await.expect("fidelity client");
            assert!(output.status.success(), "the SDK client failed: {}", String::from_utf8_lossy(&output.stderr));
            serde_json::from_slice::<Value>(&output.stdout).expect("json")
        }
    };
    let straight = run(direct.clone(), None).await;
    let through = run(format!("{}/servers/everything-http", fx.url), Some(agent.token.clone())).await;
    let _ = peer_process.kill();
    let _ = peer_process.wait();
    for key in ["sdk", "wire"] {
        let (a, b) = (&straight[key], &through[key]);
        assert!(a.as_array().is_some_and(|a| a.len() >= 5), "{key}: {a}");
        // The initialize answers differ by design (Atrium's session to the server is its own); the rest may not.
        let strip = |v: &Value| -> Vec<Value> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter(|m| m.pointer("/result/serverInfo").is_none() && m.get("serverInfo").is_none())
                .cloned()
                .collect()
        };
        if let Some(difference) = first_difference(key, &Value::Array(strip(a)), &Value::Array(strip(b))) {
            panic!("passing through changed an answer at {difference}");
        }
    }
    assert_eq!(straight["initialize"]["serverInfo"], through["initialize"]["serverInfo"]);
}

/// A raw POST to the gateway.
async fn post(url: &str, token: Option<&str>, session: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    request.send().await.expect("post")
}

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-03-26",
        "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}})
}

async fn session(url: &str, token: &str) -> String {
    let answer = post(url, Some(token), None, initialize()).await;
    assert_eq!(answer.status(), 200);
    let id = answer.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()).expect("session id").to_owned();
    // A 2025-03-26 client is answered in its revision.
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["result"]["protocolVersion"], "2025-03-26");
    id
}

async fn call(url: &str, token: &str, session: &str, tool: &str, arguments: Value) -> Value {
    let body =
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}});
    post(url, Some(token), Some(session), body).await.json().await.expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_isolation_and_rebinding_are_enforced() {
    let mut fx = Fixture::new().await;
    let url = fx.url.clone();
    let other_ws = fx
        .atrium
        .workspace_create(NewWorkspace { title: "Private".into(), description: None })
        .await
        .expect("workspace")
        .id;
    let secret = fx
        .atrium
        .artifact_create(NewArtifact {
            workspace_id: other_ws.clone(),
            title: "Secret plans".into(),
            content_type: "text/plain".into(),
            content: Some("nobody else".into()),
            ..NewArtifact::default()
        })
        .await
        .expect("artifact");
    let mine = fx.everything("Mine", &fx.workspace).await;
    let theirs = fx.everything("Theirs", &other_ws).await;
    let alice = fx
        .agent(
            "Alice",
            vec![fx.workspace.clone()],
            vec![AgentServer { server_id: mine.clone(), tools: Some(vec!["echo".into()]) }],
        )
        .await;
    let bob =
        fx.agent("Bob", vec![other_ws.clone()], vec![AgentServer { server_id: theirs.clone(), tools: None }]).await;

    // No token, a wrong one: 401 naming the resource metadata.
    for token in [None, Some("atrium_agent_00000000000000000000000000000000_nope"), Some("garbage")] {
        let answer = post(&url, token, None, initialize()).await;
        assert_eq!(answer.status(), 401, "{token:?}");
        let challenge = answer.headers().get("www-authenticate").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(
            challenge.contains("resource_metadata=") && challenge.contains("/.well-known/oauth-protected-resource")
        );
    }
    let metadata: Value = reqwest::get(url.replace("/mcp", "/.well-known/oauth-protected-resource"))
        .await
        .expect("metadata")
        .json()
        .await
        .expect("json");
    assert_eq!(metadata["resource"], url.as_str());

    // Alice sees her workspace and her server (only echo there), nothing of Bob's.
    let a = session(&url, &alice.token).await;
    let whoami = call(&url, &alice.token, &a, "whoami", json!({})).await;
    let seen = &whoami["result"]["structuredContent"];
    assert_eq!(seen["workspaces"].as_array().map(Vec::len), Some(1), "{seen}");
    assert_eq!(seen["servers"], json!([{"slug": "mine", "title": "Mine", "server_id": mine}]));
    let read = call(&url, &alice.token, &a, "read_artifact", json!({"artifact_id": secret.id})).await;
    assert_eq!(read["result"]["isError"], true);
    assert!(!read.to_string().contains("nobody else"));
    let listed = call(&url, &alice.token, &a, "list_artifacts", json!({"workspace_id": other_ws})).await;
    assert_eq!(listed["result"]["isError"], true);
    let tools: Value =
        post(&url, Some(&alice.token), Some(&a), json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
            .await
            .json()
            .await
            .expect("json");
    let names: Vec<&str> =
        tools["result"]["tools"].as_array().expect("tools").iter().filter_map(|t| t["name"].as_str()).collect();
    assert!(
        names.contains(&"mine__echo") && !names.iter().any(|n| n.starts_with("theirs__") || *n == "mine__get-sum"),
        "{names:?}"
    );
    let refused = call(&url, &alice.token, &a, "mine__get-sum", json!({"a": 1, "b": 2})).await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    let refused = call(&url, &alice.token, &a, "theirs__echo", json!({"message": "x"})).await;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    let passthrough = post(&format!("{url}/servers/{theirs}"), Some(&alice.token), None, initialize()).await;
    assert_eq!(passthrough.status(), 404);
    let passthrough = post(&format!("{url}/servers/mine"), Some(&alice.token), None, initialize()).await;
    assert_eq!(passthrough.status(), 200);
    // Bob cannot use Alice's session.
    let hijack =
        post(&url, Some(&bob.token), Some(&a), json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"})).await;
    assert_eq!(hijack.status(), 404);
    let b = session(&url, &bob.token).await;
    let bob_read = call(&url, &bob.token, &b, "read_artifact", json!({"artifact_id": secret.id})).await;
    assert_eq!(bob_read["result"]["structuredContent"]["content"], "nobody else");

    // DNS rebinding: a foreign Origin or Host is refused before anything else.
    let rebound = reqwest::Client::new()
        .post(&url)
        .header("origin", "http://attacker.example")
        .bearer_auth(&alice.token)
        .body(initialize().to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(rebound.status(), 403);
    let port = url.trim_start_matches("http://127.0.0.1:").trim_end_matches("/mcp").to_owned();
    let rebound = reqwest::Client::new()
        .post(&url)
        .header("host", format!("attacker.example:{port}"))
        .bearer_auth(&alice.token)
        .body(initialize().to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(rebound.status(), 403);

    // Bad input: an oversized body names the limit, garbage is a parse error, an unknown session is 404.
    let big = json!({"jsonrpc": "2.0", "id": 9, "method": "ping", "params": {"pad": "x".repeat(70 * 1024)}});
    let answer = post(&url, Some(&alice.token), Some(&a), big).await;
    assert_eq!(answer.status(), 413);
    assert!(answer.text().await.expect("text").contains("65536 bytes"));
    let garbage = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&alice.token)
        .header("mcp-session-id", &a)
        .body("{nope")
        .send()
        .await
        .expect("post");
    assert_eq!(garbage.status(), 400);
    let unknown =
        post(&url, Some(&alice.token), Some("0123"), json!({"jsonrpc": "2.0", "id": 4, "method": "ping"})).await;
    assert_eq!(unknown.status(), 404);

    // Rotation and removal take effect on the next request.
    let rotated = fx.atrium.agent_rotate("Alice".into()).await.expect("rotate");
    assert_eq!(
        post(&url, Some(&alice.token), Some(&a), json!({"jsonrpc": "2.0", "id": 5, "method": "ping"})).await.status(),
        401
    );
    assert_eq!(
        post(&url, Some(&rotated.token), Some(&a), json!({"jsonrpc": "2.0", "id": 5, "method": "ping"})).await.status(),
        200
    );
    fx.atrium.agent_remove("Bob".into()).await.expect("remove");
    assert_eq!(
        post(&url, Some(&bob.token), Some(&b), json!({"jsonrpc": "2.0", "id": 6, "method": "ping"})).await.status(),
        401
    );
    let alice_now: AgentView = fx.atrium.agent_get("Alice".into()).await.expect("alice");
    assert!(alice_now.last_used_time.is_some());

    // DELETE ends a session; stopping the gateway ends the rest and frees the port.
    let ended = reqwest::Client::new()
        .delete(&url)
        .bearer_auth(&rotated.token)
        .header("mcp-session-id", &a)
        .send()
        .await
        .expect("delete");
    assert_eq!(ended.status(), 200);
    let again = post(&url, Some(&rotated.token), Some(&a), json!({"jsonrpc": "2.0", "id": 7, "method": "ping"})).await;
    assert_eq!(again.status(), 404);
    let gateway = fx.gateway.take().expect("gateway");
    let addr = gateway.addr();
    let stopped = Instant::now();
    gateway.stop().await;
    assert!(stopped.elapsed() < Duration::from_secs(5));
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "the port is free once stopped");
}
