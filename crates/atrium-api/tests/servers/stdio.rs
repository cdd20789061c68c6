//! server-everything over stdio: the full surface, from the same API the UI calls.

use std::time::Duration;

use atrium_api::{
    AuditFilter, AuditStatus, ContentItem, ElicitationAction, ElicitationAnswer, ErrorCode, FailureCode, ToolCall,
};
use serde_json::{Map, Value, json};

use crate::peers::{Fixture, everything_js, node};

fn everything() -> Value {
    json!({"transport": {"type": "stdio", "command": node(), "args": [everything_js(), "stdio"]}})
}

fn args(value: Value) -> Option<Map<String, Value>> {
    value.as_object().cloned()
}

fn call(server: &str, tool: &str, arguments: Value) -> ToolCall {
    ToolCall { server_id: server.into(), tool: tool.into(), arguments: args(arguments), call_id: None }
}

fn text_of(items: &[ContentItem]) -> String {
    items
        .iter()
        .filter_map(|i| match i {
            ContentItem::Text { text } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_resources_and_prompts_over_stdio() {
    let fx = Fixture::new().await;
    let server = fx.register("Everything", everything()).await;
    fx.ready(&server.id).await;

    let tools = fx.atrium.server_tools(server.id.clone()).await.expect("tools");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    for expected in ["echo", "get-sum", "get-tiny-image", "trigger-long-running-operation"] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let echo = tools.iter().find(|t| t.name == "echo").expect("echo");
    assert_eq!(echo.input_schema["properties"]["message"]["type"], "string");

    let outcome = fx.atrium.tool_call(call(&server.id, "echo", json!({"message": "hello"}))).await.expect("call");
    assert_eq!(outcome.status, AuditStatus::Ok, "{outcome:?}");
    assert_eq!(text_of(&outcome.result.expect("result").content), "Echo: hello");

    let image = fx.atrium.tool_call(call(&server.id, "get-tiny-image", json!({}))).await.expect("call");
    let content = image.result.expect("result").content;
    let png = content.iter().find_map(|c| match c {
        ContentItem::Image { mime_type, data } => Some((mime_type.clone(), data.len())),
        _ => None,
    });
    assert!(matches!(png, Some((ref mime, len)) if mime == "image/png" && len > 100), "{content:?}");

    let catalog = fx.atrium.server_resources(server.id.clone()).await.expect("resources");
    assert!(!catalog.resources.is_empty() && !catalog.templates.is_empty(), "{catalog:?}");
    let first = &catalog.resources[0];
    let read = fx.atrium.resource_read(server.id.clone(), first.uri.clone()).await.expect("read");
    assert_eq!(read[0].uri, first.uri);
    assert!(read[0].text.as_deref().is_some_and(|t| !t.is_empty()) || read[0].blob.is_some());

    let prompts = fx.atrium.server_prompts(server.id.clone()).await.expect("prompts");
    let args_prompt = prompts.iter().find(|p| p.name == "args-prompt").expect("args-prompt");
    assert!(args_prompt.arguments.iter().any(|a| a.name == "city" && a.required));
    let filled = fx
        .atrium
        .prompt_get(server.id.clone(), "args-prompt".into(), args(json!({"city": "Lisbon"})).unwrap_or_default())
        .await
        .expect("prompt");
    assert!(
        filled.messages.iter().any(|m| matches!(&m.content, ContentItem::Text { text } if text.contains("Lisbon"))),
        "{filled:?}"
    );

    // Every call is in the audit log (written in batches, so wait for it), newest first, with origin ui.
    let filter = AuditFilter { server_id: Some(server.id.clone()), ..Default::default() };
    let audit = fx.audit_rows(&filter, 2).await;
    let tools_called: Vec<&str> = audit.iter().map(|a| a.tool.as_str()).collect();
    assert_eq!(tools_called, ["get-tiny-image", "echo"]);
    assert!(audit.iter().all(|a| a.status == AuditStatus::Ok && a.origin == atrium_api::AuditOrigin::Ui));
    assert_eq!(audit[1].arguments, r#"{"message":"hello"}"#);
    assert!(audit[0].result.len() <= 4096, "audit result is capped");

    // Renaming keeps the session (no reconnect); the new title is what the audit records from then on.
    let renamed = fx
        .atrium
        .server_update(
            server.id.clone(),
            atrium_api::ServerPatch {
                expected_version: server.version,
                title: Some("Renamed".into()),
                registration: None,
            },
        )
        .await
        .expect("rename");
    assert!(matches!(renamed.state.status, atrium_api::ServerStatus::Ready), "{renamed:?}");
    let log = fx.atrium.server_log(server.id.clone()).await.expect("log");
    assert_eq!(log.iter().filter(|l| l.message.starts_with("connected to")).count(), 1, "{log:?}");
    fx.atrium.tool_call(call(&server.id, "echo", json!({"message": "again"}))).await.expect("call");
    let rows = fx.audit_rows(&filter, 3).await;
    assert_eq!(rows[0].server_title, "Renamed");
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_reported_and_long_calls_can_be_cancelled() {
    let fx = Fixture::new().await;
    let server = fx.register("Everything", everything()).await;
    fx.ready(&server.id).await;

    let mut with_progress = call(&server.id, "trigger-long-running-operation", json!({"duration": 1, "steps": 4}));
    with_progress.call_id = Some("progress-call".into());
    let outcome = fx.atrium.tool_call(with_progress).await.expect("call");
    assert_eq!(outcome.status, AuditStatus::Ok, "{outcome:?}");
    let progress = fx.events.progress_for("progress-call");
    assert!(progress.len() >= 3, "progress events: {progress:?}");
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "progress grows: {progress:?}");

    // A 30-second operation, cancelled after half a second, ends at once as `cancelled`.
    let (outcome, took) = fx.cancel_long_call(&server.id, "long-call").await;
    assert_eq!(outcome.status, AuditStatus::Cancelled);
    assert_eq!(outcome.error.map(|e| e.code), Some(FailureCode::Cancelled));
    assert!(took < Duration::from_secs(5), "cancelled in {took:?}");

    // The session survives the cancellation.
    let again = fx.atrium.tool_call(call(&server.id, "echo", json!({"message": "still here"}))).await.expect("call");
    assert_eq!(again.status, AuditStatus::Ok);
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn elicitation_waits_for_the_person_and_applies_defaults() {
    let fx = Fixture::new().await;
    let atrium = fx.atrium.clone();
    let handle = tokio::runtime::Handle::current();
    *fx.events.answer.lock().expect("lock") = Some(Box::new(move |request| {
        assert!(request.requested_schema["properties"]["name"].is_object(), "{request:?}");
        let (atrium, id) = (atrium.clone(), request.id.clone());
        handle.spawn(async move {
            // The person takes longer than nothing; only `name` is typed, the rest takes the schema's defaults.
            tokio::time::sleep(Duration::from_millis(300)).await;
            let content = json!({"name": "Ada", "check": true}).as_object().cloned();
            atrium.elicitation_answer(id, ElicitationAnswer { action: ElicitationAction::Accept, content }).await
        });
    }));
    let server = fx.register("Everything", everything()).await;
    fx.ready(&server.id).await;
    let outcome = fx.atrium.tool_call(call(&server.id, "trigger-elicitation-request", json!({}))).await.expect("call");
    let text = text_of(&outcome.result.expect("result").content);
    assert!(text.contains("Name: Ada"), "{text}");
    assert!(text.contains("Favorite Integer: 42"), "defaults applied: {text}");
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_tools_hide_and_refuse_everything_else() {
    let fx = Fixture::new().await;
    let mut registration = everything();
    registration["allowed_tools"] = json!(["echo"]);
    let server = fx.register("Only echo", registration).await;
    fx.ready(&server.id).await;
    let tools = fx.atrium.server_tools(server.id.clone()).await.expect("tools");
    assert_eq!(tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["echo"]);
    let catalog = fx.atrium.tool_catalog().await.expect("catalog");
    assert_eq!(catalog.iter().map(|t| t.flat_name.as_str()).collect::<Vec<_>>(), ["only-echo__echo"]);

    let denied = fx.atrium.tool_call(call(&server.id, "get-sum", json!({"a": 1, "b": 2}))).await.expect("call");
    assert_eq!(denied.status, AuditStatus::Denied);
    assert_eq!(denied.error.map(|e| e.code), Some(FailureCode::PolicyDenied));

    // Disabled: disconnected, and calls are refused with a typed error.
    fx.atrium.server_set_enabled(server.id.clone(), false).await.expect("disable");
    let state = fx.atrium.server_state(server.id.clone()).await.expect("state");
    assert!(matches!(state.status, atrium_api::ServerStatus::Stopped), "{state:?}");
    let err = fx.atrium.server_tools(server.id.clone()).await.expect_err("disabled");
    assert_eq!(err.code, ErrorCode::ServerUnavailable);
    fx.atrium.close().await;
}
