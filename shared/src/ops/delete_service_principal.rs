//! `DELETE /ServicePrincipals/{id}` (its personal access tokens go with it).

use super::support::delete;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::ServicePrincipal;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    delete::<ServicePrincipal>(state, &request).await
}
