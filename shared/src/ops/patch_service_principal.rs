//! `PATCH /ServicePrincipals/{id}`: the client's operations become one Databricks PATCH.

use super::support::{SERVICE_PRINCIPALS, patch_principal};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    patch_principal(state, &SERVICE_PRINCIPALS, &request).await
}
