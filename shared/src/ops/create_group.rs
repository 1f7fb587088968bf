//! `POST /Groups`. A Databricks 5xx may hide a group created without its members
//! (databricks-api.md E15): re-read by name and add what is missing, never POST again.

use serde_json::{Value, json};

use super::support::{Kind, body_object, find_one};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::{DatabricksError, DatabricksId, TargetResource};
use crate::mapping::group::{create_request, group_to_scim};
use crate::mapping::{value_list, values_of};
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let body = create_request(&body_object(&request)?)?;
    let group = match state.databricks.create(TargetResource::Groups, &body).await {
        Ok(group) => group,
        Err(DatabricksError::Conflict { .. }) => {
            return Err(ScimError::Uniqueness("a group with this displayName already exists".into()));
        }
        Err(err) if err.outcome_unknown() => recover(state, &body, err).await?,
        Err(err) => return Err(err.into()),
    };
    Ok(ScimResponse::created(group_to_scim(&group, &request.base_url)))
}

async fn recover(state: &AppState, body: &Value, err: DatabricksError) -> Result<Value, ScimError> {
    let name = body.get("displayName").and_then(Value::as_str).unwrap_or_default();
    let Some(found) = find_one(state, Kind::Group, "displayName", name).await? else {
        return Err(err.into());
    };
    let wanted = values_of(body, "members");
    let present = values_of(&found, "members");
    let missing: Vec<String> = wanted.into_iter().filter(|m| !present.contains(m)).collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let id = found
        .get("id")
        .and_then(Value::as_str)
        .and_then(DatabricksId::parse)
        .ok_or_else(|| ScimError::BadGateway("Databricks answered a group without an id".into()))?;
    let op = json!({"op": "add", "path": "members", "value": value_list(&missing)});
    let answered = state.databricks.patch(TargetResource::Groups, &id, vec![op]).await?;
    super::support::answer_or_read(state, Kind::Group, &id, answered).await
}
