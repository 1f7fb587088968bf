//! The bridge's functions by name, for tests: each function's `main.rs` hands its own handler to
//! `shared::http::serve`; tests reach the same handlers through this table.

use lambda_http::{Body, Request, Response};
use shared::AppState;
use shared::http::handle;
use shared::ops;

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

    /// Serves a gateway request as this function would: `shared::http::handle` with its handler.
    pub async fn handle(self, state: &AppState, request: Request) -> Response<Body> {
        match self {
            Operation::CreateUser => handle(state, self.name(), ops::create_user::handle, request).await,
            Operation::GetUser => handle(state, self.name(), ops::get_user::handle, request).await,
            Operation::ListUsers => handle(state, self.name(), ops::list_users::handle, request).await,
            Operation::ReplaceUser => handle(state, self.name(), ops::replace_user::handle, request).await,
            Operation::PatchUser => handle(state, self.name(), ops::patch_user::handle, request).await,
            Operation::DeleteUser => handle(state, self.name(), ops::delete_user::handle, request).await,
            Operation::CreateGroup => handle(state, self.name(), ops::create_group::handle, request).await,
            Operation::GetGroup => handle(state, self.name(), ops::get_group::handle, request).await,
            Operation::ListGroups => handle(state, self.name(), ops::list_groups::handle, request).await,
            Operation::ReplaceGroup => handle(state, self.name(), ops::replace_group::handle, request).await,
            Operation::PatchGroup => handle(state, self.name(), ops::patch_group::handle, request).await,
            Operation::DeleteGroup => handle(state, self.name(), ops::delete_group::handle, request).await,
            Operation::CreateServicePrincipal => {
                handle(state, self.name(), ops::create_service_principal::handle, request).await
            }
            Operation::GetServicePrincipal => {
                handle(state, self.name(), ops::get_service_principal::handle, request).await
            }
            Operation::ListServicePrincipals => {
                handle(state, self.name(), ops::list_service_principals::handle, request).await
            }
            Operation::ReplaceServicePrincipal => {
                handle(state, self.name(), ops::replace_service_principal::handle, request).await
            }
            Operation::PatchServicePrincipal => {
                handle(state, self.name(), ops::patch_service_principal::handle, request).await
            }
            Operation::DeleteServicePrincipal => {
                handle(state, self.name(), ops::delete_service_principal::handle, request).await
            }
            Operation::ListPartners => handle(state, self.name(), ops::list_partners::handle, request).await,
            Operation::DisconnectPartner => handle(state, self.name(), ops::disconnect_partner::handle, request).await,
            Operation::Discovery => handle(state, self.name(), ops::discovery::handle, request).await,
        }
    }
}
