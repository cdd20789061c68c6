//! The `github` transport: a server's source in a git repository (`owner/repo` on GitHub, or any git URL — a local
//! bare repository works), cloned into `ATRIUM_HOME/servers/`, its runtime detected (`package.json` → `npm install`
//! and `node`; `pyproject.toml` / `requirements.txt` → a venv, `pip install`, and its Python), installed once, then
//! run like any local server: the same allowlist (`node`, or `python3` to make the venv), the same supervision.
//! Only Atrium's own fixed commands run here (`git`, `npm`, `python3 -m venv`, `pip`), never one from the
//! registration; installing and running both happen in the sandbox (see `sandbox.rs`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::{Failure, FailureCode};
use crate::launch::Launch;
use crate::policy::{CommandPolicy, SearchPath};
use crate::registration::repository_url;
use crate::sandbox::{Sandbox, SandboxSetup};

/// The longest an install may take (clone plus dependencies).
const INSTALL_LIMIT: Duration = Duration::from_secs(600);
/// The steps reported while installing.
pub(crate) const INSTALL_STEPS: u32 = 3;

/// What was installed, kept next to the checkout so a restart does not install again.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Installed {
    url: String,
    git_ref: Option<String>,
    program: PathBuf,
    args: Vec<String>,
}

/// Reports a step: its name and how many are done.
pub(crate) type Progress<'a> = &'a (dyn Fn(&str, u32) + Send + Sync);
/// Receives the install commands' output lines.
pub(crate) type Output<'a> = &'a (dyn Fn(String) + Send + Sync);

/// Where and how one repository is installed.
pub(crate) struct InstallPlace<'a> {
    /// The server's own directory (its checkouts and its data): the only place the sandbox may write.
    pub(crate) own: &'a Path,
    /// What the sandbox hides.
    pub(crate) sandbox: &'a SandboxSetup,
    /// What may run.
    pub(crate) policy: &'a CommandPolicy,
}

/// Makes sure the server is cloned and installed in its own directory, and returns how to run it (sandboxed).
pub(crate) async fn ensure(
    owner_repo: &str,
    git_ref: Option<&str>,
    place: &InstallPlace<'_>,
    progress: Progress<'_>,
    output: Output<'_>,
) -> Result<Launch, Failure> {
    let url = repository_url(owner_repo)?;
    let key = hex(&sha2::Sha256::digest(format!("{url}#{}", git_ref.unwrap_or("")).as_bytes())[..8]);
    let dir = place.own.join(key);
    let search = SearchPath::discover().await;
    let marker = dir.join(".atrium-installed.json");
    if let Some(installed) = read_marker(&marker)
        && installed.url == url
        && installed.git_ref.as_deref() == git_ref
        && installed.program.exists()
    {
        return launch_of(installed, &dir, place);
    }
    match tokio::time::timeout(INSTALL_LIMIT, install(&url, git_ref, &dir, place, &search, progress, output)).await {
        Ok(Ok(installed)) => {
            let text = serde_json::to_string_pretty(&installed).unwrap_or_default();
            tokio::fs::write(&marker, text).await.map_err(|e| io_failure("record the install", &e))?;
            launch_of(installed, &dir, place)
        }
        Ok(Err(failure)) => Err(failure),
        Err(_) => Err(Failure::new(FailureCode::Timeout, "Installing took longer than 10 minutes and was stopped.")),
    }
}

fn launch_of(installed: Installed, dir: &Path, place: &InstallPlace<'_>) -> Result<Launch, Failure> {
    let src = dir.join("src");
    let venv_python = src.join(".venv/bin/python");
    // The program's runtime (node, or the venv's python for a console script) must be reachable inside.
    let mut runtimes = vec![installed.program.clone()];
    if venv_python.exists() {
        runtimes.push(venv_python);
    }
    let sandbox = Sandbox::new(place.sandbox, place.own, &runtimes)?;
    // The venv's own bin directory comes first, so a console script finds its interpreter.
    let mut path = vec![src.join(".venv/bin")];
    path.extend(std::env::split_paths(sandbox.path()));
    Ok(Launch {
        program: Sandbox::program(&installed.program),
        args: installed.args,
        cwd: Some(src),
        path: SearchPath::new(path).joined(),
        env: Vec::new(),
        secrets: Vec::new(),
        sandbox: Some(sandbox),
    })
}

async fn install(
    url: &str,
    git_ref: Option<&str>,
    dir: &Path,
    place: &InstallPlace<'_>,
    search: &SearchPath,
    progress: Progress<'_>,
    output: Output<'_>,
) -> Result<Installed, Failure> {
    let policy = place.policy;
    let src = dir.join("src");
    progress("cloning", 0);
    if tokio::fs::try_exists(&src).await.unwrap_or(false) {
        tokio::fs::remove_dir_all(&src).await.map_err(|e| io_failure("clear the old checkout", &e))?;
    }
    tokio::fs::create_dir_all(&src).await.map_err(|e| io_failure("create the install directory", &e))?;
    // git runs outside the sandbox: it executes nothing from the repository, and may need to read a local one.
    let git = search.resolve("git")?;
    let outside = |program: &Path, args: &[&str]| {
        let mut cmd = tokio::process::Command::new(program);
        cmd.args(args)
            .current_dir(&src)
            .env_clear()
            .envs(crate::policy::inherited_env())
            .env("PATH", search.joined())
            // git may not start remote helpers that run commands, nor ask for credentials on a terminal.
            .env("GIT_ALLOW_PROTOCOL", "file:git:http:https:ssh")
            .env("GIT_TERMINAL_PROMPT", "0");
        cmd
    };
    run(outside(&git, &["init", "--quiet"]), "git init", output).await?;
    let wanted = git_ref.unwrap_or("HEAD");
    run(outside(&git, &["fetch", "--quiet", "--depth", "1", url, wanted]), "git fetch", output).await?;
    run(outside(&git, &["checkout", "--quiet", "FETCH_HEAD"]), "git checkout", output).await?;

    // What the repository runs while installing (lifecycle scripts, build hooks) runs sandboxed.
    progress("installing dependencies", 1);
    let installed = if src.join("package.json").exists() {
        policy.check("node")?;
        let node = search.resolve("node")?;
        let npm = search.resolve("npm")?;
        let sandbox = Sandbox::new(place.sandbox, place.own, &[node.clone(), npm.clone()])?;
        let lock = src.join("package-lock.json").exists();
        let args: &[&str] =
            if lock { &["ci", "--no-audit", "--no-fund"] } else { &["install", "--no-audit", "--no-fund"] };
        let what = format!("npm {}", args[0]);
        run(sandbox.command(&Sandbox::program(&npm), args, &src), &what, output).await?;
        let entry = node_entry(&src)?;
        Installed { url: url.to_owned(), git_ref: git_ref.map(str::to_owned), program: node, args: vec![entry] }
    } else if src.join("pyproject.toml").exists() || src.join("requirements.txt").exists() {
        policy.check("python3")?;
        let python3 = search.resolve("python3")?;
        let sandbox = Sandbox::new(place.sandbox, place.own, std::slice::from_ref(&python3))?;
        run(sandbox.command(&Sandbox::program(&python3), &["-m", "venv", ".venv"], &src), "python3 -m venv", output)
            .await?;
        let venv_python = src.join(".venv/bin/python");
        let pip: Vec<&str> = if src.join("requirements.txt").exists() {
            vec!["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"]
        } else {
            vec!["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "."]
        };
        run(sandbox.command(&venv_python, &pip, &src), "pip install", output).await?;
        let (program, args) = python_entry(&src, &venv_python)?;
        Installed { url: url.to_owned(), git_ref: git_ref.map(str::to_owned), program, args }
    } else {
        return Err(Failure::new(
            FailureCode::ConfigError,
            "The repository has no package.json, pyproject.toml or requirements.txt: Atrium cannot tell how to run it.",
        ));
    };
    progress("starting", 2);
    Ok(installed)
}

/// `bin` (the first one), else `main`, of package.json.
fn node_entry(src: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(src.join("package.json")).map_err(|e| io_failure("read package.json", &e))?;
    let manifest: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::new(FailureCode::ConfigError, format!("package.json is not valid JSON: {e}.")))?;
    let entry = match manifest.get("bin") {
        Some(serde_json::Value::String(path)) => Some(path.clone()),
        Some(serde_json::Value::Object(bins)) => bins.values().find_map(|v| v.as_str().map(str::to_owned)),
        _ => None,
    }
    .or_else(|| manifest.get("main").and_then(|v| v.as_str()).map(str::to_owned))
    .ok_or_else(|| Failure::new(FailureCode::ConfigError, "package.json names neither a bin nor a main to run."))?;
    inside(src, &entry)
}

/// The first `[project.scripts]` entry of pyproject.toml (its console script in the venv), else `server.py`,
/// `main.py` or `__main__.py` at the top.
fn python_entry(src: &Path, venv_python: &Path) -> Result<(PathBuf, Vec<String>), Failure> {
    if let Ok(text) = std::fs::read_to_string(src.join("pyproject.toml")) {
        let mut in_scripts = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_scripts = line == "[project.scripts]";
                continue;
            }
            if in_scripts && let Some((name, _)) = line.split_once('=') {
                let name = name.trim().trim_matches('"');
                let script = src.join(".venv/bin").join(name);
                if !name.is_empty() && script.exists() {
                    return Ok((script, Vec::new()));
                }
            }
        }
    }
    for candidate in ["server.py", "main.py", "__main__.py"] {
        if src.join(candidate).exists() {
            return Ok((venv_python.to_owned(), vec![inside(src, candidate)?]));
        }
    }
    Err(Failure::new(FailureCode::ConfigError, "Found no [project.scripts] entry and no server.py or main.py to run."))
}

/// A path from the manifest, which must stay inside the checkout.
fn inside(src: &Path, relative: &str) -> Result<String, Failure> {
    let path = src.join(relative);
    let canonical = path.canonicalize().map_err(|_| {
        Failure::new(FailureCode::ConfigError, format!("{relative}, named by the repository, does not exist."))
    })?;
    let root = src.canonicalize().map_err(|e| io_failure("read the checkout", &e))?;
    if !canonical.starts_with(&root) {
        return Err(Failure::new(FailureCode::PolicyDenied, format!("{relative} points outside the repository.")));
    }
    Ok(canonical.display().to_string())
}

/// Runs one install command (`what` names it), its output lines to `output`, and fails with its last lines. It is
/// killed if the install is abandoned (a stop, the time limit).
async fn run(mut cmd: tokio::process::Command, what: &str, output: Output<'_>) -> Result<(), Failure> {
    output(format!("$ {what}"));
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let out = cmd.output().await.map_err(|e| io_failure(&format!("run {what}"), &e))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    for line in &lines {
        output((*line).to_owned());
    }
    if out.status.success() {
        return Ok(());
    }
    let tail = lines.iter().rev().take(3).rev().copied().collect::<Vec<_>>().join(" / ");
    Err(Failure::new(FailureCode::ConfigError, format!("{what} failed ({}): {tail}", out.status)))
}

fn read_marker(path: &Path) -> Option<Installed> {
    serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

fn io_failure(what: &str, err: &std::io::Error) -> Failure {
    Failure::new(FailureCode::ConfigError, format!("Could not {what}: {err}."))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
