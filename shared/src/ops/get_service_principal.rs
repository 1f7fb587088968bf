//! `GET /ServicePrincipals/{id}`.

use super::support::get_one;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::ServicePrincipal;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    get_one::<ServicePrincipal>(state, &request).await
}
