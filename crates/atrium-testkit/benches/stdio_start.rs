//! Starting local servers at once (DESIGN §8): 20 stdio servers started together must all be ready within 1.5 ×
//! the time the slowest one takes alone. Each server is `bench-server`, a process of its own, through the whole
//! path a person's server takes: allowlist, search-path lookup, a new process group, `initialize`, `tools/list`.
//!
//! `cargo bench -p atrium-testkit --bench stdio_start` (env `BENCH_SERVERS`, default 20; `BENCH_ROUNDS`, default 5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_mcp::{LocalSetup, NoEvents, SERVER_CONTENT_TYPE, ServerSet, ServerSetOptions, ServerSpec, ServerStatus};
use atrium_store::{AtriumPaths, NewArtifact, NewWorkspace, Store};
use serde_json::{Value, json};

const SERVER: &str = env!("CARGO_BIN_EXE_bench-server");

fn registration(startup_ms: u64) -> Value {
    json!({"transport": {"type": "stdio", "command": SERVER, "args": ["--startup-ms", startup_ms.to_string()]}})
}

fn spec(id: &str, startup_ms: u64) -> ServerSpec {
    let registration = atrium_mcp::registration::parse(&registration(startup_ms)).expect("valid");
    ServerSpec { id: id.into(), workspace_id: None, title: id.into(), registration }
}

/// `count` stored registrations of the server, each approved on this computer for exactly what it runs, as a
/// person's own would be (a local server that is not approved does not start).
async fn approved(store: &Store, workspace_id: &str, count: usize, startup_ms: u64) -> Vec<String> {
    let fingerprint = spec("-", startup_ms).registration.local_effects().expect("a local server").fingerprint;
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let artifact = store
            .create_artifact(NewArtifact {
                workspace_id: workspace_id.into(),
                title: format!("bench {startup_ms} ms {i}"),
                content_type: SERVER_CONTENT_TYPE.into(),
                context: Some(registration(startup_ms)),
                ..Default::default()
            })
            .await
            .expect("registration artifact");
        store.approve_server(&artifact.id, &fingerprint).await.expect("approve");
        ids.push(artifact.id);
    }
    ids
}

/// Starts `ids` together and returns how long until every one is ready.
async fn start_all(servers: &ServerSet, ids: &[String], startup_ms: u64) -> Duration {
    let started = Instant::now();
    for id in ids {
        servers.upsert(spec(id, startup_ms));
    }
    // Polled every millisecond (wait_settled polls at 20 ms, too coarse to measure a start).
    let deadline = started + Duration::from_secs(30);
    for id in ids {
        loop {
            let state = servers.state(id).expect("state");
            match state.status {
                ServerStatus::Ready => break,
                ServerStatus::Starting | ServerStatus::Installing { .. } if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                other => panic!("{id}: {other:?}"),
            }
        }
    }
    let elapsed = started.elapsed();
    for id in ids {
        servers.remove(id);
    }
    // Let the removed ones wind down before the next round measures.
    while servers.process_count() > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    elapsed
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let count: usize = std::env::var("BENCH_SERVERS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let home = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&AtriumPaths::at(home.path())).await.expect("store");
        let local = LocalSetup { allowed_commands: vec![SERVER.into()], ..LocalSetup::default() };
        let servers = ServerSet::with_local(store.clone(), Arc::new(NoEvents), ServerSetOptions::default(), local);
        let ws = store.create_workspace(NewWorkspace { title: "Bench".into(), description: None }).await.expect("ws");
        // Warm-up: the search path is read once per process, and the first spawn pays for page-ins.
        start_all(&servers, &approved(&store, &ws.id, 1, 0).await, 0).await;
        // Two kinds of server: one that answers at once (all of its start is process creation and the handshake,
        // i.e. CPU: on a 2-core machine 20 of them cannot finish in the time of one), and one that waits 250 ms
        // before answering, as servers that load a runtime or reach a backend do (Atrium must overlap them).
        for startup_ms in [0, 250] {
            let mut ratios = Vec::new();
            for round in 0..rounds {
                let ids = approved(&store, &ws.id, count, startup_ms).await;
                // Each server alone, one after the other; the slowest of them is the reference.
                let mut alone = Vec::new();
                for id in &ids {
                    alone.push(start_all(&servers, std::slice::from_ref(id), startup_ms).await);
                }
                alone.sort();
                let slowest = alone[alone.len() - 1];
                let together = start_all(&servers, &ids, startup_ms).await;
                let ratio = together.as_secs_f64() / slowest.as_secs_f64();
                println!(
                    "startup {startup_ms} ms, round {round}: {count} together {:.1} ms; alone: slowest {:.1} ms, \
                     median {:.1} ms; ratio {ratio:.2}",
                    ms(together),
                    ms(slowest),
                    ms(alone[alone.len() / 2]),
                );
                ratios.push(ratio);
            }
            ratios.sort_by(f64::total_cmp);
            let median = ratios[ratios.len() / 2];
            let verdict = if median <= 1.5 { "met" } else { "NOT met" };
            println!(
                "start {count} stdio servers at once (each starting in {startup_ms} ms + process and handshake): median \
                 ratio {median:.2} (target ≤ 1.5 × the slowest alone): {verdict}"
            );
        }
        servers.shutdown().await;
    });
}
