//! Workspace assignment with the account target (docs/account-target.md): a principal the
//! bridge creates in the account is assigned to the configured workspaces
//! (`DATABRICKS_ASSIGN_WORKSPACES`, permission `DATABRICKS_ASSIGN_PERMISSION`), a principal a
//! create finds (or is refused with 409 for) is assigned where it holds nothing, and a
//! principal is unassigned from them before it is deleted.

use crate::databricks::model::DatabricksResource;
use crate::databricks::{DatabricksError, DatabricksId};
use crate::ops::Context;
use crate::scim::{Resource, ScimError};

use super::read::id_of;
use super::write::delete_by_id;

/// How the principal to assign came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// This request's create answered with it: if it cannot be assigned, it is deleted again
    /// and the client gets the assignment's error (a retry of the create starts clean).
    Created,
    /// It was there before, or was found after an unanswered create: it is never deleted; a
    /// failed assignment is a 502 that says the principal exists.
    Found,
}

/// Assigns `principal` to every configured workspace (nothing with the workspace target, or
/// with no workspaces configured). A principal this request created holds nothing anywhere:
/// one `PUT` per workspace. One that was there before (reactivated, or found after an
/// unanswered create) may hold a permission an admin gave it, which a `PUT` would replace: it
/// is assigned only where it holds nothing ([`assign`]).
pub async fn assign_to_workspaces<T: DatabricksResource>(
    ctx: &Context,
    principal: &T,
    origin: Origin,
) -> Result<(), ScimError> {
    if ctx.config.assigning().is_none() {
        return Ok(());
    }
    let id = id_of(principal)?;
    match assign(ctx, &id, origin == Origin::Found).await {
        Ok(()) => Ok(()),
        Err(err) => Err(undo_or_report::<T>(ctx, &id, origin, err).await),
    }
}

/// Assigns a principal to each configured workspace with one `PUT`; with `where_absent`, only
/// where the workspace's assignment list (one call each) shows it holds nothing, so a
/// permission an admin set, `ADMIN` or `USER`, is never replaced.
async fn assign(ctx: &Context, id: &DatabricksId, where_absent: bool) -> Result<(), DatabricksError> {
    let Some(account) = ctx.config.account() else {
        return Ok(());
    };
    for workspace in &account.assign_workspaces {
        if where_absent && ctx.databricks.assigned(workspace, id).await? {
            continue;
        }
        ctx.databricks.assign(workspace, id, account.assign_permission).await?;
    }
    Ok(())
}

/// A create answered 409 on the account target: the principal holding the `userName` or group
/// name is assigned where it holds nothing before the 409 is answered. Identity platforms
/// adopt the holder after a 409 (Entra ID and Okta match by name), and a create re-sent after
/// one whose outcome stayed unknown (the principal was made, the bridge could not tell) must
/// end assigned. A failed assignment is the client's answer instead of the 409 (nothing was
/// created).
pub async fn assign_taken<T: DatabricksResource>(ctx: &Context, holder: &T) -> Result<(), ScimError> {
    if ctx.config.assigning().is_none() {
        return Ok(());
    }
    match assign(ctx, &id_of(holder)?, true).await {
        Ok(()) => Ok(()),
        Err(err) if transient(&err) => Err(resend_instead::<T>(ctx, &err).unwrap_or_else(|| err.into())),
        Err(err) => Err(err.into()),
    }
}

/// A failed assignment: a principal this request created is deleted again (its assignments go
/// with it) and the assignment's error is answered; otherwise, or when that delete fails, a
/// 502 says the principal exists without its workspace assignment.
async fn undo_or_report<T: DatabricksResource>(
    ctx: &Context,
    id: &DatabricksId,
    origin: Origin,
    err: DatabricksError,
) -> ScimError {
    let noun = T::RESOURCE.noun();
    let unfinished = || {
        // A transient failure for a user or group: a re-sent create converges (see
        // [`resend_instead`]); anything else says the principal exists unassigned.
        if transient(&err)
            && let Some(resend) = resend_instead::<T>(ctx, &err)
        {
            return resend;
        }
        ScimError::bad_gateway(format!(
            "the {noun} exists in the Databricks account, but Databricks did not assign it to the workspace; \
             read it before retrying (a DELETE removes it)"
        ))
        .caused_by(err.clone())
    };
    if origin == Origin::Found {
        return unfinished();
    }
    match delete_by_id::<T>(&ctx.databricks, id).await {
        // Nothing was kept: a throttled assignment is the client's 429 (retry later), an
        // unsettled one a 503 (retry), a refused one Databricks' reason.
        Ok(()) if err.outcome_unknown() => ScimError::unavailable(format!(
            "Databricks did not settle the workspace assignment of the new {noun}, so it was deleted again \
             and nothing was kept; retry the request"
        ))
        .caused_by(err),
        Ok(()) => ScimError::from(err),
        Err(_) => unfinished(),
    }
}

/// A failure a later attempt may not meet: throttling, no answer, a 5xx, no time left.
fn transient(err: &DatabricksError) -> bool {
    err.outcome_unknown() || matches!(err, DatabricksError::Throttled { .. } | DatabricksError::NoTimeLeft)
}

/// On the account target with workspaces to assign, a user or group create that could not be
/// settled (its outcome unknown and not read back, or its principal found but not assigned) is
/// answered 503 "re-send" instead of 502 "read before retrying": user names and group names are
/// unique, so a re-sent create either makes the principal or is answered 409 after assigning
/// the holder ([`assign_taken`]); a client that read and adopted it instead would keep it
/// unassigned. Service principals (names not unique: a re-sent create makes a second one) keep
/// the 502. `None` where this does not apply.
pub fn resend_instead<T: DatabricksResource>(ctx: &Context, cause: &DatabricksError) -> Option<ScimError> {
    let assigning = ctx.config.assigning().is_some();
    let unique_names = matches!(T::RESOURCE, Resource::User | Resource::Group);
    (assigning && unique_names).then(|| {
        let noun = T::RESOURCE.noun();
        ScimError::unavailable(format!(
            "Databricks did not settle this create of a {noun}; re-send it: a re-sent create makes the {noun}, \
             or assigns the one that exists to the workspace and answers 409"
        ))
        .caused_by(cause.clone())
    })
}

/// The create's own error when its outcome stayed unknown and could not be read back: a 503
/// "re-send" where [`resend_instead`] applies, else the error as it is.
pub fn or_resend<T: DatabricksResource>(
    ctx: &Context,
    unknown: &DatabricksError,
) -> impl FnOnce(ScimError) -> ScimError + use<T> {
    let resend = resend_instead::<T>(ctx, unknown);
    move |err| match (err, resend) {
        (ScimError::BadGateway { .. }, Some(resend)) => resend,
        (err, _) => err,
    }
}

/// Removes `principal`'s assignment from every configured workspace before it is deleted
/// (nothing with the workspace target). A principal not assigned there (`404`) is fine: an
/// admin may have unassigned it, or an earlier DELETE of this request got that far.
pub async fn unassign_from_workspaces(ctx: &Context, id: &DatabricksId) -> Result<(), ScimError> {
    let Some(account) = ctx.config.account() else {
        return Ok(());
    };
    for workspace in &account.assign_workspaces {
        ctx.databricks.unassign(workspace, id).await?;
    }
    Ok(())
}
