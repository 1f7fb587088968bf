//! `DELETE /ServicePrincipals/{id}` (its personal access tokens go with it).

use super::support::{Kind, delete};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    delete(state, Kind::ServicePrincipal, &request).await
}
