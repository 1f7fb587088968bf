//! `PATCH /Users/{id}`: the client's operations become one Databricks PATCH.

use super::support::patch_principal;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::User;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    patch_principal::<User>(state, &request).await
}
