//! `DELETE /ServicePrincipals/{id}` (its personal access tokens go with it).

use super::Context;
use super::support::write::delete;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::ServicePrincipal;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    delete::<ServicePrincipal>(&ctx, &request).await
}
