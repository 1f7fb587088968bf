//! Where a parsed secret comes from: fixed (environment, local runs) or a Secrets Manager secret,
//! cached, read again when the cache is older than its lifetime or — at most every
//! [`MISS_REREAD_INTERVAL`] — when a value is missed (an unknown client or key id), so that a
//! change takes effect without a redeploy and a flood of bad requests is not a flood of reads.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::aws::SecretStore;

/// How long a read value is used before the secret is read again.
pub const CACHE_TTL: Duration = Duration::from_secs(300);
/// Least time between two reads caused by misses.
pub const MISS_REREAD_INTERVAL: Duration = Duration::from_secs(30);

/// The secret could not be read or parsed (already logged with the secret's id and the reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

/// A value a secret holds, parsed from its text.
pub trait SecretValue: Sized {
    /// Why a text is not such a value (never containing the text).
    type Error: std::error::Error + 'static;
    /// What the secret is, for logs (`OAuth clients`).
    const WHAT: &'static str;
    /// Parses the secret's text.
    fn parse(value: &str) -> Result<Self, Self::Error>;
}

/// A parsed value, fixed or from a secret.
pub struct Source<T> {
    inner: Inner<T>,
}

impl<T> Clone for Source<T> {
    fn clone(&self) -> Self {
        Source { inner: self.inner.clone() }
    }
}

enum Inner<T> {
    Fixed(Arc<T>),
    Secret(Arc<Cached<T>>),
}

impl<T> Clone for Inner<T> {
    fn clone(&self) -> Self {
        match self {
            Inner::Fixed(v) => Inner::Fixed(v.clone()),
            Inner::Secret(c) => Inner::Secret(c.clone()),
        }
    }
}

struct Cached<T> {
    store: SecretStore,
    secret_id: String,
    slot: Mutex<Option<(Arc<T>, Instant)>>,
    ttl: Duration,
    miss_reread: Duration,
}

impl<T> std::fmt::Debug for Source<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Inner::Fixed(_) => write!(f, "fixed"),
            Inner::Secret(c) => write!(f, "secret {}", c.secret_id),
        }
    }
}

impl<T: SecretValue> Source<T> {
    /// A fixed value.
    pub fn fixed(value: T) -> Source<T> {
        Source { inner: Inner::Fixed(Arc::new(value)) }
    }

    /// The value of a secret, parsed by [`SecretValue::parse`].
    pub fn secret(store: SecretStore, secret_id: impl Into<String>) -> Source<T> {
        Source {
            inner: Inner::Secret(Arc::new(Cached {
                store,
                secret_id: secret_id.into(),
                slot: Mutex::new(None),
                ttl: CACHE_TTL,
                miss_reread: MISS_REREAD_INTERVAL,
            })),
        }
    }

    /// Changes the cache lifetime and the least time between re-reads after misses (tests use
    /// zero for both).
    pub fn with_cache_timings(self, ttl: Duration, miss_reread: Duration) -> Source<T> {
        match self.inner {
            Inner::Secret(c) => match Arc::try_unwrap(c) {
                Ok(c) => Source { inner: Inner::Secret(Arc::new(Cached { ttl, miss_reread, ..c })) },
                Err(shared) => Source { inner: Inner::Secret(shared) },
            },
            fixed => Source { inner: fixed },
        }
    }

    /// The value: cached while fresh, else read.
    pub async fn get(&self) -> Result<Arc<T>, Unavailable> {
        match &self.inner {
            Inner::Fixed(v) => Ok(v.clone()),
            Inner::Secret(c) => {
                let cached = c.slot.lock().ok().and_then(|s| s.clone());
                match cached {
                    Some((value, read_at)) if read_at.elapsed() < c.ttl => Ok(value),
                    _ => c.read().await,
                }
            }
        }
    }

    /// After a miss: the value read again when the last read is at least the miss interval old,
    /// `None` when it is too recent (or the value is fixed).
    pub async fn reread_after_miss(&self) -> Result<Option<Arc<T>>, Unavailable> {
        match &self.inner {
            Inner::Fixed(_) => Ok(None),
            Inner::Secret(c) => {
                let read_at = c.slot.lock().ok().and_then(|s| s.as_ref().map(|(_, at)| *at));
                if read_at.is_some_and(|at| at.elapsed() < c.miss_reread) {
                    return Ok(None);
                }
                c.read().await.map(Some)
            }
        }
    }
}

impl<T: SecretValue> Cached<T> {
    async fn read(&self) -> Result<Arc<T>, Unavailable> {
        let failed = |reason: &(dyn std::error::Error + 'static)| {
            let reason = crate::scim::error::chain(reason);
            tracing::error!(secret_id = %self.secret_id, reason, "cannot use the {} secret", T::WHAT);
            Unavailable
        };
        let value = self.store.read(&self.secret_id).await.map_err(|e| failed(&e))?;
        let parsed = Arc::new(T::parse(&value).map_err(|e| failed(&e))?);
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some((parsed.clone(), Instant::now()));
        }
        Ok(parsed)
    }
}
