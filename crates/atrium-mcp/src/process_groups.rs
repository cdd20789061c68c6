//! The process groups of running local servers, and what makes sure none of them outlives Atrium, however Atrium
//! ends:
//! - a stop (stdin closed, SIGTERM, SIGKILL, each to the whole group) is the supervisor's;
//! - a [`ProcessGroup`] kills what is left of its group when it is dropped, and [`ProcessGroups::kill_all`] runs
//!   at shutdown and when the manager goes;
//! - when Atrium itself dies without a word (kill -9, a lost display), the [`Watchdog`] process, told every group,
//!   stops them as soon as Atrium's end of its pipe closes; and the [`GroupRecord`] in `ATRIUM_HOME/run/` lets the
//!   next start stop whatever survived even that.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::group_record::{GroupRecord, INSTANCE_ENV};
use crate::group_signals::{Signal, signal_group};
use crate::watchdog::Watchdog;

/// Where a manager keeps the traces that outlive a crash. Both are optional: tests that run servers inside the
/// test binary have no watchdog program, and a manager without a home writes no record.
#[derive(Debug, Clone, Default)]
pub struct CrashCleanup {
    /// The program to run as the watchdog (an Atrium binary that answers [`crate::WATCHDOG_ARG`]).
    pub watchdog: Option<PathBuf>,
    /// The directory of process-group records (`ATRIUM_HOME/run/process-groups`).
    pub records: Option<PathBuf>,
}

/// The live process groups of a connection manager. The set, the watchdog and the record change together under one
/// lock, so that they never disagree about which groups are live; the watchdog's pipe write and the record's file
/// write are both a few bytes and never wait on anything but the local kernel.
#[derive(Debug, Default)]
pub(crate) struct ProcessGroups {
    live: Mutex<BTreeSet<i32>>,
    watchdog: Option<Watchdog>,
    record: Option<GroupRecord>,
}

impl ProcessGroups {
    /// The groups of a manager with these crash traces.
    pub(crate) fn new(cleanup: &CrashCleanup) -> Self {
        ProcessGroups {
            live: Mutex::new(BTreeSet::new()),
            watchdog: cleanup.watchdog.clone().map(Watchdog::new),
            record: cleanup.records.as_deref().and_then(GroupRecord::open),
        }
    }

    /// The variable every server process carries, which names the Atrium that started it, so that what a crash
    /// left behind can be told from anything else that happens to reuse a process group id.
    pub(crate) fn marker(&self) -> Option<(&'static str, &str)> {
        self.record.as_ref().map(|r| (INSTANCE_ENV, r.instance()))
    }

    fn changed(&self, live: &BTreeSet<i32>) {
        if let Some(watchdog) = &self.watchdog {
            watchdog.watch(live);
        }
        if let Some(record) = &self.record {
            record.write(live);
        }
    }

    fn add(&self, group: i32) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.insert(group);
        self.changed(&live);
    }

    fn remove(&self, group: i32) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        if live.remove(&group) {
            self.changed(&live);
        }
    }

    /// Sends `SIGKILL` to every group still registered. Used at shutdown, after the polite way had its time.
    pub(crate) fn kill_all(&self) {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        for group in live.iter() {
            signal_group(*group, Signal::Kill);
        }
        live.clear();
        self.changed(&live);
    }

    /// How many groups are live.
    pub(crate) fn len(&self) -> usize {
        self.live.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Registers the group a process just started leads.
    pub(crate) fn started(self: &Arc<Self>, pid: u32) -> ProcessGroup {
        if let Ok(group) = i32::try_from(pid) {
            self.add(group);
        }
        ProcessGroup { pid, groups: self.clone() }
    }
}

impl Drop for ProcessGroups {
    /// The last safety net: no process of a server outlives its manager.
    fn drop(&mut self) {
        self.kill_all();
        if let Some(watchdog) = &self.watchdog {
            watchdog.close();
        }
    }
}

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
            self.groups.remove(group);
        }
    }
}
