//! Atrium's own tools on `/mcp` beyond reading and writing artifacts, over real HTTP with a real store: reviews
//! kept with the artifact, idempotent publishing, and the admin surface with a real stdio server.

use atrium_api::{AgentScope, AgentToken, Atrium, NewAgent, NewArtifact, NewWorkspace, OpenOptions};
use atrium_api::{AppEvent, EventSink, ReviewVerdict};
use atrium_gateway::{Gateway, GatewayOptions};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;
use support::{Home, Session, everything_js, node, outcome, python, repo};

/// Keeps every event the API emits.
#[derive(Default)]
struct Events(Mutex<Vec<AppEvent>>);

impl EventSink for Events {
    fn emit(&self, event: AppEvent) {
        self.0.lock().expect("events").push(event);
    }
}

struct Fixture {
    atrium: Atrium,
    events: Arc<Events>,
    _gateway: Gateway,
    url: String,
    workspace: String,
    _home: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let events = Arc::new(Events::default());
        let options = OpenOptions { events: events.clone(), connect_servers: true, ..OpenOptions::default() };
        let Home { atrium, gateway, url, workspace, dir } =
            Home::open(options, vec![node(), python()], "Drafts", GatewayOptions::default()).await;
        Fixture { atrium, events, _gateway: gateway, url, workspace, _home: dir }
    }

    async fn agent(&self, name: &str, workspaces: Vec<String>, scopes: Vec<AgentScope>) -> AgentToken {
        let input = NewAgent { name: name.into(), workspaces, scopes, servers: vec![] };
        self.atrium.agent_create(input).await.expect("agent")
    }

    async fn artifact(&self, workspace: &str, title: &str) -> String {
        let input = NewArtifact {
            workspace_id: workspace.to_owned(),
            title: title.into(),
            content_type: "text/markdown".into(),
            content: Some("# Draft".into()),
            ..NewArtifact::default()
        };
        self.atrium.artifact_create(input).await.expect("artifact").id
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_review_is_kept_with_the_artifact_and_the_window_hears_of_it() {
    let fx = Fixture::new().await;
    let essay = fx.artifact(&fx.workspace, "Essay").await;
    let elsewhere = fx.atrium.workspace_create(NewWorkspace { title: "Private".into(), description: None }).await;
    let hidden = fx.artifact(&elsewhere.expect("workspace").id, "Hidden").await;
    let critic = fx.agent("Critic", vec![fx.workspace.clone()], vec![AgentScope::Read]).await;
    let mut s = Session::open(&fx.url, &critic.token).await;
    let names = s.tool_names().await;
    assert!(names.iter().any(|n| n == "review_artifact") && names.iter().any(|n| n == "list_reviews"), "{names:?}");

    let review = s
        .call("review_artifact", json!({"artifact_id": essay, "verdict": "changes_requested", "comment": "Cite it."}))
        .await
        .expect("reviewed");
    assert_eq!((review["version"].as_u64(), review["verdict"].as_str()), (Some(1), Some("changes_requested")));

    // What the window reads: the review, by the agent's name.
    let kept = fx.atrium.artifact_reviews(essay.clone()).await.expect("reviews");
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].verdict, kept[0].reviewer_name.as_str()), (ReviewVerdict::ChangesRequested, "Critic"));
    assert_eq!(kept[0].comment, "Cite it.");
    let heard = fx.events.0.lock().expect("events").iter().any(
        |e| matches!(e, AppEvent::ArtifactReviewed { artifact_id, review_id, .. } if *artifact_id == essay && *review_id == kept[0].id),
    );
    assert!(heard, "the window hears of the review");

    let listed = s.call("list_reviews", json!({"artifact_id": essay})).await.expect("listed");
    assert_eq!(listed["reviews"][0]["comment"], "Cite it.");

    // Refused: a verdict that is not one, a version the artifact never had, an artifact it may not see.
    let wrong = s.call("review_artifact", json!({"artifact_id": essay, "verdict": "lgtm"})).await.expect_err("refused");
    assert!(wrong.contains("approved, changes_requested or commented"), "{wrong}");
    let future = s.call("review_artifact", json!({"artifact_id": essay, "verdict": "approved", "version": 7})).await;
    assert!(future.expect_err("refused").contains("versions 1 to 1"));
    let unseen =
        s.call("review_artifact", json!({"artifact_id": hidden, "verdict": "approved"})).await.expect_err("refused");
    assert_eq!(unseen, format!("There is no artifact {hidden}."));
    assert!(fx.atrium.artifact_reviews(hidden).await.expect("reviews").is_empty());
    assert_eq!(fx.atrium.artifact_reviews(essay).await.expect("reviews").len(), 1, "nothing refused was kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_write_writes_once() {
    let fx = Fixture::new().await;
    let writer = fx.agent("Writer", vec![], vec![AgentScope::Read, AgentScope::Write]).await;
    let mut s = Session::open(&fx.url, &writer.token).await;
    let count = || async { fx.atrium.artifact_list(fx.workspace.clone()).await.expect("list").len() };

    // With a key: the retry gets the first result; the same key for other arguments is told apart.
    let publish = json!({"workspace_id": fx.workspace, "title": "Plan", "content": "one", "idempotency_key": "plan-1"});
    let first = s.call("publish_artifact", publish.clone()).await.expect("published");
    let again = s.call("publish_artifact", publish.clone()).await.expect("answered again");
    assert_eq!(first, again);
    assert_eq!(count().await, 1);
    let mut other = publish.clone();
    other["title"] = json!("Another plan");
    let clash = s.call("publish_artifact", other).await.expect_err("refused");
    assert!(clash.contains("other arguments"), "{clash}");
    assert_eq!(count().await, 1);

    // A revision with a key: once.
    let id = first["artifact_id"].as_str().expect("id").to_owned();
    let revise = json!({"artifact_id": id, "content": "two", "expected_version": 1, "idempotency_key": "plan-1-rev"});
    let revised = s.call("add_revision", revise.clone()).await.expect("revised");
    assert_eq!(s.call("add_revision", revise).await.expect("answered again"), revised);
    assert_eq!(fx.atrium.artifact_get(id.clone()).await.expect("artifact").version, 2);

    // Without a key, the same request resent (same id, same session) writes once; another session's request with
    // the same JSON-RPC id is another request.
    let unkeyed = json!({"workspace_id": fx.workspace, "title": "Notes", "content": "n"});
    let sent = outcome(&s.call_with_id(42, "publish_artifact", unkeyed.clone()).await).expect("published");
    let resent = outcome(&s.call_with_id(42, "publish_artifact", unkeyed.clone()).await).expect("answered again");
    assert_eq!(sent, resent);
    assert_eq!(count().await, 2);
    let other_session = Session::open(&fx.url, &writer.token).await;
    let fresh = outcome(&other_session.call_with_id(42, "publish_artifact", unkeyed).await).expect("published");
    assert_ne!(fresh["artifact_id"], sent["artifact_id"]);
    assert_eq!(count().await, 3);

    // A failed write lets its key go: the retry runs (and fails again for the same reason, writing nothing).
    let stale = json!({"artifact_id": id, "content": "three", "expected_version": 1, "idempotency_key": "stale"});
    let refused = s.call("add_revision", stale.clone()).await.expect_err("stale");
    assert!(refused.contains("at version 2"), "{refused}");
    assert!(s.call("add_revision", stale).await.expect_err("stale again").contains("at version 2"));
    let bad_key = json!({"workspace_id": fx.workspace, "title": "X", "content": "x", "idempotency_key": 7});
    assert!(s.call("publish_artifact", bad_key).await.expect_err("refused").contains("idempotency_key is a string"));
    assert_eq!(count().await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_surface_manages_servers_and_never_shows_a_secret_or_runs_what_the_person_did_not_approve() {
    let fx = Fixture::new().await;
    let admin = fx.agent("Ops", vec![fx.workspace.clone()], vec![AgentScope::Read, AgentScope::Admin]).await;
    let reader = fx.agent("Reader", vec![], vec![AgentScope::Read]).await;
    let mut s = Session::open(&fx.url, &admin.token).await;
    let names = s.tool_names().await;
    for tool in ["servers_list", "server_add", "server_update", "server_remove", "server_test", "server_refresh"] {
        assert!(names.iter().any(|n| n == tool), "{tool} missing from {names:?}");
    }
    let mut r = Session::open(&fx.url, &reader.token).await;
    assert!(!r.tool_names().await.iter().any(|n| n.starts_with("server")), "admin tools only with admin");
    assert!(r.call("servers_list", json!({})).await.expect_err("refused").contains("needs the admin scope"));

    // An agent's stdio server, with a secret-looking variable: added, named not shown, and it runs nothing.
    let secret = "sk-live-do-not-show-4b1f";
    let registration = json!({"transport": {"type": "stdio", "command": node(), "args": [everything_js(), "stdio"],
        "env": {"API_KEY": secret}}});
    let added = s
        .call("server_add", json!({"workspace_id": fx.workspace, "title": "Everything", "registration": registration}))
        .await
        .expect("added");
    assert!(!added.to_string().contains(secret), "{added}");
    assert_eq!(added["env_names"], json!(["API_KEY"]));
    assert_eq!(added["approval"], "waits_for_the_person");
    let id = added["server_id"].as_str().expect("id").to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let state = fx.atrium.server_state(id.clone()).await.expect("state");
    assert!(!matches!(state.status, atrium_api::ServerStatus::Ready), "unapproved, yet {:?}", state.status);
    let test = s.call("server_test", json!({"server_id": id})).await.expect("tested");
    assert_eq!(test["success"], false, "{test}");
    let listed = s.call("servers_list", json!({})).await.expect("listed");
    assert!(!listed.to_string().contains(secret));
    assert_eq!(listed["servers"][0]["server_id"], id.as_str());

    // The person approves it in the window; now it runs, its tools are there.
    let view = fx.atrium.server_get(id.clone()).await.expect("view");
    let atrium_api::ServerApprovalState::Required { effects, .. } = view.approval else {
        panic!("{:?}", view.approval)
    };
    fx.atrium.server_approve(id.clone(), effects.fingerprint).await.expect("approved");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !matches!(fx.atrium.server_state(id.clone()).await.expect("state").status, atrium_api::ServerStatus::Ready) {
        assert!(Instant::now() < deadline, "not ready in 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let tools = s.call("server_tools", json!({"server_id": id})).await.expect("tools");
    assert!(tools["tools"].as_array().expect("tools").iter().any(|t| t["name"] == "echo"), "{tools}");
    assert_eq!(s.call("server_test", json!({"server_id": id})).await.expect("tested")["success"], true);

    // Changing what it runs makes it wait again; a bad registration is refused, naming the field.
    let changed = json!({"transport": {"type": "stdio", "command": node(), "args": [everything_js(), "stdio", "--x"]}});
    let update = json!({"server_id": id, "expected_version": added["version"], "registration": changed});
    let updated = s.call("server_update", update).await.expect("updated");
    assert_eq!(updated["approval"], "waits_for_the_person", "{updated}");
    let bad = json!({"workspace_id": fx.workspace, "title": "Bad", "registration": {"transport": {"type": "ftp"}}});
    assert!(s.call("server_add", bad).await.expect_err("refused").contains("The registration is not valid"));

    // A server outside its workspaces does not exist for it; removing its own works.
    let other = fx.atrium.workspace_create(NewWorkspace { title: "Other".into(), description: None }).await;
    let hidden = fx
        .atrium
        .server_create(atrium_api::NewServer {
            workspace_id: other.expect("workspace").id,
            title: "Hidden".into(),
            registration: atrium_api::parse_registration(
                &json!({"transport": {"type": "http", "url": "http://127.0.0.1:9/mcp"}}),
            )
            .expect("registration"),
        })
        .await
        .expect("hidden");
    let unseen = s.call("server_remove", json!({"server_id": hidden.id})).await.expect_err("refused");
    assert_eq!(unseen, format!("There is no server {}.", hidden.id));
    assert!(!s.call("servers_list", json!({})).await.expect("listed").to_string().contains("Hidden"));
    s.call("server_remove", json!({"server_id": id})).await.expect("removed");
    assert!(fx.atrium.server_get(id).await.is_err());
    assert!(fx.atrium.server_get(hidden.id).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_artifact_summarizes_through_the_owning_servers_summarize_tool() {
    let fx = Fixture::new().await;
    let script = repo().join("tests/fixtures/recipe-server/server.py");
    let registration = atrium_api::parse_registration(
        &json!({"transport": {"type": "stdio", "command": python(), "args": [script.display().to_string()]}}),
    )
    .expect("registration");
    let server = fx
        .atrium
        .server_create(atrium_api::NewServer {
            workspace_id: fx.workspace.clone(),
            title: "Recipes".into(),
            registration,
        })
        .await
        .expect("server");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !matches!(
        fx.atrium.server_state(server.id.clone()).await.expect("state").status,
        atrium_api::ServerStatus::Ready
    ) {
        assert!(Instant::now() < deadline, "not ready in 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pancakes = fx
        .atrium
        .artifact_create(NewArtifact {
            workspace_id: fx.workspace.clone(),
            title: "Pancakes".into(),
            content_type: "application/vnd.my-org.recipe+json".into(),
            content: Some(
                json!({"title": "Pancakes", "ingredients": ["flour", "milk", "eggs"], "steps": ["mix", "fry"]})
                    .to_string(),
            ),
            ..NewArtifact::default()
        })
        .await
        .expect("recipe");
    let note = fx.artifact(&fx.workspace, "Shopping").await;
    let reader = fx.agent("Cook", vec![], vec![AgentScope::Read]).await;
    let mut s = Session::open(&fx.url, &reader.token).await;

    let read = s.call("read_artifact", json!({"artifact_id": pancakes.id, "summarize": true})).await.expect("read");
    assert_eq!(read["summary"]["text"], "Pancakes: 3 ingredients, 2 steps.", "{read}");
    assert_eq!(read["summary"]["server_id"], server.id.as_str());
    let plain = s.call("read_artifact", json!({"artifact_id": pancakes.id})).await.expect("read");
    assert!(plain.get("summary").is_none(), "no summary unless asked: {plain}");
    let markdown = s.call("read_artifact", json!({"artifact_id": note, "summarize": true})).await.expect("read");
    assert_eq!(markdown["summary"]["text"], Value::Null);
    assert_eq!(markdown["summary"]["note"], "No server connected here offers summarize for text/markdown.");
}
