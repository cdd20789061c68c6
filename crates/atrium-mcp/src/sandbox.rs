//! Servers from repositories (the `github` transport) run sandboxed, as the Agience guide asks: installing one
//! (`npm install` runs the repository's lifecycle scripts, `pip install` its build hooks) and running it both happen
//! inside a bubblewrap sandbox on Linux, where
//! - the person's home, the session's runtime directory (the D-Bus socket behind the keychain, the keyring's own
//!   socket) and Atrium's home are empty directories, and `/tmp` is a private one;
//! - the rest of the system is read-only, and the runtimes it needs (node, npm, python) are mounted back read-only
//!   when they live inside a hidden directory (nvm, pyenv);
//! - the server's own directory (its checkout, its venv or `node_modules`, and a data directory that is its
//!   `HOME`) is the only place it can write;
//! - its environment is only what it needs to run (`PATH`, `HOME`, locale, proxies) and the variables its
//!   registration names, so a secret reaches it only when the registration says so;
//! - it gets its own PID namespace and session, and dies with Atrium (`--die-with-parent`).
//!
//! The network stays: installs download packages and servers call their APIs. Other systems get no sandbox yet, so
//! Atrium refuses to install or run repositories there rather than run them unconfined.
//!
//! `git` itself (clone, checkout) runs outside: it executes nothing from the repository (no hooks or filters come
//! with a fetch), and it may need to read a local repository the sandbox hides.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use crate::error::{Failure, FailureCode};

/// Inherited variables a sandboxed program still gets: locale, time zone and proxies (installs need them).
const PASSED_ENV: [&str; 10] = [
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
];

/// What the sandbox hides, decided by the host: the directories that hold the person's and Atrium's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxSetup {
    /// Directories that look empty inside.
    pub hidden: Vec<PathBuf>,
}

impl Default for SandboxSetup {
    /// The person's home and the session's runtime directory.
    fn default() -> Self {
        let mut hidden = Vec::new();
        hidden.extend(std::env::var_os("HOME").map(PathBuf::from));
        hidden.extend(std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from));
        SandboxSetup { hidden }
    }
}

/// A sandbox for one server from a repository.
#[derive(Debug, Clone)]
pub(crate) struct Sandbox {
    bwrap: PathBuf,
    hidden: Vec<PathBuf>,
    /// Runtime install prefixes mounted back read-only.
    runtimes: Vec<PathBuf>,
    /// The server's own directory: the only writable place.
    own: PathBuf,
    /// `PATH` inside: the runtimes' own directories, then the system's.
    path: OsString,
}

impl Sandbox {
    /// A sandbox whose writable directory is `own`, able to run `runtimes` (resolved programs: node, python…).
    pub(crate) fn new(setup: &SandboxSetup, own: &Path, runtimes: &[PathBuf]) -> Result<Self, Failure> {
        let bwrap = find_bwrap()?;
        let prepare = |e: std::io::Error| {
            Failure::new(FailureCode::ConfigError, format!("Could not prepare the server's directory: {e}."))
        };
        std::fs::create_dir_all(own.join("home")).map_err(prepare)?;
        let own = own.canonicalize().map_err(prepare)?;
        let mut hidden: Vec<PathBuf> = setup.hidden.iter().filter_map(|d| d.canonicalize().ok()).collect();
        hidden.sort();
        // A directory inside another hidden one is hidden already.
        hidden.dedup_by(|inner, outer| inner.starts_with(outer));
        let mut prefixes = Vec::new();
        let mut path_dirs = Vec::new();
        for program in runtimes {
            let real = program.canonicalize().unwrap_or_else(|_| program.clone());
            if let Some(bin) = real.parent() {
                path_dirs.push(bin.to_owned());
                // The runtime's install prefix (`…/versions/3.11.7` for `…/versions/3.11.7/bin/python3.11`),
                // which holds its libraries too.
                let prefix = bin.parent().unwrap_or(bin).to_owned();
                if hidden.iter().any(|h| prefix.starts_with(h)) && !prefixes.contains(&prefix) {
                    prefixes.push(prefix);
                }
            }
        }
        path_dirs.extend(["/usr/local/bin", "/usr/bin", "/bin"].map(PathBuf::from));
        path_dirs.dedup();
        let path = std::env::join_paths(&path_dirs).unwrap_or_default();
        Ok(Sandbox { bwrap, hidden, runtimes: prefixes, own, path })
    }

    /// The server's home inside the sandbox (inside its own directory, so caches survive restarts).
    pub(crate) fn home(&self) -> PathBuf {
        self.own.join("home")
    }

    /// `PATH` inside the sandbox.
    pub(crate) fn path(&self) -> &OsStr {
        &self.path
    }

    /// The canonical path of a program, as the sandbox sees it.
    pub(crate) fn program(program: &Path) -> PathBuf {
        program.canonicalize().unwrap_or_else(|_| program.to_owned())
    }

    /// A command that runs `program args…` in `cwd` inside the sandbox, with nothing of Atrium's environment but
    /// locale and proxies; the caller adds the registration's own variables.
    pub(crate) fn command(&self, program: &Path, args: &[impl AsRef<OsStr>], cwd: &Path) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(&self.bwrap);
        cmd.args(["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]).args([
            "--unshare-cgroup-try",
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
            "--tmpfs",
            "/tmp",
        ]);
        for dir in &self.hidden {
            cmd.arg("--tmpfs").arg(dir);
        }
        for prefix in &self.runtimes {
            cmd.arg("--ro-bind").arg(prefix).arg(prefix);
        }
        cmd.arg("--bind").arg(&self.own).arg(&self.own).arg("--chdir").arg(cwd).arg("--").arg(program).args(args);
        cmd.env_clear()
            .envs(PASSED_ENV.iter().filter_map(|name| std::env::var_os(name).map(|v| (*name, v))))
            .env("PATH", &self.path)
            .env("HOME", self.home())
            .env("TMPDIR", "/tmp");
        cmd
    }
}

#[cfg(target_os = "linux")]
fn find_bwrap() -> Result<PathBuf, Failure> {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(["/usr/bin", "/usr/local/bin", "/bin"].map(PathBuf::from));
    for dir in candidates {
        let bwrap = dir.join("bwrap");
        if bwrap.is_file() {
            return Ok(bwrap);
        }
    }
    Err(Failure::new(
        FailureCode::PolicyDenied,
        "Servers from repositories run in a sandbox (bubblewrap), which is not installed: install it (the package is \
         called bubblewrap, e.g. `sudo apt install bubblewrap`), then start the server again.",
    ))
}

#[cfg(not(target_os = "linux"))]
fn find_bwrap() -> Result<PathBuf, Failure> {
    Err(Failure::new(
        FailureCode::PolicyDenied,
        "Servers from repositories run only in a sandbox, which Atrium provides on Linux (bubblewrap) for now. Run \
         this server as a local program (stdio) you installed yourself instead.",
    ))
}
