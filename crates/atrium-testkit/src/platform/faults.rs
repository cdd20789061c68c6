//! Injected faults: failures, malformed bodies, latency, dropped sockets and expired tokens. The fault layer
//! (`fault_layer.rs`) and the sockets read them on every request.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use tokio::sync::watch;

/// Faults to inject into the double. All methods take `&self`; the double reads them on every request.
pub struct Faults {
    fail_next: AtomicU32,
    malformed_next: AtomicU32,
    latency_ms: AtomicU64,
    token_epoch: AtomicU64,
    injected: AtomicU64,
    drops: watch::Sender<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            fail_next: AtomicU32::new(0),
            malformed_next: AtomicU32::new(0),
            latency_ms: AtomicU64::new(0),
            token_epoch: AtomicU64::new(0),
            injected: AtomicU64::new(0),
            drops: watch::Sender::new(0),
        }
    }
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("fail_next", &self.fail_next.load(Ordering::Relaxed))
            .field("malformed_next", &self.malformed_next.load(Ordering::Relaxed))
            .field("latency_ms", &self.latency_ms.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Faults {
    /// The next `n` Origin/Mantle REST requests answer 500 `{"detail":"Internal Server Error"}`.
    pub fn fail_next(&self, n: u32) {
        self.fail_next.store(n, Ordering::Relaxed);
    }

    /// The next `n` JSON REST responses are cut off half-way (still 200 and `application/json`).
    pub fn malformed_next(&self, n: u32) {
        self.malformed_next.store(n, Ordering::Relaxed);
    }

    /// Every REST request and every `/events` event waits this long first.
    pub fn set_latency(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Closes every open `/events` and relay socket now, abruptly (no close frame).
    pub fn drop_sockets(&self) {
        self.drops.send_modify(|n| *n += 1);
    }

    /// Every access token issued so far is rejected from now on; refresh tokens and API keys still work.
    pub fn expire_tokens(&self) {
        self.token_epoch.fetch_add(1, Ordering::Relaxed);
    }

    /// Clears pending failures, malformed bodies and latency (expired tokens stay expired).
    pub fn reset(&self) {
        self.fail_next.store(0, Ordering::Relaxed);
        self.malformed_next.store(0, Ordering::Relaxed);
        self.latency_ms.store(0, Ordering::Relaxed);
    }

    pub(crate) fn latency_ms(&self) -> u64 {
        self.latency_ms.load(Ordering::Relaxed)
    }

    pub(crate) fn token_epoch(&self) -> u64 {
        self.token_epoch.load(Ordering::Relaxed)
    }

    pub(crate) fn injected(&self) -> u64 {
        self.injected.load(Ordering::Relaxed)
    }

    /// Whether this request is to fail (one pending failure taken and counted).
    pub(crate) fn take_failure(&self) -> bool {
        self.take(&self.fail_next)
    }

    /// Whether this response is to be cut off (one pending malformed body taken and counted).
    pub(crate) fn take_malformed(&self) -> bool {
        self.take(&self.malformed_next)
    }

    /// Takes one from a counter if it is above zero, counting it as injected.
    fn take(&self, counter: &AtomicU32) -> bool {
        let taken = counter.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok();
        if taken {
            self.injected.fetch_add(1, Ordering::Relaxed);
        }
        taken
    }

    /// A receiver that changes when `drop_sockets` is called (sockets opened later ignore earlier drops).
    pub(crate) fn drop_signal(&self) -> watch::Receiver<u64> {
        let mut rx = self.drops.subscribe();
        rx.mark_unchanged();
        rx
    }
}
