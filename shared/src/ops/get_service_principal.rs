//! `GET /ServicePrincipals/{id}`.

use super::Context;
use super::support::read::get_one;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::ServicePrincipal;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    get_one::<ServicePrincipal>(&ctx, &request).await
}
