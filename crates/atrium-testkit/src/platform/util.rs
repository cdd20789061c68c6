//! Small tools every part of the double uses: poison-tolerant locking, randomness and the clock.

use std::sync::{Mutex, MutexGuard};

/// Locks a mutex, shrugging off poisoning: a panicking test must not take every later request down with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `n` random bytes (OS randomness; UUIDv4 bytes if the OS source ever fails).
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if getrandom::fill(&mut buf).is_err() {
        for chunk in buf.chunks_mut(16) {
            let bytes = uuid::Uuid::new_v4().into_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
    buf
}

/// `n` random characters from `[A-Za-z0-9]`, like authlib's `generate_token(n)` (authorization codes).
pub(crate) fn random_token(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    random_bytes(n).into_iter().map(|b| ALPHABET[usize::from(b) % ALPHABET.len()] as char).collect()
}

/// Lower-case hex of `n` random bytes.
pub(crate) fn random_hex(n: usize) -> String {
    random_bytes(n).iter().map(|b| format!("{b:02x}")).collect()
}

/// Seconds since the epoch as a float, the way Python's `time.time()` reports it.
pub(crate) fn epoch_secs() -> f64 {
    let now = chrono::Utc::now();
    now.timestamp() as f64 + f64::from(now.timestamp_subsec_micros()) / 1e6
}

/// Hands out ISO-8601 UTC timestamps in Python's `isoformat()` shape, strictly increasing even within one
/// microsecond, so that last-write-wins by `modified_time` is decidable in tests.
#[derive(Default)]
pub(crate) struct Clock {
    last_us: Mutex<i64>,
}

impl Clock {
    /// The next timestamp: (microseconds since the epoch, ISO string).
    pub(crate) fn tick(&self) -> (i64, String) {
        let mut last = lock(&self.last_us);
        let now = chrono::Utc::now().timestamp_micros().max(*last + 1);
        *last = now;
        (now, iso_from_micros(now))
    }

    /// Reserves `n` consecutive microsecond stamps at once (bulk seeding); returns the first.
    pub(crate) fn reserve(&self, n: usize) -> i64 {
        let mut last = lock(&self.last_us);
        let first = chrono::Utc::now().timestamp_micros().max(*last + 1);
        *last = first + i64::try_from(n).unwrap_or(i64::MAX / 2).max(1) - 1;
        first
    }
}

/// Python's `datetime.isoformat()`: the fraction is left out when it is zero, as Python does.
pub(crate) fn iso_from_micros(us: i64) -> String {
    let Some(t) = chrono::DateTime::from_timestamp_micros(us) else {
        return String::new();
    };
    if us.rem_euclid(1_000_000) == 0 {
        t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
    } else {
        t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
    }
}
