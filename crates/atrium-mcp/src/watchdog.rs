//! The watchdog: a small process of Atrium's own (the same binary, started with [`WATCHDOG_ARG`]) that outlives
//! Atrium only to stop its servers. Atrium writes it the live process groups, one line per change; when Atrium's end
//! of the pipe closes — a clean exit, or kill -9, a panic, a lost display, which no handler inside Atrium survives —
//! the watchdog sends SIGTERM to every group it was last told about, SIGKILL a second later to whatever remains,
//! and exits.
//!
//! Why a process and not a death signal: `PR_SET_PDEATHSIG` reaches only the direct child (never what `npx` spawns)
//! and fires when the spawning *thread* ends, not the process; a process group survives both. The watchdog needs no
//! `unsafe`, works the same for every server, and sits in a process group of its own, so a Ctrl+C meant for Atrium
//! does not take it first. It is started with the first server, not before: an Atrium with no local server runs
//! none.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::group_signals::{Signal, group_alive, signal_group};

/// The argument that turns an Atrium binary into the watchdog (see [`run_watchdog_if_asked`]).
pub const WATCHDOG_ARG: &str = "--atrium-watchdog";

/// How long the groups get between SIGTERM and SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(1);

/// Runs the watchdog when this process was started as one, and returns its exit code; `None` for any other start.
/// Atrium's binaries call it first thing in `main`, before anything else is set up.
pub fn run_watchdog_if_asked() -> Option<ExitCode> {
    if std::env::args_os().nth(1).is_none_or(|arg| arg != WATCHDOG_ARG) {
        return None;
    }
    let last = watch_until_eof(std::io::stdin().lock());
    stop_groups(&last);
    Some(ExitCode::SUCCESS)
}

/// Reads lines of space-separated group ids until the input ends; returns the last set it was told.
fn watch_until_eof(input: impl BufRead) -> BTreeSet<i32> {
    let mut groups = BTreeSet::new();
    for line in input.lines() {
        let Ok(line) = line else { break };
        groups = line.split_whitespace().filter_map(|g| g.parse::<i32>().ok()).filter(|g| *g > 1).collect();
    }
    groups
}

/// SIGTERM to every group, then SIGKILL to those still there after the grace period.
fn stop_groups(groups: &BTreeSet<i32>) {
    for group in groups {
        signal_group(*group, Signal::Term);
    }
    let deadline = Instant::now() + TERM_GRACE;
    while Instant::now() < deadline && groups.iter().any(|g| group_alive(*g)) {
        std::thread::sleep(Duration::from_millis(20));
    }
    for group in groups {
        signal_group(*group, Signal::Kill);
    }
}

/// Atrium's side: the watchdog process, started on first use, and the pipe it reads.
#[derive(Debug)]
pub(crate) struct Watchdog {
    program: PathBuf,
    running: Mutex<Option<Running>>,
}

#[derive(Debug)]
struct Running {
    child: Child,
    pipe: ChildStdin,
}

impl Watchdog {
    pub(crate) fn new(program: PathBuf) -> Self {
        Watchdog { program, running: Mutex::new(None) }
    }

    fn spawn(&self) -> Option<Running> {
        let mut command = Command::new(&self.program);
        command.arg(WATCHDOG_ARG).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        match command.spawn() {
            Ok(mut child) => {
                let pipe = child.stdin.take()?;
                tracing::debug!(pid = child.id(), "watchdog started");
                Some(Running { child, pipe })
            }
            Err(err) => {
                tracing::warn!(%err, program = %self.program.display(), "cannot start the watchdog: servers of a crashed Atrium are stopped at its next start");
                None
            }
        }
    }

    /// Tells the watchdog which groups are live now (starting it when there are any to watch). A watchdog that
    /// died is started again and told the whole set.
    pub(crate) fn watch(&self, live: &BTreeSet<i32>) {
        let line = live.iter().map(i32::to_string).collect::<Vec<_>>().join(" ") + "\n";
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if running.is_none() && live.is_empty() {
            return;
        }
        for _attempt in 0..2 {
            if running.is_none() {
                *running = self.spawn();
            }
            let Some(current) = running.as_mut() else { return };
            if current.pipe.write_all(line.as_bytes()).and_then(|()| current.pipe.flush()).is_ok() {
                return;
            }
            if let Some(mut gone) = running.take() {
                let _ = gone.child.kill();
                let _ = gone.child.wait();
            }
        }
    }

    /// Closes the pipe (the watchdog then stops what it was last told, nothing after a clean shutdown) and reaps
    /// the watchdog.
    pub(crate) fn close(&self) {
        let running = self.running.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(Running { mut child, pipe }) = running {
            drop(pipe);
            let deadline = Instant::now() + TERM_GRACE + Duration::from_secs(1);
            while Instant::now() < deadline {
                if !matches!(child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_line_is_what_is_watched() {
        let input = b"12 34\n12 34 56\n\n7 x 0 1 -5 88\n" as &[u8];
        assert_eq!(watch_until_eof(input), BTreeSet::from([7, 88]));
        assert!(watch_until_eof(b"12\n\n" as &[u8]).is_empty(), "an empty line means nothing is live");
    }
}
