//! The gateway under load, in process and over real HTTP on 127.0.0.1 (issue 19's figures):
//! - a `tools/call` through `/mcp/servers/<x>` beside the same call straight to the server (an in-process MCP
//!   server over streamable HTTP that answers at once, so the difference is Atrium's): overhead p50 ≤ 0.3 ms or
//!   ≤ 10 %, p99 reported;
//! - `tools/list` on `/mcp` for an agent with 20 servers × 50 tools: p95 ≤ 5 ms;
//! - 50 agents calling at once: calls per second sustained; memory per idle agent session.
//!
//! `cargo bench -p atrium-gateway --bench gateway` (env `BENCH_CALLS`, default 4000 per side).

use std::time::{Duration, Instant};

use atrium_api::{AgentScope, AgentToken, Atrium, AtriumPaths, NewAgent, NewServer, NewWorkspace, OpenOptions};
use atrium_api::{ServerStatus, parse_registration};
use atrium_gateway::{Gateway, GatewayOptions};
use atrium_testkit::HttpEcho;
use serde_json::{Value, json};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn verdict(met: bool) -> &'static str {
    if met { "✔" } else { "✗" }
}

/// The process's resident memory, in KiB (Linux).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn main() {
    let calls: usize = std::env::var("BENCH_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(4000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(run(calls));
}

/// An MCP client session over HTTP: raw JSON-RPC, keep-alive.
struct Client {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
    session: Option<String>,
}

impl Client {
    async fn open(url: &str, token: Option<&str>) -> Client {
        Client::open_on(reqwest::Client::new(), url, token).await
    }

    /// A session over an HTTP client shared with others (one connection pool).
    async fn open_on(http: reqwest::Client, url: &str, token: Option<&str>) -> Client {
        let mut client = Client { http, url: url.to_owned(), token: token.map(str::to_owned), session: None };
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
            "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}});
        let answer = client.send(&init).await;
        client.session = answer.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let _ = answer.bytes().await;
        client.notify().await;
        client
    }

    /// Ends the session (`DELETE`).
    async fn close(&self) {
        let mut request = self.http.delete(&self.url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(session) = &self.session {
            request = request.header("mcp-session-id", session);
        }
        let _ = request.send().await;
    }

    async fn notify(&self) {
        let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let _ = self.send(&note).await.bytes().await;
    }

    async fn send(&self, body: &Value) -> reqwest::Response {
        let mut request = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(session) = &self.session {
            request = request.header("mcp-session-id", session);
        }
        request.send().await.expect("send")
    }

    /// One request; its answer as JSON (a JSON body, or the event stream's one message).
    async fn request(&self, id: u64, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let text = self.send(&body).await.text().await.expect("body");
        match text.strip_prefix("data: ").or_else(|| text.lines().find_map(|l| l.strip_prefix("data: "))) {
            Some(data) => serde_json::from_str(data.lines().next().unwrap_or_default()).expect("event"),
            None => serde_json::from_str(&text).expect("json"),
        }
    }
}

struct Setup {
    atrium: Atrium,
    gateway: Gateway,
    workspace: String,
    _home: tempfile::TempDir,
}

async fn setup() -> Setup {
    let home = tempfile::tempdir().expect("temp dir");
    let paths = AtriumPaths::at(home.path());
    let options = OpenOptions { connect_servers: true, ..OpenOptions::default() };
    let atrium = Atrium::open_with(paths.clone(), options).await.expect("open");
    let workspace =
        atrium.workspace_create(NewWorkspace { title: "Bench".into(), description: None }).await.expect("workspace").id;
    let gateway = Gateway::start(atrium.clone(), &paths, GatewayOptions { port: 0, ..GatewayOptions::default() })
        .await
        .expect("gateway");
    Setup { atrium, gateway, workspace, _home: home }
}

async fn register(setup: &Setup, title: &str, url: &str) -> String {
    let registration = parse_registration(&json!({"transport": {"type": "http", "url": url}})).expect("registration");
    let input = NewServer { workspace_id: setup.workspace.clone(), title: title.into(), registration };
    let id = setup.atrium.server_create(input).await.expect("register").id;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match setup.atrium.server_state(id.clone()).await.expect("state").status {
            ServerStatus::Ready => return id,
            ServerStatus::Failed { .. } => panic!("{title} failed"),
            _ if Instant::now() > deadline => panic!("{title} not ready"),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn agent(setup: &Setup, name: &str) -> AgentToken {
    let input = NewAgent { name: name.into(), workspaces: vec![], scopes: vec![AgentScope::Read], servers: vec![] };
    setup.atrium.agent_create(input).await.expect("agent")
}

async fn run(calls: usize) {
    let setup = setup().await;
    // The echo server stays up for the agents that call it next.
    // First, before other phases leave freed memory the allocator would hand out again unseen.
    idle_sessions(&setup).await;
    let _echo = passthrough_overhead(&setup, calls).await;
    many_agents(&setup).await;
    // Last: it registers 20 more servers, which the other figures should not carry.
    aggregated_list(&setup).await;
}

async fn passthrough_overhead(setup: &Setup, calls: usize) -> HttpEcho {
    let echo = HttpEcho::start("echo", 1).await.expect("echo server");
    register(setup, "Echo", &echo.url).await;
    let token = agent(setup, "Bench").await;
    let direct = Client::open(&echo.url, None).await;
    let through = Client::open(&format!("{}/servers/echo", setup.gateway.url()), Some(&token.token)).await;
    let params = json!({"name": "echo", "arguments": {"message": "ping"}});
    // Warm both paths up, then alternate call by call so that machine noise falls on both alike.
    for i in 0..200 {
        direct.request(i, "tools/call", params.clone()).await;
        through.request(i, "tools/call", params.clone()).await;
    }
    let (mut straight, mut gateway) = (Vec::with_capacity(calls), Vec::with_capacity(calls));
    for i in 0..calls as u64 {
        let started = Instant::now();
        let answer = direct.request(i, "tools/call", params.clone()).await;
        straight.push(started.elapsed());
        assert!(answer.get("result").is_some(), "{answer}");
        let started = Instant::now();
        let answer = through.request(i, "tools/call", params.clone()).await;
        gateway.push(started.elapsed());
        assert_eq!(answer["result"]["structuredContent"]["message"], "ping", "{answer}");
    }
    straight.sort();
    gateway.sort();
    let (s50, s99, g50, g99) = (
        percentile(&straight, 0.5),
        percentile(&straight, 0.99),
        percentile(&gateway, 0.5),
        percentile(&gateway, 0.99),
    );
    let over50 = ms(g50) - ms(s50);
    let pct50 = over50 / ms(s50) * 100.0;
    println!("gateway: tools/call through /mcp/servers/<x> beside straight to the server, {calls} calls each (ms)");
    println!("  straight to the server  p50 {:>6.3}  p99 {:>6.3}", ms(s50), ms(s99));
    println!("  through the gateway     p50 {:>6.3}  p99 {:>6.3}", ms(g50), ms(g99));
    println!(
        "  overhead                p50 {over50:>+6.3} ms ({pct50:+.0} %)  p99 {:>+6.3} ms   target p50 ≤ 0.3 ms or ≤ 10 % {}",
        ms(g99) - ms(s99),
        verdict(over50 <= 0.3 || pct50 <= 10.0)
    );
    echo
}

async fn aggregated_list(setup: &Setup) {
    let mut servers = Vec::new();
    for i in 0..20 {
        let echo = HttpEcho::start(&format!("wide-{i}"), 50).await.expect("echo server");
        register(setup, &format!("Wide {i}"), &echo.url).await;
        servers.push(echo);
    }
    // An agent that names these 20 servers only.
    let mut access = Vec::new();
    for server in setup.atrium.server_list(None).await.expect("servers") {
        if server.title.starts_with("Wide ") {
            access.push(atrium_api::AgentServer { server_id: server.id, tools: None });
        }
    }
    let input = NewAgent { name: "Wide".into(), workspaces: vec![], scopes: vec![AgentScope::Read], servers: access };
    let token = setup.atrium.agent_create(input).await.expect("agent");
    let client = Client::open(&setup.gateway.url(), Some(&token.token)).await;
    let count = client.request(1, "tools/list", json!({})).await["result"]["tools"].as_array().map_or(0, Vec::len);
    assert!(count >= 1000, "{count} tools listed");
    let mut times = Vec::new();
    for i in 0..500 {
        let started = Instant::now();
        let answer = client.request(i, "tools/list", json!({})).await;
        times.push(started.elapsed());
        assert!(answer["result"]["tools"].is_array());
    }
    times.sort();
    let p95 = percentile(&times, 0.95);
    println!("gateway: tools/list on /mcp, an agent with 20 servers × 50 tools ({count} tools), 500 lists (ms)");
    println!(
        "  p50 {:>6.2}  p95 {:>6.2}  p99 {:>6.2}   target p95 ≤ 5 ms {}",
        ms(percentile(&times, 0.5)),
        ms(p95),
        ms(percentile(&times, 0.99)),
        verdict(ms(p95) <= 5.0)
    );
}

async fn many_agents(setup: &Setup) {
    const AGENTS: usize = 50;
    const FOR: Duration = Duration::from_secs(5);
    let mut clients = Vec::new();
    for i in 0..AGENTS {
        let token = agent(setup, &format!("Load {i}")).await;
        clients.push(Client::open(&setup.gateway.url(), Some(&token.token)).await);
    }
    let started = Instant::now();
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(n, client)| {
            tokio::spawn(async move {
                let mut done = 0u64;
                while started.elapsed() < FOR {
                    let message = format!("{n}-{done}");
                    let params = json!({"name": "echo__echo", "arguments": {"message": message}});
                    let answer = client.request(done, "tools/call", params).await;
                    assert_eq!(answer["result"]["structuredContent"]["message"], message.as_str(), "{answer}");
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.expect("agent");
    }
    let secs = started.elapsed().as_secs_f64();
    println!("gateway: {AGENTS} agents calling at once through /mcp for {secs:.1} s");
    println!("  {total} calls, {:.0} calls/s sustained (each audited)", total as f64 / secs);
}

async fn idle_sessions(setup: &Setup) {
    const SESSIONS: usize = 5000;
    let token = agent(setup, "Idle").await;
    let mut clients = Vec::with_capacity(SESSIONS + 1);
    let http = reqwest::Client::new();
    // One warm-up session, so the first one's allocations are not counted as every one's.
    clients.push(Client::open_on(http.clone(), &setup.gateway.url(), Some(&token.token)).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kib();
    for _ in 0..SESSIONS {
        clients.push(Client::open_on(http.clone(), &setup.gateway.url(), Some(&token.token)).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = rss_kib();
    let per = (after.saturating_sub(before)) as f64 / SESSIONS as f64;
    println!("gateway: {SESSIONS} idle agent sessions open");
    println!(
        "  memory per idle session {per:.1} KiB (process RSS {before} → {after} KiB; the clients share one connection)"
    );
    // Ended, so that the figures after these measure what they say.
    for client in &clients {
        client.close().await;
    }
}
