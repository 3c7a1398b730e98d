//! A per-host rate limit: requests to one host start at least `interval` apart.

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Default)]
pub(super) struct HostLimiter {
    next: std::sync::Mutex<HashMap<String, Instant>>,
}

impl HostLimiter {
    /// Waits for `host`'s next slot and books the one after it.
    pub(super) async fn wait(&self, host: &str, interval: Duration) {
        if interval.is_zero() {
            return;
        }
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            book(&mut next, host, interval, Instant::now())
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// The slot of a request to `host` asked for at `now`, booking the next one
/// `interval` later: pure, so the spacing is tested without a clock.
fn book(next: &mut HashMap<String, Instant>, host: &str, interval: Duration, now: Instant) -> Instant {
    let slot = next.get(host).copied().filter(|t| *t > now).unwrap_or(now);
    next.insert(host.to_owned(), slot + interval);
    slot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_requests_per_host() {
        let mut next = HashMap::new();
        let start = Instant::now();
        let second = Duration::from_secs(1);
        let slots: Vec<Duration> = (0..5).map(|_| book(&mut next, "a", second, start) - start).collect();
        assert_eq!(slots, (0..5).map(Duration::from_secs).collect::<Vec<_>>(), "5 requests at 1/s take 4 s");
        assert_eq!(book(&mut next, "b", second, start), start, "another host is not held up");
        // A request after a quiet spell goes at once, and books from then.
        let later = start + Duration::from_secs(60);
        assert_eq!(book(&mut next, "a", second, later), later);
        assert_eq!(book(&mut next, "a", second, later), later + second);
    }
}
