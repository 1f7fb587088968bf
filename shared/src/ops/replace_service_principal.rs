//! `PUT /ServicePrincipals/{id}`: read the principal, then one Databricks PATCH of what the
//! client changed (memberships, roles and unsent entitlements are kept; the applicationId is
//! never sent). A rename is checked on the answer: Databricks has been seen to ignore one.

use super::Context;
use super::support::answer::written;
use super::support::read::read_after_write;
use super::support::write::{replacement, verify_renamed};
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::{Selection, ServicePrincipal};
use crate::mapping::service_principal::replace_operations;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    let put = replacement::<ServicePrincipal>(&ctx, &request, replace_operations).await?;
    let id = put.id.clone();
    let renamed_to = put
        .operations
        .iter()
        .find(|op| op.path.attribute() == "displayName")
        .and_then(|op| op.value.as_ref())
        .and_then(|v| v.as_text())
        .map(String::from);
    let answered = put.apply(&ctx).await?;
    let Some(principal) = read_after_write(&ctx, &id, answered, &Selection::default()).await? else {
        return Ok(ScimResponse::no_content());
    };
    let principal = verify_renamed(&ctx, &id, principal, renamed_to.as_deref()).await?;
    written(&principal, &request.base_url)
}
