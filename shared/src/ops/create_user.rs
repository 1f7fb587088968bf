//! `POST /Users`: create a user; `active:false` creates then deactivates (docs/design.md §4).

use serde_json::{Map, Value};

use super::support::{answer_or_read, body_object, deactivate_if_asked, find_one, id_of, patch_target};
use super::{ScimRequest, ScimResponse, created_but_unfinished, never_as_nothing_done};
use crate::config::AppState;
use crate::databricks::DatabricksError;
use crate::databricks::model::Selection;
use crate::mapping::user::{NewUser, create_request, replace_operations, user_to_scim};
use crate::scim::values::lenient_bool;
use crate::scim::{Resource, ScimError};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let body = body_object(&request)?;
    let new = create_request(&body)?;
    let created = match state.databricks.create(Resource::User, &new.body).await {
        Ok(user) => user,
        // Also after throttled attempts: Databricks did not do those, so an active user holding
        // the userName is someone else's (a concurrent create of it is told 409, never 201).
        Err(DatabricksError::Conflict { .. }) => reactivate_or_adopt(state, &new, &body, false, taken()).await?,
        Err(err) if err.outcome_unknown() => {
            // The user may have been created behind the error: look before anything else.
            let unknown = ScimError::from(err);
            reactivate_or_adopt(state, &new, &body, true, unknown.clone())
                .await
                .map_err(never_as_nothing_done(unknown))?
        }
        Err(err) => return Err(err.into()),
    };
    let user = deactivate_if_asked(state, Resource::User, created, new.deactivate)
        .await
        .map_err(never_as_nothing_done(created_but_unfinished("user")))?;
    Ok(ScimResponse::created(user_to_scim(&user, &request.base_url)))
}

fn taken() -> ScimError {
    ScimError::Uniqueness("a user with this userName already exists".into())
}

/// Databricks answered 409, or left the create's outcome unknown: the user holding the
/// userName is looked up (none → `missing`). An inactive one is reactivated with every
/// attribute of the create (docs/design.md §4: "201 in both cases") — a create never makes an inactive
/// user, so it was there before, even after an unanswered create. An active one is this
/// request's own when `own_if_active` (the create went unanswered: 5xx or no answer), else the
/// userName is taken.
async fn reactivate_or_adopt(
    state: &AppState,
    new: &NewUser,
    body: &Map<String, Value>,
    own_if_active: bool,
    missing: ScimError,
) -> Result<Value, ScimError> {
    let existing = find_one(state, Resource::User, "userName", &new.user_name).await?.ok_or(missing)?;
    let inactive = existing.get("active").is_some_and(|a| lenient_bool(a, "active").is_ok_and(|b| !b));
    if !inactive {
        return if own_if_active { Ok(existing) } else { Err(taken()) };
    }
    let id = id_of(&existing)?;
    // The create as a PUT of the whole user, active unless it asked otherwise (then the
    // deactivation that follows keeps it inactive).
    let mut wanted = body.clone();
    wanted.retain(|k, _| !k.eq_ignore_ascii_case("active"));
    wanted.insert("active".into(), Value::Bool(true));
    let operations = replace_operations(&wanted, &existing)?;
    let answered = patch_target(state, Resource::User, &id, &operations).await?;
    answer_or_read(state, Resource::User, &id, answered, &Selection::default()).await
}
