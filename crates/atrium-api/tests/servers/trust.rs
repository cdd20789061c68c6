//! Nothing from the platform runs unasked (DESIGN §6.2): a stdio registration written on the platform side of the
//! double and pulled by sync starts no process — at start-up, on an explicit start, through the relay, through a
//! view's call — until the person approves it here; a later change from the platform stops it again until it is
//! approved again; and the approval never leaves this machine. Every check looks for the process in `/proc`.

use std::time::{Duration, Instant};

use atrium_api::{
    ApprovalReason, Atrium, AtriumPaths, AuditOrigin, OpenOptions, PlatformAddress, SERVER_CONTENT_TYPE,
    ServerApprovalState, ServerStatus, SignInRequest, ToolCall,
};
use atrium_testkit::platform::PlatformDouble;
use base64::Engine;
use serde_json::{Value, json};

use crate::peers::{Fixture, everything_js, node};

/// Processes whose environment holds `NAME=value` (Linux).
fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else { continue };
        if environ.split(|b| *b == 0).any(|var| var == marker.as_bytes()) {
            found.push(pid);
        }
    }
    found
}

/// A registration as a platform user would write it: server-everything, marked so its process can be found.
fn platform_registration(marker_value: &str, extra_arg: Option<&str>) -> String {
    let mut args = vec![everything_js(), "stdio".to_owned()];
    args.extend(extra_arg.map(str::to_owned));
    json!({"transport": {"type": "stdio", "command": node(), "args": args, "env": {"TRUST_PROBE": marker_value}}})
        .to_string()
}

/// Nothing with `marker` runs now, nor during the next second (a start may be on its way).
async fn nothing_runs(marker: &str, when: &str) {
    let until = Instant::now() + Duration::from_secs(1);
    while Instant::now() < until {
        assert!(processes_with(marker).is_empty(), "{when}: a process from the platform runs");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn status_of(atrium: &Atrium, id: &str, what: &str, done: impl Fn(&ServerStatus) -> bool) -> ServerStatus {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = atrium.server_state(id.to_owned()).await.expect("state").status;
        if done(&status) {
            return status;
        }
        assert!(Instant::now() < deadline, "never {what}: {status:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_from_the_platform_runs_only_once_approved_here() {
    let double = PlatformDouble::start().await.expect("double");
    let fx = Fixture::new().await;
    let user = double.user();
    fx.atrium
        .platform_sign_in(
            PlatformAddress::new(double.url()),
            SignInRequest::Password { identifier: user.username.clone(), password: user.password.clone() },
        )
        .await
        .expect("sign in");
    let link = fx.atrium.workspace_publish(fx.workspace.clone()).await.expect("publish");

    // Someone with access to the workspace on the platform registers a local program.
    let marker_value = uuid::Uuid::new_v4().to_string();
    let marker = format!("TRUST_PROBE={marker_value}");
    let created = double.remote().create(
        &link.remote_id,
        "Helpful tools",
        SERVER_CONTENT_TYPE,
        &platform_registration(&marker_value, None),
    );
    assert!(!created.is_null(), "created on the platform");
    fx.atrium.sync_now(Some(fx.workspace.clone())).await.expect("pull");
    let servers = fx.atrium.server_list(Some(fx.workspace.clone())).await.expect("list");
    let pulled = servers.iter().find(|s| s.title == "Helpful tools").expect("pulled");
    let ServerApprovalState::Required { reason, effects } = &pulled.approval else {
        panic!("a platform registration is not approved: {:?}", pulled.approval)
    };
    assert_eq!(*reason, ApprovalReason::FromPlatform);
    assert!(effects.runs.as_deref().is_some_and(|r| r.contains("server-everything")), "{effects:?}");
    assert_eq!(effects.env_names, ["TRUST_PROBE"]);
    let id = pulled.id.clone();

    // The running app applies what sync brought: it waits, it does not start.
    status_of(&fx.atrium, &id, "waiting for approval", |s| matches!(s, ServerStatus::NeedsApproval { .. })).await;
    nothing_runs(&marker, "after the pull").await;

    // An explicit start (what `atrium server start --all` and the Start button do) does not run it either.
    let started = fx.atrium.server_start(id.clone()).await.expect("start");
    assert!(matches!(started.status, ServerStatus::NeedsApproval { .. }), "{started:?}");
    nothing_runs(&marker, "after an explicit start").await;

    // A view's call, and a call from the tool runner, are refused and start nothing.
    let call = ToolCall {
        server_id: id.clone(),
        tool: "echo".into(),
        arguments: json!({"message": "hi"}).as_object().cloned(),
        call_id: None,
    };
    let outcome = fx.atrium.tool_call_from(call.clone(), AuditOrigin::Viewer).await.expect("a value");
    assert!(outcome.result.is_none(), "{outcome:?}");
    assert!(outcome.error.as_ref().is_some_and(|e| e.message.contains("approval")), "{outcome:?}");
    nothing_runs(&marker, "after a view's call").await;

    // Published for the relay (by the person), the platform's calls do not start it.
    fx.atrium.server_publish(id.clone()).await.expect("publish the server");
    fx.atrium.platform_start(true);
    let deadline = Instant::now() + Duration::from_secs(10);
    while double.relay_sessions() == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let body = base64::engine::general_purpose::STANDARD
        .encode(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string());
    let relayed = double
        .relay_request(
            &user,
            json!({"server_id": "s", "mcp_server": {"kind": "relay", "local_server_id": id}, "method": "POST",
                   "path": "/s/mcp", "headers": {}, "body": body, "deadline_ms": 10000}),
            Duration::from_secs(15),
        )
        .await
        .expect("a reply");
    assert_eq!(relayed["payload"]["ok"], false, "{relayed}");
    nothing_runs(&marker, "after a relayed call").await;

    // Opening the app again (every enabled server starts with it) does not run it.
    fx.atrium.close().await;
    let options = OpenOptions { connect_servers: true, ..OpenOptions::default() };
    let reopened = Atrium::open_with(AtriumPaths::at(fx.home()), options.clone()).await.expect("reopen");
    status_of(&reopened, &id, "waiting at start-up", |s| matches!(s, ServerStatus::NeedsApproval { .. })).await;
    nothing_runs(&marker, "at start-up").await;

    // Approved here (as reviewed), it runs.
    let before = reopened.artifact_get(id.clone()).await.expect("artifact");
    let approved = reopened.server_approve(id.clone(), effects.fingerprint.clone()).await.expect("approve");
    assert!(matches!(approved.approval, ServerApprovalState::Approved { .. }), "{:?}", approved.approval);
    status_of(&reopened, &id, "ready once approved", |s| matches!(s, ServerStatus::Ready)).await;
    assert!(!processes_with(&marker).is_empty(), "the approved server runs");
    let after = reopened.artifact_get(id.clone()).await.expect("artifact");
    assert_eq!(after.version, before.version, "an approval writes nothing that syncs");

    // The platform changes the command: it stops, and waits for a new approval.
    let remote_id = after.root_id.clone().expect("a platform identity");
    double
        .remote()
        .update(&remote_id, None, Some(&platform_registration(&marker_value, Some("--changed"))))
        .expect("changed on the platform");
    reopened.sync_now(Some(after.workspace_id.clone())).await.expect("pull the change");
    let status =
        status_of(&reopened, &id, "stopped for review", |s| matches!(s, ServerStatus::NeedsApproval { .. })).await;
    assert!(matches!(status, ServerStatus::NeedsApproval { .. }));
    let view = reopened.server_get(id.clone()).await.expect("view");
    let ServerApprovalState::Required { reason, effects: changed } = &view.approval else {
        panic!("a changed registration is not approved: {:?}", view.approval)
    };
    assert_eq!(*reason, ApprovalReason::Changed);
    assert_ne!(changed.fingerprint, effects.fingerprint);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !processes_with(&marker).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    nothing_runs(&marker, "after the platform changed the command").await;
    // The old approval does not cover the new command, and a stale review is refused.
    let stale = reopened.server_approve(id.clone(), effects.fingerprint.clone()).await.expect_err("stale");
    assert_eq!(stale.code, atrium_api::ErrorCode::VersionConflict);

    // Nothing about the approval reached the platform.
    reopened.sync_now(Some(after.workspace_id.clone())).await.expect("push");
    let remote = double.remote().get(&remote_id).expect("on the platform");
    let text = remote.to_string();
    assert!(!text.contains(&effects.fingerprint) && !text.contains("approv"), "{text}");
    let remote_content: Value = serde_json::from_str(remote["content"].as_str().expect("content")).expect("json");
    assert!(remote_content["transport"]["args"].to_string().contains("--changed"), "{remote_content}");

    reopened.close().await;
    double.shutdown().await;
}
