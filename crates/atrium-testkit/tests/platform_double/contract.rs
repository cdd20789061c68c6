//! Fault injection and the OpenAPI contract of the route table.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_fail_then_recover_and_truncate_json() {
    let double = PlatformDouble::start().await.expect("start");
    let api = ada(&double).await;
    double.faults().fail_next(2);
    for _ in 0..2 {
        let (status, body) = api.get("/artifacts/visible", "/artifacts/visible").await;
        assert_eq!((status, body), (StatusCode::INTERNAL_SERVER_ERROR, json!({ "detail": "Internal Server Error" })));
    }
    assert_eq!(api.get("/artifacts/visible", "/artifacts/visible").await.0, StatusCode::OK);

    api.create_workspace("Payload").await;
    double.faults().malformed_next(1);
    let resp = api
        .http
        .get(format!("{}/artifacts/visible", api.mantle))
        .bearer_auth(api.token.as_deref().unwrap_or_default())
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"));
    let text = resp.text().await.expect("text");
    assert!(!text.is_empty() && serde_json::from_str::<Value>(&text).is_err(), "truncated: {text}");
    assert_eq!(api.get("/artifacts/visible", "/artifacts/visible").await.0, StatusCode::OK);

    // The control surface is never faulted, and it can set faults and read stats.
    double.faults().fail_next(1);
    let ctl = reqwest::Client::new();
    let stats: Value =
        ctl.get(format!("{}/_double/stats", double.url())).send().await.expect("stats").json().await.expect("json");
    assert_eq!(stats["faults_injected"], 3);
    let resp = ctl
        .post(format!("{}/_double/faults", double.url()))
        .json(&json!({ "reset": true, "latency_ms": 150 }))
        .send()
        .await
        .expect("faults");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let started = Instant::now();
    assert_eq!(api.get("/artifacts/visible", "/artifacts/visible").await.0, StatusCode::OK, "reset cleared fail_next");
    assert!(started.elapsed() >= Duration::from_millis(150));
    double.shutdown().await;
}

#[test]
fn every_platform_route_exists_in_the_openapi_document() {
    let paths = &openapi_document()["paths"];
    let platform: Vec<_> = ROUTES.iter().filter(|r| r.kind == RouteKind::Platform).collect();
    assert!(platform.len() >= 16);
    for route in platform {
        let op = &paths[route.path][route.method.to_ascii_lowercase()];
        assert!(op.is_object(), "{} {} is not in the platform's OpenAPI document", route.method, route.path);
    }
    // A discovery route is real but undocumented; once the document lists it, it is a platform route.
    let discovery: Vec<_> = ROUTES.iter().filter(|r| r.kind == RouteKind::Discovery).map(|r| r.path).collect();
    assert_eq!(discovery, ["/", "/.well-known/mcp"]);
    for path in discovery {
        assert!(paths[path].is_null(), "{path} is in the OpenAPI document: make it a Platform route");
    }
    for route in ROUTES.iter().filter(|r| !matches!(r.kind, RouteKind::Platform | RouteKind::Discovery)) {
        let own = route.path.starts_with("/_double/") || route.path.starts_with("/_content/");
        let ws_or_gateway = matches!(route.kind, RouteKind::WebSocket | RouteKind::Gateway);
        assert!(
            own || ws_or_gateway,
            "{} is exempt from the OpenAPI check without being WS/gateway/_double/_content",
            route.path
        );
    }
}

#[test]
fn every_route_lives_where_the_front_sends_its_service() {
    // The shipped front sends /auth, /setup and /.well-known to Origin with the path kept, so Origin's routes
    // must live there; the control surface is the double's own.
    for route in ROUTES {
        let origin_path = ["/auth/", "/setup/", "/.well-known/"].iter().any(|p| route.path.starts_with(p));
        match route.service {
            Service::Origin => assert!(origin_path && route.path != "/.well-known/mcp", "{}", route.path),
            Service::Double => assert!(route.path.starts_with("/_double/"), "{}", route.path),
            Service::Mantle => assert!(!origin_path, "{}", route.path),
            Service::Chorus => {
                assert!(!origin_path || route.path.starts_with("/.well-known/mcp"), "{}", route.path);
            }
        }
    }
}
