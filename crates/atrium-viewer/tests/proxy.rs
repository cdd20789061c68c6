//! The loopback listeners — the sandbox proxy's and a server's view origin — over real HTTP on 127.0.0.1.

use atrium_viewer::csp::{CspDomains, build};
use atrium_viewer::origin::candidate_ports;
use atrium_viewer::{ProxyServer, ViewOrigin};

fn hosts() -> Vec<String> {
    vec!["tauri://localhost".to_owned(), "http://tauri.localhost".to_owned()]
}

#[tokio::test]
async fn a_view_is_served_once_from_its_servers_origin_under_its_csp() {
    let origin = ViewOrigin::bind_any().await.expect("bind");
    let proxy = ProxyServer::start().await.expect("start");
    assert_ne!(origin.origin(), proxy.origin(), "the view cannot reach the proxy's document");
    let mut ancestors = vec![proxy.origin()];
    ancestors.extend(hosts());
    let csp = build(&CspDomains::default(), &ancestors);
    let url = origin.mint("<!doctype html><p>view</p>".into(), csp.header.clone());
    assert!(url.starts_with(&format!("{}/v/", origin.origin())) && origin.serves(&url), "{url}");
    let client = reqwest::Client::new();

    let page = client.get(&url).send().await.expect("get");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["content-security-policy"].to_str().expect("csp"), csp.header);
    assert!(csp.header.contains(&format!("frame-ancestors {} tauri://localhost", proxy.origin())));
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(page.text().await.expect("body"), "<!doctype html><p>view</p>");

    // Used once: the same URL is refused, and so is any other path or a guessed token.
    assert_eq!(client.get(&url).send().await.expect("again").status(), 403);
    assert_eq!(
        client.get(format!("{}/v/{}", origin.origin(), "0".repeat(64))).send().await.expect("guess").status(),
        403
    );
    for path in ["/", "/index.html", "/v/", "/proxy.html"] {
        assert_eq!(client.get(format!("{}{path}", origin.origin())).send().await.expect("path").status(), 404);
    }
    assert_eq!(origin.pending(), 0);
}

#[tokio::test]
async fn the_proxy_page_mounts_its_view_and_runs_nothing_else() {
    let proxy = ProxyServer::start().await.expect("start");
    let view = "http://127.0.0.1:23456/v/0123abcd";
    let url = proxy.mint(view, "clipboard-write", &hosts());
    assert!(url.starts_with(&format!("{}/v/", proxy.origin())) && proxy.serves(&url), "{url}");
    let page = reqwest::get(&url).await.expect("get");
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"].to_str().expect("csp").to_owned();
    let body = page.text().await.expect("body");
    // Its one script, by hash; it may frame only the view's origin; only the app may frame it.
    assert!(csp.contains("default-src 'none'; script-src 'sha256-"), "{csp}");
    let script = csp.split("; ").find(|d| d.starts_with("script-src")).expect("script-src");
    assert!(!script.contains("unsafe"), "no inline script but its own: {csp}");
    assert!(csp.contains("frame-src http://127.0.0.1:23456;"), "{csp}");
    assert!(csp.ends_with("frame-ancestors tauri://localhost http://tauri.localhost"), "{csp}");
    assert!(body.contains(r#""view":"http://127.0.0.1:23456/v/0123abcd""#), "{body}");
    assert!(body.contains(r#""allow":"clipboard-write""#), "{body}");
    assert!(body.contains("allow-scripts allow-same-origin allow-forms") && body.contains("sandbox-proxy-ready"));
    assert!(!body.contains(r#", "*")"#), "the proxy never posts to any origin");
    assert_eq!(reqwest::get(&url).await.expect("again").status(), 403);
}

#[tokio::test]
async fn nothing_in_a_proxy_config_can_close_its_element() {
    let proxy = ProxyServer::start().await.expect("start");
    let url = proxy.mint("http://127.0.0.1:1/v/</script><script>alert(1)</script>", "", &hosts());
    let body = reqwest::get(&url).await.expect("get").text().await.expect("body");
    assert!(!body.contains("</script><script>alert(1)"), "{body}");
}

#[tokio::test]
async fn refuses_another_host_header() {
    let origin = ViewOrigin::bind_any().await.expect("bind");
    let url = origin.mint("<p>x</p>".into(), "default-src 'none'".into());
    // DNS rebinding: the request reaches 127.0.0.1 but names another host.
    let rebinding = reqwest::Client::new().get(&url).header("host", "evil.example:80").send().await.expect("get");
    assert_eq!(rebinding.status(), 421);
    // The token was not spent by the refused request.
    assert_eq!(reqwest::get(&url).await.expect("get").status(), 200);
}

#[tokio::test]
async fn a_servers_origin_takes_the_first_free_candidate_port() {
    let id = format!("server-{}", std::process::id());
    let candidates: Vec<u16> = candidate_ports(&id).collect();
    let first = ViewOrigin::bind(candidates.clone()).await.expect("bind");
    assert!(candidates.contains(&first.port()));
    // The same server asks again while its port is held (another Atrium, say): it gets the next free one.
    let second = ViewOrigin::bind(candidates.clone()).await.expect("bind again");
    assert_ne!(first.port(), second.port());
    assert!(candidates.contains(&second.port()));
    let held = first.port();
    first.shutdown();
    drop(first);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let again = ViewOrigin::bind([held]).await.expect("the port is free again");
    assert_eq!(again.port(), held, "the same server gets the same origin back");
}

#[tokio::test]
async fn stops_serving_on_shutdown() {
    let server = ProxyServer::start().await.expect("start");
    let origin = server.origin();
    server.shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(reqwest::get(format!("{origin}/v/x")).await.is_err(), "nothing listens any more");
}

#[tokio::test]
async fn violation_reports_reach_the_views_reporter_until_it_closes() {
    let origin = ViewOrigin::bind_any().await.expect("bind");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let (uri, token) = origin.report_to(std::sync::Arc::new(move |report| sink.lock().expect("lock").push(report)));
    assert!(uri.starts_with(&format!("{}/r/", origin.origin())), "{uri}");
    let client = reqwest::Client::new();
    let report =
        serde_json::json!({"csp-report": {"effective-directive": "connect-src", "blocked-uri": "https://x.example"}});
    let sent = client.post(&uri).header("content-type", "application/csp-report").body(report.to_string()).send().await;
    assert_eq!(sent.expect("post").status(), 204);
    assert_eq!(seen.lock().expect("lock").as_slice(), [report["csp-report"].clone()]);
    // Bounded: a page reporting in a loop is heard fifty times at most.
    for _ in 0..60 {
        client.post(&uri).body(report.to_string()).send().await.expect("post");
    }
    assert_eq!(seen.lock().expect("lock").len(), 50);
    origin.forget_reports(&token);
    client.post(&uri).body(report.to_string()).send().await.expect("post");
    assert_eq!(seen.lock().expect("lock").len(), 50, "a closed view's reports go nowhere");
}
