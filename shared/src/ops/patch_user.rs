//! `PATCH /Users/{id}`: the client's operations become one Databricks PATCH.

use super::Context;
use super::support::write::patch_principal;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::User;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    patch_principal::<User>(&ctx, &request).await
}
