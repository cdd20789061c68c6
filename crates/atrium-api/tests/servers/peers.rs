//! Starting the real peers and an Atrium to talk to them.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_api::{
    AppEvent, Atrium, AtriumPaths, ElicitationPolicy, EventSink, NewServer, NewWorkspace, OpenOptions,
    ServerRestartPolicy, ServerView,
};
use serde_json::Value;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

fn require(path: PathBuf) -> PathBuf {
    assert!(path.exists(), "{} is missing: run `make setup-test` to install the test peers", path.display());
    path
}

/// Node ≥ 20: the one setup installs, else the system's.
pub fn node() -> String {
    let local = repo().join(".tools/node22/node_modules/.bin/node");
    if local.exists() { local.display().to_string() } else { "node".into() }
}

pub fn everything_js() -> String {
    require(repo().join("tests/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js"))
        .display()
        .to_string()
}

pub fn python() -> String {
    require(repo().join(".tools/py/bin/python")).display().to_string()
}

pub fn peer_script(name: &str) -> String {
    require(repo().join("tests/peers").join(name)).display().to_string()
}

/// A peer process, killed when dropped.
pub struct Peer {
    child: Child,
    pub base: String,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A registration from its JSON, checked as the API checks what a person types.
pub fn reg(value: Value) -> atrium_api::Registration {
    atrium_api::parse_registration(&value).expect("a valid registration")
}

/// A typed value as JSON, to look into.
pub fn as_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("json")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// Starts a process and waits (up to 30 s) for a line containing `ready` on stdout or stderr.
fn start(mut command: Command, ready: &str, base: String) -> Peer {
    command.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
    let mut child = command.spawn().expect("start the peer");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    for stream in [
        child.stdout.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        child.stderr.take().map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let failure = loop {
        if Instant::now() > deadline {
            break "was not ready within 30 s".to_owned();
        }
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) if line.contains(ready) => return Peer { child, base },
            Ok(line) => seen.push(line),
            Err(_) => {
                if let Ok(Some(status)) = child.try_wait() {
                    break format!("exited ({status}) before it was ready");
                }
            }
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    panic!("the peer {failure}: {seen:?}");
}

/// server-everything over streamable HTTP (`/mcp`) or legacy SSE (`/sse`).
pub fn everything_http(mode: &str) -> Peer {
    everything_http_on(mode, free_port())
}

/// The same on a given port (to restart a server where it was).
pub fn everything_http_on(mode: &str, port: u16) -> Peer {
    let mut command = Command::new(node());
    command.arg(everything_js()).arg(mode).env("PORT", port.to_string());
    start(command, &format!("{port}"), format!("http://127.0.0.1:{port}"))
}

/// The FastMCP greeter (seed Part 1) with its discovery document, or a broken one.
pub fn fastmcp(bad_discovery: Option<&str>) -> Peer {
    let port = free_port();
    let mut command = Command::new(python());
    command.arg(peer_script("fastmcp_server.py")).arg("--port").arg(port.to_string());
    if let Some(mode) = bad_discovery {
        command.arg("--bad-discovery").arg(mode);
    }
    start(command, "READY", format!("http://127.0.0.1:{port}"))
}

/// The OAuth-protected FastMCP server (the mcp SDK's own authorization server, auto-approving) with its test
/// controls (`/test/stats`, `/test/fail-refresh`, `/test/expire-all`, `/test/html-token`).
pub fn oauth_server() -> Peer {
    let port = free_port();
    let mut command = Command::new(python());
    command.arg(peer_script("oauth_server.py")).arg("--port").arg(port.to_string());
    start(command, "READY", format!("http://127.0.0.1:{port}"))
}

/// Answers an elicitation request (in the test, instead of a person).
pub type Answerer = Box<dyn Fn(&atrium_api::ElicitationRequest) + Send>;

/// Every event Atrium emitted.
#[derive(Default)]
pub struct Recorder {
    pub events: Mutex<Vec<AppEvent>>,
    /// Answers elicitations as they arrive, when set.
    pub answer: Mutex<Option<Answerer>>,
}

impl EventSink for Recorder {
    fn emit(&self, event: AppEvent) {
        if let AppEvent::ElicitationRequested { request } = &event
            && let Some(answer) = &*self.answer.lock().expect("lock")
        {
            answer(request);
        }
        self.events.lock().expect("lock").push(event);
    }
}

impl Recorder {
    /// Every status a server went through, in order.
    pub fn statuses_of(&self, server: &str) -> Vec<atrium_api::ServerStatus> {
        self.events
            .lock()
            .expect("lock")
            .iter()
            .filter_map(|e| match e {
                AppEvent::ServerStatus { server_id, status } if server_id == server => Some(status.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn progress_for(&self, call_id: &str) -> Vec<f64> {
        self.events
            .lock()
            .expect("lock")
            .iter()
            .filter_map(|e| match e {
                AppEvent::CallProgress { progress, .. } if progress.call_id == call_id => Some(progress.progress),
                _ => None,
            })
            .collect()
    }
}

/// An Atrium in a temporary home that keeps its servers connected, like the desktop app.
pub struct Fixture {
    pub atrium: Atrium,
    pub events: Arc<Recorder>,
    pub workspace: String,
    _home: tempfile::TempDir,
}

impl Fixture {
    pub async fn new() -> Self {
        Self::with_policy(ElicitationPolicy::Ask).await
    }

    pub async fn with_policy(elicitation: ElicitationPolicy) -> Self {
        let home = tempfile::tempdir().expect("temp dir");
        let events = Arc::new(Recorder::default());
        let options = OpenOptions {
            events: events.clone(),
            elicitation,
            connect_servers: true,
            // Quick restarts, so crash loops play out in seconds.
            restart: ServerRestartPolicy {
                first_delay: Duration::from_millis(100),
                max_delay: Duration::from_secs(2),
                stable_after: Duration::from_secs(300),
                give_up_after: 4,
            },
            // Sign-ins in tests follow the redirects headlessly to Atrium's real loopback listener.
            browser: Some(Arc::new(atrium_api::HeadlessBrowser::new())),
            auth: atrium_api::AuthSetup::default(),
            // The test binary cannot be started as a watchdog.
            watchdog: false,
        };
        let atrium = Atrium::open_with(AtriumPaths::at(home.path()), options).await.expect("open");
        // The test peers run on the Node and Python that setup installs: allowed by path, as a person would.
        atrium.local_settings_set_commands(vec![node(), python()]).await.expect("allow the test runtimes");
        let workspace = atrium
            .workspace_create(NewWorkspace { title: "Servers".into(), description: None })
            .await
            .expect("workspace")
            .id;
        Fixture { atrium, events, workspace, _home: home }
    }

    pub fn home(&self) -> &Path {
        self._home.path()
    }

    pub async fn register(&self, title: &str, registration: Value) -> ServerView {
        let registration = reg(registration);
        self.atrium
            .server_create(NewServer { workspace_id: self.workspace.clone(), title: title.into(), registration })
            .await
            .expect("register")
    }

    /// Waits until the server is ready (or fails the test with its status).
    pub async fn ready(&self, id: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.atrium.server_state(id.to_owned()).await.expect("state");
            match state.status {
                atrium_api::ServerStatus::Ready => return,
                atrium_api::ServerStatus::Failed { .. } => panic!("server failed: {:?}", state.status),
                _ if Instant::now() > deadline => panic!("server not ready in 30 s: {:?}", state.status),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

impl Fixture {
    /// Waits until a local server is ready in a new process (it was restarted).
    pub async fn ready_again(&self, id: &str, old_pid: Option<u32>) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let state = self.atrium.server_state(id.to_owned()).await.expect("state");
            if let (atrium_api::ServerStatus::Ready, Some(pid)) = (&state.status, state.pid)
                && Some(pid) != old_pid
            {
                return pid;
            }
            assert!(Instant::now() < deadline, "never restarted: {:?}", state);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Polls the server's status until `done` holds (20 s at most), and returns it.
    pub async fn status_when(
        &self,
        id: &str,
        what: &str,
        done: impl Fn(&atrium_api::ServerStatus) -> bool,
    ) -> atrium_api::ServerStatus {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = self.atrium.server_state(id.to_owned()).await.expect("state").status;
            if done(&status) {
                return status;
            }
            assert!(Instant::now() < deadline, "never {what}: {status:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The audit rows of `filter` once there are at least `count` (they are written in batches).
    pub async fn audit_rows(&self, filter: &atrium_api::AuditFilter, count: usize) -> Vec<atrium_api::AuditEntry> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let rows = self.atrium.audit_list(filter.clone()).await.expect("audit");
            if rows.len() >= count {
                return rows;
            }
            assert!(Instant::now() < deadline, "expected {count} audit rows: {rows:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Starts server-everything's 30-second operation, cancels it after half a second, and returns how it ended
    /// and how long the call took in all.
    pub async fn cancel_long_call(&self, server_id: &str, call_id: &str) -> (atrium_api::CallOutcome, Duration) {
        let long = atrium_api::ToolCall {
            server_id: server_id.into(),
            tool: "trigger-long-running-operation".into(),
            arguments: serde_json::json!({"duration": 30, "steps": 30}).as_object().cloned(),
            call_id: Some(call_id.into()),
        };
        let atrium = self.atrium.clone();
        let started = Instant::now();
        let running = tokio::spawn(async move { atrium.tool_call(long).await });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(self.atrium.tool_cancel(call_id.into()).await.expect("cancel"), "the call was running");
        let outcome = running.await.expect("join").expect("call");
        (outcome, started.elapsed())
    }
}
