//! `POST /Users`: create a user; `active:false` creates then deactivates (docs/design.md §4).

use super::Context;
use super::support::assignment::{Origin, assign_taken, assign_to_workspaces, or_resend};
use super::support::input::body_object;
use super::support::read::{answer_or_read, find_one, id_of};
use super::support::write::{created_principal, patch_target};
use super::{ScimRequest, ScimResponse, never_as_nothing_done};
use crate::databricks::DatabricksError;
use crate::databricks::model::{Selection, User};
use crate::mapping::user::{NewUser, create_request, replace_operations};
use crate::scim::ScimError;
use crate::scim::values::ClientObject;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let body = body_object(&request)?;
    let new = create_request(&body)?;
    let (created, origin) = match ctx.databricks.create::<User>(&new.body).await {
        Ok(user) => (user, Origin::Created),
        // Also after throttled attempts: Databricks did not do those, so an active user holding
        // the userName is someone else's (a concurrent create of it is told 409, never 201).
        Err(err @ DatabricksError::Conflict { .. }) => {
            (reactivate_or_adopt(&ctx, &new, &body, false, err.into()).await?, Origin::Found)
        }
        Err(err) if err.outcome_unknown() => {
            // The user may have been created behind the error: look before anything else.
            let resend = or_resend::<User>(&ctx, &err);
            let unknown = ScimError::from(err);
            let found = reactivate_or_adopt(&ctx, &new, &body, true, unknown.clone())
                .await
                .map_err(never_as_nothing_done(unknown))
                .map_err(resend)?;
            (found, Origin::Found)
        }
        Err(err) => return Err(err.into()),
    };
    assign_to_workspaces(&ctx, &created, origin).await?;
    created_principal(&ctx, created, new.deactivate, &request.base_url).await
}

/// Databricks answered 409, or left the create's outcome unknown: the user holding the
/// userName is looked up (none → `refusal`). An inactive one is reactivated with every
/// attribute of the create (docs/design.md §4: "201 in both cases") — a create never makes an inactive
/// user, so it was there before, even after an unanswered create. An active one is this
/// request's own when `own_if_active` (the create went unanswered: 5xx or no answer), else the
/// userName is taken (`refusal`, the 409).
async fn reactivate_or_adopt(
    ctx: &Context,
    new: &NewUser,
    body: &ClientObject,
    own_if_active: bool,
    refusal: ScimError,
) -> Result<User, ScimError> {
    let Some(existing) = find_one::<User>(ctx, "userName", &new.user_name).await? else {
        return Err(refusal);
    };
    let inactive = existing.principal.active.is_some_and(|a| a.read() == Some(false));
    if !inactive {
        if own_if_active {
            return Ok(existing);
        }
        // The identity platform adopts the holder next (it matches on 409): on the account
        // target it is assigned to the workspaces first, so a create re-sent after an unsettled
        // one ends assigned (docs/account-target.md).
        assign_taken(ctx, &existing).await?;
        return Err(refusal);
    }
    let id = id_of(&existing)?;
    // The create as a PUT of the whole user, active unless it asked otherwise (then the
    // deactivation that follows keeps it inactive).
    let wanted = body.with_flag("active", true);
    let operations = replace_operations(&wanted, &existing)?;
    let answered = patch_target(ctx, &id, &operations).await?;
    answer_or_read(ctx, &id, answered, &Selection::default()).await
}
