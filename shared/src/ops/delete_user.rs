//! `DELETE /Users/{id}`.

use super::Context;
use super::support::write::delete;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::User;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    delete::<User>(&ctx, &request).await
}
