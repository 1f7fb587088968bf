//! `PATCH /Groups/{id}`: all membership and attribute changes of the request in one
//! Databricks PATCH. The answer shows members only when the PATCH changed them or the
//! client asked for them.

use super::support::{Kind, answer_or_read, or_not_found, path_id, projection};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::{DatabricksError, TargetResource};
use crate::mapping::group::{group_to_scim, patch_request};
use crate::scim::patch::parse_patch_request;
use crate::scim::{GROUP_EXTENSION_SCHEMA, GROUP_SCHEMA, ScimError, projection as project};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Kind::Group)?;
    let plan = patch_request(&parse_patch_request(&request.body)?)?;
    if !plan.ignored.is_empty() {
        tracing::info!(ignored = ?plan.ignored, "PATCH attributes Databricks cannot hold were ignored");
    }
    let answered = if plan.operations.is_empty() {
        None
    } else {
        state.databricks.patch(TargetResource::Groups, &id, plan.operations).await.map_err(|err| match err {
            DatabricksError::Conflict { .. } => {
                ScimError::Uniqueness("a group with this displayName already exists".into())
            }
            other => or_not_found(Kind::Group)(other),
        })?
    };
    let group = answer_or_read(state, Kind::Group, &id, answered).await?;
    let mut scim = group_to_scim(&group, &request.base_url);
    let mut wanted = projection(&request);
    if wanted.is_default() && !plan.touches_members {
        wanted.excluded.push("members".into());
    }
    project::apply(&mut scim, &wanted, GROUP_SCHEMA, &[GROUP_EXTENSION_SCHEMA]);
    Ok(ScimResponse::ok(scim))
}
