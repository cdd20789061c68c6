//! The relay changes nothing a server answers: the official TypeScript SDK client (what VS Code, Claude Desktop
//! and Cursor run) and the official Python SDK client each run the same plan of requests against a server
//! directly and through the platform double's gateway, the relay and Atrium's session to the local server; the
//! two outputs must be identical, field by field (the TypeScript client also compares the raw JSON-RPC answers).

use std::process::Command;
use std::time::{Duration, Instant};

use atrium_api::{PlatformAddress, RelayState, SignInRequest};
use atrium_testkit::platform::PlatformDouble;
use serde_json::{Value, json};

use crate::peers::{Fixture, everything_http, everything_js, fastmcp, node, peer_script, python};

#[derive(Clone, Copy, Debug)]
enum SdkClient {
    TypeScript,
    Python,
}

/// What Atrium's own session to a local server declares: a server may offer an elicitation tool only to a client
/// that can answer it, so the direct runs declare the same to be comparable.
const ATRIUM_CAPABILITIES: &str = r#"{"elicitation":{"form":{}},"extensions":{"io.modelcontextprotocol/ui":{"mimeTypes":["text/html;profile=mcp-app"]}}}"#;

/// Runs one client over `url` with `plan`; its output, or the test fails with what the client said.
fn run(client: SdkClient, url: &str, plan: &Value, bearer: Option<&str>) -> Value {
    let mut command = match client {
        SdkClient::TypeScript => {
            let mut c = Command::new(node());
            c.arg(peer_script("fidelity_client.mjs"));
            c
        }
        SdkClient::Python => {
            let mut c = Command::new(python());
            c.arg(peer_script("fidelity_client.py"));
            c
        }
    };
    command.arg(url).arg(plan.to_string()).env("FIDELITY_CAPABILITIES", ATRIUM_CAPABILITIES);
    if let Some(bearer) = bearer {
        command.arg(bearer);
    }
    let output = command.output().expect("run the SDK client");
    assert!(
        output.status.success(),
        "the {client:?} SDK client failed at {url}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the client's JSON output")
}

/// The first path at which two JSON values differ, for a readable failure.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                match (x.get(key), y.get(key)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_difference(&format!("{path}.{key}"), u, v) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some(format!("{path}.{key}: direct {u:?}, relayed {v:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (u, v))| first_difference(&format!("{path}[{i}]"), u, v))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: direct {a}, relayed {b}")),
    }
}

fn assert_same(client: SdkClient, direct: &Value, relayed: &Value) {
    if let Some(difference) = first_difference("", direct, relayed) {
        panic!("the {client:?} client saw the relay change an answer at {difference}");
    }
}

/// A signed-in Atrium with its workspace on the platform and the relay connected.
async fn relayed_fixture(double: &PlatformDouble) -> (Fixture, String) {
    let fx = Fixture::new().await;
    let user = double.user();
    fx.atrium
        .platform_sign_in(
            PlatformAddress::new(double.url()),
            SignInRequest::Password { identifier: user.username.clone(), password: user.password.clone() },
        )
        .await
        .expect("sign in");
    let link = fx.atrium.workspace_publish(fx.workspace.clone()).await.expect("publish workspace");
    fx.atrium.platform_start(true);
    let deadline = Instant::now() + Duration::from_secs(20);
    while fx.atrium.platform_status().await.expect("status").relay.state != RelayState::Connected {
        assert!(Instant::now() < deadline, "relay never connected: {:?}", fx.atrium.platform_status().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (fx, link.remote_id)
}

/// Publishes a registered server and returns the gateway URL the platform's cloud would call.
async fn publish(fx: &Fixture, double: &PlatformDouble, container: &str, server_id: &str) -> String {
    fx.atrium.server_publish(server_id.to_owned()).await.expect("publish server");
    fx.atrium.sync_now(Some(fx.workspace.clone())).await.expect("sync");
    let artifact = double
        .remote()
        .children(container)
        .into_iter()
        .find(|a| {
            let context: Value = serde_json::from_str(a["context"].as_str().unwrap_or("{}")).unwrap_or_default();
            context.pointer("/mcp_server/local_server_id").and_then(Value::as_str) == Some(server_id)
        })
        .expect("the server's artifact on the platform");
    format!("{}/{}/mcp", double.chorus_url(), artifact["id"].as_str().expect("id"))
}

fn compare_clients(plan: &Value, direct_url: &str, gateway: &str, bearer: &str) {
    for client in [SdkClient::TypeScript, SdkClient::Python] {
        let direct = run(client, direct_url, plan, None);
        let relayed = run(client, gateway, plan, Some(bearer));
        assert!(direct["initialize"]["serverInfo"].is_object(), "{client:?}: {direct}");
        assert_same(client, &direct, &relayed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_everything_answers_the_sdk_clients_the_same_through_the_relay() {
    let double = PlatformDouble::start().await.expect("double");
    let (fx, container) = relayed_fixture(&double).await;
    // Atrium runs its own copy over stdio; the direct copy answers over streamable HTTP. Same program, same answers.
    let server = fx
        .register(
            "Everything",
            json!({"transport": {"type": "stdio", "command": node(), "args": [everything_js(), "stdio"]}}),
        )
        .await;
    fx.ready(&server.id).await;
    let gateway = publish(&fx, &double, &container, &server.id).await;
    let direct = everything_http("streamableHttp");
    let plan = json!([
        {"method": "tools/call", "params": {"name": "echo", "arguments": {"message": "fidelity"}}},
        {"method": "tools/call", "params": {"name": "get-structured-content", "arguments": {"location": "Chicago"}}},
        {"method": "tools/call", "params": {"name": "get-sum", "arguments": {"a": 2, "b": 3}}},
        {"method": "prompts/get", "params": {"name": "simple-prompt"}},
        {"method": "prompts/get", "params": {"name": "args-prompt", "arguments": {"city": "Oslo"}}},
        {"method": "resources/read", "params": {"uri": "demo://resource/static/document/architecture.md"}},
    ]);
    compare_clients(&plan, &format!("{}/mcp", direct.base), &gateway, &double.access_token(&double.user()));
    fx.atrium.close().await;
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fastmcp_server_answers_the_sdk_clients_the_same_through_the_relay() {
    let double = PlatformDouble::start().await.expect("double");
    let (fx, container) = relayed_fixture(&double).await;
    // One FastMCP process: Atrium's streamable-HTTP session to it carries the relayed calls.
    let peer = fastmcp(None);
    let direct_url = format!("{}/mcp", peer.base);
    let server = fx.register("Greeter", json!({"transport": {"type": "http", "url": direct_url}})).await;
    fx.ready(&server.id).await;
    let gateway = publish(&fx, &double, &container, &server.id).await;
    // `add` has an output schema and answers structuredContent: the fields that came back null before.
    let plan = json!([
        {"method": "tools/call", "params": {"name": "greet", "arguments": {"name": "Ada"}}},
        {"method": "tools/call", "params": {"name": "add", "arguments": {"a": 20, "b": 22}}},
    ]);
    compare_clients(&plan, &direct_url, &gateway, &double.access_token(&double.user()));
    fx.atrium.close().await;
    double.shutdown().await;
}
