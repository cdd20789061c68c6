//! MCP authorization for agents that only do OAuth, over real HTTP against a real gateway and store: discovery
//! (protected-resource metadata naming the authorization server, RFC 8414 metadata), dynamic registration, the
//! authorization request approved through the API the window's consent dialog calls, the code for tokens with
//! PKCE, `/mcp` with the access token, refresh rotation, revocation and rotation of the agent; and the refusals
//! each with its OAuth error (wrong redirect, missing PKCE, wrong resource, wrong verifier, a used code).

use std::collections::HashMap;

use atrium_api::{AgentScope, Atrium, AtriumPaths, ConsentAnswer, NewAgent, NewWorkspace, OpenOptions};
use atrium_gateway::{Gateway, GatewayOptions};
use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

mod support;
use support::{node, repo};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

struct Fixture {
    atrium: Atrium,
    _gateway: Gateway,
    origin: String,
    workspace: String,
    http: reqwest::Client,
    _home: tempfile::TempDir,
}

impl Fixture {
    async fn new(consent: bool) -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        let paths = AtriumPaths::at(home.path());
        let atrium = Atrium::open_with(paths.clone(), OpenOptions::default()).await.expect("open");
        let workspace = atrium
            .workspace_create(NewWorkspace { title: "Recipes".into(), description: None })
            .await
            .expect("workspace")
            .id;
        let options = GatewayOptions { port: 0, consent, ..GatewayOptions::default() };
        let gateway = Gateway::start(atrium.clone(), &paths, options).await.expect("gateway");
        let origin = format!("http://127.0.0.1:{}", gateway.addr().port());
        // The test reads redirects; it never follows them.
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Fixture { atrium, _gateway: gateway, origin, workspace, http, _home: home }
    }

    async fn register(&self, body: Value) -> (u16, Value) {
        let answer = self
            .http
            .post(format!("{}/register", self.origin))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("register");
        (answer.status().as_u16(), answer.json().await.expect("json"))
    }

    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        self.http
            .post(format!("{}{path}", self.origin))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("post")
    }

    async fn token(&self, fields: &[(&str, &str)]) -> (u16, Value) {
        let answer = self.form("/token", fields).await;
        let status = answer.status().as_u16();
        if status == 200 {
            assert_eq!(answer.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
        }
        (status, answer.json().await.expect("json"))
    }

    async fn authorize(&self, params: &[(&str, &str)]) -> reqwest::Response {
        let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        self.http.get(format!("{}/authorize?{query}", self.origin)).send().await.expect("authorize")
    }

    fn resource(&self) -> String {
        format!("{}/mcp", self.origin)
    }

    /// A whole authorization request that waits for the person: the page, and the id it polls with.
    async fn ask(&self, client_id: &str, challenge: &str, scope: &str) -> String {
        let resource = self.resource();
        let page = self
            .authorize(&[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", REDIRECT),
                ("scope", scope),
                ("state", "st-1"),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
                ("resource", &resource),
            ])
            .await;
        assert_eq!(page.status(), 200);
        let csp = page.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let html = page.text().await.expect("page");
        assert!(html.contains("Waiting for approval in Atrium"), "{html}");
        let start = html.find("/authorize/status/").expect("the page polls") + "/authorize/status/".len();
        html[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
    }

    async fn status(&self, poll: &str) -> Value {
        let answer = self.http.get(format!("{}/authorize/status/{poll}", self.origin)).send().await.expect("status");
        answer.json().await.expect("json")
    }

    /// Approves the one waiting request as the window would; the agent made.
    async fn approve(&self, name: &str) -> atrium_api::AgentView {
        let pending = self.atrium.agent_consent_pending().await.expect("pending");
        assert_eq!(pending.len(), 1, "{pending:?}");
        let agent = NewAgent {
            name: name.into(),
            workspaces: vec![self.workspace.clone()],
            scopes: pending[0].scopes.clone(),
            servers: vec![],
        };
        let made = self
            .atrium
            .agent_consent_answer(pending[0].id.clone(), ConsentAnswer { approve: true, agent })
            .await
            .expect("approve");
        made.expect("an agent")
    }

    async fn mcp(&self, token: &str) -> reqwest::Response {
        let body = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-06-18",
            "capabilities": {}, "clientInfo": {"name": "oauth-test", "version": "1"}}});
        self.http
            .post(self.resource())
            .bearer_auth(token)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("mcp")
    }
}

fn pkce() -> (String, String) {
    let verifier = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn query_of(url: &str) -> HashMap<String, String> {
    let url = url::Url::parse(url).expect("redirect url");
    url.query_pairs().into_owned().collect()
}

fn location(answer: &reqwest::Response) -> String {
    assert_eq!(answer.status(), 302, "a redirect back to the client");
    answer.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_client_registers_is_approved_in_the_window_and_uses_mcp_until_revoked() {
    let fx = Fixture::new(true).await;

    // Discovery: the 401 names the resource metadata, which names this origin as the authorization server.
    let refused = fx.mcp("nothing").await;
    assert_eq!(refused.status(), 401);
    let prm: Value = fx
        .http
        .get(format!("{}/.well-known/oauth-protected-resource/mcp", fx.origin))
        .send()
        .await
        .expect("prm")
        .json()
        .await
        .expect("json");
    assert_eq!(prm["authorization_servers"], json!([fx.origin]));
    assert_eq!(prm["resource"], fx.resource());
    let asm: Value = fx
        .http
        .get(format!("{}/.well-known/oauth-authorization-server", fx.origin))
        .send()
        .await
        .expect("metadata")
        .json()
        .await
        .expect("json");
    assert_eq!(asm["issuer"], fx.origin);
    assert_eq!(asm["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(asm["registration_endpoint"], format!("{}/register", fx.origin));

    // Registration: a public client, its metadata kept as it came (the vendor field too).
    let (status, refused) =
        fx.register(json!({"client_name": "Evil", "redirect_uris": ["http://evil.example/cb"]})).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_redirect_uri")), "{refused}");
    let (status, client) = fx
        .register(json!({"client_name": "Cursor", "redirect_uris": [REDIRECT], "x_vendor": {"v": 1},
            "token_endpoint_auth_method": "client_secret_post"}))
        .await;
    assert_eq!(status, 201, "{client}");
    assert_eq!(client["token_endpoint_auth_method"], "none");
    assert_eq!(client["x_vendor"], json!({"v": 1}));
    assert!(client.get("client_secret").is_none());
    let client_id = client["client_id"].as_str().expect("client_id").to_owned();
    let (verifier, challenge) = pkce();
    let resource = fx.resource();

    // Refusals: an unregistered redirect is never followed (a page); after it, errors go back by the redirect.
    let wrong_redirect = fx
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", "http://127.0.0.1:9/other"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .await;
    assert_eq!(wrong_redirect.status(), 400);
    assert!(wrong_redirect.headers().get("location").is_none());
    assert!(wrong_redirect.text().await.expect("page").contains("invalid_request"));
    let no_pkce = fx
        .authorize(&[("response_type", "code"), ("client_id", &client_id), ("redirect_uri", REDIRECT), ("state", "s")])
        .await;
    let back = query_of(&location(&no_pkce));
    assert_eq!((back["error"].as_str(), back["state"].as_str()), ("invalid_request", "s"));
    assert_eq!(back["iss"], fx.origin);
    let plain = fx
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", REDIRECT),
            ("code_challenge", &challenge),
            ("code_challenge_method", "plain"),
        ])
        .await;
    assert_eq!(query_of(&location(&plain))["error"], "invalid_request");
    let other_resource = fx
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", REDIRECT),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("resource", "https://elsewhere.example/mcp"),
        ])
        .await;
    assert_eq!(query_of(&location(&other_resource))["error"], "invalid_target");
    assert!(fx.atrium.agent_consent_pending().await.expect("pending").is_empty(), "nothing refused reaches the window");

    // A code tried with the wrong verifier is refused, and is used up by the try.
    let poll = fx.ask(&client_id, &challenge, "read write").await;
    assert_eq!(fx.status(&poll).await["state"], "waiting");
    let pending = fx.atrium.agent_consent_pending().await.expect("pending");
    assert_eq!(pending[0].client_name, "Cursor");
    assert_eq!(pending[0].scopes, [AgentScope::Read, AgentScope::Write]);
    assert_eq!(pending[0].redirect_uri, REDIRECT);
    fx.approve("Cursor probe").await;
    let answered = fx.status(&poll).await;
    assert_eq!(answered["state"], "answered", "{answered}");
    let back = query_of(answered["redirect"].as_str().expect("redirect"));
    assert_eq!((back["state"].as_str(), back["iss"].as_str()), ("st-1", fx.origin.as_str()));
    let code = back["code"].clone();
    let (wrong, _) = pkce();
    let token_request = |verifier: &str| {
        vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.clone()),
            ("redirect_uri", REDIRECT.to_owned()),
            ("client_id", client_id.clone()),
            ("code_verifier", verifier.to_owned()),
            ("resource", resource.clone()),
        ]
    };
    let fields = token_request(&wrong);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, refused) = fx.token(&fields).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_grant")), "{refused}");
    let fields = token_request(&verifier);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, refused) = fx.token(&fields).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_grant")), "a code is tried once: {refused}");

    // The whole way: approve, code for tokens, /mcp, refresh, revoke.
    // The same client asks again (its sign-in ended): the request names the agent it is, and approving updates
    // that agent rather than making a second.
    let poll = fx.ask(&client_id, &challenge, "read write").await;
    let again = fx.atrium.agent_consent_pending().await.expect("pending");
    assert_eq!(again[0].agent.as_ref().map(|a| a.name.as_str()), Some("Cursor probe"));
    let agent = fx.approve("Cursor").await;
    assert_eq!(fx.atrium.agent_list().await.expect("list").len(), 1, "no second agent for one client");
    let oauth = agent.oauth.clone().expect("an OAuth agent");
    assert_eq!((oauth.client_id.as_str(), oauth.client_name.as_str()), (client_id.as_str(), "Cursor"));
    let back = query_of(fx.status(&poll).await["redirect"].as_str().expect("redirect"));
    let wrong_resource = [
        ("grant_type", "authorization_code"),
        ("code", back["code"].as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", client_id.as_str()),
        ("code_verifier", verifier.as_str()),
        ("resource", "http://127.0.0.1:1/mcp"),
    ];
    let (status, refused) = fx.token(&wrong_resource).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_target")), "{refused}");
    let (status, refused) = fx.token(&[("grant_type", "password"), ("client_id", client_id.as_str())]).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("unsupported_grant_type")));
    let (status, refused) = fx.token(&[("grant_type", "refresh_token"), ("client_id", "nobody")]).await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("invalid_client")));
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", back["code"].as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", client_id.as_str()),
        ("code_verifier", verifier.as_str()),
        ("resource", resource.as_str()),
    ];
    let (status, tokens) = fx.token(&fields).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!((tokens["token_type"].as_str(), tokens["expires_in"].as_i64()), (Some("Bearer"), Some(3600)));
    assert_eq!(tokens["scope"], "read write");
    let access = tokens["access_token"].as_str().expect("access").to_owned();
    let refresh = tokens["refresh_token"].as_str().expect("refresh").to_owned();
    let (status, _) = fx.token(&fields).await;
    assert_eq!(status, 400, "a code is redeemed once");

    let answer = fx.mcp(&access).await;
    assert_eq!(answer.status(), 200);
    let used = fx.atrium.agent_get("Cursor".into()).await.expect("agent");
    assert!(used.last_used_time.is_some(), "the access token authenticated as the agent");

    let refresh_fields = |token: &str| {
        vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", token.to_owned()),
            ("client_id", client_id.clone()),
        ]
    };
    let pairs = refresh_fields(&refresh);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, renewed) = fx.token(&pairs).await;
    assert_eq!(status, 200, "{renewed}");
    let (status, refused) = fx.token(&pairs).await;
    assert_eq!((status, refused["error"].as_str()), (400, Some("invalid_grant")), "the old refresh token is spent");
    let access2 = renewed["access_token"].as_str().expect("access").to_owned();
    assert_ne!(access2, access);
    assert_eq!(fx.mcp(&access2).await.status(), 200);

    let revoked = fx.form("/revoke", &[("token", access2.as_str()), ("client_id", client_id.as_str())]).await;
    assert_eq!(revoked.status(), 200);
    assert_eq!(fx.mcp(&access2).await.status(), 401, "a revoked access token is refused at once");
    assert_eq!(fx.form("/revoke", &[("token", "nonsense")]).await.status(), 200, "RFC 7009: unknown is no error");

    // Rotating the agent ends every OAuth token it holds.
    let refresh2 = renewed["refresh_token"].as_str().expect("refresh").to_owned();
    fx.atrium.agent_rotate("Cursor".into()).await.expect("rotate");
    assert_eq!(fx.mcp(&access).await.status(), 401);
    let pairs = refresh_fields(&refresh2);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(fx.token(&pairs).await.0, 400);

    // The list says which agents are OAuth ones.
    let list = fx.atrium.agent_list().await.expect("list");
    assert!(list.iter().all(|a| a.oauth.as_ref().is_some_and(|o| o.client_name == "Cursor")), "{list:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusing_in_the_window_sends_access_denied_and_a_headless_gateway_asks_nobody() {
    let fx = Fixture::new(true).await;
    let (_, client) = fx.register(json!({"redirect_uris": [REDIRECT]})).await;
    let client_id = client["client_id"].as_str().expect("client_id").to_owned();
    let (_, challenge) = pkce();
    let poll = fx.ask(&client_id, &challenge, "").await;
    let pending = fx.atrium.agent_consent_pending().await.expect("pending");
    assert_eq!(pending[0].client_name, "127.0.0.1", "no client_name: the redirect's host");
    assert_eq!(pending[0].scopes, [AgentScope::Read], "no scope asked: read");
    let nameless = ConsentAnswer { approve: true, agent: NewAgent::default() };
    let bad = fx.atrium.agent_consent_answer(pending[0].id.clone(), nameless).await;
    assert!(bad.is_err(), "an agent needs a name");
    assert_eq!(fx.atrium.agent_consent_pending().await.expect("pending").len(), 1, "a problem leaves it waiting");
    assert_eq!(fx.status(&poll).await["state"], "waiting");
    let refused = fx
        .atrium
        .agent_consent_answer(pending[0].id.clone(), ConsentAnswer { approve: false, agent: NewAgent::default() })
        .await
        .expect("refuse");
    assert!(refused.is_none());
    let back = query_of(fx.status(&poll).await["redirect"].as_str().expect("redirect"));
    assert_eq!((back["error"].as_str(), back["state"].as_str()), ("access_denied", "st-1"));
    assert!(fx.atrium.agent_list().await.expect("list").is_empty(), "no agent made");
    assert!(fx.atrium.agent_consent_pending().await.expect("pending").is_empty());
    let again = fx
        .atrium
        .agent_consent_answer(pending[0].id.clone(), ConsentAnswer { approve: true, agent: NewAgent::default() })
        .await;
    assert!(again.is_err(), "an answered request takes no second answer");
    assert_eq!(fx.status("not-a-request").await["state"], "unknown");

    let headless = Fixture::new(false).await;
    let (_, client) = headless.register(json!({"redirect_uris": [REDIRECT]})).await;
    let page = headless
        .authorize(&[("response_type", "code"), ("client_id", client["client_id"].as_str().unwrap_or_default())])
        .await;
    assert_eq!(page.status(), 503);
    assert!(page.text().await.expect("page").contains("open the Atrium"));
    assert!(headless.atrium.agent_consent_pending().await.expect("pending").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_typescript_sdks_oauth_client_signs_in_through_the_consent_and_refreshes() {
    let fx = Fixture::new(true).await;
    let peer = repo().join("tests/peers/oauth_client.mjs");
    assert!(repo().join("tests/peers/node_modules/@modelcontextprotocol/sdk").exists(), "run scripts/setup.sh --test");
    let child = tokio::process::Command::new(node())
        .arg(&peer)
        .arg(fx.resource())
        .arg("SDK app")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run the SDK client");
    // The person, in the window: the request arrives, and is approved for Recipes with what it asked.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let request = loop {
        let pending = fx.atrium.agent_consent_pending().await.expect("pending");
        if let Some(request) = pending.into_iter().next() {
            break request;
        }
        assert!(std::time::Instant::now() < deadline, "the SDK's request never reached the window");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(request.client_name, "SDK app");
    assert_eq!(request.scopes, [AgentScope::Read, AgentScope::Write], "the SDK asked for read and write");
    let agent = NewAgent {
        name: "SDK app".into(),
        workspaces: vec![fx.workspace.clone()],
        scopes: request.scopes.clone(),
        servers: vec![],
    };
    fx.atrium.agent_consent_answer(request.id, ConsentAnswer { approve: true, agent }).await.expect("approve");
    let output = child.wait_with_output().await.expect("the client ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|_| panic!("no JSON from the client: {stdout}\n{}", String::from_utf8_lossy(&output.stderr)));
    assert!(stdout.contains(r#"{"waiting":true}"#), "the page waited for the window: {stdout}");
    assert!(last.get("error").is_none(), "{last}");
    assert_eq!(last["before"]["agent"]["name"], "SDK app", "{last}");
    assert_eq!(last["refreshed"], "AUTHORIZED", "{last}");
    assert_eq!(last["new_access"], true, "{last}");
    assert_eq!(last["after"]["agent"]["name"], "SDK app", "{last}");
    let made = fx.atrium.agent_get("SDK app".into()).await.expect("agent");
    assert_eq!(made.oauth.map(|o| o.client_id), last["client_id"].as_str().map(str::to_owned));
}
