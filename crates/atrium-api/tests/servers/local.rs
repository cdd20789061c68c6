//! Local stdio servers with real processes and the real keychain: the allowlist, crash restarts, a crash loop,
//! quitting with servers running, secrets that reach the process and nothing else, and servers installed from a
//! git repository.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use atrium_api::{FailureCode, ImportRequest, ImportSource, SecretInput, ServerStatus, ToolCall};
use serde_json::json;

use crate::peers::{Fixture, everything_js, node, peer_script, python, reg, repo};

fn everything() -> serde_json::Value {
    json!({"transport": {"type": "stdio", "command": node(), "args": [everything_js(), "stdio"]}})
}

/// Every process whose process group is one of `groups` (Linux: field 5 of /proc/<pid>/stat).
fn processes_in_groups(groups: &HashSet<u32>) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let state = fields.first().copied().unwrap_or("");
        if let Some(pgrp) = fields.get(2).and_then(|f| f.parse::<u32>().ok())
            && groups.contains(&pgrp)
            && state != "Z"
        {
            found.push(pid);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_comes_back_by_itself() {
    let fx = Fixture::new().await;
    let server = fx.register("Everything", everything()).await;
    fx.ready(&server.id).await;
    let pid = fx.atrium.server_state(server.id.clone()).await.expect("state").pid.expect("pid");
    let killed = Command::new("kill").args(["-9", &pid.to_string()]).status().expect("kill");
    assert!(killed.success());
    let new_pid = fx.ready_again(&server.id, Some(pid)).await;
    assert_ne!(new_pid, pid);
    let call = ToolCall {
        server_id: server.id.clone(),
        tool: "echo".into(),
        arguments: json!({"message": "back"}).as_object().cloned(),
        call_id: None,
    };
    let outcome = fx.atrium.tool_call(call).await.expect("call");
    assert_eq!(outcome.error, None, "{outcome:?}");
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_exits_at_once_backs_off_then_fails_with_its_stderr() {
    let fx = Fixture::new().await;
    let crash = "import sys; sys.stderr.write('fatal: MY_API_KEY is not set\\n'); sys.exit(3)";
    let server = fx
        .register("Crasher", json!({"transport": {"type": "stdio", "command": python(), "args": ["-c", crash]}}))
        .await;
    let status = fx.status_when(&server.id, "failed", |s| matches!(s, ServerStatus::Failed { .. })).await;
    let ServerStatus::Failed { code, message, stderr_tail } = status else { unreachable!() };
    assert_eq!(code, FailureCode::Crashed, "{message}");
    assert!(stderr_tail.iter().any(|l| l.contains("MY_API_KEY is not set")), "{stderr_tail:?}");
    assert!(message.contains("4 times in a row"), "{message}");
    // The waits between attempts grew: 100, 200, 400 ms (the fixture's policy; the app's starts at 1 s).
    let waits: Vec<u32> = fx
        .events
        .statuses_of(&server.id)
        .iter()
        .filter_map(|s| match s {
            ServerStatus::Degraded { retry_in_ms, .. } => Some(*retry_in_ms),
            _ => None,
        })
        .collect();
    assert_eq!(waits, [100, 200, 400]);
    // Start from the UI begins again with a fresh count.
    let state = fx.atrium.server_start(server.id.clone()).await.expect("start");
    assert!(!matches!(state.status, ServerStatus::Stopped), "{state:?}");
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_off_the_allowlist_are_refused_and_nothing_runs() {
    let fx = Fixture::new().await;
    let marker = tempfile::tempdir().expect("dir");
    let touched = marker.path().join("ran");
    let touch = format!("touch {}", touched.display());
    for (title, registration) in [
        ("Shell", json!({"transport": {"type": "stdio", "command": "bash", "args": ["-c", touch]}})),
        ("Absolute", json!({"transport": {"type": "stdio", "command": "/bin/sh", "args": ["-c", touch]}})),
        (
            "Preload",
            json!({"transport": {"type": "stdio", "command": node(), "args": ["-e", "1"], "env": {"LD_PRELOAD": "/tmp/x.so"}}}),
        ),
    ] {
        let server = fx.register(title, registration.clone()).await;
        let status = fx.status_when(&server.id, "refused", |s| matches!(s, ServerStatus::Failed { .. })).await;
        assert!(matches!(status, ServerStatus::Failed { code: FailureCode::PolicyDenied, .. }), "{title}: {status:?}");
        let test = fx.atrium.server_test(reg(registration)).await.expect("test");
        assert_eq!(test.error_code, Some(FailureCode::PolicyDenied), "{title}: {test:?}");
    }
    assert!(!touched.exists(), "a refused command ran");
    // Allowing it in settings is what lets it start.
    let settings = fx.atrium.local_settings_set_commands(vec![node(), python(), "bash".into()]).await.expect("allow");
    assert!(settings.extra_commands.contains(&"bash".to_owned()));
    let bad = fx.atrium.local_settings_set_commands(vec!["sh -c evil".into()]).await.expect_err("refused");
    assert_eq!(bad.code, atrium_api::ErrorCode::InvalidInput);
    fx.atrium.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_with_five_servers_running_leaves_no_process_behind() {
    let fx = Fixture::new().await;
    // One of them starts a grandchild, the way `npx` runs the real server.
    let spawner = format!(
        "import os, subprocess, sys; subprocess.Popen(['sleep', '300']); os.execv(sys.executable, [sys.executable, \
         '{}', '--mode', 'garbage'])",
        peer_script("misbehaving_server.py")
    );
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(fx.register(&format!("Everything {i}"), everything()).await.id);
    }
    ids.push(
        fx.register("Spawner", json!({"transport": {"type": "stdio", "command": python(), "args": ["-c", spawner]}}))
            .await
            .id,
    );
    let mut groups = HashSet::new();
    for id in &ids {
        fx.ready(id).await;
        groups.insert(fx.atrium.server_state(id.clone()).await.expect("state").pid.expect("pid"));
    }
    let running = processes_in_groups(&groups);
    assert!(running.len() >= 6, "five servers and a grandchild: {running:?}");
    let started = Instant::now();
    fx.atrium.close().await;
    assert!(started.elapsed() < Duration::from_secs(8), "shutdown took {:?}", started.elapsed());
    let left = processes_in_groups(&groups);
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_gone_and_starts_again() {
    let fx = Fixture::new().await;
    let server = fx.register("Everything", everything()).await;
    fx.ready(&server.id).await;
    let pid = fx.atrium.server_state(server.id.clone()).await.expect("state").pid.expect("pid");
    let state = fx.atrium.server_stop(server.id.clone()).await.expect("stop");
    assert_eq!(state.status, ServerStatus::Stopped);
    assert!(processes_in_groups(&HashSet::from([pid])).is_empty(), "stopped means gone");
    let log = fx.atrium.server_log(server.id.clone()).await.expect("log");
    assert!(log.iter().any(|l| l.level == "atrium" && l.message == "stopped"), "{log:?}");
    let state = fx.atrium.server_start(server.id.clone()).await.expect("start");
    assert_eq!(state.status, ServerStatus::Ready);
    let state = fx.atrium.server_restart(server.id.clone()).await.expect("restart");
    assert_eq!(state.status, ServerStatus::Ready);
    assert_ne!(state.pid, Some(pid));
    fx.atrium.close().await;
}

/// Every file under `dir`, read as bytes.
fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((path, bytes));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_reach_the_process_and_no_file_export_or_answer() {
    let fx = Fixture::new().await;
    let typed = "typed-secret-value-7f3a9c";
    fx.atrium
        .secret_set(SecretInput {
            id: "everything.TOKEN".into(),
            description: Some("test".into()),
            value: typed.into(),
        })
        .await
        .expect("set");
    let listed = fx.atrium.secret_list().await.expect("list");
    assert!(listed.iter().any(|s| s.id == "everything.TOKEN" && s.is_set));
    assert!(!serde_json::to_string(&listed).expect("json").contains(typed), "the list never carries values");

    let registration = json!({"transport": {"type": "stdio", "command": node(), "args": [everything_js(), "stdio"],
        "env": {"EVERYTHING_TOKEN": {"secret_id": "everything.TOKEN"}}}});
    let server = fx.register("Everything", registration).await;
    fx.ready(&server.id).await;
    let call = ToolCall { server_id: server.id.clone(), tool: "get-env".into(), arguments: None, call_id: None };
    let outcome = fx.atrium.tool_call(call).await.expect("call");
    let answer = serde_json::to_string(&outcome).expect("json");
    assert!(answer.contains("EVERYTHING_TOKEN"), "the process has the variable: {answer:.300}");
    assert!(!answer.contains(typed), "the answer to the UI is masked");
    assert!(answer.contains("[secret]"), "masked, so it was there: {answer:.300}");

    // Imported secrets, from a file with literal values.
    let fixtures = repo().join("tests/fixtures/import");
    let report = fx
        .atrium
        .import_apply(ImportRequest {
            workspace_id: fx.workspace.clone(),
            source: ImportSource { path: Some(fixtures.join(".mcp.json").display().to_string()), text: None },
            names: None,
            input_values: Default::default(),
        })
        .await
        .expect("import");
    assert_eq!(report.secrets_stored, ["tracker.TRACKER_TOKEN"]);
    let mut exports = String::new();
    for view in fx.atrium.server_list(None).await.expect("list") {
        exports.push_str(&fx.atrium.server_export(view.id.clone()).await.expect("export").text);
    }
    fx.atrium.close().await;

    let used = [typed, "mcpjson-fixture-token-0000000004"];
    let home = fx.home();
    let files = files_under(home);
    assert!(files.iter().any(|(p, _)| p.ends_with("atrium.db")), "the database was searched");
    assert!(files.iter().any(|(p, _)| p.extension().is_some_and(|e| e == "log")), "log files were searched");
    for secret in used {
        for (path, bytes) in &files {
            let hit = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!hit, "{secret} found in {}", path.display());
        }
        assert!(!exports.contains(secret), "{secret} found in an export");
    }
}

/// A bare repository holding `tests/fixtures/git-server/<runtime>`, with its work on branch `main`.
fn bare_repository(runtime: &str, root: &Path) -> String {
    let work = root.join(format!("{runtime}-work"));
    let bare = root.join(format!("{runtime}.git"));
    let source = repo().join("tests/fixtures/git-server").join(runtime);
    std::fs::create_dir_all(&work).expect("work dir");
    for entry in std::fs::read_dir(&source).expect("fixture").flatten() {
        std::fs::copy(entry.path(), work.join(entry.file_name())).expect("copy");
    }
    let git = |args: &[&str], dir: &Path| {
        let status = Command::new("git")
            .args(["-c", "user.name=Atrium Test", "-c", "user.email=test@atrium.invalid"])
            .args(args)
            .current_dir(dir)
            .status()
            .expect("git");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "--quiet", "--initial-branch=main"], &work);
    git(&["add", "."], &work);
    git(&["commit", "--quiet", "-m", "fixture"], &work);
    git(&["clone", "--quiet", "--bare", work.to_str().expect("utf-8"), bare.to_str().expect("utf-8")], root);
    format!("file://{}", bare.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_from_a_git_repository_are_installed_and_run() {
    let fx = Fixture::new().await;
    let repos = tempfile::tempdir().expect("dir");
    for (runtime, expected) in [("node", "node v"), ("python", "python 3")] {
        let url = bare_repository(runtime, repos.path());
        let server = fx
            .register(
                &format!("From git ({runtime})"),
                json!({"transport": {"type": "github", "owner_repo": url, "ref": "main"}, "timeouts": {"connect_ms": 20000}}),
            )
            .await;
        fx.ready(&server.id).await;
        let statuses = fx.events.statuses_of(&server.id);
        let steps: Vec<&str> = statuses
            .iter()
            .filter_map(|s| match s {
                ServerStatus::Installing { step, .. } => Some(step.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(steps, ["cloning", "installing dependencies", "starting"], "{runtime}");
        let call = ToolCall { server_id: server.id.clone(), tool: "whoami".into(), arguments: None, call_id: None };
        let outcome = fx.atrium.tool_call(call).await.expect("call");
        let text = serde_json::to_string(&outcome.result).expect("json");
        assert!(text.contains(expected) && text.contains("from git"), "{runtime}: {text}");
        // A restart runs the installed copy: no second install.
        let before = fx.events.statuses_of(&server.id).len();
        fx.atrium.server_restart(server.id.clone()).await.expect("restart");
        let after = fx.events.statuses_of(&server.id);
        assert!(!after[before..].iter().any(|s| matches!(s, ServerStatus::Installing { .. })), "{after:?}");
    }
    // A repository that is not there fails with git's reason, and is not retried.
    let missing = fx
        .register(
            "Missing",
            json!({"transport": {"type": "github", "owner_repo": format!("file://{}/nope.git", repos.path().display()), "ref": "main"}}),
        )
        .await;
    let status = fx.status_when(&missing.id, "failed", |s| matches!(s, ServerStatus::Failed { .. })).await;
    assert!(matches!(status, ServerStatus::Failed { code: FailureCode::ConfigError, .. }), "{status:?}");
    fx.atrium.close().await;
}
