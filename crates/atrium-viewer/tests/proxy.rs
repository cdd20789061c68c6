//! The loopback sandbox-proxy server, over real HTTP on 127.0.0.1.

use atrium_viewer::ProxyServer;
use atrium_viewer::csp::{CspDomains, build};

#[tokio::test]
async fn serves_each_token_once_with_the_views_csp() {
    let server = ProxyServer::start().await.expect("start");
    let origin = server.origin();
    assert!(origin.starts_with("http://127.0.0.1:"), "{origin}");
    let csp = build(&CspDomains::default(), &["tauri://localhost".to_owned()]);
    let url = server.mint(csp.header.clone());
    assert!(url.starts_with(&format!("{origin}/v/")) && url.len() > origin.len() + 3 + 60, "{url}");
    let client = reqwest::Client::new();

    let page = client.get(&url).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-security-policy"].to_str().expect("csp"), csp.header);
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let body = page.text().await.expect("body");
    assert!(body.contains("sandbox-proxy-ready") && body.contains("allow-scripts allow-forms"), "the proxy page");
    assert!(!body.contains("allow-same-origin"), "the view frame is opaque");

    // Used once: the same URL is refused, and so is any other path or a guessed token.
    assert_eq!(client.get(&url).send().await.expect("again").status(), 403);
    assert_eq!(client.get(format!("{origin}/v/{}", "0".repeat(64))).send().await.expect("guess").status(), 403);
    for path in ["/", "/proxy.html", "/v/", "/index.html"] {
        assert_eq!(client.get(format!("{origin}{path}")).send().await.expect("path").status(), 404, "{path}");
    }
    assert_eq!(server.pending(), 0);
}

#[tokio::test]
async fn refuses_another_host_header() {
    let server = ProxyServer::start().await.expect("start");
    let url = server.mint("default-src 'none'".into());
    // DNS rebinding: the request reaches 127.0.0.1 but names another host.
    let rebinding = reqwest::Client::new().get(&url).header("host", "evil.example:80").send().await.expect("get");
    assert_eq!(rebinding.status(), 421);
    // The token was not spent by the refused request.
    assert_eq!(reqwest::get(&url).await.expect("get").status(), 200);
}

#[tokio::test]
async fn stops_serving_on_shutdown() {
    let server = ProxyServer::start().await.expect("start");
    let origin = server.origin();
    server.shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(reqwest::get(format!("{origin}/v/x")).await.is_err(), "nothing listens any more");
}
