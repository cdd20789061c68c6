//! Playing a view's relay without a webview: fetch the proxy page and the view it names over HTTP, then speak for
//! the view through `viewer_post` (whose answer is the reply to a request) and read what else Atrium posts from its
//! events. Used by the viewer tests against the seed-layout FastMCP recipe server and
//! `@modelcontextprotocol/server-basic-vanillajs`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use atrium_api::{AppEvent, NewArtifact, OpenedView, ViewerEnvironment, ViewerEvent, ViewerOpening};
use serde_json::{Value, json};

use crate::peers::{Fixture, node, python, repo};

pub fn recipe_server() -> Value {
    let script = repo().join("tests/fixtures/recipe-server/server.py");
    json!({"transport": {"type": "stdio", "command": python(), "args": [script.display().to_string()]},
           "allowed_tools": ["scale_recipe", "on_open", "on_create", "extract_text", "model_only_tool"]})
}

pub fn vanilla_server() -> Value {
    let js = repo().join("tests/peers/node_modules/@modelcontextprotocol/server-basic-vanillajs/dist/index.js");
    assert!(js.exists(), "{} is missing: run `make setup-test`", js.display());
    json!({"transport": {"type": "stdio", "command": node(), "args": [js.display().to_string(), "--stdio"]}})
}

pub fn environment() -> ViewerEnvironment {
    ViewerEnvironment { theme: "dark".into(), locale: "en-GB".into(), time_zone: "Europe/London".into() }
}

pub const RECIPE: &str = "application/vnd.my-org.recipe+json";

pub async fn recipe(fx: &Fixture, title: &str, cuisine: &str) -> atrium_api::Artifact {
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
pub struct Relay<'a> {
    fx: &'a Fixture,
    pub view: OpenedView,
    seen: usize,
    next_id: i64,
    replies: HashMap<i64, tokio::task::JoinHandle<Option<Value>>>,
}

/// What loading a view's frames gave: the view's own origin, its policy and its HTML.
pub struct Loaded {
    pub origin: String,
    pub csp: String,
    pub html: String,
}

impl<'a> Relay<'a> {
    /// Loads the proxy page and then the view it names (as the two iframes would), then completes the proxy's part
    /// of the handshake.
    pub async fn mount(fx: &'a Fixture, opening: ViewerOpening) -> (Relay<'a>, Loaded) {
        let ViewerOpening::Opened { view } = opening else { panic!("expected a view, got {opening:?}") };
        let page = reqwest::get(&view.url).await.expect("proxy page");
        assert_eq!(page.status(), 200);
        let proxy_csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
        let body = page.text().await.expect("proxy body");
        assert_eq!(reqwest::get(&view.url).await.expect("again").status(), 403, "the URL works once");
        let config = body.split("id=\"atrium-view\">").nth(1).and_then(|rest| rest.split("</script>").next());
        let config: Value = serde_json::from_str(config.expect("the proxy's config")).expect("config JSON");
        let view_url = config["view"].as_str().expect("the view's URL").to_owned();
        let origin = url::Url::parse(&view_url).expect("url").origin().ascii_serialization();
        assert_ne!(origin, view.origin, "the view is not on the proxy's origin");
        assert!(proxy_csp.contains(&format!("frame-src {origin};")), "{proxy_csp}");
        let page = reqwest::get(&view_url).await.expect("view page");
        assert_eq!(page.status(), 200);
        let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
        let html = page.text().await.expect("view");
        assert_eq!(reqwest::get(&view_url).await.expect("again").status(), 403, "the view's URL works once");
        let relay = Relay { fx, view, seen: 0, next_id: 1, replies: HashMap::new() };
        relay.notify("ui/notifications/sandbox-proxy-ready", json!({})).await;
        (relay, Loaded { origin, csp, html })
    }

    pub async fn send(&self, message: Value) -> Option<Value> {
        self.fx.atrium.viewer_post(self.view.view_id.clone(), message.to_string()).await.expect("post")
    }

    pub async fn notify(&self, method: &str, params: Value) {
        assert_eq!(self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await, None);
    }

    /// Sends a request; its answer comes back to the relay (see [`Relay::answer`]).
    pub async fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let (atrium, view_id) = (self.fx.atrium.clone(), self.view.view_id.clone());
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        let reply = tokio::spawn(async move { atrium.viewer_post(view_id, message).await.expect("post") });
        self.replies.insert(id, reply);
        id
    }

    pub async fn answer(&mut self, id: i64) -> Value {
        let reply = self.replies.remove(&id).expect("a request sent");
        let answer = tokio::time::timeout(Duration::from_secs(15), reply).await.expect("in time").expect("join");
        let answer = answer.expect("every request is answered");
        assert_eq!(answer["id"], json!(id));
        answer
    }

    /// The next viewer event for this view.
    pub async fn event(&mut self) -> ViewerEvent {
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

    pub async fn post(&mut self) -> Value {
        loop {
            if let ViewerEvent::Post { message } = self.event().await {
                return message;
            }
        }
    }

    pub async fn method(&mut self, method: &str) -> Value {
        loop {
            let message = self.post().await;
            if message["method"] == method {
                return message;
            }
        }
    }

    /// The seed skeleton's handshake; returns the tool-result notification.
    pub async fn handshake(&mut self) -> Value {
        let init = self.request("ui/initialize", json!({"protocolVersion": "2026-01-26"})).await;
        self.notify("ui/notifications/initialized", json!({})).await;
        let answer = self.answer(init).await;
        assert_eq!(answer["result"]["hostContext"]["platform"], "desktop");
        self.method("ui/notifications/tool-input").await;
        self.method("ui/notifications/tool-result").await
    }
}
