//! Views through the whole Rust side, without a webview (see `view_relay`): the recipe server's artifact view
//! calling its server and updating the artifact, its type's lifecycle tools, a tool's view, and a hostile view.

use std::time::{Duration, Instant};

use atrium_api::{
    AppEvent, AuditFilter, AuditOrigin, AuditStatus, NewArtifact, SearchQuery, ViewerChoice, ViewerEvent, ViewerOpening,
};
use serde_json::{Value, json};

use crate::peers::Fixture;
use crate::view_relay::{RECIPE, Relay, environment, recipe, recipe_server, vanilla_server};

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
    let (mut view, loaded) = Relay::mount(&fx, opening).await;
    let csp = &loaded.csp;
    assert!(csp.contains("default-src 'none'") && csp.contains("connect-src 'none'"), "{csp}");
    assert!(csp.contains("'unsafe-eval'") && csp.contains("worker-src 'self' blob:"), "{csp}");
    assert!(csp.contains(&format!("frame-ancestors {} tauri://localhost", view.view.origin)), "{csp}");
    assert!(loaded.html.contains("<html"), "the view's HTML");
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
    assert_eq!(view.send(json!({"jsonrpc": "2.0", "id": teardown["id"], "result": {}})).await, None);
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
    let (mut view, loaded) = Relay::mount(&fx, opening).await;
    assert_eq!(view.view.resource_uri, "ui://get-time/mcp-app.html");
    assert!(view.view.call_id.is_some());
    assert!(loaded.html.len() > 10_000, "the bundled view");
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
