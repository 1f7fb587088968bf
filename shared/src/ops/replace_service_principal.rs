//! `PUT /ServicePrincipals/{id}`: read what a Databricks PUT would wipe (memberships, roles), then PUT.

use super::support::{Kind, answer_or_read, body_object, or_not_found, path_id, read};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::TargetResource;
use crate::databricks::client::Selection;
use crate::mapping::service_principal::{replace_request, service_principal_to_scim};
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Kind::ServicePrincipal)?;
    let body = body_object(&request)?;
    let keep = Selection {
        attributes: vec!["id", "applicationId", "active", "groups", "roles"],
        excluded_attributes: Vec::new(),
    };
    let current = read(state, Kind::ServicePrincipal, &id, &keep).await?;
    let replacement = replace_request(&body, &current)?;
    let answered = state
        .databricks
        .replace(TargetResource::ServicePrincipals, &id, &replacement)
        .await
        .map_err(or_not_found(Kind::ServicePrincipal))?;
    let principal = answer_or_read(state, Kind::ServicePrincipal, &id, answered).await?;
    Ok(ScimResponse::ok(service_principal_to_scim(&principal, &request.base_url)))
}
