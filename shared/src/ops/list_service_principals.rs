//! `GET /ServicePrincipals`: one Databricks list call per page.

use super::Context;
use super::support::listing::list_page;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::ServicePrincipal;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page::<ServicePrincipal>(&ctx, &request).await
}
