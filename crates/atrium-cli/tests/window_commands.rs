//! What the window does, from the command line, with real processes on a temporary home: Ctrl+C or SIGTERM
//! cancelling a tool call at the server. Needs the keychain (`scripts/with-keychain.sh`).

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;

use support::{Home, code, everything_js, signal, text};

fn lab_with_everything(home: &Home) -> Value {
    home.json(&["workspace", "create", "Lab"]);
    home.json(&["server", "add", "Lab", "--title", "Everything", "--stdio", "--", "node", &everything_js(), "stdio"])
}

/// `server call` of a 30-second operation, and the signal `name` a second after it started.
fn interrupted_call(home: &Home, name: &str) -> (std::process::Output, Duration) {
    let call = home
        .command(&[
            "server",
            "call",
            "Everything",
            "trigger-long-running-operation",
            "--arg",
            "duration=30",
            "--arg",
            "steps=30",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("call");
    std::thread::sleep(Duration::from_millis(1500));
    let signalled = Instant::now();
    signal(call.id(), name);
    let out = call.wait_with_output().expect("wait");
    (out, signalled.elapsed())
}

#[test]
fn ctrl_c_or_sigterm_cancels_a_tool_call_at_the_server() {
    let home = Home::new();
    lab_with_everything(&home);
    for name in ["INT", "TERM"] {
        let (out, took) = interrupted_call(&home, name);
        let (stdout, stderr) = text(&out);
        assert_eq!(code(&out), 1, "SIG{name}: {stdout} {stderr}");
        assert!(took < Duration::from_secs(5), "SIG{name}: took {took:?}");
        assert!(stderr.lines().any(|l| l == "cancelled"), "SIG{name}: {stderr}");
        let audit = home.json(&["audit", "--server", "Everything", "--limit", "1"]);
        assert_eq!(audit[0]["tool"], "trigger-long-running-operation");
        assert_eq!(
            (audit[0]["status"].as_str(), audit[0]["origin"].as_str()),
            (Some("cancelled"), Some("cli")),
            "{audit}"
        );
        assert!(audit[0]["duration_ms"].as_u64().is_some_and(|ms| ms < 10_000), "{audit}");
    }
    // Without a signal a call still ends as it ends.
    let sum = home.json(&["server", "call", "Everything", "get-sum", "--arg", "a=1", "--arg", "b=2"]);
    assert_eq!(sum["status"], "ok");
}
