//! `atrium mcp`: the gateway's `/mcp` over stdio, for agents that launch their servers. When the app or
//! `atrium gateway` runs for this home, messages go to it (one set of server processes, one audit), presented with
//! the key from its run file (which only this user can read) and the agent's name; otherwise this process starts
//! a gateway of its own on a free loopback port and bridges to that, so the surface is the same either way.
//! One JSON-RPC message per line on stdin; answers, progress and notifications one per line on stdout. It ends when
//! stdin ends or `quit` is cancelled (SIGTERM from the agent that launched it): its own gateway, if it started one,
//! stops and takes its run file with it.

use std::time::Duration;

use atrium_api::{AgentView, Atrium, AtriumPaths};
use futures::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::http::BRIDGE_AGENT;
use crate::{Gateway, GatewayError, GatewayOptions, RunInfo, run_file};

/// Where the bridge sends: a running gateway's endpoint and key.
struct Target {
    url: String,
    key: String,
}

/// A running gateway of this home that answers, if there is one.
async fn running(paths: &AtriumPaths, http: &reqwest::Client) -> Option<Target> {
    let text = std::fs::read_to_string(run_file(paths)).ok()?;
    let info: RunInfo = serde_json::from_str(&text).ok()?;
    let metadata = info.url.replace("/mcp", "/.well-known/oauth-protected-resource");
    let alive = http.get(&metadata).timeout(Duration::from_secs(2)).send().await.is_ok_and(|r| r.status().is_success());
    alive.then_some(Target { url: info.url, key: info.bridge_key })
}

/// How long answers still being relayed may take once stdin ended or `quit` was cancelled.
const DRAIN_BOUND: Duration = Duration::from_secs(2);

/// How long `atrium mcp` serving on its own waits for the agent's servers to start before it answers.
const SETTLE_BOUND: Duration = Duration::from_secs(15);

/// An agent that launches `atrium mcp` lists its tools right after `initialize`, and some never list again: the
/// agent's servers get the time to start (each within its own connect timeout, all within SETTLE_BOUND) so that the
/// first list has their tools. A server that fails is left out, as on `/mcp`.
async fn settle(atrium: &Atrium, agent: &AgentView) {
    let Ok(servers) = atrium.agent_servers(agent).await else { return };
    let starting = servers.iter().map(|server| atrium.gateway_server_live(&server.server_id));
    let _ = tokio::time::timeout(SETTLE_BOUND, futures::future::join_all(starting)).await;
}

/// Serves `/mcp` for `agent` over stdin/stdout until stdin ends or `quit` is cancelled.
pub async fn serve_stdio(
    atrium: Atrium,
    paths: &AtriumPaths,
    agent: AgentView,
    quit: CancellationToken,
) -> Result<(), GatewayError> {
    let http = reqwest::Client::new();
    let (target, own) = match running(paths, &http).await {
        Some(target) => (target, None),
        None => {
            atrium.connect_all().await?;
            settle(&atrium, &agent).await;
            let options = GatewayOptions { port: 0, ..GatewayOptions::from_env() };
            let gateway = Gateway::start(atrium.clone(), paths, options).await?;
            let target = Target { url: gateway.url(), key: gateway.shared.bridge_key.clone() };
            (target, Some(gateway))
        }
    };
    tracing::info!(url = %target.url, own = own.is_some(), "atrium mcp bridging");
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Value>();
    let writer = tokio::spawn(async move {
        let mut stdout = tokio::io::stdout();
        while let Some(message) = out_rx.recv().await {
            let line = format!("{message}\n");
            if stdout.write_all(line.as_bytes()).await.is_err() || stdout.flush().await.is_err() {
                return;
            }
        }
    });
    let mut session: Option<String> = None;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stream_task: Option<tokio::task::JoinHandle<()>> = None;
    // The answers being relayed: bounded by DRAIN_BOUND at the end, then aborted.
    let mut relays = JoinSet::new();
    loop {
        let line = tokio::select! {
            () = quit.cancelled() => break,
            line = lines.next_line() => match line {
                Ok(Some(line)) => line,
                Ok(None) | Err(_) => break,
            },
        };
        if line.trim().is_empty() {
            continue;
        }
        while relays.try_join_next().is_some() {}
        let mut request = http
            .post(&target.url)
            .bearer_auth(&target.key)
            .header(BRIDGE_AGENT, &agent.id)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(line.clone());
        if let Some(id) = &session {
            request = request.header("mcp-session-id", id);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => {
                // A request still gets its answer, so the agent is not left waiting for one that never comes.
                tracing::warn!(%err, "the gateway did not answer");
                if let Some(id) = serde_json::from_str::<Value>(&line)
                    .ok()
                    .filter(|m| m.get("method").is_some())
                    .and_then(|m| m.get("id").cloned())
                {
                    let message = format!("Atrium's gateway at {} did not answer: {err}", target.url);
                    let _ = out_tx.send(crate::rpc::error(&id, crate::rpc::INTERNAL_ERROR, message));
                }
                continue;
            }
        };
        if session.is_none()
            && let Some(id) = response.headers().get("mcp-session-id").and_then(|v| v.to_str().ok())
        {
            session = Some(id.to_owned());
            // The session's own stream: list_changed and the like, outside any request.
            let (http, url, key, agent_id, id, out) =
                (http.clone(), target.url.clone(), target.key.clone(), agent.id.clone(), id.to_owned(), out_tx.clone());
            stream_task = Some(tokio::spawn(async move {
                let opened = http
                    .get(&url)
                    .bearer_auth(&key)
                    .header(BRIDGE_AGENT, agent_id)
                    .header("accept", "text/event-stream")
                    .header("mcp-session-id", id)
                    .send()
                    .await;
                if let Ok(opened) = opened {
                    relay_events(opened, &out).await;
                }
            }));
        }
        let out = out_tx.clone();
        // Answers may take long (a tool call with progress): each is read on its own, so a cancellation on the
        // next line reaches the gateway meanwhile.
        relays.spawn(async move { relay_events(response, &out).await });
    }
    if let Some(task) = stream_task {
        task.abort();
    }
    if tokio::time::timeout(DRAIN_BOUND, async { while relays.join_next().await.is_some() {} }).await.is_err() {
        relays.abort_all();
    }
    if let Some(id) = session {
        let _ = http
            .delete(&target.url)
            .bearer_auth(&target.key)
            .header(BRIDGE_AGENT, &agent.id)
            .header("mcp-session-id", id)
            .send()
            .await;
    }
    drop(out_tx);
    let _ = tokio::time::timeout(DRAIN_BOUND, writer).await;
    if let Some(gateway) = own {
        gateway.stop().await;
    }
    Ok(())
}

/// Every JSON-RPC message of an answer (a JSON body, or an event stream) onto stdout.
async fn relay_events(response: reqwest::Response, out: &mpsc::UnboundedSender<Value>) {
    let is_stream = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"));
    if !is_stream {
        if let Ok(body) = response.bytes().await
            && let Ok(message) = serde_json::from_slice::<Value>(&body)
        {
            let _ = out.send(message);
        }
        return;
    }
    let mut pending = String::new();
    let mut body = response.bytes_stream();
    while let Some(Ok(chunk)) = body.next().await {
        pending.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = pending.find("\n\n") {
            let event: String = pending.drain(..end + 2).collect();
            let data: String = event
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim_start)
                .collect::<Vec<_>>()
                .join("\n");
            if let Ok(message) = serde_json::from_str::<Value>(&data) {
                let _ = out.send(message);
            }
        }
    }
}
