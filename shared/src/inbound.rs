//! Inbound bearer check (docs/design.md §2): one or two accepted tokens (current and next, for
//! rotation), compared in constant time (SHA-256 digests, `subtle`); a miss is a SCIM 401. Tokens come from the
//! environment (local runs) or from a Secrets Manager secret, cached, and read again when a
//! presented token is not recognised (at most every 30 s), so a rotation takes effect without
//! a redeploy. When OAuth client credentials are on, a JWT-shaped bearer value is verified as an
//! access token of the token endpoint instead ([`crate::oauth::Verifier`]: signature, key, expiry;
//! no network call per request).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::aws::SecretStore;
use crate::oauth::Verifier;
use crate::scim::ScimError;

/// The 401 detail of a request without a bearer token.
pub const TOKEN_REQUIRED: &str = "a bearer token is required";

/// How long accepted tokens are trusted before the secret is read again (so a retired token
/// keeps working for at most this long).
pub const CACHE_TTL: Duration = Duration::from_secs(300);
/// Least time between two reads of the secret caused by unknown tokens (a flood of bad tokens
/// must not become a flood of Secrets Manager calls).
pub const MISS_REREAD_INTERVAL: Duration = Duration::from_secs(30);

/// The SHA-256 digests of the accepted tokens: compared in constant time whatever the length
/// of the token presented.
type Digests = Arc<Vec<[u8; 32]>>;

#[derive(Clone)]
enum Source {
    Fixed(Digests),
    Secret {
        store: SecretStore,
        secret_id: Arc<str>,
        cache: Arc<Mutex<Option<Cached>>>,
        ttl: Duration,
        miss_reread: Duration,
    },
}

#[derive(Clone)]
struct Cached {
    tokens: Digests,
    read_at: Instant,
}

/// The accepted inbound tokens.
#[derive(Clone)]
pub struct InboundAuth {
    source: Source,
    access_tokens: Option<Verifier>,
}

impl std::fmt::Debug for InboundAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Source::Fixed(t) => write!(f, "InboundAuth({} fixed tokens", t.len())?,
            Source::Secret { secret_id, .. } => write!(f, "InboundAuth(secret {secret_id}")?,
        }
        match &self.access_tokens {
            Some(verifier) => write!(f, ", access tokens: {verifier:?})"),
            None => write!(f, ")"),
        }
    }
}

impl InboundAuth {
    /// Accepts these tokens; an empty list accepts nobody (fail closed).
    pub fn new(tokens: Vec<String>) -> InboundAuth {
        let tokens = tokens.iter().filter(|t| !t.is_empty()).map(|t| digest(t.as_bytes())).collect();
        InboundAuth { source: Source::Fixed(Arc::new(tokens)), access_tokens: None }
    }

    /// Accepts the tokens held by a secret: JSON `{"current":"…","next":"…"}` (`next` optional),
    /// a JSON list of strings, or a bare token.
    pub fn from_secret(store: SecretStore, secret_id: impl Into<String>) -> InboundAuth {
        let secret_id: String = secret_id.into();
        InboundAuth {
            source: Source::Secret {
                store,
                secret_id: secret_id.into(),
                cache: Arc::new(Mutex::new(None)),
                ttl: CACHE_TTL,
                miss_reread: MISS_REREAD_INTERVAL,
            },
            access_tokens: None,
        }
    }

    /// Also accepts the access tokens of the OAuth token endpoint, verified by `verifier`.
    pub fn with_access_tokens(mut self, verifier: Verifier) -> InboundAuth {
        self.access_tokens = Some(verifier);
        self
    }

    /// Changes how long tokens are cached and the least time between re-reads caused by
    /// unknown tokens (tests use zero for both).
    pub fn with_cache_timings(mut self, cache_ttl: Duration, miss_reread_interval: Duration) -> InboundAuth {
        if let Source::Secret { ttl, miss_reread, .. } = &mut self.source {
            *ttl = cache_ttl;
            *miss_reread = miss_reread_interval;
        }
        self
    }

    /// Checks an `Authorization` header value.
    pub async fn check(&self, authorization: Option<&str>) -> Result<(), ScimError> {
        let presented = authorization
            .map(str::trim)
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().as_bytes())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ScimError::Unauthorized(TOKEN_REQUIRED.into()))?;
        if let Some(verifier) = &self.access_tokens
            && let Ok(token) = std::str::from_utf8(presented)
            && crate::oauth::token::looks_signed(token)
        {
            return verifier.verify(token).await.map(|_| ());
        }
        match &self.source {
            Source::Fixed(tokens) => verdict(tokens, presented),
            Source::Secret { store, secret_id, cache, ttl, miss_reread } => {
                let cached = cache.lock().ok().and_then(|c| c.clone());
                let fresh_enough = cached.as_ref().is_some_and(|c| c.read_at.elapsed() < *ttl);
                if let (true, Some(c)) = (fresh_enough, &cached) {
                    if verdict(&c.tokens, presented).is_ok() {
                        return Ok(());
                    }
                    if c.read_at.elapsed() < *miss_reread {
                        return verdict(&c.tokens, presented);
                    }
                }
                let tokens = read_tokens(store, secret_id).await?;
                if let Ok(mut guard) = cache.lock() {
                    *guard = Some(Cached { tokens: tokens.clone(), read_at: Instant::now() });
                }
                verdict(&tokens, presented)
            }
        }
    }
}

async fn read_tokens(store: &SecretStore, secret_id: &str) -> Result<Digests, ScimError> {
    let unavailable = |reason: &str| {
        tracing::error!(secret_id, reason, "cannot use the inbound bearer-token secret");
        ScimError::unavailable("the service cannot verify bearer tokens right now (token secret unavailable)")
    };
    let value = store.read(secret_id).await.map_err(|e| unavailable(&e.to_string()))?;
    let tokens = parse_token_secret(&value).map_err(|reason| unavailable(&reason.to_string()))?;
    Ok(Arc::new(tokens.iter().map(|t| digest(t.as_bytes())).collect()))
}

/// Why the inbound token secret cannot be used. Never contains the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenSecretError {
    /// Starts like a JSON object but is not one.
    #[error("the secret is not valid JSON")]
    NotJson,
    /// Starts like a JSON list but is not a list of strings.
    #[error("the secret is not a JSON list of strings")]
    NotAList,
    /// No non-empty token in it.
    #[error("the secret holds no token (expected {{\"current\":\"…\",\"next\":\"…\"}})")]
    NoToken,
    /// A token with white space in it (a pasted line break, two tokens in one field).
    #[error("a token must not contain white space")]
    WhiteSpace,
}

/// Parses the inbound token secret: JSON `{"current":"…","next":"…"}` (`next` optional), a JSON
/// list of strings, or a bare token.
pub fn parse_token_secret(value: &str) -> Result<Vec<String>, TokenSecretError> {
    let value = value.trim();
    let tokens: Vec<String> = if value.starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(value).map_err(|_| TokenSecretError::NotJson)?;
        ["current", "next"]
            .iter()
            .filter_map(|k| json.get(k).and_then(serde_json::Value::as_str))
            .map(|s| s.trim().to_string())
            .collect()
    } else if value.starts_with('[') {
        serde_json::from_str::<Vec<String>>(value).map_err(|_| TokenSecretError::NotAList)?
    } else {
        vec![value.to_string()]
    };
    let tokens: Vec<String> = tokens.into_iter().filter(|t| !t.is_empty()).collect();
    if tokens.is_empty() {
        return Err(TokenSecretError::NoToken);
    }
    if tokens.iter().any(|t| t.chars().any(char::is_whitespace)) {
        return Err(TokenSecretError::WhiteSpace);
    }
    Ok(tokens)
}

fn digest(token: &[u8]) -> [u8; 32] {
    Sha256::digest(token).into()
}

fn verdict(tokens: &[[u8; 32]], presented: &[u8]) -> Result<(), ScimError> {
    if tokens.is_empty() {
        return Err(ScimError::Unauthorized("no bearer token is configured for this service".into()));
    }
    // Compare against every token, always, and digests of one length: timing reveals neither
    // which token nor how much of it matched, nor its length.
    let presented = digest(presented);
    let matched = tokens.iter().fold(subtle::Choice::from(0), |acc, t| acc | t.ct_eq(&presented));
    if bool::from(matched) { Ok(()) } else { Err(ScimError::Unauthorized("the bearer token is not valid".into())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn current_and_next_tokens_are_both_accepted() {
        let auth = InboundAuth::new(vec!["current".into(), "next".into()]);
        assert_eq!(auth.check(Some("Bearer current")).await, Ok(()));
        assert_eq!(auth.check(Some("bearer next")).await, Ok(()));
    }

    #[tokio::test]
    async fn missing_malformed_and_wrong_tokens_are_401() {
        let auth = InboundAuth::new(vec!["current".into()]);
        for header in
            [None, Some(""), Some("Basic current"), Some("Bearer"), Some("Bearer curren"), Some("Bearer currentx")]
        {
            assert_eq!(auth.check(header).await.err().map(|e| e.status()), Some(401), "{header:?}");
        }
    }

    #[tokio::test]
    async fn no_configured_token_rejects_everyone() {
        assert!(InboundAuth::new(vec![]).check(Some("Bearer x")).await.is_err());
    }

    #[test]
    fn token_secrets_parse_in_each_shape_and_errors_hide_the_value() {
        assert_eq!(parse_token_secret(r#"{"current":"a","next":"b"}"#), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(parse_token_secret(r#"{"current":"a"}"#), Ok(vec!["a".into()]));
        assert_eq!(parse_token_secret(r#"["a","b"]"#), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(parse_token_secret(" tok \n"), Ok(vec!["tok".into()]));
        for bad in ["", "{}", r#"{"current":""}"#, "{oops", "has space"] {
            let err = parse_token_secret(bad).err().unwrap_or_else(|| panic!("{bad:?} is accepted")).to_string();
            assert!(!err.is_empty() && !err.contains("oops") && !err.contains("has space"), "{bad:?}: {err}");
        }
    }
}
