//! One module per SCIM operation. Each `handle` takes the request's [`Context`] and a
//! [`ScimRequest`] and returns a [`ScimResponse`] or a [`ScimError`]: no lambda_http or AWS
//! types here. `functions/<op>/src/main.rs` hands its module's `handle` to
//! [`crate::http::serve`], so each binary links only its own operation.

pub mod create_group;
pub mod create_service_principal;
pub mod create_user;
pub mod delete_group;
pub mod delete_service_principal;
pub mod delete_user;
pub mod disconnect_partner;
pub mod discovery;
pub mod get_group;
pub mod get_service_principal;
pub mod get_user;
pub mod list_groups;
pub mod list_partners;
pub mod list_service_principals;
pub mod list_users;
pub mod patch_group;
pub mod patch_service_principal;
pub mod patch_user;
pub mod replace_group;
pub mod replace_service_principal;
pub mod replace_user;
mod support;

use std::sync::Arc;
use std::time::Instant;

use serde_json::Value;

use crate::config::{AppState, Config};
use crate::databricks::DatabricksClient;
use crate::scim::ScimError;

/// What an operation works with for one request: the configuration and the Databricks client
/// bound to this request's deadline (its calls and retries end before it). Built per request
/// from reference-counted handles; the instance's [`AppState`] is not copied.
#[derive(Debug, Clone)]
pub struct Context {
    /// The configuration.
    pub config: Arc<Config>,
    /// The Databricks client of the target (workspace or account), bound to the request's deadline.
    pub databricks: DatabricksClient,
    /// The workspace's client (Partner Connect), bound to the same deadline.
    pub workspace: DatabricksClient,
}

impl Context {
    /// The context of a request that must be answered by `deadline`.
    pub fn new(state: &AppState, deadline: Instant) -> Context {
        Context {
            config: Arc::clone(&state.config),
            databricks: state.databricks.with_deadline(deadline),
            workspace: state.workspace.with_deadline(deadline),
        }
    }
}

/// The result of an operation.
pub type Outcome = Result<ScimResponse, ScimError>;

/// After a write that took effect, or whose outcome is unknown, a later call of the same
/// request (a look-up, a deactivation, the members a failed group create left out) that fails
/// with 429 or 503 must not reach the client as such: those say that nothing was done and
/// invite the same request again, which for a create makes a second object where names are not
/// unique (service principals). The client gets `instead` (a 502: read before retrying).
pub(crate) fn never_as_nothing_done(instead: ScimError) -> impl FnOnce(ScimError) -> ScimError {
    move |err| match err {
        ScimError::Throttled { .. } | ScimError::Unavailable { .. } => instead,
        other => other,
    }
}

/// The 502 of a create whose object exists but whose follow-up failed (see [`never_as_nothing_done`]).
pub(crate) fn created_but_unfinished(noun: &str) -> ScimError {
    ScimError::bad_gateway(format!(
        "the {noun} was created, but Databricks did not take the rest of the request; read it before retrying"
    ))
}

/// A request as an operation sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScimRequest {
    /// HTTP method, upper-case.
    pub method: String,
    /// Path below the SCIM base (`/Users/123`), without a trailing slash.
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Body bytes, whatever the Content-Type.
    pub body: Vec<u8>,
    /// SCIM base URL as the caller sees it (`https://host/stage/scim/v2`), for `meta.location`.
    pub base_url: String,
}

impl ScimRequest {
    /// Path segments below the SCIM base.
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// The `{id}` of `/{Resource}/{id}`; `None` when the path has more segments (`/Users/1/2`,
    /// `/Users/1/..`): the id is then not `1`, and nothing is to be read, written or deleted.
    pub fn resource_id(&self) -> Option<&str> {
        let mut it = self.path.split('/').filter(|s| !s.is_empty());
        it.next()?;
        let id = it.next()?;
        it.next().is_none().then_some(id)
    }
}

/// What an operation answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ScimResponse {
    /// HTTP status.
    pub status: u16,
    /// SCIM JSON body (`None` for 204).
    pub body: Option<AnswerBody>,
    /// `Location` header (201).
    pub location: Option<String>,
}

/// The body of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerBody {
    /// A JSON value, serialised when the answer is sent. Open JSON: a resource cut to the
    /// client's projection, or a document of this API (partners, errors, discovery).
    Json(Value),
    /// JSON already serialised: a list page, whose resources were serialised one by one to be
    /// measured against the answer budget, so that no page is serialised twice.
    Serialized(String),
}

impl ScimResponse {
    /// 200 with a body.
    pub fn ok(body: Value) -> ScimResponse {
        ScimResponse { status: 200, body: Some(AnswerBody::Json(body)), location: None }
    }

    /// 200 with a body already serialised as JSON.
    pub fn ok_serialized(body: String) -> ScimResponse {
        ScimResponse { status: 200, body: Some(AnswerBody::Serialized(body)), location: None }
    }

    /// 201 with the resource and its location.
    pub fn created(body: Value) -> ScimResponse {
        let location = body.pointer("/meta/location").and_then(Value::as_str).map(String::from);
        ScimResponse { status: 201, body: Some(AnswerBody::Json(body)), location }
    }

    /// 204.
    pub fn no_content() -> ScimResponse {
        ScimResponse { status: 204, body: None, location: None }
    }
}
