//! OAuth 2.0 client credentials (RFC 6749 §4.4), for identity-governance platforms that prefer
//! them to a static bearer token (One Identity Manager's SCIM connector: docs/identity-platforms.md
//! row OI-4). Off unless configured (README, "OAuth client credentials").
//!
//! - The token endpoint (`oauth-token`, `POST /oauth/token`, [`crate::http::oauth`]) authenticates
//!   a client against the clients secret ([`clients`]) and answers a short-lived access token
//!   ([`token`]) signed with the `current` signing key.
//! - Every SCIM function verifies such a token with the signing keys alone ([`Verifier`]): no
//!   network call per request; the keys are read once per cache period, and again (at most every
//!   30 s) when a token names a key id the function does not know yet.
//! - Rotation: `next` is accepted before anything signs with it, `previous` after it stopped
//!   signing, and a key's id follows the key, not its slot — so moving a key from `next` to
//!   `current` to `previous` never refuses a valid token.
//!
//! No lambda_http types here: the endpoint's HTTP side is [`crate::http::oauth`].

pub mod clients;
pub mod source;
pub mod token;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::aws::SecretStore;
use crate::scim::ScimError;
use clients::{ClientRefusal, Clients};
use source::{SecretValue, Source};
use token::{KeySet, TokenError};

/// Default lifetime of an access token.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(900);
/// The one scope a client may ask for (or none).
pub const SCOPE: &str = "scim";

/// Verifies access tokens in the SCIM functions.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Source<KeySet>,
}

impl Verifier {
    /// Verifies with fixed keys (local runs, tests).
    pub fn fixed(keys: KeySet) -> Verifier {
        Verifier { keys: Source::fixed(keys) }
    }

    /// Verifies with the keys of a signing-key secret, cached.
    pub fn from_secret(store: SecretStore, secret_id: impl Into<String>) -> Verifier {
        Verifier { keys: Source::secret(store, secret_id) }
    }

    /// Changes the key cache lifetime and the least time between re-reads after an unknown key
    /// id (tests use zero for both).
    pub fn with_cache_timings(self, ttl: Duration, miss_reread: Duration) -> Verifier {
        Verifier { keys: self.keys.with_cache_timings(ttl, miss_reread) }
    }

    /// Verifies an access token now: its claims, or a SCIM 401 saying why (503 when the keys
    /// cannot be read).
    pub async fn verify(&self, access_token: &str) -> Result<token::Claims, ScimError> {
        let unavailable = |_| {
            ScimError::unavailable("the service cannot verify access tokens right now (signing-key secret unavailable)")
        };
        let mut keys = self.keys.get().await.map_err(unavailable)?;
        if let Some(kid) = token::kid_of(access_token)
            && keys.find(&kid).is_none()
            && let Some(newer) = self.keys.reread_after_miss().await.map_err(unavailable)?
        {
            keys = newer;
        }
        token::verify(&keys, access_token, token::now()).map_err(|e: TokenError| ScimError::Unauthorized(e.to_string()))
    }
}

/// An RFC 6749 §5.2 error answer of the token endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// HTTP status.
    pub status: u16,
    /// The `error` code.
    pub code: &'static str,
    /// The `error_description` (printable ASCII without `"` and `\`, RFC 6749 §5.2).
    pub description: String,
}

impl OAuthError {
    fn new(status: u16, code: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError { status, code, description: description.into() }
    }
    /// 400 `invalid_request`.
    pub fn invalid_request(description: impl Into<String>) -> OAuthError {
        Self::new(400, "invalid_request", description)
    }
    /// 401 `invalid_client` (the answer carries `WWW-Authenticate: Basic`).
    pub fn invalid_client(description: impl Into<String>) -> OAuthError {
        Self::new(401, "invalid_client", description)
    }
    /// 400 `unsupported_grant_type`.
    pub fn unsupported_grant_type(description: impl Into<String>) -> OAuthError {
        Self::new(400, "unsupported_grant_type", description)
    }
    /// 400 `invalid_scope`.
    pub fn invalid_scope(description: impl Into<String>) -> OAuthError {
        Self::new(400, "invalid_scope", description)
    }
    /// 503 `temporarily_unavailable`: a secret cannot be read or the endpoint is misconfigured.
    pub fn unavailable(description: impl Into<String>) -> OAuthError {
        Self::new(503, "temporarily_unavailable", description)
    }

    /// The JSON body (RFC 6749 §5.2).
    pub fn to_body(&self) -> OAuthErrorBody<'_> {
        OAuthErrorBody { error: self.code, error_description: &self.description }
    }
}

/// A token request as the endpoint sees it (no HTTP types).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenRequest {
    /// HTTP method, upper-case.
    pub method: String,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// The body of a refusal (RFC 6749 §5.2).
#[derive(Debug, Serialize)]
pub struct OAuthErrorBody<'a> {
    /// The error code (`invalid_client`, …).
    pub error: &'a str,
    /// What is wrong, for people.
    pub error_description: &'a str,
}

/// The body of a successful token answer (RFC 6749 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenAnswer {
    /// The access token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the token is valid for.
    pub expires_in: u64,
    /// The scope the client asked for, echoed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A successful token answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The JSON body.
    pub body: TokenAnswer,
    /// The client it was issued to (not secret; logged).
    pub client_id: String,
}

/// Why the token endpoint is not configured correctly (logged once at start; every request is
/// then a 503).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointConfigError {
    /// A secret id without the AWS configuration to read it.
    #[error("{0} needs an AWS configuration")]
    NeedsAws(&'static str),
    /// `OAUTH_CLIENTS` cannot be used.
    #[error("OAUTH_CLIENTS")]
    Clients(#[source] clients::ClientsError),
    /// `OAUTH_SIGNING_KEYS` cannot be used.
    #[error("OAUTH_SIGNING_KEYS")]
    SigningKeys(#[source] token::SigningKeyError),
    /// Clients but no signing keys.
    #[error("OAuth clients are configured but no signing keys (OAUTH_SIGNING_KEYS_SECRET_ID)")]
    NoSigningKeys,
    /// The HTTP client that reads the secrets cannot be built (no TLS roots).
    #[error("cannot build the HTTP client that reads the secrets")]
    NoHttpClient,
    /// A token lifetime out of range.
    #[error("OAUTH_TOKEN_LIFETIME_SECS must be 60 to 3600 seconds")]
    Lifetime,
}

/// The token endpoint's configuration: off, broken (with the reason), or its clients, keys and
/// token lifetime.
#[derive(Debug, Clone)]
pub enum TokenEndpoint {
    /// Not configured: the endpoint answers 404.
    Off,
    /// Configured wrongly: every request is a 503 `temporarily_unavailable` (the reason is logged
    /// once at start).
    Broken(EndpointConfigError),
    /// Serving.
    On {
        /// The registered clients.
        clients: Source<Clients>,
        /// The signing keys.
        keys: Source<KeySet>,
        /// Lifetime of the tokens issued.
        lifetime: Duration,
    },
}

/// The client's credentials as presented: HTTP Basic (RFC 6749 §2.3.1, id and secret
/// form-encoded before Base64) or `client_id`/`client_secret` in the body.
fn basic_credentials(authorization: &str) -> Result<(String, String), OAuthError> {
    let refused =
        || OAuthError::invalid_client("the Authorization header is not valid HTTP Basic client authentication");
    let (scheme, value) = authorization.trim().split_once(' ').ok_or_else(refused)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(
            "unsupported client authentication: use HTTP Basic or client_id and client_secret in the body",
        ));
    }
    let decoded = STANDARD.decode(value.trim()).map_err(|_| refused())?;
    let decoded = String::from_utf8(decoded).map_err(|_| refused())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(refused)?;
    let form_decode =
        |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8().map(|c| c.into_owned());
    Ok((form_decode(id).map_err(|_| refused())?, form_decode(secret).map_err(|_| refused())?))
}

/// The body's parameters; a repeated one is an error (RFC 6749 §3.2), an empty one is omitted
/// (§3.1).
fn form_parameters(body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (key, value) in form_urlencoded::parse(body) {
        if out.iter().any(|(k, _)| *k == key) {
            return Err(OAuthError::invalid_request(format!("the parameter {key} is repeated")));
        }
        if !value.is_empty() {
            out.push((key.into_owned(), value.into_owned()));
        }
    }
    Ok(out)
}

/// Why a value configured for the token endpoint cannot be used.
enum Unusable<E> {
    /// The secret id in this variable needs an AWS configuration.
    NeedsAws(&'static str),
    /// The value given directly does not parse.
    Invalid(E),
}

/// A value the token endpoint reads from a secret (its id in `secret_variable`) or, on local
/// runs, takes as it is (`value`); `None` when neither is set.
fn configured<T: SecretValue>(
    secret_variable: &'static str,
    value: Option<String>,
    non_empty: &impl Fn(&str) -> Option<String>,
    store: &Option<SecretStore>,
) -> Result<Option<Source<T>>, Unusable<T::Error>> {
    match (non_empty(secret_variable), value, store) {
        (Some(id), _, Some(store)) => Ok(Some(Source::secret(store.clone(), id))),
        (Some(_), _, None) => Err(Unusable::NeedsAws(secret_variable)),
        (None, Some(value), _) => T::parse(&value).map(|v| Some(Source::fixed(v))).map_err(Unusable::Invalid),
        (None, None, _) => Ok(None),
    }
}

impl TokenEndpoint {
    /// Reads the configuration; `store` is needed when a secret id is set.
    ///
    /// `OAUTH_CLIENTS_SECRET_ID` or (local) `OAUTH_CLIENTS`; `OAUTH_SIGNING_KEYS_SECRET_ID` or
    /// (local) `OAUTH_SIGNING_KEYS`; `OAUTH_TOKEN_LIFETIME_SECS` (60–3600, default 900). Without
    /// clients the endpoint is off.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>, store: Option<SecretStore>) -> TokenEndpoint {
        let non_empty = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let clients = match configured("OAUTH_CLIENTS_SECRET_ID", non_empty("OAUTH_CLIENTS"), &non_empty, &store) {
            Ok(Some(clients)) => clients,
            Ok(None) => return TokenEndpoint::Off,
            Err(Unusable::NeedsAws(variable)) => return TokenEndpoint::Broken(EndpointConfigError::NeedsAws(variable)),
            Err(Unusable::Invalid(reason)) => return TokenEndpoint::Broken(EndpointConfigError::Clients(reason)),
        };
        let keys = match configured("OAUTH_SIGNING_KEYS_SECRET_ID", non_empty("OAUTH_SIGNING_KEYS"), &non_empty, &store)
        {
            Ok(Some(keys)) => keys,
            Ok(None) => return TokenEndpoint::Broken(EndpointConfigError::NoSigningKeys),
            Err(Unusable::NeedsAws(variable)) => return TokenEndpoint::Broken(EndpointConfigError::NeedsAws(variable)),
            Err(Unusable::Invalid(reason)) => return TokenEndpoint::Broken(EndpointConfigError::SigningKeys(reason)),
        };
        let lifetime = match non_empty("OAUTH_TOKEN_LIFETIME_SECS").map(|s| s.parse::<u64>()) {
            None => DEFAULT_LIFETIME,
            Some(Ok(secs)) if (60..=token::MAX_LIFETIME_SECS).contains(&secs) => Duration::from_secs(secs),
            Some(_) => return TokenEndpoint::Broken(EndpointConfigError::Lifetime),
        };
        TokenEndpoint::On { clients, keys, lifetime }
    }

    /// Reads the configuration from the function environment; `store` makes the secret store
    /// when a secret id is set (as the SCIM functions do: nothing of AWS at init, the client built
    /// from Lambda's variables by the first read, [`SecretStore::from_env`]).
    pub fn from_env(store: impl FnOnce() -> Result<SecretStore, EndpointConfigError>) -> TokenEndpoint {
        let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if get("OAUTH_CLIENTS_SECRET_ID").is_none() && get("OAUTH_SIGNING_KEYS_SECRET_ID").is_none() {
            return Self::from_lookup(get, None);
        }
        match store() {
            Ok(store) => Self::from_lookup(get, Some(store)),
            Err(broken) => TokenEndpoint::Broken(broken),
        }
    }

    /// Changes the cache timings of both secrets (tests use zero).
    pub fn with_cache_timings(self, ttl: Duration, miss_reread: Duration) -> TokenEndpoint {
        match self {
            TokenEndpoint::On { clients, keys, lifetime } => TokenEndpoint::On {
                clients: clients.with_cache_timings(ttl, miss_reread),
                keys: keys.with_cache_timings(ttl, miss_reread),
                lifetime,
            },
            other => other,
        }
    }

    /// Serves one token request (RFC 6749 §4.4.2, §5.1, §5.2).
    pub async fn grant(&self, request: &TokenRequest) -> Result<Issued, OAuthError> {
        let (clients, keys, lifetime) = match self {
            TokenEndpoint::Off => {
                return Err(OAuthError::new(
                    404,
                    "invalid_request",
                    "this bridge has no OAuth token endpoint: client credentials are not enabled",
                ));
            }
            TokenEndpoint::Broken(_) => {
                return Err(OAuthError::unavailable("the token endpoint is not configured correctly"));
            }
            TokenEndpoint::On { clients, keys, lifetime } => (clients, keys, *lifetime),
        };
        if request.method != "POST" {
            return Err(OAuthError::new(405, "invalid_request", "the token endpoint takes POST"));
        }
        let form = request.content_type.as_deref().is_some_and(|c| {
            c.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        });
        if !form {
            return Err(OAuthError::invalid_request(
                "the body must be application/x-www-form-urlencoded (RFC 6749 section 4.4.2)",
            ));
        }
        let params = form_parameters(&request.body)?;
        let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        match param("grant_type") {
            None => return Err(OAuthError::invalid_request("grant_type is required")),
            Some("client_credentials") => {}
            Some(_) => {
                return Err(OAuthError::unsupported_grant_type("only grant_type=client_credentials is supported"));
            }
        }
        let (client_id, secret) =
            match (request.authorization.as_deref().filter(|a| !a.trim().is_empty()), param("client_secret")) {
                (Some(_), Some(_)) => {
                    return Err(OAuthError::invalid_request(
                        "use one client authentication method: HTTP Basic or client_secret in the body, not both",
                    ));
                }
                (Some(header), None) => {
                    let (id, secret) = basic_credentials(header)?;
                    if param("client_id").is_some_and(|body_id| body_id != id) {
                        return Err(OAuthError::invalid_request(
                            "client_id in the body differs from the client in the Authorization header",
                        ));
                    }
                    (id, secret)
                }
                (None, Some(secret)) => match param("client_id") {
                    Some(id) => (id.to_string(), secret.to_string()),
                    None => return Err(OAuthError::invalid_request("client_id is required with client_secret")),
                },
                (None, None) => {
                    return Err(OAuthError::invalid_client(
                        "client authentication is required: HTTP Basic, or client_id and client_secret in the body",
                    ));
                }
            };
        let scope = match param("scope") {
            None => None,
            Some(s) if s.split(' ').filter(|p| !p.is_empty()).all(|p| p == SCOPE) => Some(SCOPE),
            Some(_) => return Err(OAuthError::invalid_scope("the only scope is scim")),
        };
        let unavailable = |_| OAuthError::unavailable("the token endpoint cannot read its configuration right now");
        let registered = clients.get().await.map_err(unavailable)?;
        let mut outcome = registered.authenticate(&client_id, &secret);
        if outcome.is_err()
            && let Some(newer) = clients.reread_after_miss().await.map_err(unavailable)?
        {
            outcome = newer.authenticate(&client_id, &secret);
        }
        if let Err(refusal) = outcome {
            match refusal {
                // An unknown id may be a secret pasted into the wrong field: never logged.
                ClientRefusal::UnknownClient => tracing::warn!("token request refused: unknown client id"),
                ClientRefusal::WrongSecret => {
                    tracing::warn!(client_id = %client_id, "token request refused: wrong client secret")
                }
            }
            return Err(OAuthError::invalid_client("client authentication failed"));
        }
        let keys: Arc<KeySet> = keys.get().await.map_err(unavailable)?;
        let access_token = token::issue(keys.current(), &client_id, token::now(), lifetime.as_secs());
        let body = TokenAnswer {
            access_token,
            token_type: "Bearer",
            expires_in: lifetime.as_secs(),
            scope: scope.map(String::from),
        };
        tracing::info!(client_id = %client_id, expires_in = lifetime.as_secs(), "access token issued");
        Ok(Issued { body, client_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded_after_base64() {
        let header = format!("Basic {}", STANDARD.encode("my%20client:p%40ss+word"));
        assert_eq!(basic_credentials(&header), Ok(("my client".into(), "p@ss word".into())));
        assert_eq!(basic_credentials("basic bm9jb2xvbg==").map_err(|e| e.code), Err("invalid_client"));
        assert_eq!(basic_credentials("Bearer x").map_err(|e| e.code), Err("invalid_client"));
    }

    #[test]
    fn repeated_parameters_are_refused_and_empty_ones_omitted() {
        assert_eq!(form_parameters(b"a=1&b=").map(|p| p.len()), Ok(1));
        assert_eq!(form_parameters(b"a=1&a=2").map_err(|e| e.code), Err("invalid_request"));
    }
}
