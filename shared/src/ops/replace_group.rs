//! `PUT /Groups/{id}`: read the group, then one Databricks PATCH that makes its members,
//! parent groups and entitlements the lists the client sent (one `add` of what is missing,
//! one `remove` per element that goes). What the client did not send is kept, roles always.

use super::Context;
use super::support::account_group::{account_group_refusal, account_group_refused};
use super::support::answer::written;
use super::support::read::answer_or_read;
use super::support::write::replacement;
use super::{ScimRequest, ScimResponse};
use crate::databricks::ApiLevel;
use crate::databricks::model::{Group, Selection};
use crate::mapping::group::replace_operations;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let put = replacement::<Group>(&ctx, &request, replace_operations).await?;
    // Through the workspace API, an account group (identity federation) refuses membership
    // changes and has been seen to ignore entitlement writes silently: refuse up front rather
    // than write. The account API is where account groups are changed.
    let workspace_api = ctx.databricks.level() == ApiLevel::Workspace;
    if workspace_api && !put.operations.is_empty() && put.current.is_account_group() {
        return Err(account_group_refused());
    }
    let id = put.id.clone();
    let answered = match put.apply(&ctx).await {
        Ok(answered) => answered,
        Err(err) => return Err(account_group_refusal(&ctx, &id, err).await),
    };
    let group = answer_or_read(&ctx, &id, answered, &Selection::default()).await?;
    written(&group, &request.base_url)
}
