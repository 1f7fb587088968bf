//! Where the Databricks credential comes from: locally an environment variable
//! ([`StaticToken`]); deployed, AWS Secrets Manager ([`SecretsManagerToken`]) — a PAT or an
//! OAuth M2M client id and secret — behind the same trait.

use std::future::Future;
use std::pin::Pin;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::DatabricksError;
use super::error::CredentialError;
use crate::aws::SecretStore;

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

/// What the Databricks credential secret holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabricksCredential {
    /// A personal access token (bare string, or JSON `{"host","token"}`).
    Pat(BearerToken),
    /// OAuth machine-to-machine: a service principal's client id and secret (JSON
    /// `{"host","client_id","client_secret"}`), exchanged at `/oidc/v1/token`.
    OAuth {
        /// The service principal's application id.
        client_id: String,
        /// Its OAuth secret.
        client_secret: BearerToken,
    },
}

/// Why a credential secret value cannot be used: what is wrong, never what the value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CredentialSecretError {
    /// Nothing but white space.
    #[error("the secret is empty")]
    Empty,
    /// A bare token with white space in it.
    #[error("a bare token must not contain white space")]
    WhiteSpace,
    /// Starts like a JSON object but is not one.
    #[error("the secret is not valid JSON")]
    NotJson,
    /// JSON without a usable credential.
    #[error("the JSON secret needs \"token\", or \"client_id\" and \"client_secret\"")]
    NoCredential,
}

/// Parses a credential secret value.
pub fn parse_credential(value: &str) -> Result<DatabricksCredential, CredentialSecretError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(CredentialSecretError::Empty);
    }
    if !value.starts_with('{') {
        if value.chars().any(char::is_whitespace) {
            return Err(CredentialSecretError::WhiteSpace);
        }
        return Ok(DatabricksCredential::Pat(BearerToken::new(value)));
    }
    let json: serde_json::Value = serde_json::from_str(value).map_err(|_| CredentialSecretError::NotJson)?;
    let field = |k: &str| json.get(k).and_then(serde_json::Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    match (field("token"), field("client_id"), field("client_secret")) {
        (Some(token), _, _) => Ok(DatabricksCredential::Pat(BearerToken::new(token))),
        (None, Some(id), Some(secret)) => {
            Ok(DatabricksCredential::OAuth { client_id: id.to_string(), client_secret: BearerToken::new(secret) })
        }
        _ => Err(CredentialSecretError::NoCredential),
    }
}

#[derive(Debug, Clone)]
struct CachedToken {
    token: BearerToken,
    /// When to fetch a fresh one (OAuth: shortly before expiry; PAT: never, until a 401).
    refresh_at: Option<Instant>,
}

/// The Databricks credential from AWS Secrets Manager, cached across warm invocations. A PAT is
/// used as is; an OAuth M2M secret is exchanged for a short-lived token, renewed a minute before
/// it expires. After a Databricks 401 the secret is read again, so rotation needs no redeploy.
pub struct SecretsManagerToken {
    store: SecretStore,
    secret_id: String,
    token_url: String,
    http: reqwest::Client,
    cache: Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for SecretsManagerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsManagerToken").field("secret_id", &self.secret_id).finish_non_exhaustive()
    }
}

impl SecretsManagerToken {
    /// Reads `secret_id`; OAuth secrets are exchanged at the workspace's `{host}/oidc/v1/token`
    /// over `http`.
    pub fn new(
        store: SecretStore,
        secret_id: impl Into<String>,
        host: &str,
        http: reqwest::Client,
    ) -> SecretsManagerToken {
        let token_url = format!("{}/oidc/v1/token", super::client::workspace_url(host));
        SecretsManagerToken::exchanged_at(store, secret_id, token_url, http)
    }

    /// Reads `secret_id`; OAuth secrets are exchanged at `token_url` (the account's is
    /// [`super::account::AccountTarget::token_url`]).
    pub fn exchanged_at(
        store: SecretStore,
        secret_id: impl Into<String>,
        token_url: String,
        http: reqwest::Client,
    ) -> SecretsManagerToken {
        SecretsManagerToken { store, secret_id: secret_id.into(), token_url, http, cache: Mutex::new(None) }
    }

    fn cached(&self) -> Option<BearerToken> {
        let guard = self.cache.lock().ok()?;
        let cached = guard.as_ref()?;
        match cached.refresh_at {
            Some(at) if Instant::now() >= at => None,
            _ => Some(cached.token.clone()),
        }
    }

    async fn fetch(&self) -> Result<CachedToken, DatabricksError> {
        let value = self.store.read(&self.secret_id).await.map_err(|e| {
            DatabricksError::Credential(CredentialError::Unreadable { secret_id: self.secret_id.clone(), source: e })
        })?;
        match parse_credential(&value).map_err(|reason| {
            DatabricksError::Credential(CredentialError::Unusable { secret_id: self.secret_id.clone(), source: reason })
        })? {
            DatabricksCredential::Pat(token) => Ok(CachedToken { token, refresh_at: None }),
            DatabricksCredential::OAuth { client_id, client_secret } => self.exchange(&client_id, &client_secret).await,
        }
    }

    /// OAuth client-credentials grant (Databricks M2M).
    async fn exchange(&self, client_id: &str, client_secret: &BearerToken) -> Result<CachedToken, DatabricksError> {
        #[derive(serde::Deserialize)]
        struct TokenAnswer {
            access_token: String,
            expires_in: Option<u64>,
        }
        let response = self
            .http
            .post(&self.token_url)
            .timeout(Duration::from_secs(10))
            .basic_auth(client_id, Some(client_secret.expose()))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=all-apis")
            .send()
            .await
            .map_err(|_| DatabricksError::Credential(CredentialError::TokenEndpointUnreachable))?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::BAD_REQUEST {
            return Err(DatabricksError::Credential(CredentialError::ClientCredentialsRefused(status.as_u16())));
        }
        if !status.is_success() {
            return Err(DatabricksError::Credential(CredentialError::TokenEndpointStatus(status.as_u16())));
        }
        let answer: TokenAnswer =
            response.json().await.map_err(|_| DatabricksError::Credential(CredentialError::TokenEndpointBody))?;
        // Clamp what the server says: at least a minute, at most a day.
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600).clamp(60, 86_400));
        let margin = Duration::from_secs(60).min(lifetime / 4);
        Ok(CachedToken {
            token: BearerToken::new(answer.access_token),
            refresh_at: Some(Instant::now() + lifetime - margin),
        })
    }
}

impl TokenSource for SecretsManagerToken {
    fn token(&self) -> BoxFuture<'_, Result<BearerToken, DatabricksError>> {
        Box::pin(async move {
            if let Some(token) = self.cached() {
                return Ok(token);
            }
            let fresh = self.fetch().await?;
            let token = fresh.token.clone();
            if let Ok(mut guard) = self.cache.lock() {
                *guard = Some(fresh);
            }
            Ok(token)
        })
    }

    fn invalidate(&self) -> bool {
        if let Ok(mut guard) = self.cache.lock() {
            *guard = None;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_secrets_parse_in_all_three_shapes() {
        assert_eq!(parse_credential(" dapi123 \n"), Ok(DatabricksCredential::Pat(BearerToken::new("dapi123"))));
        assert_eq!(
            parse_credential(r#"{"host":"https://h","token":"dapi9"}"#),
            Ok(DatabricksCredential::Pat(BearerToken::new("dapi9")))
        );
        assert_eq!(
            parse_credential(r#"{"host":"https://h","client_id":"c","client_secret":"s"}"#),
            Ok(DatabricksCredential::OAuth { client_id: "c".into(), client_secret: BearerToken::new("s") })
        );
    }

    #[test]
    fn malformed_credential_secrets_are_explained_without_their_value() {
        for bad in ["", "   ", "two words", "{not json", r#"{"host":"h"}"#, r#"{"client_id":"c"}"#] {
            let err = parse_credential(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(!err.is_empty(), "{bad:?}");
            assert!(!err.contains("words") && !err.contains("not json"), "{err}");
        }
    }

    #[test]
    fn a_bearer_token_never_shows_in_debug_output() {
        let token = BearerToken::new("dapi-secret-value");
        assert!(!format!("{token:?}").contains("secret"));
        assert!(!format!("{:?}", StaticToken::new("dapi-secret-value")).contains("secret"));
    }
}
