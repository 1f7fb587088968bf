//! Rate limiting as observed on Databricks (docs/databricks-behaviour.md rows 31–34): per-endpoint token buckets
//! (`GET Users`, `PATCH Groups`, …) and a cap on concurrent SCIM requests, answered either with
//! a proper `429` (with or without `Retry-After`), with the legacy `500` +
//! `REQUEST_LIMIT_EXCEEDED` body, or with any status carrying the platform body
//! `{"error_code": "REQUEST_LIMIT_EXCEEDED", …}` (see [`ThrottleStyle`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::{Throttle, ThrottleStyle};

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Throttling configuration plus the live buckets.
pub(crate) struct Limiter {
    pub(crate) config: Throttle,
    buckets: HashMap<String, Bucket>,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    Rate { endpoint: String, per_minute: u32 },
    Concurrency { max: usize },
}

impl Refusal {
    /// The message of the platform-shaped 429 body or the `detail` of the SCIM 500.
    pub(crate) fn message(&self, style: ThrottleStyle) -> String {
        match (self, style) {
            (Refusal::Concurrency { max }, _) => {
                format!("REQUEST_LIMIT_EXCEEDED: Workspace 1234 exceeded the concurrent limit of {max} requests.")
            }
            (Refusal::Rate { endpoint, .. }, ThrottleStyle::RequestLimitExceeded500) => {
                format!("REQUEST_LIMIT_EXCEEDED: {endpoint} RPC token bucket limit has been exceeded.")
            }
            (
                Refusal::Rate { endpoint, per_minute },
                ThrottleStyle::TooManyRequests { .. } | ThrottleStyle::ErrorCode { .. },
            ) => {
                format!("Workspace 1234 exceeded the rate limit of {per_minute} requests per minute for {endpoint}.")
            }
        }
    }
}

/// The status of the error-code style: an error status (`400`–`599`).
pub(crate) fn check_error_code_status(status: u16) -> Result<u16, String> {
    if (400..=599).contains(&status) {
        Ok(status)
    } else {
        Err(format!("the error-code throttle status must be 400-599, not {status}"))
    }
}

/// Holds one slot of the concurrency cap until dropped.
pub(crate) struct Slot(Option<Arc<AtomicUsize>>);

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(counter) = self.0.take() {
            counter.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Slot {
    /// A slot that counts nothing (throttling off).
    pub(crate) fn none() -> Self {
        Slot(None)
    }
}

impl Limiter {
    pub(crate) fn new(config: Throttle) -> Self {
        Limiter { config, buckets: HashMap::new() }
    }

    /// Admits or refuses one request to `endpoint` (`"GET Users"`). `in_flight` counts the SCIM
    /// requests being handled; callers serialise calls to `admit` (it runs under the state lock).
    pub(crate) fn admit(
        &mut self,
        endpoint: &str,
        in_flight: &Arc<AtomicUsize>,
        now: Instant,
    ) -> Result<Slot, Refusal> {
        let max = self.config.max_concurrent;
        if max > 0 && in_flight.load(Ordering::SeqCst) >= max {
            return Err(Refusal::Concurrency { max });
        }
        if self.config.burst > 0 {
            let capacity = f64::from(self.config.burst);
            let rate_per_sec = f64::from(self.config.per_minute) / 60.0;
            let bucket = self.buckets.entry(endpoint.to_owned()).or_insert(Bucket { tokens: capacity, last: now });
            let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * rate_per_sec).min(capacity);
            bucket.last = now;
            if bucket.tokens < 1.0 {
                return Err(Refusal::Rate { endpoint: endpoint.to_owned(), per_minute: self.config.per_minute });
            }
            bucket.tokens -= 1.0;
        }
        if max > 0 {
            in_flight.fetch_add(1, Ordering::SeqCst);
            Ok(Slot(Some(Arc::clone(in_flight))))
        } else {
            Ok(Slot::none())
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limiter(per_minute: u32, burst: u32, max_concurrent: usize) -> Limiter {
        Limiter::new(Throttle { per_minute, burst, max_concurrent, style: ThrottleStyle::RequestLimitExceeded500 })
    }

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_the_per_minute_rate() {
        let mut l = limiter(60, 2, 0);
        let flight = Arc::new(AtomicUsize::new(0));
        let t0 = Instant::now();
        assert!(l.admit("GET Users", &flight, t0).is_ok());
        assert!(l.admit("GET Users", &flight, t0).is_ok());
        assert!(matches!(l.admit("GET Users", &flight, t0), Err(Refusal::Rate { .. })));
        // Another endpoint has its own bucket.
        assert!(l.admit("POST Users", &flight, t0).is_ok());
        // 60/min = one token per second.
        assert!(l.admit("GET Users", &flight, t0 + Duration::from_millis(1100)).is_ok());
    }

    #[test]
    fn the_concurrency_cap_counts_slots_until_they_are_dropped() {
        let mut l = limiter(0, 0, 2);
        let flight = Arc::new(AtomicUsize::new(0));
        let now = Instant::now();
        let a = l.admit("GET Users", &flight, now).unwrap();
        let _b = l.admit("GET Users", &flight, now).unwrap();
        assert_eq!(l.admit("GET Users", &flight, now).err(), Some(Refusal::Concurrency { max: 2 }));
        drop(a);
        assert!(l.admit("GET Users", &flight, now).is_ok());
    }
}
