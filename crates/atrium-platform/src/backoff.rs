//! The delays sync and the relay wait before trying again, with jitter so many desktops do not retry in step.

use std::time::Duration;

/// A random fraction in [0, 1].
fn unit() -> f64 {
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    f64::from(byte[0]) / 255.0
}

/// When a failed outbox entry is tried again: 2^attempts seconds, at most 5 minutes, plus up to 25 %.
pub fn retry_delay(attempts: u32) -> Duration {
    let base = Duration::from_secs(2u64.saturating_pow(attempts.min(9)).min(300));
    base.mul_f64(1.0 + 0.25 * unit())
}

/// Reconnect delay after `failures` failures in a row: exponential from 1 s to 60 s, ±25 %.
pub(crate) fn reconnect_delay(failures: u32) -> Duration {
    let base = Duration::from_secs(1).saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(6)));
    base.min(Duration::from_secs(60)).mul_f64(0.75 + 0.5 * unit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_bounded() {
        assert!(retry_delay(1) >= Duration::from_secs(2) && retry_delay(1) <= Duration::from_millis(2500));
        assert!(retry_delay(40) <= Duration::from_secs(375));
        assert!(reconnect_delay(1) >= Duration::from_millis(750) && reconnect_delay(1) <= Duration::from_millis(1250));
        assert!(reconnect_delay(50) <= Duration::from_secs(75) && reconnect_delay(50) >= Duration::from_secs(45));
    }
}
