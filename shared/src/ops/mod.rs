//! One module per SCIM operation. Each `handle` takes the state and a [`ScimRequest`] and
//! returns a [`ScimResponse`] or a [`ScimError`]: no lambda_http or AWS types here.

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

use serde_json::Value;

use crate::config::AppState;
use crate::scim::ScimError;

/// After a write that took effect, or whose outcome is unknown, a later call of the same
/// request (a look-up, a deactivation, the members a failed group create left out) that fails
/// with 429 or 503 must not reach the client as such: those say that nothing was done and
/// invite the same request again, which for a create makes a second object where names are not
/// unique (service principals). The client gets `instead` (a 502: read before retrying).
pub(crate) fn never_as_nothing_done(instead: ScimError) -> impl FnOnce(ScimError) -> ScimError {
    move |err| match err {
        ScimError::Throttled { .. } | ScimError::Unavailable(_) => instead,
        other => other,
    }
}

/// The 502 of a create whose object exists but whose follow-up failed (see [`never_as_nothing_done`]).
pub(crate) fn created_but_unfinished(noun: &str) -> ScimError {
    ScimError::BadGateway(format!(
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

/// Every Lambda of the bridge, one per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `POST /Users`
    CreateUser,
    /// `GET /Users/{id}`
    GetUser,
    /// `GET /Users` and `POST /Users/.search`
    ListUsers,
    /// `PUT /Users/{id}`
    ReplaceUser,
    /// `PATCH /Users/{id}`
    PatchUser,
    /// `DELETE /Users/{id}`
    DeleteUser,
    /// `POST /Groups`
    CreateGroup,
    /// `GET /Groups/{id}`
    GetGroup,
    /// `GET /Groups` and `POST /Groups/.search`
    ListGroups,
    /// `PUT /Groups/{id}`
    ReplaceGroup,
    /// `PATCH /Groups/{id}`
    PatchGroup,
    /// `DELETE /Groups/{id}`
    DeleteGroup,
    /// `POST /ServicePrincipals`
    CreateServicePrincipal,
    /// `GET /ServicePrincipals/{id}`
    GetServicePrincipal,
    /// `GET /ServicePrincipals` and `POST /ServicePrincipals/.search`
    ListServicePrincipals,
    /// `PUT /ServicePrincipals/{id}`
    ReplaceServicePrincipal,
    /// `PATCH /ServicePrincipals/{id}`
    PatchServicePrincipal,
    /// `DELETE /ServicePrincipals/{id}`
    DeleteServicePrincipal,
    /// `GET /admin/partners`
    ListPartners,
    /// `DELETE /admin/partners/{partner}`
    DisconnectPartner,
    /// `/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`, `POST /.search` across every
    /// resource type, and the SCIM 404/405 for anything else.
    Discovery,
}

impl Operation {
    /// All operations (for route tables and tests).
    pub const ALL: [Operation; 21] = [
        Operation::CreateUser,
        Operation::GetUser,
        Operation::ListUsers,
        Operation::ReplaceUser,
        Operation::PatchUser,
        Operation::DeleteUser,
        Operation::CreateGroup,
        Operation::GetGroup,
        Operation::ListGroups,
        Operation::ReplaceGroup,
        Operation::PatchGroup,
        Operation::DeleteGroup,
        Operation::CreateServicePrincipal,
        Operation::GetServicePrincipal,
        Operation::ListServicePrincipals,
        Operation::ReplaceServicePrincipal,
        Operation::PatchServicePrincipal,
        Operation::DeleteServicePrincipal,
        Operation::ListPartners,
        Operation::DisconnectPartner,
        Operation::Discovery,
    ];

    /// The function (and binary) name, e.g. `create-user`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::CreateUser => "create-user",
            Operation::GetUser => "get-user",
            Operation::ListUsers => "list-users",
            Operation::ReplaceUser => "replace-user",
            Operation::PatchUser => "patch-user",
            Operation::DeleteUser => "delete-user",
            Operation::CreateGroup => "create-group",
            Operation::GetGroup => "get-group",
            Operation::ListGroups => "list-groups",
            Operation::ReplaceGroup => "replace-group",
            Operation::PatchGroup => "patch-group",
            Operation::DeleteGroup => "delete-group",
            Operation::CreateServicePrincipal => "create-service-principal",
            Operation::GetServicePrincipal => "get-service-principal",
            Operation::ListServicePrincipals => "list-service-principals",
            Operation::ReplaceServicePrincipal => "replace-service-principal",
            Operation::PatchServicePrincipal => "patch-service-principal",
            Operation::DeleteServicePrincipal => "delete-service-principal",
            Operation::ListPartners => "list-partners",
            Operation::DisconnectPartner => "disconnect-partner",
            Operation::Discovery => "discovery",
        }
    }

    /// Runs the operation.
    pub async fn run(self, state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
        match self {
            Operation::CreateUser => create_user::handle(state, request).await,
            Operation::GetUser => get_user::handle(state, request).await,
            Operation::ListUsers => list_users::handle(state, request).await,
            Operation::ReplaceUser => replace_user::handle(state, request).await,
            Operation::PatchUser => patch_user::handle(state, request).await,
            Operation::DeleteUser => delete_user::handle(state, request).await,
            Operation::CreateGroup => create_group::handle(state, request).await,
            Operation::GetGroup => get_group::handle(state, request).await,
            Operation::ListGroups => list_groups::handle(state, request).await,
            Operation::ReplaceGroup => replace_group::handle(state, request).await,
            Operation::PatchGroup => patch_group::handle(state, request).await,
            Operation::DeleteGroup => delete_group::handle(state, request).await,
            Operation::CreateServicePrincipal => create_service_principal::handle(state, request).await,
            Operation::GetServicePrincipal => get_service_principal::handle(state, request).await,
            Operation::ListServicePrincipals => list_service_principals::handle(state, request).await,
            Operation::ReplaceServicePrincipal => replace_service_principal::handle(state, request).await,
            Operation::PatchServicePrincipal => patch_service_principal::handle(state, request).await,
            Operation::DeleteServicePrincipal => delete_service_principal::handle(state, request).await,
            Operation::ListPartners => list_partners::handle(state, request).await,
            Operation::DisconnectPartner => disconnect_partner::handle(state, request).await,
            Operation::Discovery => discovery::handle(state, request).await,
        }
    }
}
