//! What a local server may run (DESIGN §3 "Local stdio servers", §6.2): allowlisted commands only, argv only (no
//! shell ever runs a server), looked up on the person's login-shell `PATH`, with dangerous inherited environment
//! variables removed.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Failure, FailureCode};

/// The commands every Atrium allows. More can be added in settings (kept locally, never synced).
pub const DEFAULT_ALLOWED_COMMANDS: [&str; 6] = ["npx", "uvx", "python", "python3", "node", "deno"];

/// Overrides where commands are looked up (a `PATH`-style list). For people whose login shell cannot be asked, and
/// for tests, which must not depend on the machine's shell profile.
pub const SEARCH_PATH_ENV: &str = "ATRIUM_STDIO_PATH";

/// Inherited variables that change what a runtime loads or executes. A server never receives them from Atrium's
/// own environment (a registration may still set the harmless ones itself; see [`refused_env_name`]).
const DANGEROUS_ENV: [&str; 18] = [
    "NODE_OPTIONS",
    "NODE_PATH",
    "NODE_REPL_EXTERNAL_MODULE",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PYTHONINSPECT",
    "PERL5OPT",
    "PERL5LIB",
    "RUBYOPT",
    "RUBYLIB",
    "BASH_ENV",
    "ENV",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "DENO_DIR",
    "ATRIUM_HOME",
    "ATRIUM_LOG",
];

/// Variable-name prefixes never inherited: the dynamic loader's (code injection into any process).
const DANGEROUS_PREFIXES: [&str; 3] = ["LD_", "DYLD_", "GIO_EXTRA_MODULES"];

/// Whether an inherited variable is withheld from servers.
pub fn is_dangerous_env(name: &str) -> bool {
    DANGEROUS_ENV.contains(&name) || DANGEROUS_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Why a registration may not set this variable itself, if it may not: loader variables run arbitrary code in
/// whatever the allowlisted command is, which would make the allowlist meaningless.
pub fn refused_env_name(name: &str) -> Option<&'static str> {
    DANGEROUS_PREFIXES
        .iter()
        .any(|p| name.starts_with(p))
        .then_some("makes the dynamic loader inject code into the server, which the command allowlist forbids")
}

/// Atrium's environment minus what servers must not inherit, and minus `PATH` (set from the search path).
pub(crate) fn inherited_env() -> Vec<(OsString, OsString)> {
    std::env::vars_os().filter(|(name, _)| name.to_str().is_some_and(|n| n != "PATH" && !is_dangerous_env(n))).collect()
}

/// The allowlist in force: the defaults plus the person's additions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandPolicy {
    extra: Vec<String>,
}

impl CommandPolicy {
    /// The defaults plus `extra` (names such as `docker`, or absolute paths such as `/opt/tools/server`).
    pub fn new(extra: Vec<String>) -> Self {
        CommandPolicy { extra }
    }

    /// Every allowed command, defaults first.
    pub fn allowed(&self) -> Vec<String> {
        DEFAULT_ALLOWED_COMMANDS.iter().map(|c| (*c).to_owned()).chain(self.extra.iter().cloned()).collect()
    }

    /// Refuses a command that is not allowed. A bare name must be on the list; a path must be on the list
    /// exactly — a file that merely happens to be called `node` somewhere is not the allowed `node`.
    pub fn check(&self, command: &str) -> Result<(), Failure> {
        let allowed = self.allowed();
        if allowed.iter().any(|a| a == command) {
            return Ok(());
        }
        let hint = if command.contains('/') || command.contains('\\') {
            format!(
                "{command} is not on the list of commands local servers may run. A path must be allowed exactly: add \
                 it under Secrets → Local servers if you trust it."
            )
        } else {
            format!(
                "{command} is not on the list of commands local servers may run ({}). Add it under Secrets → Local \
                 servers if you trust it.",
                allowed.join(", ")
            )
        };
        Err(Failure::new(FailureCode::PolicyDenied, hint))
    }
}

/// Checks a name someone wants to add to the allowlist: a bare command name or an absolute path, nothing that
/// needs a shell to mean something.
pub fn check_allowlist_entry(entry: &str) -> Result<(), &'static str> {
    if entry.trim() != entry || entry.is_empty() {
        return Err("it is empty or has spaces around it");
    }
    if entry.chars().any(|c| c.is_whitespace() || c.is_control() || "|&;<>()$`\"'*?[]{}~".contains(c)) {
        return Err("a command is one program name or path, without spaces, quotes or shell characters");
    }
    if entry.contains('/') && !Path::new(entry).is_absolute() {
        return Err("a path must be absolute");
    }
    Ok(())
}

/// Where commands are looked up: the override, else the login shell's `PATH` followed by Atrium's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPath {
    dirs: Vec<PathBuf>,
}

impl SearchPath {
    /// A fixed list.
    pub fn new(dirs: Vec<PathBuf>) -> Self {
        let mut unique: Vec<PathBuf> = Vec::new();
        for dir in dirs {
            if !dir.as_os_str().is_empty() && !unique.contains(&dir) {
                unique.push(dir);
            }
        }
        SearchPath { dirs: unique }
    }

    /// The directories, in order.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The list as a `PATH` value for the server's own environment (so `npx` finds `node`).
    pub fn joined(&self) -> OsString {
        std::env::join_paths(&self.dirs).unwrap_or_default()
    }

    /// Finds an executable. A path is used as given (after the policy allowed it exactly).
    pub fn resolve(&self, command: &str) -> Result<PathBuf, Failure> {
        let given = Path::new(command);
        if given.is_absolute() {
            return if is_executable(given) {
                Ok(given.to_owned())
            } else {
                Err(Failure::new(FailureCode::ConfigError, format!("{command} does not exist or is not executable.")))
            };
        }
        for dir in &self.dirs {
            let candidate = dir.join(command);
            if is_executable(&candidate) {
                return Ok(candidate);
            }
        }
        let searched: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
        Err(Failure::new(
            FailureCode::ConfigError,
            format!(
                "{command} was not found. Looked in: {}. Install it, or add its directory to your shell's PATH (Atrium \
                 reads the PATH of your login shell).",
                if searched.is_empty() { "(no directories)".to_owned() } else { searched.join(", ") }
            ),
        ))
    }

    /// The search path of this machine: [`SEARCH_PATH_ENV`] when set; otherwise the login shell's `PATH` (GUI
    /// apps do not inherit it: `spawn npx ENOENT` is the most common failure people hit in other hosts) followed
    /// by Atrium's own `PATH`. Asking the shell takes a moment, so the answer is computed once per process.
    pub async fn discover() -> SearchPath {
        static CACHE: tokio::sync::OnceCell<SearchPath> = tokio::sync::OnceCell::const_new();
        CACHE.get_or_init(discover_uncached).await.clone()
    }
}

async fn discover_uncached() -> SearchPath {
    if let Some(fixed) = std::env::var_os(SEARCH_PATH_ENV).filter(|v| !v.is_empty()) {
        return SearchPath::new(std::env::split_paths(&fixed).collect());
    }
    let mut dirs = login_shell_path().await.unwrap_or_default();
    if let Some(own) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&own));
    }
    SearchPath::new(dirs)
}

/// Asks the person's login shell for its `PATH` (interactive too: nvm, pyenv and friends set it up in rc files).
/// Only `PATH` is read; the shell never runs a server.
async fn login_shell_path() -> Option<Vec<PathBuf>> {
    const START: &str = "__ATRIUM_PATH_START__";
    const END: &str = "__ATRIUM_PATH_END__";
    let shell = std::env::var("SHELL").ok().filter(|s| Path::new(s).is_absolute())?;
    let mut command = tokio::process::Command::new(&shell);
    command
        .args(["-i", "-l", "-c", &format!("printf '%s%s%s' '{START}' \"$PATH\" '{END}'")])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(5), command.output()).await.ok()?.ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let (_, rest) = text.split_once(START)?;
    let (path, _) = rest.split_once(END)?;
    tracing::debug!(%shell, "read PATH from the login shell");
    Some(std::env::split_paths(path).collect())
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_commands_pass() {
        let policy = CommandPolicy::new(vec!["docker".into(), "/opt/tools/srv".into()]);
        for ok in ["npx", "uvx", "python", "python3", "node", "deno", "docker", "/opt/tools/srv"] {
            assert!(policy.check(ok).is_ok(), "{ok}");
        }
        for refused in ["bash", "sh", "/tmp/evil/node", "./node", "curl", "node; rm -rf /", ""] {
            let failure = policy.check(refused).expect_err(refused);
            assert_eq!(failure.code, FailureCode::PolicyDenied, "{refused}");
            assert!(failure.message.contains("Secrets → Local servers"), "{}", failure.message);
        }
    }

    #[test]
    fn allowlist_entries_are_single_programs() {
        assert!(check_allowlist_entry("docker").is_ok());
        assert!(check_allowlist_entry("/usr/local/bin/my-server").is_ok());
        for bad in ["", " docker", "docker run", "sh -c x", "a;b", "relative/path", "$(evil)", "`x`"] {
            assert!(check_allowlist_entry(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn loader_and_runtime_injection_variables_are_not_inherited() {
        for name in ["LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES", "NODE_OPTIONS", "PYTHONPATH"] {
            assert!(is_dangerous_env(name), "{name}");
        }
        for name in ["HOME", "LANG", "USER", "GITHUB_TOKEN_FROM_REGISTRATION", "TMPDIR"] {
            assert!(!is_dangerous_env(name), "{name}");
        }
        assert!(refused_env_name("LD_PRELOAD").is_some());
        assert!(refused_env_name("NODE_OPTIONS").is_none(), "a registration may tune its own runtime");
    }

    #[test]
    fn a_missing_command_says_where_it_was_looked_for() {
        let dir = tempfile::tempdir().expect("dir");
        let path = SearchPath::new(vec![dir.path().to_owned(), "/nonexistent/bin".into()]);
        let failure = path.resolve("npx-that-is-not-here").expect_err("missing");
        assert_eq!(failure.code, FailureCode::ConfigError);
        assert!(failure.message.contains("npx-that-is-not-here"), "{}", failure.message);
        assert!(failure.message.contains("/nonexistent/bin"), "{}", failure.message);
        assert!(failure.message.contains(&dir.path().display().to_string()), "{}", failure.message);
    }

    #[cfg(unix)]
    #[test]
    fn the_first_executable_on_the_path_wins() {
        use std::os::unix::fs::PermissionsExt;
        let (a, b) = (tempfile::tempdir().expect("a"), tempfile::tempdir().expect("b"));
        let plain = a.path().join("tool");
        std::fs::write(&plain, "not executable").expect("write");
        let exe = b.path().join("tool");
        std::fs::write(&exe, "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let path = SearchPath::new(vec![a.path().to_owned(), b.path().to_owned()]);
        assert_eq!(path.resolve("tool").expect("found"), exe, "a file without the x bit is skipped");
    }
}
