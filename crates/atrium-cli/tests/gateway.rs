//! `atrium gateway` and `atrium mcp` as processes, driven by the official SDK clients the way agents run them:
//! `atrium mcp` serving on its own (the TypeScript and Python SDKs launch it over stdio: workspace tools, server
//! tools with progress and cancellation, every call audited under the agent) and bridging to a running
//! `atrium gateway` (no server processes of its own, the gateway's run file untouched, a clear error for each
//! request once the gateway is gone); `atrium gateway` stopping on SIGTERM and SIGINT within a bound while a call
//! and a stream are open, its run file removed, its port free again, the servers it started gone.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use atrium_api::{AtriumPaths, AuditFilter, AuditOrigin, OpenOptions};
use serde_json::{Value, json};

mod support;

use support::{Home, everything_js, peer, python, repo, runtimes_path, signal, wait_until};

fn node() -> String {
    let local = repo().join(".tools/node22/node_modules/.bin/node");
    if local.exists() { local.display().to_string() } else { "node".into() }
}

/// A child that is killed if the test ends before it does.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A home with the workspace Lab, server-everything registered in it as Everything, and the agent Claude (read
/// and write on Lab); Lab's id.
fn lab(home: &Home) -> String {
    let workspace = home.json(&["workspace", "create", "Lab"]);
    let js = everything_js();
    home.ok(&["server", "add", "Lab", "--title", "Everything", "--stdio", "--", "node", &js, "stdio"]);
    let agent = home.json(&["agent", "add", "Claude", "--workspace", "Lab", "--scope", "read", "--scope", "write"]);
    assert!(agent["token"].as_str().is_some_and(|t| !t.is_empty()), "{agent}");
    workspace["id"].as_str().expect("workspace id").to_owned()
}

/// The command line an agent's config would hold: `atrium --home H mcp --agent Claude`.
fn mcp_command(home: &Home) -> String {
    let home_dir = home.dir.path().display().to_string();
    json!([env!("CARGO_BIN_EXE_atrium"), "--home", home_dir, "mcp", "--agent", "Claude"]).to_string()
}

/// A client script with the environment `atrium` needs (and no ATRIUM_HOME: the command line says the home).
fn client(program: String, args: &[String]) -> Child {
    Command::new(program)
        .args(args)
        .env_remove("ATRIUM_HOME")
        .env("ATRIUM_STDIO_PATH", runtimes_path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the client")
}

/// The client's last line of output, as JSON.
fn finished(child: Child) -> Value {
    let Output { stdout, stderr, .. } = child.wait_with_output().expect("the client ends");
    let stdout = String::from_utf8_lossy(&stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|_| {
        panic!("the client printed no JSON: {stdout}\nstderr: {}", String::from_utf8_lossy(&stderr))
    })
}

/// Every process below `root` (children, theirs, …) with its command line.
fn descendants(root: u32) -> Vec<(u32, String)> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid …: the command name may hold spaces and parentheses, so split after the last ')'.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
        if let Some(ppid) = after.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok()) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut found = Vec::new();
    let mut queue = vec![root];
    while let Some(pid) = queue.pop() {
        for &child in children.get(&pid).map(Vec::as_slice).unwrap_or_default() {
            let cmdline = std::fs::read(format!("/proc/{child}/cmdline")).unwrap_or_default();
            found.push((child, String::from_utf8_lossy(&cmdline).replace('\0', " ")));
            queue.push(child);
        }
    }
    found
}

/// The `atrium … mcp` process below `root`, once there is one.
fn mcp_below(root: u32) -> Option<u32> {
    descendants(root).into_iter().find(|(_, cmd)| cmd.contains(" mcp --agent")).map(|(pid, _)| pid)
}

fn runs_everything(pid: u32) -> bool {
    descendants(pid).iter().any(|(_, cmd)| cmd.contains("server-everything"))
}

fn run_file(home: &Home) -> PathBuf {
    home.dir.path().join("run/gateway.json")
}

fn port_is_free(port: u16) -> bool {
    std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// `atrium --json gateway --port 0`, once it printed where it listens: the process and its URL.
fn start_gateway(home: &Home) -> (Running, String) {
    let mut child = home
        .command(&["--json", "gateway", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("atrium gateway");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let running = Running(child);
    // `--json` prints the object over several lines.
    let mut printed = String::new();
    let said = loop {
        printed.push_str(&lines.next().expect("a line").expect("read"));
        if let Ok(said) = serde_json::from_str::<Value>(&printed) {
            break said;
        }
    };
    let url = said["url"].as_str().expect("url").to_owned();
    std::thread::spawn(move || for _ in lines {});
    (running, url)
}

/// The server processes a gateway started, once server-everything is among them (it connects its servers in the
/// background).
fn gateway_servers(gateway: u32) -> Vec<(u32, String)> {
    wait_until("the gateway's server-everything", Duration::from_secs(30), || runs_everything(gateway));
    descendants(gateway)
}

/// Waits for the process to end; how long that took and its exit code.
fn ended(child: &mut Child, limit: Duration) -> (Duration, Option<i32>) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (started.elapsed(), status.code());
        }
        assert!(started.elapsed() < limit, "still running after {limit:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The gateway calls audited under the agent Claude.
async fn audited(home: &Home) -> Vec<atrium_api::AuditEntry> {
    let paths = AtriumPaths::at(home.dir.path());
    let atrium = atrium_api::Atrium::open_with(paths, OpenOptions::default()).await.expect("open");
    let agent = atrium.agent_get("Claude".into()).await.expect("Claude");
    let filter = AuditFilter { agent_id: Some(agent.id), ..AuditFilter::default() };
    let rows = atrium.audit_list(filter).await.expect("audit");
    atrium.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn atrium_mcp_serves_on_its_own_to_both_sdks_when_no_gateway_runs() {
    let home = Home::new();
    let workspace = lab(&home);
    assert!(!run_file(&home).exists());

    // TypeScript: server-everything's tools through `atrium mcp`, with progress and a cancellation.
    let ts = client(node(), &[peer("gateway_client.mjs"), "stdio".into(), mcp_command(&home), "aggregate".into()]);
    // While it runs, `atrium mcp` has a gateway (and the server processes) of its own.
    let (client_pid, mut saw_own_servers, mut saw_own_run_file) = (ts.id(), false, false);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline && !(saw_own_servers && saw_own_run_file) {
        if let Some(mcp) = mcp_below(client_pid) {
            saw_own_servers |= runs_everything(mcp);
            let info = std::fs::read_to_string(run_file(&home)).unwrap_or_default();
            saw_own_run_file |= serde_json::from_str::<Value>(&info).is_ok_and(|i| i["pid"] == mcp);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = finished(ts);
    assert!(out.get("error").is_none(), "{out}");
    assert!(saw_own_servers, "atrium mcp ran no server of its own");
    assert!(saw_own_run_file, "atrium mcp wrote no run file for its own gateway");
    let tools: Vec<&str> = out["tools"].as_array().expect("tools").iter().filter_map(Value::as_str).collect();
    assert!(tools.contains(&"whoami") && tools.contains(&"everything__echo"), "{tools:?}");
    assert_eq!(out["echo"]["content"][0]["text"], "Echo: through Atrium", "{}", out["echo"]);
    assert!(out["progress"].as_array().is_some_and(|p| !p.is_empty()), "no progress over stdio: {out}");
    assert!(out["cancelled"]["error"].as_str().is_some_and(|e| !e.is_empty()), "{}", out["cancelled"]);
    assert!(out["cancelled"]["seconds"].as_f64().is_some_and(|s| s < 10.0), "{}", out["cancelled"]);
    assert_eq!(out["unknown"]["code"], -32602, "{}", out["unknown"]);
    // When the agent closes stdin, its gateway goes with its run file.
    wait_until("the run file removed", Duration::from_secs(5), || !run_file(&home).exists());

    // Python: the workspace tools and a server tool, over stdio too.
    let py = client(python(), &[peer("gateway_client.py"), "stdio".into(), mcp_command(&home), workspace.clone()]);
    let out = finished(py);
    assert!(out.get("error").is_none(), "{out}");
    assert_eq!(out["whoami"]["agent"]["name"], "Claude", "{out}");
    assert_eq!(out["read"]["content"], "hello", "{out}");
    // The same artifact as a resource, over stdio.
    assert_eq!(out["resource"]["contents"][0]["text"], "hello", "{out}");
    assert_eq!(out["echo"]["content"][0]["text"], "Echo: python through Atrium", "{out}");

    let rows = audited(&home).await;
    assert!(rows.iter().all(|r| r.origin == AuditOrigin::Gateway && r.agent_name.as_deref() == Some("Claude")));
    let echoes = rows.iter().filter(|r| r.tool == "echo").count();
    assert_eq!(echoes, 2, "each echo audited once: {:?}", rows.iter().map(|r| &r.tool).collect::<Vec<_>>());
    assert!(rows.iter().any(|r| r.tool == "publish_artifact" && r.workspace_id.as_deref() == Some(&workspace)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn atrium_mcp_bridges_to_a_running_gateway_which_stops_cleanly_on_sigterm() {
    let home = Home::new();
    let workspace = lab(&home);
    let (mut gateway, url) = start_gateway(&home);
    let info: Value = serde_json::from_str(&std::fs::read_to_string(run_file(&home)).expect("run file")).expect("json");
    assert_eq!(info["url"], url.as_str());
    assert_eq!(info["pid"], gateway.0.id());
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(run_file(&home)).expect("run file").permissions().mode();
    assert_eq!(mode & 0o077, 0, "the run file holds the bridge key: only its owner may read it ({mode:o})");

    let py = client(python(), &[peer("gateway_client.py"), "stdio".into(), mcp_command(&home), workspace]);
    let client_pid = py.id();
    let mut bridges = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(mcp) = mcp_below(client_pid) {
            assert!(!runs_everything(mcp), "a bridging atrium mcp started servers of its own");
            bridges.insert(mcp);
        }
        if !descendants(client_pid).iter().any(|(_, cmd)| cmd.contains(" mcp --agent")) && !bridges.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = finished(py);
    assert!(out.get("error").is_none(), "{out}");
    assert!(!bridges.is_empty(), "no atrium mcp seen below the client");
    // The server tool was answered by the gateway's server-everything; the gateway's run file is untouched (a
    // gateway of the bridge's own would have replaced it, then removed it).
    assert_eq!(out["echo"]["content"][0]["text"], "Echo: python through Atrium", "{out}");
    let after = std::fs::read_to_string(run_file(&home)).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok());
    assert_eq!(after.as_ref(), Some(&info), "the gateway's run file changed");
    // The gateway writes its audit rows in batches: give it a moment.
    let deadline = Instant::now() + Duration::from_secs(5);
    while !audited(&home).await.iter().any(|r| r.tool == "echo" && r.agent_name.as_deref() == Some("Claude")) {
        assert!(Instant::now() < deadline, "the bridged echo is not in the audit under Claude");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A bridge whose gateway goes: each request still gets an answer, an error that says so.
    let mut bridge = Running(
        home.command(&["mcp", "--agent", "Claude"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("atrium mcp"),
    );
    let mut stdin = bridge.0.stdin.take().expect("stdin");
    // Answers are read on a thread of their own, so a missing one fails the test instead of hanging it.
    let (answer_tx, answers) = std::sync::mpsc::channel::<String>();
    let stdout = BufReader::new(bridge.0.stdout.take().expect("stdout"));
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = answer_tx.send(line);
        }
    });
    let mut ask = move |message: Value| -> Value {
        writeln!(stdin, "{message}").expect("write");
        let line = answers.recv_timeout(Duration::from_secs(20)).expect("an answer within 20 s");
        serde_json::from_str(&line).expect("JSON")
    };
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
    assert_eq!(ask(init)["result"]["protocolVersion"], "2025-06-18");
    let servers = gateway_servers(gateway.0.id());

    let port: u16 = url.trim_end_matches("/mcp").rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    signal(gateway.0.id(), "TERM");
    let (took, code) = ended(&mut gateway.0, Duration::from_secs(10));
    assert_eq!(code, Some(0), "after {took:?}");
    assert!(!run_file(&home).exists(), "the run file outlived the gateway");
    assert!(port_is_free(port), "port {port} still taken");
    wait_until("the gateway's servers gone", Duration::from_secs(5), || {
        servers.iter().all(|(pid, _)| !PathBuf::from(format!("/proc/{pid}")).exists())
    });

    let answer = ask(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    assert_eq!(answer["id"], 2, "{answer}");
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("did not answer"), "{answer}");
    drop(ask);
    let (_, code) = ended(&mut bridge.0, Duration::from_secs(10));
    assert_eq!(code, Some(0), "atrium mcp ends with its stdin");
}

/// A session with its stream open and a long call in flight, then the signal: the gateway ends within its bound.
async fn stops_with_a_call_in_flight(name: &str) {
    let home = Home::new();
    lab(&home);
    let token = home.json(&["agent", "rotate", "Claude"])["token"].as_str().expect("token").to_owned();
    let (mut gateway, url) = start_gateway(&home);
    let port: u16 = url.trim_end_matches("/mcp").rsplit(':').next().and_then(|p| p.parse().ok()).expect("port");
    let servers = gateway_servers(gateway.0.id());

    let http = reqwest::Client::new();
    let post = |session: Option<&str>, body: Value| {
        let mut request = http
            .post(&url)
            .bearer_auth(&token)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18")
            .json(&body);
        if let Some(id) = session {
            request = request.header("mcp-session-id", id);
        }
        request.send()
    };
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}});
    let opened = post(None, init).await.expect("initialize");
    let session = opened.headers()["mcp-session-id"].to_str().expect("session").to_owned();
    let _ = opened.bytes().await;
    let _ = post(Some(&session), json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).await;
    let stream = http
        .get(&url)
        .bearer_auth(&token)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &session)
        .send()
        .await
        .expect("the session's stream");
    assert!(stream.status().is_success(), "{}", stream.status());
    let long = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "everything__trigger-long-running-operation", "arguments": {"duration": 60, "steps": 60},
        "_meta": {"progressToken": "p"}}});
    let in_flight = post(Some(&session), long).await.expect("the call starts");
    assert!(in_flight.status().is_success(), "{}", in_flight.status());
    // The call is under way (its first progress); the stream and the call are both still open.
    let mut body = in_flight.bytes_stream();
    let first = tokio::time::timeout(Duration::from_secs(20), futures::StreamExt::next(&mut body)).await;
    assert!(matches!(first, Ok(Some(Ok(_)))), "no progress from the call in flight");

    signal(gateway.0.id(), name);
    let (took, code) = tokio::task::block_in_place(|| ended(&mut gateway.0, Duration::from_secs(10)));
    assert_eq!(code, Some(0), "SIG{name}, after {took:?}");
    assert!(took < Duration::from_secs(8), "SIG{name}: stopping took {took:?}");
    assert!(!run_file(&home).exists(), "SIG{name}: the run file outlived the gateway");
    assert!(port_is_free(port), "SIG{name}: port {port} still taken");
    for (pid, cmd) in servers {
        wait_until(&format!("{cmd} gone"), Duration::from_secs(5), || !PathBuf::from(format!("/proc/{pid}")).exists());
    }
    drop(stream);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_stops_on_sigint_within_its_bound_with_a_call_and_a_stream_open() {
    stops_with_a_call_in_flight("INT").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_stops_on_sigterm_within_its_bound_with_a_call_and_a_stream_open() {
    stops_with_a_call_in_flight("TERM").await;
}

#[test]
fn a_taken_port_is_said_plainly() {
    let home = Home::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = taken.local_addr().expect("addr").port().to_string();
    let out = home.run(&["gateway", "--port", &port], "");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("port {port} on 127.0.0.1 is taken")), "{stderr}");
    assert!(!run_file(&home).exists());
}

#[test]
fn a_saved_port_is_where_the_gateway_listens_next_time() {
    let home = Home::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a port").port();
    let gateway = |args: &[&str]| -> (Running, String) {
        let mut command = home.command(&[&["--json", "gateway"], args].concat());
        command.env_remove("ATRIUM_GATEWAY_PORT").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
        let mut child = command.spawn().expect("atrium gateway");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let printed: String = stdout.lines().map_while(Result::ok).take_while(|l| l != "}").collect();
        let url =
            serde_json::from_str::<Value>(&format!("{printed}}}")).expect("JSON")["url"].as_str().map(String::from);
        (Running(child), url.expect("url"))
    };
    let expected = format!("http://127.0.0.1:{port}/mcp");
    let (mut first, url) = gateway(&["--port", &port.to_string(), "--save"]);
    assert_eq!(url, expected);
    signal(first.0.id(), "TERM");
    ended(&mut first.0, Duration::from_secs(10));
    let (mut second, url) = gateway(&[]);
    assert_eq!(url, expected, "the saved port");
    signal(second.0.id(), "TERM");
    ended(&mut second.0, Duration::from_secs(10));
}

/// The command line a client's configuration holds for its server `name`, as `gateway_client.mjs` takes it.
fn configured_command(config: &std::path::Path, servers_key: &str, name: &str) -> String {
    let text = std::fs::read_to_string(config).expect("the configuration");
    let parsed: Value = serde_json::from_str(&text).expect("the configuration is JSON");
    let entry = &parsed[servers_key][name];
    let mut line = vec![entry["command"].clone()];
    line.extend(entry["args"].as_array().expect("args").iter().cloned());
    Value::Array(line).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_written_into_a_client_config_is_launched_from_it_and_taken_out_exactly() {
    let home = Home::new();
    lab(&home);
    let project = home.dir.path().join("project");
    std::fs::create_dir_all(project.join(".cursor")).expect("project");
    let cursor = project.join(".cursor/mcp.json");
    let original = "{\n  \"mcpServers\": {\n    \"fs\": {\"command\": \"npx\", \"env\": {\"API_KEY\": \"sk-not-for-atrium\"}}\n  }\n}\n";
    std::fs::write(&cursor, original).expect("config");
    let config = cursor.display().to_string();

    // The preview names the file and Atrium's entry, never the file's other contents.
    let plan = home.json(&["agent", "connect", "Claude", "--client", "cursor", "--config", &config, "--dry-run"]);
    assert_eq!(plan["exists"], true, "{plan}");
    assert!(plan["entry"].as_str().is_some_and(|e| e.contains("\"--agent\"") && !e.contains("sk-")), "{plan}");
    assert!(!plan.to_string().contains("sk-not-for-atrium"), "{plan}");
    assert_eq!(std::fs::read_to_string(&cursor).expect("config"), original, "a dry run wrote");

    let done = home.json(&["agent", "connect", "Claude", "--client", "cursor", "--config", &config]);
    assert_eq!(done["change"], "added", "{done}");
    let backup = done["backup"].as_str().expect("a copy kept").to_owned();
    assert_eq!(std::fs::read_to_string(&backup).expect("backup"), original);
    let written = std::fs::read_to_string(&cursor).expect("config");
    assert!(
        written.contains("    \"fs\": {\"command\": \"npx\", \"env\": {\"API_KEY\": \"sk-not-for-atrium\"}}"),
        "{written}"
    );
    assert!(!written.contains("atrium_agent_"), "a token was written: {written}");
    let again = home.json(&["agent", "connect", "Claude", "--client", "cursor", "--config", &config]);
    assert_eq!(again["change"], "unchanged", "{again}");

    // The official TypeScript SDK launches what the file says, as Cursor would, and reaches Atrium as Claude.
    let line = configured_command(&cursor, "mcpServers", "atrium");
    let out = finished(client(node(), &[peer("gateway_client.mjs"), "stdio".into(), line, "echo".into()]));
    assert!(out.get("error").is_none(), "{out}");
    assert_eq!(out["whoami"]["agent"]["name"], "Claude", "{out}");
    assert_eq!(out["echo"]["content"][0]["text"], "Echo: from the e2e agent", "{out}");

    // Another agent takes the entry over; the copy stays the file as it was before any Atrium entry.
    home.json(&["agent", "add", "Second"]);
    let switched = home.json(&["agent", "connect", "Second", "--client", "cursor", "--config", &config]);
    assert_eq!(switched["change"], "replaced", "{switched}");
    assert_eq!(std::fs::read_to_string(&backup).expect("backup"), original, "the copy was overwritten");

    let undone = home.json(&["agent", "disconnect", "--client", "cursor", "--config", &config]);
    assert_eq!((undone["removed"].clone(), undone["restored"].clone()), (json!(true), json!(true)), "{undone}");
    assert_eq!(std::fs::read_to_string(&cursor).expect("config"), original);
    assert!(!std::path::Path::new(&backup).exists(), "the copy stayed behind");

    // VS Code's file keeps its comments; a server the person added meanwhile stays when Atrium's entry goes.
    let vscode = project.join(".vscode/mcp.json");
    std::fs::create_dir_all(vscode.parent().expect("dir")).expect("dir");
    std::fs::write(
        &vscode,
        "{\n\t// team servers\n\t\"servers\": {\n\t\t\"git\": {\"type\": \"stdio\", \"command\": \"uvx\"},\n\t},\n}\n",
    )
    .expect("vscode");
    let config = vscode.display().to_string();
    home.json(&["agent", "connect", "Claude", "--client", "vscode", "--config", &config]);
    let written = std::fs::read_to_string(&vscode).expect("vscode");
    let edited = written.replace("\t\t\"git\"", "\t\t\"time\": {\"command\": \"uvx\"},\n\t\t\"git\"");
    std::fs::write(&vscode, &edited).expect("edit by hand");
    let undone = home.json(&["agent", "disconnect", "--client", "vscode", "--config", &config]);
    assert_eq!((undone["removed"].clone(), undone["restored"].clone()), (json!(true), json!(false)), "{undone}");
    let left = std::fs::read_to_string(&vscode).expect("vscode");
    assert!(left.contains("// team servers") && left.contains("\"time\"") && left.contains("\"git\""), "{left}");
    assert!(!left.contains("\"atrium\""), "{left}");

    // A server someone else named "atrium" is never overwritten; a file that is not JSON is said to be so.
    let claude = home.dir.path().join("claude_desktop_config.json");
    std::fs::write(&claude, "{\"mcpServers\": {\"atrium\": {\"command\": \"python\", \"args\": [\"atrium.py\"]}}}")
        .expect("cfg");
    let refused = home.run(
        &["agent", "connect", "Claude", "--client", "claude-desktop", "--config", &claude.display().to_string()],
        "",
    );
    assert_eq!(support::code(&refused), 75, "{}", support::text(&refused).1);
    assert!(support::text(&refused).1.contains("not Atrium's"), "{}", support::text(&refused).1);
    std::fs::write(&claude, "{\"mcpServers\": {").expect("cfg");
    let broken = home.run(
        &["agent", "connect", "Claude", "--client", "claude-desktop", "--config", &claude.display().to_string()],
        "",
    );
    assert_eq!(support::code(&broken), 65, "{}", support::text(&broken).1);
    assert_eq!(std::fs::read_to_string(&claude).expect("cfg"), "{\"mcpServers\": {", "a broken file was touched");
}
