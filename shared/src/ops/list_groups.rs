//! `GET /Groups`: one Databricks list call per page; members only when wanted.

use super::Context;
use super::support::listing::list_page;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::Group;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page::<Group>(&ctx, &request).await
}
