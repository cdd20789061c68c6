//! A view's `tools/call` round trip, warm (DESIGN §8: p50 ≤ 5 ms): a message as the window relays it
//! (`viewer_post`) → the view's session (policy) → the server → the answer `viewer_post` returns. The server
//! is `@modelcontextprotocol/server-basic-vanillajs` over stdio, its `get-time` tool, called the way its view's
//! button calls it; the same call straight through the connection manager is measured beside it.
//!
//! `cargo bench -p atrium-testkit --bench view_call` (env `BENCH_CALLS`, default 2000). Needs `make setup-test`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_api::{
    AppEvent, Atrium, AtriumPaths, EventSink, NewServer, NewWorkspace, OpenOptions, ServerStatus, ToolCall,
    ViewerEnvironment, ViewerEvent, ViewerOpening,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

struct Posts(mpsc::UnboundedSender<Value>);

impl EventSink for Posts {
    fn emit(&self, event: AppEvent) {
        if let AppEvent::Viewer { event: ViewerEvent::Post { message }, .. } = event {
            let _ = self.0.send(message);
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&samples, 0.5), percentile(&samples, 0.99));
    println!("{name:<44} p50 {p50:>7.3} ms   p99 {p99:>7.3} ms   ({} calls)", samples.len());
    p50
}

async fn method(posts: &mut mpsc::UnboundedReceiver<Value>, name: &str) -> Value {
    loop {
        let message =
            tokio::time::timeout(Duration::from_secs(10), posts.recv()).await.expect("in time").expect("open");
        if message["method"] == name {
            return message;
        }
    }
}

#[tokio::main]
async fn main() {
    let calls: i64 = std::env::var("BENCH_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let js = repo.join("tests/peers/node_modules/@modelcontextprotocol/server-basic-vanillajs/dist/index.js");
    let node = repo.join(".tools/node22/node_modules/.bin/node");
    assert!(js.exists() && node.exists(), "run `make setup-test` first");
    let (js, node) = (js.canonicalize().expect("js"), node.canonicalize().expect("node"));

    let home = tempfile::tempdir().expect("home");
    let (tx, mut posts) = mpsc::unbounded_channel();
    let options = OpenOptions { events: Arc::new(Posts(tx)), connect_servers: true, ..OpenOptions::default() };
    let atrium = Atrium::open_with(AtriumPaths::at(home.path()), options).await.expect("open");
    atrium.local_settings_set_commands(vec![node.display().to_string()]).await.expect("allow node");
    let workspace =
        atrium.workspace_create(NewWorkspace { title: "Bench".into(), description: None }).await.expect("ws");
    let registration = json!({"transport": {"type": "stdio", "command": node.display().to_string(),
        "args": [js.display().to_string(), "--stdio"]}});
    let server = atrium
        .server_create(NewServer {
            workspace_id: workspace.id,
            title: "Basic App".into(),
            registration: atrium_api::parse_registration(&registration).expect("registration"),
        })
        .await
        .expect("register");
    let deadline = Instant::now() + Duration::from_secs(30);
    while atrium.server_state(server.id.clone()).await.expect("state").status != ServerStatus::Ready {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let environment = ViewerEnvironment { theme: "light".into(), locale: "en".into(), time_zone: "UTC".into() };
    let opening = atrium
        .viewer_open_tool(server.id.clone(), "get-time".into(), serde_json::Map::new(), environment)
        .await
        .expect("open the view");
    let ViewerOpening::Opened { view } = opening else { panic!("no view: {opening:?}") };
    let post = |text: String| atrium.viewer_post(view.view_id.clone(), text);
    post(json!({"jsonrpc": "2.0", "method": "ui/notifications/sandbox-proxy-ready", "params": {}}).to_string())
        .await
        .expect("post");
    let init =
        json!({"jsonrpc": "2.0", "id": 0, "method": "ui/initialize", "params": {"protocolVersion": "2026-01-26"}});
    post(init.to_string()).await.expect("post").expect("initialize answered");
    post(json!({"jsonrpc": "2.0", "method": "ui/notifications/initialized", "params": {}}).to_string())
        .await
        .expect("post");
    method(&mut posts, "ui/notifications/tool-result").await;

    let mut through_view = Vec::new();
    for id in 1..=calls {
        let message = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "get-time", "arguments": {}, "_meta": {"progressToken": id}}})
        .to_string();
        let started = Instant::now();
        let reply = post(message).await.expect("post").expect("answered");
        let elapsed = started.elapsed();
        assert!(reply.get("result").is_some() && reply["id"] == json!(id), "{reply}");
        if id > calls / 10 {
            through_view.push(elapsed.as_secs_f64() * 1e3);
        }
    }
    let mut direct = Vec::new();
    for i in 0..calls {
        let call = ToolCall { server_id: server.id.clone(), tool: "get-time".into(), arguments: None, call_id: None };
        let started = Instant::now();
        let outcome = atrium.tool_call(call).await.expect("call");
        let elapsed = started.elapsed();
        assert!(outcome.result.is_some());
        if i >= calls / 10 {
            direct.push(elapsed.as_secs_f64() * 1e3);
        }
    }
    println!("view tools/call round trip (server-basic-vanillajs get-time, stdio, warm)");
    let p50 = report("view → session → server → view", through_view);
    report("the same call through the connection manager", direct);
    println!("target p50 ≤ 5 ms: {}", if p50 <= 5.0 { "met" } else { "NOT met" });
    atrium.viewer_close(view.view_id.clone()).await.expect("close");
    atrium.close().await;
}
