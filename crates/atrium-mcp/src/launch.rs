//! Starting a local server's process under the policy. Each server runs in its own process group so that stopping
//! it (close stdin, SIGTERM, then SIGKILL) also ends whatever it spawned — `npx` runs the real server as a
//! grandchild — and a [`ProcessGroup`] guard kills whatever is left when the session is gone, however it went.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use atrium_secrets::{Keychain, SecretError, SecretId, Sensitive};
use tokio::process::ChildStderr;

use crate::error::{Failure, FailureCode};
use crate::policy::{CommandPolicy, SearchPath, inherited_env, refused_env_name};
use crate::process_groups::{ProcessGroup, ProcessGroups};
use crate::raw::RawSide;
use crate::registration::EnvValue;
use crate::sandbox::Sandbox;
use crate::stdio_transport::StdioTransport;

/// A program to run, resolved and allowed.
#[derive(Clone)]
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
    /// The sandbox it runs in (servers from repositories).
    pub(crate) sandbox: Option<Sandbox>,
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
    Ok(Launch { program, args: args.to_vec(), cwd, path: search.joined(), env, secrets, sandbox: None })
}

/// Reads every `{secret_id}` value from the keychain (off the async workers: D-Bus calls block).
pub(crate) async fn resolve_env(
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

/// Starts the process in a new process group, with a scrubbed environment, stdio piped, and the session's
/// transport over its stdin and stdout (raw requests share it).
pub(crate) fn spawn(
    launch: &Launch,
    groups: &Arc<ProcessGroups>,
    raw: Arc<RawSide>,
) -> Result<(StdioTransport, Option<ChildStderr>, ProcessGroup), Failure> {
    let mut cmd = match &launch.sandbox {
        Some(sandbox) => {
            let cwd = launch.cwd.clone().unwrap_or_else(|| sandbox.home());
            let mut cmd = sandbox.command(&launch.program, &launch.args, &cwd);
            cmd.env("PATH", &launch.path);
            cmd
        }
        None => {
            let mut cmd = tokio::process::Command::new(&launch.program);
            cmd.args(&launch.args).env_clear().envs(inherited_env()).env("PATH", &launch.path);
            if let Some(cwd) = &launch.cwd {
                cmd.current_dir(cwd);
            }
            cmd
        }
    };
    for (name, value) in &launch.env {
        cmd.env(name, value.expose());
    }
    if let Some((name, instance)) = groups.marker() {
        cmd.env(name, instance);
    }
    #[cfg(unix)]
    cmd.process_group(0);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|err| spawn_failure(&launch.program, &err))?;
    let process = groups.started(child.id().unwrap_or_default());
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(Failure::new(FailureCode::ConnectionError, "The server's stdio could not be opened."));
    };
    let stderr = child.stderr.take();
    // Reaped when it exits, however that happens (the process group's guard is what kills it).
    tokio::spawn(async move {
        let _ = child.wait().await;
    });
    Ok((StdioTransport::start(stdin, stdout, raw), stderr, process))
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
