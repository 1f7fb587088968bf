//! Where the Databricks credential comes from. Locally an environment variable; deployed,
//! Secrets Manager (a later issue) behind the same trait.

use std::future::Future;
use std::pin::Pin;

use super::DatabricksError;

/// A boxed future, so the trait stays usable as `Arc<dyn TokenSource>`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A bearer token that never shows itself in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> BearerToken {
        BearerToken(token.into())
    }

    /// The token, for the Authorization header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// Supplies the Databricks bearer token.
pub trait TokenSource: Send + Sync {
    /// The current token (cached by the implementation as it sees fit).
    fn token(&self) -> BoxFuture<'_, Result<BearerToken, DatabricksError>>;

    /// Databricks refused the token: forget any cached value. Returns true when a fresh
    /// read may give a different token, so one retry is worth it.
    fn invalidate(&self) -> bool;
}

/// A fixed token, e.g. from `DATABRICKS_TOKEN` for the local stack and tests.
#[derive(Debug, Clone)]
pub struct StaticToken(BearerToken);

impl StaticToken {
    /// Wraps a fixed token.
    pub fn new(token: impl Into<String>) -> StaticToken {
        StaticToken(BearerToken::new(token))
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<BearerToken, DatabricksError>> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }

    fn invalidate(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_token_never_shows_in_debug_output() {
        let token = BearerToken::new("dapi-secret-value");
        assert!(!format!("{token:?}").contains("secret"));
        assert!(!format!("{:?}", StaticToken::new("dapi-secret-value")).contains("secret"));
    }
}
