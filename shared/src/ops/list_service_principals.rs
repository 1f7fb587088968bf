//! `GET /ServicePrincipals`: one Databricks list call per page.

use super::Context;
use super::support::{SERVICE_PRINCIPALS, list_page};
use super::{ScimRequest, ScimResponse};
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page(&ctx, &SERVICE_PRINCIPALS, &request).await
}
