//! Retry timing, pure: the exponential backoff schedule with jitter, and
//! `Retry-After` parsing.

use std::time::{Duration, SystemTime};

/// Delay before retry number `attempt` (1 for the first retry): `base · 2^(attempt-1)`
/// capped at `cap`, scaled by `jitter` in `[0, 1)` into the upper half of that
/// window ("equal jitter": never less than half the step, never in lock-step).
pub fn backoff_delay(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(20);
    let step = base.saturating_mul(1u32 << exp).min(cap);
    let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
    step / 2 + step.mul_f64(jitter / 2.0)
}

/// Parses a `Retry-After` value: delay-seconds (`"120"`) or an HTTP-date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`, relative to `now`; a past date is zero).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let at: SystemTime = at.with_timezone(&chrono::Utc).into();
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A cheap jitter source in `[0, 1)`: process-wide splitmix64 over the clock.
/// Not cryptographic; only spreads retries apart.
pub fn jitter() -> f64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    let mut z = STATE.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed) ^ nanos;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_doubles_and_caps() {
        let (b, cap) = (Duration::from_millis(500), Duration::from_secs(30));
        assert_eq!(backoff_delay(1, b, cap, 0.0), Duration::from_millis(250));
        assert_eq!(backoff_delay(1, b, cap, 1.0), Duration::from_millis(500));
        assert_eq!(backoff_delay(2, b, cap, 1.0), Duration::from_millis(1000));
        assert_eq!(backoff_delay(3, b, cap, 0.5), Duration::from_millis(1500));
        assert_eq!(backoff_delay(10, b, cap, 1.0), cap);
        assert_eq!(backoff_delay(1000, b, cap, 1.0), cap, "no overflow");
        assert_eq!(backoff_delay(2, b, cap, f64::NAN), Duration::from_millis(500));
        for a in 1..8 {
            let d = backoff_delay(a, b, cap, jitter());
            assert!(d >= backoff_delay(a, b, cap, 0.0) && d <= backoff_delay(a, b, cap, 1.0));
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21 07:28:00 UTC
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO), "past");
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("99999999999999999999999", now), None);
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
