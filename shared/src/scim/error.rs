//! The one error type every operation returns, and its SCIM rendering (RFC 7644 §3.12).

use std::sync::Arc;

use serde_json::{Value, json};

use super::Resource;

/// URN of a SCIM error message.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Everything that can go wrong while serving a SCIM request.
///
/// `detail` strings are written for the client: they never carry a secret, a token,
/// an e-mail address or a name copied from a Databricks answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScimError {
    /// The body or a parameter is not parsable or violates the schema.
    #[error("{0}")]
    InvalidSyntax(String),
    /// The filter is malformed or asks for something the target cannot filter on.
    #[error("{0}")]
    InvalidFilter(String),
    /// A value is not acceptable (unknown entitlement, `roles`, missing required value).
    #[error("{0}")]
    InvalidValue(String),
    /// A PATCH path names an attribute that does not exist or cannot be addressed.
    #[error("{0}")]
    InvalidPath(String),
    /// A PATCH value filter matched nothing where something was required.
    #[error("{0}")]
    NoTarget(String),
    /// The request tries to change an attribute that is read-only or immutable.
    #[error("{0}")]
    Mutability(String),
    /// The request asks for more than the service provider will return.
    #[error("{0}")]
    TooMany(String),
    /// The resource would clash with an existing one.
    #[error("{0}")]
    Uniqueness(String),
    /// The request body is larger than the bridge accepts (`limits::MAX_BODY_BYTES`): 413,
    /// which RFC 7644 §3.12 gives no `scimType`.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// No such resource or endpoint.
    #[error("{0}")]
    NotFound(String),
    /// The endpoint exists but not for this HTTP method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The caller's bearer token is missing or wrong.
    #[error("{0}")]
    Unauthorized(String),
    /// Databricks throttled us past our retry budget.
    #[error("the Databricks workspace is throttling requests; retry after {retry_after_secs} s")]
    Throttled {
        /// Seconds the client should wait before retrying.
        retry_after_secs: u64,
    },
    /// Databricks answered in a way we cannot use, or could not be reached.
    #[error("{detail}")]
    BadGateway {
        /// What the client is told.
        detail: String,
        /// What went wrong, for the log line (never shown to the client).
        #[source]
        cause: Option<Cause>,
    },
    /// A SCIM feature we do not offer (e.g. `POST /.search`).
    #[error("{0}")]
    NotImplemented(String),
    /// The bridge itself is not able to serve (configuration, credential).
    #[error("{detail}")]
    Unavailable {
        /// What the client is told.
        detail: String,
        /// What went wrong, for the log line (never shown to the client).
        #[source]
        cause: Option<Cause>,
    },
    /// A bug or an unexpected state in the bridge.
    #[error("{0}")]
    Internal(String),
}

/// The error behind a SCIM error, kept for the one log line of the request (`http`): the cause
/// chain of a Databricks, transport or credential failure. Its texts carry no secret and no
/// personal data (Databricks' own details are left out of them). Two SCIM errors are equal when
/// they tell the client the same: causes compare equal.
#[derive(Debug, Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync>);

impl Cause {
    /// Keeps `error` as a cause.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Cause {
        Cause(Arc::new(error))
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, _: &Cause) -> bool {
        true
    }
}

impl Eq for Cause {}

impl ScimError {
    /// 404 for a resource that does not exist (the id is not echoed: clients have put e-mail
    /// addresses where ids belong).
    pub fn no_such(resource: Resource) -> ScimError {
        ScimError::NotFound(format!("no {} with this id exists", resource.noun()))
    }

    /// 502: Databricks answered in a way the bridge cannot use, or could not be reached.
    pub fn bad_gateway(detail: impl Into<String>) -> ScimError {
        ScimError::BadGateway { detail: detail.into(), cause: None }
    }

    /// 503: the bridge cannot serve (configuration, credential).
    pub fn unavailable(detail: impl Into<String>) -> ScimError {
        ScimError::Unavailable { detail: detail.into(), cause: None }
    }

    /// The same error, with what caused it kept for the log (502 and 503 only: other errors
    /// are the request's own and say everything in their detail).
    pub fn caused_by(self, error: impl std::error::Error + Send + Sync + 'static) -> ScimError {
        match self {
            ScimError::BadGateway { detail, .. } => ScimError::BadGateway { detail, cause: Some(Cause::new(error)) },
            ScimError::Unavailable { detail, .. } => ScimError::Unavailable { detail, cause: Some(Cause::new(error)) },
            other => other,
        }
    }

    /// HTTP status of this error.
    pub fn status(&self) -> u16 {
        match self {
            ScimError::InvalidSyntax(_)
            | ScimError::InvalidFilter(_)
            | ScimError::InvalidValue(_)
            | ScimError::InvalidPath(_)
            | ScimError::NoTarget(_)
            | ScimError::Mutability(_)
            | ScimError::TooMany(_) => 400,
            ScimError::Unauthorized(_) => 401,
            ScimError::NotFound(_) => 404,
            ScimError::MethodNotAllowed(_) => 405,
            ScimError::Uniqueness(_) => 409,
            ScimError::PayloadTooLarge(_) => 413,
            ScimError::Throttled { .. } => 429,
            ScimError::Internal(_) => 500,
            ScimError::NotImplemented(_) => 501,
            ScimError::BadGateway { .. } => 502,
            ScimError::Unavailable { .. } => 503,
        }
    }

    /// RFC 7644 §3.12 `scimType`, where the RFC defines one for this error.
    pub fn scim_type(&self) -> Option<&'static str> {
        match self {
            ScimError::InvalidSyntax(_) => Some("invalidSyntax"),
            ScimError::InvalidFilter(_) => Some("invalidFilter"),
            ScimError::InvalidValue(_) => Some("invalidValue"),
            ScimError::InvalidPath(_) => Some("invalidPath"),
            ScimError::NoTarget(_) => Some("noTarget"),
            ScimError::Mutability(_) => Some("mutability"),
            ScimError::TooMany(_) => Some("tooMany"),
            ScimError::Uniqueness(_) => Some("uniqueness"),
            ScimError::NotFound(_)
            | ScimError::MethodNotAllowed(_)
            | ScimError::PayloadTooLarge(_)
            | ScimError::Unauthorized(_)
            | ScimError::Throttled { .. }
            | ScimError::BadGateway { .. }
            | ScimError::Unavailable { .. }
            | ScimError::NotImplemented(_)
            | ScimError::Internal(_) => None,
        }
    }

    /// Short stable name for logs (never the detail, which may echo client data).
    pub fn kind(&self) -> &'static str {
        match self {
            ScimError::InvalidSyntax(_) => "invalid_syntax",
            ScimError::InvalidFilter(_) => "invalid_filter",
            ScimError::InvalidValue(_) => "invalid_value",
            ScimError::InvalidPath(_) => "invalid_path",
            ScimError::NoTarget(_) => "no_target",
            ScimError::Mutability(_) => "mutability",
            ScimError::TooMany(_) => "too_many",
            ScimError::Uniqueness(_) => "uniqueness",
            ScimError::PayloadTooLarge(_) => "payload_too_large",
            ScimError::NotFound(_) => "not_found",
            ScimError::MethodNotAllowed(_) => "method_not_allowed",
            ScimError::Unauthorized(_) => "unauthorized",
            ScimError::Throttled { .. } => "throttled",
            ScimError::BadGateway { .. } => "bad_gateway",
            ScimError::Unavailable { .. } => "unavailable",
            ScimError::Internal(_) => "internal",
            ScimError::NotImplemented(_) => "not_implemented",
        }
    }

    /// The SCIM Error message body.
    pub fn to_body(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status().to_string(),
            "detail": self.to_string(),
        });
        if let (Some(scim_type), Some(map)) = (self.scim_type(), body.as_object_mut()) {
            map.insert("scimType".into(), Value::String(scim_type.into()));
        }
        body
    }
}

/// Any error with its causes, as one line: `outer: cause: root cause`. Where an error is shown or
/// logged whole (a configuration error, the cause of a failed request).
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        text.push_str(": ");
        text.push_str(&next.to_string());
        cause = next.source();
    }
    text
}

#[cfg(test)]
mod tests;
