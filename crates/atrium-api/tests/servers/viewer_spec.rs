//! Views beyond the basics, through the whole Rust side (see `view_relay`): a type's view registered the guide's way
//! (no MIME type), an origin per server that survives a restart, the server's progress and list changes reaching a
//! view, a previewed tool view streaming its input, the window's reload ending every view, and the event that lets
//! an editor follow what a view saved.

use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_api::{AppEvent, Atrium, AtriumPaths, ChangedBy, OpenOptions, ViewerChoice, ViewerOpening};
use serde_json::{Value, json};

use crate::peers::{Fixture, Recorder, node, python};
use crate::view_relay::{RECIPE, Relay, environment, recipe, recipe_server, vanilla_server};

#[tokio::test]
async fn a_type_view_registered_the_guides_way_is_shown_and_the_servers_log_says_so() {
    let fx = Fixture::new().await;
    let mut registration = recipe_server();
    registration["transport"]["env"] = json!({"RECIPE_AS_SEED": "1"});
    let server = fx.register("My Server", registration).await;
    fx.ready(&server.id).await;
    let pancakes = recipe(&fx, "Pancakes", "Basque").await;
    let opening = fx.atrium.viewer_open_artifact(pancakes.id.clone(), environment()).await.expect("open");
    let (mut view, loaded) = Relay::mount(&fx, opening).await;
    assert!(loaded.html.contains("recipe-title"), "the recipe view");
    let data = view.handshake().await;
    assert!(data["params"]["content"][0]["text"].as_str().expect("text").contains("Pancakes"));
    let call = view.request("tools/call", json!({"name": "scale_recipe", "arguments": {"factor": 3}})).await;
    assert_eq!(view.answer(call).await["result"]["content"][0]["text"], "Scaled recipe x3");
    let log = fx.atrium.server_log(server.id.clone()).await.expect("log");
    let note = log.iter().find(|l| l.level == "atrium" && l.message.contains("ui://my-server/vnd.my-org.recipe.html"));
    let note = note.expect("the server's log says why");
    assert!(
        note.message.contains("text/plain") && note.message.contains("text/html;profile=mcp-app"),
        "{}",
        note.message
    );
}

/// The origin a server's artifact view is served from.
async fn view_origin(fx: &Fixture, artifact: &str, server: &str) -> String {
    fx.atrium
        .viewer_choose(RECIPE.into(), Some(ViewerChoice::Server { server_id: server.into() }))
        .await
        .expect("choose");
    let opening = fx.atrium.viewer_open_artifact(artifact.into(), environment()).await.expect("open");
    let ViewerOpening::Opened { view } = &opening else { panic!("{opening:?}") };
    assert_eq!(view.server_id, server);
    let view_id = view.view_id.clone();
    let (_, loaded) = Relay::mount(fx, opening).await;
    fx.atrium.viewer_close(view_id).await.expect("close");
    loaded.origin
}

#[tokio::test]
async fn each_servers_views_have_their_own_origin_which_survives_a_restart() {
    let fx = Fixture::new().await;
    let a = fx.register("Kitchen A", recipe_server()).await;
    let b = fx.register("Kitchen B", recipe_server()).await;
    fx.ready(&a.id).await;
    fx.ready(&b.id).await;
    let pancakes = recipe(&fx, "Pancakes", "Basque").await;
    let first = view_origin(&fx, &pancakes.id, &a.id).await;
    let other = view_origin(&fx, &pancakes.id, &b.id).await;
    assert_ne!(first, other, "another server's views are another origin");
    assert_eq!(view_origin(&fx, &pancakes.id, &a.id).await, first, "the same server's views share theirs");
    assert!(first.starts_with("http://127.0.0.1:") && other.starts_with("http://127.0.0.1:"));

    // The same home opened again (the app restarted): the same origin, so WebKit finds what the views stored.
    fx.atrium.close().await;
    let options =
        OpenOptions { events: Arc::new(Recorder::default()), connect_servers: true, ..OpenOptions::default() };
    let atrium = Atrium::open_with(AtriumPaths::at(fx.home()), options).await.expect("reopen");
    atrium.local_settings_set_commands(vec![node(), python()]).await.expect("allow");
    let deadline = Instant::now() + Duration::from_secs(30);
    while atrium.server_state(a.id.clone()).await.expect("state").status != atrium_api::ServerStatus::Ready {
        assert!(Instant::now() < deadline, "the server did not start again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    atrium.viewer_choose(RECIPE.into(), Some(ViewerChoice::Server { server_id: a.id.clone() })).await.expect("choose");
    let opening = atrium.viewer_open_artifact(pancakes.id.clone(), environment()).await.expect("open");
    let ViewerOpening::Opened { view } = opening else { panic!("{opening:?}") };
    let body = reqwest::get(&view.url).await.expect("proxy").text().await.expect("body");
    assert!(body.contains(&format!("\"view\":\"{first}/v/")), "{first} again: {body}");
    atrium.close().await;
}

#[tokio::test]
async fn a_view_gets_its_servers_progress_and_list_changes_and_the_editor_hears_of_its_saves() {
    let fx = Fixture::new().await;
    let mut registration = recipe_server();
    registration["allowed_tools"] = json!(["scale_recipe", "count_slowly", "grow_tools", "grown_tool"]);
    let server = fx.register("My Server", registration).await;
    fx.ready(&server.id).await;
    let pancakes = recipe(&fx, "Pancakes", "Basque").await;
    let opening = fx.atrium.viewer_open_artifact(pancakes.id.clone(), environment()).await.expect("open");
    let (mut view, _) = Relay::mount(&fx, opening).await;
    view.handshake().await;

    // A call made with a progress token gets the server's progress, then its answer.
    let params = json!({"name": "count_slowly", "arguments": {"steps": 3}, "_meta": {"progressToken": "count-1"}});
    let count = view.request("tools/call", params).await;
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let progress = view.method("notifications/progress").await;
        assert_eq!(progress["params"]["progressToken"], "count-1");
        assert_eq!(progress["params"]["total"], json!(3.0));
        seen.push(progress["params"]["progress"].as_f64().expect("progress"));
    }
    assert_eq!(seen, [1.0, 2.0, 3.0]);
    assert_eq!(view.answer(count).await["result"]["content"][0]["text"], "counted to 3");

    // The server adds a tool: the view is told, and may call it.
    let grow = view.request("tools/call", json!({"name": "grow_tools"})).await;
    view.answer(grow).await;
    view.method("notifications/tools/list_changed").await;
    let grown = view.request("tools/call", json!({"name": "grown_tool"})).await;
    assert_eq!(view.answer(grown).await["result"]["content"][0]["text"], "a tool added while the view was open");

    // What the view saves is announced, for the editor beside it.
    let patch = json!({"name": "update_artifact", "arguments": {"patch": {"title": "Crêpes"}}});
    let update = view.request("tools/call", patch).await;
    view.answer(update).await;
    let events = fx.events.events.lock().expect("lock").clone();
    let saved = events.iter().rev().find_map(|e| match e {
        AppEvent::ArtifactChanged { artifact_id, version, by, created, .. } if *artifact_id == pancakes.id => {
            Some((*version, *by, *created))
        }
        _ => None,
    });
    assert_eq!(saved, Some((pancakes.version + 1, ChangedBy::View, false)));
}

#[tokio::test]
async fn a_previewed_tool_view_gets_the_arguments_as_they_are_written_then_runs() {
    let fx = Fixture::new().await;
    let server = fx.register("Basic App", vanilla_server()).await;
    fx.ready(&server.id).await;
    let opening =
        fx.atrium.viewer_preview_tool(server.id.clone(), "get-time".into(), environment()).await.expect("preview");
    let (mut view, _) = Relay::mount(&fx, opening).await;
    assert_eq!(view.view.call_id, None, "nothing runs yet");
    let init = view.request("ui/initialize", json!({"protocolVersion": "2026-01-26"})).await;
    view.answer(init).await;
    view.notify("ui/notifications/initialized", json!({})).await;
    let view_id = view.view.view_id.clone();
    let partial = |v: Value| v.as_object().cloned().expect("object");
    fx.atrium.viewer_tool_input_partial(view_id.clone(), partial(json!({"zone": "Eu"}))).await.expect("partial");
    let first = view.method("ui/notifications/tool-input-partial").await;
    assert_eq!(first["params"]["arguments"], json!({"zone": "Eu"}));
    let call_id = fx.atrium.viewer_run_tool(view_id.clone(), partial(json!({}))).await.expect("run");
    assert!(!call_id.is_empty());
    assert_eq!(view.method("ui/notifications/tool-input").await["params"]["arguments"], json!({}));
    let result = view.method("ui/notifications/tool-result").await;
    assert!(result["params"]["content"].as_array().is_some_and(|c| !c.is_empty()), "{result}");
    fx.atrium.viewer_close(view_id).await.expect("close");
}

#[tokio::test]
async fn when_the_window_reloads_every_view_ends() {
    let fx = Fixture::new().await;
    let server = fx.register("Basic App", vanilla_server()).await;
    fx.ready(&server.id).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let opening = fx
            .atrium
            .viewer_open_tool(server.id.clone(), "get-time".into(), serde_json::Map::new(), environment())
            .await
            .expect("open");
        let ViewerOpening::Opened { view } = opening else { panic!("{opening:?}") };
        ids.push(view.view_id);
    }
    fx.atrium.viewer_close_all().await;
    for id in ids {
        assert!(fx.atrium.viewer_post(id, "{}".into()).await.is_err(), "the view is gone");
    }
}

#[tokio::test]
async fn a_view_receives_what_its_server_answered_exactly_as_the_server_wrote_it() {
    // The server writes fields no MCP revision defines, fields set to null, and leaves optional ones out.
    let script = crate::peers::peer_script("verbatim_view_server.py");
    let output = std::process::Command::new(python()).arg(&script).arg("--answers").output().expect("answers");
    let answers: Value = serde_json::from_slice(&output.stdout).expect("the server's answers");
    let fx = Fixture::new().await;
    let registration = json!({"transport": {"type": "stdio", "command": python(), "args": [script]}});
    let server = fx.register("Verbatim", registration).await;
    fx.ready(&server.id).await;
    let opening = fx
        .atrium
        .viewer_open_tool(server.id.clone(), "show".into(), serde_json::Map::new(), environment())
        .await
        .expect("open the tool's view");
    let (mut view, loaded) = Relay::mount(&fx, opening).await;
    assert!(loaded.html.contains("verbatim"));
    let init = view.request("ui/initialize", json!({"protocolVersion": "2026-01-26"})).await;
    view.notify("ui/notifications/initialized", json!({})).await;
    let tool = &answers["tools/list"]["tools"][0];
    assert_eq!(&view.answer(init).await["result"]["hostContext"]["toolInfo"]["tool"], tool);
    // The person's run, delivered as the tool's result.
    assert_eq!(view.method("ui/notifications/tool-result").await["params"], answers["tools/call"]);

    let listed = view.request("tools/list", json!({})).await;
    assert_eq!(view.answer(listed).await["result"], answers["tools/list"]);
    let call = view.request("tools/call", json!({"name": "show", "arguments": {"n": 1}})).await;
    assert_eq!(view.answer(call).await["result"], answers["tools/call"]);
    for method in ["resources/list", "resources/templates/list", "prompts/list"] {
        let asked = view.request(method, json!({})).await;
        assert_eq!(view.answer(asked).await["result"], answers[method], "{method}");
    }
    let read = view.request("resources/read", json!({"uri": "ui://verbatim/view.html"})).await;
    assert_eq!(view.answer(read).await["result"], answers["resources/read"]);
    fx.atrium.viewer_close(view.view.view_id.clone()).await.expect("close");
}
