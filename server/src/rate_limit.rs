//! A per-client token bucket: `burst` requests at once, refilled at `rate`
//! per second. Small and in memory (one process); buckets of idle clients
//! are pruned as the map grows.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Clients tracked before idle ones are pruned.
const PRUNE_AT: usize = 10_000;

#[derive(Clone)]
pub struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
}

impl RateLimiter {
    pub fn new(rate_per_second: f64, burst: u32) -> Self {
        Self { rate: rate_per_second, burst: f64::from(burst), buckets: Default::default() }
    }

    /// Takes a token for `client`: `Ok` when allowed, else `Err(seconds)` until one is free.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        if buckets.len() >= PRUNE_AT {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_the_rate() {
        let l = RateLimiter::new(2.0, 3);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t = Instant::now();
        for _ in 0..3 {
            assert!(l.check_at(a, t).is_ok());
        }
        assert_eq!(l.check_at(a, t), Err(1));
        assert!(l.check_at(b, t).is_ok(), "clients are limited apart");
        assert!(l.check_at(a, t + Duration::from_millis(500)).is_ok(), "refilled at 2/s");
        assert!(l.check_at(a, t + Duration::from_millis(500)).is_err());
    }
}
