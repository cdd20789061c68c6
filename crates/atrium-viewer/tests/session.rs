//! `ViewerSession` without a webview: a test plays the view (and its proxy) by sending the JSON text the relay
//! would pass, and checks every message Atrium sends against the MCP Apps JSON Schema shipped in
//! `@modelcontextprotocol/ext-apps` (installed into tests/peers by `scripts/setup.sh --test`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrium_viewer::session::{INITIALIZED_GRACE, PROTOCOL_VERSION, TEARDOWN_WAIT};
use atrium_viewer::{
    BoxFuture, CspDomains, Progress, Refusal, RpcError, ServerList, ToolAccess, ToolOutcome, ViewBackend, ViewPayload,
    ViewPermissions, ViewSetup, ViewerEvent, ViewerSession,
};
use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

const SCHEMA: &str = "../../tests/peers/node_modules/@modelcontextprotocol/ext-apps/dist/src/generated/schema.json";

/// Validates `instance` against `$defs/<name>` of the ext-apps schema.
fn assert_schema(name: &str, instance: &Value) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCHEMA);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run scripts/setup.sh --test)", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("schema.json");
    // Each definition is a standalone schema (its own `$schema` and internal `#/$defs/…` references).
    let definition = schema["$defs"].get(name).unwrap_or_else(|| panic!("no $defs/{name} in schema.json"));
    let validator = jsonschema::validator_for(definition).expect("compile schema");
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{name} does not validate {instance}:\n{}", errors.join("\n"));
}

/// A notification or request as the schema describes it: without the JSON-RPC envelope keys.
fn body(message: &Value) -> Value {
    let mut m = message.as_object().expect("object").clone();
    m.remove("jsonrpc");
    m.remove("id");
    Value::Object(m)
}

#[derive(Default)]
struct Recorded {
    calls: Vec<(String, Map<String, Value>)>,
    call_ids: Vec<String>,
    forwarded: Vec<(String, Map<String, Value>)>,
    host_tools: Vec<String>,
    links: Vec<String>,
    refusals: Vec<Refusal>,
    cancelled: Vec<String>,
    logs: Vec<String>,
}

struct TestBackend {
    recorded: Arc<Mutex<Recorded>>,
    open_links: bool,
    shows_artifact: bool,
}

impl ViewBackend for TestBackend {
    fn call_tool(
        &self,
        name: String,
        arguments: Map<String, Value>,
        call_id: String,
    ) -> BoxFuture<'_, Result<Value, RpcError>> {
        Box::pin(async move {
            self.recorded.lock().expect("lock").call_ids.push(call_id);
            if name == "slow" {
                tokio::time::sleep(Duration::from_secs(30)).await;
            }
            let text = format!("called {name}");
            self.recorded.lock().expect("lock").calls.push((name, arguments));
            Ok(json!({"content": [{"type": "text", "text": text}]}))
        })
    }
    fn cancel_call(&self, call_id: &str) {
        self.recorded.lock().expect("lock").cancelled.push(call_id.to_owned());
    }
    fn forward(&self, method: &str, params: Map<String, Value>) -> BoxFuture<'_, Result<Value, RpcError>> {
        let method = method.to_owned();
        Box::pin(async move {
            let uri = params.get("uri").cloned();
            self.recorded.lock().expect("lock").forwarded.push((method.clone(), params));
            match method.as_str() {
                "resources/read" => Ok(json!({"contents": [{"uri": uri, "text": "data"}]})),
                _ => Ok(json!({"resources": []})),
            }
        })
    }
    fn answers_tool(&self, name: &str) -> bool {
        self.shows_artifact && matches!(name, "update_artifact" | "create_artifact")
    }
    fn host_tool(&self, name: String, _arguments: Map<String, Value>) -> BoxFuture<'_, Result<Value, RpcError>> {
        Box::pin(async move {
            self.recorded.lock().expect("lock").host_tools.push(name);
            Ok(json!({"content": [{"type": "text", "text": "OK"}]}))
        })
    }
    fn open_link(&self, url: String) -> BoxFuture<'_, bool> {
        Box::pin(async move {
            self.recorded.lock().expect("lock").links.push(url);
            self.open_links
        })
    }
    fn refused(&self, refusal: &Refusal) {
        self.recorded.lock().expect("lock").refusals.push(refusal.clone());
    }
    fn log(&self, level: &str, data: &Value) {
        self.recorded.lock().expect("lock").logs.push(format!("{level}: {data}"));
    }
}

struct View {
    session: ViewerSession,
    events: mpsc::UnboundedReceiver<ViewerEvent>,
    recorded: Arc<Mutex<Recorded>>,
    next_id: i64,
}

fn tools() -> Vec<ToolAccess> {
    let tool = |name: &str, app: bool, model: bool| ToolAccess {
        name: name.into(),
        app,
        model,
        definition: json!({"name": name, "inputSchema": {"type": "object"}}),
    };
    vec![
        tool("get-time", true, true),
        tool("app-only", true, false),
        tool("model-only", false, true),
        tool("slow", true, true),
    ]
}

fn artifact() -> Value {
    json!({"id": "a1", "artifact_id": "a1", "root_id": null, "title": "Pancakes",
           "content_type": "application/vnd.my-org.recipe+json", "context": {"title": "Pancakes"},
           "content": "{\"title\":\"Pancakes\"}", "state": "draft", "version": 1})
}

fn open(payload: ViewPayload, open_links: bool) -> View {
    let recorded = Arc::new(Mutex::new(Recorded::default()));
    let shows_artifact = matches!(payload, ViewPayload::Artifact { .. });
    let backend = Arc::new(TestBackend { recorded: recorded.clone(), open_links, shows_artifact });
    let (tx, events) = mpsc::unbounded_channel();
    let setup = ViewSetup {
        view_id: "v1".into(),
        csp: CspDomains { connect_domains: vec!["https://api.example.com".into()], ..CspDomains::default() },
        permissions: ViewPermissions { clipboard_write: true, ..ViewPermissions::default() },
        host_context: json!({"theme": "dark", "locale": "en-GB", "timeZone": "Europe/London",
                             "styles": atrium_viewer::styles::host_styles(),
                             "agience": {"workspaceId": "w1", "artifactId": "a1"}})
        .as_object()
        .cloned()
        .expect("object"),
        tools: tools(),
        payload,
        host_version: "0.1.0".into(),
    };
    let session = ViewerSession::start(setup, backend, Arc::new(move |e| drop(tx.send(e))));
    View { session, events, recorded, next_id: 1 }
}

impl View {
    /// Relays a message without waiting for its answer (which then comes as a `Post` event).
    fn send(&self, message: Value) {
        drop(self.session.receive(message.to_string()));
    }

    fn send_text(&self, text: &str) {
        drop(self.session.receive(text.to_owned()));
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    async fn event(&mut self) -> ViewerEvent {
        tokio::time::timeout(Duration::from_secs(5), self.events.recv()).await.expect("an event in time").expect("open")
    }

    /// The next message posted to the view, skipping other events.
    async fn post(&mut self) -> Value {
        loop {
            if let ViewerEvent::Post { message } = self.event().await {
                return message;
            }
        }
    }

    /// The answer to request `id`.
    async fn answer(&mut self, id: i64) -> Value {
        loop {
            let message = self.post().await;
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
        }
    }

    async fn nothing_posted_for(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, self.events.recv()).await {
            assert!(!matches!(event, ViewerEvent::Post { .. }), "unexpected message: {event:?}");
        }
    }

    /// Proxy ready, full initialize, initialized; returns the initialize result and the two data notifications.
    async fn handshake(&mut self) -> (Value, Value, Value) {
        self.notify("ui/notifications/sandbox-proxy-ready", json!({}));
        let id = self.request(
            "ui/initialize",
            json!({"appInfo": {"name": "test-view", "version": "1.0.0"}, "appCapabilities": {},
                   "protocolVersion": PROTOCOL_VERSION}),
        );
        let init = self.answer(id).await;
        self.notify("ui/notifications/initialized", json!({}));
        let input = self.post().await;
        let result = self.post().await;
        (init["result"].clone(), input, result)
    }

    fn refusals(&self) -> Vec<Refusal> {
        self.recorded.lock().expect("lock").refusals.clone()
    }
}

#[tokio::test]
async fn full_handshake_sends_schema_valid_messages_in_order() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.notify("ui/notifications/sandbox-proxy-ready", json!({}));
    // The proxy page was minted with its view's URL: it needs nothing from the host.
    view.nothing_posted_for(Duration::from_millis(50)).await;

    let id = view.request(
        "ui/initialize",
        json!({"appInfo": {"name": "v", "version": "1"}, "appCapabilities": {"availableDisplayModes": ["inline"]},
               "protocolVersion": PROTOCOL_VERSION}),
    );
    let init = view.answer(id).await;
    // Nothing before `initialized` (well inside the grace period; checked before the slow schema work).
    view.nothing_posted_for(INITIALIZED_GRACE / 3).await;
    view.notify("ui/notifications/initialized", json!({}));
    assert_schema("McpUiInitializeResult", &init["result"]);
    let result = &init["result"];
    assert_eq!(result["protocolVersion"], PROTOCOL_VERSION);
    assert_eq!(result["hostInfo"]["name"], "atrium");
    assert_eq!(result["hostContext"]["platform"], "desktop");
    assert_eq!(result["hostContext"]["theme"], "dark");
    assert_eq!(result["hostContext"]["agience"]["workspaceId"], "w1");
    assert_eq!(result["hostCapabilities"]["sandbox"]["csp"]["connectDomains"], json!(["https://api.example.com"]));
    assert_eq!(result["hostCapabilities"]["sandbox"]["permissions"], json!({"clipboardWrite": {}}));
    assert_eq!(result["hostCapabilities"]["serverTools"], json!({"listChanged": true}));
    let input = view.post().await;
    assert_schema("McpUiToolInputNotification", &body(&input));
    assert_eq!(input["params"]["arguments"], json!({"artifact_id": "a1"}));
    let data = view.post().await;
    assert_schema("McpUiToolResultNotification", &body(&data));
    let text = data["params"]["content"][0]["text"].as_str().expect("text");
    let shown: Value = serde_json::from_str(text).expect("artifact JSON");
    assert_eq!(shown, artifact());
    assert!(matches!(view.event().await, ViewerEvent::Ready));
    // Each exactly once: a second `initialized` changes nothing.
    view.notify("ui/notifications/initialized", json!({}));
    view.nothing_posted_for(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn the_seed_skeleton_handshake_works() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.notify("ui/notifications/sandbox-proxy-ready", json!({}));
    // The seed's viewer: a bare initialize, then `initialized` at once, without waiting for the answer.
    view.send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "ui/initialize", "params": {"protocolVersion": "2026-01-26"}}),
    );
    view.send(json!({"jsonrpc": "2.0", "method": "ui/notifications/initialized", "params": {}}));
    let init = view.post().await;
    assert_eq!(init["id"], 1);
    assert_schema("McpUiInitializeResult", &init["result"]);
    assert_eq!(view.post().await["method"], "ui/notifications/tool-input");
    assert_eq!(view.post().await["method"], "ui/notifications/tool-result");
}

#[tokio::test]
async fn a_view_that_never_says_initialized_still_gets_its_data() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.notify("ui/notifications/sandbox-proxy-ready", json!({}));
    let id = view.request("ui/initialize", json!({"protocolVersion": "2026-01-26"}));
    view.answer(id).await;
    let started = tokio::time::Instant::now();
    assert_eq!(view.post().await["method"], "ui/notifications/tool-input");
    assert!(started.elapsed() >= INITIALIZED_GRACE - Duration::from_millis(20), "{:?}", started.elapsed());
    assert_eq!(view.post().await["method"], "ui/notifications/tool-result");
}

#[tokio::test]
async fn requests_before_initialize_are_refused_but_ping_is_answered() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    let ping = view.request("ping", json!({}));
    assert_eq!(view.answer(ping).await["result"], json!({}));
    let early = view.request("tools/call", json!({"name": "get-time"}));
    assert_eq!(view.answer(early).await["error"]["code"], -32000);
    assert!(view.recorded.lock().expect("lock").calls.is_empty());
    assert_eq!(view.refusals().len(), 1);
}

#[tokio::test]
async fn tools_call_reaches_only_the_views_own_app_tools() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let ok = view.request("tools/call", json!({"name": "get-time", "arguments": {"tz": "UTC"}}));
    let answer = view.answer(ok).await;
    assert_eq!(answer["result"]["content"][0]["text"], "called get-time");
    let app_only = view.request("tools/call", json!({"name": "app-only"}));
    assert!(view.answer(app_only).await.get("result").is_some());

    for (name, why) in [
        ("model-only", "model only"),
        ("other-server__get-time", "no such tool"),
        ("delete_everything", "no such tool"),
    ] {
        let id = view.request("tools/call", json!({"name": name, "arguments": {}}));
        let answer = view.answer(id).await;
        assert_eq!(answer["error"]["code"], -32000, "{name}");
        assert!(answer["error"]["message"].as_str().expect("message").contains(name), "{answer}");
        let refusal = view.refusals().pop().expect("reported");
        assert_eq!((refusal.method.as_str(), refusal.target.as_deref()), ("tools/call", Some(name)), "{why}");
    }
    let bad = view.request("tools/call", json!({"arguments": {}}));
    assert_eq!(view.answer(bad).await["error"]["code"], -32602);
    let bad_args = view.request("tools/call", json!({"name": "get-time", "arguments": [1]}));
    assert_eq!(view.answer(bad_args).await["error"]["code"], -32602);

    let calls: Vec<String> = view.recorded.lock().expect("lock").calls.iter().map(|c| c.0.clone()).collect();
    assert_eq!(calls, ["get-time", "app-only"]);
    assert_eq!(view.recorded.lock().expect("lock").calls[0].1, json!({"tz": "UTC"}).as_object().cloned().expect("o"));

    // The artifact tools are the host's own.
    let update = view.request("tools/call", json!({"name": "update_artifact", "arguments": {"id": "a1", "patch": {}}}));
    assert_eq!(view.answer(update).await["result"]["content"][0]["text"], "OK");
    assert_eq!(view.recorded.lock().expect("lock").host_tools, ["update_artifact"]);

    // tools/list shows views only what they may call.
    let list = view.request("tools/list", json!({}));
    let names: Vec<String> = view.answer(list).await["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .map(|t| t["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names, ["get-time", "app-only", "slow"]);
}

#[tokio::test]
async fn resources_and_prompts_go_to_the_views_server() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let read = view.request("resources/read", json!({"uri": "ui://s/data.json"}));
    assert_eq!(view.answer(read).await["result"]["contents"][0]["text"], "data");
    let list = view.request("resources/list", json!({}));
    assert!(view.answer(list).await.get("result").is_some());
    let prompts = view.request("prompts/list", json!({}));
    assert!(view.answer(prompts).await.get("result").is_some());
    let no_uri = view.request("resources/read", json!({}));
    assert_eq!(view.answer(no_uri).await["error"]["code"], -32602);
    let methods: Vec<String> = view.recorded.lock().expect("lock").forwarded.iter().map(|f| f.0.clone()).collect();
    assert_eq!(methods, ["resources/read", "resources/list", "prompts/list"]);
}

#[tokio::test]
async fn open_link_asks_and_refuses_non_web_schemes() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let ok = view.request("ui/open-link", json!({"url": "https://example.com/docs"}));
    assert_eq!(view.answer(ok).await["result"], json!({}));
    for url in ["file:///etc/passwd", "javascript:alert(1)", "tauri://localhost/", "not a url"] {
        let id = view.request("ui/open-link", json!({"url": url}));
        assert_eq!(view.answer(id).await["error"]["code"], -32000, "{url}");
    }
    assert_eq!(view.recorded.lock().expect("lock").links, ["https://example.com/docs"]);
    assert_eq!(view.refusals().len(), 4);

    let mut declined = open(ViewPayload::Artifact { artifact: artifact() }, false);
    declined.handshake().await;
    let id = declined.request("ui/open-link", json!({"url": "https://example.com"}));
    assert_eq!(declined.answer(id).await["result"], json!({"isError": true}));
}

#[tokio::test]
async fn messages_context_display_mode_and_size() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let message = view.request("ui/message", json!({"role": "user", "content": [{"type": "text", "text": "hi"}]}));
    assert_eq!(view.answer(message).await["result"], json!({}));
    // The stable spec's example sends one block, not an array.
    let single = view.request("ui/message", json!({"role": "user", "content": {"type": "text", "text": "one"}}));
    assert_eq!(view.answer(single).await["result"], json!({}));
    let context = view.request("ui/update-model-context", json!({"structuredContent": {"n": 1}}));
    assert_eq!(view.answer(context).await["result"], json!({}));
    let notes = view.session.notes();
    assert_eq!(notes.messages.len(), 2);
    assert_eq!(notes.messages[1], json!([{"type": "text", "text": "one"}]));
    assert_eq!(notes.model_context, Some(json!({"structuredContent": {"n": 1}})));
    let clear = view.request("ui/update-model-context", json!({}));
    view.answer(clear).await;
    assert_eq!(view.session.notes().model_context, None);

    let full = view.request("ui/request-display-mode", json!({"mode": "fullscreen"}));
    let mut changed = None;
    let answer = loop {
        let m = view.post().await;
        if m["method"] == "ui/notifications/host-context-changed" {
            changed = Some(m);
        } else if m["id"] == json!(full) {
            break m;
        }
    };
    assert_schema("McpUiRequestDisplayModeResult", &answer["result"]);
    assert_eq!(answer["result"]["mode"], "fullscreen");
    let changed = changed.expect("host-context-changed");
    assert_schema("McpUiHostContextChangedNotification", &body(&changed));
    let pip = view.request("ui/request-display-mode", json!({"mode": "pip"}));
    assert_eq!(view.answer(pip).await["result"]["mode"], "fullscreen", "unsupported: stays in the current mode");

    view.notify("ui/notifications/size-changed", json!({"width": 320, "height": 480.5}));
    view.notify("ui/notifications/size-changed", json!({"height": "huge"}));
    view.notify("ui/notifications/size-changed", json!({"height": 1e12}));
    let ping = view.request("ping", json!({}));
    let mut sizes = Vec::new();
    loop {
        match view.event().await {
            ViewerEvent::Resize { width, height } => sizes.push((width, height)),
            ViewerEvent::Post { message } if message["id"] == json!(ping) => break,
            _ => {}
        }
    }
    assert_eq!(sizes, [(Some(320.0), Some(480.5))]);
}

#[tokio::test]
async fn display_modes_the_app_did_not_declare_are_not_entered() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.notify("ui/notifications/sandbox-proxy-ready", json!({}));
    let init = view.request(
        "ui/initialize",
        json!({"appInfo": {"name": "v", "version": "1"}, "appCapabilities": {"availableDisplayModes": ["inline"]},
               "protocolVersion": PROTOCOL_VERSION}),
    );
    view.answer(init).await;
    let id = view.request("ui/request-display-mode", json!({"mode": "fullscreen"}));
    assert_eq!(view.answer(id).await["result"]["mode"], "inline");
}

#[tokio::test]
async fn unknown_and_unadvertised_methods_get_method_not_found() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    for method in ["ui/does-not-exist", "ui/download-file", "sampling/createMessage", "ui/resource-teardown"] {
        let id = view.request(method, json!({}));
        assert_eq!(view.answer(id).await["error"]["code"], -32601, "{method}");
    }
}

#[tokio::test]
async fn malformed_and_oversized_messages_are_refused_and_reported() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    view.send_text("{\"hello\": 1}");
    view.send_text("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}");
    assert_eq!(view.post().await["error"]["code"], -32600);
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ui/message\",\"params\":{{\"t\":\"{}\"}}}}",
        "x".repeat(5 << 20)
    );
    view.send_text(&huge);
    let refused = view.post().await;
    assert_eq!((refused["id"].clone(), refused["error"]["code"].clone()), (json!(9), json!(-32600)), "answered by id");
    // The proxy's own notifications cannot be spoken by the view.
    view.notify("ui/notifications/sandbox-resource-ready", json!({"html": "<script>evil()</script>"}));
    let ping = view.request("ping", json!({}));
    view.answer(ping).await;
    let reasons: Vec<String> = view.refusals().into_iter().map(|r| r.method).collect();
    assert_eq!(reasons, ["(message)", "(message)", "(message)", "ui/notifications/sandbox-resource-ready"]);
    assert!(view.session.notes().messages.is_empty(), "nothing was kept");
}

#[tokio::test]
async fn cancelling_a_call_cancels_it_on_the_server_and_sends_no_answer() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let slow = view.request("tools/call", json!({"name": "slow"}));
    tokio::time::sleep(Duration::from_millis(50)).await;
    view.notify("notifications/cancelled", json!({"requestId": slow, "reason": "user"}));
    let ping = view.request("ping", json!({}));
    let next = view.post().await;
    assert_eq!(next["id"], json!(ping), "no answer for the cancelled call: {next}");
    assert_eq!(view.recorded.lock().expect("lock").cancelled.len(), 1);
}

#[tokio::test]
async fn tool_views_get_input_then_the_result_when_it_arrives() {
    let arguments = json!({"city": "Paris"}).as_object().cloned().expect("o");
    let tool = json!({"name": "get-time", "inputSchema": {"type": "object"}});
    let mut view = open(ViewPayload::Tool { tool, arguments: Some(arguments) }, true);
    view.notify("ui/notifications/sandbox-proxy-ready", json!({}));
    let init = view.request("ui/initialize", json!({"protocolVersion": PROTOCOL_VERSION}));
    let init = view.answer(init).await;
    assert_schema("McpUiInitializeResult", &init["result"]);
    assert_eq!(init["result"]["hostContext"]["toolInfo"]["tool"]["name"], "get-time");
    view.notify("ui/notifications/initialized", json!({}));
    let input = view.post().await;
    assert_eq!(input["params"]["arguments"], json!({"city": "Paris"}));
    view.nothing_posted_for(Duration::from_millis(100)).await;
    view.session.tool_finished(ToolOutcome::Result(json!({"structuredContent": {"time": "12:00"}})));
    let result = view.post().await;
    assert_schema("McpUiToolResultNotification", &body(&result));
    assert_eq!(result["params"]["content"], json!([]), "content is always present");
    // Not an artifact view: update_artifact is just an unknown tool here.
    let id = view.request("tools/call", json!({"name": "update_artifact", "arguments": {}}));
    assert_eq!(view.answer(id).await["error"]["code"], -32000);

    let mut cancelled = open(ViewPayload::Tool { tool: json!({"name": "t"}), arguments: Some(Map::new()) }, true);
    cancelled.session.tool_finished(ToolOutcome::Cancelled("the server is unavailable".into()));
    let (_, input, outcome) = cancelled.handshake().await;
    assert_eq!(input["params"]["arguments"], json!({}), "tool-input is sent even without arguments");
    assert_schema("McpUiToolCancelledNotification", &body(&outcome));
}

#[tokio::test]
async fn close_sends_resource_teardown_and_waits_for_the_answer() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let session = view.session.clone();
    let closing = tokio::spawn(async move { session.close().await });
    let request = view.post().await;
    assert_eq!(request["method"], "ui/resource-teardown");
    assert_schema("McpUiResourceTeardownRequest", &body(&request));
    view.send(json!({"jsonrpc": "2.0", "id": request["id"], "result": {}}));
    assert!(closing.await.expect("join"), "the view answered");
    assert!(view.session.is_closed());

    // A view that does not answer is closed anyway, in bounded time.
    let mut silent = open(ViewPayload::Artifact { artifact: artifact() }, true);
    silent.handshake().await;
    let started = tokio::time::Instant::now();
    assert!(!silent.session.close().await);
    // Bounded by the teardown wait (half a second), with slack for a busy machine.
    assert!(started.elapsed() < TEARDOWN_WAIT * 10, "{:?}", started.elapsed());
    assert!(silent.session.is_closed());
}

#[tokio::test]
async fn every_request_is_answered_to_the_relay_that_passed_it() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let ask = |text: String| view.session.receive(text);
    // A result, a refusal and a call's answer come back to the caller that relayed the request …
    let ping = ask(json!({"jsonrpc": "2.0", "id": "p", "method": "ping"}).to_string()).await.expect("answered");
    assert_eq!((ping["id"].clone(), ping["result"].clone()), (json!("p"), json!({})));
    let refused =
        ask(json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "model-only"}}).to_string())
            .await
            .expect("answered");
    assert_eq!((refused["id"].clone(), refused["error"]["code"].clone()), (json!(7), json!(-32000)));
    let call =
        ask(json!({"jsonrpc": "2.0", "id": 8, "method": "tools/call", "params": {"name": "get-time"}}).to_string())
            .await
            .expect("answered");
    assert_eq!(call["result"]["content"][0]["text"], "called get-time");
    // … so much as an unreadable one (with a null id when its own cannot be read) …
    let garbage = ask("{not json".into()).await.expect("answered");
    assert_eq!((garbage["id"].clone(), garbage["error"]["code"].clone()), (Value::Null, json!(-32700)));
    let bad_id = ask(r#"{"jsonrpc":"2.0","id":{"not":"an id"},"method":"ping"}"#.into()).await.expect("answered");
    assert_eq!((bad_id["id"].clone(), bad_id["error"]["code"].clone()), (Value::Null, json!(-32600)));
    // … and nothing for notifications.
    assert_eq!(ask(json!({"jsonrpc": "2.0", "method": "ui/log", "params": {}}).to_string()).await, None);
    // None of these went out as events as well.
    view.nothing_posted_for(Duration::from_millis(50)).await;
}

#[tokio::test]
async fn a_preview_gets_partial_input_until_the_final_one() {
    let tool = json!({"name": "show_scene", "inputSchema": {"type": "object"}});
    let mut view = open(ViewPayload::Tool { tool, arguments: None }, true);
    let partial = |code: &str| json!({"code": code}).as_object().cloned().expect("object");
    // Before the view is ready only the latest partial input is kept.
    view.session.tool_input_partial(partial("sc"));
    view.session.tool_input_partial(partial("scene"));
    view.notify("ui/notifications/sandbox-proxy-ready", json!({}));
    let init = view.request("ui/initialize", json!({"protocolVersion": PROTOCOL_VERSION}));
    view.answer(init).await;
    view.notify("ui/notifications/initialized", json!({}));
    let first = view.post().await;
    assert_schema("McpUiToolInputPartialNotification", &body(&first));
    assert_eq!(first["params"]["arguments"], json!({"code": "scene"}));
    view.session.tool_input_partial(partial("scene.add"));
    assert_eq!(view.post().await["params"]["arguments"], json!({"code": "scene.add"}));
    // A result never comes before the input it answers.
    view.session.tool_finished(ToolOutcome::Result(json!({"content": []})));
    view.nothing_posted_for(Duration::from_millis(50)).await;
    view.session.tool_input(partial("scene.add(cube)"));
    let input = view.post().await;
    assert_eq!(
        (input["method"].as_str(), &input["params"]["arguments"]),
        (Some("ui/notifications/tool-input"), &json!({"code": "scene.add(cube)"}))
    );
    assert_eq!(view.post().await["method"], "ui/notifications/tool-result");
    // Once final, the input does not change.
    view.session.tool_input_partial(partial("other"));
    view.session.tool_input(partial("other"));
    view.nothing_posted_for(Duration::from_millis(50)).await;
}

#[tokio::test]
async fn progress_reaches_the_view_that_asked_for_it() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let asked = view.request("tools/call", json!({"name": "slow", "_meta": {"progressToken": "tok-1"}}));
    let silent = view.request("tools/call", json!({"name": "slow"}));
    let ids = loop {
        let ids = view.recorded.lock().expect("lock").call_ids.clone();
        if ids.len() == 2 {
            break ids;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    for call_id in &ids {
        let progress = Progress { progress: 1.0, total: Some(4.0), message: Some("a quarter".into()) };
        view.session.call_progress(call_id.clone(), progress);
    }
    let message = view.post().await;
    assert_eq!(message["method"], "notifications/progress");
    assert_eq!(
        message["params"],
        json!({"progressToken": "tok-1", "progress": 1.0, "total": 4.0, "message": "a quarter"})
    );
    view.nothing_posted_for(Duration::from_millis(50)).await;
    for id in [asked, silent] {
        view.notify("notifications/cancelled", json!({"requestId": id}));
    }
}

#[tokio::test]
async fn list_changes_reach_the_view_and_the_policy() {
    let mut view = open(ViewPayload::Artifact { artifact: artifact() }, true);
    view.handshake().await;
    let before = view.request("tools/call", json!({"name": "new-tool"}));
    assert_eq!(view.answer(before).await["error"]["code"], -32000);
    let mut tools = tools();
    tools.push(ToolAccess {
        name: "new-tool".into(),
        app: true,
        model: true,
        definition: json!({"name": "new-tool", "inputSchema": {"type": "object"}}),
    });
    view.session.list_changed(ServerList::Tools, Some(tools));
    assert_eq!(view.post().await["method"], "notifications/tools/list_changed");
    let after = view.request("tools/call", json!({"name": "new-tool"}));
    assert!(view.answer(after).await.get("result").is_some(), "the new tool is callable");
    view.session.list_changed(ServerList::Resources, None);
    assert_eq!(view.post().await["method"], "notifications/resources/list_changed");
    view.session.list_changed(ServerList::Prompts, None);
    assert_eq!(view.post().await["method"], "notifications/prompts/list_changed");

    // Nothing reaches a view before it is ready.
    let mut early = open(ViewPayload::Artifact { artifact: artifact() }, true);
    early.session.list_changed(ServerList::Tools, None);
    early.nothing_posted_for(Duration::from_millis(50)).await;
}
