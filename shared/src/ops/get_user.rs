//! `GET /Users/{id}`.

use super::Context;
use super::support::{USERS, get_one};
use super::{ScimRequest, ScimResponse};
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(ctx: Context, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    get_one(&ctx, &USERS, &request).await
}
