//! `PUT /Users/{id}`: read the user, then one Databricks PATCH of what the client changed.
//! Nothing the client did not send is wiped (memberships, roles, admin-granted entitlements),
//! and there is no read-then-PUT race on memberships.

use super::Context;
use super::support::answer::written;
use super::support::read::read_after_write;
use super::support::write::replacement;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::{Selection, User};
use crate::mapping::user::replace_operations;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let put = replacement::<User>(&ctx, &request, replace_operations).await?;
    let id = put.id.clone();
    let answered = put.apply(&ctx).await?;
    // A target that hides inactive users cannot show the user after a deactivation: 204.
    let Some(user) = read_after_write(&ctx, &id, answered, &Selection::default()).await? else {
        return Ok(ScimResponse::no_content());
    };
    written(&user, &request.base_url)
}
