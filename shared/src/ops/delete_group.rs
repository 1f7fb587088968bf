//! `DELETE /Groups/{id}`: one Databricks DELETE; its 404 is a SCIM 404 (docs/design.md §4).

use super::Context;
use super::support::write::delete;
use super::{ScimRequest, ScimResponse};
use crate::databricks::model::Group;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    delete::<Group>(&ctx, &request).await
}
