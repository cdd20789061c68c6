//! Resources and prompts on `/mcp` with real clients and real servers: artifacts as resources through the official
//! TypeScript SDK client (paged, read, another workspace's not found, subscribed and told of an edit made in the
//! window), server-everything's resources, templates and prompts through `/mcp` compared entry by entry with the
//! same server passed through on its own endpoint (only the names namespaced), and an MCP Apps server's view read
//! through `/mcp` by the namespaced `ui://` URI its tool names, the view then calling its tools by their own names.

use std::process::Stdio;
use std::time::{Duration, Instant};

use atrium_api::{
    AgentScope, AgentToken, Atrium, AuditFilter, AuditOrigin, NewAgent, NewArtifact, NewServer, NewWorkspace,
    OpenOptions, ServerStatus,
};
use atrium_gateway::{Gateway, GatewayOptions};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

mod support;
use support::{Home, Session, node, package, repo, require};

struct Fixture {
    atrium: Atrium,
    _gateway: Gateway,
    url: String,
    workspace: String,
    _home: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let options = OpenOptions { connect_servers: true, ..OpenOptions::default() };
        let Home { atrium, gateway, url, workspace, dir } =
            Home::open(options, vec![node()], "Recipes", GatewayOptions::default()).await;
        Fixture { atrium, _gateway: gateway, url, workspace, _home: dir }
    }

    async fn agent(&self, name: &str, workspaces: Vec<String>, scopes: Vec<AgentScope>) -> AgentToken {
        let input = NewAgent { name: name.into(), workspaces, scopes, servers: vec![] };
        self.atrium.agent_create(input).await.expect("agent")
    }

    async fn server(&self, title: &str, args: Vec<String>) -> String {
        let registration =
            atrium_api::parse_registration(&json!({"transport": {"type": "stdio", "command": node(), "args": args}}))
                .expect("registration");
        let server = self
            .atrium
            .server_create(NewServer { workspace_id: self.workspace.clone(), title: title.into(), registration })
            .await
            .expect("register");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.atrium.server_state(server.id.clone()).await.expect("state");
            match state.status {
                ServerStatus::Ready => return server.id,
                ServerStatus::Failed { .. } => panic!("server failed: {:?}", state.status),
                _ if Instant::now() > deadline => panic!("server not ready in 30 s: {:?}", state.status),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    async fn everything(&self) -> String {
        self.server("Everything", vec![package("server-everything/dist/index.js"), "stdio".into()]).await
    }

    async fn artifact(&self, workspace: &str, title: &str, content: &str) -> String {
        let input = NewArtifact {
            workspace_id: workspace.into(),
            title: title.into(),
            content_type: "text/markdown".into(),
            content: Some(content.into()),
            ..NewArtifact::default()
        };
        self.atrium.artifact_create(input).await.expect("artifact").id
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_are_resources_an_agent_reads_pages_and_follows() {
    let fx = Fixture::new().await;
    fx.everything().await;
    let private = fx
        .atrium
        .workspace_create(NewWorkspace { title: "Private".into(), description: None })
        .await
        .expect("workspace")
        .id;
    let secret = fx.artifact(&private, "Secret plans", "nobody else").await;
    let target = fx.artifact(&fx.workspace, "Saffron", "first draft").await;
    // More artifacts than one page holds.
    let many = (0..130)
        .map(|i| NewArtifact {
            workspace_id: fx.workspace.clone(),
            title: format!("Note {i:03}"),
            content_type: "text/plain".into(),
            content: Some("x".into()),
            ..NewArtifact::default()
        })
        .collect();
    fx.atrium.artifact_create_many(many).await.expect("many");
    let agent = fx.agent("Claude", vec![fx.workspace.clone()], vec![AgentScope::Read, AgentScope::Write]).await;
    // The 131 written here and Everything's registration.
    let expected = fx.atrium.artifact_list(fx.workspace.clone()).await.expect("list").len();
    assert_eq!(expected, 132);

    let extra = json!({"target": target, "secret": secret}).to_string();
    let mut child = tokio::process::Command::new(node())
        .args([
            require(repo().join("tests/peers/gateway_client.mjs")),
            fx.url.clone(),
            agent.token.clone(),
            "resources".into(),
            fx.workspace.clone(),
            extra,
        ])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("client");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let ready = tokio::time::timeout(Duration::from_secs(60), lines.next_line()).await.expect("ready in time");
    assert_eq!(ready.ok().flatten().as_deref(), Some(r#"{"ready":true}"#));
    // An edit in the window, and a new artifact, while the agent follows.
    let patch = atrium_api::ArtifactPatch { content: Some("edited in the window".into()), ..Default::default() };
    fx.atrium.artifact_update(target.clone(), patch).await.expect("edit");
    fx.artifact(&fx.workspace, "Fresh", "new").await;
    let last = tokio::time::timeout(Duration::from_secs(50), lines.next_line()).await.expect("the client ended");
    let out: Value = serde_json::from_str(&last.ok().flatten().unwrap_or_default()).expect("json");

    assert_eq!(out["capabilities"]["resources"], json!({"subscribe": true, "listChanged": true}), "{out}");
    assert_eq!(out["capabilities"]["prompts"], json!({"listChanged": true}));
    let uris: Vec<&str> = out["resources"].as_array().expect("resources").iter().filter_map(Value::as_str).collect();
    let artifacts = uris.iter().filter(|u| u.starts_with("atrium://artifacts/")).count();
    assert_eq!(artifacts, expected, "every artifact of the workspace, once");
    assert!(out["pages"].as_u64().is_some_and(|p| p >= 2), "{}", out["pages"]);
    assert!(!uris.iter().any(|u| u.contains(&secret)), "another workspace's artifact was listed");
    assert!(uris.iter().any(|u| u.starts_with("atrium://servers/everything/demo://")), "{uris:?}");
    assert_eq!(out["entry"]["name"], "Saffron");
    assert_eq!(out["entry"]["mimeType"], "text/markdown");
    let content = &out["read"]["contents"][0];
    assert_eq!(content["text"], "first draft");
    assert_eq!(content["mimeType"], "text/markdown");
    assert_eq!(content["_meta"]["atrium/version"], 1);
    assert_eq!(out["secret"]["code"], -32002, "{}", out["secret"]);
    assert!(!out.to_string().contains("nobody else"));
    let templates = out["templates"].as_array().expect("templates");
    assert_eq!(templates[0], "atrium://artifacts/{artifact_id}");
    assert!(templates.iter().any(|t| t.as_str().is_some_and(|t| t.starts_with("atrium://servers/everything/"))));
    assert!(out["prompts"].as_array().expect("prompts").iter().any(|p| p == "everything__simple-prompt"));
    assert!(out["prompt"]["messages"][0]["content"]["text"].is_string(), "{}", out["prompt"]);
    let read = &out["serverRead"]["contents"][0];
    assert!(read["uri"].as_str().is_some_and(|u| u.starts_with("atrium://servers/everything/demo://")), "{read}");
    assert!(read["text"].as_str().is_some_and(|t| !t.is_empty()), "{read}");
    // Told of the edit, and of the new artifact.
    assert!(out["updated"].as_array().expect("updated").iter().any(|u| *u == format!("atrium://artifacts/{target}")));
    assert!(out["listChanged"].as_u64().is_some_and(|n| n >= 1), "{out}");
    assert_eq!(out["reread"]["contents"][0]["text"], "edited in the window");
    assert_eq!(out["reread"]["contents"][0]["_meta"]["atrium/version"], 2);

    // What the agent read is in the audit log, as read_artifact's calls are; the refused read is not.
    let filter = AuditFilter { agent_id: Some(agent.id.clone()), ..AuditFilter::default() };
    let rows = fx.atrium.audit_list(filter).await.expect("audit");
    let reads: Vec<_> =
        rows.iter().filter(|r| r.tool == "resources/read" && r.origin == AuditOrigin::Gateway).collect();
    assert_eq!(reads.len(), 2, "the read and the read after the edit: {rows:?}");
    assert!(reads.iter().all(|r| r.workspace_id.as_deref() == Some(fx.workspace.as_str())));
    assert!(!rows.iter().any(|r| r.arguments.contains(&secret)), "the refused read was recorded");

    // Without the read scope, no artifact is a resource, and none can be read or followed.
    let blind = fx.agent("Blind", vec![fx.workspace.clone()], vec![AgentScope::Write]).await;
    let mut raw = Session::open(&fx.url, &blind.token).await;
    let listed = raw.all("resources/list", "resources").await;
    assert!(!listed.iter().any(|r| r["uri"].as_str().is_some_and(|u| u.starts_with("atrium://artifacts/"))));
    let uri = format!("atrium://artifacts/{target}");
    assert_eq!(raw.ask("resources/read", json!({"uri": uri})).await["error"]["code"], -32002);
    assert_eq!(raw.ask("resources/subscribe", json!({"uri": uri})).await["error"]["code"], -32002);
    let bad = raw.ask("resources/list", json!({"cursor": "not ours"})).await;
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
}

/// `entries` with the namespacing of `field` undone by `undo` (None: an entry that is not the server's).
fn undone(entries: &[Value], field: &str, undo: impl Fn(&str) -> Option<String>) -> Vec<Value> {
    entries
        .iter()
        .filter_map(|entry| {
            let original = undo(entry[field].as_str()?)?;
            let mut entry = entry.clone();
            entry[field] = Value::String(original);
            Some(entry)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_resources_templates_and_prompts_come_through_mcp_as_the_server_wrote_them() {
    let fx = Fixture::new().await;
    fx.everything().await;
    let agent = fx.agent("Cursor", vec![], vec![AgentScope::Read]).await;
    let mut agg = Session::open(&fx.url, &agent.token).await;
    let mut direct = Session::open(&format!("{}/servers/everything", fx.url), &agent.token).await;
    let strip = |prefix: &'static str| move |v: &str| v.strip_prefix(prefix).map(str::to_owned);

    let theirs = direct.all("resources/list", "resources").await;
    let ours = agg.all("resources/list", "resources").await;
    assert!(!theirs.is_empty());
    assert_eq!(undone(&ours, "uri", strip("atrium://servers/everything/")), theirs);

    let theirs = direct.all("resources/templates/list", "resourceTemplates").await;
    let ours = agg.all("resources/templates/list", "resourceTemplates").await;
    assert!(!theirs.is_empty());
    assert_eq!(undone(&ours, "uriTemplate", strip("atrium://servers/everything/")), theirs);

    let theirs = direct.all("prompts/list", "prompts").await;
    let ours = agg.all("prompts/list", "prompts").await;
    assert!(!theirs.is_empty());
    assert_eq!(undone(&ours, "name", strip("everything__")), theirs);

    let their_prompt = direct.ask("prompts/get", json!({"name": "args-prompt", "arguments": {"city": "Oslo"}})).await;
    let our_prompt =
        agg.ask("prompts/get", json!({"name": "everything__args-prompt", "arguments": {"city": "Oslo"}})).await;
    assert!(their_prompt.get("result").is_some(), "{their_prompt}");
    assert_eq!(our_prompt["result"], their_prompt["result"]);

    // A template's URI, filled in, reads through /mcp as the server answers it, the URI put back.
    let uri = "demo://resource/dynamic/text/1";
    let theirs = direct.ask("resources/read", json!({"uri": uri})).await;
    let ours = agg.ask("resources/read", json!({"uri": format!("atrium://servers/everything/{uri}")})).await;
    assert!(theirs["result"]["contents"][0]["text"].is_string(), "{theirs}");
    let mut back = ours["result"].clone();
    assert_eq!(back["contents"][0]["uri"], format!("atrium://servers/everything/{uri}"));
    back["contents"][0]["uri"] = json!(uri);
    // The server writes the time of each read into the text ("… created at 11:47:53 PM"): the two reads may fall
    // in different seconds, so that tail is left out of the comparison.
    let timeless = |mut result: Value| {
        if let Some(text) = result["contents"][0]["text"].as_str() {
            let text = text.split(" created at ").next().unwrap_or_default().to_owned();
            result["contents"][0]["text"] = json!(text);
        }
        result
    };
    assert_eq!(timeless(back), timeless(theirs["result"].clone()));

    // A server the agent does not have, and a prompt of nobody's, are refused.
    let unknown = agg.ask("resources/read", json!({"uri": format!("atrium://servers/nobody/{uri}")})).await;
    assert_eq!(unknown["error"]["code"], -32002, "{unknown}");
    let unknown = agg.ask("prompts/get", json!({"name": "nobody__simple-prompt"})).await;
    assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mcp_apps_view_is_read_through_mcp_by_its_namespaced_ui_uri_and_calls_its_tools_by_their_own_names() {
    let fx = Fixture::new().await;
    fx.server("Clock", vec![package("server-basic-vanillajs/dist/index.js"), "--stdio".into()]).await;
    let agent = fx.agent("VS Code", vec![], vec![AgentScope::Read]).await;
    let mut agg = Session::open(&fx.url, &agent.token).await;
    let mut direct = Session::open(&format!("{}/servers/clock", fx.url), &agent.token).await;

    let theirs = direct.all("tools/list", "tools").await;
    let (their_tool, original) = theirs
        .iter()
        .find_map(|t| Some((t["name"].as_str()?, t.pointer("/_meta/ui/resourceUri")?.as_str()?)))
        .expect("a tool with a view");
    assert!(original.starts_with("ui://"), "{original}");
    let ours = agg.all("tools/list", "tools").await;
    let tool = ours.iter().find(|t| t["name"] == format!("clock__{their_tool}")).expect("the tool through /mcp");
    let shown = format!("ui://clock/{}", original.trim_start_matches("ui://"));
    assert_eq!(tool["_meta"]["ui"]["resourceUri"], shown.as_str(), "{tool}");
    // The older key, when the server writes it, goes the same way.
    if let Some(legacy) = theirs.iter().find(|t| t["name"] == their_tool).and_then(|t| t["_meta"].get("ui/resourceUri"))
    {
        assert_eq!(legacy, original);
        assert_eq!(tool["_meta"]["ui/resourceUri"], shown.as_str());
    }

    let theirs = direct.ask("resources/read", json!({"uri": original})).await;
    let ours = agg.ask("resources/read", json!({"uri": shown})).await;
    let html = theirs["result"]["contents"][0]["text"].as_str().expect("the view's html");
    assert!(html.contains("<html") || html.contains("<!DOCTYPE") || html.contains("<!doctype"), "{html:.200}");
    let mut back = ours["result"].clone();
    assert_eq!(back["contents"][0]["uri"], shown.as_str());
    back["contents"][0]["uri"] = json!(original);
    assert_eq!(back, theirs["result"], "the view came through changed");
    // The view is listed among the resources under the same URI.
    let listed = agg.all("resources/list", "resources").await;
    assert!(listed.iter().any(|r| r["uri"] == shown.as_str()), "{listed:?}");

    // The view calls its server's tools by their own names, through the host: a name one server offers is its.
    let their_tool = their_tool.to_owned();
    let bare = agg.ask("tools/call", json!({"name": their_tool, "arguments": {}})).await;
    assert!(bare["result"]["content"][0]["text"].is_string(), "{bare}");
    assert_ne!(bare["result"]["isError"], true, "{bare}");
    // With two servers offering it, the bare name names neither, and the error says how to call each.
    fx.server("Clock", vec![package("server-basic-vanillajs/dist/index.js"), "--stdio".into()]).await;
    let both = agg.ask("tools/call", json!({"name": their_tool, "arguments": {}})).await;
    assert_eq!(both["error"]["code"], -32602, "{both}");
    let why = both["error"]["message"].as_str().unwrap_or_default();
    assert!(why.contains(&format!("clock__{their_tool}")) && why.contains(&format!("clock-2__{their_tool}")), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_servers_own_resource_list_change_reaches_the_agent() {
    let fx = Fixture::new().await;
    fx.everything().await;
    let agent = fx.agent("Zed", vec![], vec![AgentScope::Read]).await;
    let mut agg = Session::open(&fx.url, &agent.token).await;
    let mut stream = agg.stream().await;
    let before = agg.all("resources/list", "resources").await;
    // The tool registers a resource of the server's session, and the server says its list changed.
    let made = agg
        .ask(
            "tools/call",
            json!({"name": "everything__gzip-file-as-resource",
                "arguments": {"name": "hello.txt.gz", "data": "data:text/plain;base64,aGVsbG8=", "outputType": "resourceLink"}}),
        )
        .await;
    assert!(made["result"]["isError"] != json!(true), "{made}");
    let heard = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = stream.recv().await {
            if message["method"] == "notifications/resources/list_changed" {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(heard, Ok(true), "notifications/resources/list_changed did not come");
    let after = agg.all("resources/list", "resources").await;
    let added: Vec<&Value> = after.iter().filter(|r| !before.contains(r)).collect();
    assert_eq!(added.len(), 1, "{added:?}");
    let uri = added[0]["uri"].as_str().expect("uri");
    assert!(uri.starts_with("atrium://servers/everything/demo://resource/session/"), "{uri}");
    let read = agg.ask("resources/read", json!({"uri": uri})).await;
    assert_eq!(read["result"]["contents"][0]["uri"], uri);
    assert!(read["result"]["contents"][0]["blob"].is_string(), "{read}");
    // The tool's result links the resource by the server's own URI: that reads through /mcp too, as it came.
    let link = made["result"]["content"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "resource_link"))
        .and_then(|c| c["uri"].as_str())
        .expect("a resource link");
    assert!(link.starts_with("demo://resource/session/"), "{link}");
    let raw = agg.ask("resources/read", json!({"uri": link})).await;
    assert_eq!(raw["result"]["contents"][0]["uri"], link);
    assert_eq!(raw["result"]["contents"][0]["blob"], read["result"]["contents"][0]["blob"]);
    let nowhere = agg.ask("resources/read", json!({"uri": "demo://resource/nowhere"})).await;
    assert_eq!(nowhere["error"]["code"], -32002, "{nowhere}");
}

/// The next `notifications/resources/updated` on `stream` within `limit`, its URI.
async fn next_update(stream: &mut tokio::sync::mpsc::UnboundedReceiver<Value>, limit: Duration) -> Option<String> {
    let wait = async {
        while let Some(message) = stream.recv().await {
            if message["method"] == "notifications/resources/updated" {
                return message["params"]["uri"].as_str().map(str::to_owned);
            }
        }
        None
    };
    tokio::time::timeout(limit, wait).await.ok().flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_agents_follow_a_servers_resource_through_one_subscription_at_the_server() {
    let fx = Fixture::new().await;
    fx.everything().await;
    let agent = fx.agent("Goose", vec![], vec![AgentScope::Read]).await;
    let other = fx.agent("Zed", vec![], vec![AgentScope::Read]).await;
    let (mut a, mut b) = (Session::open(&fx.url, &agent.token).await, Session::open(&fx.url, &other.token).await);
    let (mut a_stream, mut b_stream) = (a.stream().await, b.stream().await);
    let uri = "atrium://servers/everything/demo://resource/static/document/architecture.md";
    for raw in [&mut a, &mut b] {
        let answer = raw.ask("resources/subscribe", json!({"uri": uri})).await;
        assert_eq!(answer["result"], json!({}), "{answer}");
    }
    // server-everything sends an update for what its session subscribed to at once, then every 5 s.
    let started = a.ask("tools/call", json!({"name": "everything__toggle-subscriber-updates", "arguments": {}})).await;
    assert!(started["result"]["isError"] != json!(true), "{started}");
    assert_eq!(next_update(&mut a_stream, Duration::from_secs(10)).await.as_deref(), Some(uri));
    assert_eq!(next_update(&mut b_stream, Duration::from_secs(10)).await.as_deref(), Some(uri));
    // One stops following; the server still sends for the other, whose subscription it still holds.
    let answer = b.ask("resources/unsubscribe", json!({"uri": uri})).await;
    assert_eq!(answer["result"], json!({}), "{answer}");
    assert_eq!(next_update(&mut a_stream, Duration::from_secs(10)).await.as_deref(), Some(uri));
    assert_eq!(next_update(&mut b_stream, Duration::from_millis(500)).await, None, "an unsubscribed session heard");
    // A resource of a server the agent does not have is not found.
    let missing = a.ask("resources/subscribe", json!({"uri": "atrium://servers/nobody/demo://x"})).await;
    assert_eq!(missing["error"]["code"], -32002, "{missing}");
    a.ask("tools/call", json!({"name": "everything__toggle-subscriber-updates", "arguments": {}})).await;
}
