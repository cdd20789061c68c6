//! What the window does, from the command line, with real processes on a temporary home: editing a server's
//! registration, checking and exporting one, taking one off the platform, every server's tools in one list, the
//! local-server allowlist, the viewer chosen per content type, Ctrl+C or SIGTERM cancelling a tool call at the
//! server, and an update of a registration from the platform approving it only when confirmed. Needs the keychain
//! (`scripts/with-keychain.sh`).

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;

use support::{Home, code, everything_js, python, repo, signal, text};

const RECIPE: &str = "application/vnd.my-org.recipe+json";

fn lab_with_everything(home: &Home) -> Value {
    home.json(&["workspace", "create", "Lab"]);
    home.json(&["server", "add", "Lab", "--title", "Everything", "--stdio", "--", "node", &everything_js(), "stdio"])
}

#[test]
fn a_servers_registration_is_changed_field_by_field() {
    let home = Home::new();
    let added = lab_with_everything(&home);
    assert_eq!(added["version"], 1);

    let updated = home.json(&[
        "server",
        "update",
        "Everything",
        "--title",
        "Kitchen sink",
        "--allow",
        "echo",
        "--allow",
        "get-sum",
        "--call-timeout",
        "5000",
    ]);
    assert_eq!(updated["title"], "Kitchen sink");
    assert_eq!(updated["version"], 2);
    let registration = &updated["registration"];
    assert_eq!(registration["allowed_tools"], json!(["echo", "get-sum"]));
    assert_eq!(registration["timeouts"]["call_ms"], 5000);
    assert_eq!(registration["transport"], added["registration"]["transport"], "what was not given stays");
    assert_eq!(updated["approval"]["state"], added["approval"]["state"]);

    let disabled = home.json(&["server", "update", "Kitchen sink", "--disable"]);
    assert_eq!(disabled["enabled"], false);
    let moved =
        home.json(&["server", "update", "Kitchen sink", "--enable", "--allow-all", "--url", "http://127.0.0.1:9/mcp"]);
    assert_eq!((moved["enabled"].as_bool(), moved["transport"].as_str()), (Some(true), Some("http")));
    assert!(moved["registration"].get("allowed_tools").is_none(), "{moved}");
    assert_eq!(moved["registration"]["timeouts"]["call_ms"], 5000);
    let whole = home.json(&[
        "server",
        "update",
        "Kitchen sink",
        "--registration",
        &json!({"transport": {"type": "stdio", "command": "node", "args": [everything_js(), "stdio"]}}).to_string(),
    ]);
    assert_eq!(whole["transport"], "stdio");
    assert_eq!(whole["registration"]["timeouts"]["call_ms"], 30000, "--registration replaces all of it");
    let version = whole["version"].as_u64().expect("version");

    // Refusals: nothing to change, a stale version, a bad field, an unknown server, flags that exclude each other.
    assert_eq!(code(&home.run(&["server", "update", "Kitchen sink"], "")), 65);
    assert_eq!(code(&home.run(&["server", "update", "Kitchen sink", "--title", "Kitchen sink"], "")), 65);
    let stale = home.run(&["server", "update", "Kitchen sink", "--title", "X", "--expect-version", "1"], "");
    assert_eq!(code(&stale), 75, "{}", text(&stale).1);
    let bad = home.run(&["--json", "server", "update", "Kitchen sink", "--url", "ftp://example.com/mcp"], "");
    assert_eq!(code(&bad), 65);
    let err: Value = serde_json::from_slice(&bad.stderr).expect("json error");
    assert_eq!(err["error"]["details"]["problems"][0]["field"], "transport.url");
    assert_eq!(code(&home.run(&["server", "update", "Nope", "--title", "X"], "")), 66);
    assert_eq!(code(&home.run(&["server", "update", "Kitchen sink", "--enable", "--disable"], "")), 2);
    assert_eq!(code(&home.run(&["server", "update", "Kitchen sink", "--authorizer", "Nope"], "")), 66);
    assert_eq!(home.json(&["server", "show", "Kitchen sink"])["version"].as_u64(), Some(version), "nothing written");
}

#[test]
fn registrations_are_checked_exported_without_secrets_and_taken_off_the_platform() {
    let home = Home::new();
    home.json(&["workspace", "create", "Lab"]);
    assert_eq!(
        home.ok(&[
            "server",
            "validate",
            "--registration",
            r#"{"transport": {"type": "http", "url": "https://example.com/mcp"}}"#
        ])
        .trim(),
        "valid"
    );
    let out =
        home.run(&["server", "validate", "--registration", r#"{"transport": {"type": "http", "url": "ftp://x"}}"#], "");
    assert_eq!(code(&out), 65);
    assert!(text(&out).0.starts_with("transport.url:"), "{}", text(&out).0);
    assert_eq!(code(&home.run(&["server", "validate", "--registration", "{oops"], "")), 65);

    let stored = home.run(&["secret", "set", "everything.token"], "token-value-5521\n");
    assert!(stored.status.success(), "{}", text(&stored).1);
    let registration = json!({"transport": {"type": "stdio", "command": "node", "args": [everything_js(), "stdio"],
        "env": {"MODE": "demo", "API_TOKEN": {"secret_id": "everything.token"}}}});
    let server =
        home.json(&["server", "add", "Lab", "--title", "Everything", "--registration", &registration.to_string()]);
    let id = server["id"].as_str().expect("id");

    let out = home.run(&["server", "export", "Everything"], "");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let file: Value = serde_json::from_str(&stdout).expect("the .mcp.json on stdout");
    assert_eq!(file["mcpServers"]["Everything"]["command"], "node");
    assert_eq!(file["mcpServers"]["Everything"]["env"], json!({"MODE": "demo", "API_TOKEN": ""}));
    assert!(stderr.contains("left out (secret): env API_TOKEN"), "{stderr}");
    let exported = home.json(&["server", "export", id]);
    assert_eq!(
        (exported["file_name"].as_str(), &exported["omitted"]),
        (Some("everything.mcp.json"), &json!(["env API_TOKEN"]))
    );
    let path = home.dir.path().join("shared.mcp.json");
    home.ok(&["server", "export", "Everything", "--output", path.to_str().expect("path")]);
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("written")).expect("json");
    assert_eq!(written, file);
    assert!(
        !stdout.contains("token-value-5521") && !std::fs::read_to_string(&path).expect("read").contains("token-value")
    );
    assert_eq!(code(&home.run(&["server", "export", "Nope"], "")), 66);

    // Offered to the platform (as `platform publish-server` marks it), then taken off again.
    let mut context = home.json(&["artifact", "show", id])["context"].clone();
    context["mcp_server"] = json!({"kind": "relay", "local_server_id": id, "name": "everything"});
    home.json(&["artifact", "edit", id, "--context", &context.to_string()]);
    assert_eq!(home.json(&["server", "show", "Everything"])["published"], true);
    let unpublished = home.json(&["server", "unpublish", "Everything"]);
    assert_eq!(unpublished["published"], false, "{unpublished}");
    assert_eq!(unpublished["registration"]["transport"]["command"], "node", "the registration stays");
    assert!(home.json(&["artifact", "show", id])["context"].get("mcp_server").is_none());
    assert!(home.ok(&["server", "unpublish", "Everything"]).contains("no longer offered to the platform"));
    assert_eq!(code(&home.run(&["server", "unpublish", "Nope"], "")), 66);

    // Every enabled server's tools, under their flat names.
    home.json(&["server", "update", "Everything", "--allow", "echo"]);
    let catalog = home.json(&["server", "catalog"]);
    let names: Vec<&str> = catalog.as_array().expect("tools").iter().filter_map(|t| t["flat_name"].as_str()).collect();
    assert_eq!(names, ["everything__echo"]);
    home.json(&["server", "disable", "Everything"]);
    assert_eq!(home.json(&["server", "catalog"]), json!([]));
}

#[test]
fn the_local_server_allowlist_decides_what_runs() {
    let home = Home::new();
    home.json(&["workspace", "create", "Lab"]);
    let shown = home.json(&["allowlist", "show"]);
    assert!(shown["default_commands"].as_array().expect("defaults").contains(&json!("node")), "{shown}");
    assert_eq!(shown["extra_commands"], json!([]));

    // A Python named by its path runs only once that path is allowed.
    // (The venv's own path: resolving its symlink would leave the venv and its packages.)
    let exact = repo().canonicalize().expect("repo").join(".tools/py/bin/python").display().to_string();
    assert!(std::path::Path::new(&python()).exists());
    let script = repo().join("tests/fixtures/recipe-server/server.py").canonicalize().expect("script");
    home.json(&["server", "add", "Lab", "--title", "Recipes", "--stdio", "--", &exact, script.to_str().expect("path")]);
    let refused = home.run(&["server", "tools", "Recipes"], "");
    assert_eq!(code(&refused), 69, "{}", text(&refused).1);
    assert!(text(&refused).1.contains("allow"), "the refusal says what to allow: {}", text(&refused).1);

    let added = home.json(&["allowlist", "add", &exact, "uv", &exact]);
    assert_eq!(added["extra_commands"], json!([exact, "uv"]), "each once");
    let tools = home.json(&["server", "tools", "Recipes"]);
    assert!(tools.as_array().expect("tools").iter().any(|t| t["name"] == "scale_recipe"), "{tools}");
    let human = home.ok(&["allowlist", "show"]);
    assert!(human.contains(&format!("added     {exact}, uv")), "{human}");

    // Refusals: a built-in command, one never added, shell text, a relative path; nothing changes.
    assert_eq!(code(&home.run(&["allowlist", "remove", "node"], "")), 65);
    assert_eq!(code(&home.run(&["allowlist", "remove", "deno2"], "")), 66);
    assert_eq!(code(&home.run(&["allowlist", "add", "rm -rf"], "")), 65);
    let relative = home.run(&["--json", "allowlist", "add", "bin/tool"], "");
    assert_eq!(code(&relative), 65);
    let err: Value = serde_json::from_slice(&relative.stderr).expect("json error");
    assert_eq!(err["error"]["details"]["problems"][0]["field"], "extra_commands[2]");
    assert_eq!(code(&home.run(&["allowlist", "add"], "")), 2);
    assert_eq!(home.json(&["allowlist", "show"])["extra_commands"], json!([exact, "uv"]));

    assert_eq!(home.json(&["allowlist", "remove", "uv"])["extra_commands"], json!([exact]));
    assert_eq!(home.json(&["allowlist", "set"])["extra_commands"], json!([]));
    assert_eq!(code(&home.run(&["server", "tools", "Recipes"], "")), 69);
}

#[test]
fn the_viewer_for_a_content_type_is_chosen_and_reset() {
    let home = Home::new();
    home.json(&["workspace", "create", "Lab"]);
    let script = repo().join("tests/fixtures/recipe-server/server.py").canonicalize().expect("script");
    let server = home.json(&[
        "server",
        "add",
        "Lab",
        "--title",
        "Recipes",
        "--stdio",
        "--",
        "python",
        script.to_str().expect("path"),
    ]);
    let id = server["id"].as_str().expect("id");
    let by_server = json!({"kind": "server", "server_id": id});

    let choices = home.json(&["viewer", "list", RECIPE]);
    let offered: Vec<&Value> =
        choices["candidates"].as_array().expect("candidates").iter().map(|c| &c["choice"]).collect();
    assert_eq!(offered, [&by_server, &json!({"kind": "built_in"})], "{choices}");
    assert_eq!(choices["chosen"], Value::Null);
    assert_eq!(choices["candidates"][0]["resource_uri"], "ui://my-server/vnd.my-org.recipe.html");
    let human = home.ok(&["viewer", "list", RECIPE]);
    assert!(human.lines().any(|l| l.starts_with("* Recipes")), "{human}");

    assert_eq!(home.json(&["viewer", "choose", RECIPE, "built-in"])["chosen"], json!({"kind": "built_in"}));
    let human = home.ok(&["viewer", "list", RECIPE]);
    assert!(human.lines().any(|l| l.starts_with("* Built-in")) && human.contains("your choice"), "{human}");
    assert_eq!(home.json(&["viewer", "choose", RECIPE, "Recipes"])["chosen"], by_server);
    assert_eq!(home.json(&["viewer", "reset", RECIPE])["chosen"], Value::Null);

    // A server without a view for the type, an unknown server: refused, the choice untouched.
    let out = home.run(&["viewer", "choose", "text/markdown", "Recipes"], "");
    assert_eq!(code(&out), 65);
    assert!(text(&out).1.contains("has no view for text/markdown"), "{}", text(&out).1);
    assert_eq!(code(&home.run(&["viewer", "choose", RECIPE, "Nope"], "")), 66);
    assert_eq!(home.json(&["viewer", "list", "text/markdown"])["chosen"], Value::Null);

    let types = home.json(&["content-types"]);
    let recipe = types.as_array().expect("types").iter().find(|t| t["mime"] == RECIPE).expect("the server's type");
    assert_eq!((recipe["label"].as_str(), recipe["server_id"].as_str()), (Some("Recipe"), Some(id)));
    assert!(types.as_array().expect("types").iter().any(|t| t["mime"] == "text/markdown"));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_from_the_platform_is_approved_by_an_update_only_when_confirmed() {
    let double = atrium_testkit::platform::PlatformDouble::start().await.expect("double");
    let home = Home::new();
    home.json(&["workspace", "create", "Lab"]);
    let user = double.user();
    let signed =
        home.run(&["platform", "sign-in", &double.url(), "--user", &user.username], &format!("{}\n", user.password));
    assert!(signed.status.success(), "{}", text(&signed).1);
    let remote_id = home.json(&["platform", "publish", "Lab"])["remote_id"].as_str().expect("remote id").to_owned();
    let registration = json!({"transport": {"type": "stdio", "command": "node", "args": [everything_js(), "stdio"]}});
    double.remote().create(
        &remote_id,
        "Helpful tools",
        "application/vnd.agience.mcp-server+json",
        &registration.to_string(),
    );
    home.ok(&["sync"]);
    assert_eq!(home.json(&["server", "show", "Helpful tools"])["approval"]["state"], "required");

    // Saving a registration approves it, as the app's form does: shown, and asked, first.
    let out = home.run(&["server", "update", "Helpful tools", "--allow", "echo"], "");
    let (_, stderr) = text(&out);
    assert_eq!(code(&out), 65, "{stderr}");
    assert!(stderr.contains("saving approves this registration") && stderr.contains("\"echo\""), "{stderr}");
    let unchanged = home.json(&["server", "show", "Helpful tools"]);
    assert_eq!((unchanged["approval"]["state"].as_str(), unchanged["version"].as_u64()), (Some("required"), Some(1)));
    // Only the title or only enabled: nothing is approved, nothing asked.
    let renamed = home.json(&["server", "update", "Helpful tools", "--title", "Helpers", "--disable"]);
    assert_eq!((renamed["title"].as_str(), renamed["enabled"].as_bool()), (Some("Helpers"), Some(false)));
    assert_eq!(renamed["approval"]["state"], "required");
    let approved = home.json(&["server", "update", "Helpers", "--allow", "echo", "--enable", "--yes"]);
    assert_eq!(approved["approval"]["state"], "approved", "{approved}");
    assert_eq!(approved["registration"]["allowed_tools"], json!(["echo"]));

    // Published for the relay, then taken off again.
    home.ok(&["platform", "publish-server", "Helpers"]);
    assert_eq!(home.json(&["server", "show", "Helpers"])["published"], true);
    assert!(home.ok(&["server", "show", "Helpers"]).contains("atrium server unpublish"));
    assert_eq!(home.json(&["server", "unpublish", "Helpers"])["published"], false);
}
