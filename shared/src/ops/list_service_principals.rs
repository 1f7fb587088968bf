//! `GET /ServicePrincipals`: one Databricks list call per page.

use super::support::{SERVICE_PRINCIPALS, list_page};
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page(state, &SERVICE_PRINCIPALS, &request).await
}
