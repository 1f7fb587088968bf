//! `PUT /Groups/{id}`: read the group, then one Databricks PATCH that makes its members,
//! parent groups and entitlements the lists the client sent (one `add` of what is missing,
//! one `remove` per element that goes). What the client did not send is kept, roles always.

use super::support::{
    account_group_refusal, account_group_refused, answer_or_read, body_object, patch_target, path_id, read, render,
};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::{Group, Selection};
use crate::mapping::group::replace_operations;
use crate::scim::list::Projection;
use crate::scim::{Resource, ScimError};

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let id = path_id(&request, Resource::Group)?;
    let body = body_object(&request)?;
    let full = Selection::default();
    let current = read::<Group>(state, &id, &full).await?;
    let operations = replace_operations(&body, &current)?;
    // An account group (identity federation) refuses membership changes and has been seen to
    // ignore entitlement writes silently: refuse up front rather than write.
    if !operations.is_empty() && current.is_account_group() {
        return Err(account_group_refused());
    }
    let answered = if operations.is_empty() {
        Some(current)
    } else {
        match patch_target(state, &id, &operations).await {
            Ok(answered) => answered,
            Err(err) => return Err(account_group_refusal(state, &id, err).await),
        }
    };
    let group = answer_or_read(state, &id, answered, &full).await?;
    Ok(ScimResponse::ok(render(&group, &request.base_url, &Projection::default())?))
}
