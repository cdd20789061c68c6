//! The `atrium` binary end to end: real processes on a temporary home, JSON output and exit codes.

use std::process::{Command, Stdio};

use serde_json::Value;

mod support;

use support::{Home, code, everything_js};

#[test]
fn scripts_can_do_everything_the_window_does() {
    let cli = Home::new();
    let ws = cli.json(&["workspace", "create", "Recipes"]);
    assert_eq!(ws["title"], "Recipes");

    let bread = cli.json(&["artifact", "create", "Recipes", "--title", "Bread", "--content", "Flour and water"]);
    let id = bread["id"].as_str().expect("id").to_owned();
    assert_eq!(bread["content_type"], "text/markdown");

    let out = cli.run(
        &["--json", "artifact", "create", "recipes", "--title", "Card", "--type", "application/json", "--stdin"],
        "{\"name\": \"bread\"}",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let edited = cli.json(&["artifact", "edit", &id, "--content", "Flour, water, patience", "--expect-version", "1"]);
    assert_eq!(edited["version"], 2);
    let hits = cli.json(&["search", "patience"]);
    assert_eq!(hits[0]["artifact_id"], id.as_str());

    let history = cli.json(&["artifact", "history", &id]);
    assert_eq!(history.as_array().map(Vec::len), Some(2));
    let restored = cli.json(&["artifact", "restore", &id, "1"]);
    assert_eq!((restored["version"].as_u64(), restored["content"].as_str()), (Some(3), Some("Flour and water")));

    let listed = cli.json(&["artifact", "list", "Recipes"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(2));
    let renamed = cli.json(&["workspace", "rename", "Recipes", "Baking"]);
    assert_eq!(renamed["title"], "Baking");
    let described = cli.json(&["workspace", "describe", "Baking", "  Breads and what goes with them "]);
    assert_eq!(
        (described["title"].as_str(), described["description"].as_str()),
        (Some("Baking"), Some("Breads and what goes with them"))
    );
    assert_eq!(cli.json(&["workspace", "list"])[0]["description"], "Breads and what goes with them");
    assert_eq!(cli.json(&["workspace", "describe", "Baking", ""])["description"], "");

    let content = cli.run(&["artifact", "show", &id, "--content-only"], "");
    assert_eq!(String::from_utf8_lossy(&content.stdout), "Flour and water");

    cli.json(&["artifact", "delete", &id, "--yes"]);
    cli.json(&["workspace", "delete", "Baking", "--yes"]);
    assert_eq!(cli.json(&["workspace", "list"]), serde_json::json!([]));
}

#[test]
fn failures_have_meaningful_exit_codes_and_typed_errors() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "W"]);
    let a = cli.json(&["artifact", "create", "W", "--title", "T", "--type", "application/json", "--content", "{}"]);
    let id = a["id"].as_str().expect("id");

    let bad_json = cli.run(&["--json", "artifact", "edit", id, "--content", "{oops"], "");
    assert_eq!(code(&bad_json), 65);
    let err: Value = serde_json::from_slice(&bad_json.stderr).expect("json error");
    assert_eq!(err["error"]["code"], "invalid_input");
    assert_eq!(err["error"]["details"]["problems"][0]["field"], "content");

    cli.json(&["artifact", "edit", id, "--content", "[1]", "--expect-version", "1"]);
    let stale = cli.run(&["artifact", "edit", id, "--content", "[2]", "--expect-version", "1"], "");
    assert_eq!(code(&stale), 75);
    assert!(String::from_utf8_lossy(&stale.stderr).contains("changed since you opened it"));

    assert_eq!(code(&cli.run(&["artifact", "show", "0190f1f2-0000-7000-8000-000000000000"], "")), 66);
    assert_eq!(code(&cli.run(&["artifact", "list", "No such workspace"], "")), 66);
    assert_eq!(code(&cli.run(&["artifact", "edit", id], "")), 65, "an edit that changes nothing is refused");
    assert_eq!(code(&cli.run(&["artifact", "frobnicate"], "")), 2);

    let too_long = "d".repeat(2001);
    let refused = cli.run(&["--json", "workspace", "describe", "W", &too_long], "");
    assert_eq!(code(&refused), 65);
    let err: Value = serde_json::from_slice(&refused.stderr).expect("json error");
    assert_eq!(err["error"]["details"]["problems"][0]["field"], "description");

    // Without a terminal and without --yes, nothing is deleted.
    let refused = cli.run(&["workspace", "delete", "W"], "");
    assert_eq!(code(&refused), 65);
    assert_eq!(cli.json(&["workspace", "list"]).as_array().map(Vec::len), Some(1));
    assert_eq!(cli.json(&["artifact", "show", id])["content"], "[1]");
}

#[test]
fn an_artifacts_context_is_set_changed_and_shown() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "Kitchen"]);
    let card = cli.json(&[
        "artifact",
        "create",
        "Kitchen",
        "--title",
        "Paella",
        "--type",
        "application/json",
        "--content",
        "{}",
        "--context",
        r#"{"cuisine": "Valencian", "serves": 4}"#,
    ]);
    assert_eq!(card["context"], serde_json::json!({"cuisine": "Valencian", "serves": 4}));
    let id = card["id"].as_str().expect("id");

    let shown = cli.ok(&["artifact", "show", id]);
    assert!(shown.contains(r#"context    {"cuisine":"Valencian","serves":4}"#), "{shown}");

    let file = cli.dir.path().join("context.json");
    std::fs::write(&file, r#"{"cuisine": "Basque"}"#).expect("write");
    let edited = cli.json(&["artifact", "edit", id, "--context-file", file.to_str().expect("path")]);
    assert_eq!((edited["version"].as_u64(), &edited["context"]), (Some(2), &serde_json::json!({"cuisine": "Basque"})));
    let first = cli.json(&["artifact", "show", id, "--version", "1"]);
    assert_eq!(first["context"]["cuisine"], "Valencian", "the history keeps each version's context");
    assert!(cli.ok(&["artifact", "show", id, "--version", "1"]).contains(r#""cuisine":"Valencian""#));

    // Not an object, not JSON, both sources, an unreadable file: refused, nothing written.
    let out = cli.run(&["--json", "artifact", "edit", id, "--context", "[1]"], "");
    assert_eq!(code(&out), 65);
    let err: Value = serde_json::from_slice(&out.stderr).expect("json error");
    assert_eq!(err["error"]["details"]["problems"][0]["field"], "context");
    assert_eq!(code(&cli.run(&["artifact", "edit", id, "--context", "{oops"], "")), 65);
    assert_eq!(code(&cli.run(&["artifact", "edit", id, "--context", "{}", "--context-file", "x.json"], "")), 2);
    assert_eq!(code(&cli.run(&["artifact", "edit", id, "--context-file", "/nonexistent/context.json"], "")), 65);
    assert_eq!(cli.json(&["artifact", "show", id])["version"], 2);

    // A draft is checked by the store's rules without being saved.
    assert_eq!(cli.ok(&["artifact", "validate", "--title", "Note", "--content", "hello"]).trim(), "valid");
    let out =
        cli.run(&["artifact", "validate", "--title", "Card", "--type", "application/json", "--content", "{x"], "");
    assert_eq!(code(&out), 65);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("content:"), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(cli.json(&["artifact", "list", "Kitchen"]).as_array().map(Vec::len), Some(1));
}

#[test]
fn a_database_from_a_newer_atrium_exits_76_and_is_untouched() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "W"]);
    let db = cli.dir.path().join("atrium.db");
    // Another (newer) Atrium recorded a migration this one does not know.
    let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.expect("connect");
        sqlx::query("INSERT INTO schema_migrations VALUES (999, 'future', 'x', 'now')")
            .execute(&mut conn)
            .await
            .expect("insert");
        conn.close().await.expect("close");
    });
    let before = std::fs::read(&db).expect("read");
    let out = cli.run(&["workspace", "list"], "");
    assert_eq!(code(&out), 76);
    assert!(String::from_utf8_lossy(&out.stderr).contains("update Atrium"));
    assert_eq!(std::fs::read(&db).expect("read"), before, "the refusal wrote nothing");
}

#[test]
fn servers_can_be_registered_called_and_audited_from_scripts() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "Lab"]);
    let js = everything_js();
    let server = cli.json(&[
        "server",
        "add",
        "Lab",
        "--title",
        "Everything",
        "--allow",
        "echo",
        "--allow",
        "get-sum",
        "--stdio",
        "--",
        "node",
        &js,
        "stdio",
    ]);
    assert_eq!(server["transport"], "stdio");
    assert_eq!(server["registration"]["transport"]["args"][1], "stdio");
    assert_eq!(server["registration"]["allowed_tools"], serde_json::json!(["echo", "get-sum"]));

    let listed = cli.json(&["server", "list", "--workspace", "Lab"]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    let test = cli.json(&["server", "test", "Everything"]);
    assert_eq!(test["success"], true, "{test}");
    assert_eq!(test["tools"], serde_json::json!(["echo", "get-sum"]));

    let tools = cli.json(&["server", "tools", "Everything"]);
    assert_eq!(
        tools.as_array().map(|t| t.iter().map(|t| t["name"].clone()).collect::<Vec<_>>()),
        Some(vec![Value::from("echo"), Value::from("get-sum")])
    );

    let sum = cli.json(&["server", "call", "Everything", "get-sum", "--arg", "a=2", "--arg", "b=40"]);
    assert_eq!(sum["status"], "ok");
    assert!(sum["result"]["content"][0]["text"].as_str().is_some_and(|t| t.contains("42")), "{sum}");

    // Outside allowed_tools: refused (exit 69), and audited as denied.
    let out = cli.run(&["server", "call", "Everything", "get-tiny-image"], "");
    assert_eq!(code(&out), 69, "{}", String::from_utf8_lossy(&out.stderr));

    let audit = cli.json(&["audit", "--server", "Everything"]);
    let rows: Vec<(String, String, String)> = audit
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["tool"].as_str().unwrap_or("").into(),
                r["status"].as_str().unwrap_or("").into(),
                r["origin"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("get-tiny-image".into(), "denied".into(), "cli".into()), ("get-sum".into(), "ok".into(), "cli".into()),]
    );

    let disabled = cli.json(&["server", "disable", "Everything"]);
    assert_eq!(disabled["enabled"], false);
    let out = cli.run(&["server", "tools", "Everything"], "");
    assert_eq!(code(&out), 69);

    let out = cli.run(&["server", "remove", "Everything", "--yes"], "");
    assert!(out.status.success());
    assert_eq!(cli.json(&["server", "list"]).as_array().map(Vec::len), Some(0));
}

#[test]
fn a_bad_registration_exits_65_with_its_fields() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "Lab"]);
    let out = cli.run(&["--json", "server", "add", "Lab", "--title", "Bad", "--url", "ftp://example.com/mcp"], "");
    assert_eq!(code(&out), 65);
    let err: Value = serde_json::from_slice(&out.stderr).expect("json error");
    assert_eq!(err["error"]["details"]["problems"][0]["field"], "transport.url");
    let out = cli.run(
        &["server", "test", "--registration", r#"{"transport": {"type": "http", "url": "http://127.0.0.1:9/mcp"}}"#],
        "",
    );
    assert_eq!(code(&out), 69);
    assert!(String::from_utf8_lossy(&out.stdout).contains("connection_error"));
}

#[test]
fn secrets_come_from_stdin_and_are_never_printed() {
    let cli = Home::new();
    let out = cli.run(&["secret", "set", "api.KEY", "--description", "for tests"], "cli-secret-value-93\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed = cli.json(&["secret", "list"]);
    assert_eq!(listed[0]["id"], "api.KEY");
    assert_eq!(listed[0]["is_set"], true);
    assert!(!listed.to_string().contains("cli-secret-value-93"));
    let bad = cli.run(&["secret", "set", "has space"], "x");
    assert_eq!(code(&bad), 65);
    let out = cli.run(&["secret", "delete", "api.KEY", "--yes"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(cli.json(&["secret", "list"]).as_array().map(Vec::len), Some(0));
    let missing = cli.run(&["secret", "delete", "api.KEY", "--yes"], "");
    assert_eq!(code(&missing), 66);
}

#[test]
fn configs_import_from_the_command_line() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "Lab"]);
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/import");
    let dry =
        cli.json(&["import", "--workspace", "Lab", "--dry-run", fixtures.join(".mcp.json").to_str().expect("path")]);
    assert_eq!(dry["format"], "mcp_json");
    assert_eq!(cli.json(&["server", "list"]).as_array().map(Vec::len), Some(0), "a dry run creates nothing");
    let report = cli.json(&["import", "--workspace", "Lab", fixtures.join(".mcp.json").to_str().expect("path")]);
    assert_eq!(report["created"].as_array().map(Vec::len), Some(2));
    assert_eq!(report["secrets_stored"], serde_json::json!(["tracker.TRACKER_TOKEN"]));
    let broken =
        cli.run(&["import", "--workspace", "Lab", fixtures.join("malformed.json").to_str().expect("path")], "");
    assert_eq!(code(&broken), 65);
    assert!(String::from_utf8_lossy(&broken.stderr).contains("line 4"), "{}", String::from_utf8_lossy(&broken.stderr));
}

/// Processes whose process group is `group` (Linux).
fn group_members(group: u32) -> usize {
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter(|e| {
            std::fs::read_to_string(e.path().join("stat")).ok().and_then(|stat| {
                let rest = stat.rsplit_once(')')?.1.to_owned();
                let fields: Vec<&str> = rest.split_whitespace().collect();
                Some(fields.first() != Some(&"Z") && fields.get(2)?.parse::<u32>().ok()? == group)
            }) == Some(true)
        })
        .count()
}

#[test]
fn servers_run_in_the_foreground_answer_stop_and_restart_and_go_with_sigterm() {
    let cli = Home::new();
    cli.json(&["workspace", "create", "Lab"]);
    let js = everything_js();
    for title in ["One", "Two"] {
        cli.json(&["server", "add", "Lab", "--title", title, "--stdio", "--", "node", &js, "stdio"]);
    }
    let mut host = cli
        .command(&["--json", "server", "start", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    // One JSON line per server once it settled.
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(host.stdout.take().expect("stdout")));
    let mut pids = Vec::new();
    for _ in 0..2 {
        let line: Value = serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("json");
        assert_eq!(line["state"]["status"]["state"], "ready", "{line}");
        pids.push(line["state"]["pid"].as_u64().expect("pid") as u32);
    }
    assert!(pids.iter().all(|p| group_members(*p) > 0));

    // From another process: restart one, stop the other.
    let restarted = cli.json(&["server", "restart", "One"]);
    assert_eq!(restarted["status"]["state"], "ready", "{restarted}");
    let new_pid = restarted["pid"].as_u64().expect("pid") as u32;
    assert!(!pids.contains(&new_pid));
    let stopped = cli.json(&["server", "stop", "Two"]);
    assert_eq!(stopped["status"]["state"], "stopped", "{stopped}");
    assert_eq!(group_members(pids[1]), 0, "a stopped server's processes are gone");

    let logs = cli.run(&["server", "logs", "One", "-n", "50"], "");
    assert!(
        String::from_utf8_lossy(&logs.stdout).contains("connected to"),
        "{}",
        String::from_utf8_lossy(&logs.stdout)
    );

    // SIGTERM: everything it ran is gone, within a bounded time.
    let started = std::time::Instant::now();
    assert!(Command::new("kill").args(["-TERM", &host.id().to_string()]).status().expect("kill").success());
    let status = host.wait().expect("wait");
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
    for pid in [pids[0], pids[1], new_pid] {
        assert_eq!(group_members(pid), 0, "process group {pid} outlived atrium");
    }
    // With nothing running, stop says so and restart is refused with "unavailable".
    assert!(cli.run(&["server", "stop", "One"], "").status.success());
    assert_eq!(code(&cli.run(&["server", "restart", "One"], "")), 69);
}
