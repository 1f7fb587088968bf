//! What a Databricks call can end in, and its one translation into SCIM errors.

use std::sync::Arc;

use super::credentials::CredentialSecretError;
use crate::aws::SecretError;
use crate::scim::{Resource, ScimError};

/// A failed Databricks call. `detail` holds Databricks' own text: it may echo e-mail
/// addresses, so it goes into client answers only where noted and never into logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabricksError {
    /// 404.
    #[error("Databricks: not found")]
    NotFound {
        /// The resource of the endpoint called (none for the token API).
        resource: Option<Resource>,
        /// Databricks' detail.
        detail: String,
    },
    /// A 409, also after throttled attempts were retried: Databricks refuses a throttled
    /// call before doing it, so the conflict is with an object someone else made (a
    /// concurrent create of the same name), never with an earlier attempt of this call.
    #[error("Databricks: conflict")]
    Conflict {
        /// The resource of the endpoint called.
        resource: Option<Resource>,
        /// Databricks' detail.
        detail: String,
    },
    /// 400 (and other 4xx that are the request's fault).
    #[error("Databricks: bad request")]
    BadRequest {
        /// Databricks' `scimType`, when it sent one (`invalidPath`, `noTarget`, …).
        scim_type: Option<String>,
        /// Databricks' detail.
        detail: String,
    },
    /// 401: our credential was refused.
    #[error("Databricks refused the bridge's credential (HTTP {status})")]
    Unauthorized {
        /// 401 or 403.
        status: u16,
    },
    /// 403: the credential is valid but may not do this.
    #[error("Databricks: permission denied")]
    Forbidden {
        /// Databricks' detail.
        detail: String,
    },
    /// 429, or 500 `REQUEST_LIMIT_EXCEEDED`, past the retry budget.
    #[error("Databricks is throttling")]
    Throttled {
        /// What Databricks asked us to wait, in seconds.
        retry_after_secs: u64,
    },
    /// Any other 5xx: the outcome of a write is unknown.
    #[error("Databricks answered HTTP {status}")]
    Server {
        /// HTTP status.
        status: u16,
        /// Databricks' detail or message (may be empty).
        detail: String,
    },
    /// The Lambda deadline is too near to start the call: it was not sent.
    #[error("no time is left before the deadline to call Databricks")]
    NoTimeLeft,
    /// No answer (connection refused or dropped, timeout): the outcome of a write is unknown.
    #[error("Databricks could not be reached")]
    Transport(#[source] TransportError),
    /// A 2xx whose body is not what the API documents.
    #[error("Databricks answered an unexpected body: {0}")]
    InvalidResponse(String),
    /// The credential could not be obtained.
    #[error("the Databricks credential is unavailable")]
    Credential(#[source] CredentialError),
    /// The permission-assignment API refused the call (400, 403, 404, or an `error` in its
    /// answer): a wrong workspace id, or a credential that is no account admin.
    #[error("Databricks refused the workspace assignment (HTTP {status})")]
    AssignmentRefused {
        /// The workspace (configuration, not personal data).
        workspace: String,
        /// The HTTP status.
        status: u16,
    },
    /// A write would set an attribute only a workspace holds (`entitlements`, `groups`) through
    /// the account API; nothing was sent.
    #[error("{attribute} cannot be set through the Databricks account API")]
    WorkspaceOnly {
        /// The attribute.
        attribute: &'static str,
    },
}

/// Why no answer came: what happened, and reqwest's error (its URL removed: a filter in it may
/// hold an e-mail address).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{what}")]
pub struct TransportError {
    what: &'static str,
    #[source]
    source: Arc<reqwest::Error>,
}

impl TransportError {
    /// The failure of a request that got no answer.
    pub fn new(error: reqwest::Error) -> TransportError {
        let what = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "connection failed"
        } else {
            "connection closed without an answer"
        };
        TransportError { what, source: Arc::new(error.without_url()) }
    }
}

/// Transport failures are alike when they failed the same way.
impl PartialEq for TransportError {
    fn eq(&self, other: &TransportError) -> bool {
        self.what == other.what
    }
}

impl Eq for TransportError {}

/// Why the Databricks credential could not be obtained. Never holds the credential; names the
/// secret (its id, not its value) for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// Secrets Manager did not give the secret.
    #[error("the Databricks credential secret {secret_id} cannot be read")]
    Unreadable {
        /// The secret's id.
        secret_id: String,
        /// Why.
        #[source]
        source: SecretError,
    },
    /// The secret's value is not a credential.
    #[error("the Databricks credential secret {secret_id} cannot be used")]
    Unusable {
        /// The secret's id.
        secret_id: String,
        /// What is wrong with the value.
        #[source]
        source: CredentialSecretError,
    },
    /// The OAuth token endpoint (M2M) could not be reached.
    #[error("the OAuth token endpoint could not be reached")]
    TokenEndpointUnreachable,
    /// The OAuth token endpoint refused the client id and secret (HTTP 400 or 401).
    #[error("the OAuth token endpoint refused the client credentials (HTTP {0})")]
    ClientCredentialsRefused(u16),
    /// The OAuth token endpoint failed otherwise.
    #[error("the OAuth token endpoint answered HTTP {0}")]
    TokenEndpointStatus(u16),
    /// The OAuth token endpoint answered without a token.
    #[error("the OAuth token endpoint answered an unexpected body")]
    TokenEndpointBody,
}

impl CredentialError {
    /// What the client is told: why, without the secret's id.
    pub fn reason(&self) -> String {
        match self {
            CredentialError::Unreadable { source, .. } => crate::scim::error::chain(source),
            CredentialError::Unusable { source, .. } => crate::scim::error::chain(source),
            _ => self.to_string(),
        }
    }
}

impl DatabricksError {
    /// The same error, said of `resource` (the endpoint it came from): its 404 and 409 then
    /// name the resource.
    pub fn concerning(self, resource: Resource) -> DatabricksError {
        match self {
            DatabricksError::NotFound { detail, .. } => DatabricksError::NotFound { resource: Some(resource), detail },
            DatabricksError::Conflict { detail, .. } => DatabricksError::Conflict { resource: Some(resource), detail },
            other => other,
        }
    }

    /// The same error from the permission-assignment API: a refusal names the workspace (a
    /// 404 there is no missing principal: a wrong workspace id answers it too).
    pub fn refusing_assignment(self, workspace: &super::account::WorkspaceId) -> DatabricksError {
        let status = match &self {
            DatabricksError::NotFound { .. } => 404,
            DatabricksError::Forbidden { .. } => 403,
            DatabricksError::BadRequest { .. } | DatabricksError::Conflict { .. } => 400,
            _ => return self,
        };
        DatabricksError::AssignmentRefused { workspace: workspace.as_str().to_string(), status }
    }

    /// True when a write may or may not have happened (re-read before doing anything else).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, DatabricksError::Server { .. } | DatabricksError::Transport(_))
    }

    /// Short stable name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            DatabricksError::NotFound { .. } => "not_found",
            DatabricksError::Conflict { .. } => "conflict",
            DatabricksError::BadRequest { .. } => "bad_request",
            DatabricksError::Unauthorized { .. } => "unauthorized",
            DatabricksError::Forbidden { .. } => "forbidden",
            DatabricksError::Throttled { .. } => "throttled",
            DatabricksError::Server { .. } => "server_error",
            DatabricksError::Transport(_) => "transport",
            DatabricksError::InvalidResponse(_) => "invalid_response",
            DatabricksError::Credential(_) => "credential",
            DatabricksError::NoTimeLeft => "no_time_left",
            DatabricksError::WorkspaceOnly { .. } => "workspace_only",
            DatabricksError::AssignmentRefused { .. } => "assignment_refused",
        }
    }

    /// Databricks said the PATCH removes something the resource does not have: `invalidPath`
    /// "No such attribute …" (terraform-provider-databricks PR #2409) or `noTarget`.
    pub fn is_absent_target(&self) -> bool {
        match self {
            DatabricksError::BadRequest { scim_type, detail } => {
                scim_type.as_deref() == Some("noTarget") || detail.contains("No such attribute")
            }
            _ => false,
        }
    }
}

/// The single Databricks-to-SCIM table: operations do not re-map. A 404 and a 409 name the
/// resource they concern; a 502 or 503 keeps the Databricks error as its cause, for the log.
impl From<DatabricksError> for ScimError {
    fn from(err: DatabricksError) -> ScimError {
        let scim = match &err {
            DatabricksError::NotFound { resource: Some(resource), .. } => ScimError::no_such(*resource),
            DatabricksError::NotFound { resource: None, .. } => {
                ScimError::NotFound("the resource does not exist".into())
            }
            DatabricksError::Conflict { resource: Some(resource), .. } => {
                ScimError::Uniqueness(resource.already_exists().into())
            }
            DatabricksError::Conflict { resource: None, .. } => {
                ScimError::Uniqueness("the resource conflicts with an existing one".into())
            }
            DatabricksError::BadRequest { detail, .. } => ScimError::InvalidValue(format!(
                "Databricks rejected the request: {}",
                crate::scim::patch::truncate(detail)
            )),
            DatabricksError::Unauthorized { status } => ScimError::bad_gateway(format!(
                "Databricks refused the bridge's credential (HTTP {status}); check the configured secret"
            )),
            DatabricksError::Forbidden { .. } => ScimError::bad_gateway(
                "Databricks refused the operation to the bridge's credential (HTTP 403); it must be a workspace admin \
                 (an account admin with DATABRICKS_TARGET=account)",
            ),
            DatabricksError::Throttled { retry_after_secs } => {
                ScimError::Throttled { retry_after_secs: *retry_after_secs }
            }
            DatabricksError::Server { status, .. } => ScimError::bad_gateway(format!(
                "Databricks answered HTTP {status}; the change may not have been applied, read the resource before retrying"
            )),
            DatabricksError::Transport(_) => ScimError::bad_gateway(
                "Databricks could not be reached; the change may not have been applied, read the resource before retrying",
            ),
            DatabricksError::InvalidResponse(_) => {
                ScimError::bad_gateway("Databricks answered with an unexpected body")
            }
            DatabricksError::Credential(reason) => ScimError::unavailable(format!(
                "the Databricks credential is unavailable: {}",
                crate::scim::error::chain(reason)
            )),
            DatabricksError::NoTimeLeft => ScimError::unavailable(
                "the request ran out of time before Databricks could be called; nothing was changed, retry",
            ),
            DatabricksError::AssignmentRefused { workspace, status } => ScimError::bad_gateway(format!(
                "Databricks refused to assign the principal to workspace {workspace} (HTTP {status}); check \
                 DATABRICKS_ASSIGN_WORKSPACES and that the bridge's service principal is an account admin"
            )),
            DatabricksError::WorkspaceOnly { attribute } => ScimError::InvalidValue(format!(
                "{attribute} cannot be set through the Databricks account API (this bridge provisions the \
                 account: its users, groups and service principals have no {attribute}); nothing was changed. \
                 Entitlements are set by a workspace admin in the workspace; membership of a group is changed \
                 through that group's members"
            )),
        };
        scim.caused_by(err)
    }
}
