//! Starting a local server's process under the policy, and ending it. Each server runs in its own process group so
//! that stopping it (close stdin, SIGTERM, then SIGKILL) also ends whatever it spawned — `npx` runs the real
//! server as a grandchild — and a [`ProcessGroup`] guard kills whatever is left when the session is gone, however
//! it went.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use atrium_secrets::{Keychain, SecretError, SecretId, Sensitive};
use rmcp::transport::TokioChildProcess;
use tokio::process::ChildStderr;

use crate::error::{Failure, FailureCode};
use crate::policy::{CommandPolicy, SearchPath, inherited_env, refused_env_name};
use crate::registration::EnvValue;

/// A program to run, resolved and allowed.
pub(crate) struct Launch {
    /// The resolved executable.
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<String>,
    pub(crate) cwd: Option<PathBuf>,
    /// `PATH` for the process (so `npx` finds `node`).
    pub(crate) path: std::ffi::OsString,
    /// The registration's own variables, secrets resolved.
    pub(crate) env: Vec<(String, Sensitive<String>)>,
    /// The secret values among them, to mask in the server's log.
    pub(crate) secrets: Vec<Sensitive<String>>,
}

/// What a stdio registration needs from this machine.
pub(crate) struct LaunchContext<'a> {
    pub(crate) policy: &'a CommandPolicy,
    pub(crate) keychain: Option<&'a Keychain>,
}

/// Checks the command against the allowlist (before anything else: a refused command is not even looked up),
/// resolves it on the search path and reads the secrets the environment refers to.
pub(crate) async fn prepare(
    command: &str,
    args: &[String],
    cwd: Option<&str>,
    env: &BTreeMap<String, EnvValue>,
    cx: &LaunchContext<'_>,
) -> Result<Launch, Failure> {
    cx.policy.check(command)?;
    for name in env.keys() {
        if let Some(why) = refused_env_name(name) {
            return Err(Failure::new(FailureCode::PolicyDenied, format!("The registration sets {name}, which {why}.")));
        }
    }
    let search = SearchPath::discover().await;
    let program = search.resolve(command)?;
    let cwd = cwd.map(PathBuf::from);
    if let Some(dir) = &cwd
        && !dir.is_dir()
    {
        return Err(Failure::new(
            FailureCode::ConfigError,
            format!("The working directory {} does not exist.", dir.display()),
        ));
    }
    let (env, secrets) = resolve_env(env, cx.keychain).await?;
    Ok(Launch { program, args: args.to_vec(), cwd, path: search.joined(), env, secrets })
}

/// Reads every `{secret_id}` value from the keychain (off the async workers: D-Bus calls block).
async fn resolve_env(
    env: &BTreeMap<String, EnvValue>,
    keychain: Option<&Keychain>,
) -> Result<(Vec<(String, Sensitive<String>)>, Vec<Sensitive<String>>), Failure> {
    let mut resolved = Vec::new();
    let mut wanted = Vec::new();
    for (name, value) in env {
        match value {
            EnvValue::Text(text) => resolved.push((name.clone(), Sensitive::new(text.clone()))),
            EnvValue::Secret { secret_id } => wanted.push((name.clone(), secret_id.clone())),
        }
    }
    if wanted.is_empty() {
        return Ok((resolved, Vec::new()));
    }
    let Some(keychain) = keychain.cloned() else {
        return Err(Failure::new(
            FailureCode::ConfigError,
            "The registration uses keychain secrets, and this Atrium has no keychain configured.",
        ));
    };
    let read = tokio::task::spawn_blocking(move || {
        wanted
            .into_iter()
            .map(|(name, id)| {
                let secret = SecretId::parse(&id).and_then(|id| keychain.get(&id));
                (name, id, secret)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| Failure::new(FailureCode::ConfigError, "Reading the keychain was interrupted."))?;
    let mut secrets = Vec::new();
    for (name, id, secret) in read {
        match secret {
            Ok(value) => {
                secrets.push(value.clone());
                resolved.push((name, value));
            }
            Err(SecretError::NotSet(_)) => {
                return Err(Failure::new(
                    FailureCode::ConfigError,
                    format!("{name} needs the secret \"{id}\", which is not set. Set it on the Secrets screen."),
                ));
            }
            Err(other) => {
                return Err(Failure::new(
                    FailureCode::ConfigError,
                    format!("{name} needs the secret \"{id}\": {other}."),
                ));
            }
        }
    }
    Ok((resolved, secrets))
}

/// The live process groups of a connection manager: whatever is still here when it shuts down is killed.
#[derive(Debug, Default)]
pub(crate) struct ProcessGroups {
    live: Mutex<HashSet<i32>>,
}

impl ProcessGroups {
    /// Sends `SIGKILL` to every group still registered. Used at shutdown, after the polite way had its time.
    pub(crate) fn kill_all(&self) {
        let groups: Vec<i32> = self.live.lock().unwrap_or_else(|p| p.into_inner()).drain().collect();
        for group in groups {
            signal_group(group, Signal::Kill);
        }
    }

    /// How many groups are live.
    pub(crate) fn len(&self) -> usize {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// The signals Atrium sends to a server's process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Term,
    Kill,
}

#[cfg(unix)]
fn signal_group(group: i32, signal: Signal) {
    use nix::sys::signal::{Signal as Nix, killpg};
    let signal = match signal {
        Signal::Term => Nix::SIGTERM,
        Signal::Kill => Nix::SIGKILL,
    };
    // ESRCH (nobody left in the group) is the usual, happy answer.
    let _ = killpg(nix::unistd::Pid::from_raw(group), signal);
}

#[cfg(not(unix))]
fn signal_group(_group: i32, _signal: Signal) {}

/// A running server's process group. Dropping it kills whatever is left of the group.
#[derive(Debug)]
pub(crate) struct ProcessGroup {
    pid: u32,
    groups: Arc<ProcessGroups>,
}

impl ProcessGroup {
    /// The leader's pid (also the group's id).
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Signals the whole group.
    pub(crate) fn signal(&self, signal: Signal) {
        if let Ok(group) = i32::try_from(self.pid) {
            signal_group(group, signal);
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.signal(Signal::Kill);
        if let Ok(group) = i32::try_from(self.pid) {
            self.groups.live.lock().unwrap_or_else(|p| p.into_inner()).remove(&group);
        }
    }
}

/// Starts the process in a new process group, with a scrubbed environment, stdio piped.
pub(crate) fn spawn(
    launch: &Launch,
    groups: &Arc<ProcessGroups>,
) -> Result<(TokioChildProcess, Option<ChildStderr>, ProcessGroup), Failure> {
    let mut cmd = tokio::process::Command::new(&launch.program);
    cmd.args(&launch.args).env_clear().envs(inherited_env()).env("PATH", &launch.path);
    for (name, value) in &launch.env {
        cmd.env(name, value.expose());
    }
    if let Some(cwd) = &launch.cwd {
        cmd.current_dir(cwd);
    }
    #[cfg(unix)]
    cmd.process_group(0);
    let (transport, stderr) = TokioChildProcess::builder(cmd)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| spawn_failure(&launch.program, &err))?;
    let pid = transport.id().unwrap_or_default();
    if let Ok(group) = i32::try_from(pid) {
        groups.live.lock().unwrap_or_else(|p| p.into_inner()).insert(group);
    }
    Ok((transport, stderr, ProcessGroup { pid, groups: groups.clone() }))
}

fn spawn_failure(program: &Path, err: &std::io::Error) -> Failure {
    let shown = program.display();
    match err.kind() {
        std::io::ErrorKind::NotFound => {
            Failure::new(FailureCode::ConfigError, format!("{shown} was not found. Install it, or give its full path."))
        }
        std::io::ErrorKind::PermissionDenied => {
            Failure::new(FailureCode::ConfigError, format!("{shown} cannot be run: permission denied."))
        }
        _ => Failure::new(FailureCode::ConnectionError, format!("Could not start {shown}: {err}.")),
    }
}
