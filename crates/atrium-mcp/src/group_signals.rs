//! Signals to a whole process group (a server and everything it spawned), and whether any of it is still there.

/// The signals Atrium sends to a server's process group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    Term,
    Kill,
}

/// Signals every process of a group. ESRCH (nobody left in the group) is the usual, happy answer.
#[cfg(unix)]
pub(crate) fn signal_group(group: i32, signal: Signal) {
    use nix::sys::signal::{Signal as Nix, killpg};
    let signal = match signal {
        Signal::Term => Nix::SIGTERM,
        Signal::Kill => Nix::SIGKILL,
    };
    let _ = killpg(nix::unistd::Pid::from_raw(group), signal);
}

#[cfg(not(unix))]
pub(crate) fn signal_group(_group: i32, _signal: Signal) {}

/// Whether any process of a group is still there.
#[cfg(unix)]
pub(crate) fn group_alive(group: i32) -> bool {
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(group), None).is_ok()
}

#[cfg(not(unix))]
pub(crate) fn group_alive(_group: i32) -> bool {
    false
}

/// Waits until no process of `groups` is left, at most `bound`: a group's last SIGKILL is delivered a moment after
/// it is sent (and a zombie nobody reaps stays "alive", hence the bound).
pub(crate) async fn until_gone(groups: &[i32], bound: std::time::Duration) {
    let deadline = std::time::Instant::now() + bound;
    while groups.iter().any(|g| group_alive(*g)) && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}
