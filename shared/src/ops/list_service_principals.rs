//! `GET /ServicePrincipals`: one Databricks list call per page.

use super::support::list_page;
use super::{ScimRequest, ScimResponse};
use crate::config::AppState;
use crate::databricks::model::ServicePrincipal;
use crate::scim::ScimError;

/// Handles the request.
pub async fn handle(state: &AppState, request: ScimRequest) -> Result<ScimResponse, ScimError> {
    list_page::<ServicePrincipal>(state, &request).await
}
