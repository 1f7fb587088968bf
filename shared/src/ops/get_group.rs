//! `GET /Groups/{id}`: members are fetched only when the client wants them.

use super::Context;
use super::support::read::get_one;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::Group;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    get_one::<Group>(&ctx, &request).await
}
