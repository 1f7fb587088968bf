//! `GET /Users` and `POST /Users/.search` (a SearchRequest body, RFC 7644 §3.4.3): one
//! Databricks list call per page, the same call for both.

use super::Context;
use super::support::listing::list_page;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::User;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page::<User>(&ctx, &request).await
}
