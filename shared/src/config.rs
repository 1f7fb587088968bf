//! Configuration from the function environment (README, Configuration), and the state built once per
//! Lambda instance.

use std::sync::Arc;
use std::time::Duration;

use crate::aws::SecretStore;
use crate::databricks::account::{AccountId, AccountTarget, WorkspaceId, WorkspacePermission};
use crate::databricks::client::http_client;
use crate::databricks::credentials::SecretsManagerToken;
use crate::databricks::{Cloud, DatabricksClient, StaticToken, TokenSource};
use crate::deadline;
use crate::inbound::InboundAuth;
use crate::oauth::token::{SigningKeyError, parse_signing_keys};
use crate::oauth::{EndpointConfigError, TokenEndpoint, Verifier};

/// Why a function is not configured correctly: the variable that is missing or wrong (every
/// request is then a SCIM 503 naming it).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A required variable is not set.
    #[error("{0} is not set")]
    Missing(&'static str),
    /// `DATABRICKS_RETRY_BUDGET_MS` is not a number.
    #[error("DATABRICKS_RETRY_BUDGET_MS must be a number of milliseconds")]
    RetryBudget,
    /// `DATABRICKS_CLOUD` names no cloud.
    #[error("DATABRICKS_CLOUD must be aws, azure or gcp")]
    Cloud,
    /// `SCIM_PATCH_RESPONSE` names no answer.
    #[error("SCIM_PATCH_RESPONSE must be resource or no-content")]
    PatchResponse,
    /// No Databricks credential.
    #[error("neither DATABRICKS_SECRET_ID nor DATABRICKS_TOKEN is set")]
    NoDatabricksCredential,
    /// A secret id without the AWS configuration to read it.
    #[error("{0} needs an AWS configuration")]
    NeedsAws(&'static str),
    /// `OAUTH_SIGNING_KEYS` cannot be used.
    #[error("OAUTH_SIGNING_KEYS")]
    SigningKeys(#[source] SigningKeyError),
    /// The HTTP client cannot be built (no TLS roots).
    #[error("cannot build the HTTP client")]
    HttpClient(#[from] reqwest::Error),
    /// `DATABRICKS_HOST` or `DATABRICKS_ACCOUNTS_HOST` is not a URL.
    #[error("the Databricks host is not a valid URL")]
    Host(#[from] url::ParseError),
    /// `DATABRICKS_TARGET` names no target.
    #[error("DATABRICKS_TARGET must be workspace or account")]
    Target,
    /// `DATABRICKS_ACCOUNT_ID` is not an account id.
    #[error("DATABRICKS_ACCOUNT_ID must be the account id (letters, digits and -)")]
    AccountId,
    /// `DATABRICKS_ASSIGN_WORKSPACES` holds something that is not a workspace id.
    #[error("DATABRICKS_ASSIGN_WORKSPACES must be workspace ids (digits), comma-separated")]
    AssignWorkspaces,
    /// `DATABRICKS_ASSIGN_PERMISSION` names no permission.
    #[error("DATABRICKS_ASSIGN_PERMISSION must be USER or ADMIN")]
    AssignPermission,
    /// An account-only setting with the workspace target.
    #[error("{0} needs DATABRICKS_TARGET=account")]
    NeedsAccountTarget(&'static str),
}

/// Which Databricks API the bridge provisions (`DATABRICKS_TARGET`, docs/account-target.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The workspace SCIM API of `DATABRICKS_HOST` (workspace-local groups; the default).
    Workspace,
    /// The account SCIM API (account groups), assigning what it creates to workspaces.
    Account(AccountTarget),
}

impl Target {
    /// Reads the target settings; `cloud` gives the default accounts host.
    fn from_lookup(non_empty: impl Fn(&str) -> Option<String>, cloud: Cloud) -> Result<Target, ConfigError> {
        let account = match non_empty("DATABRICKS_TARGET").map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("workspace") => false,
            Some("account") => true,
            Some(_) => return Err(ConfigError::Target),
        };
        if !account {
            for name in [
                "DATABRICKS_ACCOUNT_ID",
                "DATABRICKS_ACCOUNTS_HOST",
                "DATABRICKS_ASSIGN_WORKSPACES",
                "DATABRICKS_ASSIGN_PERMISSION",
            ] {
                if non_empty(name).is_some() {
                    return Err(ConfigError::NeedsAccountTarget(name));
                }
            }
            return Ok(Target::Workspace);
        }
        let account_id = non_empty("DATABRICKS_ACCOUNT_ID").ok_or(ConfigError::Missing("DATABRICKS_ACCOUNT_ID"))?;
        let account_id = AccountId::parse(&account_id).ok_or(ConfigError::AccountId)?;
        let assign_workspaces = match non_empty("DATABRICKS_ASSIGN_WORKSPACES") {
            None => Vec::new(),
            Some(list) => {
                let ids: Option<Vec<WorkspaceId>> =
                    list.split(',').map(str::trim).filter(|w| !w.is_empty()).map(WorkspaceId::parse).collect();
                let mut unique: Vec<WorkspaceId> = Vec::new();
                for id in ids.ok_or(ConfigError::AssignWorkspaces)? {
                    if !unique.contains(&id) {
                        unique.push(id);
                    }
                }
                unique
            }
        };
        let assign_permission = match non_empty("DATABRICKS_ASSIGN_PERMISSION") {
            None => WorkspacePermission::User,
            Some(p) => WorkspacePermission::parse(&p).ok_or(ConfigError::AssignPermission)?,
        };
        let accounts_host = non_empty("DATABRICKS_ACCOUNTS_HOST").unwrap_or_else(|| cloud.accounts_host().to_string());
        Ok(Target::Account(AccountTarget { account_id, accounts_host, assign_workspaces, assign_permission }))
    }
}

/// The token endpoint's configuration from the function environment; its secrets, if any, are
/// read like the SCIM functions' (nothing of AWS at init, one HTTP client).
pub fn token_endpoint_from_env() -> TokenEndpoint {
    // The HTTP client (and its trust store) only when a secret is to be read.
    TokenEndpoint::from_env(|| http_client().map(SecretStore::from_env).map_err(|_| EndpointConfigError::NoHttpClient))
}

/// Settings read from the environment.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Databricks workspace URL (`DATABRICKS_HOST`).
    pub databricks_host: String,
    /// Databricks token (`DATABRICKS_TOKEN`), the local stand-in for the secret.
    pub databricks_token: Option<String>,
    /// Secrets Manager id of the Databricks credential (`DATABRICKS_SECRET_ID`); wins over the token.
    pub databricks_secret_id: Option<String>,
    /// Secrets Manager id of the inbound bearer tokens (`SCIM_TOKENS_SECRET_ID`); wins over the list.
    pub inbound_tokens_secret_id: Option<String>,
    /// Bearer tokens accepted from identity platforms (`SCIM_BEARER_TOKENS`, comma-separated:
    /// current and next during a rotation).
    pub inbound_tokens: Vec<String>,
    /// Secrets Manager id of the OAuth signing keys (`OAUTH_SIGNING_KEYS_SECRET_ID`): set, access
    /// tokens of the token endpoint are accepted besides the bearer tokens; wins over the value.
    pub oauth_signing_keys_secret_id: Option<String>,
    /// Local stand-in: the signing-key secret's value (`OAUTH_SIGNING_KEYS`).
    pub oauth_signing_keys: Option<String>,
    /// Public SCIM base URL (`SCIM_BASE_URL`), when a custom domain hides the gateway's own.
    pub public_base_url: Option<String>,
    /// Time budget for retrying throttled Databricks calls (`DATABRICKS_RETRY_BUDGET_MS`, at most
    /// [`deadline::MAX_RETRY_BUDGET`]).
    pub retry_budget: Duration,
    /// The workspace's cloud (`DATABRICKS_CLOUD`, else read from `DATABRICKS_HOST`).
    pub cloud: Cloud,
    /// What a successful PATCH answers (`SCIM_PATCH_RESPONSE`).
    pub patch_response: PatchResponse,
    /// The API provisioned (`DATABRICKS_TARGET` and the account settings).
    pub target: Target,
}

impl Config {
    /// The account target's settings, when the bridge provisions the account.
    pub fn account(&self) -> Option<&AccountTarget> {
        match &self.target {
            Target::Account(account) => Some(account),
            Target::Workspace => None,
        }
    }

    /// The account target's settings when it assigns what it creates to workspaces.
    pub fn assigning(&self) -> Option<&AccountTarget> {
        self.account().filter(|a| !a.assign_workspaces.is_empty())
    }
}

/// What a successful SCIM PATCH answers (RFC 7644 §3.5.2 allows both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchResponse {
    /// `200` with the resource: Databricks answers writes with `{}`, so this costs a read
    /// after the PATCH (members left out unless the PATCH changed them or were asked for).
    Resource,
    /// `204` without a body: one Databricks call for a deactivation or a membership change.
    /// A request that names `attributes` or `excludedAttributes` still gets `200` with the resource.
    NoContent,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("databricks_host", &self.databricks_host)
            .field("databricks_token", &self.databricks_token.as_ref().map(|_| "<redacted>"))
            .field("inbound_tokens", &format!("{} configured", self.inbound_tokens.len()))
            .field("databricks_secret_id", &self.databricks_secret_id)
            .field("inbound_tokens_secret_id", &self.inbound_tokens_secret_id)
            .field("oauth_signing_keys_secret_id", &self.oauth_signing_keys_secret_id)
            .field("oauth_signing_keys", &self.oauth_signing_keys.as_ref().map(|_| "<redacted>"))
            .field("public_base_url", &self.public_base_url)
            .field("retry_budget", &self.retry_budget)
            .field("cloud", &self.cloud)
            .field("patch_response", &self.patch_response)
            .field("target", &self.target)
            .finish()
    }
}

impl Config {
    /// Reads the configuration; the error names the variable that is missing or wrong.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same, from any lookup (tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let non_empty = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let databricks_host = non_empty("DATABRICKS_HOST").ok_or(ConfigError::Missing("DATABRICKS_HOST"))?;
        let retry_budget = match non_empty("DATABRICKS_RETRY_BUDGET_MS") {
            None => deadline::DEFAULT_RETRY_BUDGET,
            Some(ms) => Duration::from_millis(ms.parse::<u64>().map_err(|_| ConfigError::RetryBudget)?),
        };
        if retry_budget > deadline::MAX_RETRY_BUDGET {
            tracing::warn!(
                configured_ms = retry_budget.as_millis() as u64,
                used_ms = deadline::MAX_RETRY_BUDGET.as_millis() as u64,
                "DATABRICKS_RETRY_BUDGET_MS does not fit in the function timeout; lowered"
            );
        }
        let retry_budget = deadline::retry_budget(retry_budget);
        let cloud = match non_empty("DATABRICKS_CLOUD") {
            None => Cloud::of_host(&databricks_host),
            Some(name) => Cloud::parse(&name).ok_or(ConfigError::Cloud)?,
        };
        let patch_response = match non_empty("SCIM_PATCH_RESPONSE").map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("resource") => PatchResponse::Resource,
            Some("no-content") => PatchResponse::NoContent,
            Some(_) => return Err(ConfigError::PatchResponse),
        };
        let target = Target::from_lookup(non_empty, cloud)?;
        let inbound_tokens = non_empty("SCIM_BEARER_TOKENS")
            .map(|v| v.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect())
            .unwrap_or_default();
        Ok(Config {
            databricks_host,
            databricks_token: non_empty("DATABRICKS_TOKEN"),
            databricks_secret_id: non_empty("DATABRICKS_SECRET_ID"),
            inbound_tokens_secret_id: non_empty("SCIM_TOKENS_SECRET_ID"),
            inbound_tokens,
            oauth_signing_keys_secret_id: non_empty("OAUTH_SIGNING_KEYS_SECRET_ID"),
            oauth_signing_keys: non_empty("OAUTH_SIGNING_KEYS"),
            public_base_url: non_empty("SCIM_BASE_URL").map(|u| u.trim_end_matches('/').to_string()),
            retry_budget,
            cloud,
            patch_response,
            target,
        })
    }
}

/// Everything a request needs, built once per Lambda instance.
#[derive(Clone)]
pub struct AppState {
    /// The configuration.
    pub config: Arc<Config>,
    /// The Databricks client of the target (workspace or account SCIM API).
    pub databricks: DatabricksClient,
    /// The workspace's client (the same as `databricks` with the workspace target): Partner
    /// Connect's principals and tokens live in the workspace.
    pub workspace: DatabricksClient,
    /// Inbound bearer check.
    pub inbound: InboundAuth,
}

impl AppState {
    /// Builds the state from the function environment. Nothing of AWS is loaded at init: when a
    /// secret id is configured, the Secrets Manager client is built from Lambda's variables by
    /// the first read ([`SecretStore::from_env`]), which also starts reading the other secret.
    pub async fn from_env() -> Result<AppState, ConfigError> {
        let config = Config::from_env()?;
        let http = http_client()?;
        let store = (config.databricks_secret_id.is_some()
            || config.inbound_tokens_secret_id.is_some()
            || config.oauth_signing_keys_secret_id.is_some())
        .then(|| SecretStore::from_env(http.clone()));
        AppState::with_store(config, http, store)
    }

    /// Builds the state from a configuration and, where secrets are used, an AWS SDK configuration.
    pub fn build(config: Config, aws: Option<&aws_config::SdkConfig>) -> Result<AppState, ConfigError> {
        AppState::with_store(config, http_client()?, aws.map(SecretStore::new))
    }

    /// Builds the state from a configuration, the instance's HTTP client and, where secrets are
    /// used, a secret store. The Databricks credential and the inbound tokens, both read by an
    /// instance's first request, are read together ([`SecretStore::read_together`]).
    pub fn with_store(
        config: Config,
        http: reqwest::Client,
        store: Option<SecretStore>,
    ) -> Result<AppState, ConfigError> {
        let tokens = DatabricksTokens::of(&config, &http, store.as_ref())?;
        let inbound = match (&config.inbound_tokens_secret_id, &store) {
            (Some(id), Some(store)) => InboundAuth::from_secret(store.clone(), id.clone()),
            (Some(_), None) => return Err(ConfigError::NeedsAws("SCIM_TOKENS_SECRET_ID")),
            (None, _) => InboundAuth::new(config.inbound_tokens.clone()),
        };
        let inbound = match (&config.oauth_signing_keys_secret_id, &config.oauth_signing_keys, &store) {
            (Some(id), _, Some(store)) => inbound.with_access_tokens(Verifier::from_secret(store.clone(), id.clone())),
            (Some(_), _, None) => return Err(ConfigError::NeedsAws("OAUTH_SIGNING_KEYS_SECRET_ID")),
            (None, Some(keys), _) => {
                inbound.with_access_tokens(Verifier::fixed(parse_signing_keys(keys).map_err(ConfigError::SigningKeys)?))
            }
            (None, None, _) => inbound,
        };
        if let Some(store) = &store {
            store.read_together(config.databricks_secret_id.iter().chain(&config.inbound_tokens_secret_id).cloned());
        }
        Self::with_tokens(config, http, tokens, inbound)
    }

    /// Builds the state without AWS (local runs and tests with fixed tokens).
    pub fn new(config: Config) -> Result<AppState, ConfigError> {
        Self::build(config, None)
    }

    /// Builds the state from its parts, one token source for every Databricks API called.
    pub fn with_parts(
        config: Config,
        http: reqwest::Client,
        tokens: Arc<dyn TokenSource>,
        inbound: InboundAuth,
    ) -> Result<AppState, ConfigError> {
        let tokens = DatabricksTokens { target: Arc::clone(&tokens), workspace: tokens };
        Self::with_tokens(config, http, tokens, inbound)
    }

    fn with_tokens(
        config: Config,
        http: reqwest::Client,
        tokens: DatabricksTokens,
        inbound: InboundAuth,
    ) -> Result<AppState, ConfigError> {
        let (databricks, workspace) = match &config.target {
            Target::Workspace => {
                let client =
                    DatabricksClient::new(&config.databricks_host, http, tokens.workspace, config.retry_budget)?;
                (client.clone(), client)
            }
            Target::Account(account) => {
                let client = DatabricksClient::for_account(account, http, tokens.target, config.retry_budget)?;
                let workspace = client.workspace_companion(&config.databricks_host, tokens.workspace)?;
                (client, workspace)
            }
        };
        Ok(AppState { config: Arc::new(config), databricks, workspace, inbound })
    }
}

/// The Databricks token sources: the target's and the workspace's. They differ only for an
/// OAuth secret with the account target, which is exchanged at the account's token endpoint
/// for the account API and at the workspace's for the workspace API.
struct DatabricksTokens {
    target: Arc<dyn TokenSource>,
    workspace: Arc<dyn TokenSource>,
}

impl DatabricksTokens {
    fn of(
        config: &Config,
        http: &reqwest::Client,
        store: Option<&SecretStore>,
    ) -> Result<DatabricksTokens, ConfigError> {
        match (&config.databricks_secret_id, &config.databricks_token, store) {
            (Some(id), _, Some(store)) => {
                let workspace: Arc<dyn TokenSource> = Arc::new(SecretsManagerToken::new(
                    store.clone(),
                    id.clone(),
                    &config.databricks_host,
                    http.clone(),
                ));
                let target: Arc<dyn TokenSource> = match config.account() {
                    None => Arc::clone(&workspace),
                    Some(account) => Arc::new(SecretsManagerToken::exchanged_at(
                        store.clone(),
                        id.clone(),
                        account.token_url(),
                        http.clone(),
                    )),
                };
                Ok(DatabricksTokens { target, workspace })
            }
            (None, Some(token), _) => {
                let token: Arc<dyn TokenSource> = Arc::new(StaticToken::new(token.clone()));
                Ok(DatabricksTokens { target: Arc::clone(&token), workspace: token })
            }
            _ => Err(ConfigError::NoDatabricksCredential),
        }
    }
}

/// The state of unit tests: a fixed token and a Databricks host on a closed loopback port.
#[cfg(test)]
impl AppState {
    pub(crate) fn for_unit_tests() -> AppState {
        let config = Config::from_lookup(|k| match k {
            "DATABRICKS_HOST" => Some("http://127.0.0.1:9".into()),
            "DATABRICKS_TOKEN" => Some("t".into()),
            _ => None,
        });
        match config.and_then(AppState::new) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configuration_reads_tokens_and_never_prints_them() {
        let config = Config::from_lookup(|k| match k {
            "DATABRICKS_HOST" => Some("http://127.0.0.1:1".into()),
            "DATABRICKS_TOKEN" => Some("dapi-very-secret".into()),
            "SCIM_BEARER_TOKENS" => Some("current-secret, next-secret".into()),
            "OAUTH_SIGNING_KEYS" => Some(r#"{"current":"signing-key-0123456789abcdef0123456789"}"#.into()),
            _ => None,
        });
        let config = config.map_err(|e| e.to_string());
        assert_eq!(config.as_ref().map(|c| c.inbound_tokens.len()), Ok(2));
        let shown = format!("{config:?}");
        for value in ["dapi-very-secret", "current-secret", "next-secret", "signing-key-0123"] {
            assert!(!shown.contains(value), "{shown}");
        }
    }

    #[test]
    fn the_cloud_comes_from_the_host_unless_overridden_and_the_patch_answer_is_chosen() {
        let read = |cloud: Option<&str>, answer: Option<&str>| {
            Config::from_lookup(|k| match k {
                "DATABRICKS_HOST" => Some("https://adb-1.2.azuredatabricks.net".into()),
                "DATABRICKS_CLOUD" => cloud.map(String::from),
                "SCIM_PATCH_RESPONSE" => answer.map(String::from),
                _ => None,
            })
            .map(|c| (c.cloud, c.patch_response))
            .map_err(|e| e.to_string())
        };
        assert_eq!(read(None, None), Ok((Cloud::Azure, PatchResponse::Resource)));
        assert_eq!(read(Some("gcp"), Some("No-Content")), Ok((Cloud::Gcp, PatchResponse::NoContent)));
        assert!(read(Some("ibm"), None).is_err());
        assert!(read(None, Some("204")).is_err());
    }

    #[test]
    fn a_retry_budget_longer_than_the_function_timeout_allows_is_lowered() {
        let budget = |ms: Option<&str>| {
            Config::from_lookup(|k| match k {
                "DATABRICKS_HOST" => Some("https://dbc-1.cloud.databricks.com".into()),
                "DATABRICKS_RETRY_BUDGET_MS" => ms.map(String::from),
                _ => None,
            })
            .map(|c| c.retry_budget)
            .map_err(|e| e.to_string())
        };
        assert_eq!(budget(None), Ok(deadline::DEFAULT_RETRY_BUDGET));
        assert_eq!(budget(Some("3000")), Ok(Duration::from_secs(3)));
        assert_eq!(budget(Some("600000")), Ok(deadline::MAX_RETRY_BUDGET));
    }

    #[test]
    fn a_configuration_error_reads_as_one_line_naming_the_variable_and_what_is_wrong() {
        let err = Config::from_lookup(|k| match k {
            "DATABRICKS_HOST" => Some("http://127.0.0.1:1".into()),
            "DATABRICKS_TOKEN" => Some("t".into()),
            "OAUTH_SIGNING_KEYS" => Some(r#"{"current":"short-key"}"#.into()),
            _ => None,
        })
        .and_then(AppState::new)
        .err();
        assert_eq!(
            err.as_ref().map(|e| crate::scim::error::chain(e)).as_deref(),
            Some("OAUTH_SIGNING_KEYS: \"current\": a signing key must have at least 32 characters")
        );
    }

    fn target(vars: &[(&str, &str)]) -> Result<Target, String> {
        Config::from_lookup(|k| match k {
            "DATABRICKS_HOST" => Some("https://adb-1.2.azuredatabricks.net".into()),
            other => vars.iter().find(|(name, _)| *name == other).map(|(_, v)| v.to_string()),
        })
        .map(|c| c.target)
        .map_err(|e| e.to_string())
    }

    #[test]
    fn the_workspace_target_is_the_default_and_refuses_account_settings() {
        assert_eq!(target(&[]), Ok(Target::Workspace));
        assert_eq!(target(&[("DATABRICKS_TARGET", "Workspace")]), Ok(Target::Workspace));
        assert_eq!(
            target(&[("DATABRICKS_TARGET", "tenant")]),
            Err("DATABRICKS_TARGET must be workspace or account".into())
        );
        assert_eq!(
            target(&[("DATABRICKS_ASSIGN_WORKSPACES", "123")]),
            Err("DATABRICKS_ASSIGN_WORKSPACES needs DATABRICKS_TARGET=account".into())
        );
    }

    #[test]
    fn the_account_target_needs_an_account_id_and_reads_the_cloud_s_accounts_host_and_the_assignment() {
        assert_eq!(target(&[("DATABRICKS_TARGET", "account")]), Err("DATABRICKS_ACCOUNT_ID is not set".into()));
        assert!(target(&[("DATABRICKS_TARGET", "account"), ("DATABRICKS_ACCOUNT_ID", "a/b")]).is_err());
        let account = |extra: &[(&str, &str)]| {
            let mut vars = vec![("DATABRICKS_TARGET", "account"), ("DATABRICKS_ACCOUNT_ID", "acc-1")];
            vars.extend_from_slice(extra);
            match target(&vars) {
                Ok(Target::Account(a)) => Ok(a),
                other => Err(format!("{other:?}")),
            }
        };
        let plain = account(&[]).map(|a| (a.accounts_host, a.assign_workspaces.len(), a.assign_permission));
        assert_eq!(plain, Ok(("https://accounts.azuredatabricks.net".into(), 0, WorkspacePermission::User)));
        let assigned = account(&[
            ("DATABRICKS_ASSIGN_WORKSPACES", " 11, 22 ,11"),
            ("DATABRICKS_ASSIGN_PERMISSION", "admin"),
            ("DATABRICKS_ACCOUNTS_HOST", "https://accounts.cloud.databricks.us"),
        ])
        .map(|a| {
            let ids: Vec<String> = a.assign_workspaces.iter().map(|w| w.as_str().to_string()).collect();
            (a.accounts_host, ids, a.assign_permission)
        });
        assert_eq!(
            assigned,
            Ok((
                "https://accounts.cloud.databricks.us".into(),
                vec!["11".into(), "22".into()],
                WorkspacePermission::Admin
            ))
        );
        assert!(account(&[("DATABRICKS_ASSIGN_WORKSPACES", "11,x")]).is_err());
        assert!(account(&[("DATABRICKS_ASSIGN_PERMISSION", "owner")]).is_err());
    }

    #[test]
    fn a_missing_host_is_named_in_the_error() {
        let err = Config::from_lookup(|_| None).err().unwrap_or_else(|| panic!("no host is accepted")).to_string();
        assert!(err.contains("DATABRICKS_HOST"), "{err}");
    }
}
