//! What the `atrium` binary's tests share: a temporary home to run it on, the test peers, and waiting and
//! signalling helpers.
#![allow(dead_code)] // each test binary uses its own part

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The node and python that setup installs for the tests.
pub fn runtimes_path() -> String {
    let node = repo().join(".tools/node22/node_modules/.bin");
    let python = repo().join(".tools/py/bin");
    format!("{}:{}:{}", node.display(), python.display(), std::env::var("PATH").unwrap_or_default())
}

pub fn everything_js() -> String {
    let path = repo().join("tests/peers/node_modules/@modelcontextprotocol/server-everything/dist/index.js");
    assert!(path.exists(), "{} is missing: run `make setup-test`", path.display());
    path.display().to_string()
}

pub fn peer(name: &str) -> String {
    repo().join("tests/peers").join(name).display().to_string()
}

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Home { dir: tempfile::tempdir().expect("home") }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_atrium"));
        command
            .arg("--home")
            .arg(self.dir.path())
            .args(args)
            .env_remove("ATRIUM_HOME")
            .env("ATRIUM_STDIO_PATH", runtimes_path());
        command
    }

    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("atrium");
        child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin");
        child.wait_with_output().expect("wait")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args, "");
        assert!(out.status.success(), "atrium {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `atrium --json …`, which must succeed: what it printed.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        self.json_with_stdin(args, "")
    }

    /// The same, with `stdin` on its standard input.
    pub fn json_with_stdin(&self, args: &[&str], stdin: &str) -> serde_json::Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all, stdin);
        assert!(out.status.success(), "atrium {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON output")
    }

    /// A `$BROWSER` that follows the sign-in page's redirects without a person (a test authorization server
    /// approves at once and bounces to Atrium's loopback listener).
    pub fn headless_browser(&self) -> String {
        self.script("browser.sh", "#!/bin/sh\nexec curl -s -L -o /dev/null \"$1\"\n")
    }

    /// An executable script in the home.
    pub fn script(&self, name: &str, text: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path.display().to_string()
    }
}

/// The process's exit code.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

/// What a command printed: stdout, stderr.
pub fn text(out: &Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The Python that setup installs for the tests (with the `mcp` SDK).
pub fn python() -> String {
    let path = repo().join(".tools/py/bin/python");
    assert!(path.exists(), "{} is missing: run `make setup-test`", path.display());
    path.display().to_string()
}

/// A test peer process, killed when dropped.
pub struct Peer {
    child: std::process::Child,
    /// Its base URL.
    pub base: String,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// The OAuth-protected MCP server with its own authorization server (`tests/peers/oauth_server.py`): it approves
/// every authorization at once; the client `atrium-authorizer` has the secret `atrium-authorizer-secret`; its
/// tool `whoami` says which client the caller's token was issued to.
pub fn oauth_server() -> Peer {
    use std::io::BufRead;
    let port = free_port();
    let mut child = Command::new(python())
        .arg(peer("oauth_server.py"))
        .arg("--port")
        .arg(port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the OAuth peer");
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
            for line in std::io::BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let peer = Peer { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) if line.contains("READY") => return peer,
            Ok(line) => seen.push(line),
            Err(_) => {}
        }
    }
    panic!("the OAuth peer was not ready within 30 s: {seen:?}");
}

pub fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what} within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn signal(pid: u32, name: &str) {
    assert!(Command::new("kill").args([&format!("-{name}"), &pid.to_string()]).status().expect("kill").success());
}
