//! Remote transports: streamable HTTP, legacy SSE, and discovery through `/.well-known/mcp.json`.

use atrium_api::{AuditStatus, ContentItem, ToolCall};
use serde_json::json;

use crate::peers::{Fixture, everything_http, fastmcp};

fn text(outcome: &atrium_api::CallOutcome) -> String {
    outcome
        .result
        .as_ref()
        .map(|r| {
            r.content
                .iter()
                .filter_map(|c| match c {
                    ContentItem::Text { text } => Some(text.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn call(server: &str, tool: &str, arguments: serde_json::Value) -> ToolCall {
    ToolCall { server_id: server.into(), tool: tool.into(), arguments: arguments.as_object().cloned(), call_id: None }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamable_http_and_legacy_sse() {
    let fx = Fixture::new().await;
    let http = everything_http("streamableHttp");
    let sse = everything_http("sse");
    let a = fx
        .register("Everything HTTP", json!({"transport": {"type": "http", "url": format!("{}/mcp", http.base)}}))
        .await;
    let b =
        fx.register("Everything SSE", json!({"transport": {"type": "sse", "url": format!("{}/sse", sse.base)}})).await;
    for server in [&a, &b] {
        fx.ready(&server.id).await;
        let outcome =
            fx.atrium.tool_call(call(&server.id, "echo", json!({"message": "over the wire"}))).await.expect("call");
        assert_eq!(outcome.status, AuditStatus::Ok, "{} {outcome:?}", server.title);
        assert_eq!(text(&outcome), "Echo: over the wire");
        let image = fx.atrium.tool_call(call(&server.id, "get-tiny-image", json!({}))).await.expect("call");
        assert!(
            image.result.is_some_and(|r| r.content.iter().any(|c| matches!(c, ContentItem::Image { .. }))),
            "{}",
            server.title
        );
    }
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastmcp_registered_by_its_well_known_document() {
    let fx = Fixture::new().await;
    let peer = fastmcp(None);
    let registration =
        json!({"transport": {"type": "http", "well_known": format!("{}/.well-known/mcp.json", peer.base)}});
    let test = fx.atrium.server_test(registration.clone()).await.expect("test");
    assert!(test.success, "{test:?}");
    assert_eq!(test.tools, ["greet", "add"]);
    let server = fx.register("Greeter", registration).await;
    fx.ready(&server.id).await;
    let outcome = fx.atrium.tool_call(call(&server.id, "greet", json!({"name": "Atrium"}))).await.expect("call");
    assert_eq!(text(&outcome), "Hello, Atrium!");
    let sum = fx.atrium.tool_call(call(&server.id, "add", json!({"a": 2, "b": 40}))).await.expect("call");
    assert!(text(&sum).contains("42"), "{sum:?}");
    fx.atrium.close().await;
}
