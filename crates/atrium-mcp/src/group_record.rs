//! A record, per running Atrium, of its servers' process groups: `ATRIUM_HOME/run/process-groups/<instance>`, one
//! line of group ids, rewritten on every change and removed when the last server stops. A record whose Atrium is
//! gone (the watchdog died with it, or never ran) names what a crash may have left behind; the next start stops
//! those groups — but only processes that carry the dead Atrium's [`INSTANCE_ENV`] marker, so a group id the system
//! reused for something else is never touched.
//!
//! The sweep reads `/proc`, so it runs on Linux only; elsewhere the watchdog is the only net.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The environment variable naming the Atrium instance that started a server process (inherited by its children).
pub(crate) const INSTANCE_ENV: &str = "ATRIUM_SERVER_OF";

/// This process's record.
#[derive(Debug)]
pub(crate) struct GroupRecord {
    path: PathBuf,
    instance: String,
}

impl GroupRecord {
    /// The record of this process in `dir` (made private to its owner); `None` when the directory cannot be made.
    pub(crate) fn open(dir: &Path) -> Option<Self> {
        if let Err(err) = private_dir(dir) {
            tracing::warn!(%err, dir = %dir.display(), "no process-group record: a crash's leftovers will not be found");
            return None;
        }
        let instance = this_instance();
        Some(GroupRecord { path: dir.join(&instance), instance })
    }

    /// This Atrium's instance id: `<pid>.<start time>`, unique even when pids are reused.
    pub(crate) fn instance(&self) -> &str {
        &self.instance
    }

    /// Writes the live set (atomically), or removes the record when nothing is live.
    pub(crate) fn write(&self, live: &BTreeSet<i32>) {
        let result = if live.is_empty() {
            match std::fs::remove_file(&self.path) {
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
                other => other,
            }
        } else {
            let text = live.iter().map(i32::to_string).collect::<Vec<_>>().join(" ") + "\n";
            let partial = self.path.with_extension("partial");
            std::fs::write(&partial, text).and_then(|()| std::fs::rename(&partial, &self.path))
        };
        if let Err(err) = result {
            tracing::warn!(%err, "cannot update the process-group record");
        }
    }
}

fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The parent (`run/`) holds the control socket and is private; this is too.
        if let Some(run) = dir.parent() {
            std::fs::set_permissions(run, std::fs::Permissions::from_mode(0o700))?;
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn this_instance() -> String {
    let pid = std::process::id();
    let start = proc_fs::start_time(pid).unwrap_or_else(|| chrono::Utc::now().timestamp_millis().unsigned_abs());
    format!("{pid}.{start}")
}

/// Stops the servers that Atriums now gone left in `dir`'s records, and removes those records. Returns the
/// process groups it stopped.
pub(crate) fn sweep(dir: &Path) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut stopped = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((pid, start)) = name.split_once('.').and_then(|(p, s)| Some((p.parse().ok()?, s.parse().ok()?)))
        else {
            // A half-written `.partial` of a live Atrium, or something that is not ours.
            continue;
        };
        if proc_fs::start_time(pid) == Some(start) {
            continue;
        }
        let groups: BTreeSet<i32> = std::fs::read_to_string(entry.path())
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|g| g.parse().ok())
            .filter(|g| *g > 1)
            .collect();
        for group in proc_fs::marked_groups(&groups, &format!("{INSTANCE_ENV}={name}")) {
            tracing::warn!(group, instance = %name, "stopping a server process a crashed Atrium left behind");
            crate::group_signals::signal_group(group, crate::group_signals::Signal::Kill);
            stopped.push(group);
        }
        let _ = std::fs::remove_file(entry.path());
    }
    stopped
}

#[cfg(target_os = "linux")]
mod proc_fs {
    use std::collections::BTreeSet;

    /// A process's start time (clock ticks since boot), which tells it from a later process with the same pid.
    pub(super) fn start_time(pid: u32) -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name, which may itself hold spaces and parentheses: state is the first,
        // the start time the 20th.
        stat.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()
    }

    fn group_of(pid: &str) -> Option<i32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit_once(')')?.1.split_whitespace().nth(2)?.parse().ok()
    }

    /// The groups among `groups` that have a member whose environment holds `marker` (`NAME=value`).
    pub(super) fn marked_groups(groups: &BTreeSet<i32>, marker: &str) -> BTreeSet<i32> {
        let mut found = BTreeSet::new();
        let Ok(entries) = std::fs::read_dir("/proc") else { return found };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = name.to_str().filter(|n| n.bytes().all(|b| b.is_ascii_digit())) else { continue };
            let Some(group) = group_of(pid).filter(|g| groups.contains(g) && !found.contains(g)) else { continue };
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            if environ.split(|b| *b == 0).any(|var| var == marker.as_bytes()) {
                found.insert(group);
            }
        }
        found
    }
}

#[cfg(not(target_os = "linux"))]
mod proc_fs {
    use std::collections::BTreeSet;

    pub(super) fn start_time(_pid: u32) -> Option<u64> {
        None
    }

    pub(super) fn marked_groups(_groups: &BTreeSet<i32>, _marker: &str) -> BTreeSet<i32> {
        BTreeSet::new()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_live_atriums_record_is_left_alone_and_a_dead_ones_is_cleared() {
        let dir = tempfile::tempdir().expect("tmp");
        let record = GroupRecord::open(dir.path()).expect("record");
        // A group id that exists (our own test process's group) and carries no marker: never touched.
        let own_group = nix::unistd::getpgrp().as_raw();
        record.write(&BTreeSet::from([own_group]));
        assert!(sweep(dir.path()).is_empty());
        assert!(dir.path().join(record.instance()).exists(), "a live Atrium's record stays");

        // The same record under the name of an Atrium that is gone: removed, and still nothing unmarked is killed.
        let dead = dir.path().join("999999999.1");
        std::fs::write(&dead, format!("{own_group}\n")).expect("write");
        assert!(sweep(dir.path()).is_empty(), "unmarked processes are not ours");
        assert!(!dead.exists(), "the dead Atrium's record is gone");

        record.write(&BTreeSet::new());
        assert!(!dir.path().join(record.instance()).exists(), "an empty record is removed");
    }
}
