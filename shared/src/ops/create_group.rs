//! `POST /Groups`. A Databricks 5xx may hide a group created without its members
//! (databricks-behaviour: POST group 500 "Failed to update members"): re-read by name and
//! add what is missing, never POST again.

use super::Context;
use super::support::answer::created;
use super::support::assignment::{Origin, assign_taken, assign_to_workspaces, or_resend};
use super::support::input::body_object;
use super::support::read::{answer_or_read, find_one, id_of};
use super::{ScimRequest, ScimResponse, created_but_unfinished, never_as_nothing_done};
use crate::databricks::DatabricksError;
use crate::databricks::model::{Group, GroupCreate, PatchOperation, Reference, Selection};
use crate::mapping::group::create_request;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let body = create_request(&body_object(&request)?)?;
    let (group, origin) = match ctx.databricks.create::<Group>(&body).await {
        Ok(group) => (group, Origin::Created),
        Err(err) if err.outcome_unknown() => {
            // Group names are unique: the group this create may have made is found by name.
            let unknown = ScimError::from(err.clone());
            let resend = or_resend::<Group>(&ctx, &err);
            let found = match find_one::<Group>(&ctx, "displayName", &body.display_name).await {
                Ok(Some(found)) => found,
                // Not there, or not looked at: the outcome stays unknown (on the account
                // target, "re-send it": see `or_resend`).
                Ok(None) => return Err(resend(unknown)),
                Err(lookup) => return Err(resend(never_as_nothing_done(unknown)(lookup))),
            };
            // Found: the create is known to have happened, so what fails from here is a 502
            // "created but unfinished", never a "re-send".
            (add_missing_members(&ctx, &body, found).await?, Origin::Found)
        }
        // A 409 also after throttled attempts: Databricks did not do those, so the group is
        // someone else's (a concurrent create of the name is told 409 `uniqueness`, never 201).
        // On the account target the group holding the name is assigned first (see
        // `assign_taken`).
        Err(err @ DatabricksError::Conflict { .. }) => {
            if ctx.config.assigning().is_some()
                && let Some(holder) = find_one::<Group>(&ctx, "displayName", &body.display_name).await?
            {
                assign_taken(&ctx, &holder).await?;
            }
            return Err(err.into());
        }
        Err(err) => return Err(err.into()),
    };
    assign_to_workspaces(&ctx, &group, origin).await?;
    created(&group, &request.base_url)
}

/// The group an unanswered create made, found by name, given the members it lacks (a 5xx
/// of the create may hide a group made without them).
async fn add_missing_members(ctx: &Context, body: &GroupCreate, found: Group) -> Result<Group, ScimError> {
    let present: std::collections::HashSet<String> = Reference::values(&found.members).into_iter().collect();
    let missing: Vec<String> = body.members.iter().map(|m| m.value.clone()).filter(|m| !present.contains(m)).collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let id = id_of(&found)?;
    let answered = ctx
        .databricks
        .patch::<Group>(&id, &[PatchOperation::add_values("members", &missing)])
        .await
        .map_err(|err| never_as_nothing_done(created_but_unfinished("group"))(err.into()))?;
    answer_or_read(ctx, &id, answered, &Selection::default())
        .await
        .map_err(never_as_nothing_done(created_but_unfinished("group")))
}
