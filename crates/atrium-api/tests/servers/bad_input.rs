//! Servers and documents that are wrong: each gives its error code, within its timeout, and nothing crashes.

use std::time::{Duration, Instant};

use atrium_api::{AuditStatus, ErrorCode, FailureCode, ServerStatus, ToolCall};
use serde_json::{Value, json};

use crate::peers::{Fixture, fastmcp, free_port, peer_script, reg};

fn misbehaving(mode: &str, connect_ms: u32, call_ms: u32) -> Value {
    json!({"transport": {"type": "stdio", "command": "python3", "args": [peer_script("misbehaving_server.py"), "--mode", mode]},
           "timeouts": {"connect_ms": connect_ms, "call_ms": call_ms}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_discovery_documents_are_config_errors() {
    let fx = Fixture::new().await;
    for mode in ["missing", "not-json", "points-nowhere"] {
        let peer = fastmcp(Some(mode));
        let registration =
            json!({"transport": {"type": "http", "well_known": format!("{}/.well-known/mcp.json", peer.base)}});
        let started = Instant::now();
        let test = fx.atrium.server_test(reg(registration)).await.expect("test");
        assert!(!test.success, "{mode}: {test:?}");
        assert_eq!(test.error_code, Some(FailureCode::ConfigError), "{mode}: {test:?}");
        // A broken document is a quick refusal, not a wait for the 10 s connect limit (slack for a busy machine).
        assert!(started.elapsed() < Duration::from_secs(20), "{mode} took {:?}", started.elapsed());
    }
    // Nobody listening at all is a connection error.
    let nobody = json!({"transport": {"type": "http", "url": format!("http://127.0.0.1:{}/mcp", free_port())}});
    let test = fx.atrium.server_test(reg(nobody)).await.expect("test");
    assert_eq!(test.error_code, Some(FailureCode::ConnectionError), "{test:?}");
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out() {
    let fx = Fixture::new().await;
    let started = Instant::now();
    let test = fx.atrium.server_test(reg(misbehaving("silent", 1000, 1000))).await.expect("test");
    assert_eq!(test.error_code, Some(FailureCode::Timeout), "{test:?}");
    // The 1 s limit ended it: nowhere near the 30 s default it would wait without one (slack for a busy machine).
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());

    // As a registered server it is retried, then given up with the same code; calls are refused, not hung.
    let server = fx.register("Silent", misbehaving("silent", 1000, 1000)).await;
    let status = fx.status_when(&server.id, "settled", |s| !matches!(s, ServerStatus::Starting)).await;
    assert!(
        matches!(status, ServerStatus::Degraded { code: FailureCode::Timeout, attempt: 1, .. }),
        "first a retry: {status:?}"
    );
    let err = fx.atrium.server_tools(server.id.clone()).await.expect_err("not connected");
    assert_eq!(err.code, ErrorCode::ServerUnavailable);
    let status = fx.status_when(&server.id, "failed", |s| matches!(s, ServerStatus::Failed { .. })).await;
    let ServerStatus::Failed { code, message, .. } = status else { unreachable!() };
    assert_eq!(code, FailureCode::Timeout);
    assert!(message.contains("4 times in a row"), "{message}");
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_dies_mid_call_is_crashed() {
    let fx = Fixture::new().await;
    let server = fx.register("Dies", misbehaving("die", 5000, 5000)).await;
    fx.ready(&server.id).await;
    let first_pid = fx.atrium.server_state(server.id.clone()).await.expect("state").pid;
    assert!(first_pid.is_some(), "a running local server has a pid");
    let started = Instant::now();
    let call = ToolCall { server_id: server.id.clone(), tool: "work".into(), arguments: None, call_id: None };
    let outcome = fx.atrium.tool_call(call).await.expect("call");
    assert_eq!(outcome.status, AuditStatus::Failed);
    assert_eq!(outcome.error.as_ref().map(|e| e.code), Some(FailureCode::Crashed), "{outcome:?}");
    // The exit ends the call at once, not the 5 s limit that would end a hung one... allow for a busy machine: well
    // under the limit plus its restart.
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
    // The log has its last words, and the crashed process is started again.
    let log = fx.atrium.server_log(server.id.clone()).await.expect("log");
    assert!(log.iter().any(|l| l.level == "stderr" && l.message.contains("about to die")), "{log:?}");
    fx.ready_again(&server.id, first_pid).await;
    let statuses = fx.events.statuses_of(&server.id);
    assert!(
        statuses.iter().any(|s| matches!(s, ServerStatus::Degraded { code: FailureCode::Crashed, attempt: 1, .. })),
        "{statuses:?}"
    );
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_results_and_garbage_lines_are_protocol_errors() {
    let fx = Fixture::new().await;
    for mode in ["malformed", "garbage"] {
        let server = fx.register(mode, misbehaving(mode, 5000, 2000)).await;
        fx.ready(&server.id).await;
        let started = Instant::now();
        let call = ToolCall { server_id: server.id.clone(), tool: "work".into(), arguments: None, call_id: None };
        let outcome = fx.atrium.tool_call(call).await.expect("call");
        match mode {
            "malformed" => {
                assert_eq!(outcome.status, AuditStatus::Failed, "{outcome:?}");
                assert_eq!(outcome.error.as_ref().map(|e| e.code), Some(FailureCode::ProtocolError), "{outcome:?}");
            }
            // Lines that are not JSON-RPC are skipped; the real answer still arrives.
            _ => assert_eq!(outcome.status, AuditStatus::Ok, "{outcome:?}"),
        }
        // Answered (or refused) when the answer came, not after the 5 s call limit.
        assert!(started.elapsed() < Duration::from_secs(15), "{mode} took {:?}", started.elapsed());
    }
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_registrations_are_refused_with_their_fields_and_nothing_is_stored() {
    let fx = Fixture::new().await;
    // What a person types is checked field by field before it can become a registration.
    let typed = json!({"transport": {"type": "stdio", "command": ""}, "timeouts": {"call_ms": 1}});
    let problems = fx.atrium.server_validate(typed.clone()).await.expect("validate");
    assert_eq!(
        problems.iter().map(|p| p.field.as_str()).collect::<Vec<_>>(),
        ["transport.command", "timeouts.call_ms"]
    );
    let err = atrium_api::parse_registration(&typed).expect_err("invalid");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let Some(atrium_api::ErrorDetails::Fields { problems }) = err.details else { panic!("no fields: {err:?}") };
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["transport.command", "timeouts.call_ms"]);
    assert!(fx.atrium.server_list(None).await.expect("list").is_empty());
    // A registration pasted as a generic artifact is checked the same way.
    let err = fx
        .atrium
        .artifact_create(atrium_api::NewArtifact {
            workspace_id: fx.workspace.clone(),
            title: "Pasted".into(),
            content_type: atrium_api::SERVER_CONTENT_TYPE.into(),
            content: Some(r#"{"transport": {"type": "ftp"}}"#.into()),
            context: None,
            state: None,
        })
        .await
        .expect_err("invalid");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(fx.atrium.artifact_list(fx.workspace.clone()).await.expect("list").is_empty());
    fx.atrium.close().await;
}
