//! Tool call round trip through Atrium's connection manager vs a bare rmcp client, on the same stdio server
//! (`bench-server`, one process each). DESIGN §8: overhead ≤ 5 % of the round trip, p50 and p99 reported.
//!
//! `cargo bench -p atrium-testkit --bench tool_call` (env `BENCH_CALLS`, default 8000 per side). The two sides
//! alternate call by call so that machine noise falls on both alike.

use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_mcp::{
    LocalSetup, NoEvents, Registration, SERVER_CONTENT_TYPE, ServerSet, ServerSetOptions, ServerSpec, ToolCall,
};
use atrium_store::{AtriumPaths, AuditOrigin, NewArtifact, NewWorkspace, Store};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::json;

const SERVER: &str = env!("CARGO_BIN_EXE_bench-server");

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let calls: usize = std::env::var("BENCH_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(8000);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    runtime.block_on(run(calls));
}

async fn run(calls: usize) {
    let home = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&AtriumPaths::at(home.path())).await.expect("store");

    // The bare client: rmcp alone.
    let bare =
        ().serve(TokioChildProcess::new(tokio::process::Command::new(SERVER)).expect("spawn")).await.expect("bare");
    let mut params = CallToolRequestParams::new("echo");
    params.arguments = json!({"message": "ping"}).as_object().cloned();

    // Atrium: the connection manager, with its audit log.
    let local = LocalSetup { allowed_commands: vec![SERVER.into()], ..LocalSetup::default() };
    let servers = ServerSet::with_local(store.clone(), Arc::new(NoEvents), ServerSetOptions::default(), local);
    let registration: Registration = atrium_mcp::registration::parse(&json!({
        "transport": {"type": "stdio", "command": SERVER}
    }))
    .expect("registration");
    // A local server runs once approved on this computer, as the person's own would be: its registration is an
    // artifact, approved for exactly what it runs.
    let ws = store.create_workspace(NewWorkspace { title: "Bench".into(), description: None }).await.expect("ws");
    let artifact = store
        .create_artifact(NewArtifact {
            workspace_id: ws.id.clone(),
            title: "bench".into(),
            content_type: SERVER_CONTENT_TYPE.into(),
            context: Some(json!({"transport": {"type": "stdio", "command": SERVER}})),
            ..Default::default()
        })
        .await
        .expect("registration artifact");
    let fingerprint = registration.local_effects().expect("a local server").fingerprint;
    store.approve_server(&artifact.id, &fingerprint).await.expect("approve");
    let id = artifact.id;
    servers.upsert(ServerSpec { id: id.clone(), workspace_id: Some(ws.id), title: "bench".into(), registration });
    let state = servers.wait_settled(&id).await.expect("state");
    assert!(matches!(state.status, atrium_mcp::ServerStatus::Ready), "{state:?}");
    let call = ToolCall {
        server_id: id.clone(),
        tool: "echo".into(),
        arguments: json!({"message": "ping"}).as_object().cloned(),
        call_id: None,
    };

    // Warm both paths.
    for _ in 0..200 {
        bare.call_tool(params.clone()).await.expect("bare call");
        servers.call_tool(call.clone(), AuditOrigin::Cli).await.expect("managed call");
    }

    let mut bare_times = Vec::with_capacity(calls);
    let mut managed_times = Vec::with_capacity(calls);
    // Interleaved call by call, each side going first half of the time, so that neither gets the warmer slot.
    for i in 0..calls {
        for side in [i % 2, (i + 1) % 2] {
            let started = Instant::now();
            if side == 0 {
                bare.call_tool(params.clone()).await.expect("bare call");
                bare_times.push(started.elapsed());
            } else {
                let outcome = servers.call_tool(call.clone(), AuditOrigin::Cli).await.expect("managed call");
                managed_times.push(started.elapsed());
                assert!(outcome.error.is_none(), "{outcome:?}");
            }
        }
    }
    bare_times.sort();
    managed_times.sort();
    let (b50, b99) = (percentile(&bare_times, 0.50), percentile(&bare_times, 0.99));
    let (m50, m99) = (percentile(&managed_times, 0.50), percentile(&managed_times, 0.99));
    let overhead = |m: Duration, b: Duration| (micros(m) - micros(b)) / micros(b) * 100.0;
    println!("tool call round trip, stdio, {} calls each (µs)", bare_times.len());
    println!("  bare rmcp client      p50 {:>7.1}  p99 {:>7.1}", micros(b50), micros(b99));
    println!("  Atrium ServerSet      p50 {:>7.1}  p99 {:>7.1}", micros(m50), micros(m99));
    let (o50, o99) = (overhead(m50, b50), overhead(m99, b99));
    let verdict = |met: bool| if met { "✔" } else { "✗" };
    println!(
        "  overhead              p50 {o50:>+6.1} %  p99 {o99:>+6.1} %   target ≤ 5 % of the round trip {} {}",
        verdict(o50 <= 5.0),
        verdict(o99 <= 5.0)
    );

    servers.shutdown().await;
    let _ = bare.cancel().await;
    let audited = store.audit_list(&atrium_store::AuditFilter { limit: Some(1000), ..Default::default() }).await;
    println!("  audit rows written    {}", audited.map(|rows| rows.len()).unwrap_or(0));
}
