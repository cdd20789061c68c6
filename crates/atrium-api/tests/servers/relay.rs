//! The Desktop Host Relay end to end: a real MCP client (rmcp, streamable HTTP) calls the platform double's
//! gateway, which forwards over the relay WebSocket to Atrium, which serves it from a real stdio server
//! (server-everything) on its persistent supervised session.

use std::time::Duration;

use atrium_api::{AuditFilter, AuditOrigin, ErrorCode, PlatformAddress, SignInRequest};
use atrium_testkit::platform::PlatformDouble;
use base64::Engine;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};

use crate::peers::{Fixture, everything_js, node};

fn body(message: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(message.to_string())
}

fn request(local: Option<&str>, message: &Value) -> Value {
    let mcp_server = match local {
        Some(id) => json!({"kind": "relay", "local_server_id": id}),
        None => json!({"kind": "relay"}),
    };
    json!({"server_id": "s", "mcp_server": mcp_server, "method": "POST", "path": "/s/mcp",
           "headers": {"authorization": "Bearer not-to-be-logged"}, "body": body(message), "deadline_ms": 10000})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_calls_a_local_stdio_server_through_the_relay() {
    let double = PlatformDouble::start().await.expect("double");
    let fx = Fixture::new().await;
    let server = fx
        .register(
            "Everything",
            json!({"transport": {"type": "stdio", "command": node(), "args": [everything_js(), "stdio"]}}),
        )
        .await;
    fx.ready(&server.id).await;
    let user = double.user();
    let signed_in = fx
        .atrium
        .platform_sign_in(
            PlatformAddress::new(double.url()),
            SignInRequest::Password { identifier: user.username.clone(), password: user.password.clone() },
        )
        .await
        .expect("sign in");
    assert!(signed_in.relay_capable());

    // A server is published with its workspace; alone it is refused with what to do.
    let refused = fx.atrium.server_publish(server.id.clone()).await.expect_err("workspace not on the platform");
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(refused.message.contains("first"), "{}", refused.message);
    let link = fx.atrium.workspace_publish(fx.workspace.clone()).await.expect("publish workspace");
    fx.atrium.server_publish(server.id.clone()).await.expect("publish server");
    fx.atrium.sync_now(Some(fx.workspace.clone())).await.expect("sync");
    let published = double
        .remote()
        .children(&link.remote_id)
        .into_iter()
        .find(|a| a["content_type"] == "application/vnd.agience.mcp-server+json")
        .expect("the server's artifact on the platform");
    let context: Value = serde_json::from_str(published["context"].as_str().expect("context string")).expect("json");
    assert_eq!(context["mcp_server"], json!({"kind": "relay", "local_server_id": server.id, "name": "everything"}));

    fx.atrium.platform_start(true);
    for _ in 0..100 {
        if double.relay_sessions() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(double.relay_sessions(), 1, "relay: {:?}", fx.atrium.platform_status().await.map(|s| s.relay));

    // A full MCP client, through the platform's gateway and the relay.
    let mut config = StreamableHttpClientTransportConfig::with_uri(format!(
        "{}/{}/mcp",
        double.chorus_url(),
        published["id"].as_str().expect("id")
    ));
    config.auth_header = Some(double.access_token(&user));
    let client =
        ().serve(StreamableHttpClientTransport::from_config(config)).await.expect("initialize through the relay");
    let tools = client.list_all_tools().await.expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "echo"), "{:?}", tools.iter().map(|t| &t.name).collect::<Vec<_>>());
    let arguments = json!({"message": "through the relay"}).as_object().cloned();
    let mut params = CallToolRequestParams::new("echo");
    params.arguments = arguments;
    let result = client.call_tool(params).await.expect("tools/call");
    let text =
        serde_json::to_value(&result).expect("json")["content"][0]["text"].as_str().unwrap_or_default().to_owned();
    assert_eq!(text, "Echo: through the relay");
    let _ = client.cancel().await;
    let audited = fx.audit_rows(&AuditFilter { origin: Some(AuditOrigin::Relay), ..Default::default() }, 1).await;
    assert!(audited.iter().any(|row| row.tool == "echo" && row.server_id == server.id), "{audited:?}");

    // Progress travels with the answer to a caller that accepts an event stream.
    let mut long = request(
        Some(&server.id),
        &json!({"jsonrpc": "2.0", "id": 41, "method": "tools/call", "params": {"name": "trigger-long-running-operation",
            "arguments": {"duration": 1, "steps": 3}, "_meta": {"progressToken": "p-41"}}}),
    );
    long["headers"]["accept"] = json!("application/json, text/event-stream");
    let reply = double.relay_request(&user, long, Duration::from_secs(15)).await.expect("reply");
    assert_eq!(reply["payload"]["headers"]["content-type"], "text/event-stream", "{reply}");
    let events = events_of(&reply);
    let progress: Vec<&Value> = events.iter().filter(|m| m["method"] == "notifications/progress").collect();
    assert_eq!(progress.len(), 3, "{events:?}");
    assert!(progress.iter().all(|m| m["params"]["progressToken"] == "p-41"), "{progress:?}");
    let last = events.last().expect("the answer");
    assert_eq!((last["id"].clone(), last["result"]["isError"].clone()), (json!(41), Value::Null), "{last}");

    // A caller's cancellation reaches the server's request by the caller's own id, and ends it at once.
    let slow = request(
        Some(&server.id),
        &json!({"jsonrpc": "2.0", "id": 42, "method": "tools/call", "params": {"name": "trigger-long-running-operation",
            "arguments": {"duration": 20, "steps": 4}}}),
    );
    let started = std::time::Instant::now();
    let (answer, ()) = tokio::join!(double.relay_request(&user, slow, Duration::from_secs(30)), async {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let cancel = request(
            Some(&server.id),
            &json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 42, "reason": "enough"}}),
        );
        let reply = double.relay_request(&user, cancel, Duration::from_secs(10)).await.expect("reply");
        assert_eq!(reply["payload"]["status"], 202, "{reply}");
    });
    let answer = decode(&answer.expect("reply"));
    assert_eq!(answer["id"], 42);
    assert_eq!(answer["error"]["code"], -32800, "{answer}");
    assert!(started.elapsed() < Duration::from_secs(10), "the cancelled call ended early: {:?}", started.elapsed());

    // An unknown (or unpublished) server, and a garbled body: the reference host's codes.
    let reply = double
        .relay_request(
            &user,
            request(Some("no-such-server"), &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})),
            Duration::from_secs(10),
        )
        .await
        .expect("reply");
    assert_eq!(reply["payload"]["ok"], false, "{reply}");
    assert_eq!(reply["payload"]["error"]["code"], "NOT_FOUND");
    let mut garbled = request(Some(&server.id), &json!({}));
    garbled["body"] = json!("%%% not base64");
    let reply = double.relay_request(&user, garbled, Duration::from_secs(10)).await.expect("reply");
    assert_eq!(reply["payload"]["error"]["code"], "BAD_REQUEST", "{reply}");

    // The built-in file tools read only inside the shared folders.
    let shared = tempfile::tempdir().expect("dir");
    std::fs::write(shared.path().join("notes.txt"), "shared text").expect("write");
    fx.atrium.relay_set_roots(vec![shared.path().display().to_string()]).await.expect("roots");
    let read = |path: String| {
        request(
            None,
            &json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "fs_read_text", "arguments": {"path": path}}}),
        )
    };
    let inside = double
        .relay_request(&user, read(shared.path().join("notes.txt").display().to_string()), Duration::from_secs(10))
        .await
        .expect("reply");
    let answer = decode(&inside);
    assert_eq!(answer["result"]["structuredContent"]["content"], "shared text", "{answer}");
    let outside = fx.home().join("atrium.db").display().to_string();
    let refused = double.relay_request(&user, read(outside), Duration::from_secs(10)).await.expect("reply");
    let answer = decode(&refused);
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(answer["result"]["content"][0]["text"].as_str().is_some_and(|t| t.contains("outside")), "{answer}");

    // Pausing closes the connection.
    fx.atrium.relay_pause().await.expect("pause");
    for _ in 0..50 {
        if double.relay_sessions() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(double.relay_sessions(), 0);
    fx.atrium.close().await;
    double.shutdown().await;
}

/// The JSON-RPC messages of an event-stream answer, in order.
fn events_of(reply: &Value) -> Vec<Value> {
    assert_eq!(reply["payload"]["ok"], true, "{reply}");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(reply["payload"]["body"].as_str().expect("body"))
        .expect("base64");
    String::from_utf8(bytes)
        .expect("text")
        .split("\n\n")
        .filter_map(|event| event.lines().find_map(|line| line.strip_prefix("data: ")))
        .map(|data| serde_json::from_str(data).expect("json-rpc"))
        .collect()
}

fn decode(reply: &Value) -> Value {
    assert_eq!(reply["payload"]["ok"], true, "{reply}");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(reply["payload"]["body"].as_str().expect("body"))
        .expect("base64");
    serde_json::from_slice(&bytes).expect("json-rpc")
}
