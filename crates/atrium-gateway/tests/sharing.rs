//! The share tools on `/mcp` over real HTTP, against the platform double (a real HTTP server): on a workspace
//! linked to the platform a link is an Origin invite on the artifact's platform id — made, listed, revoked (and
//! gone on the platform), a revision link naming the synced revision; a local workspace is told to publish first;
//! an agent without `share` neither sees nor runs the tools.

use atrium_api::{AgentScope, AgentToken, ArtifactPatch, Atrium, NewAgent, NewArtifact};
use atrium_api::{AuditFilter, OpenOptions, PlatformAddress, SignInRequest};
use atrium_gateway::{Gateway, GatewayOptions};
use atrium_testkit::platform::PlatformDouble;
use serde_json::{Value, json};

mod support;
use support::{Home, Session};

const SHARE_TOOLS: [&str; 4] = ["create_share_link", "create_revision_link", "list_access_links", "revoke_access_link"];

struct Fixture {
    atrium: Atrium,
    _gateway: Gateway,
    url: String,
    workspace: String,
    _home: tempfile::TempDir,
}

impl Fixture {
    async fn new() -> Self {
        let Home { atrium, gateway, url, workspace, dir } =
            Home::open(OpenOptions::default(), vec![], "Drafts", GatewayOptions::default()).await;
        Fixture { atrium, _gateway: gateway, url, workspace, _home: dir }
    }

    async fn agent(&self, name: &str, scopes: Vec<AgentScope>) -> AgentToken {
        let input = NewAgent { name: name.into(), workspaces: vec![self.workspace.clone()], scopes, servers: vec![] };
        self.atrium.agent_create(input).await.expect("agent")
    }

    async fn artifact(&self, title: &str) -> String {
        let input = NewArtifact {
            workspace_id: self.workspace.clone(),
            title: title.into(),
            content_type: "text/markdown".into(),
            content: Some("# Plan".into()),
            ..NewArtifact::default()
        };
        self.atrium.artifact_create(input).await.expect("artifact").id
    }

    /// Signs in to the double and publishes the workspace.
    async fn link(&self, double: &PlatformDouble) {
        let user = double.user();
        let request = SignInRequest::Password { identifier: user.username.clone(), password: user.password.clone() };
        self.atrium.platform_sign_in(PlatformAddress::new(double.url()), request).await.expect("sign in");
        self.atrium.workspace_publish(self.workspace.clone()).await.expect("publish");
    }

    async fn sync(&self) {
        self.atrium.sync_now(Some(self.workspace.clone())).await.expect("sync");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_linked_workspace_links_are_platform_invites_made_listed_and_revoked() {
    let double = PlatformDouble::start().await.expect("double");
    let fx = Fixture::new().await;
    let plan = fx.artifact("Plan").await;
    fx.link(&double).await;
    let late = fx.artifact("Late").await;
    fx.sync().await;
    let root = fx.atrium.artifact_get(plan.clone()).await.expect("artifact").root_id.expect("on the platform");
    let sharer = fx.agent("Sharer", vec![AgentScope::Read, AgentScope::Share]).await;
    let mut s = Session::open(&fx.url, &sharer.token).await;
    let names = s.tool_names().await;
    assert!(SHARE_TOOLS.iter().all(|t| names.iter().any(|n| n == t)), "{names:?}");

    // A share link: an Origin invite on the artifact's platform root, with the URL a person opens.
    let made = s
        .call(
            "create_share_link",
            json!({"artifact_id": plan, "access": "write", "max_uses": 3, "expires_at": "2031-05-01T00:00:00Z",
                "name": "for review"}),
        )
        .await
        .expect("share link");
    assert_eq!(made["resource_id"], root.as_str());
    let token = made["link"]["claim_token"].as_str().expect("claim_token");
    assert_eq!(made["url"], format!("{}/invite/{token}", double.url()));
    let link = &made["link"];
    assert_eq!((link["grantee_type"].clone(), link["max_claims"].clone()), (json!("invite"), json!(3)));
    assert_eq!((link["can_update"].clone(), link["can_admin"].clone()), (json!(true), json!(false)), "write is editor");
    assert_eq!(link["expires_at"], "2031-05-01T00:00:00+00:00");
    assert!(link.get("accepted_at").is_some_and(Value::is_null), "the platform's fields come through: {link}");
    let on_platform = double.grants_on(&root);
    assert_eq!(on_platform.len(), 1);
    assert_eq!(on_platform[0]["state"], "active");
    let link_id = made["link_id"].as_str().expect("link_id").to_owned();
    // The token opens the artifact: the agent gets it, the audit log does not (not even inside the URL).
    let filter = AuditFilter { agent_id: Some(sharer.id.clone()), ..AuditFilter::default() };
    let rows = fx.atrium.audit_list(filter).await.expect("audit");
    let row = rows.iter().find(|r| r.tool == "create_share_link").expect("audited");
    assert!(!row.result.contains(token) && !row.result.contains(&token[4..]), "{}", row.result);
    assert!(row.result.contains("/invite/[secret]"), "{}", row.result);

    let listed = s.call("list_access_links", json!({"artifact_id": plan})).await.expect("listed");
    assert_eq!(listed["resource_id"], root.as_str());
    assert_eq!(listed["links"].as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed["links"][0]["id"], link_id.as_str());
    assert_eq!(listed["links"][0]["name"], "for review");

    // Revoked: gone on the platform (kept there, marked), and listed so.
    let revoked =
        s.call("revoke_access_link", json!({"artifact_id": plan, "link_id": link_id})).await.expect("revoked");
    assert_eq!(revoked["revoked"], json!({"id": link_id, "state": "revoked"}));
    assert_eq!(double.grants_on(&root)[0]["state"], "revoked");
    assert!(double.grants_on(&root)[0]["revoked_at"].is_string());
    let listed = s.call("list_access_links", json!({"artifact_id": plan})).await.expect("listed");
    assert_eq!(listed["links"][0]["state"], "revoked");

    // A link is revoked only through its own artifact.
    let other = s.call("create_share_link", json!({"artifact_id": late})).await.expect("late's link");
    let other_id = other["link_id"].as_str().expect("id").to_owned();
    let wrong =
        s.call("revoke_access_link", json!({"artifact_id": plan, "link_id": other_id})).await.expect_err("refused");
    assert!(wrong.contains("has no access link"), "{wrong}");
    for bogus in ["not-a-link".to_owned(), "00000000-0000-4000-8000-000000000000".to_owned()] {
        let refused = s.call("revoke_access_link", json!({"artifact_id": plan, "link_id": bogus})).await;
        let refused = refused.expect_err("refused");
        assert_eq!(refused, format!("\"Plan\" has no access link {bogus}."));
    }
    let late_root = other["resource_id"].as_str().expect("resource").to_owned();
    assert_eq!(double.grants_on(&late_root)[0]["state"], "active");
    assert_eq!(other["link"]["can_update"], false, "read is the default");

    // A revision link names the revision sync put on the platform; another revision is refused, saying which is.
    let synced = fx.atrium.artifact_get(plan.clone()).await.expect("artifact");
    let revision = s
        .call("create_revision_link", json!({"artifact_id": plan, "version": synced.version}))
        .await
        .expect("revision link");
    assert_eq!(revision["version"], synced.version);
    let version_id = synced.remote_id.clone().expect("platform version id");
    assert_eq!(revision["resource_id"], version_id.as_str());
    assert_eq!(revision["link"]["resource_id"], version_id.as_str());
    // The platform keeps this draft's only revision as the artifact itself: the link follows it, and says so.
    assert_eq!(version_id, root);
    assert_eq!(revision["follows_later_changes"], true);
    assert_eq!(made["follows_later_changes"], true);
    let patch = ArtifactPatch { content: Some("# Plan, revised".into()), ..ArtifactPatch::default() };
    let updated = fx.atrium.artifact_update(plan.clone(), patch).await.expect("revise");
    fx.sync().await;
    let old = s.call("create_revision_link", json!({"artifact_id": plan, "version": synced.version})).await;
    let old = old.expect_err("refused");
    assert!(old.contains(&format!("revision {} is", updated.version)), "{old}");
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_workspace_is_told_to_publish_first_and_share_is_a_scope() {
    let double = PlatformDouble::start().await.expect("double");
    let fx = Fixture::new().await;
    let plan = fx.artifact("Plan").await;
    let sharer = fx.agent("Sharer", vec![AgentScope::Read, AgentScope::Share]).await;
    let mut s = Session::open(&fx.url, &sharer.token).await;
    let local = s.call("create_share_link", json!({"artifact_id": plan})).await.expect_err("refused");
    assert!(local.contains("atrium platform publish \"Drafts\"") && local.contains("Publish"), "{local}");
    let listed = s.call("list_access_links", json!({"artifact_id": plan})).await.expect_err("refused");
    assert!(listed.contains("only on this computer"), "{listed}");

    // Linked, but this artifact has not been sent yet.
    fx.link(&double).await;
    let fresh = fx.artifact("Fresh").await;
    let unsent = s.call("create_share_link", json!({"artifact_id": fresh})).await.expect_err("refused");
    assert!(unsent.contains("has not reached the platform yet"), "{unsent}");

    // Without `share`: not listed, and refused when called anyway; nothing reaches the platform.
    let reader = fx.agent("Reader", vec![AgentScope::Read, AgentScope::Write]).await;
    let mut r = Session::open(&fx.url, &reader.token).await;
    let names = r.tool_names().await;
    assert!(SHARE_TOOLS.iter().all(|t| !names.iter().any(|n| n == t)), "{names:?}");
    assert!(names.iter().any(|n| n == "read_artifact"), "{names:?}");
    fx.sync().await;
    for tool in SHARE_TOOLS {
        let refused =
            r.call(tool, json!({"artifact_id": plan, "version": 1, "link_id": "x"})).await.expect_err("refused");
        assert_eq!(refused, format!("{tool} needs the share scope, which this agent does not have."));
    }
    let root = fx.atrium.artifact_get(plan).await.expect("artifact").root_id.expect("synced");
    assert!(double.grants_on(&root).is_empty());
    double.shutdown().await;
}
