//! `POST /Users`: create a user; `active:false` creates then deactivates (SPEC §4).

use serde_json::{Value, json};

use super::support::{Kind, answer_or_read, body_object, deactivate_if_asked, find_one, id_of};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::{DatabricksError, TargetResource};
use crate::mapping::user::{NewUser, create_request, user_to_scim};
use crate::scim::ScimError;
use crate::scim::values::lenient_bool;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let new = create_request(&body_object(&request)?)?;
    let created = match state.databricks.create(TargetResource::Users, &new.body).await {
        Ok(user) => user,
        Err(DatabricksError::Conflict { .. }) => reactivate_or_conflict(state, &new).await?,
        Err(err) if err.outcome_unknown() => {
            // The user may have been created behind the error: look before anything else.
            find_one(state, Kind::User, "userName", &new.user_name).await?.ok_or(ScimError::from(err))?
        }
        Err(err) => return Err(err.into()),
    };
    let user = deactivate_if_asked(state, Kind::User, created, new.deactivate).await?;
    Ok(ScimResponse::created(user_to_scim(&user, &request.base_url)))
}

/// Databricks answered 409. Where the existing user is inactive, reactivate it (SPEC §4:
/// "201 in both cases"); otherwise the userName is taken.
async fn reactivate_or_conflict(state: &AppState, new: &NewUser) -> Result<Value, ScimError> {
    let taken = || ScimError::Uniqueness("a user with this userName already exists".into());
    let existing = find_one(state, Kind::User, "userName", &new.user_name).await?.ok_or_else(taken)?;
    let inactive = existing.get("active").is_some_and(|a| lenient_bool(a, "active").is_ok_and(|b| !b));
    if !inactive {
        return Err(taken());
    }
    let id = id_of(&existing)?;
    let mut operations = vec![json!({"op": "replace", "path": "active", "value": "true"})];
    if let Some(display) = new.body.get("displayName") {
        operations.push(json!({"op": "replace", "path": "displayName", "value": display}));
    }
    let answered = state.databricks.patch(TargetResource::Users, &id, operations).await?;
    answer_or_read(state, Kind::User, &id, answered).await
}
