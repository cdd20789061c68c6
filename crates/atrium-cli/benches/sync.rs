//! Sync benchmark (DESIGN §8): pull 50k artifacts from the platform double into an empty store (≤ 10 s, memory
//! flat: the listing is streamed), and push 1k local edits (≤ 5 s). The double runs in this process; each pull runs
//! in a fresh child process of this benchmark, so each peak-memory figure is its own and the double's memory is not
//! counted.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use atrium_auth::HeadlessBrowser;
use atrium_platform::{Account, NoReporter, PlatformAddress, SignInRequest, Sync};
use atrium_secrets::Keychain;
use atrium_store::{ArtifactPatch, AtriumPaths, NewArtifact, NewWorkspace, Store};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Peak resident memory of this process so far, in KiB.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

async fn signed_in(url: &str, home: &Path) -> (Store, Sync) {
    let paths = AtriumPaths::at(home);
    let store = Store::open(&paths).await.expect("store");
    let account = Account::load(store.clone(), Some(Keychain::new(paths.keychain_namespace()))).await.expect("account");
    let report =
        atrium_platform::discovery::check(&reqwest::Client::new(), &PlatformAddress::new(url)).await.expect("check");
    let urls = report.urls().expect("Origin and Mantle found");
    let request = SignInRequest::Password { identifier: "ada".into(), password: "correct-horse-battery".into() };
    account.sign_in(urls, request, &HeadlessBrowser::new(), &CancellationToken::new()).await.expect("sign in");
    (store, Sync::new(account, Arc::new(NoReporter)))
}

/// In a child process: pull one seeded container into an empty store; prints `{seconds, count, peak_growth_kib}`.
async fn pull_child(url: &str, container: &str) {
    let home = tempfile::tempdir().expect("home");
    let (store, sync) = signed_in(url, home.path()).await;
    let local = sync.link_remote(container).await.expect("link");
    let before = peak_kib();
    let started = Instant::now();
    let report = sync.sync_workspace(&local.id).await.expect("pull");
    let seconds = started.elapsed().as_secs_f64();
    let count = store.list_artifacts(&local.id).await.expect("list").len();
    assert_eq!(count as u32, report.pulled.applied.inserted);
    println!("{}", json!({"seconds": seconds, "count": count, "peak_growth_kib": peak_kib().saturating_sub(before)}));
}

async fn seed(url: &str, count: usize) -> String {
    let seeded: Value = reqwest::Client::new()
        .post(format!("{url}/_double/seed"))
        .json(&json!({"workspace_name": format!("Seeded {count}"), "count": count, "content_bytes": 300}))
        .send()
        .await
        .expect("seed")
        .json()
        .await
        .expect("seeded");
    seeded["container_id"].as_str().expect("container").to_owned()
}

fn pull_in_child(url: &str, container: &str) -> Value {
    let output = Command::new(std::env::current_exe().expect("self"))
        .args(["--pull-child", url, container])
        .stderr(Stdio::inherit())
        .output()
        .expect("child");
    assert!(output.status.success(), "the pull child failed");
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default()).expect("child figures")
}

async fn push_bench(url: &str) {
    let home = tempfile::tempdir().expect("home");
    let (store, sync) = signed_in(url, home.path()).await;
    let ws = store.create_workspace(NewWorkspace { title: "Push".into(), description: None }).await.expect("ws");
    let news = (0..1000)
        .map(|i| NewArtifact {
            workspace_id: ws.id.clone(),
            title: format!("Note {i}"),
            content_type: "text/markdown".into(),
            content: Some(format!("# Note {i}\n\nfirst version")),
            ..Default::default()
        })
        .collect();
    store.create_artifacts(news).await.expect("create");
    sync.publish_workspace(&ws.id).await.expect("publish");
    let started = Instant::now();
    let created = sync.push_workspace(&ws.id).await.expect("push creates");
    let create_s = started.elapsed().as_secs_f64();
    assert_eq!(created.sent, 1000);
    for summary in store.list_artifacts(&ws.id).await.expect("list") {
        let patch = ArtifactPatch { content: Some(format!("{} — edited", summary.title)), ..Default::default() };
        store.update_artifact(&summary.id, patch).await.expect("edit");
    }
    let started = Instant::now();
    let edited = sync.push_workspace(&ws.id).await.expect("push edits");
    let edit_s = started.elapsed().as_secs_f64();
    assert_eq!(edited.sent, 1000);
    println!("push 1k new artifacts: {create_s:.2} s");
    println!("push 1k local edits:   {edit_s:.2} s   (target ≤ 5 s)");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    if let Some(i) = args.iter().position(|a| a == "--pull-child") {
        runtime.block_on(pull_child(&args[i + 1], &args[i + 2]));
        return;
    }
    let double = runtime.block_on(atrium_testkit::platform::PlatformDouble::start()).expect("the double");
    let url = double.url();
    println!("sync benchmark against the platform double at {url}");
    // Pushing first, into an empty double: the double's own lookups grow with what it holds.
    runtime.block_on(push_bench(&url));
    for count in [10_000usize, 50_000] {
        let container = runtime.block_on(seed(&url, count));
        let figures = pull_in_child(&url, &container);
        let seconds = figures["seconds"].as_f64().unwrap_or(0.0);
        println!(
            "pull {count:>6} artifacts: {seconds:.2} s ({:.0}/s), peak memory grew {:.1} MiB{}",
            count as f64 / seconds.max(1e-9),
            figures["peak_growth_kib"].as_f64().unwrap_or(0.0) / 1024.0,
            if count == 50_000 { "   (target ≤ 10 s, flat)" } else { "" }
        );
    }
}
