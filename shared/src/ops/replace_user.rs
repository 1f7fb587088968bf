//! `PUT /Users/{id}`: read the user, then one Databricks PATCH of what the client changed.
//! Nothing the client did not send is wiped (memberships, roles, admin-granted entitlements),
//! and there is no read-then-PUT race on memberships.

use super::support::{body_object, or_not_found, patch_target, path_id, read, read_after_write, render};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::{Selection, User};
use crate::mapping::user::replace_operations;
use crate::scim::list::Projection;
use crate::scim::{Resource, ScimError};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Resource::User)?;
    let body = body_object(&request)?;
    let full = Selection::default();
    let current = read::<User>(state, &id, &full).await?;
    let operations = replace_operations(&body, &current)?;
    let answered = if operations.is_empty() {
        Some(current)
    } else {
        patch_target(state, &id, &operations).await.map_err(or_not_found(Resource::User))?
    };
    // A target that hides inactive users cannot show the user after a deactivation: 204.
    let Some(user) = read_after_write(state, &id, answered, &full).await? else {
        return Ok(ScimResponse::no_content());
    };
    Ok(ScimResponse::ok(render(&user, &request.base_url, &Projection::default())?))
}
