//! Remote transports: streamable HTTP, legacy SSE, and discovery through `/.well-known/mcp.json`.

use atrium_api::{AuditStatus, ContentItem, ToolCall};
use serde_json::json;

use std::time::Duration;

use atrium_api::{FailureCode, ServerStatus};

use crate::peers::{Fixture, everything_http, everything_http_on, fastmcp, free_port, reg};

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
async fn streamable_http_resources_prompts_progress_and_cancel() {
    let fx = Fixture::new().await;
    let peer = everything_http("streamableHttp");
    let server = fx
        .register("Everything HTTP", json!({"transport": {"type": "http", "url": format!("{}/mcp", peer.base)}}))
        .await;
    fx.ready(&server.id).await;

    let catalog = fx.atrium.server_resources(server.id.clone()).await.expect("resources");
    let first = catalog.resources.first().expect("a resource");
    let read = fx.atrium.resource_read(server.id.clone(), first.uri.clone()).await.expect("read");
    assert_eq!(read[0].uri, first.uri);
    let filled = fx
        .atrium
        .prompt_get(
            server.id.clone(),
            "args-prompt".into(),
            json!({"city": "Porto"}).as_object().cloned().unwrap_or_default(),
        )
        .await
        .expect("prompt");
    assert!(filled.messages.iter().any(|m| matches!(&m.content, ContentItem::Text { text } if text.contains("Porto"))));

    let mut with_progress = call(&server.id, "trigger-long-running-operation", json!({"duration": 1, "steps": 4}));
    with_progress.call_id = Some("http-progress".into());
    let outcome = fx.atrium.tool_call(with_progress).await.expect("call");
    assert_eq!(outcome.status, AuditStatus::Ok, "{outcome:?}");
    assert!(fx.events.progress_for("http-progress").len() >= 3, "progress over HTTP");

    let (outcome, took) = fx.cancel_long_call(&server.id, "http-long").await;
    assert_eq!(outcome.status, AuditStatus::Cancelled);
    assert!(took < Duration::from_secs(5), "cancelled in {took:?}");
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fastmcp_registered_by_its_well_known_document() {
    let fx = Fixture::new().await;
    let peer = fastmcp(None);
    let registration =
        json!({"transport": {"type": "http", "well_known": format!("{}/.well-known/mcp.json", peer.base)}});
    let test = fx.atrium.server_test(reg(registration.clone())).await.expect("test");
    assert!(test.success, "{test:?}");
    assert_eq!(test.tools, ["greet", "add", "echo_headers"]);
    let server = fx.register("Greeter", registration).await;
    fx.ready(&server.id).await;
    let outcome = fx.atrium.tool_call(call(&server.id, "greet", json!({"name": "Atrium"}))).await.expect("call");
    assert_eq!(text(&outcome), "Hello, Atrium!");
    let sum = fx.atrium.tool_call(call(&server.id, "add", json!({"a": 2, "b": 40}))).await.expect("call");
    assert!(text(&sum).contains("42"), "{sum:?}");
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_http_server_is_reconnected_with_backoff() {
    let fx = Fixture::new().await;
    let port = free_port();
    let peer = everything_http_on("streamableHttp", port);
    let server =
        fx.register("Flaky", json!({"transport": {"type": "http", "url": format!("{}/mcp", peer.base)}})).await;
    fx.ready(&server.id).await;
    drop(peer);
    // The next call finds the server gone: a typed failure, and the status follows.
    let outcome = fx.atrium.tool_call(call(&server.id, "echo", json!({"message": "anyone?"}))).await;
    let failed = match outcome {
        Ok(outcome) => outcome.error.map(|e| e.code),
        Err(err) => Some(if err.code == atrium_api::ErrorCode::ServerUnavailable {
            FailureCode::NotConnected
        } else {
            FailureCode::ConnectionError
        }),
    };
    assert!(matches!(failed, Some(FailureCode::ConnectionError | FailureCode::NotConnected)), "{failed:?}");
    let status = fx.status_when(&server.id, "degraded", |s| matches!(s, ServerStatus::Degraded { .. })).await;
    assert!(matches!(status, ServerStatus::Degraded { code: FailureCode::ConnectionError, .. }), "{status:?}");
    // Back on the same port: Atrium reconnects by itself.
    let _peer = everything_http_on("streamableHttp", port);
    fx.status_when(&server.id, "ready again", |s| matches!(s, ServerStatus::Ready)).await;
    let outcome = fx.atrium.tool_call(call(&server.id, "echo", json!({"message": "back"}))).await.expect("call");
    assert_eq!(text(&outcome), "Echo: back");
    // Refresh reconnects on demand and reports the new state.
    let state = fx.atrium.server_refresh(server.id.clone()).await.expect("refresh");
    assert!(matches!(state.status, ServerStatus::Ready), "{state:?}");
    // The replaced session's wind-down does not overwrite the new one's status in the window.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let last = fx.events.events.lock().expect("lock").iter().rev().find_map(|e| match e {
        atrium_api::AppEvent::ServerStatus { server_id, status } if *server_id == server.id => Some(status.clone()),
        _ => None,
    });
    assert!(matches!(last, Some(ServerStatus::Ready)), "{last:?}");
    fx.atrium.close().await;
}
