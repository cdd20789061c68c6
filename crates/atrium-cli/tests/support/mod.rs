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
