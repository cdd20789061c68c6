//! `atrium authorizer …` against a real OAuth authorization server (`tests/peers/oauth_server.py`, which approves
//! at once): created with its client secret from stdin, connected through a `$BROWSER` that follows the redirects,
//! used by a server, disconnected (revoked), a waiting connect cancelled by Ctrl+C, deleted only when asked and
//! unused. Needs the keychain (`scripts/with-keychain.sh`).

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;

use support::{Home, code, oauth_server, signal, text};

fn create_args<'a>(base: &'a [String; 3], title: &'a str) -> Vec<&'a str> {
    vec![
        "authorizer",
        "create",
        "Lab",
        "--title",
        title,
        "--auth-url",
        &base[0],
        "--token-url",
        &base[1],
        "--revoke-url",
        &base[2],
        "--scope",
        "mcp:read",
        "--client-id",
        "atrium-authorizer",
        "--client-secret-stdin",
    ]
}

#[test]
fn an_authorizer_is_created_connected_used_and_removed_from_the_command_line() {
    let peer = oauth_server();
    let home = Home::new();
    home.json(&["workspace", "create", "Lab"]);
    let endpoints =
        [format!("{}/authorize", peer.base), format!("{}/token", peer.base), format!("{}/revoke", peer.base)];

    let mut args = vec!["--json"];
    args.extend(create_args(&endpoints, "Test provider"));
    let out = home.run(&args, "atrium-authorizer-secret\n");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let created: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(created["connected"], false);
    assert_eq!(created["config"]["provider"], "127.0.0.1", "guessed from the authorization URL");
    assert_eq!(created["config"]["secret_id"], "authorizer.test-provider.client-secret");
    assert_eq!(created["config"]["scopes"], json!(["mcp:read"]));
    assert!(!stdout.contains("atrium-authorizer-secret"));
    let secrets = home.json(&["secret", "list"]);
    assert_eq!(
        (secrets[0]["id"].as_str(), secrets[0]["is_set"].as_bool()),
        (Some("authorizer.test-provider.client-secret"), Some(true))
    );
    let id = created["id"].as_str().expect("id").to_owned();

    // Refusals: what is missing, a bad URL, an empty secret, unknown names, nothing to change, a stale version.
    let out = home.run(&["authorizer", "create", "Lab", "--title", "Half", "--auth-url", &endpoints[0]], "");
    assert_eq!(code(&out), 65);
    assert!(text(&out).1.contains("--token-url, --client-id"), "{}", text(&out).1);
    let bad = [
        "authorizer",
        "create",
        "Lab",
        "--title",
        "Bad",
        "--auth-url",
        "ftp://x/authorize",
        "--token-url",
        &endpoints[1],
        "--client-id",
        "c",
    ];
    assert_eq!(code(&home.run(&bad, "")), 65);
    assert_eq!(code(&home.run(&create_args(&endpoints, "No secret"), "")), 65, "the secret flag with nothing on stdin");
    assert_eq!(code(&home.run(&["authorizer", "show", "Nope"], "")), 66);
    assert_eq!(code(&home.run(&["authorizer", "create", "Nowhere", "--config", "{}"], "")), 2, "--title is required");
    assert_eq!(code(&home.run(&["authorizer", "update", "Test provider"], "")), 65);
    assert_eq!(
        code(&home.run(&["authorizer", "update", "Test provider", "--title", "X", "--expect-version", "9"], "")),
        75
    );
    assert_eq!(home.json(&["authorizer", "list"]).as_array().map(Vec::len), Some(1), "nothing half-made stays");

    let updated = home.json(&["authorizer", "update", "Test provider", "--title", "Test OAuth", "--provider", "test"]);
    assert_eq!((updated["title"].as_str(), updated["version"].as_u64()), (Some("Test OAuth"), Some(2)));
    assert_eq!(updated["config"]["client_id"], "atrium-authorizer", "what was not given stays");
    let shown = home.ok(&["authorizer", "show", "test oauth"]);
    assert!(shown.contains("client id   atrium-authorizer") && shown.contains("connected   no"), "{shown}");

    let server = home.json(&[
        "server",
        "add",
        "Lab",
        "--title",
        "Protected",
        "--url",
        &format!("{}/mcp", peer.base),
        "--authorizer",
        "Test OAuth",
    ]);
    assert_eq!(server["registration"]["auth"], json!({"type": "oauth2", "authorizer_id": id}));
    assert_eq!(home.json(&["authorizer", "list", "--workspace", "Lab"])[0]["used_by"], json!(["Protected"]));

    // Connect: the address is printed, the browser follows the redirects, the tokens go to the keychain.
    let browser = home.headless_browser();
    let out = home
        .command(&["--json", "authorizer", "connect", "Test OAuth"])
        .env("BROWSER", &browser)
        .output()
        .expect("connect");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("{}/authorize?", peer.base)), "the address is printed: {stderr}");
    let connected: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!((connected["connected"].as_bool(), &connected["used_by"]), (Some(true), &json!(["Protected"])));
    let whoami = home.json(&["server", "call", "Protected", "whoami"]);
    assert!(
        whoami["result"].to_string().contains("atrium-authorizer"),
        "signed in as the Authorizer's client: {whoami}"
    );

    let disconnected = home.json(&["authorizer", "disconnect", "Test OAuth"]);
    assert_eq!(disconnected, json!({"id": id, "revoked": true}));
    assert_eq!(home.json(&["authorizer", "show", &id])["connected"], false);

    // A connect waiting for a browser that never comes back: Ctrl+C cancels it, exit 1.
    let idle = home.script("idle-browser.sh", "#!/bin/sh\nexit 0\n");
    let waiting = home
        .command(&["authorizer", "connect", "Test OAuth"])
        .env("BROWSER", &idle)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("connect");
    std::thread::sleep(Duration::from_secs(1));
    let signalled = Instant::now();
    signal(waiting.id(), "INT");
    let out = waiting.wait_with_output().expect("wait");
    assert_eq!(code(&out), 1, "{}", text(&out).1);
    assert!(signalled.elapsed() < Duration::from_secs(5), "took {:?}", signalled.elapsed());
    assert!(text(&out).1.contains("cancelled"), "{}", text(&out).1);

    // The same for a server's own sign-in (MCP authorization, here with dynamic registration).
    home.json(&["server", "add", "Lab", "--title", "Direct", "--url", &format!("{}/mcp", peer.base)]);
    let waiting = home
        .command(&["server", "sign-in", "Direct"])
        .env("BROWSER", &idle)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sign-in");
    std::thread::sleep(Duration::from_secs(2));
    signal(waiting.id(), "INT");
    let out = waiting.wait_with_output().expect("wait");
    assert_eq!(code(&out), 1, "{}", text(&out).1);
    assert!(text(&out).1.contains("cancelled"), "{}", text(&out).1);

    // Deleting: refused while a server uses it, and without a terminal unless --yes.
    assert_eq!(code(&home.run(&["authorizer", "delete", "Test OAuth", "--yes"], "")), 65);
    home.ok(&["server", "remove", "Protected", "--yes"]);
    assert_eq!(code(&home.run(&["authorizer", "delete", "Test OAuth"], "")), 65);
    assert_eq!(home.json(&["authorizer", "list"]).as_array().map(Vec::len), Some(1));
    assert_eq!(home.json(&["authorizer", "delete", "Test OAuth", "--yes"]), json!({"deleted": "authorizer", "id": id}));
    assert_eq!(home.json(&["authorizer", "list"]), json!([]));
    assert_eq!(code(&home.run(&["authorizer", "disconnect", &id], "")), 66);
}

#[test]
fn a_whole_configuration_can_be_given_and_a_new_client_secret_kept() {
    let home = Home::new();
    home.json(&["workspace", "create", "Lab"]);
    let config = json!({"auth_url": "https://github.com/login/oauth/authorize",
        "token_url": "https://github.com/login/oauth/access_token", "client_id": "Iv1.abc", "scopes": ["repo"]});
    let created = home.json(&["authorizer", "create", "Lab", "--title", "GitHub", "--config", &config.to_string()]);
    assert_eq!(created["config"]["provider"], "github");
    assert_eq!(created["config"]["secret_id"], Value::Null, "a public client has no secret");

    // A client secret for it later: kept in the keychain under the id the Authorizer now names.
    let updated = home.json_with_stdin(
        &["authorizer", "update", "GitHub", "--client-secret-stdin", "--token-auth-method", "client_secret_basic"],
        "s3cret\n",
    );
    assert_eq!(updated["config"]["secret_id"], "authorizer.github.client-secret");
    assert_eq!(updated["config"]["token_auth_method"], "client_secret_basic");
    assert_eq!(home.json(&["secret", "list"])[0]["is_set"], true);
    // Only the secret: the Authorizer is not written again.
    let same = home.json_with_stdin(&["authorizer", "update", "GitHub", "--client-secret-stdin"], "n3w\n");
    assert_eq!(same["version"], updated["version"]);
    assert_eq!(code(&home.run(&["authorizer", "update", "GitHub", "--token-auth-method", "private_key_jwt"], "")), 2);
    assert_eq!(code(&home.run(&["authorizer", "create", "Lab", "--title", "X", "--config", "[1]"], "")), 65);
}
