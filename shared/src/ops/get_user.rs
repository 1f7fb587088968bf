//! `GET /Users/{id}`.

use super::support::{Kind, path_id, projection, read};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::mapping::user::{target_selection, user_to_scim};
use crate::scim::{ScimError, USER_SCHEMA, projection as project};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Kind::User)?;
    let wanted = projection(&request);
    let user = read(state, Kind::User, &id, &target_selection(&wanted)).await?;
    let mut scim = user_to_scim(&user, &request.base_url);
    project::apply(&mut scim, &wanted, USER_SCHEMA, &[]);
    Ok(ScimResponse::ok(scim))
}
