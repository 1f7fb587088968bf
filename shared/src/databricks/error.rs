//! What a Databricks call can end in, and its one translation into SCIM errors.

use crate::scim::ScimError;

/// A failed Databricks call. `detail` holds Databricks' own text: it may echo e-mail
/// addresses, so it goes into client answers only where noted and never into logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabricksError {
    /// 404.
    #[error("Databricks: not found")]
    NotFound {
        /// Databricks' detail.
        detail: String,
    },
    /// A 409, also after throttled attempts were retried: Databricks refuses a throttled
    /// call before doing it, so the conflict is with an object someone else made (a
    /// concurrent create of the same name), never with an earlier attempt of this call.
    #[error("Databricks: conflict")]
    Conflict {
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
    #[error("Databricks could not be reached: {0}")]
    Transport(String),
    /// A 2xx whose body is not what the API documents.
    #[error("Databricks answered an unexpected body: {0}")]
    InvalidResponse(String),
    /// The credential could not be obtained.
    #[error("the Databricks credential is unavailable: {0}")]
    Credential(String),
}

impl DatabricksError {
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

/// The single Databricks-to-SCIM table. Operations that know better (a 409 on create is a
/// duplicate userName) map the error themselves before this one applies.
impl From<DatabricksError> for ScimError {
    fn from(err: DatabricksError) -> ScimError {
        match err {
            DatabricksError::NotFound { .. } => ScimError::NotFound("the resource does not exist".into()),
            DatabricksError::Conflict { .. } => {
                ScimError::Uniqueness("the resource conflicts with an existing one".into())
            }
            DatabricksError::BadRequest { detail, .. } => ScimError::InvalidValue(format!(
                "Databricks rejected the request: {}",
                crate::scim::patch::truncate(&detail)
            )),
            DatabricksError::Unauthorized { status } => ScimError::BadGateway(format!(
                "Databricks refused the bridge's credential (HTTP {status}); check the configured secret"
            )),
            DatabricksError::Forbidden { .. } => ScimError::BadGateway(
                "Databricks refused the operation to the bridge's credential (HTTP 403); it must be a workspace admin".into(),
            ),
            DatabricksError::Throttled { retry_after_secs } => ScimError::Throttled { retry_after_secs },
            DatabricksError::Server { status, .. } => ScimError::BadGateway(format!(
                "Databricks answered HTTP {status}; the change may not have been applied, read the resource before retrying"
            )),
            DatabricksError::Transport(_) => ScimError::BadGateway(
                "Databricks could not be reached; the change may not have been applied, read the resource before retrying".into(),
            ),
            DatabricksError::InvalidResponse(_) => {
                ScimError::BadGateway("Databricks answered with an unexpected body".into())
            }
            DatabricksError::Credential(reason) => ScimError::Unavailable(format!(
                "the Databricks credential is unavailable: {reason}"
            )),
            DatabricksError::NoTimeLeft => ScimError::Unavailable(
                "the request ran out of time before Databricks could be called; nothing was changed, retry".into(),
            ),
        }
    }
}
