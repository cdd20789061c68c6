//! Views through the whole Rust side, without a webview: the test plays the relay (fetches the proxy page over
//! HTTP, then speaks for the view through `viewer_post` and reads what Atrium posts back from its events), against
//! the seed-layout FastMCP recipe server and `@modelcontextprotocol/server-basic-vanillajs`.

use std::time::{Duration, Instant};

use atrium_api::{
    AppEvent, AuditFilter, AuditOrigin, AuditStatus, NewArtifact, OpenedView, SearchQuery, ViewerChoice,
    ViewerEnvironment, ViewerEvent, ViewerOpening,
};
use serde_json::{Value, json};

use crate::peers::{Fixture, node, python, repo};

fn recipe_server() -> Value {
    let script = repo().join("tests/fixtures/recipe-server/server.py");
    json!({"transport": {"type": "stdio", "command": python(), "args": [script.display().to_string()]},
           "allowed_tools": ["scale_recipe", "on_open", "on_create", "extract_text", "model_only_tool"]})
}

fn vanilla_server() -> Value {
    let js = repo().join("tests/peers/node_modules/@modelcontextprotocol/server-basic-vanillajs/dist/index.js");
    assert!(js.exists(), "{} is missing: run `make setup-test`", js.display());
    json!({"transport": {"type": "stdio", "command": node(), "args": [js.display().to_string(), "--stdio"]}})
}

fn environment() -> ViewerEnvironment {
    ViewerEnvironment { theme: "dark".into(), locale: "en-GB".into(), time_zone: "Europe/London".into() }
}

const RECIPE: &str = "application/vnd.my-org.recipe+json";

async fn recipe(fx: &Fixture, title: &str, cuisine: &str) -> atrium_api::Artifact {
    let content = json!({"title": title, "servings": 4, "ingredients": ["flour", "eggs"], "steps": ["mix", "fry"]});
    fx.atrium
        .artifact_create(NewArtifact {
            workspace_id: fx.workspace.clone(),
            title: title.into(),
            content_type: RECIPE.into(),
            content: Some(content.to_string()),
            context: Some(json!({"cuisine": cuisine})),
            state: None,
        })
        .await
        .expect("create recipe")
}

/// Plays a view: posts through the API, reads what Atrium posts back.
struct Relay<'a> {
    fx: &'a Fixture,
    view: OpenedView,
    seen: usize,
    next_id: i64,
}

impl<'a> Relay<'a> {
    /// Loads the proxy page (as the iframe would), then completes the proxy's part of the handshake.
    async fn mount(fx: &'a Fixture, opening: ViewerOpening) -> (Relay<'a>, String) {
        let ViewerOpening::Opened { view } = opening else { panic!("expected a view, got {opening:?}") };
        let page = reqwest::get(&view.url).await.expect("proxy page");
        assert_eq!(page.status(), 200);
        let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
        assert_eq!(reqwest::get(&view.url).await.expect("again").status(), 403, "the URL works once");
        let relay = Relay { fx, view, seen: 0, next_id: 1 };
        relay.notify("ui/notifications/sandbox-proxy-ready", json!({})).await;
        (relay, csp)
    }

    async fn send(&self, message: Value) {
        self.fx.atrium.viewer_post(self.view.view_id.clone(), message.to_string()).await.expect("post");
    }

    async fn notify(&self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }

    async fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        id
    }

    /// The next viewer event for this view.
    async fn event(&mut self) -> ViewerEvent {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let next = {
                let events = self.fx.events.events.lock().expect("lock");
                let found = events[self.seen..]
                    .iter()
                    .position(|e| matches!(e, AppEvent::Viewer { view_id, .. } if *view_id == self.view.view_id));
                found.map(|i| {
                    let index = self.seen + i;
                    (index, events[index].clone())
                })
            };
            if let Some((index, AppEvent::Viewer { event, .. })) = next {
                self.seen = index + 1;
                return event;
            }
            assert!(Instant::now() < deadline, "no viewer event in 15 s");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn post(&mut self) -> Value {
        loop {
            if let ViewerEvent::Post { message } = self.event().await {
                return message;
            }
        }
    }

    async fn answer(&mut self, id: i64) -> Value {
        loop {
            let message = self.post().await;
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    async fn method(&mut self, method: &str) -> Value {
        loop {
            let message = self.post().await;
            if message["method"] == method {
                return message;
            }
        }
    }

    /// The seed skeleton's handshake; returns the tool-result notification.
    async fn handshake(&mut self) -> Value {
        let ready = self.method("ui/notifications/sandbox-resource-ready").await;
        assert!(ready["params"]["html"].as_str().expect("html").contains("<html"), "the view's HTML");
        let init = self.request("ui/initialize", json!({"protocolVersion": "2026-01-26"})).await;
        self.notify("ui/notifications/initialized", json!({})).await;
        let answer = self.answer(init).await;
        assert_eq!(answer["result"]["hostContext"]["platform"], "desktop");
        self.method("ui/notifications/tool-input").await;
        self.method("ui/notifications/tool-result").await
    }
}

#[tokio::test]
async fn a_recipe_opens_in_its_servers_view_which_calls_tools_and_updates_it() {
    let fx = Fixture::new().await;
    let events_file = fx.home().join("recipe-events.txt");
    let mut registration = recipe_server();
    registration["transport"]["env"] = json!({"RECIPE_EVENTS": events_file.display().to_string()});
    let server = fx.register("My Server", registration).await;
    fx.ready(&server.id).await;

    // The type comes from the server's ui/ folder (type.json), with its label and colour.
    let types = fx.atrium.content_types().await.expect("types");
    let recipe_type = types.iter().find(|t| t.mime == RECIPE).expect("the server's recipe type");
    assert_eq!((recipe_type.label.as_str(), recipe_type.color.as_str()), ("Recipe", "#16a34a"));
    assert_eq!(recipe_type.server_id.as_deref(), Some(server.id.as_str()));

    let pancakes = recipe(&fx, "Pancakes", "Basque").await;
    let opening = fx.atrium.viewer_open_artifact(pancakes.id.clone(), environment()).await.expect("open");
    let (mut view, csp) = Relay::mount(&fx, opening).await;
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'none'"), "{csp}");
    assert_eq!(view.view.resource_uri, "ui://my-server/vnd.my-org.recipe.html");
    let data = view.handshake().await;
    let shown: Value =
        serde_json::from_str(data["params"]["content"][0]["text"].as_str().expect("text")).expect("json");
    assert_eq!(shown["artifact_id"], json!(pancakes.id));
    assert_eq!(shown["title"], "Pancakes");
    assert_eq!(shown["context"]["cuisine"], "Basque");

    // on_open ran before the view opened; the view's tool call reaches its server.
    let scale = view
        .request("tools/call", json!({"name": "scale_recipe", "arguments": {"factor": 2, "title": "Pancakes"}}))
        .await;
    let answer = view.answer(scale).await;
    assert_eq!(answer["result"]["content"][0]["text"], "Scaled Pancakes x2", "{answer}");
    let lines = std::fs::read_to_string(&events_file).expect("events");
    assert!(lines.contains(&format!("on_open {}", pancakes.id)), "{lines}");
    assert!(lines.contains("scale_recipe 2"), "{lines}");

    // update_artifact is the host's: the context arrives as a JSON string, as Agience views send it.
    let update = view
        .request("tools/call", json!({"name": "update_artifact", "arguments": {"id": pancakes.id, "patch": {"context": "{\"cuisine\":\"Basque\",\"favourite\":true}"}}}))
        .await;
    assert_eq!(view.answer(update).await["result"]["content"][0]["text"], "OK");
    let updated = fx.atrium.artifact_get(pancakes.id.clone()).await.expect("get");
    assert_eq!(updated.context["favourite"], true);
    assert_eq!(updated.version, pancakes.version + 1);

    // Audited with origin viewer (the call and the host-answered update), on_open with origin lifecycle.
    let viewer_rows =
        fx.audit_rows(&AuditFilter { origin: Some(AuditOrigin::Viewer), ..AuditFilter::default() }, 2).await;
    let tools: Vec<&str> = viewer_rows.iter().map(|r| r.tool.as_str()).collect();
    assert!(tools.contains(&"scale_recipe") && tools.contains(&"update_artifact"), "{tools:?}");
    let lifecycle = fx
        .audit_rows(
            &AuditFilter {
                origin: Some(AuditOrigin::Lifecycle),
                tool: Some("on_open".into()),
                ..AuditFilter::default()
            },
            1,
        )
        .await;
    assert_eq!(lifecycle[0].status, AuditStatus::Ok);

    // Teardown: the view is asked, answers, and is gone.
    let atrium = fx.atrium.clone();
    let id = view.view.view_id.clone();
    let closing = tokio::spawn(async move { atrium.viewer_close(id).await });
    let teardown = view.method("ui/resource-teardown").await;
    view.send(json!({"jsonrpc": "2.0", "id": teardown["id"], "result": {}})).await;
    assert!(closing.await.expect("join").expect("close"), "the view answered the teardown");
    assert!(fx.atrium.viewer_post(view.view.view_id.clone(), "{}".into()).await.is_err(), "closed views are gone");
}

#[tokio::test]
async fn extract_text_feeds_search_and_the_user_can_choose_the_built_in_viewer() {
    let fx = Fixture::new().await;
    let server = fx.register("My Server", recipe_server()).await;
    fx.ready(&server.id).await;
    let paella = recipe(&fx, "Paella", "Valencian").await;
    // "valencian" is only in the context, which Atrium does not index: it can only be found through the text
    // the server's extract_text returned.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let hits =
            fx.atrium.search(SearchQuery { text: "valencian".into(), ..SearchQuery::default() }).await.expect("search");
        if hits.iter().any(|h| h.artifact_id == paella.id) {
            break;
        }
        assert!(Instant::now() < deadline, "extracted text never became searchable");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let lifecycle =
        fx.audit_rows(&AuditFilter { origin: Some(AuditOrigin::Lifecycle), ..AuditFilter::default() }, 2).await;
    let hooks: Vec<&str> = lifecycle.iter().map(|r| r.tool.as_str()).collect();
    assert!(hooks.contains(&"on_create") && hooks.contains(&"extract_text"), "{hooks:?}");

    let choices = fx.atrium.viewer_choices(RECIPE.into()).await.expect("choices");
    assert_eq!(choices.candidates.len(), 2, "{choices:?}");
    assert_eq!(choices.candidates[0].choice, ViewerChoice::Server { server_id: server.id.clone() });
    fx.atrium.viewer_choose(RECIPE.into(), Some(ViewerChoice::BuiltIn)).await.expect("choose");
    let opening = fx.atrium.viewer_open_artifact(paella.id.clone(), environment()).await.expect("open");
    assert_eq!(opening, ViewerOpening::BuiltIn { content_type: RECIPE.into() });
    fx.atrium.viewer_choose(RECIPE.into(), None).await.expect("default again");
    assert!(matches!(
        fx.atrium.viewer_open_artifact(paella.id, environment()).await.expect("open"),
        ViewerOpening::Opened { .. }
    ));

    // A type nobody serves falls back to the built-in renderer; a stopped server is a typed outcome.
    let note = fx
        .atrium
        .artifact_create(NewArtifact {
            workspace_id: fx.workspace.clone(),
            title: "n".into(),
            content_type: "text/markdown".into(),
            content: None,
            context: None,
            state: None,
        })
        .await
        .expect("note");
    assert!(matches!(
        fx.atrium.viewer_open_artifact(note.id, environment()).await.expect("open"),
        ViewerOpening::BuiltIn { .. }
    ));
}

#[tokio::test]
async fn a_tool_with_a_view_shows_its_input_and_result_and_the_views_button_round_trips() {
    let fx = Fixture::new().await;
    let server = fx.register("Basic App", vanilla_server()).await;
    fx.ready(&server.id).await;
    let opening = fx
        .atrium
        .viewer_open_tool(server.id.clone(), "get-time".into(), serde_json::Map::new(), environment())
        .await
        .expect("open tool view");
    let (mut view, _) = Relay::mount(&fx, opening).await;
    assert_eq!(view.view.resource_uri, "ui://get-time/mcp-app.html");
    assert!(view.view.call_id.is_some());
    let ready = view.method("ui/notifications/sandbox-resource-ready").await;
    assert!(ready["params"]["html"].as_str().expect("html").len() > 10_000, "the bundled view");
    let init = view
        .request(
            "ui/initialize",
            json!({"appInfo": {"name": "t", "version": "1"}, "appCapabilities": {}, "protocolVersion": "2026-01-26"}),
        )
        .await;
    let answer = view.answer(init).await;
    assert_eq!(answer["result"]["hostContext"]["toolInfo"]["tool"]["name"], "get-time");
    view.notify("ui/notifications/initialized", json!({})).await;
    assert_eq!(view.method("ui/notifications/tool-input").await["params"]["arguments"], json!({}));
    let result = view.method("ui/notifications/tool-result").await;
    assert!(result["params"]["content"].as_array().is_some_and(|c| !c.is_empty()), "{result}");
    // What the view's "Get Server Time" button does.
    let call = view.request("tools/call", json!({"name": "get-time", "arguments": {}})).await;
    let answer = view.answer(call).await;
    let text = answer["result"]["content"][0]["text"].as_str().unwrap_or_default().to_owned();
    assert!(text.contains('T') || text.contains(':'), "a time: {answer}");
    fx.atrium.viewer_close(view.view.view_id.clone()).await.expect("close");
}

#[tokio::test]
async fn a_hostile_view_is_refused_everything_and_nothing_changes() {
    let fx = Fixture::new().await;
    let recipes = fx.register("My Server", recipe_server()).await;
    let vanilla = fx.register("Basic App", vanilla_server()).await;
    fx.ready(&recipes.id).await;
    fx.ready(&vanilla.id).await;
    let hostile = fx
        .atrium
        .artifact_create(NewArtifact {
            workspace_id: fx.workspace.clone(),
            title: "Trap".into(),
            content_type: "application/vnd.atrium-test.hostile+json".into(),
            content: Some("{}".into()),
            context: None,
            state: None,
        })
        .await
        .expect("create");
    let before = fx.atrium.artifact_list(fx.workspace.clone()).await.expect("list").len();
    let opening = fx.atrium.viewer_open_artifact(hostile.id.clone(), environment()).await.expect("open");
    let (mut view, _) = Relay::mount(&fx, opening).await;
    view.handshake().await;

    let attempts = [
        ("tools/call", json!({"name": "get-time"})),
        ("tools/call", json!({"name": "model_only_tool"})),
        ("tools/call", json!({"name": "not_allowed_tool"})),
        ("resources/read", json!({"uri": "ui://get-time/mcp-app.html"})),
        (
            "tools/call",
            json!({"name": "create_artifact", "arguments": {"title": "evil", "content_type": "application/vnd.agience.mcp-server+json", "content": "{\"transport\":{\"type\":\"stdio\",\"command\":\"sh\"}}"}}),
        ),
        (
            "tools/call",
            json!({"name": "update_artifact", "arguments": {"patch": {"content_type": "application/vnd.agience.mcp-server+json"}}}),
        ),
        ("ui/open-link", json!({"url": "file:///etc/passwd"})),
        ("ui/open-link", json!({"url": "javascript:alert(1)"})),
    ];
    for (method, params) in attempts {
        let id = view.request(method, params.clone()).await;
        let answer = view.answer(id).await;
        assert_eq!(answer["error"]["code"], -32000, "{method} {params} must be refused: {answer}");
    }
    let refused = {
        let events = fx.events.events.lock().expect("lock");
        events.iter().filter(|e| matches!(e, AppEvent::Viewer { event: ViewerEvent::Refused { .. }, .. })).count()
    };
    assert!(refused >= 8, "every refusal is reported to the window ({refused})");
    let denied = fx
        .audit_rows(
            &AuditFilter {
                origin: Some(AuditOrigin::Viewer),
                status: Some(AuditStatus::Denied),
                ..AuditFilter::default()
            },
            6,
        )
        .await;
    assert!(denied.iter().any(|r| r.tool == "tools/call" || r.tool == "model_only_tool"), "{denied:?}");
    // Nothing ran, nothing was created or changed.
    assert_eq!(fx.atrium.artifact_list(fx.workspace.clone()).await.expect("list").len(), before);
    let unchanged = fx.atrium.artifact_get(hostile.id).await.expect("get");
    assert_eq!(
        (unchanged.version, unchanged.content_type.as_str()),
        (hostile.version, "application/vnd.atrium-test.hostile+json")
    );
    let ok = fx
        .audit_rows(
            &AuditFilter { origin: Some(AuditOrigin::Viewer), status: Some(AuditStatus::Ok), ..AuditFilter::default() },
            0,
        )
        .await;
    assert!(ok.is_empty(), "no viewer call succeeded: {ok:?}");
}
