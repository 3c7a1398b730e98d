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
            let now = Instant::now();
            let slot = next.get(host).copied().filter(|t| *t > now).unwrap_or(now);
            next.insert(host.to_owned(), slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_per_host() {
        let l = HostLimiter::default();
        let start = Instant::now();
        for _ in 0..5 {
            l.wait("a", Duration::from_secs(1)).await;
        }
        assert_eq!(start.elapsed().as_secs(), 4, "5 requests at 1/s take 4 s");
        let t = Instant::now();
        l.wait("b", Duration::from_secs(1)).await;
        assert!(t.elapsed() < Duration::from_millis(10), "another host is not held up");
    }
}
