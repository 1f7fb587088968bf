//! `PUT /ServicePrincipals/{id}`: read the principal, then one Databricks PATCH of what the
//! client changed (memberships, roles and unsent entitlements are kept; the applicationId is
//! never sent). A rename is checked on the answer: Databricks has been seen to ignore one.

use super::support::{
    body_object, or_not_found, patch_target, path_id, read, read_after_write, render, verify_renamed,
};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::{Selection, ServicePrincipal};
use crate::mapping::service_principal::replace_operations;
use crate::scim::list::Projection;
use crate::scim::{Resource, ScimError};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Resource::ServicePrincipal)?;
    let body = body_object(&request)?;
    let full = Selection::default();
    let current = read::<ServicePrincipal>(state, &id, &full).await?;
    let operations = replace_operations(&body, &current)?;
    let renamed_to = operations
        .iter()
        .find(|op| op.path.attribute() == "displayName")
        .and_then(|op| op.value.as_ref())
        .and_then(|v| v.as_text())
        .map(String::from);
    let answered = if operations.is_empty() {
        Some(current)
    } else {
        patch_target(state, &id, &operations).await.map_err(or_not_found(Resource::ServicePrincipal))?
    };
    let Some(principal) = read_after_write(state, &id, answered, &full).await? else {
        return Ok(ScimResponse::no_content());
    };
    let principal = verify_renamed(state, &id, principal, renamed_to.as_deref()).await?;
    Ok(ScimResponse::ok(render(&principal, &request.base_url, &Projection::default())?))
}
