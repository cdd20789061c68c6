//! What the window does, from the command line, with real processes on a temporary home: the local-server
//! allowlist, the viewer chosen per content type, and Ctrl+C or SIGTERM cancelling a tool call at the server.
//! Needs the keychain (`scripts/with-keychain.sh`).

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
