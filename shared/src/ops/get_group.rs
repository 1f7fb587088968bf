//! `GET /Groups/{id}`: members are fetched only when the client wants them.

use super::support::{Kind, path_id, projection, read};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::mapping::group::{group_to_scim, target_selection};
use crate::scim::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, ScimError, projection as project};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Kind::Group)?;
    let wanted = projection(&request);
    let group = read(state, Kind::Group, &id, &target_selection(&wanted)).await?;
    let mut scim = group_to_scim(&group, &request.base_url);
    project::apply(&mut scim, &wanted, GROUP_SCHEMA, &[GROUP_EXTENSION_SCHEMA]);
    Ok(ScimResponse::ok(scim))
}
