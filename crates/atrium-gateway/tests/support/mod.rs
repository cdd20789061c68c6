//! What the gateway's test binaries share: where the test peers are installed, and one MCP session spoken as raw
//! JSON-RPC over HTTP (its answers read whether they come as JSON or as an event stream).
#![allow(dead_code)] // Each test binary uses part of it.

use std::path::PathBuf;

use atrium_api::{Atrium, AtriumPaths, NewWorkspace, OpenOptions};
use atrium_gateway::{Gateway, GatewayOptions};
use serde_json::{Value, json};

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `path`, which `make setup-test` installs.
pub fn require(path: PathBuf) -> String {
    assert!(path.exists(), "{} is missing: run scripts/setup.sh --test", path.display());
    path.display().to_string()
}

/// The Node the setup installs, else the machine's.
pub fn node() -> String {
    let local = repo().join(".tools/node22/node_modules/.bin/node");
    if local.exists() { local.display().to_string() } else { "node".into() }
}

/// The Python the setup installs (with the MCP SDK).
pub fn python() -> String {
    require(repo().join(".tools/py/bin/python"))
}

/// A script of `tests/peers`.
pub fn peer(name: &str) -> String {
    require(repo().join("tests/peers").join(name))
}

/// A file of an `@modelcontextprotocol` package installed for the peers.
pub fn package(path: &str) -> String {
    require(repo().join("tests/peers/node_modules/@modelcontextprotocol").join(path))
}

/// server-everything's entry point.
pub fn everything_js() -> String {
    package("server-everything/dist/index.js")
}

/// A fresh Atrium home with one workspace, and its gateway listening on a free port.
pub struct Home {
    pub atrium: Atrium,
    pub gateway: Gateway,
    /// The gateway's `/mcp`.
    pub url: String,
    /// The workspace's id.
    pub workspace: String,
    pub dir: tempfile::TempDir,
}

impl Home {
    /// Opens Atrium with `options`, lets `commands` run as local servers, makes the workspace `title` and starts the
    /// gateway with `gateway` (its port always a free one).
    pub async fn open(options: OpenOptions, commands: Vec<String>, title: &str, gateway: GatewayOptions) -> Home {
        let dir = tempfile::tempdir().expect("temp dir");
        let paths = AtriumPaths::at(dir.path());
        let atrium = Atrium::open_with(paths.clone(), options).await.expect("open");
        if !commands.is_empty() {
            atrium.local_settings_set_commands(commands).await.expect("allow the test runtimes");
        }
        let workspace = atrium
            .workspace_create(NewWorkspace { title: title.into(), description: None })
            .await
            .expect("workspace")
            .id;
        let gateway =
            Gateway::start(atrium.clone(), &paths, GatewayOptions { port: 0, ..gateway }).await.expect("gateway");
        let url = gateway.url();
        Home { atrium, gateway, url, workspace, dir }
    }
}

/// One POST to the gateway as an agent.
pub async fn post(url: &str, token: &str, session: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(session) = session {
        request = request.header("mcp-session-id", session);
    }
    request.send().await.expect("post")
}

/// A tool call's structured result, or its error text as `Err`.
pub fn outcome(answer: &Value) -> Result<Value, String> {
    let result = &answer["result"];
    if result["isError"] == true {
        return Err(result["content"][0]["text"].as_str().unwrap_or_default().to_owned());
    }
    assert!(answer.get("error").is_none(), "{answer}");
    Ok(result["structuredContent"].clone())
}

/// One MCP session of an agent over raw HTTP.
pub struct Session {
    pub url: String,
    pub token: String,
    pub id: String,
    next: u64,
}

impl Session {
    /// Initializes a session (2025-11-25) and says it is initialized.
    pub async fn open(url: &str, token: &str) -> Session {
        let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-11-25",
            "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
        let answer = post(url, token, None, &init).await;
        assert_eq!(answer.status(), 200);
        let id = answer.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()).expect("session").to_owned();
        let session = Session { url: url.into(), token: token.into(), id, next: 0 };
        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        post(url, token, Some(&session.id), &initialized).await;
        session
    }

    /// The answer to `method` sent with the JSON-RPC id `id` (the whole message).
    pub async fn ask_with_id(&self, id: u64, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let answer = post(&self.url, &self.token, Some(&self.id), &body).await;
        let events =
            answer.headers().get("content-type").is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        let text = answer.text().await.expect("body");
        if !events {
            return serde_json::from_str(&text).expect("json");
        }
        text.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no answer to {method} in {text}"))
    }

    /// The answer to `method` (the whole message), under the session's next id.
    pub async fn ask(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        self.ask_with_id(self.next, method, params).await
    }

    /// Calls `tool` with the JSON-RPC id `id`; the whole answer.
    pub async fn call_with_id(&self, id: u64, tool: &str, arguments: Value) -> Value {
        self.ask_with_id(id, "tools/call", json!({"name": tool, "arguments": arguments})).await
    }

    /// Calls `tool`; its structured result, or its error text as `Err`.
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Result<Value, String> {
        let answer = self.ask("tools/call", json!({"name": tool, "arguments": arguments})).await;
        outcome(&answer)
    }

    /// The names `tools/list` gives.
    pub async fn tool_names(&mut self) -> Vec<String> {
        let answer = self.ask("tools/list", json!({})).await;
        answer["result"]["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect()
    }

    /// Every entry of a paged list.
    pub async fn all(&mut self, method: &str, key: &str) -> Vec<Value> {
        let (mut entries, mut cursor) = (Vec::new(), None::<String>);
        for _ in 0..100 {
            let params = cursor.as_ref().map_or(json!({}), |c| json!({"cursor": c}));
            let answer = self.ask(method, params).await;
            let result = answer.get("result").unwrap_or_else(|| panic!("{method}: {answer}"));
            entries.extend(result[key].as_array().expect("entries").iter().cloned());
            cursor = result.get("nextCursor").and_then(Value::as_str).map(str::to_owned);
            if cursor.is_none() {
                return entries;
            }
        }
        panic!("{method} never ended");
    }

    /// The session's own event stream (`GET`): each message on it goes to the returned receiver.
    pub async fn stream(&self) -> tokio::sync::mpsc::UnboundedReceiver<Value> {
        let mut response = reqwest::Client::new()
            .get(&self.url)
            .header("accept", "text/event-stream")
            .bearer_auth(&self.token)
            .header("mcp-session-id", &self.id)
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), 200);
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut pending = String::new();
            while let Ok(Some(chunk)) = response.chunk().await {
                pending.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = pending.find("\n\n") {
                    let event: String = pending.drain(..end + 2).collect();
                    for data in event.lines().filter_map(|l| l.strip_prefix("data:")) {
                        if let Ok(message) = serde_json::from_str::<Value>(data.trim()) {
                            let _ = tx.send(message);
                        }
                    }
                }
            }
        });
        rx
    }
}
