//! The standalone `atrium-platform-double`: its one line of JSON on stdout (the UI's end-to-end tests read it)
//! and its flags.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt as _, BufReader};

use crate::support::*;

/// Starts the binary with these flags; (the child, its first stdout line as JSON).
async fn start(args: &[&str]) -> (tokio::process::Child, Value) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_atrium-platform-double"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn the double");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::time::timeout(Duration::from_secs(20), BufReader::new(stdout).lines().next_line())
        .await
        .expect("a line in time")
        .expect("read")
        .expect("a line");
    (child, serde_json::from_str(&line).expect("one line of JSON"))
}

/// Closing stdin stops the double.
async fn stop(mut child: tokio::process::Child) {
    drop(child.stdin.take());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await.expect("exits").expect("wait");
    assert!(status.success(), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_its_urls_and_takes_its_flags() {
    let (child, urls) = start(&["--port", "0", "--layout", "separate", "--providers", "", "--advertise"]).await;
    assert_eq!(urls["front"], Value::Null);
    assert_eq!(urls["url"], urls["origin"]);
    let origin = urls["origin"].as_str().expect("origin").to_owned();
    let (_, _, body) = fetch(&format!("{origin}/auth/providers")).await;
    assert_eq!(serde_json::from_str::<Value>(&body).expect("json")["providers"], json!([]));
    let (_, _, body) = fetch(&format!("{origin}/.well-known/openid-configuration")).await;
    let discovery: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        (discovery["mantle_uri"].clone(), discovery["chorus_uri"].clone()),
        (urls["mantle"].clone(), urls["chorus"].clone())
    );
    stop(child).await;

    let (child, urls) = start(&["--port", "0", "--layout", "shipped", "--providers", "entra"]).await;
    let front = urls["front"].as_str().expect("a front").to_owned();
    assert_eq!(urls["url"], front.as_str());
    for key in ["origin", "mantle", "chorus"] {
        assert!(urls[key].as_str().is_some_and(|u| u.starts_with("http://127.0.0.1:") && u != front), "{urls}");
    }
    let (status, ct) = refused_upgrade(&ws_url(&front, "/relay/v1/connect"), None).await;
    assert_eq!((status, ct.as_str()), (StatusCode::OK, "text/html"), "shipped: the relay is not routed");
    let (_, _, body) = fetch(&format!("{front}/auth/providers")).await;
    assert_eq!(serde_json::from_str::<Value>(&body).expect("json")["providers"][0]["label"], "Microsoft");
    stop(child).await;

    let (child, urls) = start(&["--port", "0"]).await;
    let front = urls["front"].as_str().expect("front by default").to_owned();
    assert_eq!(refused_upgrade(&ws_url(&front, "/relay/v1/connect"), None).await.0, StatusCode::FORBIDDEN);
    stop(child).await;

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_atrium-platform-double"))
        .args(["--layout", "sideways"])
        .output()
        .await
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}
