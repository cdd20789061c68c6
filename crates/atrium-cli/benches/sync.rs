//! Sync benchmark (DESIGN §8, issue 20): pull 10k, 50k and 100k artifacts from the platform double into an empty
//! store (50k ≤ 6 s; peak memory growth within the bound below), and push 1k local edits (≤ 5 s). The double runs
//! in this process; each pull runs in a fresh child process of this benchmark, so each peak-memory figure is its
//! own and the double's memory is not counted.
//!
//! The bound on a pull's peak memory growth: the listing is streamed and applied 500 artifacts a transaction, so
//! what a pull holds does not depend on the count, except the root ids it has seen (to find what the platform
//! deleted afterwards: 16 bytes each, in a hash set, ≈ 40 bytes with its slot). Everything else is capped:
//! SQLite's page caches (32 MiB per store connection, 16 MiB for the search index's), one chunk of versions and
//! the HTTP buffers. So: growth ≤ 96 MiB + 40 bytes × artifacts.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use atrium_auth::HeadlessBrowser;
use atrium_platform::{Account, NoReporter, PlatformAddress, SignInRequest, Sync};
use atrium_secrets::Keychain;
use atrium_store::{ArtifactListQuery, ArtifactPatch, AtriumPaths, NewArtifact, NewWorkspace, Store};
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
    let growth = peak_kib().saturating_sub(before);
    // Counted after the peak is read: one row of a listing, whose total is the count.
    let query = ArtifactListQuery { workspace_id: local.id.clone(), limit: Some(1), ..Default::default() };
    let count = store.list_page(&query).await.expect("list").total;
    assert_eq!(count, report.pulled.applied.inserted);
    println!("{}", json!({"seconds": seconds, "count": count, "peak_growth_kib": growth}));
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
    println!("push 1k local edits:   {edit_s:.2} s   target ≤ 5 s {}", verdict(edit_s <= 5.0));
}

/// The fixed part of the bound (see the module's doc): SQLite's caches, a chunk in flight, buffers.
const BOUND_FIXED_MIB: f64 = 96.0;
/// The part that grows: a seen root id.
const BOUND_PER_ARTIFACT_BYTES: f64 = 40.0;

fn verdict(met: bool) -> &'static str {
    if met { "✔" } else { "✗" }
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
    let counts: Vec<usize> = std::env::var("BENCH_PULLS")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 50_000, 100_000]);
    for count in counts {
        let container = runtime.block_on(seed(&url, count));
        let figures = pull_in_child(&url, &container);
        let seconds = figures["seconds"].as_f64().unwrap_or(0.0);
        let growth_mib = figures["peak_growth_kib"].as_f64().unwrap_or(0.0) / 1024.0;
        let bound_mib = BOUND_FIXED_MIB + BOUND_PER_ARTIFACT_BYTES * count as f64 / (1024.0 * 1024.0);
        let time =
            if count == 50_000 { format!("   target ≤ 6 s {}", verdict(seconds <= 6.0)) } else { String::new() };
        println!("pull {count:>6} artifacts: {seconds:.2} s ({:.0}/s){time}", count as f64 / seconds.max(1e-9));
        println!(
            "     peak memory grew {growth_mib:.1} MiB   bound ≤ {bound_mib:.1} MiB (96 MiB + 40 B × artifacts) {}",
            verdict(growth_mib <= bound_mib)
        );
    }
}
