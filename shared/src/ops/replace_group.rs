//! `PUT /Groups/{id}`: read what a Databricks PUT would wipe (parents, entitlements, roles), then PUT.

use super::support::{Kind, answer_or_read, body_object, or_not_found, path_id, read};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::TargetResource;
use crate::databricks::client::Selection;
use crate::mapping::group::{group_to_scim, replace_request};
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Kind::Group)?;
    let body = body_object(&request)?;
    let keep = Selection { attributes: vec!["id", "groups", "entitlements", "roles"], excluded_attributes: Vec::new() };
    let current = read(state, Kind::Group, &id, &keep).await?;
    let replacement = replace_request(&body, &current)?;
    let answered =
        state.databricks.replace(TargetResource::Groups, &id, &replacement).await.map_err(|err| match err {
            crate::databricks::DatabricksError::Conflict { .. } => {
                ScimError::Uniqueness("a group with this displayName already exists".into())
            }
            other => or_not_found(Kind::Group)(other),
        })?;
    let group = answer_or_read(state, Kind::Group, &id, answered).await?;
    Ok(ScimResponse::ok(group_to_scim(&group, &request.base_url)))
}
