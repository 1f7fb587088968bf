//! `PATCH /Users/{id}`: the client's operations become one Databricks PATCH.

use super::support::{USERS, patch_principal};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    patch_principal(state, &USERS, &request).await
}
