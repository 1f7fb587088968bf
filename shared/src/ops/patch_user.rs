//! `PATCH /Users/{id}`: the client's operations become one Databricks PATCH.

use serde_json::Value;

use super::support::{Kind, answer_or_read, or_not_found, path_id, read};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::TargetResource;
use crate::databricks::client::Selection;
use crate::mapping::user::{patch_request, user_to_scim};
use crate::scim::ScimError;
use crate::scim::patch::parse_patch_request;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Kind::User)?;
    let plan = patch_request(&parse_patch_request(&request.body)?)?;
    if !plan.ignored.is_empty() {
        tracing::info!(ignored = ?plan.ignored, "PATCH attributes Databricks cannot hold were ignored");
    }
    if let Some(wanted) = &plan.user_name {
        // Databricks never changes a userName; only the same one (any case) is acceptable.
        let probe = Selection { attributes: vec!["id", "userName"], excluded_attributes: Vec::new() };
        let current = read(state, Kind::User, &id, &probe).await?;
        let same =
            current.get("userName").and_then(Value::as_str).is_some_and(|u| u.eq_ignore_ascii_case(wanted.trim()));
        if !same {
            return Err(ScimError::Mutability("userName cannot be changed in Databricks".into()));
        }
    }
    let answered = if plan.operations.is_empty() {
        None
    } else {
        state.databricks.patch(TargetResource::Users, &id, plan.operations).await.map_err(or_not_found(Kind::User))?
    };
    let user = answer_or_read(state, Kind::User, &id, answered).await?;
    Ok(ScimResponse::ok(user_to_scim(&user, &request.base_url)))
}
