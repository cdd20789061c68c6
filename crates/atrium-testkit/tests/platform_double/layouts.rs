//! Deployment layouts: the front as the platform ships it, the front with the relay routed, the separate
//! services, and what discovery says in each.

use crate::support::*;

/// The twelve fields the real Origin's OpenID configuration has.
const OPENID_FIELDS: [&str; 12] = [
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "response_types_supported",
    "grant_types_supported",
    "code_challenge_methods_supported",
    "scopes_supported",
    "token_endpoint_auth_methods_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
];

async fn openid(base: &str) -> Value {
    let (status, _, body) = fetch(&format!("{base}/.well-known/openid-configuration")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("json")
}

fn keys(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(fields: &[&str]) -> Vec<String> {
    let mut fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    fields.sort();
    fields
}

fn is_spa((status, ct, body): &(StatusCode, String, String)) -> bool {
    *status == StatusCode::OK && ct.starts_with("text/html") && body.contains("<div id=\"app\">")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_front_routes_like_its_caddyfile() {
    let options = DoubleOptions { layout: DoubleLayout::Front { relay_routed: false }, ..DoubleOptions::default() };
    let double = PlatformDouble::start_with(options).await.expect("start");
    let front = double.front_url().expect("a front");
    assert_eq!(double.url(), front);
    assert_eq!(double.layout(), DoubleLayout::Front { relay_routed: false });
    let own = [double.origin_url(), double.mantle_url(), double.chorus_url()];
    assert!(own.iter().all(|u| *u != front) && own[0] != own[1] && own[1] != own[2], "{own:?} {front}");

    // handle_path /api/*: /api/ is Mantle's root; bare /api is not matched and falls to the web app.
    let (status, ct, body) = fetch(&format!("{front}/api/")).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "application/json"));
    let root: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(root["status"], "ok");
    assert!(root["version"].is_string() && root["server_time"].is_string(), "{root}");
    assert_eq!(root["links"], json!({ "self": "/", "service-doc": "/docs", "service-desc": "/openapi.json" }));
    assert_eq!(fetch(&format!("{}/", double.mantle_url())).await.0, StatusCode::OK);
    assert!(is_spa(&fetch(&format!("{front}/api")).await));
    assert!(is_spa(&fetch(&format!("{front}/")).await));
    assert!(is_spa(&fetch(&format!("{front}/workspaces/anything")).await));
    // A path under a service's prefix that the service lacks is the service's 404, not the web app.
    for path in ["/api/nope", "/auth/nope", "/.well-known/nope"] {
        let (status, _, body) = fetch(&format!("{front}{path}")).await;
        assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, r#"{"detail":"Not Found"}"#), "{path}");
    }

    // /.well-known/mcp is Chorus's, at the front and on its own listener.
    let expected = json!({ "service": "chorus", "transport": "streamable-http",
                           "discovery": { "personas": [], "uuid_routing_enabled": true } });
    for base in [&front, &double.chorus_url()] {
        let (status, _, body) = fetch(&format!("{base}/.well-known/mcp")).await;
        assert_eq!((status, serde_json::from_str::<Value>(&body).expect("json")), (StatusCode::OK, expected.clone()));
    }

    // The relay is not routed: the web app answers the upgrade with its page, whatever the bearer.
    let token = double.access_token(&double.user());
    let relay = ws_url(&front, "/relay/v1/connect");
    for bearer in [None, Some(token.as_str())] {
        let (status, ct) = refused_upgrade(&relay, bearer).await;
        assert_eq!((status, ct.as_str()), (StatusCode::OK, "text/html"), "{bearer:?}");
    }
    let (status, _) = refused_upgrade(&ws_url(&double.chorus_url(), "/relay/v1/connect"), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "Chorus itself refuses a missing bearer");
    // Nor is the gateway: a server's /{uuid}/mcp at the front is the web app.
    assert!(is_spa(&fetch(&format!("{front}/{}/mcp", uuid::Uuid::new_v4())).await));

    // One state behind every listener: Mantle through the front sees what Mantle's own listener made.
    let api = ada(&double).await;
    let ws = api.create_workspace("Shared").await;
    let through_front = Client { mantle: format!("{front}/api"), ..ada(&double).await };
    let (status, visible) = through_front.get("/artifacts/visible", "/artifacts/visible").await;
    assert_eq!((status, visible[0]["id"].clone()), (StatusCode::OK, ws["id"].clone()));
    let mut events = ws_connect(&ws_url(&front, "/api/events"), Some(&token)).await.expect("/api/events");
    send_json(&mut events, json!({ "op": "ping" })).await;
    assert_eq!(next_json(&mut events).await, json!({ "pong": true }));
    assert_eq!(refused_upgrade(&ws_url(&front, "/api/events"), Some("nope")).await.0, StatusCode::FORBIDDEN);

    // Discovery names the URL it was asked on, and nothing of Mantle or Chorus.
    let discovery = openid(&front).await;
    assert_eq!(keys(&discovery), sorted(&OPENID_FIELDS));
    assert_eq!(discovery["issuer"], front.as_str());
    assert_eq!(discovery["authorization_endpoint"], format!("{front}/auth/authorize"));
    assert_eq!(discovery["jwks_uri"], format!("{front}/.well-known/jwks.json"));
    assert_eq!(
        discovery["grant_types_supported"],
        json!(["authorization_code", "refresh_token", "client_credentials"])
    );
    assert_eq!(discovery["scopes_supported"], json!(["read", "write", "openid", "email", "profile"]));
    assert_eq!(discovery["token_endpoint_auth_methods_supported"], json!(["none", "client_secret_post"]));
    assert_eq!(openid(&double.origin_url()).await["issuer"], double.origin_url().as_str());

    let (status, _, body) = fetch(&format!("{front}/setup/status")).await;
    let setup: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        (status, setup),
        (StatusCode::OK, json!({ "needs_setup": false, "ready": true, "version": "origin", "env_defaults": {} }))
    );
    events.close(None).await.expect("close");
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_front_routes_the_relay() {
    let double = PlatformDouble::start().await.expect("start");
    assert_eq!(double.layout(), DoubleLayout::Front { relay_routed: true });
    let front = double.front_url().expect("a front");
    let relay = ws_url(&front, "/relay/v1/connect");
    assert_eq!(refused_upgrade(&relay, None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(refused_upgrade(&relay, Some("garbage")).await.0, StatusCode::FORBIDDEN);
    let _socket = ws_connect(&relay, Some(&double.access_token(&double.user()))).await.expect("relay at the front");
    let deadline = Instant::now() + Duration::from_secs(2);
    while double.relay_sessions() != 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(double.relay_sessions(), 1);
    let (status, _, body) = fetch(&format!("{front}/relay/nope")).await;
    assert_eq!((status, body.as_str()), (StatusCode::NOT_FOUND, r#"{"detail":"Not Found"}"#));
    // The gateway is still Chorus's own.
    assert!(is_spa(&fetch(&format!("{front}/{}/mcp", uuid::Uuid::new_v4())).await));
    let discovery = openid(&front).await;
    assert_eq!(keys(&discovery), sorted(&OPENID_FIELDS), "no service hints unless asked");
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_services_answer_only_their_own_routes() {
    let options = DoubleOptions { layout: DoubleLayout::Separate, ..DoubleOptions::default() };
    let double = PlatformDouble::start_with(options).await.expect("start");
    assert_eq!((double.front_url(), double.url()), (None, double.origin_url()));
    let (origin, mantle, chorus) = (double.origin_url(), double.mantle_url(), double.chorus_url());
    assert_eq!(openid(&origin).await["issuer"], origin.as_str());
    assert_eq!(fetch(&format!("{mantle}/")).await.0, StatusCode::OK);
    assert_eq!(fetch(&format!("{chorus}/.well-known/mcp")).await.0, StatusCode::OK);
    for url in [
        format!("{mantle}/auth/providers"),
        format!("{chorus}/auth/providers"),
        format!("{origin}/artifacts/visible"),
        format!("{origin}/.well-known/mcp"),
        format!("{mantle}/.well-known/openid-configuration"),
        format!("{origin}/"),
    ] {
        let (status, ct, _) = fetch(&url).await;
        assert_eq!((status, ct.as_str()), (StatusCode::NOT_FOUND, "application/json"), "{url}");
    }
    assert_eq!(refused_upgrade(&ws_url(&origin, "/relay/v1/connect"), None).await.0, StatusCode::NOT_FOUND);
    // Tokens are Origin's, wherever they are used; the control surface is on every listener.
    let api = ada(&double).await;
    let access = api.token.clone().expect("token");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(access.split('.').nth(1).expect("claims")).expect("b64"))
            .expect("claims json");
    assert_eq!((claims["iss"].clone(), claims["aud"].clone()), (json!(origin), json!(origin)));
    assert_eq!(api.get("/artifacts/visible", "/artifacts/visible").await.0, StatusCode::OK);
    for base in [&origin, &mantle, &chorus] {
        assert_eq!(fetch(&format!("{base}/_double/stats")).await.0, StatusCode::OK, "{base}");
    }
    double.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_hints_are_only_advertised_when_asked() {
    let advertised = |layout| DoubleOptions { layout, advertise_service_urls: true, ..DoubleOptions::default() };
    let shipped =
        PlatformDouble::start_with(advertised(DoubleLayout::Front { relay_routed: false })).await.expect("start");
    let front = shipped.front_url().expect("front");
    let discovery = openid(&front).await;
    assert_eq!(keys(&discovery).len(), 14);
    assert_eq!(discovery["mantle_uri"], format!("{front}/api"));
    assert_eq!(discovery["chorus_uri"], shipped.chorus_url(), "the shipped front does not reach the relay");
    shipped.shutdown().await;

    let routed =
        PlatformDouble::start_with(advertised(DoubleLayout::Front { relay_routed: true })).await.expect("start");
    let front = routed.front_url().expect("front");
    assert_eq!(openid(&front).await["chorus_uri"], front.as_str());
    routed.shutdown().await;

    let separate = PlatformDouble::start_with(advertised(DoubleLayout::Separate)).await.expect("start");
    let discovery = openid(&separate.url()).await;
    assert_eq!(
        (discovery["mantle_uri"].clone(), discovery["chorus_uri"].clone()),
        (json!(separate.mantle_url()), json!(separate.chorus_url()))
    );
    separate.shutdown().await;
}
